//! A building's GB HAN as a run: every premises' devices as [`DeviceHost`]s on the virtual
//! air (the CHF forms a PAN on the building's channel with its own network key and a
//! device log of its premises' devices), the keys for tshark, and the summary per premises.

use crate::behaviour::Behaviour;
use crate::chf::Chf;
use crate::esme::ESME_ENDPOINT;
use crate::esme::Esme;
use crate::fast_poll::FastPollRequest;
use crate::gsme::Gsme;
use crate::hcalcs::Hcalcs;
use crate::host::{DeviceHost, DualBand, HostConfig, HostStats, LeaveRequest, Outage, RoleConfig};
use crate::ihd::{Display, IHD_ENDPOINT, Ihd};
use crate::load_profile::{GasProfile, LoadProfile, mix};
use crate::ppmid::Ppmid;
use crate::relay::Relay;
use crate::timeline::{AirWindow, EventRow};
use han_mesh::energy::{Currents, battery_life_days, node_energy};
use han_mesh::radio::Node;
use han_mesh::sim::{BuildingAir, building_air, building_air_dual};
use han_mesh::stats::Stats;
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::Building;
use han_radio::device::DeviceKind;
use han_radio::units::Band;
use han_stack::aps::trust_centre::{DeviceLog, application_link_key};
use han_stack::security::InstallCode;
use han_stack::wire::ExtAddr;
use serde::Serialize;
use std::collections::BTreeMap;

/// Parameters of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// Seed of every random stream, the keys and the load profiles.
    pub seed: u64,
    /// Battery capacity for the GSME's life estimate, mAh (one 3.6 V lithium AA cell is
    /// about 2,600 mAh; an assumption).
    pub battery_mah: f64,
    /// Device ids left out of their CHF's device log (they must never get the key).
    pub unlogged: Vec<String>,
    /// The band every device uses (each device needs a radio in it), unless `dual_band`.
    pub band: Band,
    /// Both bands when the building names a GB868 channel (`channel_868`): dual-band hubs
    /// form on both, dual-band joiners try 2.4 GHz first, then GB868 (see
    /// [`crate::host::DualBand`]); `band` is then ignored.
    pub dual_band: bool,
    /// Power cuts by device id (see [`crate::events`]).
    pub outages: Vec<(String, Outage)>,
    /// Network key updates at every CHF (see [`crate::events`]).
    pub key_updates: Vec<Duration>,
    /// Devices their CHF asks to leave: device id, when, and whether to rejoin.
    pub leaves: Vec<(String, Duration, bool)>,
    /// Top-ups entered on a PPMID: (device id, when, pence).
    pub top_ups: Vec<(String, Duration, i64)>,
    /// Unit rates every CHF publishes: (from when, 1/10000 GBP per kWh).
    pub price_changes: Vec<(Duration, u32)>,
    /// Fast poll mode an IHD asks its ESME for: (IHD id, the request).
    pub fast_polls: Vec<(String, FastPollRequest)>,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            seed: 1,
            battery_mah: 2600.0,
            unlogged: Vec::new(),
            band: Band::Ghz2_4,
            dual_band: false,
            outages: Vec::new(),
            key_updates: Vec::new(),
            leaves: Vec::new(),
            top_ups: Vec::new(),
            price_changes: Vec::new(),
            fast_polls: Vec::new(),
        }
    }
}

/// The keys of a run, for decrypting its capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    /// Network keys of each premises, the first and those of later key updates:
    /// (premises id, key).
    pub network: Vec<(String, [u8; 16])>,
    /// Install-code link key of each device: (device id, key).
    pub link: Vec<(String, [u8; 16])>,
}

fn hex(k: &[u8; 16]) -> String {
    k.iter().map(|b| format!("{b:02X}")).collect()
}

impl Keys {
    /// One line per key as tshark's `zigbee_pc_keys` UAT file takes them:
    /// `"KEY","Normal","label"` (network keys first, then link keys).
    pub fn uat_lines(&self) -> String {
        let mut out = String::new();
        for (p, k) in &self.network {
            out += &format!("\"{}\",\"Normal\",\"nwk:{p}\"\n", hex(k));
        }
        for (d, k) in &self.link {
            out += &format!("\"{}\",\"Normal\",\"link:{d}\"\n", hex(k));
        }
        out
    }

