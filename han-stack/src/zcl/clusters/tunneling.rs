//! Tunneling cluster 0x0704 (SE 1.4 D.6), which carries GBCS messages on the HAN.

use crate::zcl::field::{Rest, payload};
use crate::zcl::registry::{Cluster, RW, attr};

payload! {
    /// Request Tunnel (client-to-server 0x00).
    RequestTunnel {
        protocol_id: u8,
        manufacturer_code: u16,
        flow_control_support: u8,
        maximum_incoming_transfer_size: u16,
    }
}

payload! {
    /// Request Tunnel Response (server-to-client 0x00).
    RequestTunnelResponse { tunnel_id: u16, tunnel_status: u8, maximum_incoming_transfer_size: u16 }
}

payload! {
    /// Transfer Data (client-to-server 0x02, server-to-client 0x01).
    TransferData { tunnel_id: u16, data: Rest }
}

payload! {
    /// Close Tunnel (client-to-server 0x01) and Tunnel Closure Notification (server-to-client 0x06).
    TunnelId { tunnel_id: u16 }
}

payload! {
    /// Transfer Data Error (client-to-server 0x03, server-to-client 0x02).
    TransferDataError { tunnel_id: u16, status: u8 }
}

payload! {
    /// Ack Transfer Data and Ready Data (both directions).
    TransferWindow { tunnel_id: u16, number_of_bytes_left: u16 }
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0704,
    name: "Tunneling",
    server_attributes: &[attr(0x0000, "CloseTunnelTimeout", 0x21, RW)],
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Request Tunnel"),
        (0x01, "Close Tunnel"),
        (0x02, "Transfer Data"),
        (0x03, "Transfer Data Error"),
        (0x04, "Ack Transfer Data"),
        (0x05, "Ready Data"),
        (0x06, "Get Supported Tunnel Protocols"),
    ],
    generated: &[
        (0x00, "Request Tunnel Response"),
        (0x01, "Transfer Data"),
        (0x02, "Transfer Data Error"),
        (0x03, "Ack Transfer Data"),
        (0x04, "Ready Data"),
        (0x05, "Supported Tunnel Protocols Response"),
        (0x06, "Tunnel Closure Notification"),
    ],
};
