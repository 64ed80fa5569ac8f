//! MAC command frames (IEEE 802.15.4-2006 7.3): a one-byte command
//! identifier followed by the command's fields.

use bitflags::bitflags;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

bitflags! {
    /// Capability information (IEEE 802.15.4-2006 7.3.1.2), also the Zigbee
    /// NWK rejoin request payload. Reserved bits 4–5 are retained.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CapabilityInfo: u8 {
        /// Able to be an alternate PAN coordinator.
        const ALT_PAN_COORDINATOR = 0x01;
        /// Full-function device (router in Zigbee terms).
        const FFD = 0x02;
        /// Mains powered.
        const MAINS_POWERED = 0x04;
        /// Receiver on when idle.
        const RX_ON_WHEN_IDLE = 0x08;
        /// Able to use MAC security (Zigbee: high security).
        const SECURITY = 0x40;
        /// Asks the coordinator to allocate a short address.
        const ALLOCATE_ADDRESS = 0x80;
    }
}

wire_enum! {
    /// Association status (IEEE 802.15.4-2015 Table 7-50), also the NWK rejoin response status.
    pub enum AssociationStatus: u8 as from_u8 / to_u8 {
        /// Association successful.
        Success = 0x00,
        /// PAN at capacity.
        PanAtCapacity = 0x01,
        /// PAN access denied.
        PanAccessDenied = 0x02,
        /// Hopping sequence offset duplication (2015).
        HoppingSequenceOffsetDuplication = 0x03,
        /// Fast association successful (2015).
        FastAssociationSuccessful = 0x80,
    }
}

wire_enum! {
    /// Disassociation reason (IEEE 802.15.4-2006 7.3.3.2).
    pub enum DisassociationReason: u8 as from_u8 / to_u8 {
        /// The coordinator wishes the device to leave the PAN.
        CoordinatorWishesDeviceToLeave = 0x01,
        /// The device wishes to leave the PAN.
        DeviceWishesToLeave = 0x02,
    }
}

/// Coordinator realignment fields (IEEE 802.15.4-2006 7.3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoordinatorRealignment {
    /// PAN identifier the coordinator will use.
    pub pan_id: u16,
    /// Coordinator short address.
    pub coord_short: u16,
    /// Logical channel.
    pub channel: u8,
    /// Short address for an orphaned device, else 0xffff.
    pub short_addr: u16,
    /// Channel page, present in 2006 frames (decided by the remaining length).
    pub channel_page: Option<u8>,
}

/// A MAC command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MacCommand {
    /// 0x01 association request.
    AssociationRequest(CapabilityInfo),
    /// 0x02 association response.
    AssociationResponse {
        /// Allocated short address (0xfffe: use extended, 0xffff: failure).
        short_addr: u16,
        /// Outcome.
        status: AssociationStatus,
    },
    /// 0x03 disassociation notification.
    DisassociationNotification(DisassociationReason),
    /// 0x04 data request (poll).
    DataRequest,
    /// 0x05 PAN ID conflict notification.
    PanIdConflict,
    /// 0x06 orphan notification.
    OrphanNotification,
    /// 0x07 beacon request.
    BeaconRequest,
    /// 0x08 coordinator realignment.
    CoordinatorRealignment(CoordinatorRealignment),
    /// 0x09 GTS request (GTS characteristics byte).
    GtsRequest(u8),
    /// Any other command, kept raw.
    Unknown {
        /// Command identifier.
        id: u8,
        /// Everything after it.
        payload: Vec<u8>,
    },
}

impl MacCommand {
    /// The command identifier.
    pub fn id(&self) -> u8 {
        match self {
            MacCommand::AssociationRequest(_) => 0x01,
            MacCommand::AssociationResponse { .. } => 0x02,
            MacCommand::DisassociationNotification(_) => 0x03,
            MacCommand::DataRequest => 0x04,
            MacCommand::PanIdConflict => 0x05,
            MacCommand::OrphanNotification => 0x06,
            MacCommand::BeaconRequest => 0x07,
            MacCommand::CoordinatorRealignment(_) => 0x08,
            MacCommand::GtsRequest(_) => 0x09,
            MacCommand::Unknown { id, .. } => *id,
        }
    }

