//! Energy Management cluster 0x0706 (SE 1.4 D.8); payloads are kept raw.

use crate::zcl::registry::{Attribute, Cluster, R, attr};

static SERVER: [Attribute; 7] = [
    attr(0x0000, "LoadControlState", 0x18, R),
    attr(0x0001, "CurrentEventID", 0x23, R),
    attr(0x0002, "CurrentEventStatus", 0x18, R),
    attr(0x0003, "ConformanceLevel", 0x20, R),
    attr(0x0004, "MinimumOffTime", 0x21, R),
    attr(0x0005, "MinimumOnTime", 0x21, R),
    attr(0x0006, "MinimumCyclePeriod", 0x21, R),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0706,
    name: "Energy Management",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[(0x00, "Manage Event")],
    generated: &[(0x00, "Report Event Status")],
};
