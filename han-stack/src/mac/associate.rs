//! The device side of association (IEEE 802.15.4-2015 6.4.1), sans-IO: an active scan over
//! a channel list, the choice of a coordinator, the Association Request, the wait of
//! macResponseWaitTime, the Data Request, and the Association Response that gives the
//! short address.
//!
//! The caller feeds received frames, transmit confirmations and timer expiries, and
//! carries out the [`Step`]s it gets back. Times are in nanoseconds.

use super::engine::TxStatus;
use super::indirect::data_request;
use super::scan::{
    PanDescriptor, choose, max_frame_total_wait_ns, response_wait_ns, scan_duration_ns,
};
use super::{
    Address, AssociationStatus, CapabilityInfo, FrameFlags, FrameType, FrameVersion, MacCommand,
    MacFrame, MacPayload, beacon_response::beacon_request,
};
use crate::wire::ExtAddr;

/// What the joining device is and where it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinParams {
    /// The device's EUI-64 (the source of its requests).
    pub ext_addr: ExtAddr,
    /// Channels to scan, in order.
    pub channels: Vec<u8>,
    /// Scan duration exponent n (listen aBaseSuperframeDuration·(2ⁿ+1) per channel).
    pub scan_exponent: u8,
    /// Symbol period of the PHY (16 µs at 2.4 GHz).
    pub symbol_ns: u64,
    /// Capability information sent in the request (FFD bit: joins as a router).
    pub capabilities: CapabilityInfo,
    /// Only join this extended PAN ID, if given.
    pub extended_pan_id: Option<ExtAddr>,
}

/// How an association attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// Associated: the coordinator gave `short_addr` on the descriptor's PAN.
    Associated {
        /// The coordinator joined.
        parent: PanDescriptor,
        /// Our short address.
        short_addr: u16,
    },
    /// The coordinator refused (PAN at capacity, access denied).
    Denied(AssociationStatus),
    /// No beacon from a coordinator that accepts the device.
    NoBeacon,
    /// The Association Request or the Data Request was not acknowledged.
    NoAck,
    /// The channel was too busy to send a request.
    ChannelAccessFailure,
    /// The coordinator had no response for us (or it never came).
    NoData,
}

impl JoinOutcome {
    /// The MLME status name (IEEE 802.15.4-2015 Table 8-27).
    pub fn name(&self) -> &'static str {
        match self {
            JoinOutcome::Associated { .. } => "SUCCESS",
            JoinOutcome::Denied(AssociationStatus::PanAtCapacity) => "PAN_AT_CAPACITY",
            JoinOutcome::Denied(_) => "PAN_ACCESS_DENIED",
            JoinOutcome::NoBeacon => "NO_BEACON",
            JoinOutcome::NoAck => "NO_ACK",
            JoinOutcome::ChannelAccessFailure => "CHANNEL_ACCESS_FAILURE",
            JoinOutcome::NoData => "NO_DATA",
        }
    }
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Tune the radio to this channel.
    SetChannel(u8),
    /// Filter on this PAN ID (macPanId) from now on.
    SetPan(u16),
    /// Send this frame (with FCS appended) and report its confirmation.
    Transmit(MacFrame),
    /// Call [`Associator::on_timer`] at this time (replaces any earlier one).
    SetTimer(u64),
    /// Adopt this short address (macShortAddress).
    SetShortAddress(u16),
    /// The attempt ended.
    Finished(JoinOutcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Beacon Request sent (or going) on channel `index`.
    Scanning {
        index: usize,
    },
    /// Association Request on its way.
    Requesting(PanDescriptor),
    /// Waiting macResponseWaitTime before polling.
    Waiting(PanDescriptor),
    /// Data Request on its way.
    Polling(PanDescriptor),
    /// Data Request acked with frame pending: the response should come.
    Receiving(PanDescriptor),
    Done,
}

/// The device-side association state machine.
#[derive(Debug, Clone)]
pub struct Associator {
    params: JoinParams,
    state: State,
    seq: u8,
    deadline: Option<u64>,
    found: Vec<PanDescriptor>,
}

