//! Mesh routing in the device host: routers (the CHF as concentrator, ESMEs, mains IHDs,
//! HCALCS) run han-stack's [`Router`] (AODV route discovery, many-to-one routes and route
//! records, source routing, link status, broadcast relay with passive acknowledgement,
//! Zigbee PRO R22 3.6.3–3.6.5); end devices keep sending everything to their parent.
//!
//! The router works on plaintext; this module secures every hop with the network key
//! (NWK security is hop by hop) and keeps the frames it sent until the MAC reports, so
//! that a failed unicast breaks the routes through that hop.

use super::{DeviceHost, H_ROUTED, Seal, T_ROUTER};
use han_mesh::radio::NodeCtx;
use han_mesh::time::SimTime;
use han_radio::link::{ber, per};
use han_radio::units::{Band, Db};
use han_stack::aps::security as aps_security;
use han_stack::aps::{ApsFrame, FrameType as ApsType};
use han_stack::mac::engine::TxStatus;
use han_stack::nwk::command::NwkCommand;
use han_stack::nwk::routing::{
    ConcentratorConfig, NeighbourKind, NwkPayload, Output, RouteDecision, Router, RouterConfig,
    RxDecision, Transmit, with_source_route,
};
use han_stack::nwk::{NwkFlags, NwkFrameType, NwkHeader};
use han_stack::wire::{ExtAddr, Wire};

/// Octets of a typical routed frame, for the delivery probability behind a link's cost.
const TYPICAL_PSDU: u32 = 60;

/// The LQI the router's link cost is computed from. Zigbee PRO R22 3.6.3.1 costs a
/// link by its delivery probability p; the router estimates p as LQI/255, while the
/// radio's LQI is a linear map of SINR (0 at −5 dB, 255 at 20 dB) under which links
/// deliver almost every frame from about 3 dB up. So the host hands the router p·255,
/// p = 1 − PER of a typical frame at the SINR the LQI stands for.
pub(super) fn delivery_lqi(lqi: u8) -> u8 {
    let sinr = Db(f64::from(lqi) / 255.0 * 25.0 - 5.0);
    let p = 1.0 - per(ber(Band::Ghz2_4, sinr), TYPICAL_PSDU);
    (p * 255.0).round().clamp(0.0, 255.0) as u8
}

/// A router's link status after joining or meeting a new router neighbour goes out
/// within this many ns (an assumption; it spreads the answers).
const LINK_STATUS_SOON: u64 = 500_000_000;
/// Frames a router holds (per host) while it discovers a route for them.
const MAX_HELD: usize = 16;

/// Routed APS data the MAC could not send for a busy channel is handed to it again this
/// many times (an assumption: stacks retry channel access failures above the MAC; Zigbee
/// PRO R22 3.6.3.3 counts a failed delivery, which a frame that never left is not). Frames
/// without an APS ack request (ZCL responses) have no other retry.
pub const BUSY_RETRIES: u8 = 2;

/// A routed unicast handed to the MAC, kept until the MAC reports.
#[derive(Debug, Clone)]
pub(super) struct Routed {
    tx: Transmit,
    seal: Seal,
    /// Channel access failures it met so far.
    busy: u8,
}

/// A frame this device originated, waiting for route discovery.
#[derive(Debug, Clone)]
pub(super) struct HeldFrame {
    dst: u16,
    payload: NwkPayload,
    seal: Seal,
}

impl DeviceHost {
    /// Start routing as `addr` (the coordinator at power-on, a router once it holds the
    /// network key); the coordinator is the concentrator.
    pub(super) fn start_router(&mut self, addr: u16, ctx: &mut NodeCtx<'_>) {
        let concentrator = (addr == 0x0000).then(ConcentratorConfig::default);
        self.routing_past = self.stats.routing;
        let mut router = Router::new(RouterConfig { addr, concentrator }, ctx.now.0, ctx.rng);
        // Children survive a power cut (non-volatile); the parent link is known from joining.
        if let Some(p) = &self.parent {
            for (&a, c) in &p.children {
                let kind = if c.router {
                    NeighbourKind::Router
                } else {
                    NeighbourKind::EndDevice
                };
                router
                    .neighbours_mut()
                    .add(ctx.now.0, a, kind, delivery_lqi(c.lqi));
            }
        }
        if addr != 0x0000 {
            let soon = ctx.now.0 + ctx.rng.range_u64(0, LINK_STATUS_SOON);
            router.link_status_soon(soon);
        }
        self.router = Some(router);
        self.router_timer = None;
        self.arm_router(ctx);
    }

