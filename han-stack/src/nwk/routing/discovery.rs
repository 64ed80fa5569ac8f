//! AODV route discovery (Zigbee PRO R22 3.6.3.5): the route discovery table
//! and the route request / route reply rules.
//!
//! A route request is broadcast by its originator and rebroadcast by every
//! router after a random jitter, with the cost of the link it arrived over
//! added to its path cost; a copy with a lower cost than one already seen
//! replaces it and is rebroadcast. The destination answers every cheaper copy
//! with a route reply sent back hop by hop along the recorded senders; each hop
//! adds its link cost and keeps the cheapest reply, so the originator ends with
//! the lowest-cost path. Links are symmetric (nwkSymLink TRUE): hops on the
//! reply path also learn the route back to the originator.

use std::collections::BTreeMap;

use super::consts::{
    BROADCAST_ALL, BROADCAST_ROUTERS, DEFAULT_RADIUS, INITIAL_RREQ_RETRIES, MAX_RREQ_JITTER,
    MIN_RREQ_JITTER, MS, ROUTE_DISCOVERY_TIME, RREQ_RETRIES, RREQ_RETRY_INTERVAL,
};
use super::neighbour::NeighbourKind;
use super::router::{After, Router, Scheduled};
use super::table::RouteStatus;
use super::{NwkPayload, Output, Transmit};
use crate::mac::csma::MacRandom;
use crate::nwk::command::{
    NwkCommand, RouteReply, RouteReplyOptions, RouteRequest, RouteRequestOptions,
};
use crate::nwk::header::NwkHeader;

/// One route discovery table entry (Zigbee PRO R22 Table 3-65).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoveryEntry {
    /// Route request identifier.
    pub id: u8,
    /// Originator of the route request (its NWK source).
    pub originator: u16,
    /// The destination sought (0xfffc for a many-to-one route request).
    pub dst: u16,
    /// The neighbour the cheapest copy came from: the hop back to the originator.
    pub sender: u16,
    /// Path cost from the originator to this device.
    pub forward_cost: u8,
    /// Path cost from this device to the destination (0xff until a reply arrives).
    pub residual_cost: u8,
    /// When the entry expires (ns).
    pub expires: u64,
}

/// The route discovery table, keyed by (originator, route request id).
#[derive(Debug, Clone, Default)]
pub struct DiscoveryTable {
    entries: BTreeMap<(u16, u8), DiscoveryEntry>,
}

impl DiscoveryTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry for a route request.
    pub fn get(&self, originator: u16, id: u8) -> Option<&DiscoveryEntry> {
        self.entries.get(&(originator, id))
    }

    /// All entries.
    pub fn iter(&self) -> impl Iterator<Item = &DiscoveryEntry> {
        self.entries.values()
    }

    /// A copy of a route request arrived from `sender` with `forward_cost`: true
    /// when it is the first or cheaper than every earlier copy (and is now recorded).
    pub fn offer_request(
        &mut self,
        now: u64,
        originator: u16,
        id: u8,
        dst: u16,
        sender: u16,
        forward_cost: u8,
    ) -> bool {
        match self.entries.get_mut(&(originator, id)) {
            Some(e) if forward_cost >= e.forward_cost => false,
            Some(e) => {
                e.sender = sender;
                e.forward_cost = forward_cost;
                true
            }
            None => {
                self.entries.insert(
                    (originator, id),
                    DiscoveryEntry {
                        id,
                        originator,
                        dst,
                        sender,
                        forward_cost,
                        residual_cost: u8::MAX,
                        expires: now + ROUTE_DISCOVERY_TIME,
                    },
                );
                true
            }
        }
    }

    /// A route reply arrived with `residual_cost`: the entry when it is cheaper
    /// than every earlier reply (and is now recorded).
    pub fn offer_reply(
        &mut self,
        originator: u16,
        id: u8,
        residual_cost: u8,
    ) -> Option<DiscoveryEntry> {
        let e = self.entries.get_mut(&(originator, id))?;
        if residual_cost >= e.residual_cost {
            return None;
        }
        e.residual_cost = residual_cost;
        Some(*e)
    }

    /// Remove and return the entries expired at `now`.
    pub fn expire(&mut self, now: u64) -> Vec<DiscoveryEntry> {
        let gone: Vec<DiscoveryEntry> = self
            .entries
            .values()
            .filter(|e| e.expires <= now)
            .copied()
            .collect();
        for e in &gone {
            self.entries.remove(&(e.originator, e.id));
        }
        gone
    }

    /// The earliest expiry.
    pub fn next_expiry(&self) -> Option<u64> {
        self.entries.values().map(|e| e.expires).min()
    }
}

