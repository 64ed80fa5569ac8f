//! ZDP address discovery and announcement: NWK_addr, IEEE_addr, Device_annce
//! (Zigbee PRO R22 2.4.3.1.1–2.4.3.1.2, 2.4.3.1.11, 2.4.4.2.1–2.4.4.2.2).

use bitflags::bitflags;

use super::{ZdpStatus, optional};
use crate::error::Result;
use crate::wire::wire_enum;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

wire_enum! {
    /// Whether an address request wants the associated-device list too.
    pub enum RequestType: u8 {
        /// Just the device.
        Single = 0x00 => "Single Device Response",
        /// The device and its associated devices.
        Extended = 0x01 => "Extended Response",
    }
}

bitflags! {
    /// MAC capability information (IEEE 802.15.4-2015 7.5.4.2), as carried by ZDP.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Capability: u8 {
        /// Able to act as an alternate PAN coordinator.
        const ALTERNATE_PAN_COORDINATOR = 0x01;
        /// Full-function device (a router).
        const FULL_FUNCTION_DEVICE = 0x02;
        /// Mains powered.
        const MAINS_POWERED = 0x04;
        /// Receiver on when idle.
        const RX_ON_WHEN_IDLE = 0x08;
        /// Capable of MAC security.
        const SECURITY = 0x40;
        /// Asks the parent to allocate a short address.
        const ALLOCATE_ADDRESS = 0x80;
    }
}

/// NWK_addr_req: find the network address of an EUI-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NwkAddrReq {
    /// The device looked for.
    pub ieee: ExtAddr,
    /// Single or extended response.
    pub request_type: RequestType,
    /// First associated device wanted in an extended response.
    pub start_index: u8,
}

impl Wire for NwkAddrReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(NwkAddrReq {
            ieee: ExtAddr::parse(r)?,
            request_type: RequestType::from_value(r.u8("request type")?),
            start_index: r.u8("start index")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.ieee.emit(w);
        w.u8(self.request_type.value());
        w.u8(self.start_index);
    }
}

/// IEEE_addr_req: find the EUI-64 of a network address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IeeeAddrReq {
    /// The network address of interest.
    pub nwk: u16,
    /// Single or extended response.
    pub request_type: RequestType,
    /// First associated device wanted in an extended response.
    pub start_index: u8,
}

impl Wire for IeeeAddrReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(IeeeAddrReq {
            nwk: r.u16("network address of interest")?,
            request_type: RequestType::from_value(r.u8("request type")?),
            start_index: r.u8("start index")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.nwk);
        w.u8(self.request_type.value());
        w.u8(self.start_index);
    }
}

/// The associated-device part of an extended address response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssociatedDevices {
    /// Index of the first listed device.
    pub start_index: u8,
    /// Network addresses of associated devices (at most 255).
    pub devices: Vec<u16>,
}

/// NWK_addr_rsp and IEEE_addr_rsp (same layout).
///
/// Fields after the status are optional and read while bytes remain, as
/// Wireshark does; a later field is only present when the earlier ones are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddrRsp {
    /// Outcome.
    pub status: ZdpStatus,
    /// The remote device's EUI-64.
    pub ieee: Option<ExtAddr>,
    /// The remote device's network address.
    pub nwk: Option<u16>,
    /// Associated devices, in extended responses.
    pub associated: Option<AssociatedDevices>,
}

impl Wire for AddrRsp {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let ieee = optional(r, ExtAddr::parse)?;
        let nwk = optional(r, |r| r.u16("remote network address"))?;
        let associated = optional(r, |r| {
            let count = r.u8("associated device count")?;
            let start_index = r.u8("start index")?;
            let devices = (0..count)
                .map(|_| r.u16("associated device"))
                .collect::<Result<_>>()?;
            Ok(AssociatedDevices {
                start_index,
                devices,
            })
        })?;
        Ok(AddrRsp {
            status,
            ieee,
            nwk,
            associated,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(ieee) = self.ieee {
            ieee.emit(w);
        }
        if let Some(nwk) = self.nwk {
            w.u16(nwk);
        }
        if let Some(a) = &self.associated {
            w.u8(a.devices.len() as u8);
            w.u8(a.start_index);
            for d in &a.devices {
                w.u16(*d);
            }
        }
    }
}

/// Device_annce: a device announces itself after joining or rejoining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceAnnce {
    /// Its network address.
    pub nwk: u16,
    /// Its EUI-64.
    pub ieee: ExtAddr,
    /// Its MAC capability.
    pub capability: Capability,
}

impl Wire for DeviceAnnce {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(DeviceAnnce {
            nwk: r.u16("network address")?,
            ieee: ExtAddr::parse(r)?,
            capability: Capability::from_bits_retain(r.u8("capability")?),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.nwk);
        self.ieee.emit(w);
        w.u8(self.capability.bits());
    }
}