    /// Every key as hex, network keys first.
    pub fn all_hex(&self) -> Vec<String> {
        self.network
            .iter()
            .chain(&self.link)
            .map(|(_, k)| hex(k))
            .collect()
    }
}

/// 16 seeded bytes for `what` of `index`.
fn key_bytes(seed: u64, what: u64, index: u64) -> [u8; 16] {
    let a = mix(seed ^ mix(what << 32 | index));
    let b = mix(a ^ 0x5eed);
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&a.to_le_bytes());
    k[8..].copy_from_slice(&b.to_le_bytes());
    k
}

/// The EUI-64 of device `i` of premises `p` (a fixed OUI, then premises and device).
pub fn eui64(p: usize, i: usize) -> ExtAddr {
    ExtAddr(0x0012_4b00_0000_0000 | ((p as u64 + 1) << 16) | (i as u64 + 1))
}

/// The PAN ID of premises `p`.
pub fn pan_id(seed: u64, p: usize) -> u16 {
    // Distinct per premises, seeded, never 0xffff.
    0x0100 + ((mix(seed) as u16) & 0x0f00) + p as u16
}

/// Build the run for `b` in `cfg.band` (both bands if [`dual_band`] says so): the world
/// and the keys.
pub fn build(b: &Building, cfg: &ScenarioConfig) -> (World<DeviceHost>, Keys) {
    let air = match dual_band(b, cfg) {
        true => building_air_dual(b, &[], 0.0, &|_, _| true),
        false => building_air(b, cfg.band),
    };
    let (nodes, keys) = hosts(b, cfg, &air, &|_| None);
    (air.world(nodes, cfg.seed), keys)
}

/// Whether the run is on both bands: asked for, and the building names the GB868 channel.
pub fn dual_band(b: &Building, cfg: &ScenarioConfig) -> bool {
    cfg.dual_band && b.channel_868.is_some()
}

/// The band a host uses in a dual-band run, for the summary.
fn band_name(h: &DeviceHost) -> Option<&'static str> {
    match (h.band_in_use(), h.kind) {
        (None, _) => None,
        (Some(_), DeviceKind::Chf) => Some("both"),
        (Some(0), _) => Some("2.4GHz"),
        (Some(_), _) => Some("868MHz"),
    }
}

