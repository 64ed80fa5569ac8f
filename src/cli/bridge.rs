//! `han bridge --serial PATH`: a real 802.15.4 radio running OpenThread's RCP firmware
//! joins the emulated air at a position in the building. Frames it hears enter the air
//! there; frames heard there are sent by it. Bring-up (reset, versions, capabilities,
//! channel, addresses) runs again whenever the port comes back after an unplug.

mod core;
mod link;

use super::live::LiveRun;
use anyhow::{Context, Result};
use han_devices::scenario::build;
use std::path::PathBuf;

/// Arguments of `han bridge`.
#[derive(clap::Args, Debug, Clone)]
pub struct BridgeArgs {
    /// Building file (TOML); the bundled flat block if omitted.
    pub building: Option<PathBuf>,
    /// The RCP's serial port (e.g. /dev/ttyACM0, or a `han rcp --pty` path).
    #[arg(long, value_name = "PATH")]
    pub serial: PathBuf,
    /// Where the real radio stands: PREMISES/DEVICE puts it beside that device; the first
    /// premises' first device if omitted.
    #[arg(long, value_name = "PREMISES/POSITION", conflicts_with = "replace")]
    pub at: Option<String>,
    /// The real device behind the radio is PREMISES/DEVICE: its emulated behaviour stands
    /// down and the real one takes its place (its EUI-64 and install code are in its CHF's
    /// device log).
    #[arg(long = "as", value_name = "PREMISES/DEVICE")]
    pub replace: Option<String>,
    /// Serial rate of the RCP.
    #[arg(long, default_value_t = 460_800)]
    pub baud: u32,
    /// Extra path loss between the real radio and the building, dB (both ways).
    #[arg(long, default_value_t = 0.0, value_name = "DB")]
    pub extra_loss: f64,
    #[command(flatten)]
    pub live: LiveRun,
    /// Write the bridge's counters and latencies as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Write the summary per premises as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Benchmark (scripts/bench bridge): once up, send N broadcast frames of 100 bytes
    /// through the radio as fast as it takes them, and report frames/s and latency.
    #[arg(long, value_name = "N", hide = true)]
    pub flood: Option<u32>,
}

/// Bridge the radio on `--serial` to the building until `--duration`, Ctrl-C or SIGTERM.
pub fn run(a: &BridgeArgs) -> Result<u8> {
    let mut building = match super::survey::load(&a.building) {
        Ok(b) => b,
        Err(_) => return Ok(super::EXIT_BAD_INPUT),
    };
    let Some((pi, di)) = super::rcp::place(
        &mut building,
        a.at.as_deref(),
        a.replace.as_deref(),
        a.extra_loss,
    ) else {
        return Ok(super::EXIT_BAD_INPUT);
    };
    let cfg = a.live.scenario();
    let (mut world, _keys) = build(&building, &cfg);
    let Some(node) = super::rcp::external_node(&building, &mut world, pi, di) else {
        eprintln!("han bridge: the position has no radio in the 2.4 GHz band");
        return Ok(super::EXIT_BAD_INPUT);
    };
    // The radio answers in hardware for the premises' CHF: the real device's parent.
    let chf = world
        .nodes()
        .iter()
        .position(|n| n.premises == pi && n.kind == han_radio::device::DeviceKind::Chf)
        .map(|k| k as u32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let setup = core::Setup {
        channel: building.channel_2g4,
        source_match: chf.is_some(),
    };
    let path = a.serial.display().to_string();
    // The first bring-up decides whether this is an RCP at all: no point running without.
    let port = match rt.block_on(link::open_and_bring_up(&a.serial, a.baud, &setup)) {
        Ok((port, info)) => {
            eprintln!("han bridge: {path}: {info}");
            port
        }
        Err(e) => {
            eprintln!("han bridge: {path}: {e}");
            return Ok(super::EXIT_BAD_INPUT);
        }
    };
    let premises = &building.premises[pi].id;
    let device = &building.premises[pi].devices[di].id;
    eprintln!(
        "han bridge: bridging {path} at {premises}/{device} on channel {} (extra loss {} dB)",
        building.channel_2g4, a.extra_loss
    );
    let flood = a.flood.map(|n| (n, a.baud));
    let mut bridge = core::BridgePort::new(
        node,
        chf,
        a.replace.is_some(),
        setup,
        link::Link::new(rt.handle().clone(), a.serial.clone(), a.baud, port),
    );
    if let Some((n, baud)) = flood {
        bridge.flood(n, baud);
    }
    let opts = super::run::driver::Options::port_only(a.live.until());
    let outcome = super::run::driver::drive(rt.handle(), &mut world, &[], opts, Some(&mut bridge))?;
    rt.shutdown_background();
    let s = bridge.stats();
    if let Some(p) = &a.summary {
        let sum = han_devices::scenario::summarise(&building, &world, &cfg);
        std::fs::write(p, sum.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.stats {
        let mut j = s.to_json();
        j["wall_s"] = serde_json::json!(outcome.wall_s);
        std::fs::write(p, j.to_string()).with_context(|| format!("writing {}", p.display()))?;
    }
    eprintln!("han bridge: {:.1} s; {}", outcome.wall_s, s.line());
    if let Some(r) = bridge.flood_report() {
        println!("{r}");
    }
    Ok(super::EXIT_OK)
}
