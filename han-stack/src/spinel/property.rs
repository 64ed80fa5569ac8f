//! Spinel properties a raw radio (OpenThread RCP) needs, with their value
//! formats (OpenThread `spinel.h`; Spinel draft section 5).

use super::packed;
use super::stream::{RxFrame, TxRequest, read_bool};
use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

wire_enum! {
    /// A Spinel property identifier (sent as a packed integer).
    pub enum PropId: u32 {
        /// Spinel `LAST_STATUS`.
        LastStatus = 0x00 => "LAST_STATUS",
        /// Spinel `PROTOCOL_VERSION`.
        ProtocolVersion = 0x01 => "PROTOCOL_VERSION",
        /// Spinel `NCP_VERSION`.
        NcpVersion = 0x02 => "NCP_VERSION",
        /// Spinel `INTERFACE_TYPE`.
        InterfaceType = 0x03 => "INTERFACE_TYPE",
        /// Spinel `CAPS`.
        Caps = 0x05 => "CAPS",
        /// Spinel `HWADDR`.
        HwAddr = 0x08 => "HWADDR",
        /// Spinel `PHY_ENABLED`.
        PhyEnabled = 0x20 => "PHY_ENABLED",
        /// Spinel `PHY_CHAN`.
        PhyChan = 0x21 => "PHY_CHAN",
        /// Spinel `PHY_CCA_THRESHOLD`.
        PhyCcaThreshold = 0x24 => "PHY_CCA_THRESHOLD",
        /// Spinel `PHY_TX_POWER`.
        PhyTxPower = 0x25 => "PHY_TX_POWER",
        /// Spinel `PHY_RSSI`.
        PhyRssi = 0x26 => "PHY_RSSI",
        /// Spinel `PHY_RX_SENSITIVITY`.
        PhyRxSensitivity = 0x27 => "PHY_RX_SENSITIVITY",
        /// Spinel `MAC_SCAN_STATE`.
        MacScanState = 0x30 => "MAC_SCAN_STATE",
        /// Spinel `MAC_15_4_LADDR`.
        MacLongAddr = 0x34 => "MAC_15_4_LADDR",
        /// Spinel `MAC_15_4_SADDR`.
        MacShortAddr = 0x35 => "MAC_15_4_SADDR",
        /// Spinel `MAC_15_4_PANID`.
        MacPanId = 0x36 => "MAC_15_4_PANID",
        /// Spinel `MAC_RAW_STREAM_ENABLED`.
        MacRawStreamEnabled = 0x37 => "MAC_RAW_STREAM_ENABLED",
        /// Spinel `MAC_PROMISCUOUS_MODE`.
        MacPromiscuousMode = 0x38 => "MAC_PROMISCUOUS_MODE",
        /// Spinel `MAC_RX_ON_WHEN_IDLE_MODE`.
        MacRxOnWhenIdle = 0x3B => "MAC_RX_ON_WHEN_IDLE_MODE",
        /// Spinel `STREAM_RAW`.
        StreamRaw = 0x71 => "STREAM_RAW",
        /// Spinel `RCP_API_VERSION` (`SPINEL_PROP_RCP__BEGIN` + 0).
        RcpApiVersion = 0xB0 => "RCP_API_VERSION",
        /// Spinel `RCP_MIN_HOST_API_VERSION` (`SPINEL_PROP_RCP__BEGIN` + 1).
        RcpMinHostApiVersion = 0xB1 => "RCP_MIN_HOST_API_VERSION",
        /// Spinel `MAC_SRC_MATCH_ENABLED`.
        MacSrcMatchEnabled = 0x1303 => "MAC_SRC_MATCH_ENABLED",
        /// Spinel `MAC_SRC_MATCH_SHORT_ADDRESSES`.
        MacSrcMatchShortAddresses = 0x1304 => "MAC_SRC_MATCH_SHORT_ADDRESSES",
        /// Spinel `MAC_SRC_MATCH_EXTENDED_ADDRESSES`.
        MacSrcMatchExtendedAddresses = 0x1305 => "MAC_SRC_MATCH_EXTENDED_ADDRESSES",
    }
}

