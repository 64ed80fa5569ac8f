//! End device timeout request, NWK command 0x0b (Zigbee PRO R22 3.4.11).
//!
//! `| requested timeout 1 | end device configuration 1 |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// Requested end device timeout (Zigbee PRO R22 Table 3-54): 10 s, or 2^n minutes for n = 1..14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndDeviceTimeout {
    /// Value 0: 10 seconds.
    Seconds10,
    /// Values 1–14: 2^n minutes (2 min .. 16384 min); holds n.
    Minutes(u8),
    /// Any other value.
    Unknown(u8),
}

impl EndDeviceTimeout {
    /// From the byte value.
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => EndDeviceTimeout::Seconds10,
            1..=14 => EndDeviceTimeout::Minutes(v),
            v => EndDeviceTimeout::Unknown(v),
        }
    }

    /// The byte value.
    pub fn to_u8(self) -> u8 {
        match self {
            EndDeviceTimeout::Seconds10 => 0,
            EndDeviceTimeout::Minutes(n) | EndDeviceTimeout::Unknown(n) => n,
        }
    }

    /// The timeout in seconds, for known values.
    pub fn seconds(self) -> Option<u32> {
        match self {
            EndDeviceTimeout::Seconds10 => Some(10),
            EndDeviceTimeout::Minutes(n @ 1..=14) => Some(60 << n),
            _ => None,
        }
    }
}

/// An end device timeout request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EndDeviceTimeoutRequest {
    /// Requested timeout.
    pub timeout: EndDeviceTimeout,
    /// End device configuration (reserved, 0 in R22).
    pub configuration: u8,
}

impl Wire for EndDeviceTimeoutRequest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(EndDeviceTimeoutRequest {
            timeout: EndDeviceTimeout::from_u8(r.u8("requested timeout")?),
            configuration: r.u8("end device configuration")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.timeout.to_u8());
        w.u8(self.configuration);
    }
}
