//! Zigbee security: the auxiliary header shared by NWK and APS, CCM*, the
//! AES-MMO hash and HMAC, install codes, and frame secure/unsecure.

pub mod aux;
mod block;
pub mod ccm_star;
pub mod frame;
pub mod hmac;
pub mod install_code;
pub mod keys;
pub mod mmo;

pub use aux::{AuxHeader, KeyId, SecurityControl};
pub use frame::{mac_nonce, nonce, secure, unsecure, unsecure_prepared};
pub use hmac::hmac_mmo;
pub use install_code::{InstallCode, InstallCodeError};
pub use keys::{PreparedKey, ccm_key_for, key_load_key, key_transport_key, verify_key_hash};

/// Loading /work/shared/vectors.toml for the tests.
#[cfg(test)]
pub(crate) mod test_vectors {
    /// The parsed vectors file.
    pub fn vectors() -> toml::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors.toml");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        toml::from_str(&text).unwrap()
    }

    pub(crate) use crate::test_util::hex;

    /// A 16-byte key from a hex TOML string.
    pub fn key16(v: &toml::Value) -> [u8; 16] {
        hex(v.as_str().unwrap()).try_into().unwrap()
    }
}
