//! The virtual air: nodes, their radios and MACs, the medium, and the event loop.
//!
//! Reception is decided by SINR over the whole frame: the interference at a receiver is
//! the sum of every overlapping transmission it hears plus the noise floor, and each
//! stretch of constant SINR contributes its share of the frame's bits to the survival
//! probability (as ns-3's lr-wpan does per chunk). A receiver locks on the first frame
//! above its sensitivity while idle and stays on it (no capture by a later, stronger
//! frame). Interference and locks use the transmitter's clock; propagation delay is
//! applied to the timestamps of received frames and to the start of ACKs.

use crate::medium::{Link, LinkChange, LinkTable};
use crate::phy::{OQPSK_2G4, Phy};
use crate::queue::EventQueue;
use crate::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, Received, TxOptions};
use crate::rng::{Purpose, Stream};
use crate::stats::{LinkStats, Stats};
use crate::time::{Duration, SimTime};
use han_radio::link::lqi;
use han_radio::units::Db;
use han_stack::capture::{LinkType, PcapWriter, RadioMeta};
use han_stack::mac::duty_cycle::{DutyCycle, DutyCycleLimits, DutyCycleState};
use han_stack::mac::engine::{DuplicateFilter, HeaderPeek, MacOutput, Transmitter, TxStatus};
use han_stack::mac::{Address, FrameType, MacFrame};
use han_stack::wire::{ExtAddr, Wire};
use han_stack::zep::{ZepPacket, unix_to_ntp};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// A fast fixed-seed hasher for the small integer keys looked up on every frame (lookups only:
/// nothing depends on the maps' iteration order).
type Fast = foldhash::fast::FixedState;

/// The transmit handle of frames put on the air by [`World::inject`].
pub const INJECTED: u32 = u32::MAX;

/// Receiver and channel parameters of the air.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AirConfig {
    /// PHY timing.
    pub phy: Phy,
    /// Receiver sensitivity: frames weaker than this are not locked on (dBm).
    pub sensitivity_dbm: f64,
    /// Noise floor in the receiver bandwidth (dBm).
    pub noise_dbm: f64,
    /// Energy-detect CCA threshold (dBm): busy at or above it.
    pub cca_threshold_dbm: f64,
    /// Unix time of simulated time zero, for capture timestamps (ns).
    pub epoch_unix_ns: u64,
    /// Per-device duty-cycle limits (sub-GHz); None: unlimited.
    pub duty_cycle: Option<DutyCycleLimits>,
    /// Channel page written in captures' TAP headers (0: 2.4 GHz O-QPSK; 28: GB868).
    pub page: u8,
}

impl Default for AirConfig {
    /// ns-3 lr-wpan's defaults: sensitivity −106.58 dBm, noise floor −106.99 dBm (thermal in
    /// 2 MHz + 4 dB), CCA threshold at the sensitivity; epoch 2026-01-01T00:00:00Z.
    fn default() -> Self {
        AirConfig {
            phy: OQPSK_2G4,
            sensitivity_dbm: -106.58,
            noise_dbm: han_radio::link::noise_floor(han_radio::units::Hz(2.0e6), Db(4.0)).0,
            cca_threshold_dbm: -106.58,
            epoch_unix_ns: 1_767_225_600_000_000_000,
            duty_cycle: None,
            page: 0,
        }
    }
}

impl AirConfig {
    /// GB868 sub-GHz: 2-FSK timing and error model, noise in 200 kHz with a 4 dB noise figure,
    /// sensitivity −105 dBm (typical 100 kbit/s 2-GFSK, unconfirmed), CCA threshold 10 dB
    /// above it, and the 1 % / 1.8 % / 2.5 % duty-cycle limits (domain.md 2.3, 2.4); captured
    /// on channel page 28 (the first GB sub-GHz page, domain.md 2.4).
    pub fn gb868() -> Self {
        AirConfig {
            phy: crate::phy::FSK_GB868,
            sensitivity_dbm: -105.0,
            noise_dbm: han_radio::link::noise_floor(han_radio::units::Hz(200.0e3), Db(4.0)).0,
            cca_threshold_dbm: -95.0,
            duty_cycle: Some(DutyCycleLimits::default()),
            page: 28,
            ..AirConfig::default()
        }
    }
}

/// One band of the air: its parameters and thresholds in mW (a world has one per band its
/// radios use; frames never cross bands: no link joins radios of different bands).
#[derive(Debug, Clone, Copy)]
struct BandAir {
    cfg: AirConfig,
    sensitivity_mw: f64,
    cca_mw: f64,
}

impl BandAir {
    fn new(cfg: AirConfig) -> Self {
        BandAir {
            cfg,
            sensitivity_mw: mw(cfg.sensitivity_dbm),
            cca_mw: mw(cfg.cca_threshold_dbm),
        }
    }
}

/// A further radio of a node, on a band of its own (a dual-band comms hub's 868 MHz
/// interface): its inputs reach the node with [`NodeCtx::iface`] set, and the node directs
/// actions to it with [`Action::Interface`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interface {
    /// The node the radio belongs to.
    pub node: u32,
    /// Index into the world's bands.
    pub band: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Start(u32),
    NodeTimer(u32, u32),
    MacTimer(u32, u32),
    CcaEnd(u32),
    TxStart(u32),
    AckStart(u32),
    TxEnd(u32),
    Interferer(u32, u32),
    Wire(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Listen,
    Turnaround,
    Transmit,
    Sleep,
}

#[derive(Debug, Clone, Copy)]
struct Lock {
    tx: u32,
    signal_mw: f64,
    since: SimTime,
    ln_ok: f64,
    /// Worth an error draw: addressed to the node, or the node sniffs.
    relevant: bool,
    /// Addressed to the node (an ACK it waits for, or a frame its filter accepts).
    addressed: bool,
}

/// What every transmission touches at each receiver in range, kept to one cache line so the
/// per-frame passes load one line per receiver.
#[repr(align(64))]
struct RadioState {
    /// The configured channel (a copy of [`RadioSettings::config`]'s).
    channel: u8,
    /// The PAN ID and short address filtered on (copies of [`RadioSettings::config`]'s).
    pan_id: u16,
    short_addr: u16,
    /// Pass up frames not addressed to the node too (see [`Action::Promiscuous`]).
    promiscuous: bool,
    mode: Mode,
    lock: Option<Lock>,
    cca_busy: Option<bool>,
    /// In [`World::watchful`]: holds a relevant lock or has a CCA running.
    listed: bool,
    /// Power of the interferers that are on, kept only while `watching` > 0.
    wifi_mw: f64,
    /// Reasons to follow interferers: a relevant reception, a CCA.
    watching: u8,
    /// Decodes every frame for a point-of-view capture.
    sniffing: bool,
    /// Index into [`World::bands`].
    band: u8,
}

const _: () = assert!(std::mem::size_of::<RadioState>() == 64);

/// What a receiver hears: the frames on the air in range on its channel, their power summed.
/// Every frame updates this at each receiver in range, so it is kept apart and small.
#[derive(Debug, Clone, Copy, Default)]
struct Ear {
    sensed_mw: f64,
    active: u32,
}

impl Ear {
    /// A signal of `mw` starts.
    #[inline]
    fn add(&mut self, mw: f64) {
        self.sensed_mw += mw;
        self.active += 1;
    }

    /// A signal of `mw` ends (after [`RadioState::settle`]).
    #[inline]
    fn remove(&mut self, mw: f64) {
        self.active = self.active.saturating_sub(1);
        self.sensed_mw = if self.active == 0 {
            0.0
        } else {
            (self.sensed_mw - mw).max(0.0)
        };
    }
}

/// The rest of a radio's state.
struct RadioSettings {
    config: RadioConfig,
    ack: Option<(u8, u32, bool)>,
    pending_for: Vec<Address>,
    mode_since: SimTime,
    /// Error draws for sniffed frames not addressed to the node.
    sniffer: Option<Box<Stream>>,
    /// (PAN, address) pairs acknowledged on another node's behalf (see [`Action::ProxyAck`]).
    proxy_for: Vec<(u16, Address)>,
}

impl InterfererState {
    /// An exponential gap with the mean that gives the duty cycle.
    fn gap(&mut self) -> Duration {
        Duration((-(1.0 - self.rng.unit()).ln() * self.mean_gap_ns) as u64)
    }

    /// Carry the on/off state forward to `now`.
    fn catch_up(&mut self, now: SimTime) {
        if !self.enabled {
            return;
        }
        if now > self.next_toggle + Duration::secs(1) {
            // Long unwatched: draw from the stationary process (on with probability duty,
            // a uniform residual of the fixed burst, or a memoryless gap).
            self.on = self.rng.unit() < self.duty;
            let rest = if self.on {
                Duration((self.burst.0 as f64 * self.rng.unit()) as u64)
            } else {
                self.gap()
            };
            self.next_toggle = now + rest + Duration(1);
            return;
        }
        while self.next_toggle <= now {
            self.on = !self.on;
            let d = if self.on { self.burst } else { self.gap() };
            self.next_toggle += d;
        }
    }

