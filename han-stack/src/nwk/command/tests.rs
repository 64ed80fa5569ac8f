//! NWK command tests: decrypted payloads of zigator_03-nwk-testing.pcap
//! (keys in its .keys file) as tshark decodes them, and property tests.

use super::*;
use crate::mac::AssociationStatus;
use crate::test_util::hex;
use crate::wire::ExtAddr;
use proptest::prelude::*;

/// Decode, check the name, and check the byte-exact round trip.
fn decode(s: &str, name: &str) -> NwkCommand {
    let bytes = hex(s);
    let c = NwkCommand::from_bytes(&bytes).unwrap();
    assert_eq!(c.name(), name);
    assert_eq!(c.to_bytes(), bytes);
    c
}

#[test]
fn route_request_many_to_one() {
    let c = decode("010802fcff00", "Route Request");
    let NwkCommand::RouteRequest(rr) = c else {
        panic!()
    };
    assert_eq!(rr.options.many_to_one(), 1);
    assert_eq!(
        (rr.id, rr.dst, rr.path_cost, rr.dst64),
        (2, 0xfffc, 0, None)
    );
}

#[test]
fn route_reply_with_both_eui64() {
    let c = decode(
        "02300501110000080200000000777777 0100000000777777"
            .replace(' ', "")
            .as_str(),
        "Route Reply",
    );
    let NwkCommand::RouteReply(rr) = c else {
        panic!()
    };
    assert_eq!(
        (rr.id, rr.originator, rr.responder, rr.path_cost),
        (5, 0x1101, 0x0000, 8)
    );
    assert_eq!(rr.originator64, Some(ExtAddr(0x7777770000000002)));
    assert_eq!(rr.responder64, Some(ExtAddr(0x7777770000000001)));
}

#[test]
fn network_status_many_to_one_failure() {
    let c = decode("030c0211", "Network Status");
    let NwkCommand::NetworkStatus(s) = c else {
        panic!()
    };
    assert_eq!(s.status, NetworkStatusCode::ManyToOneRouteFailure);
    assert_eq!(s.status.name(), "Many-to-One Route Failure");
    assert_eq!(s.dst, 0x1102);
    assert!(s.extra.is_empty());
}

#[test]
fn leave_route_record_rejoin() {
    assert_eq!(
        decode("0400", "Leave"),
        NwkCommand::Leave(LeaveOptions::empty())
    );
    assert_eq!(
        decode("05010211", "Route Record"),
        NwkCommand::RouteRecord(RouteRecord {
            relays: vec![0x1102]
        })
    );
    assert_eq!(
        decode("0680", "Rejoin Request"),
        NwkCommand::RejoinRequest(CapabilityInfo::ALLOCATE_ADDRESS)
    );
    assert_eq!(
        decode("07012200", "Rejoin Response"),
        NwkCommand::RejoinResponse(RejoinResponse {
            short_addr: 0x2201,
            status: AssociationStatus::Success
        })
    );
    assert_eq!(
        NwkCommand::from_bytes(&[0x04, 0x60]).unwrap(),
        NwkCommand::Leave(LeaveOptions::REJOIN | LeaveOptions::REQUEST)
    );
}

#[test]
fn link_status_two_entries() {
    let c = decode("086200000302111 1".replace(' ', "").as_str(), "Link Status");
    let NwkCommand::LinkStatus(ls) = c else {
        panic!()
    };
    assert_eq!(
        ls.options,
        LinkStatusOptions::FIRST_FRAME | LinkStatusOptions::LAST_FRAME
    );
    let costs: Vec<_> = ls
        .entries
        .iter()
        .map(|e| (e.addr, e.incoming_cost, e.outgoing_cost))
        .collect();
    assert_eq!(costs, vec![(0x0000, 3, 0), (0x1102, 1, 1)]);
}

#[test]
fn network_report_and_update() {
    let c = decode("09010d90e1fedec001c07777", "Network Report");
    let NwkCommand::NetworkReport(r) = c else {
        panic!()
    };
    assert_eq!(r.epid.to_string(), "c0:01:c0:de:fe:e1:90:0d");
    assert_eq!(r.report, PanIdList::PanIds(vec![0x7777]));
    let c = decode("0a010d90e1fedec001c0028888", "Network Update");
    let NwkCommand::NetworkUpdate(u) = c else {
        panic!()
    };
    assert_eq!(u.update_id, 2);
    assert_eq!(u.update, PanIdList::PanIds(vec![0x8888]));
}

