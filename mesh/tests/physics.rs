//! Physics checks against hand computation on small worlds.

mod common;
use han_mesh::medium::LinkTable;
use han_mesh::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, TxResult};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, World};
use han_stack::mac::engine::TxStatus;

const PAN: u16 = 0x1234;

/// Sends to `dst` (0xffff: broadcast, no ACK) with exponential gaps of mean `gap`
/// (or fixed gaps), counts confirms and receptions.
struct Station {
    me: u16,
    dst: Option<u16>,
    gap: Duration,
    poisson: bool,
    seq: u8,
    channel: u8,
    confirms: Vec<TxResult>,
    received: u64,
}

impl Station {
    fn new(me: u16, dst: Option<u16>, gap: Duration, poisson: bool) -> Self {
        Station {
            me,
            dst,
            gap,
            poisson,
            seq: 0,
            channel: 11,
            confirms: Vec::new(),
            received: 0,
        }
    }
}

impl Node for Station {
    fn radio_config(&self) -> RadioConfig {
        RadioConfig {
            pan_id: PAN,
            short_addr: self.me,
            channel: self.channel,
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match input {
            NodeInput::Start | NodeInput::Timer(_) => {
                let Some(dst) = self.dst else { return };
                if !matches!(input, NodeInput::Start) {
                    common::transmit_data(ctx, PAN, self.me, dst, &mut self.seq);
                }
                let gap = if self.poisson {
                    Duration((-(1.0 - ctx.rng.unit()).ln() * self.gap.0 as f64) as u64)
                } else {
                    self.gap
                };
                ctx.actions.push(Action::SetTimer {
                    id: 0,
                    at: ctx.now + gap,
                });
            }
            NodeInput::TransmitDone { result, .. } => self.confirms.push(result),
            NodeInput::Received(_) => self.received += 1,
            _ => {}
        }
    }
}

/// A world whose received powers are given per ordered pair (dBm), positions 1 m apart.
fn world(
    nodes: Vec<Station>,
    power: impl Fn(usize, usize) -> Option<f64>,
    seed: u64,
) -> World<Station> {
    let pos = (0..nodes.len()).map(|i| [i as f64, 0.0, 0.0]).collect();
    let air = AirConfig::default();
    let links = LinkTable::build(pos, air.noise_dbm - 10.0, power);
    World::new(air, links, nodes, seed)
}

/// A lone link 20 dB above the sensitivity delivers more than 99.9% of its frames.
#[test]
fn twenty_db_margin_delivers() {
    let air = AirConfig::default();
    let p = air.sensitivity_dbm + 20.0;
    let nodes = vec![
        Station::new(1, Some(2), Duration::millis(100), false),
        Station::new(2, None, Duration::secs(1), false),
    ];
    let mut w = world(nodes, |_, _| Some(p), 5);
    w.run_until(SimTime::ZERO + Duration::secs(1000));
    let s = &w.nodes()[0].confirms;
    let ok = s
        .iter()
        .filter(|r| matches!(r, TxStatus::Success { .. }))
        .count();
    assert!(s.len() >= 9_900, "{}", s.len());
    assert!(ok as f64 > 0.999 * s.len() as f64, "{ok}/{}", s.len());
    // Without retries counted: the first attempt alone also gets through.
    let stats = w.stats();
    let l = stats.links[&(0, 1)];
    assert!(l.retries as f64 <= 0.001 * l.requests as f64, "{l:?}");
}

/// Two hidden senders (they cannot hear each other) broadcast to one receiver; C arrives
/// 6 dB stronger, so any overlap with C destroys A's frame. Pure ALOHA: A survives when no
/// frame of C starts within one frame time before or during it, P = exp(−2·λ·T).
#[test]
fn hidden_nodes_collide_as_aloha_predicts() {
    let rate = 20.0; // frames per second per sender
    let gap = Duration((1e9 / rate) as u64);
    let nodes = vec![
        Station::new(1, Some(0xffff), gap, true),
        Station::new(2, None, gap, true),
        Station::new(3, Some(0xffff), gap, true),
    ];
    // A(0) — B(1) at −80 dBm, C(2) — B at −74 dBm, A and C out of each other's range.
    let power = |a: usize, b: usize| match (a.min(b), a.max(b)) {
        (0, 1) => Some(-80.0),
        (1, 2) => Some(-74.0),
        _ => None,
    };
    let mut w = world(nodes, power, 11);
    w.run_until(SimTime::ZERO + Duration::secs(1200));
    let stats = w.stats();
    let sent_a = w.nodes()[0].confirms.len() as f64;
    let got_a = stats.links.get(&(0, 1)).map_or(0, |l| l.received) as f64;
    // Broadcast frames: no per-link received counter on the sender's row unless delivered.
    let t = han_mesh::phy::OQPSK_2G4.airtime(9 + 50 + 2).as_secs_f64();
    let expected = (-2.0 * rate * t).exp();
    let measured = got_a / sent_a;
    assert!(sent_a > 20_000.0, "{sent_a}");
    // Tolerance: 0.01 absolute (the estimate's standard error here is about 0.002).
    assert!(
        (measured - expected).abs() < 0.01,
        "measured {measured:.4}, ALOHA {expected:.4}"
    );
}

/// Two hidden-node pairs as above, but C on another channel: A's frames no longer collide.
#[test]
fn other_channels_do_not_interfere() {
    let gap = Duration(50_000_000);
    let mut c = Station::new(3, Some(0xffff), gap, true);
    c.channel = 15;
    let nodes = vec![
        Station::new(1, Some(0xffff), gap, true),
        Station::new(2, None, gap, true),
        c,
    ];
    let power = |a: usize, b: usize| match (a.min(b), a.max(b)) {
        (0, 1) => Some(-80.0),
        (1, 2) => Some(-74.0),
        _ => None,
    };
    let mut w = world(nodes, power, 11);
    w.run_until(SimTime::ZERO + Duration::secs(300));
    let stats = w.stats();
    let sent = w.nodes()[0].confirms.len() as u64;
    assert!(sent > 5_000);
    assert_eq!(stats.links[&(0, 1)].received, sent);
    assert!(!stats.links.contains_key(&(2, 1)));
}

/// On GB868 a device sending far above 2.5 % of the hour is refused once it reaches the
/// Suspended threshold, and its transmit time stays at about 2.5 %.
#[test]
fn gb868_duty_cycle_suspends_a_chatty_device() {
    let air = AirConfig::gb868();
    let nodes = vec![
        Station::new(1, Some(2), Duration::millis(100), false),
        Station::new(2, None, Duration::secs(1), false),
    ];
    let links = LinkTable::build(
        vec![[0.0; 3], [5.0, 0.0, 0.0]],
        air.noise_dbm - 10.0,
        |_, _| Some(-70.0),
    );
    let mut w = World::new(air, links, nodes, 3);
    w.run_until(SimTime::ZERO + Duration::secs(3000));
    let s = w.stats();
    // 61-octet PSDU: (8 + 61) · 80 µs = 5.52 ms on air; 2.5 % of an hour is 90 s, room for
    // 16,304 frames of the 30,000 asked for in 3000 s.
    assert!(
        (16_250..=16_310).contains(&s.confirms.success),
        "{:?}",
        s.confirms
    );
    assert_eq!(
        s.confirms.success + s.confirms.duty_cycle_suspended,
        30_000 - 1
    );
    let used = s.nodes[0].tx_ns as f64 / Duration::secs(3600).0 as f64;
    assert!((0.025..0.0252).contains(&used), "{used}");
    assert_eq!(
        s.links[&(0, 1)].duty_cycle_suspended,
        s.confirms.duty_cycle_suspended
    );
}

/// A hidden duty-cycled interferer 10 dB above the wanted signal at the receiver: a frame
/// survives when the interferer is off at its start and no burst starts during it,
/// P = (1 − duty)·exp(−T / mean gap).
#[test]
fn duty_cycled_interferer_destroys_frames_it_overlaps() {
    use han_mesh::world::Interferer;
    let nodes = vec![
        Station::new(1, Some(0xffff), Duration::millis(50), true),
        Station::new(2, None, Duration::secs(1), false),
    ];
    let mut w = world(nodes, |_, _| Some(-80.0), 9);
    let (duty, burst) = (0.3, Duration::millis(2));
    w.add_interferer(Interferer {
        powers: vec![(1, -70.0)],
        duty,
        burst,
    });
    w.run_until(SimTime::ZERO + Duration::secs(600));
    let stats = w.stats();
    let sent = w.nodes()[0].confirms.len() as f64;
    let got = stats.links.get(&(0, 1)).map_or(0, |l| l.received) as f64;
    let t = han_mesh::phy::OQPSK_2G4.airtime(61).as_secs_f64();
    let mean_gap = burst.as_secs_f64() * (1.0 - duty) / duty;
    let expected = (1.0 - duty) * (-t / mean_gap).exp();
    assert!(sent > 10_000.0);
    assert!(
        (got / sent - expected).abs() < 0.02,
        "{} vs {expected}",
        got / sent
    );
}

/// Steady extra noise at the receiver 10 dB above the wanted signal stops every frame.
#[test]
fn steady_noise_at_the_receiver_blocks_the_link() {
    let nodes = vec![
        Station::new(1, Some(0xffff), Duration::millis(100), false),
        Station::new(2, None, Duration::secs(1), false),
    ];
    let mut w = world(nodes, |_, _| Some(-80.0), 2);
    w.add_noise(1, -70.0);
    assert!((w.noise_dbm(1) + 70.0).abs() < 0.01);
    w.run_until(SimTime::ZERO + Duration::secs(10));
    assert!(w.nodes()[0].confirms.len() >= 99);
    assert!(!w.stats().links.contains_key(&(0, 1)));
}
