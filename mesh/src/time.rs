//! Virtual time in nanoseconds.

use std::ops::{Add, AddAssign, Sub};

/// A point in virtual time: nanoseconds since the start of the run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimTime(pub u64);

/// A span of virtual time in nanoseconds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Duration(pub u64);

impl Duration {
    /// `n` microseconds.
    pub const fn micros(n: u64) -> Self {
        Duration(n * 1_000)
    }
    /// `n` milliseconds.
    pub const fn millis(n: u64) -> Self {
        Duration(n * 1_000_000)
    }
    /// `n` seconds.
    pub const fn secs(n: u64) -> Self {
        Duration(n * 1_000_000_000)
    }
    /// Parse "90", "90s", "15m", "24h" or "7d".
    pub fn parse(s: &str) -> Option<Self> {
        let (num, unit) = match s.trim().char_indices().last()? {
            (i, c) if c.is_ascii_alphabetic() => (s.trim().get(..i)?, c),
            _ => (s.trim(), 's'),
        };
        let n: u64 = num.parse().ok()?;
        let mult = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        n.checked_mul(mult)?
            .checked_mul(1_000_000_000)
            .map(Duration)
    }

    /// Fractional seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

impl SimTime {
    /// The start of the run.
    pub const ZERO: SimTime = SimTime(0);
    /// Time since the start, in fractional seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<Duration> for SimTime {
    fn add_assign(&mut self, d: Duration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Sub for SimTime {
    type Output = Duration;
    fn sub(self, o: SimTime) -> Duration {
        Duration(self.0.saturating_sub(o.0))
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, o: Duration) -> Duration {
        Duration(self.0.saturating_add(o.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("24h"), Some(Duration::secs(86_400)));
        assert_eq!(Duration::parse("90"), Some(Duration::secs(90)));
        assert_eq!(Duration::parse("15m"), Some(Duration::secs(900)));
        assert_eq!(Duration::parse("2d"), Some(Duration::secs(172_800)));
        assert_eq!(Duration::parse("h"), None);
        assert_eq!(Duration::parse("5x"), None);
        assert_eq!(Duration::parse(""), None);
    }
}
