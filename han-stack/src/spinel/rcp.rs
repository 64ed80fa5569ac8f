//! The property side of an emulated OpenThread RCP, sans-IO: answers a
//! host's gets, sets, inserts and removes, hands transmit requests out, and
//! keeps the source-match tables that decide frame pending in acknowledgements
//! (OpenThread `ncp_base_radio.cpp` behaviour, Spinel draft section 5).

use std::collections::BTreeSet;

use super::frame::{Command, Header, SpinelFrame};
use super::property::{PropId, Property, Status};
use super::stream::{RxFrame, TxRequest};

/// Spinel protocol version an RCP reports (OpenThread: 4.3).
pub const PROTOCOL_VERSION: (u32, u32) = (4, 3);
/// Capabilities (`spinel.h` `SPINEL_CAP_*`): WRITABLE_RAW_STREAM (8), CONFIG_RADIO
/// (CONFIG__BEGIN 32 + 2 = 34), MAC_RAW (OPENTHREAD__BEGIN 512 + 1 = 513).
pub const CAPS: [u32; 3] = [8, 34, 513];
/// The capability a raw radio must have: `SPINEL_CAP_MAC_RAW`.
pub const CAP_MAC_RAW: u32 = 513;
/// RCP API version reported (OpenThread's `SPINEL_RCP_API_VERSION` at the time of
/// zigbee-on-host 0.3.0, which checks it at start).
pub const RCP_API_VERSION: u32 = 11;
/// Oldest host API version accepted (OpenThread's `SPINEL_MIN_HOST_SUPPORTED_RCP_API_VERSION`
/// counterpart on the RCP side).
pub const RCP_MIN_HOST_API_VERSION: u32 = 4;

/// What the RCP does with one host frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcpOutput {
    /// Send this frame back to the host.
    Reply(SpinelFrame),
    /// Transmit this frame; answer later with [`RcpState::tx_done`] using `header`.
    Transmit {
        /// The request's header, for the transmit-done answer.
        header: Header,
        /// The frame and its parameters.
        request: TxRequest,
    },
    /// Nothing to answer (a frame from radio to host sent the wrong way).
    Ignore,
}

/// The radio's settable state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcpState {
    /// Factory EUI-64, print order.
    pub eui64: [u8; 8],
    /// NCP version string.
    pub ncp_version: String,
    /// Radio on.
    pub enabled: bool,
    /// Channel.
    pub channel: u8,
    /// Transmit power, dBm.
    pub tx_power: i8,
    /// Energy-detect CCA threshold, dBm.
    pub cca_threshold: i8,
    /// Receiver on between transmissions.
    pub rx_on_when_idle: bool,
    /// Receive sensitivity, dBm.
    pub rx_sensitivity: i8,
    /// Last measured RSSI, dBm.
    pub rssi: i8,
    /// Extended address the radio acknowledges for.
    pub ext_addr: [u8; 8],
    /// Short address the radio acknowledges for.
    pub short_addr: u16,
    /// PAN identifier.
    pub pan_id: u16,
    /// Received frames are streamed to the host.
    pub raw_stream: bool,
    /// Promiscuous mode.
    pub promiscuous: u8,
    /// Source match on (otherwise every acknowledgement sets frame pending).
    pub src_match_enabled: bool,
    /// Short addresses with pending data.
    pub src_match_short: BTreeSet<u16>,
    /// Extended addresses with pending data, bytes as the host sent them.
    pub src_match_ext: BTreeSet<[u8; 8]>,
}

impl RcpState {
    /// A radio after power-on (channel 11, 0 dBm, -100 dBm sensitivity, everything else off).
    pub fn new(eui64: [u8; 8], ncp_version: impl Into<String>) -> Self {
        RcpState {
            eui64,
            ncp_version: ncp_version.into(),
            enabled: false,
            channel: 11,
            tx_power: 0,
            cca_threshold: -75,
            rx_on_when_idle: true,
            rx_sensitivity: -100,
            rssi: -127,
            ext_addr: eui64,
            short_addr: 0xFFFE,
            pan_id: 0xFFFF,
            raw_stream: false,
            promiscuous: 0,
            src_match_enabled: false,
            src_match_short: BTreeSet::new(),
            src_match_ext: BTreeSet::new(),
        }
    }

    /// The unsolicited frame announcing a reset (TID 0).
    pub fn reset_notification(&self) -> SpinelFrame {
        is(
            Header::new(0, 0),
            Property::LastStatus(Status::ResetSoftware, vec![]),
        )
    }

