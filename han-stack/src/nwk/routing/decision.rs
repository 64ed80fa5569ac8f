//! The routing decisions the NWK data path asks for (Zigbee PRO R22 3.6.3.3):
//! how to send a frame this device originates, what to do with a received
//! unicast not addressed to it, and what a failed transmission means.

use super::consts::{DEFAULT_RADIUS, MAX_HELD, is_broadcast};
use super::many_to_one::append_relay;
use super::router::Router;
use super::table::RouteStatus;
use super::{NwkPayload, Output, Transmit};
use crate::nwk::command::{NetworkStatus, NetworkStatusCode, NwkCommand};
use crate::nwk::header::{NwkHeader, SourceRoute};

/// How to send a frame this device originates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteDecision {
    /// Addressed to this device itself.
    Local,
    /// A broadcast address: hand the frame to [`Router::send_broadcast`].
    Broadcast,
    /// Unicast to this neighbour.
    NextHop(u16),
    /// Unicast to `next_hop` with this source route subframe in the NWK header.
    SourceRoute {
        /// The first relay.
        next_hop: u16,
        /// The subframe to put in the header.
        route: SourceRoute,
    },
    /// No route yet and discovery is under way: hold the frame until
    /// [`Output::RouteDiscovered`] (then ask again) or [`Output::RouteDiscoveryFailed`].
    DiscoverFirst,
    /// No route, and discovery was not allowed.
    Unreachable,
}

/// What to do with a received frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RxDecision {
    /// Deliver to this device's upper layer (for a broadcast, a relay may be scheduled too).
    ForMe,
    /// Send this frame on (header already updated: radius, source route relay index).
    Relay(Transmit),
    /// Kept by the router until route discovery for its destination ends.
    Held,
    /// A routing command the router processed itself.
    Consumed,
    /// Dropped.
    Drop(DropReason),
}

/// Why a received frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// A broadcast already seen.
    Duplicate,
    /// This device's own frame heard back.
    OwnFrame,
    /// The radius does not allow another hop.
    RadiusExhausted,
    /// No route and route discovery suppressed (a Network Status went to the source).
    NoRoute,
    /// A source route that does not name this device as the next relay.
    BadSourceRoute,
    /// A broadcast to a class of devices this one is not in (relayed all the same).
    NotForMe,
}

impl Router {
    /// The neighbour to send to for `dst`, if known: the destination itself when
    /// it is a neighbour over a usable link, else the routing table's next hop.
    fn next_hop(&self, dst: u16) -> Option<u16> {
        if self.neighbours.get(dst).is_some_and(|n| n.usable()) {
            return Some(dst);
        }
        self.routes.next_hop(dst)
    }

    /// True while a discovery this device started for `dst` is still looking.
    pub(super) fn discovering(&self, dst: u16) -> bool {
        self.routes
            .get(dst)
            .is_some_and(|e| e.status == RouteStatus::DiscoveryUnderway)
            && self
                .discoveries
                .iter()
                .any(|d| d.originator == self.addr && d.dst == dst)
    }

    /// How to send a frame this device originates to `dst`; with `discover`
    /// (the frame's discover-route field) a missing route starts discovery.
    /// Outputs (a route record to a concentrator) must be sent before the frame.
    pub fn route_to(&mut self, now: u64, dst: u16, discover: bool) -> (RouteDecision, Vec<Output>) {
        let mut out = Vec::new();
        if dst == self.addr {
            return (RouteDecision::Local, out);
        }
        if is_broadcast(dst) {
            return (RouteDecision::Broadcast, out);
        }
        if let Some(d) = self.source_route_to(dst) {
            return (d, out);
        }
        if let Some(hop) = self.next_hop(dst) {
            self.routes.used(dst);
            if let Some(rr) = self.route_record_before(dst, hop) {
                out.push(Output::Transmit(rr));
            }
            return (RouteDecision::NextHop(hop), out);
        }
        if self.discovering(dst) {
            return (RouteDecision::DiscoverFirst, out);
        }
        if discover {
            self.start_discovery(now, dst, &mut out);
            return (RouteDecision::DiscoverFirst, out);
        }
        (RouteDecision::Unreachable, out)
    }

