//! `han rcp --pty`: a pseudo-terminal that behaves as an OpenThread radio co-processor
//! whose radio stands at a position in the emulated building, run in real time by the
//! same driver as `han run`.

mod port;
pub(crate) mod pty;

use super::live::{LiveRun, parse_duration};
use anyhow::{Context, Result};
use han_devices::scenario::{ScenarioConfig, build, eui64};
use han_mesh::time::Duration;
use han_radio::building::{Building, Device};
use han_radio::device::DeviceKind;
use han_radio::units::Band;
use port::{RcpPort, Unplug};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `han rcp`.
#[derive(clap::Args, Debug, Clone)]
pub struct RcpArgs {
    /// Building file (TOML); the bundled flat block if omitted.
    pub building: Option<PathBuf>,
    /// Create a pseudo-terminal and print its path (the only transport so far).
    #[arg(long)]
    pub pty: bool,
    /// Where the radio stands: PREMISES/DEVICE puts a radio of its own beside that device
    /// (the device keeps running); the first premises' first device if omitted.
    #[arg(long, value_name = "PREMISES/POSITION", conflicts_with = "replace")]
    pub at: Option<String>,
    /// Take over PREMISES/DEVICE's radio instead: its emulated behaviour stands down and the
    /// host's stack becomes that device (its EUI-64; its install-code link key is printed).
    #[arg(long = "as", value_name = "PREMISES/DEVICE")]
    pub replace: Option<String>,
    /// Also make a symbolic link to the pty here (replaced if it exists; removed while
    /// unplugged and pointed at the new pty when plugged back in).
    #[arg(long, value_name = "PATH")]
    pub link: Option<PathBuf>,
    /// Unplug the RCP AT into the run for LENGTH (e.g. 30:2 or 1m:5s; repeatable), as a
    /// USB dongle pulled out and put back: the pty goes away (the host's reads fail), then
    /// a new one comes up (its path printed on stdout) with the radio just powered on. The
    /// building goes on meanwhile.
    #[arg(long, value_name = "AT:LENGTH", value_parser = parse_unplug)]
    pub unplug: Vec<Unplug>,
    /// Pace what the RCP sends at this UART rate (10 bits a byte); unpaced if omitted.
    #[arg(long, value_name = "N")]
    pub baud: Option<u32>,
    #[command(flatten)]
    pub live: LiveRun,
    /// Write the RCP's counters and the air's statistics as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Write the network and link keys as tshark's zigbee_pc_keys UAT lines, at the start.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Write the summary per premises (devices joined, IHD display) as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Keep PREMISES/DEVICE powered off for the whole run (repeatable): e.g. to leave only
    /// the device that talks through the RCP.
    #[arg(long, value_name = "PREMISES/DEVICE")]
    pub off: Vec<String>,
}

fn parse_unplug(s: &str) -> Result<Unplug, String> {
    let (at, length) = s.split_once(':').ok_or_else(|| {
        format!("{s:?}: expected AT:LENGTH, e.g. 30:2 (unplugged at 30 s for 2 s)")
    })?;
    let length = parse_duration(length)?;
    if length.0 == 0 {
        return Err(format!("{s:?}: an unplug lasts longer than 0 s"));
    }
    Ok(Unplug {
        at: parse_duration(at)?,
        length,
    })
}

/// Where the summary at the `k`-th unplug goes: `summary.json` -> `summary.unplug-1.json`.
fn unplug_summary_path(summary: &std::path::Path, k: usize) -> PathBuf {
    let stem = summary
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match summary.extension() {
        Some(e) => format!("{stem}.unplug-{k}.{}", e.to_string_lossy()),
        None => format!("{stem}.unplug-{k}"),
    };
    summary.with_file_name(name)
}

/// Premises and device index named by PREMISES/DEVICE (device id with or without the
/// premises prefix), or the first device when `spec` is None.
fn locate(b: &Building, spec: Option<&str>) -> Option<(usize, usize)> {
    let Some(spec) = spec else {
        return b
            .premises
            .iter()
            .enumerate()
            .find(|(_, p)| !p.devices.is_empty())
            .map(|(p, _)| (p, 0));
    };
    let (p, d) = spec.split_once('/')?;
    let pi = b.premises.iter().position(|x| x.id == p)?;
    let di = b.premises[pi]
        .devices
        .iter()
        .position(|x| x.id == d || x.id == format!("{p}-{d}"))?;
    Some((pi, di))
}

