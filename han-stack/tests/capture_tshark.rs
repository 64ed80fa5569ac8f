//! Checks written pcap files with tshark, the reference dissector.
//! tshark must be installed (scripts/test installs it); the test fails without it.

use han_stack::capture::{LinkType, PcapWriter, RadioMeta};
use std::process::Command;

/// A ZDP Mgmt_Lqi request MAC frame (vectors.toml `fcs_zdp_req_mgmt_lqi`), without FCS.
const MPDU: &str =
    "6188e3bf182cda000008022cda00001e3f288985bd011ab0f7fefff9e3b40067fdf6895be2d544346729e42d46";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn tshark_fields(link: LinkType, fields: &[&str]) -> Vec<String> {
    let meta = RadioMeta {
        channel: 15,
        rssi_dbm: -42.5,
        lqi: 201,
    };
    let mut w = PcapWriter::new(Vec::new(), link).unwrap();
    w.write_frame(1_700_000_000_250_000_000, &hex(MPDU), &meta)
        .unwrap();
    w.write_frame(1_700_000_001_000_000_000, &[0x02, 0x00, 0x2a], &meta)
        .unwrap();
    let path = std::env::temp_dir().join(format!(
        "han-capture-tshark-{}-{}.pcap",
        std::process::id(),
        link.number()
    ));
    std::fs::write(&path, w.into_inner().unwrap()).unwrap();
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(&path)
        .args(["-T", "fields", "-E", "separator=|"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run tshark ({e}); install it with `apt-get install -y tshark` (scripts/test does)")
    });
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn tap_records_show_radio_metadata_and_good_fcs() {
    let lines = tshark_fields(
        LinkType::Tap,
        &[
            "wpan-tap.rss",
            "wpan-tap.ch_num",
            "wpan-tap.lqi",
            "wpan.fcs_ok",
            "frame.time_epoch",
        ],
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (i, l) in lines.iter().enumerate() {
        let f: Vec<&str> = l.split('|').collect();
        assert_eq!(f[0].parse::<f32>().unwrap(), -42.5, "{l}");
        assert_eq!(f[1..4], ["15", "201", "1"], "{l}");
        let t: f64 = f[4].parse().unwrap();
        let want = if i == 0 {
            1_700_000_000.25
        } else {
            1_700_000_001.0
        };
        assert!((t - want).abs() < 1e-6, "{l}");
    }
}

#[test]
fn with_fcs_records_have_good_fcs() {
    let lines = tshark_fields(LinkType::WithFcs, &["wpan.fcs_ok", "frame.len", "wpan.fcs"]);
    assert_eq!(lines[0], "1|47|0x3fa0");
    assert!(lines[1].starts_with("1|5|"), "{lines:?}");
}

#[test]
fn no_fcs_records_decode() {
    let lines = tshark_fields(LinkType::NoFcs, &["wpan.frame_type", "wpan.seq_no"]);
    assert_eq!(lines, ["0x0001|227", "0x0002|42"]);
}
