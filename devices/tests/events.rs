//! Scenario events in a run: an IHD carried out of range and back, a wall and a door
//! changed, Wi-Fi switched on and off, a top-up on the PPMID and a price change.

use han_devices::events::{Events, parse};
use han_devices::scenario::{ScenarioConfig, Summary, build, summarise};
use han_devices::timeline::Timeline;
use han_mesh::sim::building_air;
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;
use han_radio::units::Band;

fn building(name: &str, src: &str) -> Building {
    Building::from_toml(name, src).unwrap()
}

fn house() -> Building {
    building(
        "terraced-house.toml",
        include_str!("../../examples/buildings/terraced-house.toml"),
    )
}

fn at(s: u64) -> SimTime {
    SimTime::ZERO + Duration::secs(s)
}

/// Run `b` with `events` to each of `stops` (seconds) in turn, calling `look` there.
fn run(
    b: &mut Building,
    events: &str,
    stops: &[u64],
    mut look: impl FnMut(u64, &Building, &han_mesh::World<han_devices::host::DeviceHost>, &Summary),
) -> Summary {
    let ev: Events = parse("events.toml", events, b).unwrap();
    let cfg = ScenarioConfig {
        top_ups: ev.top_ups.clone(),
        price_changes: ev.price_changes.clone(),
        leaves: ev.leaves.clone(),
        fast_polls: ev.fast_polls.clone(),
        ..ScenarioConfig::default()
    };
    let (mut w, _) = build(b, &cfg);
    let mut t = Timeline::new(b, cfg.band, &mut w, ev);
    let mut last = None;
    for &s in stops {
        t.run(b, &mut w, at(s), Duration::secs(60), None, |_| {});
        let mut sum = summarise(b, &w, &cfg);
        sum.events = t.rows();
        sum.air = t.windows();
        look(s, b, &w, &sum);
        last = Some(sum);
    }
    last.unwrap()
}

#[test]
fn an_ihd_carried_out_of_range_goes_stale_and_recovers_when_back() {
    let mut b = house();
    let events = r#"
[[move]]
device = "ihd"
at = "1h"
to = [1000.0, 1.5]

[[move]]
device = "ihd"
at = "2h"
to = [10.2, 1.5]
"#;
    let ihd_node = 3u32;
    let mut stale = Vec::new();
    let s = run(&mut b, events, &[3600, 7200, 10800], |s, b, w, sum| {
        let d = sum.premises[0].ihd.clone().unwrap();
        stale.push((s, d.electricity_stale_samples, d.electricity_updates));
        // The link table is what a fresh build of the building as it is now gives.
        assert_eq!(w.links(), &building_air(b, Band::Ghz2_4).links, "at {s} s");
        if s == 7200 {
            // Nothing it sends or is sent gets above the receivers' sensitivity.
            let sens = w.config().sensitivity_dbm;
            let heard = |tx: u32, rx: u32| {
                w.links()
                    .power_mw(tx, rx)
                    .is_some_and(|p| 10.0 * p.log10() >= sens)
            };
            assert!((0..3).all(|o| !heard(ihd_node, o) && !heard(o, ihd_node)));
        }
    });
    let [(_, s1, u1), (_, s2, u2), (_, s3, u3)] = stale[..] else {
        panic!("{stale:?}")
    };
    assert_eq!(s1, 0, "{stale:?}");
    // Away for an hour: stale from a minute after it left.
    assert!(s2 > 3400, "{stale:?}");
    assert!(u2 - u1 < 5, "{stale:?}");
    // Back: reports flow again within a couple of minutes.
    assert!(s3 - s2 < 300, "{stale:?}");
    assert!(u3 - u2 > 300, "{stale:?}");
    assert_eq!(s.events.len(), 2);
    assert!(s.events[0].links_changed.unwrap() >= 6, "{:?}", s.events);
    assert!(
        s.text()
            .contains("event at 3600 s: ihd moved to [1000, 1.5] on level 0")
    );
}

