//! Which messages a rule is about: a name, the devices at either end, the
//! cluster, profile and ZCL direction. Every field left out matches anything.

use serde::Serialize;

use super::message::{Message, address_text};
use super::trace::Trace;
use crate::mac::Address;

/// A message filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Matcher {
    /// A name at any layer ("Data Request", "Transport Key", "Report Attributes").
    pub message: Option<String>,
    /// The sender (NWK source, else MAC source), with the role it was written as.
    pub from: Option<Device>,
    /// The receiver (NWK destination, else MAC destination).
    pub to: Option<Device>,
    /// APS cluster.
    pub cluster: Option<u16>,
    /// APS profile.
    pub profile: Option<u16>,
    /// ZCL direction: true for server-to-client.
    pub server_to_client: Option<bool>,
}

/// A device a rule names: its address and how the file named it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    /// Role name or the address as written.
    pub label: String,
    /// Short address or EUI-64.
    #[serde(serialize_with = "serialize_address")]
    pub address: Address,
}

fn serialize_address<S: serde::Serializer>(a: &Address, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&address_text(a))
}

impl Device {
    /// Whether `a` is this device: the same address, or the same EUI-64 once
    /// the capture's bindings are applied to either side.
    pub fn is(&self, a: &Address, trace: &Trace) -> bool {
        if *a == self.address {
            return true;
        }
        match (trace.eui64_of(a), trace.eui64_of(&self.address)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }
}

impl Matcher {
    /// Whether message `m` of `trace` passes the filter.
    pub fn matches(&self, m: &Message, trace: &Trace) -> bool {
        self.message.as_deref().is_none_or(|n| m.is(n))
            && self.cluster.is_none_or(|c| m.cluster == Some(c))
            && self.profile.is_none_or(|p| m.profile == Some(p))
            && self
                .server_to_client
                .is_none_or(|s| m.zcl.as_ref().is_some_and(|z| z.server_to_client == s))
            && self.from.as_ref().is_none_or(|d| d.is(&m.src, trace))
            && self.to.as_ref().is_none_or(|d| d.is(&m.dst, trace))
    }

    /// A short description for rule names: `Data from esme to hub on 0x0702`.
    pub fn describe(&self) -> String {
        let mut s = self.message.clone().unwrap_or_else(|| "any frame".into());
        if let Some(d) = &self.from {
            s += &format!(" from {}", d.label);
        }
        if let Some(d) = &self.to {
            s += &format!(" to {}", d.label);
        }
        if let Some(c) = self.cluster {
            s += &format!(" on cluster 0x{c:04x}");
        }
        if let Some(p) = self.profile {
            s += &format!(" in profile 0x{p:04x}");
        }
        match self.server_to_client {
            Some(true) => s += " (server-to-client)",
            Some(false) => s += " (client-to-server)",
            None => {}
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::message::parse_address;
    use crate::wire::ExtAddr;
    use std::collections::BTreeMap;

    #[test]
    fn a_device_named_by_eui64_matches_its_short_address_through_the_bindings() {
        let eui = ExtAddr(0x0012_4b00_0100_0002);
        let trace = Trace::from_messages(vec![], BTreeMap::from([(0x0003, eui)]));
        let m = Matcher {
            message: Some("route request".into()),
            from: Some(Device {
                label: "esme".into(),
                address: parse_address("00:12:4b:00:01:00:00:02").unwrap(),
            }),
            ..Matcher::default()
        };
        assert!(m.matches(&Message::sample(1, 0.0, 3, 0, "Route Request"), &trace));
        assert!(!m.matches(&Message::sample(1, 0.0, 4, 0, "Route Request"), &trace));
        assert!(!m.matches(&Message::sample(1, 0.0, 3, 0, "Link Status"), &trace));
    }
}
