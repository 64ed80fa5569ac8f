//! A dual-band comms hub (2.4 GHz and GB868 at once): the meters join it on 2.4 GHz, the
//! IHD behind a wall 2.4 GHz cannot cross joins on GB868 and shows fresh electricity and
//! gas data through the hub; the capture carries both bands, decodes cleanly in tshark
//! with the keys and is the same for the same seed; a 2.4 GHz-only IHD there never joins.

use han_devices::scenario::{Keys, ScenarioConfig, Summary, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;

mod common;
use common::tshark;

const SRC: &str = include_str!("../../examples/buildings/dual-band-bungalow.toml");

fn bungalow(src: &str) -> Building {
    Building::from_toml("dual-band-bungalow.toml", src).unwrap()
}

fn run(b: &Building, cfg: &ScenarioConfig, secs: u64) -> (Summary, Keys, Vec<u8>) {
    let (mut w, keys) = build(b, cfg);
    w.capture_air();
    w.run_until(SimTime::ZERO + Duration::secs(secs));
    let s = summarise(b, &w, cfg);
    (s, keys, w.take_capture().unwrap())
}

fn dual() -> ScenarioConfig {
    ScenarioConfig {
        dual_band: true,
        ..ScenarioConfig::default()
    }
}

#[test]
fn an_ihd_behind_the_wall_joins_on_868_and_its_data_stays_fresh() {
    let secs = 3 * 3600;
    let b = bungalow(SRC);
    let (s, keys, pcap) = run(&b, &dual(), secs);
    let p = &s.premises[0];
    let band = |id: &str| p.devices.iter().find(|d| d.id == id).unwrap().band;
    assert_eq!(band("ch"), Some("both"), "{}", s.text());
    assert_eq!(band("esme"), Some("2.4GHz"), "{}", s.text());
    assert_eq!(band("gsme"), Some("2.4GHz"), "{}", s.text());
    assert_eq!(band("ihd"), Some("868MHz"), "{}", s.text());
    let joined = p.all_joined_s.expect("every device joined");
    assert!(
        joined <= 120.0,
        "last device joined at {joined} s\n{}",
        s.text()
    );
    // Electricity reaches the IHD from the ESME on the other band, through the hub: never
    // older than a minute (issue 6's freshness), and most reports arrive.
    let ihd = p.ihd.as_ref().unwrap();
    assert!(ihd.electricity_max_gap_s < 60.0, "{}", s.text());
    assert_eq!(ihd.electricity_stale_samples, 0, "{}", s.text());
    assert!(ihd.electricity_updates as f64 >= 0.95 * (secs as f64 - joined) / 10.0);
    // Gas: every GSME push mirrored at the hub's GPF and read by the IHD over GB868.
    let gas = p.gas.as_ref().unwrap();
    assert!(gas.pushes[0] >= 1);
    assert_eq!(gas.mirror_l, gas.last_pushed_l);
    assert!(ihd.gas_updates >= 1, "{}", s.text());
    assert_eq!(ihd.gas_stale_samples, 0, "{}", s.text());
    let e = p.electricity.as_ref().unwrap();
    assert_eq!(e.register_wh, e.profile_wh);

    // Both bands in the capture: page 0 channel 20 and page 28 channel 3; tshark decodes
    // every frame cleanly with the keys.
    let path = std::env::temp_dir().join(format!("han-dual-band-{}.pcap", std::process::id()));
    std::fs::write(&path, &pcap).unwrap();
    let all = tshark(&path, &keys, "frame", "frame.number").len();
    assert_eq!(all as u64, s.ppdus);
    let on_868 = tshark(
        &path,
        &keys,
        "wpan-tap.ch_page == 28 && wpan-tap.ch_num == 3",
        "frame.number",
    )
    .len();
    let on_2g4 = tshark(
        &path,
        &keys,
        "wpan-tap.ch_page == 0 && wpan-tap.ch_num == 20",
        "frame.number",
    )
    .len();
    assert!(on_868 > 100 && on_2g4 > 100, "{on_868} {on_2g4}");
    assert_eq!(on_868 + on_2g4, all);
    // ZCL reports of the ESME's instantaneous demand cross to GB868, decrypted.
    let reports_868 = tshark(
        &path,
        &keys,
        "wpan-tap.ch_page == 28 && zbee_zcl && zbee_aps.cluster == 0x0702",
        "frame.number",
    );
    assert!(reports_868.len() > 50, "{}", reports_868.len());
    let bad = tshark(
        &path,
        &keys,
        "_ws.malformed || _ws.expert.severity == error",
        "frame.number",
    );
    assert!(
        bad.is_empty(),
        "{} bad frames: {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );
    std::fs::remove_file(&path).ok();

    // Same seed, same capture.
    let (_, _, again) = run(&b, &dual(), secs);
    assert_eq!(again, pcap);
}

#[test]
fn a_2g4_only_ihd_behind_the_wall_never_joins() {
    let src = SRC.replace(
        "{ id = \"ihd\",  kind = \"ihd\",",
        "{ id = \"ihd\",  kind = \"ihd\", bands = [\"2.4GHz\"],",
    );
    assert_ne!(src, SRC);
    let b = bungalow(&src);
    let (s, _, _) = run(&b, &dual(), 900);
    let p = &s.premises[0];
    let ihd = p.devices.iter().find(|d| d.id == "ihd").unwrap();
    assert_eq!(ihd.nwk_addr, None, "{}", s.text());
    assert_eq!(ihd.band, None);
    let esme = p.devices.iter().find(|d| d.id == "esme").unwrap();
    assert!(esme.nwk_addr.is_some(), "{}", s.text());
}

/// Without the dual-band switch the building runs on one band as before: the IHD behind
/// the wall never joins at 2.4 GHz.
#[test]
fn one_band_runs_ignore_the_868_channel() {
    let b = bungalow(SRC);
    let (s, _, _) = run(&b, &ScenarioConfig::default(), 600);
    let p = &s.premises[0];
    assert!(p.devices.iter().all(|d| d.band.is_none()));
    let ihd = p.devices.iter().find(|d| d.id == "ihd").unwrap();
    assert_eq!(ihd.nwk_addr, None, "{}", s.text());
}
