//! APS Verify Key (Zigbee PRO R22 4.4.10.7): key type, source EUI-64 and the
//! keyed hash of the link key over 0x03.

use super::KeyType;
use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The Verify Key command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyKey {
    /// The key being verified (normally Trust Center link key).
    pub key_type: KeyType,
    /// The sender.
    pub source: ExtAddr,
    /// HMAC-MMO(link key, 0x03).
    pub hash: [u8; 16],
}

impl Wire for VerifyKey {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(VerifyKey {
            key_type: KeyType::from_value(r.u8("key type")?),
            source: ExtAddr::parse(r)?,
            hash: r.array("key hash")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.key_type.value());
        self.source.emit(w);
        w.bytes(&self.hash);
    }
}
