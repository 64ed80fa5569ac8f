//! Checking a plan on the virtual air: the building (with its `[[alt_han]]` equipment) runs in
//! han-mesh, every device sending a reading to its comms hub each interval, once without and
//! once with the gateway units; a premises passes when enough readings arrive and none of
//! its devices goes stale. Every link runs at its faded level (received power less the
//! building's fade margin), the condition the survey requires a link to survive. Until the
//! full device behaviours exist the traffic is this simple generator (each premises its own
//! PAN; no sleepy polling, no APS retries, no Wi-Fi).
use crate::gateway::backhaul::{BackhaulLink, BackhaulModel};
use crate::gateway::isolation::{Isolation, PremisesHan};
use crate::gateway::unit::GatewayUnit;
use han_mesh::medium::LinkTable;
use han_mesh::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions};
use han_mesh::rng::{Purpose, Stream};
use han_mesh::sim::air_for;
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::{Building, Device};
use han_radio::device::DeviceKind;
use han_radio::geometry::Search;
use han_radio::units::Band;
use han_stack::mac::{Address, MacFrame, MacPayload};
use han_stack::wire::ExtAddr;
use serde::Serialize;
use std::collections::BTreeSet;

/// Channel every node uses (one per band is enough: premises are told apart by PAN).
const CHANNEL: u8 = 11;
/// PAN of premises `p` is `PAN_BASE + p`.
const PAN_BASE: u16 = 0x4100;
/// Stream numbers of backhaul loss draws start here (clear of the nodes' own streams).
const BACKHAUL_STREAMS: u32 = 1 << 20;

/// What to run and what to require.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VerifyConfig {
    /// Virtual time simulated.
    pub duration: Duration,
    /// Time between a device's readings.
    pub interval: Duration,
    /// Seed.
    pub seed: u64,
    /// Band every device uses.
    pub band: Band,
    /// Share of readings that must arrive.
    pub delivery_target: f64,
    /// Longest gap between arriving readings of any device, in intervals.
    pub fresh_intervals: u64,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            duration: Duration::secs(3600),
            interval: Duration::secs(60),
            seed: 1,
            band: Band::Mhz868,
            delivery_target: 0.95,
            fresh_intervals: 3,
        }
    }
}

/// Readings of one premises' devices at its hub.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Delivery {
    /// Readings sent.
    pub sent: u64,
    /// Distinct readings the hub received.
    pub received: u64,
    /// received / sent (1 when nothing was sent).
    pub ratio: f64,
    /// Longest time any device went without a reading arriving, seconds.
    pub worst_gap_s: f64,
}

/// Before and after for one premises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PremisesCheck {
    /// Premises id.
    pub id: String,
    /// Without the Alt HAN equipment.
    pub before: Delivery,
    /// With it.
    pub after: Delivery,
    /// `after` meets the delivery and freshness targets.
    pub ok: bool,
}

/// A device sending readings to its hub, or the hub recording them.
#[derive(Debug)]
struct Traffic {
    pan: u16,
    short: u16,
    ext: u64,
    /// Hub's short address, for senders.
    hub: Option<u16>,
    interval: Duration,
    seq: u8,
    sent: u64,
    /// At a hub: (sender short, reading number, arrival).
    heard: Vec<(u16, u32, SimTime)>,
}

impl Traffic {
    fn reading(&mut self) -> MacFrame {
        self.seq = self.seq.wrapping_add(1);
        self.sent += 1;
        let mut payload = vec![0x3f];
        payload.extend_from_slice(&(self.sent as u32).to_le_bytes());
        MacFrame::data(
            self.seq,
            self.pan,
            Address::Short(self.hub.unwrap_or(0)),
            Address::Short(self.short),
            payload,
        )
    }
}

enum VerifyNode {
    Device(Traffic),
    Unit(Box<GatewayUnit>),
}

const SEND: u32 = 0;