#[test]
fn a_wall_and_a_door_change_the_links_through_them_only() {
    let mut b = house();
    // The ground floor's kitchen wall (brick, x = 7.5) stands between the IHD and the rest.
    let events = r#"
[[wall]]
at = "10m"
level = 0
point = [7.5, 2.0]
material = "metal-door"

[[door]]
at = "20m"
level = 0
point = [7.5, 2.0]
open = true

[[door]]
at = "30m"
level = 0
point = [7.5, 2.0]
open = false
"#;
    let ch_ihd = |w: &han_mesh::World<han_devices::host::DeviceHost>| {
        10.0 * w.links().power_mw(0, 3).unwrap().log10()
    };
    let ch_esme = |w: &han_mesh::World<han_devices::host::DeviceHost>| w.links().power_mw(0, 1);
    let mut seen = Vec::new();
    run(&mut b, events, &[600, 1200, 1800, 2400], |s, b, w, _| {
        seen.push((s, ch_ihd(w), ch_esme(w)));
        assert_eq!(w.links(), &building_air(b, Band::Ghz2_4).links, "at {s} s");
    });
    let p: Vec<f64> = seen.iter().map(|x| x.1).collect();
    // Brick 6 dB; metal door 15 dB: 9 dB weaker; open: 6 dB stronger than brick; closed
    // again: brick again.
    assert!((p[0] - p[1] - 9.0).abs() < 0.01, "{seen:?}");
    assert!((p[2] - p[0] - 6.0).abs() < 0.01, "{seen:?}");
    assert!((p[3] - p[0]).abs() < 1e-4, "{seen:?}");
    // CH and ESME share the cupboard: their link does not cross the wall.
    assert!(seen.iter().all(|x| x.2 == seen[0].2));
}

#[test]
fn wifi_switched_on_makes_the_channel_busy() {
    let mut b = house();
    // The house's own access point off for the first hour; a microwave oven next to the
    // IHD on its channel during the second.
    let events = r#"
[[switch]]
source = "wifi-1"
at = "0"
on = false

[[interferer]]
name = "microwave"
level = 0
point = [10.0, 1.0]
channel = 11
tx_power_dbm = 30
duty = 0.6

[[switch]]
source = "microwave"
at = "1h"
on = true

[[switch]]
source = "microwave"
at = "2h"
on = false
"#;
    let s = run(&mut b, events, &[3 * 3600], |_, _, _, _| {});
    assert_eq!(s.air.len(), 3, "{:?}", s.air);
    let (quiet, busy, after) = (&s.air[0], &s.air[1], &s.air[2]);
    assert_eq!(
        (quiet.from_s, busy.from_s, after.from_s),
        (0.0, 3600.0, 7200.0)
    );
    // Per frame on the air, the oven's hour has far more busy channel assessments and
    // corrupted frames than the hours around it.
    let rate = |n: u64, w: &han_devices::timeline::AirWindow| n as f64 / w.ppdus as f64;
    assert!(
        rate(busy.busy_ccas, busy) > 10.0 * rate(after.busy_ccas, after).max(1e-3),
        "{:?}",
        s.air
    );
    assert!(busy.corrupted > after.corrupted + 10, "{:?}", s.air);
    assert!(s.text().contains("air 3600–7200 s:"));
}

#[test]
fn a_top_up_reaches_the_esme_and_a_new_price_reaches_the_ihd() {
    let mut b = building(
        "semi-detached-garage.toml",
        include_str!("../../examples/buildings/semi-detached-garage.toml"),
    );
    let ppmid = b.premises[0]
        .devices
        .iter()
        .find(|d| d.kind == han_radio::device::DeviceKind::Ppmid)
        .unwrap()
        .id
        .clone();
    let events = format!(
        "[[top_up]]\ndevice = \"{ppmid}\"\nat = \"20m\"\npence = 2500\n\n[[price]]\nat = \"40m\"\np_per_kwh = 35.5\n"
    );
    let mut before = None;
    let s = run(&mut b, &events, &[2400, 3000], |t, _, _, sum| {
        if t == 2400 {
            before = Some(sum.premises[0].clone());
        }
    });
    let (p0, p1) = (before.unwrap(), &s.premises[0]);
    let (_, accepted) = p1.ppmid.clone().unwrap();
    assert!(accepted.contains(&2500), "{accepted:?}");
    // The hour's automatic top-up is still to come: only the entered one so far.
    assert_eq!(accepted, [2500]);
    assert_eq!(
        p0.ihd.as_ref().unwrap().price_p_per_kwh,
        Some(28.0),
        "before the change"
    );
    assert_eq!(p1.ihd.as_ref().unwrap().price_p_per_kwh, Some(35.5));
    // The ESME charges the new rate from then on: its credit falls faster than at 28 p.
    let (e0, e1) = (
        p0.electricity.unwrap(),
        p1.electricity.as_ref().unwrap().clone(),
    );
    let used_wh = (e1.register_wh - e0.register_wh) as f64;
    let fell = (e0.credit_p - e1.credit_p) as f64;
    assert!(used_wh > 50.0, "{used_wh}");
    assert!(
        (fell - used_wh * 35.5 / 1000.0).abs() <= 2.0,
        "{fell} for {used_wh} Wh"
    );
}

