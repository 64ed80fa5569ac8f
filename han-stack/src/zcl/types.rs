//! ZCL data types (ZCL rev 6+ 2.6.2): type ids and values that keep their exact bytes.
//!
//! Values keep their encodings exactly, including the "non-value" (invalid)
//! encodings such as uint8 0xff or a string length of 0xff, and floats are
//! kept as bit patterns so that NaN payloads round-trip.

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// Deepest nesting of arrays, structures, sets and bags that is decoded.
const MAX_DEPTH: usize = 8;

/// A ZCL data type id (ZCL 2.6.2, table 2-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct DataType(pub u8);

/// How a value of a type is laid out on air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// No bytes (no data / null).
    Empty,
    /// A fixed number of bytes.
    Fixed(usize),
    /// One length byte, then that many bytes (0xff = invalid).
    Short,
    /// Two length bytes, then that many bytes (0xffff = invalid).
    Long,
    /// Element type, 16-bit count, elements (array, set, bag).
    Sequence,
    /// 16-bit count, then typed elements.
    Structure,
}

impl DataType {
    /// No data (0x00).
    pub const NO_DATA: DataType = DataType(0x00);
    /// Boolean (0x10).
    pub const BOOL: DataType = DataType(0x10);
    /// 8-bit enumeration (0x30).
    pub const ENUM8: DataType = DataType(0x30);
    /// 16-bit enumeration (0x31).
    pub const ENUM16: DataType = DataType(0x31);
    /// Semi-precision float (0x38).
    pub const SEMI: DataType = DataType(0x38);
    /// Single-precision float (0x39).
    pub const SINGLE: DataType = DataType(0x39);
    /// Double-precision float (0x3a).
    pub const DOUBLE: DataType = DataType(0x3a);
    /// Octet string (0x41).
    pub const OCTET_STRING: DataType = DataType(0x41);
    /// Character string (0x42).
    pub const CHAR_STRING: DataType = DataType(0x42);
    /// Long octet string (0x43).
    pub const LONG_OCTET_STRING: DataType = DataType(0x43);
    /// Long character string (0x44).
    pub const LONG_CHAR_STRING: DataType = DataType(0x44);
    /// Array (0x48).
    pub const ARRAY: DataType = DataType(0x48);
    /// Structure (0x4c).
    pub const STRUCTURE: DataType = DataType(0x4c);
    /// Set (0x50).
    pub const SET: DataType = DataType(0x50);
    /// Bag (0x51).
    pub const BAG: DataType = DataType(0x51);
    /// Time of day (0xe0).
    pub const TIME_OF_DAY: DataType = DataType(0xe0);
    /// Date (0xe1).
    pub const DATE: DataType = DataType(0xe1);
    /// UTC time, seconds since 2000-01-01 (0xe2).
    pub const UTC: DataType = DataType(0xe2);
    /// Cluster id (0xe8).
    pub const CLUSTER_ID: DataType = DataType(0xe8);
    /// Attribute id (0xe9).
    pub const ATTRIBUTE_ID: DataType = DataType(0xe9);
    /// BACnet object identifier (0xea).
    pub const BACNET_OID: DataType = DataType(0xea);
    /// IEEE address (0xf0).
    pub const IEEE_ADDRESS: DataType = DataType(0xf0);
    /// 128-bit security key (0xf1).
    pub const SECURITY_KEY: DataType = DataType(0xf1);
    /// Unknown (0xff): no value follows.
    pub const UNKNOWN: DataType = DataType(0xff);

    /// data8 (0x08) to data64 (0x0f) of `n` bytes.
    pub fn data(n: u8) -> DataType {
        DataType(0x07 + n)
    }
    /// bitmap8 (0x18) to bitmap64 (0x1f) of `n` bytes.
    pub fn bitmap(n: u8) -> DataType {
        DataType(0x17 + n)
    }
    /// uint8 (0x20) to uint64 (0x27) of `n` bytes.
    pub fn uint(n: u8) -> DataType {
        DataType(0x1f + n)
    }
    /// int8 (0x28) to int64 (0x2f) of `n` bytes.
    pub fn int(n: u8) -> DataType {
        DataType(0x27 + n)
    }

