//! The Alt HAN gateway equipment: backhaul links and per-premises isolation of a shared node.
pub mod backhaul;
pub mod isolation;
pub mod unit;
