//! The `han` command line: parses arguments and calls the library crates.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// han: a Home Area Network emulator and Alt HAN gateway for GB smart metering.
#[derive(Parser)]
#[command(name = "han", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a capture (pcap, pcapng, Daintree .dcf; 802.15.4, TAP or ZEP) frame by frame.
    Decode(cli::decode::DecodeArgs),
    /// Benchmarks that print han's figure beside a peer's.
    #[command(subcommand)]
    Bench(cli::bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Decode(args)) => cli::decode::run(&args),
        Some(Command::Bench(cmd)) => cli::bench::run(&cmd),
        None => Cli::command()
            .print_help()
            .map(|_| cli::EXIT_OK)
            .map_err(Into::into),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("han: {e:#}");
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}