    /// Schedule the next toggle as an event if anyone watches; otherwise go quiet.
    fn schedule(&mut self, queue: &mut EventQueue<Event>, idx: u32) {
        self.generation = self.generation.wrapping_add(1);
        self.scheduled = self.enabled && !self.watchers.is_empty();
        if self.scheduled {
            queue.push(self.next_toggle, Event::Interferer(idx, self.generation));
        }
    }
}

impl RadioState {
    /// Fold the SINR since the lock's last change into its survival log-probability: each
    /// stretch of constant SINR contributes its share of the frame's bits.
    #[inline]
    fn settle(&mut self, sensed_mw: f64, noise_mw: f64, now: SimTime, phy: &Phy) {
        if let Some(lock) = self.lock.as_mut() {
            if lock.relevant && now > lock.since {
                let i = (sensed_mw - lock.signal_mw).max(0.0) + self.wifi_mw;
                let sinr = lock.signal_mw / (noise_mw + i);
                let bits = (now - lock.since).0 as f64 * 8.0 / phy.octet_ns as f64;
                lock.ln_ok += phy.ln_bit_ok(sinr) * bits;
            }
            lock.since = now;
        }
    }

    /// A signal of `mw` starts.
    #[inline]
    fn raise(
        &mut self,
        ear: &mut Ear,
        mw: f64,
        noise_mw: f64,
        now: SimTime,
        phy: &Phy,
        cca_mw: f64,
    ) {
        self.settle(ear.sensed_mw, noise_mw, now, phy);
        ear.add(mw);
        self.check_cca(ear, cca_mw);
    }

    /// A running CCA turns busy if the energy now reaches the threshold.
    #[inline]
    fn check_cca(&mut self, ear: &Ear, cca_mw: f64) {
        if let Some(c) = self.cca_busy.as_mut() {
            *c |= ear.sensed_mw + self.wifi_mw >= cca_mw;
        }
    }

    /// Whether the radio belongs in [`World::watchful`].
    fn watchful(&self) -> bool {
        self.lock.is_some_and(|k| k.relevant) || self.cca_busy.is_some()
    }
}

struct Pending {
    handle: u32,
    psdu: Vec<u8>,
    dst: Option<u32>,
}

struct MacSlot {
    engine: Transmitter,
    timer_gen: u32,
    current: Option<Pending>,
    queue: VecDeque<(u32, Vec<u8>, TxOptions)>,
    duplicates: DuplicateFilter,
    duty: DutyCycle,
    mac_rng: Stream,
    phy_rng: Stream,
    app_rng: Stream,
}

struct OnAir {
    src: u32,
    channel: u8,
    start: SimTime,
    end: SimTime,
    psdu: Vec<u8>,
    peek: Option<HeaderPeek>,
    ack_to: Option<u32>,
    /// The receivers that locked on it, in node order.
    locked: Vec<u32>,
}

/// A frame a tapped node decoded (see [`World::tap_node`]), for a live point of view.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The node that decoded it.
    pub node: u32,
    /// When its SFD reached the node (propagation delay included).
    pub at: SimTime,
    /// The PSDU with its FCS.
    pub psdu: Vec<u8>,
    /// Channel, and the RSSI and LQI the node measured.
    pub meta: RadioMeta,
}

/// One transmission as a ZEP v2 datagram (UDP payload for port 17754), with its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZepDatagram {
    /// When the frame went on the air.
    pub at: SimTime,
    /// The ZEP packet bytes.
    pub bytes: Vec<u8>,
}

/// A duty-cycled noise source such as a Wi-Fi access point: bursts of `burst` separated by
/// exponential gaps, on for `duty` of the time on average; not a frame, so nothing locks on
/// it, but it counts in every SINR and energy-detect CCA while on.
#[derive(Debug, Clone, PartialEq)]
pub struct Interferer {
    /// Power at each node it reaches while on: (node, dBm).
    pub powers: Vec<(u32, f64)>,
    /// Fraction of time on, in (0, 1).
    pub duty: f64,
    /// Length of one burst.
    pub burst: Duration,
}

/// An interferer runs lazily: its bursts are only scheduled as events while some node
/// watches it; in between, its state is carried forward when next looked at (bursts drawn
/// in order, or after a long unwatched stretch sampled from the stationary on/off process).
struct InterfererState {
    mean_gap_ns: f64,
    duty: f64,
    watchers: Vec<u32>,
    next_toggle: SimTime,
    generation: u32,
    scheduled: bool,
    burst: Duration,
    on: bool,
    /// Switched on (see [`World::set_interferer_enabled`]); off, it stays silent.
    enabled: bool,
    rng: Stream,
}

/// One transmitter's receivers tuned to one channel, in node order: a frame touches only
/// these. Kept until a receiver in range retunes or the links change.
#[derive(Default)]
struct Tuned {
    channel: u8,
    valid: bool,
    links: Vec<Link>,
    /// Those at or above the sensitivity: the ones that may lock on a frame.
    lockable: Vec<Link>,
}

impl Tuned {
    /// The power from this transmitter at `rx`, if `rx` is among its receivers.
    #[inline]
    fn power_at(&self, rx: u32) -> Option<f64> {
        let k = self.links.binary_search_by_key(&rx, |l| l.rx).ok()?;
        Some(f64::from(self.links[k].mw))
    }
}

/// The virtual air with its nodes.
pub struct World<N: Node> {
    cfg: AirConfig,
    /// The bands radios are on (one for a one-band world; `cfg` is the first's).
    bands: Vec<BandAir>,
    /// Per radio, the node it belongs to (itself for a node's first radio).
    owner: Vec<u32>,
    /// Per radio, its interface number at its node (0: the node's first radio).
    iface: Vec<u8>,
    /// The further radios: (node, interface number, radio).
    interfaces: Vec<(u32, u8, u32)>,
    noise_mw: Vec<f64>,
    links: LinkTable,
    /// Per transmitter, its receivers on its channel.
    tuned: Vec<Tuned>,
    /// Per receiver, the transmitters that reach it (whose [`Tuned`] lists it may be in).
    heard_by: Vec<Vec<u32>>,
    nodes: Vec<N>,
    radios: Vec<RadioState>,
    /// What each radio hears (see [`Ear`]), by node.
    ears: Vec<Ear>,
    /// Radios whose reception or CCA follows every change of what they hear: those with a
    /// relevant lock or a CCA running. A frame settles and checks only these one by one;
    /// the others only sum its power.
    watchful: Vec<u32>,
    /// Emptied [`OnAir::locked`] lists for reuse.
    spare_locked: Vec<Vec<u32>>,
    settings: Vec<RadioSettings>,
    macs: Vec<MacSlot>,
    by_short: HashMap<u16, u32, Fast>,
    on_air: Vec<Option<OnAir>>,
    free: Vec<u32>,
    queue: EventQueue<Event>,
    now: SimTime,
    stats: Stats,
    /// Per-link counters, kept hashed while running ([`Stats::links`] is ordered).
    link_stats: HashMap<(u32, u32), LinkStats, Fast>,
    capture: Option<PcapWriter<Vec<u8>>>,
    node_captures: BTreeMap<u32, PcapWriter<Vec<u8>>>,
    zep: Option<Vec<ZepDatagram>>,
    actions: Vec<Action>,
    seed: u64,
    interferers: Vec<InterfererState>,
    node_ifs: Vec<Vec<(u32, f64)>>,
    deliveries: Vec<(u32, f64, bool)>,
    /// Wire messages in flight: (from, to, payload), by slot.
    wires: Vec<Option<(u32, u32, Vec<u8>)>>,
    wire_free: Vec<u32>,
    tapped: Vec<bool>,
    heard: Vec<Heard>,
    external: Vec<bool>,
    /// Outcomes of external radios' transmissions, for their driver.
    external_done: Vec<(u32, TxStatus)>,
}

/// Per receiver, the transmitters that reach it.
fn heard_by(links: &LinkTable) -> Vec<Vec<u32>> {
    let mut by = vec![Vec::new(); links.len()];
    for tx in 0..links.len() as u32 {
        for l in links.receivers(tx) {
            if let Some(v) = by.get_mut(l.rx as usize) {
                v.push(tx);
            }
        }
    }
    by
}

fn mw(dbm: f64) -> f64 {
    10f64.powf(dbm / 10.0)
}

fn dbm(mw: f64) -> f64 {
    10.0 * mw.log10()
}

impl<N: Node> World<N> {
    /// A world of `nodes` over `links` (one entry per node, same order), seeded by `seed`.
    pub fn new(cfg: AirConfig, links: LinkTable, nodes: Vec<N>, seed: u64) -> Self {
        let n = nodes.len();
        Self::with_bands(&[cfg], &vec![0; n], &[], links, nodes, seed)
    }

