//! APS Tunnel (Zigbee PRO R22 4.4.10.6): destination EUI-64, then a whole secured
//! APS command frame (header, auxiliary header, encrypted payload and MIC).

use crate::aps::ApsFrame;
use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The Tunnel command payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunnel {
    /// The device the router delivers the tunnelled frame to.
    pub dest: ExtAddr,
    /// The tunnelled APS frame; it runs to the end of the command.
    pub frame: ApsFrame,
}

impl Wire for Tunnel {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Tunnel {
            dest: ExtAddr::parse(r)?,
            frame: ApsFrame::parse(r)?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.dest.emit(w);
        self.frame.emit(w);
    }
}
