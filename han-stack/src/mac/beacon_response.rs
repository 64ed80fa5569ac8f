//! A non-beacon-enabled coordinator's answer to a Beacon Request (IEEE 802.15.4-2015
//! 6.3.1): a beacon frame with BO = SO = 15 carrying the caller's beacon payload.

use super::{
    Address, Beacon, FrameFlags, FrameType, FrameVersion, GtsInfo, MacCommand, MacFrame,
    MacPayload, PendingAddresses, SuperframeSpec,
};

/// The beacon a coordinator sends in answer to a Beacon Request.
///
/// Superframe: BO = SO = 15 (no superframe), final CAP slot 15, PAN coordinator bit as
/// given, association permit as given; no GTS, no pending addresses.
pub fn beacon_frame(
    seq: u8,
    pan: u16,
    src: Address,
    pan_coordinator: bool,
    association_permit: bool,
    payload: Vec<u8>,
) -> MacFrame {
    MacFrame {
        frame_type: FrameType::Beacon,
        flags: FrameFlags::empty(),
        version: FrameVersion::V2003,
        seq: Some(seq),
        dst_pan: None,
        dst: Address::None,
        src_pan: Some(pan),
        src,
        aux_security: None,
        header_ies: Vec::new(),
        payload: MacPayload::Beacon(Beacon {
            superframe: SuperframeSpec {
                beacon_order: 15,
                superframe_order: 15,
                final_cap_slot: 15,
                battery_life_extension: false,
                reserved: false,
                pan_coordinator,
                association_permit,
            },
            gts: GtsInfo::default(),
            pending: PendingAddresses::default(),
            payload,
        }),
    }
}

/// A frame is a Beacon Request command (the only thing a non-beacon coordinator answers
/// with a beacon).
pub fn is_beacon_request(frame: &MacFrame) -> bool {
    frame.frame_type == FrameType::Command
        && frame.payload == MacPayload::Command(MacCommand::BeaconRequest)
}

/// A Beacon Request (broadcast to 0xffff on PAN 0xffff, no source address, no ACK),
/// as a device sends it in an active scan (IEEE 802.15.4-2015 6.3.1).
pub fn beacon_request(seq: u8) -> MacFrame {
    MacFrame {
        frame_type: FrameType::Command,
        flags: FrameFlags::empty(),
        version: FrameVersion::V2003,
        seq: Some(seq),
        dst_pan: Some(0xffff),
        dst: Address::BROADCAST,
        src_pan: None,
        src: Address::None,
        aux_security: None,
        header_ies: Vec::new(),
        payload: MacPayload::Command(MacCommand::BeaconRequest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::ZigbeeBeacon;
    use crate::wire::{ExtAddr, Wire};

    #[test]
    fn beacon_request_bytes() {
        // Wireshark: frame control 0x0803, seq, dst PAN ffff, dst ffff, command 0x07.
        let b = beacon_request(0x42).to_bytes();
        assert_eq!(b, [0x03, 0x08, 0x42, 0xff, 0xff, 0xff, 0xff, 0x07]);
        let f = MacFrame::from_bytes(&b).unwrap();
        assert!(is_beacon_request(&f));
    }

    #[test]
    fn beacon_answer_parses_with_zigbee_payload() {
        let zb = ZigbeeBeacon {
            stack_profile: 2,
            protocol_version: 2,
            reserved: 0,
            router_capacity: true,
            device_depth: 0,
            end_device_capacity: true,
            extended_pan_id: ExtAddr(0x0011_2233_4455_6677),
            tx_offset: 0xff_ffff,
            update_id: 0,
        };
        let f = beacon_frame(7, 0x1234, Address::Short(0), true, true, zb.to_bytes());
        let b = f.to_bytes();
        // Frame control 0x8000 (beacon, short source), superframe spec 0xcfff.
        assert_eq!(
            b[..9],
            [0x00, 0x80, 0x07, 0x34, 0x12, 0x00, 0x00, 0xff, 0xcf]
        );
        let back = MacFrame::from_bytes(&b).unwrap();
        assert_eq!(back, f);
        let MacPayload::Beacon(beacon) = back.payload else {
            panic!("not a beacon")
        };
        assert!(beacon.superframe.association_permit);
        assert_eq!(ZigbeeBeacon::parse_payload(&beacon.payload).unwrap(), zb);
        let closed = beacon_frame(8, 0x1234, Address::Short(0), true, false, Vec::new());
        assert_eq!(closed.to_bytes()[8], 0x4f);
    }
}
