//! Per-premises isolation in a shared Alt HAN node: every frame a unit hears is tagged with
//! the one premises it belongs to, or dropped and counted; a tagged frame is emitted only
//! into its own premises' HAN. A frame from flat 3 can never be emitted into flat 7's HAN,
//! whatever its addressing.
use han_mesh::time::{Duration, SimTime};
use han_stack::mac::address::Address;
use han_stack::mac::control::FrameType;
use han_stack::mac::frame::{MacFrame, MacPayload};
use han_stack::mac::{AssociationStatus, MacCommand};
use han_stack::nwk::frame::NwkFrame;
use han_stack::wire::Wire;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A repeat of the same bytes within this time is a MAC retransmission, not a replay.
pub const DUPLICATE_WINDOW: Duration = Duration::secs(1);
/// Recent frames remembered per premises for duplicate detection.
pub const DUPLICATE_HISTORY: usize = 256;

/// One premises' HAN as the shared node knows it (commissioned by the installer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PremisesHan {
    /// Premises id.
    pub id: String,
    /// Its PAN ID.
    pub pan_id: u16,
    /// Its channel: a frame claiming this PAN heard on another channel is not its.
    pub channel: u8,
    /// Short addresses of its devices.
    pub short: BTreeSet<u16>,
    /// Extended addresses (EUI-64) of its devices.
    pub ext: BTreeSet<u64>,
}

/// Why a frame was not carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Drop {
    /// Does not parse or its FCS is wrong.
    Malformed,
    /// An acknowledgment: local to each side, never relayed.
    Ack,
    /// No PAN ID at all to tag it with.
    Untagged,
    /// Its PAN is not one the node serves.
    ForeignPan,
    /// Addressed to the broadcast PAN, its source PAN differs from its destination PAN, or
    /// it was heard on another channel than its PAN's.
    CrossPan,
    /// Its source address belongs to another served premises.
    ForgedSource,
    /// Its source address is no device of the premises whose PAN it carries.
    UnknownSource,
    /// Its destination is no device of the premises whose PAN it carries.
    ForeignDestination,
    /// The same bytes again within `DUPLICATE_WINDOW` (a retransmission already carried).
    Duplicate,
    /// A secured NWK frame whose frame counter is not above the last one from its sender.
    Replay,
}

impl Drop {
    /// Name as in counters.
    pub fn name(self) -> &'static str {
        match self {
            Drop::Malformed => "malformed",
            Drop::Ack => "ack",
            Drop::Untagged => "untagged",
            Drop::ForeignPan => "foreign-pan",
            Drop::CrossPan => "cross-pan",
            Drop::ForgedSource => "forged-source",
            Drop::UnknownSource => "unknown-source",
            Drop::ForeignDestination => "foreign-destination",
            Drop::Duplicate => "duplicate",
            Drop::Replay => "replay",
        }
    }
}

/// Counters of one premises (or of frames no premises can be blamed for).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Frames tagged and carried.
    pub carried: u64,
    /// Frames emitted into the premises' HAN.
    pub emitted: u64,
    /// Frames dropped, by reason.
    pub dropped: BTreeMap<Drop, u64>,
}

/// A frame tagged with its premises (index into the node's list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    /// Premises index.
    pub premises: usize,
    /// The PSDU (MPDU with FCS), unchanged.
    pub psdu: Vec<u8>,
}

/// The isolation state of one shared node.
#[derive(Debug, Clone)]
pub struct Isolation {
    premises: Vec<PremisesHan>,
    recent: Vec<VecDeque<(SimTime, Vec<u8>)>>,
    counters_seen: Vec<BTreeMap<u64, u32>>,
    /// Counters per premises, in the node's order.
    pub counters: Vec<Counters>,
    /// Drops no served premises can be blamed for (malformed, foreign PAN, untagged).
    pub unattributed: Counters,
}

