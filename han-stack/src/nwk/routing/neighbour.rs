//! The neighbour table and link status (Zigbee PRO R22 3.6.3.4, 3.4.8).
//!
//! A router neighbour is learnt from its link status command: its incoming cost is
//! ours to measure (from the LQI of every frame heard from it), its outgoing cost is
//! the incoming cost it lists for us. Each link status period every router
//! neighbour ages by one; one silent for more than nwkRouterAgeLimit periods is
//! removed. End-device neighbours (children, a parent) are added by the join layer
//! and do not age here.

use std::collections::BTreeMap;

use super::consts::{MAX_LINK_FAILURES, MAX_LINK_STATUS_ENTRIES, ROUTER_AGE_LIMIT};
use super::cost::{MAX_LINK_COST, cost_from_lqi, symmetric_link_cost};
use crate::nwk::command::{LinkStatus, LinkStatusEntry, LinkStatusOptions};

/// What kind of device a neighbour is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeighbourKind {
    /// A router or the coordinator: sends link status, relays.
    Router,
    /// An end device (a child of this router, or this device's parent's view of it).
    EndDevice,
}

/// One neighbour table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbour {
    /// Short address.
    pub addr: u16,
    /// Router or end device.
    pub kind: NeighbourKind,
    /// Averaged LQI of frames received from it.
    pub lqi: u8,
    /// Outgoing cost from its last link status (0 when unknown or stale).
    pub outgoing_cost: u8,
    /// Link status periods since its last link status.
    pub age: u8,
    /// When a frame from it was last heard (ns).
    pub last_heard: u64,
    /// Unicasts to it in a row that the MAC could not deliver (Transmit Failure).
    pub tx_failures: u8,
}

impl Neighbour {
    /// The incoming cost from the averaged LQI.
    pub fn incoming_cost(&self) -> u8 {
        cost_from_lqi(self.lqi)
    }

    /// The cost of routing over this link: symmetric for routers, the incoming
    /// cost for end devices (which send no link status).
    pub fn link_cost(&self) -> u8 {
        match self.kind {
            NeighbourKind::Router => symmetric_link_cost(self.incoming_cost(), self.outgoing_cost),
            NeighbourKind::EndDevice => self.incoming_cost(),
        }
    }

    /// True when the link can carry routed frames (cost below 7).
    pub fn usable(&self) -> bool {
        self.link_cost() < MAX_LINK_COST
    }
}

/// The neighbour table, ordered by short address.
#[derive(Debug, Clone, Default)]
pub struct NeighbourTable {
    entries: BTreeMap<u16, Neighbour>,
}

