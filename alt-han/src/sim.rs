//! A building's GB devices and its Alt HAN equipment on one virtual air: every device as a
//! han-devices [`DeviceHost`], every unit of every `[[alt_han]]` installation as a
//! [`GatewayUnit`] after them. The premises an installation serves are commissioned into
//! its units (PAN ID, channel, devices' EUI-64s; short addresses are learned as the devices
//! join) and their hubs form their PANs on the installation's channel (the building's).
//! The devices join, route and read across the units as if they were not there, later by
//! the backhaul's latency.
use crate::gateway::backhaul::{BackhaulLink, BackhaulModel, BackhaulStats};
use crate::gateway::isolation::{Counters, Isolation, PremisesHan};
use crate::gateway::unit::{GatewayUnit, UnitStats};
use han_devices::host::DeviceHost;
use han_devices::scenario::{AsHost, Keys, ScenarioConfig, Summary, eui64, hosts, pan_id};
use han_mesh::radio::{Node, NodeCtx, NodeInput, RadioConfig};
use han_mesh::rng::{Purpose, Stream};
use han_mesh::sim::WIFI_BURST_US;
use han_mesh::sim::{building_air_dual, building_air_with};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::Interferer;
use han_mesh::world::World;
use han_radio::building::{Building, Device, WifiAp};
use han_radio::device::DeviceKind;
use han_radio::geometry::Search;
use han_radio::link::wifi_rejection;
use han_radio::units::{Band, channel_centre_2g4};
use han_stack::mac::Address;
use han_stack::wire::ExtAddr;
use serde::Serialize;
use std::collections::BTreeSet;

/// Stream numbers of backhaul loss draws start here (clear of the nodes' own streams).
const BACKHAUL_STREAMS: u32 = 1 << 20;

/// A node of the run: a GB device or an Alt HAN unit.
// Nearly every node is a device: boxing them would cost an indirection per event.
#[allow(clippy::large_enum_variant)]
pub enum SimNode {
    /// A device of a premises.
    Device(DeviceHost),
    /// A radio unit of an installation.
    Unit(Box<GatewayUnit>),
}

impl SimNode {
    /// The device's or the unit's id.
    pub fn id(&self) -> &str {
        match self {
            SimNode::Device(h) => &h.id,
            SimNode::Unit(u) => &u.id,
        }
    }

    /// The gateway unit, if this node is one.
    pub fn unit(&self) -> Option<&GatewayUnit> {
        match self {
            SimNode::Unit(u) => Some(u),
            SimNode::Device(_) => None,
        }
    }
}

impl AsHost for SimNode {
    fn as_host(&self) -> Option<&DeviceHost> {
        match self {
            SimNode::Device(h) => Some(h),
            SimNode::Unit(_) => None,
        }
    }
}

impl Node for SimNode {
    fn radio_config(&self) -> RadioConfig {
        match self {
            SimNode::Device(h) => h.radio_config(),
            SimNode::Unit(u) => u.radio_config(),
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match self {
            SimNode::Device(h) => h.handle(input, ctx),
            SimNode::Unit(u) => u.handle(input, ctx),
        }
    }
}

/// How the Alt HAN equipment runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GatewayConfig {
    /// Every installation's backhaul is down during these windows [from, to).
    pub backhaul_outages: Vec<(SimTime, SimTime)>,
    /// One installation's backhaul (by id) is down during a window [from, to).
    pub installation_outages: Vec<(String, (SimTime, SimTime))>,
    /// Every link this far below its budget, dB (verification runs at the fade margin).
    pub fade_db: f64,
    /// Leave the equipment out (its premises' hubs still use the installation's channel).
    pub without_units: bool,
}

impl GatewayConfig {
    /// The backhaul outages of an events file (`[[backhaul_down]]`), as windows.
    pub fn with_outages(mut self, outages: &[(Option<String>, Duration, Duration)]) -> Self {
        for (which, at, length) in outages {
            let w = (SimTime::ZERO + *at, SimTime::ZERO + *at + *length);
            match which {
                Some(id) => self.installation_outages.push((id.clone(), w)),
                None => self.backhaul_outages.push(w),
            }
        }
        self
    }
}

