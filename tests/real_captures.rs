//! Every public capture in ../shared/captures decodes with `han decode` with the
//! same frame count and field values as tshark (the oracle), never a panic.

mod common;

use std::path::PathBuf;

use common::*;

fn captures() -> Vec<PathBuf> {
    let dir = shared_dir().join("captures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{} must exist (CI keeps shared/ beside the repo): {e}",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng" | "dcf")
            )
        })
        .collect();
    v.sort();
    v
}

/// Frames where tshark 4.0.17 departs from the specification and han follows
/// the specification: (capture, frame number, why).
const TSHARK_DEPARTS: &[(&str, &str, &str)] = &[(
    "zbtk_parse_vectors_zep.pcap",
    "49",
    "Mgmt_Rtg_rsp with status NOT_SUPPORTED carries no table fields (Zigbee PRO R22 \
     2.4.4.3.3); tshark 4.0 expects them and calls the frame malformed",
)];

#[test]
fn han_decode_agrees_with_tshark_on_every_public_capture() {
    let mut compared = 0usize;
    let mut failures = Vec::new();
    for cap in captures() {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let keys = keys_beside(&cap);
        let (han, out) = han_frames(&cap, &keys);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "{name}: han panicked: {stderr}"
        );
        let code = out.status.code().expect("han exited normally");
        if name.contains("sll") {
            // Linux cooked capture: not an 802.15.4 link type, so unusable input.
            assert_eq!(
                code, 2,
                "{name}: expected exit 2 for an unsupported link type"
            );
            assert!(
                stderr.contains("link type"),
                "{name}: message should name the link type: {stderr}"
            );
            continue;
        }
        let tshark = tshark_frames(&cap, &keys);
        let (n, f) = compare::compare(&name, &han, &tshark);
        compared += n;
        failures.extend(f.into_iter().filter(|msg| {
            !TSHARK_DEPARTS
                .iter()
                .any(|(cap, frame, _)| msg.starts_with(&format!("{cap} frame {frame}:")))
        }));
    }
    assert!(compared > 5_000, "too few fields compared: {compared}");
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with tshark:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
