//! ZDP tests: real frames from shared captures and vectors, then proptests.

use super::*;
use crate::aps::{ApsFrame, ApsHeader};
use crate::test_util::hex;
use crate::wire::ExtAddr;
use proptest::prelude::*;

/// Split an unsecured APS data frame into header and ZDP payload.
fn zdp_of(aps: &str) -> (ApsHeader, Vec<u8>) {
    let f = ApsFrame::from_bytes(&hex(aps)).unwrap();
    (f.header, f.payload)
}

/// Parse a ZDP payload from an APS frame, check it re-encodes exactly.
fn parse_aps(aps: &str) -> ZdpFrame {
    let (h, payload) = zdp_of(aps);
    assert_eq!(h.profile, Some(ZDP_PROFILE));
    let cluster = h.cluster.unwrap();
    let f = ZdpFrame::parse_cluster(cluster, &payload).unwrap();
    assert_eq!(f.body.cluster(), cluster);
    assert_eq!(f.to_bytes(), payload);
    f
}

#[test]
fn device_announce_from_psila_vectors() {
    // psila_nwk_3 plaintext_computed (shared/vectors.toml).
    let f = parse_aps("0800130000000006817bc085ae21feff6f0d0080");
    assert_eq!(f.seq, 0x81);
    assert_eq!(f.body.name(), "Device Announcement");
    assert_eq!(
        f.body,
        ZdpBody::DeviceAnnce(DeviceAnnce {
            nwk: 0xc07b,
            ieee: ExtAddr(0x000d6ffffe21ae85),
            capability: Capability::ALLOCATE_ADDRESS,
        })
    );
    // psila_nwk_2: an end device with rx off, capability 0x8e.
    let f = parse_aps("0800130000000000816a6ac1e91f0000ff0f008e");
    let ZdpBody::DeviceAnnce(a) = f.body else {
        panic!()
    };
    assert_eq!(a.nwk, 0x6a6a);
    assert_eq!(a.ieee, ExtAddr(0x000fff00001fe9c1));
    assert!(
        a.capability
            .contains(Capability::ALLOCATE_ADDRESS | Capability::MAINS_POWERED)
    );
}

#[test]
fn mgmt_lqi_from_zbtk_capture() {
    // zbtk_parse_vectors_wpan.pcap, decrypted with NWK key 75d76b74...
    let f = parse_aps("40003100000000846600");
    assert_eq!(f.seq, 0x66);
    assert_eq!(f.body, ZdpBody::MgmtLqiReq(TableReq { start_index: 0 }));
    assert_eq!(f.body.name(), "Link Quality Request");

    let f = parse_aps(
        concat!(
            "4000318000000026",
            "01000b0303",
            "7e9521204bf4e8b94bca87feff7ee0e8c8a01200026a",
            "7e9521204bf4e8b96cf418feff2787047b171200 02c4",
            "7e9521204bf4e8b9beff99feff12278476 9f1200028c",
        )
        .replace(' ', "")
        .as_str(),
    );
    assert_eq!(f.body.name(), "Link Quality Response");
    let ZdpBody::MgmtLqiRsp(rsp) = &f.body else {
        panic!()
    };
    assert_eq!(rsp.status, ZdpStatus::Success);
    let t = rsp.table.as_ref().unwrap();
    assert_eq!((t.total, t.start_index, t.entries.len()), (11, 3, 3));
    let n = t.entries[0];
    assert_eq!(n.extended_pan_id, 0xb9e8f44b2021957e);
    assert_eq!(n.ext_addr, ExtAddr(0xe8e07efffe87ca4b));
    assert_eq!(n.nwk, 0xa0c8);
    assert_eq!(n.device_type, LogicalType::EndDevice);
    assert_eq!(n.rx_on_when_idle, 0);
    assert_eq!(n.relationship, Relationship::Child);
    assert_eq!((n.permit_joining, n.depth, n.lqi), (0, 2, 0x6a));
}

