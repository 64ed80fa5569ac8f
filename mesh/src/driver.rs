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
    mut report: impl FnMut(&Progress),
) -> Progress {
    let start = Instant::now();
    let origin = world.now();
    let step = Duration(step.0.max(1));
    loop {
        let next = (world.now() + step).min(until);
        world.run_until(next);
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
    }
}
