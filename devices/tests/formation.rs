//! Formation by active scan (Zigbee PRO R22 3.2.2.2.3) and PAN ID conflict resolution
//! (3.6.1.13): two comms hubs in range on one channel, both preferring the same PAN ID,
//! end on distinct PANs with their own devices joined, whether one powers on after the
//! other (its active scan hears the first's beacon) or both at once (neither can hear the
//! other while forming; the conflict shows when a joiner's scan draws both beacons), or
//! when only a joined device hears the other network and reports it to its hub in a
//! Network Report (3.6.1.13.1).

use han_devices::host::{DeviceHost, HostConfig, RoleConfig};
use han_devices::relay::Relay;
use han_devices::scenario::Keys;
use han_mesh::medium::LinkTable;
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, World};
use han_radio::device::DeviceKind;
use han_stack::aps::trust_centre::DeviceLog;
use han_stack::security::InstallCode;
use han_stack::wire::ExtAddr;

mod common;
use common::tshark;

/// The PAN ID both hubs' seeds would give them.
const SAME_PAN: u16 = 0x1234;
const CHANNEL: u8 = 15;
const KEY_A: [u8; 16] = [0x40; 16];
const KEY_B: [u8; 16] = [0x41; 16];

fn host(id: &str, kind: DeviceKind, ext: u64, power_on: Duration, role: RoleConfig) -> DeviceHost {
    let cfg = HostConfig {
        id: id.into(),
        kind,
        premises: 0,
        ext_addr: ExtAddr(ext),
        channel: CHANNEL,
        channels: vec![CHANNEL],
        power_on,
        role,
        epoch_unix_ns: 0,
        symbol_ns: 16_000,
        outages: Vec::new(),
        key_updates: Vec::new(),
        leave_requests: Vec::new(),
    };
    DeviceHost::new(cfg, Box::new(Relay))
}

/// Hubs A and B (nodes 0 and 1) with one router each (nodes 2 and 3) and, powered on at
/// 90 s, a second device of A's (node 4); hub B powers on at `b_on`. With `apart`, A's
/// side and B's side do not reach each other until [`together`].
fn two_hubs(b_on: Duration, apart: bool) -> World<DeviceHost> {
    hubs_and_devices(b_on, apart, 0)
}

/// As [`two_hubs`], node 4 a device of hub `fourth` (0: A, 1: B) and on its side.
fn hubs_and_devices(b_on: Duration, apart: bool, fourth: u8) -> World<DeviceHost> {
    let hub = |n: u64| 0x0012_4b00_0000_0a00 + n;
    let dev = |n: u64| 0x0012_4b00_0000_0b00 + n;
    let code = |n: u8| InstallCode::with_crc(&[n; 16]).unwrap();
    let mut nodes = Vec::new();
    for n in 0..2u8 {
        let mut log = DeviceLog::default();
        log.add(ExtAddr(dev(n.into())), &code(n)).unwrap();
        if n == fourth {
            log.add(ExtAddr(dev(2)), &code(2)).unwrap();
        }
        let role = RoleConfig::Coordinator {
            pan: SAME_PAN,
            network_key: [KEY_A, KEY_B][usize::from(n)],
            log,
            app_secret: [0x50 + n; 16],
        };
        let on = if n == 0 { Duration(0) } else { b_on };
        nodes.push(host("hub", DeviceKind::Chf, hub(n.into()), on, role));
    }
    for n in 0..3u8 {
        let role = RoleConfig::Joiner {
            link_key: code(n).link_key(),
            extended_pan_id: ExtAddr(hub(u64::from(if n == 2 { fourth } else { n }))),
            router: n < 2,
            sleepy: false,
        };
        let on = match n {
            2 => Duration::secs(90),
            _ => b_on + Duration::secs(2 + u64::from(n)),
        };
        nodes.push(host("dev", DeviceKind::Esme, dev(n.into()), on, role));
    }
    let side = |i: usize| [0, 1, 0, 1, fourth][i];
    let positions = (0..5).map(|i| [f64::from(i), 0.0, 0.0]).collect();
    let links = LinkTable::build(positions, -120.0, |a, c| {
        (!apart || side(a) == side(c)).then_some(-60.0)
    });
    World::new(AirConfig::default(), links, nodes, 7)
}

