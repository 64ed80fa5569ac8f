//! Rejoin response, NWK command 0x07 (Zigbee PRO R22 3.4.7).
//!
//! `| network address 2 | rejoin status 1 |` (status values as MAC association status)

use crate::error::Result;
use crate::mac::AssociationStatus;
use crate::wire::{Reader, Wire, Writer};

/// A rejoin response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RejoinResponse {
    /// The rejoining device's (possibly new) short address.
    pub short_addr: u16,
    /// Outcome.
    pub status: AssociationStatus,
}

impl Wire for RejoinResponse {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(RejoinResponse {
            short_addr: r.u16("network address")?,
            status: AssociationStatus::from_u8(r.u8("rejoin status")?),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.short_addr);
        w.u8(self.status.to_u8());
    }
}