/// Where a radio driven from outside stands: `replace` takes over that device's radio,
/// otherwise a radio of its own is added beside `at` (the first device if None); its
/// antenna loses `extra_loss_db` both ways. Returns (premises, device) indices, or prints
/// why not.
pub(crate) fn place(
    b: &mut Building,
    at: Option<&str>,
    replace: Option<&str>,
    extra_loss_db: f64,
) -> Option<(usize, usize)> {
    let spec = replace.or(at);
    let Some((pi, di)) = locate(b, spec) else {
        eprintln!(
            "no device {:?} in the building (expected PREMISES/DEVICE, e.g. {})",
            spec.unwrap_or(""),
            b.premises
                .first()
                .and_then(|p| p.devices.first().map(|d| format!("{}/{}", p.id, d.id)))
                .unwrap_or_else(|| "12-acacia-road/ihd".into())
        );
        return None;
    };
    let di = if replace.is_some() {
        di
    } else {
        add_radio(b, pi, di)
    };
    for r in b.premises[pi].devices[di].radio.iter_mut().flatten() {
        r.antenna_gain.0 -= extra_loss_db;
    }
    Some((pi, di))
}

/// The node of device `di` of premises `pi`, handed to an outside driver.
pub(crate) fn external_node(
    b: &Building,
    world: &mut han_mesh::World<han_devices::host::DeviceHost>,
    pi: usize,
    di: usize,
) -> Option<u32> {
    let id = &b.premises[pi].devices[di].id;
    let node = world
        .nodes()
        .iter()
        .position(|n| n.premises == pi && n.id == *id)? as u32;
    world.set_external(node, true);
    Some(node)
}

/// The id of the radio `--at` adds.
const RCP_ID: &str = "rcp";

/// Add the RCP's own radio beside device `di` of premises `pi`: a mains dongle (the
/// repeater's default radio), no enclosure. Appended last, so every other device keeps
/// its index, EUI-64 and keys.
fn add_radio(b: &mut Building, pi: usize, di: usize) -> usize {
    let beside = &b.premises[pi].devices[di];
    let kind = DeviceKind::P2pRepeater;
    let mut radio = [None, None];
    for band in [Band::Ghz2_4, Band::Mhz868] {
        radio[band.index()] = Some(kind.default_radio(band));
    }
    let d = Device {
        id: RCP_ID.to_string(),
        kind,
        floor: beside.floor,
        pos: beside.pos,
        enclosure: None,
        radio,
    };
    b.premises[pi].devices.push(d);
    b.premises[pi].devices.len() - 1
}