/// A building's run: the world, the keys, and which nodes are units.
pub struct Run {
    /// Devices (in han-devices' order) then units.
    pub world: World<SimNode>,
    /// Keys for the capture.
    pub keys: Keys,
    /// (installation id, node index) of every unit.
    pub units: Vec<(String, u32)>,
}

/// Builds the run of `b` under `cfg` with its Alt HAN equipment as `g` says.
pub fn build(b: &Building, cfg: &ScenarioConfig, g: &GatewayConfig) -> Run {
    let band = cfg.band;
    let units: Vec<(usize, &Device)> = if g.without_units {
        Vec::new()
    } else {
        b.alt_han
            .iter()
            .enumerate()
            .flat_map(|(k, inst)| inst.units.iter().map(move |u| (k, u)))
            .filter(|(_, u)| u.radio(band).is_some())
            .collect()
    };
    let extra: Vec<&Device> = units.iter().map(|(_, u)| *u).collect();
    let dual_air = han_devices::scenario::dual_band(b, cfg)
        .then(|| building_air_dual(b, &extra, g.fade_db, &|_, _| true));
    let devices = dual_air.as_ref().map_or_else(
        || han_mesh::sim::air_devices(b, band),
        |a| a.devices.clone(),
    );
    let served = |p: usize| b.alt_han.iter().any(|i| i.serves(&b.premises[p].id));
    // Dual-band runs keep one channel (their units stay at 2.4 GHz on the building's).
    let plan = ChannelPlan::new(b, cfg, &devices, &extra, &served, dual_air.is_some());
    let homes = homes(b, cfg, &devices, &units);
    // Each unit listens on the channels of the premises with a device homed at it.
    let unit_channels: Vec<Vec<u8>> = homes
        .iter()
        .map(|(near, _)| plan.channels_of(near))
        .collect();
    let further: Vec<usize> = unit_channels
        .iter()
        .enumerate()
        .flat_map(|(j, c)| std::iter::repeat_n(j, c.len().saturating_sub(1)))
        .collect();
    let mut air = match dual_air {
        Some(air) => air,
        None => building_air_with(b, band, &extra, &further, g.fade_db),
    };
    if plan.channels.iter().any(|&c| c != b.channel_2g4) {
        let radios: Vec<(&Device, u8)> = air
            .devices
            .iter()
            .map(|&(p, i)| (&b.premises[p].devices[i], plan.of(p)))
            .chain(extra.iter().zip(&unit_channels).map(|(d, c)| (*d, c[0])))
            // The further radios, in `further`'s order: each unit's after its first.
            .chain(
                extra
                    .iter()
                    .zip(&unit_channels)
                    .flat_map(|(d, c)| c[1..].iter().map(move |&k| (*d, k))),
            )
            .collect();
        air.interferers = wifi_on(b, band, &radios, air.air.noise_dbm);
    }
    let (devices, keys) = hosts(b, cfg, &air, &|p| served(p).then(|| plan.of(p)));
    let mut nodes: Vec<SimNode> = devices.into_iter().map(SimNode::Device).collect();
    let first = nodes.len() as u32;
    let han = |p: usize| PremisesHan {
        id: b.premises[p].id.clone(),
        pan_id: pan_id(cfg.seed, p),
        channel: plan.of(p),
        short: BTreeSet::from([0x0000]),
        ext: air
            .devices
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|&(q, i)| eui64(q, i).0)
            .collect(),
    };
    let mut refs = Vec::new();
    for (n, &(k, u)) in units.iter().enumerate() {
        let inst = &b.alt_han[k];
        let me = first + n as u32;
        let serves: Vec<usize> = (0..b.premises.len())
            .filter(|&p| inst.serves(&b.premises[p].id))
            .collect();
        let peers = units
            .iter()
            .enumerate()
            .filter(|&(o, &(ko, _))| ko == k && o != n)
            .map(|(o, _)| {
                let mut model = BackhaulModel::of(inst.backhaul);
                model.outages.extend(&g.backhaul_outages);
                model.outages.extend(
                    g.installation_outages
                        .iter()
                        .filter(|(id, _)| *id == inst.id)
                        .map(|(_, w)| *w),
                );
                let rng = Stream::new(
                    cfg.seed,
                    BACKHAUL_STREAMS + (me << 10) + o as u32,
                    Purpose::App,
                );
                (first + o as u32, BackhaulLink::new(model, rng))
            })
            .collect();
        let (near, far) = &homes[n];
        let iso = Isolation::new(serves.iter().map(|&p| han(p)).collect());
        let unit = GatewayUnit::new(
            unit_channels[n].clone(),
            iso,
            (0..serves.len()).collect(),
            peers,
        )
        .named(&u.id)
        .with_near(near.clone())
        .with_proxy_acks(far.clone());
        nodes.push(SimNode::Unit(Box::new(unit)));
        refs.push((inst.id.clone(), me));
    }
    Run {
        world: air.world(nodes, cfg.seed),
        keys,
        units: refs,
    }
}

