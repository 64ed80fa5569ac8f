//! NWK constants and attribute defaults the routing machines use (Zigbee PRO R22
//! 3.5.1 Table 3-58 constants, 3.5.2 Table 3-60 NIB attributes), in nanoseconds.

/// One millisecond in nanoseconds.
pub const MS: u64 = 1_000_000;
/// One second in nanoseconds.
pub const SECOND: u64 = 1_000 * MS;

/// nwkLinkStatusPeriod: time between a router's link status commands (15 s).
pub const LINK_STATUS_PERIOD: u64 = 15 * SECOND;
/// Largest random offset added to each link status period (han's choice: the
/// specification asks for jitter without fixing it; 1 s keeps routers from locking step).
pub const LINK_STATUS_JITTER: u64 = SECOND;
/// nwkRouterAgeLimit: link status periods a router neighbour may stay silent.
pub const ROUTER_AGE_LIMIT: u8 = 3;

/// Consecutive unacknowledged unicasts (each after the MAC's own retries) that make a
/// neighbour's link count as broken (han's choice: Zigbee PRO R22 Table 3-63 keeps a
/// transmit failure count per neighbour and leaves the threshold to the stack). A single
/// lost frame on a grey link, the neighbour busy transmitting when our frame came, does not
/// send the routes through it into discovery; a neighbour that is gone fails every frame
/// and is routed around after this many.
pub const MAX_LINK_FAILURES: u8 = 3;

/// nwkcRouteDiscoveryTime: lifetime of a route discovery table entry (10 s).
pub const ROUTE_DISCOVERY_TIME: u64 = 10 * SECOND;
/// nwkcInitialRREQRetries: rebroadcasts of a route request by its originator.
pub const INITIAL_RREQ_RETRIES: u8 = 3;
/// nwkcRREQRetries: rebroadcasts of a route request by a relay.
pub const RREQ_RETRIES: u8 = 2;
/// nwkcRREQRetryInterval (254 ms).
pub const RREQ_RETRY_INTERVAL: u64 = 254 * MS;
/// nwkcMinRREQJitter in units of 2 ms: a relayed route request waits 2·R[min, max] ms.
pub const MIN_RREQ_JITTER: u64 = 1;
/// nwkcMaxRREQJitter in units of 2 ms.
pub const MAX_RREQ_JITTER: u64 = 64;

/// nwkcMaxBroadcastJitter: largest delay before relaying a broadcast (64 ms).
pub const MAX_BROADCAST_JITTER: u64 = 64 * MS;
/// nwkPassiveAckTimeout at 2.4 GHz (500 ms).
pub const PASSIVE_ACK_TIMEOUT: u64 = 500 * MS;
/// nwkMaxBroadcastRetries.
pub const MAX_BROADCAST_RETRIES: u8 = 2;
/// nwkBroadcastDeliveryTime at 2.4 GHz: lifetime of a broadcast transaction record (9 s).
pub const BROADCAST_DELIVERY_TIME: u64 = 9 * SECOND;

/// nwkMaxDepth; the default radius is twice it (Zigbee PRO R22 3.6.2.1).
pub const MAX_DEPTH: u8 = 15;
/// The default frame radius, 2·nwkMaxDepth.
pub const DEFAULT_RADIUS: u8 = 2 * MAX_DEPTH;

/// Link status entries that fit one NWK-secured link status frame: a 127-octet
/// PSDU less the MAC header and FCS (9 + 2), the NWK header with source EUI-64
/// (8 + 8), the auxiliary header and MIC (14 + 4), command id and options (2),
/// leaves 80 octets, 26 entries of 3.
pub const MAX_LINK_STATUS_ENTRIES: usize = 26;

/// Frames a router holds while it discovers routes for them (han's choice: the
/// specification leaves buffering to the implementation); beyond it a frame is
/// dropped as if discovery were suppressed.
pub const MAX_HELD: usize = 16;

/// Broadcast address: every device (Zigbee PRO R22 3.6.5, Table 3-69).
pub const BROADCAST_ALL: u16 = 0xffff;
/// Broadcast address: devices with the receiver on when idle.
pub const BROADCAST_RX_ON_WHEN_IDLE: u16 = 0xfffd;
/// Broadcast address: routers and the coordinator.
pub const BROADCAST_ROUTERS: u16 = 0xfffc;
/// Broadcast address: low-power routers only.
pub const BROADCAST_LOW_POWER_ROUTERS: u16 = 0xfffb;

/// True for the broadcast short addresses 0xfffb–0xffff (0xfff8–0xfffa are reserved and
/// also treated as broadcast, as the specification asks).
pub fn is_broadcast(addr: u16) -> bool {
    addr >= 0xfff8
}
