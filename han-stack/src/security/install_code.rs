//! Install codes (Zigbee BDB 10.1, Silicon Labs AN1089): a 6/8/12/16-byte code
//! followed by its CRC-16/X-25 in little-endian order; the preconfigured link
//! key is MMO(code ‖ CRC).

use super::mmo;
use thiserror::Error as ThisError;

/// What is wrong with an install code a person typed or a device printed.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum InstallCodeError {
    /// A character that is not a hex digit or an allowed separator.
    #[error(
        "install code: character {ch:?} at position {pos} is not a hex digit (separators allowed: space, ':', '-')"
    )]
    BadChar {
        /// The character.
        ch: char,
        /// Its character position (0-based).
        pos: usize,
    },
    /// An odd number of hex digits.
    #[error("install code: odd number of hex digits ({0})")]
    OddDigits(usize),
    /// A total length that is not code (6, 8, 12 or 16) plus 2 CRC bytes.
    #[error(
        "install code: {0} bytes; expected 8, 10, 14 or 18 (a 6, 8, 12 or 16-byte code plus its 2-byte CRC)"
    )]
    BadLength(usize),
    /// The trailing CRC does not match the code.
    #[error("install code: CRC is {found:04X} (bytes {found_lo:02x} {found_hi:02x}) but the code's CRC-16/X-25 is {expected:04X} (bytes {exp_lo:02x} {exp_hi:02x}, little-endian)", found_lo = found & 0xff, found_hi = found >> 8, exp_lo = expected & 0xff, exp_hi = expected >> 8)]
    BadCrc {
        /// CRC value read from the last two bytes (little-endian).
        found: u16,
        /// CRC computed over the code.
        expected: u16,
    },
}

/// A checked install code: the code bytes plus their CRC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstallCode {
    bytes: Vec<u8>,
}

impl InstallCode {
    /// Parse hex text (spaces, colons and dashes ignored) holding code ‖ CRC.
    pub fn from_hex(text: &str) -> Result<Self, InstallCodeError> {
        let mut digits = Vec::with_capacity(text.len());
        for (pos, ch) in text.trim().chars().enumerate() {
            match ch {
                ' ' | ':' | '-' | '\t' => {}
                _ => match ch.to_digit(16) {
                    Some(d) => digits.push(d as u8),
                    None => return Err(InstallCodeError::BadChar { ch, pos }),
                },
            }
        }
        if digits.len() % 2 != 0 {
            return Err(InstallCodeError::OddDigits(digits.len()));
        }
        let bytes: Vec<u8> = digits.chunks_exact(2).map(|p| p[0] << 4 | p[1]).collect();
        Self::from_bytes(&bytes)
    }

    /// Check code ‖ CRC bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InstallCodeError> {
        if ![8, 10, 14, 18].contains(&bytes.len()) {
            return Err(InstallCodeError::BadLength(bytes.len()));
        }
        let (code, crc) = bytes.split_at(bytes.len() - 2);
        let found = u16::from_le_bytes([crc[0], crc[1]]);
        let expected = crc16_x25(code);
        if found != expected {
            return Err(InstallCodeError::BadCrc { found, expected });
        }
        Ok(InstallCode {
            bytes: bytes.to_vec(),
        })
    }

    /// Append the CRC to a 6, 8, 12 or 16-byte code.
    pub fn with_crc(code: &[u8]) -> Result<Self, InstallCodeError> {
        if ![6, 8, 12, 16].contains(&code.len()) {
            return Err(InstallCodeError::BadLength(code.len() + 2));
        }
        let mut bytes = code.to_vec();
        bytes.extend_from_slice(&crc16_x25(code).to_le_bytes());
        Ok(InstallCode { bytes })
    }

    /// The code without its CRC.
    pub fn code(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - 2]
    }

    /// The CRC value.
    pub fn crc(&self) -> u16 {
        crc16_x25(self.code())
    }

    /// Code ‖ CRC, as printed on the device.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The preconfigured link key, MMO(code ‖ CRC).
    pub fn link_key(&self) -> [u8; 16] {
        mmo::hash(&self.bytes)
    }
}

/// CRC-16/X-25 (poly 0x1021 reflected, init and xorout 0xFFFF), which the
/// `crc` catalogue names CRC-16/IBM-SDLC.
fn crc16_x25(data: &[u8]) -> u16 {
    crc::Crc::<u16>::new(&crc::CRC_16_IBM_SDLC).checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::test_vectors::{hex, vectors};
    use proptest::prelude::*;

    #[test]
    fn every_install_code_vector() {
        let v = vectors();
        let entries = v["install_code"].as_array().unwrap();
        assert_eq!(entries.len(), 7);
        for e in entries {
            let code = hex(e["install_code"].as_str().unwrap());
            let crc = hex(e["crc16_x25_le_bytes"].as_str().unwrap());
            let built = InstallCode::with_crc(&code).unwrap();
            assert_eq!(
                &built.as_bytes()[code.len()..],
                crc.as_slice(),
                "{}",
                e["name"]
            );
            let key = e
                .get("link_key")
                .or_else(|| e.get("link_key_computed_unpublished"))
                .unwrap();
            assert_eq!(
                built.link_key().to_vec(),
                hex(key.as_str().unwrap()),
                "{}",
                e["name"]
            );
        }
    }

    #[test]
    fn text_forms_and_errors() {
        let ic = InstallCode::from_hex("EE91 7C25 E941 23C2 27B9 3F4D 50A0 C34F 373D").unwrap();
        assert_eq!(
            ic.link_key().to_vec(),
            hex("4c23a848a76f432113510a301c5fdfd2")
        );
        assert_eq!(
            InstallCode::from_hex("11:22:33:44:55:66:77:88-4a-f7")
                .unwrap()
                .crc(),
            0xF74A
        );
        // AN1089 sec 7: the CRC reversed is wrong and the message says which order is right.
        let e = InstallCode::from_hex("88776655443322111122334455667788 90d4").unwrap_err();
        assert_eq!(
            e,
            InstallCodeError::BadCrc {
                found: 0xd490,
                expected: 0x90d4
            }
        );
        assert!(e.to_string().contains("bytes d4 90, little-endian"), "{e}");
        assert_eq!(
            InstallCode::from_hex("1122x3"),
            Err(InstallCodeError::BadChar { ch: 'x', pos: 4 })
        );
        assert_eq!(
            InstallCode::from_hex("112"),
            Err(InstallCodeError::OddDigits(3))
        );
        assert_eq!(
            InstallCode::from_hex("1122"),
            Err(InstallCodeError::BadLength(2))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn from_hex_never_panics(s in "[0-9a-fA-F :x-]{0,48}") {
            let _ = InstallCode::from_hex(&s);
        }
    }
}
