//! The MAC auxiliary security header (IEEE 802.15.4-2015 9.4). Zigbee
//! does not use MAC security; this exists so secured frames decode.
//!
//! `| security control 1 | [frame counter 4] | [key source 0/4/8] [key index 1] |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// MIC length in bytes for a security level: IEEE 802.15.4-2015 Table 9-6
/// maps levels to MIC lengths exactly as Zigbee CCM* does.
pub use crate::security::frame::mic_len;

/// How the key is identified (key identifier mode, security control bits 3–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacKeyId {
    /// Mode 0: the key follows implicitly from the sender and recipient.
    Implicit,
    /// Mode 1: key index with the default key source.
    Index(u8),
    /// Mode 2: a 4-byte key source and a key index.
    Source4 {
        /// Key source.
        source: u32,
        /// Key index.
        index: u8,
    },
    /// Mode 3: an 8-byte key source and a key index.
    Source8 {
        /// Key source.
        source: u64,
        /// Key index.
        index: u8,
    },
}

impl MacKeyId {
    /// The two-bit key identifier mode.
    pub fn mode(&self) -> u8 {
        match self {
            MacKeyId::Implicit => 0,
            MacKeyId::Index(_) => 1,
            MacKeyId::Source4 { .. } => 2,
            MacKeyId::Source8 { .. } => 3,
        }
    }
}

/// The auxiliary security header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacSecurityHeader {
    /// Security level, 0–7 (bit 2 = encryption, bits 0–1 = MIC size).
    pub level: u8,
    /// Key identifier.
    pub key_id: MacKeyId,
    /// Frame counter suppression (bit 5, 2015; reserved before).
    pub frame_counter_suppression: bool,
    /// ASN in nonce (bit 6, 2015 TSCH; reserved before).
    pub asn_in_nonce: bool,
    /// Reserved bit 7, kept.
    pub reserved: bool,
    /// Frame counter, present unless suppressed.
    pub frame_counter: Option<u32>,
}

impl MacSecurityHeader {
    /// The security control byte.
    pub fn control(&self) -> u8 {
        (self.level & 7)
            | (self.key_id.mode() << 3)
            | if self.frame_counter_suppression {
                0x20
            } else {
                0
            }
            | if self.asn_in_nonce { 0x40 } else { 0 }
            | if self.reserved { 0x80 } else { 0 }
    }

    /// MIC length in bytes that this header's level implies.
    pub fn mic_len(&self) -> usize {
        mic_len(self.level)
    }
}

impl Wire for MacSecurityHeader {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let c = r.u8("security control")?;
        let frame_counter_suppression = c & 0x20 != 0;
        let frame_counter = if frame_counter_suppression {
            None
        } else {
            Some(r.u32("frame counter")?)
        };
        let key_id = match (c >> 3) & 3 {
            0 => MacKeyId::Implicit,
            1 => MacKeyId::Index(r.u8("key index")?),
            2 => MacKeyId::Source4 {
                source: r.u32("key source")?,
                index: r.u8("key index")?,
            },
            _ => MacKeyId::Source8 {
                source: r.u64("key source")?,
                index: r.u8("key index")?,
            },
        };
        Ok(MacSecurityHeader {
            level: c & 7,
            key_id,
            frame_counter_suppression,
            asn_in_nonce: c & 0x40 != 0,
            reserved: c & 0x80 != 0,
            frame_counter,
        })
    }

    // The counter follows the suppression bit; a disagreeing Repr is normalised.
    fn emit(&self, w: &mut Writer) {
        w.u8(self.control());
        if !self.frame_counter_suppression {
            w.u32(self.frame_counter.unwrap_or(0));
        }
        match self.key_id {
            MacKeyId::Implicit => {}
            MacKeyId::Index(i) => w.u8(i),
            MacKeyId::Source4 { source, index } => {
                w.u32(source);
                w.u8(index);
            }
            MacKeyId::Source8 { source, index } => {
                w.u64(source);
                w.u8(index);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Canonical security headers.
    pub(crate) fn arb_security() -> impl Strategy<Value = MacSecurityHeader> {
        let key = prop_oneof![
            Just(MacKeyId::Implicit),
            any::<u8>().prop_map(MacKeyId::Index),
            (any::<u32>(), any::<u8>())
                .prop_map(|(source, index)| MacKeyId::Source4 { source, index }),
            (any::<u64>(), any::<u8>())
                .prop_map(|(source, index)| MacKeyId::Source8 { source, index }),
        ];
        (
            0u8..8,
            key,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<u32>(),
        )
            .prop_map(
                |(level, key_id, fcs, asn, reserved, fc)| MacSecurityHeader {
                    level,
                    key_id,
                    frame_counter_suppression: fcs,
                    asn_in_nonce: asn,
                    reserved,
                    frame_counter: (!fcs).then_some(fc),
                },
            )
    }

    #[test]
    fn mic_lengths() {
        assert_eq!(
            [0, 1, 2, 3, 4, 5, 6, 7].map(mic_len),
            [0, 4, 8, 16, 0, 4, 8, 16]
        );
    }

    #[test]
    fn real_header() {
        // zigator_02-mac-testing.pcap frame 16: level 5 (ENC-MIC-32), key id mode 1, counter 6, index 1
        let bytes = [0x0d, 0x06, 0x00, 0x00, 0x00, 0x01];
        let h = MacSecurityHeader::from_bytes(&bytes).unwrap();
        assert_eq!(h.level, 5);
        assert_eq!(h.frame_counter, Some(6));
        assert_eq!(h.key_id, MacKeyId::Index(1));
        assert_eq!(h.mic_len(), 4);
        assert_eq!(h.to_bytes(), bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(h in arb_security()) {
            prop_assert_eq!(MacSecurityHeader::from_bytes(&h.to_bytes()).unwrap(), h);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            let _ = MacSecurityHeader::parse(&mut Reader::new(&bytes));
        }
    }
}
