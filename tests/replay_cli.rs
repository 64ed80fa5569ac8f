//! `han replay` end to end: JUnit output validated against the common JUnit
//! schema, exit codes and messages for bad input, and `--diff`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn python() -> String {
    std::env::var("HAN_PYTHON")
        .unwrap_or_else(|_| format!("{}/.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

fn repo(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("han-replay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Validate a JUnit file with xmlschema against tests/oracles/junit.xsd.
fn validate(xml: &Path) -> Value {
    let out = Command::new(python())
        .arg(repo("tests/oracles/junit_validate.py"))
        .arg(repo("tests/oracles/junit.xsd"))
        .arg(xml)
        .output()
        .unwrap_or_else(|e| {
            panic!("python with xmlschema is needed ({e}); scripts/test installs it")
        });
    assert!(
        out.status.success(),
        "junit_validate.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const EXPECT: &str = r#"
[devices]
esme = "00:12:4b:00:00:01:00:02"

[[count]]
name = "the ESME associates once"
match = { message = "Association Request", from = "esme" }
min = 1
max = 1

[[count]]
name = "the ESME associates twice & <again>"
match = { message = "Association Request", from = "esme" }
min = 2

[[absent]]
condition = "bad-fcs"
"#;

#[test]
fn junit_output_validates_and_has_one_test_case_per_expectation() {
    let expect = temp("junit.toml");
    std::fs::write(&expect, EXPECT).unwrap();
    let xml = temp("report.xml");
    let captures = [
        repo("captures/sim/semi-detached-garage.pcap"),
        repo("captures/sim/farmhouse.pcap"),
    ];
    let out = common::han(&[
        "replay",
        &captures[0],
        &captures[1],
        "--expect",
        expect.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "the twice rule fails");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = validate(&xml);
    assert_eq!(v["valid"], true, "{v:#}");
    let suites = v["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 2);
    for (suite, capture) in suites.iter().zip(report.as_array().unwrap()) {
        let cases = suite["testcases"].as_array().unwrap();
        let results = capture["results"].as_array().unwrap();
        assert_eq!(cases.len(), 3, "one test case per expectation");
        assert_eq!(suite["tests"], 3);
        assert_eq!(suite["failures"], 1);
        for (case, result) in cases.iter().zip(results) {
            assert_eq!(case["name"], result["name"]);
            assert_eq!(case["failed"], result["passed"] == false);
        }
        assert_eq!(cases[1]["name"], "the ESME associates twice & <again>");
        assert_eq!(cases[1]["failed"], true);
    }
    // Same input, same bytes.
    let again = temp("report-again.xml");
    common::han(&[
        "replay",
        &captures[0],
        &captures[1],
        "--expect",
        expect.to_str().unwrap(),
        "--junit",
        again.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&xml).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn the_schema_check_rejects_a_report_without_test_case_names() {
    let xml = temp("bad.xml");
    std::fs::write(
        &xml,
        "<testsuites><testsuite name=\"x\" tests=\"1\"><testcase classname=\"c\"/></testsuite></testsuites>",
    )
    .unwrap();
    let v = validate(&xml);
    assert_eq!(v["valid"], false, "{v:#}");
}

#[test]
fn a_bad_expectations_file_exits_2_with_file_line_and_column() {
    let expect = temp("bad.toml");
    std::fs::write(
        &expect,
        "[[rate]]\nevery = \"10s\"\ntolerance = \"2s\"\nperiod = 3\n",
    )
    .unwrap();
    let out = common::han(&[
        "replay",
        &repo("captures/sim/terraced-house.pcap"),
        "--expect",
        expect.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:4:1: unknown field `period`", expect.display())),
        "{err}"
    );
    assert!(
        err.contains("`every`") && err.contains("`min_count`"),
        "{err}"
    );
}

#[test]
fn unusable_captures_exit_2_with_a_reason() {
    let empty = temp("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let out = common::han(&["replay", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty file"));
    // A capture cut inside a record: the message names the record and its byte offset.
    let bytes = std::fs::read(repo("captures/sim/terraced-house.pcap")).unwrap();
    let cut = temp("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 5]).unwrap();
    let out = common::han(&["replay", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let (header, record) = (24, 16);
    assert!(
        err.contains("cut.pcap: record ") && err.contains(" at byte "),
        "{err}"
    );
    let at: usize = err
        .split(" at byte ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(at >= header && at < bytes.len() - record, "{err}");
    let out = common::han(&["replay", "--key", "00112233", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// Five minutes of the terraced house's devices (seed 1), optionally with scenario events.
fn sim(tag: &str, events: Option<&str>) -> PathBuf {
    let pcap = temp(&format!("{tag}.pcap"));
    let mut args = vec![
        "sim".to_string(),
        repo("examples/buildings/terraced-house.toml"),
        "--duration".into(),
        "5m".into(),
        "--seed".into(),
        "1".into(),
        "--pcap".into(),
        pcap.to_str().unwrap().into(),
    ];
    if let Some(events) = events {
        let file = temp(&format!("{tag}.events.toml"));
        std::fs::write(&file, events).unwrap();
        args.extend(["--events".into(), file.to_str().unwrap().into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::han(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pcap
}

/// A copy of a LINKTYPE_IEEE802_15_4_TAP pcap with every MAC sequence number moved
/// by `by` (and the FCS recomputed): the same traffic, numbered differently.
fn renumbered(pcap: &Path, by: u8) -> PathBuf {
    let bytes = std::fs::read(pcap).unwrap();
    let mut out = bytes[..24].to_vec();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        let mut record = bytes[at..at + 16 + len].to_vec();
        // TAP header (IEEE 802.15.4 TAP 1.0): version, reserved, length (LE) of the TLVs.
        let tap = u16::from_le_bytes([record[18], record[19]]) as usize;
        let psdu = &mut record[16 + tap..];
        let body = psdu.len() - 2;
        psdu[2] = psdu[2].wrapping_add(by);
        let fcs = han_stack::mac::fcs(&psdu[..body]).to_le_bytes();
        psdu[body..].copy_from_slice(&fcs);
        out.extend_from_slice(&record);
        at += 16 + len;
    }
    let copy = pcap.with_extension("renumbered.pcap");
    std::fs::write(&copy, out).unwrap();
    copy
}

#[test]
fn diff_ignores_sequence_numbers_and_reports_changed_behaviour() {
    let a = sim("a", None);
    let b = renumbered(&a, 77);
    // The ESME loses power for two minutes: its reports to the IHD stop meanwhile.
    let c = sim(
        "c",
        Some("[[power_cut]]\ndevice = \"esme\"\nat = \"2m\"\nduration = \"2m\"\n"),
    );
    let (a, b, c) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    );
    assert_ne!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    // Other sequence numbers, the same behaviour.
    let out = common::han(&["replay", "--diff", a, b]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("no semantic difference"), "{text}");
    // The power cut: fewer frames from the ESME to the IHD.
    let out = common::han(&["replay", "--diff", a, c, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let diffs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let whats: Vec<&str> = diffs
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["conversation"] == "00:12:4b:00:00:01:00:02 → 00:12:4b:00:00:01:00:04")
        .map(|d| d["what"].as_str().unwrap())
        .collect();
    let fewer = whats.iter().any(|w| {
        w.strip_prefix("NWK encrypted: ")
            .and_then(|w| w.split_once(" in A, "))
            .and_then(|(a, b)| {
                Some((
                    a.parse::<u32>().ok()?,
                    b.strip_suffix(" in B")?.parse::<u32>().ok()?,
                ))
            })
            .is_some_and(|(a, b)| b < a)
    });
    assert!(fewer, "{whats:?}");
    let out = common::han(&["replay", "--diff", a]);
    assert_eq!(out.status.code(), Some(2));
}
