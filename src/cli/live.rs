//! The options `han run`, `han rcp` and `han bridge` share: how long the building runs in
//! real time and with which seed.

use han_devices::scenario::ScenarioConfig;
use han_mesh::time::{Duration, SimTime};

/// How long a building runs in real time, and the seed it runs with.
#[derive(clap::Args, Debug, Clone)]
pub struct LiveRun {
    /// Stop after this long (seconds, or with a unit s/m/h); until Ctrl-C if omitted.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Seed of all random streams and keys.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl LiveRun {
    /// The virtual time the run stops at (None: until Ctrl-C).
    pub fn until(&self) -> Option<SimTime> {
        self.duration.map(|d| SimTime::ZERO + d)
    }

    /// The scenario built with this seed and nothing else changed.
    pub fn scenario(&self) -> ScenarioConfig {
        ScenarioConfig {
            seed: self.seed,
            ..ScenarioConfig::default()
        }
    }
}

/// A command-line duration: seconds, or with a unit s/m/h.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    Duration::parse(s).ok_or_else(|| format!("{s:?} is not a duration (e.g. 90, 15m, 1h)"))
}