impl Associator {
    /// A device about to join; `first_seq` is its next MAC sequence number.
    pub fn new(params: JoinParams, first_seq: u8) -> Self {
        Associator {
            params,
            state: State::Idle,
            seq: first_seq,
            deadline: None,
            found: Vec::new(),
        }
    }

    /// The next MAC sequence number (for the caller to continue from).
    pub fn seq(&self) -> u8 {
        self.seq
    }

    /// The beacons heard so far.
    pub fn descriptors(&self) -> &[PanDescriptor] {
        &self.found
    }

    /// An attempt is under way.
    pub fn is_active(&self) -> bool {
        !matches!(self.state, State::Idle | State::Done)
    }

    fn next_seq(&mut self) -> u8 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    /// Begin (or begin again): scan the first channel.
    pub fn start(&mut self, _now: u64) -> Vec<Step> {
        self.found.clear();
        self.deadline = None;
        self.scan_channel(0)
    }

    fn scan_channel(&mut self, index: usize) -> Vec<Step> {
        let Some(&channel) = self.params.channels.get(index) else {
            return self.after_scan();
        };
        self.state = State::Scanning { index };
        let req = beacon_request(self.next_seq());
        vec![
            Step::SetPan(0xffff),
            Step::SetChannel(channel),
            Step::Transmit(req),
        ]
    }

    fn after_scan(&mut self) -> Vec<Step> {
        let as_router = self.params.capabilities.contains(CapabilityInfo::FFD);
        let Some(parent) = choose(&self.found, as_router, self.params.extended_pan_id) else {
            return self.finish(JoinOutcome::NoBeacon);
        };
        self.state = State::Requesting(parent);
        let req = self.association_request(&parent);
        vec![
            Step::SetChannel(parent.channel),
            Step::SetPan(parent.pan),
            Step::Transmit(req),
        ]
    }

    fn association_request(&mut self, parent: &PanDescriptor) -> MacFrame {
        // Destination: the coordinator on its PAN; source: our EUI-64 on the broadcast PAN.
        MacFrame {
            frame_type: FrameType::Command,
            flags: FrameFlags::ACK_REQUEST,
            version: FrameVersion::V2003,
            seq: Some(self.next_seq()),
            dst_pan: Some(parent.pan),
            dst: parent.coordinator,
            src_pan: Some(0xffff),
            src: Address::Extended(self.params.ext_addr),
            aux_security: None,
            header_ies: Vec::new(),
            payload: MacPayload::Command(MacCommand::AssociationRequest(self.params.capabilities)),
        }
    }

    fn finish(&mut self, outcome: JoinOutcome) -> Vec<Step> {
        self.state = State::Done;
        self.deadline = None;
        vec![Step::Finished(outcome)]
    }

    fn timer(&mut self, at: u64) -> Step {
        self.deadline = Some(at);
        Step::SetTimer(at)
    }

    /// A transmission we asked for was confirmed.
    pub fn on_transmit_done(&mut self, now: u64, status: TxStatus) -> Vec<Step> {
        match (self.state, status) {
            (State::Scanning { .. }, _) => {
                // Listen for beacons from the request onwards, whatever became of it.
                let d = scan_duration_ns(self.params.scan_exponent, self.params.symbol_ns);
                vec![self.timer(now + d)]
            }
            (State::Requesting(p), TxStatus::Success { .. }) => {
                self.state = State::Waiting(p);
                vec![self.timer(now + response_wait_ns(self.params.symbol_ns))]
            }
            (
                State::Polling(p),
                TxStatus::Success {
                    frame_pending: true,
                },
            ) => {
                self.state = State::Receiving(p);
                vec![self.timer(now + max_frame_total_wait_ns(self.params.symbol_ns))]
            }
            (State::Polling(_), TxStatus::Success { .. }) => self.finish(JoinOutcome::NoData),
            (State::Requesting(_) | State::Polling(_), TxStatus::NoAck) => {
                self.finish(JoinOutcome::NoAck)
            }
            (State::Requesting(_) | State::Polling(_), _) => {
                self.finish(JoinOutcome::ChannelAccessFailure)
            }
            _ => Vec::new(),
        }
    }

