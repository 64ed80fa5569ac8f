//! `han replay CAPTURE --into BUILDING --as PREMISES/DEVICE`: one device's captured
//! frames played into the emulated building from that device's position; the emulated
//! devices answer and the expectations are checked on the emulated air. The rewriting
//! is `han_stack::replay::inject`'s; this is the glue to `han_devices::scenario`.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;

use anyhow::{Context, Result};
use han_devices::host::DeviceHost;
use han_devices::scenario::{ScenarioConfig, build};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::Building;
use han_stack::dissect::Keyring;
use han_stack::mac::Address;
use han_stack::replay::inject::{Peer, Rewriter, Rewritten};
use han_stack::replay::{self, CaptureReport, Expectations, Trace, report};
use han_stack::wire::ExtAddr;

use super::replay::{Format, ReplayArgs};
use super::{EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK};

/// How long the emulated device may take to join before the injection gives up.
const JOIN_LIMIT: Duration = Duration::secs(600);
/// After they joined: time for its application link keys before the takeover.
const SETTLE: Duration = Duration::secs(10);
/// How often the device's reception is looked at for frames to acknowledge (a stack
/// acknowledges within milliseconds).
const ACK_STEP: Duration = Duration::millis(2);
/// After the last injected frame: time for the answers.
const TAIL: Duration = Duration::secs(5);

/// What the injection did.
#[derive(Debug)]
struct Injection {
    /// The emulated device (PREMISES/DEVICE).
    device: String,
    /// The captured device's addresses.
    captured: String,
    /// Frames of the captured device considered (MAC retransmissions left out).
    frames: usize,
    /// Frames put on the emulated air.
    injected: usize,
    /// APS Acks sent for the emulated peers' frames.
    acks: u64,
    /// Frames left out, by reason.
    skipped: BTreeMap<&'static str, usize>,
    /// Frames whose field was rewritten, by field.
    rewritten: BTreeMap<&'static str, u64>,
    /// Simulated second of the takeover.
    takeover_s: f64,
}

impl Injection {
    fn json(&self, report: &CaptureReport) -> serde_json::Value {
        serde_json::json!({
            "injection": {
                "device": self.device,
                "captured": self.captured,
                "frames": self.frames,
                "injected": self.injected,
                "acks": self.acks,
                "skipped": self.skipped,
                "rewritten": self.rewritten,
                "takeover_s": self.takeover_s,
            },
            "report": report,
        })
    }
}

fn unusable(message: String) -> Result<u8> {
    eprintln!("han replay: {message}");
    Ok(EXIT_BAD_INPUT)
}

/// The node `spec` (PREMISES/DEVICE, the device id with or without its premises prefix).
fn find(b: &Building, world: &World<DeviceHost>, spec: &str) -> Option<u32> {
    let (p, d) = spec.split_once('/')?;
    world
        .nodes()
        .iter()
        .position(|n| {
            b.premises.get(n.premises).is_some_and(|pr| pr.id == p)
                && (n.id == d || n.id == format!("{p}-{d}"))
        })
        .map(|k| k as u32)
}

/// The captured device named by `--from` (a short address or an EUI-64), else by the
/// emulated device's EUI-64: its short addresses and EUI-64 in the capture.
fn captured_device(
    trace: &Trace,
    from: Option<&str>,
    own: ExtAddr,
) -> Result<(Vec<u16>, Option<ExtAddr>), String> {
    let device = match from {
        Some(s) => han_stack::replay::message::parse_address(s).ok_or_else(|| {
            format!("--from {s:?}: expected 0x1234 or an EUI-64 00:11:22:33:44:55:66:77")
        })?,
        None => Address::Extended(own),
    };
    Ok(match device {
        Address::Short(s) => (vec![s], trace.bindings.get(&s).copied()),
        Address::Extended(e) => (
            trace
                .bindings
                .iter()
                .filter(|(_, x)| **x == e)
                .map(|(s, _)| *s)
                .collect(),
            Some(e),
        ),
        Address::None => (vec![], None),
    })
}

fn is_device(a: Address, shorts: &[u16], ext: Option<ExtAddr>) -> bool {
    match a {
        Address::Short(s) => shorts.contains(&s),
        Address::Extended(e) => Some(e) == ext,
        Address::None => false,
    }
}