    /// A world on several bands: node `i`'s radio on `bands[band_of[i]]`, then the further
    /// radios of `interfaces` (radios `nodes.len()..`, in order); `links` has one entry per
    /// radio and must join only radios of the same band. The first band is
    /// [`World::config`].
    pub fn with_bands(
        bands: &[AirConfig],
        band_of: &[u8],
        interfaces: &[Interface],
        links: LinkTable,
        nodes: Vec<N>,
        seed: u64,
    ) -> Self {
        let bands: Vec<BandAir> = bands.iter().copied().map(BandAir::new).collect();
        let cfg = bands[0].cfg;
        let radios_len = nodes.len() + interfaces.len();
        let radio_band: Vec<u8> = (0..nodes.len())
            .map(|i| band_of.get(i).copied().unwrap_or(0))
            .chain(interfaces.iter().map(|f| f.band))
            .map(|b| if (b as usize) < bands.len() { b } else { 0 })
            .collect();
        let mut owner: Vec<u32> = (0..nodes.len() as u32).collect();
        let mut iface = vec![0u8; nodes.len()];
        let mut extra = Vec::new();
        for (k, f) in interfaces.iter().enumerate() {
            let number = 1 + extra.iter().filter(|&&(o, _, _)| o == f.node).count() as u8;
            owner.push(f.node);
            iface.push(number);
            extra.push((f.node, number, (nodes.len() + k) as u32));
        }
        let settings: Vec<RadioSettings> = owner
            .iter()
            .map(|&o| RadioSettings {
                config: nodes[o as usize].radio_config(),
                ack: None,
                pending_for: Vec::new(),
                mode_since: SimTime::ZERO,
                sniffer: None,
                proxy_for: Vec::new(),
            })
            .collect();
        let radios: Vec<RadioState> = settings
            .iter()
            .zip(&radio_band)
            .map(|(s, &band)| RadioState {
                channel: s.config.channel,
                pan_id: s.config.pan_id,
                short_addr: s.config.short_addr,
                promiscuous: false,
                mode: Mode::Listen,
                lock: None,
                cca_busy: None,
                listed: false,
                wifi_mw: 0.0,
                watching: 0,
                sniffing: false,
                band,
            })
            .collect();
        let macs = (0..radios_len as u32)
            .map(|i| MacSlot {
                engine: {
                    let phy = bands[radio_band[i as usize] as usize].cfg.phy;
                    Transmitter::new(phy.symbol_ns, phy.ack_wait_symbols())
                },
                timer_gen: 0,
                current: None,
                queue: VecDeque::new(),
                duplicates: DuplicateFilter::default(),
                duty: DutyCycle::default(),
                mac_rng: Stream::new(seed, i, Purpose::Mac),
                phy_rng: Stream::new(seed, i, Purpose::Phy),
                app_rng: Stream::new(seed, i, Purpose::App),
            })
            .collect();
        let by_short = settings
            .iter()
            .take(nodes.len())
            .enumerate()
            .filter(|(_, r)| r.config.short_addr < 0xfffe)
            .map(|(i, r)| (r.config.short_addr, i as u32))
            .collect();
        let mut queue = EventQueue::default();
        for i in 0..nodes.len() as u32 {
            queue.push(SimTime::ZERO, Event::Start(i));
        }
        let stats = Stats {
            nodes: vec![Default::default(); radios_len],
            ..Default::default()
        };
        World {
            noise_mw: radio_band
                .iter()
                .map(|&b| mw(bands[b as usize].cfg.noise_dbm))
                .collect(),
            cfg,
            bands,
            owner,
            iface,
            interfaces: extra,
            tuned: (0..radios_len).map(|_| Tuned::default()).collect(),
            heard_by: heard_by(&links),
            links,
            nodes,
            radios,
            ears: vec![Ear::default(); radios_len],
            watchful: Vec::new(),
            spare_locked: Vec::new(),
            settings,
            macs,
            by_short,
            on_air: Vec::new(),
            free: Vec::new(),
            queue,
            now: SimTime::ZERO,
            stats,
            link_stats: HashMap::default(),
            capture: None,
            node_captures: BTreeMap::new(),
            zep: None,
            actions: Vec::new(),
            seed,
            interferers: Vec::new(),
            node_ifs: vec![Vec::new(); radios_len],
            deliveries: Vec::new(),
            wires: Vec::new(),
            wire_free: Vec::new(),
            tapped: vec![false; radios_len],
            heard: Vec::new(),
            external: vec![false; radios_len],
            external_done: Vec::new(),
        }
    }

    /// Record every transmission on the air into a pcap (LINKTYPE_IEEE802_15_4_TAP) with
    /// the channel, and the RSS and LQI at the addressed receiver (at the sender for none).
    pub fn capture_air(&mut self) {
        self.capture = PcapWriter::new(Vec::new(), LinkType::Tap).ok();
    }

    /// Record what `node` decodes — every frame it receives intact, addressed to it or not —
    /// with its own RSSI and LQI, timestamped at its SFD (propagation delay included).
    pub fn capture_node(&mut self, node: u32) {
        if let Ok(w) = PcapWriter::new(Vec::new(), LinkType::Tap)
            && self.sniff(node)
        {
            self.node_captures.insert(node, w);
        }
    }

    /// Let `node` decode every frame it hears intact (point of view); false if no such node.
    fn sniff(&mut self, node: u32) -> bool {
        let Some(r) = self.radios.get_mut(node as usize) else {
            return false;
        };
        if !r.sniffing {
            r.sniffing = true;
            self.settings[node as usize].sniffer =
                Some(Box::new(Stream::new(self.seed, node, Purpose::Sniff)));
        }
        true
    }

    /// Keep what `node` decodes, as [`World::capture_node`] does, for [`World::take_heard`]:
    /// a live point of view (a real-time driver forwards it to the node's interface).
    pub fn tap_node(&mut self, node: u32) {
        if self.sniff(node) {
            self.tapped[node as usize] = true;
        }
    }

    /// The frames tapped nodes decoded since the last call, in delivery order.
    pub fn take_heard(&mut self) -> Vec<Heard> {
        std::mem::take(&mut self.heard)
    }

    /// Hand `node`'s radio to an outside driver: its [`Node`] is no longer called (its
    /// behaviour stands down), while its radio keeps filtering, acknowledging and sending
    /// what [`World::inject`] gives it.
    pub fn set_external(&mut self, node: u32, external: bool) {
        if let Some(e) = self.external.get_mut(node as usize) {
            *e = external;
        }
    }

    /// Whether `node`'s radio is driven from outside.
    pub fn is_external(&self, node: u32) -> bool {
        self.external.get(node as usize).copied().unwrap_or(false)
    }

    /// Outcomes of the transmissions external radios made with [`World::inject`] since the
    /// last call, in order: (node, status) — what their own stack would have been told.
    pub fn take_external_done(&mut self) -> Vec<(u32, TxStatus)> {
        std::mem::take(&mut self.external_done)
    }

    /// Set or clear the frame-pending bit `node`'s radio puts in ACKs to frames from
    /// `addr`, as its own [`Action::SetPending`] would (an external driver's source-match
    /// table).
    pub fn set_pending(&mut self, node: u32, addr: Address, pending: bool) {
        if (node as usize) < self.nodes.len() {
            self.action(node, Action::SetPending { addr, pending });
        }
    }

    /// The addresses `node`'s radio sets the frame-pending bit for in its ACKs (its
    /// source-address match table), in the order they were added.
    pub fn pending_for(&self, node: u32) -> &[Address] {
        self.settings
            .get(node as usize)
            .map_or(&[], |s| s.pending_for.as_slice())
    }

    /// `node`'s radio configuration now.
    pub fn radio_config(&self, node: u32) -> Option<RadioConfig> {
        self.settings.get(node as usize).map(|s| s.config)
    }

    /// Reconfigure `node`'s radio from outside (an external device's address after it
    /// associates), as its own [`Action::Configure`] would.
    pub fn set_radio_config(&mut self, node: u32, config: RadioConfig) {
        if (node as usize) < self.nodes.len() {
            self.configure(node, config);
        }
    }

    /// When the next event is due (None: nothing scheduled), for a driver that sleeps
    /// until then.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    /// The point-of-view capture of `node` so far.
    pub fn take_node_capture(&mut self, node: u32) -> Option<Vec<u8>> {
        if let Some(r) = self.radios.get_mut(node as usize)
            && !self.tapped[node as usize]
        {
            r.sniffing = false;
            self.settings[node as usize].sniffer = None;
        }
        self.node_captures
            .remove(&node)
            .and_then(|w| w.into_inner().ok())
    }

    /// Also record every transmission as a ZEP v2 datagram (device id = sending node).
    pub fn tap_zep(&mut self) {
        self.zep = Some(Vec::new());
    }

