//! Alt HAN gateway units on the virtual air: a P2P pair carries a premises' frames with the
//! backhaul's latency, and a shared node keeps two premises apart against crafted frames.
use han_althan::gateway::backhaul::{BackhaulLink, BackhaulModel};
use han_althan::gateway::isolation::{Drop, Isolation, PremisesHan};
use han_althan::gateway::unit::GatewayUnit;
use han_mesh::medium::LinkTable;
use han_mesh::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, TxOptions};
use han_mesh::rng::{Purpose, Stream};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, Interface, World};
use han_radio::althan::Backhaul;
use han_stack::mac::engine::TxStatus;
use han_stack::mac::{Address, FrameFlags, MacFrame};
use han_stack::nwk::frame::NwkFrame;
use han_stack::nwk::header::{NwkFrameType, NwkHeader};
use han_stack::security::AuxHeader;
use han_stack::wire::{ExtAddr, Wire};

const CHANNEL: u8 = 15;
const PAN_A: u16 = 0x1a03;
const PAN_B: u16 = 0x1a07;
const IHD_A: u64 = 0x000d_6f00_000a_0302;
const HUB_A: u64 = 0x000d_6f00_000a_0301;
const IHD_B: u64 = 0x000d_6f00_000a_0702;
const HUB_B: u64 = 0x000d_6f00_000a_0701;
/// NWK payload byte of legitimate frames, and of the attacker's.
const LEGIT: u8 = 0xa5;
const EVIL: u8 = 0xee;

/// A NWK-secured data frame with frame counter `counter` from `sender`.
fn frame(pan: u16, dst: Address, src: Address, sender: u64, counter: u32, fill: u8) -> Vec<u8> {
    let nwk = NwkFrame {
        header: NwkHeader::pro(NwkFrameType::Data, 0x0000, 0x1234, 30, counter as u8).secured(),
        aux: Some(AuxHeader::network(counter, ExtAddr(sender), 0)),
        payload: vec![fill; 12],
    };
    MacFrame::data(counter as u8, pan, dst, src, nwk.to_bytes()).emit_with_fcs()
}

fn secs(ms: u64) -> SimTime {
    SimTime::ZERO + Duration::millis(ms)
}

/// A HAN device (or the attacker) that sends given PSDUs at given times and records what
/// it receives; or a gateway unit.
enum TestNode {
    Device {
        channel: u8,
        pan: u16,
        short: u16,
        sends: Vec<(SimTime, Vec<u8>)>,
        received: Vec<(SimTime, Vec<u8>)>,
        /// Transmissions acknowledged / not.
        acked: (u32, u32),
    },
    Unit(Box<GatewayUnit>),
}

impl TestNode {
    fn device(pan: u16, short: u16, sends: Vec<(SimTime, Vec<u8>)>) -> Self {
        Self::device_on(CHANNEL, pan, short, sends)
    }

    fn device_on(channel: u8, pan: u16, short: u16, sends: Vec<(SimTime, Vec<u8>)>) -> Self {
        TestNode::Device {
            channel,
            pan,
            short,
            sends,
            received: Vec::new(),
            acked: (0, 0),
        }
    }

    fn acked(&self) -> (u32, u32) {
        match self {
            TestNode::Device { acked, .. } => *acked,
            TestNode::Unit(_) => (0, 0),
        }
    }

    fn received(&self) -> &[(SimTime, Vec<u8>)] {
        match self {
            TestNode::Device { received, .. } => received,
            TestNode::Unit(_) => &[],
        }
    }

    fn unit(&self) -> &GatewayUnit {
        match self {
            TestNode::Unit(u) => u,
            TestNode::Device { .. } => panic!("not a unit"),
        }
    }
}

