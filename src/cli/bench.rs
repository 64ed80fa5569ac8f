//! `han bench`: benchmarks that print han's figure beside a peer's.

use anyhow::Result;
use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write a capture of realistic frames for the decode benchmark.
    DecodeCapture(super::decode_bench::CaptureArgs),
    /// Survey benchmark on the 20-storey tower, indexed against brute force.
    Survey(super::survey::BenchSurveyArgs),
    /// The ns-3 lr-wpan workload (shared/bench/ns3-workload.md) on the virtual air.
    Mesh(super::mesh_bench::MeshBenchArgs),
    /// Alt HAN planning of the tower with its meters in a basement: phases and cost ratio.
    Plan(super::plan::BenchPlanArgs),
}

/// Run a benchmark.
pub fn run(cmd: &BenchCommand) -> Result<u8> {
    match cmd {
        BenchCommand::DecodeCapture(a) => super::decode_bench::write_capture(a),
        BenchCommand::Survey(a) => super::survey::run_bench(a).map(crate::exit_code),
        BenchCommand::Mesh(a) => super::mesh_bench::run(a),
        BenchCommand::Plan(a) => super::plan::run_bench(a),
    }
}
