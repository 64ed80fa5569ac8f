//! `han replay`: argument parsing, file handling and output; decoding,
//! checking, diffing and JUnit are `han_stack::replay`'s.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use han_stack::dissect::Keyring;
use han_stack::replay::{self, CaptureReport, Expectations, Tolerance, Trace, junit, report};

use super::decode::{add_keys_text, parse_key};
use super::{EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK};

/// Output formats of `han replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable report.
    Text,
    /// One JSON document.
    Json,
}

/// Arguments of `han replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Captures to check (every format `han decode` reads); with --diff, exactly two: A B.
    #[arg(required = true)]
    pub captures: Vec<PathBuf>,
    /// A key in hex, tried as network and as link key (repeatable).
    #[arg(long = "key", value_name = "HEX")]
    pub keys: Vec<String>,
    /// A file of keys, one hex key per line (`#` comments), as `han decode --keys-file`.
    #[arg(long = "keys-file", value_name = "FILE")]
    pub keys_files: Vec<PathBuf>,
    /// The expectations file (TOML, docs/replay.md).
    #[arg(long, value_name = "EXPECT.toml")]
    pub expect: Option<PathBuf>,
    /// Also write JUnit XML: one test suite per capture, one test case per expectation.
    #[arg(long, value_name = "F.xml")]
    pub junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Compare two captures semantically (message counts, timings, attribute values).
    #[arg(long)]
    pub diff: bool,
    /// With --diff: relative difference of mean intervals allowed (0.1 = 10 %).
    #[arg(long, default_value_t = Tolerance::default().relative)]
    pub time_tolerance: f64,
    /// Play one device's captured frames into this building (TOML) and check the
    /// expectations on the emulated air (docs/replay.md, "Injection").
    #[arg(long, value_name = "BUILDING")]
    pub into: Option<PathBuf>,
    /// With --into: the emulated device that takes over the captured one's frames.
    #[arg(long = "as", value_name = "PREMISES/DEVICE", requires = "into")]
    pub as_device: Option<String>,
    /// With --into: the captured device (0x1234 or an EUI-64); the --as device's EUI-64
    /// if omitted.
    #[arg(long, value_name = "ADDR", requires = "into")]
    pub from: Option<String>,
    /// With --into: play the frames this many times faster than recorded.
    #[arg(long, default_value_t = 1.0, requires = "into", value_parser = parse_speed)]
    pub speed: f64,
    /// With --into: play the frames back to back, as fast as the MAC sends them.
    #[arg(long, requires = "into", conflicts_with = "speed")]
    pub as_fast: bool,
    /// With --into: seed of the emulated building (its keys, PAN ID, timings).
    #[arg(long, default_value_t = 1, requires = "into")]
    pub seed: u64,
    /// With --into: also write the emulated air (the injected frames and the answers).
    #[arg(long, value_name = "FILE", requires = "into")]
    pub pcap: Option<PathBuf>,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "{s:?} is not a speed-up factor (a number above 0, e.g. 10)"
        )),
    }
}

/// Bad input: message printed, exit code 2.
fn unusable(message: String) -> Result<u8> {
    eprintln!("han replay: {message}");
    Ok(EXIT_BAD_INPUT)
}

fn keyring(args: &ReplayArgs) -> Result<Keyring> {
    let mut ring = Keyring::new();
    for k in &args.keys {
        let key = parse_key(k).context("--key")?;
        ring.add_network_key(key);
        ring.add_link_key(key);
    }
    for path in &args.keys_files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read keys file {}", path.display()))?;
        add_keys_text(&mut ring, &text, path)?;
    }
    Ok(ring)
}

fn decode(path: &Path, keys: &Keyring) -> Result<Trace, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    Trace::decode(&bytes, keys.clone(), threads).map_err(|e| format!("{}: {e}", path.display()))
}

fn expectations(path: &Option<PathBuf>) -> Result<Expectations, String> {
    let Some(path) = path else {
        return Ok(Expectations::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    replay::parse(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// Run `han replay`.
pub fn run(args: &ReplayArgs) -> Result<u8> {
    let keys = match keyring(args) {
        Ok(k) => k,
        Err(e) => return unusable(format!("{e:#}")),
    };
    if args.diff {
        return run_diff(args, &keys);
    }
    let expect = match expectations(&args.expect) {
        Ok(e) => e,
        Err(e) => return unusable(e),
    };
    if args.into.is_some() {
        return super::replay_inject::run(args, &keys, &expect);
    }
    let mut reports: Vec<CaptureReport> = Vec::new();
    for path in &args.captures {
        let trace = match decode(path, &keys) {
            Ok(t) => t,
            Err(e) => return unusable(e),
        };
        reports.push(replay::replay(&path.display().to_string(), &trace, &expect));
    }
    if let Some(path) = &args.junit {
        let suites: Vec<junit::Suite<'_>> = reports
            .iter()
            .map(|r| junit::Suite {
                name: &r.capture,
                outcomes: &r.results,
            })
            .collect();
        std::fs::write(path, junit::write(&suites))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&reports)? + "\n",
        Format::Text => reports.iter().map(report::text).collect(),
    };
    super::survey::write_stdout(&out)?;
    Ok(if reports.iter().all(CaptureReport::passed) {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    })
}

fn run_diff(args: &ReplayArgs, keys: &Keyring) -> Result<u8> {
    let [a, b] = args.captures.as_slice() else {
        return unusable(format!(
            "--diff compares exactly two captures, {} given",
            args.captures.len()
        ));
    };
    let (ta, tb) = match (decode(a, keys), decode(b, keys)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return unusable(e),
    };
    let tolerance = Tolerance {
        relative: args.time_tolerance,
        ..Tolerance::default()
    };
    let differences = replay::diff(
        &replay::conversations(&ta),
        &replay::conversations(&tb),
        tolerance,
    );
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&differences)? + "\n",
        Format::Text => report::diff_text(
            &a.display().to_string(),
            &b.display().to_string(),
            &differences,
        ),
    };
    super::survey::write_stdout(&out)?;
    Ok(if differences.is_empty() {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    })
}
