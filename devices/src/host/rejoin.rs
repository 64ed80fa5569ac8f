//! NWK rejoin in the device host (Zigbee PRO R22 3.6.1.4.2): a device that held the
//! network key and lost its parent (or was told to leave and rejoin) rejoins with a Rejoin
//! Request, secured with the network key first and, when that fails, as a trust-centre
//! rejoin (unsecured; the trust centre then sends the current network key in a Transport
//! Key under the device's link key, through the new parent when that is a router). The
//! parent side answers with a Rejoin Response, keeps the device's address where it can,
//! and tells the trust centre with Update Device.

use super::{
    Child, DeviceHost, H_REJOIN, H_SECURE_REJOIN_RESPONSE, H_TC_REJOIN_RESPONSE, JOIN_POLL,
    JoinState, KEY_WAIT, RADIUS, Role, Seal, T_KEY_WAIT, T_POLL, T_REJOIN_STEP,
};
use han_mesh::radio::{NodeCtx, Radio, TxOptions};
use han_mesh::time::SimTime;
use han_stack::mac::scan::DEFAULT_SCAN_EXPONENT;
use han_stack::mac::{Address, AssociationStatus, CapabilityInfo, MacFrame};
use han_stack::nwk::address::stochastic_address;
use han_stack::nwk::command::{NwkCommand, RejoinResponse};
use han_stack::nwk::rejoin::{RejoinMode, RejoinOutcome, RejoinParams, RejoinStep, Rejoiner};
use han_stack::nwk::{NwkFrame, NwkFrameType, NwkHeader};
use han_stack::wire::{ExtAddr, Wire};

impl DeviceHost {
    /// Rejoin in `mode` on the current channel.
    pub(super) fn start_rejoin(&mut self, mode: RejoinMode, ctx: &mut NodeCtx<'_>) {
        let capabilities = CapabilityInfo::from_bits_retain(self.capability().bits());
        let Role::Joiner {
            state,
            extended_pan_id,
            ..
        } = &mut self.role
        else {
            return;
        };
        *state = JoinState::Rejoining;
        let params = RejoinParams {
            ext_addr: self.ext,
            short_addr: self.config.short_addr,
            channels: vec![self.config.channel],
            scan_exponent: DEFAULT_SCAN_EXPONENT,
            symbol_ns: self.symbol_ns,
            capabilities,
            extended_pan_id: *extended_pan_id,
            mode,
        };
        let mut r = Rejoiner::new(params, self.mac_seq.wrapping_add(1), self.nwk_seq);
        ctx.wake();
        let steps = r.start();
        self.rejoin = Some(r);
        self.apply_rejoin(steps, ctx);
    }

    /// Carry out the rejoiner's steps.
    pub(super) fn apply_rejoin(&mut self, steps: Vec<RejoinStep>, ctx: &mut NodeCtx<'_>) {
        for s in steps {
            match s {
                RejoinStep::SetChannel(c) => {
                    self.config.channel = c;
                    ctx.configure(self.config);
                }
                RejoinStep::SetPan(p) => {
                    self.config.pan_id = p;
                    ctx.configure(self.config);
                }
                RejoinStep::TransmitMac(f) => {
                    ctx.transmit(H_REJOIN, f.emit_with_fcs(), TxOptions::default())
                }
                RejoinStep::SendRequest {
                    header,
                    command,
                    parent,
                    mac_seq,
                } => {
                    self.nwk_seq = header.seq;
                    let secure = self
                        .rejoin
                        .as_ref()
                        .is_some_and(|r| r.mode() == RejoinMode::Secure);
                    let payload = command.to_bytes();
                    let seal = if secure { Seal::Active } else { Seal::Clear };
                    let Some(frame) = self.nwk_frame(header, payload, seal) else {
                        continue;
                    };
                    let f = MacFrame::data(
                        mac_seq,
                        self.config.pan_id,
                        Address::Short(parent),
                        Address::Short(self.config.short_addr),
                        frame.to_bytes(),
                    );
                    ctx.transmit(H_REJOIN, f.emit_with_fcs(), TxOptions::default());
                }
                RejoinStep::SetTimer(at) => ctx.set_timer(T_REJOIN_STEP, SimTime(at)),
                RejoinStep::Finished(o) => self.rejoin_finished(o, ctx),
            }
        }
    }