impl Router {
    /// Originate a route request for `dst` (or, with many-to-one options, for
    /// 0xfffc): broadcast now and nwkcInitialRREQRetries more times.
    pub(super) fn originate_route_request(
        &mut self,
        now: u64,
        dst: u16,
        options: RouteRequestOptions,
        radius: u8,
        out: &mut Vec<Output>,
    ) {
        self.rreq_id = self.rreq_id.wrapping_add(1);
        let id = self.rreq_id;
        self.discoveries
            .offer_request(now, self.addr, id, dst, self.addr, 0);
        let rreq = RouteRequest {
            options,
            id,
            dst,
            path_cost: 0,
            dst64: None,
        };
        let tx = self.command(
            BROADCAST_ROUTERS,
            BROADCAST_ALL,
            radius,
            NwkCommand::RouteRequest(rreq),
        );
        self.scheduled.push(Scheduled {
            at: now + RREQ_RETRY_INTERVAL,
            tx: tx.clone(),
            then: After::RouteRequestRetry(INITIAL_RREQ_RETRIES - 1),
        });
        out.push(Output::Transmit(tx));
    }

    /// Start discovery of a route to `dst` (the route becomes DiscoveryUnderway).
    pub(super) fn start_discovery(&mut self, now: u64, dst: u16, out: &mut Vec<Output>) {
        self.counters.discoveries_started += 1;
        self.routes.discovery_underway(dst);
        self.originate_route_request(now, dst, RouteRequestOptions::empty(), DEFAULT_RADIUS, out);
    }

    /// A route request copy from neighbour `mac_src` (Zigbee PRO R22 3.6.3.5.2).
    pub(super) fn on_route_request(
        &mut self,
        now: u64,
        mac_src: u16,
        header: &NwkHeader,
        rreq: &RouteRequest,
        rng: &mut impl MacRandom,
        out: &mut Vec<Output>,
    ) {
        let originator = header.src;
        if originator == self.addr {
            return;
        }
        // Only a link usable both ways carries a route (nwkSymLink TRUE).
        let Some(link) = self.neighbours.get(mac_src).filter(|n| n.usable()) else {
            return;
        };
        let cost = rreq.path_cost.saturating_add(link.link_cost());
        if !self
            .discoveries
            .offer_request(now, originator, rreq.id, rreq.dst, mac_src, cost)
        {
            return;
        }
        let many_to_one = rreq.options.many_to_one();
        if many_to_one != 0 {
            self.learn_route(originator, mac_src, cost, Some(many_to_one == 1), out);
        } else if rreq.dst == self.addr || self.is_end_device_child(rreq.dst) {
            // The reverse route, then the reply towards the originator.
            self.learn_route(originator, mac_src, cost, None, out);
            let rrep = RouteReply {
                options: RouteReplyOptions::empty(),
                id: rreq.id,
                originator,
                responder: rreq.dst,
                path_cost: 0,
                originator64: None,
                responder64: None,
            };
            let tx = self.command(
                mac_src,
                mac_src,
                DEFAULT_RADIUS,
                NwkCommand::RouteReply(rrep),
            );
            out.push(Output::Transmit(tx));
            return;
        } else {
            self.routes.discovery_underway(rreq.dst);
        }
        if header.radius <= 1 {
            return;
        }
        self.forward_route_request(now, header, rreq, cost, rng);
    }

    /// Rebroadcast a route request after 2·R[nwkcMinRREQJitter, nwkcMaxRREQJitter] ms,
    /// replacing a pending copy of the same request (a cheaper copy supersedes it).
    fn forward_route_request(
        &mut self,
        now: u64,
        header: &NwkHeader,
        rreq: &RouteRequest,
        cost: u8,
        rng: &mut impl MacRandom,
    ) {
        let key = (header.src, rreq.id);
        self.scheduled
            .retain(|s| route_request_key(&s.tx) != Some(key));
        let mut h = header.clone();
        h.radius -= 1;
        let span = (MAX_RREQ_JITTER - MIN_RREQ_JITTER + 1) as u32;
        let jitter = 2 * (MIN_RREQ_JITTER + u64::from(rng.below(span))) * MS;
        self.scheduled.push(Scheduled {
            at: now + jitter,
            tx: Transmit {
                mac_dst: BROADCAST_ALL,
                header: h,
                payload: NwkPayload::Command(NwkCommand::RouteRequest(RouteRequest {
                    path_cost: cost,
                    ..*rreq
                })),
            },
            then: After::RouteRequestRetry(RREQ_RETRIES),
        });
    }