/// The hosts of every device in `bair.devices` (node order) and the keys; `pinned(p)` is
/// the channel premises `p`'s hub must form its PAN on, if any (an Alt HAN installation's).
pub fn hosts(
    b: &Building,
    cfg: &ScenarioConfig,
    bair: &BuildingAir,
    pinned: &dyn Fn(usize) -> Option<u8>,
) -> (Vec<DeviceHost>, Keys) {
    let (air, devices) = (&bair.air, &bair.devices);
    let mut keys = Keys::default();
    let mut logs: BTreeMap<usize, DeviceLog> = BTreeMap::new();
    let mut link_keys = BTreeMap::new();
    for &(p, i) in devices {
        let d = &b.premises[p].devices[i];
        if d.kind == DeviceKind::Chf {
            continue;
        }
        let code = key_bytes(cfg.seed, 1, (p as u64) << 16 | i as u64);
        let Ok(code) = InstallCode::with_crc(&code) else {
            continue;
        };
        let key = code.link_key();
        link_keys.insert((p, i), key);
        keys.link.push((d.id.clone(), key));
        if !cfg.unlogged.contains(&d.id) {
            // Only the well-known key is refused, which an install code never derives.
            let _ = logs.entry(p).or_default().add(eui64(p, i), &code);
        }
    }
    let chf_of = |p: usize| {
        devices
            .iter()
            .find(|&&(q, i)| q == p && b.premises[q].devices[i].kind == DeviceKind::Chf)
            .map(|&(q, i)| eui64(q, i))
    };
    let first_of = |p: usize, kind: DeviceKind| {
        devices
            .iter()
            .find(|&&(q, i)| q == p && b.premises[q].devices[i].kind == kind)
            .map(|&(q, i)| eui64(q, i))
    };
    let mut nodes = Vec::with_capacity(devices.len());
    for (n, &(p, i)) in devices.iter().enumerate() {
        let d = &b.premises[p].devices[i];
        // A device on GB868 alone in a dual-band air (its first band there).
        let only_868 = bair
            .band_of
            .get(n)
            .is_some_and(|&k| k == 1)
            .then(|| {
                bair.bands
                    .get(1)
                    .map(|a| (b.channel_868.unwrap_or(0), a.phy.symbol_ns))
            })
            .flatten();
        let ext = eui64(p, i);
        let seed_p = cfg.seed ^ mix(p as u64);
        let mut key_updates = Vec::new();
        let role = if d.kind == DeviceKind::Chf {
            let network_key = key_bytes(cfg.seed, 2, p as u64);
            keys.network.push((b.premises[p].id.clone(), network_key));
            for (n, at) in cfg.key_updates.iter().enumerate() {
                let k = key_bytes(cfg.seed, 3 + n as u64, p as u64);
                keys.network
                    .push((format!("{}#{}", b.premises[p].id, n + 1), k));
                key_updates.push((*at, k));
            }
            let app_secret = key_bytes(cfg.seed, 50, p as u64);
            // The application link keys its devices will ask for: ESME–IHD (reports),
            // PPMID–ESME (prepayment).
            let logged = |k: DeviceKind| {
                first_of(p, k).filter(|e| logs.get(&p).is_some_and(|l| l.contains(*e)))
            };
            for (ka, kb) in [
                (DeviceKind::Esme, DeviceKind::Ihd),
                (DeviceKind::Ppmid, DeviceKind::Esme),
            ] {
                if let (Some(x), Some(y)) = (logged(ka), logged(kb)) {
                    let label = format!("{}:{}-{}", b.premises[p].id, kind_name(ka), kind_name(kb));
                    keys.link
                        .push((label, application_link_key(&app_secret, x, y)));
                }
            }
            RoleConfig::Coordinator {
                pan: pan_id(cfg.seed, p),
                network_key,
                log: logs.remove(&p).unwrap_or_default(),
                app_secret,
            }
        } else {
            RoleConfig::Joiner {
                link_key: link_keys.get(&(p, i)).copied().unwrap_or_default(),
                extended_pan_id: chf_of(p).unwrap_or(ExtAddr(0)),
                router: matches!(
                    d.kind,
                    DeviceKind::Esme
                        | DeviceKind::Ihd
                        | DeviceKind::Hcalcs
                        | DeviceKind::P2pRepeater
                ),
                sleepy: d.kind == DeviceKind::Gsme,
            }
        };
        let behaviour: Box<dyn Behaviour> = match d.kind {
            DeviceKind::Chf => Box::new(price_publisher(
                cfg,
                &[
                    (first_of(p, DeviceKind::Ihd), IHD_ENDPOINT),
                    (first_of(p, DeviceKind::Esme), ESME_ENDPOINT),
                ],
            )),
            DeviceKind::Esme => Box::new(Esme::new(
                LoadProfile::new(seed_p),
                first_of(p, DeviceKind::Ihd),
            )),
            DeviceKind::Gsme => Box::new(Gsme::new(GasProfile::new(seed_p))),
            DeviceKind::Ihd => {
                let fast: Vec<FastPollRequest> = cfg
                    .fast_polls
                    .iter()
                    .filter(|(id, _)| *id == d.id)
                    .map(|(_, r)| *r)
                    .collect();
                Box::new(Ihd::new(first_of(p, DeviceKind::Esme)).with_fast_polls(&fast))
            }
            DeviceKind::Ppmid => match first_of(p, DeviceKind::Esme) {
                Some(e) => Box::new(Ppmid::new(e).with_top_ups(&entered_on(cfg, &d.id))),
                None => Box::new(Relay),
            },
            DeviceKind::Hcalcs => Box::new(Hcalcs::default()),
            DeviceKind::P2pRepeater | DeviceKind::AltHanNode => Box::new(Relay),
        };
        let power_on = if d.kind == DeviceKind::Chf {
            Duration(0)
        } else {
            // Installers power devices on over the first half minute.
            Duration::millis(2_000 + mix(seed_p ^ ext.0) % 28_000)
        };
        let host = HostConfig {
            id: d.id.clone(),
            kind: d.kind,
            premises: p,
            ext_addr: ext,
            channel: only_868.map_or(pinned(p).unwrap_or(b.channel_2g4), |(c, _)| c),
            channels: match (only_868, pinned(p)) {
                (Some((c, _)), _) | (None, Some(c)) => vec![c],
                (None, None) if b.channel_2g4_fixed => vec![b.channel_2g4],
                (None, None) => (11..=26).collect(),
            },
            power_on,
            role,
            epoch_unix_ns: air.epoch_unix_ns,
            symbol_ns: only_868.map_or(air.phy.symbol_ns, |(_, s)| s),
            outages: cfg
                .outages
                .iter()
                .filter(|(id, _)| *id == d.id)
                .map(|(_, o)| *o)
                .collect(),
            key_updates,
            leave_requests: leave_requests(b, cfg, p, d.kind),
        };
        let mut host = DeviceHost::new(host, behaviour);
        if let (true, Some(ch), Some(gb868)) = (
            bair.interfaces.iter().any(|f| f.node == n as u32),
            b.channel_868,
            bair.bands.get(1),
        ) {
            host = host.with_dual_band(DualBand::new(ch, gb868.phy.symbol_ns));
        }
        nodes.push(host);
    }
    (nodes, keys)
}