#[test]
fn leave_events_send_devices_away_and_back() {
    let mut b = house();
    let events = r#"
[[leave]]
device = "gsme"
at = "1h"
rejoin = true

[[leave]]
device = "ihd"
at = "2h"
"#;
    let s = run(&mut b, events, &[3 * 3600], |_, _, _, _| {});
    let p = &s.premises[0];
    let text = s.text();
    let dev = |k: &str| p.devices.iter().find(|d| d.kind == k).unwrap();
    assert_eq!(dev("CHF").stack.leave_requests_sent, 2, "{text}");
    // The gas meter left at its next poll and came back with a secure rejoin; its
    // pushes go on reaching the mirror.
    let gsme = dev("GSME");
    let left = gsme.stack.left_at_s.expect("the gas meter left");
    assert!((3600.0..3600.0 + 1860.0).contains(&left), "{left}");
    assert_eq!(
        gsme.stack.join_outcomes.get("SECURE_REJOIN"),
        Some(&1),
        "{text}"
    );
    assert!(gsme.stack.rejoined_at_s.is_some_and(|t| t > left), "{text}");
    assert!(gsme.nwk_addr.is_some(), "{text}");
    let g = p.gas.as_ref().unwrap();
    assert_eq!(g.mirror_l, g.last_pushed_l, "{text}");
    // The IHD left for good.
    let ihd = dev("IHD");
    assert!(
        ihd.stack
            .left_at_s
            .is_some_and(|t| (7200.0..7201.0).contains(&t)),
        "{text}"
    );
    assert_eq!(ihd.nwk_addr, None, "{text}");
    let rows: Vec<&str> = s.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        rows,
        ["gsme told to leave and rejoin", "ihd told to leave"],
        "{text}"
    );
}

#[test]
fn fast_poll_mode_brings_the_esme_updates_to_the_ihd_every_2_s_for_its_minutes() {
    let mut b = house();
    let events = r#"
[[fast_poll]]
device = "ihd"
at = "1h"
minutes = 5
period_s = 1
"#;
    let s = run(&mut b, events, &[4200], |_, _, _, _| {});
    let p = &s.premises[0];
    let text = s.text();
    let d = p.ihd.as_ref().unwrap();
    // Asked for 1 s; the ESME's FastPollUpdatePeriod (2 s) is the fastest it gives.
    assert_eq!(d.fast_poll_applied_s, Some(2), "{text}");
    // Five minutes of updates every 2 s (a few lost to the air at most).
    assert!(
        (135..=151).contains(&d.fast_poll_updates),
        "{}",
        d.fast_poll_updates
    );
    // Then back to every 10 s: about 417 normal updates over the run and the fast ones.
    let normal = d.electricity_updates - d.fast_poll_updates;
    assert!((370..=420).contains(&normal), "{normal}");
    let [sent, acked, _] = p.electricity.as_ref().unwrap().reports;
    assert!(
        sent >= d.electricity_updates && acked + 10 >= sent,
        "{sent} {acked}"
    );
}

#[test]
fn bad_event_files_are_refused_with_positions() {
    let b = house();
    let e = parse(
        "ev.toml",
        "[[move]]\ndevice = \"fridge\"\nat = \"1h\"\nto = [1.0, 2.0]\n",
        &b,
    )
    .unwrap_err();
    assert_eq!(
        e,
        "ev.toml:2:10: move device: no device \"fridge\" in the building"
    );
}
