//! Subcommand glue for the `han` binary.
pub mod survey;