#[test]
fn end_device_timeout() {
    let c = decode("0b0300", "End Device Timeout Request");
    let NwkCommand::EndDeviceTimeoutRequest(r) = c else {
        panic!()
    };
    assert_eq!(r.timeout, EndDeviceTimeout::Minutes(3));
    assert_eq!(r.timeout.seconds(), Some(8 * 60));
    let c = decode("0c0003", "End Device Timeout Response");
    assert_eq!(
        c,
        NwkCommand::EndDeviceTimeoutResponse(EndDeviceTimeoutResponse {
            status: EndDeviceTimeoutStatus::Success,
            parent_info: ParentInfo::MAC_DATA_POLL_KEEPALIVE
                | ParentInfo::TIMEOUT_REQUEST_KEEPALIVE,
        })
    );
}

#[test]
fn link_power_delta_and_unknown() {
    let c = decode("0d010201000f0211fd", "Link Power Delta");
    let NwkCommand::LinkPowerDelta(d) = c else {
        panic!()
    };
    assert_eq!(d.kind(), 1);
    assert_eq!(
        d.entries[1],
        PowerDelta {
            addr: 0x1102,
            delta: -3
        }
    );
    assert_eq!(
        decode("0e0102", "Unknown Command"),
        NwkCommand::Unknown {
            id: 0x0e,
            payload: vec![1, 2]
        }
    );
}

#[test]
fn other_captures() {
    // zbtk_parse_vectors_zep.pcap (decrypted by tshark): route reply with both EUI-64s
    let c = decode(
        "0230016ba90000037db023feffa7db286c5948fefff52e3c",
        "Route Reply",
    );
    let NwkCommand::RouteReply(rr) = c else {
        panic!()
    };
    assert_eq!(
        (rr.originator, rr.responder, rr.path_cost),
        (0xa96b, 0x0000, 3)
    );
    assert_eq!(
        rr.originator64.map(|a| a.to_string()).as_deref(),
        Some("28:db:a7:ff:fe:23:b0:7d")
    );
    assert_eq!(
        rr.responder64.map(|a| a.to_string()).as_deref(),
        Some("3c:2e:f5:ff:fe:48:59:6c")
    );
    let c = decode("0306f00d", "Network Status");
    let NwkCommand::NetworkStatus(s) = c else {
        panic!()
    };
    assert_eq!(
        (s.status.name(), s.dst),
        ("Indirect Transaction Expiry", 0x0df0)
    );
    assert_eq!(
        decode("0420", "Leave"),
        NwkCommand::Leave(LeaveOptions::REJOIN)
    );
    // killerbee_control4-sample.pcap: empty route record, one-entry link status
    assert_eq!(
        decode("0500", "Route Record"),
        NwkCommand::RouteRecord(RouteRecord { relays: vec![] })
    );
    let c = decode("0861c01811", "Link Status");
    let NwkCommand::LinkStatus(ls) = c else {
        panic!()
    };
    assert_eq!(ls.entries.len(), 1);
    assert_eq!(
        (
            ls.entries[0].addr,
            ls.entries[0].incoming_cost,
            ls.entries[0].outgoing_cost
        ),
        (0x18c0, 1, 1)
    );
}

