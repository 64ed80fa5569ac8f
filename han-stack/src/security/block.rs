//! The AES-128 block function every Zigbee primitive here is built from.

use aes::Aes128;
use aes::cipher::consts::U16;
use aes::cipher::{
    Array, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit,
};

/// One AES-128 block: 16 bytes.
pub(crate) type Block = [u8; 16];

/// An AES-128 key schedule.
#[derive(Clone)]
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

    /// Run `f` with a block encryptor bound to the fastest backend, set up once
    /// for every block `f` encrypts. CCM* encrypts its blocks one at a time
    /// (CBC-MAC chains them), and the wide-vector backends' per-call set-up
    /// would otherwise cost more than the blocks themselves.
    pub(crate) fn session<R>(&self, f: impl FnOnce(&dyn Fn(&mut Block)) -> R) -> R {
        let mut out = None;
        self.0.encrypt_with_backend(Session { f, out: &mut out });
        match out {
            Some(r) => r,
            // Every backend calls its closure exactly once (cipher's contract).
            None => unreachable!("the cipher backend did not run the session"),
        }
    }
}

/// The closure handed to the cipher's backend for one session.
struct Session<'o, F, R> {
    f: F,
    out: &'o mut Option<R>,
}

impl<F, R> BlockSizeUser for Session<'_, F, R> {
    type BlockSize = U16;
}

impl<F: FnOnce(&dyn Fn(&mut Block)) -> R, R> BlockCipherEncClosure for Session<'_, F, R> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let encrypt = |block: &mut Block| {
            let mut b = Array::from(*block);
            backend.encrypt_block_inplace(&mut b);
            *block = b.into();
        };
        *self.out = Some((self.f)(&encrypt));
    }
}

impl std::fmt::Debug for Aes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Aes(..)")
    }
}

/// XOR `b` into `a`.
pub(crate) fn xor_into(a: &mut Block, b: &Block) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
}