#[test]
fn discovery_from_zbtk_zep_capture() {
    // zbtk_parse_vectors_zep.pcap frames 33-52 (decrypted APS frames).
    let f = parse_aps("400005000000001937607a");
    assert_eq!(f.body, ZdpBody::ActiveEpReq(AddrOfInterest { nwk: 0x7a60 }));
    assert_eq!(f.body.name(), "Active Endpoint Request");

    let f = parse_aps("40000580000000fe3700607a0101");
    assert_eq!(
        f.body,
        ZdpBody::ActiveEpRsp(EndpointListRsp {
            status: ZdpStatus::Success,
            nwk: Some(0x7a60),
            endpoints: vec![1],
        })
    );

    let f = parse_aps("080006000000001002fdff040101190000");
    assert_eq!(
        f.body,
        ZdpBody::MatchDescReq(MatchDescReq {
            nwk: 0xfffd,
            profile: 0x0104,
            in_clusters: vec![0x0019],
            out_clusters: vec![],
        })
    );
    let f = parse_aps("4000068000000090020000000101");
    assert_eq!(f.body.name(), "Match Descriptor Response");

    let f = parse_aps("0800000000000054846c5948fefff52e3c0000");
    assert_eq!(f.body.name(), "Network Address Request");
    let f = parse_aps("400000800000006a84006c5948fefff52e3c0000");
    assert_eq!(
        f.body,
        ZdpBody::NwkAddrRsp(AddrRsp {
            status: ZdpStatus::Success,
            ieee: Some(ExtAddr(0x3c2ef5fffe48596c)),
            nwk: Some(0x0000),
            associated: None,
        })
    );
    let f = parse_aps("080001000000004d876ba90000");
    assert_eq!(f.body.name(), "Extended Address Request");
    let f = parse_aps("400001800000007787007db023feffa7db286ba9");
    assert_eq!(f.body.name(), "Extended Address Response");

    let f = parse_aps("400004000000001a38607a01");
    assert_eq!(
        f.body,
        ZdpBody::SimpleDescReq(SimpleDescReq {
            nwk: 0x7a60,
            endpoint: 1
        })
    );
    let f = parse_aps(
        "40000480000000ff3800607a1c010401010300080000010003000a00200001020402050b0200001900",
    );
    let ZdpBody::SimpleDescRsp(rsp) = &f.body else {
        panic!()
    };
    let d = rsp.descriptor.as_ref().unwrap();
    assert_eq!(
        (d.endpoint, d.profile, d.device_id, d.device_version),
        (1, 0x0104, 0x0301, 0)
    );
    assert_eq!(
        d.in_clusters,
        vec![
            0x0000, 0x0001, 0x0003, 0x000a, 0x0020, 0x0201, 0x0204, 0x0b05
        ]
    );
    assert_eq!(d.out_clusters, vec![0x0000, 0x0019]);
}

#[test]
fn node_descriptor_from_zbtk_zep_capture() {
    let f = parse_aps("400002000000001635607a");
    assert_eq!(f.body, ZdpBody::NodeDescReq(AddrOfInterest { nwk: 0x7a60 }));
    let f = parse_aps("40000280000000fd3500607a0240802112525200002c520000");
    assert_eq!(f.body.name(), "Node Descriptor Response");
    let ZdpBody::NodeDescRsp(rsp) = f.body else {
        panic!()
    };
    let d = rsp.descriptor.unwrap();
    assert_eq!(d.logical_type, LogicalType::EndDevice);
    assert_eq!(d.frequency_bands, FrequencyBands::BAND_2400);
    assert_eq!(d.mac_capability, Capability::ALLOCATE_ADDRESS);
    assert_eq!(d.manufacturer_code, 0x1221);
    assert_eq!(d.max_buffer_size, 0x52);
    assert_eq!(d.max_incoming_transfer, 0x52);
    assert_eq!(d.server_mask.stack_compliance_revision(), 22);
    assert_eq!(d.max_outgoing_transfer, 0x52);
}

