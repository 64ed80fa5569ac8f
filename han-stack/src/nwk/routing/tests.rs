//! Multi-node tests over the in-memory harness: small hand-built topologies
//! (a chain of 4 routers, a diamond with two path costs, a concentrator with
//! 5 routers), route repair, broadcasts with passive acknowledgement, and
//! random topologies.

use proptest::prelude::*;

use super::consts::{BROADCAST_ALL, SECOND};
use super::harness::{
    LINK_STATUS, NETWORK_STATUS, Net, ROUTE_RECORD, ROUTE_REPLY, ROUTE_REQUEST, is_many_to_one,
};
use super::{NwkPayload, RouteStatus};
use crate::nwk::command::{NetworkStatusCode, NwkCommand};

/// LQI giving each link cost 1–6 (cost::cost_from_lqi).
const LQI_COST: [u8; 7] = [0, 255, 229, 191, 178, 168, 160];

/// Long enough for every router to have sent two link status sets, so all
/// links are known both ways.
const SETTLED: u64 = 40 * SECOND;

fn chain() -> Net {
    let c1 = LQI_COST[1];
    Net::new(
        &[1, 2, 3, 4],
        &[(1, 2, c1), (2, 3, c1), (3, 4, c1)],
        None,
        7,
    )
}

#[test]
fn link_status_builds_symmetric_neighbour_tables() {
    let mut net = chain();
    net.run_until(SETTLED);
    for (addr, expect) in [(1, vec![2]), (2, vec![1, 3]), (3, vec![2, 4]), (4, vec![3])] {
        let r = net.router(addr);
        let got: Vec<u16> = r.neighbours().iter().map(|n| n.addr).collect();
        assert_eq!(got, expect, "neighbours of {addr}");
        assert!(
            r.neighbours()
                .iter()
                .all(|n| n.link_cost() == 1 && n.usable())
        );
    }
    // One-hop broadcasts from routers only, about every 15 s.
    let ls = net.commands(LINK_STATUS);
    assert!(
        ls.iter()
            .all(|s| s.tx.header.radius == 1 && s.tx.header.dst == 0xfffc)
    );
    let from_2: Vec<u64> = ls.iter().filter(|s| s.from == 2).map(|s| s.at).collect();
    assert_eq!(from_2.len(), 3);
    for w in from_2.windows(2) {
        assert!((15 * SECOND..16 * SECOND).contains(&(w[1] - w[0])));
    }
}

#[test]
fn a_large_neighbourhood_splits_link_status_and_every_neighbour_finds_itself() {
    // A hub with 40 router neighbours: its link status set spans two frames.
    let addrs: Vec<u16> = (0..=40).collect();
    let links: Vec<(u16, u16, u8)> = (1..=40).map(|a| (0, a, LQI_COST[2])).collect();
    let mut net = Net::new(&addrs, &links, None, 21);
    net.run_until(SETTLED);
    let hub: Vec<_> = net
        .commands(LINK_STATUS)
        .into_iter()
        .filter(|s| s.from == 0)
        .filter_map(|s| match &s.tx.payload {
            NwkPayload::Command(NwkCommand::LinkStatus(ls)) => Some((s.at, ls.clone())),
            _ => None,
        })
        .collect();
    let last = hub.last().unwrap().0;
    let set: Vec<_> = hub
        .iter()
        .filter(|(t, _)| *t == last)
        .map(|(_, ls)| ls)
        .collect();
    assert_eq!(
        set.iter().map(|ls| ls.entries.len()).collect::<Vec<_>>(),
        [26, 15]
    );
    for a in 1..=40 {
        let n = *net.router(a).neighbours().get(0).unwrap();
        assert_eq!((n.outgoing_cost, n.link_cost()), (2, 2), "router {a}");
    }
}

#[test]
fn an_asymmetric_link_costs_its_worse_direction() {
    // 1-2-4 looks cheap from 2 (2 hears 4 well) but 4 hears 2 badly: cost 6 each way.
    let c1 = LQI_COST[1];
    let mut net = Net::new(
        &[1, 2, 3, 4],
        &[(1, 2, c1), (2, 4, c1), (1, 3, c1), (3, 4, LQI_COST[2])],
        None,
        4,
    );
    net.link_one_way(2, 4, LQI_COST[6]);
    net.run_until(SETTLED);
    assert_eq!(net.router(2).neighbours().get(4).unwrap().link_cost(), 6);
    assert_eq!(net.router(4).neighbours().get(2).unwrap().link_cost(), 6);
    net.send_data(1, 4, b"a".to_vec());
    net.run_until(SETTLED + 2 * SECOND);
    assert_eq!(net.path(1, 4), [1, 3, 4]);
}

