//! `han rcp --pty` is an RCP that real host software drives: pyspinel's sniffer
//! (sniffer.py, the OpenThread sniffer tool from the pyspinel package) attaches to the pty
//! on the terraced house and writes a pcap that tshark decodes with nothing malformed,
//! holding every frame han streamed from the position.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn python() -> PathBuf {
    std::env::var("HAN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

/// pyspinel installs sniffer.py as a script beside the venv's python.
fn sniffer_py() -> PathBuf {
    python()
        .parent()
        .map(|d| d.join("sniffer.py"))
        .unwrap_or_default()
}

fn building(name: &str) -> String {
    format!("{}/examples/buildings/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Start `han rcp --pty ARGS` and read the pty path it prints.
fn rcp(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_han"))
        .arg("rcp")
        .arg("--pty")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("han rcp starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let path = line.trim().to_string();
    assert!(path.starts_with("/dev/pts/"), "pty path printed: {path:?}");
    (child, path)
}

fn tshark_lines(pcap: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .expect("tshark runs (scripts/test installs it)");
    assert!(out.status.success(), "tshark on {}", pcap.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn pyspinel_sniffer_on_the_terraced_house() {
    let dir = std::env::temp_dir().join(format!("han-rcp-sniffer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("sniffer.pcap");
    let stats = dir.join("stats.json");
    let (mut han, pty) = rcp(&[
        &building("terraced-house.toml"),
        "--at",
        "12-acacia-road/ihd",
        "--duration",
        "25",
        "--stats",
        stats.to_str().unwrap(),
    ]);
    // The house is on channel 20; the sniffer resets the RCP, then turns it on, sets
    // monitor mode, the channel and the raw stream.
    let mut sniffer = Command::new(python())
        .arg(sniffer_py())
        .args(["-u", &pty, "-c", "20", "-o"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sniffer.py runs (scripts/test installs pyspinel)");
    let status = han.wait().unwrap();
    assert!(status.success(), "han rcp: {status}");
    // han waited for the sniffer to read everything it sent before it exited.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = sniffer.kill();
    let out = sniffer.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("SUCCESS: sniffer initialized"), "{log}");

    let s: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let streamed = s["rcp"]["streamed"].as_u64().unwrap();
    let heard = s["rcp"]["heard"].as_u64().unwrap();
    assert_eq!(s["rcp"]["dropped"], 0);
    // Monitor mode streams what the radio hears from the moment the stream is on (the
    // sniffer resets the RCP and waits a second first).
    assert!(streamed >= 15 && streamed <= heard, "{s}");

    let frames = tshark_lines(&pcap, &["-T", "fields", "-e", "frame.number"]);
    assert_eq!(
        frames.len() as u64,
        streamed,
        "the sniffer's pcap holds every frame han streamed at the position"
    );
    let malformed = tshark_lines(
        &pcap,
        &["-Y", "_ws.malformed || _ws.expert.severity >= error"],
    );
    assert!(malformed.is_empty(), "malformed: {malformed:?}");
    // The house's own traffic: beacons, association, data from several devices.
    let sources: std::collections::BTreeSet<String> = tshark_lines(
        &pcap,
        &["-T", "fields", "-e", "wpan.src64", "-e", "wpan.src16"],
    )
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect();
    assert!(sources.len() >= 3, "sources: {sources:?}");
    let fcs_ok = tshark_lines(&pcap, &["-T", "fields", "-e", "wpan.fcs_ok"]);
    assert!(
        fcs_ok.iter().all(|l| l == "1" || l == "True"),
        "FCS: {fcs_ok:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn ihd_of(summary: &Path) -> (Value, Value) {
    let s: Value = serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    let p = &s["premises"][0];
    let row = p["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "ihd")
        .cloned()
        .unwrap();
    (row, p["ihd"].clone())
}

/// The real device behind the bridge is the IHD of a second process (`han rcp`, whose
/// radio stands where the house's CHF would be, with the CHF, ESME and GSME off): it joins
/// the bridged building's CHF with its install code (same building and seed, so the same
/// EUI-64 and install code as the IHD the bridge stands in for) and takes the ESME's
/// Metering reports. Then the dongle is unplugged for 2 s (`han rcp --unplug`: its pty goes
/// away, the radio loses its settings, the IHD behind it goes on) and plugged back in: the
/// bridge says so, waits, brings the radio up again (addresses, source match) and the
/// Metering reports reach the same IHD again.
#[test]
fn bridge_to_rcp_join_metering_and_replug() {
    let dir = std::env::temp_dir().join(format!("han-bridge-rcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("tty");
    let house = building("terraced-house.toml");
    let summary = dir.join("device.json");
    let rcp_stats = dir.join("rcp.json");
    let (mut device_side, _) = rcp(&[
        &house,
        "--as",
        "12-acacia-road/ch",
        "--off",
        "12-acacia-road/esme",
        "--off",
        "12-acacia-road/gsme",
        "--link",
        link.to_str().unwrap(),
        "--unplug",
        "36:2",
        "--duration",
        "75",
        "--summary",
        summary.to_str().unwrap(),
        "--stats",
        rcp_stats.to_str().unwrap(),
    ]);
    let bridge_stats = dir.join("bridge.json");
    let bridge_log = dir.join("bridge.log");
    let mut bridge = Command::new(env!("CARGO_BIN_EXE_han"))
        .args(["bridge", "--serial"])
        .arg(&link)
        .args([
            "--as",
            "12-acacia-road/ihd",
            &house,
            "--duration",
            "77",
            "--stats",
        ])
        .arg(&bridge_stats)
        .stderr(std::fs::File::create(&bridge_log).unwrap())
        .spawn()
        .unwrap();
    assert!(device_side.wait().unwrap().success());
    assert!(bridge.wait().unwrap().success());
    let log = std::fs::read_to_string(&bridge_log).unwrap();
    // Before the unplug: joined with its install code, Metering reports arriving.
    let (row, display) = ihd_of(&dir.join("device.unplug-1.json"));
    assert_eq!(row["stack"]["join_outcomes"]["SUCCESS"], 1, "{row}\n{log}");
    assert!(row["nwk_addr"].is_u64(), "{row}");
    let before = display["electricity_updates"].as_u64().unwrap();
    assert!(
        before >= 1,
        "Metering reports reach the real IHD: {display}\n{log}"
    );
    // After the replug: the same device (no second join), and the reports go on (one every
    // 10 s: about three in the 37 s after it).
    let (row2, display2) = ihd_of(&summary);
    assert_eq!(
        row2["stack"]["join_outcomes"]["SUCCESS"], 1,
        "{row2}\n{log}"
    );
    assert_eq!(row2["nwk_addr"], row["nwk_addr"], "{row2}");
    let after = display2["electricity_updates"].as_u64().unwrap();
    assert!(
        after >= before + 2,
        "Metering reports resume after the replug: {before} before, {after} at the end\n{display2}\n{log}"
    );
    assert!(log.contains("unplugged; waiting"), "{log}");
    assert!(log.contains("is back") && log.contains("resumed"), "{log}");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&bridge_stats).unwrap()).unwrap();
    // The unplug, and the RCP process going away at the end of its run.
    assert!(s["unplugs"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(s["bad"], 0, "{s}");
    assert!(s["from_radio"].as_u64().unwrap() > 10, "{s}");
    // The CHF held the association response for the IHD: its address went into the
    // dongle's source-match table and out again.
    assert!(s["source_match_changes"].as_u64().unwrap() >= 2, "{s}");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&rcp_stats).unwrap()).unwrap();
    assert_eq!(r["rcp"]["unplugs"], 1, "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}
