//! The real-time driver: han-mesh's [`World`] (the same engine and devices as `han sim`)
//! advanced to the wall clock by a loop that waits until the next event ([`clock`]: a timed
//! wait on a channel, so frames from outside wake it at once, then a short spin; tokio
//! tasks read the interfaces and sockets and catch the signals), puts every
//! frame out as ZEP (to a UDP peer, and to each device's TUN interface as that device heard
//! it), and transmits what external programs write.

use super::clock::{self, Woken};
use super::iface;
use super::lag::Lag;
use han_devices::host::DeviceHost;
use han_mesh::time::SimTime;
use han_mesh::world::{Heard, World};
use han_stack::mac::command::{AssociationStatus, MacCommand};
use han_stack::mac::engine::TxStatus;
use han_stack::mac::{Address, MacFrame, MacPayload};
use han_stack::wire::Wire;
use han_stack::zep::{ZepPacket, unix_to_ntp};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration as WallDuration, Instant};
use tokio::net::UdpSocket;

/// A device's TUN interface.
pub struct Iface {
    /// The node it belongs to.
    pub node: u32,
    /// Interface name.
    pub name: String,
    /// The device's own address (where its view arrives).
    pub device: Ipv4Addr,
    /// The medium's address (where writes to the air go).
    pub medium: Ipv4Addr,
    /// The open TUN device; the interface goes when it is dropped.
    pub dev: Arc<tun::AsyncDevice>,
}

/// What the driver is asked to do.
pub struct Options {
    /// Send every frame on the air as ZEP v2 here.
    pub zep: Option<SocketAddr>,
    /// Take ZEP frames on this socket ...
    pub zep_listen: Option<Arc<UdpSocket>>,
    /// ... and transmit them as this node.
    pub zep_at: u32,
    /// Stop at this virtual time (None: until Ctrl-C).
    pub until: Option<SimTime>,
    /// Print a live summary line on stderr.
    pub live: bool,
    /// Run the air's thread and the interface writer under SCHED_FIFO at this priority.
    pub rt_priority: Option<u8>,
}

impl Options {
    /// A run whose only outside party is a port (an RCP or a bridged radio): no ZEP, no
    /// live line, normal priority; until `until`.
    pub fn port_only(until: Option<SimTime>) -> Self {
        Options {
            zep: None,
            zep_listen: None,
            zep_at: 0,
            until,
            live: false,
            rt_priority: None,
        }
    }
}

/// How the run went.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Lag of every frame behind the wall clock.
    pub lag: Lag,
    /// Lag of every delivery to an interface behind the end of the frame.
    pub delivery: Lag,
    /// How late the driver woke each time it slept until a set instant (the operating
    /// system's share of the lag).
    pub wake: Lag,
    /// Wall seconds.
    pub wall_s: f64,
    /// ZEP datagrams sent to `--zep`.
    pub zep_sent: u64,
    /// Datagrams written to the interfaces.
    pub tun_written: u64,
    /// Frames external programs and ZEP senders put on the air.
    pub injected: u64,
    /// Datagrams from outside that were not ZEP data frames.
    pub rejected: u64,
    /// Stopped by Ctrl-C or SIGTERM.
    pub interrupted: bool,
}

/// A program outside attached to one node's radio (an RCP's host, a dongle): it is given
/// what the node heard and how its transmissions ended, and the bytes its own reader
/// passes in through an [`Inbox`], and acts on the world (transmit, reconfigure).
pub trait Attachment {
    /// The node whose radio it drives.
    fn node(&self) -> u32;
    /// Start its reader; what arrives goes to `inbox`.
    fn start(&mut self, inbox: Inbox) -> std::io::Result<()>;
    /// Bytes from outside, passed in through the inbox, with the world at the wall clock.
    fn input(&mut self, world: &mut World<DeviceHost>, bytes: Vec<u8>);
    /// After the world advanced: what the node heard, then how its transmissions ended.
    fn output(&mut self, world: &mut World<DeviceHost>, heard: Vec<Heard>, done: Vec<TxStatus>);
    /// Its outside program or device came (true) or went (false).
    fn link(&mut self, _world: &mut World<DeviceHost>, _up: bool) {}
}

