//! Zigbee security: the auxiliary header shared by NWK and APS, CCM*, the
//! AES-MMO hash and HMAC, install codes, and frame secure/unsecure.

pub mod aux;

pub use aux::{AuxHeader, KeyId, SecurityControl};
