//! The Zigbee NWK header (Zigbee PRO R22 3.3.1), up to but not including
//! the auxiliary security header.
//!
//! `| FCF 2 | dst 2 | src 2 | radius 1 | seq 1 | [dst64 8] | [src64 8] | [multicast control 1] | [source route 2+2n] |`

use bitflags::bitflags;

use crate::error::{Error, Result};
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// NWK frame type, frame control bits 0–1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NwkFrameType {
    /// Data frame.
    Data = 0,
    /// NWK command frame.
    Command = 1,
    /// Reserved value 2.
    Reserved = 2,
    /// Inter-PAN (Smart Energy): a stub NWK header of only the frame control.
    InterPan = 3,
}

impl NwkFrameType {
    /// From the two-bit field value (only the low two bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => NwkFrameType::Data,
            1 => NwkFrameType::Command,
            2 => NwkFrameType::Reserved,
            _ => NwkFrameType::InterPan,
        }
    }

    /// The two-bit field value.
    pub fn bits(self) -> u8 {
        self as u8
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self {
            NwkFrameType::Data => "Data",
            NwkFrameType::Command => "Command",
            NwkFrameType::Reserved => "Reserved",
            NwkFrameType::InterPan => "Inter-PAN",
        }
    }
}

bitflags! {
    /// The high byte of the NWK frame control; reserved bits 14–15 are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct NwkFlags: u16 {
        /// Multicast: a multicast control byte follows the addresses.
        const MULTICAST = 0x0100;
        /// NWK security: the auxiliary security header follows the header.
        const SECURITY = 0x0200;
        /// A source route subframe is present.
        const SOURCE_ROUTE = 0x0400;
        /// The destination EUI-64 is present.
        const EXT_DST = 0x0800;
        /// The source EUI-64 is present.
        const EXT_SRC = 0x1000;
        /// Sent by an end device (R21).
        const END_DEVICE_INITIATOR = 0x2000;
    }
}

/// The NWK frame control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NwkFrameControl {
    /// Frame type.
    pub frame_type: NwkFrameType,
    /// Protocol version, bits 2–5 (2 = Zigbee 2007/PRO; 3 is Green Power and not a NWK header).
    pub protocol_version: u8,
    /// Discover route, bits 6–7 (0 suppress, 1 enable).
    pub discover_route: u8,
    /// Flags, bits 8–15.
    pub flags: NwkFlags,
}

impl NwkFrameControl {
    /// The protocol version of Zigbee 2007 and PRO.
    pub const VERSION_PRO: u8 = 2;
    /// The protocol version Green Power frames carry in the same bits.
    pub const VERSION_GREEN_POWER: u8 = 3;

    /// From the 16-bit field value.
    pub fn from_u16(v: u16) -> Self {
        NwkFrameControl {
            frame_type: NwkFrameType::from_bits((v & 3) as u8),
            protocol_version: ((v >> 2) & 0x0f) as u8,
            discover_route: ((v >> 6) & 3) as u8,
            flags: NwkFlags::from_bits_retain(v & 0xff00),
        }
    }

    /// The 16-bit field value.
    pub fn to_u16(self) -> u16 {
        u16::from(self.frame_type.bits())
            | u16::from(self.protocol_version & 0x0f) << 2
            | u16::from(self.discover_route & 3) << 6
            | (self.flags.bits() & 0xff00)
    }
}

/// Multicast control (Zigbee PRO R22 3.3.1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MulticastControl {
    /// Multicast mode, bits 0–1 (0 non-member, 1 member).
    pub mode: u8,
    /// Non-member radius, bits 2–4.
    pub non_member_radius: u8,
    /// Maximum non-member radius, bits 5–7.
    pub max_non_member_radius: u8,
}

impl MulticastControl {
    /// From the byte.
    pub fn from_u8(v: u8) -> Self {
        MulticastControl {
            mode: v & 3,
            non_member_radius: (v >> 2) & 7,
            max_non_member_radius: v >> 5,
        }
    }

