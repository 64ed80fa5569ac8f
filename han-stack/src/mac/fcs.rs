//! The MAC frame check sequence (IEEE 802.15.4-2015 7.2.10): the ITU-T
//! CRC-16 computed bit-reflected, which is CRC-16/KERMIT.

/// CRC-16/KERMIT of `bytes` (poly 0x1021 reflected, init 0, no xorout); sent little-endian.
pub fn fcs(bytes: &[u8]) -> u16 {
    KERMIT.checksum(bytes)
}

/// The FCS algorithm, table-driven (16 bytes per step) by the `crc` crate.
const KERMIT: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_KERMIT);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

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
