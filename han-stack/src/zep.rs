//! ZEP, the ZigBee Encapsulation Protocol: 802.15.4 frames carried in UDP
//! (Wireshark packet-zep.c; multi-byte fields big-endian).
//!
//! ```text
//! v1:      "EX" | 1 | channel | device id 2 | lqi_mode | LQI | reserved 7 | length | frame
//! v2 data: "EX" | 2 | 1 | channel | device id 2 | lqi_mode | LQI | NTP time 8 | seq 4 | reserved 10 | length | frame
//! v2 ack:  "EX" | 2 | 2 | seq 4
//! ```

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// The UDP port ZEP is sent to.
pub const ZEP_PORT: u16 = 17754;

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// Largest frame a length byte can describe (an 802.15.4 PSDU).
const MAX_FRAME: usize = 127;

/// One ZEP datagram.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ZepPacket {
    /// Version 1: no timestamp or sequence number.
    V1 {
        /// 802.15.4 channel.
        channel: u8,
        /// Sender's device id.
        device_id: u16,
        /// lqi_mode byte 1: the frame ends in a real FCS; 0: in TI CC24xx metadata.
        crc_mode: bool,
        /// Link quality.
        lqi: u8,
        /// The 7 reserved bytes, kept so they round-trip.
        reserved: [u8; 7],
        /// The 802.15.4 frame including its 2 trailing bytes.
        frame: Vec<u8>,
    },
    /// Version 2 data.
    V2Data {
        /// 802.15.4 channel.
        channel: u8,
        /// Sender's device id.
        device_id: u16,
        /// lqi_mode byte 1: the frame ends in a real FCS; 0: in TI CC24xx metadata.
        crc_mode: bool,
        /// Link quality.
        lqi: u8,
        /// Capture time, NTP 32.32 fixed point.
        timestamp: u64,
        /// Sequence number.
        seq: u32,
        /// The 10 reserved bytes, kept so they round-trip.
        reserved: [u8; 10],
        /// The 802.15.4 frame including its 2 trailing bytes.
        frame: Vec<u8>,
    },
    /// Version 2 acknowledgement.
    V2Ack {
        /// Sequence number of the acknowledged frame.
        seq: u32,
    },
    /// Another version or v2 packet type: everything after the version byte.
    Unknown {
        /// The version byte.
        version: u8,
        /// The bytes after it.
        rest: Vec<u8>,
    },
}

impl ZepPacket {
    /// The 802.15.4 frame (with its 2 trailing bytes), for data packets.
    pub fn frame(&self) -> Option<&[u8]> {
        match self {
            ZepPacket::V1 { frame, .. } | ZepPacket::V2Data { frame, .. } => Some(frame),
            _ => None,
        }
    }

    /// The name Wireshark gives the packet kind.
    pub fn name(&self) -> &'static str {
        match self {
            ZepPacket::V1 { .. } => "ZEP v1",
            ZepPacket::V2Data { .. } => "ZEP v2 Data",
            ZepPacket::V2Ack { .. } => "ZEP v2 Ack",
            ZepPacket::Unknown { .. } => "ZEP (unknown)",
        }
    }
}

fn parse_mode(r: &mut Reader<'_>) -> Result<bool> {
    match r.u8("ZEP lqi_mode")? {
        0 => Ok(false),
        1 => Ok(true),
        v => Err(r.malformed("ZEP lqi_mode", format!("{v}; must be 0 (LQI) or 1 (CRC)"))),
    }
}

fn parse_frame(r: &mut Reader<'_>) -> Result<Vec<u8>> {
    let len = r.u8("ZEP length")?;
    if len as usize > MAX_FRAME {
        return Err(r.malformed("ZEP length", format!("{len} exceeds 127")));
    }
    Ok(r.bytes(len as usize, "ZEP frame")?.to_vec())
}

fn emit_frame(w: &mut Writer, frame: &[u8]) {
    // Frames longer than an 802.15.4 PSDU cannot be described; cut to 127.
    let f = frame.get(..MAX_FRAME).unwrap_or(frame);
    w.u8(f.len() as u8);
    w.bytes(f);
}

