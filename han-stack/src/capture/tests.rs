//! Tests over the real captures in shared/captures and synthetic files.

use super::*;
use crate::test_util::hex;
use proptest::prelude::*;

fn capture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/captures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn frames(bytes: &[u8]) -> Vec<CaptureFrame> {
    open(bytes).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
}

/// (file, frames, bad FCS) from captures/SOURCES.md. zigator_02 has 2 frames whose
/// FCS does not match, where SOURCES.md (tshark's `wpan.fcs_ok == 0`) counts 1:
/// tshark cannot dissect frame 12 (unknown frame version) and so never checks its FCS.
const EXPECTED: [(&str, usize, usize); 18] = [
    ("killerbee_control4-sample.pcap", 407, 30),
    ("killerbee_zigbee-network-key-ota.dcf", 4, 0),
    ("killerbee_802154_encr_sample.dcf", 2, 0),
    ("killerbee_test_dt_read.dcf", 12, 0),
    ("killerbee_test_dt_dump.dcf", 0, 0),
    ("zigator_00-wrong-data-link-type.pcap", 1, 0),
    ("zigator_01-phy-testing.pcap", 4, 1),
    ("zigator_02-mac-testing.pcap", 19, 2),
    ("zigator_03-nwk-testing.pcap", 15, 0),
    ("zigator_04-aps-testing.pcap", 11, 0),
    ("zigator_05-zdp-testing.pcap", 1, 0),
    ("zigator_06-zcl-testing.pcap", 1, 0),
    ("zigator_08-thr-testing.pcap", 2, 0),
    ("zigator_09-mle-testing.pcap", 2, 0),
    ("zbtk_trace_zep.pcap", 152, 0),
    ("zbtk_parse_vectors_zep.pcap", 52, 0),
    ("zbtk_parse_vectors_wpan.pcap", 2, 0),
    ("zoh_testdata_frames.pcap", 32, 0),
];

#[test]
fn every_shared_capture_reads_with_sources_md_counts() {
    for (name, count, bad) in EXPECTED {
        let fs = frames(&capture(name));
        assert_eq!(fs.len(), count, "{name}");
        let bad_fcs = fs
            .iter()
            .filter(|f| matches!(f.fcs, FcsInfo::Present { ok: false, .. }))
            .count();
        assert_eq!(bad_fcs, bad, "{name}");
        for (i, f) in fs.iter().enumerate() {
            assert_eq!(f.number, i + 1, "{name}");
        }
    }
    assert_eq!(
        frames(&capture("derived_vector_frames_wrapped.pcap")).len(),
        6
    );
}

#[test]
fn control4_frames_have_fcs_and_offsets() {
    let fs = frames(&capture("killerbee_control4-sample.pcap"));
    assert_eq!(fs[0].file_offset, 24);
    assert_eq!(fs[0].link_type, LINKTYPE_IEEE802_15_4_WITHFCS);
    assert!(fs.iter().all(|f| f.problem.is_none() && !f.mpdu.is_empty()));
    // 2010-08-06, all within one second.
    let t0 = fs[0].time;
    assert!((1_281_000_000.0..1_281_200_000.0).contains(&t0), "{t0}");
    assert!(fs.iter().all(|f| (f.time - t0).abs() < 1.0));
}

#[test]
fn zep_captures_carry_cc24xx_metadata() {
    for name in ["zbtk_trace_zep.pcap", "zbtk_parse_vectors_zep.pcap"] {
        for f in frames(&capture(name)) {
            assert_eq!(f.problem, None, "{name} #{}", f.number);
            let zep = f.zep.unwrap();
            assert_eq!(zep.version, 2);
            assert!(!zep.crc_mode);
            assert!(matches!(f.fcs, FcsInfo::Cc24xx { .. }), "{name}");
            assert!(f.channel.is_some() && f.lqi.is_some() && f.rssi_dbm.is_some());
        }
    }
    // First frame of the trace (checked with tshark): channel 19, 10-byte MPDU, trailer f2 ea.
    let f = &frames(&capture("zbtk_trace_zep.pcap"))[0];
    assert_eq!(f.channel, Some(19));
    assert_eq!(f.mpdu, hex("6388adde8c000027d004"));
    assert_eq!(
        f.fcs,
        FcsInfo::Cc24xx {
            rssi: -14,
            crc_ok: true,
            correlation: 0x6a
        }
    );
    assert_eq!(f.rssi_dbm, Some(-14.0));
}

