//! `han sim`: a building's GB HAN devices (and its Alt HAN equipment) on the virtual air;
//! glue to `han_devices::scenario` and `han_althan::sim`.

use anyhow::{Context, Result};
use han_althan::sim::{GatewayConfig, build, summarise};
use han_devices::scenario::ScenarioConfig;
use han_devices::timeline::Timeline;
use han_mesh::time::{Duration, SimTime};
use std::path::PathBuf;

/// Arguments of `han sim`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs {
    /// Building file (TOML); the bundled flat block if omitted.
    pub building: Option<PathBuf>,
    /// Simulated time: seconds, or with a unit s/m/h/d (e.g. 24h).
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub duration: Duration,
    /// Seed of all random streams.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write a pcap of the whole air (LINKTYPE_IEEE802_15_4_TAP with channel, RSS, LQI).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Also write what one device decodes, from its point of view: DEVICE=FILE (repeatable).
    #[arg(long, value_name = "DEVICE=FILE")]
    pub pcap_node: Vec<String>,
    /// Write the statistics (per link, per node) as JSON.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Write the network and link keys, one `"KEY","Normal","label"` line each, as
    /// tshark's zigbee_pc_keys UAT file takes them.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Write the summary per premises as JSON.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Scenario events (TOML): power cuts, key updates, moves, walls, doors, interferers,
    /// top-ups, price changes; see docs/devices.md.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Band of every device: 2.4 (O-QPSK) or 868 (GB868 2-FSK with the duty-cycle limit).
    /// Left out: both bands when the building names `channel_868` (dual-band hubs form on
    /// both, dual-band devices try 2.4 GHz first), else 2.4.
    #[arg(long, value_parser = parse_band)]
    pub band: Option<han_radio::units::Band>,
    /// Pace the run: simulated seconds per wall second (1 = real time); as fast as
    /// possible if omitted.
    #[arg(long)]
    pub speed: Option<f64>,
}

pub(crate) fn parse_band(s: &str) -> Result<han_radio::units::Band, String> {
    match s {
        "2.4" | "2.4GHz" | "2400" => Ok(han_radio::units::Band::Ghz2_4),
        "868" | "868MHz" => Ok(han_radio::units::Band::Mhz868),
        _ => Err(format!("{s:?} is not a band (2.4 or 868)")),
    }
}

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    Duration::parse(s).ok_or_else(|| format!("{s:?} is not a duration (e.g. 90, 15m, 24h, 7d)"))
}

/// Run the simulation and print its summary.
pub fn run(a: &SimArgs) -> Result<u8> {
    let mut building = match super::survey::load(&a.building) {
        Ok(b) => b,
        Err(_) => return Ok(super::EXIT_BAD_INPUT),
    };
    let mut events = han_devices::events::Events::default();
    if let Some(f) = &a.events {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return Ok(super::EXIT_BAD_INPUT);
            }
        };
        match han_devices::events::parse(&f.display().to_string(), &text, &building) {
            Ok(e) => events = e,
            Err(e) => {
                eprintln!("{e}");
                return Ok(super::EXIT_BAD_INPUT);
            }
        }
    }
    let dual_band = a.band.is_none() && building.channel_868.is_some();
    if dual_band && !events.air.is_empty() {
        eprintln!(
            "{}: moves, walls, doors and noise sources need a one-band run: add --band 2.4 \
             or --band 868 (this building runs both bands by default)",
            a.events
                .as_ref()
                .map_or(String::new(), |f| f.display().to_string())
        );
        return Ok(super::EXIT_BAD_INPUT);
    }
    let band = a.band.unwrap_or(han_radio::units::Band::Ghz2_4);
    let cfg = ScenarioConfig {
        seed: a.seed,
        band,
        dual_band,
        outages: events.power_cuts.clone(),
        key_updates: events.key_updates.clone(),
        top_ups: events.top_ups.clone(),
        leaves: events.leaves.clone(),
        fast_polls: events.fast_polls.clone(),
        price_changes: events.price_changes.clone(),
        ..ScenarioConfig::default()
    };
    let gateways = GatewayConfig::default().with_outages(&events.backhaul_outages);
    let mut run = build(&building, &cfg, &gateways);
    let world = &mut run.world;
    let mut timeline = Timeline::new(&building, band, world, events);
    if a.pcap.is_some() {
        world.capture_air();
    }
    let mut views = Vec::new();
    for spec in &a.pcap_node {
        let found = spec.split_once('=').and_then(|(id, file)| {
            let i = world.nodes().iter().position(|n| n.id() == id)?;
            Some((i as u32, PathBuf::from(file)))
        });
        let Some((i, file)) = found else {
            eprintln!(
                "--pcap-node {spec:?}: expected DEVICE=FILE with a device id of the building"
            );
            return Ok(super::EXIT_BAD_INPUT);
        };
        world.capture_node(i);
        views.push((i, file));
    }
    let until = SimTime::ZERO + a.duration;
    let step = match a.speed {
        Some(_) => Duration::millis(10),
        None => Duration((a.duration.0 / 200).max(1)),
    };
    let bar = indicatif::ProgressBar::new(a.duration.0 / 1_000_000_000);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} s") {
        bar.set_style(style.progress_chars("=> "));
    }
    let p = timeline.run(&mut building, world, until, step, a.speed, |p| {
        bar.set_position(p.simulated.0 / 1_000_000_000);
        bar.set_message(format!("sim {:.0}× real time", p.speedup));
    });
    bar.finish_and_clear();
    let stats = world.stats();
    if let Some(p) = &a.pcap {
        let bytes = world.take_capture().unwrap_or_default();
        std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    for (i, file) in &views {
        let bytes = world.take_node_capture(*i).unwrap_or_default();
        std::fs::write(file, bytes).with_context(|| format!("writing {}", file.display()))?;
    }
    if let Some(p) = &a.stats {
        std::fs::write(p, stats.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.keys {
        std::fs::write(p, run.keys.uat_lines())
            .with_context(|| format!("writing {}", p.display()))?;
    }
    let mut s = summarise(&building, &run, &cfg);
    s.devices.events = timeline.rows();
    s.devices.air = timeline.windows();
    if let Some(p) = &a.summary {
        std::fs::write(p, s.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    let mut out = s.text();
    out += &format!("{:.2} wall s, {:.0}× real time\n", p.wall_s, p.speedup);
    super::survey::write_stdout(&out)?;
    Ok(super::EXIT_OK)
}