impl NeighbourTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry for `addr`.
    pub fn get(&self, addr: u16) -> Option<&Neighbour> {
        self.entries.get(&addr)
    }

    /// All entries by ascending address.
    pub fn iter(&self) -> impl Iterator<Item = &Neighbour> {
        self.entries.values()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add (or refresh) a neighbour the join layer knows, e.g. an end-device child.
    pub fn add(&mut self, now: u64, addr: u16, kind: NeighbourKind, lqi: u8) {
        let e = self.entries.entry(addr).or_insert(Neighbour {
            addr,
            kind,
            lqi,
            outgoing_cost: 0,
            age: 0,
            last_heard: now,
            tx_failures: 0,
        });
        e.kind = kind;
        e.last_heard = now;
    }

    /// Remove a neighbour (it left, or its link failed for good).
    pub fn remove(&mut self, addr: u16) -> Option<Neighbour> {
        self.entries.remove(&addr)
    }

    /// A frame from `addr` was received with `lqi`: fold it into the average
    /// (weight 1/4) if the neighbour is known.
    pub fn heard(&mut self, now: u64, addr: u16, lqi: u8) {
        if let Some(e) = self.entries.get_mut(&addr) {
            e.lqi = ((3 * u16::from(e.lqi) + u16::from(lqi) + 2) / 4) as u8;
            e.last_heard = now;
        }
    }

    /// A link status from router `sender` (Zigbee PRO R22 3.6.3.4.2): the sender
    /// becomes (or stays) a router neighbour of age 0 and its entry for `own`
    /// gives our outgoing cost. If `own` is absent but falls in the address range
    /// this frame covers, the sender no longer hears us: outgoing cost 0.
    pub fn on_link_status(&mut self, now: u64, own: u16, sender: u16, lqi: u8, ls: &LinkStatus) {
        let e = self.entries.entry(sender).or_insert(Neighbour {
            addr: sender,
            kind: NeighbourKind::Router,
            lqi,
            outgoing_cost: 0,
            age: 0,
            last_heard: now,
            tx_failures: 0,
        });
        e.kind = NeighbourKind::Router;
        e.age = 0;
        e.last_heard = now;
        if let Some(mine) = ls.entries.iter().find(|x| x.addr == own) {
            e.outgoing_cost = mine.incoming_cost;
        } else if covers(ls, own) {
            e.outgoing_cost = 0;
        }
    }

    /// One link status period has passed: age every router neighbour and remove
    /// those older than nwkRouterAgeLimit; returns the removed addresses.
    pub fn age_routers(&mut self) -> Vec<u16> {
        let mut gone = Vec::new();
        for e in self.entries.values_mut() {
            if e.kind == NeighbourKind::Router {
                e.age = e.age.saturating_add(1);
                if e.age > ROUTER_AGE_LIMIT {
                    gone.push(e.addr);
                }
            }
        }
        for a in &gone {
            self.entries.remove(a);
        }
        gone
    }

    /// A transmission to `addr` failed at the MAC (no acknowledgement after its retries).
    /// After [`MAX_LINK_FAILURES`] in a row the link counts as broken: no routing over it
    /// until its next link status says otherwise. True when the link is broken (or the
    /// neighbour unknown).
    pub fn link_failed(&mut self, addr: u16) -> bool {
        let Some(e) = self.entries.get_mut(&addr) else {
            return true;
        };
        e.tx_failures = e.tx_failures.saturating_add(1);
        if e.tx_failures >= MAX_LINK_FAILURES {
            e.outgoing_cost = 0;
            e.tx_failures = 0;
            return true;
        }
        false
    }

    /// A transmission to `addr` was acknowledged: its failure count starts again.
    pub fn link_delivered(&mut self, addr: u16) {
        if let Some(e) = self.entries.get_mut(&addr) {
            e.tx_failures = 0;
        }
    }

    /// This router's link status set: every router neighbour in ascending address
    /// order with its incoming and outgoing cost, split into frames of at most
    /// [`MAX_LINK_STATUS_ENTRIES`]. The first frame carries FIRST_FRAME and the last
    /// LAST_FRAME (one frame carries both); consecutive frames share their boundary
    /// entry so each frame's address range meets the next (Zigbee PRO R22 3.4.8.3).
    pub fn link_status_frames(&self) -> Vec<LinkStatus> {
        self.link_status_frames_of(MAX_LINK_STATUS_ENTRIES)
    }

    fn link_status_frames_of(&self, max: usize) -> Vec<LinkStatus> {
        let all: Vec<LinkStatusEntry> = self
            .entries
            .values()
            .filter(|e| e.kind == NeighbourKind::Router)
            .map(|e| LinkStatusEntry {
                addr: e.addr,
                incoming_cost: e.incoming_cost(),
                outgoing_cost: e.outgoing_cost,
                reserved: 0,
            })
            .collect();
        let max = max.max(2);
        let mut frames = Vec::new();
        let mut start = 0;
        loop {
            let end = (start + max).min(all.len());
            let mut options = LinkStatusOptions::empty();
            if start == 0 {
                options |= LinkStatusOptions::FIRST_FRAME;
            }
            if end == all.len() {
                options |= LinkStatusOptions::LAST_FRAME;
            }
            frames.push(LinkStatus {
                options,
                entries: all.get(start..end).unwrap_or_default().to_vec(),
            });
            if end == all.len() {
                return frames;
            }
            start = end - 1;
        }
    }
}

