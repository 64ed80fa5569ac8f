//! `han run`: a building's devices in real time, with TUN interfaces, ZEP to Wireshark and
//! external programs as devices; glue to `han_devices::scenario` and the driver.

mod clock;
pub(super) mod driver;
mod iface;
pub(super) mod lag;

use super::live::LiveRun;
use anyhow::{Context, Result};
use han_devices::host::DeviceHost;
use han_devices::scenario::{build, summarise};
use han_mesh::world::World;
use han_radio::building::Building;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `han run`.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Building file (TOML); the bundled flat block if omitted.
    pub building: Option<PathBuf>,
    /// One TUN interface per device (`han-f12-ihd`): its view of the air as ZEP, and what
    /// is written to the medium's address goes on the air as that device.
    #[arg(long)]
    pub tun: bool,
    /// Send every frame on the air as ZEP v2 to HOST:PORT (Wireshark: udp port 17754).
    #[arg(long, value_name = "HOST:PORT")]
    pub zep: Option<String>,
    /// Take ZEP frames on ADDR (e.g. 127.0.0.1:17755) and transmit them from --zep-at.
    #[arg(long, value_name = "ADDR")]
    pub zep_listen: Option<SocketAddr>,
    /// The device whose position and radio --zep-listen frames are sent from
    /// (PREMISES/DEVICE or a device id); the first device if omitted.
    #[arg(long, value_name = "DEVICE")]
    pub zep_at: Option<String>,
    /// Hand PREMISES/DEVICE's radio to whoever writes on its interface (needs --tun); its
    /// emulated behaviour stands down (repeatable).
    #[arg(long, value_name = "PREMISES/DEVICE")]
    pub external: Vec<String>,
    #[command(flatten)]
    pub live: LiveRun,
    /// Write a pcap of the whole air (LINKTYPE_IEEE802_15_4_TAP) at the end.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Write the statistics (per link, per node) as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Write the network and link keys as tshark's zigbee_pc_keys UAT lines, at the start.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Write the summary per premises as JSON at the end.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Run the air (and the interface writer) under SCHED_FIFO at this priority (1-99), so
    /// a busy machine cannot delay frames by milliseconds; needs CAP_SYS_NICE, without it
    /// han says so and runs at normal priority.
    #[arg(long, value_name = "PRIO", value_parser = clap::value_parser!(u8).range(1..=99))]
    pub rt_priority: Option<u8>,
}

/// The node `spec` names: PREMISES/DEVICE (the device id with or without its premises
/// prefix), a device id, or an interface name.
fn find(b: &Building, world: &World<DeviceHost>, names: &[String], spec: &str) -> Option<u32> {
    let nodes = world.nodes();
    let hit = |n: &DeviceHost, k: usize| match spec.split_once('/') {
        Some((p, d)) => {
            b.premises.get(n.premises).is_some_and(|pr| pr.id == p)
                && (n.id == d || n.id == format!("{p}-{d}"))
        }
        None => n.id == spec || names.get(k).is_some_and(|x| x == spec),
    };
    (0..nodes.len())
        .find(|&k| hit(&nodes[k], k))
        .map(|k| k as u32)
}

fn no_tun_permission() -> u8 {
    eprintln!(
        "han run --tun: creating TUN interfaces needs CAP_NET_ADMIN (and /dev/net/tun).\n  \
         hint: run it as root (sudo han run --tun ...), or give the binary the capability once:\n  \
         sudo setcap cap_net_admin+ep $(command -v han)\n  \
         hint: without --tun, `han run --zep 127.0.0.1:17754` shows the whole air in Wireshark \
         and needs no privileges"
    );
    super::EXIT_BAD_INPUT
}

/// Remove interfaces a crashed run left behind; say which.
fn clean_stale() {
    for name in iface::stale() {
        match iface::delete(&name) {
            Ok(()) => eprintln!("han run: removed stale interface {name}"),
            Err(e) => eprintln!("han run: cannot remove stale interface {name}: {e}"),
        }
    }
}

/// Create one interface per device.
fn make_ifaces(world: &World<DeviceHost>, names: &[String]) -> Result<Vec<driver::Iface>, u8> {
    let mut out = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let node = k as u32;
        let Some((device, medium)) = iface::addresses(node) else {
            eprintln!("han run --tun: more devices than the 10.200.0.0/16 plan holds");
            return Err(super::EXIT_BAD_INPUT);
        };
        match iface::create(name, device) {
            Ok(dev) => out.push(driver::Iface {
                node,
                name: name.clone(),
                device,
                medium,
                dev: Arc::new(dev),
            }),
            Err(tun::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::NotFound
                ) || e.raw_os_error() == Some(1) =>
            {
                return Err(no_tun_permission());
            }
            Err(tun::Error::Io(e)) if e.raw_os_error() == Some(16) => {
                eprintln!(
                    "han run --tun: interface {name} is in use by another han run ({e}); stop it first"
                );
                return Err(super::EXIT_BAD_INPUT);
            }
            Err(e) => {
                eprintln!("han run --tun: cannot create interface {name}: {e}");
                return Err(super::EXIT_BAD_INPUT);
            }
        }
    }
    if !out.is_empty() {
        let w = world.nodes();
        eprintln!(
            "han run: {} interfaces, device address / medium address:",
            out.len()
        );
        for i in &out {
            eprintln!(
                "  {:<15} {:<16} {:<12} {} / {}",
                i.name, w[i.node as usize].id, i.node, i.device, i.medium
            );
        }
    }
    Ok(out)
}

