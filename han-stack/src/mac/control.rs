//! Frame control field pieces (IEEE 802.15.4-2015 7.2.1).

use bitflags::bitflags;

/// Frame type, bits 0–2 of the frame control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// Beacon.
    Beacon = 0,
    /// Data.
    Data = 1,
    /// Acknowledgment.
    Ack = 2,
    /// MAC command.
    Command = 3,
    /// Reserved value 4.
    Reserved4 = 4,
    /// Multipurpose (2015, own short frame control layout).
    Multipurpose = 5,
    /// Fragment / Frak (2015).
    Fragment = 6,
    /// Extended frame type (2015).
    Extended = 7,
}

impl FrameType {
    /// From the three-bit field value (only the low three bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 7 {
            0 => FrameType::Beacon,
            1 => FrameType::Data,
            2 => FrameType::Ack,
            3 => FrameType::Command,
            4 => FrameType::Reserved4,
            5 => FrameType::Multipurpose,
            6 => FrameType::Fragment,
            _ => FrameType::Extended,
        }
    }

    /// The three-bit field value.
    pub fn bits(self) -> u8 {
        self as u8
    }

    /// True for the types that use the general MAC frame layout this codec decodes.
    pub fn has_general_layout(self) -> bool {
        matches!(
            self,
            FrameType::Beacon | FrameType::Data | FrameType::Ack | FrameType::Command
        )
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self {
            FrameType::Beacon => "Beacon",
            FrameType::Data => "Data",
            FrameType::Ack => "Ack",
            FrameType::Command => "Command",
            FrameType::Reserved4 => "Reserved",
            FrameType::Multipurpose => "Multipurpose",
            FrameType::Fragment => "Fragment or Frak",
            FrameType::Extended => "Extended",
        }
    }
}

/// Frame version, bits 12–13 of the frame control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameVersion {
    /// IEEE 802.15.4-2003.
    V2003 = 0,
    /// IEEE 802.15.4-2006.
    V2006 = 1,
    /// IEEE 802.15.4-2015.
    V2015 = 2,
    /// Reserved value 3.
    Reserved = 3,
}

impl FrameVersion {
    /// From the two-bit field value (only the low two bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => FrameVersion::V2003,
            1 => FrameVersion::V2006,
            2 => FrameVersion::V2015,
            _ => FrameVersion::Reserved,
        }
    }

    /// The two-bit field value.
    pub fn bits(self) -> u8 {
        self as u8
    }
}

bitflags! {
    /// Single-bit frame control flags (bits 3–9). For frame types without the
    /// general layout, the address-mode bits are kept here too as retained bits.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FrameFlags: u16 {
        /// Security enabled: an auxiliary security header follows the addressing fields.
        const SECURITY = 0x0008;
        /// The sender has more data for the recipient.
        const FRAME_PENDING = 0x0010;
        /// The recipient must acknowledge.
        const ACK_REQUEST = 0x0020;
        /// PAN ID compression (intra-PAN).
        const PAN_ID_COMPRESSION = 0x0040;
        /// Reserved bit 7.
        const RESERVED = 0x0080;
        /// Sequence number suppressed (2015).
        const SEQ_SUPPRESSION = 0x0100;
        /// Information elements present (2015).
        const IE_PRESENT = 0x0200;
    }
}
