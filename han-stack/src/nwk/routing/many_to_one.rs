//! Many-to-one routing for a concentrator (Zigbee PRO R22 3.6.3.5.2, 3.6.3.5.4,
//! 3.6.3.3.2): the concentrator (the CHF) broadcasts a many-to-one route request
//! every nwkConcentratorDiscoveryTime; each router keeps the cheapest hop back
//! towards it, flagged many-to-one. When the concentrator keeps a route record
//! table, a router sends a route record (relays append themselves) before its
//! next data frame to the concentrator, and the concentrator sends to that
//! router with a source route built from the record.

use std::collections::BTreeMap;

use super::consts::{BROADCAST_ROUTERS, DEFAULT_RADIUS, SECOND};
use super::decision::RouteDecision;
use super::router::{Router, random_below};
use super::{NwkPayload, Output, Transmit};
use crate::mac::csma::MacRandom;
use crate::nwk::command::{
    NetworkStatus, NetworkStatusCode, NwkCommand, RouteRecord, RouteRequestOptions,
};
use crate::nwk::header::{NwkFlags, NwkHeader, SourceRoute};

/// Concentrator settings (NIB nwkIsConcentrator and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcentratorConfig {
    /// nwkConcentratorDiscoveryTime: time between many-to-one route requests (ns).
    pub discovery_period: u64,
    /// nwkConcentratorRadius: radius of the many-to-one route request.
    pub radius: u8,
    /// The concentrator keeps a route record table (high-RAM concentrator).
    pub route_records: bool,
}

impl Default for ConcentratorConfig {
    /// A high-RAM concentrator sending a many-to-one route request every 60 s at the default radius.
    fn default() -> Self {
        ConcentratorConfig {
            discovery_period: 60 * SECOND,
            radius: DEFAULT_RADIUS,
            route_records: true,
        }
    }
}

/// The route record table: the relay list to each device that sent a route
/// record, in route record order (relay nearest that device first).
#[derive(Debug, Clone, Default)]
pub struct RouteRecordTable {
    records: BTreeMap<u16, Vec<u16>>,
}

impl RouteRecordTable {
    /// The relays towards `dst`.
    pub fn get(&self, dst: u16) -> Option<&[u16]> {
        self.records.get(&dst).map(Vec::as_slice)
    }

    /// Record a route record's relays from `src`.
    pub fn insert(&mut self, src: u16, relays: Vec<u16>) {
        self.records.insert(src, relays);
    }

    /// Forget the record for `dst`.
    pub fn remove(&mut self, dst: u16) {
        self.records.remove(&dst);
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A concentrator's state.
#[derive(Debug, Clone)]
pub(super) struct Concentrator {
    config: ConcentratorConfig,
    next_request: u64,
    pub(super) records: RouteRecordTable,
}

impl Concentrator {
    pub(super) fn new(config: ConcentratorConfig, now: u64, rng: &mut impl MacRandom) -> Self {
        Concentrator {
            config,
            next_request: now + random_below(rng, SECOND),
            records: RouteRecordTable::default(),
        }
    }

    pub(super) fn next_request(&self) -> u64 {
        self.next_request
    }
}

/// The source route for a route record's relays: the same order (relay nearest
/// the destination first), the relay index at the last entry, the first hop
/// being that last relay (Zigbee PRO R22 3.6.3.3.2).
pub fn source_route_from_record(relays: &[u16]) -> Option<(u16, SourceRoute)> {
    let first_hop = *relays.last()?;
    Some((
        first_hop,
        SourceRoute {
            relay_index: (relays.len() - 1).min(255) as u8,
            relays: relays.to_vec(),
        },
    ))
}

impl Router {
    /// The route record table, on a concentrator keeping one.
    pub fn route_records(&self) -> Option<&RouteRecordTable> {
        self.concentrator
            .as_ref()
            .filter(|c| c.config.route_records)
            .map(|c| &c.records)
    }

    /// On a concentrator: send the many-to-one route request when due.
    pub(super) fn poll_concentrator(
        &mut self,
        now: u64,
        rng: &mut impl MacRandom,
        out: &mut Vec<Output>,
    ) {
        let Some(c) = &mut self.concentrator else {
            return;
        };
        if now < c.next_request {
            return;
        }
        let config = c.config;
        c.next_request = now + config.discovery_period + random_below(rng, SECOND);
        let options = if config.route_records {
            RouteRequestOptions::MANY_TO_ONE_SOURCE_ROUTE
        } else {
            RouteRequestOptions::MANY_TO_ONE_NO_SOURCE_ROUTE
        };
        self.originate_route_request(now, BROADCAST_ROUTERS, options, config.radius, out);
    }

    /// On a concentrator with records: the source route to `dst` if one was recorded.
    pub(super) fn source_route_to(&self, dst: u16) -> Option<RouteDecision> {
        let relays = self.route_records()?.get(dst)?;
        Some(match source_route_from_record(relays) {
            None => RouteDecision::NextHop(dst),
            Some((next_hop, route)) => RouteDecision::SourceRoute { next_hop, route },
        })
    }

    /// The route record that must precede a data frame to concentrator `dst`
    /// over `next_hop`, if the many-to-one route asks for one (the flag clears).
    pub(super) fn route_record_before(&mut self, dst: u16, next_hop: u16) -> Option<Transmit> {
        let e = self.routes.get_mut(dst)?;
        if !(e.many_to_one && e.route_record_required) {
            return None;
        }
        e.route_record_required = false;
        Some(self.command(
            dst,
            next_hop,
            DEFAULT_RADIUS,
            NwkCommand::RouteRecord(RouteRecord::default()),
        ))
    }

    /// A route record addressed to this concentrator.
    pub(super) fn on_route_record(&mut self, src: u16, rr: &RouteRecord) {
        if let Some(c) = &mut self.concentrator
            && c.config.route_records
        {
            c.records.insert(src, rr.relays.clone());
        }
    }

    /// A network status addressed to this device (Zigbee PRO R22 3.6.3.7): the
    /// route (and route record) it names is gone; a many-to-one route failure
    /// makes a concentrator repeat its many-to-one route request at once.
    pub(super) fn on_network_status(&mut self, now: u64, ns: &NetworkStatus) {
        match ns.status {
            NetworkStatusCode::ManyToOneRouteFailure => {
                if let Some(c) = &mut self.concentrator {
                    c.next_request = c.next_request.min(now);
                }
            }
            NetworkStatusCode::NoRouteAvailable
            | NetworkStatusCode::TreeLinkFailure
            | NetworkStatusCode::NonTreeLinkFailure
            | NetworkStatusCode::SourceRouteFailure
            | NetworkStatusCode::TargetDeviceUnavailable => {
                self.routes.invalidate(ns.dst);
                if let Some(c) = &mut self.concentrator {
                    c.records.remove(ns.dst);
                }
            }
            _ => {}
        }
    }
}

/// Add this relay to a route record passing through (Zigbee PRO R22 3.6.3.5.4).
pub(super) fn append_relay(payload: &mut NwkPayload, relay: u16) {
    if let NwkPayload::Command(NwkCommand::RouteRecord(rr)) = payload {
        rr.relays.push(relay);
    }
}

/// Put a source route subframe in a header (sets SOURCE_ROUTE).
pub fn with_source_route(mut header: NwkHeader, route: SourceRoute) -> NwkHeader {
    header.control.flags |= NwkFlags::SOURCE_ROUTE;
    header.source_route = Some(route);
    header
}
