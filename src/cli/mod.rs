//! Subcommand argument types and their thin glue to the library crates.

pub mod bench;
pub mod bridge;
pub mod decode;
pub mod decode_bench;
pub mod live;
pub mod mesh_bench;
pub mod plan;
pub mod portfolio;
pub mod rcp;
pub mod replay;
pub mod replay_inject;
pub mod run;
pub mod sim;
pub mod survey;
pub mod tui;

/// Everything held.
pub const EXIT_OK: u8 = 0;
/// An expectation or check failed (e.g. some frames did not decode).
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;
