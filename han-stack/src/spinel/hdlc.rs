//! HDLC-lite framing (Spinel draft, "UART recommendations"): a 0x7E flag ends
//! every frame, 0x7D escapes a byte by XOR 0x20, and an FCS-16 (RFC 1662 C.2)
//! follows the payload, least significant byte first.

use core::fmt;

/// The frame delimiter.
pub const FLAG: u8 = 0x7E;
/// The escape byte; the next byte is XORed with 0x20.
pub const ESCAPE: u8 = 0x7D;
/// Bytes escaped on the way out: flag, escape, XON, XOFF and 0xF8 (OpenThread's set).
const SPECIAL: [u8; 5] = [FLAG, ESCAPE, 0x11, 0x13, 0xF8];

/// The PPP FCS-16 algorithm (CRC-16/IBM-SDLC, also called X-25).
const X25: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_IBM_SDLC);

/// FCS-16 of `bytes` as sent after the payload (little-endian).
pub fn fcs(bytes: &[u8]) -> u16 {
    X25.checksum(bytes)
}

/// Encode one payload as an HDLC-lite frame: opening flag, escaped payload and FCS, closing flag.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    out.push(FLAG);
    let sum = fcs(payload).to_le_bytes();
    for &b in payload.iter().chain(sum.iter()) {
        if SPECIAL.contains(&b) {
            out.push(ESCAPE);
            out.push(b ^ 0x20);
        } else {
            out.push(b);
        }
    }
    out.push(FLAG);
    out
}

/// Why a frame between two flags was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HdlcError {
    /// Shorter than the two FCS bytes.
    TooShort {
        /// Stream offset of the closing flag.
        offset: u64,
        /// Unescaped bytes received.
        len: usize,
    },
    /// The FCS does not check.
    BadFcs {
        /// Stream offset of the closing flag.
        offset: u64,
        /// FCS computed over the payload.
        computed: u16,
        /// FCS received.
        received: u16,
    },
    /// An escape byte was directly followed by the flag.
    Aborted {
        /// Stream offset of the flag.
        offset: u64,
    },
    /// More than the decoder's limit arrived without a flag.
    TooLong {
        /// Stream offset where the limit was reached.
        offset: u64,
    },
}

impl fmt::Display for HdlcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HdlcError::TooShort { offset, len } => {
                write!(
                    f,
                    "HDLC frame ending at byte {offset}: {len} byte(s), shorter than its FCS"
                )
            }
            HdlcError::BadFcs {
                offset,
                computed,
                received,
            } => write!(
                f,
                "HDLC frame ending at byte {offset}: bad FCS {received:#06x}, computed {computed:#06x}"
            ),
            HdlcError::Aborted { offset } => {
                write!(
                    f,
                    "HDLC frame ending at byte {offset}: escape followed by flag"
                )
            }
            HdlcError::TooLong { offset } => {
                write!(
                    f,
                    "HDLC frame at byte {offset}: longer than the limit, dropped"
                )
            }
        }
    }
}

impl std::error::Error for HdlcError {}

/// Incremental HDLC-lite decoder: feed any chunks of the byte stream, get payloads out.
///
/// Garbage before a flag, bad FCS and over-long frames are reported and
/// skipped; the decoder resynchronises on the next flag.
#[derive(Debug, Clone)]
pub struct HdlcDecoder {
    buf: Vec<u8>,
    escaped: bool,
    overflow: bool,
    offset: u64,
    max_len: usize,
}

impl Default for HdlcDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl HdlcDecoder {
    /// Spinel frames are at most 1300 bytes; this allows headroom.
    pub const DEFAULT_MAX_LEN: usize = 2048;

    /// A decoder with the default length limit.
    pub fn new() -> Self {
        Self::with_max_len(Self::DEFAULT_MAX_LEN)
    }

    /// A decoder that drops frames longer than `max_len` unescaped bytes.
    pub fn with_max_len(max_len: usize) -> Self {
        HdlcDecoder {
            buf: Vec::new(),
            escaped: false,
            overflow: false,
            offset: 0,
            max_len,
        }
    }

