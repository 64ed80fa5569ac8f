//! Reading and writing IEEE 802.15.4 captures: pcap, pcapng and Daintree SNA
//! (.dcf) files, with MPDUs carried raw (link types 195, 230), in TAP
//! headers (283), or in ZEP over UDP (Ethernet 1, raw IP 101).
//!
//! [`open`] detects the format and returns a [`CaptureReader`], an iterator
//! that decodes one record at a time. File-structure faults end the
//! iteration with a [`CaptureError`] that names the byte (and record or
//! line); a record whose contents cannot give an MPDU is still yielded, with
//! [`CaptureFrame::problem`] saying why.

pub mod dcf;
pub mod encap;
pub mod pcap;
pub mod pcapng;
pub mod tap;

use crate::zep::ZepPacket;

pub use pcap::PcapWriter;

/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// LINKTYPE_RAW (raw IPv4 or IPv6).
pub const LINKTYPE_RAW: u32 = 101;
/// LINKTYPE_IEEE802_15_4_WITHFCS.
pub const LINKTYPE_IEEE802_15_4_WITHFCS: u32 = 195;
/// LINKTYPE_IEEE802_15_4_NOFCS.
pub const LINKTYPE_IEEE802_15_4_NOFCS: u32 = 230;
/// LINKTYPE_IEEE802_15_4_TAP.
pub const LINKTYPE_IEEE802_15_4_TAP: u32 = 283;

/// The link types [`open`] accepts.
const SUPPORTED: [u32; 5] = [
    LINKTYPE_IEEE802_15_4_WITHFCS,
    LINKTYPE_IEEE802_15_4_NOFCS,
    LINKTYPE_IEEE802_15_4_TAP,
    LINKTYPE_ETHERNET,
    LINKTYPE_RAW,
];

/// What the 802.15.4 frame's last bytes held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FcsInfo {
    /// No FCS in the record.
    Absent,
    /// A 16-bit FCS (CRC-16/KERMIT, IEEE 802.15.4-2015 7.2.10) and whether it matches the MPDU.
    Present {
        /// The FCS as read (little-endian on air).
        value: u16,
        /// Whether it matches the MPDU.
        ok: bool,
    },
    /// TI CC24xx metadata in place of the FCS (ZEP LQI mode).
    Cc24xx {
        /// Received signal strength as reported by the radio.
        rssi: i8,
        /// The radio's CRC-OK bit.
        crc_ok: bool,
        /// Correlation value (7 bits).
        correlation: u8,
    },
}

impl FcsInfo {
    /// False only when a check was made and failed.
    pub fn is_ok(&self) -> bool {
        match *self {
            FcsInfo::Absent => true,
            FcsInfo::Present { ok, .. } => ok,
            FcsInfo::Cc24xx { crc_ok, .. } => crc_ok,
        }
    }

    /// The check's result, or `None` when the record carried no FCS.
    pub fn verdict(&self) -> Option<bool> {
        match *self {
            FcsInfo::Absent => None,
            _ => Some(self.is_ok()),
        }
    }
}

/// The ZEP header fields of a frame that came in ZEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZepMeta {
    /// ZEP version (1 or 2).
    pub version: u8,
    /// Sender's device id.
    pub device_id: u16,
    /// lqi_mode 1: the frame ended in an FCS.
    pub crc_mode: bool,
    /// v2 sequence number.
    pub seq: Option<u32>,
    /// v2 NTP 32.32 timestamp.
    pub timestamp: Option<u64>,
}

/// One frame read from a capture.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureFrame {
    /// Record number, 1-based.
    pub number: usize,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// Byte offset of the record in the file.
    pub file_offset: u64,
    /// The record's link type (230 for Daintree SNA files).
    pub link_type: u32,
    /// The 802.15.4 MPDU without its FCS; empty when `problem` is set.
    pub mpdu: Vec<u8>,
    /// What followed the MPDU.
    pub fcs: FcsInfo,
    /// Channel, when the capture says.
    pub channel: Option<u8>,
    /// Received signal strength in dBm, when the capture says.
    pub rssi_dbm: Option<f32>,
    /// Link quality indicator, when the capture says.
    pub lqi: Option<u8>,
    /// ZEP header fields, for frames carried in ZEP.
    pub zep: Option<ZepMeta>,
    /// Why the record gave no MPDU (e.g. an Ethernet frame that is not ZEP).
    pub problem: Option<String>,
}

impl CaptureFrame {
    /// A frame with the record fields set and nothing decoded yet.
    fn new(rec: &Record) -> Self {
        CaptureFrame {
            number: rec.number,
            time: rec.time,
            file_offset: rec.offset,
            link_type: rec.link_type,
            mpdu: Vec::new(),
            fcs: FcsInfo::Absent,
            channel: None,
            rssi_dbm: None,
            lqi: None,
            zep: None,
            problem: None,
        }
    }

