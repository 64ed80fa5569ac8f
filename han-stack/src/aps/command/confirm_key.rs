//! APS Confirm Key (Zigbee PRO R22 4.4.10.8): status, key type, destination EUI-64.

use super::{ApsStatus, KeyType};
use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The Confirm Key command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConfirmKey {
    /// Outcome of the verification.
    pub status: ApsStatus,
    /// The key that was verified.
    pub key_type: KeyType,
    /// The device that sent Verify Key.
    pub dest: ExtAddr,
}

impl Wire for ConfirmKey {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ConfirmKey {
            status: ApsStatus::from_value(r.u8("confirm key status")?),
            key_type: KeyType::from_value(r.u8("key type")?),
            dest: ExtAddr::parse(r)?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        w.u8(self.key_type.value());
        self.dest.emit(w);
    }
}
