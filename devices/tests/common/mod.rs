//! Helpers shared by the han-devices integration tests.

use han_devices::scenario::Keys;
use std::path::Path;
use std::process::Command;

/// Field `field` of every frame of `pcap` matching `filter`, as tshark prints it with all
/// of `keys`.
pub fn tshark(pcap: &Path, keys: &Keys, filter: &str, field: &str) -> Vec<String> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(pcap)
        .args(["-n", "-Y", filter, "-T", "fields", "-e", field]);
    for (i, k) in keys.all_hex().iter().enumerate() {
        cmd.arg("-o")
            .arg(format!("uat:zigbee_pc_keys:\"{k}\",\"Normal\",\"k{i}\""));
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("tshark is needed for this test ({e})"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}