    /// Make sure a timer is set for the router's next job.
    pub(super) fn arm_router(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(r) = &self.router else {
            return;
        };
        self.stats.routing = self.routing_past.plus(r.counters());
        let at = r.poll_at().max(ctx.now.0);
        if self.router_timer.is_none_or(|t| at < t) {
            self.router_timer = Some(at);
            ctx.set_timer(T_ROUTER, SimTime(at));
        }
    }

    /// The router timer fired.
    pub(super) fn router_timer_fired(&mut self, ctx: &mut NodeCtx<'_>) {
        // Spent once its time has come: a real-time driver (an external program on `han run`)
        // delivers timers late, and a timer kept as pending would never be re-armed.
        if self.router_timer.is_some_and(|t| t <= ctx.now.0) {
            self.router_timer = None;
        }
        let Some(r) = self.router.as_mut() else {
            return;
        };
        if r.poll_at() <= ctx.now.0 {
            let out = r.poll(ctx.now.0, ctx.rng);
            self.router_outputs(out, ctx);
        }
        self.arm_router(ctx);
    }

    /// A new child: routers learn it as a neighbour (end devices answer route requests
    /// through their parent).
    pub(super) fn router_add_child(&mut self, addr: u16, router: bool, lqi: u8, now: u64) {
        if let Some(r) = self.router.as_mut() {
            let kind = if router {
                NeighbourKind::Router
            } else {
                NeighbourKind::EndDevice
            };
            r.neighbours_mut().add(now, addr, kind, delivery_lqi(lqi));
        }
    }

    /// Send a NWK frame (an APS frame or a NWK command) this router originates to `dst`
    /// along its routes; false when this device does not route (an end device sends to
    /// its parent instead).
    pub(super) fn router_send(
        &mut self,
        dst: u16,
        payload: &NwkPayload,
        seal: Seal,
        ctx: &mut NodeCtx<'_>,
    ) -> bool {
        let Some(r) = self.router.as_mut() else {
            return false;
        };
        let now = ctx.now.0;
        // Own children are one hop away whatever the neighbour table says yet (a joiner
        // has not sent a link status; the Transport Key goes to it in the clear).
        let child = self
            .parent
            .as_ref()
            .is_some_and(|p| p.children.contains_key(&dst));
        // The parent link is known good from association until link status says otherwise.
        let parent = self.routing.parent == Some(dst)
            && r.neighbours().get(dst).is_none_or(|n| n.outgoing_cost == 0);
        let (decision, before) = if child || parent {
            (RouteDecision::NextHop(dst), Vec::new())
        } else {
            r.route_to(now, dst, true)
        };
        let seq = r.next_seq();
        let frame_type = match payload {
            NwkPayload::Command(_) => NwkFrameType::Command,
            NwkPayload::Data(_) => NwkFrameType::Data,
        };
        let header = NwkHeader::pro(frame_type, dst, self.config.short_addr, super::RADIUS, seq)
            .with_src64(self.ext);
        self.router_outputs(before, ctx);
        let tx = |mac_dst, header| Transmit {
            mac_dst,
            header,
            payload: payload.clone(),
        };
        match decision {
            RouteDecision::NextHop(hop) => self.send_hop(tx(hop, header), seal, ctx),
            RouteDecision::SourceRoute { next_hop, route } => {
                self.send_hop(tx(next_hop, with_source_route(header, route)), seal, ctx)
            }
            RouteDecision::Broadcast => {
                if let Some(r) = self.router.as_mut() {
                    let out = r.send_broadcast(now, header, payload.clone());
                    self.router_outputs(out, ctx);
                }
            }
            RouteDecision::DiscoverFirst if self.held.len() < MAX_HELD => {
                self.held.push(HeldFrame {
                    dst,
                    payload: payload.clone(),
                    seal,
                })
            }
            RouteDecision::DiscoverFirst | RouteDecision::Unreachable => self.stats.no_route += 1,
            RouteDecision::Local => {}
        }
        self.arm_router(ctx);
        true
    }

