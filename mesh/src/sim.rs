//! `han sim`: a building's devices on the virtual air with a simple traffic generator —
//! every device sends one acknowledged data frame to its premises' comms hub per interval.
//! Sleepy devices (the gas meter) sleep between sends and poll right after each one; the
//! hub answers every frame of a sleepy device with one held for it (indirect
//! transmission), as the GSME "give me my next queued message" exchange does (domain.md 1.3).

use crate::energy::{Currents, Energy, battery_life_days, node_energy};
use crate::medium::LinkTable;
use crate::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions};
use crate::stats::{LinkStats, Stats};
use crate::time::{Duration, SimTime};
use crate::world::{AirConfig, Interferer, World};
use han_radio::building::Building;
use han_radio::device::DeviceKind;
use han_radio::geometry::Search;
use han_radio::link::{bandwidth, noise_floor};
use han_radio::units::Band;
use han_stack::mac::engine::TxStatus;
use han_stack::mac::indirect::{
    DEFAULT_PERSISTENCE_UNITS, PendingTransactions, data_request, persistence_ns,
};
use han_stack::mac::{Address, FrameType, MacFrame};
use han_stack::wire::ExtAddr;
use serde::Serialize;

/// Length of one Wi-Fi burst (a typical aggregated frame plus its ACK; an assumption).
pub const WIFI_BURST_US: u64 = 1_500;

/// The PAN every premises uses (one channel, one PAN for the whole building for now).
pub const PAN_ID: u16 = 0x4841;

/// Parameters of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Simulated time.
    pub duration: Duration,
    /// Seed of all random streams.
    pub seed: u64,
    /// Time between a device's frames to its comms hub.
    pub interval: Duration,
    /// Octets of application payload per frame.
    pub payload: usize,
    /// The band every device uses (each device needs a radio in it).
    pub band: Band,
    /// Battery capacity of battery devices for the life estimate, mAh (an assumption: one
    /// 3.6 V lithium AA cell is about 2,600 mAh; no GB meter figure is in domain.md).
    pub battery_mah: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            duration: Duration::secs(3600),
            seed: 1,
            interval: Duration::secs(60),
            payload: 40,
            band: Band::Ghz2_4,
            battery_mah: 2600.0,
        }
    }
}

/// One device on the air.
#[derive(Debug, Clone)]
pub struct DeviceNode {
    index: u32,
    /// Device id from the building file.
    pub id: String,
    /// Its kind.
    pub kind: DeviceKind,
    hub: Option<u16>,
    interval: Duration,
    payload: usize,
    seq: u8,
    /// Sleeps between sends and polls its hub.
    pub sleepy: bool,
    /// Sleepy devices this hub holds frames for (hubs only).
    sleepy_children: Vec<u16>,
    pending: PendingTransactions,
}

/// Timer: send the next frame.
const SEND: u32 = 0;
/// Timer: the earliest held frame expires.
const EXPIRY: u32 = 1;
/// Timer: stop waiting for a frame the hub said was pending.
const NAP: u32 = 2;
/// Transmit handles.
const DATA: u32 = 0;
const POLL: u32 = 1;
const REPLY: u32 = 2;
/// How long a sleepy device listens after an ACK with frame pending
/// (macMaxFrameTotalWaitTime-like, ms).
const WAIT_FOR_FRAME_MS: u64 = 100;

fn short_addr(i: u32) -> u16 {
    (i + 1) as u16
}

impl Node for DeviceNode {
    fn radio_config(&self) -> RadioConfig {
        RadioConfig {
            pan_id: PAN_ID,
            short_addr: short_addr(self.index),
            ext_addr: ExtAddr(0x0012_4b00_0100_0000 | u64::from(self.index)),
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match input {
            NodeInput::Start => {
                if self.sleepy {
                    ctx.sleep();
                }
                if self.hub.is_some() {
                    let first = SimTime(ctx.rng.range_u64(0, self.interval.0.max(1)));
                    ctx.set_timer(SEND, first);
                }
            }
            NodeInput::Timer(SEND) => {
                if let Some(hub) = self.hub {
                    let f = self.frame(Address::Short(hub));
                    ctx.transmit(DATA, f.emit_with_fcs(), TxOptions::default());
                    ctx.set_timer(SEND, ctx.now + self.interval);
                }
            }
            NodeInput::Timer(EXPIRY) => {
                for t in self.pending.expire(ctx.now.0) {
                    ctx.set_pending(t.dst, self.pending.has_pending(t.dst));
                }
                self.arm_expiry(ctx);
            }
            NodeInput::Timer(NAP) => ctx.sleep(),
            NodeInput::TransmitDone { handle, result } => {
                if !self.sleepy {
                    return;
                }
                match (handle, result, self.hub) {
                    (DATA, _, Some(hub)) => {
                        let seq = self.next_seq();
                        let f = data_request(
                            seq,
                            PAN_ID,
                            Address::Short(hub),
                            Address::Short(short_addr(self.index)),
                        );
                        ctx.transmit(POLL, f.emit_with_fcs(), TxOptions::default());
                    }
                    (
                        POLL,
                        TxStatus::Success {
                            frame_pending: true,
                        },
                        _,
                    ) => {
                        ctx.set_timer(NAP, ctx.now + Duration::millis(WAIT_FOR_FRAME_MS));
                    }
                    _ => ctx.sleep(),
                }
            }
            NodeInput::Received(r) => {
                if self.sleepy {
                    ctx.sleep();
                }
                self.hub_received(r.psdu, ctx);
            }
            _ => {}
        }
    }
}

impl DeviceNode {
    fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn frame(&mut self, dst: Address) -> MacFrame {
        let seq = self.next_seq();
        MacFrame::data(
            seq,
            PAN_ID,
            dst,
            Address::Short(short_addr(self.index)),
            // 0x3f: "not a LoWPAN frame", so captures dissect as plain data.
            std::iter::once(0x3f)
                .chain((1..self.payload).map(|i| i as u8))
                .collect(),
        )
    }

