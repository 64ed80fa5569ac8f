//! Default Response (0x0b) and the discovery commands: Discover Attributes (0x0c/0x0d),
//! Discover Commands Received/Generated (0x11-0x14), Discover Attributes Extended (0x15/0x16);
//! ZCL rev 6+ 2.5.12-2.5.22.

use super::Status;
use crate::zcl::field::payload;

payload! {
    /// Default Response: the command answered and its status.
    DefaultResponse { command: u8, status: Status }
}

payload! {
    /// Discover Attributes (and Extended): start id and how many to return.
    DiscoverAttributes { start: u16, max: u8 }
}

payload! {
    /// An attribute id with its type (Discover Attributes Response record).
    AttributeInfo { id: u16, data_type: u8 }
}

payload! {
    /// Discover Attributes Response.
    DiscoverAttributesResponse { complete: u8, attributes: Vec<AttributeInfo> }
}

payload! {
    /// An attribute id, type and access control bits (extended record).
    AttributeInfoExtended { id: u16, data_type: u8, access: u8 }
}

payload! {
    /// Discover Attributes Extended Response.
    DiscoverAttributesExtendedResponse { complete: u8, attributes: Vec<AttributeInfoExtended> }
}

payload! {
    /// Discover Commands Received/Generated: start command id and how many to return.
    DiscoverCommands { start: u8, max: u8 }
}

payload! {
    /// Discover Commands Received/Generated Response.
    DiscoverCommandsResponse { complete: u8, commands: Vec<u8> }
}