/// The leave requests of the CHF of premises `p` (nothing for other devices).
fn leave_requests(
    b: &Building,
    cfg: &ScenarioConfig,
    p: usize,
    kind: DeviceKind,
) -> Vec<LeaveRequest> {
    if kind != DeviceKind::Chf {
        return Vec::new();
    }
    let devices = &b.premises[p].devices;
    cfg.leaves
        .iter()
        .filter_map(|(id, at, rejoin)| {
            let i = devices.iter().position(|d| d.id == *id)?;
            Some(LeaveRequest {
                at: *at,
                device: eui64(p, i),
                rejoin: *rejoin,
            })
        })
        .collect()
}

/// The CHF's application with the run's price changes, published to `clients`.
fn price_publisher(cfg: &ScenarioConfig, clients: &[(Option<ExtAddr>, u8)]) -> Chf {
    let changes: Vec<(SimTime, u32)> = cfg
        .price_changes
        .iter()
        .map(|&(at, rate)| (SimTime::ZERO + at, rate))
        .collect();
    let clients = clients
        .iter()
        .filter_map(|&(e, endpoint)| Some((e?, endpoint)))
        .collect();
    Chf::with_price_changes(&changes, clients)
}

/// The top-ups entered on device `id`: (when, pence).
fn entered_on(cfg: &ScenarioConfig, id: &str) -> Vec<(SimTime, i64)> {
    cfg.top_ups
        .iter()
        .filter(|(d, _, _)| d == id)
        .map(|&(_, at, pence)| (SimTime::ZERO + at, pence))
        .collect()
}

/// A device's radio time over all its radios: transmitting and receiving add up; asleep
/// only while every radio sleeps, counted as the least any one slept (a dual-band
/// joiner's idle radio sleeps throughout).
fn device_radio_stats(stats: &Stats, radios: &[(u32, u8)]) -> han_mesh::stats::NodeStats {
    let mut all = radios
        .iter()
        .filter_map(|&(r, _)| stats.nodes.get(r as usize));
    let mut s = all.next().copied().unwrap_or_default();
    for o in all {
        s.tx_ns += o.tx_ns;
        s.rx_ns += o.rx_ns;
        s.ppdus += o.ppdus;
        s.sleep_ns = s.sleep_ns.min(o.sleep_ns);
    }
    s
}

/// One device in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceRow {
    /// Device id.
    pub id: String,
    /// Kind (CHF, ESME, ...).
    pub kind: &'static str,
    /// NWK address (None if it never joined).
    pub nwk_addr: Option<u16>,
    /// Its parent's NWK address (0x0000: the CHF; another: a router such as the ESME).
    pub parent_addr: Option<u16>,
    /// Stack counters (join time and outcomes, drops, APS retries).
    pub stack: HostStats,
    /// MAC retransmissions of its frames.
    pub mac_retries: u64,
    /// Battery life at its radio's average current, years (battery devices).
    pub battery_years: Option<f64>,
    /// The band it is on in a dual-band run: "2.4GHz", "868MHz", or "both" (a hub).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<&'static str>,
}

/// The electricity meter's registers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectricityRow {
    /// CurrentSummationDelivered, Wh, at `at_s`.
    pub register_wh: u64,
    /// What the load profile consumed up to `at_s`, Wh.
    pub profile_wh: u64,
    /// Simulated second of the register.
    pub at_s: u64,
    /// The summation in the last report to the IHD, Wh.
    pub last_reported_wh: Option<u64>,
    /// Reports sent / acknowledged / lost.
    pub reports: [u64; 3],
    /// Reports superseded before they left (waiting for the IHD's address): not sent.
    pub reports_superseded: u64,
    /// Lost reports a later acknowledged report recovered (it carries their registers).
    pub reports_recovered: u64,
    /// Prepayment credit, pence.
    pub credit_p: i64,
    /// Time-of-use registers (day, night 00:30–07:30 UTC), Wh.
    pub tier_wh: [u64; 2],
}

