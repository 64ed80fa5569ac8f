//! `han sim` writes a pcap tshark reads without a malformed frame or expert error, and the
//! same seed writes the same bytes.

use std::path::Path;
use std::process::Command;

fn sim(dir: &Path, tag: &str, seed: &str) -> (Vec<u8>, Vec<u8>) {
    let (pcap, stats) = (
        dir.join(format!("{tag}.pcap")),
        dir.join(format!("{tag}.json")),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_han"))
        .args([
            "sim",
            "examples/buildings/terraced-house.toml",
            "--duration",
            "30m",
        ])
        .args(["--seed", seed, "--interval", "10s", "--pcap"])
        .arg(&pcap)
        .arg("--stats")
        .arg(&stats)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (std::fs::read(pcap).unwrap(), std::fs::read(stats).unwrap())
}

fn tshark_count(pcap: &Path, filter: &str) -> usize {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(["-n", "-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .unwrap_or_else(|e| panic!("tshark is needed for this test ({e})"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn sim_pcap_is_clean_and_reproducible() {
    let dir = std::env::temp_dir().join(format!("han-sim-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (p1, s1) = sim(&dir, "a", "4");
    let (p2, s2) = sim(&dir, "b", "4");
    let (p3, _) = sim(&dir, "c", "5");
    assert!(p1 == p2 && s1 == s2, "same seed, different output");
    assert!(p1 != p3);
    let pcap = dir.join("a.pcap");
    let stats: serde_json::Value = serde_json::from_slice(&s1).unwrap();
    let ppdus = stats["ppdus"].as_u64().unwrap() as usize;
    assert!(ppdus > 100);
    assert_eq!(tshark_count(&pcap, "frame"), ppdus);
    assert_eq!(
        tshark_count(&pcap, "_ws.malformed || _ws.expert.severity >= error"),
        0
    );
    assert_eq!(tshark_count(&pcap, "wpan.cmd == 0x04"), {
        // Data Requests: one per send of each gas meter.
        tshark_count(&pcap, "wpan.frame_type == 3")
    });
    assert!(tshark_count(&pcap, "wpan.cmd == 0x04") > 0);
    std::fs::remove_dir_all(&dir).ok();
}
