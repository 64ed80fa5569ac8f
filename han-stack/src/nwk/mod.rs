//! The Zigbee PRO network layer: the NWK header and frame, and NWK commands.

pub mod address;
pub mod command;
pub mod frame;
pub mod header;
pub mod next_hop;
pub mod rejoin;
pub mod routing;
pub mod security;

pub use command::NwkCommand;
pub use frame::NwkFrame;
pub use header::{
    MulticastControl, NwkFlags, NwkFrameControl, NwkFrameType, NwkHeader, SourceRoute,
};
