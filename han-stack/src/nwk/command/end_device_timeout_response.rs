//! End device timeout response, NWK command 0x0c (Zigbee PRO R22 3.4.12).
//!
//! `| status 1 | parent information 1 |`

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

wire_enum! {
    /// End device timeout response status.
    pub enum EndDeviceTimeoutStatus: u8 as from_u8 / to_u8 {
        /// 0: success.
        Success = 0,
        /// 1: the requested timeout value is not valid.
        IncorrectValue = 1,
    }
}

bitflags! {
    /// Parent information; reserved bits are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ParentInfo: u8 {
        /// MAC data poll keepalive supported.
        const MAC_DATA_POLL_KEEPALIVE = 0x01;
        /// End device timeout request keepalive supported.
        const TIMEOUT_REQUEST_KEEPALIVE = 0x02;
        /// Power negotiation supported (R22).
        const POWER_NEGOTIATION = 0x04;
    }
}

/// An end device timeout response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EndDeviceTimeoutResponse {
    /// Status.
    pub status: EndDeviceTimeoutStatus,
    /// What keepalive methods the parent supports.
    pub parent_info: ParentInfo,
}

impl Wire for EndDeviceTimeoutResponse {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(EndDeviceTimeoutResponse {
            status: EndDeviceTimeoutStatus::from_u8(r.u8("timeout response status")?),
            parent_info: ParentInfo::from_bits_retain(r.u8("parent information")?),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.to_u8());
        w.u8(self.parent_info.bits());
    }
}