impl Node for TestNode {
    fn radio_config(&self) -> RadioConfig {
        match self {
            TestNode::Device {
                channel,
                pan,
                short,
                ..
            } => RadioConfig {
                channel: *channel,
                pan_id: *pan,
                short_addr: *short,
                ..RadioConfig::default()
            },
            TestNode::Unit(u) => u.radio_config(),
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match self {
            TestNode::Unit(u) => u.handle(input, ctx),
            TestNode::Device {
                sends,
                received,
                acked,
                ..
            } => match input {
                NodeInput::Start => {
                    for (i, (at, _)) in sends.iter().enumerate() {
                        ctx.set_timer(i as u32, *at);
                    }
                }
                NodeInput::Timer(i) => {
                    if let Some((_, psdu)) = sends.get(i as usize) {
                        ctx.actions.push(Action::Transmit {
                            handle: i,
                            psdu: psdu.clone(),
                            options: TxOptions::default(),
                        });
                    }
                }
                NodeInput::Received(r) => received.push((r.timestamp, r.psdu.to_vec())),
                NodeInput::TransmitDone { result, .. } => match result {
                    TxStatus::Success { .. } => acked.0 += 1,
                    _ => acked.1 += 1,
                },
                _ => {}
            },
        }
    }
}

fn han(id: &str, pan: u16, shorts: &[u16], ext: &[u64]) -> PremisesHan {
    han_on(CHANNEL, id, pan, shorts, ext)
}

fn han_on(channel: u8, id: &str, pan: u16, shorts: &[u16], ext: &[u64]) -> PremisesHan {
    PremisesHan {
        id: id.to_string(),
        pan_id: pan,
        channel,
        short: shorts.iter().copied().collect(),
        ext: ext.iter().copied().collect(),
    }
}

fn link(kind: Backhaul, node: u32) -> BackhaulLink {
    let mut m = BackhaulModel::of(kind);
    m.loss = 0.0;
    BackhaulLink::new(m, Stream::new(7, node, Purpose::App))
}

/// A world where only the listed pairs hear each other (both ways), at −60 dBm.
fn world(nodes: Vec<TestNode>, pairs: &[(usize, usize)]) -> World<TestNode> {
    world_with(nodes, &[], pairs)
}

/// [`world`] with further radios (`interfaces`: radios `nodes.len()..`, in order); `pairs`
/// name radios.
fn world_with(
    nodes: Vec<TestNode>,
    interfaces: &[Interface],
    pairs: &[(usize, usize)],
) -> World<TestNode> {
    let n = nodes.len() + interfaces.len();
    let positions = (0..n).map(|i| [i as f64 * 10.0, 0.0, 0.0]).collect();
    let links = LinkTable::build(positions, -120.0, |a, b| {
        pairs
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b))
            .then_some(-60.0)
    });
    let bands = vec![0; nodes.len()];
    World::with_bands(&[AirConfig::default()], &bands, interfaces, links, nodes, 1)
}

/// NWK frame counters of the legitimate frames a device received, in order.
fn counters(received: &[(SimTime, Vec<u8>)]) -> Vec<u32> {
    received
        .iter()
        .filter_map(|(_, p)| {
            let (f, _, _) = MacFrame::parse_with_fcs(p).ok()?;
            let han_stack::mac::MacPayload::Data(d) = f.payload else {
                return None;
            };
            let nwk = NwkFrame::from_bytes(&d).ok()?;
            (nwk.payload.first() == Some(&LEGIT)).then(|| nwk.aux.map_or(0, |a| a.frame_counter))
        })
        .collect()
}

fn ihd_a_frames() -> Vec<(SimTime, Vec<u8>)> {
    (1..=10)
        .map(|k| {
            (
                secs(1000 * u64::from(k)),
                frame(
                    PAN_A,
                    Address::Short(0),
                    Address::Short(0x1234),
                    IHD_A,
                    k,
                    LEGIT,
                ),
            )
        })
        .collect()
}

