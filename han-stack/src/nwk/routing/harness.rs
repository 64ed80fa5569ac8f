//! An in-memory network of [`Router`]s for the tests: frames pass between the
//! machines over a table of links (one LQI per direction), 1 ms per hop, in
//! virtual time. A unicast over a missing link, or to a node that is down,
//! fails at the sender as the MAC would after its retries. A minimal data path
//! on each node originates data frames, holds them while a route is
//! discovered, and records what reaches its upper layer.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::consts::{BROADCAST_ALL, DEFAULT_RADIUS, MS};
use super::many_to_one::{ConcentratorConfig, with_source_route};
use super::{NwkPayload, Output, RouteDecision, Router, RouterConfig, RxDecision, Transmit};
use crate::nwk::command::NwkCommand;
use crate::nwk::header::{NwkFrameType, NwkHeader};

/// Time a frame takes over one hop.
const HOP: u64 = MS;

/// A caller-side random source (SplitMix64).
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn below(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((u128::from(z) * u128::from(n)) >> 64) as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Deliver { to: usize, from: usize },
    Failed { node: usize },
}

/// One node: its router and its data path's state.
pub(super) struct Node {
    pub(super) router: Router,
    pub(super) up: bool,
    /// Data frames held for route discovery: (destination, payload).
    waiting: Vec<(u16, Vec<u8>)>,
}

/// A frame on air, as logged.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub(super) at: u64,
    pub(super) from: u16,
    pub(super) tx: Transmit,
}

/// The network.
pub(super) struct Net {
    pub(super) now: u64,
    pub(super) nodes: Vec<Node>,
    index: BTreeMap<u16, usize>,
    links: BTreeMap<(usize, usize), u8>,
    queue: BinaryHeap<Reverse<(u64, u64, Event)>>,
    frames: BTreeMap<u64, Transmit>,
    order: u64,
    rng: Rng,
    /// (from, to) links on which to lose the next data frame.
    lose: BTreeSet<(u16, u16)>,
    /// Everything sent.
    pub(super) log: Vec<Sent>,
    /// Data frames delivered up: (node address, NWK source, payload).
    pub(super) delivered: Vec<(u16, u16, Vec<u8>)>,
    /// Destinations whose discovery failed, per node address.
    pub(super) failed: Vec<(u16, u16)>,
}

impl Net {
    /// Nodes with these addresses (the first may be a concentrator) and
    /// symmetric links (a, b, lqi) between address pairs.
    pub(super) fn new(
        addrs: &[u16],
        links: &[(u16, u16, u8)],
        concentrator: Option<u16>,
        seed: u64,
    ) -> Net {
        let mut rng = Rng(seed);
        let nodes = addrs
            .iter()
            .map(|&addr| Node {
                router: Router::new(
                    RouterConfig {
                        addr,
                        concentrator: (concentrator == Some(addr))
                            .then(ConcentratorConfig::default),
                    },
                    0,
                    &mut |n| rng.below(n),
                ),
                up: true,
                waiting: Vec::new(),
            })
            .collect();
        let index = addrs.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        let mut net = Net {
            now: 0,
            nodes,
            index,
            links: BTreeMap::new(),
            queue: BinaryHeap::new(),
            frames: BTreeMap::new(),
            order: 0,
            rng,
            lose: BTreeSet::new(),
            log: Vec::new(),
            delivered: Vec::new(),
            failed: Vec::new(),
        };
        for &(a, b, lqi) in links {
            net.link(a, b, lqi);
        }
        net
    }

    /// Add (or change) a symmetric link.
    pub(super) fn link(&mut self, a: u16, b: u16, lqi: u8) {
        let (i, j) = (self.index[&a], self.index[&b]);
        self.links.insert((i, j), lqi);
        self.links.insert((j, i), lqi);
    }

    /// Set what `to` hears of `from` only (an asymmetric link).
    pub(super) fn link_one_way(&mut self, from: u16, to: u16, lqi: u8) {
        let (i, j) = (self.index[&from], self.index[&to]);
        self.links.insert((i, j), lqi);
    }

