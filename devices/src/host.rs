//! The device host: one per node on the virtual air, running MAC association (both sides),
//! indirect transmission for sleepy children, the Zigbee NWK layer (join, stochastic
//! addresses, NWK security, the routing seam, device announce), APS (acknowledged data,
//! duplicate rejection, the trust centre's Transport Key) and ZDO address discovery, with a
//! [`Behaviour`] on top that speaks ZCL.

use crate::behaviour::{Api, Behaviour, Peer, Request, SE_PROFILE, ZclIndication, ZclRequest};
use han_mesh::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::INJECTED;
use han_radio::device::DeviceKind;
use han_stack::aps::ack::{DuplicateRejection, Retransmissions, Retry, data_header};
use han_stack::aps::command::{
    ApsCommand, KeyType, RemoveDevice, RequestKey, SwitchKey, Tunnel, UpdateDevice,
    UpdateDeviceStatus,
};
use han_stack::aps::security as aps_security;
use han_stack::aps::trust_centre::{
    DeviceLog, InstallCodeKeys, TrustCentre, accept_application_key, accept_network_key,
    command_header,
};
use han_stack::aps::{ApsFlags, ApsFrame, DeliveryMode, FrameType as ApsType};
use han_stack::mac::associate::{Associator, JoinOutcome, JoinParams, Step};
use han_stack::mac::association::AssociationCoordinator;
use han_stack::mac::beacon_response::{beacon_frame, is_beacon_request};
use han_stack::mac::engine::TxStatus;
use han_stack::mac::indirect::{
    DEFAULT_PERSISTENCE_UNITS, PendingTransactions, data_request, persistence_ns,
};
use han_stack::mac::scan::DEFAULT_SCAN_EXPONENT;
use han_stack::mac::{
    Address, AssociationStatus, CapabilityInfo, MacCommand, MacFrame, MacPayload, ZigbeeBeacon,
};
use han_stack::nwk::address::stochastic_address;
use han_stack::nwk::command::NwkCommand;
use han_stack::nwk::next_hop::{DirectOrParent, NextHop, is_broadcast};
use han_stack::nwk::rejoin::{RejoinMode, Rejoiner};
use han_stack::nwk::routing::NwkPayload;
use han_stack::nwk::security::{NwkSecurity, NwkSecurityError};
use han_stack::nwk::{NwkFrame, NwkFrameType, NwkHeader};
use han_stack::wire::{ExtAddr, Wire};
use han_stack::zcl::ZclFrame;
use han_stack::zdo::{AddrRsp, Capability, DeviceAnnce, ZdpBody, ZdpFrame, ZdpStatus};
use std::collections::BTreeMap;

pub use bands::DualBand;
pub use leave::LeaveRequest;

mod aps_link;
mod backoff;
mod bands;
mod children;
mod formation;
mod leave;
mod lookup;
mod mesh;
mod rejoin;
mod timeout;

/// The ZDO endpoint and profile.
const ZDO: u8 = 0;
/// NWK radius for new frames: 2·nwkcMaxDepth (domain.md 3.2).
const RADIUS: u8 = 30;
/// Timers of the host; behaviour timers are offset by [`BEHAVIOUR_TIMERS`].
const T_START: u32 = 1;
const T_ASSOC: u32 = 2;
const T_APS: u32 = 3;
const T_EXPIRY: u32 = 4;
const T_POLL: u32 = 5;
const T_NAP: u32 = 6;
const T_REJOIN: u32 = 7;
const T_KEY_WAIT: u32 = 8;
const T_POWER_OFF: u32 = 9;
const T_POWER_ON: u32 = 10;
const T_KEY_UPDATE: u32 = 11;
const T_KEY_SWITCH: u32 = 12;
const T_ROUTER: u32 = 13;
const T_REJOIN_STEP: u32 = 14;
const T_LEAVE: u32 = 15;
const T_AGE: u32 = 16;
const T_KEEPALIVE: u32 = 17;
const T_FAST_POLL: u32 = 18;
const T_SCAN: u32 = 19;
const T_PAN_SWITCH: u32 = 20;
/// A sleepy device polls again this long after sending a request, for the answer that
/// reaches its parent a little later (through a router, say; an assumption in line with
/// stacks' short fast-poll windows).
const FAST_POLL: Duration = Duration::millis(250);
/// Outgoing frame counters (NWK and APS) are written to non-volatile memory once per this
/// many frames, ahead of use: after a power cut a device goes on from the next multiple,
/// above every counter it may have used, so its frames are never taken for replays
/// (Zigbee PRO R22 4.3.1.1 step 2 forbids reuse; the step is an assumption, stacks save
/// in such blocks to spare their flash).
pub const FRAME_COUNTER_NVM_STEP: u32 = 4096;
/// Time between a network key update and the Switch Key (an assumption).
pub const KEY_SWITCH_DELAY: Duration = Duration::secs(60);
/// Behaviour timer ids start here.
pub const BEHAVIOUR_TIMERS: u32 = 1000;
/// Transmit handles.
const H_ASSOC: u32 = 1;
const H_DATA: u32 = 2;
const H_POLL: u32 = 3;
const H_MAC: u32 = 4;
const H_INDIRECT: u32 = 5;
const H_REJOIN: u32 = 6;
/// The Beacon Request of the coordinator's active scan.
const H_SCAN: u32 = 7;
/// Association responses: the child's short address in the low 16 bits.
const H_ASSOC_RESPONSE: u32 = 0x0001_0000;
/// Unicasts a router sent, kept until the MAC reports: a counter in the low 16 bits.
const H_ROUTED: u32 = 0x0002_0000;
/// Rejoin Responses after a secure rejoin: the child's short address in the low 16 bits.
const H_SECURE_REJOIN_RESPONSE: u32 = 0x0003_0000;
/// Rejoin Responses after a trust-centre rejoin: the child's short address in the low 16 bits.
const H_TC_REJOIN_RESPONSE: u32 = 0x0004_0000;

/// How long a joiner waits for the network key before starting again
/// (apsSecurityTimeOutPeriod-like; an assumption).
const KEY_WAIT: Duration = Duration::secs(10);
/// How often a sleepy joiner polls while it waits for the key.
const JOIN_POLL: Duration = Duration::millis(500);
/// Consecutive failed transmissions to its parent after which an end device looks for a
/// parent again (an assumption; Zigbee leaves the number to the stack).
const PARENT_LOST_AFTER: u32 = 3;
/// How long a sleepy device listens after an ACK with frame pending
/// (macMaxFrameTotalWaitTime rounded up).
const NAP_AFTER_PENDING: Duration = Duration::millis(40);

/// How a NWK frame is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seal {
    /// Not at all (the Transport Key to a joiner, secured at APS level).
    Clear,
    /// With the active network key.
    Active,
    /// With the held key of this sequence number (a device still on the previous key).
    Under(u8),
}

/// What a node is on the network.
#[derive(Debug, Clone)]
pub enum RoleConfig {
    /// The coordinator and trust centre (CHF): forms the PAN with this key and log.
    Coordinator {
        /// PAN ID.
        pan: u16,
        /// The network key it hands out.
        network_key: [u8; 16],
        /// Devices allowed to join.
        log: DeviceLog,
        /// The secret application link keys are drawn from.
        app_secret: [u8; 16],
    },
    /// A joining device.
    Joiner {
        /// Its preconfigured link key (from its install code).
        link_key: [u8; 16],
        /// The PAN to join: the CH's extended PAN ID (its EUI-64, domain.md 1.1).
        extended_pan_id: ExtAddr,
        /// Joins as a router (mains, rx on).
        router: bool,
        /// Sleepy end device (receiver off when idle).
        sleepy: bool,
    },
}

/// Everything a host is built from.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Device id (from the building file).
    pub id: String,
    /// Device kind.
    pub kind: DeviceKind,
    /// Index of its premises in the building.
    pub premises: usize,
    /// Its EUI-64.
    pub ext_addr: ExtAddr,
    /// The channel it forms or scans.
    pub channel: u8,
    /// The channels it may form on or join on: one when the building names it, else the
    /// band (the CHF measures each and forms on the quietest; joiners scan them all).
    pub channels: Vec<u8>,
    /// When it powers on.
    pub power_on: Duration,
    /// Its role.
    pub role: RoleConfig,
    /// Unix time of simulated time zero, ns (for ZCL UTC time).
    pub epoch_unix_ns: u64,
    /// Symbol period of the PHY, ns (MAC timings: scan, response wait, persistence).
    pub symbol_ns: u64,
    /// Power cuts: the node is off from `at` for `length`; it keeps what a device keeps in
    /// non-volatile memory (keys, frame counters, addresses, children) and loses the rest.
    pub outages: Vec<Outage>,
    /// Network key updates (trust centre only): at each time, the next key goes to every
    /// device, and [`KEY_SWITCH_DELAY`] later the Switch Key.
    pub key_updates: Vec<(Duration, [u8; 16])>,
    /// Devices the trust centre asks to leave (trust centre only).
    pub leave_requests: Vec<LeaveRequest>,
}

