//! The full GB devices with the planned Alt HAN equipment on one air: the devices join and
//! read across the gateway units as if they were not there.
use han_althan::apply::applied;
use han_althan::gateway::isolation::Drop;
use han_althan::plan::plan;
use han_althan::sim::{GatewayConfig, Run, SimSummary, build, summarise};
use han_devices::scenario::{PremisesRow, ScenarioConfig, eui64, pan_id};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;
use han_radio::bundled;
use han_radio::device::DeviceKind;
use han_radio::units::Band;
use han_stack::mac::{Address, FrameFlags, MacFrame, MacPayload};
use han_stack::nwk::frame::NwkFrame;
use han_stack::wire::Wire;

/// The bundled building planned, the plan applied, and the planned premises' ids.
fn planned(name: &str) -> (Building, Vec<String>) {
    let (file, src) = bundled::ALL
        .iter()
        .find(|(f, _)| *f == name)
        .copied()
        .unwrap();
    let p = plan(&Building::from_toml(file, src).unwrap());
    applied(src, &p).unwrap()
}

fn run(b: &Building, g: &GatewayConfig, band: Band, secs: u64) -> (Run, SimSummary) {
    let cfg = ScenarioConfig {
        band,
        ..ScenarioConfig::default()
    };
    let mut r = build(b, &cfg, g);
    r.world.run_until(SimTime::ZERO + Duration::secs(secs));
    let s = summarise(b, &r, &cfg);
    (r, s)
}

/// Every device joined and the IHD's electricity data fresh: updated, never more than two
/// minutes between updates after the first half hour's joining.
fn works(p: &PremisesRow) -> bool {
    let joined = p.devices.iter().all(|d| d.nwk_addr.is_some());
    let ihd = p.ihd.as_ref();
    joined && ihd.is_some_and(|i| i.electricity_updates > 0 && i.electricity_max_gap_s <= 120.0)
}

#[test]
fn farmhouse_ihd_is_fresh_through_the_p2p_pair_and_stale_without() {
    let (b, ids) = planned("farmhouse.toml");
    assert_eq!(ids, ["high-barn-farm"]);
    let (_, before) = run(
        &b,
        &GatewayConfig {
            without_units: true,
            ..GatewayConfig::default()
        },
        Band::Ghz2_4,
        3600,
    );
    let p = &before.devices.premises[0];
    let ihd = p.ihd.as_ref().unwrap();
    assert_eq!(ihd.electricity_updates, 0, "{}", before.text());
    assert!(!works(p));
    let (r, after) = run(&b, &GatewayConfig::default(), Band::Ghz2_4, 3600);
    let p = &after.devices.premises[0];
    assert!(works(p), "{}", after.text());
    // The IHD's parent is across the pair; the units carried its frames with the backhaul's
    // latency and learned the short addresses the joins assigned.
    assert_eq!(after.alt_han.len(), 2);
    for u in &after.alt_han {
        assert!(u.stats.emitted > 0 && u.backhaul.delivered > 0, "{u:?}");
        assert!(u.stats.learned > 0, "{u:?}");
        assert!(u.backhaul_delay_ms >= 0.2, "{u:?}");
    }
    assert!(r.world.nodes().len() > 3);
}

#[test]
fn a_ten_minute_backhaul_outage_loses_no_meter_reading() {
    let (b, _) = planned("farmhouse.toml");
    let down = (
        SimTime::ZERO + Duration::secs(1200),
        SimTime::ZERO + Duration::secs(1800),
    );
    let g = GatewayConfig {
        backhaul_outages: vec![down],
        ..GatewayConfig::default()
    };
    let (_, s) = run(&b, &g, Band::Ghz2_4, 3600);
    let p = &s.devices.premises[0];
    // The outage is in the stats: frames dropped on the backhaul while it was down.
    let dropped: u64 = s.alt_han.iter().map(|u| u.backhaul.dropped_down).sum();
    assert!(dropped > 100, "{}", s.text());
    // No reading is lost and the IHD stays fresh: at the farmhouse each unit (by the house
    // wall) hears both ends, so what one hears it re-emits itself to its own devices while
    // the backhaul is down; the odd frame lost meanwhile is resent by the MAC and APS.
    assert_eq!(p.readings_lost, 0, "{}", s.text());
    // At most two reports go unacknowledged (each recovered by the next): besides the odd
    // one lost to the outage, the ESME's first route discovery to the IHD that has just
    // joined can fail (the IHD answers a route request over its parent only after the
    // parent's first link status lists it), and the reports held for it are given up.
    let e = p.electricity.as_ref().unwrap();
    assert!(e.reports[1] + 2 >= e.reports[0], "{}", s.text());
    let ihd = p.ihd.as_ref().unwrap();
    assert!(ihd.electricity_max_gap_s <= 60.0, "{}", s.text());
    assert_eq!(ihd.electricity_wh, e.last_reported_wh, "{}", s.text());
}

