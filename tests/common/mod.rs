//! Helpers shared by the interop tests: locating ../shared, running han and tshark.
#![allow(dead_code)]

pub mod compare;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared folder beside the repository (test vectors and public captures).
pub fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("HAN_SHARED") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// Run the `han` binary built for these tests.
pub fn han(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_han"))
        .args(args)
        .output()
        .expect("run han")
}

/// Run tshark; fails the test with instructions when tshark is missing.
pub fn tshark(args: &[String]) -> String {
    let out = Command::new("tshark").args(args).output().unwrap_or_else(|e| {
        panic!("tshark is needed for this interop test ({e}); scripts/test installs it with apt-get")
    });
    assert!(
        out.status.success(),
        "tshark {:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tshark prints UTF-8")
}

/// `-o uat:zigbee_pc_keys:...` options for each key.
pub fn tshark_key_options(keys: &[String]) -> Vec<String> {
    keys.iter()
        .enumerate()
        .flat_map(|(i, k)| {
            [
                "-o".to_string(),
                format!("uat:zigbee_pc_keys:\"{k}\",\"Normal\",\"k{i}\""),
            ]
        })
        .collect()
}

/// `-o uat:zigbee_pc_keys:...` options for each line of a `--keys` file (han's UAT lines).
pub fn uat_key_options(keys: &Path) -> Vec<String> {
    std::fs::read_to_string(keys)
        .unwrap()
        .lines()
        .flat_map(|l| ["-o".to_string(), format!("uat:zigbee_pc_keys:{l}")])
        .collect()
}

/// Frames of `capture` that tshark, given the `options` (e.g. key options), finds
/// matching `filter`.
pub fn tshark_count(capture: &Path, options: &[String], filter: &str) -> usize {
    let mut args = vec!["-r".to_string(), capture.display().to_string(), "-n".into()];
    args.extend_from_slice(options);
    args.extend([
        "-Y".to_string(),
        filter.to_string(),
        "-T".into(),
        "fields".into(),
        "-e".into(),
        "frame.number".into(),
    ]);
    tshark(&args).lines().count()
}

/// Keys listed in a `.keys` file beside a capture (one hex key per line).
pub fn keys_beside(capture: &Path) -> Vec<String> {
    let keys = capture.with_extension("keys");
    std::fs::read_to_string(keys)
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The tshark fields compared with `han decode --format jsonl`, in order.
pub const TSHARK_FIELDS: &[&str] = &[
    "frame.number",
    "wpan.frame_type",
    "wpan.seq_no",
    "wpan.dst_pan",
    "wpan.dst16",
    "wpan.dst64",
    "wpan.src16",
    "wpan.src64",
    "wpan.fcs_ok",
    "zbee_nwk.frame_type",
    "zbee_nwk.src",
    "zbee_nwk.dst",
    "zbee_nwk.seqno",
    "zbee_nwk.radius",
    "zbee_nwk.security",
    "zbee_nwk.cmd.id",
    "zbee_aps.type",
    "zbee_aps.dst",
    "zbee_aps.src",
    "zbee_aps.cluster",
    "zbee_aps.profile",
    "zbee_aps.counter",
    "zbee_aps.cmd.id",
    "zbee_aps.zdp_cluster",
    "zbee.sec.key",
    "zbee_zcl.cmd.tsn",
    "zbee_zdp.seqno",
    "_ws.malformed",
    "_ws.expert.severity",
];

/// One frame as tshark reports it: field name → first value ("" when absent).
pub type TsharkFrame = std::collections::BTreeMap<&'static str, String>;

/// Dissect a capture with tshark and return the compared fields per frame.
pub fn tshark_frames(capture: &Path, keys: &[String]) -> Vec<TsharkFrame> {
    let mut args = vec!["-r".to_string(), capture.display().to_string(), "-n".into()];
    args.extend(tshark_key_options(keys));
    args.extend([
        "-T".into(),
        "fields".into(),
        "-E".into(),
        "separator=\t".into(),
    ]);
    args.extend(["-E".into(), "occurrence=f".into()]);
    for f in TSHARK_FIELDS {
        args.extend(["-e".to_string(), f.to_string()]);
    }
    tshark(&args)
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            TSHARK_FIELDS
                .iter()
                .enumerate()
                .map(|(i, f)| (*f, cols.get(i).copied().unwrap_or("").to_string()))
                .collect()
        })
        .collect()
}

/// Decode a capture with han and return one JSON value per frame.
pub fn han_frames(capture: &Path, keys: &[String]) -> (Vec<serde_json::Value>, Output) {
    let mut args = vec![
        "decode".to_string(),
        capture.display().to_string(),
        "--format".into(),
        "jsonl".into(),
    ];
    for k in keys {
        args.extend([
            "--key".to_string(),
            k.clone(),
            "--link-key".to_string(),
            k.clone(),
        ]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = han(&refs);
    let frames = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("han printed bad JSON ({e}): {l}"))
        })
        .collect();
    (frames, out)
}