#[test]
fn same_seed_same_frames() {
    let run = || {
        let mut net = concentrator();
        net.run_until(65 * SECOND);
        net.send_data(3, 0, b"r".to_vec());
        net.send_data(5, 2, b"s".to_vec());
        net.broadcast(4, BROADCAST_ALL, 30, b"b".to_vec());
        net.run_until(70 * SECOND);
        format!(
            "{:?}",
            net.log
                .iter()
                .map(|s| (s.at, s.from, &s.tx))
                .collect::<Vec<_>>()
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn a_silent_router_ages_out_and_its_routes_break() {
    let mut net = chain();
    net.run_until(SETTLED);
    net.send_data(1, 4, b"x".to_vec());
    net.run_until(SETTLED + SECOND);
    net.power_off(3);
    // nwkRouterAgeLimit 3: gone after the fourth link status period without news.
    net.run_until(SETTLED + 80 * SECOND);
    let r2 = net.router(2);
    assert!(r2.neighbours().get(3).is_none());
    assert_eq!(
        r2.routes().get(4).map(|e| e.status),
        Some(RouteStatus::Inactive)
    );
}

#[test]
fn chain_of_four_discovers_and_delivers() {
    let mut net = chain();
    net.run_until(SETTLED);
    net.send_data(1, 4, b"hello".to_vec());
    net.run_until(SETTLED + 2 * SECOND);
    assert_eq!(net.deliveries(b"hello").get(&4), Some(&1));
    assert_eq!(net.data_hops(b"hello"), [(1, 2), (2, 3), (3, 4)]);
    assert_eq!(net.path(1, 4), [1, 2, 3, 4]);
    // The reply path also learnt the way back (nwkSymLink).
    assert_eq!(net.path(4, 1), [4, 3, 2, 1]);
    let e = *net.router(1).routes().get(4).unwrap();
    assert_eq!(
        (e.status, e.next_hop, e.path_cost),
        (RouteStatus::Active, 2, 3)
    );
    // Route requests are broadcast with a growing path cost; replies go hop by hop.
    let costs: Vec<(u16, u8)> = net
        .commands(ROUTE_REQUEST)
        .iter()
        .filter_map(|s| match &s.tx.payload {
            NwkPayload::Command(NwkCommand::RouteRequest(r)) => Some((s.from, r.path_cost)),
            _ => None,
        })
        .collect();
    for (from, cost) in [(1, 0), (2, 1), (3, 2)] {
        assert!(costs.contains(&(from, cost)), "{costs:?}");
    }
    assert!(
        !costs.iter().any(|(f, _)| *f == 4),
        "the destination does not rebroadcast"
    );
    let replies: Vec<(u16, u16)> = net
        .commands(ROUTE_REPLY)
        .iter()
        .map(|s| (s.from, s.tx.mac_dst))
        .collect();
    assert_eq!(replies, [(4, 3), (3, 2), (2, 1)]);
    // Discovery entries expire after nwkcRouteDiscoveryTime.
    net.run_until(SETTLED + 12 * SECOND);
    assert!(net.router(2).discoveries().iter().next().is_none());
}

/// A(1) reaches D(4) through B(2) at cost 4 + 4 or through C(3) at cost 1 + 2.
fn diamond(seed: u64) -> Net {
    Net::new(
        &[1, 2, 3, 4],
        &[
            (1, 2, LQI_COST[4]),
            (2, 4, LQI_COST[4]),
            (1, 3, LQI_COST[1]),
            (3, 4, LQI_COST[2]),
        ],
        None,
        seed,
    )
}

#[test]
fn diamond_discovery_picks_the_lower_path_cost() {
    for seed in 0..8 {
        let mut net = diamond(seed);
        net.run_until(SETTLED);
        net.send_data(1, 4, b"d".to_vec());
        net.run_until(SETTLED + 2 * SECOND);
        assert_eq!(net.path(1, 4), [1, 3, 4], "seed {seed}");
        assert_eq!(net.router(1).routes().get(4).unwrap().path_cost, 3);
        assert_eq!(net.deliveries(b"d").get(&4), Some(&1));
        // Later frames follow the cheap path too, and D answers along it.
        net.send_data(1, 4, b"e".to_vec());
        net.send_data(4, 1, b"f".to_vec());
        net.run_until(SETTLED + 3 * SECOND);
        assert_eq!(net.data_hops(b"e"), [(1, 3), (3, 4)]);
        assert_eq!(net.data_hops(b"f"), [(4, 3), (3, 1)]);
    }
}

#[test]
fn unreachable_destination_fails_after_the_discovery_time() {
    let mut net = Net::new(&[1, 2, 9], &[(1, 2, 255)], None, 3);
    net.run_until(SETTLED);
    net.send_data(1, 9, b"lost".to_vec());
    net.run_until(SETTLED + 9 * SECOND);
    assert!(net.failed.is_empty());
    assert_eq!(
        net.router(1).routes().get(9).unwrap().status,
        RouteStatus::DiscoveryUnderway
    );
    net.run_until(SETTLED + 11 * SECOND);
    assert_eq!(net.failed, [(1, 9)]);
    assert_eq!(
        net.router(1).routes().get(9).unwrap().status,
        RouteStatus::DiscoveryFailed
    );
    // The originator sent its request 1 + nwkcInitialRREQRetries times, the relay 1 + nwkcRREQRetries.
    let rreqs = net.commands(ROUTE_REQUEST);
    assert_eq!(rreqs.iter().filter(|s| s.from == 1).count(), 4);
    assert_eq!(rreqs.iter().filter(|s| s.from == 2).count(), 3);
    // The relay's pending entry for 9 went with its discovery entry.
    assert!(net.router(2).routes().get(9).is_none());
    assert!(net.deliveries(b"lost").is_empty());
    assert_eq!(net.router(1).counters().discoveries_failed, 1);
}

/// Concentrator 0 with routers 1–5: 0-1-2-3 and 0-4-5, plus a costly 3-5 link.
pub(super) fn concentrator() -> Net {
    let c1 = LQI_COST[1];
    Net::new(
        &[0, 1, 2, 3, 4, 5],
        &[
            (0, 1, c1),
            (1, 2, c1),
            (2, 3, c1),
            (0, 4, c1),
            (4, 5, c1),
            (3, 5, LQI_COST[6]),
        ],
        Some(0),
        11,
    )
}

#[test]
fn many_to_one_route_record_and_source_routing() {
    let mut net = concentrator();
    // The first many-to-one route request (within 1 s) finds no usable links yet;
    // the next comes one nwkConcentratorDiscoveryTime later.
    net.run_until(65 * SECOND);
    let mtorr: Vec<_> = net
        .commands(ROUTE_REQUEST)
        .into_iter()
        .filter(|s| is_many_to_one(&s.tx.payload))
        .collect();
    assert!(
        mtorr.iter().any(|s| s.from == 3),
        "routers rebroadcast the request"
    );
    for (router, hop, cost) in [(1, 0, 1), (2, 1, 2), (3, 2, 3), (4, 0, 1), (5, 4, 2)] {
        let e = *net.router(router).routes().get(0).unwrap();
        assert!(e.many_to_one && e.route_record_required, "router {router}");
        assert_eq!(
            (e.next_hop, e.path_cost, e.status),
            (hop, cost, RouteStatus::Active),
            "router {router}"
        );
    }
    // No replies to a many-to-one request, and no discovery of routes to the routers.
    assert!(net.commands(ROUTE_REPLY).is_empty());

    // Router 3 reports: a route record goes first, relays appending themselves.
    net.send_data(3, 0, b"reading".to_vec());
    net.run_until(66 * SECOND);
    assert_eq!(net.deliveries(b"reading").get(&0), Some(&1));
    let records: Vec<_> = net.commands(ROUTE_RECORD);
    assert_eq!(records.len(), 3, "one route record, three hops");
    assert!(
        records[0].at
            <= net
                .log
                .iter()
                .find(|s| matches!(&s.tx.payload, NwkPayload::Data(d) if d == b"reading"))
                .unwrap()
                .at
    );
    assert_eq!(
        net.router(0).route_records().unwrap().get(3),
        Some(&[2u16, 1][..])
    );
    assert!(!net.router(3).routes().get(0).unwrap().route_record_required);
    // A second frame needs no new route record.
    net.send_data(3, 0, b"again".to_vec());
    net.run_until(67 * SECOND);
    assert_eq!(net.commands(ROUTE_RECORD).len(), 3);

    // The concentrator answers with a source-routed frame, no discovery.
    let rreqs_before = net.commands(ROUTE_REQUEST).len();
    net.send_data(0, 3, b"price".to_vec());
    net.run_until(68 * SECOND);
    assert_eq!(net.deliveries(b"price").get(&3), Some(&1));
    assert_eq!(net.data_hops(b"price"), [(0, 1), (1, 2), (2, 3)]);
    let first = net
        .log
        .iter()
        .find(|s| matches!(&s.tx.payload, NwkPayload::Data(d) if d == b"price"))
        .unwrap();
    let sr = first.tx.header.source_route.clone().unwrap();
    assert_eq!((sr.relay_index, sr.relays), (1, vec![2, 1]));
    assert_eq!(net.commands(ROUTE_REQUEST).len(), rreqs_before);

    // A new many-to-one request asks for a fresh route record.
    net.run_until(130 * SECOND);
    assert!(net.router(3).routes().get(0).unwrap().route_record_required);
}

#[test]
fn broken_source_route_is_reported_and_dropped() {
    let mut net = concentrator();
    net.run_until(65 * SECOND);
    net.send_data(3, 0, b"reading".to_vec());
    net.run_until(66 * SECOND);
    net.power_off(2);
    net.lose_until_the_link_breaks(0, 3);
    assert!(net.commands(NETWORK_STATUS).is_empty());
    assert!(net.router(0).route_records().unwrap().get(3).is_some());
    net.send_data(0, 3, b"price".to_vec());
    net.run_until(67 * SECOND);
    // Relay 1 cannot reach relay 2 again and again: Source Route Failure back to the
    // concentrator, which forgets the record.
    let ns: Vec<_> = net.commands(NETWORK_STATUS);
    assert_eq!(ns.len(), 1);
    assert_eq!(ns[0].from, 1);
    assert!(matches!(&ns[0].tx.payload,
        NwkPayload::Command(NwkCommand::NetworkStatus(s)) if s.status == NetworkStatusCode::SourceRouteFailure && s.dst == 3));
    assert!(net.router(0).route_records().unwrap().get(3).is_none());
    assert!(net.deliveries(b"price").is_empty());
    // The next frame finds its way by discovery, over the costly 5-3 link.
    net.send_data(0, 3, b"price2".to_vec());
    net.run_until(69 * SECOND);
    assert_eq!(net.deliveries(b"price2").get(&3), Some(&1));
    assert_eq!(net.path(0, 3), [0, 4, 5, 3]);
}

#[test]
fn many_to_one_route_failure_brings_a_new_many_to_one_request() {
    let mut net = concentrator();
    net.run_until(65 * SECOND);
    let mtorr_times = |net: &Net| -> Vec<u64> {
        net.commands(ROUTE_REQUEST)
            .iter()
            .filter(|s| s.from == 0 && is_many_to_one(&s.tx.payload))
            .map(|s| s.at)
            .collect()
    };
    let before = mtorr_times(&net).len();
    net.power_off(1);
    let cut = net.now;
    net.lose_until_the_link_breaks(3, 0);
    net.send_data(3, 0, b"reading".to_vec());
    net.run_until(cut + 3 * SECOND);
    // Relay 2 loses its many-to-one next hop (and the frames, each with the route record
    // before it, that found the link broken): it finds a way to the concentrator and
    // tells it (Many-to-One Route Failure).
    assert!(net.deliveries(&[0xee, 1]).is_empty());
    let ns = net.commands(NETWORK_STATUS);
    assert!(ns.iter().any(|s| s.from == 2 && matches!(&s.tx.payload,
        NwkPayload::Command(NwkCommand::NetworkStatus(n)) if n.status == NetworkStatusCode::ManyToOneRouteFailure && n.dst == 0)));
    // The concentrator repeats its many-to-one request at once, not a minute later.
    let times = mtorr_times(&net);
    assert!(times.len() > before);
    assert!(times[before] < cut + 3 * SECOND);
    let e = *net.router(2).routes().get(0).unwrap();
    assert!(e.many_to_one && e.status == RouteStatus::Active);
    assert_eq!((e.next_hop, e.path_cost), (3, 9));
    assert_eq!(net.path(3, 0), [3, 5, 4, 0]);
    // The next report goes the new way, with a fresh route record.
    net.send_data(3, 0, b"reading2".to_vec());
    net.run_until(cut + 4 * SECOND);
    assert_eq!(net.deliveries(b"reading2").get(&0), Some(&1));
    assert_eq!(
        net.router(0).route_records().unwrap().get(3),
        Some(&[5u16, 4][..])
    );
}

#[test]
fn route_repair_after_a_relay_disappears() {
    let c1 = LQI_COST[1];
    let mut net = Net::new(
        &[1, 2, 3, 4, 5],
        &[
            (1, 2, c1),
            (2, 3, c1),
            (3, 4, c1),
            (2, 5, LQI_COST[3]),
            (5, 4, LQI_COST[3]),
        ],
        None,
        5,
    );
    net.run_until(SETTLED);
    net.send_data(1, 4, b"m1".to_vec());
    net.run_until(SETTLED + SECOND);
    assert_eq!(net.path(1, 4), [1, 2, 3, 4]);
    net.power_off(3);
    // One frame lost is not yet a broken link: the routes stay.
    net.lose_until_the_link_breaks(1, 4);
    assert!(net.commands(NETWORK_STATUS).is_empty());
    assert_eq!(
        net.router(2).routes().get(4).unwrap().status,
        RouteStatus::Active
    );
    net.send_data(1, 4, b"m2".to_vec());
    net.run_until(SETTLED + 2 * SECOND);
    // Relay 2 fails to reach 3 again and again and tells the source: link failure about 4.
    assert!(net.deliveries(b"m2").is_empty());
    let ns = net.commands(NETWORK_STATUS);
    assert_eq!(ns.len(), 1);
    assert_eq!((ns[0].from, ns[0].tx.header.dst), (2, 1));
    assert!(matches!(&ns[0].tx.payload,
        NwkPayload::Command(NwkCommand::NetworkStatus(s)) if s.status == NetworkStatusCode::NonTreeLinkFailure && s.dst == 4));
    assert_eq!(
        net.router(1).routes().get(4).unwrap().status,
        RouteStatus::Inactive
    );
    // The next frame rediscovers around the gap.
    net.send_data(1, 4, b"m3".to_vec());
    net.run_until(SETTLED + 4 * SECOND);
    assert_eq!(net.deliveries(b"m3").get(&4), Some(&1));
    assert_eq!(net.path(1, 4), [1, 2, 5, 4]);
    let (c1, c2) = (net.router(1).counters(), net.router(2).counters());
    assert_eq!((c1.discoveries_started, c1.discoveries_failed), (2, 0));
    assert_eq!(
        (c2.link_failures, c2.network_status_sent),
        (u32::from(super::consts::MAX_LINK_FAILURES), 1)
    );
    // 1's route to 4: learnt, then learnt again around the gap.
    assert_eq!(c1.route_changes, 2);
}

/// 1 broadcasts; 2 is a leaf hanging off 1, 3-4-5 a chain.
fn broadcast_net() -> Net {
    let c1 = LQI_COST[1];
    Net::new(
        &[1, 2, 3, 4, 5],
        &[(1, 2, c1), (1, 3, c1), (3, 4, c1), (4, 5, c1)],
        None,
        9,
    )
}

fn broadcast_senders(net: &Net, data: &[u8]) -> Vec<u16> {
    let mut v: Vec<u16> = net.data_hops(data).iter().map(|(f, _)| *f).collect();
    v.sort();
    v
}

#[test]
fn broadcast_reaches_every_node_once() {
    let mut net = broadcast_net();
    net.run_until(SETTLED);
    net.broadcast(1, BROADCAST_ALL, 30, b"all".to_vec());
    net.run_until(SETTLED + 2 * SECOND);
    let got = net.deliveries(b"all");
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        [(2, 1), (3, 1), (4, 1), (5, 1)]
    );
    // Each device sends it once: every router neighbour was heard relaying.
    assert_eq!(broadcast_senders(&net, b"all"), [1, 2, 3, 4, 5]);
    assert!(
        net.data_hops(b"all")
            .iter()
            .all(|(_, to)| *to == BROADCAST_ALL)
    );
}

#[test]
fn missed_neighbour_gets_a_passive_ack_retry() {
    let mut net = broadcast_net();
    net.run_until(SETTLED);
    net.lose_once(1, 2);
    net.broadcast(1, BROADCAST_ALL, 30, b"all".to_vec());
    net.run_until(SETTLED + 300 * super::consts::MS);
    assert!(!net.deliveries(b"all").contains_key(&2));
    net.run_until(SETTLED + 2 * SECOND);
    let got = net.deliveries(b"all");
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        [(2, 1), (3, 1), (4, 1), (5, 1)]
    );
    // 1 sent twice (one retry after nwkPassiveAckTimeout); everyone else once.
    assert_eq!(broadcast_senders(&net, b"all"), [1, 1, 2, 3, 4, 5]);
    let times: Vec<u64> = net
        .log
        .iter()
        .filter(|s| s.from == 1 && matches!(&s.tx.payload, NwkPayload::Data(_)))
        .map(|s| s.at)
        .collect();
    assert_eq!(times[1] - times[0], super::consts::PASSIVE_ACK_TIMEOUT);
    let retries: Vec<u32> = (1..=5)
        .map(|a| net.router(a).counters().broadcast_retries)
        .collect();
    assert_eq!(retries, [1, 0, 0, 0, 0]);
}

#[test]
fn broadcast_radius_limits_the_hops() {
    let mut net = broadcast_net();
    net.run_until(SETTLED);
    net.broadcast(1, BROADCAST_ALL, 2, b"near".to_vec());
    net.run_until(SETTLED + 3 * SECOND);
    // Radius 2: 3 relays with radius 1, 4 hears it but may not relay.
    let got = net.deliveries(b"near");
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        [(2, 1), (3, 1), (4, 1)]
    );
    assert_eq!(broadcast_senders(&net, b"near"), [1, 2, 3]);
}

