//! Events cluster 0x0709 (SE 1.4 D.11); payloads are kept raw.

use crate::zcl::registry::Cluster;

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0709,
    name: "Events",
    server_attributes: &[],
    client_attributes: &[],
    numbered: None,
    received: &[(0x00, "Get Event Log"), (0x01, "Clear Event Log Request")],
    generated: &[
        (0x00, "Publish Event"),
        (0x01, "Publish Event Log"),
        (0x02, "Clear Event Log Response"),
    ],
};
