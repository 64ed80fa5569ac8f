//! scapy, a second oracle beside tshark, agrees with han on the MAC, NWK and
//! (where not encrypted) APS headers of every frame kind han emits.

mod common;

use std::process::Command;

use common::*;
use han_stack::capture::{LinkType, PcapWriter, RadioMeta};
use han_stack::samples::{SampleNetwork, every_frame_kind};
use serde_json::Value;

fn python() -> String {
    std::env::var("HAN_PYTHON")
        .unwrap_or_else(|_| format!("{}/.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn scapy_agrees_on_headers() {
    let net = SampleNetwork::default();
    let dir = std::env::temp_dir().join(format!("han-scapy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("samples-195.pcap");
    let mut w = PcapWriter::new(std::fs::File::create(&path).unwrap(), LinkType::WithFcs).unwrap();
    for (i, s) in every_frame_kind(&net).iter().enumerate() {
        w.write_frame(
            i as u64 * 1_000_000,
            &s.mpdu,
            &RadioMeta {
                channel: 15,
                rssi_dbm: -50.0,
                lqi: 255,
            },
        )
        .unwrap();
    }
    drop(w);

    let script = format!(
        "{}/tests/oracles/scapy_headers.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new(python())
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); scripts/test installs scapy into .venv",
                python()
            )
        });
    assert!(
        out.status.success(),
        "scapy oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scapy: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let key: String = net.network_key.iter().map(|b| format!("{b:02x}")).collect();
    let (han, _) = han_frames(&path, &[key]);
    assert_eq!(scapy.len(), han.len(), "frame count");

    let mut compared = 0;
    let mut failures = Vec::new();
    for (i, (s, h)) in scapy.iter().zip(&han).enumerate() {
        for layer in ["mac", "nwk", "aps"] {
            let Some(fields) = s.get(layer).and_then(Value::as_object) else {
                continue;
            };
            for (name, theirs) in fields {
                compared += 1;
                let mine = h
                    .get(layer)
                    .and_then(|l| l.get(name))
                    .cloned()
                    .unwrap_or(Value::Null);
                if &mine != theirs {
                    failures.push(format!(
                        "frame {}: {layer}.{name}: han {mine} scapy {theirs}",
                        i + 1
                    ));
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(compared > 500, "only {compared} fields compared");
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with scapy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
