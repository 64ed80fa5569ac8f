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