    /// The ZEP datagrams so far, emptied (None unless [`World::tap_zep`] was called).
    pub fn take_zep(&mut self) -> Option<Vec<ZepDatagram>> {
        self.zep.as_mut().map(std::mem::take)
    }

    /// The capture so far (None unless [`World::capture_air`] was called).
    pub fn take_capture(&mut self) -> Option<Vec<u8>> {
        self.capture.take().and_then(|w| w.into_inner().ok())
    }

    /// Add a duty-cycled noise source; its first burst comes after a random gap. Returns
    /// its index.
    pub fn add_interferer(&mut self, i: Interferer) -> u32 {
        let idx = self.interferers.len() as u32;
        let duty = i.duty.clamp(1e-6, 1.0 - 1e-6);
        let mut s = InterfererState {
            watchers: Vec::new(),
            duty,
            next_toggle: SimTime::ZERO,
            generation: 0,
            scheduled: false,
            mean_gap_ns: i.burst.0 as f64 * (1.0 - duty) / duty,
            burst: i.burst,
            on: false,
            enabled: true,
            rng: Stream::new(self.seed, idx, Purpose::Interferer),
        };
        for &(n, p) in &i.powers {
            if let Some(v) = self.node_ifs.get_mut(n as usize) {
                v.push((idx, mw(p)));
            }
        }
        s.next_toggle = self.now + s.gap();
        self.interferers.push(s);
        // Nodes already following their interferers follow this one too.
        for &(n, _) in &i.powers {
            self.rewatch(n);
        }
        idx
    }

    /// Switch interferer `idx` on or off from now (an access point or a microwave oven
    /// turned on or off); switched on, its first burst comes after a random gap.
    pub fn set_interferer_enabled(&mut self, idx: u32, enabled: bool) {
        let Some(s) = self.interferers.get_mut(idx as usize) else {
            return;
        };
        if s.enabled == enabled {
            return;
        }
        if s.on {
            for &n in &s.watchers {
                if let Some(&(_, p)) = self.node_ifs[n as usize].iter().find(|(i, _)| *i == idx) {
                    let r = &mut self.radios[n as usize];
                    let phy = self.bands[r.band as usize].cfg.phy;
                    let sensed = self.ears[n as usize].sensed_mw;
                    r.settle(sensed, self.noise_mw[n as usize], self.now, &phy);
                    r.wifi_mw = (r.wifi_mw - p).max(0.0);
                }
            }
        }
        s.enabled = enabled;
        s.on = false;
        if enabled {
            s.next_toggle = self.now + s.gap();
        }
        s.schedule(&mut self.queue, idx);
    }

    /// Whether interferer `idx` is switched on (None: no such interferer).
    pub fn interferer_enabled(&self, idx: u32) -> Option<bool> {
        self.interferers.get(idx as usize).map(|s| s.enabled)
    }

    /// Set the power of interferer `idx` at `node` while it is on (dBm; None: out of reach),
    /// e.g. after the node moved.
    pub fn set_interferer_power(&mut self, idx: u32, node: u32, dbm: Option<f64>) {
        if idx as usize >= self.interferers.len() || node as usize >= self.radios.len() {
            return;
        }
        let watching = self.radios[node as usize].watching;
        let band = self.bands[self.radios[node as usize].band as usize];
        if watching > 0 {
            let phy = band.cfg.phy;
            let sensed = self.ears[node as usize].sensed_mw;
            self.radios[node as usize].settle(sensed, self.noise_mw[node as usize], self.now, &phy);
            self.radios[node as usize].watching = 1;
            self.unwatch(node);
        }
        let ifs = &mut self.node_ifs[node as usize];
        ifs.retain(|(i, _)| *i != idx);
        if let Some(p) = dbm {
            let k = ifs.partition_point(|(i, _)| *i < idx);
            ifs.insert(k, (idx, mw(p)));
        }
        if watching > 0 {
            self.watch(node);
            let r = &mut self.radios[node as usize];
            r.watching = watching;
            r.check_cca(&self.ears[node as usize], band.cca_mw);
        }
    }

    /// Follow a node's interferers afresh when it already follows them (its list changed).
    fn rewatch(&mut self, n: u32) {
        let Some(w) = self.radios.get(n as usize).map(|r| r.watching) else {
            return;
        };
        if w > 0 {
            let phy = self.bands[self.radios[n as usize].band as usize].cfg.phy;
            let sensed = self.ears[n as usize].sensed_mw;
            self.radios[n as usize].settle(sensed, self.noise_mw[n as usize], self.now, &phy);
            self.radios[n as usize].watching = 1;
            self.unwatch(n);
            self.watch(n);
            self.radios[n as usize].watching = w;
        }
    }

    /// Set the received power of the pairs in `changes` from now (see
    /// [`LinkTable::update`]): something moved, a wall or a door changed. Frames on the air
    /// are heard at their new power for the rest of their time; a receiver locked on one it
    /// no longer hears loses it. Returns how many link-table entries changed.
    pub fn update_links(&mut self, changes: &[LinkChange]) -> usize {
        let unique: BTreeMap<(u32, u32), Option<f64>> =
            changes.iter().map(|&(t, r, p)| ((t, r), p)).collect();
        let before: Vec<Option<f64>> = unique
            .keys()
            .map(|&(t, r)| self.links.power_mw(t, r))
            .collect();
        let list: Vec<LinkChange> = unique.iter().map(|(&(t, r), &p)| (t, r, p)).collect();
        let changed = self.links.update(&list);
        if changed > 0 {
            self.heard_by = heard_by(&self.links);
            for t in &mut self.tuned {
                t.valid = false;
            }
        }
        for id in 0..self.on_air.len() {
            let Some((src, channel)) = self.on_air[id].as_ref().map(|a| (a.src, a.channel)) else {
                continue;
            };
            for (&(t, rx), old) in unique.keys().zip(&before) {
                let new = self.links.power_mw(t, rx);
                if t != src || new == *old || self.radios[rx as usize].channel != channel {
                    continue;
                }
                let noise = self.noise_mw[rx as usize];
                let (r, ear) = (&mut self.radios[rx as usize], &mut self.ears[rx as usize]);
                let band = &self.bands[r.band as usize];
                let phy = band.cfg.phy;
                r.settle(ear.sensed_mw, noise, self.now, &phy);
                if let Some(o) = *old {
                    ear.remove(o);
                }
                if let Some(p) = new {
                    r.raise(ear, p, noise, self.now, &phy, band.cca_mw);
                }
                let locked = r.lock.is_some_and(|k| k.tx == id as u32);
                match (locked, new) {
                    (true, Some(p)) => {
                        if let Some(k) = r.lock.as_mut() {
                            k.signal_mw = p;
                        }
                    }
                    (true, None) => self.clear_lock(rx),
                    _ => {}
                }
            }
        }
        changed
    }

    /// Move `node` to `pos` (metres) with its new links (see [`World::update_links`]).
    pub fn move_node(&mut self, node: u32, pos: [f64; 3], changes: &[LinkChange]) -> usize {
        self.links.set_position(node, pos);
        self.update_links(changes)
    }

    fn toggle_interferer(&mut self, idx: u32, generation: u32) {
        let Some(s) = self.interferers.get_mut(idx as usize) else {
            return;
        };
        if !s.scheduled || s.generation != generation {
            return;
        }
        let was = s.on;
        s.catch_up(self.now);
        if s.on == was {
            s.schedule(&mut self.queue, idx);
            return;
        }
        // Only nodes receiving a frame for them or doing a CCA follow the interferer.
        for &n in &s.watchers {
            let Some(&(_, p)) = self.node_ifs[n as usize].iter().find(|(i, _)| *i == idx) else {
                continue;
            };
            let r = &mut self.radios[n as usize];
            let ear = &self.ears[n as usize];
            let band = &self.bands[r.band as usize];
            r.settle(
                ear.sensed_mw,
                self.noise_mw[n as usize],
                self.now,
                &band.cfg.phy,
            );
            if s.on {
                r.wifi_mw += p;
                r.check_cca(ear, band.cca_mw);
            } else {
                r.wifi_mw = (r.wifi_mw - p).max(0.0);
            }
        }
        s.schedule(&mut self.queue, idx);
    }

    /// Start following the interferers that reach `n`.
    fn watch(&mut self, n: u32) {
        watch(
            &mut self.radios[n as usize],
            n,
            &self.node_ifs[n as usize],
            &mut self.interferers,
            &mut self.queue,
            self.now,
        );
    }

    /// Stop following them (when the last reason ends).
    fn unwatch(&mut self, n: u32) {
        unwatch(
            &mut self.radios[n as usize],
            n,
            &self.node_ifs[n as usize],
            &mut self.interferers,
        );
    }

