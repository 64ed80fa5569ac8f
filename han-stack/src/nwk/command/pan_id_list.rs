//! The typed information list shared by network report (0x09) and network
//! update (0x0a): the options byte holds a 5-bit count and a 3-bit type, and
//! type 0 means a list of PAN IDs (Zigbee PRO R22 3.4.9, 3.4.10).

use crate::error::Result;
use crate::wire::{Reader, Writer};

/// The information list of a network report or update.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PanIdList {
    /// Type 0: PAN IDs (report: PAN ID conflicts seen; update: the new PAN ID).
    PanIds(Vec<u16>),
    /// Any other type: its count bits and the remaining bytes, kept raw.
    Other {
        /// Type, options bits 5–7.
        kind: u8,
        /// Count, options bits 0–4.
        count: u8,
        /// Information bytes.
        data: Vec<u8>,
    },
}

impl PanIdList {
    /// The options byte.
    pub fn options(&self) -> u8 {
        match self {
            PanIdList::PanIds(ids) => ids.len().min(31) as u8,
            PanIdList::Other { kind, count, .. } => (count & 0x1f) | (kind & 7) << 5,
        }
    }

    /// Read the list described by `options`; other types take the rest.
    pub fn parse(r: &mut Reader<'_>, options: u8) -> Result<Self> {
        let (count, kind) = (options & 0x1f, options >> 5);
        if kind != 0 {
            return Ok(PanIdList::Other {
                kind,
                count,
                data: r.rest().to_vec(),
            });
        }
        let ids = (0..count)
            .map(|_| r.u16("PAN identifier"))
            .collect::<Result<_>>()?;
        Ok(PanIdList::PanIds(ids))
    }

    /// Append the list (the options byte is written by the caller, see [`Self::options`]).
    pub fn emit(&self, w: &mut Writer) {
        match self {
            PanIdList::PanIds(ids) => {
                for id in ids.iter().take(31) {
                    w.u16(*id);
                }
            }
            PanIdList::Other { data, .. } => w.bytes(data),
        }
    }
}