/// Most premises the Alt HAN equipment puts on one channel (han's choice). A beacon request
/// is answered by every router on its channel in range (IEEE 802.15.4-2015 6.3.1.2): in a
/// shared meter room, the hub and the electricity meter of every premises there. Those
/// answers must fit a joiner's scan dwell (138 ms at 2.4 GHz, exponent 3); sixteen premises'
/// 32 beacons of about 1.3 ms with their CSMA-CA backoffs take about a third of it. With
/// 138 premises on one channel a joining gas meter missed its hub's beacon for an hour.
pub const PREMISES_PER_CHANNEL: usize = 16;

/// The channel of each premises the Alt HAN equipment serves. A premises whose devices
/// hear the building's Wi-Fi (above the noise floor less 10 dB) takes the channel where its
/// devices hear it least, the most exposed premises first; the others fill the quietest
/// channels in file order, [`PREMISES_PER_CHANNEL`] to a channel (neighbours together, so
/// that a unit on a floor listens on few channels). A dual-band run, or a building file that
/// names its channel, keeps one channel.
struct ChannelPlan {
    /// Channels in use, quietest first.
    channels: Vec<u8>,
    /// Per premises: its channel if served.
    of: Vec<Option<u8>>,
    /// Per premises: its PAN ID.
    pans: Vec<u16>,
}

/// 802.15.4 channels at 2.4 GHz (page 0).
const CHANNELS: std::ops::RangeInclusive<u8> = 11..=26;

/// Duty-weighted Wi-Fi power (mW) per 802.15.4 channel (index k − 11).
type Exposure = [f64; 16];

