//! The bridge as an [`Attachment`] of one node's radio: what the real radio hears enters
//! the air at the node, what the node hears is sent by the real radio (CSMA-CA, retries),
//! and the radio's addresses follow the emulated device it answers for in hardware.

use super::super::run::driver::{Attachment, Inbox};
use super::super::run::lag::Lag;
use super::link::Link;
use han_devices::host::DeviceHost;
use han_mesh::radio::{RadioConfig, TxOptions};
use han_mesh::world::{Heard, World, accepts};
use han_stack::mac::Address;
use han_stack::mac::FrameType;
use han_stack::mac::csma::CsmaParams;
use han_stack::mac::engine::{HeaderPeek, TxStatus};
use han_stack::spinel::frame::{Command, Header, SpinelFrame};
use han_stack::spinel::{HdlcDecoder, Property, Status, TxParams, TxRequest, hdlc};
use han_stack::wire::Wire;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

/// What the bring-up needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// The premises' HAN channel.
    pub channel: u8,
    /// Source match on: the radio's ACKs say "frame pending" only for the sources the
    /// emulated device it answers for holds frames for (it fronts one); off, every ACK
    /// says so (OpenThread's default).
    pub source_match: bool,
}

/// Transmissions sent to the radio and not yet answered, at most.
const WINDOW: usize = 4;

/// What a frame from the radio means for the bridge.
#[derive(Debug, Clone, PartialEq)]
pub enum FromRadio {
    /// A frame it heard, intact, not an ACK: to put on the air.
    Heard(Vec<u8>),
    /// The outcome of the transmission with this TID.
    Done(u8, Status),
    /// It reset by itself (a brown-out, a replug faster than the port noticed).
    Reset,
    /// Anything else (answers to settings, ACKs, frames with a bad FCS).
    Other,
    /// Bytes that were not a Spinel frame.
    Bad,
}

/// Decode what arrived from the radio: the bridge's whole input path, fed arbitrary bytes
/// by the fuzz test.
pub fn decode(decoder: &mut HdlcDecoder, bytes: &[u8]) -> Vec<FromRadio> {
    decoder
        .feed(bytes)
        .into_iter()
        .map(
            |r| match r.ok().and_then(|p| SpinelFrame::from_bytes(&p).ok()) {
                Some(f) => classify(&f),
                None => FromRadio::Bad,
            },
        )
        .collect()
}

fn classify(f: &SpinelFrame) -> FromRadio {
    match &f.command {
        Command::PropValueIs(Property::StreamRawRx(rx)) => {
            let intact = rx.meta.as_ref().is_none_or(|m| m.status == 0) && fcs_ok(&rx.psdu);
            let ack = HeaderPeek::read(&rx.psdu).is_none_or(|p| p.frame_type == FrameType::Ack);
            if intact && !ack {
                FromRadio::Heard(rx.psdu.clone())
            } else {
                FromRadio::Other
            }
        }
        Command::PropValueIs(Property::LastStatus(s, _)) if f.header.tid == 0 => {
            if (112..=127).contains(&s.value()) {
                FromRadio::Reset
            } else {
                FromRadio::Other
            }
        }
        Command::PropValueIs(Property::LastStatus(s, _)) => FromRadio::Done(f.header.tid, *s),
        _ => FromRadio::Other,
    }
}

/// Whether an MPDU ends in its correct FCS.
fn fcs_ok(psdu: &[u8]) -> bool {
    let Some(body) = psdu.len().checked_sub(2).and_then(|n| psdu.get(..n)) else {
        return false;
    };
    psdu.get(body.len()..) == Some(&han_stack::mac::fcs::fcs(body).to_le_bytes()[..])
}

/// Counters of the bridge.
#[derive(Debug, Default, Clone)]
pub struct BridgeStats {
    /// Frames the radio heard that entered the air.
    pub from_radio: u64,
    /// Frames heard at the position sent to the radio.
    pub to_radio: u64,
    /// Of those, sent (acknowledged if asked).
    pub sent_ok: u64,
    /// Not sent: no ACK or channel busy (the radio's status).
    pub sent_failed: u64,
    /// Frames for the radio lost while it was unplugged or answered nothing.
    pub lost: u64,
    /// Bytes between flags from the radio that were not Spinel frames.
    pub bad: u64,
    /// Unplugs seen.
    pub unplugs: u64,
    /// Source-match entries inserted into or removed from the radio's tables.
    pub source_match_changes: u64,
    /// Wall time from a frame's hand-over to the radio to its transmit-done status.
    pub latency: Lag,
}

