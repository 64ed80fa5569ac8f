//! Alarms cluster 0x0009 (ZCL rev 6+ 3.11).

use crate::zcl::field::payload;
use crate::zcl::registry::{Cluster, R, attr};

payload! {
    /// Reset Alarm (client-to-server 0x00).
    ResetAlarm { alarm_code: u8, cluster_id: u16 }
}

payload! {
    /// Alarm (server-to-client 0x00).
    Alarm { alarm_code: u8, cluster_id: u16 }
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0009,
    name: "Alarms",
    server_attributes: &[attr(0x0000, "AlarmCount", 0x21, R)],
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Reset Alarm"),
        (0x01, "Reset All Alarms"),
        (0x02, "Get Alarm"),
        (0x03, "Reset Alarm Log"),
    ],
    generated: &[(0x00, "Alarm"), (0x01, "Get Alarm Response")],
};