    /// Handle one frame from the host.
    pub fn handle(&mut self, f: &SpinelFrame) -> RcpOutput {
        let h = f.header;
        let reply = match &f.command {
            Command::Noop => status(h, Status::Ok),
            Command::Reset(_) => {
                *self = RcpState::new(self.eui64, core::mem::take(&mut self.ncp_version));
                self.reset_notification()
            }
            Command::PropValueGet(id) => match self.get(*id) {
                Some(p) => is(h, p),
                None => status(h, Status::PropNotFound),
            },
            Command::PropValueSet(Property::StreamRawTx(request)) => {
                return RcpOutput::Transmit {
                    header: h,
                    request: request.clone(),
                };
            }
            Command::PropValueSet(p) => match self.set(p) {
                Ok(()) => match self.get(p.id()) {
                    Some(v) => is(h, v),
                    None => status(h, Status::PropNotFound),
                },
                Err(s) => status(h, s),
            },
            Command::PropValueInsert(p) | Command::PropValueRemove(p) => {
                let insert = matches!(f.command, Command::PropValueInsert(_));
                match self.change_list(p, insert) {
                    Ok(()) if insert => frame(h, Command::PropValueInserted(p.clone())),
                    Ok(()) => frame(h, Command::PropValueRemoved(p.clone())),
                    Err(s) => status(h, s),
                }
            }
            Command::Unknown(..) => status(h, Status::InvalidCommand),
            Command::PropValueIs(_)
            | Command::PropValueInserted(_)
            | Command::PropValueRemoved(_) => {
                return RcpOutput::Ignore;
            }
        };
        RcpOutput::Reply(reply)
    }

    /// The transmit-done answer to a [`RcpOutput::Transmit`]: the status, then (as
    /// OpenThread's RCP sends it, `ncp_base_radio.cpp`) the ACK's frame-pending bit, a
    /// "header updated" flag (never: han does not secure frames for the host) and, when
    /// acknowledged, the ACK as a raw frame with its metadata.
    pub fn tx_done(header: Header, result: Status, ack: Option<&RxFrame>) -> SpinelFrame {
        let mut rest = crate::wire::Writer::new();
        let pending = ack.is_some_and(|a| a.psdu.first().is_some_and(|fc| fc & 0x10 != 0));
        rest.u8(u8::from(pending));
        rest.u8(0);
        if let Some(a) = ack {
            use crate::wire::Wire;
            a.emit(&mut rest);
        }
        is(
            header,
            Property::LastStatus(result, rest.as_slice().to_vec()),
        )
    }

    /// A received frame for the host, when the radio is on and streaming.
    pub fn received(&self, rx: RxFrame) -> Option<SpinelFrame> {
        (self.enabled && self.raw_stream).then(|| is(Header::new(0, 0), Property::StreamRawRx(rx)))
    }

    /// Frame pending for an acknowledgement to a short source address.
    pub fn frame_pending_short(&self, src: u16) -> bool {
        !self.src_match_enabled || self.src_match_short.contains(&src)
    }

    /// Frame pending for an acknowledgement to an extended source address (bytes as the host sent them).
    pub fn frame_pending_ext(&self, src: &[u8; 8]) -> bool {
        !self.src_match_enabled || self.src_match_ext.contains(src)
    }

    fn get(&self, id: PropId) -> Option<Property> {
        Some(match id {
            PropId::LastStatus => Property::LastStatus(Status::Ok, vec![]),
            PropId::ProtocolVersion => {
                Property::ProtocolVersion(PROTOCOL_VERSION.0, PROTOCOL_VERSION.1)
            }
            PropId::NcpVersion => Property::NcpVersion(self.ncp_version.clone()),
            PropId::InterfaceType => Property::InterfaceType(3),
            PropId::RcpApiVersion => Property::RcpApiVersion(RCP_API_VERSION),
            PropId::RcpMinHostApiVersion => {
                Property::RcpMinHostApiVersion(RCP_MIN_HOST_API_VERSION)
            }
            PropId::Caps => Property::Caps(CAPS.to_vec()),
            PropId::HwAddr => Property::HwAddr(self.eui64),
            PropId::PhyEnabled => Property::PhyEnabled(self.enabled),
            PropId::PhyChan => Property::PhyChan(self.channel),
            PropId::PhyTxPower => Property::PhyTxPower(self.tx_power),
            PropId::PhyCcaThreshold => Property::PhyCcaThreshold(self.cca_threshold),
            PropId::MacRxOnWhenIdle => Property::MacRxOnWhenIdle(self.rx_on_when_idle),
            PropId::MacScanState => Property::MacScanState(0),
            PropId::PhyRssi => Property::PhyRssi(self.rssi),
            PropId::PhyRxSensitivity => Property::PhyRxSensitivity(self.rx_sensitivity),
            PropId::MacLongAddr => Property::MacLongAddr(self.ext_addr),
            PropId::MacShortAddr => Property::MacShortAddr(self.short_addr),
            PropId::MacPanId => Property::MacPanId(self.pan_id),
            PropId::MacRawStreamEnabled => Property::MacRawStreamEnabled(self.raw_stream),
            PropId::MacPromiscuousMode => Property::MacPromiscuousMode(self.promiscuous),
            PropId::MacSrcMatchEnabled => Property::MacSrcMatchEnabled(self.src_match_enabled),
            PropId::MacSrcMatchShortAddresses => {
                Property::MacSrcMatchShortAddresses(self.src_match_short.iter().copied().collect())
            }
            PropId::MacSrcMatchExtendedAddresses => {
                Property::MacSrcMatchExtendedAddresses(self.src_match_ext.iter().copied().collect())
            }
            PropId::StreamRaw | PropId::Unknown(_) => return None,
        })
    }

