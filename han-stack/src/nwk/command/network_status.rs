//! Network status, NWK command 0x03 (Zigbee PRO R22 3.4.3).
//!
//! `| status code 1 | destination 2 | [status-specific fields] |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

wire_enum! {
    /// Network status codes (Zigbee PRO R22 Table 3-47); names as Wireshark prints them.
    pub enum NetworkStatusCode: u8 as from_u8 / to_u8 {
        /// 0x00.
        NoRouteAvailable = 0x00 => "No Route Available",
        /// 0x01.
        TreeLinkFailure = 0x01 => "Tree Link Failure",
        /// 0x02.
        NonTreeLinkFailure = 0x02 => "Non-tree Link Failure",
        /// 0x03.
        LowBatteryLevel = 0x03 => "Low Battery",
        /// 0x04.
        NoRoutingCapacity = 0x04 => "No Routing Capacity",
        /// 0x05.
        NoIndirectCapacity = 0x05 => "No Indirect Capacity",
        /// 0x06.
        IndirectTransactionExpiry = 0x06 => "Indirect Transaction Expiry",
        /// 0x07.
        TargetDeviceUnavailable = 0x07 => "Target Device Unavailable",
        /// 0x08.
        TargetAddressUnallocated = 0x08 => "Target Address Unallocated",
        /// 0x09.
        ParentLinkFailure = 0x09 => "Parent Link Failure",
        /// 0x0a.
        ValidateRoute = 0x0a => "Validate Route",
        /// 0x0b.
        SourceRouteFailure = 0x0b => "Source Route Failure",
        /// 0x0c.
        ManyToOneRouteFailure = 0x0c => "Many-to-One Route Failure",
        /// 0x0d.
        AddressConflict = 0x0d => "Address Conflict",
        /// 0x0e.
        VerifyAddresses = 0x0e => "Verify Address",
        /// 0x0f.
        PanIdentifierUpdate = 0x0f => "PAN ID Update",
        /// 0x10.
        NetworkAddressUpdate = 0x10 => "Network Address Update",
        /// 0x11.
        BadFrameCounter = 0x11 => "Bad Frame Counter",
        /// 0x12.
        BadKeySequenceNumber = 0x12 => "Bad Key Sequence Number",
        /// 0x13.
        UnknownCommand = 0x13 => "Unknown Command",
    }
}

/// A network status command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NetworkStatus {
    /// Status code.
    pub status: NetworkStatusCode,
    /// The destination address the status is about.
    pub dst: u16,
    /// Status-specific trailing fields added by R22 (e.g. the unknown command
    /// identifier for 0x13), kept raw: present by length.
    pub extra: Vec<u8>,
}

impl Wire for NetworkStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(NetworkStatus {
            status: NetworkStatusCode::from_u8(r.u8("network status code")?),
            dst: r.u16("destination address")?,
            extra: r.rest().to_vec(),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.to_u8());
        w.u16(self.dst);
        w.bytes(&self.extra);
    }
}
