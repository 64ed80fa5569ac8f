//! han-althan: the Alt HAN planner. For every premises the survey finds failing it weighs a
//! dual-band hub, a point-to-point repeater pair and a shared installation, places the
//! equipment at least total cost, and exempts what no fix within the ceiling can help.
#![warn(missing_docs)]
pub mod apply;
pub mod bench;
pub mod candidates;
pub mod gateway;
pub mod hearing;
pub mod optimise;
pub mod p2p;
pub mod plan;
pub mod portfolio;
pub mod report;
pub mod sim;
pub mod verify;