    fn rejoin_finished(&mut self, outcome: RejoinOutcome, ctx: &mut NodeCtx<'_>) {
        let Some(r) = self.rejoin.take() else {
            return;
        };
        let mode = r.mode();
        self.mac_seq = r.seq().wrapping_sub(1);
        *self
            .stats
            .join_outcomes
            .entry(outcome.name(mode))
            .or_default() += 1;
        let RejoinOutcome::Rejoined { parent, short_addr } = outcome else {
            match mode {
                RejoinMode::Secure => self.start_rejoin(RejoinMode::TrustCentre, ctx),
                RejoinMode::TrustCentre => self.retry_later(ctx),
            }
            return;
        };
        self.config.short_addr = short_addr;
        self.config.pan_id = parent.pan;
        ctx.configure(self.config);
        // An end device sends everything to its new parent.
        self.routing = Default::default();
        if let Address::Short(p) = parent.coordinator {
            if self.routing.parent.is_some_and(|q| q != p) {
                self.stats.route_changes += 1;
            }
            self.routing.parent = Some(p);
            self.routing.neighbours.insert(p);
        }
        let Role::Joiner {
            state,
            depth,
            sleepy,
            ..
        } = &mut self.role
        else {
            return;
        };
        *depth = parent.zigbee.map_or(0, |z| z.device_depth) + 1;
        match mode {
            RejoinMode::Secure => self.rejoined(ctx),
            RejoinMode::TrustCentre => {
                // The trust centre sends the key next.
                *state = JoinState::AwaitingKey;
                ctx.set_timer(T_KEY_WAIT, ctx.now + KEY_WAIT);
                if *sleepy {
                    ctx.set_timer(T_POLL, ctx.now + JOIN_POLL);
                }
            }
        }
    }

    /// Back on the network with the key it holds: announce, and carry on.
    pub(super) fn rejoined(&mut self, ctx: &mut NodeCtx<'_>) {
        if let Role::Joiner {
            state, failures, ..
        } = &mut self.role
        {
            *state = JoinState::Joined;
            *failures = 0;
        }
        self.parent_failures = 0;
        self.stats.rejoined_at_s = Some(ctx.now.0 as f64 / 1e9);
        self.announce(ctx);
        self.request_timeout(ctx);
        if !self.started {
            self.started = true;
            self.with_behaviour(ctx, |b, api| b.joined(api));
        }
    }

