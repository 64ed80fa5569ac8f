//! Indirect transmission: a sleepy end device's frames wait at its parent until it polls,
//! and expire after macTransactionPersistenceTime.

use han_mesh::medium::LinkTable;
use han_mesh::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions, TxResult};
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::{AirConfig, World};
use han_stack::mac::engine::TxStatus;
use han_stack::mac::indirect::{
    DEFAULT_PERSISTENCE_UNITS, PendingTransactions, data_request, persistence_ns,
};
use han_stack::mac::{Address, MacFrame};

const PAN: u16 = 0x2222;
const PARENT: Address = Address::Short(0x0000);
const CHILD: Address = Address::Short(0x0001);
const EXPIRY: u32 = 100;
const SLEEP: u32 = 200;

enum Device {
    Parent {
        pending: PendingTransactions,
        expired: Vec<u32>,
        delivered: Vec<(u32, TxResult)>,
    },
    Child {
        polls: Vec<TxResult>,
        received: Vec<(SimTime, u8)>,
    },
}

impl Node for Device {
    fn radio_config(&self) -> RadioConfig {
        let short_addr = match self {
            Device::Parent { .. } => 0,
            Device::Child { .. } => 1,
        };
        RadioConfig {
            pan_id: PAN,
            short_addr,
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match self {
            Device::Parent {
                pending,
                expired,
                delivered,
            } => match input {
                NodeInput::Start => {
                    ctx.set_timer(1, SimTime::ZERO + Duration::secs(1));
                    ctx.set_timer(2, SimTime::ZERO + Duration::secs(10));
                }
                NodeInput::Timer(id @ (1 | 2)) => {
                    let f = MacFrame::data(id as u8, PAN, CHILD, PARENT, vec![0x3f, id as u8]);
                    pending.push(ctx.now.0, CHILD, id, f.emit_with_fcs());
                    ctx.set_pending(CHILD, true);
                    if let Some(t) = pending.next_expiry() {
                        ctx.set_timer(EXPIRY, SimTime(t));
                    }
                }
                NodeInput::Timer(EXPIRY) => {
                    expired.extend(pending.expire(ctx.now.0).iter().map(|t| t.handle));
                    ctx.set_pending(CHILD, pending.has_pending(CHILD));
                }
                NodeInput::Received(r) => {
                    // A Data Request (command 0x04 after a 9-octet header) from the child.
                    if r.psdu.get(9) == Some(&0x04)
                        && let Some(t) = pending.take(CHILD)
                    {
                        ctx.transmit(t.handle, t.psdu, TxOptions::default());
                        ctx.set_pending(CHILD, pending.has_pending(CHILD));
                    }
                }
                NodeInput::TransmitDone { handle, result } => delivered.push((handle, result)),
                _ => {}
            },
            Device::Child { polls, received } => match input {
                NodeInput::Start => {
                    ctx.sleep();
                    ctx.set_timer(1, SimTime::ZERO + Duration::secs(5));
                    ctx.set_timer(2, SimTime::ZERO + Duration::secs(30));
                }
                NodeInput::Timer(SLEEP) => ctx.sleep(),
                NodeInput::Timer(id) => {
                    let f = data_request(id as u8, PAN, PARENT, CHILD);
                    ctx.transmit(id, f.emit_with_fcs(), TxOptions::default());
                }
                NodeInput::TransmitDone { result, .. } => {
                    polls.push(result);
                    if result
                        == (TxStatus::Success {
                            frame_pending: true,
                        })
                    {
                        // Stay awake for the frame (macMaxFrameTotalWaitTime-like window).
                        ctx.set_timer(SLEEP, ctx.now + Duration::millis(100));
                    } else {
                        ctx.sleep();
                    }
                }
                NodeInput::Received(r) => {
                    received.push((ctx.now, r.psdu.get(10).copied().unwrap_or(0)));
                    ctx.sleep();
                }
                _ => {}
            },
        }
    }
}

#[test]
fn frames_wait_for_the_poll_and_expire() {
    let persistence = persistence_ns(DEFAULT_PERSISTENCE_UNITS, 16_000);
    let nodes = vec![
        Device::Parent {
            pending: PendingTransactions::new(persistence),
            expired: Vec::new(),
            delivered: Vec::new(),
        },
        Device::Child {
            polls: Vec::new(),
            received: Vec::new(),
        },
    ];
    let links = LinkTable::build(vec![[0.0; 3], [3.0, 0.0, 0.0]], -120.0, |_, _| Some(-60.0));
    let mut w = World::new(AirConfig::default(), links, nodes, 1);
    w.run_until(SimTime::ZERO + Duration::secs(40));
    let Device::Parent {
        expired, delivered, ..
    } = &w.nodes()[0]
    else {
        unreachable!()
    };
    let Device::Child { polls, received } = &w.nodes()[1] else {
        unreachable!()
    };
    // Frame 1 (queued at 1 s) reached the child only after its poll at 5 s.
    assert_eq!(received.len(), 1);
    let (t, id) = received[0];
    assert_eq!(id, 1);
    assert!(t >= SimTime::ZERO + Duration::secs(5) && t < SimTime::ZERO + Duration::millis(5100));
    assert_eq!(
        delivered,
        &[(
            1,
            TxStatus::Success {
                frame_pending: false
            }
        )]
    );
    // Frame 2 (queued at 10 s) expired 7.68 s later, before the poll at 30 s, whose ACK
    // then said nothing was pending.
    assert_eq!(expired, &[2]);
    assert_eq!(
        polls,
        &[
            TxStatus::Success {
                frame_pending: true
            },
            TxStatus::Success {
                frame_pending: false
            }
        ]
    );
    // The child slept between its polls.
    assert!(w.stats().nodes[1].sleep_ns > Duration::secs(35).0);
}