impl BridgeStats {
    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "from_radio": self.from_radio,
            "to_radio": self.to_radio,
            "sent_ok": self.sent_ok,
            "sent_failed": self.sent_failed,
            "lost": self.lost,
            "bad": self.bad,
            "unplugs": self.unplugs,
            "source_match_changes": self.source_match_changes,
            "latency_median_us": self.latency.quantile_us(0.5),
            "latency_p99_us": self.latency.quantile_us(0.99),
        })
    }

    /// One line for the end of the run.
    pub fn line(&self) -> String {
        format!(
            "{} frames from the radio onto the air, {} to the radio ({} sent, {} not, {} lost), {} bad frames, {} unplugs; {}",
            self.from_radio,
            self.to_radio,
            self.sent_ok,
            self.sent_failed,
            self.lost,
            self.bad,
            self.unplugs,
            self.latency.line("hand-over to transmit done", "frames")
        )
    }
}

/// The bridge attached to node `node`.
pub struct BridgePort {
    node: u32,
    fronted_node: Option<u32>,
    filter: bool,
    setup: Setup,
    link: Link,
    decoder: HdlcDecoder,
    up: bool,
    fronted: Option<RadioConfig>,
    /// The radio's source-match tables as the bridge set them: short addresses, and
    /// extended ones little-endian (as OpenThread's host sends them).
    matched: (BTreeSet<u16>, BTreeSet<[u8; 8]>),
    tid: u8,
    in_flight: BTreeMap<u8, Instant>,
    queue: VecDeque<Vec<u8>>,
    stats: BridgeStats,
    flood: Option<Flood>,
}

/// A benchmark run: frames to send, and when the first went and the last was done.
struct Flood {
    frames: u32,
    baud: u32,
    line_bytes: usize,
    started: Option<Instant>,
    done: u32,
    finished: Option<f64>,
}

impl BridgePort {
    /// A bridge for `node`, answering in hardware for `fronted_node`, over `link`;
    /// `filter`: pass the radio only what `node`'s address filter accepts (it stands in for
    /// an emulated device).
    pub fn new(
        node: u32,
        fronted_node: Option<u32>,
        filter: bool,
        setup: Setup,
        link: Link,
    ) -> Self {
        BridgePort {
            node,
            fronted_node,
            filter,
            setup,
            link,
            decoder: HdlcDecoder::new(),
            up: false,
            fronted: None,
            matched: (BTreeSet::new(), BTreeSet::new()),
            tid: 0,
            in_flight: BTreeMap::new(),
            queue: VecDeque::new(),
            stats: BridgeStats::default(),
            flood: None,
        }
    }

    /// Benchmark: queue `frames` broadcast data frames of 100 bytes for the radio and time
    /// them; the serial line runs at `baud`.
    pub fn flood(&mut self, frames: u32, baud: u32) {
        let mut line_bytes = 0;
        for k in 0..frames {
            let f = han_stack::mac::MacFrame::data(
                k as u8,
                0xfffe,
                han_stack::mac::Address::BROADCAST,
                han_stack::mac::Address::Short(0xfffd),
                vec![0xA5; 100 - 9 - 2],
            )
            .emit_with_fcs();
            if k == 0 {
                let req = SpinelFrame {
                    header: Header::new(0, 1),
                    command: Command::PropValueSet(Property::StreamRawTx(TxRequest {
                        psdu: f.clone(),
                        params: None,
                    })),
                };
                line_bytes = hdlc::encode(&req.to_bytes()).len() + 4;
            }
            self.queue.push_back(f);
        }
        self.flood = Some(Flood {
            frames,
            baud,
            line_bytes,
            started: None,
            done: 0,
            finished: None,
        });
    }

    /// The benchmark's figures, once every flood frame is done.
    pub fn flood_report(&self) -> Option<String> {
        let f = self.flood.as_ref()?;
        let secs = f.finished?;
        let fps = f64::from(f.frames) / secs;
        // 10 bits a byte on the line; each frame is one STREAM_RAW request host to radio.
        let line_fps = f64::from(f.baud) / 10.0 / f.line_bytes as f64;
        Some(format!(
            "flood: {} frames of 100 bytes in {secs:.3} s = {fps:.0} frames/s; serial line at {} baud carries {line_fps:.0} frames/s ({} bytes each way per frame, HDLC-lite): ratio {:.2}; {}",
            f.frames,
            f.baud,
            f.line_bytes,
            fps / line_fps,
            self.stats
                .latency
                .line("hand-over to transmit done", "frames")
        ))
    }

    /// The counters so far.
    pub fn stats(&self) -> BridgeStats {
        self.stats.clone()
    }

    fn command(&mut self, command: Command) -> u8 {
        // TIDs 1-15 in turn (0 is for unsolicited frames), skipping those of transmissions
        // still awaiting their transmit-done status (at most WINDOW of the 15).
        self.tid = self.tid % 15 + 1;
        while self.in_flight.contains_key(&self.tid) {
            self.tid = self.tid % 15 + 1;
        }
        let f = SpinelFrame {
            header: Header::new(0, self.tid),
            command,
        };
        self.link.send(hdlc::encode(&f.to_bytes()));
        self.tid
    }

