//! Spinel packed unsigned integers (Spinel draft 3.2, "EXI"): seven bits per
//! byte, least significant group first, bit 7 set on every byte but the last.
//! Spinel limits them to 21 bits (three bytes).

use crate::error::Result;
use crate::wire::{Reader, Writer};

/// The largest value a Spinel packed integer may hold.
pub const MAX: u32 = (1 << 21) - 1;

/// Read one packed unsigned integer; over-long or non-minimal encodings are malformed.
pub fn read(r: &mut Reader<'_>, what: &'static str) -> Result<u32> {
    let start = r.clone();
    let mut v = 0u32;
    for i in 0..3 {
        let b = r.u8(what)?;
        v |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && b == 0 {
                return Err(start.malformed(what, "packed integer is not minimal"));
            }
            return Ok(v);
        }
    }
    Err(start.malformed(what, "packed integer longer than 3 bytes"))
}

/// Append `v` packed; values above [`MAX`] are cut to 21 bits.
pub fn write(w: &mut Writer, v: u32) {
    let mut v = v & MAX;
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            w.u8(b);
            return;
        }
        w.u8(b | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(v: u32) -> Vec<u8> {
        let mut w = Writer::new();
        write(&mut w, v);
        w.into_vec()
    }

    #[test]
    fn draft_examples() {
        // Spinel draft 3.2 examples.
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(127), [0x7F]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(1337), [0xB9, 0x0A]);
        assert_eq!(enc(16383), [0xFF, 0x7F]);
        assert_eq!(enc(16384), [0x80, 0x80, 0x01]);
        assert_eq!(enc(0x1304), [0x84, 0x26]);
    }

    #[test]
    fn rejects_long_and_non_minimal() {
        assert!(read(&mut Reader::new(&[0x80, 0x80, 0x80, 0x01]), "x").is_err());
        assert!(read(&mut Reader::new(&[0x81, 0x00]), "x").is_err());
        assert!(read(&mut Reader::new(&[0x81]), "x").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(v in 0u32..=MAX) {
            let b = enc(v);
            let mut r = Reader::new(&b);
            prop_assert_eq!(read(&mut r, "v").unwrap(), v);
            prop_assert!(r.is_empty());
        }
    }
}