/// Bring both sides in range of each other (a door opened between them).
fn together(w: &mut World<DeviceHost>) {
    let pairs: Vec<_> = (0..5u32)
        .flat_map(|a| (0..5u32).map(move |c| (a, c, Some(-60.0))))
        .collect();
    w.update_links(&pairs);
}

/// Both hubs formed on distinct PANs, each router joined to its own hub on its PAN.
fn check(w: &World<DeviceHost>) {
    let n = w.nodes();
    let pan = |i: usize| {
        n[i].stats
            .pan_id
            .unwrap_or_else(|| panic!("node {i} formed no PAN"))
    };
    assert_ne!(pan(0), pan(1));
    for (hub, dev) in [(0, 2), (1, 3)] {
        assert!(n[dev].is_joined(), "router {dev}: {:?}", n[dev].stats);
        let t = n[dev].takeover().unwrap();
        assert_eq!(t.pan_id, pan(hub));
        assert_eq!(n[dev].network_key(), n[hub].network_key());
        assert!(n[hub].children().iter().any(|c| c.1 == n[dev].ext_addr()));
    }
}

#[test]
fn a_hub_powered_on_later_forms_under_a_pan_id_no_beacon_uses() {
    let mut w = two_hubs(Duration::secs(60), false);
    w.run_until(SimTime::ZERO + Duration::secs(180));
    check(&w);
    let n = w.nodes();
    // A kept the PAN ID it preferred; B's active scan heard A's beacon and drew another.
    assert_eq!(n[0].stats.pan_id, Some(SAME_PAN));
    assert_eq!(n[1].stats.networks_heard, 1);
    assert_eq!(n[0].stats.pan_conflicts + n[1].stats.pan_conflicts, 0);
}

#[test]
fn hubs_formed_together_on_one_pan_id_resolve_the_conflict() {
    let mut w = two_hubs(Duration(0), false);
    w.run_until(SimTime::ZERO + Duration::secs(2));
    // Neither heard the other while forming: both took the PAN ID they preferred.
    let n = w.nodes();
    assert_eq!(
        (n[0].stats.pan_id, n[1].stats.pan_id),
        (Some(SAME_PAN), Some(SAME_PAN))
    );
    assert_eq!(n[0].stats.networks_heard + n[1].stats.networks_heard, 0);
    w.run_until(SimTime::ZERO + Duration::secs(180));
    check(&w);
    let n = w.nodes();
    assert!(n[0].stats.pan_conflicts + n[1].stats.pan_conflicts >= 1);
}

#[test]
fn a_conflict_found_after_devices_joined_moves_the_whole_network() {
    let mut w = two_hubs(Duration(0), true);
    w.capture_air();
    w.run_until(SimTime::ZERO + Duration::secs(60));
    let n = w.nodes();
    // Out of each other's reach, both formed on the PAN ID they preferred and their
    // routers joined.
    assert_eq!(
        (n[0].stats.pan_id, n[1].stats.pan_id),
        (Some(SAME_PAN), Some(SAME_PAN))
    );
    assert!(n[2].is_joined() && n[3].is_joined());
    together(&mut w);
    // A's second device scans at 90 s: both hubs answer and each hears the other's beacon.
    w.run_until(SimTime::ZERO + Duration::secs(240));
    check(&w);
    let n = w.nodes();
    assert!(n[0].stats.pan_conflicts + n[1].stats.pan_conflicts >= 1);
    assert!(n[4].is_joined());
    assert_eq!(n[4].takeover().unwrap().pan_id, n[0].stats.pan_id.unwrap());
    // The routers moved with their hub on its Network Update, without rejoining.
    assert_eq!(
        (n[2].stats.rejoined_at_s, n[3].stats.rejoined_at_s),
        (None, None)
    );
    let new_pans = [0, 1].map(|i| n[i].stats.pan_id.unwrap());
    // tshark decrypts the Network Updates with the network keys and finds nothing malformed.
    let keys = Keys {
        network: vec![("a".into(), KEY_A), ("b".into(), KEY_B)],
        link: Vec::new(),
    };
    let pcap = std::env::temp_dir().join(format!("han-formation-{}.pcap", std::process::id()));
    std::fs::write(&pcap, w.take_capture().unwrap()).unwrap();
    let updates = tshark(&pcap, &keys, "zbee_nwk.cmd.id == 0x0a", "zbee_nwk.panid");
    let malformed = tshark(
        &pcap,
        &keys,
        "_ws.malformed || _ws.expert.severity == error",
        "frame.number",
    );
    let requests = tshark(&pcap, &keys, "wpan.cmd == 0x07", "frame.number");
    std::fs::remove_file(&pcap).unwrap();
    assert!(!updates.is_empty());
    for u in &updates {
        let pan = u16::from_str_radix(u.trim_start_matches("0x"), 16).unwrap();
        assert!(new_pans.contains(&pan), "{u} {new_pans:x?}");
    }
    assert_eq!(malformed, Vec::<String>::new());
    // Both hubs' active scans and the joiners' scans asked for beacons.
    assert!(requests.len() >= 2);
}