    fn set(&mut self, p: &Property) -> Result<(), Status> {
        match p {
            Property::PhyEnabled(v) => self.enabled = *v,
            Property::PhyChan(v) if (11..=26).contains(v) => self.channel = *v,
            Property::PhyChan(_) => return Err(Status::InvalidArgument),
            Property::PhyTxPower(v) => self.tx_power = *v,
            Property::PhyCcaThreshold(v) => self.cca_threshold = *v,
            Property::MacRxOnWhenIdle(v) => self.rx_on_when_idle = *v,
            // Only idle: an RCP's energy scan is not emulated.
            Property::MacScanState(0) => {}
            Property::MacScanState(_) => return Err(Status::Unimplemented),
            Property::MacLongAddr(v) => self.ext_addr = *v,
            Property::MacShortAddr(v) => self.short_addr = *v,
            Property::MacPanId(v) => self.pan_id = *v,
            Property::MacRawStreamEnabled(v) => self.raw_stream = *v,
            Property::MacPromiscuousMode(v) => self.promiscuous = *v,
            Property::MacSrcMatchEnabled(v) => self.src_match_enabled = *v,
            Property::MacSrcMatchShortAddresses(v) => {
                self.src_match_short = v.iter().copied().collect()
            }
            Property::MacSrcMatchExtendedAddresses(v) => {
                self.src_match_ext = v.iter().copied().collect()
            }
            Property::Unknown(..) => return Err(Status::PropNotFound),
            _ => return Err(Status::InvalidCommand),
        }
        Ok(())
    }

    fn change_list(&mut self, p: &Property, insert: bool) -> Result<(), Status> {
        let changed = match p {
            Property::MacSrcMatchShortAddresses(v) => v.iter().all(|a| {
                if insert {
                    self.src_match_short.insert(*a)
                } else {
                    self.src_match_short.remove(a)
                }
            }),
            Property::MacSrcMatchExtendedAddresses(v) => v.iter().all(|a| {
                if insert {
                    self.src_match_ext.insert(*a)
                } else {
                    self.src_match_ext.remove(a)
                }
            }),
            _ => return Err(Status::InvalidCommand),
        };
        // Inserting what is there is harmless; removing what is not is an error.
        if changed || insert {
            Ok(())
        } else {
            Err(Status::ItemNotFound)
        }
    }
}

fn frame(header: Header, command: Command) -> SpinelFrame {
    SpinelFrame { header, command }
}

fn is(header: Header, p: Property) -> SpinelFrame {
    frame(header, Command::PropValueIs(p))
}

