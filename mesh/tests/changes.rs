//! Changes to the air during a run: nodes moving (links updated incrementally) and
//! interferers switched on and off.

mod common;
use han_mesh::medium::{LinkChange, LinkTable};
use han_mesh::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, TxResult};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, Interferer, World};
use han_stack::mac::engine::TxStatus;

const PAN: u16 = 0x1234;

/// Sends an acknowledged frame to `dst` every `gap` (none if `dst` is None) and keeps
/// the outcomes with their time.
struct Sender {
    me: u16,
    dst: Option<u16>,
    gap: Duration,
    seq: u8,
    confirms: Vec<(SimTime, TxResult)>,
}

impl Sender {
    fn new(me: u16, dst: Option<u16>, gap: Duration) -> Self {
        Sender {
            me,
            dst,
            gap,
            seq: 0,
            confirms: Vec::new(),
        }
    }

    fn successes(&self, from: SimTime, to: SimTime) -> (usize, usize) {
        let window: Vec<_> = self
            .confirms
            .iter()
            .filter(|(t, _)| (from..to).contains(t))
            .collect();
        let ok = window
            .iter()
            .filter(|(_, r)| matches!(r, TxStatus::Success { .. }))
            .count();
        (ok, window.len())
    }
}

impl Node for Sender {
    fn radio_config(&self) -> RadioConfig {
        RadioConfig {
            pan_id: PAN,
            short_addr: self.me,
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match input {
            NodeInput::Start | NodeInput::Timer(_) => {
                let Some(dst) = self.dst else { return };
                if matches!(input, NodeInput::Timer(_)) {
                    common::transmit_data(ctx, PAN, self.me, dst, &mut self.seq);
                }
                ctx.actions.push(Action::SetTimer {
                    id: 0,
                    at: ctx.now + self.gap,
                });
            }
            NodeInput::TransmitDone { result, .. } => self.confirms.push((ctx.now, result)),
            _ => {}
        }
    }
}

/// Received power (dBm): −50 dBm less 1 dB a metre within 20 m, nothing beyond.
fn power(a: [f64; 3], b: [f64; 3]) -> Option<f64> {
    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    (d < 20.0).then_some(-50.0 - d)
}

fn world(pos: &[[f64; 3]], nodes: Vec<Sender>, seed: u64) -> World<Sender> {
    let air = AirConfig::default();
    let links = LinkTable::build(pos.to_vec(), air.noise_dbm - 10.0, |a, b| {
        power(pos[a], pos[b])
    });
    World::new(air, links, nodes, seed)
}

/// The changes for node `n` at `to` among `pos`.
fn moved(pos: &[[f64; 3]], n: usize, to: [f64; 3]) -> Vec<LinkChange> {
    (0..pos.len())
        .filter(|&o| o != n)
        .flat_map(|o| {
            [
                (o as u32, n as u32, power(pos[o], to)),
                (n as u32, o as u32, power(to, pos[o])),
            ]
        })
        .collect()
}

fn at(s: u64) -> SimTime {
    SimTime::ZERO + Duration::secs(s)
}

#[test]
fn a_node_moved_out_of_range_loses_its_link_and_gets_it_back() {
    let pos = [[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]];
    let nodes = vec![
        Sender::new(1, Some(2), Duration::millis(100)),
        Sender::new(2, None, Duration::secs(1)),
    ];
    let mut w = world(&pos, nodes, 4);
    let original = w.links().clone();
    w.run_until(at(10));
    let changed = w.move_node(1, [100.0, 0.0, 0.0], &moved(&pos, 1, [100.0, 0.0, 0.0]));
    assert_eq!(changed, 2);
    assert!(w.links().power_mw(0, 1).is_none());
    assert_eq!(w.links().position(1), [100.0, 0.0, 0.0]);
    w.run_until(at(20));
    assert_eq!(w.move_node(1, pos[1], &moved(&pos, 1, pos[1])), 2);
    assert_eq!(w.links(), &original);
    w.run_until(at(30));
    let s = &w.nodes()[0];
    let (ok, n) = s.successes(at(0), at(10));
    assert!(n >= 95 && ok == n, "{ok}/{n}");
    // Out of range: every frame that started after the move is lost.
    let (ok, n) = s.successes(at(11), at(20));
    assert!(n >= 80 && ok == 0, "{ok}/{n}");
    let (ok, n) = s.successes(at(21), at(30));
    assert!(n >= 80 && ok == n, "{ok}/{n}");
}

#[test]
fn moves_while_frames_are_on_the_air_leave_the_channel_clean() {
    // Three senders around a receiver; node 3 jumps in and out of everyone's range every
    // 1.7 ms (mid-frame), then stays put.
    let pos = [
        [0.0, 0.0, 0.0],
        [5.0, 0.0, 0.0],
        [0.0, 5.0, 0.0],
        [5.0, 5.0, 0.0],
    ];
    let gap = Duration::millis(40);
    let nodes = vec![
        Sender::new(1, None, gap),
        Sender::new(2, Some(1), gap),
        Sender::new(3, Some(1), gap),
        Sender::new(4, Some(1), gap),
    ];
    let mut w = world(&pos, nodes, 8);
    let mut t = SimTime::ZERO;
    for k in 0..2000u64 {
        t += Duration::micros(1700);
        w.run_until(t);
        let to = if k % 2 == 0 {
            [500.0, 0.0, 0.0]
        } else {
            pos[3]
        };
        w.move_node(3, to, &moved(&pos, 3, to));
    }
    // Left where it started, the table is the original one.
    assert_eq!(
        w.links(),
        &LinkTable::build(
            pos.to_vec(),
            AirConfig::default().noise_dbm - 10.0,
            |a, b| { power(pos[a], pos[b]) }
        )
    );
    // Power left behind by a frame whose link changed mid-air would keep the channel busy
    // for good; the three senders still get nearly everything through.
    let from = w.now();
    w.run_until(from + Duration::secs(5));
    let total: (usize, usize) = (1..4)
        .map(|i| w.nodes()[i].successes(from, w.now()))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert!(total.1 > 350, "{total:?}");
    assert!(total.0 as f64 > 0.97 * total.1 as f64, "{total:?}");
}

#[test]
fn an_interferer_switched_on_makes_the_channel_busy_and_off_clears_it() {
    let pos = [[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]];
    let nodes = vec![
        Sender::new(1, Some(2), Duration::millis(20)),
        Sender::new(2, None, Duration::secs(1)),
    ];
    let mut w = world(&pos, nodes, 6);
    let wifi = w.add_interferer(Interferer {
        powers: vec![(0, -40.0), (1, -40.0)],
        duty: 0.4,
        burst: Duration::micros(1500),
    });
    w.set_interferer_enabled(wifi, false);
    assert_eq!(w.interferer_enabled(wifi), Some(false));
    let window = |w: &mut World<Sender>, until: u64| {
        let before = w.stats();
        w.run_until(at(until));
        let after = w.stats();
        (
            after.busy_ccas - before.busy_ccas,
            after.corrupted - before.corrupted,
        )
    };
    let off = window(&mut w, 20);
    w.set_interferer_enabled(wifi, true);
    let on = window(&mut w, 40);
    w.set_interferer_enabled(wifi, false);
    let off_again = window(&mut w, 60);
    // Without it, the odd CCA meets the receiver's own ACK turnaround; nothing is corrupted.
    assert!(off.0 < 10 && off.1 == 0, "{off:?}");
    assert!(off_again.0 < 10 && off_again.1 == 0, "{off_again:?}");
    // 1000 frames in 20 s, 40 % of the time a burst 10 dB over the wanted signal.
    assert!(on.0 > 200, "{on:?}");
    assert!(on.1 > 20, "{on:?}");
    // Moved out of the interferer's reach, the sender no longer sees it.
    w.set_interferer_enabled(wifi, true);
    w.set_interferer_power(wifi, 0, None);
    w.set_interferer_power(wifi, 1, None);
    let away = window(&mut w, 80);
    assert!(away.0 < 10 && away.1 == 0, "{away:?}");
}
