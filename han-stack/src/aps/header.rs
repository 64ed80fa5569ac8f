//! The APS header (Zigbee PRO R22 2.2.5.1), up to but excluding the auxiliary security header.
//!
//! ```text
//! | FCF 1 | [dst EP 1 | group 2] | [cluster 2] | [profile 2] | [src EP 1] | [counter 1] | [ext header] |
//! ```

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

/// APS frame type (frame control bits 0–1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// Application data.
    Data = 0,
    /// APS command.
    Command = 1,
    /// Acknowledgement.
    Ack = 2,
    /// Inter-PAN (stub APS) frame.
    InterPan = 3,
}

impl FrameType {
    /// From the two-bit field (only the low two bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => FrameType::Data,
            1 => FrameType::Command,
            2 => FrameType::Ack,
            _ => FrameType::InterPan,
        }
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self {
            FrameType::Data => "Data",
            FrameType::Command => "Command",
            FrameType::Ack => "Ack",
            FrameType::InterPan => "Interpan",
        }
    }
}

/// APS delivery mode (frame control bits 2–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryMode {
    /// Normal unicast.
    Unicast = 0,
    /// Indirect (Zigbee 2004 and earlier; reserved since).
    Indirect = 1,
    /// Broadcast.
    Broadcast = 2,
    /// Group addressing.
    Group = 3,
}

impl DeliveryMode {
    /// From the two-bit field (only the low two bits are looked at).
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => DeliveryMode::Unicast,
            1 => DeliveryMode::Indirect,
            2 => DeliveryMode::Broadcast,
            _ => DeliveryMode::Group,
        }
    }

    /// The name tshark prints.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryMode::Unicast => "Unicast",
            DeliveryMode::Indirect => "Indirect",
            DeliveryMode::Broadcast => "Broadcast",
            DeliveryMode::Group => "Group",
        }
    }
}

bitflags! {
    /// The flag bits of the APS frame control field (bits 4–7).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ApsFlags: u8 {
        /// Ack format: set when acknowledging a command frame.
        const ACK_FORMAT = 0x10;
        /// The frame is APS-secured; an auxiliary header follows the APS header.
        const SECURITY = 0x20;
        /// The sender asks for an APS acknowledgement.
        const ACK_REQUEST = 0x40;
        /// An extended header follows the counter.
        const EXTENDED_HEADER = 0x80;
    }
}

wire_enum! {
    /// Fragmentation sub-field of the extended frame control (bits 0–1).
    pub enum Fragmentation: u8 as from_bits / bits & 0x03 {
        /// Not fragmented.
        None = 0 => "None",
        /// First block of a fragmented message.
        First = 1 => "First Block",
        /// A later block.
        Middle = 2 => "Middle Block",
    }
}

/// The APS extended header (Zigbee PRO R22 2.2.5.1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtendedHeader {
    /// Fragmentation state.
    pub fragmentation: Fragmentation,
    /// Reserved bits 2–7 of the extended frame control, as on air.
    pub reserved: u8,
    /// Block number, present whenever the frame is fragmented.
    pub block_number: Option<u8>,
    /// Block acknowledgement bitfield, present in fragmented acks.
    pub ack_bitfield: Option<u8>,
}

impl ExtendedHeader {
    fn parse(r: &mut Reader<'_>, frame_type: FrameType) -> Result<Self> {
        let fcf = r.u8("APS extended frame control")?;
        let fragmentation = Fragmentation::from_bits(fcf);
        let fragmented = fragmentation != Fragmentation::None;
        let block_number = if fragmented {
            Some(r.u8("APS block number")?)
        } else {
            None
        };
        let ack_bitfield = if fragmented && frame_type == FrameType::Ack {
            Some(r.u8("APS ack bitfield")?)
        } else {
            None
        };
        Ok(ExtendedHeader {
            fragmentation,
            reserved: fcf & 0xfc,
            block_number,
            ack_bitfield,
        })
    }