    /// The same frame with `problem` set and no MPDU.
    fn with_problem(mut self, problem: impl Into<String>) -> Self {
        self.mpdu.clear();
        self.fcs = FcsInfo::Absent;
        self.problem = Some(problem.into());
        self
    }
}

/// A fault in the capture file itself, located for a person to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureError {
    /// Byte offset in the file.
    pub offset: u64,
    /// Record number (1-based), when the fault is in a record.
    pub frame: Option<usize>,
    /// Line number (1-based), for text formats.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl CaptureError {
    /// An error at `offset` outside any record.
    pub(crate) fn at(offset: u64, message: impl Into<String>) -> Self {
        CaptureError {
            offset,
            frame: None,
            line: None,
            message: message.into(),
        }
    }

    /// An error in record `frame` at `offset`.
    pub(crate) fn in_record(offset: u64, frame: usize, message: impl Into<String>) -> Self {
        CaptureError {
            frame: Some(frame),
            ..Self::at(offset, message)
        }
    }
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.frame) {
            (Some(l), Some(n)) => write!(f, "line {l} (record {n}) at byte {}: ", self.offset)?,
            (Some(l), None) => write!(f, "line {l} at byte {}: ", self.offset)?,
            (None, Some(n)) => write!(f, "record {n} at byte {}: ", self.offset)?,
            (None, None) => write!(f, "at byte {}: ", self.offset)?,
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for CaptureError {}

/// The link layers [`PcapWriter`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// 802.15.4 with FCS (195).
    WithFcs,
    /// 802.15.4 without FCS (230).
    NoFcs,
    /// 802.15.4 TAP with FCS, RSS, channel and LQI TLVs (283).
    Tap,
    /// ZEP v2 (with FCS) in UDP to port 17754 on loopback, in Ethernet (1):
    /// what a capture of a ZEP sender looks like.
    ZepEthernet,
}

impl LinkType {
    /// The LINKTYPE_ number.
    pub fn number(self) -> u32 {
        match self {
            LinkType::WithFcs => LINKTYPE_IEEE802_15_4_WITHFCS,
            LinkType::NoFcs => LINKTYPE_IEEE802_15_4_NOFCS,
            LinkType::Tap => LINKTYPE_IEEE802_15_4_TAP,
            LinkType::ZepEthernet => LINKTYPE_ETHERNET,
        }
    }
}

/// Radio conditions recorded with a written frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadioMeta {
    /// Channel (page 0).
    pub channel: u8,
    /// Received signal strength in dBm.
    pub rssi_dbm: f32,
    /// Link quality indicator.
    pub lqi: u8,
}

/// The name tcpdump's link-type list gives a number, for error messages.
pub fn link_type_name(lt: u32) -> &'static str {
    match lt {
        0 => "NULL",
        1 => "ETHERNET",
        101 => "RAW",
        105 => "IEEE802_11",
        113 => "LINUX_SLL",
        127 => "IEEE802_11_RADIOTAP",
        147..=162 => "USER",
        195 => "IEEE802_15_4_WITHFCS",
        215 => "IEEE802_15_4_NONASK_PHY",
        230 => "IEEE802_15_4_NOFCS",
        276 => "LINUX_SLL2",
        283 => "IEEE802_15_4_TAP",
        _ => "unknown",
    }
}

/// Reject a link type han cannot read, naming the ones it can.
pub(crate) fn check_link_type(lt: u32, offset: u64) -> Result<(), CaptureError> {
    if SUPPORTED.contains(&lt) {
        Ok(())
    } else {
        Err(CaptureError::at(
            offset,
            format!(
                "unsupported link type {lt} ({}); han reads 195, 230, 283, 1, 101",
                link_type_name(lt)
            ),
        ))
    }
}

pub(crate) use crate::mac::fcs as fcs16;

/// Split a frame ending in a 16-bit FCS into MPDU and checked FCS.
pub(crate) fn split_fcs(frame: &[u8]) -> Option<(&[u8], FcsInfo)> {
    let at = frame.len().checked_sub(2)?;
    let (mpdu, tail) = frame.split_at(at);
    let value = u16::from_le_bytes([tail[0], tail[1]]);
    Some((
        mpdu,
        FcsInfo::Present {
            value,
            ok: fcs16(mpdu) == value,
        },
    ))
}

/// A record located in a file, before its link layer is decoded.
pub(crate) struct Record {
    number: usize,
    time: f64,
    offset: u64,
    link_type: u32,
}

/// Decode one record's link layer into a frame.
pub(crate) fn decode_record(rec: &Record, data: &[u8]) -> CaptureFrame {
    let frame = CaptureFrame::new(rec);
    match rec.link_type {
        LINKTYPE_IEEE802_15_4_WITHFCS => match split_fcs(data) {
            Some((mpdu, fcs)) => CaptureFrame {
                mpdu: mpdu.to_vec(),
                fcs,
                ..frame
            },
            None => frame.with_problem(format!(
                "record of {} byte(s) is too short to hold a 2-byte FCS",
                data.len()
            )),
        },
        LINKTYPE_IEEE802_15_4_NOFCS => CaptureFrame {
            mpdu: data.to_vec(),
            ..frame
        },
        LINKTYPE_IEEE802_15_4_TAP => tap::decode(frame, data),
        LINKTYPE_ETHERNET | LINKTYPE_RAW => match encap::zep_payload(rec.link_type, data) {
            Ok(payload) => from_zep(frame, payload),
            Err(why) => frame.with_problem(why),
        },
        other => frame.with_problem(format!("link type {other} is not decoded")),
    }
}

