//! A zero-copy checked view of a MAC frame, for fast paths that only need
//! the addressing fields and the payload location (e.g. filtering on air).

use core::ops::Range;

use crate::error::{Error, Result};
use crate::mac::address::{AddrMode, Address};
use crate::mac::control::{FrameFlags, FrameType, FrameVersion};
use crate::mac::frame::{pan_id_presence, skip_header_ies};
use crate::mac::security::MacSecurityHeader;
use crate::wire::{ExtAddr, Reader, Wire};

/// Offsets found by [`Frame::new_checked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    fcf: u16,
    seq: Option<usize>,
    dst_pan: Option<usize>,
    dst: (AddrMode, usize),
    src_pan: Option<usize>,
    src: (AddrMode, usize),
    payload_start: usize,
}

/// A MAC frame (MPDU without FCS) in a buffer, with its header checked once.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
    layout: Layout,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Check that the header (addressing, auxiliary security header, header IEs) fits `buffer`.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let layout = Self::layout(buffer.as_ref())?;
        Ok(Frame { buffer, layout })
    }

    fn layout(b: &[u8]) -> Result<Layout> {
        let mut r = Reader::new(b);
        let fcf = r.u16("frame control")?;
        let mut l = Layout {
            fcf,
            seq: None,
            dst_pan: None,
            dst: (AddrMode::None, 2),
            src_pan: None,
            src: (AddrMode::None, 2),
            payload_start: 2,
        };
        if !FrameType::from_bits((fcf & 7) as u8).has_general_layout() {
            return Ok(l);
        }
        let flags = FrameFlags::from_bits_retain(fcf);
        let version = FrameVersion::from_bits(((fcf >> 12) & 3) as u8);
        let dst_mode = AddrMode::from_bits(((fcf >> 10) & 3) as u8);
        let src_mode = AddrMode::from_bits(((fcf >> 14) & 3) as u8);
        if dst_mode == AddrMode::Reserved || src_mode == AddrMode::Reserved {
            return Err(Error::Malformed {
                what: "frame control",
                offset: 0,
                reason: "reserved addressing mode 1".into(),
            });
        }
        let is_2015 = version == FrameVersion::V2015;
        if !(is_2015 && flags.contains(FrameFlags::SEQ_SUPPRESSION)) {
            l.seq = Some(r.position());
            r.u8("sequence number")?;
        }
        let (has_dst_pan, has_src_pan) = pan_id_presence(
            version,
            dst_mode,
            src_mode,
            flags.contains(FrameFlags::PAN_ID_COMPRESSION),
        );
        let field = |r: &mut Reader<'_>, present: bool, len: usize, what| {
            let at = r.position();
            if present {
                r.bytes(len, what).map(|_| Some(at))
            } else {
                Ok(None)
            }
        };
        l.dst_pan = field(&mut r, has_dst_pan, 2, "destination PAN")?;
        l.dst = (dst_mode, r.position());
        field(&mut r, true, addr_len(dst_mode), "destination address")?;
        l.src_pan = field(&mut r, has_src_pan, 2, "source PAN")?;
        l.src = (src_mode, r.position());
        field(&mut r, true, addr_len(src_mode), "source address")?;
        if flags.contains(FrameFlags::SECURITY) && version != FrameVersion::V2003 {
            MacSecurityHeader::parse(&mut r)?;
        }
        if is_2015 && flags.contains(FrameFlags::IE_PRESENT) {
            skip_header_ies(&mut r)?;
        }
        l.payload_start = r.position();
        Ok(l)
    }

    fn u16_at(&self, at: usize) -> u16 {
        let b = self.buffer.as_ref();
        b.get(at..at + 2)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    }

    fn addr_at(&self, (mode, at): (AddrMode, usize)) -> Address {
        match mode {
            AddrMode::Short => Address::Short(self.u16_at(at)),
            AddrMode::Extended => {
                let b = self.buffer.as_ref();
                let v = b
                    .get(at..at + 8)
                    .and_then(|s| s.try_into().ok())
                    .map_or(0, u64::from_le_bytes);
                Address::Extended(ExtAddr(v))
            }
            AddrMode::None | AddrMode::Reserved => Address::None,
        }
    }

    /// The frame control field.
    pub fn frame_control(&self) -> u16 {
        self.layout.fcf
    }

    /// The frame type.
    pub fn frame_type(&self) -> FrameType {
        FrameType::from_bits((self.layout.fcf & 7) as u8)
    }

    /// The frame version.
    pub fn version(&self) -> FrameVersion {
        FrameVersion::from_bits(((self.layout.fcf >> 12) & 3) as u8)
    }

    /// The frame control flags (bits 3–9).
    pub fn flags(&self) -> FrameFlags {
        FrameFlags::from_bits_retain(self.layout.fcf & 0x03f8)
    }

    /// The sequence number, unless suppressed.
    pub fn seq(&self) -> Option<u8> {
        let b = self.buffer.as_ref();
        self.layout.seq.and_then(|at| b.get(at).copied())
    }

    /// The destination PAN ID, when present.
    pub fn dst_pan(&self) -> Option<u16> {
        self.layout.dst_pan.map(|at| self.u16_at(at))
    }

    /// The destination address.
    pub fn dst(&self) -> Address {
        self.addr_at(self.layout.dst)
    }

    /// The source PAN ID, when present.
    pub fn src_pan(&self) -> Option<u16> {
        self.layout.src_pan.map(|at| self.u16_at(at))
    }

    /// The source address.
    pub fn src(&self) -> Address {
        self.addr_at(self.layout.src)
    }

    /// Where the MAC payload lies in the buffer (after any security header and header IEs).
    pub fn payload_range(&self) -> Range<usize> {
        self.layout.payload_start..self.buffer.as_ref().len()
    }

    /// The MAC payload bytes.
    pub fn payload(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.payload_range())
            .unwrap_or_default()
    }

    /// The buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

fn addr_len(mode: AddrMode) -> usize {
    match mode {
        AddrMode::Short => 2,
        AddrMode::Extended => 8,
        AddrMode::None | AddrMode::Reserved => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::MacFrame;
    use crate::test_util::hex;
    use proptest::prelude::*;

    #[test]
    fn zigbee_data_frame() {
        // shared/vectors.toml [[ieee802154_fcs]] frame, FCS removed
        let bytes = hex(
            "6188e3bf182cda000008022cda00001e3f288985bd011ab0f7fefff9e3b40067fdf6895be2d544346729e42d46",
        );
        let f = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(f.frame_type(), FrameType::Data);
        assert_eq!(f.seq(), Some(0xe3));
        assert_eq!(f.dst_pan(), Some(0x18bf));
        assert_eq!(f.dst(), Address::Short(0xda2c));
        assert_eq!(f.src_pan(), None);
        assert_eq!(f.src(), Address::Short(0x0000));
        assert_eq!(f.payload_range(), 9..bytes.len());
        assert_eq!(f.payload().first(), Some(&0x08));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn agrees_with_owned_parse(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let view = Frame::new_checked(&bytes[..]);
            if let Ok(owned) = MacFrame::from_bytes(&bytes) {
                let view = view.unwrap();
                prop_assert_eq!(view.frame_control(), owned.frame_control());
                prop_assert_eq!(view.seq(), owned.seq);
                prop_assert_eq!(view.dst_pan(), owned.dst_pan);
                prop_assert_eq!(view.dst(), owned.dst);
                prop_assert_eq!(view.src_pan(), owned.src_pan);
                prop_assert_eq!(view.src(), owned.src);
            }
        }
    }
}
