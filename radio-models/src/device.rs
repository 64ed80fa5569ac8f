//! GB HAN device kinds and their default radio parameters (domain.md 1.1, 2.1, 2.4, 2.5).
use crate::units::{Band, Db, Dbm};
use serde::{Deserialize, Serialize};

/// Kind of a HAN device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    /// Comms hub function (the GPF is inside it): coordinator and trust centre.
    Chf,
    /// Electricity smart meter.
    Esme,
    /// Gas smart meter (sleepy, battery).
    Gsme,
    /// In-home display.
    Ihd,
    /// Prepayment interface device.
    Ppmid,
    /// HAN-connected auxiliary load control switch.
    Hcalcs,
    /// Point-to-point repeater (later issues).
    P2pRepeater,
    /// Alt HAN node (later issues).
    AltHanNode,
}

/// Radio parameters of one device in one band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadioParams {
    /// Conducted transmit power.
    pub tx_power: Dbm,
    /// Receiver sensitivity (PER 1 %).
    pub sensitivity: Dbm,
    /// Antenna gain, dBi.
    pub antenna_gain: Db,
}

impl DeviceKind {
    /// Name as written in building files.
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Chf => "chf",
            DeviceKind::Esme => "esme",
            DeviceKind::Gsme => "gsme",
            DeviceKind::Ihd => "ihd",
            DeviceKind::Ppmid => "ppmid",
            DeviceKind::Hcalcs => "hcalcs",
            DeviceKind::P2pRepeater => "p2p-repeater",
            DeviceKind::AltHanNode => "alt-han-node",
        }
    }

    /// Bands a device of this kind supports by default (dual-band SMETS2 v3.1 era; HCALCS 2.4 GHz only).
    pub fn default_bands(self) -> &'static [Band] {
        match self {
            DeviceKind::Hcalcs => &[Band::Ghz2_4],
            _ => &Band::ALL,
        }
    }

    /// Default radio parameters in `band`. Assumptions: CH TX +8 dBm at 2.4 GHz (domain.md 6.8),
    /// 25 mW e.r.p. = +14 dBm at 868 MHz (ERC/REC 70-03), chip sensitivities from domain.md 2.1/2.3;
    /// battery devices 3 dB lower power and 2-3 dB worse sensitivity.
    pub fn default_radio(self, band: Band) -> RadioParams {
        let battery = matches!(self, DeviceKind::Gsme | DeviceKind::Ihd | DeviceKind::Ppmid);
        let hub = matches!(self, DeviceKind::Chf | DeviceKind::AltHanNode);
        let (tx, sens) = match band {
            Band::Ghz2_4 => (
                if battery { 5.0 } else { 8.0 },
                if hub {
                    -100.0
                } else if battery {
                    -97.0
                } else {
                    -99.0
                },
            ),
            Band::Mhz868 => (
                if battery { 11.0 } else { 14.0 },
                if hub { -107.0 } else { -105.0 },
            ),
        };
        RadioParams {
            tx_power: Dbm(tx),
            sensitivity: Dbm(sens),
            antenna_gain: Db(0.0),
        }
    }
}
