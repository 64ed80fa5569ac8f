//! Route reply, NWK command 0x02 (Zigbee PRO R22 3.4.2).
//!
//! `| options 1 | route request id 1 | originator 2 | responder 2 | path cost 1 | [originator EUI-64 8] | [responder EUI-64 8] |`

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

bitflags! {
    /// Route reply command options; reserved bits are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RouteReplyOptions: u8 {
        /// The originator EUI-64 is present.
        const ORIGINATOR_IEEE = 0x10;
        /// The responder EUI-64 is present.
        const RESPONDER_IEEE = 0x20;
        /// The route request was for a multicast group.
        const MULTICAST = 0x40;
    }
}

/// A route reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteReply {
    /// Options.
    pub options: RouteReplyOptions,
    /// Identifier of the route request answered.
    pub id: u8,
    /// Originator of the route request.
    pub originator: u16,
    /// Responder (the destination of the route request).
    pub responder: u16,
    /// Path cost.
    pub path_cost: u8,
    /// Originator EUI-64, present with `ORIGINATOR_IEEE`.
    pub originator64: Option<ExtAddr>,
    /// Responder EUI-64, present with `RESPONDER_IEEE`.
    pub responder64: Option<ExtAddr>,
}

impl Wire for RouteReply {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let options = RouteReplyOptions::from_bits_retain(r.u8("route reply options")?);
        let id = r.u8("route request id")?;
        let originator = r.u16("originator address")?;
        let responder = r.u16("responder address")?;
        let path_cost = r.u8("path cost")?;
        let originator64 = if options.contains(RouteReplyOptions::ORIGINATOR_IEEE) {
            Some(ExtAddr::parse(r)?)
        } else {
            None
        };
        let responder64 = if options.contains(RouteReplyOptions::RESPONDER_IEEE) {
            Some(ExtAddr::parse(r)?)
        } else {
            None
        };
        Ok(RouteReply {
            options,
            id,
            originator,
            responder,
            path_cost,
            originator64,
            responder64,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.options.bits());
        w.u8(self.id);
        w.u16(self.originator);
        w.u16(self.responder);
        w.u8(self.path_cost);
        if self.options.contains(RouteReplyOptions::ORIGINATOR_IEEE) {
            self.originator64.unwrap_or_default().emit(w);
        }
        if self.options.contains(RouteReplyOptions::RESPONDER_IEEE) {
            self.responder64.unwrap_or_default().emit(w);
        }
    }
}
