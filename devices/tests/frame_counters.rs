//! NWK frame counters survive a power cut of the device itself: the ESME, which sends a
//! report every 10 s, goes on after a 10-minute cut from the next block its non-volatile
//! memory holds, above every counter it used, so its neighbours never take its frames
//! for replays and the IHD's electricity resumes.

use han_devices::host::{FRAME_COUNTER_NVM_STEP, Outage};
use han_devices::scenario::{ScenarioConfig, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;

#[test]
fn a_device_goes_on_from_its_persisted_counter() {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let (cut, length) = (3600, 600);
    let cfg = ScenarioConfig {
        outages: vec![(
            "esme".into(),
            Outage {
                at: Duration::secs(cut),
                length: Duration::secs(length),
            },
        )],
        ..ScenarioConfig::default()
    };
    let (mut w, _) = build(&b, &cfg);
    let counter = |w: &han_mesh::world::World<han_devices::host::DeviceHost>| {
        w.nodes()
            .iter()
            .find(|h| h.id == "esme")
            .unwrap()
            .nwk_frame_counter()
    };
    w.run_until(SimTime::ZERO + Duration::secs(cut - 1));
    let before = counter(&w);
    assert!(before > 300, "{before}");
    w.run_until(SimTime::ZERO + Duration::secs(cut + length + 1));
    let after = counter(&w);
    assert!(
        after >= before.next_multiple_of(FRAME_COUNTER_NVM_STEP),
        "{before} -> {after}"
    );
    w.run_until(SimTime::ZERO + Duration::secs(2 * 3600));
    let s = summarise(&b, &w, &cfg);
    let p = &s.premises[0];
    let text = s.text();
    for d in &p.devices {
        assert_eq!(d.stack.replays_dropped, 0, "{}: {text}", d.id);
    }
    // APS counters too are persisted, so no APS frame of the ESME's is dropped as a replay;
    // nor of the hub's: a routed frame that met a busy channel goes to the MAC again
    // (host::mesh::BUSY_RETRIES) after later ones to the same device, its APS security
    // sealed afresh with the next frame counter (before, at 3,628.97 s, the IHD dropped
    // one such frame of the hub's).
    let aps_replays: u64 = p.devices.iter().map(|d| d.stack.aps_replays_dropped).sum();
    assert_eq!(aps_replays, 0, "{text}");
    let esme = p.devices.iter().find(|d| d.kind == "ESME").unwrap();
    assert_eq!(esme.stack.power_cuts, 1);
    // Reports resumed: the IHD's longest gap is the cut (plus a report period).
    let ihd = p.ihd.as_ref().unwrap();
    assert!(ihd.electricity_max_gap_s < (length + 25) as f64, "{text}");
    assert!(ihd.electricity_updates > 600, "{text}");
    let e = p.electricity.as_ref().unwrap();
    assert_eq!(e.register_wh, e.profile_wh);
}
