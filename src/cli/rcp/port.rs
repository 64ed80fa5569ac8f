//! The emulated RCP as an [`Attachment`] of one node's radio: Spinel from the host is
//! answered by [`RcpState`], transmit requests go on the air through the node's MAC
//! (CSMA-CA, retries, ACK wait) and are answered with their transmit-done status, the
//! radio's addresses and source-match table are kept in the world's radio (which filters
//! and acknowledges in "hardware"), and what the node hears goes to the host as
//! `STREAM_RAW` with its metadata. It can be unplugged and plugged back in on a schedule:
//! the pty goes away (the host's reads fail, the `--link` disappears), the radio forgets
//! its settings, and a new pty comes up with the radio just powered on, while the building
//! goes on.

use super::super::run::driver::{Attachment, Inbox};
use super::pty::{HostLink, Pty, relink};
use han_devices::host::DeviceHost;
use han_mesh::radio::TxOptions;
use han_mesh::time::{Duration, SimTime};
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
use std::io::Write;
use std::path::PathBuf;

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
    /// Times it was unplugged.
    pub unplugs: u64,
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
            "unplugs": self.unplugs,
        })
    }
}

/// A transmission on the air waiting for its outcome.
struct InFlight {
    header: Header,
    seq: Option<u8>,
}

/// An unplug: when (from the start of the run) and for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unplug {
    /// When the port goes away.
    pub at: Duration,
    /// How long until it is back.
    pub length: Duration,
}

/// Called at the `k`-th unplug (from 1) with the world then.
pub type OnUnplug<'a> = Box<dyn FnMut(&World<DeviceHost>, usize) + 'a>;

/// The RCP attached to node `node`.
pub struct RcpPort<'a> {
    node: u32,
    eui64: ExtAddr,
    state: RcpState,
    /// The port; None while unplugged.
    pty: Option<Pty>,
    /// The symbolic link kept pointing at the port.
    link_path: Option<PathBuf>,
    baud: Option<u32>,
    inbox: Option<Inbox>,
    /// Unplugs still to come, in order, and when the current one ends.
    unplugs: VecDeque<Unplug>,
    replug_at: Option<SimTime>,
    on_unplug: Option<OnUnplug<'a>>,
    link: Option<HostLink>,
    decoder: HdlcDecoder,
    in_flight: VecDeque<InFlight>,
    /// The last ACK heard, for the transmit-done answer.
    last_ack: Option<RxFrame>,
    synced: (BTreeSet<u16>, BTreeSet<[u8; 8]>),
    /// Counters.
    pub stats: RcpStats,
}

impl<'a> RcpPort<'a> {
    /// An RCP with factory address `eui64` answering on `pty`, output paced at `baud`.
    pub fn new(node: u32, eui64: ExtAddr, pty: Pty, baud: Option<u32>) -> Self {
        RcpPort {
            node,
            eui64,
            state: power_on(eui64),
            pty: Some(pty),
            link_path: None,
            baud,
            inbox: None,
            unplugs: VecDeque::new(),
            replug_at: None,
            on_unplug: None,
            link: None,
            decoder: HdlcDecoder::new(),
            in_flight: VecDeque::new(),
            last_ack: None,
            synced: (BTreeSet::new(), BTreeSet::new()),
            stats: RcpStats::default(),
        }
    }

    /// Keep the symbolic link `path` pointing at the port (made now, and again at each
    /// replug; removed while unplugged).
    pub fn link_at(&mut self, path: PathBuf) -> std::io::Result<()> {
        if let Some(p) = &self.pty {
            relink(&path, &p.path)?;
        }
        self.link_path = Some(path);
        Ok(())
    }

    /// Unplug the port at these times (sorted here), calling `on_unplug` at each.
    pub fn unplug_at(&mut self, mut plan: Vec<Unplug>, on_unplug: Option<OnUnplug<'a>>) {
        plan.sort_by_key(|u| u.at.0);
        self.unplugs = plan.into();
        self.on_unplug = on_unplug;
    }

    /// Frames queued for the host or written but not yet read by it.
    pub fn undelivered(&self) -> usize {
        self.link.as_ref().map_or(0, |l| l.queued() as usize)
            + self.pty.as_ref().map_or(0, Pty::unread)
    }

