//! Link budgets: received power, noise, Wi-Fi interference, SINR, BER/PER, RSSI/LQI and verdicts.
use crate::building::{Building, Device};
use crate::geometry::Search;
use crate::trace::Trace;
use crate::units::{Band, Db, Dbm, Hz, wifi_channel_centre};
use std::collections::BTreeMap;

/// Receiver noise bandwidth: 2 MHz for 802.15.4 O-QPSK, 200 kHz for GB868 SUN-FSK.
pub fn bandwidth(band: Band) -> Hz {
    match band {
        Band::Ghz2_4 => Hz(2.0e6),
        Band::Mhz868 => Hz(200.0e3),
    }
}

/// GB868 bit rate, 100 kbit/s 2-FSK (domain.md 2.4, unconfirmed).
pub const GB868_BIT_RATE: f64 = 100.0e3;

/// Thermal noise floor −174 dBm/Hz + 10·log10(B) + NF.
pub fn noise_floor(bw: Hz, nf: Db) -> Dbm {
    Dbm(-174.0 + 10.0 * bw.0.log10() + nf.0)
}

/// O-QPSK BER (IEEE 802.15.4-2006 E.4.1.8): (8/15)(1/16) Σ_{k=2..16} (−1)^k C(16,k) e^{20·SINR(1/k − 1)}.
pub fn oqpsk_ber(sinr_linear: f64) -> f64 {
    // The k = 2 term has the largest exponent: when it underflows to zero every term does,
    // and the sum below is exactly 0 (a link well above the noise), so skip the other 14.
    if (20.0 * sinr_linear * (1.0 / 2.0 - 1.0)).exp() == 0.0 {
        return 0.0;
    }
    let mut sum = 0.0;
    let mut binom = 1.0f64;
    for k in 1..=16u32 {
        binom = binom * f64::from(17 - k) / f64::from(k);
        if k >= 2 {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            sum += sign * binom * (20.0 * sinr_linear * (1.0 / f64::from(k) - 1.0)).exp();
        }
    }
    (8.0 / 15.0 / 16.0 * sum).clamp(0.0, 0.5)
}

/// Non-coherent binary FSK BER ½·exp(−Eb/2N0) with Eb/N0 = SNR·B/Rb (domain.md 2.3).
pub fn fsk_ber(snr_linear: f64) -> f64 {
    let ebn0 = snr_linear * bandwidth(Band::Mhz868).0 / GB868_BIT_RATE;
    (0.5 * (-ebn0 / 2.0).exp()).clamp(0.0, 0.5)
}

/// BER in `band` at this SINR.
pub fn ber(band: Band, sinr: Db) -> f64 {
    match band {
        Band::Ghz2_4 => oqpsk_ber(sinr.linear()),
        Band::Mhz868 => fsk_ber(sinr.linear()),
    }
}

/// PER = 1 − (1 − BER)^(8·octets).
pub fn per(ber: f64, octets: u32) -> f64 {
    1.0 - (1.0 - ber).powf(8.0 * f64::from(octets))
}

/// Wi-Fi power falling in the 2 MHz 802.15.4 receiver, relative to the AP's total power:
/// −10 dB for 2 of 20 MHz in band (|Δf| ≤ 9 MHz), then the OFDM mask (−20 dBr at 11, −28 at 20,
/// −40 at 30 MHz, −50 beyond), linear in dB between (domain.md 7).
pub fn wifi_rejection(zigbee: Hz, wifi_channel: u8) -> Db {
    let df = (zigbee.mhz() - wifi_channel_centre(wifi_channel).mhz()).abs();
    let pts = [
        (9.0, 0.0),
        (11.0, -20.0),
        (20.0, -28.0),
        (30.0, -40.0),
        (40.0, -50.0),
    ];
    let mask = if df <= 9.0 {
        0.0
    } else if df >= 40.0 {
        -50.0
    } else {
        let i = pts
            .iter()
            .position(|p| p.0 >= df)
            .unwrap_or(pts.len() - 1)
            .max(1);
        let (a, b) = (pts[i - 1], pts[i]);
        a.1 + (b.1 - a.1) * (df - a.0) / (b.0 - a.0)
    };
    Db(-10.0 + mask)
}

/// LQI 0-255 as a CC2420-style chip-correlation figure: linear in SINR from −5 dB (0) to +20 dB (255).
pub fn lqi(sinr: Db) -> u8 {
    ((sinr.0 + 5.0) / 25.0 * 255.0).clamp(0.0, 255.0).round() as u8
}

/// One direction of one link in one band.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Path loss including shadowing.
    pub path_loss: Db,
    /// Enclosure losses of both ends.
    pub enclosure_loss: Db,
    /// Received signal power.
    pub rx: Dbm,
    /// Thermal noise at the receiver.
    pub noise: Dbm,
    /// Mean Wi-Fi interference in the receiver bandwidth (duty-weighted); None if negligible.
    pub interference: Option<Dbm>,
    /// SINR.
    pub sinr: Db,
    /// Margin over the receiver's sensitivity.
    pub margin: Db,
    /// BER at the SINR.
    pub ber: f64,
    /// PER for the building's packet length.
    pub per: f64,
    /// PER with the fade margin taken off the SINR.
    pub per_faded: f64,
    /// RSSI the receiver would report (integer dBm).
    pub rssi: i32,
    /// LQI the receiver would report.
    pub lqi: u8,
}

