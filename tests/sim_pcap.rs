//! `han sim` runs the building's devices and writes a pcap that tshark decrypts with the
//! `--keys` file without a malformed frame or expert error; the same seed writes the same
//! bytes (capture, statistics, summary).

mod common;

use common::{tshark_count, uat_key_options};
use std::path::Path;
use std::process::Command;

struct Run {
    pcap: Vec<u8>,
    stats: Vec<u8>,
    summary: Vec<u8>,
}

fn sim(dir: &Path, tag: &str, seed: &str) -> Run {
    let file = |ext: &str| dir.join(format!("{tag}.{ext}"));
    let out = Command::new(env!("CARGO_BIN_EXE_han"))
        .args([
            "sim",
            "examples/buildings/terraced-house.toml",
            "--duration",
            "1h",
        ])
        .args(["--seed", seed, "--pcap"])
        .arg(file("pcap"))
        .arg("--stats")
        .arg(file("json"))
        .arg("--keys")
        .arg(file("keys"))
        .arg("--summary")
        .arg(file("summary.json"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4/4 devices joined"), "{stdout}");
    Run {
        pcap: std::fs::read(file("pcap")).unwrap(),
        stats: std::fs::read(file("json")).unwrap(),
        summary: std::fs::read(file("summary.json")).unwrap(),
    }
}

#[test]
fn sim_pcap_decrypts_cleanly_and_is_reproducible() {
    let dir = std::env::temp_dir().join(format!("han-sim-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = sim(&dir, "a", "4");
    let b = sim(&dir, "b", "4");
    let c = sim(&dir, "c", "5");
    assert!(
        a.pcap == b.pcap && a.stats == b.stats,
        "same seed, different output"
    );
    assert_eq!(a.summary, b.summary);
    assert!(a.pcap != c.pcap);
    assert_ne!(a.summary, c.summary);
    let pcap = dir.join("a.pcap");
    let keys = uat_key_options(&dir.join("a.keys"));
    assert_eq!(
        keys.len(),
        2 * 5,
        "one network key, three link keys, one application link key"
    );
    let stats: serde_json::Value = serde_json::from_slice(&a.stats).unwrap();
    let ppdus = stats["ppdus"].as_u64().unwrap() as usize;
    assert!(ppdus > 100);
    assert_eq!(tshark_count(&pcap, &keys, "frame"), ppdus);
    assert_eq!(
        tshark_count(
            &pcap,
            &keys,
            "_ws.malformed || _ws.expert.severity >= error"
        ),
        0
    );
    // Every NWK-secured data frame decrypts: an APS layer under each; every secured NWK
    // command (routing: link status, route requests and replies) reads as a command.
    let secured = tshark_count(
        &pcap,
        &keys,
        "zbee_nwk.security == 1 && zbee_nwk.frame_type == 0",
    );
    assert!(secured > 300);
    assert_eq!(
        tshark_count(&pcap, &keys, "zbee_nwk.security == 1 && zbee_aps"),
        secured
    );
    let commands = tshark_count(
        &pcap,
        &keys,
        "zbee_nwk.security == 1 && zbee_nwk.frame_type == 1",
    );
    assert!(commands > 0);
    assert_eq!(
        tshark_count(
            &pcap,
            &keys,
            "zbee_nwk.security == 1 && zbee_nwk.frame_type == 1 && zbee_nwk.cmd.id"
        ),
        commands
    );
    // The gas meter polls its parent (Data Requests) after each push.
    assert!(tshark_count(&pcap, &keys, "wpan.cmd == 0x04") > 0);
    std::fs::remove_dir_all(&dir).ok();
}
