//! PHY timing and the frame error model.

use crate::time::Duration;
use han_radio::link::{fsk_ber, oqpsk_ber, per};

/// The modulation, which picks the bit-error model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modulation {
    /// 2.4 GHz O-QPSK DSSS (IEEE 802.15.4-2006 Annex E error model).
    Oqpsk,
    /// Sub-GHz 2-FSK (non-coherent textbook model, domain.md 2.3).
    Fsk,
}

thread_local! {
    /// Recent [`Phy::ln_bit_ok`] answers: (SINR bits, modulation, value), by a hash of the bits.
    static LN_BIT_OK: std::cell::RefCell<[(u64, u8, f64); 256]> =
        const { std::cell::RefCell::new([(0, u8::MAX, 0.0); 256]) };
}

/// Timing and modulation of one PHY.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phy {
    /// Symbol period in ns.
    pub symbol_ns: u64,
    /// Time per octet in ns.
    pub octet_ns: u64,
    /// Synchronisation header (preamble + SFD), in octets.
    pub shr_octets: u64,
    /// PHY header, in octets.
    pub phr_octets: u64,
    /// Modulation.
    pub modulation: Modulation,
}

/// IEEE 802.15.4 2.4 GHz O-QPSK (IEEE 802.15.4-2015 12): 16 µs symbols, 250 kbit/s
/// (32 µs per octet), 4-octet preamble + SFD, 1-octet PHR.
pub const OQPSK_2G4: Phy = Phy {
    symbol_ns: 16_000,
    octet_ns: 32_000,
    shr_octets: 5,
    phr_octets: 1,
    modulation: Modulation::Oqpsk,
};

/// GB868 SUN-FSK as far as domain.md 2.4 knows it: 100 kbit/s 2-FSK (10 µs symbols, 80 µs
/// per octet), 4-octet preamble + 2-octet SFD, 2-octet PHR (rate and preamble length
/// unconfirmed).
pub const FSK_GB868: Phy = Phy {
    symbol_ns: 10_000,
    octet_ns: 80_000,
    shr_octets: 6,
    phr_octets: 2,
    modulation: Modulation::Fsk,
};

impl Phy {
    /// On-air time of a PPDU carrying a PSDU of `psdu_len` octets.
    pub fn airtime(&self, psdu_len: usize) -> Duration {
        Duration((self.shr_octets + self.phr_octets + psdu_len as u64) * self.octet_ns)
    }

    /// ln(1 − BER) at a linear SINR under this PHY's error model.
    pub fn ln_bit_ok(&self, sinr_linear: f64) -> f64 {
        // A reception is settled at every change of what its receiver hears, mostly at the
        // SINR it had before: remember recent answers (the same input gives the same bits).
        let bits = sinr_linear.to_bits();
        let tag = self.modulation as u8;
        let slot = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize;
        LN_BIT_OK.with_borrow_mut(|memo| {
            let e = &mut memo[slot];
            if e.0 == bits && e.1 == tag {
                return e.2;
            }
            let v = match self.modulation {
                Modulation::Oqpsk => ln_bit_ok(sinr_linear),
                Modulation::Fsk => (-fsk_ber(sinr_linear)).ln_1p(),
            };
            *e = (bits, tag, v);
            v
        })
    }

    /// Symbols per octet.
    pub fn symbols_per_octet(&self) -> u64 {
        self.octet_ns.div_ceil(self.symbol_ns)
    }

    /// macAckWaitDuration in symbols: aUnitBackoffPeriod + aTurnaroundTime +
    /// phySHRDuration + ⌈6·phySymbolsPerOctet⌉ (IEEE 802.15.4-2015 8.4.3.1).
    pub fn ack_wait_symbols(&self) -> u32 {
        let spo = self.symbols_per_octet();
        (u64::from(han_stack::mac::csma::UNIT_BACKOFF_SYMBOLS)
            + u64::from(han_stack::mac::csma::TURNAROUND_SYMBOLS)
            + self.shr_octets * spo
            + 6 * spo) as u32
    }

    /// aTurnaroundTime (12 symbols).
    pub fn turnaround(&self) -> Duration {
        Duration(u64::from(han_stack::mac::csma::TURNAROUND_SYMBOLS) * self.symbol_ns)
    }

    /// CCA detection time (8 symbols).
    pub fn cca(&self) -> Duration {
        Duration(u64::from(han_stack::mac::csma::CCA_SYMBOLS) * self.symbol_ns)
    }
}

/// ln(1 − BER) at a linear SINR: the log-probability one bit survives (O-QPSK, Annex E).
pub fn ln_bit_ok(sinr_linear: f64) -> f64 {
    (-oqpsk_ber(sinr_linear)).ln_1p()
}

/// Packet error rate of `octets` at a constant linear SINR (han-radio's O-QPSK model).
pub fn packet_error(sinr_linear: f64, octets: u32) -> f64 {
    per(oqpsk_ber(sinr_linear), octets)
}

/// Propagation delay over `metres` at the speed of light, in ns.
pub fn propagation_ns(metres: f64) -> u64 {
    (metres / 0.299_792_458).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_frame_is_4256_us() {
        assert_eq!(OQPSK_2G4.airtime(127), Duration::micros(4256));
        assert_eq!(OQPSK_2G4.airtime(5), Duration::micros(352));
        assert_eq!(OQPSK_2G4.turnaround(), Duration::micros(192));
        assert_eq!(OQPSK_2G4.cca(), Duration::micros(128));
        assert_eq!(OQPSK_2G4.ack_wait_symbols(), 54);
    }

    #[test]
    fn gb868_timing() {
        // 61-octet PSDU + 8 octets of SHR/PHR at 80 µs per octet.
        assert_eq!(FSK_GB868.airtime(61), Duration::micros(5520));
        assert_eq!(FSK_GB868.turnaround(), Duration::micros(120));
        assert_eq!(FSK_GB868.symbols_per_octet(), 8);
        // At 10 dB SNR the FSK model loses a little, O-QPSK nothing.
        assert!(FSK_GB868.ln_bit_ok(10.0) < OQPSK_2G4.ln_bit_ok(10.0));
    }

    #[test]
    fn chunked_error_equals_whole_frame_error() {
        let sinr = 10f64.powf(0.05);
        let whole = packet_error(sinr, 61);
        let chunked = 1.0 - (ln_bit_ok(sinr) * 8.0 * 61.0).exp();
        assert!((whole - chunked).abs() < 1e-12);
    }

    #[test]
    fn remembered_answers_are_the_computed_ones() {
        for i in 0..2000 {
            let sinr = 0.01 * f64::from(i % 700) + 1e-3 * f64::from(i);
            let want = ln_bit_ok(sinr).to_bits();
            assert_eq!(OQPSK_2G4.ln_bit_ok(sinr).to_bits(), want);
            assert_eq!(OQPSK_2G4.ln_bit_ok(sinr).to_bits(), want);
            let fsk = (-fsk_ber(sinr)).ln_1p().to_bits();
            assert_eq!(FSK_GB868.ln_bit_ok(sinr).to_bits(), fsk);
        }
    }

    #[test]
    fn light_takes_33_ns_over_10_m() {
        assert_eq!(propagation_ns(10.0), 33);
    }
}
