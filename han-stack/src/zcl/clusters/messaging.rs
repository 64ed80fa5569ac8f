//! Messaging cluster 0x0703 (SE 1.4 D.5).

use crate::zcl::field::{OctetStr, payload};
use crate::zcl::registry::Cluster;

payload! {
    /// Display Message (server-to-client 0x00).
    DisplayMessage {
        message_id: u32,
        /// Transmission, importance, enhanced confirmation and confirmation bits.
        message_control: u8,
        start_time: u32,
        duration_in_minutes: u16,
        message: OctetStr,
        extended_message_control: Option<u8>,
    }
}

payload! {
    /// Cancel Message (server-to-client 0x01).
    CancelMessage { message_id: u32, message_control: u8 }
}

payload! {
    /// Get Last Message (client-to-server 0x00): no fields.
    GetLastMessage {}
}

payload! {
    /// Message Confirmation (client-to-server 0x01); the last two fields are SE 1.2+.
    MessageConfirmation {
        message_id: u32,
        confirmation_time: u32,
        message_confirmation_control: Option<u8>,
        message_response: Option<OctetStr>,
    }
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0703,
    name: "Messaging",
    server_attributes: &[],
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Get Last Message"),
        (0x01, "Message Confirmation"),
        (0x02, "Get Message Cancellation"),
    ],
    generated: &[
        (0x00, "Display Message"),
        (0x01, "Cancel Message"),
        (0x02, "Display Protected Message"),
        (0x03, "Cancel All Messages"),
    ],
};