#[test]
fn binding_and_management_from_captures() {
    // zbtk_parse_vectors_zep.pcap.
    let f = parse_aps("4000210000000028337db023feffa7db28010000036c5948fefff52e3c02");
    assert_eq!(
        f.body,
        ZdpBody::BindReq(BindReq {
            src: ExtAddr(0x28dba7fffe23b07d),
            src_endpoint: 1,
            cluster: 0x0000,
            dst: BindDestination::Extended {
                addr: ExtAddr(0x3c2ef5fffe48596c),
                endpoint: 2,
            },
        })
    );
    let f = parse_aps("400021800000001b3300");
    assert_eq!(f.body, ZdpBody::BindRsp(ZdpStatus::Success));
    assert_eq!(f.body.name(), "Bind Response");

    let f = parse_aps("0000340000000009f8000000000000000080");
    assert_eq!(
        f.body,
        ZdpBody::MgmtLeaveReq(LeaveReq {
            device: ExtAddr(0),
            flags: LeaveFlags::REJOIN,
        })
    );
    let f = parse_aps("00003480000000935500");
    assert_eq!(f.body, ZdpBody::MgmtLeaveRsp(ZdpStatus::Success));

    let f = parse_aps("080036000000001836b401");
    assert_eq!(
        f.body,
        ZdpBody::MgmtPermitJoiningReq(PermitJoiningReq {
            duration: 180,
            tc_significance: 1,
        })
    );
    assert_eq!(f.body.name(), "Permit Join Request");

    let f = parse_aps("400032000000009a1800");
    assert_eq!(f.body.name(), "Routing Table Request");
    // tshark calls this one malformed: a Not Supported status with no table.
    let f = parse_aps("40003280000000ab5684");
    assert_eq!(
        f.body,
        ZdpBody::MgmtRtgRsp(TableRsp {
            status: ZdpStatus::NotSupported,
            table: None,
        })
    );
}

#[test]
fn nwk_update_request_variants() {
    // Energy scan of channels 11-26, duration 3, 1 scan; then a channel change.
    let bytes = hex("0100f8ff070301");
    let f = ZdpFrame::parse_cluster(0x0038, &bytes).unwrap();
    assert_eq!(
        f.body,
        ZdpBody::MgmtNwkUpdateReq(NwkUpdateReq {
            channels: 0x07fff800,
            action: NwkUpdateAction::Scan {
                duration: 3,
                count: 1
            },
        })
    );
    assert_eq!(f.to_bytes(), bytes);
    let bytes = hex("0200800000fe05");
    let f = ZdpFrame::parse_cluster(0x0038, &bytes).unwrap();
    assert_eq!(
        f.body,
        ZdpBody::MgmtNwkUpdateReq(NwkUpdateReq {
            channels: 0x00008000,
            action: NwkUpdateAction::ChangeChannel { update_id: 5 },
        })
    );
    // seq 3, status 0, channels 11-26, 16 transmissions, 2 failures, 3 energies.
    let notify = hex("030000f8ff0710000200 03102025".replace(' ', "").as_str());
    let f = ZdpFrame::parse_cluster(0x8038, &notify).unwrap();
    assert_eq!(f.body.name(), "Network Update Notify");
    let ZdpBody::MgmtNwkUpdateNotify(n) = &f.body else {
        panic!()
    };
    let rep = n.report.as_ref().unwrap();
    assert_eq!(rep.total_transmissions, 0x0010);
    assert_eq!(rep.transmission_failures, 0x0002);
    assert_eq!(rep.energies, vec![0x10, 0x20, 0x25]);
    assert!(ZdpFrame::parse_cluster(0x8038, &notify[..notify.len() - 1]).is_err());
}

#[test]
fn unknown_cluster_kept_raw() {
    let f = ZdpFrame::parse_cluster(0x0040, &[7, 1, 2, 3]).unwrap();
    assert_eq!(
        f.body,
        ZdpBody::Unknown {
            cluster: 0x0040,
            payload: vec![1, 2, 3]
        }
    );
    assert_eq!(f.body.name(), "Unknown Cluster");
    assert_eq!(f.to_bytes(), vec![7, 1, 2, 3]);
}

#[test]
fn trailing_bytes_are_an_error() {
    let e = ZdpFrame::parse_cluster(0x0031, &[1, 0, 9]).unwrap_err();
    assert_eq!(e.offset(), Some(2));
}

// ---- proptests ----