impl Isolation {
    /// A node serving `premises`.
    pub fn new(premises: Vec<PremisesHan>) -> Self {
        let n = premises.len();
        Isolation {
            premises,
            recent: vec![VecDeque::new(); n],
            counters_seen: vec![BTreeMap::new(); n],
            counters: vec![Counters::default(); n],
            unattributed: Counters::default(),
        }
    }

    /// The premises served.
    pub fn premises(&self) -> &[PremisesHan] {
        &self.premises
    }

    fn by_pan(&self, pan: u16) -> Option<usize> {
        self.premises.iter().position(|p| p.pan_id == pan)
    }

    fn owner_of_ext(&self, e: u64) -> Option<usize> {
        self.premises.iter().position(|p| p.ext.contains(&e))
    }

    fn drop(&mut self, premises: Option<usize>, why: Drop) -> Result<Tagged, Drop> {
        let c = match premises {
            Some(i) => &mut self.counters[i],
            None => &mut self.unattributed,
        };
        *c.dropped.entry(why).or_insert(0) += 1;
        Err(why)
    }

    /// A frame a unit heard at `now` on `channel`: tagged with its premises, or the reason it
    /// is dropped (counted against the premises whose PAN it claims, where there is one).
    pub fn ingress(&mut self, now: SimTime, channel: u8, psdu: &[u8]) -> Result<Tagged, Drop> {
        let Ok((f, _, true)) = MacFrame::parse_with_fcs(psdu) else {
            return self.drop(None, Drop::Malformed);
        };
        if f.frame_type == FrameType::Ack {
            return self.drop(None, Drop::Ack);
        }
        // IEEE 802.15.4-2015 7.2.1.5: with PAN ID compression the source PAN is the destination's.
        let Some(pan) = f.dst_pan.or(f.src_pan) else {
            return self.drop(None, Drop::Untagged);
        };
        let claimed = self
            .by_pan(pan)
            .or_else(|| f.src_pan.and_then(|s| self.by_pan(s)));
        if self.premises.len() == 1 && is_beacon_request(&f) {
            // A P2P pair serves one premises: a device looking for its hub (a beacon request
            // to every PAN, IEEE 802.15.4-2015 6.3.1.2) is carried, so devices join across it.
            return self.carry(0, now, psdu, &f);
        }
        if let Some(i) = self.joining(&f, channel) {
            return self.carry(i, now, psdu, &f);
        }
        if pan == 0xffff || f.src_pan.is_some_and(|s| s != pan) {
            return self.drop(claimed, Drop::CrossPan);
        }
        let Some(i) = self.by_pan(pan) else {
            return self.drop(None, Drop::ForeignPan);
        };
        let p = &self.premises[i];
        if p.channel != channel {
            return self.drop(Some(i), Drop::CrossPan);
        }
        let source_ok = match f.src {
            Address::Short(s) => p.short.contains(&s),
            Address::Extended(e) => p.ext.contains(&e.0),
            Address::None => false,
        };
        if !source_ok {
            let forged = matches!(f.src, Address::Extended(e) if self.owner_of_ext(e.0).is_some_and(|o| o != i));
            return self.drop(
                Some(i),
                if forged {
                    Drop::ForgedSource
                } else {
                    Drop::UnknownSource
                },
            );
        }
        let dest_ok = match f.dst {
            Address::Short(s) => s == 0xffff || p.short.contains(&s),
            Address::Extended(e) => p.ext.contains(&e.0),
            Address::None => f.frame_type == FrameType::Beacon,
        };
        if !dest_ok {
            return self.drop(Some(i), Drop::ForeignDestination);
        }
        self.learn(i, &f);
        self.carry(i, now, psdu, &f)
    }

