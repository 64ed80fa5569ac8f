//! The MAC beacon frame payload (IEEE 802.15.4-2006 7.2.2.1):
//! superframe specification, GTS fields, pending addresses, beacon payload.

use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// Superframe specification (IEEE 802.15.4-2006 7.2.2.1.2), 16 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SuperframeSpec {
    /// Beacon order, bits 0–3 (15 = non-beacon network).
    pub beacon_order: u8,
    /// Superframe order, bits 4–7.
    pub superframe_order: u8,
    /// Final CAP slot, bits 8–11.
    pub final_cap_slot: u8,
    /// Battery life extension, bit 12.
    pub battery_life_extension: bool,
    /// Reserved bit 13, kept.
    pub reserved: bool,
    /// Sent by the PAN coordinator, bit 14.
    pub pan_coordinator: bool,
    /// Association permitted, bit 15.
    pub association_permit: bool,
}

impl SuperframeSpec {
    /// From the 16-bit field value.
    pub fn from_u16(v: u16) -> Self {
        SuperframeSpec {
            beacon_order: (v & 0x0f) as u8,
            superframe_order: ((v >> 4) & 0x0f) as u8,
            final_cap_slot: ((v >> 8) & 0x0f) as u8,
            battery_life_extension: v & 0x1000 != 0,
            reserved: v & 0x2000 != 0,
            pan_coordinator: v & 0x4000 != 0,
            association_permit: v & 0x8000 != 0,
        }
    }

    /// The 16-bit field value.
    pub fn to_u16(self) -> u16 {
        u16::from(self.beacon_order & 0x0f)
            | u16::from(self.superframe_order & 0x0f) << 4
            | u16::from(self.final_cap_slot & 0x0f) << 8
            | u16::from(self.battery_life_extension) << 12
            | u16::from(self.reserved) << 13
            | u16::from(self.pan_coordinator) << 14
            | u16::from(self.association_permit) << 15
    }
}

/// One GTS descriptor (IEEE 802.15.4-2006 7.2.2.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GtsDescriptor {
    /// Device short address.
    pub short_addr: u16,
    /// GTS starting slot, bits 0–3.
    pub starting_slot: u8,
    /// GTS length, bits 4–7.
    pub length: u8,
}

/// GTS specification, directions and list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GtsInfo {
    /// GTS permit, spec bit 7.
    pub permit: bool,
    /// Reserved spec bits 3–6, kept (as the value of those bits shifted down).
    pub reserved: u8,
    /// Directions byte (bit i = descriptor i is receive-only), present iff descriptors are.
    pub directions: Option<u8>,
    /// Up to 7 descriptors.
    pub descriptors: Vec<GtsDescriptor>,
}

impl Wire for GtsInfo {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let spec = r.u8("GTS specification")?;
        let count = spec & 7;
        let directions = if count > 0 {
            Some(r.u8("GTS directions")?)
        } else {
            None
        };
        let mut descriptors = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let short_addr = r.u16("GTS device short address")?;
            let slot = r.u8("GTS slot")?;
            descriptors.push(GtsDescriptor {
                short_addr,
                starting_slot: slot & 0x0f,
                length: slot >> 4,
            });
        }
        Ok(GtsInfo {
            permit: spec & 0x80 != 0,
            reserved: (spec >> 3) & 0x0f,
            directions,
            descriptors,
        })
    }

    // At most 7 descriptors fit the 3-bit count; extra ones are not emitted.
    fn emit(&self, w: &mut Writer) {
        let n = self.descriptors.len().min(7);
        w.u8(n as u8 | (self.reserved & 0x0f) << 3 | u8::from(self.permit) << 7);
        if n > 0 {
            w.u8(self.directions.unwrap_or(0));
        }
        for d in self.descriptors.iter().take(n) {
            w.u16(d.short_addr);
            w.u8((d.starting_slot & 0x0f) | (d.length & 0x0f) << 4);
        }
    }
}

/// Pending address specification and lists (IEEE 802.15.4-2006 7.2.2.1.7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PendingAddresses {
    /// Reserved spec bits 3 and 7, kept in place (mask 0x88).
    pub reserved: u8,
    /// Up to 7 short addresses with pending data.
    pub short: Vec<u16>,
    /// Up to 7 extended addresses with pending data.
    pub extended: Vec<ExtAddr>,
}