impl Node for VerifyNode {
    fn radio_config(&self) -> RadioConfig {
        match self {
            VerifyNode::Device(t) => RadioConfig {
                channel: CHANNEL,
                pan_id: t.pan,
                short_addr: t.short,
                ext_addr: ExtAddr(t.ext),
                ..RadioConfig::default()
            },
            VerifyNode::Unit(u) => u.radio_config(),
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        let t = match self {
            VerifyNode::Unit(u) => return u.handle(input, ctx),
            VerifyNode::Device(t) => t,
        };
        match input {
            NodeInput::Start if t.hub.is_some() => {
                let first = SimTime(ctx.rng.range_u64(0, t.interval.0.max(1)));
                ctx.set_timer(SEND, first);
            }
            NodeInput::Timer(SEND) => {
                let f = t.reading();
                ctx.transmit(0, f.emit_with_fcs(), TxOptions::default());
                ctx.set_timer(SEND, ctx.now + t.interval);
            }
            NodeInput::Received(r) if t.hub.is_none() => {
                let Ok((f, _, true)) = MacFrame::parse_with_fcs(r.psdu) else {
                    return;
                };
                if let (Address::Short(src), MacPayload::Data(p)) = (f.src, &f.payload)
                    && let Some(n) = p.get(1..5).and_then(|b| <[u8; 4]>::try_from(b).ok())
                {
                    t.heard.push((src, u32::from_le_bytes(n), ctx.now));
                }
            }
            _ => {}
        }
    }
}

/// Devices of the run: (premises, device) with a radio in the band.
fn devices(b: &Building, band: Band) -> Vec<(usize, &Device)> {
    b.premises
        .iter()
        .enumerate()
        .flat_map(|(p, pr)| pr.devices.iter().map(move |d| (p, d)))
        .filter(|(_, d)| d.radio(band).is_some())
        .collect()
}

/// Short address of device `k` of a premises (the hub is 0x0000).
fn short_of(d: &Device, k: usize) -> u16 {
    if d.kind == DeviceKind::Chf {
        0
    } else {
        k as u16 + 1
    }
}

/// Runs the building once, with or without its gateway units; per premises the delivery.
fn run(b: &Building, with_units: bool, cfg: &VerifyConfig) -> Vec<Delivery> {
    let band = cfg.band;
    let devs = devices(b, band);
    let mut nodes: Vec<VerifyNode> = Vec::new();
    let mut radios: Vec<&Device> = Vec::new();
    for (i, &(p, d)) in devs.iter().enumerate() {
        let k = devs[..i].iter().filter(|(q, _)| *q == p).count();
        let has_hub = b.premises[p]
            .devices
            .iter()
            .any(|x| x.kind == DeviceKind::Chf);
        nodes.push(VerifyNode::Device(Traffic {
            pan: PAN_BASE + p as u16,
            short: short_of(d, k),
            ext: 0x0012_4b00_0200_0000 | i as u64,
            hub: (d.kind != DeviceKind::Chf && has_hub).then_some(0),
            interval: cfg.interval,
            seq: 0,
            sent: 0,
            heard: Vec::new(),
        }));
        radios.push(d);
    }
    if with_units {
        let han = |p: usize| PremisesHan {
            id: b.premises[p].id.clone(),
            pan_id: PAN_BASE + p as u16,
            channel: CHANNEL,
            short: devs
                .iter()
                .enumerate()
                .filter(|(_, (q, _))| *q == p)
                .enumerate()
                .map(|(k, (_, (_, d)))| short_of(d, k))
                .collect(),
            ext: devs
                .iter()
                .enumerate()
                .filter(|(_, (q, _))| *q == p)
                .map(|(i, _)| 0x0012_4b00_0200_0000 | i as u64)
                .collect(),
        };
        for inst in &b.alt_han {
            let served: Vec<usize> = (0..b.premises.len())
                .filter(|&p| inst.serves(&b.premises[p].id))
                .collect();
            let first = nodes.len() as u32;
            let n = inst
                .units
                .iter()
                .filter(|u| u.radio(band).is_some())
                .count() as u32;
            for (k, u) in inst
                .units
                .iter()
                .filter(|u| u.radio(band).is_some())
                .enumerate()
            {
                let me = first + k as u32;
                let peers = (first..first + n)
                    .filter(|&o| o != me)
                    .map(|o| {
                        let rng = Stream::new(cfg.seed, BACKHAUL_STREAMS + me, Purpose::App);
                        (o, BackhaulLink::new(BackhaulModel::of(inst.backhaul), rng))
                    })
                    .collect();
                let iso = Isolation::new(served.iter().map(|&p| han(p)).collect());
                // The served devices this unit reaches, as the survey judges it.
                let near = devs
                    .iter()
                    .enumerate()
                    .filter(|(_, (q, d))| served.contains(q) && b.link_closes(d, u).is_some())
                    .map(|(i, (q, d))| {
                        let k = devs[..i].iter().filter(|(r, _)| r == q).count();
                        (PAN_BASE + *q as u16, Address::Short(short_of(d, k)))
                    })
                    .collect();
                nodes.push(VerifyNode::Unit(Box::new(
                    GatewayUnit::new(CHANNEL, iso, (0..served.len()).collect(), peers)
                        .with_near(near),
                )));
                radios.push(u);
            }
        }
    }
    let sensitivity = radios
        .iter()
        .filter_map(|d| d.radio(band).map(|r| r.sensitivity.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let air = air_for(b, band, sensitivity);
    let positions = radios.iter().map(|d| [d.pos.x, d.pos.y, d.pos.z]).collect();
    let links = LinkTable::build(positions, air.noise_dbm - 10.0, |a, c| {
        let (da, dc) = (radios[a], radios[c]);
        let t = b.trace(da.pos, da.floor, dc.pos, dc.floor, Search::Indexed);
        // Every link at its faded level: what the survey requires to survive.
        b.budget(da, dc, &t, band)
            .map(|bu| bu.rx.0 - b.fade_margin.0)
    });
    let mut w = World::new(air, links, nodes, cfg.seed);
    w.run_until(SimTime::ZERO + cfg.duration);
    let end = w.now();
    let nodes = w.nodes();
    (0..b.premises.len())
        .map(|p| {
            let of_p = || devs.iter().enumerate().filter(move |(_, (q, _))| *q == p);
            let hub = of_p().find_map(|(i, (_, d))| match (&nodes[i], d.kind) {
                (VerifyNode::Device(t), DeviceKind::Chf) => Some(t),
                _ => None,
            });
            let mut out = Delivery::default();
            for (k, (i, _)) in of_p().enumerate() {
                let VerifyNode::Device(t) = &nodes[i] else {
                    continue;
                };
                if t.hub.is_none() {
                    continue;
                }
                let short = short_of(devs[i].1, k);
                let mut got: BTreeSet<u32> = BTreeSet::new();
                let mut times = vec![SimTime::ZERO];
                for &(src, n, at) in hub.map_or(&[][..], |h| &h.heard[..]) {
                    if src == short && got.insert(n) {
                        times.push(at);
                    }
                }
                times.push(end);
                out.sent += t.sent;
                out.received += got.len() as u64;
                let gap = times.windows(2).map(|w| w[1].0 - w[0].0).max().unwrap_or(0);
                out.worst_gap_s = out.worst_gap_s.max(gap as f64 / 1e9);
            }
            out.ratio = if out.sent == 0 {
                1.0
            } else {
                out.received as f64 / out.sent as f64
            };
            out
        })
        .collect()
}

/// The plan applied to the building file `src`, then verified: every premises it fixes.
pub fn verify_plan(
    src: &str,
    plan: &crate::plan::Plan,
    cfg: &VerifyConfig,
) -> Result<Vec<PremisesCheck>, String> {
    let out = crate::apply::apply(src, plan).map_err(|e| e.to_string())?;
    let b = Building::from_toml("applied.toml", &out).map_err(|e| e.to_string())?;
    let ids: Vec<String> = plan
        .plans
        .iter()
        .filter(|x| x.fix != crate::plan::Fix::Exempt)
        .map(|x| x.id.clone())
        .collect();
    Ok(verify(&b, &ids, cfg))
}

/// Runs the building without and with its Alt HAN equipment and checks `premises` (ids).
pub fn verify(b: &Building, premises: &[String], cfg: &VerifyConfig) -> Vec<PremisesCheck> {
    let before = run(b, false, cfg);
    let after = run(b, true, cfg);
    let stale = (cfg.fresh_intervals * cfg.interval.0) as f64 / 1e9;
    b.premises
        .iter()
        .enumerate()
        .filter(|(_, p)| premises.contains(&p.id))
        .map(|(i, p)| PremisesCheck {
            id: p.id.clone(),
            before: before[i],
            after: after[i],
            ok: after[i].ratio >= cfg.delivery_target && after[i].worst_gap_s <= stale,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::apply;
    use crate::plan::{Fix, plan};
    use han_radio::bundled;

    /// The bundled building planned, the plan applied, and the planned premises' ids.
    fn planned(name: &str) -> (Building, Vec<String>) {
        let (file, src) = bundled::ALL
            .iter()
            .find(|(f, _)| *f == name)
            .copied()
            .unwrap();
        let p = plan(&Building::from_toml(file, src).unwrap());
        let out = apply(src, &p).unwrap();
        let ids = p
            .plans
            .iter()
            .filter(|x| x.fix != Fix::Exempt)
            .map(|x| x.id.clone())
            .collect();
        (Building::from_toml("applied.toml", &out).unwrap(), ids)
    }

    #[test]
    fn farmhouse_ihd_data_is_stale_before_and_fresh_after() {
        let (b, ids) = planned("farmhouse.toml");
        let r = verify(&b, &ids, &VerifyConfig::default());
        assert_eq!(r.len(), 1);
        let c = &r[0];
        // Before: only the meter next to the hub gets through; the IHD is silent all hour.
        assert!(c.before.ratio < 0.6, "{c:?}");
        assert!(c.before.worst_gap_s >= 3000.0, "{c:?}");
        assert!(c.ok, "{c:?}");
        assert!(
            c.after.ratio >= 0.95 && c.after.worst_gap_s <= 180.0,
            "{c:?}"
        );
    }

    #[test]
    fn flat_block_every_planned_flat_works() {
        let (b, ids) = planned("flat-block.toml");
        let r = verify(&b, &ids, &VerifyConfig::default());
        assert_eq!(r.len(), 12);
        for c in &r {
            assert!(c.ok, "{c:?}");
            assert!(c.before.worst_gap_s > c.after.worst_gap_s, "{c:?}");
        }
    }

    #[test]
    fn verification_is_deterministic() {
        let (b, ids) = planned("farmhouse.toml");
        let cfg = VerifyConfig::default();
        assert_eq!(verify(&b, &ids, &cfg), verify(&b, &ids, &cfg));
    }
}
