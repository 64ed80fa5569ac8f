//! ZDO NWK address discovery for frames addressed by EUI-64 (Zigbee PRO R22 2.4.3.1.1,
//! NWK_addr_req): a frame to a partner whose short address is not known waits while the
//! request goes to every rx-on device. The address comes from the partner's NWK_addr_rsp,
//! its Device_annce, or any authenticated frame whose NWK header carries its EUI-64
//! (3.3.1.1.9). A request unanswered after [`NWK_ADDR_WAIT_NS`] is sent again by the next
//! frame that has to wait: a broadcast or its unicast answer (ZDO responses have no APS
//! retries) can be lost, and so can the answer of a partner that has no route back yet.
//! Each further request waits twice as long, up to [`NWK_ADDR_WAIT_MAX_NS`]: a partner that
//! never joined must not make the device broadcast every report period for ever.

use super::DeviceHost;
use super::backoff::Backoff;
use crate::behaviour::{Peer, ZclRequest};
use han_mesh::radio::NodeCtx;
use han_stack::wire::ExtAddr;
use han_stack::zdo::{NwkAddrReq, RequestType, ZdpBody};

/// A NWK_addr_req unanswered this long is asked again, ns. ZDO sets no timeout; an
/// assumption, under the ESME's 10 s report period so that each report finding the address
/// still unknown asks again.
pub const NWK_ADDR_WAIT_NS: u64 = 5_000_000_000;

/// The longest wait between requests for one partner, ns (an assumption: 15 minutes, a
/// lookup a few times an hour for a partner that is not there).
pub const NWK_ADDR_WAIT_MAX_NS: u64 = 900_000_000_000;

impl DeviceHost {
    /// `r` waits for the short address of `partner`: ask for it unless the last request is
    /// still within its wait. Only the latest frame per destination and cluster waits
    /// (ZCL reporting: a newer report of the same attributes supersedes one that never
    /// left); the behaviour hears of each one superseded.
    pub(super) fn await_address(&mut self, partner: ExtAddr, r: ZclRequest, ctx: &mut NodeCtx<'_>) {
        let last = self.lookups.get(&partner);
        let next = Backoff::next(last, ctx.now.0, NWK_ADDR_WAIT_NS, NWK_ADDR_WAIT_MAX_NS);
        if let Some(asked) = next {
            self.lookups.insert(partner, asked);
            let body = ZdpBody::NwkAddrReq(NwkAddrReq {
                ieee: partner,
                request_type: RequestType::Single,
                start_index: 0,
            });
            self.zdp_send(0xfffd, 0x0000, body, ctx);
        }
        let (superseded, waiting) = std::mem::take(&mut self.unresolved)
            .into_iter()
            .partition(|u| u.dst == r.dst && u.cluster == r.cluster);
        self.unresolved = waiting;
        self.unresolved.push(r);
        for u in superseded {
            self.with_behaviour(ctx, |b, api| b.superseded(u.tag, api));
        }
    }

    /// An authenticated NWK frame from `partner` at `short`: frames waiting for that address
    /// go now, instead of with the partner's next answer.
    pub(super) fn heard_from(&mut self, partner: ExtAddr, short: u16, ctx: &mut NodeCtx<'_>) {
        if self.unresolved.iter().any(|u| u.dst == Peer::Ext(partner)) {
            self.learn(partner, short, ctx);
        }
    }
}
