//! The emulated RCP as an [`Attachment`] of one node's radio: Spinel from the host is
//! answered by [`RcpState`], transmit requests go on the air through the node's MAC
//! (CSMA-CA, retries, ACK wait) and are answered with their transmit-done status, the
//! radio's addresses and source-match table are kept in the world's radio (which filters
//! and acknowledges in "hardware"), and what the node hears goes to the host as
//! `STREAM_RAW` with its metadata.

use super::super::run::driver::{Attachment, Inbox};
use super::pty::{HostLink, Pty};
use han_devices::host::DeviceHost;
use han_mesh::radio::TxOptions;
use han_mesh::world::{Heard, World, accepts};
use han_stack::mac::csma::CsmaParams;
use han_stack::mac::engine::{HeaderPeek, TxStatus};
use han_stack::mac::{Address, FrameType, MacFrame};
use han_stack::spinel::frame::{Command, Header, SpinelFrame};
use han_stack::spinel::{
    HdlcDecoder, Property, RcpOutput, RcpState, RxFrame, RxMeta, Status, TxRequest, hdlc,
};
use han_stack::wire::{ExtAddr, Wire};
use std::collections::{BTreeSet, VecDeque};

/// What the RCP did, for `--stats` and the closing line.
#[derive(Debug, Default, Clone)]
pub struct RcpStats {
    /// Frames the radio decoded at its position (any channel setting, on or off).
    pub heard: u64,
    /// Of those, frames sent to the host as `STREAM_RAW` (radio on, raw stream on, passed
    /// the address filter unless promiscuous).
    pub streamed: u64,
    /// Frames for the host dropped because it did not read.
    pub dropped: u64,
    /// Spinel frames from the host.
    pub host_frames: u64,
    /// Host bytes between flags that were not a frame (bad FCS, too short, aborted) or not
    /// Spinel.
    pub bad_frames: u64,
    /// Frames the host asked to transmit.
    pub transmit_requests: u64,
    /// Transmit-done statuses: sent (and acknowledged if asked).
    pub tx_ok: u64,
    /// No acknowledgement after the retries.
    pub tx_no_ack: u64,
    /// Channel busy after the CSMA-CA back-offs.
    pub tx_channel_access_failure: u64,
}

impl RcpStats {
    /// The counters as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "heard": self.heard,
            "streamed": self.streamed,
            "dropped": self.dropped,
            "host_frames": self.host_frames,
            "bad_frames": self.bad_frames,
            "transmit_requests": self.transmit_requests,
            "tx_ok": self.tx_ok,
            "tx_no_ack": self.tx_no_ack,
            "tx_channel_access_failure": self.tx_channel_access_failure,
        })
    }
}

/// A transmission on the air waiting for its outcome.
struct InFlight {
    header: Header,
    seq: Option<u8>,
}

/// The RCP attached to node `node`.
pub struct RcpPort {
    node: u32,
    state: RcpState,
    pty: Pty,
    baud: Option<u32>,
    link: Option<HostLink>,
    decoder: HdlcDecoder,
    in_flight: VecDeque<InFlight>,
    /// The last ACK heard, for the transmit-done answer.
    last_ack: Option<RxFrame>,
    synced: (BTreeSet<u16>, BTreeSet<[u8; 8]>),
    /// Counters.
    pub stats: RcpStats,
}

impl RcpPort {
    /// An RCP with factory address `eui64` answering on `pty`, output paced at `baud`.
    pub fn new(node: u32, eui64: ExtAddr, pty: Pty, baud: Option<u32>) -> Self {
        RcpPort {
            node,
            state: RcpState::new(
                eui64.0.to_be_bytes(),
                concat!(
                    "HAN/",
                    env!("CARGO_PKG_VERSION"),
                    "; han rcp (emulated OpenThread RCP)"
                ),
            ),
            pty,
            baud,
            link: None,
            decoder: HdlcDecoder::new(),
            in_flight: VecDeque::new(),
            last_ack: None,
            synced: (BTreeSet::new(), BTreeSet::new()),
            stats: RcpStats::default(),
        }
    }