    /// A timer set by a [`Step::SetTimer`] fired (earlier, replaced timers are ignored).
    pub fn on_timer(&mut self, now: u64) -> Vec<Step> {
        if self.deadline.is_none_or(|d| now < d) {
            return Vec::new();
        }
        self.deadline = None;
        match self.state {
            State::Scanning { index } => self.scan_channel(index + 1),
            State::Waiting(p) => {
                self.state = State::Polling(p);
                let poll = data_request(
                    self.next_seq(),
                    p.pan,
                    p.coordinator,
                    Address::Extended(self.params.ext_addr),
                );
                vec![Step::Transmit(poll)]
            }
            State::Receiving(_) => self.finish(JoinOutcome::NoData),
            _ => Vec::new(),
        }
    }

    /// A frame the radio accepted (beacons while scanning, the response afterwards).
    pub fn on_frame(&mut self, frame: &MacFrame, channel: u8, lqi: u8) -> Vec<Step> {
        match self.state {
            State::Scanning { .. } => {
                if let Some(d) = PanDescriptor::from_beacon(frame, channel, lqi)
                    && !self
                        .found
                        .iter()
                        .any(|f| f.pan == d.pan && f.coordinator == d.coordinator)
                {
                    self.found.push(d);
                }
                Vec::new()
            }
            // The response may overtake the poll's confirmation or arrive while waiting.
            State::Waiting(p) | State::Polling(p) | State::Receiving(p) => {
                let MacPayload::Command(MacCommand::AssociationResponse { short_addr, status }) =
                    frame.payload
                else {
                    return Vec::new();
                };
                if frame.dst != Address::Extended(self.params.ext_addr) {
                    return Vec::new();
                }
                if status == AssociationStatus::Success {
                    let mut steps = vec![Step::SetShortAddress(short_addr)];
                    steps.extend(self.finish(JoinOutcome::Associated {
                        parent: p,
                        short_addr,
                    }));
                    steps
                } else {
                    let mut steps = vec![Step::SetPan(0xffff)];
                    steps.extend(self.finish(JoinOutcome::Denied(status)));
                    steps
                }
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::association::association_response;
    use crate::mac::beacon_response::beacon_frame;
    use crate::mac::scan::tests::zigbee;
    use crate::wire::Wire;

    const DEV: ExtAddr = ExtAddr(0x0d0e_0f10_1112_1314);
    const COORD: ExtAddr = ExtAddr(0x0001_0203_0405_0607);

    fn params() -> JoinParams {
        JoinParams {
            ext_addr: DEV,
            channels: vec![11, 15],
            scan_exponent: 3,
            symbol_ns: 16_000,
            capabilities: CapabilityInfo::ALLOCATE_ADDRESS | CapabilityInfo::RX_ON_WHEN_IDLE,
            extended_pan_id: None,
        }
    }

    fn sent(steps: &[Step]) -> &MacFrame {
        steps
            .iter()
            .find_map(|s| match s {
                Step::Transmit(f) => Some(f),
                _ => None,
            })
            .expect("a transmission")
    }

    fn acked(pending: bool) -> TxStatus {
        TxStatus::Success {
            frame_pending: pending,
        }
    }

    /// Scan both channels, hearing a beacon on 15; returns the Association Request steps.
    fn scan_to_request(a: &mut Associator) -> Vec<Step> {
        let s = a.start(0);
        assert_eq!(s[1], Step::SetChannel(11));
        assert_eq!(sent(&s).to_bytes()[..2], [0x03, 0x08]);
        assert_eq!(
            a.on_transmit_done(1_000, acked(false)),
            [Step::SetTimer(138_241_000)]
        );
        assert!(a.on_timer(138_000_000).is_empty(), "early timer ignored");
        let s = a.on_timer(138_241_000);
        assert_eq!(s[1], Step::SetChannel(15));
        a.on_transmit_done(140_000_000, acked(false));
        let b = beacon_frame(
            9,
            0x1a62,
            Address::Short(0),
            true,
            true,
            zigbee(1, 0, true, true).to_bytes(),
        );
        assert!(a.on_frame(&b, 15, 230).is_empty());
        a.on_timer(278_240_000)
    }

    #[test]
    fn associates() {
        let mut a = Associator::new(params(), 0x10);
        let s = scan_to_request(&mut a);
        assert_eq!(s[..2], [Step::SetChannel(15), Step::SetPan(0x1a62)]);
        // Wireshark: frame control 0xc823, dst PAN 0x1a62, dst 0x0000, src PAN 0xffff, EUI-64.
        let req = sent(&s).to_bytes();
        assert_eq!(
            req[..9],
            [0x23, 0xc8, 0x12, 0x62, 0x1a, 0x00, 0x00, 0xff, 0xff]
        );
        assert_eq!(req[req.len() - 2..], [0x01, 0x88]);
        let w = a.on_transmit_done(300_000_000, acked(false));
        assert_eq!(w, [Step::SetTimer(791_520_000)]);
        let poll = a.on_timer(791_520_000);
        assert_eq!(
            sent(&poll).payload,
            MacPayload::Command(MacCommand::DataRequest)
        );
        assert_eq!(sent(&poll).src, Address::Extended(DEV));
        a.on_transmit_done(792_000_000, acked(true));
        let resp = association_response(3, 0x1a62, DEV, COORD, 0x3c1d, AssociationStatus::Success);
        let done = a.on_frame(&resp, 15, 230);
        assert_eq!(done[0], Step::SetShortAddress(0x3c1d));
        assert!(matches!(
            done[1],
            Step::Finished(JoinOutcome::Associated {
                short_addr: 0x3c1d,
                parent: PanDescriptor { pan: 0x1a62, .. }
            })
        ));
        assert!(!a.is_active());
        assert_eq!(a.seq(), 0x14);
    }

    #[test]
    fn failures() {
        let mut a = Associator::new(params(), 0);
        a.start(0);
        a.on_transmit_done(0, acked(false));
        a.on_timer(138_240_000);
        a.on_transmit_done(138_240_000, acked(false));
        assert_eq!(
            a.on_timer(276_480_000),
            [Step::Finished(JoinOutcome::NoBeacon)]
        );

        let mut a = Associator::new(params(), 0);
        scan_to_request(&mut a);
        assert_eq!(
            a.on_transmit_done(1, TxStatus::NoAck),
            [Step::Finished(JoinOutcome::NoAck)]
        );

        let mut a = Associator::new(params(), 0);
        scan_to_request(&mut a);
        a.on_transmit_done(0, acked(false));
        a.on_timer(response_wait_ns(16_000));
        assert_eq!(
            a.on_transmit_done(1, acked(false)),
            [Step::Finished(JoinOutcome::NoData)]
        );

        let mut a = Associator::new(params(), 0);
        scan_to_request(&mut a);
        a.on_transmit_done(0, acked(false));
        a.on_timer(response_wait_ns(16_000));
        let deny = association_response(
            3,
            0x1a62,
            DEV,
            COORD,
            0xffff,
            AssociationStatus::PanAccessDenied,
        );
        let s = a.on_frame(&deny, 15, 1);
        assert_eq!(
            s,
            [
                Step::SetPan(0xffff),
                Step::Finished(JoinOutcome::Denied(AssociationStatus::PanAccessDenied))
            ]
        );
        assert_eq!(
            JoinOutcome::Denied(AssociationStatus::PanAtCapacity).name(),
            "PAN_AT_CAPACITY"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100_000))]
        #[test]
        fn arbitrary_frames_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)
        ) {
            let mut a = Associator::new(params(), 0);
            scan_to_request(&mut a);
            a.on_transmit_done(0, acked(false));
            if let Ok(f) = MacFrame::from_bytes(&bytes) {
                a.on_frame(&f, 15, 0);
                let mut scanning = Associator::new(params(), 0);
                scanning.start(0);
                scanning.on_frame(&f, 11, 0);
            }
        }
    }
}
