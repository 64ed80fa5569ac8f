//! MDU Pairing cluster 0x070A (SE 1.4 D.12); payloads are kept raw.

use crate::zcl::registry::Cluster;

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x070a,
    name: "MDU Pairing",
    server_attributes: &[],
    client_attributes: &[],
    numbered: None,
    received: &[(0x00, "Pairing Request")],
    generated: &[(0x00, "Pairing Response")],
};
