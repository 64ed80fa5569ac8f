//! The AES-128 block function every Zigbee primitive here is built from.

use aes::Aes128;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};

/// One AES-128 block: 16 bytes.
pub(crate) type Block = [u8; 16];

/// An AES-128 key schedule, ready to encrypt single blocks.
pub(crate) struct Aes(Aes128);

impl Aes {
    /// Expand `key`.
    pub(crate) fn new(key: &Block) -> Self {
        Aes(Aes128::new(&Array::from(*key)))
    }

    /// Encrypt one block.
    pub(crate) fn encrypt(&self, block: &Block) -> Block {
        let mut b = Array::from(*block);
        self.0.encrypt_block(&mut b);
        b.into()
    }
}

/// XOR `b` into `a`.
pub(crate) fn xor_into(a: &mut Block, b: &Block) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
}
