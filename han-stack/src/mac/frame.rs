//! The general MAC frame (IEEE 802.15.4-2015 7.2): MAC header, payload, and FCS.
//!
//! `| FCF 2 | [seq 1] | [dst PAN 2] | [dst 2/8] | [src PAN 2] | [src 2/8] | [aux security] | [header IEs] | payload |`

use crate::error::{Error, Result};
use crate::mac::address::{AddrMode, Address};
use crate::mac::beacon::Beacon;
use crate::mac::command::MacCommand;
use crate::mac::control::{FrameFlags, FrameType, FrameVersion};
use crate::mac::fcs::fcs;
use crate::mac::security::MacSecurityHeader;
use crate::wire::{Reader, Wire, Writer};

/// Frame control bits that [`FrameFlags`] carries for general-layout frames.
const FLAG_BITS: u16 = 0x03f8;
/// Frame control bits holding the frame type and version.
const TYPE_VERSION_BITS: u16 = 0x3007;

/// Header IE element IDs that end the header IE list (IEEE 802.15.4-2015 7.4.2.18/19).
const HEADER_TERMINATION_1: u8 = 0x7e;
const HEADER_TERMINATION_2: u8 = 0x7f;

/// What follows the MAC header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MacPayload {
    /// Beacon frame fields and beacon payload.
    Beacon(Beacon),
    /// Data frame payload (the Zigbee NWK frame).
    Data(Vec<u8>),
    /// Acknowledgment payload (empty for an immediate ack).
    Ack(Vec<u8>),
    /// A MAC command.
    Command(MacCommand),
    /// A secured command frame: the command identifier stays in clear and the
    /// rest is private payload and MIC (IEEE 802.15.4-2006 7.5.8.2.3).
    SecuredCommand {
        /// Command identifier.
        id: u8,
        /// Encrypted command fields followed by the MIC.
        payload: Vec<u8>,
    },
    /// Any other frame with security enabled: ciphertext and MIC, kept opaque.
    Secured(Vec<u8>),
    /// A 2015 enhanced beacon: payload IEs and beacon payload, kept raw
    /// (it has no superframe, GTS or pending address fields).
    EnhancedBeacon(Vec<u8>),
    /// Everything after the frame control of a frame type without the general layout.
    Other(Vec<u8>),
}

impl MacPayload {
    fn emit(&self, w: &mut Writer) {
        match self {
            MacPayload::Beacon(b) => b.emit(w),
            MacPayload::Command(c) => c.emit(w),
            MacPayload::SecuredCommand { id, payload } => {
                w.u8(*id);
                w.bytes(payload);
            }
            MacPayload::Data(p)
            | MacPayload::Ack(p)
            | MacPayload::Secured(p)
            | MacPayload::EnhancedBeacon(p)
            | MacPayload::Other(p) => w.bytes(p),
        }
    }
}

/// A MAC frame (MPDU) without its FCS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacFrame {
    /// Frame type.
    pub frame_type: FrameType,
    /// Frame control flags.
    pub flags: FrameFlags,
    /// Frame version.
    pub version: FrameVersion,
    /// Sequence number, absent when suppressed (2015).
    pub seq: Option<u8>,
    /// Destination PAN ID.
    pub dst_pan: Option<u16>,
    /// Destination address.
    pub dst: Address,
    /// Source PAN ID.
    pub src_pan: Option<u16>,
    /// Source address.
    pub src: Address,
    /// Auxiliary security header, present when security is enabled (2006 and later).
    pub aux_security: Option<MacSecurityHeader>,
    /// Raw header IEs including the termination IE, when IEs are present (2015).
    pub header_ies: Vec<u8>,
    /// Payload.
    pub payload: MacPayload,
}

