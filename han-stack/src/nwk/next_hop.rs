//! The routing seam of the NWK layer: every unicast goes to the hop a [`NextHop`] names.
//! [`DirectOrParent`] is the starting policy (neighbours and children directly, anything
//! else via the parent, as tree routing's upward case does, Zigbee PRO R22 3.6.3.3, plus
//! routes learnt to descendants and from the reverse path of received frames); a routing
//! table with AODV and source routes plugs in behind the same trait.

use std::collections::{BTreeMap, BTreeSet};

/// Broadcast NWK addresses: all, rx-on-when-idle, routers, low-power routers (3.6.5).
pub fn is_broadcast(addr: u16) -> bool {
    addr >= 0xfffb
}

/// Where a frame for `dst` goes next.
pub trait NextHop {
    /// The MAC destination for a frame to NWK address `dst` (0xffff for broadcasts); None
    /// when no route is known.
    fn next_hop(&self, dst: u16) -> Option<u16>;
}

/// Neighbours and children directly, learnt routes through their next hop, everything
/// else via the parent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectOrParent {
    /// The parent's address (None for the coordinator).
    pub parent: Option<u16>,
    /// Devices heard directly or joined as children.
    pub neighbours: BTreeSet<u16>,
    /// Destination → next hop, for devices beyond a neighbour (a child router's children,
    /// the originators of frames a neighbour relayed to us).
    pub routes: BTreeMap<u16, u16>,
}

impl DirectOrParent {
    /// Remember that frames from `originator` came through neighbour `via`; true when
    /// that changed the route.
    pub fn learn(&mut self, originator: u16, via: u16) -> bool {
        if originator == via || self.neighbours.contains(&originator) {
            return false;
        }
        self.routes.insert(originator, via) != Some(via)
    }
}

impl NextHop for DirectOrParent {
    fn next_hop(&self, dst: u16) -> Option<u16> {
        if is_broadcast(dst) {
            return Some(0xffff);
        }
        if self.neighbours.contains(&dst) || self.parent == Some(dst) {
            return Some(dst);
        }
        self.routes.get(&dst).copied().or(self.parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_then_parent() {
        let mut r = DirectOrParent {
            parent: Some(0x0000),
            ..Default::default()
        };
        r.neighbours.insert(0x4d2f);
        assert_eq!(r.next_hop(0x4d2f), Some(0x4d2f));
        assert_eq!(r.next_hop(0x0000), Some(0x0000));
        assert_eq!(r.next_hop(0x1111), Some(0x0000));
        assert_eq!(r.next_hop(0xfffd), Some(0xffff));
        let mut coordinator = DirectOrParent::default();
        assert_eq!(coordinator.next_hop(0x1111), None);
        coordinator.neighbours.insert(0x2222);
        assert!(coordinator.learn(0x1111, 0x2222));
        assert!(!coordinator.learn(0x1111, 0x2222));
        assert!(!coordinator.learn(0x2222, 0x3333));
        assert_eq!(coordinator.next_hop(0x1111), Some(0x2222));
        assert_eq!(coordinator.next_hop(0x2222), Some(0x2222));
    }
}
