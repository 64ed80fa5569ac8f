//! IEEE 802.15.4 MAC frames: frame control, addressing, auxiliary security
//! header, beacons (with the Zigbee beacon payload), MAC commands, and the FCS.

pub mod address;
pub mod associate;
pub mod association;
pub mod beacon;
pub mod beacon_response;
pub mod command;
pub mod control;
pub mod csma;
pub mod duty_cycle;
pub mod engine;
pub(crate) mod exchange;
pub mod fcs;
pub mod frame;
pub mod indirect;
pub mod scan;
pub mod security;
pub mod view;
pub mod zigbee_beacon;

pub use address::{AddrMode, Address};
pub use beacon::{Beacon, GtsDescriptor, GtsInfo, PendingAddresses, SuperframeSpec};
pub use command::{
    AssociationStatus, CapabilityInfo, CoordinatorRealignment, DisassociationReason, MacCommand,
};
pub use control::{FrameFlags, FrameType, FrameVersion};
pub use fcs::fcs;
pub use frame::{MacFrame, MacPayload, pan_id_presence};
pub use security::{MacKeyId, MacSecurityHeader, mic_len};
pub use zigbee_beacon::ZigbeeBeacon;
