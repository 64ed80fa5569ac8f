//! A sans-IO MAC transmit engine: unslotted CSMA-CA, acknowledged transmission with
//! retries, and duplicate rejection (IEEE 802.15.4-2015 6.2.5.1, 6.7.4).
//!
//! The driver owns time and the radio: it feeds inputs with `now` (nanoseconds) and
//! carries out the one [`MacOutput`] each input returns.

use super::csma::{
    ACK_WAIT_SYMBOLS_2G4, Backoff, CCA_SYMBOLS, CsmaParams, MacRandom, UNIT_BACKOFF_SYMBOLS,
};
use super::{Address, FrameType};
use crate::wire::ExtAddr;

/// The outcome of a data request (MCPS-DATA.confirm status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TxStatus {
    /// Sent and, if requested, acknowledged; `frame_pending` from the ACK.
    Success {
        /// The ACK's frame-pending bit.
        frame_pending: bool,
    },
    /// No ACK after macMaxFrameRetries retransmissions (NO_ACK).
    NoAck,
    /// More than macMaxCSMABackoffs busy CCAs (CHANNEL_ACCESS_FAILURE).
    ChannelAccessFailure,
    /// Not sent: the sub-GHz duty-cycle budget is used up (the Suspended state).
    DutyCycleSuspended,
}

/// What the driver must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacOutput {
    /// Call [`Transmitter::timer_fired`] at this absolute time (replaces any earlier timer).
    SetTimer(u64),
    /// Perform a CCA for [`CCA_SYMBOLS`] symbols, then call [`Transmitter::cca_done`].
    Cca,
    /// Turn the radio round and send the PSDU; call [`Transmitter::transmit_done`] when it ends.
    Transmit,
    /// The request is over.
    Confirm {
        /// Its status.
        status: TxStatus,
        /// Transmissions made (first + retries).
        attempts: u8,
        /// Busy CCAs over all attempts.
        busy_ccas: u8,
    },
    /// Nothing to do (a stale or unexpected input).
    Idle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Backoff,
    Cca,
    Transmitting,
    AwaitAck,
}

/// One transmission at a time through CSMA-CA, ACK wait and retries.
#[derive(Debug, Clone)]
pub struct Transmitter {
    symbol_ns: u64,
    ack_wait_symbols: u32,
    state: State,
    params: CsmaParams,
    backoff: Backoff,
    ack_request: bool,
    seq: u8,
    attempts: u8,
    busy_ccas: u8,
}

impl Transmitter {
    /// An idle engine for a PHY with this symbol period and macAckWaitDuration.
    pub fn new(symbol_ns: u64, ack_wait_symbols: u32) -> Self {
        let params = CsmaParams::default();
        Transmitter {
            symbol_ns,
            ack_wait_symbols,
            state: State::Idle,
            params,
            backoff: Backoff::start(&params),
            ack_request: false,
            seq: 0,
            attempts: 0,
            busy_ccas: 0,
        }
    }

    /// An idle engine for 2.4 GHz O-QPSK (16 µs symbols, 54-symbol ACK wait).
    pub fn oqpsk_2g4() -> Self {
        Transmitter::new(16_000, ACK_WAIT_SYMBOLS_2G4)
    }

    /// A request is in progress.
    pub fn busy(&self) -> bool {
        self.state != State::Idle
    }

    /// The CCA duration in nanoseconds.
    pub fn cca_ns(&self) -> u64 {
        u64::from(CCA_SYMBOLS) * self.symbol_ns
    }

    /// Start sending a frame with sequence number `seq`; `Idle` if one is already in progress.
    pub fn request(
        &mut self,
        now: u64,
        seq: u8,
        ack_request: bool,
        params: CsmaParams,
        rng: &mut impl MacRandom,
    ) -> MacOutput {
        if self.busy() {
            return MacOutput::Idle;
        }
        self.params = params;
        self.seq = seq;
        self.ack_request = ack_request;
        self.attempts = 0;
        self.busy_ccas = 0;
        self.start_access(now, rng)
    }

