//! `han decode`: argument parsing and output; the dissection is han-stack's.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use han_stack::capture;
use han_stack::dissect::{self, Dissector, FrameSummary, Keyring, Totals, text_line};
use han_stack::security::InstallCode;

use super::{EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK};

/// Output formats of `han decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One readable line per frame.
    Text,
    /// One JSON object per frame.
    Jsonl,
    /// Totals only (decode and decrypt everything, print counts).
    Count,
}

/// Arguments of `han decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The capture file.
    pub capture: PathBuf,
    /// A network key in hex (repeatable; tried in turn).
    #[arg(long = "key", value_name = "HEX")]
    pub keys: Vec<String>,
    /// An APS link key in hex (repeatable).
    #[arg(long = "link-key", value_name = "HEX")]
    pub link_keys: Vec<String>,
    /// An install code (with its CRC) from which to derive a link key (repeatable).
    #[arg(long = "install-code", value_name = "HEX")]
    pub install_codes: Vec<String>,
    /// A file of keys, one hex key per line, each tried as network and link key.
    #[arg(long = "keys-file", value_name = "FILE")]
    pub keys_files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Parse a 16-byte key written as hex, with optional `:`/space separators.
pub fn parse_key(text: &str) -> Result<[u8; 16]> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if digits.len() != 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!(
            "`{text}` is not a 128-bit key: write 32 hex digits, e.g. 5a6967426565416c6c69616e63653039"
        );
    }
    let mut key = [0u8; 16];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)?;
    }
    Ok(key)
}

fn keyring(args: &DecodeArgs) -> Result<Keyring> {
    let mut ring = Keyring::new();
    for k in &args.keys {
        ring.add_network_key(parse_key(k).context("--key")?);
    }
    for k in &args.link_keys {
        ring.add_link_key(parse_key(k).context("--link-key")?);
    }
    for code in &args.install_codes {
        let ic = InstallCode::from_hex(code).with_context(|| format!("--install-code {code}"))?;
        ring.add_link_key(ic.link_key());
    }
    for path in &args.keys_files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read keys file {}", path.display()))?;
        add_keys_text(&mut ring, &text, path)?;
    }
    Ok(ring)
}

/// Add every key of a keys file (one hex key per line, `#` comments) as network and link key.
pub(crate) fn add_keys_text(ring: &mut Keyring, text: &str, path: &Path) -> Result<()> {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = parse_key(line).with_context(|| format!("{}:{}:1", path.display(), n + 1))?;
        ring.add_network_key(key);
        ring.add_link_key(key);
    }
    Ok(())
}

/// Print each frame as text or JSON lines; returns the totals and any capture error.
fn print_frames(
    dissector: &mut Dissector,
    reader: capture::CaptureReader<'_>,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<(Totals, Option<capture::CaptureError>)> {
    let mut totals = Totals::default();
    for item in reader {
        let frame = match item {
            Ok(f) => f,
            Err(e) => return Ok((totals, Some(e))),
        };
        let d = dissector.dissect_record(&frame);
        totals.add(&d);
        let mut summary = FrameSummary::new(frame.number, frame.time, frame.mpdu.len(), &d);
        summary.channel = frame.channel;
        summary.rssi_dbm = frame.rssi_dbm;
        summary.lqi = frame.lqi;
        if format == Format::Jsonl {
            serde_json::to_writer(&mut *out, &summary)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", text_line(&summary))?;
        }
    }
    Ok((totals, None))
}

/// Run `han decode`.
pub fn run(args: &DecodeArgs) -> Result<u8> {
    let ring = match keyring(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("han decode: {e:#}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let bytes = match std::fs::read(&args.capture) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("han decode: cannot read {}: {e}", args.capture.display());
            return Ok(EXIT_BAD_INPUT);
        }
    };
    decode_bytes(
        &args.capture.display().to_string(),
        &bytes,
        ring,
        args.format,
    )
}

fn decode_bytes(name: &str, bytes: &[u8], ring: Keyring, format: Format) -> Result<u8> {
    let reader = match capture::open(bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("han decode: {name}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let mut dissector = Dissector::new(ring);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (totals, file_error) = if format == Format::Count {
        dissector.summarize_zcl = false;
        let threads = std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN);
        let (totals, error) = dissect::count(&mut dissector, reader, threads);
        serde_json::to_writer_pretty(&mut out, &totals)?;
        writeln!(out)?;
        (totals, error)
    } else {
        match print_frames(&mut dissector, reader, format, &mut out) {
            Ok(done) => done,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
            Err(e) => return Err(e.into()),
        }
    };
    out.flush()?;
    if let Some(e) = file_error {
        eprintln!(
            "han decode: {name}: {e} (the {} frame(s) before it were decoded)",
            totals.frames
        );
        return Ok(if totals.frames == 0 {
            EXIT_BAD_INPUT
        } else {
            EXIT_CHECK_FAILED
        });
    }
    if totals.errors > 0 {
        eprintln!(
            "han decode: {name}: {} of {} frame(s) did not decode",
            totals.errors, totals.frames
        );
        return Ok(EXIT_CHECK_FAILED);
    }
    Ok(EXIT_OK)
}
