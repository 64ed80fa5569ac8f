//! CCM* (IEEE 802.15.4-2015 annex B, Zigbee spec annex A): CCM with a MIC
//! length that may be 0 (encryption only).
//!
//! Implemented directly over the AES block function rather than the `ccm`
//! crate: the crate fixes the nonce and tag sizes in the type and has no
//! tag-less mode, while here one function serves MIC lengths 0, 4, 8 and 16
//! with Zigbee's 13-byte nonce and also any nonce length 7–13, so that the
//! NIST SP 800-38C vectors run through the same code.

use super::block::{Aes, Block, xor_into};
use crate::error::{Error, Result};

/// Encrypt and authenticate: returns ciphertext ‖ MIC (`mic_len` bytes).
///
/// # Panics
/// If `mic_len` is not 0 or an even number 4–16, or the plaintext is longer
/// than 65535 bytes (the length field of a 13-byte nonce).
pub fn encrypt(
    key: &[u8; 16],
    nonce: &[u8; 13],
    aad: &[u8],
    plaintext: &[u8],
    mic_len: usize,
) -> Vec<u8> {
    match seal(key, nonce, aad, plaintext, mic_len) {
        Ok(v) => v,
        Err(e) => panic!("CCM* encrypt: {e}"),
    }
}

/// Check and decrypt ciphertext ‖ MIC; fails on a MIC mismatch or bad lengths.
pub fn decrypt(
    key: &[u8; 16],
    nonce: &[u8; 13],
    aad: &[u8],
    ciphertext_and_mic: &[u8],
    mic_len: usize,
) -> Result<Vec<u8>> {
    open(key, nonce, aad, ciphertext_and_mic, mic_len)
}

/// CCM* encryption with any nonce length 7–13 (L = 15 − nonce length).
pub(crate) fn seal(
    key: &[u8; 16],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    mic_len: usize,
) -> Result<Vec<u8>> {
    seal_with(&Aes::new(key), nonce, aad, plaintext, mic_len)
}

/// CCM* encryption with an expanded key.
pub(crate) fn seal_with(
    aes: &Aes,
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    mic_len: usize,
) -> Result<Vec<u8>> {
    let p = Params::new(nonce, plaintext.len(), mic_len)?;
    let mut out = plaintext.to_vec();
    aes.session(|enc| {
        p.ctr(enc, nonce, &mut out);
        if mic_len > 0 {
            let mut tag = p.mac(enc, nonce, aad, plaintext);
            let mut s0 = p.counter_block(nonce, 0);
            enc(&mut s0);
            xor_into(&mut tag, &s0);
            out.extend_from_slice(&tag[..mic_len]);
        }
    });
    Ok(out)
}

/// CCM* decryption with any nonce length 7–13.
pub(crate) fn open(
    key: &[u8; 16],
    nonce: &[u8],
    aad: &[u8],
    ciphertext_and_mic: &[u8],
    mic_len: usize,
) -> Result<Vec<u8>> {
    open_with(&Aes::new(key), nonce, aad, ciphertext_and_mic, mic_len)
}

/// CCM* decryption with an expanded key.
pub(crate) fn open_with(
    aes: &Aes,
    nonce: &[u8],
    aad: &[u8],
    ciphertext_and_mic: &[u8],
    mic_len: usize,
) -> Result<Vec<u8>> {
    let Some(ct_len) = ciphertext_and_mic.len().checked_sub(mic_len) else {
        return Err(Error::Security(format!(
            "secured payload of {} byte(s) is shorter than its {mic_len}-byte MIC",
            ciphertext_and_mic.len()
        )));
    };
    let (ct, mic) = ciphertext_and_mic.split_at(ct_len);
    let p = Params::new(nonce, ct_len, mic_len)?;
    let mut out = ct.to_vec();
    let tag_and_s0 = aes.session(|enc| {
        p.ctr(enc, nonce, &mut out);
        let tag = p.mac(enc, nonce, aad, &out);
        let mut s0 = p.counter_block(nonce, 0);
        enc(&mut s0);
        (tag, s0)
    });
    if mic_len > 0 {
        let (tag, s0) = tag_and_s0;
        let diff = tag
            .iter()
            .zip(&s0)
            .zip(mic)
            .fold(0u8, |acc, ((t, s), m)| acc | (t ^ s ^ m));
        if diff != 0 {
            return Err(Error::Security(
                "MIC check failed (wrong key or altered frame)".into(),
            ));
        }
    }
    Ok(out)
}

/// The sizes fixed for one operation.
struct Params {
    /// Bytes in the length field, 15 − nonce length.
    l: usize,
    mic_len: usize,
    msg_len: usize,
}

