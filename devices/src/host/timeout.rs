//! End device timeout (Zigbee PRO R22 3.4.11, 3.4.12, 3.6.10): an end device tells its
//! parent, after joining or rejoining, how long to keep it without hearing from it (End
//! Device Timeout Request; the parent answers with the keepalive methods it supports);
//! the parent ages out children it has not heard from for that long (the default,
//! nwkEndDeviceTimeoutDefault, for those that never asked). Sleepy children keep alive
//! with their MAC data polls, rx-on children with a new request every quarter timeout.
//! A device aged out that polls again is told to leave and rejoin.

use super::{Child, DeviceHost, H_INDIRECT, Seal, T_AGE, T_KEEPALIVE};
use han_mesh::radio::{NodeCtx, Radio};
use han_mesh::time::{Duration, SimTime};
use han_stack::mac::{Address, CapabilityInfo, MacFrame};
use han_stack::nwk::command::{
    EndDeviceTimeout, EndDeviceTimeoutRequest, EndDeviceTimeoutResponse, EndDeviceTimeoutStatus,
    LeaveOptions, NwkCommand, ParentInfo,
};
use han_stack::nwk::routing::NwkPayload;
use han_stack::nwk::{NwkFrameType, NwkHeader};
use han_stack::wire::{ExtAddr, Wire};

/// The timeout a parent gives a child that never asked: nwkEndDeviceTimeoutDefault, value
/// 8 = 256 minutes (Zigbee PRO R22 Table 3-58).
const DEFAULT_TIMEOUT: EndDeviceTimeout = EndDeviceTimeout::Minutes(8);
/// The timeout our end devices ask for: 64 minutes, over two of the gas meter's
/// 30-minute wakes.
pub const REQUESTED_TIMEOUT: EndDeviceTimeout = EndDeviceTimeout::Minutes(6);

/// A timeout in ns (unknown values count as the default).
fn timeout_ns(t: EndDeviceTimeout) -> u64 {
    let s = t.seconds().or(DEFAULT_TIMEOUT.seconds()).unwrap_or(0);
    u64::from(s) * 1_000_000_000
}

impl Child {
    /// A child that just joined (or rejoined) at `now`.
    pub(super) fn new(ext: ExtAddr, caps: CapabilityInfo, lqi: u8, now: u64) -> Self {
        Child {
            ext,
            sleepy: !caps.contains(CapabilityInfo::RX_ON_WHEN_IDLE),
            router: caps.contains(CapabilityInfo::FFD),
            lqi,
            heard_ns: now,
            timeout_ns: timeout_ns(DEFAULT_TIMEOUT),
        }
    }
}

impl DeviceHost {
    /// An end device on its (new) parent: ask for its timeout, and keep alive.
    pub(super) fn request_timeout(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(parent) = self.routing.parent else {
            return;
        };
        if self.is_router() {
            return;
        }
        let cmd = NwkCommand::EndDeviceTimeoutRequest(EndDeviceTimeoutRequest {
            timeout: REQUESTED_TIMEOUT,
            configuration: 0,
        });
        self.nwk_send_payload(parent, NwkPayload::Command(cmd), Seal::Active, ctx);
        if !self.is_sleepy() {
            let quarter = Duration(timeout_ns(REQUESTED_TIMEOUT) / 4);
            ctx.set_timer(T_KEEPALIVE, ctx.now + quarter);
        }
    }

    /// The keepalive timer of an rx-on end device.
    pub(super) fn keepalive(&mut self, ctx: &mut NodeCtx<'_>) {
        if self.is_joined() {
            self.request_timeout(ctx);
        }
    }

    /// A parent got an End Device Timeout Request from `header.src`.
    pub(super) fn on_timeout_request(
        &mut self,
        header: &NwkHeader,
        req: EndDeviceTimeoutRequest,
        ctx: &mut NodeCtx<'_>,
    ) {
        let Some(child) = self
            .parent
            .as_mut()
            .and_then(|p| p.children.get_mut(&header.src))
            .filter(|c| Some(c.ext) == header.src64)
        else {
            return;
        };
        let status = if req.timeout.seconds().is_some() {
            child.timeout_ns = timeout_ns(req.timeout);
            EndDeviceTimeoutStatus::Success
        } else {
            EndDeviceTimeoutStatus::IncorrectValue
        };
        let rsp = NwkCommand::EndDeviceTimeoutResponse(EndDeviceTimeoutResponse {
            status,
            parent_info: ParentInfo::MAC_DATA_POLL_KEEPALIVE
                | ParentInfo::TIMEOUT_REQUEST_KEEPALIVE,
        });
        self.nwk_send_payload(header.src, NwkPayload::Command(rsp), Seal::Active, ctx);
        self.arm_ageing(ctx);
    }