/// Where an [`Attachment`]'s reader sends what arrives; wakes the driver at once.
#[derive(Clone)]
pub struct Inbox(mpsc::Sender<Wake>);

impl Inbox {
    /// Pass bytes to the attachment; false once the driver has stopped.
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        self.0.send(Wake::Input(bytes)).is_ok()
    }

    /// Tell the attachment its outside end came or went; false once the driver has stopped.
    pub fn link(&self, up: bool) -> bool {
        self.0.send(Wake::Link(up)).is_ok()
    }
}

/// What wakes the loop besides the clock.
enum Wake {
    /// Bytes for the attachment.
    Input(Vec<u8>),
    /// The attachment's outside end came or went.
    Link(bool),
    /// A frame from outside: transmit the ZEP datagram's frame as `node`.
    Frame {
        /// The node it is sent as.
        node: u32,
        /// The ZEP datagram.
        zep: Vec<u8>,
    },
    /// Ctrl-C or SIGTERM.
    Stop,
}

/// The PSDU in a ZEP datagram, with a real FCS (a ZEP frame in CC24xx mode ends in RSSI and
/// correlation instead).
fn psdu_of(zep: &[u8]) -> Option<Vec<u8>> {
    let p = ZepPacket::from_bytes(zep).ok()?;
    let crc_mode = match &p {
        ZepPacket::V1 { crc_mode, .. } | ZepPacket::V2Data { crc_mode, .. } => *crc_mode,
        _ => return None,
    };
    let mut frame = p.frame()?.to_vec();
    if frame.len() < 5 {
        return None;
    }
    if !crc_mode {
        let body = frame.len() - 2;
        let fcs = han_stack::mac::fcs::fcs(frame.get(..body)?);
        frame.truncate(body);
        frame.extend_from_slice(&fcs.to_le_bytes());
    }
    Some(frame)
}

/// A frame a device heard as ZEP v2 in CC24xx mode: the FCS replaced by the RSSI it heard
/// the frame at and "FCS OK" with a correlation value, and its LQI in the header.
fn heard_zep(h: &Heard, epoch_unix_ns: u64, seq: u32) -> Vec<u8> {
    let body = h
        .psdu
        .get(..h.psdu.len().saturating_sub(2))
        .unwrap_or_default();
    let mut frame = body.to_vec();
    let rssi = h.meta.rssi_dbm.round().clamp(-128.0, 127.0) as i8;
    frame.push(rssi as u8);
    frame.push(0x80 | (h.meta.lqi >> 1));
    let unix_ns = epoch_unix_ns + h.at.0;
    ZepPacket::V2Data {
        channel: h.meta.channel,
        device_id: h.node as u16,
        crc_mode: false,
        lqi: h.meta.lqi,
        timestamp: unix_to_ntp(
            (unix_ns / 1_000_000_000) as i64,
            (unix_ns % 1_000_000_000) as u32,
        ),
        seq,
        reserved: [0; 10],
        frame,
    }
    .to_bytes()
}

/// An external device's radio filters on the address its coordinator gives it: taken from
/// the Association Response it hears (IEEE 802.15.4-2015 7.5.3), as a radio chip's driver
/// would set it.
fn adopt_address(world: &mut World<DeviceHost>, h: &Heard) {
    let Some(cfg) = world.radio_config(h.node) else {
        return;
    };
    let Ok((f, _, true)) = MacFrame::parse_with_fcs(&h.psdu) else {
        return;
    };
    if let MacPayload::Command(MacCommand::AssociationResponse { short_addr, status }) = f.payload
        && status == AssociationStatus::Success
        && f.dst == Address::Extended(cfg.ext_addr)
    {
        let pan_id = f.dst_pan.or(f.src_pan).unwrap_or(cfg.pan_id);
        world.set_radio_config(
            h.node,
            han_mesh::RadioConfig {
                short_addr,
                pan_id,
                ..cfg
            },
        );
    }
}

