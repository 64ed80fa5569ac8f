//! Leave, NWK command 0x04 (Zigbee PRO R22 3.4.4): one options byte.

use bitflags::bitflags;

bitflags! {
    /// Leave command options; reserved bits 0–4 are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct LeaveOptions: u8 {
        /// The device will rejoin after leaving.
        const REJOIN = 0x20;
        /// A request for the recipient to leave (rather than an indication).
        const REQUEST = 0x40;
        /// The device's children leave too.
        const REMOVE_CHILDREN = 0x80;
    }
}
