//! The MAC frame check sequence (IEEE 802.15.4-2015 7.2.10): the ITU-T
//! CRC-16 computed bit-reflected, which is CRC-16/KERMIT.

/// CRC-16/KERMIT of `bytes` (poly 0x1021 reflected, init 0, no xorout); sent little-endian.
pub fn fcs(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        (crc >> 8) ^ TABLE[usize::from((crc as u8) ^ b)]
    })
}

/// The byte-at-a-time table of the reflected polynomial 0x8408.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::test_util::hex;

    #[test]
    fn real_frame_vector() {
        // shared/vectors.toml [[ieee802154_fcs]] fcs_zdp_req_mgmt_lqi
        let frame = hex(
            "6188e3bf182cda000008022cda00001e3f288985bd011ab0f7fefff9e3b40067fdf6895be2d544346729e42d46",
        );
        assert_eq!(fcs(&frame).to_le_bytes(), [0xa0, 0x3f]);
    }

    #[test]
    fn kermit_check_value() {
        assert_eq!(fcs(b"123456789"), 0x2189);
    }
}