#[test]
fn a_grey_direct_link_at_868_mhz_does_not_make_routing_flap() {
    // Unfaded at 868 MHz the ESME and the IHD hear each other directly, 4 dB over their
    // sensitivity (under the survey's 10 dB margin, so the pair carries them too): a grey
    // link where a frame now and then finds the channel busy or misses its ACK.
    let (b, _) = planned("farmhouse.toml");
    let (_, s) = run(&b, &GatewayConfig::default(), Band::Mhz868, 7200);
    let p = &s.devices.premises[0];
    assert!(works(p), "{}", s.text());
    let e = p.electricity.as_ref().unwrap();
    let acked = e.reports[1] as f64 / e.reports[0] as f64;
    assert!(acked >= 0.95, "{acked} {}", s.text());
    // Three routers (hub, ESME, IHD) with two router neighbours each: every router learns
    // its route to each of the other two when the IHD joins (6), and a topology that does
    // not change should not cost more than one re-learnt route per router pair and hour
    // (6 an hour): at most 18 in two hours. A flapping route (one MAC failure or busy
    // channel breaking the link, discovery, the next link status restoring it) made 320.
    assert!(p.route_changes <= 18, "{}", s.text());
}

/// The seconds `s` into a run.
fn at(s: u64) -> SimTime {
    SimTime::ZERO + Duration::secs(s)
}

