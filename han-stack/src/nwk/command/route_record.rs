//! Route record, NWK command 0x05 (Zigbee PRO R22 3.4.5).
//!
//! `| relay count 1 | relay list 2·n |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// A route record: the relays a frame passed through, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RouteRecord {
    /// Relay short addresses.
    pub relays: Vec<u16>,
}

impl Wire for RouteRecord {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let n = r.u8("relay count")?;
        let relays = (0..n)
            .map(|_| r.u16("relay address"))
            .collect::<Result<_>>()?;
        Ok(RouteRecord { relays })
    }

    // The count is one byte: at most 255 relays are emitted.
    fn emit(&self, w: &mut Writer) {
        let n = self.relays.len().min(255);
        w.u8(n as u8);
        for a in self.relays.iter().take(n) {
            w.u16(*a);
        }
    }
}
