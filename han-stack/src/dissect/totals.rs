//! Counts over a whole capture, as `han decode --format count` prints them.

use serde::Serialize;

use super::Dissection;

/// Frame counts by layer and outcome.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Frames read.
    pub frames: usize,
    /// Frames that decoded without error.
    pub decoded: usize,
    /// Frames with a decode error.
    pub errors: usize,
    /// Frames whose FCS was checked and wrong.
    pub bad_fcs: usize,
    /// Frames with a NWK layer.
    pub nwk: usize,
    /// NWK-secured frames.
    pub nwk_secured: usize,
    /// NWK-secured frames a key opened.
    pub nwk_decrypted: usize,
    /// Frames with an APS layer.
    pub aps: usize,
    /// APS-secured frames a key opened.
    pub aps_decrypted: usize,
    /// ZDP frames.
    pub zdp: usize,
    /// Application (ZCL) payloads.
    pub zcl: usize,
}

impl Totals {
    /// Add another tally to this one.
    pub fn merge(&mut self, other: &Totals) {
        self.frames += other.frames;
        self.decoded += other.decoded;
        self.errors += other.errors;
        self.bad_fcs += other.bad_fcs;
        self.nwk += other.nwk;
        self.nwk_secured += other.nwk_secured;
        self.nwk_decrypted += other.nwk_decrypted;
        self.aps += other.aps;
        self.aps_decrypted += other.aps_decrypted;
        self.zdp += other.zdp;
        self.zcl += other.zcl;
    }

    /// Count one dissected frame.
    pub fn add(&mut self, d: &Dissection) {
        self.frames += 1;
        if d.error.is_some() {
            self.errors += 1;
        } else {
            self.decoded += 1;
        }
        self.bad_fcs += usize::from(d.fcs_ok == Some(false));
        if let Some(n) = &d.nwk {
            self.nwk += 1;
            self.nwk_secured += usize::from(n.aux.is_some());
            self.nwk_decrypted += usize::from(n.decrypted == Some(true));
        }
        if let Some(a) = &d.aps {
            self.aps += 1;
            self.aps_decrypted += usize::from(a.decrypted == Some(true));
        }
        self.zdp += usize::from(d.zdp.is_some());
        self.zcl += usize::from(d.app_payload.is_some());
    }
}
