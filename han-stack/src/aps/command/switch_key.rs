//! APS Switch Key (Zigbee PRO R22 4.4.10.5): the sequence number of the network key to use.

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// The Switch Key command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SwitchKey {
    /// Key sequence number to make active.
    pub seq: u8,
}

impl Wire for SwitchKey {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(SwitchKey {
            seq: r.u8("key sequence number")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.seq);
    }
}
