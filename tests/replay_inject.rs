//! `han replay --into`: a captured IHD's frames played into the emulated terraced
//! house get their Metering answers from the emulated ESME and GPF; unusable input
//! (a capture no key opens, an unknown device) exits 2 with a clear message.

mod common;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use han_devices::scenario::{ScenarioConfig, build};
use han_radio::building::Building;
use han_stack::dissect::Keyring;
use han_stack::mac::Address;
use han_stack::replay::Trace;
use serde_json::Value;

fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(p)
        .display()
        .to_string()
}

const SEED: &str = "7";

/// `han replay` of the terraced house's capture into the terraced house with `extra`.
fn inject(extra: &[&str]) -> std::process::Output {
    let capture = repo("captures/sim/terraced-house.pcap");
    let building = repo("examples/buildings/terraced-house.toml");
    let mut args = vec!["replay", &capture, "--into", &building, "--seed", SEED];
    args.extend_from_slice(extra);
    common::han(&args)
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("han-replay-inject-{}-{name}", std::process::id()))
}

/// The emulated run's keys (same building and seed as the injection).
fn emulated_keys() -> Keyring {
    let path = repo("examples/buildings/terraced-house.toml");
    let b = Building::from_toml(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    let cfg = ScenarioConfig {
        seed: SEED.parse().unwrap(),
        ..ScenarioConfig::default()
    };
    let (_, keys) = build(&b, &cfg);
    let mut ring = Keyring::new();
    for (_, k) in keys.network.iter().chain(&keys.link) {
        ring.add_network_key(*k);
        ring.add_link_key(*k);
    }
    ring
}

#[test]
fn a_captured_ihds_reads_get_metering_answers_from_the_emulated_terraced_house() {
    let keys = repo("captures/sim/terraced-house.keys");
    let expect = repo("captures/inject/terraced-house-ihd.toml");
    let air = tmp("air.pcap");
    let air_arg = air.display().to_string();
    let out = inject(&[
        "--keys-file",
        &keys,
        "--as",
        "12-acacia-road/ihd",
        "--expect",
        &expect,
        "--pcap",
        &air_arg,
        "--format",
        "json",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stderr}"));
    assert_eq!(out.status.code(), Some(0), "{report:#}\n{stderr}");
    let injection = &report["injection"];
    let rewritten = &injection["rewritten"];
    // Another seed: another PAN ID, network key and link keys, so every injected
    // frame was re-addressed and re-secured, the APS-secured Get Profile with the
    // emulated ESME–IHD link key.
    let injected = injection["injected"].as_u64().unwrap();
    assert!(injected >= 3, "{injection:#}");
    for field in [
        "PAN ID",
        "NWK frame counter",
        "NWK security (re-secured with the emulated network key)",
    ] {
        assert_eq!(
            rewritten[field].as_u64(),
            Some(injected),
            "{field}: {injection:#}"
        );
    }
    assert!(rewritten["APS security (re-secured with the emulated link key)"].as_u64() >= Some(1));
    // The captured IHD acknowledged its ESME's reports: so are the emulated ESME's.
    assert!(injection["acks"].as_u64() >= Some(3), "{injection:#}");
    let results = report["report"]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["passed"] == true), "{results:#?}");
    // The answers are to the injected frames: after the takeover, the emulated ESME
    // answers a Get Profile and the GPF a Metering read, both from the IHD.
    let takeover = injection["takeover_s"].as_f64().unwrap();
    let trace = Trace::decode(
        &std::fs::read(&air).unwrap(),
        emulated_keys(),
        NonZeroUsize::MIN,
    )
    .unwrap();
    std::fs::remove_file(&air).unwrap();
    let start = trace.start();
    let after = |command: &str| {
        trace
            .messages
            .iter()
            .filter(|m| m.time - start > takeover && !m.retry)
            .filter(|m| m.zcl.as_ref().is_some_and(|z| z.command == command))
            .map(|m| (m.src, m.dst))
            .collect::<Vec<(Address, Address)>>()
    };
    let requests = after("Get Profile");
    let answers = after("Get Profile Response");
    assert!(!requests.is_empty(), "no Get Profile injected");
    assert!(
        requests
            .iter()
            .all(|(ihd, esme)| answers.contains(&(*esme, *ihd))),
        "{requests:?} answered by {answers:?}"
    );
    let reads = after("Read Attributes");
    assert!(!reads.is_empty(), "no Metering read injected");
    assert!(
        after("Read Attributes Response")
            .iter()
            .any(|&(gpf, ihd)| gpf == Address::Short(0) && ihd == reads[0].0),
        "the GPF answers the injected read"
    );
}

#[test]
fn a_capture_no_key_opens_or_an_unknown_device_is_unusable_input() {
    let unusable = |extra: &[&str], says: &str| {
        let out = inject(extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.contains(says),
            "{extra:?}: {stderr:?} should say {says:?}"
        );
    };
    // Without the capture's keys the IHD's first secured frame cannot be rewritten.
    unusable(
        &["--as", "12-acacia-road/ihd"],
        ": no key of the capture opens its NWK security (byte offset ",
    );
    unusable(
        &["--as", "12-acacia-road/toaster"],
        "--as \"12-acacia-road/toaster\": no such device",
    );
    unusable(
        &["--as", "12-acacia-road/ihd", "--from", "0x1234"],
        "no frame from 0x1234 in the capture",
    );
}