#[test]
fn dcf_frames_strip_the_fcs_and_read_radio_columns() {
    let fs = frames(&capture("killerbee_802154_encr_sample.dcf"));
    assert_eq!(fs[0].mpdu.len(), 38);
    assert_eq!(fs[0].fcs, FcsInfo::Absent);
    assert_eq!(fs[0].time, 1242936674.03);
    assert_eq!(
        (fs[0].lqi, fs[0].rssi_dbm, fs[0].channel),
        (Some(255), Some(-3.0), Some(25))
    );
    // test_dt_read carries real FCS values.
    let fs = frames(&capture("killerbee_test_dt_read.dcf"));
    assert!(
        fs.iter()
            .all(|f| matches!(f.fcs, FcsInfo::Present { ok: true, .. }))
    );
    assert_eq!(fs[0].mpdu.len(), 51);
}

#[test]
fn ethernet_without_zep_is_a_frame_with_a_problem() {
    let fs = frames(&capture("zigator_00-wrong-data-link-type.pcap"));
    assert_eq!(fs.len(), 1);
    assert!(fs[0].mpdu.is_empty());
    let p = fs[0].problem.as_deref().unwrap();
    assert!(p.contains("not UDP"), "{p}");
}

#[test]
fn linux_sll_is_refused_at_the_header() {
    let Err(e) = open(&capture("zigator_07-sll-testing.pcap")) else {
        panic!("opened")
    };
    assert_eq!(e.offset, 20);
    assert_eq!(
        e.to_string(),
        "at byte 20: unsupported link type 113 (LINUX_SLL); han reads 195, 230, 283, 1, 101"
    );
}

fn pcap_header(link: u32, snaplen: u32) -> Vec<u8> {
    let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    h.extend_from_slice(&snaplen.to_le_bytes());
    h.extend_from_slice(&link.to_le_bytes());
    h
}

fn pcap_record(h: &mut Vec<u8>, data: &[u8]) {
    h.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    h.extend_from_slice(data);
}

#[test]
fn file_faults_are_located() {
    let err = |b: &[u8]| match open(b) {
        Err(e) => e,
        Ok(mut r) => r.find_map(Result::err).expect("an error"),
    };
    assert_eq!(err(&[]).to_string(), "at byte 0: empty file: not a capture");
    assert!(err(b"hello").to_string().contains("unknown file format"));
    let e = err(&pcap_header(195, 128)[..10]);
    assert_eq!(
        e.to_string(),
        "at byte 10: truncated pcap file header: 10 of 24 bytes"
    );

    let mut f = pcap_header(195, 128);
    pcap_record(&mut f, &[1, 2, 3, 4]);
    let mut long = f.clone();
    pcap_record(&mut long, &[0; 300]);
    let e = err(&long);
    assert_eq!((e.offset, e.frame), (44, Some(2)));
    assert_eq!(
        e.to_string(),
        "record 2 at byte 44: record length 300 exceeds snaplen 128"
    );

    let mut trunc = f.clone();
    pcap_record(&mut trunc, &[7; 20]);
    trunc.truncate(trunc.len() - 5);
    let e = err(&trunc);
    assert_eq!(
        e.to_string(),
        "record 2 at byte 44: truncated record: 20 bytes of data announced, 15 left in the file"
    );
    let e = err(&f[..f.len() - 10]);
    assert_eq!(
        e.to_string(),
        "record 1 at byte 24: truncated record header: 10 of 16 bytes"
    );

    // The iterator stops after the first error.
    let mut r = open(&trunc).unwrap();
    assert!(r.next().unwrap().is_ok());
    assert!(r.next().unwrap().is_err());
    assert!(r.next().is_none());

    let e = err(b"#Format=4\r\n1 2.5 4 0102\r\n");
    assert_eq!(e.line, Some(2));
    assert_eq!(
        e.to_string(),
        "line 2 (record 1) at byte 11: length field says 4 but the line has 2 bytes"
    );
}

#[test]
fn big_endian_and_nanosecond_pcap() {
    let mpdu = [0x03, 0x08, 0x42, 0xff, 0xff, 0xff, 0xff, 0x07];
    let mut data = mpdu.to_vec();
    data.extend_from_slice(&fcs16(&mpdu).to_le_bytes());
    let mut f = vec![
        0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 195,
    ];
    f.extend_from_slice(&[0, 0, 0, 10, 0x1d, 0xcd, 0x65, 0x00]);
    f.extend_from_slice(&(data.len() as u32).to_be_bytes());
    f.extend_from_slice(&(data.len() as u32).to_be_bytes());
    f.extend_from_slice(&data);
    let fs = frames(&f);
    assert_eq!(fs[0].mpdu, mpdu);
    assert!(fs[0].fcs.is_ok());
    assert!((fs[0].time - 10.5).abs() < 1e-9);
}

