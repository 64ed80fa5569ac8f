//! Cluster registry: names, attribute tables and command names (ZCL rev 6+, SE 1.4).
//!
//! Unknown clusters and attributes are not errors: lookups return None and
//! the caller decodes generically from the type byte on air.

use crate::zcl::clusters;
use crate::zcl::frame::Direction;
use bitflags::bitflags;
use std::borrow::Cow;

bitflags! {
    /// Attribute access (bit layout of the Discover Attributes Extended access field, ZCL 2.5.21).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Access: u8 {
        /// Readable.
        const READ = 0x01;
        /// Writeable.
        const WRITE = 0x02;
        /// Reportable.
        const REPORT = 0x04;
    }
}

/// Read only.
pub const R: Access = Access::READ;
/// Read and write.
pub const RW: Access = Access::READ.union(Access::WRITE);
/// Read and report.
pub const RP: Access = Access::READ.union(Access::REPORT);

/// One attribute of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute id.
    pub id: u16,
    /// Name as the SE/ZCL specification spells it (CamelCase).
    pub name: Cow<'static, str>,
    /// ZCL data type id.
    pub data_type: u8,
    /// Access.
    pub access: Access,
}

/// Shorthand to build a static attribute row.
pub const fn attr(id: u16, name: &'static str, data_type: u8, access: Access) -> Attribute {
    Attribute {
        id,
        name: Cow::Borrowed(name),
        data_type,
        access,
    }
}

/// A read-only attribute of a numbered family, with a generated name.
pub fn numbered_attr(id: u16, name: String, data_type: u8) -> Attribute {
    Attribute {
        id,
        name: Cow::Owned(name),
        data_type,
        access: R,
    }
}

/// Everything the registry knows about one cluster.
#[derive(Debug)]
pub struct Cluster {
    /// Cluster id.
    pub id: u16,
    /// Name as tshark prints it.
    pub name: &'static str,
    /// Server-side attributes.
    pub server_attributes: &'static [Attribute],
    /// Client-side attributes.
    pub client_attributes: &'static [Attribute],
    /// Numbered attribute families (tiers, blocks, months) the tables do not list one by one.
    pub numbered: Option<fn(u16) -> Option<Attribute>>,
    /// Commands the server receives (client-to-server).
    pub received: &'static [(u8, &'static str)],
    /// Commands the server generates (server-to-client).
    pub generated: &'static [(u8, &'static str)],
}

impl Cluster {
    /// An attribute on the server (or client) side, falling back to the numbered families.
    pub fn attribute(&self, id: u16, server: bool) -> Option<Attribute> {
        let table = if server {
            self.server_attributes
        } else {
            self.client_attributes
        };
        if let Some(a) = table.iter().find(|a| a.id == id) {
            return Some(a.clone());
        }
        if id == 0xfffe && self.id >= 0x0700 && self.id < 0x0800 {
            return Some(attr(0xfffe, "AttributeReportingStatus", 0x30, R));
        }
        if server {
            self.numbered.and_then(|f| f(id))
        } else {
            None
        }
    }

    /// The name of cluster-specific command `id` sent in `direction`.
    pub fn command_name(&self, id: u8, direction: Direction) -> Option<&'static str> {
        let table = match direction {
            Direction::ClientToServer => self.received,
            Direction::ServerToClient => self.generated,
        };
        table.iter().find(|(c, _)| *c == id).map(|(_, n)| *n)
    }
}

static ALL: [&Cluster; 18] = [
    &clusters::basic::CLUSTER,
    &clusters::power_configuration::CLUSTER,
    &clusters::identify::CLUSTER,
    &clusters::alarms::CLUSTER,
    &clusters::time::CLUSTER,
    &clusters::ota::CLUSTER,
    &clusters::price::CLUSTER,
    &clusters::drlc::CLUSTER,
    &clusters::metering::CLUSTER,
    &clusters::messaging::CLUSTER,
    &clusters::tunneling::CLUSTER,
    &clusters::prepayment::CLUSTER,
    &clusters::energy_management::CLUSTER,
    &clusters::calendar::CLUSTER,
    &clusters::device_management::CLUSTER,
    &clusters::events::CLUSTER,
    &clusters::mdu_pairing::CLUSTER,
    &clusters::key_establishment::CLUSTER,
];

/// Every cluster the registry knows.
pub fn clusters() -> &'static [&'static Cluster] {
    &ALL
}

/// The cluster with id `id`, if known.
pub fn cluster(id: u16) -> Option<&'static Cluster> {
    clusters().iter().copied().find(|c| c.id == id)
}

/// The cluster name, or "Unknown Cluster".
pub fn cluster_name(id: u16) -> &'static str {
    cluster(id).map_or("Unknown Cluster", |c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let m = cluster(0x0702).unwrap();
        assert_eq!(m.name, "Metering");
        assert_eq!(
            m.attribute(0x0400, true).unwrap().name,
            "InstantaneousDemand"
        );
        assert_eq!(m.attribute(0x0400, true).unwrap().data_type, 0x2a);
        assert_eq!(
            m.attribute(0x0102, true).unwrap().name,
            "CurrentTier2SummationDelivered"
        );
        assert_eq!(
            m.command_name(0x01, Direction::ServerToClient),
            Some("Request Mirror")
        );
        assert!(cluster(0x1234).is_none());
        assert_eq!(cluster_name(0x0800), "Key Establishment");
    }

    #[test]
    fn tables_are_consistent() {
        for c in clusters() {
            for t in [c.server_attributes, c.client_attributes] {
                for (i, a) in t.iter().enumerate() {
                    assert!(
                        crate::zcl::types::DataType(a.data_type).layout().is_some(),
                        "{} {:04x}",
                        c.name,
                        a.id
                    );
                    assert!(
                        !t[..i].iter().any(|b| b.id == a.id),
                        "{} dup {:04x}",
                        c.name,
                        a.id
                    );
                }
            }
            for t in [c.received, c.generated] {
                for (i, (id, _)) in t.iter().enumerate() {
                    assert!(
                        !t[..i].iter().any(|(b, _)| b == id),
                        "{} dup cmd {id}",
                        c.name
                    );
                }
            }
        }
    }
}