    /// Keep the radio's addresses those of the device it answers for.
    fn sync_addresses(&mut self, world: &World<DeviceHost>) {
        let Some(c) = self.fronted_node.and_then(|n| world.radio_config(n)) else {
            return;
        };
        if self.fronted == Some(c) || !self.up {
            return;
        }
        self.command(Command::PropValueSet(Property::MacPanId(c.pan_id)));
        self.command(Command::PropValueSet(Property::MacShortAddr(c.short_addr)));
        self.command(Command::PropValueSet(Property::MacLongAddr(
            c.ext_addr.0.to_be_bytes(),
        )));
        self.fronted = Some(c);
    }

    /// Keep the radio's source-match tables those of the device it answers for: the
    /// sources that device's radio sets frame pending for (IEEE 802.15.4-2015 6.7.3,
    /// OpenThread `SPINEL_PROP_MAC_SRC_MATCH_*`), one insert or remove per address.
    fn sync_source_match(&mut self, world: &World<DeviceHost>) {
        if !self.up || !self.setup.source_match {
            return;
        }
        let Some(n) = self.fronted_node else {
            return;
        };
        let (mut short, mut ext) = (BTreeSet::new(), BTreeSet::new());
        for a in world.pending_for(n) {
            match a {
                Address::Short(s) => {
                    short.insert(*s);
                }
                Address::Extended(e) => {
                    ext.insert(e.0.to_le_bytes());
                }
                Address::None => {}
            }
        }
        let changes: Vec<Command> =
            (self.matched.0.difference(&short))
                .map(|a| Command::PropValueRemove(Property::MacSrcMatchShortAddresses(vec![*a])))
                .chain(short.difference(&self.matched.0).map(|a| {
                    Command::PropValueInsert(Property::MacSrcMatchShortAddresses(vec![*a]))
                }))
                .chain(self.matched.1.difference(&ext).map(|a| {
                    Command::PropValueRemove(Property::MacSrcMatchExtendedAddresses(vec![*a]))
                }))
                .chain(ext.difference(&self.matched.1).map(|a| {
                    Command::PropValueInsert(Property::MacSrcMatchExtendedAddresses(vec![*a]))
                }))
                .collect();
        self.stats.source_match_changes += changes.len() as u64;
        for c in changes {
            self.command(c);
        }
        self.matched = (short, ext);
    }

    fn pump(&mut self) {
        while self.up && self.in_flight.len() < WINDOW {
            let Some(psdu) = self.queue.pop_front() else {
                return;
            };
            let request = TxRequest {
                psdu,
                params: Some(TxParams {
                    channel: self.setup.channel,
                    max_csma_backoffs: 4,
                    max_frame_retries: 3,
                    csma_ca_enabled: true,
                    extra: Vec::new(),
                }),
            };
            let tid = self.command(Command::PropValueSet(Property::StreamRawTx(request)));
            if let Some(f) = self.flood.as_mut() {
                f.started.get_or_insert_with(Instant::now);
            }
            if self.in_flight.insert(tid, Instant::now()).is_some() {
                self.stats.lost += 1;
            }
            self.stats.to_radio += 1;
        }
    }
}

impl Attachment for BridgePort {
    fn node(&self) -> u32 {
        self.node
    }

    fn start(&mut self, inbox: Inbox) -> std::io::Result<()> {
        self.link.start(inbox, self.setup);
        Ok(())
    }

    fn input(&mut self, world: &mut World<DeviceHost>, bytes: Vec<u8>) {
        for m in decode(&mut self.decoder, &bytes) {
            match m {
                FromRadio::Heard(psdu) => {
                    self.stats.from_radio += 1;
                    // The real device retries by itself; its retries come through as frames.
                    let csma = CsmaParams {
                        max_frame_retries: 0,
                        ..CsmaParams::default()
                    };
                    world.inject_with(self.node, psdu, TxOptions { csma });
                }
                FromRadio::Done(tid, s) => {
                    if let Some(t) = self.in_flight.remove(&tid) {
                        if let Some(f) = self.flood.as_mut() {
                            f.done += 1;
                            if f.done == f.frames {
                                f.finished = f.started.map(|s| s.elapsed().as_secs_f64());
                            }
                        }
                        self.stats.latency.record(t.elapsed().as_nanos() as u64);
                        if s == Status::Ok {
                            self.stats.sent_ok += 1;
                        } else {
                            self.stats.sent_failed += 1;
                        }
                    }
                }
                FromRadio::Reset => {
                    eprintln!("han bridge: the radio reset itself; setting it up again");
                    self.stats.lost += self.in_flight.len() as u64;
                    self.in_flight.clear();
                    self.fronted = None;
                    self.matched = (BTreeSet::new(), BTreeSet::new());
                    for p in [
                        Property::PhyEnabled(true),
                        Property::PhyChan(self.setup.channel),
                        Property::MacPromiscuousMode(2),
                        Property::MacSrcMatchEnabled(self.setup.source_match),
                        Property::MacRawStreamEnabled(true),
                    ] {
                        self.command(Command::PropValueSet(p));
                    }
                    self.sync_addresses(world);
                    self.sync_source_match(world);
                }
                FromRadio::Other => {}
                FromRadio::Bad => self.stats.bad += 1,
            }
        }
        self.pump();
    }