    /// A received unicast for another device: follow its source route, or the
    /// routing table, or discover a route when the frame allows it.
    pub(super) fn relay(
        &mut self,
        now: u64,
        mut header: NwkHeader,
        mut payload: NwkPayload,
        out: &mut Vec<Output>,
    ) -> RxDecision {
        if header.radius <= 1 {
            return RxDecision::Drop(DropReason::RadiusExhausted);
        }
        header.radius -= 1;
        if let Some(sr) = &mut header.source_route {
            // Zigbee PRO R22 3.6.3.3.2: the relay index names this relay; 0 means the
            // destination is next, otherwise the index steps down the relay list.
            let index = usize::from(sr.relay_index);
            if sr.relays.get(index) != Some(&self.addr) {
                return RxDecision::Drop(DropReason::BadSourceRoute);
            }
            let next = match index.checked_sub(1) {
                None => header.dst,
                Some(i) => {
                    sr.relay_index -= 1;
                    sr.relays.get(i).copied().unwrap_or(header.dst)
                }
            };
            return RxDecision::Relay(Transmit {
                mac_dst: next,
                header,
                payload,
            });
        }
        append_relay(&mut payload, self.addr);
        let dst = header.dst;
        if let Some(hop) = self.next_hop(dst) {
            self.routes.used(dst);
            return RxDecision::Relay(Transmit {
                mac_dst: hop,
                header,
                payload,
            });
        }
        if header.control.discover_route != 0 && self.held.len() < MAX_HELD {
            self.hold(
                now,
                Transmit {
                    mac_dst: dst,
                    header,
                    payload,
                },
                out,
            );
            return RxDecision::Held;
        }
        if !is_network_status(&payload) {
            self.send_network_status(
                now,
                header.src,
                NetworkStatusCode::NoRouteAvailable,
                dst,
                out,
            );
        }
        RxDecision::Drop(DropReason::NoRoute)
    }

    /// Keep `tx` until discovery of a route to its NWK destination ends,
    /// starting it if needed (callers keep to [`MAX_HELD`]).
    fn hold(&mut self, now: u64, tx: Transmit, out: &mut Vec<Output>) {
        let dst = tx.header.dst;
        self.held.push(tx);
        if !self.discovering(dst) {
            self.start_discovery(now, dst, out);
        }
    }

    /// A route to `dst` was found: send what was held for it.
    pub(super) fn release_held(&mut self, dst: u16, out: &mut Vec<Output>) {
        let Some(hop) = self.next_hop(dst) else {
            return;
        };
        let (ready, rest): (Vec<Transmit>, Vec<Transmit>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|t| t.header.dst == dst);
        self.held = rest;
        for mut tx in ready {
            tx.mac_dst = hop;
            out.push(Output::Transmit(tx));
        }
    }

    /// Discovery for `dst` failed: drop what was held for it, telling each
    /// relayed frame's source (Network Status, no route available).
    pub(super) fn drop_held(&mut self, dst: u16, out: &mut Vec<Output>) {
        let (dead, rest): (Vec<Transmit>, Vec<Transmit>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|t| t.header.dst == dst);
        self.held = rest;
        for tx in dead {
            if tx.header.src != self.addr && !is_network_status(&tx.payload) {
                let src = tx.header.src;
                if let Some(hop) = self.next_hop(src) {
                    let ns = network_status(NetworkStatusCode::NoRouteAvailable, dst);
                    self.counters.network_status_sent += 1;
                    let tx = self.command(src, hop, DEFAULT_RADIUS, ns);
                    out.push(Output::Transmit(tx));
                }
            }
        }
    }

    /// Send a Network Status about `about` to `to`, discovering a route if needed.
    fn send_network_status(
        &mut self,
        now: u64,
        to: u16,
        code: NetworkStatusCode,
        about: u16,
        out: &mut Vec<Output>,
    ) {
        self.counters.network_status_sent += 1;
        let mut tx = self.command(to, to, DEFAULT_RADIUS, network_status(code, about));
        match self.next_hop(to) {
            Some(hop) => {
                tx.mac_dst = hop;
                out.push(Output::Transmit(tx));
            }
            None if self.held.len() < MAX_HELD => {
                tx.header.control.discover_route = 1;
                self.hold(now, tx, out);
            }
            None => {}
        }
    }