    /// A route reply addressed to this hop (Zigbee PRO R22 3.6.3.5.3).
    pub(super) fn on_route_reply(
        &mut self,
        mac_src: u16,
        rrep: &RouteReply,
        out: &mut Vec<Output>,
    ) {
        let Some(link) = self.neighbours.get(mac_src).filter(|n| n.usable()) else {
            return;
        };
        let cost = rrep.path_cost.saturating_add(link.link_cost());
        let Some(entry) = self.discoveries.offer_reply(rrep.originator, rrep.id, cost) else {
            return;
        };
        self.learn_route(rrep.responder, mac_src, cost, None, out);
        if rrep.originator == self.addr {
            return;
        }
        self.learn_route(rrep.originator, entry.sender, entry.forward_cost, None, out);
        let tx = self.command(
            entry.sender,
            entry.sender,
            DEFAULT_RADIUS,
            NwkCommand::RouteReply(RouteReply {
                path_cost: cost,
                ..*rrep
            }),
        );
        out.push(Output::Transmit(tx));
    }

    /// Discovery entries past nwkcRouteDiscoveryTime go; a discovery this
    /// device started that found nothing fails, and frames held for it are dropped.
    pub(super) fn expire_discoveries(&mut self, now: u64, out: &mut Vec<Output>) {
        for e in self.discoveries.expire(now) {
            // Another discovery for the same destination (ours, when this one was
            // ours) keeps the route's state alive.
            let ours = e.originator == self.addr;
            let still_searching = self
                .discoveries
                .iter()
                .any(|d| d.dst == e.dst && (!ours || d.originator == self.addr));
            if ours {
                if !still_searching && self.routes.discovery_ended(e.dst) {
                    self.counters.discoveries_failed += 1;
                    out.push(Output::RouteDiscoveryFailed { dst: e.dst });
                    self.drop_held(e.dst, out);
                }
            } else if !still_searching
                && self
                    .routes
                    .get(e.dst)
                    .is_some_and(|r| r.status == RouteStatus::DiscoveryUnderway)
            {
                self.routes.remove(e.dst);
            }
        }
    }

    /// Learn a route to `dst` over `next_hop` (a many-to-one route when
    /// `many_to_one` says whether a route record is required); if a discovery
    /// of ours was waiting for it, whichever discovery taught it, announce the
    /// route and send what was held for it.
    fn learn_route(
        &mut self,
        dst: u16,
        next_hop: u16,
        cost: u8,
        many_to_one: Option<bool>,
        out: &mut Vec<Output>,
    ) {
        let waiting = self.discovering(dst);
        let before = self.routes.next_hop(dst);
        match many_to_one {
            Some(record) => self.routes.learn_many_to_one(dst, next_hop, cost, record),
            None => self.routes.learn(dst, next_hop, cost),
        }
        if self.routes.next_hop(dst) != before {
            self.counters.route_changes += 1;
        }
        if waiting {
            out.push(Output::RouteDiscovered { dst });
            self.release_held(dst, out);
        }
    }

    fn is_end_device_child(&self, addr: u16) -> bool {
        self.neighbours
            .get(addr)
            .is_some_and(|n| n.kind == NeighbourKind::EndDevice)
    }
}