    /// The layout, or None for a type id the ZCL does not define.
    pub fn layout(self) -> Option<Layout> {
        Some(match self.0 {
            0x00 | 0xff => Layout::Empty,
            0x08..=0x0f => Layout::Fixed((self.0 - 0x07) as usize),
            0x10 => Layout::Fixed(1),
            0x18..=0x1f => Layout::Fixed((self.0 - 0x17) as usize),
            0x20..=0x27 => Layout::Fixed((self.0 - 0x1f) as usize),
            0x28..=0x2f => Layout::Fixed((self.0 - 0x27) as usize),
            0x30 => Layout::Fixed(1),
            0x31 | 0x38 => Layout::Fixed(2),
            0x39 => Layout::Fixed(4),
            0x3a => Layout::Fixed(8),
            0x41 | 0x42 => Layout::Short,
            0x43 | 0x44 => Layout::Long,
            0x48 | 0x50 | 0x51 => Layout::Sequence,
            0x4c => Layout::Structure,
            0xe0..=0xe2 | 0xea => Layout::Fixed(4),
            0xe8 | 0xe9 => Layout::Fixed(2),
            0xf0 => Layout::Fixed(8),
            0xf1 => Layout::Fixed(16),
            _ => return None,
        })
    }

    /// Analog types carry a reportable change in Configure Reporting (ZCL 2.5.7.1.7).
    pub fn is_analog(self) -> bool {
        matches!(self.0, 0x20..=0x2f | 0x38..=0x3a | 0xe0..=0xe2)
    }

    /// The name tshark prints for the type.
    pub fn name(self) -> &'static str {
        const DATA: [&str; 8] = [
            "8-Bit Data",
            "16-Bit Data",
            "24-Bit Data",
            "32-Bit Data",
            "40-Bit Data",
            "48-Bit Data",
            "56-Bit Data",
            "64-Bit Data",
        ];
        const BITMAP: [&str; 8] = [
            "8-Bit Bitmap",
            "16-Bit Bitmap",
            "24-Bit Bitmap",
            "32-Bit Bitmap",
            "40-Bit Bitmap",
            "48-Bit Bitmap",
            "56-Bit Bitmap",
            "64-Bit Bitmap",
        ];
        const UINT: [&str; 8] = [
            "8-Bit Unsigned Integer",
            "16-Bit Unsigned Integer",
            "24-Bit Unsigned Integer",
            "32-Bit Unsigned Integer",
            "40-Bit Unsigned Integer",
            "48-Bit Unsigned Integer",
            "56-Bit Unsigned Integer",
            "64-Bit Unsigned Integer",
        ];
        const INT: [&str; 8] = [
            "8-Bit Signed Integer",
            "16-Bit Signed Integer",
            "24-Bit Signed Integer",
            "32-Bit Signed Integer",
            "40-Bit Signed Integer",
            "48-Bit Signed Integer",
            "56-Bit Signed Integer",
            "64-Bit Signed Integer",
        ];
        let i = (self.0 & 7) as usize;
        match self.0 {
            0x00 => "No Data",
            0x08..=0x0f => DATA[i],
            0x10 => "Boolean",
            0x18..=0x1f => BITMAP[i],
            0x20..=0x27 => UINT[i],
            0x28..=0x2f => INT[i],
            0x30 => "8-Bit Enumeration",
            0x31 => "16-Bit Enumeration",
            0x38 => "Semi-precision Floating Point",
            0x39 => "Single Precision Floating Point",
            0x3a => "Double Precision Floating Point",
            0x41 => "Octet String",
            0x42 => "Character String",
            0x43 => "Long Octet String",
            0x44 => "Long Character String",
            0x48 => "Array",
            0x4c => "Structure",
            0x50 => "Set Collection",
            0x51 => "Bag Collection",
            0xe0 => "Time of Day",
            0xe1 => "Date",
            0xe2 => "UTC Time",
            0xe8 => "Cluster ID",
            0xe9 => "Attribute ID",
            0xea => "BACnet OID",
            0xf0 => "IEEE Address",
            0xf1 => "128-Bit Security Key",
            0xff => "Unknown",
            _ => "Reserved",
        }
    }
}

