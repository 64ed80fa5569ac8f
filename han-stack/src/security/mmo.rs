//! The Matyas-Meyer-Oseas hash over AES-128 (Zigbee spec B.6).

use super::block::{Aes, Block, xor_into};

/// AES-MMO digest of `data`.
///
/// Each block M_i gives h = E(h, M_i) ⊕ M_i, starting from h = 0. Padding
/// (B.6): a 1 bit, zeros, then the bit length; 16-bit length for messages
/// shorter than 2^16 bits, otherwise a 32-bit length followed by 16 zero bits.
pub fn hash(data: &[u8]) -> [u8; 16] {
    let bits = (data.len() as u64).wrapping_mul(8);
    let mut tail = Vec::with_capacity(32);
    let full = data.len() - data.len() % 16;
    tail.extend_from_slice(data.get(full..).unwrap_or_default());
    tail.push(0x80);
    if bits < 1 << 16 {
        while tail.len() % 16 != 14 {
            tail.push(0);
        }
        tail.extend_from_slice(&(bits as u16).to_be_bytes());
    } else {
        while tail.len() % 16 != 10 {
            tail.push(0);
        }
        // Messages of 2^32 bits or more are outside the spec; the length wraps.
        tail.extend_from_slice(&(bits as u32).to_be_bytes());
        tail.extend_from_slice(&[0, 0]);
    }
    let mut h = [0u8; 16];
    for chunk in data.chunks_exact(16).chain(tail.chunks_exact(16)) {
        let mut m: Block = [0; 16];
        m.copy_from_slice(chunk);
        let mut e = Aes::new(&h).encrypt(&m);
        xor_into(&mut e, &m);
        h = e;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::test_vectors::{hex, vectors};

    #[test]
    fn every_aes_mmo_vector() {
        let v = vectors();
        let entries = v["aes_mmo"].as_array().unwrap();
        assert_eq!(entries.len(), 6);
        for e in entries {
            let msg = match e.get("message") {
                Some(m) => hex(m.as_str().unwrap()),
                None => {
                    let n = e["message_len"].as_integer().unwrap() as usize;
                    (0..n).map(|i| (i & 0xff) as u8).collect()
                }
            };
            assert_eq!(
                hash(&msg).to_vec(),
                hex(e["digest"].as_str().unwrap()),
                "{}",
                e["name"]
            );
        }
    }
}
