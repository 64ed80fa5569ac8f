//! han-stack: a sans-IO IEEE 802.15.4, Zigbee PRO and Smart Energy protocol stack.
//!
//! Wire formats follow one habit throughout: an owned `Repr` with
//! [`Wire::parse`] from a [`Reader`] and [`Wire::emit`] into a [`Writer`].
//! Every length is checked, nothing panics on any input, and unknown values
//! are kept as `Unknown(_)` variants so that `emit(parse(bytes)) == bytes`.

#![warn(missing_docs)]

pub mod aps;
pub mod capture;
pub mod dissect;
pub mod error;
pub mod mac;
pub mod nwk;
pub mod replay;
pub mod samples;
pub mod security;
pub mod spinel;
pub mod wire;
pub mod zcl;
pub mod zdo;
pub mod zep;

#[cfg(test)]
mod test_util;

pub use error::{Error, Result};
pub use wire::{Reader, Wire, Writer};