    /// A parent (router or coordinator) got a Rejoin Request from `dev` (old address
    /// `old`), secured or not.
    pub(super) fn on_rejoin_request(
        &mut self,
        dev: ExtAddr,
        old: u16,
        caps: CapabilityInfo,
        secured: bool,
        ctx: &mut NodeCtx<'_>,
    ) {
        let own = self.config.short_addr;
        let lqi = self.last_lqi;
        let now = ctx.now.0;
        // Only the trust centre can tell; a router asks it with Update Device.
        let refused = match &self.role {
            Role::Coordinator { tc } => tc.admit(dev).is_err(),
            Role::Joiner { .. } => false,
        };
        let rng = &mut *ctx.rng;
        let Some(parent) = self.parent.as_mut() else {
            return;
        };
        let children = &mut parent.children;
        let status = if refused {
            self.stats.refused += 1;
            AssociationStatus::PanAccessDenied
        } else {
            AssociationStatus::Success
        };
        // The device keeps its address unless another child has it (stochastic
        // addressing, 3.6.1.4.2 parent side).
        let short = match children.iter().find(|(_, c)| c.ext == dev) {
            _ if refused => Some(0xffff),
            Some((&a, _)) => Some(a),
            None if old < 0xfff8 && old != own && !children.contains_key(&old) => Some(old),
            None => stochastic_address(|n| rng.below(n), |a| children.contains_key(&a) || a == own),
        };
        let Some(short) = short else {
            return;
        };
        let sleepy = !caps.contains(CapabilityInfo::RX_ON_WHEN_IDLE);
        if !refused {
            children.insert(short, Child::new(dev, caps, lqi, now));
        }
        self.nwk_seq = self.nwk_seq.wrapping_add(1);
        let header = NwkHeader::pro(NwkFrameType::Command, old, own, RADIUS, self.nwk_seq)
            .with_dst64(dev)
            .with_src64(self.ext);
        let payload = NwkCommand::RejoinResponse(RejoinResponse {
            short_addr: short,
            status,
        })
        .to_bytes();
        let seal = if secured { Seal::Active } else { Seal::Clear };
        let Some(frame) = self.nwk_frame(header, payload, seal) else {
            return;
        };
        let handle = match (refused, secured) {
            (true, _) => super::H_MAC,
            (false, true) => H_SECURE_REJOIN_RESPONSE | u32::from(short),
            (false, false) => H_TC_REJOIN_RESPONSE | u32::from(short),
        };
        let seq = self.next_mac_seq();
        // To the old address, which the device still answers to (3.6.1.4.2).
        let dst = Address::Short(old);
        let f = MacFrame::data(
            seq,
            self.config.pan_id,
            dst,
            Address::Short(own),
            frame.to_bytes(),
        );
        let psdu = f.emit_with_fcs();
        match self.parent.as_mut() {
            // Held until the device polls.
            Some(p) if sleepy => {
                p.indirect.push(ctx.now.0, dst, handle, psdu);
                ctx.set_pending(dst, true);
                if let Some(t) = p.indirect.next_expiry() {
                    ctx.set_timer(super::T_EXPIRY, SimTime(t));
                }
            }
            _ => ctx.transmit(handle, psdu, TxOptions::default()),
        }
    }

    /// A Rejoin Response for this device.
    pub(super) fn on_rejoin_response(
        &mut self,
        from: u16,
        r: RejoinResponse,
        ctx: &mut NodeCtx<'_>,
    ) {
        let Some(rejoiner) = self.rejoin.as_mut() else {
            return;
        };
        let steps = rejoiner.on_response(from, r);
        self.apply_rejoin(steps, ctx);
    }
}

impl DeviceHost {
    /// The unsecured NWK frames a trust-centre rejoin needs (Zigbee PRO R22 4.6.3.3): a
    /// Rejoin Request at a joined parent, a Rejoin Response at a device rejoining so.
    pub(super) fn unsecured_rejoin_allowed(&self, nwk: &NwkFrame) -> bool {
        if nwk.header.control.frame_type != NwkFrameType::Command {
            return false;
        }
        match nwk.payload.first() {
            Some(0x06) => {
                self.parent.is_some()
                    && self.is_joined()
                    && nwk.header.dst == self.config.short_addr
            }
            Some(0x07) => self
                .rejoin
                .as_ref()
                .is_some_and(|r| r.mode() == RejoinMode::TrustCentre),
            _ => false,
        }
    }
}

impl DeviceHost {
    /// An end device heard its parent under a network key it does not hold: it slept
    /// through a key update and switch (its Transport Key waited at a router in vain), so
    /// it asks for the current key with a trust-centre rejoin (Zigbee PRO R22 4.6.3.3).
    pub(super) fn missed_key_update(
        &mut self,
        mac: &han_stack::mac::MacFrame,
        ctx: &mut NodeCtx<'_>,
    ) {
        let from_parent = matches!(mac.src, Address::Short(s) if Some(s) == self.routing.parent);
        if self.is_router() || !self.is_joined() || !from_parent {
            return;
        }
        *self.stats.join_outcomes.entry("KEY_MISSED").or_default() += 1;
        self.start_rejoin(RejoinMode::TrustCentre, ctx);
    }
}
