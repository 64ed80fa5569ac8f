//! The routing decisions the NWK data path asks for (Zigbee PRO R22 3.6.3.3):
//! how to send a frame this device originates, what to do with a received
//! unicast not addressed to it, and what a failed transmission means.

use super::consts::{DEFAULT_RADIUS, is_broadcast};
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
    fn discovering(&self, dst: u16) -> bool {
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
        if header.control.discover_route != 0 {
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

    /// Keep `tx` until discovery of a route to its NWK destination ends, starting it if needed.
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
        let mut tx = self.command(to, to, DEFAULT_RADIUS, network_status(code, about));
        match self.next_hop(to) {
            Some(hop) => {
                tx.mac_dst = hop;
                out.push(Output::Transmit(tx));
            }
            None => {
                tx.header.control.discover_route = 1;
                self.hold(now, tx, out);
            }
        }
    }

    /// A unicast to `tx.mac_dst` failed at the MAC (no acknowledgement after
    /// retries). Routes through that neighbour break; when this device was
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
        let many_to_one = self
            .routes
            .get(dst)
            .is_some_and(|e| e.many_to_one && e.next_hop == hop);
        self.neighbours.link_failed(hop);
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