#[test]
fn broadcast_address_classes() {
    let mut net = broadcast_net();
    net.run_until(SETTLED);
    // Every node here is a router: 0xfffd and 0xfffc reach them all.
    for (dst, data) in [(0xfffd, &b"rx-on"[..]), (0xfffc, &b"routers"[..])] {
        net.broadcast(1, dst, 30, data.to_vec());
        net.run_until(net.now + 2 * SECOND);
        assert_eq!(net.deliveries(data).len(), 4);
    }
    // 0xfffb is for low-power routers: relayed, not delivered here.
    net.broadcast(1, 0xfffb, 30, b"lp".to_vec());
    net.run_until(net.now + 2 * SECOND);
    assert!(net.deliveries(b"lp").is_empty());
    assert_eq!(broadcast_senders(&net, b"lp"), [1, 2, 3, 4, 5]);
}

/// A connected random topology: a random spanning tree plus extra links, link
/// costs 1–6.
fn arb_topology() -> impl Strategy<Value = (Vec<u16>, Vec<(u16, u16, u8)>, u64)> {
    (2usize..=12)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec((any::<prop::sample::Index>(), 1usize..=6), n - 1),
                proptest::collection::vec((0..n, 0..n, 1usize..=6), 0..n),
                any::<u64>(),
            )
        })
        .prop_map(|(n, tree, extra, seed)| {
            let addrs: Vec<u16> = (0..n).map(|i| 0x1000 + i as u16 * 0x0101).collect();
            let mut links = Vec::new();
            for (i, (parent, cost)) in tree.into_iter().enumerate() {
                let child = i + 1;
                links.push((addrs[parent.index(child)], addrs[child], LQI_COST[cost]));
            }
            for (a, b, cost) in extra {
                if a != b {
                    links.push((addrs[a], addrs[b], LQI_COST[cost]));
                }
            }
            (addrs, links, seed)
        })
}