    /// The router at `addr`.
    pub(super) fn router(&self, addr: u16) -> &Router {
        &self.nodes[self.index[&addr]].router
    }

    /// Take a node off the air.
    pub(super) fn power_off(&mut self, addr: u16) {
        let i = self.index[&addr];
        self.nodes[i].up = false;
    }

    /// Send MAX_LINK_FAILURES − 1 data frames from `src` to `dst` over a link that has
    /// just broken: each is lost at the MAC and the next hop does not yet count the link
    /// as broken (the frame after them does). Returns with 100 ms gone per frame.
    pub(super) fn lose_until_the_link_breaks(&mut self, src: u16, dst: u16) {
        for i in 1..super::consts::MAX_LINK_FAILURES {
            self.send_data(src, dst, vec![0xee, i]);
            let t = self.now + 100 * super::consts::MS;
            self.run_until(t);
        }
    }

    /// Lose the next data frame sent from `from` to `to` (broadcast or unicast).
    pub(super) fn lose_once(&mut self, from: u16, to: u16) {
        self.lose.insert((from, to));
    }

    fn lost(&mut self, from: u16, to: u16, tx: &Transmit) -> bool {
        matches!(tx.payload, NwkPayload::Data(_)) && self.lose.remove(&(from, to))
    }

    fn push(&mut self, at: u64, event: Event, tx: Transmit) {
        self.order += 1;
        self.frames.insert(self.order, tx);
        self.queue.push(Reverse((at, self.order, event)));
    }

    /// Put `tx` on air from node `i`.
    fn transmit(&mut self, i: usize, tx: Transmit) {
        let from = self.nodes[i].router.addr();
        self.log.push(Sent {
            at: self.now,
            from,
            tx: tx.clone(),
        });
        let at = self.now + HOP;
        if tx.mac_dst == BROADCAST_ALL {
            let hearers: Vec<usize> = self
                .links
                .keys()
                .filter(|(a, b)| *a == i && self.nodes[*b].up)
                .map(|(_, b)| *b)
                .collect();
            for j in hearers {
                let to = self.nodes[j].router.addr();
                if !self.lost(from, to, &tx) {
                    self.push(at, Event::Deliver { to: j, from: i }, tx.clone());
                }
            }
            return;
        }
        let target = self.index.get(&tx.mac_dst).copied();
        match target {
            Some(j) if self.nodes[j].up && self.links.contains_key(&(i, j)) => {
                if !self.lost(from, tx.mac_dst, &tx) {
                    self.push(at, Event::Deliver { to: j, from: i }, tx);
                }
            }
            _ => self.push(at, Event::Failed { node: i }, tx),
        }
    }

    fn outputs(&mut self, i: usize, outs: Vec<Output>) {
        for o in outs {
            match o {
                Output::Transmit(tx) => self.transmit(i, tx),
                Output::RouteDiscovered { dst } => {
                    let (ready, rest) = std::mem::take(&mut self.nodes[i].waiting)
                        .into_iter()
                        .partition(|(d, _)| *d == dst);
                    self.nodes[i].waiting = rest;
                    for (d, data) in ready {
                        self.send_data(self.nodes[i].router.addr(), d, data);
                    }
                }
                Output::RouteDiscoveryFailed { dst } => {
                    let addr = self.nodes[i].router.addr();
                    self.nodes[i].waiting.retain(|(d, _)| *d != dst);
                    self.failed.push((addr, dst));
                }
            }
        }
    }