/// The gas meter, its mirror and what reached the mirror.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GasRow {
    /// The GSME register, litres, at `at_s`.
    pub register_l: u64,
    /// What the gas profile used up to `at_s`, litres.
    pub profile_l: u64,
    /// Simulated second of the register.
    pub at_s: u64,
    /// The register in the last push.
    pub last_pushed_l: Option<u64>,
    /// The GPF mirror's register.
    pub mirror_l: Option<u64>,
    /// Pushes sent / acknowledged / lost.
    pub pushes: [u64; 3],
    /// Lost pushes a later acknowledged push recovered (it carries their registers).
    pub pushes_recovered: u64,
    /// Mirror updates.
    pub mirror_updates: u64,
}

/// One premises in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PremisesRow {
    /// Premises id.
    pub id: String,
    /// Every device.
    pub devices: Vec<DeviceRow>,
    /// When the last device joined, s (None if one never did).
    pub all_joined_s: Option<f64>,
    /// The IHD's display and freshness figures.
    pub ihd: Option<Display>,
    /// The electricity meter.
    pub electricity: Option<ElectricityRow>,
    /// The gas meter.
    pub gas: Option<GasRow>,
    /// Readings lost: ESME reports and GSME pushes given up on whose registers no later
    /// acknowledged reading carried.
    pub readings_lost: u64,
    /// Readings given up on that a later acknowledged reading recovered.
    pub readings_recovered: u64,
    /// Retries: MAC retransmissions and APS resends of the premises' devices.
    pub retries: u64,
    /// Route changes of the premises' devices.
    pub route_changes: u64,
    /// Credit the PPMID shows, pence, and the top-ups the ESME accepted.
    pub ppmid: Option<(Option<i64>, Vec<i64>)>,
    /// The HCALCS's switchings (simulated s, on).
    pub hcalcs: Option<Vec<(u64, bool)>>,
    /// What went wrong, one line per device: never joined (and why), frames without a
    /// route, frames never acknowledged.
    pub failures: Vec<String>,
}

/// What a run reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Building name.
    pub building: String,
    /// Seed.
    pub seed: u64,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// PPDUs on the air.
    pub ppdus: u64,
    /// Every premises.
    pub premises: Vec<PremisesRow>,
    /// The events of the run (`--events`), in time order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventRow>,
    /// The air's counters between changes to it (when an event changed it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub air: Vec<AirWindow>,
}

fn kind_name(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Chf => "CHF",
        DeviceKind::Esme => "ESME",
        DeviceKind::Gsme => "GSME",
        DeviceKind::Ihd => "IHD",
        DeviceKind::Ppmid => "PPMID",
        DeviceKind::Hcalcs => "HCALCS",
        DeviceKind::P2pRepeater => "P2P repeater",
        DeviceKind::AltHanNode => "Alt HAN node",
    }
}

