//! A parent's child table beyond association: children that moved to another parent
//! (heard through a router) or left are removed, with what was held for them.

use super::DeviceHost;
use han_mesh::radio::{NodeCtx, Radio};
use han_stack::mac::{Address, MacFrame};
use han_stack::nwk::NwkHeader;
use han_stack::nwk::next_hop::is_broadcast;

impl DeviceHost {
    /// A unicast from one of our end-device children that came through another device:
    /// it has rejoined elsewhere (while we were off, say), so it is no longer ours. (End
    /// devices send only to their parent, Zigbee PRO R22 3.6.3.3.)
    pub(super) fn child_moved(
        &mut self,
        mac: &MacFrame,
        header: &NwkHeader,
        ctx: &mut NodeCtx<'_>,
    ) {
        let (Address::Short(m), Some(e)) = (mac.src, header.src64) else {
            return;
        };
        if m == header.src || is_broadcast(header.dst) {
            return;
        }
        let ours = self.parent.as_ref().is_some_and(|p| {
            p.children
                .get(&header.src)
                .is_some_and(|c| c.ext == e && !c.router)
        });
        if ours {
            self.drop_child(header.src, ctx);
        }
    }

    /// Forget child `short`: the child table, the neighbour tables, frames held for it.
    pub(super) fn drop_child(&mut self, short: u16, ctx: &mut NodeCtx<'_>) {
        let Some(p) = self.parent.as_mut() else {
            return;
        };
        let Some(c) = p.children.remove(&short) else {
            return;
        };
        for dst in [Address::Short(short), Address::Extended(c.ext)] {
            while p.indirect.take(dst).is_some() {}
            ctx.set_pending(dst, false);
        }
        self.routing.neighbours.remove(&short);
        if let Some(r) = self.router.as_mut() {
            r.neighbours_mut().remove(short);
        }
    }
}
