//! ZDP Bind_req / Unbind_req (Zigbee PRO R22 2.4.3.2.2–2.4.3.2.3).

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// Destination address mode: group.
const MODE_GROUP: u8 = 0x01;
/// Destination address mode: EUI-64 and endpoint.
const MODE_EXTENDED: u8 = 0x03;

/// Where a binding points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BindDestination {
    /// Address mode 0x01: a group.
    Group(u16),
    /// Address mode 0x03: a device endpoint.
    Extended {
        /// Destination EUI-64.
        addr: ExtAddr,
        /// Destination endpoint.
        endpoint: u8,
    },
    /// Any other address mode, with the bytes that follow it.
    Unknown {
        /// The address mode.
        mode: u8,
        /// The rest of the request.
        rest: Vec<u8>,
    },
}

/// Bind_req and Unbind_req (same layout).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindReq {
    /// Source EUI-64.
    pub src: ExtAddr,
    /// Source endpoint.
    pub src_endpoint: u8,
    /// Cluster bound.
    pub cluster: u16,
    /// Destination.
    pub dst: BindDestination,
}

impl Wire for BindReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let src = ExtAddr::parse(r)?;
        let src_endpoint = r.u8("source endpoint")?;
        let cluster = r.u16("cluster")?;
        let dst = match r.u8("destination address mode")? {
            MODE_GROUP => BindDestination::Group(r.u16("destination group")?),
            MODE_EXTENDED => BindDestination::Extended {
                addr: ExtAddr::parse(r)?,
                endpoint: r.u8("destination endpoint")?,
            },
            mode => BindDestination::Unknown {
                mode,
                rest: r.rest().to_vec(),
            },
        };
        Ok(BindReq {
            src,
            src_endpoint,
            cluster,
            dst,
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.src.emit(w);
        w.u8(self.src_endpoint);
        w.u16(self.cluster);
        match &self.dst {
            BindDestination::Group(g) => {
                w.u8(MODE_GROUP);
                w.u16(*g);
            }
            BindDestination::Extended { addr, endpoint } => {
                w.u8(MODE_EXTENDED);
                addr.emit(w);
                w.u8(*endpoint);
            }
            BindDestination::Unknown { mode, rest } => {
                w.u8(*mode);
                w.bytes(rest);
            }
        }
    }
}