    /// The byte.
    pub fn to_u8(self) -> u8 {
        (self.mode & 3) | (self.non_member_radius & 7) << 2 | (self.max_non_member_radius & 7) << 5
    }
}

/// Source route subframe (Zigbee PRO R22 3.3.1.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SourceRoute {
    /// Index of the next relay in `relays`.
    pub relay_index: u8,
    /// Relay short addresses, closest to the destination first.
    pub relays: Vec<u16>,
}

impl Wire for SourceRoute {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let count = r.u8("relay count")?;
        let relay_index = r.u8("relay index")?;
        let relays = (0..count)
            .map(|_| r.u16("relay address"))
            .collect::<Result<_>>()?;
        Ok(SourceRoute {
            relay_index,
            relays,
        })
    }

    // The relay count is one byte: at most 255 relays are emitted.
    fn emit(&self, w: &mut Writer) {
        let n = self.relays.len().min(255);
        w.u8(n as u8);
        w.u8(self.relay_index);
        for a in self.relays.iter().take(n) {
            w.u16(*a);
        }
    }
}

/// The NWK header. For inter-PAN frames only the frame control is on air
/// and the other fields are zero / absent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NwkHeader {
    /// Frame control.
    pub control: NwkFrameControl,
    /// Destination short address (0xfffc/0xfffd/0xffff broadcasts).
    pub dst: u16,
    /// Source short address.
    pub src: u16,
    /// Radius (hops left).
    pub radius: u8,
    /// NWK sequence number.
    pub seq: u8,
    /// Destination EUI-64, present with `EXT_DST`.
    pub dst64: Option<ExtAddr>,
    /// Source EUI-64, present with `EXT_SRC`.
    pub src64: Option<ExtAddr>,
    /// Multicast control, present with `MULTICAST`.
    pub multicast: Option<MulticastControl>,
    /// Source route, present with `SOURCE_ROUTE`.
    pub source_route: Option<SourceRoute>,
}

impl NwkHeader {
    /// A header of only the frame control: the inter-PAN stub (Smart Energy),
    /// and the base the other constructors fill in.
    fn bare(control: NwkFrameControl) -> Self {
        NwkHeader {
            control,
            dst: 0,
            src: 0,
            radius: 0,
            seq: 0,
            dst64: None,
            src64: None,
            multicast: None,
            source_route: None,
        }
    }

    /// A Zigbee PRO header (version 2, route discovery suppressed) with no optional fields.
    pub fn pro(frame_type: NwkFrameType, dst: u16, src: u16, radius: u8, seq: u8) -> Self {
        NwkHeader {
            dst,
            src,
            radius,
            seq,
            ..NwkHeader::bare(NwkFrameControl {
                frame_type,
                protocol_version: NwkFrameControl::VERSION_PRO,
                discover_route: 0,
                flags: NwkFlags::empty(),
            })
        }
    }

    /// Add the source EUI-64 (sets `EXT_SRC`).
    pub fn with_src64(mut self, a: ExtAddr) -> Self {
        self.control.flags |= NwkFlags::EXT_SRC;
        self.src64 = Some(a);
        self
    }

    /// Add the destination EUI-64 (sets `EXT_DST`).
    pub fn with_dst64(mut self, a: ExtAddr) -> Self {
        self.control.flags |= NwkFlags::EXT_DST;
        self.dst64 = Some(a);
        self
    }

    /// Mark the frame NWK-secured (sets `SECURITY`; the aux header goes in [`crate::nwk::NwkFrame`]).
    pub fn secured(mut self) -> Self {
        self.control.flags |= NwkFlags::SECURITY;
        self
    }

    /// The frame's flags.
    pub fn flags(&self) -> NwkFlags {
        self.control.flags
    }

    /// True when the auxiliary security header follows this header.
    pub fn is_secured(&self) -> bool {
        self.control.frame_type != NwkFrameType::InterPan
            && self.control.flags.contains(NwkFlags::SECURITY)
    }

    fn has(&self, flag: NwkFlags) -> bool {
        self.control.flags.contains(flag)
    }
}

