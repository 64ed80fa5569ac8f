//! A radio unit of an Alt HAN installation as a han-mesh node: it listens promiscuously on
//! the channels of the premises near it (one radio each), tags each frame it hears with its
//! premises (or drops it, counted), carries it over the backhaul to the other units, and
//! re-emits frames arriving from the backhaul into the premises' HAN, on its channel, only
//! for premises it serves.
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
    /// Carried frames left to another unit: their destination is not near this one (nor
    /// on a channel it listens on), or this unit emitted the same bytes within the duplicate
    /// window.
    pub left_to_others: u64,
    /// Beacon requests this unit emitted for a shared node (see [`GatewayUnit`]).
    pub solicited: u64,
    /// Cached comms hub beacons a shared node unit emitted in answer to a beacon request.
    pub beacons_answered: u64,
    /// Short addresses learned from joins carried.
    pub learned: u64,
    /// Carried frames offered to the MAC again after a channel access failure.
    pub emit_retries: u64,
    /// Carried frames given up on: the channel stayed busy through every retry, or
    /// [`MAX_QUEUED`] frames were already waiting for the radio.
    pub emit_failed: u64,
}

/// Times a unit offers a carried frame to its MAC again after a channel access failure
/// (han's choice). The frame's sender was answered already (by the unit's proxy ACK or the
/// destination hearing it too), so nothing above the unit would resend it: a repeater
/// that dropped it on the first busy channel would lose, for instance, a Transport Key the
/// trust centre sends back to back with the partner's copy.
const EMIT_RETRIES: u8 = 3;

/// Most carried frames waiting for one radio (han's choice: ten seconds of a busy channel).
pub const MAX_QUEUED: usize = 64;

/// The carried frames waiting for one radio, in the order they came, each with the retries
/// it has left after a busy channel. Only the head is with the MAC: a frame retried after a
/// channel access failure must not fall behind a later frame of the same sender, which the
/// receiver would then drop as a replay (its NWK frame counter is older).
#[derive(Debug, Default)]
struct EmitQueue {
    frames: VecDeque<(Vec<u8>, u8)>,
    /// The MAC handle of the head, while the MAC has it.
    in_mac: Option<u32>,
}

/// One radio unit (a P2P repeater unit or a shared node unit).
#[derive(Debug)]
pub struct GatewayUnit {
    /// Unit id (from the building file; empty if not named).
    pub id: String,
    config: RadioConfig,
    /// The channel of each radio (radio k: interface k).
    channels: Vec<u8>,
    peers: Vec<(u32, BackhaulLink)>,
    serves: Vec<usize>,
    /// Per-premises isolation at this unit.
    pub isolation: Isolation,
    next_handle: u32,
    proxy_for: Vec<(u16, Address)>,
    near: Option<Vec<(u16, Address)>>,
    emitted: VecDeque<(SimTime, Vec<u8>)>,
    /// Per radio, the carried frames waiting for it.
    queues: Vec<EmitQueue>,
    /// Per channel, when this unit last asked the others to solicit beacons, and last sent
    /// a beacon request of its own.
    last_solicit: BTreeMap<u8, SimTime>,
    last_request: BTreeMap<u8, SimTime>,
    /// Per premises served: the last beacon carried from its comms hub, and when this unit
    /// last answered a beacon request with it.
    hub_beacons: Vec<Option<(Vec<u8>, Option<SimTime>)>>,
    mac_seq: u8,
    /// Counters.
    pub stats: UnitStats,
}

/// Backhaul tag of a request to solicit beacons (not a premises index), followed by the
/// channel.
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

/// Sends `action` to radio `k` of the node (see [`Action::Interface`]).
fn to_radio(ctx: &mut NodeCtx<'_>, k: usize, action: Action) {
    if k == 0 {
        return ctx.actions.push(action);
    }
    ctx.actions.push(Action::Interface(k as u8));
    ctx.actions.push(action);
    ctx.actions.push(Action::Interface(0));
}

