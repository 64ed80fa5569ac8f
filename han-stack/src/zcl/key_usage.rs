//! Which key secures a Smart Energy cluster's traffic (Smart Energy 1.4, 5.4.6 "Cluster
//! Usage of Security Keys"): the clusters that carry metering, pricing, messaging and
//! payment data are APS-secured with the link key of the pair (the trust-centre link key
//! towards the comms hub, an application link key between devices); the general clusters,
//! Time, Key Establishment and OTA use the network key alone.

/// The key a cluster's frames are secured with, beyond NWK security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKey {
    /// The network key only (NWK security).
    Network,
    /// APS security with the link key of the two devices.
    Link,
}

/// The key Smart Energy assigns to `cluster` (unknown and manufacturer clusters: network).
pub fn cluster_key(cluster: u16) -> ClusterKey {
    match cluster {
        // Price, DRLC, Metering, Messaging, Tunneling, Prepayment, Energy Management,
        // Calendar, Device Management, Events, MDU Pairing. (Sub-GHz, 0x070b, is left at
        // the network key: not used on the 2.4 GHz HAN here.)
        0x0700..=0x070a => ClusterKey::Link,
        _ => ClusterKey::Network,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn se_data_clusters_take_the_link_key() {
        for c in [0x0700, 0x0702, 0x0703, 0x0704, 0x0705, 0x070a] {
            assert_eq!(cluster_key(c), ClusterKey::Link, "{c:#06x}");
        }
        // Basic, Identify, Time, Key Establishment, OTA, ZDO-ish ids: network key alone.
        for c in [0x0000, 0x0003, 0x000a, 0x0019, 0x0800, 0x06ff, 0x070b] {
            assert_eq!(cluster_key(c), ClusterKey::Network, "{c:#06x}");
        }
    }
}