    /// A received, decrypted NWK frame at a router; true when it is for this device's
    /// upper layers.
    pub(super) fn router_receive(
        &mut self,
        mac_src: u16,
        lqi: u8,
        header: NwkHeader,
        plain: &[u8],
        ctx: &mut NodeCtx<'_>,
    ) -> bool {
        let Some(r) = self.router.as_mut() else {
            return false;
        };
        let payload = match header.control.frame_type {
            NwkFrameType::Command => match NwkCommand::from_bytes(plain) {
                Ok(c) => NwkPayload::Command(c),
                Err(_) => return false,
            },
            _ => NwkPayload::Data(plain.to_vec()),
        };
        let link_known = |r: &Router| {
            r.neighbours()
                .get(mac_src)
                .is_some_and(|n| n.outgoing_cost != 0)
        };
        let is_link_status = matches!(payload, NwkPayload::Command(NwkCommand::LinkStatus(_)));
        let known_before = link_known(r);
        let lqi = delivery_lqi(lqi);
        let (decision, out) = r.on_receive(ctx.now.0, mac_src, lqi, header, payload, ctx.rng);
        if is_link_status && !known_before && link_known(r) {
            // A new router neighbour: answer with our own view of the link soon, so that
            // both ends can route over it.
            let soon = ctx.now.0 + ctx.rng.range_u64(0, LINK_STATUS_SOON);
            r.link_status_soon(soon);
        }
        self.router_outputs(out, ctx);
        let for_me = match decision {
            RxDecision::ForMe => true,
            RxDecision::Relay(tx) => {
                self.send_hop(tx, Seal::Active, ctx);
                false
            }
            RxDecision::Drop(_) | RxDecision::Held | RxDecision::Consumed => false,
        };
        self.arm_router(ctx);
        for_me
    }

    /// Carry out what the router asked for.
    pub(super) fn router_outputs(&mut self, out: Vec<Output>, ctx: &mut NodeCtx<'_>) {
        for o in out {
            match o {
                Output::Transmit(tx) => self.send_hop(tx, Seal::Active, ctx),
                Output::RouteDiscovered { dst } => {
                    let (ready, rest) = std::mem::take(&mut self.held)
                        .into_iter()
                        .partition::<Vec<_>, _>(|h| h.dst == dst);
                    self.held = rest;
                    for h in ready {
                        self.router_send(h.dst, &h.payload, h.seal, ctx);
                    }
                }
                Output::RouteDiscoveryFailed { dst } => {
                    let before = self.held.len();
                    self.held.retain(|h| h.dst != dst);
                    self.stats.no_route += (before - self.held.len()) as u64;
                }
            }
        }
    }

    /// Secure one hop of a frame and hand it to the MAC; unicasts are kept until the MAC
    /// reports, for [`Router::on_transmit_failed`].
    fn send_hop(&mut self, tx: Transmit, seal: Seal, ctx: &mut NodeCtx<'_>) {
        self.send_hop_try(tx, seal, 0, ctx);
    }

    /// [`Self::send_hop`] of a frame that met a busy channel `busy` times.
    fn send_hop_try(&mut self, mut tx: Transmit, seal: Seal, busy: u8, ctx: &mut NodeCtx<'_>) {
        tx.header.control.flags.remove(NwkFlags::SECURITY);
        let bytes = match &tx.payload {
            NwkPayload::Command(c) => c.to_bytes(),
            NwkPayload::Data(d) => d.clone(),
        };
        let Some(frame) = self.nwk_frame(tx.header.clone(), bytes, seal) else {
            return;
        };
        let handle = if tx.mac_dst == 0xffff {
            super::H_DATA
        } else {
            self.sent_id = self.sent_id.wrapping_add(1) & 0xffff;
            let h = H_ROUTED | self.sent_id;
            let routed = Routed {
                tx: tx.clone(),
                seal,
                busy,
            };
            self.in_flight.insert(h, routed);
            h
        };
        self.mac_send_with(tx.mac_dst, &frame, handle, ctx);
    }