impl Params {
    fn new(nonce: &[u8], msg_len: usize, mic_len: usize) -> Result<Self> {
        if !(7..=13).contains(&nonce.len()) {
            return Err(Error::Security(format!(
                "nonce of {} bytes; CCM needs 7 to 13",
                nonce.len()
            )));
        }
        if !(mic_len == 0 || (4..=16).contains(&mic_len) && mic_len.is_multiple_of(2)) {
            return Err(Error::Security(format!(
                "MIC length {mic_len}; CCM* allows 0, 4, 6, ..., 16"
            )));
        }
        let l = 15 - nonce.len();
        if l < 8 && msg_len >> (8 * l) != 0 {
            return Err(Error::Security(format!(
                "message of {msg_len} bytes does not fit a {l}-byte length field"
            )));
        }
        Ok(Params {
            l,
            mic_len,
            msg_len,
        })
    }

    /// A_i: flags (L − 1) ‖ nonce ‖ counter i.
    fn counter_block(&self, nonce: &[u8], i: u64) -> Block {
        let mut a = [0u8; 16];
        a[0] = (self.l - 1) as u8;
        a[1..1 + nonce.len()].copy_from_slice(nonce);
        put_len(&mut a[16 - self.l..], i);
        a
    }

    /// XOR the key stream S_1, S_2, ... into `data`.
    fn ctr(&self, enc: &dyn Fn(&mut Block), nonce: &[u8], data: &mut [u8]) {
        for (i, chunk) in data.chunks_mut(16).enumerate() {
            let mut s = self.counter_block(nonce, i as u64 + 1);
            enc(&mut s);
            for (d, k) in chunk.iter_mut().zip(&s) {
                *d ^= k;
            }
        }
    }