impl Budget {
    /// The link closes: margin covers the fade margin and PER stays ≤ 1 % after the fade.
    pub fn ok(&self, fade: Db) -> bool {
        self.margin.0 >= fade.0 && self.per_faded <= 0.01
    }
}

/// What arrives over one link, before noise and interference (see
/// [`Building::received_power`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReceivedPower {
    /// Received power.
    pub rx: Dbm,
    /// Enclosure losses on the way (none when both share one).
    pub enclosure_loss: Db,
    /// Path loss (distance, walls, floors).
    pub path_loss: Db,
}

/// Two devices this close with the same enclosure material share one box or cupboard.
pub const SAME_ENCLOSURE_M: f64 = 1.0;

/// Both devices sit in the same enclosure (e.g. the hub on its meter in one cabinet), so a
/// link between them crosses neither wall of it.
pub fn shared_enclosure(a: &Device, b: &Device) -> bool {
    a.enclosure.is_some() && a.enclosure == b.enclosure && a.pos.distance(b.pos) < SAME_ENCLOSURE_M
}

impl Building {
    /// Mean Wi-Fi interference power at a receiver, in `band` (2.4 GHz only).
    pub fn interference_at(&self, rx: &Device, band: Band, search: Search) -> Option<Dbm> {
        if band != Band::Ghz2_4 || self.wifi.is_empty() {
            return None;
        }
        let r = rx.radio(band)?;
        let f = self.frequency(band);
        let encl = rx
            .enclosure
            .map_or(Db(0.0), |m| self.materials.get(m).loss(band));
        // Interferers whose best case lands 30 dB under the noise floor change SINR by < 0.005 dB.
        let floor = noise_floor(bandwidth(band), self.noise_figure) - Db(30.0);
        let shadow = self.shadowing.map_or(Db(0.0), |s| Db(6.0 * s.sigma.0));
        let mw: f64 = self
            .wifi
            .iter()
            .filter(|ap| {
                // Walls only add loss, so the path without walls bounds the loss from below.
                let (lo, hi) = (ap.floor.min(rx.floor), ap.floor.max(rx.floor));
                let bare = Trace {
                    distance: crate::units::Metres(ap.pos.distance(rx.pos)),
                    walls: Vec::new(),
                    slabs: (lo..hi).map(|f| self.floors[f].slab).collect(),
                    tested: 0,
                };
                let best =
                    ap.tx_power + r.antenna_gain - encl + wifi_rejection(f, ap.channel) + shadow
                        - self.model.path_loss(&self.profile(&bare, band));
                best >= floor
            })
            .filter_map(|ap| Some(ap.duty * self.wifi_power_at(ap, rx, band, search)?.milliwatts()))
            .sum();
        (mw > 0.0).then(|| Dbm::from_milliwatts(mw))
    }

    /// Power of one Wi-Fi access point in a 2.4 GHz receiver's bandwidth while it transmits
    /// (not duty-weighted); None for other bands or a receiver without the band.
    pub fn wifi_power_at(
        &self,
        ap: &crate::building::WifiAp,
        rx: &Device,
        band: Band,
        search: Search,
    ) -> Option<Dbm> {
        if band != Band::Ghz2_4 {
            return None;
        }
        let r = rx.radio(band)?;
        let encl = rx
            .enclosure
            .map_or(Db(0.0), |m| self.materials.get(m).loss(band));
        let t = self.trace(ap.pos, ap.floor, rx.pos, rx.floor, search);
        Some(
            ap.tx_power + r.antenna_gain - encl - self.path_loss(ap.pos, rx.pos, &t, band)
                + wifi_rejection(self.frequency(band), ap.channel),
        )
    }

    /// Power `rx` receives from `tx` over the traced path, with the enclosure and path
    /// losses it took off, or None if either lacks the band: the first part of
    /// [`Building::budget`], for callers that need no SINR.
    pub fn received_power(
        &self,
        tx: &Device,
        rx: &Device,
        t: &Trace,
        band: Band,
    ) -> Option<ReceivedPower> {
        let (pt, pr) = (tx.radio(band)?, rx.radio(band)?);
        let encl = |d: &Device| {
            d.enclosure
                .map_or(Db(0.0), |m| self.materials.get(m).loss(band))
        };
        let enclosure_loss = if shared_enclosure(tx, rx) {
            Db(0.0)
        } else {
            encl(tx) + encl(rx)
        };
        let path_loss = self.path_loss(tx.pos, rx.pos, t, band);
        let rx = pt.tx_power + pt.antenna_gain + pr.antenna_gain - enclosure_loss - path_loss;
        Some(ReceivedPower {
            rx,
            enclosure_loss,
            path_loss,
        })
    }

