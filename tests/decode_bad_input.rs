//! `han decode` on bad input: a clear message naming what and where, the
//! documented exit code, never a panic, and the frames before a fault kept.

mod common;

use std::path::PathBuf;

use common::*;

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("han-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn decode(path: &std::path::Path) -> (i32, String, String) {
    let out = han(&["decode", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "han panicked: {stderr}");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

fn pcap_header(link_type: u32, snaplen: u32) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&0xa1b2c3d4u32.to_le_bytes());
    p.extend_from_slice(&2u16.to_le_bytes());
    p.extend_from_slice(&4u16.to_le_bytes());
    p.extend_from_slice(&[0; 8]);
    p.extend_from_slice(&snaplen.to_le_bytes());
    p.extend_from_slice(&link_type.to_le_bytes());
    p
}

fn record(p: &mut Vec<u8>, data: &[u8], orig_len: u32) {
    p.extend_from_slice(&[0; 8]);
    p.extend_from_slice(&(data.len() as u32).to_le_bytes());
    p.extend_from_slice(&orig_len.to_le_bytes());
    p.extend_from_slice(data);
}

/// A valid beacon request without FCS.
const BEACON_REQUEST: &[u8] = &[0x03, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07];

#[test]
fn empty_file_is_unusable_input() {
    let (code, _, err) = decode(&temp("empty.pcap", &[]));
    assert_eq!(code, 2);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn wrong_magic_is_unusable_input() {
    let (code, _, err) = decode(&temp("magic.pcap", b"GIF89a this is not a capture"));
    assert_eq!(code, 2);
    assert!(
        err.contains("byte 0") || err.contains("magic") || err.contains("format"),
        "{err}"
    );
}

#[test]
fn unknown_link_type_is_unusable_input() {
    let (code, _, err) = decode(&temp("link.pcap", &pcap_header(147, 65535)));
    assert_eq!(code, 2);
    assert!(err.contains("link type 147"), "{err}");
}

#[test]
fn truncated_record_keeps_the_frames_before_it() {
    let mut p = pcap_header(230, 65535);
    record(&mut p, BEACON_REQUEST, 8);
    let cut = p.len();
    record(&mut p, BEACON_REQUEST, 8);
    p.truncate(cut + 20);
    let (code, out, err) = decode(&temp("truncated.pcap", &p));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out.lines().count(),
        1,
        "the whole first frame is still printed"
    );
    assert!(
        err.contains(&format!("byte {cut}")),
        "names the offset of record 2: {err}"
    );
}

#[test]
fn record_longer_than_snaplen_is_reported() {
    let mut p = pcap_header(230, 4);
    let at = p.len();
    record(&mut p, BEACON_REQUEST, 8);
    let (code, _, err) = decode(&temp("snaplen.pcap", &p));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("snaplen") && err.contains(&format!("byte {at}")),
        "{err}"
    );
}

#[test]
fn garbage_frames_are_reported_and_decoding_continues() {
    let mut p = pcap_header(230, 65535);
    record(&mut p, &[0x41], 1);
    // A NWK header that says a source EUI-64 follows, cut after 2 of its 8 bytes.
    let nwk = [0x08, 0x12, 0xfd, 0xff, 0x6a, 0x6a, 0x1e, 0x64, 0xc1, 0xe9];
    let mut data = vec![0x41, 0x88, 0x01, 0x62, 0x1a, 0xff, 0xff, 0x00, 0x00];
    data.extend_from_slice(&nwk);
    record(&mut p, &data, data.len() as u32);
    record(&mut p, BEACON_REQUEST, 8);
    let (code, out, err) = decode(&temp("garbage.pcap", &p));
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].contains("error") && lines[0].contains("offset"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("error") && lines[1].contains("offset 17"),
        "EUI-64 at MPDU byte 17: {}",
        lines[1]
    );
    assert!(!lines[2].contains("error"), "{}", lines[2]);
    assert!(err.contains("2 of 3 frame(s) did not decode"), "{err}");
}

#[test]
fn a_bad_key_is_a_usage_error() {
    let mut p = pcap_header(230, 65535);
    record(&mut p, BEACON_REQUEST, 8);
    let path = temp("key.pcap", &p);
    let out = han(&["decode", path.to_str().unwrap(), "--key", "00112233"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("32 hex digits"));
    let out = han(&[
        "decode",
        path.to_str().unwrap(),
        "--install-code",
        "83fed3407a939723a5c639b26916d505b5c3",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a wrong install-code CRC is refused"
    );
    let out = han(&[
        "decode",
        path.to_str().unwrap(),
        "--install-code",
        "83fed3407a939723a5c639b26916d505c3b5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn missing_file_is_unusable_input() {
    let out = han(&["decode", "/nonexistent/capture.pcap"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/capture.pcap"));
}