impl GatewayUnit {
    /// A unit with one radio on each of `channels` (at least one; the node's further radios
    /// are han-mesh interfaces 1.. in this order), its isolation state, the premises (indices
    /// into the isolation's list) it emits into, and a backhaul link to each peer unit (node
    /// index).
    pub fn new(
        channels: Vec<u8>,
        isolation: Isolation,
        serves: Vec<usize>,
        peers: Vec<(u32, BackhaulLink)>,
    ) -> Self {
        let channels = if channels.is_empty() {
            vec![RadioConfig::default().channel]
        } else {
            channels
        };
        GatewayUnit {
            id: String::new(),
            config: RadioConfig {
                channel: channels[0],
                ..RadioConfig::default()
            },
            queues: channels.iter().map(|_| EmitQueue::default()).collect(),
            channels,
            peers,
            serves,
            isolation,
            next_handle: 0,
            proxy_for: Vec::new(),
            near: None,
            emitted: VecDeque::new(),
            last_solicit: BTreeMap::new(),
            last_request: BTreeMap::new(),
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

    /// The radio of this unit on premises `i`'s channel, if it has one.
    fn radio_for(&self, i: usize) -> Option<usize> {
        let c = self.isolation.premises().get(i)?.channel;
        self.channels.iter().position(|&k| k == c)
    }

    /// Sets the proxy ACK list on every radio.
    fn proxy_everywhere(&self, ctx: &mut NodeCtx<'_>) {
        for k in 0..self.channels.len() {
            to_radio(ctx, k, Action::ProxyAck(self.proxy_for.clone()));
        }
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
            self.proxy_everywhere(ctx);
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
    /// a unit hearing one on `channel` asks the others over the backhaul, and those near a
    /// comms hub on that channel emit a beacon request of their own: the hubs' beacons are
    /// then carried like any of their premises' frames, so a device finds its hub across the
    /// node.
    fn solicit(&mut self, channel: u8, psdu: &[u8], ctx: &mut NodeCtx<'_>) {
        let asks = self.isolation.premises().len() > 1
            && MacFrame::parse_with_fcs(psdu).is_ok_and(|(f, _, ok)| {
                ok && f.dst_pan == Some(0xffff)
                    && f.src == Address::None
                    && f.payload == han_stack::mac::MacPayload::Command(MacCommand::BeaconRequest)
            });
        if !asks {
            return;
        }
        self.answer_from_cache(channel, ctx);
        if self.peers.is_empty() {
            return self.beacon_request(channel, ctx);
        }
        if self
            .last_solicit
            .get(&channel)
            .is_some_and(|&t| t + SOLICIT_HOLDOFF > ctx.now)
        {
            return;
        }
        self.last_solicit.insert(channel, ctx.now);
        let mut msg = SOLICIT.to_le_bytes().to_vec();
        msg.push(channel);
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

    /// A shared node unit hearing a beacon request on `channel` answers at once, for every
    /// premises on that channel with a device homed here but not its hub, with that
    /// premises' hub's last beacon: a joiner far from its hub gets an answer within its scan
    /// dwell, whatever other joiners asked just before (soliciting fresh beacons across the
    /// backbone is held off for a second).
    fn answer_from_cache(&mut self, channel: u8, ctx: &mut NodeCtx<'_>) {
        let now = ctx.now;
        for i in 0..self.hub_beacons.len() {
            // Near the hub itself, the hub answers.
            let hub_near = self.pan_of(i).is_some_and(|pan| {
                self.near
                    .as_ref()
                    .is_some_and(|near| near.contains(&(pan, Address::Short(0x0000))))
            });
            let Some(radio) = self.radio_for(i) else {
                continue;
            };
            if hub_near
                || self.channels[radio] != channel
                || !self.near_premises(i)
                || !self.serves.contains(&i)
            {
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
            self.transmit(radio, psdu, ctx);
        }
    }

    /// Hands `psdu` to the MAC of `radio`: its handle.
    fn transmit(&mut self, radio: usize, psdu: Vec<u8>, ctx: &mut NodeCtx<'_>) -> u32 {
        self.next_handle = self.next_handle.wrapping_add(1);
        let handle = self.next_handle;
        let options = TxOptions::default();
        to_radio(
            ctx,
            radio,
            Action::Transmit {
                handle,
                psdu,
                options,
            },
        );
        handle
    }

    /// Emits a beacon request of this unit's own on `channel`, if it is near a comms hub
    /// (short 0x0000) of a premises on that channel.
    fn beacon_request(&mut self, channel: u8, ctx: &mut NodeCtx<'_>) {
        let near_hub = self.near.as_ref().is_some_and(|near| {
            self.isolation
                .premises()
                .iter()
                .any(|p| p.channel == channel && near.contains(&(p.pan_id, Address::Short(0))))
        });
        let Some(radio) = self.channels.iter().position(|&k| k == channel) else {
            return;
        };
        if !near_hub
            || self
                .last_request
                .get(&channel)
                .is_some_and(|&t| t + SOLICIT_HOLDOFF > ctx.now)
        {
            return;
        }
        self.last_request.insert(channel, ctx.now);
        self.mac_seq = self.mac_seq.wrapping_add(1);
        self.stats.solicited += 1;
        let psdu = han_stack::mac::beacon_response::beacon_request(self.mac_seq).emit_with_fcs();
        self.transmit(radio, psdu, ctx);
    }

    /// Emits a carried frame into its premises' HAN, on its channel, if this unit serves it
    /// and it still carries that premises' PAN.
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
        let radio = self.radio_for(t.premises);
        let Some(radio) = radio.filter(|_| !far && !self.emitted.iter().any(|(_, p)| *p == t.psdu))
        else {
            self.stats.left_to_others += 1;
            return;
        };
        let queue = &mut self.queues[radio];
        if queue.frames.len() >= MAX_QUEUED {
            self.stats.emit_failed += 1;
            return;
        }
        self.emitted.push_back((ctx.now, t.psdu.clone()));
        self.stats.emitted += 1;
        queue.frames.push_back((t.psdu, EMIT_RETRIES));
        if queue.in_mac.is_none() {
            self.transmit_head(radio, ctx);
        }
    }

    /// Hands the first carried frame waiting for `radio` to its MAC.
    fn transmit_head(&mut self, radio: usize, ctx: &mut NodeCtx<'_>) {
        let Some((psdu, _)) = self.queues[radio].frames.front() else {
            return;
        };
        let psdu = psdu.clone();
        self.queues[radio].in_mac = Some(self.transmit(radio, psdu, ctx));
    }

    /// The MAC of `radio` is done with a frame: a carried frame that never got the channel
    /// (CHANNEL_ACCESS_FAILURE) goes to the MAC again, with fresh backoffs, while retries
    /// are left; then the next waiting frame goes.
    fn transmit_done(
        &mut self,
        radio: usize,
        handle: u32,
        result: TxResult,
        ctx: &mut NodeCtx<'_>,
    ) {
        let Some(queue) = self.queues.get_mut(radio) else {
            return;
        };
        if queue.in_mac != Some(handle) {
            return;
        }
        queue.in_mac = None;
        let Some(head) = queue.frames.front_mut() else {
            return;
        };
        if result == TxResult::ChannelAccessFailure {
            if head.1 > 0 {
                head.1 -= 1;
                self.stats.emit_retries += 1;
                return self.transmit_head(radio, ctx);
            }
            self.stats.emit_failed += 1;
        }
        queue.frames.pop_front();
        self.transmit_head(radio, ctx);
    }

    /// The channel of each of the unit's radios.
    pub fn channels(&self) -> &[u8] {
        &self.channels
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
                for (k, &channel) in self.channels.iter().enumerate().skip(1) {
                    let config = RadioConfig {
                        channel,
                        ..self.config
                    };
                    to_radio(ctx, k, Action::Configure(config));
                }
                for k in 0..self.channels.len() {
                    to_radio(ctx, k, Action::Promiscuous(true));
                }
                if !self.proxy_for.is_empty() {
                    self.proxy_everywhere(ctx);
                }
            }
            NodeInput::Received(r) => {
                self.stats.heard += 1;
                let Ok(t) = self.isolation.ingress(ctx.now, r.channel, r.psdu) else {
                    self.solicit(r.channel, r.psdu, ctx);
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
                if let [a, b, channel] = payload
                    && u16::from_le_bytes([*a, *b]) == SOLICIT
                {
                    return self.beacon_request(*channel, ctx);
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
            NodeInput::TransmitDone { handle, result } => {
                self.transmit_done(usize::from(ctx.iface), handle, result, ctx)
            }
            NodeInput::Timer(_) | NodeInput::Energy(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::isolation::PremisesHan;
    use han_mesh::rng::{Purpose, Stream};
    use std::collections::BTreeSet;

    const PAN_A: u16 = 0x1a03;
    const PAN_B: u16 = 0x1a07;
    const CH_A: u8 = 15;
    const CH_B: u8 = 20;

    /// A unit on both flats' channels, serving both, with no peers.
    fn unit() -> GatewayUnit {
        let han = |id: &str, pan, channel| PremisesHan {
            id: id.to_string(),
            pan_id: pan,
            channel,
            short: BTreeSet::from([0x0000, 0x1234]),
            ext: BTreeSet::new(),
        };
        let iso = Isolation::new(vec![han("flat-3", PAN_A, CH_A), han("flat-7", PAN_B, CH_B)]);
        GatewayUnit::new(vec![CH_A, CH_B], iso, vec![0, 1], Vec::new())
    }

    /// Runs `input` through the unit at `now` (radio `iface`): the actions it asks for.
    fn step(u: &mut GatewayUnit, now: u64, iface: u8, input: NodeInput<'_>) -> Vec<Action> {
        let mut rng = Stream::new(1, 0, Purpose::App);
        let mut actions = Vec::new();
        let mut ctx = NodeCtx {
            now: SimTime(now * 1_000_000),
            rng: &mut rng,
            actions: &mut actions,
            iface,
        };
        u.handle(input, &mut ctx);
        actions
    }

    /// A hub-to-IHD data frame of `pan`, MAC sequence `seq`, carried over the backhaul as
    /// premises `premises`' frame.
    fn carried(premises: usize, pan: u16, seq: u8) -> Vec<u8> {
        let psdu = MacFrame::data(
            seq,
            pan,
            Address::Short(0x1234),
            Address::Short(0),
            vec![seq; 8],
        )
        .emit_with_fcs();
        encode(&Tagged { premises, psdu })
    }

    /// A message from peer unit 1.
    fn wire(payload: &[u8]) -> NodeInput<'_> {
        NodeInput::Wire { from: 1, payload }
    }

    /// The (radio, MAC sequence number, handle) of each frame the actions transmit.
    fn sent(actions: &[Action]) -> Vec<(u8, u8, u32)> {
        let mut radio = 0;
        let mut out = Vec::new();
        for a in actions {
            match a {
                Action::Interface(k) => radio = *k,
                Action::Transmit { handle, psdu, .. } => out.push((radio, psdu[2], *handle)),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn each_radio_listens_on_its_channel_and_carries_its_premises() {
        let mut u = unit();
        let start = step(&mut u, 0, 0, NodeInput::Start);
        assert!(start.windows(2).any(|w| w[0] == Action::Interface(1)
            && matches!(w[1], Action::Configure(c) if c.channel == CH_B)));
        assert_eq!(u.radio_config().channel, CH_A);
        // Flat 7's frame goes out on the radio on flat 7's channel, flat 3's on the first.
        let b = carried(1, PAN_B, 9);
        let a = carried(0, PAN_A, 4);
        assert_eq!(sent(&step(&mut u, 1, 0, wire(&b)))[0].0, 1);
        assert_eq!(sent(&step(&mut u, 2, 0, wire(&a)))[0].0, 0);
        // A frame claiming flat 7 but tagged as flat 3's is refused, not emitted anywhere.
        let forged = carried(0, PAN_B, 5);
        assert!(sent(&step(&mut u, 3, 0, wire(&forged))).is_empty());
        assert_eq!(u.stats.refused, 1);
    }

    #[test]
    fn a_frame_retried_after_a_busy_channel_keeps_its_place() {
        let mut u = unit();
        step(&mut u, 0, 0, NodeInput::Start);
        let first = sent(&step(&mut u, 1, 0, wire(&carried(0, PAN_A, 1))));
        // The second frame waits while the first is with the MAC.
        assert!(sent(&step(&mut u, 2, 0, wire(&carried(0, PAN_A, 2)))).is_empty());
        let done = |handle, result| NodeInput::TransmitDone { handle, result };
        let busy = TxResult::ChannelAccessFailure;
        let again = sent(&step(&mut u, 3, 0, done(first[0].2, busy)));
        assert_eq!(again.iter().map(|s| s.1).collect::<Vec<_>>(), [1]);
        let ok = TxResult::Success {
            frame_pending: false,
        };
        let next = sent(&step(&mut u, 4, 0, done(again[0].2, ok)));
        assert_eq!(next.iter().map(|s| s.1).collect::<Vec<_>>(), [2]);
        // After every retry the frame is given up on and the next one goes.
        let mut h = next[0].2;
        step(&mut u, 5, 0, wire(&carried(0, PAN_A, 3)));
        for k in 0..EMIT_RETRIES {
            let s = sent(&step(&mut u, 6 + u64::from(k), 0, done(h, busy)));
            assert_eq!(s[0].1, 2);
            h = s[0].2;
        }
        let last = sent(&step(&mut u, 20, 0, done(h, busy)));
        assert_eq!(last[0].1, 3);
        assert_eq!(u.stats.emit_failed, 1);
        assert_eq!(u.stats.emit_retries, 1 + u64::from(EMIT_RETRIES));
    }
}
