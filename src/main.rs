//! The `han` command line: parses arguments and calls the library crates.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// han: a Home Area Network emulator and Alt HAN gateway for GB smart metering.
#[derive(Parser)]
#[command(name = "han", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Survey a building: HAN link budgets, coverage and a verdict per premises.
    Survey(cli::survey::SurveyArgs),
    /// Decode a capture (pcap, pcapng, Daintree .dcf; 802.15.4, TAP or ZEP) frame by frame.
    Decode(cli::decode::DecodeArgs),
    /// Run a building's HAN on the virtual air (deterministic, faster than real time).
    Sim(cli::sim::SimArgs),
    /// Portfolio surveys: generate a GB housing stock, survey it in shards, merge, report.
    #[command(subcommand)]
    Portfolio(cli::portfolio::PortfolioCommand),
    /// Plan Alt HAN for a building's failing premises at least cost (or exempt them).
    Plan(cli::plan::PlanArgs),
    /// Check captures against expectations (TOML), diff two captures, write JUnit XML.
    Replay(cli::replay::ReplayArgs),
    /// Run a building's HAN in real time: TUN interfaces, ZEP to Wireshark, external devices.
    Run(cli::run::RunArgs),
    /// Benchmarks that print han's figure beside a peer's.
    #[command(subcommand)]
    Bench(cli::bench::BenchCommand),
    /// A pseudo-terminal that behaves as an OpenThread RCP whose radio is in the building.
    Rcp(cli::rcp::RcpArgs),
    /// The installer's terminal UI: floors, premises, floor plans, links, heat maps and edits.
    Tui(cli::tui::TuiArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Survey(args)) => cli::survey::run(&args).map(exit_code),
        Some(Command::Decode(args)) => cli::decode::run(&args),
        Some(Command::Sim(args)) => cli::sim::run(&args),
        Some(Command::Replay(args)) => cli::replay::run(&args),
        Some(Command::Run(args)) => cli::run::run(&args),
        Some(Command::Bench(cmd)) => cli::bench::run(&cmd),
        Some(Command::Portfolio(cmd)) => cli::portfolio::run(&cmd),
        Some(Command::Tui(args)) => cli::tui::run(&args).map(exit_code),
        Some(Command::Plan(args)) => cli::plan::run(&args),
        Some(Command::Rcp(args)) => cli::rcp::run(&args),
        None => cli::tui::run_default().map(exit_code),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("han: {e:#}");
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}

/// The survey glue reports its exit code as an `i32`; anything out of range is a usage error.
fn exit_code(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(cli::EXIT_BAD_INPUT)
}