/// A ZCL value; together with its type id it reproduces its bytes exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZclValue {
    /// No data (0x00) or unknown (0xff): no bytes.
    Empty(DataType),
    /// A fixed-width scalar: data, bool, bitmap, uint, int, enum, floats (as bits),
    /// time of day, date, UTC, cluster/attribute id, BACnet OID, IEEE address.
    /// Held as the little-endian number the bytes make.
    Scalar(DataType, u64),
    /// 128-bit security key, bytes as on air.
    Key([u8; 16]),
    /// Octet or character string, short or long; None is the invalid length (0xff / 0xffff).
    String(DataType, Option<Vec<u8>>),
    /// Array, set or bag: element type and elements (None = invalid count 0xffff).
    Sequence(DataType, DataType, Option<Vec<ZclValue>>),
    /// Structure: typed elements (None = invalid count 0xffff).
    Structure(Option<Vec<ZclValue>>),
}

impl Default for ZclValue {
    fn default() -> Self {
        ZclValue::Empty(DataType::NO_DATA)
    }
}

impl ZclValue {
    /// The type id this value is encoded as.
    pub fn data_type(&self) -> DataType {
        match self {
            ZclValue::Empty(t)
            | ZclValue::Scalar(t, _)
            | ZclValue::String(t, _)
            | ZclValue::Sequence(t, _, _) => *t,
            ZclValue::Key(_) => DataType::SECURITY_KEY,
            ZclValue::Structure(_) => DataType::STRUCTURE,
        }
    }

    /// An unsigned integer value of `n` bytes.
    pub fn uint(n: u8, v: u64) -> Self {
        ZclValue::Scalar(DataType::uint(n), v)
    }

    /// A character string value.
    pub fn char_string(s: &str) -> Self {
        ZclValue::String(DataType::CHAR_STRING, Some(s.as_bytes().to_vec()))
    }

    /// Decode a value of type `ty` (the type byte already read).
    pub fn parse_as(ty: DataType, r: &mut Reader<'_>) -> Result<Self> {
        Self::parse_depth(ty, r, 0)
    }

    fn parse_depth(ty: DataType, r: &mut Reader<'_>, depth: usize) -> Result<Self> {
        let Some(layout) = ty.layout() else {
            // The length of a value of an undefined type is unknowable.
            return Err(r.malformed("ZCL data type", format!("unknown type id 0x{:02x}", ty.0)));
        };
        if depth > MAX_DEPTH && matches!(layout, Layout::Sequence | Layout::Structure) {
            return Err(r.malformed("ZCL value", "collections nested too deeply"));
        }
        Ok(match layout {
            Layout::Empty => ZclValue::Empty(ty),
            Layout::Fixed(16) => ZclValue::Key(r.array("ZCL security key")?),
            Layout::Fixed(n) => {
                let b = r.bytes(n, "ZCL value")?;
                let mut a = [0u8; 8];
                a[..n].copy_from_slice(b);
                ZclValue::Scalar(ty, u64::from_le_bytes(a))
            }
            Layout::Short => {
                let len = r.u8("ZCL string length")?;
                if len == 0xff {
                    ZclValue::String(ty, None)
                } else {
                    ZclValue::String(ty, Some(r.bytes(len as usize, "ZCL string")?.to_vec()))
                }
            }
            Layout::Long => {
                let len = r.u16("ZCL long string length")?;
                if len == 0xffff {
                    ZclValue::String(ty, None)
                } else {
                    ZclValue::String(ty, Some(r.bytes(len as usize, "ZCL string")?.to_vec()))
                }
            }
            Layout::Sequence => {
                let et = DataType(r.u8("ZCL element type")?);
                let count = r.u16("ZCL element count")?;
                if count == 0xffff {
                    ZclValue::Sequence(ty, et, None)
                } else {
                    // Elements without bytes would let two bytes ask for 65534 values.
                    if et.layout() == Some(Layout::Empty) && count > 1024 {
                        return Err(r.malformed("ZCL array", "too many empty elements"));
                    }
                    let mut v = Vec::new();
                    for _ in 0..count {
                        v.push(Self::parse_depth(et, r, depth + 1)?);
                    }
                    ZclValue::Sequence(ty, et, Some(v))
                }
            }
            Layout::Structure => {
                let count = r.u16("ZCL structure count")?;
                if count == 0xffff {
                    ZclValue::Structure(None)
                } else {
                    let mut v = Vec::new();
                    for _ in 0..count {
                        let et = DataType(r.u8("ZCL element type")?);
                        v.push(Self::parse_depth(et, r, depth + 1)?);
                    }
                    ZclValue::Structure(Some(v))
                }
            }
        })
    }

