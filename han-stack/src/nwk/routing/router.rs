//! The [`Router`]: one routing device's tables, timers and the dispatch of
//! received frames to the rules in the sibling modules.

use super::broadcast::BroadcastTable;
use super::consts::{
    BROADCAST_ALL, BROADCAST_ROUTERS, LINK_STATUS_JITTER, LINK_STATUS_PERIOD, RREQ_RETRY_INTERVAL,
};
use super::decision::{DropReason, RxDecision};
use super::discovery::DiscoveryTable;
use super::many_to_one::{Concentrator, ConcentratorConfig};
use super::neighbour::NeighbourTable;
use super::table::RoutingTable;
use super::{NwkPayload, Output, Transmit};
use crate::mac::csma::MacRandom;
use crate::nwk::command::NwkCommand;
use crate::nwk::header::{NwkFrameType, NwkHeader};

/// How a router is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterConfig {
    /// This device's short address.
    pub addr: u16,
    /// Set on a concentrator (the CHF): many-to-one route requests and route records.
    pub concentrator: Option<ConcentratorConfig>,
}

/// What a router has done, for a run's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoutingCounters {
    /// Route discoveries this device started.
    pub discoveries_started: u32,
    /// Of those, the ones that ended without a route.
    pub discoveries_failed: u32,
    /// Routes that became usable or changed next hop.
    pub route_changes: u32,
    /// Unicasts the MAC could not deliver to the next hop.
    pub link_failures: u32,
    /// Network Status commands this device originated.
    pub network_status_sent: u32,
    /// Broadcast retransmissions after missing passive acknowledgements.
    pub broadcast_retries: u32,
}

/// A frame waiting for its time: jitter, a route request retry, a broadcast relay.
#[derive(Debug, Clone)]
pub(super) struct Scheduled {
    pub(super) at: u64,
    pub(super) tx: Transmit,
    pub(super) then: After,
}

/// What to do after a scheduled frame is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    /// Send it again after nwkcRREQRetryInterval, this many more times.
    RouteRequestRetry(u8),
    /// Start the passive-acknowledgement wait of this broadcast transaction.
    PassiveAck,
}

/// One routing device (Zigbee PRO router or coordinator).
#[derive(Debug, Clone)]
pub struct Router {
    pub(super) addr: u16,
    seq: u8,
    pub(super) rreq_id: u8,
    pub(super) neighbours: NeighbourTable,
    pub(super) routes: RoutingTable,
    pub(super) discoveries: DiscoveryTable,
    pub(super) broadcasts: BroadcastTable,
    pub(super) concentrator: Option<Concentrator>,
    pub(super) scheduled: Vec<Scheduled>,
    /// Relayed (or own command) frames waiting for route discovery.
    pub(super) held: Vec<Transmit>,
    next_link_status: u64,
    pub(super) counters: RoutingCounters,
}

impl Router {
    /// A router that starts at `now` with empty tables; its first link status
    /// goes out at a random point in the first period and, on a concentrator,
    /// its first many-to-one route request within the first second.
    pub fn new(config: RouterConfig, now: u64, rng: &mut impl MacRandom) -> Self {
        let first = now + random_below(rng, LINK_STATUS_PERIOD);
        Router {
            addr: config.addr,
            seq: 0,
            rreq_id: 0,
            neighbours: NeighbourTable::new(),
            routes: RoutingTable::new(),
            discoveries: DiscoveryTable::new(),
            broadcasts: BroadcastTable::new(),
            concentrator: config.concentrator.map(|c| Concentrator::new(c, now, rng)),
            scheduled: Vec::new(),
            held: Vec::new(),
            next_link_status: first,
            counters: RoutingCounters::default(),
        }
    }

    /// This device's short address.
    pub fn addr(&self) -> u16 {
        self.addr
    }