    fn emit(&self, w: &mut Writer, frame_type: FrameType) {
        w.u8(self.fragmentation.bits() | (self.reserved & 0xfc));
        if self.fragmentation != Fragmentation::None {
            w.u8(self.block_number.unwrap_or(0));
            if frame_type == FrameType::Ack {
                w.u8(self.ack_bitfield.unwrap_or(0));
            }
        }
    }
}

/// The APS header. Optional fields are present exactly when the frame control says so.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApsHeader {
    /// Frame type.
    pub frame_type: FrameType,
    /// Delivery mode.
    pub delivery_mode: DeliveryMode,
    /// Frame control flags.
    pub flags: ApsFlags,
    /// Destination endpoint (data and data-ack frames, unicast or broadcast).
    pub dst_endpoint: Option<u8>,
    /// Group address (data and data-ack frames with group delivery, and inter-PAN group frames).
    pub group: Option<u16>,
    /// Cluster identifier (data, data-ack and inter-PAN frames).
    pub cluster: Option<u16>,
    /// Profile identifier (data, data-ack and inter-PAN frames).
    pub profile: Option<u16>,
    /// Source endpoint (data and data-ack frames).
    pub src_endpoint: Option<u8>,
    /// APS counter; inter-PAN and legacy indirect frames carry none and keep 0 here.
    pub counter: u8,
    /// Extended header, present exactly when the EXTENDED_HEADER flag is set.
    pub extended: Option<ExtendedHeader>,
}

/// Which optional fields a frame control implies.
struct Layout {
    dst_endpoint: bool,
    group: bool,
    cluster_profile: bool,
    src_endpoint: bool,
    counter: bool,
    extended: bool,
}

impl Layout {
    // Zigbee PRO R22 2.2.5.1.2–2.2.5.1.7; inter-PAN per the Smart Energy stub APS
    // (group, cluster, profile only, no counter), as Wireshark dissects it.
    fn of(frame_type: FrameType, delivery: DeliveryMode, flags: ApsFlags) -> Layout {
        let addressed = match frame_type {
            FrameType::Data => true,
            FrameType::Ack => !flags.contains(ApsFlags::ACK_FORMAT),
            FrameType::Command | FrameType::InterPan => false,
        };
        let inter_pan = frame_type == FrameType::InterPan;
        // Indirect delivery (0b01) was dropped in Zigbee 2007; its old field
        // layout is not interpreted, as Wireshark does not: the rest is payload.
        if delivery == DeliveryMode::Indirect
            && matches!(frame_type, FrameType::Data | FrameType::Ack)
        {
            return Layout {
                dst_endpoint: false,
                group: false,
                cluster_profile: false,
                src_endpoint: false,
                counter: false,
                extended: false,
            };
        }
        Layout {
            dst_endpoint: addressed
                && matches!(delivery, DeliveryMode::Unicast | DeliveryMode::Broadcast),
            group: (addressed || inter_pan) && delivery == DeliveryMode::Group,
            cluster_profile: addressed || inter_pan,
            src_endpoint: addressed,
            counter: !inter_pan,
            extended: flags.contains(ApsFlags::EXTENDED_HEADER),
        }
    }
}

impl ApsHeader {
    /// The frame control byte.
    pub fn frame_control(&self) -> u8 {
        self.frame_type as u8 | (self.delivery_mode as u8) << 2 | self.flags.bits()
    }

    /// True when the auxiliary security header follows this header.
    pub fn is_secured(&self) -> bool {
        self.flags.contains(ApsFlags::SECURITY)
    }

    /// Whether the frame carries an APS counter (not inter-PAN or legacy indirect frames).
    pub fn has_counter(&self) -> bool {
        self.layout().counter
    }

    fn layout(&self) -> Layout {
        Layout::of(self.frame_type, self.delivery_mode, self.flags)
    }
}

