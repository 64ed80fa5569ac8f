//! Running a scenario with its events: the changes to the air are applied at their times
//! (the world stops there), the rest (power cuts, key updates, top-ups, prices) were given
//! to the devices when the run was built. The summary gets every event and, when the air
//! changed, the air's counters between changes (CCA busy, collisions), so their effect shows.

use crate::events::Events;
use han_mesh::changes::{AirChange, AirChanges};
use han_mesh::driver::{Progress, run_with_stops};
use han_mesh::radio::Node;
use han_mesh::stats::Stats;
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::Building;
use han_radio::units::Band;
use serde::Serialize;

/// One event in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    /// When, simulated seconds.
    pub at_s: f64,
    /// What happened.
    pub event: String,
    /// Link-table entries the change touched (moves, walls and doors).
    pub links_changed: Option<usize>,
}

/// The air's counters over a stretch between changes to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AirWindow {
    /// Start, simulated seconds.
    pub from_s: f64,
    /// End, simulated seconds.
    pub to_s: f64,
    /// PPDUs put on the air.
    pub ppdus: u64,
    /// Clear channel assessments that found the channel busy.
    pub busy_ccas: u64,
    /// Frames given up for channel access failure.
    pub cca_failures: u64,
    /// Frames given up for want of an ACK.
    pub no_acks: u64,
    /// Frames addressed to a node that it received with errors (collisions, bursts).
    pub corrupted: u64,
}

impl AirWindow {
    fn between(from: &Stats, to: &Stats) -> Self {
        AirWindow {
            from_s: from.duration_ns as f64 / 1e9,
            to_s: to.duration_ns as f64 / 1e9,
            ppdus: to.ppdus - from.ppdus,
            busy_ccas: to.busy_ccas - from.busy_ccas,
            cca_failures: to.confirms.channel_access_failure - from.confirms.channel_access_failure,
            no_acks: to.confirms.no_ack - from.confirms.no_ack,
            corrupted: to.corrupted - from.corrupted,
        }
    }
}

/// A run's events against its world.
pub struct Timeline {
    events: Events,
    changes: AirChanges,
    links_changed: Vec<Option<usize>>,
    /// Stats at the start, at each distinct change time and at the end.
    snapshots: Vec<Stats>,
}

impl Timeline {
    /// The events for `world`, built from `b` in `band` by [`crate::scenario::build`]: the
    /// run's own noise sources join the air (switched off).
    pub fn new<N: Node>(b: &Building, band: Band, world: &mut World<N>, events: Events) -> Self {
        let mut changes = AirChanges::new(b, band, world);
        for (_, ap) in &events.sources {
            changes.add_source(b, world, ap.clone());
        }
        Timeline {
            links_changed: vec![None; events.log.len()],
            events,
            changes,
            snapshots: Vec::new(),
        }
    }

    /// Run `world` to `until` as [`han_mesh::driver::run`] does, applying the changes to
    /// the air (and to `b`) at their times.
    pub fn run<N: Node>(
        &mut self,
        b: &mut Building,
        world: &mut World<N>,
        until: SimTime,
        step: Duration,
        speed: Option<f64>,
        report: impl FnMut(&Progress),
    ) -> Progress {
        let stops: Vec<SimTime> = self
            .events
            .air
            .iter()
            .map(|e| SimTime::ZERO + e.at)
            .collect();
        if !stops.is_empty() {
            self.snapshots.push(world.stats());
        }
        let (air, changes, links_changed, snapshots) = (
            &self.events.air,
            &mut self.changes,
            &mut self.links_changed,
            &mut self.snapshots,
        );
        let p = run_with_stops(
            world,
            until,
            step,
            speed,
            &stops,
            |w, k| {
                let e = &air[k];
                let last = snapshots.last().map(|s| s.duration_ns);
                if last != Some(w.now().0) {
                    snapshots.push(w.stats());
                }
                let n = changes.apply(b, w, &e.change);
                let links = !matches!(e.change, AirChange::Switch { .. });
                if let Some(slot) = links_changed.get_mut(e.log).filter(|_| links) {
                    *slot = Some(n);
                }
            },
            report,
        );
        if !stops.is_empty() && snapshots.last().map(|s| s.duration_ns) != Some(world.now().0) {
            snapshots.push(world.stats());
        }
        p
    }

    /// Every event in time order (file order at the same time), with what changes to the
    /// air touched.
    pub fn rows(&self) -> Vec<EventRow> {
        let mut rows: Vec<(Duration, EventRow)> = self
            .events
            .log
            .iter()
            .zip(&self.links_changed)
            .map(|((at, what), n)| {
                (
                    *at,
                    EventRow {
                        at_s: at.as_secs_f64(),
                        event: what.clone(),
                        links_changed: *n,
                    },
                )
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        rows.into_iter().map(|r| r.1).collect()
    }

    /// The air's counters between changes to it (empty when the air never changed).
    pub fn windows(&self) -> Vec<AirWindow> {
        self.snapshots
            .windows(2)
            .map(|w| AirWindow::between(&w[0], &w[1]))
            .collect()
    }
}