/// A packet for interface `k`, and when its frame ended on the air.
type Delivery = (usize, Vec<u8>, SimTime);

/// The writer thread's inbox, and the thread (it returns the packets written and the lags).
type Writer = (mpsc::Sender<Delivery>, std::thread::JoinHandle<(u64, Lag)>);

/// Write what devices heard to their interfaces on a thread of its own, so a burst of
/// deliveries (a beacon heard by a hundred devices) never holds up the air; measure each
/// delivery's lag behind the end of its frame. Returns the packets written and the lags.
fn spawn_writer(
    ifaces: &[Iface],
    origin: Instant,
    rt_priority: Option<u8>,
) -> std::io::Result<Writer> {
    use std::os::fd::AsRawFd;
    let mut files = Vec::with_capacity(ifaces.len());
    for i in ifaces {
        // SAFETY: the descriptor is open while `i.dev` lives, which it does here; it is
        // duplicated at once, so the thread owns a descriptor of its own.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(i.dev.as_raw_fd()) };
        files.push(std::fs::File::from(fd.try_clone_to_owned()?));
    }
    let (tx, rx) = std::sync::mpsc::channel::<Delivery>();
    let thread = std::thread::Builder::new()
        .name("han-tun-writer".into())
        .spawn(move || {
            let _ = nix::sys::prctl::set_timerslack(1);
            // One below the air's thread: the air comes first.
            if let Some(p) = rt_priority {
                let _ = clock::set_fifo(p.saturating_sub(1).max(1));
            }
            let (mut written, mut lag) = (0u64, Lag::default());
            for (k, pkt, end) in rx {
                if let Some(f) = files.get_mut(k)
                    && f.write(&pkt).is_ok()
                {
                    written += 1;
                    let now = origin.elapsed().as_nanos() as u64;
                    lag.record(now.saturating_sub(end.0));
                }
            }
            (written, lag)
        })?;
    Ok((tx, thread))
}

/// Read packets from one interface and pass its ZEP writes on.
fn spawn_reader(rt: &tokio::runtime::Handle, i: &Iface, tx: mpsc::Sender<Wake>) {
    let dev = Arc::clone(&i.dev);
    let (node, medium) = (i.node, i.medium);
    rt.spawn(async move {
        let mut buf = vec![0u8; 2048];
        while let Ok(n) = dev.recv(&mut buf).await {
            if let Some(zep) = buf.get(..n).and_then(|p| iface::zep_payload(p, medium))
                && tx.send(Wake::Frame { node, zep }).is_err()
            {
                break;
            }
        }
    });
}

fn spawn_listener(
    rt: &tokio::runtime::Handle,
    sock: Arc<UdpSocket>,
    node: u32,
    tx: mpsc::Sender<Wake>,
) {
    rt.spawn(async move {
        let mut buf = vec![0u8; 2048];
        while let Ok((n, _)) = sock.recv_from(&mut buf).await {
            let zep = buf.get(..n).unwrap_or_default().to_vec();
            if tx.send(Wake::Frame { node, zep }).is_err() {
                break;
            }
        }
    });
}

/// Turn Ctrl-C and SIGTERM into [`Wake::Stop`].
fn spawn_signals(rt: &tokio::runtime::Handle, tx: mpsc::Sender<Wake>) -> std::io::Result<()> {
    let _guard = rt.enter();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    rt.spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        let _ = tx.send(Wake::Stop);
    });
    Ok(())
}

/// The live line: time, frames/s, joined devices, the worst link.
fn live_line(world: &World<DeviceHost>, fps: f64) -> String {
    let nodes = world.nodes();
    let joined = nodes.iter().filter(|n| n.is_joined()).count();
    let stats = world.stats();
    let worst = stats
        .links
        .iter()
        .filter(|(_, l)| l.requests > 0)
        .map(|(&(a, b), l)| (l.delivered as f64 / l.requests as f64, a, b))
        .min_by(|x, y| x.0.total_cmp(&y.0));
    let worst = match worst {
        Some((r, a, b)) => format!(
            "worst link {}→{} {:.0}%",
            nodes[a as usize].id,
            nodes[b as usize].id,
            r * 100.0
        ),
        None => "no links yet".to_string(),
    };
    format!(
        "{:>7.1} s  {fps:>6.1} frames/s  joined {joined}/{}  {worst}",
        world.now().as_secs_f64(),
        nodes.len()
    )
}