    /// Drop `n`'s reception, if any.
    fn clear_lock(&mut self, n: u32) {
        if let Some(lock) = self.radios[n as usize].lock.take() {
            self.relist(n);
            if lock.addressed {
                self.unwatch(n);
            }
        }
    }

    /// Put `n` in or take it out of [`World::watchful`] after its lock or CCA changed.
    fn relist(&mut self, n: u32) {
        let r = &mut self.radios[n as usize];
        let want = r.watchful();
        if want == r.listed {
            return;
        }
        r.listed = want;
        if want {
            self.watchful.push(n);
        } else if let Some(k) = self.watchful.iter().position(|&x| x == n) {
            self.watchful.swap_remove(k);
        }
    }

    /// Add a steady interferer's mean power (e.g. duty-weighted Wi-Fi) to `node`'s noise.
    pub fn add_noise(&mut self, node: u32, dbm: f64) {
        if let Some(n) = self.noise_mw.get_mut(node as usize) {
            *n += mw(dbm);
        }
    }

    /// Noise plus steady interference at `node`, in dBm.
    pub fn noise_dbm(&self, node: u32) -> f64 {
        dbm(self.noise_mw[node as usize])
    }

    /// The air's parameters.
    pub fn config(&self) -> &AirConfig {
        &self.cfg
    }

    /// Bytes the air keeps per node besides the node itself and the link table (radio, MAC
    /// with its three random streams, statistics, noise), not counting queued frames.
    pub fn bytes_per_node() -> usize {
        std::mem::size_of::<RadioState>()
            + std::mem::size_of::<MacSlot>()
            + std::mem::size_of::<crate::stats::NodeStats>()
            + std::mem::size_of::<f64>()
            + std::mem::size_of::<N>()
    }

    /// Current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The nodes.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The link table.
    pub fn links(&self) -> &LinkTable {
        &self.links
    }