    /// A unicast to `mac_dst` was acknowledged: the link's failure count starts again.
    pub fn on_transmit_delivered(&mut self, mac_dst: u16) {
        self.neighbours.link_delivered(mac_dst);
    }

    /// A unicast to `tx.mac_dst` failed at the MAC (no acknowledgement after
    /// retries). After [`MAX_LINK_FAILURES`](super::consts::MAX_LINK_FAILURES) in a
    /// row to that neighbour, routes through it break; when this device was
    /// relaying, the frame's source hears of it (Zigbee PRO R22 3.6.3.7.1): a
    /// source route failure, a many-to-one route failure (to the concentrator),
    /// or a link failure.
    pub fn on_transmit_failed(&mut self, now: u64, tx: &Transmit) -> Vec<Output> {
        let mut out = Vec::new();
        if is_broadcast(tx.mac_dst) {
            return out;
        }
        let hop = tx.mac_dst;
        let dst = tx.header.dst;
        self.counters.link_failures += 1;
        let many_to_one = self
            .routes
            .get(dst)
            .is_some_and(|e| e.many_to_one && e.next_hop == hop);
        if !self.neighbours.link_failed(hop) {
            // Not yet a broken link: the frame is lost (its sender's APS retries it), the
            // routes stay.
            return out;
        }
        self.routes.invalidate_via(hop);
        if let Some(c) = &mut self.concentrator
            && tx.header.source_route.is_some()
        {
            c.records.remove(dst);
        }
        if tx.header.src == self.addr || is_network_status(&tx.payload) {
            return out;
        }
        if tx.header.source_route.is_some() {
            self.send_network_status(
                now,
                tx.header.src,
                NetworkStatusCode::SourceRouteFailure,
                dst,
                &mut out,
            );
        } else if many_to_one {
            self.send_network_status(
                now,
                dst,
                NetworkStatusCode::ManyToOneRouteFailure,
                dst,
                &mut out,
            );
        } else {
            self.send_network_status(
                now,
                tx.header.src,
                NetworkStatusCode::NonTreeLinkFailure,
                dst,
                &mut out,
            );
        }
        out
    }
}

fn network_status(status: NetworkStatusCode, dst: u16) -> NwkCommand {
    NwkCommand::NetworkStatus(NetworkStatus {
        status,
        dst,
        extra: Vec::new(),
    })
}