wire_enum! {
    /// A Spinel status code (`LAST_STATUS`, transmit done).
    pub enum Status: u32 {
        /// Spinel `OK`.
        Ok = 0 => "OK",
        /// Spinel `FAILURE`.
        Failure = 1 => "FAILURE",
        /// Spinel `UNIMPLEMENTED`.
        Unimplemented = 2 => "UNIMPLEMENTED",
        /// Spinel `INVALID_ARGUMENT`.
        InvalidArgument = 3 => "INVALID_ARGUMENT",
        /// Spinel `INVALID_STATE`.
        InvalidState = 4 => "INVALID_STATE",
        /// Spinel `INVALID_COMMAND`.
        InvalidCommand = 5 => "INVALID_COMMAND",
        /// Spinel `PARSE_ERROR`.
        ParseError = 9 => "PARSE_ERROR",
        /// Spinel `BUSY`.
        Busy = 12 => "BUSY",
        /// Spinel `PROP_NOT_FOUND`.
        PropNotFound = 13 => "PROP_NOT_FOUND",
        /// Spinel `NO_ACK`.
        NoAck = 17 => "NO_ACK",
        /// Spinel `CCA_FAILURE`.
        CcaFailure = 18 => "CCA_FAILURE",
        /// Spinel `ALREADY`.
        Already = 19 => "ALREADY",
        /// Spinel `ITEM_NOT_FOUND`.
        ItemNotFound = 20 => "ITEM_NOT_FOUND",
        /// Spinel `RESET_POWER_ON`.
        ResetPowerOn = 112 => "RESET_POWER_ON",
        /// Spinel `RESET_SOFTWARE`.
        ResetSoftware = 114 => "RESET_SOFTWARE",
    }
}

/// Which way a frame travels; `STREAM_RAW` has a different value each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to radio (get, set, insert, remove).
    ToRadio,
    /// Radio to host (is, inserted, removed).
    ToHost,
}

/// A property with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Property {
    /// Last status, with any bytes after it (OpenThread appends the acknowledgement after a transmit).
    LastStatus(Status, Vec<u8>),
    /// Protocol version: major, minor.
    ProtocolVersion(u32, u32),
    /// NCP version string (UTF-8 on the wire, zero-terminated).
    NcpVersion(String),
    /// Interface type (3 = Thread).
    InterfaceType(u32),
    /// Capability list.
    Caps(Vec<u32>),
    /// Factory EUI-64, bytes in print order.
    HwAddr([u8; 8]),
    /// Radio on.
    PhyEnabled(bool),
    /// IEEE 802.15.4 channel.
    PhyChan(u8),
    /// Energy-detect CCA threshold, dBm.
    PhyCcaThreshold(i8),
    /// Transmit power, dBm.
    PhyTxPower(i8),
    /// Instant RSSI, dBm.
    PhyRssi(i8),
    /// Receive sensitivity, dBm.
    PhyRxSensitivity(i8),
    /// Scan state (0 idle, 1 beacon, 2 energy, 3 discover).
    MacScanState(u8),
    /// Extended address, bytes in print order.
    MacLongAddr([u8; 8]),
    /// Short address.
    MacShortAddr(u16),
    /// PAN identifier.
    MacPanId(u16),
    /// Raw frames are streamed to the host.
    MacRawStreamEnabled(bool),
    /// Promiscuous mode (0 off, 1 network, 2 full).
    MacPromiscuousMode(u8),
    /// Receiver on between transmissions.
    MacRxOnWhenIdle(bool),
    /// The RCP's API version (packed integer).
    RcpApiVersion(u32),
    /// The oldest host API version the RCP works with (packed integer).
    RcpMinHostApiVersion(u32),
    /// A received frame (radio to host).
    StreamRawRx(RxFrame),
    /// A frame to transmit (host to radio).
    StreamRawTx(TxRequest),
    /// Source-address matching for frame pending on.
    MacSrcMatchEnabled(bool),
    /// Short addresses with pending data (one for insert/remove).
    MacSrcMatchShortAddresses(Vec<u16>),
    /// Extended addresses with pending data, bytes in print order.
    MacSrcMatchExtendedAddresses(Vec<[u8; 8]>),
    /// Any other property, value kept as sent.
    Unknown(u32, Vec<u8>),
}

