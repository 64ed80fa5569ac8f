//! Seeded ChaCha8 streams for the generator and the bootstrap: one stream per building or group,
//! so a draw added in one place never shifts another's numbers.
use chacha20::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// A seeded random stream.
pub(crate) struct Draw(pub(crate) ChaCha8Rng);

impl Draw {
    pub(crate) fn new(seed: u64, stream: u64) -> Draw {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Draw(r)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [r0, r1].
    pub(crate) fn range(&mut self, r: [f64; 2]) -> f64 {
        r[0] + (r[1] - r[0]) * self.unit()
    }

    /// Uniform integer in [r0, r1].
    pub(crate) fn int(&mut self, r: [u32; 2]) -> u32 {
        r[0] + ((u64::from(self.0.next_u32()) * u64::from(r[1] - r[0] + 1)) >> 32) as u32
    }

    /// True with probability p.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index below n.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// One of the weighted items.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (t, w) in items {
            if x < *w {
                return t;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}