    /// Frames queued for the host or written but not yet read by it.
    pub fn undelivered(&self) -> usize {
        self.link.as_ref().map_or(0, |l| l.queued() as usize) + self.pty.unread()
    }

    fn send(&mut self, f: &SpinelFrame) {
        if let Some(l) = self.link.as_mut() {
            l.send(hdlc::encode(&f.to_bytes()));
            self.stats.dropped = l.dropped;
        }
    }

    /// Put the RCP's addresses, channel and source-match table into the world's radio.
    fn sync(&mut self, world: &mut World<DeviceHost>) {
        let Some(cfg) = world.radio_config(self.node) else {
            return;
        };
        let s = &self.state;
        let want = han_mesh::RadioConfig {
            channel: s.channel,
            tx_power_dbm: f64::from(s.tx_power),
            pan_id: s.pan_id,
            short_addr: s.short_addr,
            ext_addr: ExtAddr(u64::from_be_bytes(s.ext_addr)),
            // With source match off, every ACK says data is pending (OpenThread's default).
            frame_pending: !s.src_match_enabled,
        };
        if want != cfg {
            world.set_radio_config(self.node, want);
        }
        let (short, ext) = (s.src_match_short.clone(), s.src_match_ext.clone());
        for a in self.synced.0.difference(&short) {
            world.set_pending(self.node, Address::Short(*a), false);
        }
        for a in short.difference(&self.synced.0) {
            world.set_pending(self.node, Address::Short(*a), true);
        }
        // OpenThread's host sends source-match extended addresses little-endian (as the
        // platform radio API takes them), unlike MAC_15_4_LADDR.
        for a in self.synced.1.difference(&ext) {
            world.set_pending(
                self.node,
                Address::Extended(ExtAddr(u64::from_le_bytes(*a))),
                false,
            );
        }
        for a in ext.difference(&self.synced.1) {
            world.set_pending(
                self.node,
                Address::Extended(ExtAddr(u64::from_le_bytes(*a))),
                true,
            );
        }
        self.synced = (short, ext);
    }

    fn transmit(&mut self, world: &mut World<DeviceHost>, header: Header, req: TxRequest) {
        self.stats.transmit_requests += 1;
        if !self.state.enabled || req.psdu.len() < 5 {
            let s = if self.state.enabled {
                Status::InvalidArgument
            } else {
                Status::InvalidState
            };
            self.send(&RcpState::tx_done(header, s, None));
            return;
        }
        let mut psdu = req.psdu;
        // The host leaves the FCS to the radio.
        let body = psdu.len() - 2;
        let fcs = han_stack::mac::fcs::fcs(psdu.get(..body).unwrap_or_default());
        psdu.truncate(body);
        psdu.extend_from_slice(&fcs.to_le_bytes());
        let peek = HeaderPeek::read(&psdu);
        let mut csma = CsmaParams::default();
        if let Some(p) = &req.params {
            csma.max_backoffs = p.max_csma_backoffs;
            csma.max_frame_retries = p.max_frame_retries;
            if p.channel != self.state.channel && (11..=26).contains(&p.channel) {
                self.state.channel = p.channel;
                self.sync(world);
            }
        }
        self.in_flight.push_back(InFlight {
            header,
            seq: peek.filter(|p| p.ack_request).and_then(|p| p.seq),
        });
        world.inject_with(self.node, psdu, TxOptions { csma });
    }

