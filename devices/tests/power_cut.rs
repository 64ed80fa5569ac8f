//! A 10-minute power cut at the comms hub of the terraced house: the CH comes back with
//! its keys, counters and children; the gas meter, which lost its parent, rejoins (a
//! secure NWK rejoin through a router, not a new association); the meters' registers
//! still equal what the profiles consumed and the mirror catches up.

use han_devices::host::Outage;
use han_devices::scenario::{ScenarioConfig, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;

#[test]
fn devices_come_back_and_nothing_is_counted_twice() {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let (cut, back) = (3600.0, 4200.0);
    let cfg = ScenarioConfig {
        outages: vec![(
            "ch".into(),
            Outage {
                at: Duration::secs(3600),
                length: Duration::secs(600),
            },
        )],
        ..ScenarioConfig::default()
    };
    let (mut w, _) = build(&b, &cfg);
    w.run_until(SimTime::ZERO + Duration::secs(3 * 3600));
    let s = summarise(&b, &w, &cfg);
    let p = &s.premises[0];
    let text = s.text();
    let chf = p.devices.iter().find(|d| d.kind == "CHF").unwrap();
    assert_eq!(chf.stack.power_cuts, 1);
    // Everyone is in at the end; the gas meter noticed at its first wake in the cut and
    // rejoined at once with a secure rejoin (a scan and a Rejoin Request: under a second)
    // through a router, which needs no trust centre.
    for d in &p.devices {
        assert!(d.nwk_addr.is_some(), "{}: {text}", d.id);
        assert_eq!(
            d.stack.replays_dropped, 0,
            "frame counters survived: {}",
            d.id
        );
    }
    let gsme = p.devices.iter().find(|d| d.kind == "GSME").unwrap();
    let outcomes = &gsme.stack.join_outcomes;
    assert_eq!(outcomes.get("PARENT_LOST"), Some(&1), "{text}");
    assert_eq!(outcomes.get("SECURE_REJOIN"), Some(&1), "{outcomes:?}");
    assert_eq!(
        outcomes.get("SUCCESS"),
        Some(&1),
        "one association only: {outcomes:?}"
    );
    let again = gsme.stack.rejoined_at_s.expect("the GSME joined again");
    let wake = han_devices::gsme::PUSH_PERIOD.as_secs_f64();
    assert!(again > cut && again < cut + wake + 1.0, "{again}: {text}");
    assert_ne!(gsme.parent_addr, Some(0x0000), "rejoined through a router");
    // Registers equal the profiles; the mirror has the last push, after the outage.
    let e = p.electricity.as_ref().unwrap();
    assert_eq!(e.register_wh, e.profile_wh);
    let g = p.gas.as_ref().unwrap();
    assert_eq!(g.register_l, g.profile_l);
    assert_eq!(g.mirror_l, g.last_pushed_l, "{text}");
    // The push during the outage was lost; the ones after were acknowledged.
    assert_eq!(g.pushes[2], 1, "{text}");
    assert_eq!(g.pushes[1] + g.pushes[2], g.pushes[0]);
    // The IHD saw gas again after the outage, and electricity (straight from the ESME)
    // throughout.
    let ihd = p.ihd.as_ref().unwrap();
    // One reading (1821 s) predates the cut, three come after it; a read whose response
    // is lost on the air is sent again, so none is missed.
    assert!(ihd.gas_updates >= 4, "{} {text}", ihd.gas_updates);
    assert!(ihd.electricity_max_gap_s < 12.0, "{text}");
    assert!(cut < back);
}