/// One power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// When the power goes.
    pub at: Duration,
    /// How long it stays off.
    pub length: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinState {
    Down,
    Associating,
    AwaitingKey,
    /// NWK rejoin under way (see `host/rejoin.rs`).
    Rejoining,
    Joined,
    /// Left the network for good (told to leave without rejoining).
    Left,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Child {
    ext: ExtAddr,
    sleepy: bool,
    /// Joined as a router.
    router: bool,
    /// LQI of its association request.
    lqi: u8,
    /// When a frame from it was last heard, ns.
    heard_ns: u64,
    /// Its end device timeout, ns (see `host/timeout.rs`).
    timeout_ns: u64,
}

/// What a parent (the coordinator, or a joined router) keeps for its children.
struct Parent {
    assoc: AssociationCoordinator,
    children: BTreeMap<u16, Child>,
    indirect: PendingTransactions,
    /// Its depth in the network (the coordinator's is 0).
    depth: u8,
}

impl Parent {
    fn new(pan: u16, ext: ExtAddr, persistence_ns: u64, depth: u8) -> Self {
        Parent {
            assoc: AssociationCoordinator::new(pan, ext, true, persistence_ns),
            children: BTreeMap::new(),
            indirect: PendingTransactions::new(persistence_ns),
            depth,
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Role {
    Coordinator {
        tc: TrustCentre<InstallCodeKeys>,
    },
    Joiner {
        assoc: Associator,
        link_key: [u8; 16],
        extended_pan_id: ExtAddr,
        router: bool,
        sleepy: bool,
        state: JoinState,
        depth: u8,
        failures: u32,
    },
}

/// What happened to a host, for the summary.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct HostStats {
    /// When it first held the network key.
    pub joined_at_s: Option<f64>,
    /// Association attempts by outcome name.
    pub join_outcomes: BTreeMap<&'static str, u32>,
    /// NWK frames dropped for an old frame counter.
    pub replays_dropped: u64,
    /// NWK frames dropped because they were not secured (or did not verify).
    pub insecure_dropped: u64,
    /// APS frames sent again for a missing ACK.
    pub aps_retries: u64,
    /// APS frames given up on.
    pub aps_failures: u64,
    /// APS duplicates rejected.
    pub aps_duplicates: u64,
    /// APS-secured frames dropped for a frame counter not above the last one from that
    /// sender (replays, Zigbee PRO R22 4.4.1.2).
    pub aps_replays_dropped: u64,
    /// APS-secured frames whose MIC failed under the link key of the pair (a wrong key,
    /// a forgery).
    pub aps_auth_failures: u64,
    /// Frames with no route (unknown destination).
    pub no_route: u64,
    /// Routed APS data and acks handed to the MAC again after it found the channel busy.
    pub busy_resends: u64,
    /// Network keys it sent (trust centre only).
    pub keys_sent: u32,
    /// Joiners refused (trust centre only).
    pub refused: u32,
    /// When it last joined again (after losing its parent or a power cut), s.
    pub rejoined_at_s: Option<f64>,
    /// Power cuts it went through.
    pub power_cuts: u32,
    /// Routes that changed: a new next hop learnt for a destination, or a new parent.
    pub route_changes: u64,
    /// Network keys switched to after a key update.
    pub key_switches: u32,
    /// The channel the CHF formed its PAN on.
    pub channel: Option<u8>,
    /// The PAN ID the CHF formed (or last moved) its PAN on.
    pub pan_id: Option<u16>,
    /// Other networks the CHF's active scan heard on the channel it formed on.
    pub networks_heard: u32,
    /// PAN ID conflicts the CHF resolved (Zigbee PRO R22 3.6.1.13).
    pub pan_conflicts: u32,
    /// Network Reports of a PAN ID conflict it sent to the hub (joined devices).
    pub pan_reports_sent: u32,
    /// What its mesh router did (routers and the CHF).
    pub routing: RoutingStats,
    /// The end device timeout its parent confirmed, s (end devices).
    pub end_device_timeout_s: Option<u32>,
    /// End-device children removed for not being heard within their timeout (parents).
    pub children_aged_out: u32,
    /// When it was told to leave (and left), s.
    pub left_at_s: Option<f64>,
    /// Leave requests it sent (trust centre only).
    pub leave_requests_sent: u32,
    /// Request Keys it sent for application link keys with its partners.
    pub app_key_requests: u32,
}

/// A router's routing counters over all its power-ups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RoutingStats {
    /// Route discoveries it started.
    pub discoveries_started: u32,
    /// Of those, the ones that found no route.
    pub discoveries_failed: u32,
    /// Routes that became usable or changed next hop.
    pub route_changes: u32,
    /// Unicasts the MAC could not deliver to the next hop.
    pub link_failures: u32,
    /// Network Status commands it sent.
    pub network_status_sent: u32,
    /// Broadcasts sent again for a missing passive acknowledgement.
    pub broadcast_retries: u32,
}

impl RoutingStats {
    /// These counters plus a router's current ones.
    fn plus(self, c: &han_stack::nwk::routing::RoutingCounters) -> Self {
        RoutingStats {
            discoveries_started: self.discoveries_started + c.discoveries_started,
            discoveries_failed: self.discoveries_failed + c.discoveries_failed,
            route_changes: self.route_changes + c.route_changes,
            link_failures: self.link_failures + c.link_failures,
            network_status_sent: self.network_status_sent + c.network_status_sent,
            broadcast_retries: self.broadcast_retries + c.broadcast_retries,
        }
    }
}

/// What a joiner associates with: its scan list, timing and capabilities.
fn join_params(
    ext_addr: ExtAddr,
    channels: Vec<u8>,
    symbol_ns: u64,
    router: bool,
    sleepy: bool,
    extended_pan_id: ExtAddr,
) -> JoinParams {
    let mut caps = CapabilityInfo::ALLOCATE_ADDRESS;
    if router {
        caps |= CapabilityInfo::FFD | CapabilityInfo::MAINS_POWERED;
    }
    if !sleepy {
        caps |= CapabilityInfo::RX_ON_WHEN_IDLE;
    }
    JoinParams {
        ext_addr,
        channels,
        scan_exponent: DEFAULT_SCAN_EXPONENT,
        symbol_ns,
        capabilities: caps,
        extended_pan_id: Some(extended_pan_id),
    }
}

/// One node: stack plus behaviour.
pub struct DeviceHost {
    /// Device id.
    pub id: String,
    /// Device kind.
    pub kind: DeviceKind,
    /// Premises index.
    pub premises: usize,
    ext: ExtAddr,
    config: RadioConfig,
    power_on: Duration,
    epoch_unix_ns: u64,
    role: Role,
    parent: Option<Parent>,
    persistence_ns: u64,
    nwk: NwkSecurity,
    routing: DirectOrParent,
    /// Mesh routing (routers and the coordinator once they route).
    router: Option<han_stack::nwk::routing::Router>,
    router_timer: Option<u64>,
    held: Vec<mesh::HeldFrame>,
    in_flight: BTreeMap<u32, mesh::Routed>,
    sent_id: u32,
    /// LQI of the frame being handled.
    last_lqi: u8,
    /// Routing counters of earlier power-ups.
    routing_past: RoutingStats,
    /// Candidate channels.
    channels: Vec<u8>,
    /// The scans of formation, while they run.
    scan: Option<formation::Formation>,
    /// The PAN ID to move to once a Network Update has reached everyone.
    pan_switch: Option<u16>,
    /// nwkUpdateId: bumped by each Network Update (shown in beacons).
    nwk_update_id: u8,
    /// The conflicting PAN ID last reported to the network manager.
    pan_reported: Option<u16>,
    /// A NWK rejoin under way.
    rejoin: Option<Rejoiner>,
    /// Symbol period of the PHY, ns.
    symbol_ns: u64,
    mac_seq: u8,
    nwk_seq: u8,
    aps_counter: u8,
    zdp_seq: u8,
    zcl_seq: u8,
    retrans: Retransmissions,
    aps_seen: DuplicateRejection,
    peers: BTreeMap<ExtAddr, u16>,
    unresolved: Vec<ZclRequest>,
    /// The NWK_addr_req under way for each partner still unresolved.
    lookups: BTreeMap<ExtAddr, backoff::Backoff>,
    nap_at: Option<SimTime>,
    outages: Vec<Outage>,
    powered: bool,
    /// Bumped at each power-up: behaviour timers of an earlier life are ignored.
    epoch: u32,
    started: bool,
    parent_failures: u32,
    key_updates: Vec<(Duration, [u8; 16])>,
    next_key_update: usize,
    leave_requests: Vec<LeaveRequest>,
    /// When the child-ageing timer fires, ns.
    age_timer: Option<u64>,
    /// Devices given the current key after they were heard with an old one.
    key_caught_up: std::collections::BTreeSet<(ExtAddr, u8)>,
    /// Application link keys by partner (from the trust centre after a Request Key).
    app_keys: BTreeMap<ExtAddr, [u8; 16]>,
    /// The last Request Key for an application link key with each partner still missing.
    app_keys_requested: BTreeMap<ExtAddr, backoff::Backoff>,
    aps_security_counter: u32,
    /// The last APS frame counter accepted from each sender (non-volatile).
    aps_in_counters: BTreeMap<ExtAddr, u32>,
    /// Both bands (a dual-band device on a dual-band air); None: one radio.
    bands: Option<DualBand>,
    behaviour: Box<dyn Behaviour>,
    /// Counters for the summary.
    pub stats: HostStats,
}

impl DeviceHost {
    /// A host from its configuration and behaviour.
    pub fn new(cfg: HostConfig, behaviour: Box<dyn Behaviour>) -> Self {
        let persistence = persistence_ns(DEFAULT_PERSISTENCE_UNITS, cfg.symbol_ns);
        let mut parent = None;
        let role = match cfg.role {
            RoleConfig::Coordinator {
                pan,
                network_key,
                log,
                app_secret,
            } => {
                parent = Some(Parent::new(pan, cfg.ext_addr, persistence, 0));
                Role::Coordinator {
                    tc: TrustCentre::new(cfg.ext_addr, network_key, log, InstallCodeKeys)
                        .with_app_secret(app_secret),
                }
            }
            RoleConfig::Joiner {
                link_key,
                extended_pan_id,
                router,
                sleepy,
            } => {
                let params = join_params(
                    cfg.ext_addr,
                    cfg.channels.clone(),
                    cfg.symbol_ns,
                    router,
                    sleepy,
                    extended_pan_id,
                );
                Role::Joiner {
                    assoc: Associator::new(params, cfg.ext_addr.0 as u8),
                    link_key,
                    extended_pan_id,
                    router,
                    sleepy,
                    state: JoinState::Down,
                    depth: 0,
                    failures: 0,
                }
            }
        };
        // On no PAN until it forms or joins one.
        let (pan_id, short_addr) = (0xffff, 0xfffe);
        let mut nwk = NwkSecurity::default();
        if let Role::Coordinator { tc, .. } = &role {
            let (k, s) = tc.network_key();
            nwk.install_key(k, s);
        }
        DeviceHost {
            id: cfg.id,
            kind: cfg.kind,
            premises: cfg.premises,
            ext: cfg.ext_addr,
            config: RadioConfig {
                channel: cfg.channel,
                pan_id,
                short_addr,
                ext_addr: cfg.ext_addr,
                ..RadioConfig::default()
            },
            power_on: cfg.power_on,
            epoch_unix_ns: cfg.epoch_unix_ns,
            role,
            parent,
            persistence_ns: persistence,
            nwk,
            routing: DirectOrParent::default(),
            router: None,
            router_timer: None,
            held: Vec::new(),
            in_flight: BTreeMap::new(),
            sent_id: 0,
            last_lqi: 255,
            routing_past: RoutingStats::default(),
            channels: cfg.channels,
            scan: None,
            pan_switch: None,
            pan_reported: None,
            nwk_update_id: 0,
            rejoin: None,
            symbol_ns: cfg.symbol_ns,
            mac_seq: (cfg.ext_addr.0 >> 8) as u8,
            nwk_seq: (cfg.ext_addr.0 >> 16) as u8,
            aps_counter: 0,
            zdp_seq: 0,
            zcl_seq: 0,
            retrans: Retransmissions::default(),
            aps_seen: DuplicateRejection::default(),
            peers: BTreeMap::new(),
            unresolved: Vec::new(),
            lookups: BTreeMap::new(),
            nap_at: None,
            outages: cfg.outages,
            powered: true,
            epoch: 0,
            started: false,
            parent_failures: 0,
            key_updates: cfg.key_updates,
            next_key_update: 0,
            leave_requests: cfg.leave_requests,
            age_timer: None,
            key_caught_up: Default::default(),
            app_keys: BTreeMap::new(),
            app_keys_requested: Default::default(),
            aps_security_counter: 0,
            aps_in_counters: BTreeMap::new(),
            bands: None,
            behaviour,
            stats: HostStats::default(),
        }
    }

    /// Its EUI-64.
    pub fn ext_addr(&self) -> ExtAddr {
        self.ext
    }

    /// Its NWK address (0xfffe before it joined).
    pub fn short_addr(&self) -> u16 {
        self.config.short_addr
    }

    /// The behaviour, for reports.
    pub fn behaviour(&self) -> &dyn Behaviour {
        self.behaviour.as_ref()
    }

    /// Its next outgoing NWK frame counter.
    pub fn nwk_frame_counter(&self) -> u32 {
        self.nwk.outgoing_counter()
    }

    /// The network key it holds, if any.
    pub fn network_key(&self) -> Option<([u8; 16], u8)> {
        self.nwk.key()
    }

    /// What an outside driver needs to go on speaking as this device (capture injection,
    /// `han replay --into`): its addresses, key, and the next sequence numbers and frame
    /// counters; None before it holds a network key.
    pub fn takeover(&self) -> Option<han_stack::replay::inject::Emulated> {
        Some(han_stack::replay::inject::Emulated {
            pan_id: self.config.pan_id,
            short: self.config.short_addr,
            ext: self.ext,
            network_key: self.nwk.key()?,
            mac_seq: self.mac_seq.wrapping_add(1),
            nwk_seq: self.nwk_seq.wrapping_add(1),
            aps_counter: self.aps_counter.wrapping_add(1),
            nwk_frame_counter: self.nwk.outgoing_counter(),
            aps_frame_counter: self.aps_security_counter,
            app_keys: self.partner_keys(),
        })
    }

    /// The link keys it holds by partner: application link keys, and a joiner's
    /// trust-centre link key under the hub's EUI-64 (its SE data to the hub is APS-secured
    /// with it).
    fn partner_keys(&self) -> BTreeMap<ExtAddr, [u8; 16]> {
        let mut keys = self.app_keys.clone();
        if let Role::Joiner {
            link_key,
            extended_pan_id,
            ..
        } = &self.role
        {
            keys.entry(*extended_pan_id).or_insert(*link_key);
        }
        keys
    }

    /// The trust centre's device log (coordinator only).
    pub fn device_log(&self) -> Option<&DeviceLog> {
        match &self.role {
            Role::Coordinator { tc, .. } => Some(&tc.log),
            Role::Joiner { .. } => None,
        }
    }

    /// It holds the network key and has announced itself (always true for the coordinator).
    pub fn is_joined(&self) -> bool {
        match &self.role {
            Role::Coordinator { .. } => true,
            Role::Joiner { state, .. } => *state == JoinState::Joined,
        }
    }

    /// Its children (as a parent): NWK address and EUI-64.
    pub fn children(&self) -> Vec<(u16, ExtAddr)> {
        self.parent
            .as_ref()
            .map(|p| p.children.iter().map(|(&a, c)| (a, c.ext)).collect())
            .unwrap_or_default()
    }

    /// The NWK address of its parent (None for the coordinator or before joining).
    pub fn parent_addr(&self) -> Option<u16> {
        self.routing.parent
    }

    /// Sleepy end device.
    pub fn is_sleepy(&self) -> bool {
        matches!(self.role, Role::Joiner { sleepy: true, .. })
    }

    /// A router or the coordinator: it can be a parent.
    pub fn is_router(&self) -> bool {
        matches!(
            self.role,
            Role::Coordinator { .. } | Role::Joiner { router: true, .. }
        )
    }

    fn next_mac_seq(&mut self) -> u8 {
        self.mac_seq = self.mac_seq.wrapping_add(1);
        self.mac_seq
    }

    fn capability(&self) -> Capability {
        let mut c = Capability::ALLOCATE_ADDRESS;
        if self.is_router() {
            c |= Capability::FULL_FUNCTION_DEVICE | Capability::MAINS_POWERED;
        }
        if !self.is_sleepy() {
            c |= Capability::RX_ON_WHEN_IDLE;
        }
        c
    }

    // ---- MAC ----

    fn apply_steps(&mut self, steps: Vec<Step>, ctx: &mut NodeCtx<'_>) {
        for s in steps {
            match s {
                Step::SetChannel(c) => {
                    self.config.channel = c;
                    ctx.configure(self.config);
                }
                Step::SetPan(p) => {
                    self.config.pan_id = p;
                    ctx.configure(self.config);
                }
                Step::SetShortAddress(a) => {
                    self.config.short_addr = a;
                    ctx.configure(self.config);
                }
                Step::Transmit(f) => ctx.transmit(H_ASSOC, f.emit_with_fcs(), TxOptions::default()),
                Step::SetTimer(at) => ctx.set_timer(T_ASSOC, SimTime(at)),
                Step::Finished(o) => self.association_finished(o, ctx),
            }
        }
    }

    fn association_finished(&mut self, outcome: JoinOutcome, ctx: &mut NodeCtx<'_>) {
        *self.stats.join_outcomes.entry(outcome.name()).or_default() += 1;
        let Role::Joiner {
            assoc,
            state,
            sleepy,
            depth,
            ..
        } = &mut self.role
        else {
            return;
        };
        self.mac_seq = assoc.seq();
        if let JoinOutcome::Associated { parent, .. } = outcome {
            if let Address::Short(p) = parent.coordinator {
                if self.routing.parent.is_some_and(|q| q != p) {
                    self.stats.route_changes += 1;
                }
                self.routing.parent = Some(p);
                self.routing.neighbours.insert(p);
            }
            *depth = parent.zigbee.map_or(0, |z| z.device_depth) + 1;
            *state = JoinState::AwaitingKey;
            ctx.set_timer(T_KEY_WAIT, ctx.now + KEY_WAIT);
            if *sleepy {
                ctx.set_timer(T_POLL, ctx.now + JOIN_POLL);
            }
            return;
        }
        self.retry_later(ctx);
    }

    /// Join again later, backing off from 5–10 s to 160–320 s; a sleepy device sleeps
    /// meanwhile.
    fn retry_later(&mut self, ctx: &mut NodeCtx<'_>) {
        let Role::Joiner {
            state,
            sleepy,
            failures,
            ..
        } = &mut self.role
        else {
            return;
        };
        *state = JoinState::Down;
        *failures += 1;
        let base = 5u64 << (*failures - 1).min(5);
        let back_off = Duration::secs(base + ctx.rng.range_u64(0, base));
        ctx.set_timer(T_REJOIN, ctx.now + back_off);
        if *sleepy {
            ctx.sleep();
        }
        self.switch_band(ctx);
    }

    fn start_join(&mut self, ctx: &mut NodeCtx<'_>) {
        let Role::Joiner { assoc, state, .. } = &mut self.role else {
            return;
        };
        if *state != JoinState::Down {
            return;
        }
        if self.nwk.key().is_some() {
            // It was on the network: rejoin, secured first (Zigbee PRO R22 3.6.1.4.2).
            self.start_rejoin(RejoinMode::Secure, ctx);
            return;
        }
        *state = JoinState::Associating;
        self.config.short_addr = 0xfffe;
        ctx.wake();
        let steps = assoc.start(ctx.now.0);
        self.apply_steps(steps, ctx);
    }

    /// The extended PAN ID: the trust centre's EUI-64 (domain.md 1.1).
    fn extended_pan_id(&self) -> ExtAddr {
        match &self.role {
            Role::Coordinator { tc } => tc.address,
            Role::Joiner {
                extended_pan_id, ..
            } => *extended_pan_id,
        }
    }

    fn on_mac_command(&mut self, mac: &MacFrame, ctx: &mut NodeCtx<'_>) {
        if let Role::Joiner { assoc, .. } = &mut self.role
            && assoc.is_active()
        {
            let steps = assoc.on_frame(mac, self.config.channel, 255);
            self.apply_steps(steps, ctx);
            return;
        }
        let epid = self.extended_pan_id();
        let (pan, own_short) = (self.config.pan_id, self.config.short_addr);
        // A hub still scanning has no PAN to offer yet.
        if self.parent.is_none() || self.scan.is_some() {
            return;
        }
        let seq = self.next_mac_seq();
        let tc = match &self.role {
            Role::Coordinator { tc } => Some(tc),
            Role::Joiner { .. } => None,
        };
        let Some(parent) = self.parent.as_mut() else {
            return;
        };
        if is_beacon_request(mac) {
            let zb = ZigbeeBeacon {
                stack_profile: ZigbeeBeacon::STACK_PROFILE_PRO,
                protocol_version: 2,
                reserved: 0,
                router_capacity: true,
                device_depth: parent.depth,
                end_device_capacity: true,
                extended_pan_id: epid,
                tx_offset: 0xff_ffff,
                update_id: self.nwk_update_id,
            };
            let b = beacon_frame(
                seq,
                pan,
                Address::Short(own_short),
                tc.is_some(),
                true,
                zb.to_bytes(),
            );
            ctx.transmit(H_MAC, b.emit_with_fcs(), TxOptions::default());
            return;
        }
        let rng = &mut *ctx.rng;
        let now = ctx.now.0;
        let mut refused = false;
        let children = &mut parent.children;
        let lqi = self.last_lqi;
        let asked = parent
            .assoc
            .on_request(ctx.now.0, mac, seq, 0, |dev, caps| {
                // The trust centre refuses devices not in its log at once; a router cannot
                // tell and asks it (Update Device) after association.
                if let Some(tc) = tc
                    && tc.admit(dev).is_err()
                {
                    refused = true;
                    return Err(AssociationStatus::PanAccessDenied);
                }
                // A device joining again keeps its address.
                if let Some((&a, _)) = children.iter().find(|(_, c)| c.ext == dev) {
                    return Ok(a);
                }
                let a = stochastic_address(|n| rng.below(n), |a| children.contains_key(&a))
                    .ok_or(AssociationStatus::PanAtCapacity)?;
                children.insert(a, Child::new(dev, caps, lqi, now));
                Ok(a)
            });
        if refused {
            self.stats.refused += 1;
        }
        let Some(parent) = self.parent.as_mut() else {
            return;
        };
        if let Some((dev, _)) = asked {
            ctx.set_pending(Address::Extended(dev), true);
            return;
        }
        if let Some(mut t) = parent.assoc.on_data_request(mac) {
            ctx.set_pending(t.dst, parent.assoc.has_pending(t.dst));
            // Tag the response with the address it gives, to send the key once delivered.
            if let Ok((f, _, _)) = MacFrame::parse_with_fcs(&t.psdu)
                && let MacPayload::Command(MacCommand::AssociationResponse {
                    short_addr,
                    status: AssociationStatus::Success,
                }) = f.payload
            {
                t.handle = H_ASSOC_RESPONSE | u32::from(short_addr);
            } else {
                t.handle = H_MAC;
            }
            ctx.transmit(t.handle, t.psdu, TxOptions::default());
            return;
        }
        if mac.payload == MacPayload::Command(MacCommand::DataRequest) {
            if let Some(t) = parent.indirect.take(mac.src) {
                ctx.set_pending(mac.src, parent.indirect.has_pending(mac.src));
                let psdu = reseal_held(&mut self.nwk, self.ext, t.psdu);
                ctx.transmit(t.handle, psdu, TxOptions::default());
            } else if let Address::Short(a) = mac.src {
                self.poll_from_stranger(a, ctx);
            }
        }
    }

    /// Put a NWK frame on the MAC towards `next` (held for a sleepy child).
    fn mac_send(&mut self, next: u16, nwk: &NwkFrame, ctx: &mut NodeCtx<'_>) {
        self.mac_send_with(next, nwk, H_DATA, ctx);
    }

    /// [`DeviceHost::mac_send`] with the transmit handle to report under (frames held for
    /// a sleepy child report nothing).
    fn mac_send_with(&mut self, next: u16, nwk: &NwkFrame, handle: u32, ctx: &mut NodeCtx<'_>) {
        let seq = self.next_mac_seq();
        let dst = if next == 0xffff {
            Address::BROADCAST
        } else {
            Address::Short(next)
        };
        let f = MacFrame::data(
            seq,
            self.config.pan_id,
            dst,
            Address::Short(self.config.short_addr),
            nwk.to_bytes(),
        );
        let psdu = f.emit_with_fcs();
        if let Some(p) = self.parent.as_mut()
            && let Some(c) = p.children.get(&next).filter(|c| c.sleepy)
        {
            // A NWK command (a Leave request, say) waits for the child's next poll, as
            // long as the child is kept (Zigbee PRO R22 3.6.1.10.2); data frames for
            // macTransactionPersistenceTime.
            let hold = if nwk.header.control.frame_type == NwkFrameType::Command {
                c.timeout_ns
            } else {
                self.persistence_ns
            };
            p.indirect.push_for(ctx.now.0, dst, H_INDIRECT, psdu, hold);
            ctx.set_pending(dst, true);
            if let Some(t) = p.indirect.next_expiry() {
                ctx.set_timer(T_EXPIRY, SimTime(t));
            }
            self.in_flight.remove(&handle);
            return;
        }
        ctx.transmit(handle, psdu, TxOptions::default());
    }

    // ---- NWK ----

    /// Send an APS frame to `dst` over NWK, secured unless `clear` (the Transport Key).
    fn nwk_send(&mut self, dst: u16, aps: &[u8], seal: Seal, ctx: &mut NodeCtx<'_>) {
        self.nwk_send_payload(dst, NwkPayload::Data(aps.to_vec()), seal, ctx);
    }

    /// Send a NWK frame (APS data or a NWK command) to `dst`.
    fn nwk_send_payload(
        &mut self,
        dst: u16,
        payload: NwkPayload,
        seal: Seal,
        ctx: &mut NodeCtx<'_>,
    ) {
        if seal != Seal::Clear && !self.is_joined() {
            // Between parents: nothing can go out (acknowledged sends time out and retry).
            return;
        }
        if self.router_send(dst, &payload, seal, ctx) {
            return;
        }
        let Some(next) = self.routing.next_hop(dst) else {
            self.stats.no_route += 1;
            return;
        };
        self.nwk_seq = self.nwk_seq.wrapping_add(1);
        // The extended source lets every receiver map the originator's EUI-64 to its
        // address (Zigbee PRO R22 3.3.1.1.9); the aux header names only the last hop.
        let (frame_type, bytes) = match payload {
            NwkPayload::Command(c) => (NwkFrameType::Command, c.to_bytes()),
            NwkPayload::Data(d) => (NwkFrameType::Data, d),
        };
        let header = NwkHeader::pro(
            frame_type,
            dst,
            self.config.short_addr,
            RADIUS,
            self.nwk_seq,
        )
        .with_src64(self.ext);
        if let Some(f) = self.nwk_frame(header, bytes, seal) {
            self.mac_send(next, &f, ctx);
        }
    }

    /// A NWK frame of `header` and `payload`, secured as `seal` says (None when the key
    /// it needs is not held).
    fn nwk_frame(&mut self, header: NwkHeader, payload: Vec<u8>, seal: Seal) -> Option<NwkFrame> {
        match seal {
            Seal::Clear => Some(NwkFrame {
                header,
                aux: None,
                payload,
            }),
            Seal::Active => self.nwk.seal(header, self.ext, &payload),
            Seal::Under(seq) => self.nwk.seal_under(seq, header, self.ext, &payload),
        }
    }

    fn for_me(&self, dst: u16) -> bool {
        dst == self.config.short_addr
            || dst == 0xffff
            || (dst == 0xfffd && !self.is_sleepy())
            || (dst == 0xfffc && self.is_router())
    }

    fn on_data_frame(&mut self, mac: &MacFrame, bytes: &[u8], ctx: &mut NodeCtx<'_>) {
        let Ok(nwk) = NwkFrame::from_bytes(bytes) else {
            return;
        };
        if let Address::Short(s) = mac.src
            && s == nwk.header.src
        {
            self.routing.neighbours.insert(s);
        }
        if let Some(e) = nwk.header.src64
            && nwk.header.is_secured()
            && e != self.ext
        {
            self.peers.insert(e, nwk.header.src);
        }
        if !self.is_router() && is_broadcast(nwk.header.dst) && !self.for_me(nwk.header.dst) {
            // Before opening it: a frame the parent sealed earlier and held would
            // otherwise look like a replay of this one (counters are per sender).
            return;
        }
        let awaiting_key = matches!(
            self.role,
            Role::Joiner {
                state: JoinState::AwaitingKey,
                ..
            }
        );
        let plain = if nwk.header.is_secured() {
            match self.nwk.open(&nwk) {
                Ok(p) => p,
                Err(NwkSecurityError::Replay { .. }) => {
                    self.stats.replays_dropped += 1;
                    return;
                }
                Err(NwkSecurityError::KeySequence(_)) => {
                    self.stats.insecure_dropped += 1;
                    self.missed_key_update(mac, ctx);
                    return;
                }
                Err(_) => {
                    self.stats.insecure_dropped += 1;
                    return;
                }
            }
        } else if (awaiting_key && nwk.header.dst == self.config.short_addr)
            || self.unsecured_rejoin_allowed(&nwk)
        {
            nwk.payload.clone()
        } else {
            self.stats.insecure_dropped += 1;
            return;
        };
        if let Some(e) = nwk.header.src64
            && nwk.header.is_secured()
            && e != self.ext
        {
            self.heard_from(e, nwk.header.src, ctx);
        }
        self.child_moved(mac, &nwk.header, ctx);
        if nwk.header.control.frame_type == NwkFrameType::Command
            && let Ok(cmd) = NwkCommand::from_bytes(&plain)
            && self.on_membership_command(mac, &nwk.header, &cmd, nwk.header.is_secured(), ctx)
        {
            return;
        }
        if let (Role::Coordinator { tc }, Some(aux), Some(ext)) =
            (&self.role, &nwk.aux, nwk.header.src64)
        {
            // After a switch, a device still on an old key (it slept through the update)
            // gets the key and the switch.
            let (_, seq) = tc.network_key();
            if aux.key_seq != Some(seq)
                && self.nwk.key().is_some_and(|(_, s)| s == seq)
                && !self.key_caught_up.contains(&(ext, seq))
                && self.known_devices().iter().any(|(e, _)| *e == ext)
            {
                self.key_caught_up.insert((ext, seq));
                // Under the key it still uses, or it could not open them.
                let old = Seal::Under(aux.key_seq.unwrap_or(0));
                self.send_network_key(ext, nwk.header.src, old, ctx);
                let cmd = ApsCommand::SwitchKey(SwitchKey { seq });
                self.aps_command_send(nwk.header.src, cmd, old, ctx);
            }
        }
        if self.router.is_some() {
            let Address::Short(m) = mac.src else {
                return;
            };
            let src = nwk.header.src;
            let clear = !nwk.header.is_secured();
            let is_data = nwk.header.control.frame_type == NwkFrameType::Data;
            if self.router_receive(m, self.last_lqi, nwk.header, &plain, ctx)
                && is_data
                && let Ok(aps) = ApsFrame::from_bytes(&plain)
            {
                self.on_aps(src, clear, aps, ctx);
            }
            return;
        }
        if let Address::Short(m) = mac.src
            && nwk.header.src != self.config.short_addr
            && self.routing.learn(nwk.header.src, m)
        {
            self.stats.route_changes += 1;
        }
        if nwk.header.control.frame_type != NwkFrameType::Data {
            return;
        }
        if !self.for_me(nwk.header.dst) {
            return;
        }
        if let Ok(aps) = ApsFrame::from_bytes(&plain) {
            self.on_aps(nwk.header.src, !nwk.header.is_secured(), aps, ctx);
        }
    }

    /// NWK commands of joining and leaving; true when handled here.
    fn on_membership_command(
        &mut self,
        mac: &MacFrame,
        header: &NwkHeader,
        cmd: &NwkCommand,
        secured: bool,
        ctx: &mut NodeCtx<'_>,
    ) -> bool {
        match cmd {
            NwkCommand::RejoinRequest(caps) if header.dst == self.config.short_addr => {
                if let Some(e) = header.src64
                    && mac.src == Address::Short(header.src)
                    && self.parent.is_some()
                    && self.is_joined()
                {
                    self.on_rejoin_request(e, header.src, *caps, secured, ctx);
                }
                true
            }
            NwkCommand::RejoinResponse(r) if header.dst64 == Some(self.ext) => {
                self.on_rejoin_response(header.src, *r, ctx);
                true
            }
            NwkCommand::Leave(o)
                if header.dst == self.config.short_addr || is_broadcast(header.dst) =>
            {
                self.on_leave(header, *o, ctx)
            }
            NwkCommand::EndDeviceTimeoutRequest(r) if header.dst == self.config.short_addr => {
                self.on_timeout_request(header, *r, ctx);
                true
            }
            NwkCommand::EndDeviceTimeoutResponse(r) if header.dst == self.config.short_addr => {
                self.on_timeout_response(header, *r);
                true
            }
            NwkCommand::NetworkReport(r) if secured && header.dst == self.config.short_addr => {
                self.on_network_report(r, ctx);
                true
            }
            NwkCommand::NetworkUpdate(u) if secured => {
                // Routers still relay the broadcast.
                self.on_network_update(u, ctx);
                false
            }
            _ => false,
        }
    }

    // ---- APS ----

    fn on_aps(&mut self, src: u16, clear: bool, aps: ApsFrame, ctx: &mut NodeCtx<'_>) {
        match aps.header.frame_type {
            ApsType::Command => self.on_aps_command(src, clear, &aps, ctx),
            _ if clear => self.stats.insecure_dropped += 1,
            ApsType::Ack => {
                if !self.aps_ack_verifies(&aps) {
                    self.stats.aps_auth_failures += 1;
                    return;
                }
                if let Some(tag) = self.retrans.on_ack(src, aps.header.counter) {
                    self.with_behaviour(ctx, |b, api| b.delivered(tag, true, api));
                }
            }
            ApsType::Data => {
                let (aps, key) = if aps.header.is_secured() {
                    let sender = aps.aux.as_ref().and_then(|a| a.source);
                    let Some(key) = sender.and_then(|e| self.link_key_with(e)) else {
                        self.stats.insecure_dropped += 1;
                        // Secured by a partner with a key we never received: ask for it.
                        if let Some(e) = sender.filter(|e| !self.app_keys.contains_key(e)) {
                            self.ask_app_key(e, ctx);
                        }
                        return;
                    };
                    let Some(plain) = aps_security::open(&aps, &key, ExtAddr(0)) else {
                        self.stats.aps_auth_failures += 1;
                        return;
                    };
                    // Only after the MIC verified: a forged counter must not move ours.
                    if let (Some(e), Some(aux)) = (sender, aps.aux.as_ref()) {
                        let fc = aux.frame_counter;
                        let last = self.aps_in_counters.get(&e).copied();
                        if last == Some(fc)
                            && aps.header.flags.contains(ApsFlags::ACK_REQUEST)
                            && self.aps_seen.contains(src, aps.header.counter)
                        {
                            // A retransmission of the frame accepted last (its APS ack was
                            // lost): acknowledge it again, deliver it once (Zigbee PRO R22
                            // 2.2.8.4.2, duplicate rejection).
                            self.stats.aps_duplicates += 1;
                            let ack = self.aps_ack(&aps.header, Some(&key));
                            self.nwk_send(src, &ack, Seal::Active, ctx);
                            return;
                        }
                        if last.is_some_and(|last| fc <= last) {
                            self.stats.aps_replays_dropped += 1;
                            return;
                        }
                        self.aps_in_counters.insert(e, fc);
                    }
                    let aps = ApsFrame {
                        payload: plain,
                        ..aps
                    };
                    (aps, Some(key))
                } else {
                    (aps, None)
                };
                if aps.header.flags.contains(ApsFlags::ACK_REQUEST) {
                    let ack = self.aps_ack(&aps.header, key.as_ref());
                    self.nwk_send(src, &ack, Seal::Active, ctx);
                }
                if aps.header.delivery_mode == DeliveryMode::Unicast {
                    if self.aps_seen.contains(src, aps.header.counter) {
                        self.stats.aps_duplicates += 1;
                        return;
                    }
                    self.aps_seen.insert(src, aps.header.counter);
                }
                match aps.header.profile {
                    Some(0x0000) => self.on_zdp(src, &aps, ctx),
                    Some(SE_PROFILE) => {
                        let Ok(frame) = ZclFrame::from_bytes(&aps.payload) else {
                            return;
                        };
                        let src_ext = self.peer_ext(src);
                        let msg = ZclIndication {
                            src,
                            src_ext,
                            src_endpoint: aps.header.src_endpoint.unwrap_or(0),
                            dst_endpoint: aps.header.dst_endpoint.unwrap_or(0),
                            cluster: aps.header.cluster.unwrap_or(0),
                            frame,
                        };
                        self.with_behaviour(ctx, |b, api| b.zcl(&msg, api));
                    }
                    _ => {}
                }
            }
            ApsType::InterPan => {}
        }
    }

    fn on_aps_command(&mut self, src: u16, clear: bool, aps: &ApsFrame, ctx: &mut NodeCtx<'_>) {
        if aps.header.is_secured() {
            self.take_network_key(aps, ctx);
            return;
        }
        if clear {
            self.stats.insecure_dropped += 1;
            return;
        }
        let Ok(cmd) = ApsCommand::from_bytes(&aps.payload) else {
            return;
        };
        match cmd {
            // At the trust centre: a router let a device join (Zigbee PRO R22 4.6.3.2).
            ApsCommand::UpdateDevice(u) if u.status == UpdateDeviceStatus::DeviceLeft => {
                if matches!(self.role, Role::Coordinator { .. }) {
                    self.peers.remove(&u.device);
                }
            }
            ApsCommand::UpdateDevice(u)
                if u.status == UpdateDeviceStatus::StandardSecuredRejoin =>
            {
                // It holds the key already: only its address is news.
                if matches!(self.role, Role::Coordinator { .. }) {
                    self.peers.insert(u.device, u.short_addr);
                }
            }
            ApsCommand::UpdateDevice(u) => {
                let counter = self.next_aps_counter();
                let Role::Coordinator { tc } = &mut self.role else {
                    return;
                };
                let reply = match tc.transport_key(u.device, counter) {
                    Some(inner) => {
                        self.stats.keys_sent += 1;
                        ApsCommand::Tunnel(Tunnel {
                            dest: u.device,
                            frame: inner,
                        })
                    }
                    None => {
                        self.stats.refused += 1;
                        ApsCommand::RemoveDevice(RemoveDevice { target: u.device })
                    }
                };
                self.aps_command_send(src, reply, Seal::Active, ctx);
            }
            // At the trust centre: a device asks for a link key with a partner (4.4.10.4).
            ApsCommand::RequestKey(RequestKey {
                key_type: KeyType::ApplicationMaster,
                partner: Some(partner),
            }) => {
                let requester = self.peer_ext(src);
                let (Some(requester), Some(&partner_addr)) = (requester, self.peers.get(&partner))
                else {
                    return;
                };
                let (c1, c2) = (self.next_aps_counter(), self.next_aps_counter());
                let Role::Coordinator { tc } = &mut self.role else {
                    return;
                };
                let to_requester = tc.transport_application_key(requester, partner, true, c1);
                let to_partner = tc.transport_application_key(partner, requester, false, c2);
                for (dst, f) in [(src, to_requester), (partner_addr, to_partner)] {
                    if let Some(f) = f {
                        self.nwk_send(dst, &f.to_bytes(), Seal::Active, ctx);
                    }
                }
            }
            // At the router: hand the key on to the child, as the trust centre secured it.
            ApsCommand::Tunnel(t) => {
                let child = self.parent.as_ref().and_then(|p| {
                    p.children
                        .iter()
                        .find(|(_, c)| c.ext == t.dest)
                        .map(|(&a, _)| a)
                });
                if let Some(a) = child {
                    self.nwk_send(a, &t.frame.to_bytes(), Seal::Clear, ctx);
                }
            }
            ApsCommand::SwitchKey(k) => {
                let before = self.nwk.key().map(|(_, s)| s);
                if self.nwk.switch_key(k.seq) && before != Some(k.seq) {
                    self.stats.key_switches += 1;
                }
            }
            ApsCommand::RemoveDevice(r) => {
                if let Some(p) = self.parent.as_mut() {
                    p.children.retain(|_, c| c.ext != r.target);
                }
            }
            _ => {}
        }
    }

    fn aps_command_send(&mut self, dst: u16, cmd: ApsCommand, seal: Seal, ctx: &mut NodeCtx<'_>) {
        let aps = ApsFrame {
            header: command_header(self.next_aps_counter()),
            aux: None,
            payload: cmd.to_bytes(),
        };
        self.nwk_send(dst, &aps.to_bytes(), seal, ctx);
    }

    /// A joiner's Transport Key: take the network key, announce, start the application,
    /// and as a router begin taking children.
    fn take_network_key(&mut self, aps: &ApsFrame, ctx: &mut NodeCtx<'_>) {
        let own = self.ext;
        let pan = self.config.pan_id;
        let Role::Joiner {
            link_key,
            extended_pan_id,
            state,
            router,
            depth,
            failures,
            ..
        } = &mut self.role
        else {
            return;
        };
        if let Some((partner, key)) = accept_application_key(aps, link_key, *extended_pan_id) {
            self.app_keys.insert(partner, key);
            self.app_keys_requested.remove(&partner);
            return;
        }
        let Some((key, seq)) = accept_network_key(aps, link_key, *extended_pan_id, own) else {
            return;
        };
        if *state == JoinState::Joined {
            // A key update: hold it for the Switch Key.
            self.nwk.stage_key(key, seq);
            return;
        }
        if *state != JoinState::AwaitingKey {
            return;
        }
        *state = JoinState::Joined;
        *failures = 0;
        let is_router = *router;
        if is_router && self.parent.is_none() {
            self.parent = Some(Parent::new(pan, own, self.persistence_ns, *depth));
        }
        self.peers.insert(*extended_pan_id, 0x0000);
        self.nwk.install_key(key, seq);
        let t = Some(ctx.now.0 as f64 / 1e9);
        if self.stats.joined_at_s.is_none() {
            self.stats.joined_at_s = t;
        } else {
            self.stats.rejoined_at_s = t;
        }
        self.parent_failures = 0;
        if is_router {
            self.start_router(self.config.short_addr, ctx);
            if let Some(p) = self.routing.parent {
                let lqi = self.last_lqi;
                self.router_add_child(p, true, lqi, ctx.now.0);
            }
        }
        self.announce(ctx);
        self.request_timeout(ctx);
        // The application runs on across a rejoin.
        if !self.started {
            self.started = true;
            self.with_behaviour(ctx, |b, api| b.joined(api));
        }
    }

    /// An end device counts failed transmissions to its parent; after a few it looks for
    /// a parent again (Zigbee PRO R22 3.6.1.4.2, rejoining through association here).
    fn parent_link(&mut self, ok: bool, ctx: &mut NodeCtx<'_>) {
        if self.is_router() || !self.is_joined() {
            return;
        }
        if ok {
            self.parent_failures = 0;
            return;
        }
        self.parent_failures += 1;
        if self.parent_failures < PARENT_LOST_AFTER {
            return;
        }
        self.parent_failures = 0;
        if let Role::Joiner { state, .. } = &mut self.role {
            *state = JoinState::Down;
        }
        *self.stats.join_outcomes.entry("PARENT_LOST").or_default() += 1;
        self.start_join(ctx);
    }

    /// The devices the trust centre knows on its network: logged EUI-64s it has an address
    /// for.
    fn known_devices(&self) -> Vec<(ExtAddr, u16)> {
        let Role::Coordinator { tc } = &self.role else {
            return Vec::new();
        };
        self.peers
            .iter()
            .filter(|(e, _)| tc.log.contains(**e))
            .map(|(e, a)| (*e, *a))
            .collect()
    }

    /// The Transport Key of the current network key to `ext` at `short`, secured with its
    /// link key and NWK-secured with the active key.
    fn send_network_key(&mut self, ext: ExtAddr, short: u16, seal: Seal, ctx: &mut NodeCtx<'_>) {
        let counter = self.next_aps_counter();
        let Role::Coordinator { tc } = &mut self.role else {
            return;
        };
        if let Some(f) = tc.transport_key(ext, counter) {
            self.stats.keys_sent += 1;
            self.nwk_send(short, &f.to_bytes(), seal, ctx);
        }
    }

    /// Trust centre: hand the next network key to every device (Zigbee PRO R22 4.6.3.4).
    fn key_update(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(&(_, key)) = self.key_updates.get(self.next_key_update) else {
            return;
        };
        self.next_key_update += 1;
        let Role::Coordinator { tc } = &mut self.role else {
            return;
        };
        let seq = tc.next_network_key(key);
        self.nwk.stage_key(key, seq);
        for (ext, short) in self.known_devices() {
            self.send_network_key(ext, short, Seal::Active, ctx);
        }
        ctx.set_timer(T_KEY_SWITCH, ctx.now + KEY_SWITCH_DELAY);
    }

    /// Trust centre: tell every device to switch, then switch.
    fn key_switch(&mut self, ctx: &mut NodeCtx<'_>) {
        let Role::Coordinator { tc } = &self.role else {
            return;
        };
        let (_, seq) = tc.network_key();
        for (_, short) in self.known_devices() {
            self.aps_command_send(
                short,
                ApsCommand::SwitchKey(SwitchKey { seq }),
                Seal::Active,
                ctx,
            );
        }
        if self.nwk.switch_key(seq) {
            self.stats.key_switches += 1;
        }
    }

    fn power_off(&mut self, ctx: &mut NodeCtx<'_>) {
        self.powered = false;
        self.stats.power_cuts += 1;
        self.behaviour.powered_off(ctx.now);
        ctx.sleep();
        // What lives in RAM is gone: queued frames, waits for ACKs, a join under way.
        let (retries, failures) = (self.retrans.retries, self.retrans.failures);
        self.retrans = Retransmissions::default();
        self.retrans.retries = retries;
        self.retrans.failures = failures;
        self.unresolved.clear();
        self.lookups.clear();
        self.app_keys_requested.clear();
        self.nap_at = None;
        self.held.clear();
        self.in_flight.clear();
        if let Some(p) = self.parent.as_mut() {
            *p = Parent {
                children: std::mem::take(&mut p.children),
                ..Parent::new(p.assoc.pan, self.ext, self.persistence_ns, p.depth)
            };
        }
        self.rejoin = None;
        // A formation under way starts again at power-up; a PAN ID switch still to come
        // is lost with the rest of RAM (the device finds its network again by rejoining).
        self.scan = None;
        self.pan_switch = None;
        if let Role::Joiner { state, .. } = &mut self.role
            && *state != JoinState::Joined
        {
            *state = JoinState::Down;
        }
    }

    fn power_up(&mut self, ctx: &mut NodeCtx<'_>) {
        self.powered = true;
        self.epoch += 1;
        ctx.wake();
        // The counters in RAM were lost; non-volatile memory holds the next block.
        let nwk = self.nwk.outgoing_counter();
        self.nwk
            .restore_outgoing(nwk.next_multiple_of(FRAME_COUNTER_NVM_STEP));
        self.aps_security_counter = self
            .aps_security_counter
            .next_multiple_of(FRAME_COUNTER_NVM_STEP);
        self.restart_ageing(ctx);
        if self.router.is_some() {
            // Routing tables lived in RAM: start again with the children and the parent.
            self.start_router(self.config.short_addr, ctx);
            if let Some(p) = self.routing.parent {
                self.router_add_child(p, true, self.last_lqi, ctx.now.0);
            }
        }
        if matches!(self.role, Role::Coordinator { .. }) && !self.started {
            self.start_formation(ctx);
        } else if self.is_joined() {
            // Back from non-volatile memory: the application starts again.
            self.with_behaviour(ctx, |b, api| b.joined(api));
            if self.is_sleepy() {
                self.sleep(ctx);
            }
        } else {
            self.start_join(ctx);
        }
    }

    fn next_aps_counter(&mut self) -> u8 {
        self.aps_counter = self.aps_counter.wrapping_add(1);
        self.aps_counter
    }

    fn zdp_send(&mut self, dst: u16, cluster: u16, body: ZdpBody, ctx: &mut NodeCtx<'_>) {
        self.zdp_seq = self.zdp_seq.wrapping_add(1);
        let mut header = data_header(ZDO, cluster, 0x0000, ZDO, self.next_aps_counter(), false);
        if is_broadcast(dst) {
            header.delivery_mode = DeliveryMode::Broadcast;
        }
        let zdp = ZdpFrame {
            seq: self.zdp_seq,
            body,
        };
        let aps = ApsFrame {
            header,
            aux: None,
            payload: zdp.to_bytes(),
        };
        self.nwk_send(dst, &aps.to_bytes(), Seal::Active, ctx);
    }

    /// Device_annce to all rx-on devices (Zigbee PRO R22 2.4.3.1.11).
    fn announce(&mut self, ctx: &mut NodeCtx<'_>) {
        let body = ZdpBody::DeviceAnnce(DeviceAnnce {
            nwk: self.config.short_addr,
            ieee: self.ext,
            capability: self.capability(),
        });
        self.zdp_send(0xfffd, 0x0013, body, ctx);
    }

    fn on_zdp(&mut self, src: u16, aps: &ApsFrame, ctx: &mut NodeCtx<'_>) {
        let cluster = aps.header.cluster.unwrap_or(0);
        let Ok(zdp) = ZdpFrame::parse_cluster(cluster, &aps.payload) else {
            return;
        };
        match zdp.body {
            ZdpBody::DeviceAnnce(a) => self.learn(a.ieee, a.nwk, ctx),
            ZdpBody::NwkAddrReq(r) if r.ieee == self.ext => {
                let rsp = ZdpBody::NwkAddrRsp(AddrRsp {
                    status: ZdpStatus::Success,
                    ieee: Some(self.ext),
                    nwk: Some(self.config.short_addr),
                    associated: None,
                });
                self.zdp_seq = zdp.seq.wrapping_sub(1);
                self.zdp_send(src, 0x8000, rsp, ctx);
            }
            ZdpBody::NwkAddrRsp(AddrRsp {
                status: ZdpStatus::Success,
                ieee: Some(ieee),
                nwk: Some(nwk),
                ..
            }) => self.learn(ieee, nwk, ctx),
            _ => {}
        }
    }

    /// Record an address and send what waited for it.
    fn learn(&mut self, ieee: ExtAddr, nwk: u16, ctx: &mut NodeCtx<'_>) {
        self.peers.insert(ieee, nwk);
        self.lookups.remove(&ieee);
        let waiting = std::mem::take(&mut self.unresolved);
        for r in waiting {
            if r.dst == Peer::Ext(ieee) {
                self.send_zcl(r, ctx);
            } else {
                self.unresolved.push(r);
            }
        }
    }

    fn send_zcl(&mut self, r: ZclRequest, ctx: &mut NodeCtx<'_>) {
        let dst = match r.dst {
            Peer::Short(s) => s,
            Peer::Ext(e) => match self.peers.get(&e) {
                Some(&s) => s,
                None => return self.await_address(e, r, ctx),
            },
        };
        self.with_behaviour(ctx, |b, api| b.sent(r.tag, api));
        let counter = self.next_aps_counter();
        let header = data_header(
            r.dst_endpoint,
            r.cluster,
            SE_PROFILE,
            r.src_endpoint,
            counter,
            r.ack,
        );
        let key = self.aps_data_key(r.dst, dst, r.cluster, ctx);
        let payload = r.frame.to_bytes();
        let aps = self.aps_bytes(header.clone(), payload.clone(), key.as_ref());
        if r.ack {
            let clear = match key {
                None => aps.clone(),
                Some(_) => ApsFrame {
                    header,
                    aux: None,
                    payload,
                }
                .to_bytes(),
            };
            self.retrans
                .track(ctx.now.0, dst, counter, (clear, key), r.tag);
            if let Some(t) = self.retrans.next_deadline() {
                ctx.set_timer(T_APS, SimTime(t));
            }
        }
        self.nwk_send(dst, &aps, Seal::Active, ctx);
    }

    fn with_behaviour(
        &mut self,
        ctx: &mut NodeCtx<'_>,
        f: impl FnOnce(&mut dyn Behaviour, &mut Api<'_>),
    ) {
        let mut requests = Vec::new();
        let mut api = Api {
            now: ctx.now,
            epoch_unix_ns: self.epoch_unix_ns,
            requests: &mut requests,
            zcl_seq: &mut self.zcl_seq,
        };
        f(self.behaviour.as_mut(), &mut api);
        for r in requests {
            match r {
                Request::Send(z) => self.send_zcl(z, ctx),
                Request::Timer { id, at } => {
                    ctx.set_timer(BEHAVIOUR_TIMERS + (self.epoch << 16) + id, at)
                }
            }
        }
    }

    // ---- Sleepy end device ----

    fn poll(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(parent) = self.routing.parent else {
            return;
        };
        let seq = self.next_mac_seq();
        let f = data_request(
            seq,
            self.config.pan_id,
            Address::Short(parent),
            Address::Short(self.config.short_addr),
        );
        ctx.transmit(H_POLL, f.emit_with_fcs(), TxOptions::default());
    }

    fn sleep(&mut self, ctx: &mut NodeCtx<'_>) {
        if self.is_sleepy() && self.is_joined() {
            self.nap_at = None;
            ctx.sleep();
        }
    }

    fn on_transmit_done(&mut self, handle: u32, result: TxStatus, ctx: &mut NodeCtx<'_>) {
        match handle {
            H_ASSOC => {
                if let Role::Joiner { assoc, .. } = &mut self.role {
                    let steps = assoc.on_transmit_done(ctx.now.0, result);
                    self.apply_steps(steps, ctx);
                }
            }
            H_SCAN => self.scan_request_sent(ctx),
            H_REJOIN => {
                if let Some(r) = self.rejoin.as_mut() {
                    let steps = r.on_transmit_done(ctx.now.0, result);
                    self.apply_rejoin(steps, ctx);
                }
            }
            h if matches!(
                h & 0xffff_0000,
                H_ASSOC_RESPONSE | H_SECURE_REJOIN_RESPONSE | H_TC_REJOIN_RESPONSE
            ) =>
            {
                // The child has its address: the trust centre hands it the network key,
                // secured with its link key (not after a secure rejoin: it has it); a
                // router tells the trust centre instead (Zigbee PRO R22 4.6.3.2, 4.6.3.3).
                let how = match h & 0xffff_0000 {
                    H_ASSOC_RESPONSE => UpdateDeviceStatus::StandardUnsecuredJoin,
                    H_SECURE_REJOIN_RESPONSE => UpdateDeviceStatus::StandardSecuredRejoin,
                    _ => UpdateDeviceStatus::StandardUnsecuredRejoin,
                };
                let short = (h & 0xffff) as u16;
                if !matches!(result, TxStatus::Success { .. }) {
                    return;
                }
                let Some(child) = self
                    .parent
                    .as_ref()
                    .and_then(|p| p.children.get(&short).copied())
                else {
                    return;
                };
                self.routing.neighbours.insert(short);
                self.routing.routes.remove(&short);
                self.router_add_child(short, child.router, child.lqi, ctx.now.0);
                self.arm_ageing(ctx);
                let counter = self.next_aps_counter();
                match &mut self.role {
                    Role::Coordinator { .. }
                        if how == UpdateDeviceStatus::StandardSecuredRejoin =>
                    {
                        self.peers.insert(child.ext, short);
                    }
                    Role::Coordinator { tc } => {
                        if let Some(f) = tc.transport_key(child.ext, counter) {
                            self.stats.keys_sent += 1;
                            self.nwk_send(short, &f.to_bytes(), Seal::Clear, ctx);
                        }
                    }
                    Role::Joiner { .. } => {
                        let cmd = ApsCommand::UpdateDevice(UpdateDevice {
                            device: child.ext,
                            short_addr: short,
                            status: how,
                        });
                        self.aps_command_send(0x0000, cmd, Seal::Active, ctx);
                    }
                }
            }
            h if h & 0xffff_0000 == H_ROUTED => self.routed_done(h, result, ctx),
            H_DATA => {
                self.parent_link(matches!(result, TxStatus::Success { .. }), ctx);
                if self.is_sleepy() && self.is_joined() {
                    self.poll(ctx);
                    ctx.set_timer(T_FAST_POLL, ctx.now + FAST_POLL);
                }
            }
            H_POLL => match result {
                TxStatus::Success {
                    frame_pending: true,
                } => {
                    let at = ctx.now + NAP_AFTER_PENDING;
                    self.nap_at = Some(at);
                    ctx.set_timer(T_NAP, at);
                }
                TxStatus::Success { .. } => self.sleep(ctx),
                _ => {
                    self.parent_link(false, ctx);
                    self.sleep(ctx);
                }
            },
            _ => {}
        }
    }
}

/// A frame held for a sleepy child as it leaves: NWK-secured ones are sealed again with
/// the next frame counter, after those sent while it waited.
fn reseal_held(nwk: &mut NwkSecurity, own: ExtAddr, psdu: Vec<u8>) -> Vec<u8> {
    let Ok((mut mac, _, true)) = MacFrame::parse_with_fcs(&psdu) else {
        return psdu;
    };
    let MacPayload::Data(bytes) = &mac.payload else {
        return psdu;
    };
    let Some(again) = NwkFrame::from_bytes(bytes)
        .ok()
        .and_then(|f| nwk.reseal(&f, own))
    else {
        return psdu;
    };
    mac.payload = MacPayload::Data(again.to_bytes());
    mac.emit_with_fcs()
}

impl Node for DeviceHost {
    fn radio_config(&self) -> RadioConfig {
        self.config
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        if self.bands.is_some() {
            self.handle_dual(input, ctx);
        } else {
            self.handle_input(input, ctx);
        }
    }
}

impl DeviceHost {
    /// One input to the stack, its radio actions for its (only or active) radio.
    fn handle_input(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        if !self.powered {
            if input == NodeInput::Timer(T_POWER_ON) {
                self.power_up(ctx);
            }
            return;
        }
        match input {
            NodeInput::Start => {
                for o in &self.outages {
                    ctx.set_timer(T_POWER_OFF, SimTime::ZERO + o.at);
                    ctx.set_timer(T_POWER_ON, SimTime::ZERO + o.at + o.length);
                }
                for (at, _) in &self.key_updates {
                    ctx.set_timer(T_KEY_UPDATE, SimTime::ZERO + *at);
                }
                self.arm_leave_requests(ctx);
                match self.role {
                    Role::Coordinator { .. } if self.power_on == Duration(0) => {
                        self.start_formation(ctx)
                    }
                    Role::Coordinator { .. } => {
                        ctx.sleep();
                        ctx.set_timer(T_START, SimTime::ZERO + self.power_on);
                    }
                    Role::Joiner { .. } => ctx.set_timer(T_START, SimTime::ZERO + self.power_on),
                }
            }
            NodeInput::Timer(T_POWER_OFF) => self.power_off(ctx),
            NodeInput::Timer(T_KEY_UPDATE) => self.key_update(ctx),
            NodeInput::Timer(T_KEY_SWITCH) => self.key_switch(ctx),
            NodeInput::Timer(T_ROUTER) => self.router_timer_fired(ctx),
            NodeInput::Timer(T_LEAVE) => self.leave_request_due(ctx),
            NodeInput::Timer(T_AGE) => self.age_children(ctx),
            NodeInput::Timer(T_KEEPALIVE) => self.keepalive(ctx),
            NodeInput::Timer(T_FAST_POLL) => {
                if self.is_sleepy() && self.is_joined() {
                    self.poll(ctx);
                }
            }
            NodeInput::Timer(T_POWER_ON) => {}
            NodeInput::Timer(T_SCAN) => self.scan_timer_fired(ctx),
            NodeInput::Timer(T_PAN_SWITCH) => self.pan_switch_due(ctx),
            NodeInput::Timer(T_START) if matches!(self.role, Role::Coordinator { .. }) => {
                if !self.started && self.scan.is_none() {
                    ctx.wake();
                    self.start_formation(ctx);
                }
            }
            NodeInput::Timer(T_START | T_REJOIN) => self.start_join(ctx),
            NodeInput::Timer(T_REJOIN_STEP) => {
                if let Some(r) = self.rejoin.as_mut() {
                    let steps = r.on_timer(ctx.now.0);
                    self.apply_rejoin(steps, ctx);
                }
            }
            NodeInput::Timer(T_ASSOC) => {
                if let Role::Joiner { assoc, .. } = &mut self.role {
                    let steps = assoc.on_timer(ctx.now.0);
                    self.apply_steps(steps, ctx);
                }
            }
            NodeInput::Timer(T_KEY_WAIT) => {
                if let Role::Joiner {
                    state: JoinState::AwaitingKey,
                    ..
                } = self.role
                {
                    *self.stats.join_outcomes.entry("NO_KEY").or_default() += 1;
                    self.retry_later(ctx);
                }
            }
            NodeInput::Timer(T_POLL) => {
                if let Role::Joiner {
                    state: JoinState::AwaitingKey,
                    ..
                } = self.role
                {
                    self.poll(ctx);
                    ctx.set_timer(T_POLL, ctx.now + JOIN_POLL);
                }
            }
            NodeInput::Timer(T_NAP) => {
                // At or after its time (a real-time driver fires timers late); an
                // earlier timer superseded by a later nap is ignored.
                if self.nap_at.is_some_and(|t| t <= ctx.now) {
                    self.sleep(ctx);
                }
            }
            NodeInput::Timer(T_APS) => {
                for r in self.retrans.on_timer(ctx.now.0) {
                    match r {
                        Retry::Resend { dst, aps, key } => {
                            let aps = match (key, ApsFrame::from_bytes(&aps)) {
                                (Some(key), Ok(f)) => {
                                    self.aps_bytes(f.header, f.payload, Some(&key))
                                }
                                _ => aps,
                            };
                            self.nwk_send(dst, &aps, Seal::Active, ctx)
                        }
                        Retry::Failed { tag, .. } => {
                            self.with_behaviour(ctx, |b, api| b.delivered(tag, false, api))
                        }
                    }
                }
                self.stats.aps_retries = self.retrans.retries;
                self.stats.aps_failures = self.retrans.failures;
                if let Some(t) = self.retrans.next_deadline() {
                    ctx.set_timer(T_APS, SimTime(t));
                }
            }
            NodeInput::Timer(T_EXPIRY) => {
                if let Some(p) = self.parent.as_mut() {
                    for t in p.indirect.expire(ctx.now.0) {
                        ctx.set_pending(t.dst, p.indirect.has_pending(t.dst));
                    }
                    if let Some(t) = p.indirect.next_expiry() {
                        ctx.set_timer(T_EXPIRY, SimTime(t));
                    }
                }
            }
            NodeInput::Timer(id) if id >= BEHAVIOUR_TIMERS => {
                let rel = id - BEHAVIOUR_TIMERS;
                if rel >> 16 == self.epoch {
                    self.with_behaviour(ctx, |b, api| b.timer(rel & 0xffff, api));
                }
            }
            // Devices have no wired links; only gateway units use them.
            NodeInput::Energy(dbm) => self.on_energy(dbm, ctx),
            NodeInput::Timer(_) | NodeInput::Wire { .. } => {}
            NodeInput::TransmitDone { handle, .. } if handle == INJECTED => {}
            NodeInput::TransmitDone { handle, result } => {
                self.on_transmit_done(handle, result, ctx)
            }
            NodeInput::Received(r) => {
                let Ok((mac, _, true)) = MacFrame::parse_with_fcs(r.psdu) else {
                    return;
                };
                self.last_lqi = r.lqi;
                if self.parent.is_some() {
                    self.heard_child(mac.src, ctx.now.0);
                }
                match &mac.payload {
                    MacPayload::Data(bytes) => {
                        let bytes = bytes.clone();
                        self.on_data_frame(&mac, &bytes, ctx);
                        if self.is_sleepy() && self.is_joined() {
                            // More may wait at the parent: ask again.
                            self.poll(ctx);
                        }
                    }
                    MacPayload::Beacon(_) => {
                        if matches!(self.role, Role::Coordinator { .. }) {
                            self.coordinator_heard_beacon(&mac, r.channel, r.lqi, ctx);
                        } else if let Some(rj) = self.rejoin.as_mut() {
                            rj.on_beacon(&mac, r.channel, r.lqi);
                        } else if self.is_joined() {
                            self.joined_heard_beacon(&mac, r.channel, r.lqi, ctx);
                        } else if let Role::Joiner { assoc, .. } = &mut self.role {
                            let steps = assoc.on_frame(&mac, r.channel, r.lqi);
                            self.apply_steps(steps, ctx);
                        }
                    }
                    MacPayload::Command(_) => self.on_mac_command(&mac, ctx),
                    _ => {}
                }
            }
        }
    }
}
