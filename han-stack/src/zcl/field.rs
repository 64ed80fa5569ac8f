//! Fixed-layout payload fields and the `payload!` macro that builds command structs from them.

use crate::error::Result;
use crate::wire::{Reader, Writer};
use serde::{Serialize, Serializer};

/// A field of a command payload: read and written in place, little-endian.
pub trait Field: Sized {
    /// Read the field.
    fn read(r: &mut Reader<'_>) -> Result<Self>;
    /// Write the field.
    fn write(&self, w: &mut Writer);
}

macro_rules! int_field {
    ($($t:ty => $n:literal),*) => {$(
        impl Field for $t {
            fn read(r: &mut Reader<'_>) -> Result<Self> {
                Ok(<$t>::from_le_bytes(r.array::<$n>(stringify!($t))?))
            }
            fn write(&self, w: &mut Writer) {
                w.bytes(&self.to_le_bytes());
            }
        }
    )*};
}
int_field!(u8 => 1, u16 => 2, u32 => 4, u64 => 8, i8 => 1, i16 => 2, i32 => 4);

/// Fixed-size opaque bytes (keys, MACs, signatures), shown as hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fixed<const N: usize>(pub [u8; N]);

impl<const N: usize> Default for Fixed<N> {
    fn default() -> Self {
        Fixed([0; N])
    }
}

impl<const N: usize> Field for Fixed<N> {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        r.array("bytes").map(Fixed)
    }
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.0);
    }
}

impl<const N: usize> Serialize for Fixed<N> {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An EUI-64 in a payload, shown as tshark prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Eui64(pub u64);

impl Field for Eui64 {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        r.u64("EUI-64").map(Eui64)
    }
    fn write(&self, w: &mut Writer) {
        w.u64(self.0);
    }
}

impl Serialize for Eui64 {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&crate::wire::ExtAddr(self.0).to_string())
    }
}

/// A 24-bit unsigned integer (kept in the low 24 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct U24(pub u32);

/// A 48-bit unsigned integer (kept in the low 48 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct U48(pub u64);

/// A 24-bit signed integer (sign-extended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct I24(pub i32);

impl Field for U24 {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let b: [u8; 3] = r.array("uint24")?;
        Ok(U24(u32::from_le_bytes([b[0], b[1], b[2], 0])))
    }
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.0.to_le_bytes()[..3]);
    }
}

impl Field for U48 {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let b: [u8; 6] = r.array("uint48")?;
        Ok(U48(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], 0, 0,
        ])))
    }
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.0.to_le_bytes()[..6]);
    }
}

impl Field for I24 {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let b: [u8; 3] = r.array("int24")?;
        Ok(I24(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8))
    }
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.0.to_le_bytes()[..3]);
    }
}

/// A ZCL octet or character string with a one-byte length; None is the invalid length 0xff.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct OctetStr(pub Option<Vec<u8>>);

impl OctetStr {
    /// A string holding `s`.
    pub fn new(s: impl AsRef<[u8]>) -> Self {
        OctetStr(Some(s.as_ref().to_vec()))
    }
    /// The text, lossily decoded, empty when invalid.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.0.as_deref().unwrap_or_default()).into_owned()
    }
}

impl Serialize for OctetStr {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        match &self.0 {
            None => s.serialize_none(),
            Some(_) => s.serialize_str(&self.text()),
        }
    }
}

impl Field for OctetStr {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let n = r.u8("ZCL string length")?;
        if n == 0xff {
            return Ok(OctetStr(None));
        }
        Ok(OctetStr(Some(r.bytes(n as usize, "ZCL string")?.to_vec())))
    }
    fn write(&self, w: &mut Writer) {
        match &self.0 {
            None => w.u8(0xff),
            // Cut to 254 bytes: 0xff would say "invalid".
            Some(b) => {
                let b = &b[..b.len().min(0xfe)];
                w.u8(b.len() as u8);
                w.bytes(b);
            }
        }
    }
}

/// Every remaining byte of the payload (opaque data such as a tunnelled APDU).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Rest(pub Vec<u8>);

impl Serialize for Rest {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

impl Field for Rest {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Rest(r.rest().to_vec()))
    }
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.0);
    }
}

/// Records repeated to the end of the payload.
impl<T: Field> Field for Vec<T> {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let mut v = Vec::new();
        while !r.is_empty() {
            v.push(T::read(r)?);
        }
        Ok(v)
    }
    fn write(&self, w: &mut Writer) {
        self.iter().for_each(|x| x.write(w));
    }
}

/// A trailing field that may be absent (fields added in later spec revisions).
impl<T: Field> Field for Option<T> {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        if r.is_empty() {
            Ok(None)
        } else {
            T::read(r).map(Some)
        }
    }
    fn write(&self, w: &mut Writer) {
        if let Some(x) = self {
            x.write(w);
        }
    }
}

/// Define a command payload struct whose fields are [`Field`]s in wire order, implementing `Wire` and `Field`.
macro_rules! payload {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[doc = concat!("`", stringify!($f), "`, as the specification names the field.")]
                pub $f: $t
            ),*
        }
        impl $crate::wire::Wire for $name {
            #[allow(unused_variables)]
            fn parse(r: &mut $crate::wire::Reader<'_>) -> $crate::error::Result<Self> {
                Ok($name { $($f: $crate::zcl::field::Field::read(r)?),* })
            }
            #[allow(unused_variables)]
            fn emit(&self, w: &mut $crate::wire::Writer) {
                $($crate::zcl::field::Field::write(&self.$f, w);)*
            }
        }
        impl $crate::zcl::field::Field for $name {
            fn read(r: &mut $crate::wire::Reader<'_>) -> $crate::error::Result<Self> {
                <Self as $crate::wire::Wire>::parse(r)
            }
            fn write(&self, w: &mut $crate::wire::Writer) {
                <Self as $crate::wire::Wire>::emit(self, w)
            }
        }
    };
}
pub(crate) use payload;

/// Implement [`Field`] for a type that implements `Wire`.
macro_rules! wire_field {
    ($($t:ty),*) => {$(
        impl $crate::zcl::field::Field for $t {
            fn read(r: &mut $crate::wire::Reader<'_>) -> $crate::error::Result<Self> {
                <Self as $crate::wire::Wire>::parse(r)
            }
            fn write(&self, w: &mut $crate::wire::Writer) {
                <Self as $crate::wire::Wire>::emit(self, w)
            }
        }
    )*};
}
pub(crate) use wire_field;

wire_field!(crate::zcl::types::ZclValue);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(
            I24::read(&mut Reader::new(&[0xff, 0xff, 0xff])).unwrap(),
            I24(-1)
        );
        assert_eq!(
            U48::read(&mut Reader::new(&[1, 0, 0, 0, 0, 0x80])).unwrap(),
            U48(0x8000_0000_0001)
        );
        let mut w = Writer::new();
        OctetStr(None).write(&mut w);
        assert_eq!(w.into_vec(), vec![0xff]);
    }
}