    /// Events pending.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Statistics so far (node radio times closed at `now`).
    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.links = self.link_stats.iter().map(|(&k, &v)| (k, v)).collect();
        s.duration_ns = self.now.0;
        for ((n, r), c) in s.nodes.iter_mut().zip(&self.radios).zip(&self.settings) {
            if r.mode == Mode::Sleep {
                n.sleep_ns += (self.now - c.mode_since).0;
            }
        }
        s
    }

    /// Put `psdu` on the air from `node` now, through its MAC (CSMA-CA, retries), as if its
    /// stack had sent it: for replaying recorded frames into a run. The node is told of the
    /// outcome with handle [`INJECTED`].
    pub fn inject(&mut self, node: u32, psdu: Vec<u8>) {
        self.inject_with(node, psdu, TxOptions::default());
    }

    /// [`World::inject`] with the sender's own CSMA-CA and retry parameters.
    pub fn inject_with(&mut self, node: u32, psdu: Vec<u8>, options: TxOptions) {
        if (node as usize) < self.nodes.len() {
            let a = Action::Transmit {
                handle: INJECTED,
                psdu,
                options,
            };
            self.action(node, a);
        }
    }

    /// Run every event before `until`, then stand at `until`.
    pub fn run_until(&mut self, until: SimTime) {
        while let Some(t) = self.queue.peek_time() {
            if t >= until {
                break;
            }
            let Some((t, ev)) = self.queue.pop() else {
                break;
            };
            self.now = t;
            self.dispatch(ev);
        }
        self.now = self.now.max(until);
    }

    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Start(n) => self.node_input(n, NodeInput::Start),
            Event::NodeTimer(n, id) => self.node_input(n, NodeInput::Timer(id)),
            Event::MacTimer(n, generation) => {
                let m = &mut self.macs[n as usize];
                if m.timer_gen == generation {
                    let out = m.engine.timer_fired(self.now.0, &mut m.mac_rng);
                    self.mac_output(n, out);
                }
            }
            Event::CcaEnd(n) => self.cca_end(n),
            Event::TxStart(n) => {
                let Some(psdu) = self.macs[n as usize]
                    .current
                    .as_ref()
                    .map(|p| p.psdu.clone())
                else {
                    return;
                };
                self.start_tx(n, psdu, None);
            }
            Event::AckStart(n) => {
                if let Some((seq, to, pending)) = self.settings[n as usize].ack.take() {
                    self.start_tx(n, MacFrame::ack(seq, pending).emit_with_fcs(), Some(to));
                }
            }
            Event::TxEnd(id) => self.end_tx(id),
            Event::Interferer(i, g) => self.toggle_interferer(i, g),
            Event::Wire(slot) => {
                if let Some((from, to, payload)) =
                    self.wires.get_mut(slot as usize).and_then(Option::take)
                {
                    self.wire_free.push(slot);
                    self.node_input(
                        to,
                        NodeInput::Wire {
                            from,
                            payload: &payload,
                        },
                    );
                }
            }
        }
    }

    /// The PHY of radio `n`'s band.
    #[inline]
    fn phy(&self, n: u32) -> &Phy {
        &self.bands[self.radios[n as usize].band as usize].cfg.phy
    }

    /// Radio `r`'s input to its node; the node's actions go to its first radio until an
    /// [`Action::Interface`] names another.
    fn node_input(&mut self, r: u32, input: NodeInput<'_>) {
        let n = self.owner[r as usize];
        if self.external[n as usize] {
            if let NodeInput::TransmitDone { handle, result } = input
                && handle == INJECTED
            {
                self.external_done.push((r, result));
            }
            return;
        }
        let mut actions = std::mem::take(&mut self.actions);
        let mut ctx = NodeCtx {
            now: self.now,
            rng: &mut self.macs[n as usize].app_rng,
            actions: &mut actions,
            iface: self.iface[r as usize],
        };
        self.nodes[n as usize].handle(input, &mut ctx);
        let mut target = Some(n);
        for a in actions.drain(..) {
            match a {
                Action::Interface(k) => target = self.radio_of(n, k),
                a => {
                    if let Some(t) = target {
                        self.action(t, a);
                    }
                }
            }
        }
        self.actions = actions;
    }

    /// Radio number `k` of node `n` (0: its first), if it has one.
    fn radio_of(&self, n: u32, k: u8) -> Option<u32> {
        if k == 0 {
            return Some(n);
        }
        self.interfaces
            .iter()
            .find(|&&(o, i, _)| o == n && i == k)
            .map(|&(_, _, r)| r)
    }

    /// The radios of node `node` in interface order (its first radio, then its further
    /// ones), with each one's band index.
    pub fn radios_of(&self, node: u32) -> Vec<(u32, u8)> {
        let mut v = vec![node];
        v.extend(
            self.interfaces
                .iter()
                .filter(|&&(o, _, _)| o == node)
                .map(|&(_, _, r)| r),
        );
        v.into_iter()
            .filter_map(|r| Some((r, self.radios.get(r as usize)?.band)))
            .collect()
    }

    /// The parameters of band `band` (an index of [`World::with_bands`]'s list).
    pub fn band_config(&self, band: u8) -> Option<&AirConfig> {
        self.bands.get(band as usize).map(|b| &b.cfg)
    }

    fn action(&mut self, n: u32, a: Action) {
        match a {
            Action::Transmit {
                handle,
                psdu,
                options,
            } => {
                self.macs[n as usize]
                    .queue
                    .push_back((handle, psdu, options));
                self.next_request(n);
            }
            Action::SetTimer { id, at } => self.queue.push(
                at.max(self.now),
                Event::NodeTimer(self.owner[n as usize], id),
            ),
            Action::Configure(c) => self.configure(n, c),
            Action::EnergyDetect => {
                let wifi: f64 = self.node_ifs[n as usize]
                    .iter()
                    .filter(|(i, _)| self.interferers[*i as usize].on)
                    .map(|(_, p)| p)
                    .sum();
                let e = dbm(self.ears[n as usize].sensed_mw + wifi + self.noise_mw[n as usize]);
                self.node_input(n, NodeInput::Energy(e));
            }
            Action::SetPending { addr, pending } => {
                let t = &mut self.settings[n as usize].pending_for;
                t.retain(|&a| a != addr);
                if pending {
                    t.push(addr);
                }
            }
            Action::Wire { to, at, payload } => {
                let n = self.owner[n as usize];
                if (to as usize) < self.nodes.len() {
                    let slot = match self.wire_free.pop() {
                        Some(s) => {
                            self.wires[s as usize] = Some((n, to, payload));
                            s
                        }
                        None => {
                            self.wires.push(Some((n, to, payload)));
                            (self.wires.len() - 1) as u32
                        }
                    };
                    self.queue.push(at.max(self.now), Event::Wire(slot));
                }
            }
            Action::Promiscuous(on) => self.radios[n as usize].promiscuous = on,
            Action::ProxyAck(list) => self.settings[n as usize].proxy_for = list,
            Action::Sleep => self.set_mode(n, Mode::Sleep),
            Action::Wake => {
                if self.radios[n as usize].mode == Mode::Sleep {
                    self.set_mode(n, Mode::Listen);
                }
            }
            // Only a node's handler directs its actions (see [`World::node_input`]).
            Action::Interface(_) => {}
        }
    }

    fn configure(&mut self, n: u32, c: RadioConfig) {
        let before = self.settings[n as usize].config.short_addr;
        // A node's further radios are not looked up by address (statistics and capture
        // RSS name its first).
        if before != c.short_addr && self.iface[n as usize] == 0 {
            // A short address adopted at run time (association) names the node from now on.
            if self.by_short.get(&before) == Some(&n) {
                self.by_short.remove(&before);
            }
            if c.short_addr < 0xfffe {
                self.by_short.insert(c.short_addr, n);
            }
        }
        let old = self.settings[n as usize].config.channel;
        self.settings[n as usize].config = c;
        let r = &mut self.radios[n as usize];
        (r.channel, r.pan_id, r.short_addr) = (c.channel, c.pan_id, c.short_addr);
        if c.channel == old {
            return;
        }
        for &tx in &self.heard_by[n as usize] {
            self.tuned[tx as usize].valid = false;
        }
        // Retune: drop any reception and sum what is on the air on the new channel.
        let (mut sensed, mut active) = (0.0, 0);
        for a in self.on_air.iter().flatten() {
            if a.channel == c.channel
                && let Some(p) = self.links.power_mw(a.src, n)
            {
                sensed += p;
                active += 1;
            }
        }
        self.clear_lock(n);
        self.ears[n as usize] = Ear {
            sensed_mw: sensed,
            active,
        };
    }

    fn set_mode(&mut self, n: u32, mode: Mode) {
        let (r, c) = (&mut self.radios[n as usize], &mut self.settings[n as usize]);
        if r.mode == Mode::Sleep && mode != Mode::Sleep {
            self.stats.nodes[n as usize].sleep_ns += (self.now - c.mode_since).0;
        }
        if r.mode != mode {
            c.mode_since = self.now;
        }
        r.mode = mode;
        if mode != Mode::Listen {
            self.clear_lock(n);
        }
    }

    fn next_request(&mut self, n: u32) {
        let m = &mut self.macs[n as usize];
        if m.engine.busy() || m.current.is_some() {
            return;
        }
        let Some((handle, psdu, options)) = m.queue.pop_front() else {
            return;
        };
        if self.radios[n as usize].mode == Mode::Sleep {
            self.set_mode(n, Mode::Listen);
        }
        let m = &mut self.macs[n as usize];
        let peek = HeaderPeek::read(&psdu);
        let dst = match peek.map(|p| p.dst) {
            Some(Address::Short(s)) if s != 0xffff => self.by_short.get(&s).copied(),
            _ => None,
        };
        let seq = peek.and_then(|p| p.seq).unwrap_or(0);
        let ack = peek.is_some_and(|p| p.ack_request);
        if let Some(d) = dst {
            self.link_stats.entry((n, d)).or_default().requests += 1;
        }
        m.current = Some(Pending { handle, psdu, dst });
        if let Some(limits) = self.bands[self.radios[n as usize].band as usize]
            .cfg
            .duty_cycle
            && m.duty.state(self.now.0, &limits) == DutyCycleState::Suspended
        {
            let out = MacOutput::Confirm {
                status: TxStatus::DutyCycleSuspended,
                attempts: 0,
                busy_ccas: 0,
            };
            self.mac_output(n, out);
            return;
        }
        let out = m
            .engine
            .request(self.now.0, seq, ack, options.csma, &mut m.mac_rng);
        self.mac_output(n, out);
    }

    fn mac_output(&mut self, n: u32, out: MacOutput) {
        match out {
            MacOutput::SetTimer(t) => {
                let m = &mut self.macs[n as usize];
                m.timer_gen = m.timer_gen.wrapping_add(1);
                self.queue.push(SimTime(t), Event::MacTimer(n, m.timer_gen));
            }
            MacOutput::Cca => {
                self.watch(n);
                let busy = self.channel_busy(n);
                self.radios[n as usize].cca_busy = Some(busy);
                self.relist(n);
                self.queue
                    .push(self.now + self.phy(n).cca(), Event::CcaEnd(n));
            }
            MacOutput::Transmit => {
                self.set_mode(n, Mode::Turnaround);
                self.queue
                    .push(self.now + self.phy(n).turnaround(), Event::TxStart(n));
            }
            MacOutput::Confirm {
                status,
                attempts,
                busy_ccas,
            } => {
                let m = &mut self.macs[n as usize];
                m.timer_gen = m.timer_gen.wrapping_add(1);
                let Some(p) = m.current.take() else { return };
                self.stats.busy_ccas += u64::from(busy_ccas);
                let c = &mut self.stats.confirms;
                match status {
                    TxStatus::Success { .. } => c.success += 1,
                    TxStatus::NoAck => c.no_ack += 1,
                    TxStatus::ChannelAccessFailure => c.channel_access_failure += 1,
                    TxStatus::DutyCycleSuspended => c.duty_cycle_suspended += 1,
                }
                if let Some(d) = p.dst {
                    let l = self.link_stats.entry((n, d)).or_default();
                    match status {
                        TxStatus::Success { .. } => l.delivered += 1,
                        TxStatus::NoAck => l.no_ack += 1,
                        TxStatus::ChannelAccessFailure => l.cca_failed += 1,
                        TxStatus::DutyCycleSuspended => l.duty_cycle_suspended += 1,
                    }
                    l.retries += u64::from(attempts.saturating_sub(1));
                }
                self.node_input(
                    n,
                    NodeInput::TransmitDone {
                        handle: p.handle,
                        result: status,
                    },
                );
                self.next_request(n);
            }
            MacOutput::Idle => {}
        }
    }

    fn channel_busy(&self, n: u32) -> bool {
        let r = &self.radios[n as usize];
        r.mode != Mode::Listen
            || r.lock.is_some()
            || self.ears[n as usize].sensed_mw + r.wifi_mw >= self.bands[r.band as usize].cca_mw
    }

    fn cca_end(&mut self, n: u32) {
        let cca = self.radios[n as usize].cca_busy.take();
        self.relist(n);
        let busy = cca.unwrap_or(true) || self.channel_busy(n);
        self.unwatch(n);
        let m = &mut self.macs[n as usize];
        let out = m.engine.cca_done(self.now.0, !busy, &mut m.mac_rng);
        self.mac_output(n, out);
    }

    fn start_tx(&mut self, n: u32, psdu: Vec<u8>, ack_to: Option<u32>) {
        self.set_mode(n, Mode::Transmit);
        let band = self.bands[self.radios[n as usize].band as usize];
        let end = self.now + band.cfg.phy.airtime(psdu.len());
        let peek = HeaderPeek::read(&psdu);
        let id = self.free.pop().unwrap_or_else(|| {
            self.on_air.push(None);
            (self.on_air.len() - 1) as u32
        });
        let phy = band.cfg.phy;
        let channel = self.radios[n as usize].channel;
        self.tune(n, channel);
        let now = self.now;
        let t = &self.tuned[n as usize];
        // Radios following their reception or CCA settle before the frame adds its power and
        // check the CCA after; the others only sum it.
        for &w in &self.watchful {
            if t.power_at(w).is_some() {
                let sensed = self.ears[w as usize].sensed_mw;
                self.radios[w as usize].settle(sensed, self.noise_mw[w as usize], now, &phy);
            }
        }
        for l in &t.links {
            self.ears[l.rx as usize].add(f64::from(l.mw));
        }
        for &w in &self.watchful {
            if t.power_at(w).is_some() {
                self.radios[w as usize].check_cca(&self.ears[w as usize], band.cca_mw);
            }
        }
        let mut locked = self.spare_locked.pop().unwrap_or_default();
        for l in &t.lockable {
            let r = &mut self.radios[l.rx as usize];
            if r.mode != Mode::Listen || r.lock.is_some() {
                continue;
            }
            let addressed = match ack_to {
                Some(to) => to == l.rx,
                None => peek.is_some_and(|h| {
                    filter(r.pan_id, r.short_addr, &h, || {
                        self.settings[l.rx as usize].config.ext_addr
                    })
                }),
            };
            let relevant = addressed || r.sniffing || (r.promiscuous && ack_to.is_none());
            r.lock = Some(Lock {
                tx: id,
                signal_mw: f64::from(l.mw),
                since: now,
                ln_ok: 0.0,
                relevant,
                addressed,
            });
            locked.push(l.rx);
            if relevant && !r.listed {
                r.listed = true;
                self.watchful.push(l.rx);
            }
            // Sniffed frames do not follow interferers, so a point-of-view capture never
            // changes the interferers' draws (it ignores Wi-Fi bursts for them).
            if addressed {
                let ifs = &self.node_ifs[l.rx as usize];
                watch(r, l.rx, ifs, &mut self.interferers, &mut self.queue, now);
            }
        }
        let s = &mut self.stats;
        s.ppdus += 1;
        s.acks += u64::from(ack_to.is_some());
        s.airtime_ns += (end - self.now).0;
        *s.channel_airtime_ns.entry(channel).or_default() += (end - self.now).0;
        s.nodes[n as usize].ppdus += 1;
        s.nodes[n as usize].tx_ns += (end - self.now).0;
        if band.cfg.duty_cycle.is_some() {
            self.macs[n as usize]
                .duty
                .record(self.now.0, (end - self.now).0);
        }
        self.write_capture(n, &psdu, peek, ack_to);
        self.on_air[id as usize] = Some(OnAir {
            src: n,
            channel,
            start: self.now,
            end,
            psdu,
            peek,
            ack_to,
            locked,
        });
        self.queue.push(end, Event::TxEnd(id));
    }

    /// Make `tx`'s list of receivers on `channel` current.
    fn tune(&mut self, tx: u32, channel: u8) {
        let sensitivity_mw = self.bands[self.radios[tx as usize].band as usize].sensitivity_mw;
        let t = &mut self.tuned[tx as usize];
        if t.valid && t.channel == channel {
            return;
        }
        t.links.clear();
        t.links.extend(
            self.links
                .receivers(tx)
                .iter()
                .filter(|l| self.radios[l.rx as usize].channel == channel),
        );
        t.lockable.clear();
        t.lockable
            .extend(t.links.iter().filter(|l| f64::from(l.mw) >= sensitivity_mw));
        t.channel = channel;
        t.valid = true;
    }

    fn write_capture(
        &mut self,
        n: u32,
        psdu: &[u8],
        peek: Option<HeaderPeek>,
        ack_to: Option<u32>,
    ) {
        if self.capture.is_none() && self.zep.is_none() {
            return;
        }
        let to = ack_to.or(match peek.map(|p| p.dst) {
            Some(Address::Short(s)) => self.by_short.get(&s).copied(),
            _ => None,
        });
        let p = to.and_then(|t| self.links.power_mw(n, t));
        let (rssi, q) = match p {
            Some(p) => (dbm(p), lqi(Db(dbm(p) - self.noise_dbm(to.unwrap_or(n))))),
            None => (self.settings[n as usize].config.tx_power_dbm, 255),
        };
        let meta = RadioMeta {
            channel: self.radios[n as usize].channel,
            rssi_dbm: rssi as f32,
            lqi: q,
        };
        let unix_ns = self.cfg.epoch_unix_ns + self.now.0;
        if let Some(z) = self.zep.as_mut() {
            let packet = ZepPacket::V2Data {
                channel: meta.channel,
                device_id: n as u16,
                crc_mode: true,
                lqi: meta.lqi,
                timestamp: unix_to_ntp(
                    (unix_ns / 1_000_000_000) as i64,
                    (unix_ns % 1_000_000_000) as u32,
                ),
                seq: self.stats.ppdus as u32,
                reserved: [0; 10],
                frame: psdu.to_vec(),
            };
            z.push(ZepDatagram {
                at: self.now,
                bytes: packet.to_bytes(),
            });
        }
        let body = psdu.get(..psdu.len().saturating_sub(2)).unwrap_or_default();
        let Some(w) = self.capture.as_mut() else {
            return;
        };
        let page = self.bands[self.radios[n as usize].band as usize].cfg.page;
        if w.write_frame_on_page(self.cfg.epoch_unix_ns + self.now.0, body, &meta, page)
            .is_err()
        {
            self.capture = None;
        }
    }

    fn end_tx(&mut self, id: u32) {
        let Some(air) = self.on_air[id as usize].take() else {
            return;
        };
        self.free.push(id);
        let phy = *self.phy(air.src);
        let mut deliveries = std::mem::take(&mut self.deliveries);
        self.tune(air.src, air.channel);
        let now = self.now;
        let t = &self.tuned[air.src as usize];
        for &w in &self.watchful {
            if t.power_at(w).is_some() {
                let sensed = self.ears[w as usize].sensed_mw;
                self.radios[w as usize].settle(sensed, self.noise_mw[w as usize], now, &phy);
            }
        }
        for &rx in &air.locked {
            let r = &mut self.radios[rx as usize];
            let Some(lock) = r.lock.filter(|k| k.tx == id) else {
                continue;
            };
            r.lock = None;
            if r.listed && !r.watchful() {
                r.listed = false;
                if let Some(k) = self.watchful.iter().position(|&x| x == rx) {
                    self.watchful.swap_remove(k);
                }
            }
            if lock.addressed {
                unwatch(r, rx, &self.node_ifs[rx as usize], &mut self.interferers);
            }
            self.stats.nodes[rx as usize].rx_ns += (air.end - air.start).0;
            if lock.relevant {
                let draw = match (&mut self.settings[rx as usize].sniffer, lock.addressed) {
                    (Some(s), false) => s.unit(),
                    _ => self.macs[rx as usize].phy_rng.unit(),
                };
                let ok = draw < lock.ln_ok.exp();
                self.stats.corrupted += u64::from(lock.addressed && !ok);
                deliveries.push((rx, lock.signal_mw, ok));
            }
        }
        for l in &t.links {
            self.ears[l.rx as usize].remove(f64::from(l.mw));
        }
        self.set_mode(air.src, Mode::Listen);
        if air.ack_to.is_none() {
            let out = self.macs[air.src as usize].engine.transmit_done(self.now.0);
            self.mac_output(air.src, out);
        }
        for (rx, p, ok) in deliveries.drain(..) {
            if ok {
                self.deliver(rx, &air, p);
            }
        }
        self.deliveries = deliveries;
        let mut locked = air.locked;
        locked.clear();
        self.spare_locked.push(locked);
    }

    fn deliver(&mut self, rx: u32, air: &OnAir, p_mw: f64) {
        let delay = Duration(crate::phy::propagation_ns(self.links.distance(air.src, rx)));
        let rssi = dbm(p_mw);
        let meta = RadioMeta {
            channel: air.channel,
            rssi_dbm: rssi as f32,
            lqi: lqi(Db(rssi - dbm(self.noise_mw[rx as usize]))),
        };
        if let Some(w) = self.node_captures.get_mut(&rx) {
            let body = air.psdu.get(..air.psdu.len().saturating_sub(2));
            let t = self.cfg.epoch_unix_ns + (air.start + delay).0;
            let page = self.bands[self.radios[rx as usize].band as usize].cfg.page;
            if w.write_frame_on_page(t, body.unwrap_or_default(), &meta, page)
                .is_err()
            {
                self.node_captures.remove(&rx);
            }
        }
        if self.tapped[rx as usize] {
            self.heard.push(Heard {
                node: rx,
                at: air.start + delay,
                psdu: air.psdu.clone(),
                meta,
            });
        }
        let Some(h) = air.peek else { return };
        let addressed = match air.ack_to {
            Some(to) => to == rx,
            None => accepts(&self.settings[rx as usize].config, &h),
        };
        let overheard = !addressed
            && air.ack_to.is_none()
            && h.frame_type != FrameType::Ack
            && self.radios[rx as usize].promiscuous;
        if !addressed && !overheard {
            return;
        }
        if h.frame_type == FrameType::Ack {
            let out = self.macs[rx as usize]
                .engine
                .ack_received(h.seq.unwrap_or(0), h.frame_pending);
            self.mac_output(rx, out);
            return;
        }
        let proxied = overheard
            && self.settings[rx as usize]
                .proxy_for
                .iter()
                .any(|&(pan, a)| h.dst_pan == Some(pan) && h.dst == a);
        let src = src_address(&air.psdu);
        if (addressed || proxied)
            && h.ack_request
            && h.dst != Address::BROADCAST
            && self.radios[rx as usize].mode == Mode::Listen
        {
            self.set_mode(rx, Mode::Turnaround);
            let c = &mut self.settings[rx as usize];
            let pending = c.config.frame_pending || c.pending_for.contains(&src);
            c.ack = Some((h.seq.unwrap_or(0), air.src, pending));
            self.queue.push(
                self.now + delay + self.phy(rx).turnaround(),
                Event::AckStart(rx),
            );
        }
        if overheard {
            let input = NodeInput::Received(Received {
                psdu: &air.psdu,
                channel: self.radios[rx as usize].channel,
                rssi_dbm: dbm(p_mw),
                lqi: lqi(Db(dbm(p_mw) - self.noise_dbm(rx))),
                timestamp: air.start + delay,
            });
            self.node_input(rx, input);
            return;
        }
        // Frames without a source (Beacon Requests) cannot be told apart: never duplicates.
        let dup = src != Address::None
            && self.macs[rx as usize]
                .duplicates
                .is_duplicate(src, h.seq.unwrap_or(0));
        let l: &mut LinkStats = self.link_stats.entry((air.src, rx)).or_default();
        if dup {
            l.duplicates += 1;
            return;
        }
        l.received += 1;
        let rssi = dbm(p_mw);
        let input = NodeInput::Received(Received {
            psdu: &air.psdu,
            channel: self.radios[rx as usize].channel,
            rssi_dbm: rssi,
            lqi: lqi(Db(rssi - self.noise_dbm(rx))),
            timestamp: air.start + delay,
        });
        self.node_input(rx, input);
    }
}