/// Fill a frame from a ZEP UDP payload.
fn from_zep(frame: CaptureFrame, payload: &[u8]) -> CaptureFrame {
    let mut r = crate::wire::Reader::new(payload);
    let packet = match <ZepPacket as crate::wire::Wire>::parse(&mut r) {
        Ok(p) => p,
        Err(e) => return frame.with_problem(format!("UDP port 17754 payload is not ZEP: {e}")),
    };
    let (channel, lqi, meta, data) = match &packet {
        ZepPacket::V1 {
            channel,
            device_id,
            crc_mode,
            lqi,
            frame,
            ..
        } => (
            *channel,
            *lqi,
            ZepMeta {
                version: 1,
                device_id: *device_id,
                crc_mode: *crc_mode,
                seq: None,
                timestamp: None,
            },
            frame,
        ),
        ZepPacket::V2Data {
            channel,
            device_id,
            crc_mode,
            lqi,
            timestamp,
            seq,
            frame,
            ..
        } => (
            *channel,
            *lqi,
            ZepMeta {
                version: 2,
                device_id: *device_id,
                crc_mode: *crc_mode,
                seq: Some(*seq),
                timestamp: Some(*timestamp),
            },
            frame,
        ),
        other => return frame.with_problem(format!("{} carries no 802.15.4 frame", other.name())),
    };
    let frame = CaptureFrame {
        channel: Some(channel),
        lqi: Some(lqi),
        zep: Some(meta),
        ..frame
    };
    let Some(at) = data.len().checked_sub(2) else {
        return frame.with_problem(format!(
            "ZEP frame of {} byte(s) lacks its 2 trailing FCS/metadata bytes",
            data.len()
        ));
    };
    let (mpdu, tail) = data.split_at(at);
    if meta.crc_mode {
        let value = u16::from_le_bytes([tail[0], tail[1]]);
        CaptureFrame {
            mpdu: mpdu.to_vec(),
            fcs: FcsInfo::Present {
                value,
                ok: fcs16(mpdu) == value,
            },
            ..frame
        }
    } else {
        // TI CC24xx trailer: RSSI byte, then CRC-OK bit 7 and correlation bits 0-6.
        let rssi = tail[0] as i8;
        CaptureFrame {
            mpdu: mpdu.to_vec(),
            fcs: FcsInfo::Cc24xx {
                rssi,
                crc_ok: tail[1] & 0x80 != 0,
                correlation: tail[1] & 0x7f,
            },
            rssi_dbm: Some(rssi as f32),
            ..frame
        }
    }
}

/// Where the frames of an open capture come from.
enum Source<'a> {
    Pcap(pcap::Records<'a>),
    PcapNg(pcapng::Records<'a>),
    Dcf(dcf::Records<'a>),
}

/// An iterator over the frames of a capture, decoding one at a time; it ends after the first error.
pub struct CaptureReader<'a> {
    source: Source<'a>,
    done: bool,
}

impl CaptureReader<'_> {
    /// The file format's name ("pcap", "pcapng" or "Daintree SNA").
    pub fn format(&self) -> &'static str {
        match self.source {
            Source::Pcap(_) => "pcap",
            Source::PcapNg(_) => "pcapng",
            Source::Dcf(_) => "Daintree SNA",
        }
    }
}

impl Iterator for CaptureReader<'_> {
    type Item = Result<CaptureFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match &mut self.source {
            Source::Pcap(r) => r.next(),
            Source::PcapNg(r) => r.next(),
            Source::Dcf(r) => r.next(),
        };
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

/// Open a capture held in memory, detecting pcap, pcapng or Daintree SNA.
pub fn open(bytes: &[u8]) -> Result<CaptureReader<'_>, CaptureError> {
    let source = if bytes.is_empty() {
        return Err(CaptureError::at(0, "empty file: not a capture"));
    } else if let Some(r) = pcap::Records::open(bytes)? {
        Source::Pcap(r)
    } else if let Some(r) = pcapng::Records::open(bytes)? {
        Source::PcapNg(r)
    } else if let Some(r) = dcf::Records::open(bytes)? {
        Source::Dcf(r)
    } else {
        let head = bytes.get(..4).unwrap_or(bytes);
        return Err(CaptureError::at(
            0,
            format!(
                "unknown file format (first bytes {head:02x?}); han reads pcap, pcapng and Daintree SNA (.dcf)"
            ),
        ));
    };
    Ok(CaptureReader {
        source,
        done: false,
    })
}

#[cfg(test)]
mod tests;