    fn start_access(&mut self, now: u64, rng: &mut impl MacRandom) -> MacOutput {
        self.backoff = Backoff::start(&self.params);
        self.schedule_backoff(now, rng)
    }

    fn schedule_backoff(&mut self, now: u64, rng: &mut impl MacRandom) -> MacOutput {
        self.state = State::Backoff;
        let periods = u64::from(self.backoff.periods(rng));
        MacOutput::SetTimer(now + periods * u64::from(UNIT_BACKOFF_SYMBOLS) * self.symbol_ns)
    }

    fn confirm(&mut self, status: TxStatus) -> MacOutput {
        self.state = State::Idle;
        MacOutput::Confirm {
            status,
            attempts: self.attempts,
            busy_ccas: self.busy_ccas,
        }
    }

    /// The timer set by the last [`MacOutput::SetTimer`] expired.
    pub fn timer_fired(&mut self, now: u64, rng: &mut impl MacRandom) -> MacOutput {
        match self.state {
            State::Backoff => {
                self.state = State::Cca;
                MacOutput::Cca
            }
            State::AwaitAck => {
                if self.attempts > self.params.max_frame_retries {
                    self.confirm(TxStatus::NoAck)
                } else {
                    self.start_access(now, rng)
                }
            }
            _ => MacOutput::Idle,
        }
    }

    /// The CCA ended: `idle` if the channel was clear.
    pub fn cca_done(&mut self, now: u64, idle: bool, rng: &mut impl MacRandom) -> MacOutput {
        if self.state != State::Cca {
            return MacOutput::Idle;
        }
        if idle {
            self.state = State::Transmitting;
            self.attempts = self.attempts.saturating_add(1);
            return MacOutput::Transmit;
        }
        self.busy_ccas = self.busy_ccas.saturating_add(1);
        if self.backoff.busy(&self.params) {
            self.schedule_backoff(now, rng)
        } else {
            self.confirm(TxStatus::ChannelAccessFailure)
        }
    }

    /// The last bit of the frame left the antenna.
    pub fn transmit_done(&mut self, now: u64) -> MacOutput {
        if self.state != State::Transmitting {
            return MacOutput::Idle;
        }
        if !self.ack_request {
            return self.confirm(TxStatus::Success {
                frame_pending: false,
            });
        }
        self.state = State::AwaitAck;
        MacOutput::SetTimer(now + u64::from(self.ack_wait_symbols) * self.symbol_ns)
    }

    /// An ACK frame arrived intact; `Idle` unless it answers the frame being sent.
    pub fn ack_received(&mut self, seq: u8, frame_pending: bool) -> MacOutput {
        if self.state != State::AwaitAck || seq != self.seq {
            return MacOutput::Idle;
        }
        self.confirm(TxStatus::Success { frame_pending })
    }
}

/// The MAC header fields a radio needs to filter, acknowledge and match ACKs, read without
/// allocating (IEEE 802.15.4-2015 7.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderPeek {
    /// Frame type.
    pub frame_type: FrameType,
    /// AR bit.
    pub ack_request: bool,
    /// Frame-pending bit.
    pub frame_pending: bool,
    /// Sequence number (absent when suppressed).
    pub seq: Option<u8>,
    /// Destination PAN ID, if present.
    pub dst_pan: Option<u16>,
    /// Destination address.
    pub dst: Address,
    /// Source PAN ID, if present (beacons carry only this one).
    pub src_pan: Option<u16>,
}