impl Property {
    /// The property's identifier.
    pub fn id(&self) -> PropId {
        match self {
            Property::LastStatus(..) => PropId::LastStatus,
            Property::ProtocolVersion(..) => PropId::ProtocolVersion,
            Property::NcpVersion(_) => PropId::NcpVersion,
            Property::InterfaceType(_) => PropId::InterfaceType,
            Property::Caps(_) => PropId::Caps,
            Property::HwAddr(_) => PropId::HwAddr,
            Property::PhyEnabled(_) => PropId::PhyEnabled,
            Property::PhyChan(_) => PropId::PhyChan,
            Property::PhyCcaThreshold(_) => PropId::PhyCcaThreshold,
            Property::PhyTxPower(_) => PropId::PhyTxPower,
            Property::PhyRssi(_) => PropId::PhyRssi,
            Property::PhyRxSensitivity(_) => PropId::PhyRxSensitivity,
            Property::MacScanState(_) => PropId::MacScanState,
            Property::MacLongAddr(_) => PropId::MacLongAddr,
            Property::MacShortAddr(_) => PropId::MacShortAddr,
            Property::MacPanId(_) => PropId::MacPanId,
            Property::MacRawStreamEnabled(_) => PropId::MacRawStreamEnabled,
            Property::MacPromiscuousMode(_) => PropId::MacPromiscuousMode,
            Property::MacRxOnWhenIdle(_) => PropId::MacRxOnWhenIdle,
            Property::StreamRawRx(_) | Property::StreamRawTx(_) => PropId::StreamRaw,
            Property::RcpApiVersion(_) => PropId::RcpApiVersion,
            Property::RcpMinHostApiVersion(_) => PropId::RcpMinHostApiVersion,
            Property::MacSrcMatchEnabled(_) => PropId::MacSrcMatchEnabled,
            Property::MacSrcMatchShortAddresses(_) => PropId::MacSrcMatchShortAddresses,
            Property::MacSrcMatchExtendedAddresses(_) => PropId::MacSrcMatchExtendedAddresses,
            Property::Unknown(id, _) => PropId::from_value(*id),
        }
    }