/// Run `world` against the wall clock until `opts.until`, Ctrl-C or SIGTERM, on this
/// thread; `rt` (whose reactor the interfaces and the listening socket are registered with)
/// runs the readers and the signal handlers.
pub fn drive(
    rt: &tokio::runtime::Handle,
    world: &mut World<DeviceHost>,
    ifaces: &[Iface],
    opts: Options,
    mut attach: Option<&mut dyn Attachment>,
) -> std::io::Result<Outcome> {
    let mut out = Outcome::default();
    // The kernel's default 50 µs timer slack would be most of the lag: ask for none.
    let _ = nix::sys::prctl::set_timerslack(1);
    if let Some(p) = opts.rt_priority
        && let Err(e) = clock::set_fifo(p)
    {
        eprintln!(
            "han run --rt-priority {p}: SCHED_FIFO refused ({e}); running at normal priority\n  \
             hint: run as root, or give the binary the capability once: \
             sudo setcap cap_sys_nice+ep $(command -v han)"
        );
    }
    world.tap_zep();
    for i in ifaces {
        world.tap_node(i.node);
    }
    let by_node: BTreeMap<u32, usize> = ifaces
        .iter()
        .enumerate()
        .map(|(k, i)| (i.node, k))
        .collect();
    let mut seqs = vec![0u32; ifaces.len()];
    let phy = world.config().phy;
    let (tx, rx) = mpsc::channel();
    for i in ifaces {
        spawn_reader(rt, i, tx.clone());
    }
    if let Some(s) = &opts.zep_listen {
        spawn_listener(rt, Arc::clone(s), opts.zep_at, tx.clone());
    }
    let attached = attach.as_ref().map(|a| a.node());
    if let Some(a) = attach.as_deref_mut() {
        world.tap_node(a.node());
        a.start(Inbox(tx.clone()))?;
    }
    spawn_signals(rt, tx)?;
    let zep_out = match opts.zep {
        Some(to) => {
            let bind: SocketAddr = if to.is_ipv4() {
                "0.0.0.0:0".parse().map_err(std::io::Error::other)?
            } else {
                "[::]:0".parse().map_err(std::io::Error::other)?
            };
            // Not connected: an ICMP "port unreachable" (a capture with no listener) must
            // not fail the next send.
            Some((std::net::UdpSocket::bind(bind)?, to))
        }
        None => None,
    };
    let epoch = world.config().epoch_unix_ns;
    let origin = Instant::now();
    let (deliveries, writer) = spawn_writer(ifaces, origin, opts.rt_priority)?;
    let sim_now = |origin: Instant| SimTime(origin.elapsed().as_nanos() as u64);
    let mut last_live = (SimTime::ZERO, 0u64);
    let mut stderr = std::io::stderr();
    let mut slept_until: Option<Instant> = None;
    loop {
        if let Some(due) = slept_until.take() {
            out.wake
                .record(Instant::now().saturating_duration_since(due).as_nanos() as u64);
        }
        let now = sim_now(origin);
        let target = opts.until.map_or(now, |u| now.min(u));
        world.run_until(target);
        // Frames on the air, to the whole-air ZEP peer; the lag of each.
        for z in world.take_zep().unwrap_or_default() {
            if let Some((s, to)) = &zep_out
                && s.send_to(&z.bytes, to).is_ok()
            {
                out.zep_sent += 1;
            }
            out.lag.record(sim_now(origin).0.saturating_sub(z.at.0));
        }
        // What each device heard, to its interface or the attachment.
        let mut mine = Vec::new();
        for h in world.take_heard() {
            if world.is_external(h.node) {
                adopt_address(world, &h);
            }
            if Some(h.node) == attached {
                mine.push(h);
                continue;
            }
            let Some(&k) = by_node.get(&h.node) else {
                continue;
            };
            seqs[k] = seqs[k].wrapping_add(1);
            let i = &ifaces[k];
            let pkt = iface::udp_packet(i.medium, i.device, &heard_zep(&h, epoch, seqs[k]));
            let end = h.at + phy.airtime(h.psdu.len());
            let _ = deliveries.send((k, pkt, end));
        }
        let done = world.take_external_done();
        if let Some(a) = attach.as_deref_mut() {
            let node = a.node();
            let done = done
                .into_iter()
                .filter(|&(n, _)| n == node)
                .map(|(_, s)| s)
                .collect();
            a.output(world, mine, done);
        }
        if opts.until.is_some_and(|u| target >= u) {
            break;
        }
        if opts.live && now >= last_live.0 + han_mesh::Duration::secs(1) {
            let ppdus = world.stats().ppdus;
            let dt = (now - last_live.0).as_secs_f64();
            let fps = (ppdus - last_live.1) as f64 / dt.max(1e-9);
            let _ = write!(stderr, "\r{}\x1b[K", live_line(world, fps));
            last_live = (now, ppdus);
        }
        let horizon = now + han_mesh::Duration::millis(250);
        let next = world
            .next_event_time()
            .unwrap_or(horizon)
            .min(horizon)
            .min(opts.until.unwrap_or(horizon));
        let due = origin + WallDuration::from_nanos(next.0);
        if Instant::now() >= due {
            continue;
        }
        match clock::wait_until(&rx, due, clock::SPIN) {
            Woken::Message(Wake::Frame { node, zep }) => {
                world.run_until(sim_now(origin));
                match psdu_of(&zep) {
                    Some(psdu) => {
                        world.inject(node, psdu);
                        out.injected += 1;
                    }
                    None => out.rejected += 1,
                }
            }
            Woken::Message(Wake::Input(bytes)) => {
                world.run_until(sim_now(origin));
                if let Some(a) = attach.as_deref_mut() {
                    a.input(world, bytes);
                }
            }
            Woken::Message(Wake::Link(up)) => {
                world.run_until(sim_now(origin));
                if let Some(a) = attach.as_deref_mut() {
                    a.link(world, up);
                }
            }
            Woken::Message(Wake::Stop) => {
                out.interrupted = true;
                break;
            }
            Woken::Due => slept_until = Some(due),
        }
    }
    if opts.live {
        let _ = writeln!(stderr);
    }
    drop(deliveries);
    if let Ok((written, lag)) = writer.join() {
        out.tun_written = written;
        out.delivery = lag;
    }
    out.wall_s = origin.elapsed().as_secs_f64();
    Ok(out)
}