    /// The data path: originate a data frame from `src` to `dst`.
    pub(super) fn send_data(&mut self, src: u16, dst: u16, data: Vec<u8>) {
        let i = self.index[&src];
        let now = self.now;
        let (decision, outs) = self.nodes[i].router.route_to(now, dst, true);
        self.outputs(i, outs);
        let router = &mut self.nodes[i].router;
        let seq = router.next_seq();
        let mut header = NwkHeader::pro(NwkFrameType::Data, dst, src, DEFAULT_RADIUS, seq);
        header.control.discover_route = 1;
        let payload = NwkPayload::Data(data.clone());
        match decision {
            RouteDecision::Local => self.delivered.push((src, src, data)),
            RouteDecision::NextHop(mac_dst) => self.transmit(
                i,
                Transmit {
                    mac_dst,
                    header,
                    payload,
                },
            ),
            RouteDecision::SourceRoute { next_hop, route } => self.transmit(
                i,
                Transmit {
                    mac_dst: next_hop,
                    header: with_source_route(header, route),
                    payload,
                },
            ),
            RouteDecision::Broadcast => {
                let outs = router.send_broadcast(now, header, payload);
                self.outputs(i, outs);
            }
            RouteDecision::DiscoverFirst => self.nodes[i].waiting.push((dst, data)),
            RouteDecision::Unreachable => self.failed.push((src, dst)),
        }
    }

    /// Originate a broadcast data frame with its own destination and radius.
    pub(super) fn broadcast(&mut self, src: u16, dst: u16, radius: u8, data: Vec<u8>) {
        let i = self.index[&src];
        let now = self.now;
        let router = &mut self.nodes[i].router;
        let seq = router.next_seq();
        let header = NwkHeader::pro(NwkFrameType::Data, dst, src, radius, seq);
        let outs = router.send_broadcast(now, header, NwkPayload::Data(data));
        self.outputs(i, outs);
    }

    /// Run until virtual time `end`.
    pub(super) fn run_until(&mut self, end: u64) {
        loop {
            let next_event = self.queue.peek().map(|Reverse((t, ..))| *t);
            let next_poll = self
                .nodes
                .iter()
                .filter(|n| n.up)
                .map(|n| n.router.poll_at())
                .min();
            let Some(next) = [next_event, next_poll].into_iter().flatten().min() else {
                break;
            };
            if next > end {
                break;
            }
            self.now = self.now.max(next);
            while let Some(Reverse((t, ..))) = self.queue.peek()
                && *t <= self.now
            {
                let Some(Reverse((_, order, event))) = self.queue.pop() else {
                    break;
                };
                let tx = self.frames.remove(&order).expect("queued frame");
                self.event(event, tx);
            }
            for i in 0..self.nodes.len() {
                if self.nodes[i].up && self.nodes[i].router.poll_at() <= self.now {
                    let now = self.now;
                    let rng = &mut self.rng;
                    let outs = self.nodes[i].router.poll(now, &mut |n| rng.below(n));
                    self.outputs(i, outs);
                }
            }
        }
        self.now = self.now.max(end);
    }

    fn event(&mut self, event: Event, tx: Transmit) {
        let now = self.now;
        match event {
            Event::Deliver { to, from } => {
                if !self.nodes[to].up {
                    return;
                }
                let lqi = self.links.get(&(from, to)).copied().unwrap_or(0);
                let mac_src = self.nodes[from].router.addr();
                let src = tx.header.src;
                let rng = &mut self.rng;
                let (decision, outs) = self.nodes[to].router.on_receive(
                    now,
                    mac_src,
                    lqi,
                    tx.header,
                    tx.payload.clone(),
                    &mut |n| rng.below(n),
                );
                match decision {
                    RxDecision::ForMe => {
                        if let NwkPayload::Data(d) = tx.payload {
                            let addr = self.nodes[to].router.addr();
                            self.delivered.push((addr, src, d));
                        }
                    }
                    RxDecision::Relay(tx) => self.transmit(to, tx),
                    RxDecision::Held | RxDecision::Consumed | RxDecision::Drop(_) => {}
                }
                self.outputs(to, outs);
            }
            Event::Failed { node } => {
                if !self.nodes[node].up {
                    return;
                }
                let outs = self.nodes[node].router.on_transmit_failed(now, &tx);
                self.outputs(node, outs);
            }
        }
    }

