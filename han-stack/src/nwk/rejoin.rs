//! The rejoining device's side of NWK rejoin (Zigbee PRO R22 3.6.1.4.2), sans-IO: an
//! active scan of its channel for a parent in its extended PAN ID, the Rejoin Request to
//! it (secured with the network key for a secure rejoin, unsecured for a trust-centre
//! rejoin: the caller builds and secures the NWK frame), macResponseWaitTime, and for a
//! device with its receiver off when idle the Data Request that fetches the Rejoin
//! Response its parent holds for it. The Rejoin Response (3.4.7) gives the address.
//!
//! MAC frames use the device's old short address (the NWK header carries its EUI-64):
//! Wireshark's Zigbee heuristic takes only 16-bit MAC addresses on NWK data frames.
//!
//! Like [`crate::mac::associate::Associator`], the caller feeds transmit confirmations,
//! timer expiries, beacons and the decoded response, and carries out the [`RejoinStep`]s.
//! Times are in nanoseconds.

use super::command::{NwkCommand, RejoinResponse};
use super::header::{NwkFrameType, NwkHeader};
use crate::mac::engine::TxStatus;
use crate::mac::exchange::{Exchange, ExchangeFailure, ExchangeParams, ExchangeStep};
use crate::mac::scan::PanDescriptor;
use crate::mac::{Address, AssociationStatus, CapabilityInfo, MacFrame};
use crate::wire::ExtAddr;

/// How the rejoin is secured (Zigbee PRO R22 4.6.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejoinMode {
    /// Rejoin Request and Response secured with the current network key.
    Secure,
    /// Trust-centre rejoin: both unsecured; the trust centre then sends the current
    /// network key in a Transport Key under the device's link key.
    TrustCentre,
}

/// What the rejoining device is and where it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejoinParams {
    /// The device's EUI-64.
    pub ext_addr: ExtAddr,
    /// Its NWK address before it lost its parent (the request's NWK source).
    pub short_addr: u16,
    /// Channels to scan (its own channel first).
    pub channels: Vec<u8>,
    /// Scan duration exponent.
    pub scan_exponent: u8,
    /// Symbol period of the PHY.
    pub symbol_ns: u64,
    /// Capability information (the Rejoin Request's payload).
    pub capabilities: CapabilityInfo,
    /// Its network's extended PAN ID.
    pub extended_pan_id: ExtAddr,
    /// Secure or trust-centre rejoin.
    pub mode: RejoinMode,
}

/// How a rejoin attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejoinOutcome {
    /// The parent took the device back with `short_addr`.
    Rejoined {
        /// The new parent.
        parent: PanDescriptor,
        /// The device's NWK address from the response.
        short_addr: u16,
    },
    /// The parent refused.
    Denied(AssociationStatus),
    /// No beacon from a router of the network.
    NoBeacon,
    /// The Rejoin Request or the Data Request was not acknowledged.
    NoAck,
    /// The channel was too busy.
    ChannelAccessFailure,
    /// No Rejoin Response came.
    NoResponse,
}

impl RejoinOutcome {
    /// A name for statistics (the NLME status where there is one).
    pub fn name(&self, mode: RejoinMode) -> &'static str {
        match (self, mode) {
            (RejoinOutcome::Rejoined { .. }, RejoinMode::Secure) => "SECURE_REJOIN",
            (RejoinOutcome::Rejoined { .. }, RejoinMode::TrustCentre) => "TC_REJOIN",
            (RejoinOutcome::Denied(_), _) => "REJOIN_DENIED",
            (RejoinOutcome::NoBeacon, _) => "REJOIN_NO_BEACON",
            (RejoinOutcome::NoAck, _) => "REJOIN_NO_ACK",
            (RejoinOutcome::ChannelAccessFailure, _) => "REJOIN_CHANNEL_ACCESS_FAILURE",
            (RejoinOutcome::NoResponse, _) => "REJOIN_NO_RESPONSE",
        }
    }
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejoinStep {
    /// Tune the radio to this channel.
    SetChannel(u8),
    /// Filter on this PAN ID from now on.
    SetPan(u16),
    /// Send this MAC frame (Beacon Request, Data Request) and report its confirmation.
    TransmitMac(MacFrame),
    /// Send this Rejoin Request (secured per the mode) to `parent` over the MAC from the
    /// device's old short address, and report its confirmation.
    SendRequest {
        /// NWK header of the request.
        header: NwkHeader,
        /// The command.
        command: NwkCommand,
        /// MAC destination.
        parent: u16,
        /// MAC sequence number for the frame.
        mac_seq: u8,
    },
    /// Call [`Rejoiner::on_timer`] at this time (replaces any earlier one).
    SetTimer(u64),
    /// The attempt ended.
    Finished(RejoinOutcome),
}

