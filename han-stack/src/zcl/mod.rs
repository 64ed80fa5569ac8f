//! The Zigbee Cluster Library and the Smart Energy clusters.
//!
//! [`frame`] is the ZCL header, [`types`] the data types, [`general`] the
//! profile-wide commands, [`clusters`] the cluster-specific payloads,
//! [`registry`] the names and attribute tables, [`display`] the units.

pub mod clusters;
pub mod command;
pub mod display;
pub mod field;
pub mod frame;
pub mod general;
pub mod key_usage;
pub mod registry;
pub mod summary;
pub mod types;

#[cfg(test)]
mod tshark_tests;

pub use command::ZclCommand;
pub use display::MeterFormatting;
pub use frame::{Direction, FrameControl, FrameType, ZclFrame};
pub use general::{GeneralCommand, Status};
pub use summary::{ZclSummary, learn_formatting, summarize, text};
pub use types::{DataType, ZclValue};
