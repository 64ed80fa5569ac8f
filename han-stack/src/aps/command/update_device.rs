//! APS Update Device (Zigbee PRO R22 4.4.10.2): device EUI-64, short address, status.

use crate::error::Result;
use crate::wire::wire_enum;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

wire_enum! {
    /// What happened to the device (Update Device status).
    pub enum UpdateDeviceStatus: u8 {
        /// Standard security, secured rejoin.
        StandardSecuredRejoin = 0x00 => "Standard security, secured rejoin",
        /// Standard security, unsecured join.
        StandardUnsecuredJoin = 0x01 => "Standard security, unsecured join",
        /// The device left.
        DeviceLeft = 0x02 => "Device left",
        /// Standard security, unsecured rejoin.
        StandardUnsecuredRejoin = 0x03 => "Standard security, unsecured rejoin",
        /// High security, secured rejoin.
        HighSecuredRejoin = 0x04 => "High security, secured rejoin",
        /// High security, unsecured join.
        HighUnsecuredJoin = 0x05 => "High security, unsecured join",
        /// High security, unsecured rejoin.
        HighUnsecuredRejoin = 0x07 => "High security, unsecured rejoin",
    }
}

/// The Update Device command payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UpdateDevice {
    /// The device that joined, rejoined or left.
    pub device: ExtAddr,
    /// Its network address.
    pub short_addr: u16,
    /// What happened.
    pub status: UpdateDeviceStatus,
}

impl Wire for UpdateDevice {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UpdateDevice {
            device: ExtAddr::parse(r)?,
            short_addr: r.u16("device short address")?,
            status: UpdateDeviceStatus::from_value(r.u8("update device status")?),
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.device.emit(w);
        w.u16(self.short_addr);
        w.u8(self.status.value());
    }
}
