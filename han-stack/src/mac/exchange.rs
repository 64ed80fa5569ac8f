//! The exchange both association (IEEE 802.15.4-2015 6.4.1) and NWK rejoin (Zigbee PRO
//! R22 3.6.1.4.2) make, sans-IO: an active scan over a channel list collecting beacons, a
//! request to the chosen parent, macResponseWaitTime, a Data Request, and the wait of
//! macMaxFrameTotalWaitTime for the response the parent holds.
//!
//! The owner ([`super::associate::Associator`], [`crate::nwk::rejoin::Rejoiner`]) builds
//! and sends the request itself, opens the response, and turns the [`ExchangeStep`]s into
//! its own steps. Times are in nanoseconds.

use super::engine::TxStatus;
use super::indirect::data_request;
use super::scan::{
    PanDescriptor, choose, max_frame_total_wait_ns, response_wait_ns, scan_duration_ns,
};
use super::{Address, MacFrame, beacon_response::beacon_request};
use crate::wire::ExtAddr;

/// Where and how the exchange runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExchangeParams {
    /// Channels to scan, in order.
    pub channels: Vec<u8>,
    /// Scan duration exponent n (listen aBaseSuperframeDuration·(2ⁿ+1) per channel).
    pub scan_exponent: u8,
    /// Symbol period of the PHY.
    pub symbol_ns: u64,
    /// The Data Request's source address.
    pub poll_src: Address,
    /// Poll for the response after macResponseWaitTime (otherwise it must come by then:
    /// a device with its receiver on when idle rejoining).
    pub polls: bool,
}

/// Why the exchange ended without a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExchangeFailure {
    /// The request or the Data Request was not acknowledged.
    NoAck,
    /// The channel was too busy to send.
    ChannelAccessFailure,
    /// No response came.
    NoResponse,
}

/// What the owner must do (short-lived: each is turned into the owner's step at once,
/// whose Transmit carries the same frame unboxed).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExchangeStep {
    /// Tune the radio to this channel.
    SetChannel(u8),
    /// Filter on this PAN ID.
    SetPan(u16),
    /// Send this MAC frame (Beacon Request, Data Request).
    Transmit(MacFrame),
    /// Call `on_timer` at this time.
    SetTimer(u64),
    /// The scan is over: choose a parent ([`Exchange::choose`]) and send the request.
    ScanComplete,
    /// The exchange ended without a response.
    Failed(ExchangeFailure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Beacon Request sent (or going) on channel `index`.
    Scanning {
        index: usize,
    },
    /// The request on its way.
    Requesting(PanDescriptor),
    /// Waiting macResponseWaitTime before polling.
    Waiting(PanDescriptor),
    /// Data Request on its way.
    Polling(PanDescriptor),
    /// Data Request acked with frame pending: the response should come.
    Receiving(PanDescriptor),
    Done,
}

/// Scan, request, wait, poll, receive.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    params: ExchangeParams,
    state: State,
    seq: u8,
    deadline: Option<u64>,
    found: Vec<PanDescriptor>,
}

impl Exchange {
    /// An exchange about to start; `first_seq` is the device's next MAC sequence number.
    pub fn new(params: ExchangeParams, first_seq: u8) -> Self {
        Exchange {
            params,
            state: State::Idle,
            seq: first_seq,
            deadline: None,
            found: Vec::new(),
        }
    }

    /// The next MAC sequence number.
    pub fn seq(&self) -> u8 {
        self.seq
    }

    /// Take a MAC sequence number.
    pub fn next_seq(&mut self) -> u8 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    /// The beacons heard so far.
    pub fn found(&self) -> &[PanDescriptor] {
        &self.found
    }

    /// An exchange is under way.
    pub fn is_active(&self) -> bool {
        !matches!(self.state, State::Idle | State::Done)
    }

    /// The parent asked, while its response may come.
    pub fn awaiting(&self) -> Option<PanDescriptor> {
        match self.state {
            State::Waiting(p) | State::Polling(p) | State::Receiving(p) => Some(p),
            _ => None,
        }
    }

