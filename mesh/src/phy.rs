//! PHY timing and the frame error model.

use crate::time::Duration;
use han_radio::link::{oqpsk_ber, per};

/// Timing of one PHY.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phy {
    /// Symbol period in ns.
    pub symbol_ns: u64,
    /// Time per octet in ns.
    pub octet_ns: u64,
    /// Synchronisation header plus PHR, in octets.
    pub overhead_octets: u64,
}

/// IEEE 802.15.4 2.4 GHz O-QPSK (IEEE 802.15.4-2015 12): 16 µs symbols, 250 kbit/s
/// (32 µs per octet), 4-octet preamble + SFD + PHR.
pub const OQPSK_2G4: Phy = Phy {
    symbol_ns: 16_000,
    octet_ns: 32_000,
    overhead_octets: 6,
};

impl Phy {
    /// On-air time of a PPDU carrying a PSDU of `psdu_len` octets.
    pub fn airtime(&self, psdu_len: usize) -> Duration {
        Duration((self.overhead_octets + psdu_len as u64) * self.octet_ns)
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
    }

    #[test]
    fn chunked_error_equals_whole_frame_error() {
        let sinr = 10f64.powf(0.05);
        let whole = packet_error(sinr, 61);
        let chunked = 1.0 - (ln_bit_ok(sinr) * 8.0 * 61.0).exp();
        assert!((whole - chunked).abs() < 1e-12);
    }

    #[test]
    fn light_takes_33_ns_over_10_m() {
        assert_eq!(propagation_ns(10.0), 33);
    }
}