#[test]
fn written_files_read_back() {
    let meta = RadioMeta {
        channel: 15,
        rssi_dbm: -61.5,
        lqi: 200,
    };
    let mpdu = hex(
        "6188e3bf182cda000008022cda00001e3f288985bd011ab0f7fefff9e3b40067fdf6895be2d544346729e42d46",
    );
    for link in [LinkType::WithFcs, LinkType::NoFcs, LinkType::Tap] {
        let mut w = PcapWriter::new(Vec::new(), link).unwrap();
        w.write_frame(1_700_000_000_123_456_789, &mpdu, &meta)
            .unwrap();
        w.write_frame(1_700_000_001_000_000_000, &[0x02, 0x00, 0x07], &meta)
            .unwrap();
        let bytes = w.into_inner().unwrap();
        let fs = frames(&bytes);
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].mpdu, mpdu);
        assert_eq!(fs[0].link_type, link.number());
        assert!((fs[0].time - 1_700_000_000.123456).abs() < 1e-6);
        assert_eq!(fs[1].mpdu, [0x02, 0x00, 0x07]);
        match link {
            LinkType::NoFcs => assert_eq!(fs[0].fcs, FcsInfo::Absent),
            _ => assert_eq!(
                fs[0].fcs,
                FcsInfo::Present {
                    value: 0x3fa0,
                    ok: true
                }
            ),
        }
        if link == LinkType::Tap {
            assert_eq!(
                (fs[0].channel, fs[0].rssi_dbm, fs[0].lqi),
                (Some(15), Some(-61.5), Some(200))
            );
        }
    }
}

#[test]
fn fcs_vector() {
    let v = crate::security::test_vectors::vectors();
    for e in v["ieee802154_fcs"].as_array().unwrap() {
        let frame = hex(e["frame_without_fcs"].as_str().unwrap());
        let fcs = hex(e["fcs_le_bytes"].as_str().unwrap());
        assert_eq!(fcs16(&frame).to_le_bytes().to_vec(), fcs);
    }
}

#[test]
fn pcapng_is_read() {
    use pcap_file::DataLink;
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::{
        InterfaceDescriptionBlock, InterfaceDescriptionOption,
    };
    use std::borrow::Cow;
    use std::time::Duration;

    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    let mut idb = InterfaceDescriptionBlock::new(DataLink::IEEE802_15_4_NOFCS, 0);
    w.write_pcapng_block(idb.clone()).unwrap();
    // A second interface with nanosecond resolution.
    idb.options.push(InterfaceDescriptionOption::IfTsResol(9));
    w.write_pcapng_block(idb).unwrap();
    for (iface, raw) in [(0u32, 2_500_000u64), (1, 3_250_000_000)] {
        let epb = EnhancedPacketBlock {
            interface_id: iface,
            timestamp: Duration::from_nanos(raw),
            original_len: 3,
            data: Cow::Borrowed(&[0x02, 0x00, 0x07]),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap();
    }
    let bytes = w.into_inner();
    let r = open(&bytes).unwrap();
    assert_eq!(r.format(), "pcapng");
    let fs = r.collect::<Result<Vec<_>, _>>().unwrap();
    assert_eq!(fs.len(), 2);
    assert_eq!(fs[0].mpdu, [0x02, 0x00, 0x07]);
    assert!((fs[0].time - 2.5).abs() < 1e-9, "{}", fs[0].time);
    assert!((fs[1].time - 3.25).abs() < 1e-9, "{}", fs[1].time);

    let mut sll = PcapNgWriter::new(Vec::new()).unwrap();
    sll.write_pcapng_block(InterfaceDescriptionBlock::new(DataLink::LINUX_SLL, 0))
        .unwrap();
    let bytes = sll.into_inner();
    let e = open(&bytes).unwrap().next().unwrap().unwrap_err();
    assert!(e.message.contains("unsupported link type 113"), "{e}");
}

#[test]
fn a_million_frames_stream() {
    let mut w = PcapWriter::new(Vec::new(), LinkType::WithFcs).unwrap();
    let meta = RadioMeta {
        channel: 11,
        rssi_dbm: 0.0,
        lqi: 0,
    };
    for i in 0..1_000_000u64 {
        w.write_frame(i * 1000, &[0x02, 0x00, i as u8], &meta)
            .unwrap();
    }
    let bytes = w.into_inner().unwrap();
    let mut n = 0;
    for f in open(&bytes).unwrap() {
        let f = f.unwrap();
        n += 1;
        assert!(f.fcs.is_ok());
    }
    assert_eq!(n, 1_000_000);
}

fn drain(bytes: &[u8]) {
    if let Ok(r) = open(bytes) {
        for f in r.flatten() {
            assert!(f.problem.is_none() || f.mpdu.is_empty());
        }
    }
}

/// A section header and one 802.15.4 interface, so that fuzzing reaches the packet blocks.
fn pcapng_header() -> Vec<u8> {
    use pcap_file::DataLink;
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    w.write_pcapng_block(InterfaceDescriptionBlock::new(
        DataLink::IEEE802_15_4_TAP,
        0,
    ))
    .unwrap();
    w.into_inner()
}

fn prefixes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![]),
        Just(pcap_header(195, 64)),
        Just(pcap_header(283, 0)),
        Just(pcap_header(1, 0)),
        Just(pcap_header(101, 96)),
        Just(vec![0xa1, 0xb2, 0x3c, 0x4d]),
        Just(vec![0x0a, 0x0d, 0x0d, 0x0a]),
        Just(pcapng_header()),
        Just(b"#Format=4\n1 0.5 ".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]
    #[test]
    fn arbitrary_bytes_never_panic(prefix in prefixes(), body in proptest::collection::vec(any::<u8>(), 0..128)) {
        let mut bytes = prefix;
        bytes.extend(body);
        drain(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]
    #[test]
    fn mutated_real_files_never_panic(
        file in prop_oneof![
            Just("zigator_02-mac-testing.pcap"),
            Just("zbtk_parse_vectors_zep.pcap"),
            Just("killerbee_test_dt_read.dcf"),
            Just("zoh_testdata_frames.pcap"),
        ],
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(), truncate in any::<bool>(),
    ) {
        let mut bytes = capture(file);
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        if truncate {
            let n = cut.index(bytes.len());
            bytes.truncate(n);
        }
        drain(&bytes);
    }
}