    /// Budget tx -> rx over the traced path, or None if either lacks the band.
    pub fn budget(&self, tx: &Device, rx: &Device, t: &Trace, band: Band) -> Option<Budget> {
        let pr = rx.radio(band)?;
        let ReceivedPower {
            rx: rx_p,
            enclosure_loss,
            path_loss,
        } = self.received_power(tx, rx, t, band)?;
        let noise = noise_floor(bandwidth(band), self.noise_figure);
        let interference = self.interference_at(rx, band, Search::Indexed);
        let ni = noise.milliwatts() + interference.map_or(0.0, Dbm::milliwatts);
        let sinr = rx_p - Dbm::from_milliwatts(ni);
        let b = ber(band, sinr);
        Some(Budget {
            path_loss,
            enclosure_loss,
            rx: rx_p,
            noise,
            interference,
            sinr,
            margin: rx_p - pr.sensitivity,
            ber: b,
            per: per(b, self.packet_octets),
            per_faded: per(ber(band, sinr - self.fade_margin), self.packet_octets),
            rssi: rx_p.0.round() as i32,
            lqi: lqi(sinr),
        })
    }

    /// Walls of a trace counted by material name (sorted by name).
    pub fn walls_by_material(&self, t: &Trace) -> BTreeMap<String, u32> {
        let mut m = BTreeMap::new();
        for &w in &t.walls {
            let name = &self.materials.get(self.walls.walls()[w].material).name;
            *m.entry(name.clone()).or_insert(0) += 1;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_floors() {
        assert!((noise_floor(Hz(2e6), Db(0.0)).0 - -110.99).abs() < 0.01);
        assert!((noise_floor(Hz(200e3), Db(0.0)).0 - -120.99).abs() < 0.01);
    }

    #[test]
    fn oqpsk_matches_domain_table() {
        // domain.md 2.3: SINR 0 dB -> BER 1.6e-4, PER(20 octets) 0.026; −2 dB -> 5.2e-3.
        let b0 = oqpsk_ber(1.0);
        assert!((b0 - 1.6e-4).abs() < 0.1e-4, "{b0}");
        assert!((per(b0, 20) - 0.026).abs() < 0.002);
        let bm2 = oqpsk_ber(Db(-2.0).linear());
        assert!((bm2 - 5.2e-3).abs() < 0.1e-3, "{bm2}");
        assert!(oqpsk_ber(Db(10.0).linear()) < 1e-12);
        // Past ~18.7 dB every term underflows: exactly zero, on both sides of the shortcut.
        assert!(oqpsk_ber(70.0) > 0.0);
        assert_eq!(oqpsk_ber(75.0), 0.0);
        assert_eq!(oqpsk_ber(1e6), 0.0);
    }

    #[test]
    fn fsk_by_hand() {
        // SNR 10 dB -> Eb/N0 = 20 -> ½e^-10 = 2.27e-5.
        assert!((fsk_ber(10.0) - 0.5 * (-10.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn wifi_overlap() {
        // Wi-Fi 6 (2437) vs 802.15.4 ch 17 (2435): in band; ch 15 (2425, 12 MHz off): mask;
        // ch 26 (2480, 43 MHz off): floor.
        use crate::units::channel_centre_2g4 as c;
        assert_eq!(wifi_rejection(c(17), 6), Db(-10.0));
        let r15 = wifi_rejection(c(15), 6).0;
        assert!((r15 - (-10.0 - 20.0 - 8.0 / 9.0)).abs() < 1e-9, "{r15}");
        assert_eq!(wifi_rejection(c(26), 6), Db(-60.0));
    }

    #[test]
    fn lqi_range() {
        assert_eq!(lqi(Db(-10.0)), 0);
        assert_eq!(lqi(Db(30.0)), 255);
        assert_eq!(lqi(Db(7.5)), 128);
    }
}

#[cfg(test)]
mod budget_tests {
    use crate::building::Building;
    use crate::bundled;
    use crate::geometry::Search;
    use crate::units::Band;

    #[test]
    fn hub_and_meter_in_one_box_pay_no_enclosure_loss() {
        let b = Building::from_toml(bundled::ALL[2].0, bundled::ALL[2].1).unwrap();
        let d = &b.premises[0].devices;
        let (ch, esme, ihd) = (&d[0], &d[1], &d[2]);
        let t = b.trace(ch.pos, ch.floor, esme.pos, esme.floor, Search::Indexed);
        assert_eq!(
            b.budget(ch, esme, &t, Band::Ghz2_4)
                .unwrap()
                .enclosure_loss
                .0,
            0.0
        );
        let t = b.trace(ch.pos, ch.floor, ihd.pos, ihd.floor, Search::Indexed);
        assert_eq!(
            b.budget(ch, ihd, &t, Band::Ghz2_4)
                .unwrap()
                .enclosure_loss
                .0,
            20.0
        );
    }
}