/// Whether the live line is wanted: stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_stack::capture::RadioMeta;

    #[test]
    fn a_heard_frame_carries_rssi_and_lqi_and_comes_back_with_its_fcs() {
        let psdu = MacFrame::ack(7, false).emit_with_fcs();
        let h = Heard {
            node: 3,
            at: SimTime(1_500_000_000),
            psdu: psdu.clone(),
            meta: RadioMeta {
                channel: 15,
                rssi_dbm: -71.4,
                lqi: 180,
            },
        };
        let z = heard_zep(&h, 0, 9);
        let p = ZepPacket::from_bytes(&z).unwrap();
        let ZepPacket::V2Data {
            channel,
            lqi,
            crc_mode,
            seq,
            frame,
            ..
        } = p
        else {
            panic!("not ZEP v2 data: {p:?}")
        };
        assert_eq!((channel, lqi, crc_mode, seq), (15, 180, false, 9));
        assert_eq!(frame[frame.len() - 2] as i8, -71);
        assert_eq!(frame[frame.len() - 1], 0x80 | 90);
        // Written back by an external program, the FCS is restored.
        assert_eq!(psdu_of(&z), Some(psdu));
        assert_eq!(psdu_of(b"EX\x02\x02\0\0\0\x01"), None);
        assert_eq!(psdu_of(b"not zep"), None);
    }
}
