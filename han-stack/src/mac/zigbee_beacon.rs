//! The Zigbee beacon payload (Zigbee PRO R22 3.6.7, Table 3-67), carried
//! in [`crate::mac::Beacon::payload`] with protocol ID 0.
//!
//! `| protocol id 1 | stack profile:4 protocol version:4 | reserved:2 router cap:1 depth:4 ED cap:1 | EPID 8 | tx offset 3 | update id 1 |`

use crate::error::{Error, Result};
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// A Zigbee beacon payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZigbeeBeacon {
    /// Stack profile (low nibble; 2 = Zigbee PRO).
    pub stack_profile: u8,
    /// NWK protocol version (high nibble; 2 for Zigbee 2007 / PRO).
    pub protocol_version: u8,
    /// Reserved bits 0–1 of the third byte, kept.
    pub reserved: u8,
    /// The sender accepts routers as children.
    pub router_capacity: bool,
    /// Sender's network depth (4 bits).
    pub device_depth: u8,
    /// The sender accepts end devices as children.
    pub end_device_capacity: bool,
    /// Extended PAN ID, printed like an EUI-64.
    pub extended_pan_id: ExtAddr,
    /// Beacon transmission time offset (24 bits; 0xffffff in non-beacon networks).
    pub tx_offset: u32,
    /// nwkUpdateId.
    pub update_id: u8,
}

impl ZigbeeBeacon {
    /// Zigbee's protocol ID, the first byte of the beacon payload.
    pub const PROTOCOL_ID: u8 = 0;

    /// The stack profile value of Zigbee PRO.
    pub const STACK_PROFILE_PRO: u8 = 2;

    /// Decode a whole beacon payload (as in `Beacon::payload`).
    pub fn parse_payload(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes(bytes)
    }
}

impl Wire for ZigbeeBeacon {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let protocol_id = r.u8("beacon protocol id")?;
        if protocol_id != Self::PROTOCOL_ID {
            return Err(Error::Malformed {
                what: "beacon protocol id",
                offset: r.offset() - 1,
                reason: format!("{protocol_id:#04x} is not Zigbee (0x00)"),
            });
        }
        let profile = r.u8("stack profile")?;
        let caps = r.u8("beacon capacity")?;
        Ok(ZigbeeBeacon {
            stack_profile: profile & 0x0f,
            protocol_version: profile >> 4,
            reserved: caps & 0x03,
            router_capacity: caps & 0x04 != 0,
            device_depth: (caps >> 3) & 0x0f,
            end_device_capacity: caps & 0x80 != 0,
            extended_pan_id: ExtAddr::parse(r)?,
            tx_offset: {
                let b: [u8; 3] = r.array("tx offset")?;
                u32::from_le_bytes([b[0], b[1], b[2], 0])
            },
            update_id: r.u8("update id")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(Self::PROTOCOL_ID);
        w.u8((self.stack_profile & 0x0f) | (self.protocol_version & 0x0f) << 4);
        w.u8((self.reserved & 0x03)
            | u8::from(self.router_capacity) << 2
            | (self.device_depth & 0x0f) << 3
            | u8::from(self.end_device_capacity) << 7);
        self.extended_pan_id.emit(w);
        w.bytes(&self.tx_offset.to_le_bytes()[..3]);
        w.u8(self.update_id);
    }

    fn buffer_len(&self) -> usize {
        15
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    #[test]
    fn zigator_beacon_payload() {
        // zigator_02-mac-testing.pcap frame 8; tshark: ZigBee PRO, router and end device
        // capacity, depth 2, EPID fa:ce:fe:ed:be:ef:ca:fe, tx offset 16777215, update id 0
        let bytes = hex("002294fecaefbeedfecefaffffff00");
        let b = ZigbeeBeacon::parse_payload(&bytes).unwrap();
        assert_eq!(b.stack_profile, ZigbeeBeacon::STACK_PROFILE_PRO);
        assert_eq!(b.protocol_version, 2);
        assert!(b.router_capacity);
        assert_eq!(b.device_depth, 2);
        assert!(b.end_device_capacity);
        assert_eq!(b.extended_pan_id.to_string(), "fa:ce:fe:ed:be:ef:ca:fe");
        assert_eq!(b.tx_offset, 16777215);
        assert_eq!(b.update_id, 0);
        assert_eq!(b.to_bytes(), bytes);
    }

    #[test]
    fn thread_beacon_is_not_zigbee() {
        // zigator_02 frame 15: protocol id 3 (Thread)
        let bytes = hex("032045786160");
        assert!(ZigbeeBeacon::parse_payload(&bytes).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(
            sp in 0u8..16, pv in 0u8..16, res in 0u8..4, rc: bool, depth in 0u8..16, ed: bool,
            epid: u64, tx in 0u32..0x100_0000, upd: u8,
        ) {
            let b = ZigbeeBeacon {
                stack_profile: sp, protocol_version: pv, reserved: res, router_capacity: rc,
                device_depth: depth, end_device_capacity: ed, extended_pan_id: ExtAddr(epid),
                tx_offset: tx, update_id: upd,
            };
            prop_assert_eq!(ZigbeeBeacon::from_bytes(&b.to_bytes()).unwrap(), b);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            let _ = ZigbeeBeacon::from_bytes(&bytes);
        }
    }
}