impl Wire for ApsHeader {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let fcf = r.u8("APS frame control")?;
        let frame_type = FrameType::from_bits(fcf);
        let delivery_mode = DeliveryMode::from_bits(fcf >> 2);
        let flags = ApsFlags::from_bits_retain(fcf & 0xf0);
        let layout = Layout::of(frame_type, delivery_mode, flags);
        let dst_endpoint = if layout.dst_endpoint {
            Some(r.u8("APS destination endpoint")?)
        } else {
            None
        };
        let group = if layout.group {
            Some(r.u16("APS group address")?)
        } else {
            None
        };
        let (cluster, profile) = if layout.cluster_profile {
            (Some(r.u16("APS cluster")?), Some(r.u16("APS profile")?))
        } else {
            (None, None)
        };
        let src_endpoint = if layout.src_endpoint {
            Some(r.u8("APS source endpoint")?)
        } else {
            None
        };
        let counter = if layout.counter {
            r.u8("APS counter")?
        } else {
            0
        };
        let extended = if layout.extended {
            Some(ExtendedHeader::parse(r, frame_type)?)
        } else {
            None
        };
        Ok(ApsHeader {
            frame_type,
            delivery_mode,
            flags,
            dst_endpoint,
            group,
            cluster,
            profile,
            src_endpoint,
            counter,
            extended,
        })
    }

    // Field presence follows the frame control; a missing value the frame
    // control asks for is written as 0.
    fn emit(&self, w: &mut Writer) {
        let layout = self.layout();
        w.u8(self.frame_control());
        if layout.dst_endpoint {
            w.u8(self.dst_endpoint.unwrap_or(0));
        }
        if layout.group {
            w.u16(self.group.unwrap_or(0));
        }
        if layout.cluster_profile {
            w.u16(self.cluster.unwrap_or(0));
            w.u16(self.profile.unwrap_or(0));
        }
        if layout.src_endpoint {
            w.u8(self.src_endpoint.unwrap_or(0));
        }
        if layout.counter {
            w.u8(self.counter);
        }
        if self.layout().extended {
            self.extended
                .unwrap_or(ExtendedHeader {
                    fragmentation: Fragmentation::None,
                    reserved: 0,
                    block_number: None,
                    ack_bitfield: None,
                })
                .emit(w, self.frame_type);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    fn arb_extended(frame_type: FrameType) -> impl Strategy<Value = ExtendedHeader> {
        (0u8..4, any::<u8>(), any::<u8>(), any::<u8>()).prop_map(move |(f, res, b, a)| {
            let fragmentation = Fragmentation::from_bits(f);
            let fragmented = fragmentation != Fragmentation::None;
            ExtendedHeader {
                fragmentation,
                reserved: res & 0xfc,
                block_number: fragmented.then_some(b),
                ack_bitfield: (fragmented && frame_type == FrameType::Ack).then_some(a),
            }
        })
    }

    /// Canonical headers: optional fields present exactly when the frame control says so.
    pub(crate) fn arb_header() -> impl Strategy<Value = ApsHeader> {
        (
            any::<u8>(),
            any::<[u8; 2]>(),
            any::<[u16; 3]>(),
            any::<u8>(),
        )
            .prop_flat_map(|(fcf, [dst, src], [group, cluster, profile], counter)| {
                let frame_type = FrameType::from_bits(fcf);
                let delivery_mode = DeliveryMode::from_bits(fcf >> 2);
                let flags = ApsFlags::from_bits_retain(fcf & 0xf0);
                let l = Layout::of(frame_type, delivery_mode, flags);
                let base = ApsHeader {
                    frame_type,
                    delivery_mode,
                    flags,
                    dst_endpoint: l.dst_endpoint.then_some(dst),
                    group: l.group.then_some(group),
                    cluster: l.cluster_profile.then_some(cluster),
                    profile: l.cluster_profile.then_some(profile),
                    src_endpoint: l.src_endpoint.then_some(src),
                    counter: if l.counter { counter } else { 0 },
                    extended: None,
                };
                arb_extended(frame_type).prop_map(move |ext| ApsHeader {
                    extended: l.extended.then_some(ext),
                    ..base.clone()
                })
            })
    }

    #[test]
    fn data_frame_from_lqi_request() {
        // zbtk_parse_vectors_wpan.pcap frame 1 (decrypted): Mgmt_Lqi_req, ack requested.
        let bytes = hex("4000310000000084");
        let h = ApsHeader::from_bytes(&bytes).unwrap();
        assert_eq!(h.frame_type, FrameType::Data);
        assert_eq!(h.delivery_mode, DeliveryMode::Unicast);
        assert_eq!(h.flags, ApsFlags::ACK_REQUEST);
        assert_eq!(h.dst_endpoint, Some(0));
        assert_eq!(h.cluster, Some(0x0031));
        assert_eq!(h.profile, Some(0x0000));
        assert_eq!(h.src_endpoint, Some(0));
        assert_eq!(h.counter, 0x84);
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn acks_from_captures() {
        // zbtk_parse_vectors_zep.pcap frames 1 and 2: a data ack and a command ack.
        let data_ack = hex("02010102040102d0");
        let h = ApsHeader::from_bytes(&data_ack).unwrap();
        assert_eq!(h.frame_type, FrameType::Ack);
        assert_eq!((h.dst_endpoint, h.src_endpoint), (Some(1), Some(2)));
        assert_eq!((h.cluster, h.profile), (Some(0x0201), Some(0x0104)));
        assert_eq!(h.counter, 0xd0);
        assert_eq!(h.to_bytes(), data_ack);

        let cmd_ack = hex("121d");
        let h = ApsHeader::from_bytes(&cmd_ack).unwrap();
        assert!(h.flags.contains(ApsFlags::ACK_FORMAT));
        assert_eq!((h.cluster, h.counter), (None, 0x1d));
        assert_eq!(h.to_bytes(), cmd_ack);
    }

    #[test]
    fn command_header_is_fcf_and_counter() {
        // zigator_04-aps-testing.pcap frame 7: Verify Key with ack request.
        let h = ApsHeader::from_bytes(&hex("416a")).unwrap();
        assert_eq!(h.frame_type, FrameType::Command);
        assert_eq!(h.flags, ApsFlags::ACK_REQUEST);
        assert_eq!(h.counter, 0x6a);
    }

    #[test]
    fn fragmented_ack_and_group_interpan() {
        // Data ack, extended header: first block 3, ack bitfield 0x07.
        let bytes = hex("820105000401020c010307");
        let h = ApsHeader::from_bytes(&bytes).unwrap();
        let ext = h.extended.unwrap();
        assert_eq!(ext.fragmentation, Fragmentation::First);
        assert_eq!((ext.block_number, ext.ack_bitfield), (Some(3), Some(7)));
        assert_eq!(h.to_bytes(), bytes);

        // Inter-PAN group frame: group, cluster, profile; no endpoints or counter.
        let bytes = hex("0f34120007 0901".replace(' ', "").as_str());
        let h = ApsHeader::from_bytes(&bytes).unwrap();
        assert_eq!(h.frame_type, FrameType::InterPan);
        assert_eq!(
            (h.group, h.cluster, h.profile),
            (Some(0x1234), Some(0x0700), Some(0x0109))
        );
        assert_eq!(h.to_bytes(), bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(h in arb_header()) {
            prop_assert_eq!(ApsHeader::from_bytes(&h.to_bytes()).unwrap(), h);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let mut r = Reader::new(&bytes);
            if let Ok(h) = ApsHeader::parse(&mut r) {
                let used = r.position();
                prop_assert_eq!(h.to_bytes(), &bytes[..used]);
            }
        }
    }
}