/// Which PAN IDs are present: (destination, source).
///
/// 2003/2006: a PAN ID is present with its address, except that compression
/// drops the source PAN ID when both addresses are present (IEEE 802.15.4-2006
/// 7.2.1.1.5). 2015: IEEE 802.15.4-2015 Table 7-2.
pub fn pan_id_presence(
    version: FrameVersion,
    dst: AddrMode,
    src: AddrMode,
    compression: bool,
) -> (bool, bool) {
    let has_dst = dst != AddrMode::None;
    let has_src = src != AddrMode::None;
    if version != FrameVersion::V2015 {
        return (has_dst, has_src && !(compression && has_dst));
    }
    match (dst, src, compression) {
        (AddrMode::None, AddrMode::None, c) => (c, false),
        (_, AddrMode::None, c) => (!c, false),
        (AddrMode::None, _, c) => (false, !c),
        (AddrMode::Extended, AddrMode::Extended, c) => (!c, false),
        (_, _, c) => (true, !c),
    }
}

impl MacFrame {
    /// The 16-bit frame control field this frame emits.
    pub fn frame_control(&self) -> u16 {
        let tv = u16::from(self.frame_type.bits()) | u16::from(self.version.bits()) << 12;
        if !self.frame_type.has_general_layout() {
            return tv | (self.flags.bits() & !TYPE_VERSION_BITS);
        }
        tv | (self.flags.bits() & FLAG_BITS)
            | u16::from(self.dst.mode().bits()) << 10
            | u16::from(self.src.mode().bits()) << 14
    }

    /// A Zigbee-style intra-PAN data frame (2003, PAN ID compression, frame
    /// control 0x8841/0x8861 for short addresses); acks are requested unless
    /// the destination is the broadcast address.
    pub fn data(seq: u8, pan: u16, dst: Address, src: Address, payload: Vec<u8>) -> Self {
        let mut flags = FrameFlags::PAN_ID_COMPRESSION;
        if dst != Address::BROADCAST {
            flags |= FrameFlags::ACK_REQUEST;
        }
        MacFrame {
            frame_type: FrameType::Data,
            flags,
            version: FrameVersion::V2003,
            seq: Some(seq),
            dst_pan: Some(pan),
            dst,
            src_pan: None,
            src,
            aux_security: None,
            header_ies: Vec::new(),
            payload: MacPayload::Data(payload),
        }
    }

    /// An immediate acknowledgment (2003, frame control 0x0002 or 0x0012 with frame pending).
    pub fn ack(seq: u8, frame_pending: bool) -> Self {
        let flags = if frame_pending {
            FrameFlags::FRAME_PENDING
        } else {
            FrameFlags::empty()
        };
        MacFrame::unaddressed(
            FrameType::Ack,
            flags,
            FrameVersion::V2003,
            Some(seq),
            MacPayload::Ack(Vec::new()),
        )
    }

    /// A frame without addressing, security or IEs: an acknowledgment, or a
    /// frame type this codec keeps opaque.
    fn unaddressed(
        frame_type: FrameType,
        flags: FrameFlags,
        version: FrameVersion,
        seq: Option<u8>,
        payload: MacPayload,
    ) -> Self {
        MacFrame {
            frame_type,
            flags,
            version,
            seq,
            dst_pan: None,
            dst: Address::None,
            src_pan: None,
            src: Address::None,
            aux_security: None,
            header_ies: Vec::new(),
            payload,
        }
    }

    /// The frame's name as tshark's Info column starts ("Enhanced Beacon" for 2015 beacons).
    pub fn name(&self) -> &'static str {
        if self.frame_type == FrameType::Beacon && self.version == FrameVersion::V2015 {
            "Enhanced Beacon"
        } else {
            self.frame_type.name()
        }
    }

    /// Decode an MPDU whose last two bytes are the FCS: the frame, the FCS
    /// as received, and whether it matches the computed one.
    pub fn parse_with_fcs(bytes: &[u8]) -> Result<(MacFrame, u16, bool)> {
        let Some((body, tail)) = bytes.split_last_chunk::<2>() else {
            return Err(Error::Truncated {
                what: "MAC frame with FCS",
                offset: 0,
                needed: 2,
                available: bytes.len(),
            });
        };
        let on_air = u16::from_le_bytes(*tail);
        let frame = MacFrame::from_bytes(body)?;
        Ok((frame, on_air, fcs(body) == on_air))
    }

    /// Encode the frame and append its FCS.
    pub fn emit_with_fcs(&self) -> Vec<u8> {
        let mut v = self.to_bytes();
        let f = fcs(&v);
        v.extend_from_slice(&f.to_le_bytes());
        v
    }

    fn has_aux_security(&self) -> bool {
        self.flags.contains(FrameFlags::SECURITY) && self.version != FrameVersion::V2003
    }

    fn is_2015(&self) -> bool {
        self.version == FrameVersion::V2015
    }
}