fn assert_loop_free(net: &Net, src: u16, dst: u16) -> Result<(), TestCaseError> {
    let path = net.path(src, dst);
    prop_assert_eq!(path.last(), Some(&dst), "path {:?}", path);
    let mut seen = path.clone();
    seen.sort();
    seen.dedup();
    prop_assert_eq!(seen.len(), path.len(), "loop in {:?}", path);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// In a connected mesh, concurrent discoveries between random pairs of
    /// routers all find a route, each frame arrives exactly once, and no routing
    /// table path (either way) loops.
    #[test]
    fn discovery_finds_loop_free_routes(
        (addrs, links, seed) in arb_topology(),
        picks in proptest::collection::vec(any::<(prop::sample::Index, prop::sample::Index)>(), 1..4),
    ) {
        let mut net = Net::new(&addrs, &links, None, seed);
        net.run_until(SETTLED);
        let n = addrs.len();
        let mut pairs = Vec::new();
        for (k, (a, b)) in picks.iter().enumerate() {
            let src = addrs[a.index(n)];
            let mut dst = addrs[b.index(n)];
            if dst == src {
                dst = addrs[(a.index(n) + 1) % n];
            }
            net.send_data(src, dst, vec![k as u8]);
            pairs.push((src, dst));
        }
        net.run_until(SETTLED + 12 * SECOND);
        prop_assert!(net.failed.is_empty(), "{:?}", net.failed);
        for (k, &(src, dst)) in pairs.iter().enumerate() {
            let got = net.deliveries(&[k as u8]);
            prop_assert_eq!(got.get(&dst), Some(&1));
            prop_assert_eq!(got.len(), 1);
            assert_loop_free(&net, src, dst)?;
            // The way back, learnt from the reply, holds too.
            assert_loop_free(&net, dst, src)?;
        }
    }

    /// With a concentrator in a random connected mesh, one many-to-one route
    /// request gives every router a loop-free route to it; a router's report is
    /// preceded by a route record and the concentrator's source-routed answer
    /// arrives without any route discovery.
    #[test]
    fn many_to_one_serves_every_router((addrs, links, seed) in arb_topology(), pick in any::<prop::sample::Index>()) {
        prop_assume!(addrs.len() >= 2);
        let conc = addrs[0];
        let mut net = Net::new(&addrs, &links, Some(conc), seed);
        net.run_until(65 * SECOND);
        for &a in &addrs[1..] {
            let e = net.router(a).routes().get(conc).copied();
            prop_assert!(e.is_some_and(|e| e.many_to_one), "router {:#06x}: {:?}", a, e);
            assert_loop_free(&net, a, conc)?;
        }
        let r = addrs[1 + pick.index(addrs.len() - 1)];
        net.send_data(r, conc, b"up".to_vec());
        net.run_until(66 * SECOND);
        prop_assert_eq!(net.deliveries(b"up").get(&conc).copied(), Some(1));
        let rreqs = net.commands(ROUTE_REQUEST).len();
        net.send_data(conc, r, b"down".to_vec());
        net.run_until(67 * SECOND);
        prop_assert_eq!(net.deliveries(b"down").get(&r).copied(), Some(1));
        prop_assert_eq!(net.commands(ROUTE_REQUEST).len(), rreqs);
        // The downward frame went back over the relays the record named, reversed.
        let up: Vec<u16> = net.data_hops(b"up").iter().map(|h| h.0).collect();
        let mut down: Vec<u16> = net.data_hops(b"down").iter().map(|h| h.1).collect();
        down.reverse();
        prop_assert_eq!(up, down);
    }
}

/// Crossing discoveries in a star: 1 looks for 2 while 2 looks for 1 (and 1
/// for 5). A reply to the other's request teaches a route before our own reply
/// comes; the frames held for it must still go.
#[test]
fn crossing_discoveries_release_every_held_frame() {
    let addrs: Vec<u16> = (0..11).map(|i| 0x1000 + i * 0x0101).collect();
    let links: Vec<(u16, u16, u8)> = (1..11).map(|i| (0x1000, addrs[i], 255)).collect();
    let mut net = Net::new(&addrs, &links, None, 0);
    net.run_until(SETTLED);
    let pairs = [
        (addrs[1], addrs[5]),
        (addrs[2], addrs[1]),
        (addrs[1], addrs[2]),
    ];
    for (k, (s, d)) in pairs.iter().enumerate() {
        net.send_data(*s, *d, vec![k as u8]);
    }
    net.run_until(SETTLED + 12 * SECOND);
    for (k, (_, d)) in pairs.iter().enumerate() {
        assert_eq!(
            net.deliveries(&[k as u8]).into_iter().collect::<Vec<_>>(),
            [(*d, 1)],
            "frame {k}"
        );
    }
}