impl HeaderPeek {
    /// Read the frame control, sequence number and destination of an MPDU; `None` if too short.
    pub fn read(mpdu: &[u8]) -> Option<HeaderPeek> {
        let fc = u16::from_le_bytes([*mpdu.first()?, *mpdu.get(1)?]);
        let frame_type = FrameType::from_bits((fc & 0x7) as u8);
        let version = (fc >> 12) & 0x3;
        let seq_suppressed = version == 2 && fc & 0x0100 != 0;
        let mut at = 2;
        let seq = if seq_suppressed {
            None
        } else {
            at += 1;
            Some(*mpdu.get(2)?)
        };
        let dst_mode = (fc >> 10) & 0x3;
        let (dst_pan, dst) = match dst_mode {
            2 | 3 => {
                let pan = u16::from_le_bytes([*mpdu.get(at)?, *mpdu.get(at + 1)?]);
                at += 2;
                let dst = if dst_mode == 2 {
                    Address::Short(u16::from_le_bytes([*mpdu.get(at)?, *mpdu.get(at + 1)?]))
                } else {
                    let b = mpdu.get(at..at + 8)?;
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    Address::Extended(ExtAddr(u64::from_le_bytes(a)))
                };
                (Some(pan), dst)
            }
            _ => (None, Address::None),
        };
        let src_mode = (fc >> 14) & 0x3;
        let version = super::FrameVersion::from_bits(version as u8);
        let (_, has_src_pan) = super::pan_id_presence(
            version,
            super::AddrMode::from_bits((dst_mode) as u8),
            super::AddrMode::from_bits(src_mode as u8),
            fc & 0x0040 != 0,
        );
        let src_pan = if has_src_pan && src_mode >= 2 {
            Some(u16::from_le_bytes([*mpdu.get(at)?, *mpdu.get(at + 1)?]))
        } else {
            None
        };
        Some(HeaderPeek {
            frame_type,
            ack_request: fc & 0x0020 != 0,
            frame_pending: fc & 0x0010 != 0,
            seq,
            dst_pan,
            dst,
            src_pan,
        })
    }
}

/// Duplicate rejection: the last sequence number seen from each source (IEEE 802.15.4-2015
/// 6.7.4.4), over a small table of recent sources.
#[derive(Debug, Clone, Default)]
pub struct DuplicateFilter {
    recent: Vec<(Address, u8)>,
}

/// Sources remembered by [`DuplicateFilter`].
pub const DUPLICATE_TABLE: usize = 16;

