//! Portfolio surveys: a GB housing-stock generator, batch surveys in shards, reports.
pub mod batch;
pub mod chart;
pub mod compare;
pub mod generate;
pub mod manifest;
pub mod report;
mod rng;
pub mod tables;
