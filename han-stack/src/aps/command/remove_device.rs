//! APS Remove Device (Zigbee PRO R22 4.4.10.3): the EUI-64 of the child to remove.

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The Remove Device command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoveDevice {
    /// The device the router must ask to leave.
    pub target: ExtAddr,
}

impl Wire for RemoveDevice {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(RemoveDevice {
            target: ExtAddr::parse(r)?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.target.emit(w);
    }
}