    /// The name tshark prints for the command identifier.
    pub fn name(&self) -> &'static str {
        Self::name_of(self.id())
    }

    /// The name tshark prints for a command identifier.
    pub fn name_of(id: u8) -> &'static str {
        match id {
            0x01 => "Association Request",
            0x02 => "Association Response",
            0x03 => "Disassociation Notification",
            0x04 => "Data Request",
            0x05 => "PAN ID Conflict",
            0x06 => "Orphan Notification",
            0x07 => "Beacon Request",
            0x08 => "Coordinator Realignment",
            0x09 => "GTS Request",
            // IEEE 802.15.4-2015 commands this codec keeps as `Unknown`.
            0x0a => "TRLE Management Request",
            0x0b => "TRLE Management Response",
            0x13 => "DSME Association Request",
            0x14 => "DSME Association Response",
            0x15 => "DSME GTS Request",
            0x16 => "DSME GTS Response",
            0x17 => "DSME GTS Notify",
            0x18 => "DSME Information Request",
            0x19 => "DSME Information Reponse", // sic: tshark spells it so
            0x1a => "DSME Beacon Allocation Notification",
            0x1b => "DSME Beacon Collision Notification",
            0x1c => "DSME Link Report",
            0x20 => "RIT Data Request",
            0x21 => "DBS Request",
            0x22 => "DBS Response",
            _ => "Unknown Command",
        }
    }
}

