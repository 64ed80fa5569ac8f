//! tshark agrees with every frame kind han emits: written with link types 283
//! (TAP), 195 (with FCS) and as ZEP v2 over UDP in Ethernet, dissected with the network and link keys, zero
//! malformed, zero expert errors, every secured frame decrypted, and every
//! compared field equal to what `han decode` prints.

mod common;

use std::path::Path;

use common::*;
use han_stack::capture::{LinkType, PcapWriter, RadioMeta};
use han_stack::samples::{SampleNetwork, every_frame_kind};

fn hexkey(k: &[u8; 16]) -> String {
    k.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_samples(path: &Path, link: LinkType) -> usize {
    let samples = every_frame_kind(&SampleNetwork::default());
    let file = std::fs::File::create(path).unwrap();
    let mut w = PcapWriter::new(file, link).unwrap();
    for (i, s) in samples.iter().enumerate() {
        let meta = RadioMeta {
            channel: 15,
            rssi_dbm: -60.0 - i as f32 % 20.0,
            lqi: 200,
        };
        w.write_frame(
            1_700_000_000_000_000_000 + i as u64 * 10_000_000,
            &s.mpdu,
            &meta,
        )
        .unwrap();
    }
    samples.len()
}

/// Frames of `capture` that tshark, given the hex `keys`, finds matching `filter`.
fn count(capture: &Path, keys: &[String], filter: &str) -> usize {
    tshark_count(capture, &tshark_key_options(keys), filter)
}

#[test]
fn tshark_agrees_with_every_frame_kind() {
    let net = SampleNetwork::default();
    let keys = vec![hexkey(&net.network_key), hexkey(&net.link_key)];
    let dir = std::env::temp_dir().join(format!("han-every-frame-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (link, name) in [
        (LinkType::Tap, "tap-283.pcap"),
        (LinkType::WithFcs, "fcs-195.pcap"),
    ] {
        let path = dir.join(name);
        let n = write_samples(&path, link);
        assert_eq!(
            count(&path, &keys, "frame"),
            n,
            "{name}: tshark frame count"
        );
        assert_eq!(
            count(&path, &keys, "_ws.malformed"),
            0,
            "{name}: malformed frames"
        );
        assert_eq!(
            count(&path, &keys, "_ws.expert.severity >= error"),
            0,
            "{name}: expert errors"
        );
        assert_eq!(
            count(&path, &keys, "wpan.fcs_ok == 0"),
            0,
            "{name}: bad FCS"
        );
        let secured = count(&path, &keys, "zbee.sec.field");
        let decrypted = count(&path, &keys, "zbee.sec.key");
        assert!(secured > 60, "{name}: only {secured} secured frames");
        assert_eq!(
            decrypted, secured,
            "{name}: every secured frame decrypts in tshark"
        );
        if link == LinkType::Tap {
            assert_eq!(
                count(&path, &keys, "wpan-tap.ch_num == 15 && wpan-tap.lqi == 200"),
                n
            );
        }
        let (han, out) = han_frames(&path, &keys);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: han decode: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tshark = tshark_frames(&path, &keys);
        let (compared, failures) = compare::compare(name, &han, &tshark);
        assert!(compared > 1_000, "{name}: only {compared} fields compared");
        assert!(
            failures.is_empty(),
            "{} disagreement(s):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
    if std::env::var_os("HAN_KEEP").is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
}
