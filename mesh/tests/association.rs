//! Association on the virtual air: devices scan, hear beacons, ask, poll and get their
//! short address (or a refusal) in real frames from a coordinator node; every outcome of
//! the device-side state machine happens on the air, and tshark reads the capture cleanly.

mod common;
use common::tshark_count;
use han_mesh::medium::LinkTable;
use han_mesh::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, World};
use han_stack::mac::associate::{Associator, JoinOutcome, JoinParams, Step};
use han_stack::mac::association::AssociationCoordinator;
use han_stack::mac::beacon_response::{beacon_frame, is_beacon_request};
use han_stack::mac::indirect::{DEFAULT_PERSISTENCE_UNITS, persistence_ns};
use han_stack::mac::{Address, AssociationStatus, CapabilityInfo, MacFrame, ZigbeeBeacon};
use han_stack::wire::{ExtAddr, Wire};

const PAN: u16 = 0x1a62;
const CHANNEL: u8 = 15;
const COORD: ExtAddr = ExtAddr(0x0011_2233_4455_6677);
const EPID: ExtAddr = ExtAddr(0x00aa_bbcc_ddee_ff00);
const BEACON_HANDLE: u32 = 1;

#[derive(Clone, Copy, PartialEq)]
enum Quirk {
    /// Answers as the standard says.
    None,
    /// Turns its receiver off after its first beacon (requests go unacknowledged).
    DeafAfterBeacon,
    /// Acknowledges requests in hardware but never queues a response.
    NeverResponds,
}

struct Coordinator {
    assoc: AssociationCoordinator,
    seq: u8,
    handle: u32,
    allowed: Vec<ExtAddr>,
    capacity: usize,
    granted: Vec<(ExtAddr, u16)>,
    quirk: Quirk,
}

impl Coordinator {
    fn new(allowed: Vec<ExtAddr>, capacity: usize, quirk: Quirk) -> Self {
        Coordinator {
            assoc: AssociationCoordinator::new(
                PAN,
                COORD,
                true,
                persistence_ns(DEFAULT_PERSISTENCE_UNITS, 16_000),
            ),
            seq: 0x80,
            handle: 10,
            allowed,
            capacity,
            granted: Vec::new(),
            quirk,
        }
    }

    fn next(&mut self) -> (u8, u32) {
        self.seq = self.seq.wrapping_add(1);
        self.handle += 1;
        (self.seq, self.handle)
    }

    fn beacon_payload(&self) -> Vec<u8> {
        ZigbeeBeacon {
            stack_profile: ZigbeeBeacon::STACK_PROFILE_PRO,
            protocol_version: 2,
            reserved: 0,
            router_capacity: true,
            device_depth: 0,
            end_device_capacity: true,
            extended_pan_id: EPID,
            tx_offset: 0xff_ffff,
            update_id: 0,
        }
        .to_bytes()
    }
}

impl Node for Coordinator {
    fn radio_config(&self) -> RadioConfig {
        RadioConfig {
            channel: CHANNEL,
            pan_id: PAN,
            short_addr: 0x0000,
            ext_addr: COORD,
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match input {
            NodeInput::Received(r) => {
                let Ok((frame, _, true)) = MacFrame::parse_with_fcs(r.psdu) else {
                    return;
                };
                if is_beacon_request(&frame) {
                    let (seq, _) = self.next();
                    let b = beacon_frame(
                        seq,
                        PAN,
                        Address::Short(0),
                        true,
                        true,
                        self.beacon_payload(),
                    );
                    ctx.transmit(BEACON_HANDLE, b.emit_with_fcs(), TxOptions::default());
                    return;
                }
                if self.quirk == Quirk::NeverResponds {
                    return;
                }
                let (seq, handle) = self.next();
                let (allowed, capacity) = (&self.allowed, self.capacity);
                let granted = &mut self.granted;
                let asked = self
                    .assoc
                    .on_request(ctx.now.0, &frame, seq, handle, |dev, _| {
                        if !allowed.contains(&dev) {
                            return Err(AssociationStatus::PanAccessDenied);
                        }
                        if granted.len() >= capacity {
                            return Err(AssociationStatus::PanAtCapacity);
                        }
                        let short = 0x1000 + granted.len() as u16;
                        granted.push((dev, short));
                        Ok(short)
                    });
                if let Some((dev, _)) = asked {
                    ctx.set_pending(Address::Extended(dev), true);
                } else if let Some(t) = self.assoc.on_data_request(&frame) {
                    ctx.set_pending(t.dst, self.assoc.has_pending(t.dst));
                    ctx.transmit(t.handle, t.psdu, TxOptions::default());
                }
            }
            NodeInput::TransmitDone {
                handle: BEACON_HANDLE,
                ..
            } if self.quirk == Quirk::DeafAfterBeacon => ctx.sleep(),
            _ => {}
        }
    }
}

struct Device {
    start: Duration,
    config: RadioConfig,
    assoc: Associator,
    outcome: Option<JoinOutcome>,
}

impl Device {
    fn new(ext: u64, channels: Vec<u8>, start: Duration) -> Self {
        let params = JoinParams {
            ext_addr: ExtAddr(ext),
            channels,
            scan_exponent: 3,
            symbol_ns: 16_000,
            capabilities: CapabilityInfo::ALLOCATE_ADDRESS
                | CapabilityInfo::RX_ON_WHEN_IDLE
                | CapabilityInfo::MAINS_POWERED,
            extended_pan_id: Some(EPID),
        };
        Device {
            start,
            config: RadioConfig {
                ext_addr: ExtAddr(ext),
                ..RadioConfig::default()
            },
            assoc: Associator::new(params, ext as u8),
            outcome: None,
        }
    }

