//! ZCL status codes (ZCL rev 6+ 2.6.3, table 2-12).

use crate::error::Result;
use crate::wire::{Reader, Writer};
use crate::zcl::field::Field;

/// A ZCL status code; every byte value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Status(pub u8);

impl Status {
    /// Success (0x00).
    pub const SUCCESS: Status = Status(0x00);
    /// Failure (0x01).
    pub const FAILURE: Status = Status(0x01);
    /// Unsupported attribute (0x86).
    pub const UNSUPPORTED_ATTRIBUTE: Status = Status(0x86);

    /// True for SUCCESS.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self.0 {
            0x00 => "Success",
            0x01 => "Failure",
            0x7e => "Not Authorized",
            0x7f => "Reserved Field Not Zero",
            0x80 => "Malformed Command",
            0x81 => "Unsupported Cluster Command",
            0x82 => "Unsupported General Command",
            0x83 => "Unsupported Manufacturer Cluster Command",
            0x84 => "Unsupported Manufacturer General Command",
            0x85 => "Invalid Field",
            0x86 => "Unsupported Attribute",
            0x87 => "Invalid Value",
            0x88 => "Read Only",
            0x89 => "Insufficient Space",
            0x8a => "Duplicate Exists",
            0x8b => "Not Found",
            0x8c => "Unreportable Attribute",
            0x8d => "Invalid Data Type",
            0x8e => "Invalid Selector",
            0x8f => "Write Only",
            0x90 => "Inconsistent Startup State",
            0x91 => "Defined Out of Band",
            0x92 => "Inconsistent Value",
            0x93 => "Action Denied",
            0x94 => "Timeout",
            0x95 => "Ota Abort",
            0x96 => "Ota Invalid Image",
            0x97 => "Ota Wait For Data",
            0x98 => "Ota No Image Available",
            0x99 => "Ota Require More Image",
            0x9a => "Ota Notification Pending",
            0xc0 => "Hardware Failure",
            0xc1 => "Software Failure",
            0xc2 => "Calibration Error",
            0xc3 => "Unsupported Cluster",
            0xc4 => "Limit Reached",
            _ => "Unknown",
        }
    }
}

impl Field for Status {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Status(r.u8("ZCL status")?))
    }
    fn write(&self, w: &mut Writer) {
        w.u8(self.0);
    }
}