    /// Start the port's threads and say the radio just powered on.
    fn plug_in(&mut self) -> std::io::Result<()> {
        let (Some(pty), Some(inbox)) = (&self.pty, &self.inbox) else {
            return Ok(());
        };
        let mut link = pty.start(inbox.clone(), self.baud)?;
        // A radio that just powered on says so.
        let hello = SpinelFrame {
            header: Header::new(0, 0),
            command: Command::PropValueIs(Property::LastStatus(Status::ResetPowerOn, vec![])),
        };
        link.send(hdlc::encode(&hello.to_bytes()));
        self.link = Some(link);
        Ok(())
    }

    /// The port goes away (a USB dongle pulled out): the host's reads fail, the link
    /// disappears, the radio loses power and with it every setting.
    fn unplug(&mut self, world: &mut World<DeviceHost>) {
        self.link = None;
        self.pty = None;
        if let Some(l) = &self.link_path {
            let _ = std::fs::remove_file(l);
        }
        self.in_flight.clear();
        self.last_ack = None;
        self.state = power_on(self.eui64);
        self.sync(world);
        self.stats.unplugs += 1;
        eprintln!(
            "han rcp: unplugged at {:.1} s (the building goes on)",
            world.now().as_secs_f64()
        );
        if let Some(f) = self.on_unplug.as_mut() {
            f(world, self.stats.unplugs as usize);
        }
    }

    /// The port comes back: a new pty (printed on stdout, the link moved to it) and a radio
    /// that just powered on. False if the pty could not be made (tried again later).
    fn replug(&mut self, world: &World<DeviceHost>) -> bool {
        let pty = match Pty::open() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("han rcp: cannot plug back in: creating a pty: {e}");
                return false;
            }
        };
        if let Some(l) = &self.link_path
            && let Err(e) = relink(l, &pty.path)
        {
            eprintln!(
                "han rcp: linking {} to {}: {e}",
                l.display(),
                pty.path.display()
            );
        }
        // The host may no longer read stdout: a failed write is no reason to stop.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", pty.path.display()).and_then(|()| out.flush());
        eprintln!(
            "han rcp: plugged back in at {:.1} s as {} (the radio just powered on)",
            world.now().as_secs_f64(),
            pty.path.display()
        );
        self.pty = Some(pty);
        self.decoder = HdlcDecoder::new();
        if let Err(e) = self.plug_in() {
            eprintln!("han rcp: starting the port: {e}");
        }
        true
    }

    /// Unplug or plug back in when the schedule says so.
    fn follow_schedule(&mut self, world: &mut World<DeviceHost>) {
        let now = world.now();
        if let Some(t) = self.replug_at
            && now >= t
            && self.replug(world)
        {
            self.replug_at = None;
        }
        if self.replug_at.is_none()
            && let Some(u) = self.unplugs.front().copied()
            && now >= SimTime::ZERO + u.at
        {
            self.unplugs.pop_front();
            self.unplug(world);
            self.replug_at = Some(now + u.length);
        }
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

impl Attachment for RcpPort<'_> {
    fn node(&self) -> u32 {
        self.node
    }

    fn start(&mut self, inbox: Inbox) -> std::io::Result<()> {
        self.inbox = Some(inbox);
        self.plug_in()
    }

    fn input(&mut self, world: &mut World<DeviceHost>, bytes: Vec<u8>) {
        if self.pty.is_none() {
            return; // written before the unplug
        }
        for r in self.decoder.feed(&bytes) {
            match r {
                Ok(payload) => self.host_frame(world, &payload),
                Err(_) => self.stats.bad_frames += 1,
            }
        }
    }

    fn output(&mut self, world: &mut World<DeviceHost>, heard: Vec<Heard>, done: Vec<TxStatus>) {
        self.follow_schedule(world);
        for h in heard {
            self.heard(world, h);
        }
        for s in done {
            self.tx_done(s);
        }
    }
}

