//! Route request, NWK command 0x01 (Zigbee PRO R22 3.4.1).
//!
//! `| options 1 | route request id 1 | destination 2 | path cost 1 | [destination EUI-64 8] |`

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

bitflags! {
    /// Route request command options; reserved bits are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RouteRequestOptions: u8 {
        /// Many-to-one, the sender keeps a route record table (many-to-one field value 1).
        const MANY_TO_ONE_SOURCE_ROUTE = 0x08;
        /// Many-to-one, no route record table (many-to-one field value 2).
        const MANY_TO_ONE_NO_SOURCE_ROUTE = 0x10;
        /// The destination EUI-64 is present.
        const DEST_IEEE = 0x20;
        /// The destination is a multicast group.
        const MULTICAST = 0x40;
    }
}

impl RouteRequestOptions {
    /// The two-bit many-to-one field (0 not many-to-one, 1 with route record table, 2 without).
    pub fn many_to_one(self) -> u8 {
        (self.bits() >> 3) & 3
    }
}

/// A route request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteRequest {
    /// Options.
    pub options: RouteRequestOptions,
    /// Route request identifier.
    pub id: u8,
    /// Destination short address (or group id when multicast).
    pub dst: u16,
    /// Path cost so far.
    pub path_cost: u8,
    /// Destination EUI-64, present with `DEST_IEEE`.
    pub dst64: Option<ExtAddr>,
}

impl Wire for RouteRequest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let options = RouteRequestOptions::from_bits_retain(r.u8("route request options")?);
        Ok(RouteRequest {
            options,
            id: r.u8("route request id")?,
            dst: r.u16("destination address")?,
            path_cost: r.u8("path cost")?,
            dst64: if options.contains(RouteRequestOptions::DEST_IEEE) {
                Some(ExtAddr::parse(r)?)
            } else {
                None
            },
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.options.bits());
        w.u8(self.id);
        w.u16(self.dst);
        w.u8(self.path_cost);
        if self.options.contains(RouteRequestOptions::DEST_IEEE) {
            self.dst64.unwrap_or_default().emit(w);
        }
    }
}
