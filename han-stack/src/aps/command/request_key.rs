//! APS Request Key (Zigbee PRO R22 4.4.10.4): key type, partner when an application key is asked for.

use super::KeyType;
use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The Request Key command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestKey {
    /// Requested key type (0x02 application link key, 0x04 Trust Center link key).
    pub key_type: KeyType,
    /// The partner, present exactly when `key_type` is 0x02.
    pub partner: Option<ExtAddr>,
}

impl RequestKey {
    // In Request Key the value 0x02 means "application link key" and is the
    // only type followed by a partner address (Wireshark dissects it the same way).
    fn has_partner(key_type: KeyType) -> bool {
        key_type == KeyType::ApplicationMaster
    }
}

impl Wire for RequestKey {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let key_type = KeyType::from_value(r.u8("key type")?);
        let partner = if Self::has_partner(key_type) {
            Some(ExtAddr::parse(r)?)
        } else {
            None
        };
        Ok(RequestKey { key_type, partner })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.key_type.value());
        if Self::has_partner(self.key_type) {
            self.partner.unwrap_or_default().emit(w);
        }
    }
}
