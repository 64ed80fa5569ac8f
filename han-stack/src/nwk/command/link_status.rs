//! Link status, NWK command 0x08 (Zigbee PRO R22 3.4.8).
//!
//! `| options 1 (count bits 0–4, first 0x20, last 0x40) | entries 3·n (address 2, costs 1) |`

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

bitflags! {
    /// Link status option bits above the 5-bit entry count; reserved bit 7 is retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct LinkStatusOptions: u8 {
        /// First frame of the sender's link status set.
        const FIRST_FRAME = 0x20;
        /// Last frame of the sender's link status set.
        const LAST_FRAME = 0x40;
    }
}

/// One neighbour's link costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkStatusEntry {
    /// Neighbour short address.
    pub addr: u16,
    /// Incoming cost, bits 0–2.
    pub incoming_cost: u8,
    /// Outgoing cost, bits 4–6.
    pub outgoing_cost: u8,
    /// Reserved bits 3 and 7, kept in place (mask 0x88).
    pub reserved: u8,
}

/// A link status command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkStatus {
    /// Option flags (the count comes from `entries`).
    pub options: LinkStatusOptions,
    /// Up to 31 entries.
    pub entries: Vec<LinkStatusEntry>,
}

impl Wire for LinkStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let o = r.u8("link status options")?;
        let entries = (0..o & 0x1f)
            .map(|_| {
                let addr = r.u16("link status address")?;
                let c = r.u8("link costs")?;
                Ok(LinkStatusEntry {
                    addr,
                    incoming_cost: c & 7,
                    outgoing_cost: (c >> 4) & 7,
                    reserved: c & 0x88,
                })
            })
            .collect::<Result<_>>()?;
        Ok(LinkStatus {
            options: LinkStatusOptions::from_bits_retain(o & 0xe0),
            entries,
        })
    }

    // The count is 5 bits: at most 31 entries are emitted.
    fn emit(&self, w: &mut Writer) {
        let n = self.entries.len().min(31);
        w.u8(n as u8 | (self.options.bits() & 0xe0));
        for e in self.entries.iter().take(n) {
            w.u16(e.addr);
            w.u8((e.incoming_cost & 7) | (e.outgoing_cost & 7) << 4 | (e.reserved & 0x88));
        }
    }
}