impl Wire for MacCommand {
    // Identifiers 0x01–0x09 always decode as their named variant, so an
    // `Unknown` carrying one of them is not canonical.
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let id = r.u8("command identifier")?;
        Ok(match id {
            0x01 => MacCommand::AssociationRequest(CapabilityInfo::from_bits_retain(
                r.u8("capability information")?,
            )),
            0x02 => MacCommand::AssociationResponse {
                short_addr: r.u16("short address")?,
                status: AssociationStatus::from_u8(r.u8("association status")?),
            },
            0x03 => MacCommand::DisassociationNotification(DisassociationReason::from_u8(
                r.u8("disassociation reason")?,
            )),
            0x04 => MacCommand::DataRequest,
            0x05 => MacCommand::PanIdConflict,
            0x06 => MacCommand::OrphanNotification,
            0x07 => MacCommand::BeaconRequest,
            0x08 => {
                let pan_id = r.u16("PAN identifier")?;
                let coord_short = r.u16("coordinator short address")?;
                let channel = r.u8("logical channel")?;
                let short_addr = r.u16("short address")?;
                let channel_page = if r.is_empty() {
                    None
                } else {
                    Some(r.u8("channel page")?)
                };
                MacCommand::CoordinatorRealignment(CoordinatorRealignment {
                    pan_id,
                    coord_short,
                    channel,
                    short_addr,
                    channel_page,
                })
            }
            0x09 => MacCommand::GtsRequest(r.u8("GTS characteristics")?),
            id => MacCommand::Unknown {
                id,
                payload: r.rest().to_vec(),
            },
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.id());
        match self {
            MacCommand::AssociationRequest(c) => w.u8(c.bits()),
            MacCommand::AssociationResponse { short_addr, status } => {
                w.u16(*short_addr);
                w.u8(status.to_u8());
            }
            MacCommand::DisassociationNotification(reason) => w.u8(reason.to_u8()),
            MacCommand::DataRequest
            | MacCommand::PanIdConflict
            | MacCommand::OrphanNotification
            | MacCommand::BeaconRequest => {}
            MacCommand::CoordinatorRealignment(c) => {
                w.u16(c.pan_id);
                w.u16(c.coord_short);
                w.u8(c.channel);
                w.u16(c.short_addr);
                if let Some(page) = c.channel_page {
                    w.u8(page);
                }
            }
            MacCommand::GtsRequest(c) => w.u8(*c),
            MacCommand::Unknown { payload, .. } => w.bytes(payload),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Canonical MAC commands.
    pub(crate) fn arb_command() -> impl Strategy<Value = MacCommand> {
        prop_oneof![
            any::<u8>()
                .prop_map(|c| MacCommand::AssociationRequest(CapabilityInfo::from_bits_retain(c))),
            (any::<u16>(), any::<u8>()).prop_map(|(short_addr, s)| {
                MacCommand::AssociationResponse {
                    short_addr,
                    status: AssociationStatus::from_u8(s),
                }
            }),
            any::<u8>().prop_map(|r| MacCommand::DisassociationNotification(
                DisassociationReason::from_u8(r)
            )),
            Just(MacCommand::DataRequest),
            Just(MacCommand::PanIdConflict),
            Just(MacCommand::OrphanNotification),
            Just(MacCommand::BeaconRequest),
            (
                any::<u16>(),
                any::<u16>(),
                any::<u8>(),
                any::<u16>(),
                any::<Option<u8>>()
            )
                .prop_map(
                    |(pan_id, coord_short, channel, short_addr, channel_page)| {
                        MacCommand::CoordinatorRealignment(CoordinatorRealignment {
                            pan_id,
                            coord_short,
                            channel,
                            short_addr,
                            channel_page,
                        })
                    }
                ),
            any::<u8>().prop_map(MacCommand::GtsRequest),
            (0x0au8.., proptest::collection::vec(any::<u8>(), 0..32))
                .prop_map(|(id, payload)| MacCommand::Unknown { id, payload }),
        ]
    }

    #[test]
    fn association_request_from_zigator() {
        // zigator_02-mac-testing.pcap frame 2: "Association Request, FFD"
        let c = MacCommand::from_bytes(&[0x01, 0x8e]).unwrap();
        let MacCommand::AssociationRequest(cap) = c else {
            panic!("{c:?}")
        };
        assert_eq!(
            cap,
            CapabilityInfo::FFD
                | CapabilityInfo::MAINS_POWERED
                | CapabilityInfo::RX_ON_WHEN_IDLE
                | CapabilityInfo::ALLOCATE_ADDRESS
        );
        assert_eq!(c.name(), "Association Request");
    }

    #[test]
    fn association_response_from_zigator() {
        // frame 3: "Association Response, PAN: 0x99aa Addr: 0xdead"
        let c = MacCommand::from_bytes(&[0x02, 0xad, 0xde, 0x00]).unwrap();
        assert_eq!(
            c,
            MacCommand::AssociationResponse {
                short_addr: 0xdead,
                status: AssociationStatus::Success
            }
        );
    }

    #[test]
    fn coordinator_realignment_from_zigator() {
        // frame 7 (a 2003 frame, so no channel page): PAN 0xddee, coordinator 0x50fa, channel 20, address 0xb0a7
        let bytes = [0x08, 0xee, 0xdd, 0xfa, 0x50, 0x14, 0xa7, 0xb0];
        let c = MacCommand::from_bytes(&bytes).unwrap();
        assert_eq!(
            c,
            MacCommand::CoordinatorRealignment(CoordinatorRealignment {
                pan_id: 0xddee,
                coord_short: 0x50fa,
                channel: 20,
                short_addr: 0xb0a7,
                channel_page: None,
            })
        );
        assert_eq!(c.to_bytes(), bytes);
        let mut with_page = bytes.to_vec();
        with_page.push(0);
        let c = MacCommand::from_bytes(&with_page).unwrap();
        assert!(matches!(
            c,
            MacCommand::CoordinatorRealignment(CoordinatorRealignment {
                channel_page: Some(0),
                ..
            })
        ));
    }

    #[test]
    fn unknown_command() {
        let c = MacCommand::from_bytes(&[0xff]).unwrap();
        assert_eq!(
            c,
            MacCommand::Unknown {
                id: 0xff,
                payload: vec![]
            }
        );
        assert_eq!(c.name(), "Unknown Command");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(c in arb_command()) {
            prop_assert_eq!(MacCommand::from_bytes(&c.to_bytes()).unwrap(), c);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let _ = MacCommand::from_bytes(&bytes);
        }
    }
}