    fn arm_expiry(&self, ctx: &mut NodeCtx<'_>) {
        if let Some(t) = self.pending.next_expiry() {
            ctx.set_timer(EXPIRY, SimTime(t));
        }
    }

    /// A hub holds a reply for each frame from a sleepy child and hands it over when the
    /// child polls.
    fn hub_received(&mut self, psdu: &[u8], ctx: &mut NodeCtx<'_>) {
        if self.sleepy_children.is_empty() {
            return;
        }
        let Some((f, _, true)) = MacFrame::parse_with_fcs(psdu).ok() else {
            return;
        };
        let Address::Short(src) = f.src else { return };
        if !self.sleepy_children.contains(&src) {
            return;
        }
        match f.frame_type {
            FrameType::Data => {
                let reply = self.frame(f.src).emit_with_fcs();
                self.pending.push(ctx.now.0, f.src, REPLY, reply);
                ctx.set_pending(f.src, true);
                self.arm_expiry(ctx);
            }
            FrameType::Command => {
                if let Some(t) = self.pending.take(f.src) {
                    ctx.transmit(t.handle, t.psdu, TxOptions::default());
                    ctx.set_pending(f.src, self.pending.has_pending(f.src));
                }
            }
            _ => {}
        }
    }
}

/// The air of a building in `band` for receivers of `sensitivity_dbm`: the band's PHY and
/// duty-cycle rules, the building's noise figure, the CCA threshold as far above the
/// sensitivity as the band's default.
pub fn air_for(b: &Building, band: Band, sensitivity_dbm: f64) -> AirConfig {
    let base = match band {
        Band::Ghz2_4 => AirConfig::default(),
        Band::Mhz868 => AirConfig::gb868(),
    };
    AirConfig {
        sensitivity_dbm,
        cca_threshold_dbm: sensitivity_dbm + (base.cca_threshold_dbm - base.sensitivity_dbm),
        noise_dbm: noise_floor(bandwidth(band), b.noise_figure).0,
        ..base
    }
}

/// The air of a building in one band: its parameters, the link table, the devices with a
/// radio in the band (premises index, device index in the premises), in node order, and
/// the Wi-Fi access points as interferers.
pub struct BuildingAir {
    /// Receiver and channel parameters.
    pub air: AirConfig,
    /// Received power between every pair of devices.
    pub links: LinkTable,
    /// (premises index, device index) of each node.
    pub devices: Vec<(usize, usize)>,
    /// Wi-Fi access points as duty-cycled bursts at every device they reach.
    pub interferers: Vec<Interferer>,
}

/// The building's Wi-Fi access points as duty-cycled bursts at the `devices` (node order)
/// they reach, and the interferer of each access point in file order (None: it reaches
/// no device or never transmits).
pub fn wifi_interferers(
    b: &Building,
    band: Band,
    devices: &[(usize, usize)],
    noise_dbm: f64,
) -> (Vec<Interferer>, Vec<Option<u32>>) {
    let mut interferers = Vec::new();
    let mut index = Vec::new();
    for ap in &b.wifi {
        let powers: Vec<(u32, f64)> = devices
            .iter()
            .enumerate()
            .filter_map(|(n, &(p, i))| {
                let d = &b.premises[p].devices[i];
                Some((n as u32, wifi_dbm(b, ap, d, band, noise_dbm)?))
            })
            .collect();
        if !powers.is_empty() && ap.duty > 0.0 {
            index.push(Some(interferers.len() as u32));
            interferers.push(Interferer {
                powers,
                duty: ap.duty,
                burst: Duration::micros(WIFI_BURST_US),
            });
        } else {
            index.push(None);
        }
    }
    (interferers, index)
}

/// The devices of `b` with a radio in `band`, in node order: (premises index, device index).
pub fn air_devices(b: &Building, band: Band) -> Vec<(usize, usize)> {
    b.premises
        .iter()
        .enumerate()
        .flat_map(|(p, pr)| pr.devices.iter().enumerate().map(move |(i, _)| (p, i)))
        .filter(|&(p, i)| b.premises[p].devices[i].radio(band).is_some())
        .collect()
}

/// The power `rx` receives from `tx` in `band` (dBm; None without a path): han-radio's
/// link budget over the traced path.
pub fn link_dbm(
    b: &Building,
    tx: &han_radio::building::Device,
    rx: &han_radio::building::Device,
    band: Band,
) -> Option<f64> {
    let t = b.trace(tx.pos, tx.floor, rx.pos, rx.floor, Search::Indexed);
    b.budget(tx, rx, &t, band).map(|bu| bu.rx.0)
}

/// The power of access point `ap` at `d` while it transmits (dBm), if it is at least
/// `noise_dbm` − 10 dB: below that a burst moves the SINR by under 0.4 dB.
pub fn wifi_dbm(
    b: &Building,
    ap: &han_radio::building::WifiAp,
    d: &han_radio::building::Device,
    band: Band,
    noise_dbm: f64,
) -> Option<f64> {
    let p = b.wifi_power_at(ap, d, band, Search::Indexed)?.0;
    (p >= noise_dbm - 10.0).then_some(p)
}

/// The link table from han-radio's link budgets (path loss, walls, floors, enclosures,
/// antenna gains) for every device of `b` with a radio in `band`.
pub fn building_air(b: &Building, band: Band) -> BuildingAir {
    let devices: Vec<(usize, usize, &han_radio::building::Device)> = air_devices(b, band)
        .into_iter()
        .map(|(p, i)| (p, i, &b.premises[p].devices[i]))
        .collect();
    let sensitivity = devices
        .iter()
        .filter_map(|(_, _, d)| d.radio(band).map(|r| r.sensitivity.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let air = air_for(b, band, sensitivity);
    let positions = devices
        .iter()
        .map(|(_, _, d)| [d.pos.x, d.pos.y, d.pos.z])
        .collect();
    let links = LinkTable::build(positions, air.noise_dbm - 10.0, |a, c| {
        link_dbm(b, devices[a].2, devices[c].2, band)
    });
    let devices: Vec<(usize, usize)> = devices.iter().map(|(p, i, _)| (*p, *i)).collect();
    let (interferers, _) = wifi_interferers(b, band, &devices, air.noise_dbm);
    BuildingAir {
        air,
        links,
        devices,
        interferers,
    }
}

/// Build the world for a building: one node per device with a radio in the band, over
/// [`building_air`].
pub fn build(b: &Building, cfg: &SimConfig) -> World<DeviceNode> {
    let BuildingAir {
        air,
        links,
        devices,
        interferers,
    } = building_air(b, cfg.band);
    let device = |(p, i): (usize, usize)| &b.premises[p].devices[i];
    let hub_of = |p: usize| {
        devices
            .iter()
            .position(|&(q, i)| q == p && device((q, i)).kind == DeviceKind::Chf)
    };
    let persistence = persistence_ns(DEFAULT_PERSISTENCE_UNITS, air.phy.symbol_ns);
    let sleepy_in = |p: usize| -> Vec<u16> {
        devices
            .iter()
            .enumerate()
            .filter(|(_, (q, i))| *q == p && device((*q, *i)).kind == DeviceKind::Gsme)
            .map(|(n, _)| short_addr(n as u32))
            .collect()
    };
    let nodes = devices
        .iter()
        .enumerate()
        .map(|(n, &(p, i))| {
            let d = device((p, i));
            DeviceNode {
                index: n as u32,
                id: d.id.clone(),
                kind: d.kind,
                hub: hub_of(p).filter(|&h| h != n).map(|h| short_addr(h as u32)),
                interval: cfg.interval,
                payload: cfg.payload.clamp(1, 100),
                seq: 0,
                sleepy: d.kind == DeviceKind::Gsme,
                sleepy_children: if d.kind == DeviceKind::Chf {
                    sleepy_in(p)
                } else {
                    Vec::new()
                },
                pending: PendingTransactions::new(persistence),
            }
        })
        .collect();
    let mut world = World::new(air, links, nodes, cfg.seed);
    for i in interferers {
        world.add_interferer(i);
    }
    world
}

/// One link in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkSummary {
    /// Sending device id.
    pub from: String,
    /// Receiving device id.
    pub to: String,
    /// Delivered / requested.
    pub delivery_ratio: f64,
    /// Counters.
    pub stats: LinkStats,
}

/// Radio energy of one battery device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatteryRow {
    /// Device id.
    pub device: String,
    /// Average radio current and charge per day.
    pub energy: Energy,
    /// Days the battery lasts at that rate.
    pub life_days: f64,
}

/// What `han sim` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Devices on the air.
    pub devices: usize,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// PPDUs on the air.
    pub ppdus: u64,
    /// Data requests confirmed successful / all data requests.
    pub delivery_ratio: f64,
    /// Channel load (sum of on-air time / duration).
    pub channel_load: f64,
    /// Every link with traffic, by (from, to) index.
    pub links: Vec<LinkSummary>,
    /// The five links with the lowest delivery ratio.
    pub worst_links: Vec<LinkSummary>,
    /// Battery devices' radio energy and battery life.
    pub batteries: Vec<BatteryRow>,
}

