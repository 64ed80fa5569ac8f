//! A network key update at the comms hub: every device gets the next key (the sleeping gas
//! meter when it next wakes), switches on the Switch Key, data keeps flowing, and the
//! capture decrypts with both keys from the keys file, neither ever in the clear.

use han_devices::scenario::{ScenarioConfig, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;
use std::process::Command;

#[test]
fn every_device_switches_and_the_capture_still_decrypts() {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let cfg = ScenarioConfig {
        key_updates: vec![Duration::secs(3600)],
        ..ScenarioConfig::default()
    };
    let (mut w, keys) = build(&b, &cfg);
    w.capture_air();
    w.run_until(SimTime::ZERO + Duration::secs(3 * 3600));
    assert_eq!(keys.network.len(), 2);
    let next = keys.network[1].1;
    for h in w.nodes() {
        assert_eq!(h.network_key(), Some((next, 1)), "{}", h.id);
        assert_eq!(h.stats.key_switches, 1, "{}", h.id);
    }
    let s = summarise(&b, &w, &cfg);
    let p = &s.premises[0];
    let text = s.text();
    let ihd = p.ihd.as_ref().unwrap();
    assert!(ihd.electricity_max_gap_s < 11.7, "{text}");
    let g = p.gas.as_ref().unwrap();
    assert_eq!(g.pushes[1], g.pushes[0], "{text}");
    assert_eq!(g.mirror_l, g.last_pushed_l);
    assert_eq!(p.readings_lost, 0, "{text}");
    let pcap = w.take_capture().unwrap();
    for (_, k) in &keys.network {
        assert!(!pcap.windows(16).any(|x| x == k));
    }
    let path = std::env::temp_dir().join(format!("han-key-update-{}.pcap", std::process::id()));
    std::fs::write(&path, &pcap).unwrap();
    let count = |filter: &str| {
        let mut cmd = Command::new("tshark");
        cmd.arg("-r")
            .arg(&path)
            .args(["-n", "-Y", filter, "-T", "fields", "-e", "frame.number"]);
        for line in keys.uat_lines().lines() {
            cmd.arg("-o").arg(format!("uat:zigbee_pc_keys:{line}"));
        }
        let out = cmd.output().expect("tshark is needed for this test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    assert_eq!(count("_ws.malformed || _ws.expert.severity >= error"), 0);
    // Data frames carry APS, routing commands a command id: all decrypt under either key.
    let secured = count("zbee_nwk.security == 1 && zbee_nwk.frame_type == 0");
    assert_eq!(count("zbee_nwk.security == 1 && zbee_aps"), secured);
    let commands = count("zbee_nwk.security == 1 && zbee_nwk.frame_type == 1");
    assert_eq!(
        count("zbee_nwk.security == 1 && zbee_nwk.frame_type == 1 && zbee_nwk.cmd.id"),
        commands
    );
    assert!(count("zbee.sec.key_seqno == 1") > 100);
    assert!(count("zbee.sec.key_seqno == 0") > 100);
    // Three Transport Keys at joining, three with the new key, Switch Keys to each.
    assert!(count("zbee_aps.cmd.id == 0x05") >= 6);
    assert!(count("zbee_aps.cmd.id == 0x09") >= 3);
    std::fs::remove_file(&path).ok();
}
