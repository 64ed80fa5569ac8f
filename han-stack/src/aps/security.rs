//! APS security (Zigbee PRO R22 4.4.1): an APS frame secured with a link key (key id
//! data, or key-transport / key-load for the keys derived from it), level 5, extended nonce
//! naming the sender.

use super::{ApsFlags, ApsFrame, ApsHeader};
use crate::error::Result;
use crate::nwk::security::SECURITY_LEVEL;
use crate::security::{AuxHeader, KeyId, SecurityControl, secure, unsecure};
use crate::wire::{ExtAddr, Wire};

/// Secure `plaintext` (for a command frame: the command id and its fields) under `header`
/// with `link_key`, sent by `source` with APS frame counter `counter`.
pub fn seal(
    mut header: ApsHeader,
    key_id: KeyId,
    counter: u32,
    source: ExtAddr,
    link_key: &[u8; 16],
    plaintext: &[u8],
) -> ApsFrame {
    header.flags |= ApsFlags::SECURITY;
    let aux = AuxHeader {
        control: SecurityControl::new(0, key_id, true),
        frame_counter: counter,
        source: Some(source),
        key_seq: None,
    };
    let payload = secure(
        &header.to_bytes(),
        &aux,
        plaintext,
        link_key,
        source,
        SECURITY_LEVEL,
    );
    ApsFrame {
        header,
        aux: Some(aux),
        payload,
    }
}

/// Check and decrypt an APS-secured frame with `link_key`; `sender` is the nonce source
/// when the aux header carries none (the NWK source's EUI-64).
pub fn open(frame: &ApsFrame, link_key: &[u8; 16], sender: ExtAddr) -> Option<Vec<u8>> {
    let aux = frame.aux.as_ref()?;
    let source = aux.source.unwrap_or(sender);
    let r: Result<Vec<u8>> = unsecure(
        &frame.header.to_bytes(),
        aux,
        &frame.payload,
        link_key,
        source,
        SECURITY_LEVEL,
    );
    r.ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aps::trust_centre::command_header;
    use crate::security::test_vectors::{hex, key16, vectors};

    #[test]
    fn opens_the_shared_transport_key_vector() {
        // psila_aps_transport_key_1 (shared/vectors.toml), key-transport key from the
        // well-known link key: the frame opens, and sealing its plaintext gives it back.
        let v = vectors();
        let entry = v["zigbee_frame_decrypt"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"].as_str() == Some("psila_aps_transport_key_1"))
            .unwrap();
        let key = key16(&entry["key"]);
        let bytes = hex(
            "21453002000000382e03ffff2e2100ae5e9f46a640cde7902fd60e432317484b4c5a9b4cde1ce70707b6fb1a0be9997e0af80fdf5dcf",
        );
        let f = ApsFrame::from_bytes(&bytes).unwrap();
        let plain = open(&f, &key, ExtAddr(0)).expect("MIC verifies");
        assert_eq!(plain[0], 0x05, "Transport Key");
        let again = seal(
            command_header(0x45),
            KeyId::KeyTransport,
            2,
            ExtAddr(0x00212effff032e38),
            &key,
            &plain,
        );
        assert_eq!(again.to_bytes(), bytes);
        let mut wrong = key;
        wrong[0] ^= 1;
        assert_eq!(open(&f, &wrong, ExtAddr(0)), None);
    }
}