/// The farm: hub (0) and IHD (1) out of each other's reach; with the pair, unit 2 by the
/// hub and unit 3 by the IHD, joined by powerline, the IHD-side link down during `outage`;
/// with `proxy` each unit acknowledges for the device on the far side.
fn pair_world(with_pair: bool, outage: Option<(SimTime, SimTime)>, proxy: bool) -> World<TestNode> {
    let mut nodes = vec![
        TestNode::device(PAN_A, 0x0000, Vec::new()),
        TestNode::device(PAN_A, 0x1234, ihd_a_frames()),
    ];
    if with_pair {
        let iso = || Isolation::new(vec![han("farm", PAN_A, &[0x0000, 0x1234], &[HUB_A, IHD_A])]);
        let mut up = link(Backhaul::Powerline, 3);
        up.model.outages.extend(outage);
        let far = |a: u16| {
            if proxy {
                vec![(PAN_A, Address::Short(a))]
            } else {
                Vec::new()
            }
        };
        nodes.push(TestNode::Unit(Box::new(
            GatewayUnit::new(
                vec![CHANNEL],
                iso(),
                vec![0],
                vec![(3, link(Backhaul::Powerline, 2))],
            )
            .with_proxy_acks(far(0x1234)),
        )));
        nodes.push(TestNode::Unit(Box::new(
            GatewayUnit::new(vec![CHANNEL], iso(), vec![0], vec![(2, up)])
                .with_proxy_acks(far(0x0000)),
        )));
    }
    let mut w = world(nodes, &[(0, 2), (1, 3)]);
    w.run_until(secs(12_000));
    w
}

#[test]
fn a_p2p_pair_carries_the_premises_with_the_backhaul_latency() {
    let build = |with_pair: bool| pair_world(with_pair, None, false);
    let without = build(false);
    assert!(counters(without.nodes()[0].received()).is_empty());
    let with = build(true);
    let hub = with.nodes()[0].received();
    assert_eq!(counters(hub), (1..=10).collect::<Vec<u32>>());
    // Each arrives after the powerline's 5 ms on top of two frame times.
    for (k, (t, _)) in hub.iter().enumerate() {
        let sent = secs(1000 * (k as u64 + 1));
        let delay = Duration(t.0 - sent.0);
        assert!(
            delay >= Duration::millis(5) && delay < Duration::millis(40),
            "{delay:?}"
        );
    }
    let u = with.nodes()[3].unit();
    assert_eq!(u.stats.forwarded, 10);
    assert_eq!(with.nodes()[2].unit().stats.emitted, 10);
    // The IHD's MAC retries (the hub's ACK does not reach it) are not carried twice.
    assert!(
        u.isolation.counters[0]
            .dropped
            .get(&Drop::Duplicate)
            .copied()
            .unwrap_or(0)
            > 0
    );
}

