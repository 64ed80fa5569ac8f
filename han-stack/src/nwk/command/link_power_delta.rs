//! Link power delta, NWK command 0x0d (Zigbee PRO R22 3.4.13).
//!
//! `| options 1 (type bits 0–1) | list count 1 | entries 3·n (address 2, power delta 1 signed dB) |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// One neighbour's requested transmit power change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerDelta {
    /// Neighbour short address.
    pub addr: u16,
    /// Power change in dB.
    pub delta: i8,
}

/// A link power delta command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkPowerDelta {
    /// Options byte: bits 0–1 type (0 notification, 1 request, 2 response), others reserved.
    pub options: u8,
    /// Up to 255 entries.
    pub entries: Vec<PowerDelta>,
}

impl LinkPowerDelta {
    /// The command type, options bits 0–1.
    pub fn kind(&self) -> u8 {
        self.options & 3
    }
}

impl Wire for LinkPowerDelta {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let options = r.u8("link power delta options")?;
        let n = r.u8("power list count")?;
        let entries = (0..n)
            .map(|_| {
                Ok(PowerDelta {
                    addr: r.u16("power list address")?,
                    delta: r.u8("power delta")? as i8,
                })
            })
            .collect::<Result<_>>()?;
        Ok(LinkPowerDelta { options, entries })
    }

    // The count is one byte: at most 255 entries are emitted.
    fn emit(&self, w: &mut Writer) {
        let n = self.entries.len().min(255);
        w.u8(self.options);
        w.u8(n as u8);
        for e in self.entries.iter().take(n) {
            w.u16(e.addr);
            w.u8(e.delta as u8);
        }
    }
}