    /// The premises an association request is for: one of its own devices (by EUI-64) asking
    /// a parent on its PAN and channel. IEEE 802.15.4-2015 7.5.2 sends it from the broadcast
    /// PAN, which the cross-PAN rule would otherwise drop.
    fn joining(&self, f: &MacFrame, channel: u8) -> Option<usize> {
        let MacPayload::Command(MacCommand::AssociationRequest(_)) = f.payload else {
            return None;
        };
        let (Some(pan), Some(0xffff), Address::Extended(e)) = (f.dst_pan, f.src_pan, f.src) else {
            return None;
        };
        let i = self.by_pan(pan).filter(|_| pan != 0xffff)?;
        let p = &self.premises[i];
        (p.channel == channel && p.ext.contains(&e.0)).then_some(i)
    }

    /// Short addresses are handed out when devices join (IEEE 802.15.4-2015 7.5.3): a
    /// successful association response between two of premises `i`'s own devices adds the
    /// short address it assigns to that premises' devices.
    fn learn(&mut self, i: usize, f: &MacFrame) -> Option<(u64, u16)> {
        let MacPayload::Command(MacCommand::AssociationResponse {
            short_addr,
            status: AssociationStatus::Success,
        }) = f.payload
        else {
            return None;
        };
        let (Address::Extended(_), Address::Extended(dst)) = (f.src, f.dst) else {
            return None;
        };
        self.premises[i].short.insert(short_addr);
        Some((dst.0, short_addr))
    }

    /// Duplicate and replay checks, then the frame is carried for premises `i`.
    fn carry(&mut self, i: usize, now: SimTime, psdu: &[u8], f: &MacFrame) -> Result<Tagged, Drop> {
        let recent = &mut self.recent[i];
        while recent
            .front()
            .is_some_and(|(t, _)| *t + DUPLICATE_WINDOW <= now)
        {
            recent.pop_front();
        }
        if recent.iter().any(|(_, b)| b == psdu) {
            return self.drop(Some(i), Drop::Duplicate);
        }
        if let Some((sender, counter)) = nwk_counter(f) {
            let last = self.counters_seen[i].get(&sender).copied();
            if last.is_some_and(|l| counter <= l) {
                return self.drop(Some(i), Drop::Replay);
            }
            self.counters_seen[i].insert(sender, counter);
        }
        if recent.len() == DUPLICATE_HISTORY {
            recent.pop_front();
        }
        recent.push_back((now, psdu.to_vec()));
        self.counters[i].carried += 1;
        Ok(Tagged {
            premises: i,
            psdu: psdu.to_vec(),
        })
    }

    /// The join a carried frame completes, learned by a unit that did not hear it itself:
    /// for a successful association response of premises `t.premises`, its short address
    /// is added to that premises' devices; returns (the device's EUI-64, the short address).
    pub fn learn_carried(&mut self, t: &Tagged) -> Option<(u64, u16)> {
        let (f, _, true) = MacFrame::parse_with_fcs(&t.psdu).ok()? else {
            return None;
        };
        self.premises.get(t.premises)?;
        self.learn(t.premises, &f)
    }

    /// Whether a unit may emit `t` into premises `into`'s HAN: only into its own premises,
    /// and only if the frame still carries that premises' PAN. Counts what is emitted.
    pub fn egress(&mut self, t: &Tagged, into: usize) -> bool {
        // A pair's beacon requests (to every PAN) are its one premises' (see `ingress`).
        let pair = self.premises.len() == 1;
        let pan_ok = MacFrame::parse_with_fcs(&t.psdu).is_ok_and(|(f, _, ok)| {
            ok && (f.dst_pan.or(f.src_pan) == self.premises.get(into).map(|p| p.pan_id)
                || pair && is_beacon_request(&f))
        });
        let ok = t.premises == into && pan_ok;
        if ok {
            self.counters[into].emitted += 1;
        }
        ok
    }
}

/// A beacon request: a MAC command 0x07 to the broadcast PAN and address, without source.
fn is_beacon_request(f: &MacFrame) -> bool {
    f.frame_type == FrameType::Command
        && f.dst_pan == Some(0xffff)
        && f.dst == Address::BROADCAST
        && f.src == Address::None
        && matches!(f.payload, MacPayload::Command(MacCommand::BeaconRequest))
}