impl Wire for ZepPacket {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let preamble = r.array::<2>("ZEP preamble")?;
        if preamble != *b"EX" {
            return Err(r.malformed("ZEP preamble", format!("{preamble:02x?}, expected \"EX\"")));
        }
        let version = r.u8("ZEP version")?;
        match version {
            1 => Ok(ZepPacket::V1 {
                channel: r.u8("ZEP channel")?,
                device_id: r.u16_be("ZEP device id")?,
                crc_mode: parse_mode(r)?,
                lqi: r.u8("ZEP LQI")?,
                reserved: r.array("ZEP reserved")?,
                frame: parse_frame(r)?,
            }),
            2 => match r.peek_rest().first() {
                Some(1) => {
                    r.u8("ZEP type")?;
                    Ok(ZepPacket::V2Data {
                        channel: r.u8("ZEP channel")?,
                        device_id: r.u16_be("ZEP device id")?,
                        crc_mode: parse_mode(r)?,
                        lqi: r.u8("ZEP LQI")?,
                        timestamp: r.u64_be("ZEP timestamp")?,
                        seq: r.u32_be("ZEP sequence number")?,
                        reserved: r.array("ZEP reserved")?,
                        frame: parse_frame(r)?,
                    })
                }
                Some(2) => {
                    r.u8("ZEP type")?;
                    Ok(ZepPacket::V2Ack {
                        seq: r.u32_be("ZEP sequence number")?,
                    })
                }
                _ => Ok(ZepPacket::Unknown {
                    version,
                    rest: r.rest().to_vec(),
                }),
            },
            _ => Ok(ZepPacket::Unknown {
                version,
                rest: r.rest().to_vec(),
            }),
        }
    }

    fn emit(&self, w: &mut Writer) {
        w.bytes(b"EX");
        match self {
            ZepPacket::V1 {
                channel,
                device_id,
                crc_mode,
                lqi,
                reserved,
                frame,
            } => {
                w.u8(1);
                w.u8(*channel);
                w.u16_be(*device_id);
                w.u8(*crc_mode as u8);
                w.u8(*lqi);
                w.bytes(reserved);
                emit_frame(w, frame);
            }
            ZepPacket::V2Data {
                channel,
                device_id,
                crc_mode,
                lqi,
                timestamp,
                seq,
                reserved,
                frame,
            } => {
                w.u8(2);
                w.u8(1);
                w.u8(*channel);
                w.u16_be(*device_id);
                w.u8(*crc_mode as u8);
                w.u8(*lqi);
                w.u64_be(*timestamp);
                w.u32_be(*seq);
                w.bytes(reserved);
                emit_frame(w, frame);
            }
            ZepPacket::V2Ack { seq } => {
                w.u8(2);
                w.u8(2);
                w.u32_be(*seq);
            }
            ZepPacket::Unknown { version, rest } => {
                w.u8(*version);
                w.bytes(rest);
            }
        }
    }
}

/// An NTP 32.32 timestamp as Unix seconds and nanoseconds (seconds may be negative before 1970).
pub fn ntp_to_unix(ts: u64) -> (i64, u32) {
    let secs = (ts >> 32) as i64 - NTP_UNIX_OFFSET;
    let nanos = (((ts & 0xffff_ffff) * 1_000_000_000) >> 32) as u32;
    (secs, nanos)
}

/// Unix seconds and nanoseconds as an NTP 32.32 timestamp (wrapping outside NTP era 0).
pub fn unix_to_ntp(secs: i64, nanos: u32) -> u64 {
    let ntp_secs = secs.wrapping_add(NTP_UNIX_OFFSET) as u64 & 0xffff_ffff;
    // Round up so that converting back gives the same nanoseconds.
    let frac = ((nanos.min(999_999_999) as u64) << 32).div_ceil(1_000_000_000);
    ntp_secs << 32 | frac
}

