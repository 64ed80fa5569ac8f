//! The link between the units of an Alt HAN installation: latency, capacity (frames queue
//! behind one another), random loss and outages, per direction.
use han_mesh::rng::Stream;
use han_mesh::time::{Duration, SimTime};
use han_radio::althan::Backhaul;
use serde::Serialize;

/// How a backhaul behaves. The per-kind defaults are working assumptions (no Alt HAN
/// equipment datasheet was found, domain.md 5.2): a cable is fast and lossless; powerline
/// adapters add milliseconds and lose the odd frame; an 868 MHz point-to-point radio runs
/// at the GB868 rate (100 kbit/s, domain.md 2.4) with some loss.
#[derive(Debug, Clone, PartialEq)]
pub struct BackhaulModel {
    /// Kind.
    pub kind: Backhaul,
    /// One-way latency, excluding serialisation.
    pub latency: Duration,
    /// Bit rate; a frame occupies the link for `8 · len / capacity`.
    pub capacity_bps: u64,
    /// Probability a frame is lost.
    pub loss: f64,
    /// Intervals [from, to) during which the link is down and drops everything.
    pub outages: Vec<(SimTime, SimTime)>,
}

impl BackhaulModel {
    /// The default model of a kind.
    pub fn of(kind: Backhaul) -> Self {
        let (latency, capacity_bps, loss) = match kind {
            Backhaul::Wired => (Duration::micros(200), 10_000_000, 0.0),
            Backhaul::Powerline => (Duration::millis(5), 1_000_000, 0.01),
            Backhaul::Radio868 => (Duration::millis(15), 100_000, 0.02),
        };
        BackhaulModel {
            kind,
            latency,
            capacity_bps,
            loss,
            outages: Vec::new(),
        }
    }

    /// The link is down at `t`.
    pub fn down(&self, t: SimTime) -> bool {
        self.outages.iter().any(|&(a, b)| t >= a && t < b)
    }
}

/// What happened on one direction of a backhaul.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BackhaulStats {
    /// Frames offered.
    pub sent: u64,
    /// Frames delivered.
    pub delivered: u64,
    /// Frames lost at random.
    pub lost: u64,
    /// Frames dropped because the link was down.
    pub dropped_down: u64,
    /// Octets delivered.
    pub octets: u64,
    /// Sum of the delivered frames' delays (queueing, serialisation, latency), ns.
    pub delay_ns: u64,
}

impl BackhaulStats {
    /// Mean delay of a delivered frame, ms (0 when none was).
    pub fn mean_delay_ms(&self) -> f64 {
        if self.delivered == 0 {
            0.0
        } else {
            self.delay_ns as f64 / self.delivered as f64 / 1e6
        }
    }

    /// These counters plus `o`'s.
    pub fn plus(self, o: BackhaulStats) -> BackhaulStats {
        BackhaulStats {
            sent: self.sent + o.sent,
            delivered: self.delivered + o.delivered,
            lost: self.lost + o.lost,
            dropped_down: self.dropped_down + o.dropped_down,
            octets: self.octets + o.octets,
            delay_ns: self.delay_ns + o.delay_ns,
        }
    }
}

/// One direction of a backhaul in use.
#[derive(Debug)]
pub struct BackhaulLink {
    /// The model.
    pub model: BackhaulModel,
    busy_until: SimTime,
    rng: Stream,
    /// Counters.
    pub stats: BackhaulStats,
}

impl BackhaulLink {
    /// A link following `model`, drawing losses from `rng`.
    pub fn new(model: BackhaulModel, rng: Stream) -> Self {
        BackhaulLink {
            model,
            busy_until: SimTime::ZERO,
            rng,
            stats: BackhaulStats::default(),
        }
    }

    /// Offers a frame of `len` octets at `now`: when it arrives at the far unit, or None if
    /// it is lost or the link is down.
    pub fn send(&mut self, now: SimTime, len: usize) -> Option<SimTime> {
        self.stats.sent += 1;
        if self.model.down(now) {
            self.stats.dropped_down += 1;
            return None;
        }
        if self.model.loss > 0.0 && self.rng.unit() < self.model.loss {
            self.stats.lost += 1;
            return None;
        }
        let start = now.max(self.busy_until);
        let bits = 8 * len as u64;
        let serialise = Duration(bits * 1_000_000_000 / self.model.capacity_bps.max(1));
        self.busy_until = start + serialise;
        self.stats.delivered += 1;
        self.stats.octets += len as u64;
        let at = self.busy_until + self.model.latency;
        self.stats.delay_ns += at.0 - now.0;
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_mesh::rng::Purpose;

    fn link(kind: Backhaul) -> BackhaulLink {
        BackhaulLink::new(BackhaulModel::of(kind), Stream::new(1, 0, Purpose::App))
    }

    #[test]
    fn radio_backhaul_queues_at_its_bit_rate() {
        let mut l = link(Backhaul::Radio868);
        l.model.loss = 0.0;
        // 50 octets at 100 kbit/s = 4 ms, plus 15 ms latency.
        let t0 = SimTime(1_000_000_000);
        assert_eq!(l.send(t0, 50), Some(t0 + Duration::millis(19)));
        // A second frame at the same instant waits for the first.
        assert_eq!(l.send(t0, 50), Some(t0 + Duration::millis(23)));
        assert_eq!(l.stats.octets, 100);
    }

    #[test]
    fn outages_drop_and_count() {
        let mut l = link(Backhaul::Wired);
        l.model.outages.push((SimTime(100), SimTime(200)));
        assert!(l.send(SimTime(150), 10).is_none());
        assert!(l.send(SimTime(200), 10).is_some());
        assert_eq!((l.stats.dropped_down, l.stats.delivered), (1, 1));
    }

    #[test]
    fn powerline_loses_about_its_share_deterministically() {
        let run = || {
            let mut l = link(Backhaul::Powerline);
            (0..10_000u64)
                .filter(|&i| l.send(SimTime(i * 1_000_000_000), 40).is_none())
                .count()
        };
        let lost = run();
        assert_eq!(lost, run());
        assert!((50..=150).contains(&lost), "{lost}");
    }
}
