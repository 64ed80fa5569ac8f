//! Network status, NWK command 0x03 (Zigbee PRO R22 3.4.3).
//!
//! `| status code 1 | destination 2 | [status-specific fields] |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// Network status codes (Zigbee PRO R22 Table 3-47); names as Wireshark prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkStatusCode {
    /// 0x00.
    NoRouteAvailable,
    /// 0x01.
    TreeLinkFailure,
    /// 0x02.
    NonTreeLinkFailure,
    /// 0x03.
    LowBatteryLevel,
    /// 0x04.
    NoRoutingCapacity,
    /// 0x05.
    NoIndirectCapacity,
    /// 0x06.
    IndirectTransactionExpiry,
    /// 0x07.
    TargetDeviceUnavailable,
    /// 0x08.
    TargetAddressUnallocated,
    /// 0x09.
    ParentLinkFailure,
    /// 0x0a.
    ValidateRoute,
    /// 0x0b.
    SourceRouteFailure,
    /// 0x0c.
    ManyToOneRouteFailure,
    /// 0x0d.
    AddressConflict,
    /// 0x0e.
    VerifyAddresses,
    /// 0x0f.
    PanIdentifierUpdate,
    /// 0x10.
    NetworkAddressUpdate,
    /// 0x11.
    BadFrameCounter,
    /// 0x12.
    BadKeySequenceNumber,
    /// 0x13.
    UnknownCommand,
    /// Any other value.
    Unknown(u8),
}

const CODES: [NetworkStatusCode; 20] = [
    NetworkStatusCode::NoRouteAvailable,
    NetworkStatusCode::TreeLinkFailure,
    NetworkStatusCode::NonTreeLinkFailure,
    NetworkStatusCode::LowBatteryLevel,
    NetworkStatusCode::NoRoutingCapacity,
    NetworkStatusCode::NoIndirectCapacity,
    NetworkStatusCode::IndirectTransactionExpiry,
    NetworkStatusCode::TargetDeviceUnavailable,
    NetworkStatusCode::TargetAddressUnallocated,
    NetworkStatusCode::ParentLinkFailure,
    NetworkStatusCode::ValidateRoute,
    NetworkStatusCode::SourceRouteFailure,
    NetworkStatusCode::ManyToOneRouteFailure,
    NetworkStatusCode::AddressConflict,
    NetworkStatusCode::VerifyAddresses,
    NetworkStatusCode::PanIdentifierUpdate,
    NetworkStatusCode::NetworkAddressUpdate,
    NetworkStatusCode::BadFrameCounter,
    NetworkStatusCode::BadKeySequenceNumber,
    NetworkStatusCode::UnknownCommand,
];

const NAMES: [&str; 20] = [
    "No Route Available",
    "Tree Link Failure",
    "Non-tree Link Failure",
    "Low Battery",
    "No Routing Capacity",
    "No Indirect Capacity",
    "Indirect Transaction Expiry",
    "Target Device Unavailable",
    "Target Address Unallocated",
    "Parent Link Failure",
    "Validate Route",
    "Source Route Failure",
    "Many-to-One Route Failure",
    "Address Conflict",
    "Verify Address",
    "PAN ID Update",
    "Network Address Update",
    "Bad Frame Counter",
    "Bad Key Sequence Number",
    "Unknown Command",
];

impl NetworkStatusCode {
    /// From the byte value.
    pub fn from_u8(v: u8) -> Self {
        CODES
            .get(usize::from(v))
            .copied()
            .unwrap_or(NetworkStatusCode::Unknown(v))
    }

    /// The byte value.
    pub fn to_u8(self) -> u8 {
        match self {
            NetworkStatusCode::Unknown(v) => v,
            known => CODES.iter().position(|c| *c == known).unwrap_or(0) as u8,
        }
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self {
            NetworkStatusCode::Unknown(_) => "Unknown",
            known => NAMES
                .get(usize::from(known.to_u8()))
                .copied()
                .unwrap_or("Unknown"),
        }
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
