//! Sub-GHz duty-cycle accounting: transmit time over the last hour in 12 buckets of 300 s,
//! with the Limited / Critical / Suspended thresholds Zigbee sub-GHz stacks use
//! (domain.md 2.4: 1.00 % / 1.80 % / 2.50 % by default).

/// aDUTYCYCLEMeasurementPeriod: one hour, in ns.
pub const PERIOD_NS: u64 = 3_600_000_000_000;
/// Buckets per period.
pub const BUCKETS: usize = 12;
const BUCKET_NS: u64 = PERIOD_NS / BUCKETS as u64;

/// Thresholds as fractions of the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DutyCycleLimits {
    /// Limited from here.
    pub limited: f64,
    /// Critical from here.
    pub critical: f64,
    /// Suspended (no more transmissions) from here.
    pub suspended: f64,
}

impl Default for DutyCycleLimits {
    fn default() -> Self {
        DutyCycleLimits {
            limited: 0.0100,
            critical: 0.0180,
            suspended: 0.0250,
        }
    }
}

/// Where a device stands against its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum DutyCycleState {
    /// Below Limited.
    Normal,
    /// At or above Limited.
    Limited,
    /// At or above Critical.
    Critical,
    /// At or above Suspended: the device must not transmit.
    Suspended,
}

/// One device's transmit time over the sliding hour.
#[derive(Debug, Clone, Default)]
pub struct DutyCycle {
    buckets: [u64; BUCKETS],
    /// Index (time / bucket length) of the newest bucket.
    newest: u64,
}

impl DutyCycle {
    fn roll(&mut self, now: u64) {
        let idx = now / BUCKET_NS;
        if idx >= self.newest + BUCKETS as u64 {
            self.buckets = [0; BUCKETS];
        } else {
            for i in self.newest + 1..=idx {
                self.buckets[(i % BUCKETS as u64) as usize] = 0;
            }
        }
        self.newest = self.newest.max(idx);
    }

    /// Count `on_air_ns` of transmission starting at `now`.
    pub fn record(&mut self, now: u64, on_air_ns: u64) {
        self.roll(now);
        self.buckets[(self.newest % BUCKETS as u64) as usize] += on_air_ns;
    }

    /// Fraction of the last hour spent transmitting.
    pub fn used(&mut self, now: u64) -> f64 {
        self.roll(now);
        self.buckets.iter().sum::<u64>() as f64 / PERIOD_NS as f64
    }

    /// The state against `limits` at `now`.
    pub fn state(&mut self, now: u64, limits: &DutyCycleLimits) -> DutyCycleState {
        let u = self.used(now);
        if u >= limits.suspended {
            DutyCycleState::Suspended
        } else if u >= limits.critical {
            DutyCycleState::Critical
        } else if u >= limits.limited {
            DutyCycleState::Limited
        } else {
            DutyCycleState::Normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn states_follow_the_thresholds_and_the_hour_slides() {
        let l = DutyCycleLimits::default();
        let mut d = DutyCycle::default();
        assert_eq!(d.state(0, &l), DutyCycleState::Normal);
        d.record(10 * S, 36 * S); // 1.0 %
        assert_eq!(d.state(11 * S, &l), DutyCycleState::Limited);
        d.record(400 * S, 30 * S); // 1.83 %
        assert_eq!(d.state(401 * S, &l), DutyCycleState::Critical);
        d.record(700 * S, 25 * S); // 2.53 %
        assert_eq!(d.state(701 * S, &l), DutyCycleState::Suspended);
        // The first bucket (0–300 s) leaves the window when the 13th opens, at 3600 s.
        assert_eq!(d.state(3599 * S, &l), DutyCycleState::Suspended);
        assert!((d.used(3600 * S) - 55.0 / 3600.0).abs() < 1e-12);
        assert_eq!(d.state(3600 * S, &l), DutyCycleState::Limited);
        // Long silence clears everything.
        assert_eq!(d.used(100_000 * S), 0.0);
    }
}