/// The radio's state at power-on.
fn power_on(eui64: ExtAddr) -> RcpState {
    RcpState::new(
        eui64.0.to_be_bytes(),
        concat!(
            "HAN/",
            env!("CARGO_PKG_VERSION"),
            "; han rcp (emulated OpenThread RCP)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_devices::scenario::{ScenarioConfig, build, eui64};
    use han_stack::mac::MacCommand;
    use han_stack::mac::MacPayload;

    const PAN: u16 = 0x1a62;

    /// The RCP stands in for the terraced house's CH; the IHD's radio is driven from the
    /// test; ESME and GSME stay off.
    fn house() -> (World<DeviceHost>, u32, u32, ExtAddr, u8) {
        let path = Some(std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/buildings/terraced-house.toml"
        )));
        let mut b = super::super::super::survey::load(&path).expect("the house loads");
        let (pi, ch) = super::super::place(&mut b, None, Some("12-acacia-road/ch"), 0.0).unwrap();
        let (_, ihd) = super::super::place(&mut b, None, Some("12-acacia-road/ihd"), 0.0).unwrap();
        let off = han_devices::host::Outage {
            at: Duration(0),
            length: Duration::secs(3600),
        };
        let cfg = ScenarioConfig {
            outages: vec![("esme".into(), off), ("gsme".into(), off)],
            ..ScenarioConfig::default()
        };
        let (mut world, _) = build(&b, &cfg);
        let rcp = super::super::external_node(&b, &mut world, pi, ch).unwrap();
        let ihd_node = super::super::external_node(&b, &mut world, pi, ihd).unwrap();
        (world, rcp, ihd_node, eui64(pi, ch), b.channel_2g4)
    }

    fn host(port: &mut RcpPort, world: &mut World<DeviceHost>, tid: u8, command: Command) {
        let f = SpinelFrame {
            header: Header::new(0, tid),
            command,
        };
        port.input(world, hdlc::encode(&f.to_bytes()));
    }

    /// The IHD sends a Data Request from `src` to the RCP's short address; whether the
    /// RCP's ACK said "frame pending".
    fn poll(world: &mut World<DeviceHost>, ihd: u32, channel: u8, src: u16, seq: u8) -> bool {
        let cfg = world.radio_config(ihd).unwrap();
        world.set_radio_config(
            ihd,
            han_mesh::RadioConfig {
                channel,
                pan_id: PAN,
                short_addr: src,
                ..cfg
            },
        );
        let mut f = MacFrame::data(seq, PAN, Address::Short(0), Address::Short(src), vec![]);
        f.frame_type = FrameType::Command;
        f.payload = MacPayload::Command(MacCommand::DataRequest);
        world.inject(ihd, f.emit_with_fcs());
        world.run_until(world.now() + Duration::millis(200));
        let done: Vec<TxStatus> = world
            .take_external_done()
            .into_iter()
            .filter(|&(n, _)| n == ihd)
            .map(|(_, s)| s)
            .collect();
        match done.as_slice() {
            [TxStatus::Success { frame_pending }] => *frame_pending,
            other => panic!("the Data Request from {src:#06x} was not acknowledged: {other:?}"),
        }
    }

    #[test]
    fn acks_say_frame_pending_only_for_matched_sources() {
        let (mut world, rcp, ihd, eui, channel) = house();
        let mut port = RcpPort::new(rcp, eui, Pty::open().unwrap(), None);
        for (tid, p) in [
            Property::PhyEnabled(true),
            Property::PhyChan(channel),
            Property::MacPanId(PAN),
            Property::MacShortAddr(0x0000),
        ]
        .into_iter()
        .enumerate()
        {
            host(
                &mut port,
                &mut world,
                tid as u8 + 1,
                Command::PropValueSet(p),
            );
        }
        // Source match off: every ACK says pending (OpenThread's default).
        assert!(poll(&mut world, ihd, channel, 0x5678, 1));
        host(
            &mut port,
            &mut world,
            5,
            Command::PropValueSet(Property::MacSrcMatchEnabled(true)),
        );
        assert!(!poll(&mut world, ihd, channel, 0x5678, 2));
        let entry = Property::MacSrcMatchShortAddresses(vec![0x1234]);
        host(
            &mut port,
            &mut world,
            6,
            Command::PropValueInsert(entry.clone()),
        );
        assert!(poll(&mut world, ihd, channel, 0x1234, 3));
        assert!(!poll(&mut world, ihd, channel, 0x5678, 4));
        host(&mut port, &mut world, 7, Command::PropValueRemove(entry));
        assert!(!poll(&mut world, ihd, channel, 0x1234, 5));
    }
}