#[test]
fn truncated_commands_are_errors() {
    for s in [
        "",
        "01",
        "0108",
        "02300501110000080200",
        "0802000003",
        "090100",
        "0b03",
    ] {
        assert!(NwkCommand::from_bytes(&hex(s)).is_err(), "{s}");
    }
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn epid() -> impl Strategy<Value = ExtAddr> {
    any::<u64>().prop_map(ExtAddr)
}

fn pan_id_list() -> impl Strategy<Value = PanIdList> {
    prop_oneof![
        proptest::collection::vec(any::<u16>(), 0..=31).prop_map(PanIdList::PanIds),
        (1u8..8, 0u8..32, bytes(16)).prop_map(|(kind, count, data)| PanIdList::Other {
            kind,
            count,
            data
        }),
    ]
}

/// Canonical NWK commands.
fn arb_command() -> impl Strategy<Value = NwkCommand> {
    prop_oneof![
        (
            any::<u8>(),
            any::<u8>(),
            any::<u16>(),
            any::<u8>(),
            any::<u64>()
        )
            .prop_map(|(o, id, dst, path_cost, d64)| {
                let options = RouteRequestOptions::from_bits_retain(o);
                NwkCommand::RouteRequest(RouteRequest {
                    options,
                    id,
                    dst,
                    path_cost,
                    dst64: options
                        .contains(RouteRequestOptions::DEST_IEEE)
                        .then_some(ExtAddr(d64)),
                })
            }),
        (
            any::<u8>(),
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            any::<u8>(),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(o, id, originator, responder, path_cost, o64, r64)| {
                let options = RouteReplyOptions::from_bits_retain(o);
                NwkCommand::RouteReply(RouteReply {
                    options,
                    id,
                    originator,
                    responder,
                    path_cost,
                    originator64: options
                        .contains(RouteReplyOptions::ORIGINATOR_IEEE)
                        .then_some(ExtAddr(o64)),
                    responder64: options
                        .contains(RouteReplyOptions::RESPONDER_IEEE)
                        .then_some(ExtAddr(r64)),
                })
            }),
        (any::<u8>(), any::<u16>(), bytes(4)).prop_map(
            |(s, dst, extra)| NwkCommand::NetworkStatus(NetworkStatus {
                status: NetworkStatusCode::from_u8(s),
                dst,
                extra
            })
        ),
        any::<u8>().prop_map(|o| NwkCommand::Leave(LeaveOptions::from_bits_retain(o))),
        proptest::collection::vec(any::<u16>(), 0..40)
            .prop_map(|relays| NwkCommand::RouteRecord(RouteRecord { relays })),
        any::<u8>().prop_map(|c| NwkCommand::RejoinRequest(CapabilityInfo::from_bits_retain(c))),
        (any::<u16>(), any::<u8>()).prop_map(|(short_addr, s)| NwkCommand::RejoinResponse(
            RejoinResponse {
                short_addr,
                status: AssociationStatus::from_u8(s)
            }
        )),
        (
            prop_oneof![
                Just(0u8),
                Just(0x20),
                Just(0x40),
                Just(0x60),
                Just(0x80),
                Just(0xe0)
            ],
            proptest::collection::vec(
                (
                    any::<u16>(),
                    0u8..8,
                    0u8..8,
                    prop_oneof![Just(0u8), Just(0x08), Just(0x80), Just(0x88)]
                ),
                0..=31
            )
        )
            .prop_map(|(o, es)| NwkCommand::LinkStatus(LinkStatus {
                options: LinkStatusOptions::from_bits_retain(o),
                entries: es
                    .into_iter()
                    .map(
                        |(addr, incoming_cost, outgoing_cost, reserved)| LinkStatusEntry {
                            addr,
                            incoming_cost,
                            outgoing_cost,
                            reserved
                        }
                    )
                    .collect(),
            })),
        (epid(), pan_id_list())
            .prop_map(|(epid, report)| NwkCommand::NetworkReport(NetworkReport { epid, report })),
        (epid(), any::<u8>(), pan_id_list()).prop_map(|(epid, update_id, update)| {
            NwkCommand::NetworkUpdate(NetworkUpdate {
                epid,
                update_id,
                update,
            })
        }),
        (any::<u8>(), any::<u8>()).prop_map(|(t, configuration)| {
            NwkCommand::EndDeviceTimeoutRequest(EndDeviceTimeoutRequest {
                timeout: EndDeviceTimeout::from_u8(t),
                configuration,
            })
        }),
        (any::<u8>(), any::<u8>()).prop_map(|(s, p)| NwkCommand::EndDeviceTimeoutResponse(
            EndDeviceTimeoutResponse {
                status: EndDeviceTimeoutStatus::from_u8(s),
                parent_info: ParentInfo::from_bits_retain(p),
            }
        )),
        (
            any::<u8>(),
            proptest::collection::vec((any::<u16>(), any::<i8>()), 0..20)
        )
            .prop_map(|(options, es)| {
                NwkCommand::LinkPowerDelta(LinkPowerDelta {
                    options,
                    entries: es
                        .into_iter()
                        .map(|(addr, delta)| PowerDelta { addr, delta })
                        .collect(),
                })
            }),
        (0x0eu8.., bytes(32)).prop_map(|(id, payload)| NwkCommand::Unknown { id, payload }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn round_trip(c in arb_command()) {
        prop_assert_eq!(NwkCommand::from_bytes(&c.to_bytes()).unwrap(), c);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]
    #[test]
    fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        if let Ok(c) = NwkCommand::from_bytes(&bytes) {
            prop_assert_eq!(c.to_bytes(), bytes);
        }
    }
}