/// Run the world from `from` to `until` in steps of [`ACK_STEP`], sending the APS
/// Acks the rewriter gives for what the device hears; how many.
fn run_answering(
    world: &mut World<DeviceHost>,
    node: u32,
    rewriter: &mut Rewriter,
    from: SimTime,
    until: SimTime,
) -> u64 {
    let mut sent = 0;
    let mut now = from;
    while now < until {
        now = (now + ACK_STEP).min(until);
        world.run_until(now);
        for h in world.take_heard() {
            let end = h.psdu.len().saturating_sub(2);
            if let Some(ack) = rewriter.observe(h.psdu.get(..end).unwrap_or_default()) {
                world.inject(node, ack);
                sent += 1;
            }
        }
    }
    sent
}

/// Run the injection; `keys` are the capture's.
pub fn run(args: &ReplayArgs, keys: &Keyring, expect: &Expectations) -> Result<u8> {
    let [capture] = args.captures.as_slice() else {
        return unusable(format!(
            "--into plays one capture, {} given",
            args.captures.len()
        ));
    };
    let Some(spec) = &args.as_device else {
        return unusable("--into needs --as PREMISES/DEVICE: whose frames to play".into());
    };
    let building = match super::survey::load(&args.into) {
        Ok(b) => b,
        Err(_) => return Ok(EXIT_BAD_INPUT),
    };
    let bytes = match std::fs::read(capture) {
        Ok(b) => b,
        Err(e) => return unusable(format!("cannot read {}: {e}", capture.display())),
    };
    let trace = match Trace::decode(&bytes, keys.clone(), NonZeroUsize::MIN) {
        Ok(t) => t,
        Err(e) => return unusable(format!("{}: {e}", capture.display())),
    };
    let frames: Vec<han_stack::capture::CaptureFrame> = match han_stack::capture::open(&bytes) {
        Ok(r) => r.filter_map(Result::ok).collect(),
        Err(e) => return unusable(format!("{}: {e}", capture.display())),
    };
    let cfg = ScenarioConfig {
        seed: args.seed,
        ..ScenarioConfig::default()
    };
    let (mut world, emulated_keys) = build(&building, &cfg);
    let Some(node) = find(&building, &world, spec) else {
        return unusable(format!(
            "--as {spec:?}: no such device in {} (expected PREMISES/DEVICE, e.g. terraced-house/ihd)",
            building.name
        ));
    };
    let own = world.nodes()[node as usize].ext_addr();
    let (shorts, ext) = match captured_device(&trace, args.from.as_deref(), own) {
        Ok(d) => d,
        Err(e) => return unusable(e),
    };
    let captured = match (shorts.as_slice(), ext) {
        ([], Some(e)) => e.to_string(),
        (s, e) => {
            let s: Vec<String> = s.iter().map(|a| format!("0x{a:04x}")).collect();
            match e {
                Some(e) => format!("{e} ({})", s.join(", ")),
                None => s.join(", "),
            }
        }
    };
    // The frames the device itself sent: it is the MAC and NWK source, not a retransmission.
    let own_frames: Vec<usize> = (0..trace.messages.len().min(frames.len()))
        .filter(|&i| {
            let m = &trace.messages[i];
            !m.retry && is_device(m.mac_src, &shorts, ext) && is_device(m.src, &shorts, ext)
        })
        .collect();
    if own_frames.is_empty() {
        return unusable(format!(
            "{}: no frame from {captured} in the capture (name the captured device with --from 0x1234 or --from EUI-64)",
            capture.display()
        ));
    }
    // Let the emulated device and the capture's devices of its premises join, and it
    // fetch its keys, then take it over.
    world.capture_air();
    let premises = world.nodes()[node as usize].premises;
    let captured_exts: Vec<ExtAddr> = trace.bindings.values().copied().collect();
    let ready = |w: &World<DeviceHost>| {
        w.nodes().iter().enumerate().all(|(k, n)| {
            n.is_joined()
                || (k as u32 != node
                    && (n.premises != premises || !captured_exts.contains(&n.ext_addr())))
        })
    };
    let mut now = SimTime::ZERO;
    while !ready(&world) {
        if now >= SimTime::ZERO + JOIN_LIMIT {
            return unusable(format!(
                "{spec} and the capture's devices of its premises did not all join the emulated network within {} s",
                JOIN_LIMIT.0 / 1_000_000_000
            ));
        }
        now = now + Duration::millis(100);
        world.run_until(now);
    }
    now = now + SETTLE;
    world.run_until(now);
    let takeover_s = now.0 as f64 / 1e9;
    let Some(emulated) = world.nodes()[node as usize].takeover() else {
        return unusable(format!("{spec} holds no network key after joining"));
    };
    // The capture's other addresses: the trust centre stays 0x0000; the others are the
    // emulated devices with the same EUI-64.
    let by_ext: BTreeMap<ExtAddr, u16> = world
        .nodes()
        .iter()
        .filter(|n| n.is_joined())
        .map(|n| (n.ext_addr(), n.short_addr()))
        .collect();
    let mut peers: BTreeMap<u16, Peer> = trace
        .bindings
        .iter()
        .filter_map(|(&s, e)| by_ext.get(e).map(|&short| (s, Peer { short, ext: *e })))
        .collect();
    if let Some(tc) = world
        .nodes()
        .iter()
        .find(|n| n.short_addr() == 0x0000 && n.premises == world.nodes()[node as usize].premises)
    {
        peers.insert(
            0x0000,
            Peer {
                short: 0x0000,
                ext: tc.ext_addr(),
            },
        );
    }
    world.set_external(node, true);
    world.tap_node(node);
    let answer_acks = own_frames
        .iter()
        .any(|&i| trace.messages[i].aps_type == Some("APS Ack"));
    let mut rewriter = Rewriter::new(emulated, (shorts, ext), peers, keys.clone(), answer_acks);
    let first = frames[own_frames[0]].time;
    let mut injection = Injection {
        device: spec.clone(),
        captured,
        frames: own_frames.len(),
        injected: 0,
        acks: 0,
        skipped: BTreeMap::new(),
        rewritten: BTreeMap::new(),
        takeover_s,
    };
    let start = now;
    for &i in &own_frames {
        let f = &frames[i];
        let gap = if args.as_fast {
            0.0
        } else {
            (f.time - first).max(0.0) / args.speed
        };
        let at = start + Duration((gap * 1e9) as u64);
        injection.acks += run_answering(&mut world, node, &mut rewriter, now, at);
        match rewriter.rewrite(f.number, &f.mpdu) {
            Ok(Rewritten::Inject(psdu)) => {
                world.inject(node, psdu);
                injection.injected += 1;
            }
            Ok(Rewritten::Skip(why)) => *injection.skipped.entry(why).or_default() += 1,
            Err(e) => return unusable(format!("{}: {e}", capture.display())),
        }
        now = at;
    }
    injection.acks += run_answering(&mut world, node, &mut rewriter, now, now + TAIL);
    injection.rewritten = rewriter.rewritten.clone();
    let air = world.take_capture().unwrap_or_default();
    if let Some(p) = &args.pcap {
        std::fs::write(p, &air).with_context(|| format!("writing {}", p.display()))?;
    }
    let mut ring = Keyring::new();
    for (_, k) in emulated_keys.network.iter().chain(&emulated_keys.link) {
        ring.add_network_key(*k);
        ring.add_link_key(*k);
    }
    let name = format!("{} into {} as {spec}", capture.display(), building.name);
    let emulated_trace = Trace::decode(&air, ring, NonZeroUsize::MIN)
        .map_err(|e| anyhow::anyhow!("the emulated capture: {e}"))?;
    let report = replay::replay(&name, &emulated_trace, expect);
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&injection.json(&report))? + "\n",
        Format::Text => text(&injection) + &report::text(&report),
    };
    super::survey::write_stdout(&out)?;
    Ok(if report.passed() {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    })
}

fn text(i: &Injection) -> String {
    let mut s = format!(
        "injected {} of {} frame(s) of {} as {} (taken over at {:.1} s)\n",
        i.injected, i.frames, i.captured, i.device, i.takeover_s
    );
    if i.acks > 0 {
        s += &format!(
            "  answered {} APS Ack request(s) of the emulated peers\n",
            i.acks
        );
    }
    for (why, n) in &i.skipped {
        s += &format!("  left out {n}: {why}\n");
    }
    for (field, n) in &i.rewritten {
        s += &format!("  rewritten {n}: {field}\n");
    }
    s
}
