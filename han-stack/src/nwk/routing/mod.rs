//! Zigbee PRO mesh routing for routers and the coordinator, as sans-IO state
//! machines (Zigbee PRO R22 3.6.3–3.6.5).
//!
//! One [`Router`] per routing device holds the neighbour table, the routing
//! table, the route discovery table, the broadcast transaction table and, on a
//! concentrator (the CHF), the route record table. It never reads a clock or
//! touches a radio: every input carries `now` in nanoseconds, randomness
//! (jitter) comes from the caller's [`MacRandom`](crate::mac::csma::MacRandom),
//! and every call returns [`Output`]s for the caller to carry out in order.
//!
//! # The seam with the NWK data path
//!
//! The data path (join, security, APS) owns frame counters and security; the
//! router works on plaintext NWK headers and payloads ([`Transmit`]) and leaves
//! the SECURITY flag and auxiliary header to the data path, which secures every
//! hop (NWK security is hop by hop).
//!
//! - **Sending** a frame this device originates: [`Router::route_to`] gives a
//!   [`RouteDecision`]: `NextHop(mac)`, `SourceRoute{..}` (put the subframe in the
//!   header with [`with_source_route`]), `Broadcast` (hand the frame to [`Router::send_broadcast`]),
//!   `DiscoverFirst` (hold the frame until [`Output::RouteDiscovered`] or
//!   [`Output::RouteDiscoveryFailed`]), `Unreachable` or `Local`. Any
//!   outputs it returns (a route record before the first frame to a
//!   concentrator) go on air *before* the frame. Header sequence numbers come
//!   from [`Router::next_seq`], shared with the router's own commands.
//! - **Receiving** a NWK frame (after decryption): [`Router::on_receive`] with
//!   the MAC source and LQI returns an [`RxDecision`]: `ForMe` (deliver up),
//!   `Relay(tx)` (send `tx` as it is), `Held` (the router keeps it until a
//!   route is found), `Consumed` (a routing command the router handled) or
//!   `Drop(reason)`.
//! - **MAC failure** of a unicast the router asked for or the data path sent:
//!   [`Router::on_transmit_failed`] (routes through that hop break; a relay
//!   reports a Network Status to the frame's source).
//! - **Timers**: call [`Router::poll`] at [`Router::poll_at`] (link status,
//!   route request retries and jitter, passive-ack retries, discovery expiry,
//!   many-to-one route requests).
//! - The join layer adds end-device children with [`Router::neighbours_mut`].

pub mod broadcast;
pub mod consts;
pub mod cost;
pub mod decision;
pub mod discovery;
pub mod many_to_one;
pub mod neighbour;
pub mod router;
pub mod table;

#[cfg(test)]
mod harness;

pub use broadcast::{BroadcastRecord, BroadcastTable};
pub use decision::{DropReason, RouteDecision, RxDecision};
pub use discovery::{DiscoveryEntry, DiscoveryTable};
pub use many_to_one::{
    ConcentratorConfig, RouteRecordTable, source_route_from_record, with_source_route,
};
pub use neighbour::{Neighbour, NeighbourKind, NeighbourTable};
pub use router::{Router, RouterConfig, RoutingCounters};
pub use table::{RouteEntry, RouteStatus, RoutingTable};

use crate::nwk::command::NwkCommand;
use crate::nwk::header::NwkHeader;

/// The payload of a NWK frame in plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NwkPayload {
    /// A NWK command.
    Command(NwkCommand),
    /// A data frame's payload (the APS frame), carried untouched.
    Data(Vec<u8>),
}

/// A NWK frame to send to one MAC destination (0xffff for a broadcast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// MAC destination short address: the next hop, or 0xffff.
    pub mac_dst: u16,
    /// NWK header, without security (the data path secures it).
    pub header: NwkHeader,
    /// Plaintext payload.
    pub payload: NwkPayload,
}

/// What the router asks its caller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send this frame now.
    Transmit(Transmit),
    /// A route to `dst` now exists: frames held for it can be sent.
    RouteDiscovered {
        /// The destination.
        dst: u16,
    },
    /// Route discovery for `dst` ended without a route: frames held for it are undeliverable.
    RouteDiscoveryFailed {
        /// The destination.
        dst: u16,
    },
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tshark_tests;