/// Count a reason for `n` to follow its interferers; on the first, sum those that are on
/// and join their watch lists.
fn watch(
    r: &mut RadioState,
    n: u32,
    ifs: &[(u32, f64)],
    all: &mut [InterfererState],
    queue: &mut EventQueue<Event>,
    now: SimTime,
) {
    if r.watching == 0 {
        r.wifi_mw = 0.0;
        for &(i, p) in ifs {
            let s = &mut all[i as usize];
            s.catch_up(now);
            s.watchers.push(n);
            if !s.scheduled {
                s.schedule(queue, i);
            }
            if s.on {
                r.wifi_mw += p;
            }
        }
    }
    r.watching += 1;
}

/// Drop a reason; on the last, leave the watch lists.
fn unwatch(r: &mut RadioState, n: u32, ifs: &[(u32, f64)], all: &mut [InterfererState]) {
    r.watching = r.watching.saturating_sub(1);
    if r.watching == 0 {
        r.wifi_mw = 0.0;
        for &(i, _) in ifs {
            let w = &mut all[i as usize].watchers;
            if let Some(k) = w.iter().position(|&x| x == n) {
                w.swap_remove(k);
            }
        }
    }
}

/// The hardware address filter (IEEE 802.15.4-2015 6.7.2, third-level filtering): a beacon
/// passes when macPanId is 0xffff or equals its source PAN ID; other frames need a
/// destination PAN ID that matches (or is the broadcast PAN) and a destination address that
/// is the node's or the broadcast short address.
pub fn accepts(c: &RadioConfig, h: &HeaderPeek) -> bool {
    filter(c.pan_id, c.short_addr, h, || c.ext_addr)
}