/// (sender, frame counter) of a NWK-secured data frame: the sender is the auxiliary header's
/// source EUI-64, else the NWK source EUI-64, else the NWK short source (Zigbee PRO R22
/// 4.3.1.2: a receiver drops counters not above the last from that sender).
fn nwk_counter(f: &MacFrame) -> Option<(u64, u32)> {
    let MacPayload::Data(p) = &f.payload else {
        return None;
    };
    let nwk = NwkFrame::from_bytes(p).ok()?;
    let aux = nwk.aux?;
    let sender = aux
        .source
        .or(nwk.header.src64)
        .map_or(u64::from(nwk.header.src), |e| e.0);
    Some((sender, aux.frame_counter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_stack::mac::fcs;
    use han_stack::nwk::header::{NwkFrameType, NwkHeader};
    use han_stack::security::AuxHeader;
    use han_stack::wire::ExtAddr;
    use proptest::prelude::*;

    const PAN_A: u16 = 0x1a03;
    const PAN_B: u16 = 0x1a07;
    const CH_A: u8 = 15;
    const CH_B: u8 = 20;
    // Both hubs are coordinators, short 0x0000; EUI-64s differ.
    const HUB_A: u64 = 0x000d_6f00_000a_0301;
    const IHD_A: u64 = 0x000d_6f00_000a_0302;
    const HUB_B: u64 = 0x000d_6f00_000a_0701;
    const IHD_B: u64 = 0x000d_6f00_000a_0702;

    fn node() -> Isolation {
        let han = |id: &str, pan, channel, shorts: &[u16], ext: &[u64]| PremisesHan {
            id: id.to_string(),
            pan_id: pan,
            channel,
            short: shorts.iter().copied().collect(),
            ext: ext.iter().copied().collect(),
        };
        Isolation::new(vec![
            han("flat-3", PAN_A, CH_A, &[0x0000, 0x1234], &[HUB_A, IHD_A]),
            han("flat-7", PAN_B, CH_B, &[0x0000, 0x5678], &[HUB_B, IHD_B]),
        ])
    }

    /// A NWK-secured data frame (MAC 0x8861 style) with `counter` from `sender`.
    fn secured(
        pan: u16,
        dst: Address,
        src: Address,
        sender: u64,
        counter: u32,
        seq: u8,
    ) -> Vec<u8> {
        let header = NwkHeader::pro(NwkFrameType::Data, 0x0000, 0x1234, 30, seq).secured();
        let nwk = NwkFrame {
            header,
            aux: Some(AuxHeader::network(counter, ExtAddr(sender), 0)),
            payload: vec![0xa5; 12],
        };
        MacFrame::data(seq, pan, dst, src, nwk.to_bytes()).emit_with_fcs()
    }

    fn with_fcs(mut body: Vec<u8>) -> Vec<u8> {
        let f = fcs(&body);
        body.extend_from_slice(&f.to_le_bytes());
        body
    }

    /// A Zigbee beacon (IEEE 802.15.4-2015 7.3.1) from short 0x0000 of `pan`.
    fn beacon(pan: u16, seq: u8) -> Vec<u8> {
        let mut b = vec![0x00, 0x80, seq];
        b.extend_from_slice(&pan.to_le_bytes());
        b.extend_from_slice(&[0x00, 0x00, 0xff, 0xcf, 0x00, 0x00]);
        b.extend_from_slice(&[
            0x00, 0x22, 0x84, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        ]);
        with_fcs(b)
    }

    fn at(s: u64) -> SimTime {
        SimTime(s * 1_000_000_000)
    }

    #[test]
    fn crafted_cross_premises_frames_never_cross_and_are_counted() {
        let mut n = node();
        let short = Address::Short;
        let ext = |e| Address::Extended(ExtAddr(e));
        let mut legit = 0;
        let mut carried: Vec<(Tagged, u16)> = Vec::new();
        let attacks: Vec<(u8, Vec<u8>, Drop, Option<usize>)> = vec![
            // Flat 3's IHD writes to flat 7's hub with flat 7's PAN (its short is not flat 7's).
            (
                CH_B,
                secured(PAN_B, short(0x0000), short(0x1234), IHD_A, 900, 1),
                Drop::UnknownSource,
                Some(1),
            ),
            // ... and with its EUI-64 as source: a forgery of flat 3 in flat 7's PAN.
            (
                CH_B,
                secured(PAN_B, short(0x0000), ext(IHD_A), IHD_A, 901, 2),
                Drop::ForgedSource,
                Some(1),
            ),
            // Flat 7's PAN heard on flat 3's channel.
            (
                CH_A,
                secured(PAN_B, short(0x0000), short(0x5678), IHD_B, 902, 3),
                Drop::CrossPan,
                Some(1),
            ),
            // Broadcast to every PAN.
            (
                CH_A,
                secured(0xffff, short(0xffff), short(0x1234), IHD_A, 903, 4),
                Drop::CrossPan,
                None,
            ),
            // A beacon claiming flat 7's PAN, sent on flat 3's channel.
            (CH_A, beacon(PAN_B, 9), Drop::CrossPan, Some(1)),
            // Flat 3's PAN, flat 7's IHD as destination.
            (
                CH_A,
                secured(PAN_A, ext(IHD_B), short(0x1234), IHD_A, 904, 5),
                Drop::ForeignDestination,
                Some(0),
            ),
            // Flat 3's PAN with flat 7's hub EUI-64 as source.
            (
                CH_A,
                secured(PAN_A, short(0x1234), ext(HUB_B), HUB_B, 905, 6),
                Drop::ForgedSource,
                Some(0),
            ),
            // A PAN nobody here serves.
            (
                CH_A,
                secured(0x9999, short(0x0000), short(0x1234), IHD_A, 906, 7),
                Drop::ForeignPan,
                None,
            ),
            // A beacon request, to every PAN.
            (
                CH_A,
                with_fcs(vec![0x03, 0x08, 0x11, 0xff, 0xff, 0xff, 0xff, 0x07]),
                Drop::CrossPan,
                None,
            ),
            // A frame whose FCS is wrong.
            (
                CH_A,
                {
                    let mut f = beacon(PAN_A, 1);
                    f[3] ^= 1;
                    f
                },
                Drop::Malformed,
                None,
            ),
        ];
        // Legitimate traffic of both flats, a frame a second, attacks interleaved.
        let mut t = 0;
        for k in 0..20u32 {
            for (pan, ch, src, sender, dst) in [
                (PAN_A, CH_A, 0x1234, IHD_A, 0x0000),
                (PAN_B, CH_B, 0x5678, IHD_B, 0x0000),
            ] {
                t += 1;
                let f = secured(pan, short(dst), short(src), sender, k + 1, k as u8);
                legit += 1;
                carried.push((
                    n.ingress(at(t), ch, &f).expect("legitimate frame carried"),
                    pan,
                ));
            }
            if let Some((ch, f, why, blame)) = attacks.get(k as usize) {
                t += 1;
                let before = blame
                    .map_or(&n.unattributed, |b| &n.counters[b])
                    .dropped
                    .get(why)
                    .copied()
                    .unwrap_or(0);
                assert_eq!(n.ingress(at(t), *ch, f), Err(*why), "attack {k}");
                let after = blame
                    .map_or(&n.unattributed, |b| &n.counters[b])
                    .dropped
                    .get(why)
                    .copied()
                    .unwrap_or(0);
                assert_eq!(after, before + 1, "attack {k} counted");
            }
        }
        // Replays of flat 3's first frame: at once it is a retransmission, later a replay.
        let first = secured(PAN_A, short(0x0000), short(0x1234), IHD_A, 1, 0);
        assert_eq!(n.ingress(at(t + 5), CH_A, &first), Err(Drop::Replay));
        let last = secured(PAN_A, short(0x0000), short(0x1234), IHD_A, 21, 21);
        assert!(n.ingress(at(t + 6), CH_A, &last).is_ok());
        assert_eq!(n.ingress(at(t + 6), CH_A, &last), Err(Drop::Duplicate));
        legit += 1;
        assert_eq!(n.counters[0].carried + n.counters[1].carried, legit);
        // Nothing carried goes into the other flat; everything into its own.
        for (tg, pan) in &carried {
            let own = if *pan == PAN_A { 0 } else { 1 };
            assert_eq!(tg.premises, own);
            assert!(!n.egress(tg, 1 - own));
            assert!(n.egress(tg, own));
        }
        assert_eq!(n.counters[0].emitted, 20);
        assert_eq!(n.counters[1].emitted, 20);
        let dropped = |c: &Counters| c.dropped.values().sum::<u64>();
        assert_eq!(
            dropped(&n.counters[0]) + dropped(&n.counters[1]) + dropped(&n.unattributed),
            attacks.len() as u64 + 2
        );
    }

    /// An Association Request (Wireshark: frame control 0xc823) from `dev` on the broadcast
    /// PAN to the coordinator 0x0000 of `pan`, capabilities 0x8e.
    fn association_request(pan: u16, dev: u64, seq: u8) -> Vec<u8> {
        let mut b = vec![0x23, 0xc8, seq];
        b.extend_from_slice(&pan.to_le_bytes());
        b.extend_from_slice(&[0x00, 0x00, 0xff, 0xff]);
        b.extend_from_slice(&dev.to_le_bytes());
        b.extend_from_slice(&[0x01, 0x8e]);
        with_fcs(b)
    }

    #[test]
    fn joining_devices_cross_and_their_assigned_shorts_are_learnt() {
        use han_stack::mac::association::association_response;
        let mut n = node();
        let short = Address::Short;
        // A new device of flat 3 (its EUI-64 commissioned, no short address yet).
        const METER_A: u64 = 0x000d_6f00_000a_0303;
        n.premises[0].ext.insert(METER_A);
        let req = association_request(PAN_A, METER_A, 1);
        assert_eq!(n.ingress(at(1), CH_A, &req).map(|t| t.premises), Ok(0));
        // Flat 7's IHD asking to join flat 3's PAN, or on the wrong channel: dropped, counted.
        assert_eq!(
            n.ingress(at(1), CH_A, &association_request(PAN_A, IHD_B, 2)),
            Err(Drop::CrossPan)
        );
        assert_eq!(
            n.ingress(at(1), CH_B, &association_request(PAN_A, METER_A, 3)),
            Err(Drop::CrossPan)
        );
        assert_eq!(n.counters[0].dropped.get(&Drop::CrossPan), Some(&2));
        // Before the hub assigns 0x2222, frames from it are unknown.
        let data = |pan, src, c, seq| secured(pan, short(0x0000), short(src), METER_A, c, seq);
        assert_eq!(
            n.ingress(at(2), CH_A, &data(PAN_A, 0x2222, 1, 4)),
            Err(Drop::UnknownSource)
        );
        // A refusal teaches nothing; a success does, for flat 3 only.
        let resp = |short_addr, status, seq| {
            association_response(
                seq,
                PAN_A,
                ExtAddr(METER_A),
                ExtAddr(HUB_A),
                short_addr,
                status,
            )
            .emit_with_fcs()
        };
        assert!(
            n.ingress(
                at(3),
                CH_A,
                &resp(0x3333, AssociationStatus::PanAtCapacity, 5)
            )
            .is_ok()
        );
        assert!(!n.premises()[0].short.contains(&0x3333));
        assert!(
            n.ingress(at(3), CH_A, &resp(0x2222, AssociationStatus::Success, 6))
                .is_ok()
        );
        assert_eq!(
            n.ingress(at(4), CH_A, &data(PAN_A, 0x2222, 2, 7))
                .map(|t| t.premises),
            Ok(0)
        );
        assert_eq!(
            n.ingress(at(4), CH_B, &data(PAN_B, 0x2222, 3, 8)),
            Err(Drop::UnknownSource)
        );
        assert!(!n.premises()[1].short.contains(&0x2222));
    }

    #[test]
    fn a_pair_carries_beacon_requests_a_shared_node_does_not() {
        let request = with_fcs(vec![0x03, 0x08, 0x11, 0xff, 0xff, 0xff, 0xff, 0x07]);
        let mut shared = node();
        assert_eq!(shared.ingress(at(1), CH_A, &request), Err(Drop::CrossPan));
        let mut pair = Isolation::new(vec![node().premises()[0].clone()]);
        assert_eq!(
            pair.ingress(at(1), CH_A, &request).map(|t| t.premises),
            Ok(0)
        );
        // Any other frame to every PAN is still refused.
        let broadcast = secured(
            0xffff,
            Address::BROADCAST,
            Address::Short(0x1234),
            IHD_A,
            1,
            1,
        );
        assert_eq!(pair.ingress(at(2), CH_A, &broadcast), Err(Drop::CrossPan));
    }

    fn addr() -> impl Strategy<Value = Address> {
        prop_oneof![
            Just(Address::None),
            prop::sample::select(vec![0x0000u16, 0x1234, 0x5678, 0xffff, 0x4242])
                .prop_map(Address::Short),
            prop::sample::select(vec![HUB_A, IHD_A, HUB_B, IHD_B, 7])
                .prop_map(|e| Address::Extended(ExtAddr(e))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        /// Whatever the addressing, a carried frame carries its premises' PAN, was heard on
        /// its channel, comes from one of its devices and goes to one of them (or broadcast).
        #[test]
        fn carried_frames_stay_in_their_premises(
            dst_pan in prop::option::of(prop::sample::select(vec![PAN_A, PAN_B, 0xffff, 0x9999])),
            src_pan in prop::option::of(prop::sample::select(vec![PAN_A, PAN_B, 0xffff])),
            dst in addr(),
            src in addr(),
            channel in prop::sample::select(vec![CH_A, CH_B, 11]),
            seq in any::<u8>(),
            payload in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut f = MacFrame::data(seq, dst_pan.unwrap_or(0), dst, src, payload);
            f.dst_pan = dst_pan;
            f.src_pan = src_pan;
            if src_pan.is_some() {
                f.flags.remove(han_stack::mac::control::FrameFlags::PAN_ID_COMPRESSION);
            }
            let bytes = f.emit_with_fcs();
            let mut n = node();
            if let Ok(t) = n.ingress(SimTime::ZERO, channel, &bytes) {
                let (g, _, ok) = MacFrame::parse_with_fcs(&t.psdu).unwrap();
                prop_assert!(ok);
                let p = n.premises()[t.premises].clone();
                prop_assert_eq!(g.dst_pan.or(g.src_pan), Some(p.pan_id));
                prop_assert!(g.src_pan.is_none_or(|s| s == p.pan_id));
                prop_assert_eq!(p.channel, channel);
                let member = |a: &Address| match a {
                    Address::Short(s) => p.short.contains(s),
                    Address::Extended(e) => p.ext.contains(&e.0),
                    Address::None => false,
                };
                prop_assert!(member(&g.src));
                prop_assert!(g.dst == Address::BROADCAST || member(&g.dst));
                prop_assert!(!n.egress(&t, 1 - t.premises));
            }
        }

        /// No input makes the filter panic.
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in prop::collection::vec(any::<u8>(), 0..128), channel in any::<u8>()) {
            let _ = node().ingress(SimTime::ZERO, channel, &bytes);
        }
    }
}
