//! Identify cluster 0x0003 (ZCL rev 6+ 3.5).

use crate::zcl::field::payload;
use crate::zcl::registry::{Cluster, RW, attr};

payload! {
    /// Identify (client-to-server 0x00): identify for this many seconds.
    Identify { identify_time: u16 }
}

payload! {
    /// Identify Query (client-to-server 0x01): no fields.
    IdentifyQuery {}
}

payload! {
    /// Identify Query Response (server-to-client 0x00).
    IdentifyQueryResponse { timeout: u16 }
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0003,
    name: "Identify",
    server_attributes: &[attr(0x0000, "IdentifyTime", 0x21, RW)],
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Identify"),
        (0x01, "Identify Query"),
        (0x40, "Trigger Effect"),
    ],
    generated: &[(0x00, "Identify Query Response")],
};