/// [`accepts`] on the filter's fields, the extended address looked up only when needed.
#[inline]
fn filter(
    pan_id: u16,
    short_addr: u16,
    h: &HeaderPeek,
    ext_addr: impl FnOnce() -> ExtAddr,
) -> bool {
    if h.frame_type == FrameType::Beacon {
        return pan_id == 0xffff || h.src_pan == Some(pan_id);
    }
    let pan_ok = h.dst_pan.is_none_or(|p| p == pan_id || p == 0xffff);
    let addr_ok = match h.dst {
        Address::Short(s) => s == short_addr || s == 0xffff,
        Address::Extended(e) => e == ext_addr(),
        Address::None => false,
    };
    pan_ok && addr_ok && h.frame_type != FrameType::Ack
}

/// The source address of an MPDU, for duplicate rejection (None if it does not parse).
fn src_address(psdu: &[u8]) -> Address {
    let Some(b) = psdu.get(..psdu.len().saturating_sub(2)) else {
        return Address::None;
    };
    // A data frame parses whole once its header does (its payload is opaque): read the
    // source off the checked header instead of decoding and copying the frame.
    if let Ok(f) = han_stack::mac::view::Frame::new_checked(b)
        && f.frame_type() == FrameType::Data
    {
        return f.src();
    }
    MacFrame::from_bytes(b).map_or(Address::None, |f| f.src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_stack::mac::beacon_response::{beacon_frame, beacon_request};

    #[test]
    fn beacons_pass_the_filter_when_scanning_or_on_their_pan() {
        let beacon = beacon_frame(1, 0x1a62, Address::Short(0), true, true, vec![]);
        let h = HeaderPeek::read(&beacon.emit_with_fcs()).unwrap();
        let scanning = RadioConfig::default();
        let member = RadioConfig {
            pan_id: 0x1a62,
            short_addr: 7,
            ..RadioConfig::default()
        };
        let other = RadioConfig {
            pan_id: 0x2222,
            ..member
        };
        assert!(accepts(&scanning, &h));
        assert!(accepts(&member, &h));
        assert!(!accepts(&other, &h));
        // A Beacon Request (broadcast PAN and address) reaches every coordinator.
        let req = HeaderPeek::read(&beacon_request(2).emit_with_fcs()).unwrap();
        assert!(accepts(&other, &req));
    }

    #[test]
    fn source_address_read_off_the_header_equals_the_full_parse() {
        let full = |psdu: &[u8]| {
            MacFrame::from_bytes(&psdu[..psdu.len() - 2]).map_or(Address::None, |f| f.src)
        };
        let data = MacFrame::data(
            7,
            0x1a62,
            Address::Short(1),
            Address::Short(0x2b),
            vec![1, 2],
        );
        let long = MacFrame::data(
            8,
            0x1a62,
            Address::BROADCAST,
            Address::Extended(ExtAddr(0x0012_4b00_0102_0304)),
            vec![],
        );
        let beacon = beacon_frame(1, 0x1a62, Address::Short(0), true, true, vec![]);
        let mut frames: Vec<Vec<u8>> = [data, long, beacon, beacon_request(2)]
            .iter()
            .map(MacFrame::emit_with_fcs)
            .collect();
        // Cut short inside the source address, and a truncated command.
        let cut = frames[0][..8].to_vec();
        let short_cmd = frames[3][..frames[3].len() - 3].to_vec();
        frames.extend([cut, short_cmd, vec![0x41], vec![]]);
        for f in &frames {
            let want = if f.len() >= 2 { full(f) } else { Address::None };
            assert_eq!(src_address(f), want, "{f:02x?}");
        }
        assert_eq!(src_address(&frames[0]), Address::Short(0x2b));
    }

    #[test]
    fn taps_external_radios_and_the_next_event() {
        use crate::workload::{GridWorkload, build};
        let w = GridWorkload {
            duration: Duration::secs(60),
            ..GridWorkload::new(9, 2)
        };
        let mut world = build(&w);
        world.tap_node(4);
        world.set_external(0, true);
        assert!(world.is_external(0) && !world.is_external(1));
        assert_eq!(world.next_event_time(), Some(SimTime::ZERO));
        let external = world.radio_config(0).unwrap();
        world.run_until(SimTime::ZERO + w.duration);
        let heard = world.take_heard();
        assert!(heard.len() > 20, "{}", heard.len());
        assert!(heard.iter().all(|h| h.node == 4));
        assert!(heard.windows(2).all(|p| p[0].at <= p[1].at));
        assert!(world.take_heard().is_empty());
        // The external node's own stack sent nothing, but its radio still acknowledged.
        let from_0 = |h: &Heard| {
            HeaderPeek::read(&h.psdu).is_some_and(|p| {
                p.frame_type == FrameType::Data
                    && src_address(&h.psdu) == Address::Short(external.short_addr)
            })
        };
        assert!(!heard.iter().any(from_0));
        let stats = world.stats();
        let acked_by_0: u64 = stats
            .links
            .iter()
            .filter(|((_, to), _)| *to == 0)
            .map(|(_, l)| l.delivered)
            .sum();
        assert!(acked_by_0 > 0);
        // What is injected goes out from it, and it hears it is acknowledged.
        let before = world.stats().nodes[0].ppdus;
        let to = Address::Short(world.radio_config(1).unwrap().short_addr);
        let f = MacFrame::data(
            9,
            external.pan_id,
            to,
            Address::Short(external.short_addr),
            vec![0x3f, 1],
        );
        world.inject(0, f.emit_with_fcs());
        let t = world.now();
        world.run_until(t + Duration::millis(50));
        assert!(world.stats().nodes[0].ppdus > before);
        // Its driver is told the outcome (node 1 acknowledged it), once.
        assert_eq!(
            world.take_external_done(),
            [(
                0,
                TxStatus::Success {
                    frame_pending: false
                }
            )]
        );
        assert!(world.take_external_done().is_empty());
        // To an address nobody has: no ACK after the retries it asked for.
        let lost = MacFrame::data(
            10,
            external.pan_id,
            Address::Short(0x7777),
            Address::Short(external.short_addr),
            vec![0x3f, 1],
        );
        let options = TxOptions {
            csma: han_stack::mac::csma::CsmaParams {
                max_frame_retries: 0,
                ..Default::default()
            },
        };
        world.inject_with(0, lost.emit_with_fcs(), options);
        let t = world.now();
        world.run_until(t + Duration::millis(50));
        assert_eq!(world.take_external_done(), [(0, TxStatus::NoAck)]);
        // A new address from outside is filtered on from then on.
        world.set_radio_config(
            0,
            RadioConfig {
                short_addr: 0x4242,
                ..external
            },
        );
        assert_eq!(world.radio_config(0).map(|c| c.short_addr), Some(0x4242));
    }
}