/// How often `needle` occurs in `hay`.
fn occurrences(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn the_shared_node_carries_no_crafted_frame_with_the_devices_running() {
    let (b, ids) = planned("flat-block.toml");
    let cfg = ScenarioConfig::default();
    let index = |id: &str| b.premises.iter().position(|p| p.id == id).unwrap();
    let (pa, pb) = (index(&ids[0]), index(&ids[1]));
    let kind_at = |p: usize, k: DeviceKind| {
        b.premises[p]
            .devices
            .iter()
            .position(|d| d.kind == k)
            .unwrap()
    };
    let eui = |p: usize, k: DeviceKind| eui64(p, kind_at(p, k));
    let (pan_a, pan_b) = (pan_id(cfg.seed, pa), pan_id(cfg.seed, pb));
    let node =
        |r: &Run, id: String| r.world.nodes().iter().position(|n| n.id() == id).unwrap() as u32;
    // Flat A's ESME in the meter room, next to the shared unit, is the attacker.
    let run_it = |attack: bool| {
        let mut r = build(&b, &cfg, &GatewayConfig::default());
        r.world.capture_air();
        let esme_a = node(&r, format!("{}-esme", ids[0]));
        let unit = r.units[0].1;
        r.world.tap_node(node(&r, format!("{}-ch", ids[0])));
        r.world.run_until(at(900));
        let heard = r.world.take_heard();
        // A secured NWK frame of a flat A device, to replay, from a MAC source the unit has
        // learnt (it drops one it has not as unknown before any replay check: it learns short
        // addresses only from the association responses it carries, and may miss one).
        let learnt = r.world.nodes()[unit as usize]
            .unit()
            .unwrap()
            .isolation
            .premises()
            .iter()
            .find(|h| h.id == ids[0])
            .map(|h| h.short.clone())
            .unwrap();
        let replayed = heard
            .iter()
            .find(|h| {
                MacFrame::parse_with_fcs(&h.psdu).is_ok_and(|(f, _, _)| match (&f.payload, f.src) {
                    (MacPayload::Data(d), Address::Short(s)) if learnt.contains(&s) => {
                        NwkFrame::from_bytes(d).is_ok_and(|n| n.aux.is_some())
                    }
                    _ => false,
                })
            })
            .map(|h| h.psdu.clone())
            .expect("a secured frame of a flat A device the unit knows");
        // A beacon of flat B's hub, re-sent from flat A's hub's EUI-64.
        let beacon = heard
            .iter()
            .find_map(|h| {
                let (mut f, _, _) = MacFrame::parse_with_fcs(&h.psdu).ok()?;
                (matches!(f.payload, MacPayload::Beacon(_)) && f.src_pan == Some(pan_b)).then(
                    || {
                        f.src = Address::Extended(eui(pa, DeviceKind::Chf));
                        f.emit_with_fcs()
                    },
                )
            })
            .expect("a beacon of flat B's hub");
        let data = |pan: u16, dst: Address, src: Address| {
            let mut f = MacFrame::data(0x77, pan, dst, src, vec![0x3f, 0xee, 0xee, 0xee, 0xee]);
            // Without an ACK request each crafted frame is on the air exactly once.
            f.flags.remove(FrameFlags::ACK_REQUEST);
            f.emit_with_fcs()
        };
        let crafted: Vec<(Vec<u8>, Drop)> = vec![
            (
                data(pan_b, Address::Short(0), Address::Short(0x1234)),
                Drop::UnknownSource,
            ),
            (
                data(
                    pan_b,
                    Address::Short(0),
                    Address::Extended(eui(pa, DeviceKind::Esme)),
                ),
                Drop::ForgedSource,
            ),
            (
                data(0xffff, Address::BROADCAST, Address::Short(0x1234)),
                Drop::CrossPan,
            ),
            (
                data(
                    pan_a,
                    Address::Extended(eui(pb, DeviceKind::Ihd)),
                    Address::Extended(eui(pa, DeviceKind::Esme)),
                ),
                Drop::ForeignDestination,
            ),
            (
                data(0x9999, Address::Short(0), Address::Short(0x1234)),
                Drop::ForeignPan,
            ),
            (beacon, Drop::ForgedSource),
            (replayed, Drop::Replay),
        ];
        let dropped = |r: &Run, why: Drop| -> u64 {
            let iso = &r.world.nodes()[unit as usize].unit().unwrap().isolation;
            iso.counters
                .iter()
                .chain([&iso.unattributed])
                .map(|c| c.dropped.get(&why).copied().unwrap_or(0))
                .sum()
        };
        // Per crafted frame, how much its reason's count rose over the second it was sent in.
        let mut counted = Vec::new();
        if attack {
            for (k, (f, why)) in crafted.iter().enumerate() {
                r.world.run_until(at(900 + 10 * k as u64));
                let before = dropped(&r, *why);
                r.world.inject(esme_a, f.clone());
                r.world.run_until(at(901 + 10 * k as u64));
                counted.push(dropped(&r, *why) - before);
            }
        }
        r.world.run_until(at(1800));
        let capture = r.world.take_capture().unwrap();
        let s = summarise(&b, &r, &cfg);
        (s, crafted, capture, counted)
    };
    let (s, crafted, capture, counted) = run_it(true);
    let (quiet, _, quiet_capture, _) = run_it(false);
    for (k, (f, why)) in crafted.iter().enumerate() {
        // On the air once more than without the attack (the injection; the replayed frame
        // was on the air before as the ESME sent it), never re-emitted by the unit.
        assert_eq!(
            occurrences(&capture, f),
            occurrences(&quiet_capture, f) + 1,
            "crafted frame {k} ({why:?})"
        );
        // Counted under its reason when the unit heard it.
        assert!(counted[k] >= 1, "crafted frame {k} ({why:?}) not counted");
    }
    // The served flats' own traffic is undisturbed: the same devices joined, and no more
    // readings lost than without the attack, give or take two: the seven frames more on the
    // air shift every later random draw (backoffs, bit errors), so the odd reading the
    // quiet run loses to a collision moves to another time. Flats the node does not serve
    // are left out: what happens there says nothing about the node.
    for (p, q) in s
        .devices
        .premises
        .iter()
        .zip(&quiet.devices.premises)
        .filter(|(p, _)| ids.contains(&p.id))
    {
        let joined = |x: &PremisesRow| x.devices.iter().filter(|d| d.nwk_addr.is_some()).count();
        assert_eq!(joined(p), joined(q), "{}", p.id);
        assert!(
            p.readings_lost <= q.readings_lost + 2,
            "{}: {} vs {}",
            p.id,
            p.readings_lost,
            q.readings_lost
        );
    }
}

/// The farmhouse with a gas meter in the house and the pair's units placed so that only the
/// backhaul joins the two sides: one by the meter post (it hears the hub and the ESME), one in
/// the IHD's room (it hears the IHD and the GSME); no device hears one of the other side.
fn farmhouse_split_by_the_backhaul() -> Building {
    let (file, src) = bundled::ALL[2];
    assert_eq!(file, "farmhouse.toml");
    let src =
        han_althan::apply::apply(src, &plan(&Building::from_toml(file, src).unwrap())).unwrap();
    let src = src
        .replace(
            "  { id = \"ihd\",  kind = \"ihd\",  floor = 0, at = [40.5, 5.5], height_m = 1.0 },\n",
            "  { id = \"ihd\",  kind = \"ihd\",  floor = 0, at = [40.5, 5.5], height_m = 1.0 },\n  { id = \"gsme\", kind = \"gsme\", floor = 0, at = [40.0, 6.5], height_m = 0.5 },\n",
        )
        .replace("at = [34.0, 8.0]", "at = [3.0, 5.0]")
        .replace("at = [36.0, 8.0]", "at = [40.0, 3.0]");
    let b = Building::from_toml("farmhouse-split.toml", &src).unwrap();
    let inst = &b.alt_han[0];
    let dev = |id: &str| b.premises[0].devices.iter().find(|d| d.id == id).unwrap();
    let hears = |u: usize, id: &str| {
        b.band_closes(dev(id), &inst.units[u], Band::Ghz2_4)
            .is_some()
    };
    // The test is only worth its name if the units really split the premises.
    assert_eq!(b.premises[0].devices.len(), 4);
    for id in ["ch", "esme"] {
        assert!(hears(0, id) && !hears(1, id), "{id}");
        for other in ["gsme", "ihd"] {
            assert!(!hears(0, other) && hears(1, other), "{other}");
            let direct = b.band_closes(dev(id), dev(other), Band::Ghz2_4);
            assert!(direct.is_none(), "{id}-{other}");
        }
    }
    b
}

#[test]
fn a_backhaul_outage_on_the_only_path_loses_no_reading_they_are_recovered() {
    let b = farmhouse_split_by_the_backhaul();
    // Down from 25 to 35 minutes: across the GSME's first push (30 min after it joins).
    let g = GatewayConfig::default().with_outages(&[(
        Some(b.alt_han[0].id.clone()),
        Duration::secs(1500),
        Duration::secs(600),
    )]);
    let (_, s) = run(&b, &g, Band::Ghz2_4, 4200);
    let p = &s.devices.premises[0];
    assert!(
        p.devices.iter().all(|d| d.nwk_addr.is_some()),
        "{}",
        s.text()
    );
    let dropped: u64 = s.alt_han.iter().map(|u| u.backhaul.dropped_down).sum();
    assert!(dropped > 100, "{}", s.text());
    // The outage broke the only path: the ESME gave up on the reports it sent meanwhile and
    // the GSME on its push ...
    let e = p.electricity.as_ref().unwrap();
    let gas = p.gas.as_ref().unwrap();
    assert!(e.reports[2] >= 40, "{}", s.text());
    assert_eq!(gas.pushes[2], 1, "{}", s.text());
    // ... and every one was recovered: the next acknowledged report, and the GSME's push at
    // its next wake, carried their registers; the stats say so.
    assert_eq!(e.reports_recovered, e.reports[2], "{}", s.text());
    assert_eq!(gas.pushes_recovered, 1, "{}", s.text());
    assert_eq!(p.readings_lost, 0, "{}", s.text());
    assert_eq!(p.readings_recovered, e.reports[2] + 1);
    assert!(
        s.text().contains("recovered by a later reading"),
        "{}",
        s.text()
    );
    // The GPF's mirror and the IHD end up with the meters' registers.
    assert_eq!(gas.mirror_l, gas.last_pushed_l, "{}", s.text());
    let ihd = p.ihd.as_ref().unwrap();
    assert_eq!(ihd.electricity_wh, e.last_reported_wh, "{}", s.text());
    // The IHD was stale for the outage only.
    assert!(
        ihd.electricity_max_gap_s >= 600.0 && ihd.electricity_max_gap_s <= 700.0,
        "{}",
        s.text()
    );
}
