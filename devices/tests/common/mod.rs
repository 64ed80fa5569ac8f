//! Helpers shared by the han-devices integration tests.

use han_devices::scenario::Keys;
use std::path::Path;
use std::process::Command;

/// Field `field` of every frame of `pcap` matching `filter`, as tshark prints it with all
/// of `keys`.
pub fn tshark(pcap: &Path, keys: &Keys, filter: &str, field: &str) -> Vec<String> {
    tshark_rows(pcap, keys, filter, &[field])
        .into_iter()
        .map(|mut row| row.swap_remove(0))
        .collect()
}

/// Fields `fields` of every frame of `pcap` matching `filter`, one row a frame (a field
/// that occurs several times gives its values joined by commas), as tshark prints them
/// with all of `keys`.
pub fn tshark_rows(pcap: &Path, keys: &Keys, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(pcap)
        .args(["-n", "-Y", filter, "-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
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
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}
