//! The routing table (Zigbee PRO R22 3.6.3.2, Table 3-63).

use std::collections::BTreeMap;

/// Route status (Zigbee PRO R22 Table 3-64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteStatus {
    /// 0x0: the route is in use.
    Active = 0,
    /// 0x1: a route request is out for this destination.
    DiscoveryUnderway = 1,
    /// 0x2: discovery ended without a route reply.
    DiscoveryFailed = 2,
    /// 0x3: the route broke (link or relay failure); a new discovery is needed.
    Inactive = 3,
    /// 0x4: a route reply arrived and no data frame has used the route yet.
    ValidationUnderway = 4,
}

impl RouteStatus {
    /// True when frames may be sent along the route.
    pub fn usable(self) -> bool {
        matches!(self, RouteStatus::Active | RouteStatus::ValidationUnderway)
    }
}

/// One routing table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEntry {
    /// Destination short address.
    pub dst: u16,
    /// Status.
    pub status: RouteStatus,
    /// Next hop short address (meaningful when usable).
    pub next_hop: u16,
    /// Path cost to the destination as last learnt.
    pub path_cost: u8,
    /// The destination is a concentrator and this route came from its many-to-one route request.
    pub many_to_one: bool,
    /// A route record must precede the next data frame to the concentrator.
    pub route_record_required: bool,
}

/// The routing table, keyed by destination.
#[derive(Debug, Clone, Default)]
pub struct RoutingTable {
    entries: BTreeMap<u16, RouteEntry>,
}

impl RoutingTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry for `dst`.
    pub fn get(&self, dst: u16) -> Option<&RouteEntry> {
        self.entries.get(&dst)
    }

    /// The entry for `dst`, mutable.
    pub fn get_mut(&mut self, dst: u16) -> Option<&mut RouteEntry> {
        self.entries.get_mut(&dst)
    }

    /// All entries by ascending destination.
    pub fn iter(&self) -> impl Iterator<Item = &RouteEntry> {
        self.entries.values()
    }

    /// The next hop towards `dst` when the route is usable.
    pub fn next_hop(&self, dst: u16) -> Option<u16> {
        self.entries
            .get(&dst)
            .filter(|e| e.status.usable())
            .map(|e| e.next_hop)
    }

    /// Mark `dst` as under discovery, creating the entry if needed; a usable
    /// route stays as it is until a better one is learnt.
    pub fn discovery_underway(&mut self, dst: u16) {
        let e = self.entries.entry(dst).or_insert(RouteEntry {
            dst,
            status: RouteStatus::DiscoveryUnderway,
            next_hop: 0xffff,
            path_cost: u8::MAX,
            many_to_one: false,
            route_record_required: false,
        });
        if !e.status.usable() {
            e.status = RouteStatus::DiscoveryUnderway;
        }
    }

    /// A route reply (or a reverse route) gave `next_hop` at `path_cost`. An
    /// entry under discovery becomes ValidationUnderway; any other becomes or stays Active.
    pub fn learn(&mut self, dst: u16, next_hop: u16, path_cost: u8) {
        let e = self.entries.entry(dst).or_insert(RouteEntry {
            dst,
            status: RouteStatus::Active,
            next_hop,
            path_cost,
            many_to_one: false,
            route_record_required: false,
        });
        e.status = match e.status {
            RouteStatus::DiscoveryUnderway => RouteStatus::ValidationUnderway,
            RouteStatus::ValidationUnderway => RouteStatus::ValidationUnderway,
            _ => RouteStatus::Active,
        };
        e.next_hop = next_hop;
        e.path_cost = path_cost;
        e.many_to_one = false;
        e.route_record_required = false;
    }

    /// A many-to-one route request from concentrator `dst` arrived over `next_hop`
    /// with a better cost: the route is Active, flagged many-to-one, and needs a
    /// route record first when the concentrator keeps a route record table.
    pub fn learn_many_to_one(&mut self, dst: u16, next_hop: u16, path_cost: u8, record: bool) {
        self.entries.insert(
            dst,
            RouteEntry {
                dst,
                status: RouteStatus::Active,
                next_hop,
                path_cost,
                many_to_one: true,
                route_record_required: record,
            },
        );
    }

    /// A data frame went along the route: ValidationUnderway becomes Active.
    pub fn used(&mut self, dst: u16) {
        if let Some(e) = self.entries.get_mut(&dst)
            && e.status == RouteStatus::ValidationUnderway
        {
            e.status = RouteStatus::Active;
        }
    }

    /// Discovery for `dst` ended: an entry still under discovery failed.
    /// Returns true when that happened.
    pub fn discovery_ended(&mut self, dst: u16) -> bool {
        match self.entries.get_mut(&dst) {
            Some(e) if e.status == RouteStatus::DiscoveryUnderway => {
                e.status = RouteStatus::DiscoveryFailed;
                true
            }
            _ => false,
        }
    }

    /// The route to `dst` broke.
    pub fn invalidate(&mut self, dst: u16) {
        if let Some(e) = self.entries.get_mut(&dst)
            && e.status.usable()
        {
            e.status = RouteStatus::Inactive;
        }
    }

    /// Every usable route through `next_hop` broke; returns their destinations.
    pub fn invalidate_via(&mut self, next_hop: u16) -> Vec<u16> {
        let mut broke = Vec::new();
        for e in self.entries.values_mut() {
            if e.status.usable() && e.next_hop == next_hop {
                e.status = RouteStatus::Inactive;
                broke.push(e.dst);
            }
        }
        broke
    }

    /// Forget the entry for `dst`.
    pub fn remove(&mut self, dst: u16) {
        self.entries.remove(&dst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_lifecycle_discovery_validation_active_inactive() {
        let mut t = RoutingTable::new();
        t.discovery_underway(0x0009);
        assert_eq!(t.get(9).unwrap().status, RouteStatus::DiscoveryUnderway);
        assert_eq!(t.next_hop(9), None);
        t.learn(9, 0x0002, 4);
        assert_eq!(t.get(9).unwrap().status, RouteStatus::ValidationUnderway);
        assert_eq!(t.next_hop(9), Some(2));
        t.used(9);
        assert_eq!(t.get(9).unwrap().status, RouteStatus::Active);
        // A new discovery does not take down a working route.
        t.discovery_underway(9);
        assert_eq!(t.get(9).unwrap().status, RouteStatus::Active);
        assert_eq!(t.invalidate_via(2), vec![9]);
        assert_eq!(t.get(9).unwrap().status, RouteStatus::Inactive);
        assert_eq!(t.next_hop(9), None);
        t.discovery_underway(9);
        assert!(t.discovery_ended(9));
        assert_eq!(t.get(9).unwrap().status, RouteStatus::DiscoveryFailed);
        assert!(!t.discovery_ended(9));
    }

    #[test]
    fn many_to_one_routes_carry_their_flags_until_relearnt() {
        let mut t = RoutingTable::new();
        t.learn_many_to_one(0x0000, 0x0003, 2, true);
        let e = *t.get(0).unwrap();
        assert!(e.many_to_one && e.route_record_required && e.status == RouteStatus::Active);
        t.learn(0, 0x0004, 3);
        let e = *t.get(0).unwrap();
        assert!(!e.many_to_one);
        assert_eq!((e.next_hop, e.status), (4, RouteStatus::Active));
    }
}