    /// Parse the identifier and the value that fills the rest of the reader.
    pub fn parse(r: &mut Reader<'_>, dir: Direction) -> Result<Self> {
        let id = packed::read(r, "property id")?;
        let p = match PropId::from_value(id) {
            PropId::LastStatus => {
                let s = Status::from_value(packed::read(r, "status")?);
                Property::LastStatus(s, r.rest().to_vec())
            }
            PropId::ProtocolVersion => Property::ProtocolVersion(
                packed::read(r, "major version")?,
                packed::read(r, "minor version")?,
            ),
            PropId::NcpVersion => Property::NcpVersion(read_utf8(r)?),
            PropId::InterfaceType => Property::InterfaceType(packed::read(r, "interface type")?),
            PropId::Caps => {
                let mut caps = Vec::new();
                while !r.is_empty() {
                    caps.push(packed::read(r, "capability")?);
                }
                Property::Caps(caps)
            }
            PropId::HwAddr => Property::HwAddr(r.array("EUI-64")?),
            PropId::PhyEnabled => Property::PhyEnabled(read_bool(r, "PHY enabled")?),
            PropId::PhyChan => Property::PhyChan(r.u8("channel")?),
            PropId::PhyCcaThreshold => Property::PhyCcaThreshold(r.u8("CCA threshold")? as i8),
            PropId::PhyTxPower => Property::PhyTxPower(r.u8("TX power")? as i8),
            PropId::PhyRssi => Property::PhyRssi(r.u8("RSSI")? as i8),
            PropId::PhyRxSensitivity => Property::PhyRxSensitivity(r.u8("RX sensitivity")? as i8),
            PropId::MacScanState => Property::MacScanState(r.u8("scan state")?),
            PropId::MacLongAddr => Property::MacLongAddr(r.array("extended address")?),
            PropId::MacShortAddr => Property::MacShortAddr(r.u16("short address")?),
            PropId::MacPanId => Property::MacPanId(r.u16("PAN ID")?),
            PropId::MacRawStreamEnabled => {
                Property::MacRawStreamEnabled(read_bool(r, "raw stream enabled")?)
            }
            PropId::MacPromiscuousMode => Property::MacPromiscuousMode(r.u8("promiscuous mode")?),
            PropId::MacRxOnWhenIdle => Property::MacRxOnWhenIdle(read_bool(r, "RX on when idle")?),
            PropId::RcpApiVersion => Property::RcpApiVersion(packed::read(r, "RCP API version")?),
            PropId::RcpMinHostApiVersion => {
                Property::RcpMinHostApiVersion(packed::read(r, "RCP minimum host API version")?)
            }
            PropId::StreamRaw => match dir {
                Direction::ToHost => Property::StreamRawRx(RxFrame::parse(r)?),
                Direction::ToRadio => Property::StreamRawTx(TxRequest::parse(r)?),
            },
            PropId::MacSrcMatchEnabled => {
                Property::MacSrcMatchEnabled(read_bool(r, "source match enabled")?)
            }
            PropId::MacSrcMatchShortAddresses => {
                let mut v = Vec::new();
                while !r.is_empty() {
                    v.push(r.u16("short address")?);
                }
                Property::MacSrcMatchShortAddresses(v)
            }
            PropId::MacSrcMatchExtendedAddresses => {
                let mut v = Vec::new();
                while !r.is_empty() {
                    v.push(r.array("extended address")?);
                }
                Property::MacSrcMatchExtendedAddresses(v)
            }
            PropId::Unknown(id) => Property::Unknown(id, r.rest().to_vec()),
        };
        r.finish(p.id().name())?;
        Ok(p)
    }

    /// Append the identifier and the value.
    pub fn emit(&self, w: &mut Writer) {
        packed::write(w, self.id().value());
        match self {
            Property::LastStatus(s, rest) => {
                packed::write(w, s.value());
                w.bytes(rest);
            }
            Property::ProtocolVersion(major, minor) => {
                packed::write(w, *major);
                packed::write(w, *minor);
            }
            Property::NcpVersion(s) => {
                w.bytes(s.as_bytes());
                w.u8(0);
            }
            Property::InterfaceType(v)
            | Property::RcpApiVersion(v)
            | Property::RcpMinHostApiVersion(v) => packed::write(w, *v),
            Property::Caps(caps) => caps.iter().for_each(|&c| packed::write(w, c)),
            Property::HwAddr(a) | Property::MacLongAddr(a) => w.bytes(a),
            Property::PhyEnabled(b)
            | Property::MacRawStreamEnabled(b)
            | Property::MacSrcMatchEnabled(b)
            | Property::MacRxOnWhenIdle(b) => w.u8(u8::from(*b)),
            Property::PhyChan(v) | Property::MacPromiscuousMode(v) | Property::MacScanState(v) => {
                w.u8(*v)
            }
            Property::PhyCcaThreshold(v)
            | Property::PhyTxPower(v)
            | Property::PhyRssi(v)
            | Property::PhyRxSensitivity(v) => w.u8(*v as u8),
            Property::MacShortAddr(v) | Property::MacPanId(v) => w.u16(*v),
            Property::StreamRawRx(f) => f.emit(w),
            Property::StreamRawTx(f) => f.emit(w),
            Property::MacSrcMatchShortAddresses(v) => v.iter().for_each(|&a| w.u16(a)),
            Property::MacSrcMatchExtendedAddresses(v) => v.iter().for_each(|a| w.bytes(a)),
            Property::Unknown(_, rest) => w.bytes(rest),
        }
    }
}

