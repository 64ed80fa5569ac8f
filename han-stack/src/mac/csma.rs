//! Unslotted CSMA-CA parameters and backoff arithmetic (IEEE 802.15.4-2015 6.2.5.1).

/// aUnitBackoffPeriod in symbols (IEEE 802.15.4-2015 8.1.3, Table 8-80).
pub const UNIT_BACKOFF_SYMBOLS: u32 = 20;
/// aTurnaroundTime in symbols (IEEE 802.15.4-2015 11.1.3, Table 11-1).
pub const TURNAROUND_SYMBOLS: u32 = 12;
/// CCA detection time in symbols (IEEE 802.15.4-2015 10.2.8: 8 symbol periods).
pub const CCA_SYMBOLS: u32 = 8;
/// macAckWaitDuration at 2.4 GHz O-QPSK in symbols: aUnitBackoffPeriod + aTurnaroundTime +
/// phySHRDuration (10) + ⌈6·phySymbolsPerOctet⌉ (12) (IEEE 802.15.4-2015 8.4.3.1).
pub const ACK_WAIT_SYMBOLS_2G4: u32 = UNIT_BACKOFF_SYMBOLS + TURNAROUND_SYMBOLS + 10 + 12;

/// The CSMA-CA and retry attributes of one transmission (IEEE 802.15.4-2015 Table 8-94).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CsmaParams {
    /// macMinBE.
    pub min_be: u8,
    /// macMaxBE.
    pub max_be: u8,
    /// macMaxCSMABackoffs.
    pub max_backoffs: u8,
    /// macMaxFrameRetries.
    pub max_frame_retries: u8,
}

impl Default for CsmaParams {
    /// The standard's defaults: macMinBE 3, macMaxBE 5, macMaxCSMABackoffs 4, macMaxFrameRetries 3.
    fn default() -> Self {
        CsmaParams {
            min_be: 3,
            max_be: 5,
            max_backoffs: 4,
            max_frame_retries: 3,
        }
    }
}

/// A source of uniform random integers, supplied by whoever drives the MAC.
pub trait MacRandom {
    /// A uniform integer in `0..n` (`n` ≥ 1).
    fn below(&mut self, n: u32) -> u32;
}

impl<F: FnMut(u32) -> u32> MacRandom for F {
    fn below(&mut self, n: u32) -> u32 {
        self(n)
    }
}

/// The CSMA-CA variables NB and BE of one channel access attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// NB: busy CCAs so far.
    pub nb: u8,
    /// BE: the current backoff exponent.
    pub be: u8,
}

impl Backoff {
    /// NB = 0, BE = macMinBE.
    pub fn start(p: &CsmaParams) -> Self {
        Backoff {
            nb: 0,
            be: p.min_be.min(p.max_be),
        }
    }

    /// The random delay before the next CCA, in unit backoff periods: uniform in 0..2^BE − 1.
    pub fn periods(&self, rng: &mut impl MacRandom) -> u32 {
        rng.below(1u32 << self.be.min(31))
    }

    /// A busy CCA: NB += 1, BE = min(BE + 1, macMaxBE); `false` once NB exceeds
    /// macMaxCSMABackoffs (channel access failure).
    pub fn busy(&mut self, p: &CsmaParams) -> bool {
        self.nb = self.nb.saturating_add(1);
        self.be = self.be.saturating_add(1).min(p.max_be);
        self.nb <= p.max_backoffs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for the distribution tests (SplitMix64).
    pub(crate) struct SplitMix(pub u64);
    impl MacRandom for SplitMix {
        fn below(&mut self, n: u32) -> u32 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            ((u128::from(z) * u128::from(n)) >> 64) as u32
        }
    }

    #[test]
    fn ack_wait_is_54_symbols() {
        assert_eq!(ACK_WAIT_SYMBOLS_2G4, 54);
    }

    #[test]
    fn be_grows_to_max_and_fails_after_max_backoffs() {
        let p = CsmaParams::default();
        let mut b = Backoff::start(&p);
        let mut bes = vec![b.be];
        let mut oks = Vec::new();
        for _ in 0..5 {
            oks.push(b.busy(&p));
            bes.push(b.be);
        }
        assert_eq!(bes, [3, 4, 5, 5, 5, 5]);
        assert_eq!(oks, [true, true, true, true, false]);
    }

    /// Backoff counts are uniform over 0..2^BE − 1 for each BE (chi-square, 99.9% quantile).
    #[test]
    fn backoff_counts_are_uniform() {
        let mut rng = SplitMix(7);
        for (be, crit) in [(3u8, 24.32), (4, 37.70), (5, 61.10)] {
            let b = Backoff { nb: 0, be };
            let k = 1usize << be;
            let mut hist = vec![0u32; k];
            let n = 200_000;
            for _ in 0..n {
                let v = b.periods(&mut rng) as usize;
                assert!(v < k);
                hist[v] += 1;
            }
            let e = f64::from(n) / k as f64;
            let chi: f64 = hist.iter().map(|&o| (f64::from(o) - e).powi(2) / e).sum();
            assert!(chi < crit, "BE {be}: chi-square {chi}");
        }
    }
}
