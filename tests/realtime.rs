//! `han run` in real time. The TUN tests each create their own network namespace with
//! `ip netns`, run han and tshark inside it with `ip netns exec` (the external device's
//! thread enters it with setns), and remove it; the ZEP test stays on loopback. Tests that
//! need root (namespaces, TUN) say so and pass without checking anything when not root.

mod common;

use common::uat_key_options;
use han_devices::behaviour::{
    Api, Behaviour, INSTANTANEOUS_DEMAND, METERING, Peer, ZclIndication, ZclRequest,
    attribute_values, read_frame,
};
use han_devices::esme::ESME_ENDPOINT;
use han_devices::host::{DeviceHost, HostConfig, RoleConfig};
use han_devices::ihd::IHD_ENDPOINT;
use han_devices::scenario::{ScenarioConfig, build, eui64};
use han_mesh::rng::{Purpose, Stream};
use han_mesh::time::{Duration, SimTime};
use han_mesh::{Action, Node, NodeCtx, NodeInput, RadioConfig, Received};
use han_radio::building::Building;
use han_radio::device::DeviceKind;
use han_stack::mac::engine::{HeaderPeek, TxStatus};
use han_stack::mac::{Address, FrameType};
use han_stack::wire::Wire;
use han_stack::zcl::ZclValue;
use han_stack::zep::ZepPacket;
use std::any::Any;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const TERRACED: &str = "examples/buildings/terraced-house.toml";

/// These tests make network namespaces and TUN interfaces: they need root (CI and the
/// development machines run as root). Not root is a failure, never a silent skip.
fn root() -> bool {
    assert!(
        nix::unistd::geteuid().is_root(),
        "tests/realtime.rs needs root for network namespaces and TUN interfaces"
    );
    true
}

fn han_bin() -> &'static str {
    env!("CARGO_BIN_EXE_han")
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("han-realtime-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A named network namespace, removed on drop (with anything still running in it).
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        let name = format!("hanrt-{tag}-{}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .expect("ip");
        assert!(ok.success(), "ip netns add {name}");
        Netns(name)
    }

    /// A command run inside the namespace.
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.0, program])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        c
    }

    /// The `han-*` interfaces in the namespace.
    fn han_links(&self) -> Vec<String> {
        let out = self
            .cmd("ip")
            .args(["-o", "link", "show"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split(": ").nth(1))
            .map(|n| n.split('@').next().unwrap_or(n).to_string())
            .filter(|n| n.starts_with("han-"))
            .collect()
    }

    /// Wait until `name` exists (han has made its interfaces), at most `secs`.
    fn wait_for(&self, name: &str, secs: u64) -> bool {
        let t = Instant::now();
        while t.elapsed().as_secs() < secs {
            if self.han_links().iter().any(|n| n == name) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "pids", &self.0])
            .output()
            .map(|o| {
                for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-9", pid]).status();
                }
            });
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