const KNOWN: [u16; 15] = [
    0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0013, 0x0021, 0x0022, 0x0031, 0x0032,
    0x0034, 0x0036, 0x0038,
];

fn status() -> impl Strategy<Value = ZdpStatus> {
    any::<u8>().prop_map(ZdpStatus::from_value)
}

fn ext() -> impl Strategy<Value = ExtAddr> {
    any::<u64>().prop_map(ExtAddr)
}

fn list16() -> impl Strategy<Value = Vec<u16>> {
    proptest::collection::vec(any::<u16>(), 0..8)
}

fn list8() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..8)
}

/// Presence depth for "read while bytes remain" fields: 0 = none, up to `max`.
fn depth(max: u8) -> impl Strategy<Value = u8> {
    0..=max
}

fn addr_rsp() -> impl Strategy<Value = AddrRsp> {
    (
        status(),
        depth(3),
        ext(),
        any::<u16>(),
        any::<u8>(),
        list16(),
    )
        .prop_map(|(status, d, ieee, nwk, start_index, devices)| AddrRsp {
            status,
            ieee: (d >= 1).then_some(ieee),
            nwk: (d >= 2).then_some(nwk),
            associated: (d >= 3).then_some(AssociatedDevices {
                start_index,
                devices,
            }),
        })
}

fn node_descriptor() -> impl Strategy<Value = NodeDescriptor> {
    (any::<[u8; 4]>(), any::<[u16; 4]>(), any::<[u8; 2]>()).prop_map(
        |([b0, b1, cap, dc], [mfr, inc, mask, out], [buf, _])| NodeDescriptor {
            logical_type: LogicalType::from_value(b0 & 7),
            complex_desc_available: b0 & 8 != 0,
            user_desc_available: b0 & 0x10 != 0,
            reserved: b0 & 0xe0,
            aps_flags: b1 & 7,
            frequency_bands: FrequencyBands::from_bits_retain(b1 >> 3),
            mac_capability: Capability::from_bits_retain(cap),
            manufacturer_code: mfr,
            max_buffer_size: buf,
            max_incoming_transfer: inc,
            server_mask: ServerMask::from_bits_retain(mask),
            max_outgoing_transfer: out,
            descriptor_capability: DescriptorCapability::from_bits_retain(dc),
        },
    )
}

fn power_descriptor() -> impl Strategy<Value = PowerDescriptor> {
    any::<[u8; 2]>().prop_map(|[b0, b1]| PowerDescriptor {
        mode: PowerMode::from_value(b0 & 0x0f),
        available_sources: PowerSources::from_bits_retain(b0 >> 4),
        current_source: PowerSources::from_bits_retain(b1 & 0x0f),
        level: PowerLevel::from_value(b1 >> 4),
    })
}

fn simple_descriptor() -> impl Strategy<Value = SimpleDescriptor> {
    (
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        list16(),
        list16(),
    )
        .prop_map(
            |(endpoint, profile, device_id, device_version, in_clusters, out_clusters)| {
                SimpleDescriptor {
                    endpoint,
                    profile,
                    device_id,
                    device_version,
                    in_clusters,
                    out_clusters,
                }
            },
        )
}

fn neighbor() -> impl Strategy<Value = Neighbor> {
    (any::<u64>(), ext(), any::<u16>(), any::<[u8; 4]>()).prop_map(
        |(pan, ext_addr, nwk, [b, p, d, l])| Neighbor {
            extended_pan_id: pan,
            ext_addr,
            nwk,
            device_type: LogicalType::from_value(b & 3),
            rx_on_when_idle: (b >> 2) & 3,
            relationship: Relationship::from_value((b >> 4) & 7),
            reserved: b & 0x80,
            permit_joining: p,
            depth: d,
            lqi: l,
        },
    )
}

fn route() -> impl Strategy<Value = Route> {
    (any::<u16>(), any::<u8>(), any::<u16>()).prop_map(|(dest, b, next_hop)| Route {
        dest,
        status: RouteStatus::from_value(b & 7),
        flags: RouteFlags::from_bits_retain(b & 0xf8),
        next_hop,
    })
}

