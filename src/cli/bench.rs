//! `han bench`: benchmarks that print han's figure beside a peer's.

use anyhow::Result;
use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write a capture of realistic frames for the decode benchmark.
    DecodeCapture(super::decode_bench::CaptureArgs),
}

/// Run a benchmark.
pub fn run(cmd: &BenchCommand) -> Result<u8> {
    match cmd {
        BenchCommand::DecodeCapture(a) => super::decode_bench::write_capture(a),
    }
}
