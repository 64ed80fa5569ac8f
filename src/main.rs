//! The `han` command line.
mod cli;

use clap::{Parser, Subcommand};

/// GB smart-metering HAN emulator.
#[derive(Parser)]
#[command(name = "han", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Survey a building: HAN link budgets, coverage and a verdict per premises.
    Survey(cli::survey::SurveyArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Survey benchmark on the 20-storey tower.
    Survey(cli::survey::BenchSurveyArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Survey(a)) => cli::survey::run(&a)?,
        Some(Command::Bench(BenchCommand::Survey(a))) => cli::survey::run_bench(&a)?,
        None => cli::survey::run(&cli::survey::SurveyArgs::default())?,
    };
    std::process::exit(code);
}
