//! The device side of association (IEEE 802.15.4-2015 6.4.1), sans-IO: an active scan over
//! a channel list, the choice of a coordinator, the Association Request, the wait of
//! macResponseWaitTime, the Data Request, and the Association Response that gives the
//! short address.
//!
//! The caller feeds received frames, transmit confirmations and timer expiries, and
//! carries out the [`Step`]s it gets back. Times are in nanoseconds.

use super::engine::TxStatus;
use super::exchange::{Exchange, ExchangeFailure, ExchangeParams, ExchangeStep};
use super::scan::PanDescriptor;
use super::{
    Address, AssociationStatus, CapabilityInfo, FrameFlags, FrameType, FrameVersion, MacCommand,
    MacFrame, MacPayload,
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

/// The device-side association state machine.
#[derive(Debug, Clone)]
pub struct Associator {
    params: JoinParams,
    exchange: Exchange,
}

impl Associator {
    /// A device about to join; `first_seq` is its next MAC sequence number.
    pub fn new(params: JoinParams, first_seq: u8) -> Self {
        let exchange = Exchange::new(
            ExchangeParams {
                channels: params.channels.clone(),
                scan_exponent: params.scan_exponent,
                symbol_ns: params.symbol_ns,
                poll_src: Address::Extended(params.ext_addr),
                polls: true,
            },
            first_seq,
        );
        Associator { params, exchange }
    }

    /// The next MAC sequence number (for the caller to continue from).
    pub fn seq(&self) -> u8 {
        self.exchange.seq()
    }

    /// The beacons heard so far.
    pub fn descriptors(&self) -> &[PanDescriptor] {
        self.exchange.found()
    }

    /// An attempt is under way.
    pub fn is_active(&self) -> bool {
        self.exchange.is_active()
    }

    /// Begin (or begin again): scan the first channel.
    pub fn start(&mut self, _now: u64) -> Vec<Step> {
        let steps = self.exchange.start();
        self.steps(steps)
    }

    fn steps(&mut self, steps: Vec<ExchangeStep>) -> Vec<Step> {
        let mut out = Vec::with_capacity(steps.len());
        for s in steps {
            match s {
                ExchangeStep::SetChannel(c) => out.push(Step::SetChannel(c)),
                ExchangeStep::SetPan(p) => out.push(Step::SetPan(p)),
                ExchangeStep::Transmit(f) => out.push(Step::Transmit(f)),
                ExchangeStep::SetTimer(t) => out.push(Step::SetTimer(t)),
                ExchangeStep::ScanComplete => out.extend(self.after_scan()),
                ExchangeStep::Failed(f) => out.push(Step::Finished(match f {
                    ExchangeFailure::NoAck => JoinOutcome::NoAck,
                    ExchangeFailure::ChannelAccessFailure => JoinOutcome::ChannelAccessFailure,
                    ExchangeFailure::NoResponse => JoinOutcome::NoData,
                })),
            }
        }
        out
    }

    fn after_scan(&mut self) -> Vec<Step> {
        let as_router = self.params.capabilities.contains(CapabilityInfo::FFD);
        let Some(parent) = self.exchange.choose(as_router, self.params.extended_pan_id) else {
            return self.finish(JoinOutcome::NoBeacon);
        };
        self.exchange.requesting(parent);
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
            seq: Some(self.exchange.next_seq()),
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
        self.exchange.finish();
        vec![Step::Finished(outcome)]
    }

    /// A transmission we asked for was confirmed.
    pub fn on_transmit_done(&mut self, now: u64, status: TxStatus) -> Vec<Step> {
        let steps = self.exchange.on_transmit_done(now, status);
        self.steps(steps)
    }

    /// A timer set by a [`Step::SetTimer`] fired (earlier, replaced timers are ignored).
    pub fn on_timer(&mut self, now: u64) -> Vec<Step> {
        let steps = self.exchange.on_timer(now);
        self.steps(steps)
    }

    /// A frame the radio accepted (beacons while scanning, the response afterwards).
    pub fn on_frame(&mut self, frame: &MacFrame, channel: u8, lqi: u8) -> Vec<Step> {
        // The response may overtake the poll's confirmation or arrive while waiting.
        let Some(parent) = self.exchange.awaiting() else {
            self.exchange.on_beacon(frame, channel, lqi);
            return Vec::new();
        };
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
            steps.extend(self.finish(JoinOutcome::Associated { parent, short_addr }));
            steps
        } else {
            let mut steps = vec![Step::SetPan(0xffff)];
            steps.extend(self.finish(JoinOutcome::Denied(status)));
            steps
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::association::association_response;
    use crate::mac::beacon_response::beacon_frame;
    use crate::mac::scan::response_wait_ns;
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
