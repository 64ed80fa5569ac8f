//! Taps: the whole-air pcap and the statistics are reproducible, and tshark reads the pcap.

mod common;
use common::{tshark, tshark_count};
use han_mesh::time::{Duration, SimTime};
use han_mesh::workload::{GridWorkload, build};

fn run(seed: u64) -> (Vec<u8>, String) {
    let w = GridWorkload {
        duration: Duration::secs(120),
        ..GridWorkload::new(25, seed)
    };
    let mut world = build(&w);
    world.capture_air();
    world.run_until(SimTime::ZERO + w.duration);
    let pcap = world.take_capture().expect("capture on");
    (pcap, world.stats().to_json())
}

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let (p1, s1) = run(7);
    let (p2, s2) = run(7);
    let (p3, s3) = run(8);
    assert!(p1.len() > 10_000);
    assert!(p1 == p2, "pcaps differ for one seed");
    assert_eq!(s1, s2);
    assert!(p1 != p3);
    assert_ne!(s1, s3);
}

#[test]
fn air_capture_dissects_cleanly_and_agrees_with_stats() {
    let w = GridWorkload {
        duration: Duration::secs(60),
        ..GridWorkload::new(16, 3)
    };
    let mut world = build(&w);
    world.capture_air();
    world.run_until(SimTime::ZERO + w.duration);
    let stats = world.stats();
    let path = std::env::temp_dir().join(format!("han-mesh-air-{}.pcap", std::process::id()));
    std::fs::write(&path, world.take_capture().unwrap()).unwrap();
    let p = path.to_str().unwrap();
    let count = |filter: &str| tshark_count(p, filter) as u64;
    assert_eq!(count("frame"), stats.ppdus);
    assert_eq!(count("_ws.malformed || _ws.expert.severity >= error"), 0);
    assert_eq!(count("wpan.frame_type == 2"), stats.acks);
    assert_eq!(count("wpan-tap.ch_num == 11"), stats.ppdus);
    assert_eq!(count("wpan.fcs_ok == 1"), stats.ppdus);
    // Neighbours 5 m apart: 46.68 + 30·log10(5) = 67.65 dB → −67.65 dBm.
    assert!(count("wpan-tap.rss < -67.6 && wpan-tap.rss > -67.7") > 0);
    // The last frame starts within the run (capture epoch 2026-01-01T00:00:00Z).
    let last: f64 = tshark(&["-r", p, "-n", "-T", "fields", "-e", "frame.time_epoch"])
        .lines()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    let t = last - 1_767_225_600.0;
    assert!((0.0..60.0).contains(&t), "{t}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn node_radio_times_add_up() {
    let w = GridWorkload {
        duration: Duration::secs(100),
        ..GridWorkload::new(9, 1)
    };
    let mut world = build(&w);
    world.run_until(SimTime::ZERO + w.duration);
    let s = world.stats();
    let tx: u64 = s.nodes.iter().map(|n| n.tx_ns).sum();
    assert_eq!(tx, s.airtime_ns);
    assert!(s.nodes.iter().all(|n| n.rx_ns > 0 && n.tx_ns > 0));
}

#[test]
fn zep_tap_sends_every_transmission() {
    use han_stack::wire::Wire;
    use han_stack::zep::ZepPacket;
    let w = GridWorkload {
        duration: Duration::secs(30),
        ..GridWorkload::new(9, 2)
    };
    let mut world = build(&w);
    world.tap_zep();
    world.run_until(SimTime::ZERO + w.duration);
    let z = world.take_zep().unwrap();
    assert_eq!(z.len() as u64, world.stats().ppdus);
    assert!(z.windows(2).all(|p| p[0].at <= p[1].at));
    for (i, d) in z.iter().enumerate() {
        let ZepPacket::V2Data {
            channel,
            seq,
            frame,
            ..
        } = ZepPacket::from_bytes(&d.bytes).unwrap()
        else {
            panic!("not a ZEP v2 data packet")
        };
        assert_eq!((channel, seq), (11, i as u32 + 1));
        assert!(han_stack::mac::MacFrame::parse_with_fcs(&frame).unwrap().2);
    }
    assert_eq!(world.take_zep(), Some(Vec::new()));
}

#[test]
fn a_nodes_point_of_view_capture_has_what_it_decoded() {
    let w = GridWorkload {
        duration: Duration::secs(60),
        ..GridWorkload::new(9, 4)
    };
    let mut world = build(&w);
    world.capture_air();
    world.capture_node(4);
    world.run_until(SimTime::ZERO + w.duration);
    let stats = world.stats();
    let air = world.take_capture().unwrap();
    let pov = world.take_node_capture(4).unwrap();
    // The centre node hears most of the air, but not its own frames.
    let count = |b: &[u8]| han_stack::capture::open(b).unwrap().count() as u64;
    let (n_air, n_pov) = (count(&air), count(&pov));
    assert_eq!(n_air, stats.ppdus);
    assert!(
        n_pov < n_air - stats.nodes[4].ppdus + 1 && n_pov > n_air / 2,
        "{n_pov} of {n_air}"
    );
    assert_eq!(stats.channel_airtime_ns[&11], stats.airtime_ns);
    // Sniffing does not change what happens on the air.
    let mut plain = build(&w);
    plain.run_until(SimTime::ZERO + w.duration);
    assert_eq!(plain.stats(), stats);
}