/// True when `addr` lies in the address range a link status frame speaks for:
/// from 0 (first frame) or its first entry, to 0xffff (last frame) or its last entry.
fn covers(ls: &LinkStatus, addr: u16) -> bool {
    let low = if ls.options.contains(LinkStatusOptions::FIRST_FRAME) {
        0
    } else {
        ls.entries.first().map_or(u16::MAX, |e| e.addr)
    };
    let high = if ls.options.contains(LinkStatusOptions::LAST_FRAME) {
        u16::MAX
    } else {
        ls.entries.last().map_or(0, |e| e.addr)
    };
    (low..=high).contains(&addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nwk::command::NwkCommand;
    use crate::test_util::hex;
    use crate::wire::Wire;

    fn ls(options: LinkStatusOptions, entries: &[(u16, u8, u8)]) -> LinkStatus {
        LinkStatus {
            options,
            entries: entries
                .iter()
                .map(|&(addr, incoming_cost, outgoing_cost)| LinkStatusEntry {
                    addr,
                    incoming_cost,
                    outgoing_cost,
                    reserved: 0,
                })
                .collect(),
        }
    }

    const BOTH: LinkStatusOptions =
        LinkStatusOptions::FIRST_FRAME.union(LinkStatusOptions::LAST_FRAME);

    #[test]
    fn link_status_sets_outgoing_cost_from_our_entry() {
        let mut t = NeighbourTable::new();
        t.on_link_status(
            5,
            0x0001,
            0x1234,
            255,
            &ls(BOTH, &[(0x0001, 3, 1), (0x2000, 1, 1)]),
        );
        let n = t.get(0x1234).unwrap();
        assert_eq!(
            (n.kind, n.outgoing_cost, n.incoming_cost()),
            (NeighbourKind::Router, 3, 1)
        );
        assert_eq!(n.link_cost(), 3);
        // A later link status without us: the neighbour lost us, link unusable.
        t.on_link_status(6, 0x0001, 0x1234, 255, &ls(BOTH, &[(0x2000, 1, 1)]));
        assert_eq!(t.get(0x1234).unwrap().outgoing_cost, 0);
        assert!(!t.get(0x1234).unwrap().usable());
    }

    #[test]
    fn absent_from_another_frames_range_keeps_outgoing_cost() {
        let mut t = NeighbourTable::new();
        t.on_link_status(0, 0x5000, 0x1234, 255, &ls(BOTH, &[(0x5000, 2, 2)]));
        // A first (not last) frame covering 0x0000..=0x4000 does not speak for 0x5000.
        t.on_link_status(
            1,
            0x5000,
            0x1234,
            255,
            &ls(
                LinkStatusOptions::FIRST_FRAME,
                &[(0x3000, 1, 1), (0x4000, 1, 1)],
            ),
        );
        assert_eq!(t.get(0x1234).unwrap().outgoing_cost, 2);
        // The last frame covers 0x4000..=0xffff and lacks us.
        t.on_link_status(
            2,
            0x5000,
            0x1234,
            255,
            &ls(
                LinkStatusOptions::LAST_FRAME,
                &[(0x4000, 1, 1), (0x6000, 1, 1)],
            ),
        );
        assert_eq!(t.get(0x1234).unwrap().outgoing_cost, 0);
    }

    #[test]
    fn lqi_is_averaged_into_the_incoming_cost() {
        let mut t = NeighbourTable::new();
        t.add(0, 0x0002, NeighbourKind::EndDevice, 255);
        assert_eq!(t.get(2).unwrap().link_cost(), 1);
        for _ in 0..20 {
            t.heard(1, 0x0002, 160);
        }
        // The rounded average settles within 2 of the new level.
        assert_eq!(t.get(2).unwrap().lqi, 162);
        assert_eq!(t.get(2).unwrap().link_cost(), 6);
        // Unknown senders are not added by ordinary frames.
        t.heard(1, 0x0003, 255);
        assert!(t.get(3).is_none());
    }

    #[test]
    fn only_repeated_transmit_failures_break_a_link() {
        let mut t = NeighbourTable::new();
        t.on_link_status(0, 1, 0x0010, 255, &ls(BOTH, &[(1, 1, 1)]));
        // Failures with a success between them never break it.
        for _ in 0..10 {
            assert!(!t.link_failed(0x0010));
            assert!(!t.link_failed(0x0010));
            t.link_delivered(0x0010);
        }
        assert!(t.get(0x0010).unwrap().usable());
        // MAX_LINK_FAILURES in a row do.
        for _ in 1..MAX_LINK_FAILURES {
            assert!(!t.link_failed(0x0010));
        }
        assert!(t.link_failed(0x0010));
        assert!(!t.get(0x0010).unwrap().usable());
        assert!(t.link_failed(0x0bad), "unknown neighbour");
    }

    #[test]
    fn routers_expire_after_the_age_limit_end_devices_do_not() {
        let mut t = NeighbourTable::new();
        t.on_link_status(0, 1, 0x0010, 255, &ls(BOTH, &[]));
        t.add(0, 0x0020, NeighbourKind::EndDevice, 255);
        for _ in 0..ROUTER_AGE_LIMIT {
            assert_eq!(t.age_routers(), Vec::<u16>::new());
        }
        assert_eq!(t.age_routers(), vec![0x0010]);
        assert!(t.get(0x0020).is_some());
        // Hearing a link status resets the age.
        t.on_link_status(0, 1, 0x0011, 255, &ls(BOTH, &[]));
        t.age_routers();
        t.age_routers();
        t.on_link_status(0, 1, 0x0011, 255, &ls(BOTH, &[]));
        t.age_routers();
        t.age_routers();
        assert_eq!(t.get(0x0011).unwrap().age, 2);
    }

    #[test]
    fn link_status_list_lists_routers_only_in_address_order() {
        let mut t = NeighbourTable::new();
        t.on_link_status(0, 1, 0x0300, 255, &ls(BOTH, &[(1, 2, 0)]));
        t.on_link_status(0, 1, 0x0100, 229, &ls(BOTH, &[]));
        t.add(0, 0x0200, NeighbourKind::EndDevice, 255);
        let frames = t.link_status_frames();
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0], ls(BOTH, &[(0x0100, 2, 0), (0x0300, 1, 2)]));
        // On air: count 2 | first | last, then address, costs (in | out << 4).
        let bytes = NwkCommand::LinkStatus(frames[0].clone()).to_bytes();
        assert_eq!(bytes, hex("0862000102000321"));
    }

    #[test]
    fn empty_table_sends_one_empty_first_and_last_frame() {
        assert_eq!(
            NeighbourTable::new().link_status_frames(),
            vec![ls(BOTH, &[])]
        );
    }

    #[test]
    fn long_lists_split_with_shared_boundary_entries() {
        let mut t = NeighbourTable::new();
        for a in 1..=60u16 {
            t.on_link_status(0, 0xaaaa, a, 255, &ls(BOTH, &[]));
        }
        let frames = t.link_status_frames();
        let counts: Vec<usize> = frames.iter().map(|f| f.entries.len()).collect();
        assert_eq!(counts, [26, 26, 10]);
        assert_eq!(frames[0].options, LinkStatusOptions::FIRST_FRAME);
        assert_eq!(frames[1].options, LinkStatusOptions::empty());
        assert_eq!(frames[2].options, LinkStatusOptions::LAST_FRAME);
        assert_eq!(frames[0].entries.last(), frames[1].entries.first());
        assert_eq!(frames[1].entries.last(), frames[2].entries.first());
        // Every neighbour is listed, in order, and a receiver absent from all of
        // them is covered by exactly the frames around its address.
        let mut all: Vec<u16> = frames
            .iter()
            .flat_map(|f| f.entries.iter().map(|e| e.addr))
            .collect();
        all.dedup();
        assert_eq!(all, (1..=60).collect::<Vec<_>>());
        assert!(frames.iter().any(|f| covers(f, 0xaaaa)));
        // A 31-entry frame still fits the 5-bit count.
        let small = t.link_status_frames_of(31);
        assert!(small.iter().all(|f| f.entries.len() <= 31));
    }
}
