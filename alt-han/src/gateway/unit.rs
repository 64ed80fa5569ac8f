//! A radio unit of an Alt HAN installation as a han-mesh node: it listens promiscuously on
//! its channel, tags each frame it hears with its premises (or drops it, counted), carries it
//! over the backhaul to the other units, and re-emits frames arriving from the backhaul into
//! the premises' HAN, only for premises it serves.
use crate::gateway::backhaul::{BackhaulLink, BackhaulStats};
use crate::gateway::isolation::{DUPLICATE_WINDOW, Isolation, Tagged};
use han_mesh::radio::{Action, Node, NodeCtx, NodeInput, RadioConfig, TxOptions, TxResult};
use han_mesh::time::{Duration, SimTime};
use han_stack::mac::{Address, MacCommand, MacFrame};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

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
    /// Beacon requests this unit emitted for a shared node (see [`GatewayUnit`]).
    pub solicited: u64,
    /// Cached comms hub beacons a shared node unit emitted in answer to a beacon request.
    pub beacons_answered: u64,
    /// Short addresses learned from joins carried.
    pub learned: u64,
    /// Carried frames offered to the MAC again after a channel access failure.
    pub emit_retries: u64,
    /// Carried frames given up on: the channel stayed busy through every retry.
    pub emit_failed: u64,
}

/// Times a unit offers a carried frame to its MAC again after a channel access failure
/// (han's choice). The frame's sender was answered already (by the unit's proxy ACK or the
/// destination hearing it too), so nothing above the unit would resend it: a repeater
/// that dropped it on the first busy channel would lose, for instance, a Transport Key the
/// trust centre sends back to back with the partner's copy.
const EMIT_RETRIES: u8 = 3;

/// One radio unit (a P2P repeater unit or a shared node unit).
#[derive(Debug)]
pub struct GatewayUnit {
    /// Unit id (from the building file; empty if not named).
    pub id: String,
    config: RadioConfig,
    peers: Vec<(u32, BackhaulLink)>,
    serves: Vec<usize>,
    /// Per-premises isolation at this unit.
    pub isolation: Isolation,
    next_handle: u32,
    proxy_for: Vec<(u16, Address)>,
    near: Option<Vec<(u16, Address)>>,
    emitted: VecDeque<(SimTime, Vec<u8>)>,
    /// Carried frames with the MAC, by handle, with the retries left after a busy channel.
    in_mac: BTreeMap<u32, (Vec<u8>, u8)>,
    last_solicit: Option<SimTime>,
    last_request: Option<SimTime>,
    /// Per premises served: the last beacon carried from its comms hub, and when this unit
    /// last answered a beacon request with it.
    hub_beacons: Vec<Option<(Vec<u8>, Option<SimTime>)>>,
    mac_seq: u8,
    /// Counters.
    pub stats: UnitStats,
}

/// Backhaul tag of a request to solicit beacons (not a premises index).
const SOLICIT: u16 = 0xffff;
/// A shared node solicits beacons at most this often per unit.
const SOLICIT_HOLDOFF: Duration = Duration::secs(1);
/// A unit answers beacon requests with a premises' cached hub beacon at most this often: a
/// joiner's scan dwell on one channel at the default exponent 3 is 138 ms at 2.4 GHz
/// (IEEE 802.15.4-2015 6.3.1, aBaseSuperframeDuration·(2^3+1) symbols).
const ANSWER_HOLDOFF: Duration = Duration::millis(100);

/// Wire format between units: premises index (u16, little-endian), then the PSDU.
fn encode(t: &Tagged) -> Vec<u8> {
    let mut v = Vec::with_capacity(t.psdu.len() + 2);
    v.extend_from_slice(&(t.premises as u16).to_le_bytes());
    v.extend_from_slice(&t.psdu);
    v
}