    /// Encode the value without its type byte.
    pub fn emit_value(&self, w: &mut Writer) {
        match self {
            ZclValue::Empty(_) => {}
            ZclValue::Scalar(t, v) => {
                let n = match t.layout() {
                    Some(Layout::Fixed(n)) => n.min(8),
                    _ => 0,
                };
                w.bytes(&v.to_le_bytes()[..n]);
            }
            ZclValue::Key(k) => w.bytes(k),
            // Longer content than the length field can carry is cut to the longest valid
            // length (the all-ones length is the invalid marker), so output stays well formed.
            ZclValue::String(t, s) => {
                let long = t.layout() == Some(Layout::Long);
                match s {
                    None if long => w.u16(0xffff),
                    None => w.u8(0xff),
                    Some(b) if long => {
                        let b = &b[..b.len().min(0xfffe)];
                        w.u16(b.len() as u16);
                        w.bytes(b);
                    }
                    Some(b) => {
                        let b = &b[..b.len().min(0xfe)];
                        w.u8(b.len() as u8);
                        w.bytes(b);
                    }
                }
            }
            ZclValue::Sequence(_, et, elems) => {
                w.u8(et.0);
                match elems {
                    None => w.u16(0xffff),
                    Some(v) => {
                        let v = &v[..v.len().min(0xfffe)];
                        w.u16(v.len() as u16);
                        v.iter().for_each(|e| e.emit_value(w));
                    }
                }
            }
            ZclValue::Structure(elems) => match elems {
                None => w.u16(0xffff),
                Some(v) => {
                    let v = &v[..v.len().min(0xfffe)];
                    w.u16(v.len() as u16);
                    v.iter().for_each(|e| e.emit(w));
                }
            },
        }
    }

    /// True when the value is the type's "non-value" (invalid) encoding (ZCL 2.6.2).
    pub fn is_invalid(&self) -> bool {
        match self {
            ZclValue::Scalar(t, v) => {
                let Some(Layout::Fixed(n)) = t.layout() else {
                    return false;
                };
                let bits = 8 * n as u32;
                let all = if bits >= 64 {
                    u64::MAX
                } else {
                    (1u64 << bits) - 1
                };
                match t.0 {
                    0x10 | 0x20..=0x27 | 0x30 | 0x31 | 0xe0..=0xe2 | 0xe8..=0xea | 0xf0 => {
                        *v == all
                    }
                    0x28..=0x2f => *v == 1u64 << (bits - 1),
                    _ => false,
                }
            }
            ZclValue::String(_, None) | ZclValue::Sequence(_, _, None) => true,
            ZclValue::Structure(None) => true,
            _ => false,
        }
    }

    /// The value as a signed number, for integer, enum and UTC-like types.
    pub fn as_i128(&self) -> Option<i128> {
        let ZclValue::Scalar(t, v) = self else {
            return None;
        };
        match t.0 {
            0x08..=0x27 | 0x30 | 0x31 | 0xe2 | 0xe8 | 0xe9 => Some(*v as i128),
            0x28..=0x2f => {
                let shift = 64 - 8 * (t.0 as u32 - 0x27);
                Some((((*v << shift) as i64) >> shift) as i128)
            }
            _ => None,
        }
    }

    /// The value as a float, for the floating-point types (semi-precision per IEEE 754-2008).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ZclValue::Scalar(DataType::SEMI, v) => Some(half_to_f64(*v as u16)),
            ZclValue::Scalar(DataType::SINGLE, v) => Some(f32::from_bits(*v as u32) as f64),
            ZclValue::Scalar(DataType::DOUBLE, v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }
}