fn status(header: Header, s: Status) -> SpinelFrame {
    is(header, Property::LastStatus(s, vec![]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Wire;
    use crate::spinel::hdlc;

    fn ask(rcp: &mut RcpState, tid: u8, command: Command) -> RcpOutput {
        // Through the bytes a host would send, to exercise the whole path.
        let f = frame(Header::new(0, tid), command);
        let payload = crate::spinel::HdlcDecoder::new().feed(&hdlc::encode(&f.to_bytes()));
        let f = SpinelFrame::from_bytes(payload[0].as_ref().unwrap()).unwrap();
        rcp.handle(&f)
    }

    fn reply(p: Property, tid: u8) -> RcpOutput {
        RcpOutput::Reply(is(Header::new(0, tid), p))
    }

    #[test]
    fn zigbee_on_host_reads_the_rcp_api_versions() {
        // zigbee-on-host's start(): GET RCP_API_VERSION (176, packed B0 01) with TID 4, then
        // RCP_MIN_HOST_API_VERSION (177); each answered with the same TID.
        let mut rcp = RcpState::new([0; 8], "han-rcp/0.1");
        for (prop, value) in [(0xB0, RCP_API_VERSION), (0xB1, RCP_MIN_HOST_API_VERSION)] {
            let get = SpinelFrame::from_bytes(&[0x84, 0x02, prop, 0x01]).unwrap();
            let RcpOutput::Reply(is) = rcp.handle(&get) else {
                panic!("no reply to {prop:#x}")
            };
            assert_eq!(is.to_bytes(), [0x84, 0x06, prop, 0x01, value as u8]);
        }
    }

    #[test]
    fn host_bring_up_sequence() {
        let mut rcp = RcpState::new([0, 0x0d, 0x6f, 0, 0x0a, 0x90, 0x1b, 0x42], "han-rcp/0.1");
        assert_eq!(
            ask(&mut rcp, 1, Command::Reset(None)),
            RcpOutput::Reply(rcp.reset_notification())
        );
        assert_eq!(
            ask(&mut rcp, 2, Command::PropValueGet(PropId::ProtocolVersion)),
            reply(Property::ProtocolVersion(4, 3), 2)
        );
        assert_eq!(
            ask(&mut rcp, 3, Command::PropValueGet(PropId::Caps)),
            reply(Property::Caps(CAPS.to_vec()), 3)
        );
        assert_eq!(
            ask(&mut rcp, 4, Command::PropValueSet(Property::PhyChan(15))),
            reply(Property::PhyChan(15), 4)
        );
        assert_eq!(
            ask(&mut rcp, 5, Command::PropValueSet(Property::PhyChan(27))),
            reply(Property::LastStatus(Status::InvalidArgument, vec![]), 5)
        );
        assert_eq!(rcp.channel, 15);
        assert!(
            rcp.received(RxFrame {
                psdu: vec![2, 0, 1],
                meta: None
            })
            .is_none()
        );
        ask(
            &mut rcp,
            6,
            Command::PropValueSet(Property::PhyEnabled(true)),
        );
        ask(
            &mut rcp,
            7,
            Command::PropValueSet(Property::MacRawStreamEnabled(true)),
        );
        assert!(
            rcp.received(RxFrame {
                psdu: vec![2, 0, 1],
                meta: None
            })
            .is_some()
        );
        assert_eq!(
            ask(&mut rcp, 8, Command::PropValueGet(PropId::Unknown(0x4242))),
            reply(Property::LastStatus(Status::PropNotFound, vec![]), 8)
        );
    }

    #[test]
    fn source_match_decides_frame_pending() {
        let mut rcp = RcpState::new([1; 8], "v");
        assert!(rcp.frame_pending_short(0x1234));
        ask(
            &mut rcp,
            1,
            Command::PropValueSet(Property::MacSrcMatchEnabled(true)),
        );
        assert!(!rcp.frame_pending_short(0x1234));
        let ins = Property::MacSrcMatchShortAddresses(vec![0x1234]);
        assert_eq!(
            ask(&mut rcp, 2, Command::PropValueInsert(ins.clone())),
            RcpOutput::Reply(frame(
                Header::new(0, 2),
                Command::PropValueInserted(ins.clone())
            ))
        );
        assert!(rcp.frame_pending_short(0x1234));
        ask(&mut rcp, 3, Command::PropValueRemove(ins.clone()));
        assert!(!rcp.frame_pending_short(0x1234));
        assert_eq!(
            ask(&mut rcp, 4, Command::PropValueRemove(ins)),
            reply(Property::LastStatus(Status::ItemNotFound, vec![]), 4)
        );
        ask(
            &mut rcp,
            5,
            Command::PropValueInsert(Property::MacSrcMatchExtendedAddresses(vec![[7; 8]])),
        );
        assert!(rcp.frame_pending_ext(&[7; 8]));
        assert!(!rcp.frame_pending_ext(&[8; 8]));
    }

    #[test]
    fn transmit_is_handed_out_and_answered_with_its_tid() {
        let mut rcp = RcpState::new([1; 8], "v");
        let request = TxRequest {
            psdu: vec![0x41, 0x88, 0, 0, 0],
            params: None,
        };
        let out = ask(
            &mut rcp,
            9,
            Command::PropValueSet(Property::StreamRawTx(request.clone())),
        );
        assert_eq!(
            out,
            RcpOutput::Transmit {
                header: Header::new(0, 9),
                request
            }
        );
        let done = RcpState::tx_done(Header::new(0, 9), Status::NoAck, None);
        // Status, frame pending, header updated.
        assert_eq!(done.to_bytes(), [0x89, 0x06, 0x00, 17, 0, 0]);
        let ack = RxFrame {
            psdu: vec![0x12, 0x00, 0x2A, 0xAA, 0xBB],
            meta: None,
        };
        let done = RcpState::tx_done(Header::new(0, 9), Status::Ok, Some(&ack));
        assert_eq!(
            done.to_bytes(),
            [
                0x89, 0x06, 0x00, 0, 1, 0, 5, 0, 0x12, 0x00, 0x2A, 0xAA, 0xBB
            ]
        );
    }
}