fn table_rsp<T: core::fmt::Debug + Clone>(
    entry: impl Strategy<Value = T>,
) -> impl Strategy<Value = TableRsp<T>> {
    (
        status(),
        any::<bool>(),
        any::<[u8; 2]>(),
        proptest::collection::vec(entry, 0..4),
    )
        .prop_map(
            |(status, present, [total, start_index], entries)| TableRsp {
                status,
                table: present.then_some(TableSlice {
                    total,
                    start_index,
                    entries,
                }),
            },
        )
}

fn bind_req() -> impl Strategy<Value = BindReq> {
    let dst = prop_oneof![
        any::<u16>().prop_map(BindDestination::Group),
        (ext(), any::<u8>())
            .prop_map(|(addr, endpoint)| BindDestination::Extended { addr, endpoint }),
        (
            any::<u8>().prop_filter("known mode", |m| *m != 1 && *m != 3),
            list8()
        )
            .prop_map(|(mode, rest)| BindDestination::Unknown { mode, rest }),
    ];
    (ext(), any::<u8>(), any::<u16>(), dst).prop_map(|(src, src_endpoint, cluster, dst)| BindReq {
        src,
        src_endpoint,
        cluster,
        dst,
    })
}

fn nwk_update_req() -> impl Strategy<Value = NwkUpdateReq> {
    let action = prop_oneof![
        (0u8..=5, any::<u8>())
            .prop_map(|(duration, count)| NwkUpdateAction::Scan { duration, count }),
        any::<u8>().prop_map(|update_id| NwkUpdateAction::ChangeChannel { update_id }),
        (any::<u8>(), any::<u16>())
            .prop_map(|(update_id, manager)| NwkUpdateAction::SetManager { update_id, manager }),
        (6u8..=0xfd).prop_map(NwkUpdateAction::Reserved),
    ];
    (any::<u32>(), action).prop_map(|(channels, action)| NwkUpdateReq { channels, action })
}

fn endpoint_list_rsp() -> impl Strategy<Value = EndpointListRsp> {
    (status(), proptest::option::of(any::<u16>()), list8()).prop_map(|(status, nwk, eps)| {
        EndpointListRsp {
            status,
            endpoints: if nwk.is_some() { eps } else { vec![] },
            nwk,
        }
    })
}