    fn output(&mut self, world: &mut World<DeviceHost>, heard: Vec<Heard>, _done: Vec<TxStatus>) {
        self.sync_addresses(world);
        self.sync_source_match(world);
        let cfg = world.radio_config(self.node).unwrap_or_default();
        for h in heard {
            let Some(peek) = HeaderPeek::read(&h.psdu) else {
                continue;
            };
            if peek.frame_type == FrameType::Ack {
                continue; // the real radio acknowledges for itself
            }
            // Standing in for a device, only what its address filter passes: the rest would
            // only be sent for nobody to acknowledge.
            if self.filter && !accepts(&cfg, &peek) {
                continue;
            }
            if self.up {
                self.queue.push_back(h.psdu);
            } else {
                self.stats.lost += 1;
            }
        }
        self.pump();
    }

    fn link(&mut self, world: &mut World<DeviceHost>, up: bool) {
        if !up {
            if self.up {
                self.stats.unplugs += 1;
            }
            self.stats.lost += (self.in_flight.len() + self.queue.len()) as u64;
            self.in_flight.clear();
            self.queue.clear();
            self.decoder = HdlcDecoder::new();
        }
        self.up = up;
        self.fronted = None;
        // The bring-up emptied the radio's tables (and a radio that went away forgot them).
        self.matched = (BTreeSet::new(), BTreeSet::new());
        if up {
            self.sync_addresses(world);
            self.sync_source_match(world);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_stack::spinel::{RxFrame, RxMeta};
    use proptest::prelude::*;

    fn rx(psdu: Vec<u8>, tid: u8) -> Vec<u8> {
        let f = SpinelFrame {
            header: Header::new(0, tid),
            command: Command::PropValueIs(Property::StreamRawRx(RxFrame {
                psdu,
                meta: Some(RxMeta {
                    rssi: -60,
                    noise_floor: -100,
                    flags: 0,
                    channel: 20,
                    lqi: 200,
                    timestamp: 5,
                    status: 0,
                }),
            })),
        };
        hdlc::encode(&f.to_bytes())
    }

    #[test]
    fn heard_frames_go_on_the_air_but_not_acks_or_bad_fcs() {
        let data = han_stack::mac::MacFrame::data(
            7,
            0x1234,
            han_stack::mac::Address::Short(0),
            han_stack::mac::Address::Short(0x42),
            vec![1, 2, 3],
        )
        .emit_with_fcs();
        let ack = han_stack::mac::MacFrame::ack(7, false).emit_with_fcs();
        let mut bad = data.clone();
        bad[3] ^= 1;
        let mut bytes = rx(data.clone(), 0);
        bytes.extend(rx(ack, 0));
        bytes.extend(rx(bad, 0));
        // A transmit-done status, a reset, and noise.
        let done = SpinelFrame {
            header: Header::new(0, 5),
            command: Command::PropValueIs(Property::LastStatus(Status::NoAck, vec![0, 0])),
        };
        bytes.extend(hdlc::encode(&done.to_bytes()));
        let reset = SpinelFrame {
            header: Header::new(0, 0),
            command: Command::PropValueIs(Property::LastStatus(Status::ResetPowerOn, vec![])),
        };
        bytes.extend(hdlc::encode(&reset.to_bytes()));
        bytes.extend([0x7E, 1, 2, 3, 0x7E]);
        let got = decode(&mut HdlcDecoder::new(), &bytes);
        assert_eq!(
            got,
            [
                FromRadio::Heard(data),
                FromRadio::Other,
                FromRadio::Other,
                FromRadio::Done(5, Status::NoAck),
                FromRadio::Reset,
                FromRadio::Bad
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn arbitrary_serial_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut d = HdlcDecoder::new();
            let _ = decode(&mut d, &b);
            // And the decoder still finds a good frame after the garbage.
            let good = rx(vec![0x41, 0x88, 1, 0x34, 0x12, 0xff, 0xff, 0, 0, 0xAA, 0xBB], 0);
            let mut all = vec![0x7E];
            all.extend(good);
            let got = decode(&mut d, &all);
            prop_assert!(got.last().is_some());
        }
    }
}
