//! Securing and unsecuring Zigbee NWK and APS frames (Zigbee PRO 4.3.1),
//! and the IEEE 802.15.4 MAC nonce for contrast (IEEE 802.15.4-2015 9.3.2.2).

use super::aux::{AuxHeader, KeyId, SecurityControl};
use super::block::Aes;
use super::ccm_star;
use super::keys::{PreparedKey, ccm_key_for};
use crate::error::Result;
use crate::wire::{ExtAddr, Wire, Writer};

/// The Zigbee CCM* nonce: source EUI-64 as on air (little-endian) ‖ frame
/// counter (little-endian) ‖ `control` (pass it with the real level patched in).
pub fn nonce(src: ExtAddr, frame_counter: u32, control: SecurityControl) -> [u8; 13] {
    let mut n = [0u8; 13];
    n[..8].copy_from_slice(&src.to_le_bytes());
    n[8..12].copy_from_slice(&frame_counter.to_le_bytes());
    n[12] = control.0;
    n
}

/// The IEEE 802.15.4 MAC-layer nonce: source EUI-64 big-endian ‖ frame counter big-endian ‖ level.
pub fn mac_nonce(src: ExtAddr, frame_counter: u32, level: u8) -> [u8; 13] {
    let mut n = [0u8; 13];
    n[..8].copy_from_slice(&src.0.to_be_bytes());
    n[8..12].copy_from_slice(&frame_counter.to_be_bytes());
    n[12] = level;
    n
}

/// MIC length in bytes for a security level, 0/4/8/16 for levels x0/x1/x2/x3
/// (level 5, ENC-MIC-32, gives 4); the same for Zigbee and IEEE 802.15.4.
pub fn mic_len(level: u8) -> usize {
    match level & 3 {
        0 => 0,
        1 => 4,
        2 => 8,
        _ => 16,
    }
}

/// Whether a security level encrypts the payload (levels 4–7).
pub fn encrypts(level: u8) -> bool {
    level & 4 != 0
}

/// Nonce and AAD for a frame, with the real level patched in.
fn context(header: &[u8], aux: &AuxHeader, source: ExtAddr, level: u8) -> ([u8; 13], Vec<u8>) {
    let control = aux.control.with_level(level);
    let mut patched = aux.clone();
    patched.control = control;
    let mut aad = Writer::with_capacity(header.len() + patched.buffer_len() + 16);
    aad.bytes(header);
    patched.emit(&mut aad);
    (nonce(source, aux.frame_counter, control), aad.into_vec())
}

/// Slots of the per-thread schedule cache (see [`with_schedule`]).
const SCHEDULE_SLOTS: usize = 128;

/// One slot of the schedule cache: raw key, key id, expanded CCM key.
type ScheduleSlot = Option<([u8; 16], KeyId, Aes)>;

