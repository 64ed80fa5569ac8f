//! Active scan (IEEE 802.15.4-2015 6.3.1): the PAN descriptors a device collects from
//! the beacons that answer its Beacon Requests, and how a Zigbee device picks one to join
//! (Zigbee PRO R22 3.6.1.4.1: permit joining, capacity for its kind, best link, least depth).

use super::indirect::BASE_SUPERFRAME_SYMBOLS;
use super::{Address, MacFrame, MacPayload, SuperframeSpec, ZigbeeBeacon};
use crate::wire::ExtAddr;

/// macResponseWaitTime default, in aBaseSuperframeDuration units (IEEE 802.15.4-2015 Table 8-94).
pub const RESPONSE_WAIT_UNITS: u64 = 32;

/// Zigbee's default scan duration exponent for joining (nwkScanDuration-like, 3).
pub const DEFAULT_SCAN_EXPONENT: u8 = 3;

/// Time spent listening on each channel of an active scan:
/// aBaseSuperframeDuration·(2ⁿ + 1) symbols (138.24 ms for n = 3 at 2.4 GHz).
pub fn scan_duration_ns(exponent: u8, symbol_ns: u64) -> u64 {
    BASE_SUPERFRAME_SYMBOLS * ((1u64 << exponent.min(14)) + 1) * symbol_ns
}

/// macResponseWaitTime: 32·aBaseSuperframeDuration symbols (491.52 ms at 2.4 GHz).
pub fn response_wait_ns(symbol_ns: u64) -> u64 {
    RESPONSE_WAIT_UNITS * BASE_SUPERFRAME_SYMBOLS * symbol_ns
}

/// macMaxFrameTotalWaitTime for the default CSMA attributes (macMinBE 3, macMaxBE 5,
/// macMaxCSMABackoffs 4) and a maximum-length frame (IEEE 802.15.4-2015 8.4.3.1):
/// (2³ + 2⁴ + 31·2)·aUnitBackoffPeriod + phyMaxFrameDuration = 1720 + 266 symbols.
pub fn max_frame_total_wait_ns(symbol_ns: u64) -> u64 {
    (86 * u64::from(super::csma::UNIT_BACKOFF_SYMBOLS) + 266) * symbol_ns
}

/// One beacon heard during a scan (IEEE 802.15.4-2015 Table 8-10, with the Zigbee payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanDescriptor {
    /// Channel it was heard on.
    pub channel: u8,
    /// The coordinator's PAN ID.
    pub pan: u16,
    /// The coordinator's address as in the beacon.
    pub coordinator: Address,
    /// Link quality of the beacon.
    pub lqi: u8,
    /// Superframe specification (association permit, PAN coordinator).
    pub superframe: SuperframeSpec,
    /// The Zigbee beacon payload, if the beacon carried one that parses.
    pub zigbee: Option<ZigbeeBeacon>,
}

impl PanDescriptor {
    /// The descriptor of a received beacon frame; None for any other frame.
    pub fn from_beacon(frame: &MacFrame, channel: u8, lqi: u8) -> Option<Self> {
        let MacPayload::Beacon(b) = &frame.payload else {
            return None;
        };
        Some(PanDescriptor {
            channel,
            pan: frame.src_pan?,
            coordinator: frame.src,
            lqi,
            superframe: b.superframe,
            zigbee: ZigbeeBeacon::parse_payload(&b.payload).ok(),
        })
    }

    /// The coordinator takes a child of this kind now: association permitted and, in a
    /// Zigbee beacon, capacity for routers (`as_router`) or end devices.
    pub fn accepts(&self, as_router: bool) -> bool {
        self.superframe.association_permit
            && self.zigbee.is_some_and(|z| {
                if as_router {
                    z.router_capacity
                } else {
                    z.end_device_capacity
                }
            })
    }
}

/// The descriptor to associate with: one that accepts the device (and is in
/// `extended_pan_id` when given), with the best LQI, then the least depth; ties go to the
/// first heard.
pub fn choose(
    found: &[PanDescriptor],
    as_router: bool,
    extended_pan_id: Option<ExtAddr>,
) -> Option<PanDescriptor> {
    let depth = |d: &PanDescriptor| d.zigbee.map_or(u8::MAX, |z| z.device_depth);
    found
        .iter()
        .filter(|d| d.accepts(as_router))
        .filter(|d| {
            extended_pan_id.is_none_or(|e| d.zigbee.is_some_and(|z| z.extended_pan_id == e))
        })
        .fold(None::<PanDescriptor>, |best, d| match best {
            Some(b) if (b.lqi, u8::MAX - depth(&b)) >= (d.lqi, u8::MAX - depth(d)) => Some(b),
            _ => Some(*d),
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::mac::beacon_response::beacon_frame;
    use crate::wire::Wire;

    pub(crate) fn zigbee(epid: u64, depth: u8, router: bool, end_device: bool) -> ZigbeeBeacon {
        ZigbeeBeacon {
            stack_profile: 2,
            protocol_version: 2,
            reserved: 0,
            router_capacity: router,
            device_depth: depth,
            end_device_capacity: end_device,
            extended_pan_id: ExtAddr(epid),
            tx_offset: 0xff_ffff,
            update_id: 0,
        }
    }

    fn heard(pan: u16, lqi: u8, permit: bool, zb: ZigbeeBeacon) -> PanDescriptor {
        let f = beacon_frame(1, pan, Address::Short(0), true, permit, zb.to_bytes());
        let f = MacFrame::from_bytes(&f.to_bytes()).unwrap();
        PanDescriptor::from_beacon(&f, 15, lqi).unwrap()
    }

    #[test]
    fn timings_at_2g4() {
        assert_eq!(scan_duration_ns(3, 16_000), 138_240_000);
        assert_eq!(response_wait_ns(16_000), 491_520_000);
        assert_eq!(max_frame_total_wait_ns(16_000), 1986 * 16_000);
    }

    #[test]
    fn descriptor_from_beacon() {
        let d = heard(0x1a62, 200, true, zigbee(7, 1, true, false));
        assert_eq!((d.channel, d.pan, d.lqi), (15, 0x1a62, 200));
        assert_eq!(d.coordinator, Address::Short(0));
        assert!(d.superframe.pan_coordinator);
        assert!(d.accepts(true) && !d.accepts(false));
        let data = MacFrame::data(1, 1, Address::Short(1), Address::Short(2), vec![]);
        assert_eq!(PanDescriptor::from_beacon(&data, 11, 0), None);
    }

    #[test]
    fn chooses_permitted_best_link_then_shallowest() {
        let closed = heard(1, 255, false, zigbee(1, 0, true, true));
        let far = heard(2, 90, true, zigbee(1, 0, true, true));
        let deep = heard(3, 200, true, zigbee(1, 3, true, true));
        let near = heard(4, 200, true, zigbee(1, 1, true, true));
        let other = heard(5, 250, true, zigbee(2, 0, true, true));
        let all = [closed, far, deep, near, other];
        assert_eq!(
            choose(&all, false, Some(ExtAddr(1))).map(|d| d.pan),
            Some(4)
        );
        assert_eq!(choose(&all, false, None).map(|d| d.pan), Some(5));
        assert_eq!(choose(&[closed], false, None), None);
        assert_eq!(choose(&all, false, Some(ExtAddr(9))), None);
    }
}
