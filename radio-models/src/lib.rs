//! han-radio: building layouts, propagation per band, link budgets and coverage.
#![warn(missing_docs)]
pub mod althan;
pub mod bench;
pub mod building;
pub mod bundled;
pub mod coverage;
pub mod device;
pub mod geometry;
pub mod heatmap;
pub mod link;
pub mod material;
pub mod portfolio;
pub mod propagation;
pub mod survey;
pub mod trace;
pub mod units;
