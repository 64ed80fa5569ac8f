//! Cross-check with tshark: the frames routers send in the harness scenarios
//! (link status, route request and reply, many-to-one route request, route
//! record, network status, source-routed and broadcast data), each hop in an
//! 802.15.4 data frame and secured with a network key as on a real HAN, are
//! dissected with zero malformed frames and expert errors, and tshark reads
//! the routing fields we meant.
//!
//! The test fails when `tshark` is missing: scripts/test installs it. Set
//! `HAN_KEEP_PCAP=1` to keep the capture for a look in Wireshark.

use std::collections::BTreeMap;
use std::process::Command;

use super::consts::{BROADCAST_ALL, SECOND};
use super::harness::Sent;
use super::{NwkPayload, Transmit};
use crate::capture::{LinkType, PcapWriter, RadioMeta};
use crate::mac::{Address, MacFrame};
use crate::nwk::NwkFrame;
use crate::nwk::command::NwkCommand;
use crate::security::AuxHeader;
use crate::wire::{ExtAddr, Wire};

/// The network key the frames are secured with.
const NETWORK_KEY: [u8; 16] = *b"han-routing-key!";
const PAN: u16 = 0x1a62;

fn ext(addr: u16) -> ExtAddr {
    ExtAddr(0x0012_4b00_0000_0000 | u64::from(addr))
}

/// An APS data frame (profile 0x0109, endpoints 1) carrying a ZCL Read
/// Attributes of attribute 0x0000, for the harness's opaque data payloads.
fn aps_for(tx: &Transmit, counter: u8) -> Vec<u8> {
    let delivery = if tx.header.dst >= 0xfff8 { 0x08 } else { 0x00 };
    vec![
        delivery, 0x01, 0x00, 0x00, 0x09, 0x01, 0x01, counter, 0x00, counter, 0x00, 0x00, 0x00,
    ]
}

/// Every logged frame as an MPDU (without FCS), secured hop by hop.
fn mpdus(log: &[Sent]) -> Vec<(u64, Vec<u8>)> {
    let mut counters: BTreeMap<u16, u32> = BTreeMap::new();
    log.iter()
        .enumerate()
        .map(|(i, s)| {
            let plaintext = match &s.tx.payload {
                NwkPayload::Command(c) => c.to_bytes(),
                NwkPayload::Data(_) => aps_for(&s.tx, i as u8),
            };
            let counter = counters.entry(s.from).or_insert(0);
            *counter += 1;
            let aux = AuxHeader::network(*counter, ext(s.from), 0);
            let nwk = NwkFrame::seal(
                s.tx.header.clone(),
                aux,
                &plaintext,
                &NETWORK_KEY,
                ext(s.from),
                5,
            );
            let mac = MacFrame::data(
                i as u8,
                PAN,
                Address::Short(s.tx.mac_dst),
                Address::Short(s.from),
                nwk.to_bytes(),
            );
            (s.at, mac.to_bytes())
        })
        .collect()
}

fn require_tshark() {
    if let Err(e) = Command::new("tshark").arg("-v").output() {
        panic!("tshark is needed for this test ({e}); scripts/test installs it with apt-get");
    }
}

const FIELDS: [&str; 21] = [
    "_ws.malformed",
    "_ws.expert.severity",
    "zbee_nwk.src",
    "zbee_nwk.dst",
    "zbee_nwk.radius",
    "zbee_nwk.cmd.id",
    "zbee_nwk.cmd.route.id",
    "zbee_nwk.cmd.route.cost",
    "zbee_nwk.cmd.route.opts.many2one",
    "zbee_nwk.cmd.route.orig",
    "zbee_nwk.cmd.route.resp",
    "zbee_nwk.relay.index",
    "zbee_nwk.relay",
    "zbee_nwk.cmd.relay_device",
    "zbee_nwk.cmd.status",
    "zbee_nwk.cmd.route.dest",
    "zbee_nwk.cmd.link.first",
    "zbee_nwk.cmd.link.last",
    "zbee_nwk.cmd.link.address",
    "zbee_nwk.cmd.link.incoming_cost",
    "zbee_nwk.cmd.link.outgoing_cost",
];