#[test]
fn a_shared_node_never_carries_crafted_frames_across_premises() {
    let short = Address::Short;
    let ext = |e| Address::Extended(ExtAddr(e));
    let ihd_b: Vec<(SimTime, Vec<u8>)> = (1..=10)
        .map(|k| {
            (
                secs(1000 * u64::from(k) + 500),
                frame(PAN_B, short(0), short(0x5678), IHD_B, k, LEGIT),
            )
        })
        .collect();
    let replayed = ihd_a_frames()[0].1.clone();
    let attacks: Vec<(Vec<u8>, Drop)> = vec![
        (
            frame(PAN_B, short(0), short(0x1234), IHD_A, 100, EVIL),
            Drop::UnknownSource,
        ),
        (
            frame(PAN_B, short(0), ext(IHD_A), IHD_A, 101, EVIL),
            Drop::ForgedSource,
        ),
        (
            frame(0xffff, short(0xffff), short(0x1234), IHD_A, 102, EVIL),
            Drop::CrossPan,
        ),
        (
            frame(PAN_A, ext(IHD_B), short(0x1234), IHD_A, 103, EVIL),
            Drop::ForeignDestination,
        ),
        (
            frame(PAN_B, short(0xffff), ext(HUB_A), HUB_A, 104, EVIL),
            Drop::ForgedSource,
        ),
        (
            frame(0x9999, short(0), short(0x1234), IHD_A, 105, EVIL),
            Drop::ForeignPan,
        ),
        (replayed, Drop::Replay),
    ];
    // Sent without an ACK request, so that each is on air exactly once (nobody ACKs it).
    let once = |psdu: &[u8]| {
        let (mut f, _, _) = MacFrame::parse_with_fcs(psdu).unwrap();
        f.flags.remove(FrameFlags::ACK_REQUEST);
        f.emit_with_fcs()
    };
    let attacker: Vec<(SimTime, Vec<u8>)> = attacks
        .iter()
        .enumerate()
        .map(|(k, (f, _))| (secs(2200 + 1000 * k as u64), once(f)))
        .collect();
    let hans = || {
        Isolation::new(vec![
            han("flat-3", PAN_A, &[0x0000, 0x1234], &[HUB_A, IHD_A]),
            han("flat-7", PAN_B, &[0x0000, 0x5678], &[HUB_B, IHD_B]),
        ])
    };
    let nodes = vec![
        TestNode::device(PAN_A, 0x0000, Vec::new()),
        TestNode::device(PAN_A, 0x1234, ihd_a_frames()),
        TestNode::device(PAN_B, 0x0000, Vec::new()),
        TestNode::device(PAN_B, 0x5678, ihd_b),
        // Unit 4 in the meter room by both hubs, unit 5 on the landing by both IHDs.
        TestNode::Unit(Box::new(GatewayUnit::new(
            vec![CHANNEL],
            hans(),
            vec![0, 1],
            vec![(5, link(Backhaul::Wired, 4))],
        ))),
        TestNode::Unit(Box::new(GatewayUnit::new(
            vec![CHANNEL],
            hans(),
            vec![0, 1],
            vec![(4, link(Backhaul::Wired, 5))],
        ))),
        TestNode::device(0xffff, 0xfffe, attacker),
    ];
    let mut w = world(
        nodes,
        &[(0, 4), (2, 4), (0, 2), (1, 5), (3, 5), (1, 3), (6, 5)],
    );
    w.run_until(secs(15_000));
    let n = w.nodes();
    // Legitimate traffic undisturbed: each hub got its own IHD's ten frames, once, in order.
    assert_eq!(counters(n[0].received()), (1..=10).collect::<Vec<u32>>());
    assert_eq!(counters(n[2].received()), (1..=10).collect::<Vec<u32>>());
    // Nothing the attacker crafted reached any device.
    for d in [0, 1, 2, 3] {
        for (_, p) in n[d].received() {
            assert!(
                !p.windows(4).any(|x| x == [EVIL; 4]),
                "device {d} got a crafted frame"
            );
        }
    }
    // Each crafted frame was counted once, under its reason, at the unit that heard it.
    let landing = &n[5].unit().isolation;
    for (_, why) in &attacks {
        let total: u64 = landing
            .counters
            .iter()
            .chain([&landing.unattributed])
            .map(|c| c.dropped.get(why).copied().unwrap_or(0))
            .sum();
        let expected = attacks.iter().filter(|(_, w)| w == why).count() as u64;
        assert_eq!(total, expected, "{why:?}");
    }
    // The meter-room unit emitted into each flat only that flat's frames.
    let meter_room = &n[4].unit().isolation;
    assert_eq!(meter_room.counters[0].emitted, 10);
    assert_eq!(meter_room.counters[1].emitted, 10);
    assert_eq!(n[4].unit().stats.refused, 0);
}

#[test]
fn with_proxy_acks_the_sender_sees_the_link_as_if_direct() {
    let w = pair_world(true, None, true);
    assert_eq!(
        counters(w.nodes()[0].received()),
        (1..=10).collect::<Vec<u32>>()
    );
    // Every frame acknowledged at once: no retries, nothing for the units to drop.
    assert_eq!(w.nodes()[1].acked(), (10, 0));
    assert_eq!(w.nodes()[3].unit().isolation.counters[0].dropped.len(), 0);
    // Without the proxies the IHD hears no ACK and gives up on every frame.
    assert_eq!(pair_world(true, None, false).nodes()[1].acked(), (0, 10));
}

