//! The classic pcap format (both byte orders, microsecond and nanosecond
//! magic): a 24-byte file header, then records of a 16-byte header and data.

use super::{
    CaptureError, CaptureFrame, LinkType, RadioMeta, Record, decode_record, encap, fcs16, tap,
};
use crate::wire::Wire;
use crate::zep::{ZepPacket, unix_to_ntp};
use std::io::{self, Write};

const MAGIC_US: u32 = 0xa1b2_c3d4;
const MAGIC_NS: u32 = 0xa1b2_3c4d;
const FILE_HEADER: usize = 24;
const RECORD_HEADER: usize = 16;
/// Largest record any reader accepts when the snaplen says nothing useful (Wireshark's limit).
const MAX_RECORD: u32 = 262_144;
/// The snaplen written by [`PcapWriter`].
const WRITE_SNAPLEN: u32 = 65_535;

/// The records of a pcap file.
pub struct Records<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: usize,
    big_endian: bool,
    nanos: bool,
    snaplen: u32,
    link_type: u32,
}

impl<'a> Records<'a> {
    /// Read the file header; `Ok(None)` when the magic is not pcap's.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Option<Self>, CaptureError> {
        let Some(magic) = bytes.get(..4) else {
            return Ok(None);
        };
        let magic = [magic[0], magic[1], magic[2], magic[3]];
        let (big_endian, nanos) = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
            (MAGIC_US, _) => (false, false),
            (MAGIC_NS, _) => (false, true),
            (_, MAGIC_US) => (true, false),
            (_, MAGIC_NS) => (true, true),
            _ => return Ok(None),
        };
        if bytes.len() < FILE_HEADER {
            return Err(CaptureError::at(
                bytes.len() as u64,
                format!("truncated pcap file header: {} of 24 bytes", bytes.len()),
            ));
        }
        let mut r = Records {
            bytes,
            pos: 0,
            number: 0,
            big_endian,
            nanos,
            snaplen: 0,
            link_type: 0,
        };
        r.snaplen = r.u32_at(16);
        // The upper bits of the link-type word carry FCS hints (pcap spec); the type is the low 16.
        r.link_type = r.u32_at(20) & 0xffff;
        super::check_link_type(r.link_type, 20)?;
        r.pos = FILE_HEADER;
        Ok(Some(r))
    }

    fn u32_at(&self, at: usize) -> u32 {
        let b = self.bytes.get(at..at + 4).unwrap_or(&[0; 4]);
        let a = [b[0], b[1], b[2], b[3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    fn read(&mut self) -> Result<Option<CaptureFrame>, CaptureError> {
        let start = self.pos;
        let left = self.bytes.len() - start;
        if left == 0 {
            return Ok(None);
        }
        self.number += 1;
        let n = self.number;
        if left < RECORD_HEADER {
            return Err(CaptureError::in_record(
                start as u64,
                n,
                format!("truncated record header: {left} of 16 bytes"),
            ));
        }
        let secs = self.u32_at(start);
        let frac = self.u32_at(start + 4);
        let incl = self.u32_at(start + 8);
        let limit = if self.snaplen == 0 {
            MAX_RECORD
        } else {
            self.snaplen.min(MAX_RECORD)
        };
        if incl > limit {
            return Err(CaptureError::in_record(
                start as u64,
                n,
                format!("record length {incl} exceeds snaplen {limit}"),
            ));
        }
        let data_at = start + RECORD_HEADER;
        let Some(data) = self.bytes.get(data_at..data_at + incl as usize) else {
            return Err(CaptureError::in_record(
                start as u64,
                n,
                format!(
                    "truncated record: {incl} bytes of data announced, {} left in the file",
                    self.bytes.len() - data_at
                ),
            ));
        };
        self.pos = data_at + incl as usize;
        let scale = if self.nanos { 1e-9 } else { 1e-6 };
        let rec = Record {
            number: n,
            time: secs as f64 + frac as f64 * scale,
            offset: start as u64,
            link_type: self.link_type,
        };
        Ok(Some(decode_record(&rec, data)))
    }
}

impl Iterator for Records<'_> {
    type Item = Result<CaptureFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read().transpose()
    }
}

/// Writes 802.15.4 frames as a little-endian, microsecond pcap file.
pub struct PcapWriter<W: Write> {
    out: W,
    link: LinkType,
    zep_seq: u32,
}

impl<W: Write> PcapWriter<W> {
    /// Write the file header for `link`.
    pub fn new(mut out: W, link: LinkType) -> io::Result<Self> {
        let mut h = Vec::with_capacity(FILE_HEADER);
        h.extend_from_slice(&MAGIC_US.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&WRITE_SNAPLEN.to_le_bytes());
        h.extend_from_slice(&link.number().to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            link,
            zep_seq: 0,
        })
    }

    /// Append one frame at `time_ns` (Unix nanoseconds); the FCS is computed
    /// here (none for [`LinkType::NoFcs`]).
    pub fn write_frame(
        &mut self,
        time_ns: u64,
        mpdu_without_fcs: &[u8],
        meta: &RadioMeta,
    ) -> io::Result<()> {
        self.write_frame_on_page(time_ns, mpdu_without_fcs, meta, 0)
    }

    /// [`PcapWriter::write_frame`] with the channel on channel `page` in the TAP header
    /// (0: 2.4 GHz O-QPSK; 28: GB868, Zigbee PRO R22 D.10).
    pub fn write_frame_on_page(
        &mut self,
        time_ns: u64,
        mpdu_without_fcs: &[u8],
        meta: &RadioMeta,
        page: u8,
    ) -> io::Result<()> {
        let mut data = Vec::with_capacity(mpdu_without_fcs.len() + 40);
        if self.link == LinkType::Tap {
            tap::emit_header(&mut data, meta, page);
        }
        data.extend_from_slice(mpdu_without_fcs);
        if self.link != LinkType::NoFcs {
            data.extend_from_slice(&fcs16(mpdu_without_fcs).to_le_bytes());
        }
        if self.link == LinkType::ZepEthernet {
            self.zep_seq = self.zep_seq.wrapping_add(1);
            let zep = ZepPacket::V2Data {
                channel: meta.channel,
                device_id: 0,
                crc_mode: true,
                lqi: meta.lqi,
                timestamp: unix_to_ntp(
                    (time_ns / 1_000_000_000) as i64,
                    (time_ns % 1_000_000_000) as u32,
                ),
                seq: self.zep_seq,
                reserved: [0; 10],
                frame: data,
            };
            data = encap::zep_in_ethernet(&zep.to_bytes());
        }
        let len = u32::try_from(data.len())
            .ok()
            .filter(|&l| l <= WRITE_SNAPLEN)
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "frame longer than the snaplen")
            })?;
        let secs = u32::try_from(time_ns / 1_000_000_000)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "time past 2106"))?;
        let micros = (time_ns % 1_000_000_000 / 1000) as u32;
        let mut h = [0u8; RECORD_HEADER];
        h[..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&micros.to_le_bytes());
        h[8..12].copy_from_slice(&len.to_le_bytes());
        h[12..].copy_from_slice(&len.to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(&data)
    }

    /// Flush and hand back the writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
