//! Key types and APS status values shared by several APS commands
//! (Zigbee PRO R22 4.4.10, Wireshark `zbee_aps.cmd.key_type` / `zbee_aps.cmd.status`).

use crate::wire::wire_enum;

wire_enum! {
    /// The key type carried by Transport Key, Request Key, Verify Key and Confirm Key.
    pub enum KeyType: u8 {
        /// Trust Center master key (Zigbee 2006 high security).
        TrustCenterMaster = 0x00 => "Trust Center Master Key",
        /// Standard network key.
        StandardNetwork = 0x01 => "Standard Network Key",
        /// Application master key (application link key in Request Key).
        ApplicationMaster = 0x02 => "Application Master Key",
        /// Application link key.
        ApplicationLink = 0x03 => "Application Link Key",
        /// Trust Center link key.
        TrustCenterLink = 0x04 => "Trust Center Link Key",
        /// High-security network key.
        HighSecurityNetwork = 0x05 => "High-Security Network Key",
    }
}

wire_enum! {
    /// APS status codes (Zigbee PRO R22 table 2-27), as in Confirm Key.
    pub enum ApsStatus: u8 {
        /// Success.
        Success = 0x00 => "SUCCESS",
        /// ASDU too long.
        AsduTooLong = 0xa0 => "ASDU_TOO_LONG",
        /// Defragmentation deferred.
        DefragDeferred = 0xa1 => "DEFRAG_DEFERRED",
        /// Defragmentation unsupported.
        DefragUnsupported = 0xa2 => "DEFRAG_UNSUPPORTED",
        /// Illegal request.
        IllegalRequest = 0xa3 => "ILLEGAL_REQUEST",
        /// Invalid binding.
        InvalidBinding = 0xa4 => "INVALID_BINDING",
        /// Invalid group.
        InvalidGroup = 0xa5 => "INVALID_GROUP",
        /// Invalid parameter.
        InvalidParameter = 0xa6 => "INVALID_PARAMETER",
        /// No acknowledgement.
        NoAck = 0xa7 => "NO_ACK",
        /// No bound device.
        NoBoundDevice = 0xa8 => "NO_BOUND_DEVICE",
        /// No short address.
        NoShortAddress = 0xa9 => "NO_SHORT_ADDRESS",
        /// Not supported.
        NotSupported = 0xaa => "NOT_SUPPORTED",
        /// Secured with a link key.
        SecuredLinkKey = 0xab => "SECURED_LINK_KEY",
        /// Secured with the network key.
        SecuredNwkKey = 0xac => "SECURED_NWK_KEY",
        /// Security failure.
        SecurityFail = 0xad => "SECURITY_FAIL",
        /// Table full.
        TableFull = 0xae => "TABLE_FULL",
        /// Unsecured.
        Unsecured = 0xaf => "UNSECURED",
        /// Unsupported attribute.
        UnsupportedAttribute = 0xb0 => "UNSUPPORTED_ATTRIBUTE",
    }
}