impl ChannelPlan {
    /// The plan for `b`'s served premises; one channel if `one`.
    fn new(
        b: &Building,
        cfg: &ScenarioConfig,
        devices: &[(usize, usize)],
        units: &[&Device],
        served: &dyn Fn(usize) -> bool,
        one: bool,
    ) -> Self {
        let list: Vec<usize> = (0..b.premises.len()).filter(|&p| served(p)).collect();
        let mut plan = ChannelPlan {
            channels: Vec::new(),
            of: vec![None; b.premises.len()],
            pans: (0..b.premises.len()).map(|p| pan_id(cfg.seed, p)).collect(),
        };
        if one || cfg.band != Band::Ghz2_4 || b.channel_2g4_fixed || list.is_empty() {
            let fixed = installation_channels(b, cfg.band, devices, units, served, 1);
            for &p in &list {
                plan.of[p] = Some(fixed[0]);
            }
            plan.channels = fixed;
            return plan;
        }
        let mut by_premises = vec![[0.0; 16]; b.premises.len()];
        for &(p, i) in devices.iter().filter(|&&(p, _)| served(p)) {
            let e = wifi_exposure(b, cfg.band, &b.premises[p].devices[i]);
            worst_of(&mut by_premises[p], &e);
        }
        let mut worst = [0.0; 16];
        for e in list.iter().map(|&p| &by_premises[p]) {
            worst_of(&mut worst, e);
        }
        for u in units {
            worst_of(&mut worst, &wifi_exposure(b, cfg.band, u));
        }
        let ranked = rank(b, &worst);
        let noise = han_mesh::sim::air_for(b, cfg.band, -100.0).noise_dbm;
        let floor = 10f64.powf((noise - 10.0) / 10.0);
        let most = |p: usize| by_premises[p].iter().copied().fold(0.0, f64::max);
        let mut exposed: Vec<usize> = list.iter().copied().filter(|&p| most(p) >= floor).collect();
        exposed.sort_by(|&x, &y| most(y).total_cmp(&most(x)).then(x.cmp(&y)));
        let mut count = [0usize; 16];
        let slot = |k: u8| usize::from(k - 11);
        for &p in &exposed {
            let e = &by_premises[p];
            // `ranked` first: ties go to the building's quieter channel.
            let k = ranked
                .iter()
                .copied()
                .filter(|&k| count[slot(k)] < PREMISES_PER_CHANNEL)
                .min_by(|&x, &y| e[slot(x)].total_cmp(&e[slot(y)]));
            if let Some(k) = k {
                count[slot(k)] += 1;
                plan.of[p] = Some(k);
            }
        }
        let mut fill = ranked.iter().copied().peekable();
        for &p in &list {
            if plan.of[p].is_some() {
                continue;
            }
            while fill
                .peek()
                .is_some_and(|&k| count[slot(k)] >= PREMISES_PER_CHANNEL)
            {
                fill.next();
            }
            // Past 16 × 16 premises the last channel takes the rest.
            let k = fill.peek().copied().unwrap_or(ranked[ranked.len() - 1]);
            count[slot(k)] += 1;
            plan.of[p] = Some(k);
        }
        plan.channels = ranked.into_iter().filter(|&k| count[slot(k)] > 0).collect();
        plan
    }

    /// Premises `p`'s channel (an unserved premises' radios are taken as on the first).
    fn of(&self, p: usize) -> u8 {
        self.of[p].unwrap_or(self.channels[0])
    }

    /// The channels, ascending, of the premises of these (PAN ID, address) pairs; the first
    /// channel if none.
    fn channels_of(&self, addrs: &[(u16, Address)]) -> Vec<u8> {
        let mut v: Vec<u8> = addrs
            .iter()
            .filter_map(|(pan, _)| self.pans.iter().position(|q| q == pan))
            .map(|p| self.of(p))
            .collect();
        v.sort_unstable();
        v.dedup();
        if v.is_empty() {
            v.push(self.channels[0]);
        }
        v
    }
}

/// Raises `worst` to `e` channel by channel.
fn worst_of(worst: &mut Exposure, e: &Exposure) {
    for (w, x) in worst.iter_mut().zip(e) {
        *w = w.max(*x);
    }
}

/// The Wi-Fi at `d`: each access point's power while transmitting times its duty cycle,
/// after the 802.11 spectral mask (moved from the building's default channel; the path loss
/// is taken at the default channel's frequency), summed per 802.15.4 channel.
fn wifi_exposure(b: &Building, band: Band, d: &Device) -> Exposure {
    let mut e = [0.0; 16];
    for ap in &b.wifi {
        let Some(p) = b.wifi_power_at(ap, d, band, Search::Indexed) else {
            continue;
        };
        for (x, k) in e.iter_mut().zip(CHANNELS) {
            *x += ap.duty * 10f64.powf(on_channel(b, band, ap, p.0, k) / 10.0);
        }
    }
    e
}

/// The 2.4 GHz channels, quietest first by `worst`; ties go to the building's default
/// channel, then the lowest.
fn rank(b: &Building, worst: &Exposure) -> Vec<u8> {
    let mut ranked: Vec<u8> = CHANNELS.collect();
    let w = |k: u8| worst[usize::from(k - 11)];
    ranked.sort_by(|&x, &y| {
        w(x).total_cmp(&w(y))
            .then((x != b.channel_2g4).cmp(&(y != b.channel_2g4)))
            .then(x.cmp(&y))
    });
    ranked
}