    /// The next NWK sequence number (nwkSequenceNumber), for every frame this device originates.
    pub fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Send the next link status no later than `at` (a router that has just joined, or
    /// one that has just learnt a new neighbour's view of the link, lets it know at once
    /// rather than after up to nwkLinkStatusPeriod).
    pub fn link_status_soon(&mut self, at: u64) {
        self.next_link_status = self.next_link_status.min(at);
    }

    /// What this router has done so far.
    pub fn counters(&self) -> &RoutingCounters {
        &self.counters
    }

    /// The neighbour table.
    pub fn neighbours(&self) -> &NeighbourTable {
        &self.neighbours
    }

    /// The neighbour table, for the join layer to add or remove children and a parent.
    pub fn neighbours_mut(&mut self) -> &mut NeighbourTable {
        &mut self.neighbours
    }

    /// The routing table.
    pub fn routes(&self) -> &RoutingTable {
        &self.routes
    }

    /// The route discovery table.
    pub fn discoveries(&self) -> &DiscoveryTable {
        &self.discoveries
    }

    /// The broadcast transaction table.
    pub fn broadcasts(&self) -> &BroadcastTable {
        &self.broadcasts
    }

    /// A NWK command frame from this device with a fresh sequence number.
    pub(super) fn command(
        &mut self,
        dst: u16,
        mac_dst: u16,
        radius: u8,
        cmd: NwkCommand,
    ) -> Transmit {
        let seq = self.next_seq();
        Transmit {
            mac_dst,
            header: NwkHeader::pro(NwkFrameType::Command, dst, self.addr, radius, seq),
            payload: NwkPayload::Command(cmd),
        }
    }

    /// A received NWK frame (decrypted), with the MAC source and LQI it came with.
    pub fn on_receive(
        &mut self,
        now: u64,
        mac_src: u16,
        lqi: u8,
        header: NwkHeader,
        payload: NwkPayload,
        rng: &mut impl MacRandom,
    ) -> (RxDecision, Vec<Output>) {
        let mut out = Vec::new();
        if mac_src == self.addr {
            // Its own transmission heard back (a repeater re-emitting it as it was): this
            // device is not its own neighbour. (A neighbour relaying its broadcast has
            // another MAC source and is its passive acknowledgement.)
            return (RxDecision::Drop(DropReason::OwnFrame), out);
        }
        self.neighbours.heard(now, mac_src, lqi);
        let decision = match &payload {
            NwkPayload::Command(NwkCommand::LinkStatus(ls)) => {
                self.neighbours
                    .on_link_status(now, self.addr, mac_src, lqi, ls);
                RxDecision::Consumed
            }
            NwkPayload::Command(NwkCommand::RouteRequest(rreq)) => {
                self.on_route_request(now, mac_src, &header, rreq, rng, &mut out);
                RxDecision::Consumed
            }
            _ if super::consts::is_broadcast(header.dst) => {
                self.on_broadcast(now, mac_src, header, payload, rng)
            }
            _ if header.src == self.addr => RxDecision::Drop(DropReason::OwnFrame),
            _ if header.dst == self.addr => {
                self.on_unicast_for_me(now, mac_src, &header, &payload, &mut out)
            }
            _ => self.relay(now, header, payload, &mut out),
        };
        (decision, out)
    }

    fn on_unicast_for_me(
        &mut self,
        now: u64,
        mac_src: u16,
        header: &NwkHeader,
        payload: &NwkPayload,
        out: &mut Vec<Output>,
    ) -> RxDecision {
        match payload {
            NwkPayload::Command(NwkCommand::RouteReply(rrep)) => {
                self.on_route_reply(mac_src, rrep, out);
                RxDecision::Consumed
            }
            NwkPayload::Command(NwkCommand::RouteRecord(rr)) => {
                self.on_route_record(header.src, rr);
                RxDecision::Consumed
            }
            NwkPayload::Command(NwkCommand::NetworkStatus(ns)) => {
                self.on_network_status(now, ns);
                RxDecision::Consumed
            }
            _ => RxDecision::ForMe,
        }
    }

    /// When [`Router::poll`] next has work.
    pub fn poll_at(&self) -> u64 {
        let mut at = self.next_link_status;
        for s in &self.scheduled {
            at = at.min(s.at);
        }
        for t in [
            self.broadcasts.next_check(),
            self.discoveries.next_expiry(),
            self.concentrator.as_ref().map(Concentrator::next_request),
        ]
        .into_iter()
        .flatten()
        {
            at = at.min(t);
        }
        at
    }

    /// Do whatever is due at `now`.
    pub fn poll(&mut self, now: u64, rng: &mut impl MacRandom) -> Vec<Output> {
        let mut out = Vec::new();
        self.fire_scheduled(now, &mut out);
        self.passive_ack_checks(now, &mut out);
        self.broadcasts.purge(now);
        self.expire_discoveries(now, &mut out);
        if now >= self.next_link_status {
            self.send_link_status(&mut out);
            self.next_link_status =
                now + LINK_STATUS_PERIOD + random_below(rng, LINK_STATUS_JITTER);
        }
        self.poll_concentrator(now, rng, &mut out);
        out
    }

    fn fire_scheduled(&mut self, now: u64, out: &mut Vec<Output>) {
        // Stable: frames due at the same time keep the order they were scheduled in.
        self.scheduled.sort_by_key(|s| s.at);
        let due = self.scheduled.partition_point(|s| s.at <= now);
        let fired: Vec<Scheduled> = self.scheduled.drain(..due).collect();
        for s in fired {
            match s.then {
                After::RouteRequestRetry(0) => {}
                After::RouteRequestRetry(n) => self.scheduled.push(Scheduled {
                    at: now + RREQ_RETRY_INTERVAL,
                    tx: s.tx.clone(),
                    then: After::RouteRequestRetry(n - 1),
                }),
                After::PassiveAck => self.broadcasts.sent(now, &s.tx),
            }
            out.push(Output::Transmit(s.tx));
        }
    }

    /// Age router neighbours (routes through one that expired break) and send
    /// this router's link status set as one-hop broadcasts (Zigbee PRO R22 3.6.3.4.1).
    fn send_link_status(&mut self, out: &mut Vec<Output>) {
        for gone in self.neighbours.age_routers() {
            self.routes.invalidate_via(gone);
        }
        for ls in self.neighbours.link_status_frames() {
            let tx = self.command(
                BROADCAST_ROUTERS,
                BROADCAST_ALL,
                1,
                NwkCommand::LinkStatus(ls),
            );
            out.push(Output::Transmit(tx));
        }
    }
}

/// A uniform value in `0..n` nanoseconds from the caller's generator, at
/// microsecond resolution so that the range fits its `u32`.
pub(super) fn random_below(rng: &mut impl MacRandom, n: u64) -> u64 {
    let us = (n / 1_000).clamp(1, u64::from(u32::MAX)) as u32;
    u64::from(rng.below(us)) * 1_000
}