/// Summarise a finished run; battery life at `battery_mah`.
pub fn summarise(world: &World<DeviceNode>, stats: &Stats, battery_mah: f64) -> Summary {
    let name = |i: u32| world.nodes()[i as usize].id.clone();
    let row = |src: u32, dst: u32, s: &LinkStats| LinkSummary {
        from: name(src),
        to: name(dst),
        delivery_ratio: s.delivery_ratio(),
        stats: *s,
    };
    let c = stats.confirms;
    let sent = c.success + c.no_ack + c.channel_access_failure;
    Summary {
        devices: world.nodes().len(),
        simulated_s: stats.duration_ns as f64 / 1e9,
        ppdus: stats.ppdus,
        delivery_ratio: if sent == 0 {
            1.0
        } else {
            c.success as f64 / sent as f64
        },
        channel_load: stats.channel_load(),
        links: stats
            .links
            .iter()
            .filter(|(_, s)| s.requests > 0)
            .map(|(&(a, b), s)| row(a, b, s))
            .collect(),
        worst_links: stats
            .worst_links(5)
            .iter()
            .map(|r| row(r.src, r.dst, &r.stats))
            .collect(),
        batteries: world
            .nodes()
            .iter()
            .zip(&stats.nodes)
            .filter(|(n, _)| n.sleepy)
            .map(|(n, s)| {
                let energy = node_energy(s, stats.duration_ns, &Currents::default());
                BatteryRow {
                    device: n.id.clone(),
                    life_days: battery_life_days(energy.average_ua, battery_mah),
                    energy,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb868_reaches_further_than_2g4() {
        let (name, src) = han_radio::bundled::DEFAULT;
        let b = Building::from_toml(name, src).unwrap();
        let ratio = |band| {
            let cfg = SimConfig {
                duration: Duration::secs(1200),
                band,
                ..SimConfig::default()
            };
            let mut w = build(&b, &cfg);
            w.run_until(SimTime::ZERO + cfg.duration);
            let s = w.stats();
            summarise(&w, &s, 2600.0).delivery_ratio
        };
        let (g24, g868) = (ratio(Band::Ghz2_4), ratio(Band::Mhz868));
        assert!(g868 > g24, "868 MHz {g868} vs 2.4 GHz {g24}");
    }

    #[test]
    fn terraced_house_delivers() {
        let (name, src) = han_radio::bundled::ALL[0];
        let b = Building::from_toml(name, src).unwrap();
        let cfg = SimConfig {
            duration: Duration::secs(600),
            ..SimConfig::default()
        };
        let mut w = build(&b, &cfg);
        w.run_until(SimTime::ZERO + cfg.duration);
        let s = w.stats();
        let sum = summarise(&w, &s, cfg.battery_mah);
        assert_eq!(sum.batteries.len(), 1);
        // Asleep nearly all the time: tens of µA at most, years of battery.
        assert!(
            sum.batteries[0].energy.average_ua < 50.0,
            "{:?}",
            sum.batteries
        );
        assert!(sum.batteries[0].life_days > 365.0);
        assert!(sum.devices >= 2);
        assert!(!sum.links.is_empty());
        assert!(sum.ppdus > 0);
        assert!(sum.links.iter().all(|l| l.stats.requests >= 9));
        // The gas meter slept most of the time and got its replies from the hub.
        let gsme = w.nodes().iter().position(|n| n.sleepy).unwrap();
        assert!(s.nodes[gsme].sleep_ns > cfg.duration.0 * 9 / 10);
        let hub_to_gsme = s
            .links
            .iter()
            .find(|((_, d), _)| *d == gsme as u32)
            .map(|(_, l)| *l)
            .unwrap();
        assert!(hub_to_gsme.delivered >= 9, "{hub_to_gsme:?}");
    }
}