/// Step over header IEs up to and including a termination IE, or to the end.
/// Returns whether payload IEs follow (the list ended with HT1).
pub(crate) fn skip_header_ies(r: &mut Reader<'_>) -> Result<bool> {
    while !r.is_empty() {
        let descriptor = r.u16("header IE descriptor")?;
        let len = usize::from(descriptor & 0x7f);
        let id = ((descriptor >> 7) & 0xff) as u8;
        r.bytes(len, "header IE content")?;
        if id == HEADER_TERMINATION_1 || id == HEADER_TERMINATION_2 {
            return Ok(id == HEADER_TERMINATION_1);
        }
    }
    Ok(false)
}

/// Read header IEs: the raw IEs and whether payload IEs follow.
fn parse_header_ies(r: &mut Reader<'_>) -> Result<(Vec<u8>, bool)> {
    let all = r.peek_rest();
    let start = r.position();
    let payload_ies = skip_header_ies(r)?;
    let used = r.position() - start;
    Ok((all.get(..used).unwrap_or_default().to_vec(), payload_ies))
}

/// How the bytes after the MAC header decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    Beacon,
    EnhancedBeacon,
    Command,
    SecuredCommand,
    Secured,
    Ack,
    Data,
    Opaque,
}

/// Choose the payload decoding for a general-layout frame.
fn payload_kind(
    frame_type: FrameType,
    version: FrameVersion,
    flags: FrameFlags,
    payload_ies: bool,
) -> PayloadKind {
    let secured = flags.contains(FrameFlags::SECURITY);
    match frame_type {
        // The command identifier stays in clear (IEEE 802.15.4-2006 7.5.8.2.3),
        // unless payload IEs come first.
        FrameType::Command if secured && version != FrameVersion::V2003 && !payload_ies => {
            PayloadKind::SecuredCommand
        }
        _ if secured => PayloadKind::Secured,
        // IEEE 802.15.4-2015 7.3.1.1: no superframe, GTS or pending fields.
        FrameType::Beacon if version == FrameVersion::V2015 => PayloadKind::EnhancedBeacon,
        FrameType::Beacon => PayloadKind::Beacon,
        // Payload IEs before the command identifier are not decoded.
        FrameType::Command if payload_ies => PayloadKind::Opaque,
        FrameType::Command => PayloadKind::Command,
        FrameType::Ack => PayloadKind::Ack,
        _ => PayloadKind::Data,
    }
}