#[test]
fn a_backhaul_outage_drops_and_counts_what_it_met() {
    // Down from 3.5 s to 6.5 s: the frames sent at 4, 5 and 6 s are lost on the backhaul.
    let w = pair_world(true, Some((secs(3500), secs(6500))), true);
    assert_eq!(
        counters(w.nodes()[0].received()),
        vec![1, 2, 3, 7, 8, 9, 10]
    );
    let (_, b) = w.nodes()[3].unit().backhaul()[0];
    assert_eq!((b.dropped_down, b.delivered), (3, 7));
}

#[test]
fn a_shared_node_carries_each_premises_on_its_own_channel() {
    const CHANNEL_B: u8 = 20;
    let short = Address::Short;
    let ihd_b: Vec<(SimTime, Vec<u8>)> = (1..=10)
        .map(|k| {
            let f = frame(PAN_B, short(0), short(0x5678), IHD_B, k, LEGIT);
            (secs(1000 * u64::from(k) + 500), f)
        })
        .collect();
    // On flat 3's channel, a frame claiming flat 7's PAN and its IHD's address.
    let forged = frame(PAN_B, short(0), short(0x5678), IHD_B, 100, EVIL);
    let hans = || {
        Isolation::new(vec![
            han("flat-3", PAN_A, &[0x0000, 0x1234], &[HUB_A, IHD_A]),
            han_on(
                CHANNEL_B,
                "flat-7",
                PAN_B,
                &[0x0000, 0x5678],
                &[HUB_B, IHD_B],
            ),
        ])
    };
    let unit = |peer: u32, me: u32| {
        let link = link(Backhaul::Wired, me);
        let u = GatewayUnit::new(
            vec![CHANNEL, CHANNEL_B],
            hans(),
            vec![0, 1],
            vec![(peer, link)],
        );
        TestNode::Unit(Box::new(u))
    };
    let nodes = vec![
        TestNode::device(PAN_A, 0x0000, Vec::new()),
        TestNode::device(PAN_A, 0x1234, ihd_a_frames()),
        TestNode::device_on(CHANNEL_B, PAN_B, 0x0000, Vec::new()),
        TestNode::device_on(CHANNEL_B, PAN_B, 0x5678, ihd_b),
        // Units 4 (meter room) and 5 (landing), each with a second radio: radios 7 and 8.
        unit(5, 4),
        unit(4, 5),
        TestNode::device(PAN_B, 0x5678, vec![(secs(12_000), forged)]),
    ];
    let second = [
        Interface { node: 4, band: 0 },
        Interface { node: 5, band: 0 },
    ];
    // Every radio of a unit is in reach of the devices near it, whatever their channel.
    let pairs = [
        (0, 4),
        (0, 7),
        (2, 4),
        (2, 7),
        (1, 5),
        (1, 8),
        (3, 5),
        (3, 8),
        (6, 5),
        (6, 8),
    ];
    let mut w = world_with(nodes, &second, &pairs);
    w.run_until(secs(15_000));
    let n = w.nodes();
    assert_eq!(n[4].unit().channels(), [CHANNEL, CHANNEL_B]);
    // Each hub got its own IHD's ten frames, on its own channel.
    assert_eq!(counters(n[0].received()), (1..=10).collect::<Vec<u32>>());
    assert_eq!(counters(n[2].received()), (1..=10).collect::<Vec<u32>>());
    // The frame claiming flat 7 on flat 3's channel was dropped at the landing and counted,
    // each of its four transmissions (nobody acknowledges it: three MAC retries).
    assert!(
        n[2].received()
            .iter()
            .all(|(_, p)| !p.windows(4).any(|x| x == [EVIL; 4]))
    );
    let landing = &n[5].unit().isolation;
    assert_eq!(landing.counters[1].dropped.get(&Drop::CrossPan), Some(&4));
    let meter_room = &n[4].unit().isolation;
    assert_eq!(
        (
            meter_room.counters[0].emitted,
            meter_room.counters[1].emitted
        ),
        (10, 10)
    );
}