    fn apply(&mut self, steps: Vec<Step>, ctx: &mut NodeCtx<'_>) {
        for s in steps {
            match s {
                Step::SetChannel(c) => {
                    self.config.channel = c;
                    ctx.configure(self.config);
                }
                Step::SetPan(p) => {
                    self.config.pan_id = p;
                    ctx.configure(self.config);
                }
                Step::SetShortAddress(a) => {
                    self.config.short_addr = a;
                    ctx.configure(self.config);
                }
                Step::Transmit(f) => ctx.transmit(0, f.emit_with_fcs(), TxOptions::default()),
                Step::SetTimer(at) => ctx.set_timer(0, SimTime(at)),
                Step::Finished(o) => self.outcome = Some(o),
            }
        }
    }
}

impl Node for Device {
    fn radio_config(&self) -> RadioConfig {
        self.config
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        let steps = match input {
            NodeInput::Start => {
                ctx.set_timer(1, SimTime::ZERO + self.start);
                Vec::new()
            }
            NodeInput::Timer(1) => self.assoc.start(ctx.now.0),
            NodeInput::Timer(_) => self.assoc.on_timer(ctx.now.0),
            NodeInput::TransmitDone { result, .. } => {
                self.assoc.on_transmit_done(ctx.now.0, result)
            }
            NodeInput::Received(r) => match MacFrame::parse_with_fcs(r.psdu) {
                Ok((f, _, true)) => self.assoc.on_frame(&f, r.channel, r.lqi),
                _ => Vec::new(),
            },
            NodeInput::Energy(_) | NodeInput::Wire { .. } => Vec::new(),
        };
        self.apply(steps, ctx);
    }
}

enum Member {
    Coordinator(Coordinator),
    Device(Device),
}

impl Node for Member {
    fn radio_config(&self) -> RadioConfig {
        match self {
            Member::Coordinator(c) => c.radio_config(),
            Member::Device(d) => d.radio_config(),
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match self {
            Member::Coordinator(c) => c.handle(input, ctx),
            Member::Device(d) => d.handle(input, ctx),
        }
    }
}

/// A coordinator and devices 3 m apart in a line at a comfortable −60 dBm, run for `secs`.
fn run(coord: Coordinator, devices: Vec<Device>, secs: u64) -> World<Member> {
    let n = devices.len() + 1;
    let mut nodes = vec![Member::Coordinator(coord)];
    nodes.extend(devices.into_iter().map(Member::Device));
    let positions = (0..n).map(|i| [3.0 * i as f64, 0.0, 0.0]).collect();
    let links = LinkTable::build(positions, -120.0, |_, _| Some(-60.0));
    let mut w = World::new(AirConfig::default(), links, nodes, 5);
    w.capture_air();
    w.run_until(SimTime::ZERO + Duration::secs(secs));
    w
}

fn outcomes(w: &World<Member>) -> Vec<Option<JoinOutcome>> {
    w.nodes()
        .iter()
        .filter_map(|m| match m {
            Member::Device(d) => Some(d.outcome),
            Member::Coordinator(_) => None,
        })
        .collect()
}

fn short_of(o: Option<JoinOutcome>) -> Option<u16> {
    match o {
        Some(JoinOutcome::Associated { short_addr, .. }) => Some(short_addr),
        _ => None,
    }
}

#[test]
fn admitted_at_capacity_denied_and_no_beacon() {
    let (a, b, c, d, e) = (0xa1, 0xb2, 0xc3, 0xd4, 0xe5);
    let coord = Coordinator::new(vec![ExtAddr(a), ExtAddr(b), ExtAddr(c)], 2, Quirk::None);
    let devices = vec![
        Device::new(a, vec![11, CHANNEL], Duration::millis(100)),
        Device::new(b, vec![CHANNEL], Duration::secs(2)),
        Device::new(c, vec![CHANNEL], Duration::secs(4)),
        Device::new(d, vec![CHANNEL], Duration::secs(6)),
        Device::new(e, vec![11, 12], Duration::secs(8)),
    ];
    let mut w = run(coord, devices, 12);
    let got = outcomes(&w);
    assert_eq!(short_of(got[0]), Some(0x1000));
    assert_eq!(short_of(got[1]), Some(0x1001));
    assert_eq!(
        got[2],
        Some(JoinOutcome::Denied(AssociationStatus::PanAtCapacity))
    );
    assert_eq!(
        got[3],
        Some(JoinOutcome::Denied(AssociationStatus::PanAccessDenied))
    );
    assert_eq!(got[4], Some(JoinOutcome::NoBeacon));
    if let Some(JoinOutcome::Associated { parent, .. }) = got[0] {
        assert_eq!((parent.channel, parent.pan), (CHANNEL, PAN));
        assert_eq!(parent.coordinator, Address::Short(0));
    }
    // The adopted short address is the one the radio now answers to.
    let Member::Device(dev) = &w.nodes()[1] else {
        panic!("node 1 is a device")
    };
    assert_eq!((dev.config.short_addr, dev.config.pan_id), (0x1000, PAN));

    let path = std::env::temp_dir().join(format!("han-assoc-{}.pcap", std::process::id()));
    std::fs::write(&path, w.take_capture().unwrap()).unwrap();
    let p = path.to_str().unwrap();
    let count = |filter: &str| tshark_count(p, filter);
    assert_eq!(count("_ws.malformed || _ws.expert.severity >= error"), 0);
    // Five devices scanned: A on two channels, E on two, the rest on one.
    assert_eq!(count("wpan.cmd == 0x07"), 7);
    assert_eq!(count("wpan.frame_type == 0"), 4, "beacons for A, B, C, D");
    assert_eq!(count("zbee_beacon.ext_panid == 00:aa:bb:cc:dd:ee:ff:00"), 4);
    assert_eq!(count("wpan.cmd == 0x01"), 4);
    assert_eq!(count("wpan.cmd == 0x04"), 4);
    assert_eq!(count("wpan.cmd == 0x02 && wpan.assoc.status == 0"), 2);
    assert_eq!(count("wpan.asoc.addr == 0x1001"), 1);
    assert_eq!(count("wpan.assoc.status == 1"), 1);
    assert_eq!(count("wpan.assoc.status == 2"), 1);
    std::fs::remove_file(&path).ok();
}

#[test]
fn unacknowledged_request_is_no_ack() {
    let coord = Coordinator::new(vec![ExtAddr(1)], 4, Quirk::DeafAfterBeacon);
    let w = run(
        coord,
        vec![Device::new(1, vec![CHANNEL], Duration::millis(10))],
        3,
    );
    assert_eq!(outcomes(&w), [Some(JoinOutcome::NoAck)]);
    // Sent once and retried macMaxFrameRetries (3) times.
    let s = w.stats();
    assert_eq!(s.confirms.no_ack, 1);
}

#[test]
fn nothing_pending_is_no_data() {
    let coord = Coordinator::new(vec![ExtAddr(1)], 4, Quirk::NeverResponds);
    let w = run(
        coord,
        vec![Device::new(1, vec![CHANNEL], Duration::millis(10))],
        3,
    );
    assert_eq!(outcomes(&w), [Some(JoinOutcome::NoData)]);
}