    /// An end device got its parent's End Device Timeout Response.
    pub(super) fn on_timeout_response(
        &mut self,
        header: &NwkHeader,
        rsp: EndDeviceTimeoutResponse,
    ) {
        if Some(header.src) == self.routing.parent && rsp.status == EndDeviceTimeoutStatus::Success
        {
            self.stats.end_device_timeout_s = REQUESTED_TIMEOUT.seconds();
        }
    }

    /// A MAC frame from `src`: a child of ours is alive.
    pub(super) fn heard_child(&mut self, src: Address, now: u64) {
        if let (Some(p), Address::Short(a)) = (self.parent.as_mut(), src)
            && let Some(c) = p.children.get_mut(&a)
        {
            c.heard_ns = now;
        }
    }

    /// Make sure the ageing timer fires by the first end-device child's expiry (it may
    /// fire early: children heard meanwhile only expire later).
    pub(super) fn arm_ageing(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(p) = &self.parent else {
            return;
        };
        let first = p
            .children
            .values()
            .filter(|c| !c.router)
            .map(|c| c.heard_ns.saturating_add(c.timeout_ns))
            .min();
        if let Some(at) = first
            && self.age_timer.is_none_or(|t| at < t)
        {
            self.age_timer = Some(at);
            ctx.set_timer(T_AGE, SimTime(at.max(ctx.now.0)));
        }
    }

    /// The ageing timer: remove end-device children not heard within their timeout.
    pub(super) fn age_children(&mut self, ctx: &mut NodeCtx<'_>) {
        if self.age_timer != Some(ctx.now.0) {
            return;
        }
        self.age_timer = None;
        let now = ctx.now.0;
        let expired: Vec<u16> = self
            .parent
            .as_ref()
            .map(|p| {
                p.children
                    .iter()
                    .filter(|(_, c)| !c.router && c.heard_ns.saturating_add(c.timeout_ns) <= now)
                    .map(|(&a, _)| a)
                    .collect()
            })
            .unwrap_or_default();
        for a in expired {
            self.stats.children_aged_out += 1;
            self.drop_child(a, ctx);
        }
        self.arm_ageing(ctx);
    }

    /// Children heard from again after a power cut: their timeouts start over.
    pub(super) fn restart_ageing(&mut self, ctx: &mut NodeCtx<'_>) {
        if let Some(p) = self.parent.as_mut() {
            for c in p.children.values_mut() {
                c.heard_ns = ctx.now.0;
            }
        }
        self.age_timer = None;
        self.arm_ageing(ctx);
    }

    /// A data poll from `a`, which is not (or no longer) our child: hold a Leave request
    /// with rejoin for it, so that it finds a parent again.
    pub(super) fn poll_from_stranger(&mut self, a: u16, ctx: &mut NodeCtx<'_>) {
        let own = self.config.short_addr;
        let dst = Address::Short(a);
        let known = self
            .parent
            .as_ref()
            .is_none_or(|p| p.children.contains_key(&a) || p.indirect.has_pending(dst));
        if known || !self.is_joined() || a >= 0xfff8 {
            return;
        }
        self.nwk_seq = self.nwk_seq.wrapping_add(1);
        let header =
            NwkHeader::pro(NwkFrameType::Command, a, own, 1, self.nwk_seq).with_src64(self.ext);
        let payload = NwkCommand::Leave(LeaveOptions::REQUEST | LeaveOptions::REJOIN).to_bytes();
        let Some(frame) = self.nwk.seal(header, self.ext, &payload) else {
            return;
        };
        let seq = self.next_mac_seq();
        let f = MacFrame::data(
            seq,
            self.config.pan_id,
            dst,
            Address::Short(own),
            frame.to_bytes(),
        );
        self.stats.leave_requests_sent += 1;
        if let Some(p) = self.parent.as_mut() {
            p.indirect
                .push(ctx.now.0, dst, H_INDIRECT, f.emit_with_fcs());
            ctx.set_pending(dst, true);
            if let Some(t) = p.indirect.next_expiry() {
                ctx.set_timer(super::T_EXPIRY, SimTime(t));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_in_ns() {
        // 64 minutes asked; the 256-minute default for unknown values.
        assert_eq!(timeout_ns(REQUESTED_TIMEOUT), 3840 * 1_000_000_000);
        assert_eq!(timeout_ns(EndDeviceTimeout::Seconds10), 10_000_000_000);
        assert_eq!(
            timeout_ns(EndDeviceTimeout::Unknown(20)),
            15_360 * 1_000_000_000
        );
    }
}
