//! MAC addressing modes and addresses (IEEE 802.15.4-2015 7.2.2.9).

use core::fmt;

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The two-bit addressing mode of the frame control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrMode {
    /// No address (and no PAN ID) present.
    None = 0,
    /// Reserved value; frames using it are rejected as malformed.
    Reserved = 1,
    /// 16-bit short address.
    Short = 2,
    /// 64-bit extended address.
    Extended = 3,
}

impl AddrMode {
    /// From the two-bit field value (only the low two bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => AddrMode::None,
            1 => AddrMode::Reserved,
            2 => AddrMode::Short,
            _ => AddrMode::Extended,
        }
    }

    /// The two-bit field value.
    pub fn bits(self) -> u8 {
        self as u8
    }
}

/// A MAC source or destination address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Address {
    /// Absent.
    #[default]
    None,
    /// A 16-bit short address (0xffff broadcast, 0xfffe "none assigned").
    Short(u16),
    /// A 64-bit extended address.
    Extended(ExtAddr),
}

impl Address {
    /// The broadcast short address.
    pub const BROADCAST: Address = Address::Short(0xffff);

    /// The addressing mode that carries this address.
    pub fn mode(&self) -> AddrMode {
        match self {
            Address::None => AddrMode::None,
            Address::Short(_) => AddrMode::Short,
            Address::Extended(_) => AddrMode::Extended,
        }
    }

    /// True when no address is present.
    pub fn is_none(&self) -> bool {
        matches!(self, Address::None)
    }

    /// Read an address of the given mode; the reserved mode is malformed.
    pub fn parse(r: &mut Reader<'_>, mode: AddrMode) -> Result<Self> {
        match mode {
            AddrMode::None => Ok(Address::None),
            AddrMode::Reserved => Err(r.malformed("address", "reserved addressing mode 1")),
            AddrMode::Short => Ok(Address::Short(r.u16("short address")?)),
            AddrMode::Extended => Ok(Address::Extended(ExtAddr::parse(r)?)),
        }
    }

    /// Append the address bytes (nothing for `None`).
    pub fn emit(&self, w: &mut Writer) {
        match self {
            Address::None => {}
            Address::Short(a) => w.u16(*a),
            Address::Extended(a) => a.emit(w),
        }
    }

    /// Bytes the address takes on air.
    pub fn wire_len(&self) -> usize {
        match self {
            Address::None => 0,
            Address::Short(_) => 2,
            Address::Extended(_) => 8,
        }
    }
}

impl fmt::Display for Address {
    /// Formats as tshark does: `0x796f`, `00:0d:6f:...`, or nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::None => Ok(()),
            Address::Short(a) => write!(f, "0x{a:04x}"),
            Address::Extended(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_like_tshark() {
        assert_eq!(Address::Short(0x796f).to_string(), "0x796f");
        assert_eq!(Address::Short(0x1).to_string(), "0x0001");
        assert_eq!(
            Address::Extended(ExtAddr(0x000d6f000a901b42)).to_string(),
            "00:0d:6f:00:0a:90:1b:42"
        );
        assert_eq!(Address::None.to_string(), "");
    }

    #[test]
    fn reserved_mode_is_malformed() {
        let mut r = Reader::new(&[1, 2]);
        assert!(Address::parse(&mut r, AddrMode::Reserved).is_err());
    }
}