/// The rejoining device's state machine.
#[derive(Debug, Clone)]
pub struct Rejoiner {
    params: RejoinParams,
    exchange: Exchange,
    nwk_seq: u8,
}

impl Rejoiner {
    /// A device about to rejoin; `mac_seq` and `nwk_seq` are its next sequence numbers.
    pub fn new(params: RejoinParams, mac_seq: u8, nwk_seq: u8) -> Self {
        let exchange = Exchange::new(
            ExchangeParams {
                channels: params.channels.clone(),
                scan_exponent: params.scan_exponent,
                symbol_ns: params.symbol_ns,
                poll_src: Address::Short(params.short_addr),
                // Only a device with its receiver off when idle polls for its response.
                polls: !params
                    .capabilities
                    .contains(CapabilityInfo::RX_ON_WHEN_IDLE),
            },
            mac_seq,
        );
        Rejoiner {
            params,
            exchange,
            nwk_seq,
        }
    }

    /// The mode of this attempt.
    pub fn mode(&self) -> RejoinMode {
        self.params.mode
    }

    /// The next MAC sequence number (for the caller to continue from).
    pub fn seq(&self) -> u8 {
        self.exchange.seq()
    }

    /// An attempt is under way.
    pub fn is_active(&self) -> bool {
        self.exchange.is_active()
    }

    /// Begin: scan the first channel.
    pub fn start(&mut self) -> Vec<RejoinStep> {
        let steps = self.exchange.start();
        self.steps(steps)
    }

    fn steps(&mut self, steps: Vec<ExchangeStep>) -> Vec<RejoinStep> {
        let mut out = Vec::with_capacity(steps.len());
        for s in steps {
            match s {
                ExchangeStep::SetChannel(c) => out.push(RejoinStep::SetChannel(c)),
                ExchangeStep::SetPan(p) => out.push(RejoinStep::SetPan(p)),
                ExchangeStep::Transmit(f) => out.push(RejoinStep::TransmitMac(f)),
                ExchangeStep::SetTimer(t) => out.push(RejoinStep::SetTimer(t)),
                ExchangeStep::ScanComplete => out.extend(self.after_scan()),
                ExchangeStep::Failed(f) => out.push(RejoinStep::Finished(match f {
                    ExchangeFailure::NoAck => RejoinOutcome::NoAck,
                    ExchangeFailure::ChannelAccessFailure => RejoinOutcome::ChannelAccessFailure,
                    ExchangeFailure::NoResponse => RejoinOutcome::NoResponse,
                })),
            }
        }
        out
    }

    fn after_scan(&mut self) -> Vec<RejoinStep> {
        let as_router = self.params.capabilities.contains(CapabilityInfo::FFD);
        let Some(parent) = self
            .exchange
            .choose(as_router, Some(self.params.extended_pan_id))
        else {
            return self.finish(RejoinOutcome::NoBeacon);
        };
        let Address::Short(to) = parent.coordinator else {
            return self.finish(RejoinOutcome::NoBeacon);
        };
        self.exchange.requesting(parent);
        self.nwk_seq = self.nwk_seq.wrapping_add(1);
        // 3.4.6.2: radius 1, to the chosen parent, from the old address with the EUI-64.
        let header = NwkHeader::pro(
            NwkFrameType::Command,
            to,
            self.params.short_addr,
            1,
            self.nwk_seq,
        )
        .with_src64(self.params.ext_addr);
        vec![
            RejoinStep::SetChannel(parent.channel),
            RejoinStep::SetPan(parent.pan),
            RejoinStep::SendRequest {
                header,
                command: NwkCommand::RejoinRequest(self.params.capabilities),
                parent: to,
                mac_seq: self.exchange.next_seq(),
            },
        ]
    }