/// tshark's values of [`FIELDS`] per frame.
fn tshark_fields(frames: &[(u64, Vec<u8>)]) -> Vec<Vec<String>> {
    require_tshark();
    let path = std::env::temp_dir().join(format!("han-routing-{}.pcap", std::process::id()));
    let mut w = PcapWriter::new(std::fs::File::create(&path).unwrap(), LinkType::WithFcs).unwrap();
    let meta = RadioMeta {
        channel: 15,
        rssi_dbm: -60.0,
        lqi: 255,
    };
    for (t, mpdu) in frames {
        w.write_frame(1_700_000_000_000_000_000 + t, mpdu, &meta)
            .unwrap();
    }
    drop(w);
    let key: String = NETWORK_KEY.iter().map(|b| format!("{b:02x}")).collect();
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(&path).args([
        "-n",
        "-o",
        &format!("uat:zigbee_pc_keys:\"{key}\",\"Normal\",\"k\""),
    ]);
    cmd.args([
        "-T",
        "fields",
        "-E",
        "separator=\t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if std::env::var_os("HAN_KEEP_PCAP").is_none() {
        let _ = std::fs::remove_file(&path);
    } else {
        eprintln!("pcap kept at {}", path.display());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn hex16(a: u16) -> String {
    format!("0x{a:04x}")
}

fn list<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> String) -> String {
    items.into_iter().map(f).collect::<Vec<_>>().join(",")
}

/// What tshark should print for `tx`, as (field, value) pairs.
fn expected(tx: &Transmit) -> Vec<(&'static str, String)> {
    let h = &tx.header;
    let mut e = vec![
        ("zbee_nwk.src", hex16(h.src)),
        ("zbee_nwk.dst", hex16(h.dst)),
        ("zbee_nwk.radius", h.radius.to_string()),
    ];
    if let Some(sr) = &h.source_route {
        e.push(("zbee_nwk.relay.index", sr.relay_index.to_string()));
        e.push(("zbee_nwk.relay", list(&sr.relays, |a| a.to_string())));
    }
    let NwkPayload::Command(c) = &tx.payload else {
        return e;
    };
    e.push(("zbee_nwk.cmd.id", format!("0x{:02x}", c.id())));
    match c {
        NwkCommand::RouteRequest(r) => {
            e.push(("zbee_nwk.cmd.route.id", r.id.to_string()));
            e.push(("zbee_nwk.cmd.route.cost", r.path_cost.to_string()));
            e.push((
                "zbee_nwk.cmd.route.opts.many2one",
                format!("0x{:02x}", r.options.many_to_one()),
            ));
            e.push(("zbee_nwk.cmd.route.dest", hex16(r.dst)));
        }
        NwkCommand::RouteReply(r) => {
            e.push(("zbee_nwk.cmd.route.id", r.id.to_string()));
            e.push(("zbee_nwk.cmd.route.cost", r.path_cost.to_string()));
            e.push(("zbee_nwk.cmd.route.orig", hex16(r.originator)));
            e.push(("zbee_nwk.cmd.route.resp", hex16(r.responder)));
        }
        NwkCommand::RouteRecord(r) => {
            e.push(("zbee_nwk.cmd.relay_device", list(&r.relays, |a| hex16(*a))))
        }
        NwkCommand::NetworkStatus(n) => {
            e.push(("zbee_nwk.cmd.status", format!("0x{:02x}", n.status.to_u8())));
            e.push(("zbee_nwk.cmd.route.dest", hex16(n.dst)));
        }
        NwkCommand::LinkStatus(l) => {
            use crate::nwk::command::LinkStatusOptions as O;
            e.push((
                "zbee_nwk.cmd.link.first",
                u8::from(l.options.contains(O::FIRST_FRAME)).to_string(),
            ));
            e.push((
                "zbee_nwk.cmd.link.last",
                u8::from(l.options.contains(O::LAST_FRAME)).to_string(),
            ));
            e.push((
                "zbee_nwk.cmd.link.address",
                list(&l.entries, |x| hex16(x.addr)),
            ));
            e.push((
                "zbee_nwk.cmd.link.incoming_cost",
                list(&l.entries, |x| x.incoming_cost.to_string()),
            ));
            e.push((
                "zbee_nwk.cmd.link.outgoing_cost",
                list(&l.entries, |x| x.outgoing_cost.to_string()),
            ));
        }
        _ => {}
    }
    e
}

#[test]
fn tshark_reads_the_routing_frames_we_meant() {
    // The concentrator scenario: link status, many-to-one route request, route
    // record, discovery with replies, source routing, a broadcast, a broken
    // source route and its network status, rediscovery.
    let mut net = super::tests::concentrator();
    net.run_until(65 * SECOND);
    net.send_data(3, 0, b"reading".to_vec());
    net.send_data(5, 2, b"x".to_vec());
    net.run_until(66 * SECOND);
    net.send_data(0, 3, b"price".to_vec());
    net.broadcast(4, BROADCAST_ALL, 30, b"all".to_vec());
    net.run_until(67 * SECOND);
    net.power_off(2);
    net.lose_until_the_link_breaks(0, 3);
    net.send_data(0, 3, b"price2".to_vec());
    net.run_until(68 * SECOND);
    net.send_data(0, 3, b"price3".to_vec());
    net.run_until(70 * SECOND);
    let got = tshark_fields(&mpdus(&net.log));
    assert_eq!(got.len(), net.log.len());
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, (s, row)) in net.log.iter().zip(&got).enumerate() {
        let field = |name: &str| {
            FIELDS
                .iter()
                .position(|f| *f == name)
                .and_then(|k| row.get(k))
                .map_or("", String::as_str)
        };
        if !field("_ws.malformed").is_empty() || field("_ws.expert.severity").contains("8388608") {
            problems.push(format!("frame {}: malformed or expert error", i + 1));
        }
        for (name, want) in expected(&s.tx) {
            if field(name) != want {
                problems.push(format!(
                    "frame {}: {name} is {:?}, we sent {want:?}",
                    i + 1,
                    field(name)
                ));
            }
        }
        seen.insert(match &s.tx.payload {
            NwkPayload::Command(c) => c.name(),
            NwkPayload::Data(_) if s.tx.header.source_route.is_some() => "source-routed data",
            NwkPayload::Data(_) => "data",
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let want = [
        "Link Status",
        "Network Status",
        "Route Record",
        "Route Reply",
        "Route Request",
        "data",
        "source-routed data",
    ];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), want);
}
