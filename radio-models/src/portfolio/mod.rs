//! Portfolio surveys: a GB housing-stock generator, batch surveys in shards, reports.
pub mod batch;
pub mod generate;
pub mod manifest;
pub mod tables;
