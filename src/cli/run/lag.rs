//! The driver's lag behind the wall clock: for every frame, how late han put it out
//! compared with its on-air time.

/// Lag samples in nanoseconds.
#[derive(Debug, Default, Clone)]
pub struct Lag {
    samples: Vec<u64>,
}

impl Lag {
    /// Record one lag.
    pub fn record(&mut self, ns: u64) {
        self.samples.push(ns);
    }

    /// No samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Samples so far.
    pub fn count(&self) -> usize {
        self.samples.len()
    }

    /// The `q` quantile (0..=1) in microseconds, nearest rank (None without samples).
    pub fn quantile_us(&self, q: f64) -> Option<f64> {
        let mut s = self.samples.clone();
        s.sort_unstable();
        let last = s.len().checked_sub(1)?;
        let rank = ((q.clamp(0.0, 1.0) * s.len() as f64).ceil() as usize).clamp(1, last + 1) - 1;
        s.get(rank).map(|&ns| ns as f64 / 1e3)
    }

    /// `WHAT: median X µs, p99 Y µs, max Z µs over N UNITS`.
    pub fn line(&self, what: &str, units: &str) -> String {
        match (
            self.quantile_us(0.5),
            self.quantile_us(0.99),
            self.quantile_us(1.0),
        ) {
            (Some(m), Some(p), Some(x)) => format!(
                "{what}: median {m:.0} µs, p99 {p:.0} µs, max {x:.0} µs over {} {units}",
                self.count()
            ),
            _ => format!("{what}: no {units}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut l = Lag::default();
        assert_eq!(l.quantile_us(0.5), None);
        for i in 1..=100 {
            l.record(i * 1000);
        }
        assert_eq!(l.quantile_us(0.5), Some(50.0));
        assert_eq!(l.quantile_us(0.99), Some(99.0));
        assert_eq!(l.quantile_us(1.0), Some(100.0));
        assert!(
            l.line("lag", "frames")
                .starts_with("lag: median 50 µs, p99 99 µs, max 100 µs over 100 frames")
        );
    }
}