impl Wire for MacFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let fcf_offset = r.offset();
        let fcf = r.u16("frame control")?;
        let frame_type = FrameType::from_bits((fcf & 7) as u8);
        let version = FrameVersion::from_bits(((fcf >> 12) & 3) as u8);
        if !frame_type.has_general_layout() {
            return Ok(MacFrame::unaddressed(
                frame_type,
                FrameFlags::from_bits_retain(fcf & !TYPE_VERSION_BITS),
                version,
                None,
                MacPayload::Other(r.rest().to_vec()),
            ));
        }
        let flags = FrameFlags::from_bits_retain(fcf & FLAG_BITS);
        let dst_mode = AddrMode::from_bits(((fcf >> 10) & 3) as u8);
        let src_mode = AddrMode::from_bits(((fcf >> 14) & 3) as u8);
        if dst_mode == AddrMode::Reserved || src_mode == AddrMode::Reserved {
            return Err(Error::Malformed {
                what: "frame control",
                offset: fcf_offset,
                reason: "reserved addressing mode 1".into(),
            });
        }
        let is_2015 = version == FrameVersion::V2015;
        // Sequence suppression and IEs are 2015 features; the bits are reserved before.
        let seq = if is_2015 && flags.contains(FrameFlags::SEQ_SUPPRESSION) {
            None
        } else {
            Some(r.u8("sequence number")?)
        };
        let (has_dst_pan, has_src_pan) = pan_id_presence(
            version,
            dst_mode,
            src_mode,
            flags.contains(FrameFlags::PAN_ID_COMPRESSION),
        );
        let dst_pan = if has_dst_pan {
            Some(r.u16("destination PAN")?)
        } else {
            None
        };
        let dst = Address::parse(r, dst_mode)?;
        let src_pan = if has_src_pan {
            Some(r.u16("source PAN")?)
        } else {
            None
        };
        let src = Address::parse(r, src_mode)?;
        let secured = flags.contains(FrameFlags::SECURITY);
        // 2003 security has no auxiliary header in the MHR; its fields stay in the opaque payload.
        let aux_security = if secured && version != FrameVersion::V2003 {
            Some(MacSecurityHeader::parse(r)?)
        } else {
            None
        };
        let (header_ies, payload_ies) = if is_2015 && flags.contains(FrameFlags::IE_PRESENT) {
            parse_header_ies(r)?
        } else {
            (Vec::new(), false)
        };
        let rest = |r: &mut Reader<'_>| r.rest().to_vec();
        let payload = match payload_kind(frame_type, version, flags, payload_ies) {
            PayloadKind::SecuredCommand => MacPayload::SecuredCommand {
                id: r.u8("command identifier")?,
                payload: rest(r),
            },
            PayloadKind::Secured => MacPayload::Secured(rest(r)),
            PayloadKind::EnhancedBeacon => MacPayload::EnhancedBeacon(rest(r)),
            PayloadKind::Beacon => MacPayload::Beacon(Beacon::parse(r)?),
            PayloadKind::Opaque => MacPayload::Other(rest(r)),
            PayloadKind::Command => {
                let c = MacCommand::parse(r)?;
                r.finish("MAC command")?;
                MacPayload::Command(c)
            }
            PayloadKind::Ack => MacPayload::Ack(rest(r)),
            PayloadKind::Data => MacPayload::Data(rest(r)),
        };
        Ok(MacFrame {
            frame_type,
            flags,
            version,
            seq,
            dst_pan,
            dst,
            src_pan,
            src,
            aux_security,
            header_ies,
            payload,
        })
    }

    // Optional fields are emitted as the frame control says; a Repr whose
    // options disagree with it is normalised (missing values as zero).
    fn emit(&self, w: &mut Writer) {
        let fcf = self.frame_control();
        w.u16(fcf);
        if !self.frame_type.has_general_layout() {
            self.payload.emit(w);
            return;
        }
        if !(self.is_2015() && self.flags.contains(FrameFlags::SEQ_SUPPRESSION)) {
            w.u8(self.seq.unwrap_or(0));
        }
        let (has_dst_pan, has_src_pan) = pan_id_presence(
            self.version,
            self.dst.mode(),
            self.src.mode(),
            self.flags.contains(FrameFlags::PAN_ID_COMPRESSION),
        );
        if has_dst_pan {
            w.u16(self.dst_pan.unwrap_or(0xffff));
        }
        self.dst.emit(w);
        if has_src_pan {
            w.u16(self.src_pan.unwrap_or(0xffff));
        }
        self.src.emit(w);
        // A header without the security flag is dropped, as parse would not read it.
        if let (true, Some(h)) = (self.has_aux_security(), &self.aux_security) {
            h.emit(w);
        }
        if self.is_2015() && self.flags.contains(FrameFlags::IE_PRESENT) {
            w.bytes(&self.header_ies);
        }
        self.payload.emit(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::ZigbeeBeacon;
    use crate::mac::beacon::tests::arb_beacon;
    use crate::mac::command::tests::arb_command;
    use crate::mac::command::{AssociationStatus, CapabilityInfo};
    use crate::mac::security::tests::arb_security;
    use crate::test_util::hex;
    use crate::wire::ExtAddr;
    use proptest::prelude::*;

    /// Parse a zigator capture frame (FCS included), check the FCS and the byte-exact round trip.
    fn zigator(s: &str) -> MacFrame {
        let bytes = hex(s);
        let (f, _, ok) = MacFrame::parse_with_fcs(&bytes).unwrap();
        assert!(ok, "FCS");
        assert_eq!(f.emit_with_fcs(), bytes);
        f
    }

    #[test]
    fn fcs_vector_frame() {
        // shared/vectors.toml [[ieee802154_fcs]]: Zigbee data frame 0x8861
        let mut bytes = hex(
            "6188e3bf182cda000008022cda00001e3f288985bd011ab0f7fefff9e3b40067fdf6895be2d544346729e42d46",
        );
        bytes.extend_from_slice(&[0xa0, 0x3f]);
        let (f, fcs, ok) = MacFrame::parse_with_fcs(&bytes).unwrap();
        assert!(ok);
        assert_eq!(fcs, 0x3fa0);
        assert_eq!(f.frame_type, FrameType::Data);
        assert_eq!(f.seq, Some(0xe3));
        assert_eq!(f.dst_pan, Some(0x18bf));
        assert_eq!(f.src_pan, None);
        assert_eq!(f.dst.to_string(), "0xda2c");
        assert_eq!(f.src.to_string(), "0x0000");
        assert!(
            f.flags
                .contains(FrameFlags::ACK_REQUEST | FrameFlags::PAN_ID_COMPRESSION)
        );
        assert_eq!(f.emit_with_fcs(), bytes);
        bytes[5] ^= 1;
        assert!(!MacFrame::parse_with_fcs(&bytes).unwrap().2);
    }

    #[test]
    fn constructors_match_real_frames() {
        // the shared FCS vector frame starts 61 88 e3 bf 18 2c da 00 00
        let f = MacFrame::data(
            0xe3,
            0x18bf,
            Address::Short(0xda2c),
            Address::Short(0),
            vec![],
        );
        assert_eq!(f.to_bytes(), hex("6188e3bf182cda0000"));
        let f = MacFrame::data(1, 0x18bf, Address::BROADCAST, Address::Short(0), vec![]);
        assert_eq!(f.frame_control(), 0x8841);
        // zigator_02 frame 1: ack with frame pending, seq 0xea
        assert_eq!(MacFrame::ack(0xea, true).emit_with_fcs(), hex("1200ea7978"));
    }

    #[test]
    fn killerbee_vector_frame_carries_nwk() {
        // shared/vectors.toml [[zigbee_frame_decrypt]] killerbee_kbdecrypt (no FCS)
        let bytes = hex(
            "6188e07c46000073c54822000073c51e0028eeee00008adc1afeff818e5800cf8cce3616e78c41298712842332d85f79e77e8dfbf8",
        );
        let f = MacFrame::from_bytes(&bytes).unwrap();
        assert_eq!(
            (f.dst_pan, f.dst, f.src),
            (Some(0x467c), Address::Short(0x0000), Address::Short(0xc573))
        );
        let MacPayload::Data(nwk) = &f.payload else {
            panic!()
        };
        let n = crate::nwk::NwkFrame::from_bytes(nwk).unwrap();
        assert_eq!(n.header.src, 0xc573);
        assert_eq!(f.to_bytes(), bytes);
    }

    #[test]
    fn zigator_association_request() {
        // zigator_02-mac-testing.pcap frame 2: extended source, 2003, dst PAN 0x99aa dst 0xd0d0, src PAN 0xffff
        let f = zigator("23c864aa99d0d0ffff8877665544332211018e2c1c");
        assert_eq!(f.dst, Address::Short(0xd0d0));
        assert_eq!(f.src_pan, Some(0xffff));
        assert_eq!(f.src, Address::Extended(ExtAddr(0x1122334455667788)));
        assert_eq!(
            f.payload,
            MacPayload::Command(MacCommand::AssociationRequest(
                CapabilityInfo::from_bits_retain(0x8e)
            ))
        );
    }

    #[test]
    fn zigator_association_response_and_polls() {
        let f = zigator(
            "63cc72aa99887766554433221 10dd0eeffc0cef10f02adde0009e7"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(
            f.payload,
            MacPayload::Command(MacCommand::AssociationResponse {
                short_addr: 0xdead,
                status: AssociationStatus::Success
            })
        );
        let f = zigator("638832ccbb00007afe041598");
        assert_eq!(f.payload, MacPayload::Command(MacCommand::DataRequest));
        assert_eq!(f.src, Address::Short(0xfe7a));
        let f = zigator("030800ffffffff073829");
        assert_eq!(f.payload, MacPayload::Command(MacCommand::BeaconRequest));
        assert_eq!(f.src_pan, None);
        let f = zigator("03c820ffffffffffffeeffc0ced1ba0dd00608a2");
        assert_eq!(
            f.payload,
            MacPayload::Command(MacCommand::OrphanNotification)
        );
        let f = zigator("03cc40ffffeeffc0ced1ba0dd0eeddcef10feda7109bb108eeddfa5014a7b02a74");
        assert_eq!(f.payload.clone(), MacPayload::Command(f_realign()));
        let f = zigator("638832ccbb00007afeff49d1");
        assert_eq!(
            f.payload,
            MacPayload::Command(MacCommand::Unknown {
                id: 0xff,
                payload: vec![]
            })
        );
    }

    fn f_realign() -> MacCommand {
        MacCommand::CoordinatorRealignment(crate::mac::CoordinatorRealignment {
            pan_id: 0xddee,
            coord_short: 0x50fa,
            channel: 20,
            short_addr: 0xb0a7,
            channel_page: None,
        })
    }

    #[test]
    fn zigator_beacon_frame() {
        let f = zigator(
            "008089aa99addeff0f00000022 94fecaefbeedfecefaffffff00af74"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(f.frame_type.name(), "Beacon");
        assert_eq!(f.src_pan, Some(0x99aa));
        assert_eq!(f.src, Address::Short(0xdead));
        let MacPayload::Beacon(b) = &f.payload else {
            panic!()
        };
        let z = ZigbeeBeacon::parse_payload(&b.payload).unwrap();
        assert_eq!(z.extended_pan_id.to_string(), "fa:ce:fe:ed:be:ef:ca:fe");
    }

    #[test]
    fn zigator_acks_and_reserved() {
        let f = zigator("1200ea7978");
        assert_eq!(f.frame_type, FrameType::Ack);
        assert!(f.flags.contains(FrameFlags::FRAME_PENDING));
        assert_eq!(f.payload, MacPayload::Ack(vec![]));
        // frame 10: the same ack with a bad FCS
        let (_, on_air, ok) = MacFrame::parse_with_fcs(&hex("1200ea7979")).unwrap();
        assert_eq!((on_air, ok), (0x7979, false));
        // frame 12: frame type 4, version 3 (tshark checks no FCS for it)
        let f = MacFrame::from_bytes(&hex("3c33c0de")).unwrap();
        assert_eq!(f.payload, MacPayload::Other(hex("c0de")));
        assert_eq!(f.frame_type, FrameType::Reserved4);
        assert_eq!(f.frame_control(), 0x333c);
    }

    #[test]
    fn zigator_secured_command() {
        // frame 16: 2006 secured Data Request, level 5, key index 1, MIC a9ed57ce
        let f = zigator(
            "6b9891dec000840184 0d06000000010 4a9ed57ce4fc5"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(f.version, FrameVersion::V2006);
        assert_eq!(f.aux_security.map(|h| h.frame_counter), Some(Some(6)));
        assert_eq!(
            f.payload,
            MacPayload::SecuredCommand {
                id: 0x04,
                payload: hex("a9ed57ce")
            }
        );
    }

    #[test]
    fn zigator_secured_data_frames() {
        let bytes = hex("79dcdbdec00a0000000099999909000000009999990d0100000001");
        let f = MacFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.dst, Address::Extended(ExtAddr(0x999999000000000a)));
        assert!(matches!(f.payload, MacPayload::Secured(ref p) if p.is_empty()));
        assert_eq!(f.to_bytes(), bytes);
    }

    #[test]
    fn malformed_association_request_and_reserved_mode() {
        // zigator frame 13: the capability byte is missing
        assert!(
            MacFrame::parse_with_fcs(&hex("23c8daaa99d0d0ffff8877665544332211 01596f"
                .replace(' ', "")
                .as_str()))
            .is_err()
        );
        // dst mode 1
        let e = MacFrame::from_bytes(&[0x01, 0x04, 0x00]).unwrap_err();
        assert_eq!(e.offset(), Some(0));
    }

    #[test]
    fn frame_2015_ies_and_seq_suppression() {
        // 2015 data frame, seq suppressed, IE present, dst short with PAN, src short (no PAN: compression)
        // header IE: id 0x1a len 2 (descriptor 0x0d02), then HT2 (id 0x7f, len 0: descriptor 0x3f80)
        let f = MacFrame {
            frame_type: FrameType::Data,
            flags: FrameFlags::SEQ_SUPPRESSION
                | FrameFlags::IE_PRESENT
                | FrameFlags::PAN_ID_COMPRESSION,
            version: FrameVersion::V2015,
            seq: None,
            dst_pan: Some(0x1234),
            dst: Address::Short(0x0001),
            src_pan: None,
            src: Address::Short(0x0002),
            aux_security: None,
            header_ies: vec![0x02, 0x0d, 0xaa, 0xbb, 0x80, 0x3f],
            payload: MacPayload::Data(vec![1, 2, 3]),
        };
        let bytes = f.to_bytes();
        assert_eq!(bytes, hex("41ab341201000200020daabb803f010203"));
        assert_eq!(MacFrame::from_bytes(&bytes).unwrap(), f);
    }

    #[test]
    fn enhanced_beacon_keeps_payload_ies_raw() {
        // 2015 beacon, IE present, extended source with PAN; HT1 then an empty MLME payload IE
        let bytes = hex("00e201cdab0102030405060708003f0088");
        let f = MacFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.src_pan, Some(0xabcd));
        assert_eq!(f.header_ies, hex("003f"));
        assert_eq!(f.payload, MacPayload::EnhancedBeacon(hex("0088")));
        assert_eq!(f.name(), "Enhanced Beacon");
        assert_eq!(f.to_bytes(), bytes);
        // the same as a command frame: payload IEs precede the command identifier
        let mut cmd = bytes.clone();
        cmd[0] = 0x03;
        let f = MacFrame::from_bytes(&cmd).unwrap();
        assert_eq!(f.payload, MacPayload::Other(hex("0088")));
    }

    #[test]
    fn pan_id_table_2015() {
        use AddrMode::*;
        let v = FrameVersion::V2015;
        assert_eq!(pan_id_presence(v, None, None, false), (false, false));
        assert_eq!(pan_id_presence(v, None, None, true), (true, false));
        assert_eq!(pan_id_presence(v, Short, None, false), (true, false));
        assert_eq!(pan_id_presence(v, Extended, None, true), (false, false));
        assert_eq!(pan_id_presence(v, None, Short, false), (false, true));
        assert_eq!(pan_id_presence(v, None, Extended, true), (false, false));
        assert_eq!(pan_id_presence(v, Extended, Extended, false), (true, false));
        assert_eq!(pan_id_presence(v, Extended, Extended, true), (false, false));
        assert_eq!(pan_id_presence(v, Short, Short, false), (true, true));
        assert_eq!(pan_id_presence(v, Short, Extended, false), (true, true));
        assert_eq!(pan_id_presence(v, Extended, Short, false), (true, true));
        assert_eq!(pan_id_presence(v, Short, Extended, true), (true, false));
        assert_eq!(pan_id_presence(v, Extended, Short, true), (true, false));
        assert_eq!(pan_id_presence(v, Short, Short, true), (true, false));
    }

    fn arb_address() -> impl Strategy<Value = Address> {
        prop_oneof![
            Just(Address::None),
            any::<u16>().prop_map(Address::Short),
            any::<u64>().prop_map(|a| Address::Extended(ExtAddr(a))),
        ]
    }

    /// Header IEs: content IEs then a termination IE (if any).
    fn arb_header_ies() -> impl Strategy<Value = (Vec<u8>, Option<u8>)> {
        (
            proptest::collection::vec(
                (0u8..0x7e, proptest::collection::vec(any::<u8>(), 0..6)),
                0..3,
            ),
            prop_oneof![
                Just(None),
                Just(Some(HEADER_TERMINATION_1)),
                Just(Some(HEADER_TERMINATION_2))
            ],
        )
            .prop_map(|(ies, term)| {
                let mut v = Vec::new();
                for (id, content) in ies.iter().chain(term.map(|t| (t, vec![])).iter()) {
                    let d = content.len() as u16 | u16::from(*id) << 7;
                    v.extend_from_slice(&d.to_le_bytes());
                    v.extend_from_slice(content);
                }
                (v, term)
            })
    }

    /// Canonical general-layout frames and opaque frames of the other types.
    fn arb_frame() -> impl Strategy<Value = MacFrame> {
        let general = (
            0u8..4,
            any::<u16>(),
            0u8..4,
            any::<u8>(),
            (any::<u16>(), arb_address(), any::<u16>(), arb_address()),
            arb_security(),
            arb_header_ies(),
            (
                arb_beacon(),
                arb_command(),
                proptest::collection::vec(any::<u8>(), 0..24),
            ),
        )
            .prop_map(
                |(
                    ft,
                    flag_bits,
                    ver,
                    seq,
                    (dp, dst, sp, src),
                    sec,
                    (ies, term),
                    (beacon, cmd, bytes),
                )| {
                    let version = FrameVersion::from_bits(ver);
                    let mut frame_type = FrameType::from_bits(ft);
                    let mut flags = FrameFlags::from_bits_retain(flag_bits & FLAG_BITS);
                    let is_2015 = version == FrameVersion::V2015;
                    let has_ies = is_2015 && flags.contains(FrameFlags::IE_PRESENT);
                    if has_ies && term.is_none() {
                        // An unterminated IE list runs to the end: only an empty payload is canonical.
                        frame_type = FrameType::Data;
                        flags.remove(FrameFlags::SECURITY);
                    }
                    let (hdp, hsp) = pan_id_presence(
                        version,
                        dst.mode(),
                        src.mode(),
                        flags.contains(FrameFlags::PAN_ID_COMPRESSION),
                    );
                    let payload_ies = has_ies && term == Some(HEADER_TERMINATION_1);
                    let payload = match payload_kind(frame_type, version, flags, payload_ies) {
                        _ if has_ies && term.is_none() => MacPayload::Data(vec![]),
                        PayloadKind::SecuredCommand => MacPayload::SecuredCommand {
                            id: seq,
                            payload: bytes,
                        },
                        PayloadKind::Secured => MacPayload::Secured(bytes),
                        PayloadKind::EnhancedBeacon => MacPayload::EnhancedBeacon(bytes),
                        PayloadKind::Beacon => MacPayload::Beacon(beacon),
                        PayloadKind::Opaque => MacPayload::Other(bytes),
                        PayloadKind::Command => MacPayload::Command(cmd),
                        PayloadKind::Ack => MacPayload::Ack(bytes),
                        PayloadKind::Data => MacPayload::Data(bytes),
                    };
                    let aux = (flags.contains(FrameFlags::SECURITY)
                        && version != FrameVersion::V2003)
                        .then_some(sec);
                    MacFrame {
                        frame_type,
                        flags,
                        version,
                        seq: (!(is_2015 && flags.contains(FrameFlags::SEQ_SUPPRESSION)))
                            .then_some(seq),
                        dst_pan: hdp.then_some(dp),
                        dst,
                        src_pan: hsp.then_some(sp),
                        src,
                        aux_security: aux,
                        header_ies: if has_ies { ies } else { vec![] },
                        payload,
                    }
                },
            );
        let other = (
            4u8..8,
            any::<u16>(),
            0u8..4,
            proptest::collection::vec(any::<u8>(), 0..24),
        )
            .prop_map(|(ft, bits, ver, rest)| {
                MacFrame::unaddressed(
                    FrameType::from_bits(ft),
                    FrameFlags::from_bits_retain(bits & !TYPE_VERSION_BITS),
                    FrameVersion::from_bits(ver),
                    None,
                    MacPayload::Other(rest),
                )
            });
        prop_oneof![4 => general, 1 => other]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(f in arb_frame()) {
            let bytes = f.emit_with_fcs();
            let (g, _, ok) = MacFrame::parse_with_fcs(&bytes).unwrap();
            prop_assert!(ok);
            prop_assert_eq!(g, f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(f) = MacFrame::from_bytes(&bytes) {
                prop_assert_eq!(f.to_bytes(), bytes);
            }
        }
    }
}