/// The `n` channels (fewer when fewer exist) quietest for the Alt HAN installations and the
/// PANs they serve at 2.4 GHz, quietest first: the building file's `channel_2g4` alone when
/// it sets one; otherwise, as an installer's energy scan at commissioning would find them
/// (and as each comms hub's own scan does), the channels where the building's Wi-Fi access
/// points are weakest at the worst-placed unit or served device ([`wifi_exposure`]). A
/// shared node spans floors: on a channel a Wi-Fi access point overlaps, devices near it see
/// the channel busy and their CSMA-CA gives up (channel access failure), which the NWK layer
/// takes for a broken link.
pub fn installation_channels(
    b: &Building,
    band: Band,
    devices: &[(usize, usize)],
    units: &[&Device],
    served: &dyn Fn(usize) -> bool,
    n: usize,
) -> Vec<u8> {
    if band != Band::Ghz2_4 || b.channel_2g4_fixed {
        return vec![b.channel_2g4];
    }
    let mut worst = [0.0; 16];
    let at = devices
        .iter()
        .filter(|&&(p, _)| served(p))
        .map(|&(p, i)| &b.premises[p].devices[i])
        .chain(units.iter().copied());
    for d in at {
        worst_of(&mut worst, &wifi_exposure(b, band, d));
    }
    rank(b, &worst).into_iter().take(n.max(1)).collect()
}

/// Power (dBm) of access point `ap` at `d` on 802.15.4 channel `k`: the building's figure
/// (for its own channel) moved by the difference of the 802.11 spectral mask.
fn wifi_dbm_on(b: &Building, ap: &WifiAp, d: &Device, band: Band, k: u8) -> Option<f64> {
    let p = b.wifi_power_at(ap, d, band, Search::Indexed)?.0;
    Some(on_channel(b, band, ap, p, k))
}

/// `dbm` of access point `ap` as the building gives it (on its default channel) moved to
/// 802.15.4 channel `k` by the difference of the 802.11 spectral mask.
fn on_channel(b: &Building, band: Band, ap: &WifiAp, dbm: f64, k: u8) -> f64 {
    dbm - wifi_rejection(b.frequency(band), ap.channel).0
        + wifi_rejection(channel_centre_2g4(k), ap.channel).0
}

/// The building's Wi-Fi access points as interferers at `radios` (radio order), each on its
/// own 802.15.4 channel (as `han_mesh::sim::wifi_interferers` does for the building's channel;
/// bursts under `noise_dbm` − 10 dB are left out).
fn wifi_on(b: &Building, band: Band, radios: &[(&Device, u8)], noise_dbm: f64) -> Vec<Interferer> {
    b.wifi
        .iter()
        .filter(|ap| ap.duty > 0.0)
        .map(|ap| Interferer {
            powers: radios
                .iter()
                .enumerate()
                .filter_map(|(n, &(d, k))| {
                    let p = wifi_dbm_on(b, ap, d, band, k)?;
                    (p >= noise_dbm - 10.0).then_some((n as u32, p))
                })
                .collect(),
            duty: ap.duty,
            burst: Duration::micros(WIFI_BURST_US),
        })
        .filter(|i| !i.powers.is_empty())
        .collect()
}