    /// The CBC-MAC T over B_0, the encoded AAD and the plaintext (full 16 bytes).
    fn mac(&self, enc: &dyn Fn(&mut Block), nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Block {
        let mut b0 = [0u8; 16];
        b0[0] = (if aad.is_empty() { 0 } else { 0x40 })
            | ((((self.mic_len.max(2) - 2) / 2) as u8) << 3)
            | (self.l - 1) as u8;
        b0[1..1 + nonce.len()].copy_from_slice(nonce);
        put_len(&mut b0[16 - self.l..], self.msg_len as u64);
        let mut x = b0;
        enc(&mut x);
        let mut absorb = |data: &[u8]| {
            for chunk in data.chunks(16) {
                let mut b = [0u8; 16];
                b[..chunk.len()].copy_from_slice(chunk);
                xor_into(&mut x, &b);
                enc(&mut x);
            }
        };
        if !aad.is_empty() {
            // SP 800-38C A.2.2: the AAD length prefix.
            let mut a = Vec::with_capacity(aad.len() + 10);
            let n = aad.len() as u64;
            if n < 0xff00 {
                a.extend_from_slice(&(n as u16).to_be_bytes());
            } else if n <= u32::MAX as u64 {
                a.extend_from_slice(&[0xff, 0xfe]);
                a.extend_from_slice(&(n as u32).to_be_bytes());
            } else {
                a.extend_from_slice(&[0xff, 0xff]);
                a.extend_from_slice(&n.to_be_bytes());
            }
            a.extend_from_slice(aad);
            absorb(&a);
        }
        absorb(plaintext);
        x
    }
}

/// Write `v` big-endian into `field` (its low-order bytes).
fn put_len(field: &mut [u8], v: u64) {
    let bytes = v.to_be_bytes();
    let n = field.len().min(8);
    let at = field.len() - n;
    field[at..].copy_from_slice(&bytes[8 - n..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::test_vectors::{hex, key16, vectors};
    use proptest::prelude::*;

    #[test]
    fn every_ccm_star_vector() {
        let v = vectors();
        let entries = v["ccm_star"].as_array().unwrap();
        assert_eq!(entries.len(), 6);
        for e in entries {
            let s = |k: &str| hex(e[k].as_str().unwrap());
            let key = key16(&e["key"]);
            let mic_len = e["mic_len"].as_integer().unwrap() as usize;
            let mut expected = s("ciphertext");
            expected.extend(s("mic"));
            let nonce = s("nonce");
            let out = seal(&key, &nonce, &s("aad"), &s("plaintext"), mic_len).unwrap();
            assert_eq!(out, expected, "{}", e["name"]);
            assert_eq!(
                open(&key, &nonce, &s("aad"), &out, mic_len).unwrap(),
                s("plaintext")
            );
            if let Ok(n13) = <[u8; 13]>::try_from(nonce.as_slice()) {
                assert_eq!(
                    encrypt(&key, &n13, &s("aad"), &s("plaintext"), mic_len),
                    expected
                );
                assert_eq!(
                    decrypt(&key, &n13, &s("aad"), &out, mic_len).unwrap(),
                    s("plaintext")
                );
            }
        }
    }

    #[test]
    fn mic_len_zero_is_plain_ctr() {
        // Level 4 (ENC): ciphertext equals the authenticated variant's ciphertext, no MIC.
        let key = [7u8; 16];
        let nonce = [1u8; 13];
        let ct0 = encrypt(&key, &nonce, b"hdr", b"hello world, this is long", 0);
        let ct4 = encrypt(&key, &nonce, b"hdr", b"hello world, this is long", 4);
        assert_eq!(ct0.as_slice(), &ct4[..ct4.len() - 4]);
        assert_eq!(
            decrypt(&key, &nonce, b"other", &ct0, 0).unwrap(),
            b"hello world, this is long"
        );
    }

    #[test]
    fn short_input_is_an_error() {
        let e = decrypt(&[0; 16], &[0; 13], &[], &[1, 2], 4).unwrap_err();
        assert!(e.to_string().contains("shorter than its 4-byte MIC"), "{e}");
    }

    fn mic_lens() -> impl Strategy<Value = usize> {
        prop_oneof![Just(0usize), Just(4), Just(8), Just(16)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(key in any::<[u8; 16]>(), nonce in any::<[u8; 13]>(),
                      aad in proptest::collection::vec(any::<u8>(), 0..40),
                      pt in proptest::collection::vec(any::<u8>(), 0..100), m in mic_lens()) {
            let ct = encrypt(&key, &nonce, &aad, &pt, m);
            prop_assert_eq!(ct.len(), pt.len() + m);
            prop_assert_eq!(decrypt(&key, &nonce, &aad, &ct, m).unwrap(), pt);
        }
        #[test]
        fn tamper_is_detected(key in any::<[u8; 16]>(), nonce in any::<[u8; 13]>(),
                              aad in proptest::collection::vec(any::<u8>(), 0..40),
                              pt in proptest::collection::vec(any::<u8>(), 0..100),
                              m in prop_oneof![Just(4usize), Just(8), Just(16)],
                              pos in any::<usize>(), bit in 0u8..8, in_aad in any::<bool>()) {
            let mut ct = encrypt(&key, &nonce, &aad, &pt, m);
            let mut aad = aad;
            if in_aad && !aad.is_empty() {
                let i = pos % aad.len();
                aad[i] ^= 1 << bit;
            } else {
                let i = pos % ct.len();
                ct[i] ^= 1 << bit;
            }
            prop_assert!(decrypt(&key, &nonce, &aad, &ct, m).is_err());
        }
    }
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn decrypt_never_panics(key in any::<[u8; 16]>(), nonce in any::<[u8; 13]>(),
                                aad in proptest::collection::vec(any::<u8>(), 0..32),
                                data in proptest::collection::vec(any::<u8>(), 0..64),
                                m in 0usize..20) {
            let _ = decrypt(&key, &nonce, &aad, &data, m);
        }
    }
}

/// The RustCrypto `ccm` crate agrees with our CCM* on every authenticated level.
#[cfg(test)]
mod ccm_crate_oracle {
    use super::*;
    use aes::Aes128;
    use ccm::Ccm;
    use ccm::aead::array::Array;
    use ccm::aead::{Aead, KeyInit, Payload};
    use ccm::consts::{U4, U8, U13, U16};
    use proptest::prelude::*;

    fn theirs(mic_len: usize, key: &[u8; 16], nonce: &[u8; 13], aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let payload = Payload { msg, aad };
        let nonce = Array::from(*nonce);
        let key = Array::from(*key);
        match mic_len {
            4 => Ccm::<Aes128, U4, U13>::new(&key).encrypt(&nonce, payload),
            8 => Ccm::<Aes128, U8, U13>::new(&key).encrypt(&nonce, payload),
            _ => Ccm::<Aes128, U16, U13>::new(&key).encrypt(&nonce, payload),
        }
        .expect("ccm crate encrypts")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn same_bytes_as_the_ccm_crate(
            key in any::<[u8; 16]>(),
            nonce in any::<[u8; 13]>(),
            aad in proptest::collection::vec(any::<u8>(), 0..40),
            msg in proptest::collection::vec(any::<u8>(), 0..100),
            m in prop::sample::select(vec![4usize, 8, 16]),
        ) {
            let ours = encrypt(&key, &nonce, &aad, &msg, m);
            prop_assert_eq!(&ours, &theirs(m, &key, &nonce, &aad, &msg));
            prop_assert_eq!(decrypt(&key, &nonce, &aad, &ours, m).unwrap(), msg);
        }
    }
}
