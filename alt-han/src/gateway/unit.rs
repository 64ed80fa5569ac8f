//! A radio unit of an Alt HAN installation as a han-mesh node: it listens promiscuously on
//! its channel, tags each frame it hears with its premises (or drops it, counted), carries it
//! over the backhaul to the other units, and re-emits frames arriving from the backhaul into
//! the premises' HAN, only for premises it serves.
use crate::gateway::backhaul::{BackhaulLink, BackhaulStats};
use crate::gateway::isolation::{DUPLICATE_WINDOW, Isolation, Tagged};
use han_mesh::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, TxOptions};
use han_mesh::time::SimTime;
use han_stack::mac::Address;
use han_stack::mac::MacFrame;
use serde::Serialize;
use std::collections::VecDeque;

/// What a unit did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UnitStats {
    /// Frames heard on air.
    pub heard: u64,
    /// Frames sent over the backhaul (one per peer).
    pub forwarded: u64,
    /// Frames received from the backhaul.
    pub from_backhaul: u64,
    /// Frames re-emitted on air.
    pub emitted: u64,
    /// Carried frames not emitted: premises not served here, or failing the PAN check.
    pub refused: u64,
    /// Carried frames left to another unit: their destination is not near this one, or
    /// this unit emitted the same bytes within the duplicate window.
    pub left_to_others: u64,
}

/// One radio unit (a P2P repeater unit or a shared node unit).
#[derive(Debug)]
pub struct GatewayUnit {
    config: RadioConfig,
    peers: Vec<(u32, BackhaulLink)>,
    serves: Vec<usize>,
    /// Per-premises isolation at this unit.
    pub isolation: Isolation,
    next_handle: u32,
    proxy_for: Vec<(u16, Address)>,
    near: Option<Vec<(u16, Address)>>,
    emitted: VecDeque<(SimTime, Vec<u8>)>,
    /// Counters.
    pub stats: UnitStats,
}

/// Wire format between units: premises index (u16, little-endian), then the PSDU.
fn encode(t: &Tagged) -> Vec<u8> {
    let mut v = Vec::with_capacity(t.psdu.len() + 2);
    v.extend_from_slice(&(t.premises as u16).to_le_bytes());
    v.extend_from_slice(&t.psdu);
    v
}

fn decode(b: &[u8]) -> Option<Tagged> {
    let (tag, psdu) = b.split_first_chunk::<2>()?;
    Some(Tagged {
        premises: usize::from(u16::from_le_bytes(*tag)),
        psdu: psdu.to_vec(),
    })
}

impl GatewayUnit {
    /// A unit on `channel` with its isolation state, the premises (indices into the
    /// isolation's list) it emits into, and a backhaul link to each peer unit (node index).
    pub fn new(
        channel: u8,
        isolation: Isolation,
        serves: Vec<usize>,
        peers: Vec<(u32, BackhaulLink)>,
    ) -> Self {
        GatewayUnit {
            config: RadioConfig {
                channel,
                ..RadioConfig::default()
            },
            peers,
            serves,
            isolation,
            next_handle: 0,
            proxy_for: Vec::new(),
            near: None,
            emitted: VecDeque::new(),
            stats: UnitStats::default(),
        }
    }

    /// Emit only frames to these (PAN ID, address) pairs — the devices this unit reaches —
    /// and broadcasts, leaving the rest to the installation's other units.
    pub fn with_near(mut self, near: Vec<(u16, Address)>) -> Self {
        self.near = Some(near);
        self
    }

    /// Also acknowledge frames to these (PAN ID, address) pairs — the devices on the far side
    /// of the backhaul — so that their senders see the link as if direct.
    pub fn with_proxy_acks(mut self, list: Vec<(u16, Address)>) -> Self {
        self.proxy_for = list;
        self
    }

    /// Emits a carried frame into its premises' HAN, if this unit serves it and it still
    /// carries that premises' PAN.
    fn emit(&mut self, t: Tagged, ctx: &mut NodeCtx<'_>) {
        if !self.serves.contains(&t.premises) || !self.isolation.egress(&t, t.premises) {
            self.stats.refused += 1;
            return;
        }
        let far = self.near.as_ref().is_some_and(|near| {
            MacFrame::parse_with_fcs(&t.psdu).is_ok_and(|(f, _, _)| {
                f.dst != Address::BROADCAST
                    && !near.contains(&(f.dst_pan.or(f.src_pan).unwrap_or(0xffff), f.dst))
            })
        });
        while self
            .emitted
            .front()
            .is_some_and(|(at, _)| *at + DUPLICATE_WINDOW <= ctx.now)
        {
            self.emitted.pop_front();
        }
        if far || self.emitted.iter().any(|(_, p)| *p == t.psdu) {
            self.stats.left_to_others += 1;
            return;
        }
        self.emitted.push_back((ctx.now, t.psdu.clone()));
        self.stats.emitted += 1;
        self.next_handle = self.next_handle.wrapping_add(1);
        ctx.actions.push(Action::Transmit {
            handle: self.next_handle,
            psdu: t.psdu,
            options: TxOptions::default(),
        });
    }

    /// Backhaul counters towards each peer.
    pub fn backhaul(&self) -> Vec<(u32, BackhaulStats)> {
        self.peers.iter().map(|(p, l)| (*p, l.stats)).collect()
    }
}

impl Node for GatewayUnit {
    fn radio_config(&self) -> RadioConfig {
        self.config
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        match input {
            NodeInput::Start => {
                ctx.actions.push(Action::Promiscuous(true));
                if !self.proxy_for.is_empty() {
                    ctx.actions.push(Action::ProxyAck(self.proxy_for.clone()));
                }
            }
            NodeInput::Received(r) => {
                self.stats.heard += 1;
                let Ok(t) = self.isolation.ingress(ctx.now, r.channel, r.psdu) else {
                    return;
                };
                let msg = encode(&t);
                if self.peers.is_empty() || self.near.is_some() {
                    // A one-unit installation repeats what it hears itself; a unit that knows
                    // its neighbours repeats frames to them as well as carrying them on.
                    self.emit(t, ctx);
                }
                for (peer, link) in &mut self.peers {
                    if let Some(at) = link.send(ctx.now, msg.len()) {
                        self.stats.forwarded += 1;
                        ctx.actions.push(Action::Wire {
                            to: *peer,
                            at,
                            payload: msg.clone(),
                        });
                    }
                }
            }
            NodeInput::Wire { payload, .. } => {
                self.stats.from_backhaul += 1;
                let Some(t) = decode(payload) else {
                    self.stats.refused += 1;
                    return;
                };
                self.emit(t, ctx);
            }
            NodeInput::TransmitDone { .. } | NodeInput::Timer(_) | NodeInput::Energy(_) => {}
        }
    }
}
