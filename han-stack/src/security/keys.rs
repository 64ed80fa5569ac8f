//! Keys derived from a link key (Zigbee PRO 4.5.3, spec B.1.4 keyed hash).

use super::aux::KeyId;
use super::block::Aes;
use super::hmac::hmac_mmo;

/// The key-transport key: HMAC(link key, 0x00), used for key id 2.
pub fn key_transport_key(link: &[u8; 16]) -> [u8; 16] {
    hmac_mmo(link, &[0x00])
}

/// The key-load key: HMAC(link key, 0x02), used for key id 3.
pub fn key_load_key(link: &[u8; 16]) -> [u8; 16] {
    hmac_mmo(link, &[0x02])
}

/// The hash sent in APS Verify Key: HMAC(link key, 0x03).
pub fn verify_key_hash(link: &[u8; 16]) -> [u8; 16] {
    hmac_mmo(link, &[0x03])
}

/// The CCM* key for a frame whose auxiliary header names `key_id`, given the raw key.
pub fn ccm_key_for(key_id: KeyId, key: &[u8; 16]) -> [u8; 16] {
    match key_id {
        KeyId::Link | KeyId::Network => *key,
        KeyId::KeyTransport => key_transport_key(key),
        KeyId::KeyLoad => key_load_key(key),
    }
}

/// A raw key with the AES schedule of each key id's CCM key expanded once.
#[derive(Debug, Clone)]
pub struct PreparedKey {
    raw: [u8; 16],
    raw_schedule: Aes,
    transport: Aes,
    load: Aes,
}

impl PreparedKey {
    /// Derive and expand everything a frame secured under `raw` may need.
    pub fn new(raw: [u8; 16]) -> Self {
        PreparedKey {
            raw,
            raw_schedule: Aes::new(&raw),
            transport: Aes::new(&key_transport_key(&raw)),
            load: Aes::new(&key_load_key(&raw)),
        }
    }

    /// The raw key.
    pub fn raw(&self) -> &[u8; 16] {
        &self.raw
    }

    /// The expanded CCM key for a key id (see [`ccm_key_for`]).
    pub(crate) fn schedule(&self, key_id: KeyId) -> &Aes {
        match key_id {
            KeyId::Link | KeyId::Network => &self.raw_schedule,
            KeyId::KeyTransport => &self.transport,
            KeyId::KeyLoad => &self.load,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::test_vectors::hex;

    const ZIGBEE_ALLIANCE_09: [u8; 16] = *b"ZigBeeAlliance09";

    #[test]
    fn derivations_of_zigbee_alliance_09() {
        let k = ZIGBEE_ALLIANCE_09;
        assert_eq!(
            key_transport_key(&k).to_vec(),
            hex("4bab0f173e1434a2d572e1c1ef478782")
        );
        assert_eq!(
            key_load_key(&k).to_vec(),
            hex("c5a47035c332ccbf251571d8baded188")
        );
        assert_eq!(
            verify_key_hash(&k).to_vec(),
            hex("1ab128df1639a1246aaba72a6a559124")
        );
        assert_eq!(ccm_key_for(KeyId::Network, &k), k);
        assert_eq!(ccm_key_for(KeyId::Link, &k), k);
        assert_eq!(ccm_key_for(KeyId::KeyTransport, &k), key_transport_key(&k));
        assert_eq!(ccm_key_for(KeyId::KeyLoad, &k), key_load_key(&k));
    }
}