fn is_network_status(payload: &NwkPayload) -> bool {
    matches!(payload, NwkPayload::Command(NwkCommand::NetworkStatus(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nwk::header::{NwkFlags, NwkFrameType};
    use crate::nwk::routing::harness::{Rng, router_with, transmits};
    use crate::nwk::routing::neighbour::NeighbourKind;
    use proptest::prelude::*;

    fn data(dst: u16, src: u16, radius: u8, discover: bool) -> NwkHeader {
        let mut h = NwkHeader::pro(NwkFrameType::Data, dst, src, radius, 1);
        h.control.discover_route = u8::from(discover);
        h
    }

    #[test]
    fn route_to_covers_every_kind_of_destination() {
        let mut rng = Rng(1);
        let mut r = router_with(0x0002, &[(0x0001, 255)], &mut rng);
        r.neighbours_mut()
            .add(0, 0x0abc, NeighbourKind::EndDevice, 255);
        assert_eq!(r.route_to(0, 0x0002, true).0, RouteDecision::Local);
        for b in [0xffff, 0xfffd, 0xfffc, 0xfffb] {
            assert_eq!(r.route_to(0, b, true).0, RouteDecision::Broadcast);
        }
        assert_eq!(r.route_to(0, 0x0001, true).0, RouteDecision::NextHop(1));
        assert_eq!(
            r.route_to(0, 0x0abc, true).0,
            RouteDecision::NextHop(0x0abc)
        );
        assert_eq!(
            r.route_to(0, 0x0777, false),
            (RouteDecision::Unreachable, vec![])
        );
        let (d, outs) = r.route_to(0, 0x0777, true);
        assert_eq!(d, RouteDecision::DiscoverFirst);
        assert_eq!(transmits(&outs).len(), 1, "the route request");
        // Asking again while discovery runs sends nothing more.
        assert_eq!(
            r.route_to(1, 0x0777, true),
            (RouteDecision::DiscoverFirst, vec![])
        );
    }

    #[test]
    fn relay_without_route_discovers_or_reports_no_route() {
        let mut rng = Rng(2);
        let mut r = router_with(0x0002, &[(0x0001, 255)], &mut rng);
        let p = NwkPayload::Data(vec![1]);
        // Discovery suppressed: dropped, and the source hears "no route available".
        let (d, outs) = r.on_receive(
            0,
            1,
            255,
            data(0x0777, 0x0001, 30, false),
            p.clone(),
            &mut |n| rng.below(n),
        );
        assert_eq!(d, RxDecision::Drop(DropReason::NoRoute));
        let tx = transmits(&outs);
        assert_eq!((tx.len(), tx[0].mac_dst, tx[0].header.dst), (1, 1, 1));
        assert!(
            matches!(&tx[0].payload, NwkPayload::Command(NwkCommand::NetworkStatus(s))
            if s.status == NetworkStatusCode::NoRouteAvailable && s.dst == 0x0777)
        );
        // Discovery allowed: held while a route request goes out.
        let (d, outs) = r.on_receive(0, 1, 255, data(0x0777, 0x0001, 30, true), p, &mut |n| {
            rng.below(n)
        });
        assert_eq!(d, RxDecision::Held);
        assert!(matches!(
            transmits(&outs)[0].payload,
            NwkPayload::Command(NwkCommand::RouteRequest(_))
        ));
        // Nobody answers: after nwkcRouteDiscoveryTime the frame is dropped and reported.
        let mut got = Vec::new();
        while r.poll_at() <= 11 * crate::nwk::routing::consts::SECOND {
            let now = r.poll_at();
            got.extend(r.poll(now, &mut |n| rng.below(n)));
        }
        assert!(got.contains(&Output::RouteDiscoveryFailed { dst: 0x0777 }));
        assert!(transmits(&got).iter().any(|t| matches!(&t.payload,
            NwkPayload::Command(NwkCommand::NetworkStatus(s)) if s.dst == 0x0777)
            && t.header.dst == 1));
    }

    #[test]
    fn held_frames_are_bounded() {
        let mut rng = Rng(7);
        let mut r = router_with(0x0002, &[(0x0001, 255)], &mut rng);
        let got: Vec<RxDecision> = (0..MAX_HELD + 2)
            .map(|i| {
                let p = NwkPayload::Data(vec![i as u8]);
                r.on_receive(0, 1, 255, data(0x0777, 0x0001, 30, true), p, &mut |n| {
                    rng.below(n)
                })
                .0
            })
            .collect();
        assert!(got[..MAX_HELD].iter().all(|d| *d == RxDecision::Held));
        assert!(
            got[MAX_HELD..]
                .iter()
                .all(|d| *d == RxDecision::Drop(DropReason::NoRoute))
        );
    }

    #[test]
    fn relay_decrements_the_radius_and_stops_at_one() {
        let mut rng = Rng(3);
        let mut r = router_with(0x0002, &[(0x0001, 255), (0x0003, 255)], &mut rng);
        let p = NwkPayload::Data(vec![1]);
        let (d, _) = r.on_receive(
            0,
            1,
            255,
            data(0x0003, 0x0001, 5, true),
            p.clone(),
            &mut |n| rng.below(n),
        );
        let RxDecision::Relay(tx) = d else {
            panic!("{d:?}")
        };
        assert_eq!((tx.mac_dst, tx.header.radius, tx.header.src), (3, 4, 1));
        let (d, _) = r.on_receive(0, 1, 255, data(0x0003, 0x0001, 1, true), p, &mut |n| {
            rng.below(n)
        });
        assert_eq!(d, RxDecision::Drop(DropReason::RadiusExhausted));
    }

    #[test]
    fn source_route_relays_step_the_index_down() {
        let mut rng = Rng(4);
        let mut r = router_with(0x0002, &[(0x0001, 255), (0x0003, 255)], &mut rng);
        let routed = |index: u8, relays: Vec<u16>| {
            let mut h = data(0x0009, 0x0000, 30, false);
            h.control.flags |= NwkFlags::SOURCE_ROUTE;
            h.source_route = Some(SourceRoute {
                relay_index: index,
                relays,
            });
            h
        };
        let p = NwkPayload::Data(vec![1]);
        // Relay list [3, 2, 1] (nearest the destination first), index 1 names us: next is 3.
        let (d, _) = r.on_receive(0, 1, 255, routed(1, vec![3, 2, 1]), p.clone(), &mut |n| {
            rng.below(n)
        });
        let RxDecision::Relay(tx) = d else {
            panic!("{d:?}")
        };
        assert_eq!(tx.mac_dst, 3);
        assert_eq!(tx.header.source_route.as_ref().unwrap().relay_index, 0);
        // Index 0 names us: the destination is next.
        let (d, _) = r.on_receive(0, 1, 255, routed(0, vec![2, 1]), p.clone(), &mut |n| {
            rng.below(n)
        });
        let RxDecision::Relay(tx) = d else {
            panic!("{d:?}")
        };
        assert_eq!(tx.mac_dst, 9);
        // Not us, or out of range: dropped.
        for (i, relays) in [(0, vec![3]), (5, vec![2])] {
            let (d, _) = r.on_receive(0, 1, 255, routed(i, relays), p.clone(), &mut |n| {
                rng.below(n)
            });
            assert_eq!(d, RxDecision::Drop(DropReason::BadSourceRoute));
        }
    }

    #[test]
    fn route_record_gains_each_relay() {
        let mut rng = Rng(5);
        let mut r = router_with(0x0002, &[(0x0001, 255), (0x0000, 255)], &mut rng);
        let h = NwkHeader::pro(NwkFrameType::Command, 0x0000, 0x0007, 30, 1);
        let p = NwkPayload::Command(NwkCommand::RouteRecord(crate::nwk::command::RouteRecord {
            relays: vec![5],
        }));
        let (d, _) = r.on_receive(0, 1, 255, h, p, &mut |n| rng.below(n));
        let RxDecision::Relay(tx) = d else {
            panic!("{d:?}")
        };
        assert_eq!(tx.mac_dst, 0);
        assert!(
            matches!(&tx.payload, NwkPayload::Command(NwkCommand::RouteRecord(rr)) if rr.relays == [5, 2])
        );
    }

    #[test]
    fn own_frames_and_frames_for_me() {
        let mut rng = Rng(6);
        let mut r = router_with(0x0002, &[(0x0001, 255)], &mut rng);
        let p = NwkPayload::Data(vec![1]);
        let (d, _) = r.on_receive(
            0,
            1,
            255,
            data(0x0002, 0x0001, 30, true),
            p.clone(),
            &mut |n| rng.below(n),
        );
        assert_eq!(d, RxDecision::ForMe);
        let (d, _) = r.on_receive(0, 1, 255, data(0x0005, 0x0002, 30, true), p, &mut |n| {
            rng.below(n)
        });
        assert_eq!(d, RxDecision::Drop(DropReason::OwnFrame));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        /// Any decoded NWK frame, from any neighbour, is handled without a panic.
        #[test]
        fn any_frame_is_handled(bytes in proptest::collection::vec(any::<u8>(), 0..64), mac_src in 0u16..6, lqi in any::<u8>(), seed in any::<u64>()) {
            use crate::wire::Wire;
            let mut rng = Rng(seed);
            let mut r = router_with(0x0002, &[(0x0001, 255), (0x0003, 200)], &mut rng);
            r.neighbours_mut().add(0, 0x0004, NeighbourKind::EndDevice, 255);
            if let Ok(f) = crate::nwk::NwkFrame::from_bytes(&bytes) {
                let payload = match f.header.control.frame_type {
                    NwkFrameType::Command => match NwkCommand::from_bytes(&f.payload) {
                        Ok(c) => NwkPayload::Command(c),
                        Err(_) => NwkPayload::Data(f.payload.clone()),
                    },
                    _ => NwkPayload::Data(f.payload.clone()),
                };
                let (d, outs) = r.on_receive(0, mac_src, lqi, f.header, payload, &mut |n| rng.below(n));
                if let RxDecision::Relay(tx) = &d {
                    let _ = r.on_transmit_failed(1, tx);
                }
                for t in transmits(&outs) {
                    let _ = r.on_transmit_failed(1, t);
                }
                let at = r.poll_at();
                let _ = r.poll(at, &mut |n| rng.below(n));
            }
        }
    }
}