    /// Feed one byte; a closing flag yields the payload (without FCS) or why it was dropped.
    pub fn push(&mut self, b: u8) -> Option<Result<Vec<u8>, HdlcError>> {
        let at = self.offset;
        self.offset += 1;
        if b == FLAG {
            let escaped = core::mem::replace(&mut self.escaped, false);
            let overflow = core::mem::replace(&mut self.overflow, false);
            let frame = core::mem::take(&mut self.buf);
            if overflow {
                return None; // already reported
            }
            if escaped {
                return Some(Err(HdlcError::Aborted { offset: at }));
            }
            if frame.is_empty() {
                return None; // back-to-back flags
            }
            return Some(check(frame, at));
        }
        if self.overflow {
            return None;
        }
        let v = if core::mem::replace(&mut self.escaped, false) {
            b ^ 0x20
        } else if b == ESCAPE {
            self.escaped = true;
            return None;
        } else {
            b
        };
        if self.buf.len() >= self.max_len + 2 {
            self.buf.clear();
            self.overflow = true;
            return Some(Err(HdlcError::TooLong { offset: at }));
        }
        self.buf.push(v);
        None
    }

    /// Feed a chunk; returns every frame it closed, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Result<Vec<u8>, HdlcError>> {
        bytes.iter().filter_map(|&b| self.push(b)).collect()
    }
}

fn check(mut frame: Vec<u8>, offset: u64) -> Result<Vec<u8>, HdlcError> {
    if frame.len() < 2 {
        return Err(HdlcError::TooShort {
            offset,
            len: frame.len(),
        });
    }
    let split = frame.len() - 2;
    let computed = fcs(&frame[..split]);
    let received = u16::from_le_bytes([frame[split], frame[split + 1]]);
    if computed != received {
        return Err(HdlcError::BadFcs {
            offset,
            computed,
            received,
        });
    }
    frame.truncate(split);
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fcs_check_value() {
        // CRC-16/IBM-SDLC check value over "123456789".
        assert_eq!(fcs(b"123456789"), 0x906E);
    }

    #[test]
    fn reset_frame_bytes() {
        // Spinel RESET, header 0x80 command 0x01, as a host sends it.
        let f = encode(&[0x80, 0x01]);
        assert_eq!(f[0], FLAG);
        assert_eq!(*f.last().unwrap(), FLAG);
        let mut d = HdlcDecoder::new();
        assert_eq!(d.feed(&f), vec![Ok(vec![0x80, 0x01])]);
    }

    #[test]
    fn escapes_specials() {
        let p = [0x7E, 0x7D, 0x11, 0x13, 0xF8, 0x00];
        let f = encode(&p);
        assert_eq!(
            &f[1..11],
            &[0x7D, 0x5E, 0x7D, 0x5D, 0x7D, 0x31, 0x7D, 0x33, 0x7D, 0xD8]
        );
        assert_eq!(HdlcDecoder::new().feed(&f), vec![Ok(p.to_vec())]);
    }

    #[test]
    fn garbage_and_bad_fcs_are_skipped() {
        let mut s = vec![0x01, 0x02, 0x03];
        let mut bad = encode(&[0x81, 0x06, 0x00, 0x00]);
        let n = bad.len();
        bad[n - 2] ^= 0x01;
        s.extend_from_slice(&bad);
        s.extend_from_slice(&encode(&[0x81, 0x06, 0x00, 0x00]));
        let out = HdlcDecoder::new().feed(&s);
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0], Err(HdlcError::BadFcs { .. }))); // the garbage
        assert!(matches!(out[1], Err(HdlcError::BadFcs { .. })));
        assert_eq!(out[2], Ok(vec![0x81, 0x06, 0x00, 0x00]));
    }

    #[test]
    fn too_long_resynchronises() {
        let mut d = HdlcDecoder::with_max_len(4);
        let mut s = vec![0x55; 10];
        s.extend_from_slice(&encode(&[1, 2, 3]));
        let out = d.feed(&s);
        assert!(matches!(out[0], Err(HdlcError::TooLong { .. })));
        assert_eq!(out[1], Ok(vec![1, 2, 3]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip_in_any_chunks(p in proptest::collection::vec(any::<u8>(), 1..128), cut in 0usize..300) {
            let f = encode(&p);
            let cut = cut.min(f.len());
            let mut d = HdlcDecoder::new();
            let mut out = d.feed(&f[..cut]);
            out.extend(d.feed(&f[cut..]));
            prop_assert_eq!(out, vec![Ok(p)]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(s in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut d = HdlcDecoder::with_max_len(32);
            let _ = d.feed(&s);
        }
    }
}