/// The (originator, id) of a route request frame.
fn route_request_key(tx: &Transmit) -> Option<(u16, u8)> {
    match &tx.payload {
        NwkPayload::Command(NwkCommand::RouteRequest(r)) => Some((tx.header.src, r.id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nwk::header::NwkFrameType;
    use crate::nwk::routing::consts::SECOND;
    use crate::nwk::routing::harness::{Rng, router_with, transmits};

    fn rreq_frame(
        originator: u16,
        id: u8,
        dst: u16,
        path_cost: u8,
        radius: u8,
    ) -> (NwkHeader, NwkPayload) {
        (
            NwkHeader::pro(
                NwkFrameType::Command,
                BROADCAST_ROUTERS,
                originator,
                radius,
                9,
            ),
            NwkPayload::Command(NwkCommand::RouteRequest(RouteRequest {
                options: RouteRequestOptions::empty(),
                id,
                dst,
                path_cost,
                dst64: None,
            })),
        )
    }

    /// Poll `r` until `until`, collecting the route requests it sends with their times.
    fn sent_requests(r: &mut Router, rng: &mut Rng, until: u64) -> Vec<(u64, Transmit)> {
        let mut got = Vec::new();
        loop {
            let now = r.poll_at();
            if now > until {
                return got;
            }
            for t in transmits(&r.poll(now, &mut |n| rng.below(n))) {
                if matches!(t.payload, NwkPayload::Command(NwkCommand::RouteRequest(_))) {
                    got.push((now, t.clone()));
                }
            }
        }
    }

    #[test]
    fn request_is_forwarded_after_rreq_jitter_with_the_link_cost_added() {
        let mut rng = Rng(1);
        let mut r = router_with(0x0002, &[(0x0001, 191), (0x0003, 255)], &mut rng);
        let (h, p) = rreq_frame(0x0001, 7, 0x0009, 2, 30);
        let (d, outs) = r.on_receive(1_000 * MS, 0x0001, 191, h, p, &mut |n| rng.below(n));
        assert_eq!(d, crate::nwk::routing::RxDecision::Consumed);
        assert!(outs.is_empty(), "forwarded only after the jitter");
        let e = *r.discoveries().get(0x0001, 7).unwrap();
        assert_eq!(
            (e.sender, e.forward_cost, e.residual_cost, e.expires),
            (0x0001, 5, 0xff, 1_000 * MS + ROUTE_DISCOVERY_TIME)
        );
        assert_eq!(
            r.routes().get(9).unwrap().status,
            RouteStatus::DiscoveryUnderway
        );
        let sent = sent_requests(&mut r, &mut rng, 3_000 * MS);
        // Once after 2–128 ms, then nwkcRREQRetries more, nwkcRREQRetryInterval apart.
        assert_eq!(sent.len(), 1 + RREQ_RETRIES as usize);
        assert!(
            (1_002 * MS..=1_128 * MS).contains(&sent[0].0),
            "jitter, got {}",
            sent[0].0
        );
        for w in sent.windows(2) {
            assert_eq!(w[1].0 - w[0].0, RREQ_RETRY_INTERVAL);
        }
        let tx = &sent[0].1;
        // Relayed as it came (originator, sequence number), radius one less.
        assert_eq!(
            (tx.mac_dst, tx.header.src, tx.header.seq, tx.header.radius),
            (0xffff, 0x0001, 9, 29)
        );
        assert!(matches!(&tx.payload,
            NwkPayload::Command(NwkCommand::RouteRequest(q)) if q.path_cost == 2 + 3 && q.id == 7));
    }

    #[test]
    fn cheaper_copy_replaces_the_pending_one_dearer_copies_are_dropped() {
        let mut rng = Rng(2);
        let mut r = router_with(
            0x0002,
            &[(0x0001, 160), (0x0003, 255), (0x0004, 255)],
            &mut rng,
        );
        let (h, p) = rreq_frame(0x0001, 1, 0x0009, 0, 30);
        r.on_receive(0, 0x0001, 160, h, p, &mut |n| rng.below(n));
        assert_eq!(r.discoveries().get(1, 1).unwrap().forward_cost, 6);
        let (h, p) = rreq_frame(0x0001, 1, 0x0009, 2, 30);
        r.on_receive(MS, 0x0003, 255, h, p, &mut |n| rng.below(n));
        let e = *r.discoveries().get(1, 1).unwrap();
        assert_eq!((e.sender, e.forward_cost), (0x0003, 3));
        // Dearer than 3: ignored.
        let (h, p) = rreq_frame(0x0001, 1, 0x0009, 5, 30);
        r.on_receive(2 * MS, 0x0004, 255, h, p, &mut |n| rng.below(n));
        assert_eq!(r.discoveries().get(1, 1).unwrap().sender, 0x0003);
        let costs: Vec<u8> = sent_requests(&mut r, &mut rng, SECOND)
            .iter()
            .filter_map(|(_, t)| match &t.payload {
                NwkPayload::Command(NwkCommand::RouteRequest(q)) => Some(q.path_cost),
                _ => None,
            })
            .collect();
        assert_eq!(costs, [3, 3, 3]);
    }

    #[test]
    fn request_over_an_unverified_link_or_at_radius_one_goes_no_further() {
        let mut rng = Rng(3);
        let mut r = router_with(0x0002, &[(0x0001, 255)], &mut rng);
        // 0x0005 never sent a link status listing us.
        let (h, p) = rreq_frame(0x0005, 1, 0x0009, 0, 30);
        r.on_receive(0, 0x0005, 255, h, p, &mut |n| rng.below(n));
        assert!(r.discoveries().get(5, 1).is_none());
        // Radius 1: recorded, not rebroadcast.
        let (h, p) = rreq_frame(0x0001, 2, 0x0009, 0, 1);
        r.on_receive(0, 0x0001, 255, h, p, &mut |n| rng.below(n));
        assert!(r.discoveries().get(1, 2).is_some());
        assert!(sent_requests(&mut r, &mut rng, SECOND).is_empty());
    }

    #[test]
    fn destination_and_parent_of_an_end_device_reply_at_once() {
        let mut rng = Rng(4);
        let mut r = router_with(0x0009, &[(0x0003, 229)], &mut rng);
        r.neighbours_mut()
            .add(0, 0x0abc, NeighbourKind::EndDevice, 255);
        for (id, dst) in [(1, 0x0009), (2, 0x0abc)] {
            let (h, p) = rreq_frame(0x0001, id, dst, 4, 30);
            let (_, outs) = r.on_receive(0, 0x0003, 229, h, p, &mut |n| rng.below(n));
            let tx = transmits(&outs);
            assert_eq!(tx.len(), 1);
            assert_eq!(
                (tx[0].mac_dst, tx[0].header.dst, tx[0].header.src),
                (3, 3, 9)
            );
            let NwkPayload::Command(NwkCommand::RouteReply(rep)) = &tx[0].payload else {
                panic!("not a route reply: {:?}", tx[0].payload);
            };
            assert_eq!(
                (rep.id, rep.originator, rep.responder, rep.path_cost),
                (id, 1, dst, 0)
            );
            // The reverse route to the originator, at the request's cost 4 + 2.
            let back = *r.routes().get(1).unwrap();
            assert_eq!((back.next_hop, back.path_cost), (3, 6));
        }
    }

    #[test]
    fn reply_is_kept_only_when_cheaper_and_passed_back_to_the_sender() {
        let mut rng = Rng(5);
        let mut r = router_with(
            0x0002,
            &[(0x0001, 255), (0x0003, 191), (0x0004, 255)],
            &mut rng,
        );
        let (h, p) = rreq_frame(0x0001, 1, 0x0009, 0, 30);
        r.on_receive(0, 0x0001, 255, h, p, &mut |n| rng.below(n));
        let reply = |from: u16, cost: u8| {
            (
                NwkHeader::pro(NwkFrameType::Command, 0x0002, from, 30, 1),
                NwkPayload::Command(NwkCommand::RouteReply(RouteReply {
                    options: RouteReplyOptions::empty(),
                    id: 1,
                    originator: 1,
                    responder: 9,
                    path_cost: cost,
                    originator64: None,
                    responder64: None,
                })),
            )
        };
        let (h, p) = reply(3, 1);
        let (_, outs) = r.on_receive(MS, 0x0003, 191, h, p, &mut |n| rng.below(n));
        let tx = transmits(&outs);
        assert_eq!(tx.len(), 1);
        assert_eq!(tx[0].mac_dst, 1);
        assert!(
            matches!(&tx[0].payload, NwkPayload::Command(NwkCommand::RouteReply(q)) if q.path_cost == 4)
        );
        assert_eq!(
            r.routes().get(9).map(|e| (e.next_hop, e.status)),
            Some((3, RouteStatus::ValidationUnderway))
        );
        assert_eq!(r.routes().next_hop(1), Some(1));
        // Dearer (5 + 1): dropped. Cheaper (1 + 1): taken and passed on.
        let (h, p) = reply(4, 5);
        assert!(
            transmits(
                &r.on_receive(2 * MS, 0x0004, 255, h, p, &mut |n| rng.below(n))
                    .1
            )
            .is_empty()
        );
        let (h, p) = reply(4, 1);
        assert_eq!(
            transmits(
                &r.on_receive(3 * MS, 0x0004, 255, h, p, &mut |n| rng.below(n))
                    .1
            )
            .len(),
            1
        );
        assert_eq!(r.routes().next_hop(9), Some(4));
        assert_eq!(r.discoveries().get(1, 1).unwrap().residual_cost, 2);
        // A reply to an unknown request is dropped.
        let (h, mut p) = reply(4, 0);
        if let NwkPayload::Command(NwkCommand::RouteReply(q)) = &mut p {
            q.id = 99;
        }
        assert!(
            transmits(
                &r.on_receive(4 * MS, 0x0004, 255, h, p, &mut |n| rng.below(n))
                    .1
            )
            .is_empty()
        );
    }
}