/// Read a Spinel `U`: UTF-8 up to a zero byte, which must be the last byte.
fn read_utf8(r: &mut Reader<'_>) -> Result<String> {
    let at = r.clone();
    let rest = r.rest();
    match rest.split_last() {
        Some((0, s)) if !s.contains(&0) => core::str::from_utf8(s)
            .map(str::to_owned)
            .map_err(|e| at.malformed("version string", e.to_string())),
        _ => Err(at.malformed("version string", "not a single zero-terminated string")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::spinel::stream::tests::{rx_frame, tx_request};
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Any property with a canonical value, for the given direction.
    pub(crate) fn property(dir: Direction) -> BoxedStrategy<Property> {
        let known: Vec<u32> = (0..0x2000u32)
            .filter(|&v| !matches!(PropId::from_value(v), PropId::Unknown(_)))
            .collect();
        let stream = match dir {
            Direction::ToHost => rx_frame().prop_map(Property::StreamRawRx).boxed(),
            Direction::ToRadio => tx_request().prop_map(Property::StreamRawTx).boxed(),
        };
        let p = 0u32..=packed::MAX;
        prop_oneof![
            (p.clone(), vec(any::<u8>(), 0..8))
                .prop_map(|(s, r)| Property::LastStatus(Status::from_value(s), r)),
            (p.clone(), p.clone()).prop_map(|(a, b)| Property::ProtocolVersion(a, b)),
            "[^\u{0}]{0,20}".prop_map(Property::NcpVersion),
            p.clone().prop_map(Property::InterfaceType),
            p.clone().prop_map(Property::RcpApiVersion),
            p.clone().prop_map(Property::RcpMinHostApiVersion),
            vec(p, 0..8).prop_map(Property::Caps),
            any::<[u8; 8]>().prop_map(Property::HwAddr),
            any::<bool>().prop_map(Property::PhyEnabled),
            any::<u8>().prop_map(Property::PhyChan),
            any::<i8>().prop_map(Property::PhyCcaThreshold),
            any::<i8>().prop_map(Property::PhyTxPower),
            any::<i8>().prop_map(Property::PhyRssi),
            any::<i8>().prop_map(Property::PhyRxSensitivity),
            any::<[u8; 8]>().prop_map(Property::MacLongAddr),
            any::<u16>().prop_map(Property::MacShortAddr),
            any::<u16>().prop_map(Property::MacPanId),
            any::<bool>().prop_map(Property::MacRawStreamEnabled),
            any::<u8>().prop_map(Property::MacPromiscuousMode),
            any::<u8>().prop_map(Property::MacScanState),
            any::<bool>().prop_map(Property::MacRxOnWhenIdle),
            stream,
            any::<bool>().prop_map(Property::MacSrcMatchEnabled),
            vec(any::<u16>(), 0..8).prop_map(Property::MacSrcMatchShortAddresses),
            vec(any::<[u8; 8]>(), 0..8).prop_map(Property::MacSrcMatchExtendedAddresses),
            (
                (0u32..=packed::MAX).prop_filter("unknown id", move |v| !known.contains(v)),
                vec(any::<u8>(), 0..16)
            )
                .prop_map(|(id, v)| Property::Unknown(id, v)),
        ]
        .boxed()
    }

    #[test]
    fn src_match_short_insert_bytes() {
        let p = Property::MacSrcMatchShortAddresses(vec![0x1234]);
        let mut w = Writer::new();
        p.emit(&mut w);
        assert_eq!(w.as_slice(), [0x84, 0x26, 0x34, 0x12]);
    }

    #[test]
    fn ncp_version_needs_terminator() {
        let b = [0x02, b'O', b'T'];
        assert!(Property::parse(&mut Reader::new(&b), Direction::ToHost).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip_to_host(p in property(Direction::ToHost)) {
            let mut w = Writer::new();
            p.emit(&mut w);
            let q = Property::parse(&mut Reader::new(w.as_slice()), Direction::ToHost).unwrap();
            prop_assert_eq!(q, p);
        }
        #[test]
        fn round_trip_to_radio(p in property(Direction::ToRadio)) {
            let mut w = Writer::new();
            p.emit(&mut w);
            let q = Property::parse(&mut Reader::new(w.as_slice()), Direction::ToRadio).unwrap();
            prop_assert_eq!(q, p);
        }
    }
}
