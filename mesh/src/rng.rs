//! Seeded ChaCha8 random streams, one per (node, purpose), so adding a draw in one place
//! never shifts the numbers another node or layer sees.

use chacha20::ChaCha8Rng;
use han_stack::mac::csma::MacRandom;
use rand_core::{Rng, SeedableRng};

/// What a stream is used for; part of its stream number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// CSMA-CA backoffs.
    Mac = 1,
    /// Frame error draws at the receiver.
    Phy = 2,
    /// The node's own behaviour (traffic, choices).
    App = 3,
    /// A noise source's bursts (the "node" is the interferer's index).
    Interferer = 4,
    /// Error draws of a point-of-view capture for frames not addressed to the node.
    Sniff = 5,
}

/// A random stream.
#[derive(Debug)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The stream for `node` and `purpose` under `seed`.
    pub fn new(seed: u64, node: u32, purpose: Purpose) -> Self {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(u64::from(node) << 8 | purpose as u64);
        Stream(r)
    }

    /// A uniform integer in `0..n` (`n` ≥ 1), by multiply-shift.
    pub fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.0.next_u32()) * u64::from(n)) >> 32) as u32
    }

    /// A uniform float in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `lo..hi` (u64; `hi` > `lo`).
    pub fn range_u64(&mut self, lo: u64, hi: u64) -> u64 {
        lo + ((u128::from(self.0.next_u64()) * u128::from(hi - lo)) >> 64) as u64
    }
}

impl MacRandom for Stream {
    fn below(&mut self, n: u32) -> u32 {
        Stream::below(self, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u32> = (0..4)
            .map({
                let mut s = Stream::new(1, 7, Purpose::Mac);
                move |_| s.below(1000)
            })
            .collect();
        let b: Vec<u32> = (0..4)
            .map({
                let mut s = Stream::new(1, 7, Purpose::Mac);
                move |_| s.below(1000)
            })
            .collect();
        let c: Vec<u32> = (0..4)
            .map({
                let mut s = Stream::new(1, 7, Purpose::Phy);
                move |_| s.below(1000)
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