fn decode(b: &[u8]) -> Option<Tagged> {
    let (tag, psdu) = b.split_first_chunk::<2>()?;
    if u16::from_le_bytes(*tag) == SOLICIT {
        return None;
    }
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
            id: String::new(),
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
            in_mac: BTreeMap::new(),
            last_solicit: None,
            last_request: None,
            hub_beacons: Vec::new(),
            mac_seq: 0,
            stats: UnitStats::default(),
        }
    }

    /// The unit with an id.
    pub fn named(mut self, id: &str) -> Self {
        self.id = id.to_string();
        self
    }

    /// Emit only frames to these (PAN ID, address) pairs — the devices this unit reaches —
    /// and broadcasts, leaving the rest to the installation's other units.
    pub fn with_near(mut self, near: Vec<(u16, Address)>) -> Self {
        self.near = Some(near);
        self
    }

    /// Also acknowledge frames to these (PAN ID, address) pairs — the devices on the far side
    /// of the backhaul — so that their senders see the link as if direct.
    /// Their ACKs set the frame-pending bit: a device polling a parent across the backhaul
    /// (a joiner for its association response, a sleepy device for its held frames) then
    /// waits for the frame the parent sends on (IEEE 802.15.4-2015 6.7.3).
    pub fn with_proxy_acks(mut self, list: Vec<(u16, Address)>) -> Self {
        self.config.frame_pending = !list.is_empty();
        self.proxy_for = list;
        self
    }

    /// The premises' PAN ID at index `i` of the isolation's list.
    fn pan_of(&self, i: usize) -> Option<u16> {
        self.isolation.premises().get(i).map(|p| p.pan_id)
    }

    /// A carried join taught premises `i` a short address for `ext`: a unit near that device
    /// now also emits frames to the short address, one on the far side acknowledges them.
    fn follow_join(&mut self, i: usize, (ext, short): (u64, u16), ctx: &mut NodeCtx<'_>) {
        let Some(pan) = self.pan_of(i) else { return };
        let (by_ext, by_short) = (
            (pan, Address::Extended(han_stack::wire::ExtAddr(ext))),
            (pan, Address::Short(short)),
        );
        self.stats.learned += 1;
        if let Some(near) = &mut self.near
            && near.contains(&by_ext)
            && !near.contains(&by_short)
        {
            near.push(by_short);
        }
        if self.proxy_for.contains(&by_ext) && !self.proxy_for.contains(&by_short) {
            self.proxy_for.push(by_short);
            ctx.actions.push(Action::ProxyAck(self.proxy_for.clone()));
        }
    }

    /// Whether the frame's sender is near this unit.
    fn is_near(&self, t: &Tagged) -> bool {
        let Some(near) = &self.near else { return true };
        MacFrame::parse_with_fcs(&t.psdu).is_ok_and(|(f, _, _)| {
            near.contains(&(f.dst_pan.or(f.src_pan).unwrap_or(0xffff), f.src))
        })
    }

    /// Whether a device of premises `i` is near this unit (every device is, without a list).
    fn near_premises(&self, i: usize) -> bool {
        let pan = self.pan_of(i);
        self.near
            .as_ref()
            .is_none_or(|near| near.iter().any(|(p, _)| Some(*p) == pan))
    }

    /// A shared node carries no request to every PAN (it belongs to no one premises); instead
    /// a unit hearing one asks the others over the backhaul, and those near a comms hub emit
    /// a beacon request of their own: the hubs' beacons are then carried like any of their
    /// premises' frames, so a device finds its hub across the node.
    fn solicit(&mut self, psdu: &[u8], ctx: &mut NodeCtx<'_>) {
        let asks = self.isolation.premises().len() > 1
            && MacFrame::parse_with_fcs(psdu).is_ok_and(|(f, _, ok)| {
                ok && f.dst_pan == Some(0xffff)
                    && f.src == Address::None
                    && f.payload == han_stack::mac::MacPayload::Command(MacCommand::BeaconRequest)
            });
        if !asks {
            return;
        }
        self.answer_from_cache(ctx);
        if self.peers.is_empty() {
            return self.beacon_request(ctx);
        }
        if self
            .last_solicit
            .is_some_and(|t| t + SOLICIT_HOLDOFF > ctx.now)
        {
            return;
        }
        self.last_solicit = Some(ctx.now);
        let msg = SOLICIT.to_le_bytes().to_vec();
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

    /// Keeps the beacon of a served premises' comms hub (short 0x0000 on its PAN) carried by
    /// this unit, to answer later beacon requests with.
    fn cache_hub_beacon(&mut self, t: &Tagged) {
        let hub_beacon = MacFrame::parse_with_fcs(&t.psdu).is_ok_and(|(f, _, ok)| {
            ok && f.frame_type == han_stack::mac::FrameType::Beacon
                && f.src == Address::Short(0x0000)
        });
        if !hub_beacon || !self.serves.contains(&t.premises) {
            return;
        }
        if self.hub_beacons.len() <= t.premises {
            self.hub_beacons.resize(t.premises + 1, None);
        }
        let last = self.hub_beacons[t.premises].take().and_then(|(_, at)| at);
        self.hub_beacons[t.premises] = Some((t.psdu.clone(), last));
    }

    /// A shared node unit hearing a beacon request answers at once, for every premises with a
    /// device homed here but not its hub, with that premises' hub's last beacon: a joiner far from its hub gets
    /// an answer within its scan dwell, whatever other joiners asked just before (soliciting
    /// fresh beacons across the backbone is held off for a second).
    fn answer_from_cache(&mut self, ctx: &mut NodeCtx<'_>) {
        let now = ctx.now;
        for i in 0..self.hub_beacons.len() {
            // Near the hub itself, the hub answers.
            let hub_near = self.pan_of(i).is_some_and(|pan| {
                self.near
                    .as_ref()
                    .is_some_and(|near| near.contains(&(pan, Address::Short(0x0000))))
            });
            if hub_near || !self.near_premises(i) || !self.serves.contains(&i) {
                continue;
            }
            let Some((psdu, last)) = &mut self.hub_beacons[i] else {
                continue;
            };
            if last.is_some_and(|t| t + ANSWER_HOLDOFF > now) {
                continue;
            }
            *last = Some(now);
            let psdu = psdu.clone();
            self.stats.beacons_answered += 1;
            self.next_handle = self.next_handle.wrapping_add(1);
            ctx.actions.push(Action::Transmit {
                handle: self.next_handle,
                psdu,
                options: TxOptions::default(),
            });
        }
    }

    /// Emits a beacon request of this unit's own, if it is near a comms hub (short 0x0000).
    fn beacon_request(&mut self, ctx: &mut NodeCtx<'_>) {
        let near_hub = self
            .near
            .as_ref()
            .is_some_and(|near| near.iter().any(|(_, a)| *a == Address::Short(0)));
        if !near_hub
            || self
                .last_request
                .is_some_and(|t| t + SOLICIT_HOLDOFF > ctx.now)
        {
            return;
        }
        self.last_request = Some(ctx.now);
        self.mac_seq = self.mac_seq.wrapping_add(1);
        self.stats.solicited += 1;
        self.next_handle = self.next_handle.wrapping_add(1);
        ctx.actions.push(Action::Transmit {
            handle: self.next_handle,
            psdu: han_stack::mac::beacon_response::beacon_request(self.mac_seq).emit_with_fcs(),
            options: TxOptions::default(),
        });
    }

    /// Emits a carried frame into its premises' HAN, if this unit serves it and it still
    /// carries that premises' PAN.
    fn emit(&mut self, t: Tagged, ctx: &mut NodeCtx<'_>) {
        if !self.serves.contains(&t.premises) || !self.isolation.egress(&t, t.premises) {
            self.stats.refused += 1;
            return;
        }
        // Broadcasts (and beacons) go where the premises has a device near.
        let far = self.near.as_ref().is_some_and(|near| {
            MacFrame::parse_with_fcs(&t.psdu).is_ok_and(|(f, _, _)| {
                if f.dst == Address::BROADCAST || f.dst == Address::None {
                    return !self.near_premises(t.premises);
                }
                !near.contains(&(f.dst_pan.or(f.src_pan).unwrap_or(0xffff), f.dst))
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
        self.transmit_carried(t.psdu, EMIT_RETRIES, ctx);
    }

    /// Hands a carried frame to the MAC, remembering it for a retry on a busy channel.
    fn transmit_carried(&mut self, psdu: Vec<u8>, retries: u8, ctx: &mut NodeCtx<'_>) {
        self.next_handle = self.next_handle.wrapping_add(1);
        self.in_mac
            .insert(self.next_handle, (psdu.clone(), retries));
        ctx.actions.push(Action::Transmit {
            handle: self.next_handle,
            psdu,
            options: TxOptions::default(),
        });
    }

    /// The MAC is done with a frame: a carried frame that never got the channel
    /// (CHANNEL_ACCESS_FAILURE) goes to the MAC again, with fresh backoffs, while retries
    /// are left.
    fn transmit_done(&mut self, handle: u32, result: TxResult, ctx: &mut NodeCtx<'_>) {
        let Some((psdu, retries)) = self.in_mac.remove(&handle) else {
            return;
        };
        if result != TxResult::ChannelAccessFailure {
            return;
        }
        if retries == 0 {
            self.stats.emit_failed += 1;
            return;
        }
        self.stats.emit_retries += 1;
        self.transmit_carried(psdu, retries - 1, ctx);
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
                    self.solicit(r.psdu, ctx);
                    return;
                };
                if let Some(learned) = self.isolation.learn_carried(&t) {
                    self.follow_join(t.premises, learned, ctx);
                }
                self.cache_hub_beacon(&t);
                let msg = encode(&t);
                if self.peers.is_empty() || self.near.is_some() && !self.is_near(&t) {
                    // A one-unit installation repeats what it hears itself; a unit that knows
                    // its neighbours repeats frames to them as well as carrying them on,
                    // unless the sender is one of them (they hear each other).
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
                if payload == SOLICIT.to_le_bytes() {
                    return self.beacon_request(ctx);
                }
                let Some(t) = decode(payload) else {
                    self.stats.refused += 1;
                    return;
                };
                if let Some(learned) = self.isolation.learn_carried(&t) {
                    self.follow_join(t.premises, learned, ctx);
                }
                self.cache_hub_beacon(&t);
                self.emit(t, ctx);
            }
            NodeInput::TransmitDone { handle, result } => self.transmit_done(handle, result, ctx),
            NodeInput::Timer(_) | NodeInput::Energy(_) => {}
        }
    }
}
