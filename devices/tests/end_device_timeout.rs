//! End device timeout in the terraced house: the gas meter asks its parent for a 64-minute
//! timeout and its 30-minute polls keep it; when it is off for two hours its parent ages
//! it out, and when it polls again it is told to leave and rejoin, and it does.

use han_devices::host::Outage;
use han_devices::scenario::{ScenarioConfig, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;

fn run(cfg: &ScenarioConfig, secs: u64) -> han_devices::scenario::Summary {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let (mut w, _) = build(&b, cfg);
    w.run_until(SimTime::ZERO + Duration::secs(secs));
    summarise(&b, &w, cfg)
}

#[test]
fn polls_keep_a_sleepy_child_and_silence_ages_it_out() {
    let s = run(&ScenarioConfig::default(), 3 * 3600);
    let p = &s.premises[0];
    let gsme = p.devices.iter().find(|d| d.kind == "GSME").unwrap();
    assert_eq!(gsme.stack.end_device_timeout_s, Some(3840), "{}", s.text());
    assert!(p.devices.iter().all(|d| d.stack.children_aged_out == 0));

    let (off, length) = (3600, 7200);
    let cfg = ScenarioConfig {
        outages: vec![(
            "gsme".into(),
            Outage {
                at: Duration::secs(off),
                length: Duration::secs(length),
            },
        )],
        ..ScenarioConfig::default()
    };
    let s = run(&cfg, 5 * 3600);
    let p = &s.premises[0];
    let text = s.text();
    let aged: u32 = p.devices.iter().map(|d| d.stack.children_aged_out).sum();
    assert_eq!(aged, 1, "{text}");
    let gsme = p.devices.iter().find(|d| d.kind == "GSME").unwrap();
    // Back on, at its first wake it pushed and polled; the parent that no longer knew it
    // told it to leave and rejoin at once.
    let left = gsme.stack.left_at_s.expect("told to leave");
    let back = (off + length) as f64;
    let wake = han_devices::gsme::PUSH_PERIOD.as_secs_f64();
    assert!(left > back && left < back + wake + 5.0, "{left}: {text}");
    let rejoined = gsme.stack.rejoined_at_s.unwrap();
    assert!(rejoined > left && rejoined < left + 5.0, "{rejoined}");
    assert_eq!(
        gsme.stack.join_outcomes.get("SECURE_REJOIN"),
        Some(&1),
        "{text}"
    );
    assert!(gsme.nwk_addr.is_some());
    let g = p.gas.as_ref().unwrap();
    assert_eq!(g.mirror_l, g.last_pushed_l, "{text}");
    assert_eq!(g.register_l, g.profile_l);
}
