//! han-mesh: the virtual air. A deterministic discrete-event emulation of the IEEE 802.15.4
//! PHY and medium, driving han-stack's sans-IO MAC, with nodes plugged in through the radio
//! seam ([`radio`]). Virtual time only: nothing here reads the wall clock.
#![warn(missing_docs)]

pub mod changes;
pub mod driver;
pub mod energy;
pub mod medium;
pub mod phy;
pub mod queue;
pub mod radio;
pub mod rng;
pub mod sim;
pub mod stats;
pub mod time;
pub mod workload;
pub mod world;

pub use radio::{
    Action, Node, NodeCtx, NodeInput, Radio, RadioConfig, Received, TxOptions, TxResult,
};
pub use time::{Duration, SimTime};
pub use world::{AirConfig, World};
