//! NWK Leave and rejoin in the terraced house: the comms hub tells the IHD to leave and
//! rejoin (it comes back with a secure rejoin) and the ESME to leave for good (it goes,
//! its parent forgets it, and it sends nothing more); a gas meter that slept through a
//! network key update behind a router gets the current key with a trust-centre rejoin.

use han_devices::host::{DeviceHost, Outage};
use han_devices::scenario::{ScenarioConfig, Summary, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::Building;

fn run(cfg: &ScenarioConfig, secs: u64) -> (World<DeviceHost>, Summary) {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let (mut w, _) = build(&b, cfg);
    w.run_until(SimTime::ZERO + Duration::secs(secs));
    let s = summarise(&b, &w, cfg);
    (w, s)
}

#[test]
fn told_to_leave_a_device_goes_or_comes_back() {
    let cfg = ScenarioConfig {
        leaves: vec![
            ("ihd".into(), Duration::secs(3600), true),
            ("esme".into(), Duration::secs(7200), false),
        ],
        ..ScenarioConfig::default()
    };
    let (w, s) = run(&cfg, 3 * 3600);
    let p = &s.premises[0];
    let text = s.text();
    let dev = |k: &str| p.devices.iter().find(|d| d.kind == k).unwrap();
    assert_eq!(dev("CHF").stack.leave_requests_sent, 2, "{text}");
    // The IHD left and came straight back with a secure rejoin, keeping its address.
    let ihd = dev("IHD");
    let left = ihd.stack.left_at_s.expect("the IHD left");
    assert!((3600.0..3601.0).contains(&left), "{left}");
    assert_eq!(
        ihd.stack.join_outcomes.get("SECURE_REJOIN"),
        Some(&1),
        "{text}"
    );
    let back = ihd.stack.rejoined_at_s.expect("the IHD rejoined");
    assert!(back > left && back < left + 5.0, "{back}");
    assert!(ihd.nwk_addr.is_some(), "{text}");
    // The ESME left for good: no address, no attempt to join again, gone from the hub's
    // child table, and its reports to the IHD stopped.
    let esme = dev("ESME");
    let gone = esme.stack.left_at_s.expect("the ESME left");
    assert!((7200.0..7201.0).contains(&gone), "{gone}");
    assert_eq!(esme.nwk_addr, None, "{text}");
    assert_eq!(
        esme.stack.join_outcomes.len(),
        1,
        "{:?}",
        esme.stack.join_outcomes
    );
    let ch = w.nodes().iter().find(|h| h.id == "ch").unwrap();
    let esme_host = w.nodes().iter().find(|h| h.id == "esme").unwrap();
    assert!(
        ch.children()
            .iter()
            .all(|(_, e)| *e != esme_host.ext_addr()),
        "{:?}",
        ch.children()
    );
    assert!(!ch.children().is_empty());
    let display = p.ihd.as_ref().unwrap();
    // Reports every 10 s until 7200 s, none in the last hour.
    assert!(display.electricity_updates > 600, "{text}");
    assert!(display.electricity_updates < 730, "{text}");
}

#[test]
fn a_sleepy_gas_meter_told_to_leave_goes_at_its_next_poll() {
    // The Leave request waits at the gas meter's parent until the meter polls after its
    // next push (Zigbee PRO R22 3.6.1.10.2), not just macTransactionPersistenceTime.
    let told = 4200.0;
    let cfg = ScenarioConfig {
        leaves: vec![("gsme".into(), Duration::secs(told as u64), false)],
        ..ScenarioConfig::default()
    };
    let (w, s) = run(&cfg, 2 * 3600);
    let p = &s.premises[0];
    let text = s.text();
    let dev = |k: &str| p.devices.iter().find(|d| d.kind == k).unwrap();
    assert_eq!(dev("CHF").stack.leave_requests_sent, 1, "{text}");
    let gsme = dev("GSME");
    let left = gsme.stack.left_at_s.expect("the gas meter left");
    // Later than the 7.68 s a MAC transaction persists, within one wake period.
    assert!(left > told + 7.68, "{left}");
    assert!(left < told + 1800.0 + 60.0, "{left}");
    assert_eq!(gsme.nwk_addr, None, "{text}");
    let gsme_ext = w
        .nodes()
        .iter()
        .find(|h| h.id == "gsme")
        .unwrap()
        .ext_addr();
    for h in w.nodes() {
        assert!(
            h.children().iter().all(|(_, e)| *e != gsme_ext),
            "{} still has the gas meter",
            h.id
        );
    }
}

#[test]
fn a_key_update_missed_behind_a_router_is_caught_up_by_a_trust_centre_rejoin() {
    // The hub's outage moves the gas meter behind the IHD (a secure rejoin); the key
    // update after it reaches the IHD, but the gas meter sleeps through its Transport Key
    // and the Switch Key.
    let cfg = ScenarioConfig {
        outages: vec![(
            "ch".into(),
            Outage {
                at: Duration::secs(3600),
                length: Duration::secs(600),
            },
        )],
        key_updates: vec![Duration::secs(4300)],
        ..ScenarioConfig::default()
    };
    let (w, s) = run(&cfg, 3 * 3600);
    let p = &s.premises[0];
    let text = s.text();
    let gsme = p.devices.iter().find(|d| d.kind == "GSME").unwrap();
    let outcomes = &gsme.stack.join_outcomes;
    assert_eq!(outcomes.get("SECURE_REJOIN"), Some(&1), "{outcomes:?}");
    assert_eq!(outcomes.get("KEY_MISSED"), Some(&1), "{outcomes:?}");
    assert_eq!(outcomes.get("TC_REJOIN"), Some(&1), "{outcomes:?}");
    let key = |id: &str| {
        w.nodes()
            .iter()
            .find(|h| h.id == id)
            .and_then(|h| h.network_key())
    };
    assert_eq!(key("gsme"), key("ch"));
    assert_eq!(key("ch").map(|(_, seq)| seq), Some(1));
    // The pushes after the rejoin reach the mirror.
    let g = p.gas.as_ref().unwrap();
    assert_eq!(g.mirror_l, g.last_pushed_l, "{text}");
    assert_eq!(g.register_l, g.profile_l);
}