impl DuplicateFilter {
    /// `true` if this (source, sequence number) repeats the last frame from that source;
    /// records it otherwise.
    pub fn is_duplicate(&mut self, src: Address, seq: u8) -> bool {
        if let Some(i) = self.recent.iter().position(|&(a, _)| a == src) {
            let (_, last) = self.recent.remove(i);
            self.recent.push((src, seq));
            return last == seq;
        }
        if self.recent.len() == DUPLICATE_TABLE {
            self.recent.remove(0);
        }
        self.recent.push((src, seq));
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::MacFrame;

    fn rng() -> impl MacRandom {
        let mut s = 1u64;
        move |n: u32| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % u64::from(n)) as u32
        }
    }

    fn expect_timer(o: MacOutput) -> u64 {
        match o {
            MacOutput::SetTimer(t) => t,
            other => panic!("expected a timer, got {other:?}"),
        }
    }

    #[test]
    fn acked_on_first_try() {
        let mut r = rng();
        let mut m = Transmitter::oqpsk_2g4();
        let t = expect_timer(m.request(0, 9, true, CsmaParams::default(), &mut r));
        assert!(t <= 7 * 320_000 && t.is_multiple_of(320_000));
        assert_eq!(m.timer_fired(t, &mut r), MacOutput::Cca);
        assert_eq!(m.cca_done(t + 128_000, true, &mut r), MacOutput::Transmit);
        let end = 2_000_000;
        assert_eq!(m.transmit_done(end), MacOutput::SetTimer(end + 864_000));
        assert_eq!(m.ack_received(8, false), MacOutput::Idle);
        assert_eq!(
            m.ack_received(9, true),
            MacOutput::Confirm {
                status: TxStatus::Success {
                    frame_pending: true
                },
                attempts: 1,
                busy_ccas: 0
            }
        );
        assert!(!m.busy());
    }

    #[test]
    fn no_ack_after_four_transmissions() {
        let mut r = rng();
        let mut m = Transmitter::oqpsk_2g4();
        let mut now = expect_timer(m.request(0, 1, true, CsmaParams::default(), &mut r));
        let mut sends = 0;
        loop {
            assert_eq!(m.timer_fired(now, &mut r), MacOutput::Cca);
            assert_eq!(m.cca_done(now, true, &mut r), MacOutput::Transmit);
            sends += 1;
            now = expect_timer(m.transmit_done(now));
            match m.timer_fired(now, &mut r) {
                MacOutput::SetTimer(t) => now = t,
                MacOutput::Confirm {
                    status, attempts, ..
                } => {
                    assert_eq!(status, TxStatus::NoAck);
                    assert_eq!(attempts, 4);
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sends, 4);
    }

    #[test]
    fn channel_access_failure_after_five_busy_ccas() {
        let mut r = rng();
        let mut m = Transmitter::oqpsk_2g4();
        let mut now = expect_timer(m.request(0, 1, false, CsmaParams::default(), &mut r));
        for i in 0..5 {
            assert_eq!(m.timer_fired(now, &mut r), MacOutput::Cca);
            match m.cca_done(now, false, &mut r) {
                MacOutput::SetTimer(t) => {
                    assert!(i < 4);
                    now = t;
                }
                MacOutput::Confirm {
                    status, busy_ccas, ..
                } => {
                    assert_eq!(i, 4);
                    assert_eq!(status, TxStatus::ChannelAccessFailure);
                    assert_eq!(busy_ccas, 5);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn unacked_frame_confirms_at_end() {
        let mut r = rng();
        let mut m = Transmitter::oqpsk_2g4();
        let t = expect_timer(m.request(0, 1, false, CsmaParams::default(), &mut r));
        m.timer_fired(t, &mut r);
        m.cca_done(t, true, &mut r);
        assert!(matches!(
            m.transmit_done(t + 1),
            MacOutput::Confirm {
                status: TxStatus::Success { .. },
                ..
            }
        ));
    }

    #[test]
    fn peek_matches_parse() {
        let f = MacFrame::data(
            0x42,
            0x1234,
            Address::Short(0x0001),
            Address::Short(0x0002),
            vec![1, 2, 3],
        );
        let p = HeaderPeek::read(&f.emit_with_fcs()).unwrap();
        assert_eq!(p.frame_type, FrameType::Data);
        assert!(p.ack_request && !p.frame_pending);
        assert_eq!(
            (p.seq, p.dst_pan, p.dst),
            (Some(0x42), Some(0x1234), Address::Short(1))
        );
        let a = HeaderPeek::read(&MacFrame::ack(7, true).emit_with_fcs()).unwrap();
        assert_eq!(a.frame_type, FrameType::Ack);
        assert!(a.frame_pending);
        assert_eq!(a.seq, Some(7));
        assert_eq!(HeaderPeek::read(&[0x41]), None);
        // Compressed: the source PAN ID is the destination's, not on the air.
        assert_eq!(p.src_pan, None);
        // A beacon: no destination, source PAN 0x1234 (frame control 0x8000).
        let b = crate::mac::beacon_response::beacon_frame(
            7,
            0x1234,
            Address::Short(0),
            true,
            true,
            vec![],
        );
        let p = HeaderPeek::read(&b.emit_with_fcs()).unwrap();
        assert_eq!(
            (p.dst_pan, p.dst, p.src_pan),
            (None, Address::None, Some(0x1234))
        );
    }

    #[test]
    fn duplicates_rejected_per_source() {
        let mut d = DuplicateFilter::default();
        assert!(!d.is_duplicate(Address::Short(1), 5));
        assert!(d.is_duplicate(Address::Short(1), 5));
        assert!(!d.is_duplicate(Address::Short(2), 5));
        assert!(!d.is_duplicate(Address::Short(1), 6));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100_000))]
        #[test]
        fn peek_never_panics(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)) {
            let _ = HeaderPeek::read(&b);
        }
    }
}
