//! Drivers: run a [`World`] as fast as it goes, or paced to the wall clock. This is the one
//! place han-mesh reads the wall clock; the engine itself only sees virtual time.

use crate::radio::Node;
use crate::time::{Duration, SimTime};
use crate::world::World;
use std::time::Instant;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Virtual time reached.
    pub simulated: SimTime,
    /// Wall seconds since the run started.
    pub wall_s: f64,
    /// Simulated seconds per wall second so far.
    pub speedup: f64,
}

/// Run `world` to `until` in steps of `step`, calling `report` after each. With `speed`,
/// keep simulated time at most `speed` × wall time (1.0: real time).
pub fn run<N: Node>(
    world: &mut World<N>,
    until: SimTime,
    step: Duration,
    speed: Option<f64>,
    report: impl FnMut(&Progress),
) -> Progress {
    run_with_stops(world, until, step, speed, &[], |_, _| {}, report)
}

/// As [`run`], stopping at each time of `stops` (in order) to call `at_stop(world, k)` for
/// the k-th: every event before that time has run, none at or after it.
pub fn run_with_stops<N: Node>(
    world: &mut World<N>,
    until: SimTime,
    step: Duration,
    speed: Option<f64>,
    stops: &[SimTime],
    mut at_stop: impl FnMut(&mut World<N>, usize),
    mut report: impl FnMut(&Progress),
) -> Progress {
    let start = Instant::now();
    let origin = world.now();
    let step = Duration(step.0.max(1));
    let mut k = stops.partition_point(|&t| t < origin);
    loop {
        let mut next = (world.now() + step).min(until);
        if let Some(&s) = stops.get(k).filter(|&&s| s < next) {
            next = s;
        }
        world.run_until(next);
        while let Some(&s) = stops.get(k).filter(|&&s| s <= world.now() && s < until) {
            if s == world.now() {
                at_stop(world, k);
            }
            k += 1;
        }
        let simulated = (world.now() - origin).as_secs_f64();
        if let Some(s) = speed.filter(|s| *s > 0.0) {
            let due = std::time::Duration::from_secs_f64(simulated / s);
            if let Some(wait) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        let wall_s = start.elapsed().as_secs_f64();
        let p = Progress {
            simulated: world.now(),
            wall_s,
            speedup: if wall_s > 0.0 {
                simulated / wall_s
            } else {
                0.0
            },
        };
        report(&p);
        if world.now() >= until {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{GridWorkload, build};

    #[test]
    fn steps_reach_the_end_and_match_one_run() {
        let w = GridWorkload {
            duration: Duration::secs(60),
            ..GridWorkload::new(9, 2)
        };
        let mut stepped = build(&w);
        let mut seen = Vec::new();
        let end = SimTime::ZERO + w.duration;
        let p = run(&mut stepped, end, Duration::secs(7), None, |p| {
            seen.push(p.simulated)
        });
        assert_eq!(p.simulated, end);
        assert_eq!(seen.len(), 9);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        let mut whole = build(&w);
        whole.run_until(end);
        assert_eq!(stepped.stats(), whole.stats());
        // Stops split the steps without changing the run, each called once at its time.
        let mut stopped = build(&w);
        let stops = [
            SimTime(0),
            SimTime(5_000_000_000),
            SimTime(5_000_000_000),
            SimTime(59_999_999_999),
        ];
        let mut seen = Vec::new();
        run_with_stops(
            &mut stopped,
            end,
            Duration::secs(7),
            None,
            &stops,
            |w, k| seen.push((k, w.now())),
            |_| {},
        );
        assert_eq!(seen, stops.iter().copied().enumerate().collect::<Vec<_>>());
        assert_eq!(stopped.stats(), whole.stats());
    }
}