/// Run the building in real time and print its summary.
pub fn run(a: &RunArgs) -> Result<u8> {
    let building = match super::survey::load(&a.building) {
        Ok(b) => b,
        Err(_) => return Ok(super::EXIT_BAD_INPUT),
    };
    let cfg = a.live.scenario();
    let (mut world, keys) = build(&building, &cfg);
    let names = {
        let ids: Vec<(&str, &str)> = world
            .nodes()
            .iter()
            .map(|n| {
                let p = building
                    .premises
                    .get(n.premises)
                    .map_or("", |p| p.id.as_str());
                (p, n.id.as_str())
            })
            .collect();
        iface::names(&ids)
    };
    let mut externals = Vec::new();
    for spec in &a.external {
        match find(&building, &world, &names, spec) {
            Some(n) => externals.push(n),
            None => {
                eprintln!(
                    "--external {spec:?}: no such device (expected PREMISES/DEVICE, e.g. flat-12/ihd)"
                );
                return Ok(super::EXIT_BAD_INPUT);
            }
        }
    }
    if !externals.is_empty() && !a.tun {
        eprintln!("--external needs --tun: the external program writes on the device's interface");
        return Ok(super::EXIT_BAD_INPUT);
    }
    let zep_at = match &a.zep_at {
        Some(spec) => match find(&building, &world, &names, spec) {
            Some(n) => n,
            None => {
                eprintln!("--zep-at {spec:?}: no such device");
                return Ok(super::EXIT_BAD_INPUT);
            }
        },
        None => 0,
    };
    let zep = match &a.zep {
        Some(s) => match s.to_socket_addrs().ok().and_then(|mut i| i.next()) {
            Some(addr) => Some(addr),
            None => {
                eprintln!("--zep {s:?}: expected HOST:PORT (e.g. 127.0.0.1:17754)");
                return Ok(super::EXIT_BAD_INPUT);
            }
        },
        None => None,
    };
    if let Some(p) = &a.keys {
        std::fs::write(p, keys.uat_lines()).with_context(|| format!("writing {}", p.display()))?;
    }
    if a.pcap.is_some() {
        world.capture_air();
    }
    for &n in &externals {
        world.set_external(n, true);
    }
    // One worker thread for the interfaces' and sockets' I/O and the signals; the air runs
    // on this thread.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let setup = rt.block_on(async {
        let ifaces = if a.tun {
            clean_stale();
            make_ifaces(&world, &names)?
        } else {
            Vec::new()
        };
        let zep_listen = match a.zep_listen {
            Some(addr) => match tokio::net::UdpSocket::bind(addr).await {
                Ok(s) => Some(Arc::new(s)),
                Err(e) => {
                    eprintln!("--zep-listen {addr}: {e}");
                    return Err(super::EXIT_BAD_INPUT);
                }
            },
            None => None,
        };
        Ok((ifaces, zep_listen))
    });
    let (ifaces, zep_listen) = match setup {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let opts = driver::Options {
        zep,
        zep_listen,
        zep_at,
        until: a.live.until(),
        live: driver::stderr_is_terminal(),
        rt_priority: a.rt_priority,
    };
    let outcome = driver::drive(rt.handle(), &mut world, &ifaces, opts, None)?;
    drop(ifaces);
    rt.shutdown_background();
    let stats = world.stats();
    if let Some(p) = &a.pcap {
        let bytes = world.take_capture().unwrap_or_default();
        std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.stats {
        std::fs::write(p, stats.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    let s = summarise(&building, &world, &cfg);
    if let Some(p) = &a.summary {
        std::fs::write(p, s.to_json()).with_context(|| format!("writing {}", p.display()))?;
    }
    let mut out = s.text();
    out += &format!(
        "real time: {:.2} wall s{}, {} frames on the air, {} ZEP datagrams sent, {} written to interfaces, {} frames injected, {} datagrams rejected\n",
        outcome.wall_s,
        if outcome.interrupted {
            " (interrupted)"
        } else {
            ""
        },
        stats.ppdus,
        outcome.zep_sent,
        outcome.tun_written,
        outcome.injected,
        outcome.rejected,
    );
    out += &outcome.lag.line("lag behind the wall clock", "frames");
    out += "\n";
    if !outcome.delivery.is_empty() {
        out += &outcome
            .delivery
            .line("interface deliveries behind the frame's end", "packets");
        out += "\n";
    }
    out += &outcome
        .wake
        .line("of which timer wake-ups late", "wake-ups");
    out += "\n";
    super::survey::write_stdout(&out)?;
    Ok(super::EXIT_OK)
}