impl Wire for PendingAddresses {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let spec = r.u8("pending address specification")?;
        let mut short = Vec::new();
        for _ in 0..(spec & 7) {
            short.push(r.u16("pending short address")?);
        }
        let mut extended = Vec::new();
        for _ in 0..((spec >> 4) & 7) {
            extended.push(ExtAddr::parse(r)?);
        }
        Ok(PendingAddresses {
            reserved: spec & 0x88,
            short,
            extended,
        })
    }

    // At most 7 of each fit the 3-bit counts; extra ones are not emitted.
    fn emit(&self, w: &mut Writer) {
        let ns = self.short.len().min(7);
        let ne = self.extended.len().min(7);
        w.u8(ns as u8 | (ne as u8) << 4 | (self.reserved & 0x88));
        for a in self.short.iter().take(ns) {
            w.u16(*a);
        }
        for a in self.extended.iter().take(ne) {
            a.emit(w);
        }
    }
}

/// A beacon frame's MAC payload; `payload` is the beacon payload (see
/// [`crate::mac::ZigbeeBeacon`] for Zigbee's), and runs to the end of the frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Beacon {
    /// Superframe specification.
    pub superframe: SuperframeSpec,
    /// GTS fields.
    pub gts: GtsInfo,
    /// Pending addresses.
    pub pending: PendingAddresses,
    /// Beacon payload bytes.
    pub payload: Vec<u8>,
}

impl Wire for Beacon {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Beacon {
            superframe: SuperframeSpec::from_u16(r.u16("superframe specification")?),
            gts: GtsInfo::parse(r)?,
            pending: PendingAddresses::parse(r)?,
            payload: r.rest().to_vec(),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.superframe.to_u16());
        self.gts.emit(w);
        self.pending.emit(w);
        w.bytes(&self.payload);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_util::hex;
    use proptest::prelude::*;

    /// Canonical beacons.
    pub(crate) fn arb_beacon() -> impl Strategy<Value = Beacon> {
        let gts = (
            any::<bool>(),
            0u8..16,
            any::<u8>(),
            proptest::collection::vec((any::<u16>(), 0u8..16, 0u8..16), 0..=7),
        )
            .prop_map(|(permit, reserved, dirs, ds)| GtsInfo {
                permit,
                reserved,
                directions: (!ds.is_empty()).then_some(dirs),
                descriptors: ds
                    .into_iter()
                    .map(|(short_addr, starting_slot, length)| GtsDescriptor {
                        short_addr,
                        starting_slot,
                        length,
                    })
                    .collect(),
            });
        let pending = (
            prop_oneof![Just(0u8), Just(0x08), Just(0x80), Just(0x88)],
            proptest::collection::vec(any::<u16>(), 0..=7),
            proptest::collection::vec(any::<u64>().prop_map(ExtAddr), 0..=7),
        )
            .prop_map(|(reserved, short, extended)| PendingAddresses {
                reserved,
                short,
                extended,
            });
        (
            any::<u16>(),
            gts,
            pending,
            proptest::collection::vec(any::<u8>(), 0..20),
        )
            .prop_map(|(sf, gts, pending, payload)| Beacon {
                superframe: SuperframeSpec::from_u16(sf),
                gts,
                pending,
                payload,
            })
    }

    #[test]
    fn zigator_beacon() {
        // zigator_02-mac-testing.pcap frame 8, MAC payload after the source address
        let bytes = hex("ff0f00000022 94fecaefbeedfecefaffffff00"
            .replace(' ', "")
            .as_str());
        let b = Beacon::from_bytes(&bytes).unwrap();
        assert_eq!(b.superframe.beacon_order, 15);
        assert_eq!(b.superframe.superframe_order, 15);
        assert_eq!(b.superframe.final_cap_slot, 15);
        assert!(!b.superframe.association_permit);
        assert!(b.gts.descriptors.is_empty());
        assert!(b.pending.short.is_empty());
        assert_eq!(b.payload.len(), 15);
        assert_eq!(b.to_bytes(), bytes);
    }

    #[test]
    fn gts_and_pending_lists() {
        // 2 GTS descriptors, 1 short + 1 extended pending address
        let bytes = hex("ff4f8202341212785634113412010203040506070800");
        let b = Beacon::from_bytes(&bytes).unwrap();
        assert!(b.superframe.pan_coordinator);
        assert_eq!(b.gts.descriptors.len(), 2);
        assert_eq!(b.gts.descriptors[0].short_addr, 0x1234);
        assert_eq!(b.gts.descriptors[0].starting_slot, 2);
        assert_eq!(b.gts.descriptors[0].length, 1);
        assert_eq!(b.pending.short, vec![0x1234]);
        assert_eq!(b.pending.extended, vec![ExtAddr(0x0807060504030201)]);
        assert_eq!(b.payload, vec![0]);
        assert_eq!(b.to_bytes(), bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(b in arb_beacon()) {
            prop_assert_eq!(Beacon::from_bytes(&b.to_bytes()).unwrap(), b);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = Beacon::from_bytes(&bytes);
        }
    }
}