    /// Begin (or begin again): scan the first channel.
    pub fn start(&mut self) -> Vec<ExchangeStep> {
        self.found.clear();
        self.deadline = None;
        self.scan_channel(0)
    }

    fn scan_channel(&mut self, index: usize) -> Vec<ExchangeStep> {
        let Some(&channel) = self.params.channels.get(index) else {
            return vec![ExchangeStep::ScanComplete];
        };
        self.state = State::Scanning { index };
        vec![
            ExchangeStep::SetPan(0xffff),
            ExchangeStep::SetChannel(channel),
            ExchangeStep::Transmit(beacon_request(self.next_seq())),
        ]
    }

    /// The best parent heard (see [`choose`]).
    pub fn choose(
        &self,
        as_router: bool,
        extended_pan_id: Option<ExtAddr>,
    ) -> Option<PanDescriptor> {
        choose(&self.found, as_router, extended_pan_id)
    }

    /// The owner sends its request to `parent` now.
    pub fn requesting(&mut self, parent: PanDescriptor) {
        self.state = State::Requesting(parent);
    }

    /// The exchange is over (a response came, or the owner gave up).
    pub fn finish(&mut self) {
        self.state = State::Done;
        self.deadline = None;
    }

    fn fail(&mut self, failure: ExchangeFailure) -> Vec<ExchangeStep> {
        self.finish();
        vec![ExchangeStep::Failed(failure)]
    }

    fn timer(&mut self, at: u64) -> Vec<ExchangeStep> {
        self.deadline = Some(at);
        vec![ExchangeStep::SetTimer(at)]
    }

    /// A transmission asked for was confirmed.
    pub fn on_transmit_done(&mut self, now: u64, status: TxStatus) -> Vec<ExchangeStep> {
        match (self.state, status) {
            (State::Scanning { .. }, _) => {
                // Listen for beacons from the request onwards, whatever became of it.
                let d = scan_duration_ns(self.params.scan_exponent, self.params.symbol_ns);
                self.timer(now + d)
            }
            (State::Requesting(p), TxStatus::Success { .. }) => {
                self.state = State::Waiting(p);
                self.timer(now + response_wait_ns(self.params.symbol_ns))
            }
            (
                State::Polling(p),
                TxStatus::Success {
                    frame_pending: true,
                },
            ) => {
                self.state = State::Receiving(p);
                self.timer(now + max_frame_total_wait_ns(self.params.symbol_ns))
            }
            (State::Polling(_), TxStatus::Success { .. }) => self.fail(ExchangeFailure::NoResponse),
            (State::Requesting(_) | State::Polling(_), TxStatus::NoAck) => {
                self.fail(ExchangeFailure::NoAck)
            }
            (State::Requesting(_) | State::Polling(_), _) => {
                self.fail(ExchangeFailure::ChannelAccessFailure)
            }
            _ => Vec::new(),
        }
    }

    /// A timer set by [`ExchangeStep::SetTimer`] fired (earlier, replaced timers are
    /// ignored).
    pub fn on_timer(&mut self, now: u64) -> Vec<ExchangeStep> {
        if self.deadline.is_none_or(|d| now < d) {
            return Vec::new();
        }
        self.deadline = None;
        match self.state {
            State::Scanning { index } => self.scan_channel(index + 1),
            State::Waiting(p) if self.params.polls => {
                self.state = State::Polling(p);
                let poll =
                    data_request(self.next_seq(), p.pan, p.coordinator, self.params.poll_src);
                vec![ExchangeStep::Transmit(poll)]
            }
            State::Waiting(_) | State::Receiving(_) => self.fail(ExchangeFailure::NoResponse),
            _ => Vec::new(),
        }
    }

    /// A beacon heard (kept while scanning, once per PAN and coordinator).
    pub fn on_beacon(&mut self, frame: &MacFrame, channel: u8, lqi: u8) {
        if !matches!(self.state, State::Scanning { .. }) {
            return;
        }
        if let Some(d) = PanDescriptor::from_beacon(frame, channel, lqi)
            && !self
                .found
                .iter()
                .any(|f| f.pan == d.pan && f.coordinator == d.coordinator)
        {
            self.found.push(d);
        }
    }
}