/// Per unit, the (PAN ID, address) pairs of the served devices it is the home of, and of
/// those it acknowledges for. Each served device's home is the unit of its installation
/// that hears it with the best margin (as the survey judges it). A unit acknowledges for a
/// device (proxy ACK) when a device homed at it cannot reach that device directly: a sender
/// sees the link as if direct, and only one unit, its own home, answers it (ACKs from several
/// units, or from a unit and the real receiver, would meet on the air). In a one-unit
/// installation the unit is every device's home and so also acknowledges for its own.
type Addrs = Vec<(u16, Address)>;
fn homes(
    b: &Building,
    cfg: &ScenarioConfig,
    devices: &[(usize, usize)],
    units: &[(usize, &Device)],
) -> Vec<(Addrs, Addrs)> {
    let mut out = vec![(Vec::new(), Vec::new()); units.len()];
    let addrs = |p: usize, i: usize| {
        let pan = pan_id(cfg.seed, p);
        let mut v = vec![(pan, Address::Extended(ExtAddr(eui64(p, i).0)))];
        if b.premises[p].devices[i].kind == DeviceKind::Chf {
            v.push((pan, Address::Short(0x0000)));
        }
        v
    };
    // Home unit of each device (None: no unit of an installation serving it hears it).
    let home: Vec<Option<usize>> = devices
        .iter()
        .map(|&(p, i)| {
            let d = &b.premises[p].devices[i];
            (0..units.len())
                .filter(|&n| b.alt_han[units[n].0].serves(&b.premises[p].id))
                .filter_map(|n| Some((n, b.band_closes(d, units[n].1, cfg.band)?.0)))
                .fold(None, |best: Option<(usize, f64)>, (n, m)| match best {
                    Some((_, bm)) if bm >= m => best,
                    _ => Some((n, m)),
                })
                .map(|(n, _)| n)
        })
        .collect();
    for (k, &(p, i)) in devices.iter().enumerate() {
        let Some(h) = home[k] else { continue };
        out[h].0.extend(addrs(p, i));
        let d = &b.premises[p].devices[i];
        let solo = units.iter().filter(|u| u.0 == units[h].0).count() == 1;
        // The homes of the devices of its premises that cannot reach it.
        let mut ackers: Vec<usize> = devices
            .iter()
            .enumerate()
            .filter(|&(j, &(q, o))| q == p && o != i && home[j].is_some())
            .filter(|&(_, &(q, o))| {
                b.band_closes(&b.premises[q].devices[o], d, cfg.band)
                    .is_none()
            })
            .filter_map(|(j, _)| home[j])
            .filter(|&n| solo || n != h)
            .collect();
        ackers.sort_unstable();
        ackers.dedup();
        for n in ackers {
            out[n].1.extend(addrs(p, i));
        }
    }
    out
}

/// One premises at one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PremisesCounters {
    /// Premises id.
    pub id: String,
    /// Frames carried, emitted and dropped by reason.
    #[serde(flatten)]
    pub counters: Counters,
}

/// One unit in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// Installation id.
    pub installation: String,
    /// Unit id.
    pub id: String,
    /// The channel of each of its radios.
    pub channels: Vec<u8>,
    /// What the unit did.
    pub stats: UnitStats,
    /// Its backhaul towards every peer, summed.
    pub backhaul: BackhaulStats,
    /// Mean backhaul delay of a delivered frame, ms.
    pub backhaul_delay_ms: f64,
    /// Isolation counters per premises served.
    pub premises: Vec<PremisesCounters>,
    /// Drops no served premises can be blamed for.
    pub unattributed: Counters,
}

/// The devices' summary and the units'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSummary {
    /// Per premises, as han-devices summarises it.
    #[serde(flatten)]
    pub devices: Summary,
    /// Every unit (absent without Alt HAN equipment).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alt_han: Vec<UnitRow>,
}

/// Summarise a finished run.
pub fn summarise(b: &Building, run: &Run, cfg: &ScenarioConfig) -> SimSummary {
    let nodes = run.world.nodes();
    let alt_han = run
        .units
        .iter()
        .filter_map(|(inst, n)| {
            let u = nodes.get(*n as usize)?.unit()?;
            let backhaul = u
                .backhaul()
                .into_iter()
                .fold(BackhaulStats::default(), |a, (_, s)| a.plus(s));
            Some(UnitRow {
                installation: inst.clone(),
                id: u.id.clone(),
                channels: u.channels().to_vec(),
                stats: u.stats,
                backhaul,
                backhaul_delay_ms: backhaul.mean_delay_ms(),
                premises: u
                    .isolation
                    .premises()
                    .iter()
                    .zip(&u.isolation.counters)
                    .map(|(p, c)| PremisesCounters {
                        id: p.id.clone(),
                        counters: c.clone(),
                    })
                    .collect(),
                unattributed: u.isolation.unattributed.clone(),
            })
        })
        .collect();
    SimSummary {
        devices: han_devices::scenario::summarise(b, &run.world, cfg),
        alt_han,
    }
}

