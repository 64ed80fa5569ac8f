//! Checked little-endian byte reading and writing, the base of every codec.
//!
//! [`Reader`] never panics: every read checks the remaining length and
//! reports the absolute offset on failure, so an error can point a person at
//! the byte in a capture. [`Writer`] appends to a `Vec<u8>`.

use crate::error::{Error, Result};

mod enums;
pub(crate) use enums::wire_enum;

/// A wire format: an owned representation that parses from and emits to bytes.
///
/// `parse(emit(x)) == x` holds for every value a format can represent.
pub trait Wire: Sized {
    /// Decode one value from the reader, consuming exactly its bytes.
    fn parse(r: &mut Reader<'_>) -> Result<Self>;
    /// Append the encoding of `self` to the writer.
    fn emit(&self, w: &mut Writer);
    /// Number of bytes `emit` appends.
    fn buffer_len(&self) -> usize {
        let mut w = Writer::new();
        self.emit(&mut w);
        w.len()
    }
    /// Decode a value that must fill `bytes` exactly.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let v = Self::parse(&mut r)?;
        r.finish(std::any::type_name::<Self>())?;
        Ok(v)
    }
    /// Encode to a fresh vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.emit(&mut w);
        w.into_vec()
    }
}

/// A cursor over a byte slice with checked reads.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// Start reading at the beginning of `buf` (offset 0).
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// Start reading `buf`, reporting offsets as if it began at `base`.
    pub fn with_base(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte (base plus position).
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Position within this reader's slice.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when every byte was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// The whole underlying slice.
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }

    /// Take exactly `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(Error::Truncated {
                what,
                offset: self.offset(),
                needed: n,
                available: self.remaining(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Take every remaining byte.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// Take a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let s = self.bytes(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Read one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.bytes(1, what)?[0])
    }

    /// Read a little-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// Read a little-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Read a little-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Read a big-endian u16 (ZEP and other network-order formats).
    pub fn u16_be(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// Read a big-endian u32.
    pub fn u32_be(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// Read a big-endian u64.
    pub fn u64_be(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// A sub-reader over the next `n` bytes, consuming them here.
    pub fn sub(&mut self, n: usize, what: &'static str) -> Result<Reader<'a>> {
        let base = self.offset();
        let s = self.bytes(n, what)?;
        Ok(Reader::with_base(s, base))
    }

    /// Fail if bytes are left.
    pub fn finish(&self, what: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Trailing {
                what,
                offset: self.offset(),
                count: self.remaining(),
            })
        }
    }

    /// A malformed-field error at the current offset.
    pub fn malformed(&self, what: &'static str, reason: impl Into<String>) -> Error {
        Error::Malformed {
            what,
            offset: self.offset(),
            reason: reason.into(),
        }
    }
}

/// An appending byte writer.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer { buf: Vec::new() }
    }

    /// An empty writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Mutable access to the bytes written so far (to patch a length or checksum).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    /// Take the bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Append one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Append a little-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Append a little-endian u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Append a little-endian u64.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Append a big-endian u16.
    pub fn u16_be(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Append a big-endian u32.
    pub fn u32_be(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Append a big-endian u64.
    pub fn u64_be(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Append raw bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }
}

/// An IEEE EUI-64 address, stored as the number it is (printed most significant byte first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ExtAddr(pub u64);

impl ExtAddr {
    /// The bytes as they appear on air (little-endian).
    pub fn to_le_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }
}

impl core::fmt::Display for ExtAddr {
    /// Formats as tshark does: `00:0d:6f:00:0a:90:1b:42`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let b = self.0.to_be_bytes();
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
        )
    }
}

impl Wire for ExtAddr {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ExtAddr(r.u64("extended address")?))
    }
    fn emit(&self, w: &mut Writer) {
        w.u64(self.0);
    }
    fn buffer_len(&self) -> usize {
        8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_read_reports_absolute_offset() {
        let data = [1u8, 2, 3];
        let mut r = Reader::with_base(&data, 10);
        r.u16("a").unwrap();
        let e = r.u16("b").unwrap_err();
        assert_eq!(e.offset(), Some(12));
    }

    #[test]
    fn ext_addr_prints_like_tshark() {
        assert_eq!(
            ExtAddr(0x000d6f000a901b42).to_string(),
            "00:0d:6f:00:0a:90:1b:42"
        );
    }
}