/// IPv4/UDP to port 17754 around `zep`.
fn ipv4_udp(zep: &[u8]) -> Vec<u8> {
    let total = (20 + 8 + zep.len()) as u16;
    let mut p = vec![
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&17754u16.to_be_bytes());
    p.extend_from_slice(&17754u16.to_be_bytes());
    p.extend_from_slice(&((8 + zep.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(zep);
    p
}

#[test]
fn zep_in_crc_mode_over_ethernet_and_raw_ip() {
    use crate::wire::Wire;
    use crate::zep::ZepPacket;
    let mpdu = [0x03, 0x08, 0x42, 0xff, 0xff, 0xff, 0xff, 0x07];
    let mut frame = mpdu.to_vec();
    frame.extend_from_slice(&fcs16(&mpdu).to_le_bytes());
    let v1 = ZepPacket::V1 {
        channel: 20,
        device_id: 7,
        crc_mode: true,
        lqi: 99,
        reserved: [0; 7],
        frame,
    };
    let ip = ipv4_udp(&v1.to_bytes());
    let mut eth = vec![0xff; 12];
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&ip);
    eth.extend_from_slice(&[0; 6]); // Ethernet padding after the UDP datagram
    for (link, record) in [(1, eth), (101, ip)] {
        let mut f = pcap_header(link, 0);
        pcap_record(&mut f, &record);
        let fs = frames(&f);
        assert_eq!(fs[0].problem, None);
        assert_eq!(fs[0].mpdu, mpdu);
        assert_eq!(
            fs[0].fcs,
            FcsInfo::Present {
                value: fcs16(&mpdu),
                ok: true
            }
        );
        assert_eq!((fs[0].channel, fs[0].lqi), (Some(20), Some(99)));
        assert_eq!(fs[0].zep.unwrap().version, 1);
    }
    // A ZEP ack carries no frame.
    let mut f = pcap_header(101, 0);
    pcap_record(&mut f, &ipv4_udp(&ZepPacket::V2Ack { seq: 1 }.to_bytes()));
    assert_eq!(
        frames(&f)[0].problem.as_deref(),
        Some("ZEP v2 Ack carries no 802.15.4 frame")
    );
}

#[test]
fn tap_fcs_types_and_unknown_tlvs() {
    let mpdu = [0x02, 0x00, 0x2a];
    let tap = |fcs_type: u8, tail: &[u8]| {
        // header, FCS type TLV, an unknown TLV 99 of 5 bytes (padded to 8), then the frame
        let mut d = vec![
            0, 0, 24, 0, 0, 0, 1, 0, fcs_type, 0, 0, 0, 99, 0, 5, 0, 1, 2, 3, 4, 5, 0, 0, 0,
        ];
        d.extend_from_slice(&mpdu);
        d.extend_from_slice(tail);
        let mut f = pcap_header(283, 0);
        pcap_record(&mut f, &d);
        frames(&f).remove(0)
    };
    let f = tap(0, &[]);
    assert_eq!((f.mpdu.as_slice(), f.fcs), (&mpdu[..], FcsInfo::Absent));
    assert_eq!(tap(2, &[1, 2, 3, 4]).mpdu, mpdu);
    assert_eq!(
        tap(1, &fcs16(&mpdu).to_le_bytes()).fcs,
        FcsInfo::Present {
            value: fcs16(&mpdu),
            ok: true
        }
    );
    let bad = tap(7, &[]);
    assert_eq!(
        bad.problem.as_deref(),
        Some("TAP FCS type 7 is not 0, 1 or 2")
    );
    assert!(bad.mpdu.is_empty());
}
