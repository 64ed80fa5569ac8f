//! Physical quantities as newtypes so dB, dBm, metres and hertz cannot be mixed up.
use serde::{Deserialize, Serialize};
use std::ops::{Add, Neg, Sub};

/// A power ratio in decibels.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Db(pub f64);

/// An absolute power in dBm (decibels relative to 1 mW).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dbm(pub f64);

/// A length in metres.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metres(pub f64);

/// A frequency in hertz.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hz(pub f64);

impl Add for Db {
    type Output = Db;
    fn add(self, o: Db) -> Db {
        Db(self.0 + o.0)
    }
}
impl Sub for Db {
    type Output = Db;
    fn sub(self, o: Db) -> Db {
        Db(self.0 - o.0)
    }
}
impl Neg for Db {
    type Output = Db;
    fn neg(self) -> Db {
        Db(-self.0)
    }
}
impl Add<Db> for Dbm {
    type Output = Dbm;
    fn add(self, o: Db) -> Dbm {
        Dbm(self.0 + o.0)
    }
}
impl Sub<Db> for Dbm {
    type Output = Dbm;
    fn sub(self, o: Db) -> Dbm {
        Dbm(self.0 - o.0)
    }
}
impl Sub for Dbm {
    type Output = Db;
    fn sub(self, o: Dbm) -> Db {
        Db(self.0 - o.0)
    }
}

impl Dbm {
    /// Power in milliwatts.
    pub fn milliwatts(self) -> f64 {
        10f64.powf(self.0 / 10.0)
    }
    /// Power from milliwatts; zero power maps to -inf dBm.
    pub fn from_milliwatts(mw: f64) -> Dbm {
        Dbm(10.0 * mw.log10())
    }
}

impl Db {
    /// Linear power ratio.
    pub fn linear(self) -> f64 {
        10f64.powf(self.0 / 10.0)
    }
}

impl Hz {
    /// Frequency in MHz.
    pub fn mhz(self) -> f64 {
        self.0 / 1e6
    }
}

/// Speed of light in vacuum, m/s.
pub const SPEED_OF_LIGHT: f64 = 299_792_458.0;

/// A HAN radio band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Band {
    /// IEEE 802.15.4 O-QPSK, channels 11-26.
    #[serde(rename = "2.4GHz")]
    Ghz2_4,
    /// GB868 sub-GHz (SUN-FSK) of dual-band comms hubs.
    #[serde(rename = "868MHz")]
    Mhz868,
}

impl Band {
    /// Both bands, 2.4 GHz first (the order reports use).
    pub const ALL: [Band; 2] = [Band::Ghz2_4, Band::Mhz868];

    /// The label used in files and reports.
    pub fn label(self) -> &'static str {
        match self {
            Band::Ghz2_4 => "2.4GHz",
            Band::Mhz868 => "868MHz",
        }
    }

    /// Index 0 for 2.4 GHz, 1 for 868 MHz (for per-band arrays).
    pub fn index(self) -> usize {
        match self {
            Band::Ghz2_4 => 0,
            Band::Mhz868 => 1,
        }
    }
}

/// Centre frequency of 802.15.4 channel `k` (11-26): 2405 + 5(k-11) MHz (IEEE 802.15.4-2015 10.1.3.3).
pub fn channel_centre_2g4(k: u8) -> Hz {
    Hz((2405.0 + 5.0 * (f64::from(k) - 11.0)) * 1e6)
}

/// Centre frequency used for the GB868 band; the page/channel raster is unconfirmed, so the band centre.
pub const GB868_CENTRE: Hz = Hz(868.0e6);

/// Centre frequency of 2.4 GHz Wi-Fi channel `n`: 2407 + 5n MHz (14 is 2484 MHz).
pub fn wifi_channel_centre(n: u8) -> Hz {
    if n == 14 {
        Hz(2484.0e6)
    } else {
        Hz((2407.0 + 5.0 * f64::from(n)) * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_centres() {
        assert_eq!(channel_centre_2g4(11).mhz(), 2405.0);
        assert_eq!(channel_centre_2g4(26).mhz(), 2480.0);
        assert_eq!(wifi_channel_centre(1).mhz(), 2412.0);
        assert_eq!(wifi_channel_centre(13).mhz(), 2472.0);
    }

    #[test]
    fn power_conversions() {
        assert!((Dbm(10.0).milliwatts() - 10.0).abs() < 1e-12);
        assert!((Dbm::from_milliwatts(1.0).0).abs() < 1e-12);
        assert_eq!(Dbm(0.0) - Db(3.0), Dbm(-3.0));
    }
}