#[test]
fn a_conflict_heard_only_by_a_joined_device_is_reported_and_moves_its_network() {
    // B's second device (node 4) joins B at 90 s; its active scan draws hub B's beacon,
    // which A's router (node 2) hears once it is in hub B's range. Hub A hears no beacon
    // of B's, and B hears none of A's (node 2 is out of node 4's range).
    let mut w = hubs_and_devices(Duration(0), true, 1);
    w.capture_air();
    w.run_until(SimTime::ZERO + Duration::secs(60));
    let n = w.nodes();
    assert_eq!(
        (n[0].stats.pan_id, n[1].stats.pan_id),
        (Some(SAME_PAN), Some(SAME_PAN))
    );
    assert!(n[2].is_joined() && n[3].is_joined());
    w.update_links(&[(2, 1, Some(-60.0)), (1, 2, Some(-60.0))]);
    w.run_until(SimTime::ZERO + Duration::secs(240));
    let n = w.nodes();
    assert!(n[4].is_joined(), "{:?}", n[4].stats);
    // A's router reported once; hub A resolved the conflict it never heard itself, B kept
    // its PAN ID and found no conflict.
    assert_eq!(n[2].stats.pan_reports_sent, 1);
    assert_eq!(n[0].stats.pan_conflicts, 1);
    assert_eq!(n[1].stats.pan_conflicts, 0);
    assert_eq!(n[1].stats.pan_id, Some(SAME_PAN));
    let new_pan = n[0].stats.pan_id.unwrap();
    assert_ne!(new_pan, SAME_PAN);
    // Everyone of A's moved with the Network Update, without rejoining.
    assert_eq!(n[2].takeover().unwrap().pan_id, new_pan);
    assert_eq!(n[2].stats.rejoined_at_s, None);
    assert_eq!(n[4].takeover().unwrap().pan_id, SAME_PAN);
    // tshark decrypts the Network Report (router 2 to the hub, naming the PAN ID in
    // conflict) and the Network Update that followed, and finds nothing malformed.
    let keys = Keys {
        network: vec![("a".into(), KEY_A), ("b".into(), KEY_B)],
        link: Vec::new(),
    };
    let pcap = std::env::temp_dir().join(format!("han-report-{}.pcap", std::process::id()));
    std::fs::write(&pcap, w.take_capture().unwrap()).unwrap();
    let reports = tshark(&pcap, &keys, "zbee_nwk.cmd.id == 0x09", "_ws.col.Info");
    let report_pans = tshark(&pcap, &keys, "zbee_nwk.cmd.id == 0x09", "zbee_nwk.panid");
    let report_dst = tshark(&pcap, &keys, "zbee_nwk.cmd.id == 0x09", "zbee_nwk.dst");
    let updates = tshark(&pcap, &keys, "zbee_nwk.cmd.id == 0x0a", "zbee_nwk.panid");
    let malformed = tshark(
        &pcap,
        &keys,
        "_ws.malformed || _ws.expert.severity == error",
        "frame.number",
    );
    std::fs::remove_file(&pcap).unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].contains("Network Report"), "{reports:?}");
    assert_eq!(report_pans, vec![format!("0x{SAME_PAN:04x}")]);
    assert_eq!(report_dst, vec!["0x0000".to_string()]);
    assert!(!updates.is_empty());
    for u in &updates {
        assert_eq!(u, &format!("0x{new_pan:04x}"));
    }
    assert_eq!(malformed, Vec::<String>::new());
}
