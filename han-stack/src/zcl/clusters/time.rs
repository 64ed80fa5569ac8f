//! Time cluster 0x000A (ZCL rev 6+ 3.12); it has no commands.

use crate::zcl::registry::{Attribute, Cluster, R, RW, attr};

static SERVER: [Attribute; 10] = [
    attr(0x0000, "Time", 0xe2, RW),
    attr(0x0001, "TimeStatus", 0x18, RW),
    attr(0x0002, "TimeZone", 0x2b, RW),
    attr(0x0003, "DstStart", 0x23, RW),
    attr(0x0004, "DstEnd", 0x23, RW),
    attr(0x0005, "DstShift", 0x2b, RW),
    attr(0x0006, "StandardTime", 0x23, R),
    attr(0x0007, "LocalTime", 0x23, R),
    attr(0x0008, "LastSetTime", 0xe2, R),
    attr(0x0009, "ValidUntilTime", 0xe2, RW),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x000a,
    name: "Time",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[],
    generated: &[],
};