    fn finish(&mut self, outcome: RejoinOutcome) -> Vec<RejoinStep> {
        self.exchange.finish();
        vec![RejoinStep::Finished(outcome)]
    }

    /// A transmission it asked for was confirmed.
    pub fn on_transmit_done(&mut self, now: u64, status: TxStatus) -> Vec<RejoinStep> {
        let steps = self.exchange.on_transmit_done(now, status);
        self.steps(steps)
    }

    /// A timer set by a [`RejoinStep::SetTimer`] fired (replaced timers are ignored).
    pub fn on_timer(&mut self, now: u64) -> Vec<RejoinStep> {
        let steps = self.exchange.on_timer(now);
        self.steps(steps)
    }

    /// A beacon heard while scanning.
    pub fn on_beacon(&mut self, frame: &MacFrame, channel: u8, lqi: u8) {
        self.exchange.on_beacon(frame, channel, lqi);
    }

    /// A Rejoin Response addressed to this device (already opened by the caller), from
    /// NWK source `from`.
    pub fn on_response(&mut self, from: u16, r: RejoinResponse) -> Vec<RejoinStep> {
        let Some(p) = self.exchange.awaiting() else {
            return Vec::new();
        };
        if p.coordinator != Address::Short(from) {
            return Vec::new();
        }
        if r.status == AssociationStatus::Success {
            self.finish(RejoinOutcome::Rejoined {
                parent: p,
                short_addr: r.short_addr,
            })
        } else {
            let mut steps = vec![RejoinStep::SetPan(0xffff)];
            steps.extend(self.finish(RejoinOutcome::Denied(r.status)));
            steps
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::beacon_response::beacon_frame;
    use crate::mac::scan::tests::zigbee;
    use crate::mac::{MacCommand, MacPayload};
    use crate::nwk::NwkFlags;
    use crate::wire::Wire;

    const DEV: ExtAddr = ExtAddr(0x0d0e_0f10_1112_1314);
    const EPID: u64 = 0x0001_0203_0405_0607;

    fn params(sleepy: bool, mode: RejoinMode) -> RejoinParams {
        let mut caps = CapabilityInfo::ALLOCATE_ADDRESS;
        if !sleepy {
            caps |= CapabilityInfo::RX_ON_WHEN_IDLE;
        }
        RejoinParams {
            ext_addr: DEV,
            short_addr: 0x4b21,
            channels: vec![15],
            scan_exponent: 3,
            symbol_ns: 16_000,
            capabilities: caps,
            extended_pan_id: ExtAddr(EPID),
            mode,
        }
    }

    fn acked(pending: bool) -> TxStatus {
        TxStatus::Success {
            frame_pending: pending,
        }
    }

    fn beacon(from: u16, epid: u64) -> MacFrame {
        beacon_frame(
            9,
            0x1a62,
            Address::Short(from),
            from == 0,
            true,
            zigbee(epid, 1, true, true).to_bytes(),
        )
    }

    /// Scan with beacons from a router of our network (LQI 200), a better one of another
    /// network (LQI 250), returning the steps after the scan.
    fn scan(r: &mut Rejoiner) -> Vec<RejoinStep> {
        let s = r.start();
        assert_eq!(s[1], RejoinStep::SetChannel(15));
        assert!(matches!(&s[2], RejoinStep::TransmitMac(f) if f.to_bytes()[..2] == [0x03, 0x08]));
        assert_eq!(
            r.on_transmit_done(0, acked(false)),
            [RejoinStep::SetTimer(138_240_000)]
        );
        r.on_beacon(&beacon(0x2a3b, EPID), 15, 200);
        r.on_beacon(&beacon(0x0000, 0x99), 15, 250);
        r.on_timer(138_240_000)
    }

    #[test]
    fn rx_on_device_rejoins_with_a_request_from_its_old_address() {
        let mut r = Rejoiner::new(params(false, RejoinMode::Secure), 7, 0x10);
        let s = scan(&mut r);
        assert_eq!(
            s[..2],
            [RejoinStep::SetChannel(15), RejoinStep::SetPan(0x1a62)]
        );
        let RejoinStep::SendRequest {
            header,
            command,
            parent,
            mac_seq,
        } = &s[2]
        else {
            panic!("{s:?}")
        };
        assert_eq!((*parent, *mac_seq), (0x2a3b, 8));
        assert_eq!((header.dst, header.src, header.radius), (0x2a3b, 0x4b21, 1));
        assert_eq!(header.src64, Some(DEV));
        assert!(header.control.flags.contains(NwkFlags::EXT_SRC));
        // Rejoin Request: command 0x06, capability 0x88 (allocate address, rx on idle).
        assert_eq!(command.to_bytes(), [0x06, 0x88]);
        assert_eq!(
            r.on_transmit_done(1_000, acked(false)),
            [RejoinStep::SetTimer(1_000 + 491_520_000)]
        );
        // A response from someone else is ignored; the parent's gives the address.
        let ok = RejoinResponse {
            short_addr: 0x4b21,
            status: AssociationStatus::Success,
        };
        assert!(r.on_response(0x1111, ok).is_empty());
        let done = r.on_response(0x2a3b, ok);
        assert!(matches!(
            done[0],
            RejoinStep::Finished(RejoinOutcome::Rejoined {
                short_addr: 0x4b21,
                ..
            })
        ));
        assert!(!r.is_active());
        assert_eq!(r.seq(), 9);
    }

    #[test]
    fn sleepy_device_polls_for_the_response() {
        let mut r = Rejoiner::new(params(true, RejoinMode::TrustCentre), 0, 0);
        scan(&mut r);
        r.on_transmit_done(0, acked(false));
        let s = r.on_timer(491_520_000);
        let RejoinStep::TransmitMac(poll) = &s[0] else {
            panic!("{s:?}")
        };
        assert_eq!(poll.payload, MacPayload::Command(MacCommand::DataRequest));
        assert_eq!(poll.src, Address::Short(0x4b21));
        assert_eq!(poll.dst, Address::Short(0x2a3b));
        // Acked without pending data: no response waits.
        assert_eq!(
            r.on_transmit_done(500_000_000, acked(false)),
            [RejoinStep::Finished(RejoinOutcome::NoResponse)]
        );
        assert_eq!(
            RejoinOutcome::NoResponse.name(r.mode()),
            "REJOIN_NO_RESPONSE"
        );
    }

    #[test]
    fn failures_end_the_attempt() {
        // Only another network's beacon: nothing to rejoin.
        let mut r = Rejoiner::new(params(false, RejoinMode::Secure), 0, 0);
        r.start();
        r.on_transmit_done(0, acked(false));
        r.on_beacon(&beacon(0, 0x99), 15, 250);
        assert_eq!(
            r.on_timer(138_240_000),
            [RejoinStep::Finished(RejoinOutcome::NoBeacon)]
        );
        // The request not acknowledged.
        let mut r = Rejoiner::new(params(false, RejoinMode::Secure), 0, 0);
        scan(&mut r);
        assert_eq!(
            r.on_transmit_done(0, TxStatus::NoAck),
            [RejoinStep::Finished(RejoinOutcome::NoAck)]
        );
        // No response in time (rx on: no poll).
        let mut r = Rejoiner::new(params(false, RejoinMode::Secure), 0, 0);
        scan(&mut r);
        r.on_transmit_done(0, acked(false));
        assert_eq!(
            r.on_timer(491_520_000),
            [RejoinStep::Finished(RejoinOutcome::NoResponse)]
        );
        // Refused.
        let mut r = Rejoiner::new(params(false, RejoinMode::TrustCentre), 0, 0);
        scan(&mut r);
        r.on_transmit_done(0, acked(false));
        let denied = RejoinResponse {
            short_addr: 0xffff,
            status: AssociationStatus::PanAccessDenied,
        };
        assert_eq!(
            r.on_response(0x2a3b, denied),
            [
                RejoinStep::SetPan(0xffff),
                RejoinStep::Finished(RejoinOutcome::Denied(AssociationStatus::PanAccessDenied))
            ]
        );
        // Late timers and frames are ignored once done.
        assert!(r.on_timer(u64::MAX).is_empty());
        assert!(r.on_response(0x2a3b, denied).is_empty());
    }
}
