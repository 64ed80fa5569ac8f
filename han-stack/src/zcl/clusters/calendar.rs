//! Calendar cluster 0x0707 (SE 1.4 D.9); payloads are kept raw.

use crate::zcl::registry::{Attribute, Cluster, R, attr};

static SERVER: [Attribute; 6] = [
    attr(0x0000, "AuxSwitch1Label", 0x41, R),
    attr(0x0001, "AuxSwitch2Label", 0x41, R),
    attr(0x0002, "AuxSwitch3Label", 0x41, R),
    attr(0x0003, "AuxSwitch4Label", 0x41, R),
    attr(0x0004, "AuxSwitch5Label", 0x41, R),
    attr(0x0005, "AuxSwitch6Label", 0x41, R),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0707,
    name: "Calendar",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Get Calendar"),
        (0x01, "Get Day Profiles"),
        (0x02, "Get Week Profiles"),
        (0x03, "Get Seasons"),
        (0x04, "Get Special Days"),
        (0x05, "Get Calendar Cancellation"),
    ],
    generated: &[
        (0x00, "Publish Calendar"),
        (0x01, "Publish Day Profile"),
        (0x02, "Publish Week Profile"),
        (0x03, "Publish Seasons"),
        (0x04, "Publish Special Days"),
        (0x05, "Cancel Calendar"),
    ],
};
