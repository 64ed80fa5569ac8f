//! han-tui: the installer's terminal UI. It draws; han-radio computes every number.
#![warn(missing_docs)]
pub mod project;