impl SimSummary {
    /// The summary as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The devices' lines, then one line per unit.
    pub fn text(&self) -> String {
        let mut out = self.devices.text();
        for u in &self.alt_han {
            let dropped: u64 = u
                .premises
                .iter()
                .map(|p| &p.counters)
                .chain([&u.unattributed])
                .flat_map(|c| c.dropped.values())
                .sum();
            out += &format!(
                "Alt HAN {} unit {} (channel{} {}): heard {}, carried {}, emitted {}, dropped {dropped}; backhaul {} sent, {} delivered, {} lost, {} dropped while down, mean delay {:.2} ms\n",
                u.installation,
                u.id,
                if u.channels.len() > 1 { "s" } else { "" },
                u.channels
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                u.stats.heard,
                u.premises.iter().map(|p| p.counters.carried).sum::<u64>(),
                u.stats.emitted,
                u.backhaul.sent,
                u.backhaul.delivered,
                u.backhaul.lost,
                u.backhaul.dropped_down,
                u.backhaul_delay_ms,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;
    use std::collections::BTreeMap;

    fn bundled(name: &str) -> Building {
        bundled::building(name).unwrap()
    }

    #[test]
    fn the_installation_runs_clear_of_the_block_wifi() {
        // The block names no channel; its access points on 802.11 channels 1, 5 and 11
        // overlap 802.15.4 channel 15 (Wi-Fi 5, 7 MHz off: in band), the default.
        let b = bundled("flat-block.toml");
        let air = han_mesh::sim::building_air(&b, Band::Ghz2_4);
        let all = |_: usize| true;
        let k = installation_channels(&b, Band::Ghz2_4, &air.devices, &[], &all, 1)[0];
        assert_ne!(k, b.channel_2g4);
        let radios: Vec<&Device> = air
            .devices
            .iter()
            .map(|&(p, i)| &b.premises[p].devices[i])
            .collect();
        let on = |k: u8| radios.iter().map(|d| (*d, k)).collect::<Vec<_>>();
        let worst = |k: u8| {
            wifi_on(&b, Band::Ghz2_4, &on(k), f64::NEG_INFINITY)
                .iter()
                .flat_map(|i| i.powers.iter().map(|&(_, p)| p))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        assert!(
            worst(k) + 15.0 < worst(b.channel_2g4),
            "{} vs {}",
            worst(k),
            worst(15)
        );
        // On the building's own channel the interferers are the building's.
        let same = wifi_on(&b, Band::Ghz2_4, &on(b.channel_2g4), air.air.noise_dbm);
        assert_eq!(same.len(), air.interferers.len());
        for (a, b) in same.iter().zip(&air.interferers) {
            assert_eq!(a.powers.len(), b.powers.len());
            for (x, y) in a.powers.iter().zip(&b.powers) {
                assert!(x.0 == y.0 && (x.1 - y.1).abs() < 1e-9, "{x:?} {y:?}");
            }
        }
        // At 868 MHz, or with a channel the file fixes, the building's channel stands.
        assert_eq!(
            installation_channels(&b, Band::Mhz868, &air.devices, &[], &all, 4),
            [b.channel_2g4]
        );
        let mut fixed = bundled("flat-block.toml");
        fixed.channel_2g4_fixed = true;
        assert_eq!(
            installation_channels(&fixed, Band::Ghz2_4, &air.devices, &[], &all, 4),
            [15]
        );
    }

    #[test]
    fn a_large_installation_puts_at_most_sixteen_premises_on_a_channel() {
        let (name, src) = bundled::TOWER_BASEMENT;
        let plan = crate::plan::plan(&bundled(name));
        let (b, ids) = crate::apply::applied(src, &plan).unwrap();
        assert_eq!(ids.len(), 138);
        let cfg = ScenarioConfig::default();
        let devices = han_mesh::sim::air_devices(&b, cfg.band);
        let served = |p: usize| ids.contains(&b.premises[p].id);
        let units: Vec<&Device> = b.alt_han.iter().flat_map(|i| &i.units).collect();
        let plan = ChannelPlan::new(&b, &cfg, &devices, &units, &served, false);
        let mut count = BTreeMap::new();
        for p in 0..b.premises.len() {
            assert_eq!(plan.of[p].is_some(), served(p));
            if let Some(k) = plan.of[p] {
                *count.entry(k).or_insert(0) += 1;
            }
        }
        assert!(
            count.values().all(|&n| n <= PREMISES_PER_CHANNEL),
            "{count:?}"
        );
        assert_eq!(plan.channels.len(), count.len());
        assert!(plan.channels.len() >= 138usize.div_ceil(PREMISES_PER_CHANNEL));
        // A premises hearing Wi-Fi took the channel where it hears least among those that
        // had room: none left with room is quieter for it.
        let exposure = |p: usize| {
            let mut e = [0.0; 16];
            for &(q, i) in devices.iter().filter(|&&(q, _)| q == p) {
                worst_of(
                    &mut e,
                    &wifi_exposure(&b, cfg.band, &b.premises[q].devices[i]),
                );
            }
            e
        };
        let room: Vec<u8> = CHANNELS
            .filter(|k| count.get(k).copied().unwrap_or(0) < PREMISES_PER_CHANNEL)
            .collect();
        let mut exposed = 0;
        for p in (0..b.premises.len()).filter(|&p| served(p)) {
            let e = exposure(p);
            let floor =
                10f64.powf((han_mesh::sim::air_for(&b, cfg.band, -100.0).noise_dbm - 10.0) / 10.0);
            if e.iter().all(|&x| x < floor) {
                continue;
            }
            exposed += 1;
            let mine = e[usize::from(plan.of(p) - 11)];
            assert!(
                room.iter().all(|&k| mine <= e[usize::from(k - 11)]),
                "{}",
                b.premises[p].id
            );
        }
        assert!(exposed > 16, "{exposed}");
        // Flat 042 (level 3, beside its router on 802.11 channel 13, and its neighbours' on
        // 1, 6 and 11): 10 dB less Wi-Fi than on channel 20, the one quietest for the tower.
        let f042 = b.premises.iter().position(|p| p.id == "flat-042").unwrap();
        let e = exposure(f042);
        assert!(
            e[usize::from(plan.of(f042) - 11)] * 10.0 < e[20 - 11],
            "{e:?}"
        );
        // A unit listens on the channels of the premises homed at it.
        let flat = |p: usize| (pan_id(cfg.seed, p), Address::Short(0x0000));
        let first = (0..b.premises.len()).find(|&p| served(p)).unwrap();
        let last = (0..b.premises.len()).rev().find(|&p| served(p)).unwrap();
        let mut both = vec![plan.of(first), plan.of(last)];
        both.sort_unstable();
        both.dedup();
        assert_eq!(
            plan.channels_of(&[flat(last), flat(first), flat(first)]),
            both
        );
        assert_eq!(plan.channels_of(&[]), [plan.channels[0]]);
    }

    #[test]
    fn premises_away_from_wifi_fill_the_quietest_channels_in_order() {
        // 40 copies of the terraced house without its Wi-Fi router fill 16, 16 and 8 on the
        // three quietest channels, neighbours together.
        let mut b = bundled("terraced-house.toml");
        let one = b.premises[0].clone();
        b.premises = (0..40).map(|_| one.clone()).collect();
        b.wifi.clear();
        b.channel_2g4_fixed = false;
        let cfg = ScenarioConfig::default();
        let devices = han_mesh::sim::air_devices(&b, cfg.band);
        let all = |_: usize| true;
        let plan = ChannelPlan::new(&b, &cfg, &devices, &[], &all, false);
        let quiet = installation_channels(&b, cfg.band, &devices, &[], &all, 3);
        assert_eq!(plan.channels, quiet);
        let expect: Vec<Option<u8>> = (0..40).map(|p| Some(quiet[p / 16])).collect();
        assert_eq!(plan.of, expect);
        // One channel when asked, or when the file names one.
        let one = ChannelPlan::new(&b, &cfg, &devices, &[], &all, true);
        assert_eq!(one.channels, [b.channel_2g4]);
        b.channel_2g4_fixed = true;
        let fixed = ChannelPlan::new(&b, &cfg, &devices, &[], &all, false);
        assert!(fixed.of.iter().all(|&k| k == Some(b.channel_2g4)));
    }
}