    /// The MAC reported on a unicast the router sent. APS data it could not send for a busy
    /// channel (CHANNEL_ACCESS_FAILURE: every CCA of its CSMA-CA found energy) never went
    /// on the air: it is handed to the MAC again, up to [`BUSY_RETRIES`] times, sealed
    /// afresh since frames to the same neighbour sent meanwhile carry later frame counters
    /// ([`Self::resendable`]). Only a frame the neighbour never acknowledged
    /// counts against the link (which, broken, drops the routes through it and the route
    /// replies it relays).
    pub(super) fn routed_done(&mut self, handle: u32, result: TxStatus, ctx: &mut NodeCtx<'_>) {
        let Some(Routed { tx, seal, busy }) = self.in_flight.remove(&handle) else {
            return;
        };
        if matches!(result, TxStatus::Success { .. }) {
            if let Some(r) = self.router.as_mut() {
                r.on_transmit_delivered(tx.mac_dst);
            }
            return;
        }
        if result == TxStatus::ChannelAccessFailure && busy < BUSY_RETRIES {
            if let Some(tx) = self.resendable(tx) {
                self.stats.busy_resends += 1;
                self.send_hop_try(tx, seal, busy + 1, ctx);
            }
            return;
        }
        // Only a frame the neighbour never acknowledged says anything about the link: a
        // busy channel (CHANNEL_ACCESS_FAILURE) or a spent duty-cycle budget kept the
        // frame off the air (IEEE 802.15.4-2015 6.2.5.1), and breaking the routes through
        // a good neighbour for it sends the next frames into route discovery.
        if result != TxStatus::NoAck {
            return;
        }
        if let Some(r) = self.router.as_mut() {
            let out = r.on_transmit_failed(ctx.now.0, &tx);
            self.router_outputs(out, ctx);
            self.arm_router(ctx);
        }
    }

    /// `tx` to hand to the MAC again after a busy channel: APS data and acks only (a ZCL
    /// response, sent without an APS ack request, has no other retry; NWK commands and APS
    /// commands have their own: the next link status, route discovery's retries, a Request
    /// Key asked again). APS data or an ack this device APS-secured is sealed again with its
    /// next APS frame counter: frames to the same partner sent while it waited carry later
    /// ones, and the partner drops a counter not above the last it took (Zigbee PRO R22
    /// 4.4.1.2). One APS-secured by another device (relayed), or that it cannot open
    /// again, is not sent again (None): its receiver would drop it as a replay in the same
    /// way; the sender's APS retry, sealed afresh, recovers it.
    fn resendable(&mut self, mut tx: Transmit) -> Option<Transmit> {
        let NwkPayload::Data(bytes) = &tx.payload else {
            return None;
        };
        let Ok(aps) = ApsFrame::from_bytes(bytes) else {
            return None;
        };
        if aps.header.frame_type == ApsType::Command {
            return None;
        }
        if !aps.header.is_secured() {
            return Some(tx);
        }
        if aps.aux.as_ref().and_then(|a| a.source) != Some(self.ext) {
            return None;
        }
        let key = self
            .peer_ext(tx.header.dst)
            .and_then(|e| self.link_key_with(e))?;
        let plain = aps_security::open(&aps, &key, ExtAddr(0))?;
        tx.payload = NwkPayload::Data(self.aps_bytes(aps.header, plain, Some(&key)));
        Some(tx)
    }
}

#[cfg(test)]
mod tests {
    use super::delivery_lqi;
    use han_stack::nwk::routing::cost::cost_from_lqi;

    #[test]
    fn links_that_deliver_are_cheap_and_noise_is_not() {
        // SINR 10 dB (LQI 153): every frame arrives, so a cost-1 link.
        assert_eq!(cost_from_lqi(delivery_lqi(153)), 1);
        // SINR −5 dB (LQI 0) and −2.5 dB (LQI 26): next to nothing gets through.
        assert_eq!(cost_from_lqi(delivery_lqi(0)), 7);
        assert_eq!(cost_from_lqi(delivery_lqi(26)), 7);
        // 0 dB (LQI 51): about 7 % of frames lost, still a cheap link.
        assert_eq!(cost_from_lqi(delivery_lqi(51)), 1);
        // Monotone in between.
        let costs: Vec<u8> = (0..=255).map(|l| cost_from_lqi(delivery_lqi(l))).collect();
        assert!(costs.windows(2).all(|w| w[1] <= w[0]));
    }
}