    fn tx_done(&mut self, status: TxStatus) {
        let Some(f) = self.in_flight.pop_front() else {
            return; // sent before a reset
        };
        let (s, ack) = match status {
            TxStatus::Success { frame_pending } => {
                self.stats.tx_ok += 1;
                let ack = f.seq.map(|seq| {
                    let heard = self.last_ack.take().filter(|a| a.psdu.get(2) == Some(&seq));
                    heard.unwrap_or_else(|| RxFrame {
                        psdu: MacFrame::ack(seq, frame_pending).emit_with_fcs(),
                        meta: None,
                    })
                });
                (Status::Ok, ack)
            }
            TxStatus::NoAck => {
                self.stats.tx_no_ack += 1;
                (Status::NoAck, None)
            }
            TxStatus::ChannelAccessFailure | TxStatus::DutyCycleSuspended => {
                self.stats.tx_channel_access_failure += 1;
                (Status::CcaFailure, None)
            }
        };
        self.send(&RcpState::tx_done(f.header, s, ack.as_ref()));
    }

    fn host_frame(&mut self, world: &mut World<DeviceHost>, payload: &[u8]) {
        let f = match SpinelFrame::from_bytes(payload) {
            Ok(f) => f,
            Err(_) => {
                self.stats.bad_frames += 1;
                let h = Header::from_byte(payload.first().copied().unwrap_or(0x80));
                let tid = h.tid;
                let reply = SpinelFrame {
                    header: Header::new(h.iid, tid),
                    command: Command::PropValueIs(Property::LastStatus(Status::ParseError, vec![])),
                };
                self.send(&reply);
                return;
            }
        };
        self.stats.host_frames += 1;
        let reset = matches!(f.command, Command::Reset(_));
        match self.state.handle(&f) {
            RcpOutput::Reply(r) => {
                if reset {
                    self.in_flight.clear();
                }
                self.sync(world);
                self.send(&r);
            }
            RcpOutput::Transmit { header, request } => self.transmit(world, header, request),
            RcpOutput::Ignore => {}
        }
    }

    /// A frame the node heard, for the host if the radio streams it.
    fn heard(&mut self, world: &World<DeviceHost>, h: Heard) {
        self.stats.heard += 1;
        let peek = HeaderPeek::read(&h.psdu);
        let noise = world.noise_dbm(self.node).round().clamp(-127.0, 126.0) as i8;
        let rx = RxFrame {
            psdu: h.psdu,
            meta: Some(RxMeta {
                rssi: h.meta.rssi_dbm.round().clamp(-128.0, 127.0) as i8,
                noise_floor: noise,
                flags: 0,
                channel: h.meta.channel,
                lqi: h.meta.lqi,
                timestamp: h.at.0 / 1000,
                status: 0,
            }),
        };
        if peek.is_some_and(|p| p.frame_type == FrameType::Ack) {
            self.last_ack = Some(rx.clone());
        }
        let cfg = world.radio_config(self.node).unwrap_or_default();
        let passes = self.state.promiscuous != 0 || peek.is_some_and(|p| accepts(&cfg, &p));
        if !passes {
            return;
        }
        if let Some(f) = self.state.received(rx) {
            self.stats.streamed += 1;
            self.send(&f);
        }
    }
}

impl Attachment for RcpPort {
    fn node(&self) -> u32 {
        self.node
    }

    fn start(&mut self, inbox: Inbox) -> std::io::Result<()> {
        let mut link = self.pty.start(inbox, self.baud)?;
        // A radio that just powered on says so.
        link.send(hdlc::encode(
            &SpinelFrame {
                header: Header::new(0, 0),
                command: Command::PropValueIs(Property::LastStatus(Status::ResetPowerOn, vec![])),
            }
            .to_bytes(),
        ));
        self.link = Some(link);
        Ok(())
    }

    fn input(&mut self, world: &mut World<DeviceHost>, bytes: Vec<u8>) {
        for r in self.decoder.feed(&bytes) {
            match r {
                Ok(payload) => self.host_frame(world, &payload),
                Err(_) => self.stats.bad_frames += 1,
            }
        }
    }

    fn output(&mut self, world: &mut World<DeviceHost>, heard: Vec<Heard>, done: Vec<TxStatus>) {
        for h in heard {
            self.heard(world, h);
        }
        for s in done {
            self.tx_done(s);
        }
    }
}