/// An NTP 32.32 timestamp as Unix seconds in floating point.
pub fn ntp_to_seconds(ts: u64) -> f64 {
    let (s, n) = ntp_to_unix(ts);
    s as f64 + n as f64 * 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    #[test]
    fn v2_data_from_zbtk_trace() {
        // First UDP payload of captures/zbtk_trace_zep.pcap (LQI mode).
        let bytes = hex(
            "4558020113fffe0097d84fae18f0ab2e1701341a95000000000000000000000c6388adde8c000027d004f2ea",
        );
        let p = ZepPacket::from_bytes(&bytes).unwrap();
        let ZepPacket::V2Data {
            crc_mode,
            frame,
            channel,
            ..
        } = &p
        else {
            panic!("{p:?}")
        };
        assert!(!crc_mode);
        assert_eq!(*channel, 19);
        assert_eq!(frame.len() + 32, bytes.len());
        assert_eq!(p.to_bytes(), bytes);
    }

    #[test]
    fn ack_and_unknown_round_trip() {
        let ack = hex("455802020000002a");
        assert_eq!(
            ZepPacket::from_bytes(&ack).unwrap(),
            ZepPacket::V2Ack { seq: 42 }
        );
        let unk = hex("45580307aabb");
        let p = ZepPacket::from_bytes(&unk).unwrap();
        assert_eq!(
            p,
            ZepPacket::Unknown {
                version: 3,
                rest: hex("07aabb")
            }
        );
        assert_eq!(p.to_bytes(), unk);
    }

    #[test]
    fn ntp_conversions() {
        assert_eq!(ntp_to_unix(0), (-NTP_UNIX_OFFSET, 0));
        let ts = unix_to_ntp(1_700_000_000, 500_000_000);
        assert_eq!(ts, (1_700_000_000u64 + 2_208_988_800) << 32 | 0x8000_0000);
        assert_eq!(ntp_to_unix(ts), (1_700_000_000, 500_000_000));
        assert!((ntp_to_seconds(ts) - 1_700_000_000.5).abs() < 1e-6);
    }

    fn arb_frame() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..=MAX_FRAME)
    }

    fn arb_zep() -> impl Strategy<Value = ZepPacket> {
        prop_oneof![
            (
                any::<u8>(),
                any::<u16>(),
                any::<bool>(),
                any::<u8>(),
                any::<[u8; 7]>(),
                arb_frame()
            )
                .prop_map(|(channel, device_id, crc_mode, lqi, reserved, frame)| {
                    ZepPacket::V1 {
                        channel,
                        device_id,
                        crc_mode,
                        lqi,
                        reserved,
                        frame,
                    }
                }),
            (
                any::<u8>(),
                any::<u16>(),
                any::<bool>(),
                any::<u8>(),
                any::<u64>(),
                any::<u32>(),
                any::<[u8; 10]>(),
                arb_frame()
            )
                .prop_map(
                    |(channel, device_id, crc_mode, lqi, timestamp, seq, reserved, frame)| {
                        ZepPacket::V2Data {
                            channel,
                            device_id,
                            crc_mode,
                            lqi,
                            timestamp,
                            seq,
                            reserved,
                            frame,
                        }
                    }
                ),
            any::<u32>().prop_map(|seq| ZepPacket::V2Ack { seq }),
            (3u8..=255, proptest::collection::vec(any::<u8>(), 0..40))
                .prop_map(|(version, rest)| ZepPacket::Unknown { version, rest }),
            (3u8..=255, proptest::collection::vec(any::<u8>(), 0..40)).prop_map(|(t, mut rest)| {
                rest.insert(0, t);
                ZepPacket::Unknown { version: 2, rest }
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(p in arb_zep()) {
            let bytes = p.to_bytes();
            prop_assert_eq!(bytes.len(), p.buffer_len());
            prop_assert_eq!(ZepPacket::from_bytes(&bytes).unwrap(), p);
        }
        #[test]
        fn ntp_round_trip(secs in 0i64..4_000_000_000 - NTP_UNIX_OFFSET, nanos in 0u32..1_000_000_000) {
            prop_assert_eq!(ntp_to_unix(unix_to_ntp(secs, nanos)), (secs, nanos));
        }
    }
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(p) = ZepPacket::parse(&mut Reader::new(&bytes)) {
                let emitted = p.to_bytes();
                prop_assert_eq!(emitted.as_slice(), bytes.get(..emitted.len()).unwrap_or_default());
            }
        }
    }
}