thread_local! {
    /// Recently expanded CCM keys, by a hash of the raw key and key id.
    static SCHEDULES: std::cell::RefCell<Vec<ScheduleSlot>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Run `f` with the expanded CCM key of `key` under `key_id`: a simulated network secures
/// and opens frames under a few keys over and over, so derivations and AES key schedules
/// are kept per thread (a small direct-mapped cache) instead of redone per frame.
fn with_schedule<T>(key_id: KeyId, key: &[u8; 16], f: impl FnOnce(&Aes) -> T) -> T {
    SCHEDULES.with_borrow_mut(|cache| {
        if cache.is_empty() {
            cache.resize_with(SCHEDULE_SLOTS, || None);
        }
        let (lo, hi) = key.split_at(8);
        let word = |b: &[u8]| b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
        let mix = (word(lo) ^ word(hi).rotate_left(29) ^ u64::from(key_id.bits()))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut cache[(mix >> 57) as usize % SCHEDULE_SLOTS];
        match slot {
            Some((k, id, aes)) if k == key && *id == key_id => f(aes),
            _ => {
                let aes = Aes::new(&ccm_key_for(key_id, key));
                let out = f(&aes);
                *slot = Some((*key, key_id, aes));
                out
            }
        }
    })
}

/// Secure a NWK or APS payload: returns the bytes that follow the auxiliary
/// header on air (ciphertext, or the payload in clear for levels 1–3, then the MIC).
pub fn secure(
    header: &[u8],
    aux: &AuxHeader,
    plaintext: &[u8],
    key: &[u8; 16],
    source: ExtAddr,
    level: u8,
) -> Vec<u8> {
    let (n, mut aad) = context(header, aux, source, level);
    let m = mic_len(level);
    let sealed = with_schedule(aux.control.key_id(), key, |aes| {
        if encrypts(level) {
            ccm_star::seal_with(aes, &n, &aad, plaintext, m)
        } else {
            // Authentication only: the payload joins the AAD and the message is empty.
            aad.extend_from_slice(plaintext);
            ccm_star::seal_with(aes, &n, &aad, &[], m).map(|mic| [plaintext, &mic].concat())
        }
    });
    match sealed {
        Ok(v) => v,
        // Only a payload over 65535 bytes fails, which no 802.15.4 frame carries.
        Err(e) => panic!("securing a frame: {e}"),
    }
}

/// Check and decrypt the bytes after the auxiliary header (payload ‖ MIC).
///
/// `key` is the raw network or link key; the key id in `aux` selects the
/// derivation. `level` is the network security level (normally 5).
pub fn unsecure(
    header: &[u8],
    aux: &AuxHeader,
    secured: &[u8],
    key: &[u8; 16],
    source: ExtAddr,
    level: u8,
) -> Result<Vec<u8>> {
    with_schedule(aux.control.key_id(), key, |aes| {
        unsecure_with(aes, header, aux, secured, source, level)
    })
}

/// [`unsecure`] with a key whose derivations and AES schedules are ready,
/// for a sniffer trying the same keys on every frame.
pub fn unsecure_prepared(
    header: &[u8],
    aux: &AuxHeader,
    secured: &[u8],
    key: &PreparedKey,
    source: ExtAddr,
    level: u8,
) -> Result<Vec<u8>> {
    unsecure_with(
        key.schedule(aux.control.key_id()),
        header,
        aux,
        secured,
        source,
        level,
    )
}

fn unsecure_with(
    aes: &Aes,
    header: &[u8],
    aux: &AuxHeader,
    secured: &[u8],
    source: ExtAddr,
    level: u8,
) -> Result<Vec<u8>> {
    let (n, mut aad) = context(header, aux, source, level);
    let m = mic_len(level);
    if encrypts(level) {
        ccm_star::open_with(aes, &n, &aad, secured, m)
    } else {
        let Some(split) = secured.len().checked_sub(m) else {
            return ccm_star::open_with(aes, &n, &aad, secured, m);
        };
        let (payload, mic) = secured.split_at(split);
        aad.extend_from_slice(payload);
        ccm_star::open_with(aes, &n, &aad, mic, m)?;
        Ok(payload.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::test_vectors::{hex, key16, vectors};
    use crate::security::{KeyId, keys};
    use crate::wire::Reader;
    use proptest::prelude::*;

    /// Split a vector frame into (header, aux, aux length, secured payload).
    fn split(layer: &str, frame: &[u8]) -> (Vec<u8>, AuxHeader, Vec<u8>) {
        let (skip, header_len) = match layer {
            "aps" => (0, 2),
            "nwk" | "mac" => {
                // The killerbee vector is a whole MAC frame: skip its 9-byte MAC header.
                let skip = if layer == "mac" { 9 } else { 0 };
                let fcf = u16::from_le_bytes([frame[skip], frame[skip + 1]]);
                let ext = (fcf & 0x0800 != 0) as usize + (fcf & 0x1000 != 0) as usize;
                (skip, 8 + 8 * ext)
            }
            _ => panic!("layer {layer}"),
        };
        let header = frame[skip..skip + header_len].to_vec();
        let mut r = Reader::new(&frame[skip + header_len..]);
        let aux = AuxHeader::parse(&mut r).unwrap();
        (header, aux, r.rest().to_vec())
    }

    #[test]
    fn every_zigbee_frame_decrypt_vector() {
        let v = vectors();
        let entries = v["zigbee_frame_decrypt"].as_array().unwrap();
        assert_eq!(entries.len(), 6);
        for e in entries {
            let name = e["name"].as_str().unwrap();
            let s = |k: &str| hex(e[k].as_str().unwrap());
            let (header, aux, secured) = split(e["layer"].as_str().unwrap(), &s("frame"));
            let level = e["security_level_patched"].as_integer().unwrap() as u8;
            let key = key16(&e["key"]);
            let src = aux.source.unwrap();
            let n = nonce(src, aux.frame_counter, aux.control.with_level(level));
            assert_eq!(n.to_vec(), s("nonce"), "{name}");
            assert_eq!(
                ccm_key_for(aux.control.key_id(), &key).to_vec(),
                s("effective_ccm_key"),
                "{name}"
            );
            assert_eq!(&secured[secured.len() - 4..], s("mic").as_slice(), "{name}");
            let pt = unsecure(&header, &aux, &secured, &key, src, level).unwrap();
            assert_eq!(pt, s("plaintext_computed"), "{name}");
            if let Some(p) = e.get("plaintext_published") {
                assert_eq!(pt, hex(p.as_str().unwrap()), "{name}");
            }
            // Re-securing gives the bytes on air back.
            assert_eq!(
                secure(&header, &aux, &pt, &key, src, level),
                secured,
                "{name}"
            );
            // The byte-reversed EUI-64 in the nonce must fail (VECTORS-NOTES.md).
            let reversed = ExtAddr(src.0.swap_bytes());
            assert!(unsecure(&header, &aux, &secured, &key, reversed, level).is_err());
        }
    }

    #[test]
    fn mac_nonce_matches_ieee_annex_c() {
        // ieee802154_2006_C.2.3: src ACDE480000000001, counter 5, level 6.
        let n = mac_nonce(ExtAddr(0xacde480000000001), 5, 6);
        assert_eq!(n.to_vec(), hex("acde4800000000010000000506"));
    }

    fn arb_aux() -> impl Strategy<Value = AuxHeader> {
        (
            0u8..4,
            any::<bool>(),
            any::<u32>(),
            any::<u64>(),
            any::<u8>(),
        )
            .prop_map(|(kid, ext, fc, src, ks)| {
                let key_id = KeyId::from_bits(kid);
                AuxHeader {
                    control: SecurityControl::new(0, key_id, ext),
                    frame_counter: fc,
                    source: ext.then_some(ExtAddr(src)),
                    key_seq: (key_id == KeyId::Network).then_some(ks),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn secure_then_unsecure(header in proptest::collection::vec(any::<u8>(), 0..24),
                                aux in arb_aux(), pt in proptest::collection::vec(any::<u8>(), 0..80),
                                key in any::<[u8; 16]>(), src in any::<u64>(), level in 0u8..8) {
            let src = ExtAddr(src);
            let sec = secure(&header, &aux, &pt, &key, src, level);
            prop_assert_eq!(sec.len(), pt.len() + mic_len(level));
            prop_assert_eq!(unsecure(&header, &aux, &sec, &key, src, level).unwrap(), pt);
        }
        #[test]
        fn tampered_frames_fail(header in proptest::collection::vec(any::<u8>(), 1..24),
                                aux in arb_aux(), pt in proptest::collection::vec(any::<u8>(), 0..80),
                                key in any::<[u8; 16]>(), src in any::<u64>(),
                                level in prop_oneof![Just(1u8), Just(2), Just(3), Just(5), Just(6), Just(7)],
                                pos in any::<usize>(), bit in 0u8..8, in_header in any::<bool>()) {
            let src = ExtAddr(src);
            let mut sec = secure(&header, &aux, &pt, &key, src, level);
            let mut header = header;
            if in_header {
                let i = pos % header.len();
                header[i] ^= 1 << bit;
            } else {
                let i = pos % sec.len();
                sec[i] ^= 1 << bit;
            }
            prop_assert!(unsecure(&header, &aux, &sec, &key, src, level).is_err());
        }
    }
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn unsecure_never_panics(header in proptest::collection::vec(any::<u8>(), 0..16),
                                 aux_bytes in proptest::collection::vec(any::<u8>(), 0..16),
                                 secured in proptest::collection::vec(any::<u8>(), 0..64),
                                 key in any::<[u8; 16]>(), src in any::<u64>(), level in any::<u8>()) {
            if let Ok(aux) = AuxHeader::parse(&mut Reader::new(&aux_bytes)) {
                let _ = unsecure(&header, &aux, &secured, &key, ExtAddr(src), level);
            }
        }
    }

    #[test]
    fn cached_schedules_keep_keys_and_key_ids_apart() {
        let src = ExtAddr(0x0012_4b00_0000_0001);
        let header = [0x08, 0x02, 0x00, 0x00, 0x01, 0x00, 0x1e, 0x01];
        let sealed = |id: KeyId, key: &[u8; 16]| {
            let mut aux = AuxHeader::network(7, src, 0);
            aux.control = SecurityControl::new(0, id, true);
            (secure(&header, &aux, b"reading", key, src, 5), aux)
        };
        let keys: Vec<[u8; 16]> = (0..=255u8).map(|i| [i; 16]).collect();
        for round in 0..2 {
            for k in &keys {
                for id in [KeyId::Network, KeyId::KeyTransport] {
                    let (on_air, aux) = sealed(id, k);
                    let fresh = {
                        let aes = Aes::new(&ccm_key_for(id, k));
                        unsecure_with(&aes, &header, &aux, &on_air, src, 5)
                    };
                    assert_eq!(fresh.as_deref(), Ok(&b"reading"[..]), "round {round}");
                    let other = [k[0].wrapping_add(1); 16];
                    assert!(unsecure(&header, &aux, &on_air, &other, src, 5).is_err());
                }
                // The same raw key under two key ids seals differently.
                assert_ne!(
                    sealed(KeyId::Network, k).0,
                    sealed(KeyId::KeyTransport, k).0
                );
            }
        }
    }

    #[test]
    fn key_transport_frame_uses_derived_key() {
        // psila_aps_transport_key_1 is key id 2; the raw link key is ZigBeeAlliance09.
        let k = *b"ZigBeeAlliance09";
        assert_eq!(
            ccm_key_for(KeyId::KeyTransport, &k),
            keys::key_transport_key(&k)
        );
    }
}
