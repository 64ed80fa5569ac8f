//! `han bench plan`: how long each phase of planning a building takes.
use crate::apply::apply;
use crate::plan::{Analysis, Fix, Plan};
use crate::verify::{VerifyConfig, verify_plan};
use han_radio::building::Building;
use han_radio::survey::Verdict;
use std::time::{Duration, Instant};

/// One timed planning run.
#[derive(Debug, Clone)]
pub struct BenchRun {
    /// Survey of the building as given.
    pub survey: Duration,
    /// Candidate positions, who hears what, dual-band and P2P options.
    pub candidates: Duration,
    /// Choosing the shared installation and writing the plan.
    pub optimise: Duration,
    /// Writing the plan into the file, parsing and surveying the result.
    pub verify: Duration,
    /// The plan on the virtual air with the full devices (2 h, without and with the equipment).
    pub simulate: Duration,
    /// Fixed premises the simulation confirms.
    pub simulated_ok: usize,
    /// The plan.
    pub plan: Plan,
    /// Planned (not exempt) premises the survey of the applied file finds ok.
    pub verified_ok: usize,
}

/// Plans `b` (read from `src`) once, timing each phase.
pub fn run(b: &Building, src: &str) -> BenchRun {
    let t0 = Instant::now();
    let report = b.survey();
    let t1 = Instant::now();
    let analysis = Analysis::from_survey(b, &report);
    let t2 = Instant::now();
    let plan = analysis.plan();
    let t3 = Instant::now();
    let verified_ok = apply(src, &plan)
        .ok()
        .and_then(|out| Building::from_toml("applied.toml", &out).ok())
        .map_or(0, |applied| {
            let r = applied.survey();
            r.premises
                .iter()
                .filter(|p| {
                    p.verdict != Verdict::NeedsAltHan
                        && plan
                            .plans
                            .iter()
                            .any(|x| x.id == p.id && x.fix != Fix::Exempt)
                })
                .count()
        });
    let t4 = Instant::now();
    let simulated_ok = verify_plan(src, &plan, &VerifyConfig::default())
        .map_or(0, |v| v.iter().filter(|c| c.ok).count());
    let t5 = Instant::now();
    BenchRun {
        survey: t1 - t0,
        candidates: t2 - t1,
        optimise: t3 - t2,
        verify: t4 - t3,
        simulate: t5 - t4,
        simulated_ok,
        plan,
        verified_ok,
    }
}