impl Wire for NwkHeader {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let offset = r.offset();
        let control = NwkFrameControl::from_u16(r.u16("NWK frame control")?);
        if control.protocol_version == NwkFrameControl::VERSION_GREEN_POWER {
            return Err(Error::Malformed {
                what: "NWK frame control",
                offset,
                reason: "protocol version 3 is a Green Power frame, not a NWK header".into(),
            });
        }
        if control.frame_type == NwkFrameType::InterPan {
            return Ok(NwkHeader::bare(control));
        }
        let flags = control.flags;
        let dst = r.u16("NWK destination")?;
        let src = r.u16("NWK source")?;
        let radius = r.u8("NWK radius")?;
        let seq = r.u8("NWK sequence number")?;
        let dst64 = if flags.contains(NwkFlags::EXT_DST) {
            Some(ExtAddr::parse(r)?)
        } else {
            None
        };
        let src64 = if flags.contains(NwkFlags::EXT_SRC) {
            Some(ExtAddr::parse(r)?)
        } else {
            None
        };
        let multicast = if flags.contains(NwkFlags::MULTICAST) {
            Some(MulticastControl::from_u8(r.u8("multicast control")?))
        } else {
            None
        };
        let source_route = if flags.contains(NwkFlags::SOURCE_ROUTE) {
            Some(SourceRoute::parse(r)?)
        } else {
            None
        };
        Ok(NwkHeader {
            control,
            dst,
            src,
            radius,
            seq,
            dst64,
            src64,
            multicast,
            source_route,
        })
    }

    // Optional fields follow the flags; a Repr whose options disagree is
    // normalised (missing values as zero).
    fn emit(&self, w: &mut Writer) {
        w.u16(self.control.to_u16());
        if self.control.frame_type == NwkFrameType::InterPan {
            return;
        }
        w.u16(self.dst);
        w.u16(self.src);
        w.u8(self.radius);
        w.u8(self.seq);
        if self.has(NwkFlags::EXT_DST) {
            self.dst64.unwrap_or_default().emit(w);
        }
        if self.has(NwkFlags::EXT_SRC) {
            self.src64.unwrap_or_default().emit(w);
        }
        if self.has(NwkFlags::MULTICAST) {
            w.u8(self.multicast.map_or(0, MulticastControl::to_u8));
        }
        if self.has(NwkFlags::SOURCE_ROUTE) {
            self.source_route.clone().unwrap_or_default().emit(w);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    /// Canonical NWK headers.
    pub(crate) fn arb_header() -> impl Strategy<Value = NwkHeader> {
        (
            (
                0u8..4,
                (0u8..16).prop_filter("GP", |v| *v != 3),
                0u8..4,
                any::<u8>(),
            ),
            (any::<u16>(), any::<u16>(), any::<u8>(), any::<u8>()),
            (any::<u64>(), any::<u64>(), any::<u8>()),
            (any::<u8>(), proptest::collection::vec(any::<u16>(), 0..8)),
        )
            .prop_map(
                |((ft, ver, dr, fl), (dst, src, radius, seq), (d64, s64, mc), (ri, relays))| {
                    let control = NwkFrameControl {
                        frame_type: NwkFrameType::from_bits(ft),
                        protocol_version: ver,
                        discover_route: dr,
                        flags: NwkFlags::from_bits_retain(u16::from(fl) << 8),
                    };
                    if control.frame_type == NwkFrameType::InterPan {
                        return NwkHeader::bare(control);
                    }
                    let f = control.flags;
                    NwkHeader {
                        control,
                        dst,
                        src,
                        radius,
                        seq,
                        dst64: f.contains(NwkFlags::EXT_DST).then_some(ExtAddr(d64)),
                        src64: f.contains(NwkFlags::EXT_SRC).then_some(ExtAddr(s64)),
                        multicast: f
                            .contains(NwkFlags::MULTICAST)
                            .then_some(MulticastControl::from_u8(mc)),
                        source_route: f.contains(NwkFlags::SOURCE_ROUTE).then_some(SourceRoute {
                            relay_index: ri,
                            relays,
                        }),
                    }
                },
            )
    }

    #[test]
    fn psila_nwk_3_header() {
        // shared/vectors.toml psila_nwk_3: data, version 2, security, ext source
        let bytes = hex("0812fdff7bc01e0485ae21feff6f0d00");
        let h = NwkHeader::from_bytes(&bytes).unwrap();
        assert_eq!(h.control.frame_type, NwkFrameType::Data);
        assert_eq!(h.control.protocol_version, 2);
        assert_eq!(h.control.flags, NwkFlags::SECURITY | NwkFlags::EXT_SRC);
        assert_eq!((h.dst, h.src, h.radius, h.seq), (0xfffd, 0xc07b, 30, 4));
        assert_eq!(h.src64, Some(ExtAddr(0x000d6ffffe21ae85)));
        assert!(h.is_secured());
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn builder_matches_psila_nwk_3() {
        let h = NwkHeader::pro(NwkFrameType::Data, 0xfffd, 0xc07b, 30, 4)
            .secured()
            .with_src64(ExtAddr(0x000d6ffffe21ae85));
        assert_eq!(h.to_bytes(), hex("0812fdff7bc01e0485ae21feff6f0d00"));
        let h = NwkHeader::pro(NwkFrameType::Command, 0x1101, 0x1102, 0x1d, 0xa2)
            .secured()
            .with_dst64(ExtAddr(0x7777770000000002))
            .with_src64(ExtAddr(0x7777770000000003));
        assert_eq!(
            h.to_bytes(),
            hex("091a011102111da202000000007777770300000000777777")
        );
    }

    #[test]
    fn zigator_source_route_header() {
        // zigator_04-aps-testing.pcap: relay count 1, relay index 0, relay 0x1102
        let bytes = hex("08060222000 01ef5010002 11".replace(' ', "").as_str());
        let h = NwkHeader::from_bytes(&bytes).unwrap();
        assert_eq!((h.dst, h.src, h.radius, h.seq), (0x2202, 0x0000, 30, 0xf5));
        assert_eq!(
            h.source_route,
            Some(SourceRoute {
                relay_index: 0,
                relays: vec![0x1102]
            })
        );
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn zigator_route_reply_header_with_both_eui64() {
        // zigator_03-nwk-testing.pcap frame 2
        let bytes = hex("091a01110211 1da2 0200000000777777 0300000000777777"
            .replace(' ', "")
            .as_str());
        let h = NwkHeader::from_bytes(&bytes).unwrap();
        assert_eq!(h.control.frame_type, NwkFrameType::Command);
        assert_eq!(
            h.dst64.map(|a| a.to_string()).as_deref(),
            Some("77:77:77:00:00:00:00:02")
        );
        assert_eq!(
            h.src64.map(|a| a.to_string()).as_deref(),
            Some("77:77:77:00:00:00:00:03")
        );
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn multicast_header() {
        // multicast to group 0x1234, mode member, radii 2 and 7
        let bytes = hex("0801341200001e07e9");
        let h = NwkHeader::from_bytes(&bytes).unwrap();
        assert_eq!(
            h.multicast,
            Some(MulticastControl {
                mode: 1,
                non_member_radius: 2,
                max_non_member_radius: 7
            })
        );
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn green_power_is_rejected() {
        // Green Power data frame with NWK frame control 0x8c (version 3)
        let e = NwkHeader::from_bytes(&hex("8c0800000000")).unwrap_err();
        assert!(matches!(e, Error::Malformed { offset: 0, .. }));
    }

    #[test]
    fn inter_pan_stub() {
        let h = NwkHeader::from_bytes(&hex("0b00")).unwrap();
        assert_eq!(h.control.frame_type, NwkFrameType::InterPan);
        assert_eq!(h.to_bytes(), hex("0b00"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(h in arb_header()) {
            prop_assert_eq!(NwkHeader::from_bytes(&h.to_bytes()).unwrap(), h);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut r = Reader::new(&bytes);
            if let Ok(h) = NwkHeader::parse(&mut r) {
                prop_assert_eq!(h.to_bytes(), &bytes[..r.position()]);
            }
        }
    }
}