fn body() -> impl Strategy<Value = ZdpBody> {
    let addressing = prop_oneof![
        (ext(), any::<u8>(), any::<u8>()).prop_map(|(ieee, t, start_index)| ZdpBody::NwkAddrReq(
            NwkAddrReq {
                ieee,
                request_type: RequestType::from_value(t),
                start_index
            }
        )),
        (any::<u16>(), any::<u8>(), any::<u8>()).prop_map(|(nwk, t, start_index)| {
            ZdpBody::IeeeAddrReq(IeeeAddrReq {
                nwk,
                request_type: RequestType::from_value(t),
                start_index,
            })
        }),
        addr_rsp().prop_map(ZdpBody::NwkAddrRsp),
        addr_rsp().prop_map(ZdpBody::IeeeAddrRsp),
        (any::<u16>(), ext(), any::<u8>()).prop_map(|(nwk, ieee, c)| ZdpBody::DeviceAnnce(
            DeviceAnnce {
                nwk,
                ieee,
                capability: Capability::from_bits_retain(c),
            }
        )),
    ];
    let descriptors = prop_oneof![
        any::<u16>().prop_map(|nwk| ZdpBody::NodeDescReq(AddrOfInterest { nwk })),
        (status(), depth(2), any::<u16>(), node_descriptor()).prop_map(|(status, d, nwk, desc)| {
            ZdpBody::NodeDescRsp(NodeDescRsp {
                status,
                nwk: (d >= 1).then_some(nwk),
                descriptor: (d >= 2).then_some(desc),
            })
        }),
        any::<u16>().prop_map(|nwk| ZdpBody::PowerDescReq(AddrOfInterest { nwk })),
        (status(), depth(2), any::<u16>(), power_descriptor()).prop_map(
            |(status, d, nwk, desc)| {
                ZdpBody::PowerDescRsp(PowerDescRsp {
                    status,
                    nwk: (d >= 1).then_some(nwk),
                    descriptor: (d >= 2).then_some(desc),
                })
            }
        ),
        (any::<u16>(), any::<u8>())
            .prop_map(|(nwk, endpoint)| ZdpBody::SimpleDescReq(SimpleDescReq { nwk, endpoint })),
        (status(), depth(2), any::<u16>(), simple_descriptor()).prop_map(
            |(status, d, nwk, desc)| {
                ZdpBody::SimpleDescRsp(SimpleDescRsp {
                    status,
                    nwk: (d >= 1).then_some(nwk),
                    descriptor: (d >= 2).then_some(desc),
                })
            }
        ),
        any::<u16>().prop_map(|nwk| ZdpBody::ActiveEpReq(AddrOfInterest { nwk })),
        endpoint_list_rsp().prop_map(ZdpBody::ActiveEpRsp),
        (any::<u16>(), any::<u16>(), list16(), list16()).prop_map(|(nwk, profile, i, o)| {
            ZdpBody::MatchDescReq(MatchDescReq {
                nwk,
                profile,
                in_clusters: i,
                out_clusters: o,
            })
        }),
        endpoint_list_rsp().prop_map(ZdpBody::MatchDescRsp),
    ];
    let management = prop_oneof![
        bind_req().prop_map(ZdpBody::BindReq),
        status().prop_map(ZdpBody::BindRsp),
        bind_req().prop_map(ZdpBody::UnbindReq),
        status().prop_map(ZdpBody::UnbindRsp),
        any::<u8>().prop_map(|start_index| ZdpBody::MgmtLqiReq(TableReq { start_index })),
        table_rsp(neighbor()).prop_map(ZdpBody::MgmtLqiRsp),
        any::<u8>().prop_map(|start_index| ZdpBody::MgmtRtgReq(TableReq { start_index })),
        table_rsp(route()).prop_map(ZdpBody::MgmtRtgRsp),
        (ext(), any::<u8>()).prop_map(|(device, f)| ZdpBody::MgmtLeaveReq(LeaveReq {
            device,
            flags: LeaveFlags::from_bits_retain(f),
        })),
        status().prop_map(ZdpBody::MgmtLeaveRsp),
        (any::<u8>(), any::<u8>()).prop_map(|(duration, tc_significance)| {
            ZdpBody::MgmtPermitJoiningReq(PermitJoiningReq {
                duration,
                tc_significance,
            })
        }),
        status().prop_map(ZdpBody::MgmtPermitJoiningRsp),
        nwk_update_req().prop_map(ZdpBody::MgmtNwkUpdateReq),
        (
            status(),
            any::<bool>(),
            any::<u32>(),
            any::<[u16; 2]>(),
            list8()
        )
            .prop_map(
                |(status, present, scanned_channels, [total, fail], energies)| {
                    ZdpBody::MgmtNwkUpdateNotify(NwkUpdateNotify {
                        status,
                        report: present.then_some(EnergyReport {
                            scanned_channels,
                            total_transmissions: total,
                            transmission_failures: fail,
                            energies,
                        }),
                    })
                }
            ),
        (
            any::<u16>().prop_filter("known cluster", |c| !KNOWN.contains(&(c & 0x7fff))),
            list8()
        )
            .prop_map(|(cluster, payload)| ZdpBody::Unknown { cluster, payload }),
    ];
    prop_oneof![addressing, descriptors, management]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn round_trip(seq in any::<u8>(), body in body()) {
        let f = ZdpFrame { seq, body };
        let back = ZdpFrame::parse_cluster(f.body.cluster(), &f.to_bytes()).unwrap();
        prop_assert_eq!(back, f);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]
    #[test]
    fn no_panic(
        cluster in prop_oneof![
            proptest::sample::select(KNOWN.to_vec()),
            proptest::sample::select(KNOWN.to_vec()).prop_map(|c| c | RESPONSE),
            any::<u16>()
        ],
        bytes in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        if let Ok(f) = ZdpFrame::parse_cluster(cluster, &bytes) {
            prop_assert_eq!(f.to_bytes(), bytes);
        }
    }
}