/// tshark started in the background; returns once it is capturing.
fn tshark_capture(mut cmd: Command) -> Child {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tshark is needed (scripts/test installs it)");
    let err = child.stderr.take().unwrap();
    let mut lines = BufReader::new(err).lines();
    for l in lines.by_ref() {
        let l = l.unwrap_or_default();
        if l.contains("Capturing on") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    // dumpcap says "Capturing on" as it opens the interface; give it a moment to have
    // its filter in place, since the comms hub's Beacon Request (its active scan at
    // formation) is on the air right at the start of a run.
    std::thread::sleep(std::time::Duration::from_millis(500));
    child
}

fn tshark_fields(
    file: &Path,
    decode_as: Option<&str>,
    keys: &[String],
    filter: &str,
) -> Vec<String> {
    let mut c = Command::new("tshark");
    c.arg("-r").arg(file).args(keys);
    if let Some(d) = decode_as {
        c.args(["-d", d]);
    }
    let out = c
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The figure before `label` in han run's "real time:" line, e.g. 54 in "54 frames on the air".
fn figure(stdout: &str, label: &str) -> u64 {
    stdout
        .lines()
        .find(|l| l.starts_with("real time:"))
        .and_then(|l| {
            let before = l.get(..l.find(&format!(" {label}"))?)?;
            before.rsplit([' ', ',']).next()?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no {label:?} in:\n{stdout}"))
}

#[test]
fn zep_to_loopback_every_frame_decodes_and_the_count_matches() {
    let dir = scratch("zep");
    // A socket that takes the datagrams (so the kernel sends no "port unreachable").
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sink.local_addr().unwrap().port();
    let pcap = dir.join("zep.pcap");
    let mut cap = Command::new("tshark");
    cap.args(["-i", "lo", "-f", &format!("udp dst port {port}"), "-w"])
        .arg(&pcap);
    let mut tshark = tshark_capture(cap);
    let keys = dir.join("keys");
    let out = Command::new(han_bin())
        .args(["run", TERRACED, "--duration", "40s", "--zep"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--keys")
        .arg(&keys)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    terminate(&mut tshark);
    let _ = tshark.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let on_air = figure(&stdout, "frames on the air");
    assert_eq!(figure(&stdout, "ZEP datagrams sent"), on_air, "{stdout}");
    assert!(on_air > 20, "{stdout}");
    let decode = format!("udp.port=={port},zep");
    let k = uat_key_options(&keys);
    let zep = tshark_fields(&pcap, Some(&decode), &k, "zep && wpan");
    assert_eq!(
        zep.len() as u64,
        on_air,
        "tshark saw {} of {on_air} frames",
        zep.len()
    );
    let bad = tshark_fields(
        &pcap,
        Some(&decode),
        &k,
        "_ws.malformed || wpan.fcs_ok == 0",
    );
    assert!(bad.is_empty(), "malformed or bad FCS: frames {bad:?}");
    // The whole air, decrypted: the ESME's metering frames are there.
    let metering = tshark_fields(
        &pcap,
        Some(&decode),
        &k,
        "zbee_zcl && zbee_aps.cluster == 0x0702",
    );
    assert!(!metering.is_empty(), "no ZCL Metering frames");
    let _ = std::fs::remove_dir_all(dir);
}

/// The external IHD's application: reads the ESME's InstantaneousDemand once joined,
/// every 3 s until an answer arrives.
struct DemandReader {
    esme: han_stack::wire::ExtAddr,
    demand: Option<(u16, i64)>,
    joined: bool,
}

const READ_AGAIN: u32 = 1;

impl DemandReader {
    fn read(&self, api: &mut Api<'_>) {
        let seq = api.next_seq();
        api.send(ZclRequest {
            dst: Peer::Ext(self.esme),
            dst_endpoint: ESME_ENDPOINT,
            src_endpoint: IHD_ENDPOINT,
            cluster: METERING,
            frame: read_frame(seq, vec![INSTANTANEOUS_DEMAND]),
            ack: true,
            tag: 1,
        });
        api.set_timer(READ_AGAIN, api.now + Duration::secs(3));
    }
}

impl Behaviour for DemandReader {
    fn name(&self) -> &'static str {
        "external IHD"
    }
    fn joined(&mut self, api: &mut Api<'_>) {
        self.joined = true;
        self.read(api);
    }
    fn timer(&mut self, _id: u32, api: &mut Api<'_>) {
        if self.demand.is_none() {
            self.read(api);
        }
    }
    fn zcl(&mut self, msg: &ZclIndication, _api: &mut Api<'_>) {
        if msg.cluster != METERING {
            return;
        }
        let Some(cmd) = msg.command() else { return };
        let is_response = matches!(
            cmd,
            han_stack::zcl::ZclCommand::General(
                han_stack::zcl::GeneralCommand::ReadAttributesResponse(_)
            )
        );
        for (id, v) in attribute_values(&cmd) {
            if is_response && id == INSTANTANEOUS_DEMAND {
                let w = match v {
                    // Sign-extend the 24-bit value.
                    ZclValue::Scalar(t, raw) if t == han_stack::zcl::DataType::int(3) => {
                        ((raw << 40) as i64) >> 40
                    }
                    other => panic!("InstantaneousDemand is not int24: {other:?}"),
                };
                self.demand = Some((msg.src, w));
            }
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A device's radio over its TUN interface: ZEP to the medium's address, its view back.
/// The medium's radio does CSMA-CA, retries and ACKs; this side learns the outcome from
/// the ACK it hears (or none within 200 ms).
struct ZepRadio {
    sock: UdpSocket,
    medium: SocketAddr,
    config: RadioConfig,
    origin: Instant,
    timers: Vec<(SimTime, u32)>,
    waiting: Option<(u32, u8, Instant)>,
    queue: std::collections::VecDeque<(u32, Vec<u8>)>,
    done: Vec<(u32, TxStatus)>,
    seq: u32,
}

impl ZepRadio {
    fn now(&self) -> SimTime {
        SimTime(self.origin.elapsed().as_nanos() as u64)
    }

    fn send_next(&mut self) {
        if self.waiting.is_some() {
            return;
        }
        let Some((handle, psdu)) = self.queue.pop_front() else {
            return;
        };
        self.seq += 1;
        let z = ZepPacket::V2Data {
            channel: self.config.channel,
            device_id: 1,
            crc_mode: true,
            lqi: 255,
            timestamp: 0,
            seq: self.seq,
            reserved: [0; 10],
            frame: psdu.clone(),
        };
        self.sock.send_to(&z.to_bytes(), self.medium).unwrap();
        match HeaderPeek::read(&psdu) {
            Some(h) if h.ack_request => {
                let deadline = Instant::now() + std::time::Duration::from_millis(200);
                self.waiting = Some((handle, h.seq.unwrap_or(0), deadline));
            }
            _ => self.done.push((
                handle,
                TxStatus::Success {
                    frame_pending: false,
                },
            )),
        }
    }

    fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Transmit { handle, psdu, .. } => self.queue.push_back((handle, psdu)),
                Action::SetTimer { id, at } => self.timers.push((at, id)),
                Action::Configure(c) => self.config = c,
                _ => {}
            }
        }
        self.send_next();
    }

    /// The hardware filter: beacons while scanning, frames to its PAN and addresses.
    fn accepts(&self, h: &HeaderPeek) -> bool {
        let c = &self.config;
        match h.frame_type {
            FrameType::Beacon => true,
            FrameType::Ack => false,
            _ => {
                h.dst_pan.is_none_or(|p| p == c.pan_id || p == 0xffff)
                    && match h.dst {
                        Address::Short(s) => s == c.short_addr || s == 0xffff,
                        Address::Extended(e) => e == c.ext_addr,
                        Address::None => false,
                    }
            }
        }
    }
}

/// Run `host` as the device behind the interface with address `device` until `stop` says so
/// or `secs` pass.
fn run_external(
    host: &mut DeviceHost,
    device: SocketAddr,
    medium: SocketAddr,
    secs: u64,
    stop: impl Fn(&DeviceHost) -> bool,
) {
    let sock = UdpSocket::bind(device).unwrap();
    let mut radio = ZepRadio {
        sock,
        medium,
        config: host.radio_config(),
        origin: Instant::now(),
        timers: Vec::new(),
        waiting: None,
        queue: Default::default(),
        done: Vec::new(),
        seq: 0,
    };
    let mut rng = Stream::new(7, 0, Purpose::App);
    let mut input = |host: &mut DeviceHost, radio: &mut ZepRadio, i: NodeInput<'_>| {
        let mut actions = Vec::new();
        let mut ctx = NodeCtx {
            now: radio.now(),
            rng: &mut rng,
            actions: &mut actions,
            iface: 0,
        };
        host.handle(i, &mut ctx);
        radio.apply(actions);
    };
    input(host, &mut radio, NodeInput::Start);
    let mut buf = [0u8; 2048];
    while radio.origin.elapsed().as_secs() < secs && !stop(host) {
        // Timers due, then the transmit outcomes.
        let now = radio.now();
        radio.timers.sort();
        while radio.timers.first().is_some_and(|t| t.0 <= now) {
            let (_, id) = radio.timers.remove(0);
            input(host, &mut radio, NodeInput::Timer(id));
        }
        if let Some((handle, _, deadline)) = radio.waiting
            && Instant::now() > deadline
        {
            radio.waiting = None;
            radio.done.push((handle, TxStatus::NoAck));
        }
        for (handle, result) in std::mem::take(&mut radio.done) {
            input(host, &mut radio, NodeInput::TransmitDone { handle, result });
        }
        radio.send_next();
        let wait = radio
            .timers
            .iter()
            .map(|t| t.0)
            .min()
            .map_or(50_000_000, |t| t.0.saturating_sub(radio.now().0))
            .clamp(200_000, 50_000_000);
        radio
            .sock
            .set_read_timeout(Some(std::time::Duration::from_nanos(wait)))
            .unwrap();
        let Ok(n) = radio.sock.recv(&mut buf) else {
            continue;
        };
        let Ok(z) = ZepPacket::from_bytes(&buf[..n]) else {
            continue;
        };
        let (
            Some(frame),
            ZepPacket::V2Data {
                channel,
                lqi,
                crc_mode,
                ..
            },
        ) = (z.frame(), &z)
        else {
            continue;
        };
        // The interface carries CC24xx metadata (RSSI, FCS OK) in place of the FCS.
        assert!(!crc_mode, "a device's view is in CC24xx mode");
        let body = &frame[..frame.len() - 2];
        let rssi = frame[frame.len() - 2] as i8;
        let mut psdu = body.to_vec();
        psdu.extend_from_slice(&han_stack::mac::fcs::fcs(body).to_le_bytes());
        let Some(h) = HeaderPeek::read(&psdu) else {
            continue;
        };
        if h.frame_type == FrameType::Ack {
            if let Some((handle, seq, _)) = radio.waiting
                && h.seq == Some(seq)
            {
                radio.waiting = None;
                let pending = h.frame_pending;
                input(
                    host,
                    &mut radio,
                    NodeInput::TransmitDone {
                        handle,
                        result: TxStatus::Success {
                            frame_pending: pending,
                        },
                    },
                );
            }
            continue;
        }
        if radio.accepts(&h) {
            let r = Received {
                psdu: &psdu,
                channel: *channel,
                rssi_dbm: f64::from(rssi),
                lqi: *lqi,
                timestamp: radio.now(),
            };
            input(host, &mut radio, NodeInput::Received(r));
        }
    }
}

/// Enter network namespace `name` (this thread only).
fn enter_netns(name: &str) {
    let f = std::fs::File::open(format!("/var/run/netns/{name}")).unwrap();
    nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
}

#[test]
fn tun_shows_the_ihd_view_and_an_external_program_takes_over_the_ihd() {
    take_over_the_ihd("ext", false);
}

#[test]
fn an_external_program_takes_over_the_ihd_as_a_router() {
    take_over_the_ihd("extr", true);
}

/// `han run --tun --external 12-acacia-road/ihd`: han's device stack in this process is the
/// IHD behind its interface, joining (as an end device, or as a `router`) with the IHD's
/// install-code key and reading the ESME's InstantaneousDemand; the IHD's interface shows
/// its view of the air.
fn take_over_the_ihd(tag: &str, router: bool) {
    if !root() {
        return;
    }
    let ns = Netns::new(tag);
    let dir = scratch(tag);
    let keys = dir.join("keys");
    let building = Building::from_toml(
        TERRACED,
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TERRACED)).unwrap(),
    )
    .unwrap();
    // What the installer knows of the IHD: its EUI-64, install-code key, the CH's EPID.
    let (world, run_keys) = build(&building, &ScenarioConfig::default());
    let nodes = world.nodes();
    let ihd = nodes
        .iter()
        .position(|n| n.kind == DeviceKind::Ihd)
        .unwrap();
    let esme = nodes
        .iter()
        .position(|n| n.kind == DeviceKind::Esme)
        .unwrap();
    let chf = nodes
        .iter()
        .position(|n| n.kind == DeviceKind::Chf)
        .unwrap();
    let link_key = run_keys
        .link
        .iter()
        .find(|(id, _)| *id == nodes[ihd].id)
        .map(|(_, k)| *k)
        .unwrap();
    let mut han = ns
        .cmd(han_bin())
        .args(["run", TERRACED, "--tun", "--external", "12-acacia-road/ihd"])
        .args(["--duration", "120s", "--keys"])
        .arg(&keys)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(ns.wait_for("han-12ar-ihd", 20), "no interface han-12ar-ihd");
    // The IHD's view, from now, for 30 s.
    let view = dir.join("ihd-view.pcap");
    let mut cap = ns.cmd("tshark");
    cap.args([
        "-i",
        "han-12ar-ihd",
        "-a",
        "duration:30",
        "-f",
        "udp port 17754",
        "-w",
    ])
    .arg(&view);
    let mut tshark = tshark_capture(cap);
    let name = ns.0.clone();
    let ihd_index = ihd as u32;
    let (channel, epoch_unix_ns, symbol_ns) = (
        building.channel_2g4,
        world.config().epoch_unix_ns,
        world.config().phy.symbol_ns,
    );
    let external = std::thread::spawn(move || {
        enter_netns(&name);
        let mut host = DeviceHost::new(
            HostConfig {
                id: "external-ihd".into(),
                kind: DeviceKind::Ihd,
                premises: 0,
                ext_addr: eui64(0, ihd),
                channel,
                channels: vec![channel],
                power_on: Duration(0),
                role: RoleConfig::Joiner {
                    link_key,
                    extended_pan_id: eui64(0, chf),
                    // As an end device it sends through its parent; as a router it finds
                    // the ESME by route discovery, like the emulated routers.
                    router,
                    sleepy: false,
                },
                epoch_unix_ns,
                symbol_ns,
                outages: Vec::new(),
                key_updates: Vec::new(),
                leave_requests: Vec::new(),
            },
            Box::new(DemandReader {
                esme: eui64(0, esme),
                demand: None,
                joined: false,
            }),
        );
        let device = SocketAddr::from(([10, 200, 0, 1 + 4 * ihd_index as u8], 17754));
        let medium = SocketAddr::from(([10, 200, 0, 2 + 4 * ihd_index as u8], 17754));
        run_external(&mut host, device, medium, 90, |h| {
            h.behaviour()
                .as_any()
                .downcast_ref::<DemandReader>()
                .is_some_and(|r| r.demand.is_some())
        });
        let r = host.behaviour().as_any().downcast_ref::<DemandReader>();
        (
            r.is_some_and(|r| r.joined),
            r.and_then(|r| r.demand),
            format!("{:?}", host.stats),
        )
    });
    let (joined, demand, stats) = external.join().unwrap();
    let _ = tshark.wait();
    terminate(&mut han);
    let out = han.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(joined, "the external IHD did not join: {stats}\n{stdout}");
    let Some((from, demand_w)) = demand else {
        panic!("no InstantaneousDemand answer from the ESME: {stats}\n{stdout}")
    };
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The answer came from the emulated ESME's address.
    let esme_line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("ESME ") && l.contains("joined at"))
        .unwrap_or_default();
    assert!(
        esme_line.contains(&format!("as 0x{from:04x} ")),
        "answer from 0x{from:04x}, not the ESME:\n{stdout}"
    );
    assert!(demand_w >= 0, "{demand_w} W");
    assert!(figure(&stdout, "frames injected") > 0, "{stdout}");
    assert_eq!(
        ns.han_links(),
        Vec::<String>::new(),
        "interfaces left after SIGTERM"
    );
    // The view: ZEP with ZCL Metering frames (decrypted with the run's keys).
    let k = uat_key_options(&keys);
    let metering = tshark_fields(
        &view,
        None,
        &k,
        "zep && zbee_zcl && zbee_aps.cluster == 0x0702",
    );
    assert!(
        !metering.is_empty(),
        "no ZCL Metering frames on han-12ar-ihd within 30 s"
    );
    let bad = tshark_fields(&view, None, &k, "_ws.malformed");
    assert!(bad.is_empty(), "malformed: {bad:?}");
    eprintln!(
        "external IHD (router: {router}) read {demand_w} W from the ESME (0x{from:04x}); {} ZCL Metering frames in the IHD's 30 s view",
        metering.len()
    );
    drop(ns);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn after_kill_9_a_new_run_leaves_no_stale_interfaces() {
    if !root() {
        return;
    }
    let ns = Netns::new("kill");
    // Ctrl-C: a clean end, the interfaces gone.
    let run = ns
        .cmd(han_bin())
        .args(["run", TERRACED, "--tun"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(ns.wait_for("han-12ar-ihd", 20));
    let _ = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status();
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("(interrupted)"));
    assert_eq!(ns.han_links(), Vec::<String>::new());
    // kill -9, with a stale persistent interface beside.
    let mut first = ns
        .cmd(han_bin())
        .args(["run", TERRACED, "--tun"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(ns.wait_for("han-12ar-ihd", 20));
    // A leftover as a crashed run that made its interface persistent would leave it.
    let ok = ns
        .cmd("ip")
        .args(["tuntap", "add", "dev", "han-stale0", "mode", "tun"])
        .status()
        .unwrap();
    assert!(ok.success());
    first.kill().unwrap();
    let _ = first.wait();
    let out = ns
        .cmd(han_bin())
        .args(["run", TERRACED, "--tun", "--duration", "3s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("removed stale interface han-stale0"),
        "{stderr}"
    );
    assert!(!stderr.contains("cannot"), "{stderr}");
    assert_eq!(ns.han_links(), Vec::<String>::new());
}

#[test]
fn without_cap_net_admin_tun_is_refused_and_a_plain_run_works() {
    if !root() {
        return;
    }
    let ns = Netns::new("cap");
    let run = |wrapper: &[&str], tun: bool| {
        let mut c = ns.cmd(wrapper[0]);
        c.args(&wrapper[1..])
            .args([han_bin(), "run", TERRACED, "--duration", "2s"]);
        if tun {
            c.arg("--tun");
        }
        c.output().unwrap()
    };
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
    ];
    let no_cap = [
        "capsh",
        "--drop=cap_net_admin",
        "--",
        "-c",
        "exec \"$0\" \"$@\"",
    ];
    for wrapper in [&nobody[..], &no_cap[..]] {
        let out = run(wrapper, true);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{wrapper:?}: {stderr}");
        assert!(stderr.contains("needs CAP_NET_ADMIN"), "{stderr}");
        assert!(stderr.contains("setcap cap_net_admin+ep"), "{stderr}");
        assert!(ns.han_links().is_empty());
        let out = run(wrapper, false);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{wrapper:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("frames on the air"), "{stdout}");
    }
}

#[test]
fn zep_listen_frames_go_on_the_air_from_the_configured_device() {
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sink_port = sink.local_addr().unwrap().port();
    let listen = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut han = Command::new(han_bin())
        .args(["run", TERRACED, "--duration", "6s", "--zep"])
        .arg(format!("127.0.0.1:{sink_port}"))
        .arg("--zep-listen")
        .arg(listen.to_string())
        .args(["--zep-at", "12-acacia-road/esme"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let text = b"han zep-listen test";
    let frame = |n: u8| {
        let mut payload = vec![0x3f, n];
        payload.extend_from_slice(text);
        han_stack::mac::MacFrame::data(
            n,
            0xffff,
            Address::Short(0xffff),
            Address::Short(0x7777),
            payload,
        )
        .emit_with_fcs()
    };
    let mut cc24xx = frame(2);
    let len = cc24xx.len();
    cc24xx[len - 2] = (-40i8) as u8;
    cc24xx[len - 1] = 0x80 | 100;
    let v2 = |crc_mode: bool, frame: Vec<u8>| ZepPacket::V2Data {
        channel: 15,
        device_id: 9,
        crc_mode,
        lqi: 200,
        timestamp: 0,
        seq: 1,
        reserved: [0; 10],
        frame,
    };
    let v1 = ZepPacket::V1 {
        channel: 15,
        device_id: 9,
        crc_mode: true,
        lqi: 200,
        reserved: [0; 7],
        frame: frame(3),
    };
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    for p in [v2(true, frame(1)), v2(false, cc24xx), v1] {
        tx.send_to(&p.to_bytes(), listen).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tx.send_to(b"not a ZEP datagram", listen).unwrap();
    // Collect what han put on the air until it ends.
    sink.set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut ours = Vec::new();
    let mut buf = [0u8; 2048];
    while han.try_wait().unwrap().is_none() {
        let Ok(n) = sink.recv(&mut buf) else { continue };
        if let Ok(ZepPacket::V2Data {
            device_id, frame, ..
        }) = ZepPacket::from_bytes(&buf[..n])
            && frame.windows(text.len()).any(|w| w == text)
        {
            let (body, fcs) = frame.split_at(frame.len() - 2);
            let fcs_ok = han_stack::mac::fcs::fcs(body).to_le_bytes() == fcs;
            ours.push((device_id, body[body.len() - text.len() - 1], fcs_ok));
        }
    }
    let out = han.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Sent by the ESME (node 1 of the terraced house), each once, with a valid FCS.
    ours.sort();
    assert_eq!(
        ours,
        vec![(1, 1, true), (1, 2, true), (1, 3, true)],
        "{stdout}"
    );
    assert_eq!(figure(&stdout, "frames injected"), 3, "{stdout}");
    assert_eq!(figure(&stdout, "datagrams rejected"), 1, "{stdout}");
}

#[test]
fn a_terminal_gets_the_live_line_and_a_pipe_does_not() {
    // `script` gives han a pseudo-terminal.
    let cmd = format!("{} run {TERRACED} --duration 3s", han_bin());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script (util-linux) runs han on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("frames/s  joined ") && text.contains("/4  "),
        "{text}"
    );
    assert!(text.contains("real time: 3.00 wall s"), "{text}");
    let piped = Command::new(han_bin())
        .args(["run", TERRACED, "--duration", "2s"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("frames/s"));
}