/// JSON form: numbers for numeric types, text for character strings, hex for
/// octet strings and keys, tshark's colon form for IEEE addresses, lists for collections.
impl serde::Serialize for ZclValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match self {
            ZclValue::Empty(_) => s.serialize_none(),
            ZclValue::Scalar(DataType::BOOL, v) if *v <= 1 => s.serialize_bool(*v == 1),
            ZclValue::Scalar(DataType::IEEE_ADDRESS, v) => {
                s.serialize_str(&crate::wire::ExtAddr(*v).to_string())
            }
            ZclValue::Scalar(..) => {
                if let Some(f) = self.as_f64() {
                    if f.is_finite() {
                        s.serialize_f64(f)
                    } else {
                        s.serialize_str(&f.to_string())
                    }
                } else if let Some(i) = self.as_i128() {
                    s.serialize_i64(i as i64)
                } else if let ZclValue::Scalar(_, v) = self {
                    s.serialize_u64(*v)
                } else {
                    s.serialize_none()
                }
            }
            ZclValue::Key(k) => s.serialize_str(&crate::zcl::field::hex(k)),
            ZclValue::String(_, None) => s.serialize_none(),
            ZclValue::String(t, Some(b)) => {
                if matches!(t.0, 0x42 | 0x44) {
                    s.serialize_str(&String::from_utf8_lossy(b))
                } else {
                    s.serialize_str(&crate::zcl::field::hex(b))
                }
            }
            ZclValue::Sequence(_, _, None) | ZclValue::Structure(None) => s.serialize_none(),
            ZclValue::Sequence(_, _, Some(v)) | ZclValue::Structure(Some(v)) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for e in v {
                    seq.serialize_element(e)?;
                }
                seq.end()
            }
        }
    }
}

/// Text form for one-line summaries: decimal numbers, hex bitmaps, quoted character strings.
impl core::fmt::Display for ZclValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ZclValue::Empty(_) => f.write_str("-"),
            ZclValue::Scalar(DataType::BOOL, v) => match v {
                0 => f.write_str("false"),
                1 => f.write_str("true"),
                _ => write!(f, "0x{v:02x}"),
            },
            ZclValue::Scalar(DataType::IEEE_ADDRESS, v) => {
                write!(f, "{}", crate::wire::ExtAddr(*v))
            }
            ZclValue::Scalar(t, v) if matches!(t.0, 0x08..=0x1f) => write!(f, "0x{v:x}"),
            ZclValue::Scalar(..) => match (self.as_f64(), self.as_i128()) {
                (Some(x), _) => write!(f, "{x}"),
                (_, Some(i)) => write!(f, "{i}"),
                _ => match self {
                    ZclValue::Scalar(_, v) => write!(f, "{v}"),
                    _ => Ok(()),
                },
            },
            ZclValue::Key(k) => f.write_str(&crate::zcl::field::hex(k)),
            ZclValue::String(_, None)
            | ZclValue::Sequence(_, _, None)
            | ZclValue::Structure(None) => f.write_str("invalid"),
            ZclValue::String(t, Some(b)) if matches!(t.0, 0x42 | 0x44) => {
                write!(f, "{:?}", String::from_utf8_lossy(b))
            }
            ZclValue::String(_, Some(b)) => f.write_str(&crate::zcl::field::hex(b)),
            ZclValue::Sequence(_, _, Some(v)) | ZclValue::Structure(Some(v)) => {
                f.write_str("[")?;
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// IEEE 754 binary16 to f64.
fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let frac = (h & 0x3ff) as f64;
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        0x1f if frac == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    }
}