fn get<'a, T: 'static>(hosts: &[&'a DeviceHost]) -> Option<&'a T> {
    hosts
        .iter()
        .find_map(|h| h.behaviour().as_any().downcast_ref::<T>())
}

/// The link budget to a device's best possible parent: the router or hub of its network
/// whose weaker direction (beacon request up, beacon down) is strongest, with that
/// power in dBm (among those on the network, and among all), and the receivers'
/// sensitivity.
struct Reach {
    best: Option<(String, f64)>,
    best_any: Option<(String, f64)>,
    sensitivity_dbm: f64,
}

impl Reach {
    /// Device `n` of the world among the premises' nodes `idx`.
    fn of<N: Node + AsHost>(world: &World<N>, idx: &[usize], n: usize) -> Self {
        let nodes = world.nodes();
        let host = |m: usize| nodes.get(m).and_then(AsHost::as_host);
        let dbm = |tx: usize, rx: usize| {
            world
                .links()
                .power_mw(tx as u32, rx as u32)
                .map(|mw| 10.0 * mw.log10())
        };
        let best = |joined_only: bool| {
            idx.iter()
                .filter(|&&m| m != n)
                .filter_map(|&m| Some((m, host(m)?)))
                .filter(|(_, h)| h.is_router() && (!joined_only || h.is_joined()))
                .filter_map(|(m, h)| {
                    let weaker = dbm(m, n)?.min(dbm(n, m)?);
                    Some((h.id.clone(), weaker))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
        };
        Reach {
            best: best(true),
            best_any: best(false),
            sensitivity_dbm: world.config().sensitivity_dbm,
        }
    }

    /// Why no beacon of its network was heard.
    fn no_beacon(&self) -> String {
        let sens = self.sensitivity_dbm;
        if let Some((id, p)) = &self.best_any
            && *p >= sens
            && self.best.as_ref().is_none_or(|b| b.1 < sens)
        {
            return format!(
                "no parent of its network within reach: the router it reaches, {id} \
                 ({p:.1} dBm), never joined itself"
            );
        }
        match &self.best {
            None => format!(
                "no parent of its network within reach: no router or hub of its network \
                 reaches it at all (all far under the {sens:.1} dBm sensitivity)"
            ),
            Some((id, p)) if *p < sens => format!(
                "no parent of its network within reach: the best link, with {id}, arrives at \
                 {p:.1} dBm, under the {sens:.1} dBm sensitivity"
            ),
            Some((id, p)) => format!(
                "no beacon heard, though {id} arrives at {p:.1} dBm (sensitivity {sens:.1} dBm)"
            ),
        }
    }
}

/// Why a device let its premises down, if it did.
fn failures_of(d: &DeviceRow, reach: Option<&Reach>) -> Vec<String> {
    let mut out = Vec::new();
    let s = &d.stack;
    if let (None, Some(t)) = (d.nwk_addr, s.left_at_s) {
        out.push(format!("{} left the network at {t:.1} s (told to)", d.id));
    } else if d.kind != "CHF" && d.nwk_addr.is_none() {
        let why = match s.join_outcomes.iter().max_by_key(|(_, n)| **n) {
            Some((&"NO_BEACON", _)) => reach.map_or_else(
                || "no parent of its network within reach".to_string(),
                Reach::no_beacon,
            ),
            Some((&"NO_KEY", _)) => "never got the network key".to_string(),
            Some((o, _)) => format!("association failed ({o})"),
            None => "never tried".to_string(),
        };
        out.push(format!("{} not joined: {why}", d.id));
    }
    if s.no_route > 0 {
        out.push(format!(
            "{}: {} frame(s) without a route ({} of {} route discoveries failed)",
            d.id, s.no_route, s.routing.discoveries_failed, s.routing.discoveries_started
        ));
    }
    if s.aps_failures > 0 {
        out.push(format!(
            "{}: {} frame(s) never acknowledged",
            d.id, s.aps_failures
        ));
    }
    out
}

/// A node of a run that may be a device host (worlds with other nodes beside the devices).
pub trait AsHost {
    /// The device host, if this node is one.
    fn as_host(&self) -> Option<&DeviceHost>;
}

impl AsHost for DeviceHost {
    fn as_host(&self) -> Option<&DeviceHost> {
        Some(self)
    }
}

/// Summarise a run.
pub fn summarise<N: Node + AsHost>(
    b: &Building,
    world: &World<N>,
    cfg: &ScenarioConfig,
) -> Summary {
    let stats: Stats = world.stats();
    let mut mac_retries: BTreeMap<u32, u64> = BTreeMap::new();
    for (&(src, _), l) in &stats.links {
        *mac_retries.entry(src).or_default() += l.retries;
    }
    let nodes: Vec<Option<&DeviceHost>> = world.nodes().iter().map(AsHost::as_host).collect();
    let premises = b
        .premises
        .iter()
        .enumerate()
        .map(|(p, pr)| {
            let idx: Vec<usize> = (0..nodes.len())
                .filter(|&n| nodes[n].is_some_and(|h| h.premises == p))
                .collect();
            let hosts: Vec<&DeviceHost> = idx.iter().filter_map(|&n| nodes[n]).collect();
            let devices: Vec<DeviceRow> = idx
                .iter()
                .filter_map(|&n| Some((n, nodes[n]?)))
                .map(|(n, h)| {
                    let radios = world.radios_of(n as u32);
                    let battery_years = h.is_sleepy().then(|| {
                        let e = node_energy(
                            &device_radio_stats(&stats, &radios),
                            stats.duration_ns,
                            &Currents::default(),
                        );
                        battery_life_days(e.average_ua, cfg.battery_mah) / 365.25
                    });
                    DeviceRow {
                        id: h.id.clone(),
                        kind: kind_name(h.kind),
                        nwk_addr: h.is_joined().then(|| h.short_addr()),
                        parent_addr: h.parent_addr().filter(|_| h.is_joined()),
                        stack: h.stats.clone(),
                        mac_retries: radios.iter().filter_map(|(r, _)| mac_retries.get(r)).sum(),
                        battery_years,
                        band: band_name(h),
                    }
                })
                .collect();
            let all_joined_s = devices.iter().try_fold(0.0f64, |m, d| {
                if d.kind == "CHF" {
                    Some(m)
                } else {
                    d.stack.joined_at_s.map(|t| m.max(t))
                }
            });
            let electricity = get::<Esme>(&hosts).map(|e| ElectricityRow {
                register_wh: e.summation_wh(),
                profile_wh: e.profile_wh(e.metered_to_s()),
                at_s: e.metered_to_s(),
                last_reported_wh: e.last_reported_wh,
                reports: [e.reports_sent, e.reports_acked, e.reports_lost],
                reports_superseded: e.reports_superseded,
                reports_recovered: e.recovery.recovered,
                credit_p: e.credit_p(),
                tier_wh: e.tier_wh(),
            });
            let mirror = get::<Chf>(&hosts).map(|c| &c.gpf);
            let gas = get::<Gsme>(&hosts).map(|g| GasRow {
                register_l: g.summation_l(),
                profile_l: g.profile_l(g.metered_to_s()),
                at_s: g.metered_to_s(),
                last_pushed_l: g.last_pushed_l,
                mirror_l: mirror.and_then(|m| m.summation_l),
                pushes: [g.pushes_sent, g.pushes_acked, g.pushes_lost],
                pushes_recovered: g.recovery.recovered,
                mirror_updates: mirror.map_or(0, |m| m.updates),
            });
            let readings_recovered = electricity.as_ref().map_or(0, |e| e.reports_recovered)
                + gas.as_ref().map_or(0, |g| g.pushes_recovered);
            let readings_lost = electricity.as_ref().map_or(0, |e| e.reports[2])
                + gas.as_ref().map_or(0, |g| g.pushes[2])
                - readings_recovered;
            let retries = devices
                .iter()
                .map(|d| d.mac_retries + d.stack.aps_retries)
                .sum();
            let route_changes = devices
                .iter()
                .map(|d| d.stack.route_changes + u64::from(d.stack.routing.route_changes))
                .sum();
            let failures = devices
                .iter()
                .zip(&idx)
                .flat_map(|(d, &n)| {
                    let reach = d.nwk_addr.is_none().then(|| Reach::of(world, &idx, n));
                    failures_of(d, reach.as_ref())
                })
                .collect();
            PremisesRow {
                route_changes,
                id: pr.id.clone(),
                devices,
                all_joined_s,
                ihd: get::<Ihd>(&hosts).map(|i| i.display_at(SimTime(stats.duration_ns))),
                electricity,
                gas,
                readings_lost,
                readings_recovered,
                retries,
                ppmid: get::<Ppmid>(&hosts).map(|m| (m.credit_p, m.top_ups_accepted.clone())),
                hcalcs: get::<Hcalcs>(&hosts).map(|h| h.switchings.clone()),
                failures,
            }
        })
        .collect();
    Summary {
        building: b.name.clone(),
        seed: cfg.seed,
        simulated_s: stats.duration_ns as f64 / 1e9,
        ppdus: stats.ppdus,
        premises,
        events: Vec::new(),
        air: Vec::new(),
    }
}

impl Summary {
    /// The summary as pretty JSON (fields in a fixed order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A few lines per premises for people.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{}: seed {}, {:.0} s simulated, {} PPDUs\n",
            self.building, self.seed, self.simulated_s, self.ppdus
        );
        for p in &self.premises {
            let joined = p
                .devices
                .iter()
                .filter(|d| d.kind == "CHF" || d.stack.joined_at_s.is_some())
                .count();
            out += &format!(
                "{}: {joined}/{} devices joined{}; readings lost {}{}, retries {}, route changes {}\n",
                p.id,
                p.devices.len(),
                p.all_joined_s
                    .map(|t| format!(" (all by {t:.1} s)"))
                    .unwrap_or_default(),
                p.readings_lost,
                if p.readings_recovered > 0 {
                    format!(
                        " ({} given up on, recovered by a later reading)",
                        p.readings_recovered
                    )
                } else {
                    String::new()
                },
                p.retries,
                p.route_changes
            );
            for d in &p.devices {
                let state = match (d.stack.joined_at_s, d.nwk_addr) {
                    (_, Some(0)) => format!(
                        "coordinator on channel {}, PAN {}{}, {} keys sent, {} refused",
                        d.stack.channel.map_or("-".into(), |c| c.to_string()),
                        d.stack.pan_id.map_or("-".into(), |p| format!("0x{p:04x}")),
                        match d.stack.pan_conflicts {
                            0 => String::new(),
                            n => format!(" after {n} PAN ID conflict(s)"),
                        },
                        d.stack.keys_sent,
                        d.stack.refused
                    ),
                    (Some(t), Some(a)) => format!(
                        "joined at {t:.1} s as 0x{a:04x} via 0x{:04x}",
                        d.parent_addr.unwrap_or(0)
                    ),
                    _ => format!("not joined {:?}", d.stack.join_outcomes),
                };
                out += &format!("  {:<6} {:<16} {state}", d.kind, d.id);
                if let Some(band) = d.band {
                    out += &format!(", band {band}");
                }
                if let Some(t) = d.stack.rejoined_at_s {
                    out += &format!(", joined again at {t:.1} s");
                }
                if d.stack.power_cuts > 0 {
                    out += &format!(", {} power cut(s)", d.stack.power_cuts);
                }
                let r = &d.stack.routing;
                if r.discoveries_started + r.route_changes + r.link_failures > 0 {
                    out += &format!(
                        ", {} route change(s), {} discoveries ({} failed), {} link failure(s)",
                        r.route_changes,
                        r.discoveries_started,
                        r.discoveries_failed,
                        r.link_failures
                    );
                }
                if let Some(y) = d.battery_years {
                    out += &format!(", battery ≈ {y:.1} years");
                }
                out += "\n";
            }
            for f in &p.failures {
                out += &format!("  fails: {f}\n");
            }
            if let Some(i) = &p.ihd {
                out += &format!(
                    "  IHD: electricity max gap {:.1} s, {} of {} samples older than 1 min; gas max age {:.0} s, {} samples older than 1 h\n",
                    i.electricity_max_gap_s,
                    i.electricity_stale_samples,
                    i.samples,
                    i.gas_max_age_s,
                    i.gas_stale_samples
                );
            }
            if let Some(i) = &p.ihd {
                out += &format!(
                    "  IHD shows: {} W now, today {} Wh costing {} p at {} p/kWh, gas {} l, message {:?}\n",
                    i.demand_w.map_or("-".into(), |w| w.to_string()),
                    i.today_wh.map_or("-".into(), |w| w.to_string()),
                    i.today_cost_p.map_or("-".into(), |c| format!("{c:.1}")),
                    i.price_p_per_kwh.map_or("-".into(), |p| format!("{p:.2}")),
                    i.gas_l.map_or("-".into(), |l| l.to_string()),
                    i.message.as_deref().unwrap_or("-"),
                );
            }
            if let Some(e) = &p.electricity {
                out += &format!(
                    "  ESME: {} Wh (profile {} Wh) at {} s, last reported {:?} Wh, credit {} p\n",
                    e.register_wh, e.profile_wh, e.at_s, e.last_reported_wh, e.credit_p
                );
            }
            if let Some(g) = &p.gas {
                out += &format!(
                    "  GSME: {} l (profile {} l), mirror {:?} l, pushes {}/{} acked, {} lost{}\n",
                    g.register_l,
                    g.profile_l,
                    g.mirror_l,
                    g.pushes[1],
                    g.pushes[0],
                    g.pushes[2],
                    if g.pushes_recovered > 0 {
                        format!(" ({} recovered by a later push)", g.pushes_recovered)
                    } else {
                        String::new()
                    }
                );
            }
        }
        for e in &self.events {
            out += &format!("event at {:.0} s: {}", e.at_s, e.event);
            if let Some(n) = e.links_changed {
                out += &format!(" ({n} link(s) changed)");
            }
            out += "\n";
        }
        for w in &self.air {
            out += &format!(
                "air {:.0}–{:.0} s: {} PPDUs, {} busy CCAs, {} channel access failures, {} no ACK, {} corrupted\n",
                w.from_s, w.to_s, w.ppdus, w.busy_ccas, w.cca_failures, w.no_acks, w.corrupted
            );
        }
        out
    }
}
