//! `han bench mesh`: the ns-3 lr-wpan workload on the virtual air, timed, as JSON.

use anyhow::Result;
use han_mesh::time::SimTime;
use han_mesh::workload::{GridWorkload, build};
use std::time::Instant;

/// Arguments of `han bench mesh`.
#[derive(clap::Args, Debug, Clone)]
pub struct MeshBenchArgs {
    /// Nodes on the grid.
    #[arg(long, default_value_t = 200)]
    pub nodes: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated seconds (the workload says 3600).
    #[arg(long, default_value_t = 3600)]
    pub seconds: u64,
    /// Leave receivers more than this many dB below the sensitivity out of the link table.
    #[arg(long, default_value_t = 10.0)]
    pub floor_margin_db: f64,
}

/// Peak resident set size in KiB (VmHWM), where /proc offers it.
fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run the benchmark and print its JSON report.
pub fn run(a: &MeshBenchArgs) -> Result<u8> {
    let w = GridWorkload {
        duration: han_mesh::Duration::secs(a.seconds),
        floor_margin_db: a.floor_margin_db,
        ..GridWorkload::new(a.nodes, a.seed)
    };
    let t0 = Instant::now();
    let mut world = build(&w);
    let built = t0.elapsed().as_secs_f64();
    world.run_until(SimTime::ZERO + w.duration);
    let wall = t0.elapsed().as_secs_f64();
    let s = world.stats();
    let c = s.confirms;
    let report = serde_json::json!({
        "nodes": a.nodes,
        "seed": a.seed,
        "simulated_s": a.seconds,
        "sensitivity_dbm": world.config().sensitivity_dbm,
        "noise_floor_dbm": world.config().noise_dbm,
        "cca_threshold_dbm": world.config().cca_threshold_dbm,
        "link_table_floor_dbm": world.config().sensitivity_dbm - a.floor_margin_db,
        "link_table_entries": world.links().entries(),
        "ppdus_on_air": s.ppdus,
        "data_ppdus": s.ppdus - s.acks,
        "ack_ppdus": s.acks,
        "confirms": { "success": c.success, "no_ack": c.no_ack, "channel_access_failure": c.channel_access_failure },
        "wall_s": wall,
        "setup_wall_s": built,
        "ppdus_per_wall_s": s.ppdus as f64 / wall,
        "speedup_over_real_time": a.seconds as f64 / wall,
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(super::EXIT_OK)
}