/// A value with its type byte in front, as in attribute reports.
impl Wire for ZclValue {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let ty = DataType(r.u8("ZCL data type")?);
        Self::parse_as(ty, r)
    }
    fn emit(&self, w: &mut Writer) {
        w.u8(self.data_type().0);
        self.emit_value(w);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every defined type id.
    pub fn defined_types() -> Vec<u8> {
        (0u8..=255)
            .filter(|t| DataType(*t).layout().is_some())
            .collect()
    }

    fn scalar_or_string(ty: DataType) -> BoxedStrategy<ZclValue> {
        match ty.layout() {
            Some(Layout::Empty) => Just(ZclValue::Empty(ty)).boxed(),
            Some(Layout::Fixed(16)) => any::<[u8; 16]>().prop_map(ZclValue::Key).boxed(),
            Some(Layout::Fixed(n)) => {
                let mask = if n >= 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * n)) - 1
                };
                any::<u64>()
                    .prop_map(move |v| ZclValue::Scalar(ty, v & mask))
                    .boxed()
            }
            _ => proptest::option::weighted(0.9, proptest::collection::vec(any::<u8>(), 0..20))
                .prop_map(move |s| ZclValue::String(ty, s))
                .boxed(),
        }
    }

    /// Any value of any defined type, collections nested up to two deep.
    pub fn any_value() -> BoxedStrategy<ZclValue> {
        let leaf_types: Vec<u8> = defined_types()
            .into_iter()
            .filter(|t| {
                !matches!(
                    DataType(*t).layout(),
                    Some(Layout::Sequence | Layout::Structure)
                )
            })
            .collect();
        let leaf = proptest::sample::select(leaf_types.clone())
            .prop_flat_map(|t| scalar_or_string(DataType(t)))
            .boxed();
        let seq = (
            proptest::sample::select(vec![0x48u8, 0x50, 0x51]),
            proptest::sample::select(leaf_types),
        )
            .prop_flat_map(|(st, et)| {
                proptest::option::weighted(
                    0.9,
                    proptest::collection::vec(scalar_or_string(DataType(et)), 0..4),
                )
                .prop_map(move |v| ZclValue::Sequence(DataType(st), DataType(et), v))
            });
        let structure =
            proptest::option::weighted(0.9, proptest::collection::vec(leaf.clone(), 0..4))
                .prop_map(ZclValue::Structure);
        prop_oneof![4 => leaf, 1 => seq, 1 => structure].boxed()
    }

    #[test]
    fn known_bytes() {
        // int24 InstantaneousDemand 1234 = 0x0004d2.
        let v = ZclValue::from_bytes(&[0x2a, 0xd2, 0x04, 0x00]).unwrap();
        assert_eq!(v, ZclValue::Scalar(DataType(0x2a), 0x0004d2));
        assert_eq!(v.as_i128(), Some(1234));
        let neg = ZclValue::from_bytes(&[0x2a, 0xff, 0xff, 0xff]).unwrap();
        assert_eq!(neg.as_i128(), Some(-1));
        let s = ZclValue::from_bytes(&[0x42, 0x03, b'a', b'b', b'c']).unwrap();
        assert_eq!(s, ZclValue::char_string("abc"));
        let invalid = ZclValue::from_bytes(&[0x42, 0xff]).unwrap();
        assert!(invalid.is_invalid());
        assert_eq!(invalid.to_bytes(), vec![0x42, 0xff]);
        assert!(ZclValue::from_bytes(&[0x20, 0xff]).unwrap().is_invalid());
        assert_eq!(
            ZclValue::from_bytes(&[0x38, 0x00, 0x3c]).unwrap().as_f64(),
            Some(1.0)
        );
    }

    #[test]
    fn over_long_strings_are_cut_to_a_valid_length() {
        let v = ZclValue::String(DataType::CHAR_STRING, Some(vec![b'a'; 300]));
        let b = v.to_bytes();
        assert_eq!((b[1], b.len()), (254, 256));
        assert!(!ZclValue::from_bytes(&b).unwrap().is_invalid());
    }

    #[test]
    fn errors_carry_offsets() {
        let e = ZclValue::from_bytes(&[0x42, 0x05, b'a']).unwrap_err();
        assert_eq!(e.offset(), Some(2));
        let e = ZclValue::from_bytes(&[0x05, 0x00]).unwrap_err();
        assert_eq!(e.offset(), Some(1));
        assert!(e.to_string().contains("unknown type id 0x05"));
    }

    #[test]
    fn array_and_structure() {
        let bytes = [0x48, 0x21, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00];
        let v = ZclValue::from_bytes(&bytes).unwrap();
        assert_eq!(
            v,
            ZclValue::Sequence(
                DataType::ARRAY,
                DataType(0x21),
                Some(vec![
                    ZclValue::Scalar(DataType(0x21), 1),
                    ZclValue::Scalar(DataType(0x21), 2)
                ])
            )
        );
        let st = [0x4c, 0x01, 0x00, 0x10, 0x01];
        assert_eq!(ZclValue::from_bytes(&st).unwrap().to_bytes(), st);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(v in any_value()) {
            let b = v.to_bytes();
            prop_assert_eq!(ZclValue::from_bytes(&b).unwrap(), v);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(v) = ZclValue::parse(&mut Reader::new(&bytes)) {
                let b = v.to_bytes();
                prop_assert_eq!(&bytes[..b.len()], &b[..]);
            }
        }
    }
}