    /// Frames sent carrying NWK command `id`.
    pub(super) fn commands(&self, id: u8) -> Vec<&Sent> {
        self.log
            .iter()
            .filter(|s| matches!(&s.tx.payload, NwkPayload::Command(c) if c.id() == id))
            .collect()
    }

    /// Data frames sent (every hop).
    pub(super) fn data_hops(&self, payload: &[u8]) -> Vec<(u16, u16)> {
        self.log
            .iter()
            .filter(|s| matches!(&s.tx.payload, NwkPayload::Data(d) if d == payload))
            .map(|s| (s.from, s.tx.mac_dst))
            .collect()
    }

    /// Copies of `payload` delivered, per receiving address.
    pub(super) fn deliveries(&self, payload: &[u8]) -> BTreeMap<u16, usize> {
        let mut m = BTreeMap::new();
        for (at, _, d) in &self.delivered {
            if d == payload {
                *m.entry(*at).or_insert(0) += 1;
            }
        }
        m
    }

    /// The next hops from `src` towards `dst` by the routing tables, stopping at
    /// `dst`, a node with no route, or the first repeated node (a loop).
    pub(super) fn path(&self, src: u16, dst: u16) -> Vec<u16> {
        let mut path = vec![src];
        let mut at = src;
        while at != dst {
            let r = self.router(at);
            let hop = if r.neighbours().get(dst).is_some_and(|n| n.usable()) {
                Some(dst)
            } else {
                r.routes().next_hop(dst)
            };
            let Some(hop) = hop else {
                break;
            };
            let looped = path.contains(&hop);
            path.push(hop);
            if looped {
                break;
            }
            at = hop;
        }
        path
    }
}

/// The NWK command identifier of a route request.
pub(super) const ROUTE_REQUEST: u8 = 0x01;
/// The NWK command identifier of a route reply.
pub(super) const ROUTE_REPLY: u8 = 0x02;
/// The NWK command identifier of a network status.
pub(super) const NETWORK_STATUS: u8 = 0x03;
/// The NWK command identifier of a route record.
pub(super) const ROUTE_RECORD: u8 = 0x05;
/// The NWK command identifier of a link status.
pub(super) const LINK_STATUS: u8 = 0x08;

/// Is `c` a many-to-one route request?
pub(super) fn is_many_to_one(c: &NwkPayload) -> bool {
    matches!(c, NwkPayload::Command(NwkCommand::RouteRequest(r)) if r.options.many_to_one() != 0)
}

/// A router at `addr` whose router neighbours (address, LQI) have all sent a
/// link status listing it, so every link is usable both ways.
pub(super) fn router_with(addr: u16, neighbours: &[(u16, u8)], rng: &mut Rng) -> Router {
    use crate::nwk::command::{LinkStatus, LinkStatusEntry, LinkStatusOptions};
    let mut r = Router::new(
        RouterConfig {
            addr,
            concentrator: None,
        },
        0,
        &mut |n| rng.below(n),
    );
    for &(n, lqi) in neighbours {
        let ls = LinkStatus {
            options: LinkStatusOptions::FIRST_FRAME | LinkStatusOptions::LAST_FRAME,
            entries: vec![LinkStatusEntry {
                addr,
                incoming_cost: super::cost::cost_from_lqi(lqi),
                outgoing_cost: 1,
                reserved: 0,
            }],
        };
        let header = NwkHeader::pro(NwkFrameType::Command, 0xfffc, n, 1, 0);
        r.on_receive(
            0,
            n,
            lqi,
            header,
            NwkPayload::Command(NwkCommand::LinkStatus(ls)),
            &mut |k| rng.below(k),
        );
    }
    r
}

/// The frames among `outs`.
pub(super) fn transmits(outs: &[Output]) -> Vec<&Transmit> {
    outs.iter()
        .filter_map(|o| match o {
            Output::Transmit(t) => Some(t),
            _ => None,
        })
        .collect()
}