/// Run the RCP until `--duration`, Ctrl-C or SIGTERM.
pub fn run(a: &RcpArgs) -> Result<u8> {
    if !a.pty {
        eprintln!("han rcp: say where the RCP answers: --pty (a pseudo-terminal)");
        return Ok(super::EXIT_BAD_INPUT);
    }
    let mut building = match super::survey::load(&a.building) {
        Ok(b) => b,
        Err(_) => return Ok(super::EXIT_BAD_INPUT),
    };
    let Some((pi, di)) = place(&mut building, a.at.as_deref(), a.replace.as_deref(), 0.0) else {
        return Ok(super::EXIT_BAD_INPUT);
    };
    let mut outages = Vec::new();
    for spec in &a.off {
        let Some((p, d)) = locate(&building, Some(spec)) else {
            eprintln!("han rcp --off {spec:?}: no such device (expected PREMISES/DEVICE)");
            return Ok(super::EXIT_BAD_INPUT);
        };
        let off = han_devices::host::Outage {
            at: Duration(0),
            length: Duration::secs(100 * 365 * 86_400),
        };
        outages.push((building.premises[p].devices[d].id.clone(), off));
    }
    let cfg = ScenarioConfig {
        outages,
        ..a.live.scenario()
    };
    let (mut world, keys) = build(&building, &cfg);
    let device_id = building.premises[pi].devices[di].id.clone();
    let Some(node) = external_node(&building, &mut world, pi, di) else {
        eprintln!("han rcp: {device_id} has no radio in the 2.4 GHz band");
        return Ok(super::EXIT_BAD_INPUT);
    };
    if let Some(p) = &a.keys {
        std::fs::write(p, keys.uat_lines()).with_context(|| format!("writing {}", p.display()))?;
    }
    let pty = pty::Pty::open().context("creating the pseudo-terminal")?;
    let pty_path = pty.path.clone();
    let mut rcp = RcpPort::new(node, eui64(pi, di), pty, a.baud);
    if let Some(l) = &a.link {
        rcp.link_at(l.clone())
            .with_context(|| format!("linking {} to {}", l.display(), pty_path.display()))?;
    }
    let on_unplug: Option<port::OnUnplug> = a.summary.as_ref().map(|p| {
        let (b, cfg) = (&building, &cfg);
        Box::new(
            move |w: &han_mesh::World<han_devices::host::DeviceHost>, k: usize| {
                let to = unplug_summary_path(p, k);
                let s = han_devices::scenario::summarise(b, w, cfg);
                if let Err(e) = std::fs::write(&to, s.to_json()) {
                    eprintln!("han rcp: writing {}: {e}", to.display());
                }
            },
        ) as port::OnUnplug
    });
    rcp.unplug_at(a.unplug.clone(), on_unplug);
    let eui = eui64(pi, di);
    let premises = building.premises[pi].id.clone();
    let mut out = std::io::stdout();
    writeln!(out, "{}", pty_path.display())?;
    out.flush()?;
    eprintln!(
        "han rcp: {} is an OpenThread RCP (Spinel, HDLC-lite) at {premises}/{device_id}, EUI-64 {:016X}, channel of the building {}",
        pty_path.display(),
        eui.0,
        building.channel_2g4
    );
    if a.replace.is_some()
        && let Some((_, k)) = keys.link.iter().find(|(d, _)| *d == device_id)
    {
        let hex: String = k.iter().map(|b| format!("{b:02X}")).collect();
        eprintln!("han rcp: {device_id}'s install-code link key (in its CHF's device log): {hex}");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let opts = super::run::driver::Options::port_only(a.live.until());
    let outcome = super::run::driver::drive(rt.handle(), &mut world, &[], opts, Some(&mut rcp))?;
    // Let the host read what was sent before the air stopped (at most 2 s).
    let t = std::time::Instant::now();
    while rcp.undelivered() > 0 && t.elapsed() < std::time::Duration::from_secs(2) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    rt.shutdown_background();
    let s = &rcp.stats;
    let air = world.stats();
    if let Some(p) = &a.summary {
        let s = han_devices::scenario::summarise(&building, &world, &cfg);
        std::fs::write(p, s.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.stats {
        let j = serde_json::json!({
            "rcp": s.to_json(),
            "position": format!("{premises}/{device_id}"),
            "node": node,
            "air_frames": air.ppdus,
            "wall_s": outcome.wall_s,
        });
        std::fs::write(p, j.to_string()).with_context(|| format!("writing {}", p.display()))?;
    }
    eprintln!(
        "han rcp: {:.1} s; heard {} frames at {premises}/{device_id}, {} streamed to the host ({} dropped); {} host frames ({} bad), {} transmit requests: {} ok, {} no ACK, {} channel access failures; {} frames on the air",
        outcome.wall_s,
        s.heard,
        s.streamed,
        s.dropped,
        s.host_frames,
        s.bad_frames,
        s.transmit_requests,
        s.tx_ok,
        s.tx_no_ack,
        s.tx_channel_access_failure,
        air.ppdus
    );
    Ok(super::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unplug_takes_when_and_how_long() {
        assert_eq!(
            parse_unplug("30:2"),
            Ok(Unplug {
                at: Duration::secs(30),
                length: Duration::secs(2)
            })
        );
        assert_eq!(
            parse_unplug("1m:5s").map(|u| (u.at, u.length)),
            Ok((Duration::secs(60), Duration::secs(5)))
        );
        for bad in ["30", "30:", "x:2", "30:0"] {
            assert!(parse_unplug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_summary_at_an_unplug_sits_beside_the_final_one() {
        let p = std::path::Path::new("/tmp/out/summary.json");
        assert_eq!(
            unplug_summary_path(p, 2),
            PathBuf::from("/tmp/out/summary.unplug-2.json")
        );
        assert_eq!(
            unplug_summary_path(std::path::Path::new("s"), 1),
            PathBuf::from("s.unplug-1")
        );
    }
}
