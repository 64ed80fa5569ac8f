//! Daintree SNA text captures (.dcf) as KillerBee writes them: `#` header
//! lines (`#Format=4`), then one line per frame:
//!
//! `index seconds.fraction length hex-bytes LQI x RSSI channel ...`
//!
//! The length counts the hex bytes, which end in the 2-byte FCS; KillerBee
//! writes `ffff` there when it has none (Wireshark reads the frames as
//! 802.15.4 without FCS).

use super::{
    CaptureError, CaptureFrame, FcsInfo, LINKTYPE_IEEE802_15_4_NOFCS, Record, decode_record,
    split_fcs,
};

/// The lines of a Daintree SNA file.
pub struct Records<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    number: usize,
}

impl<'a> Records<'a> {
    /// `Ok(None)` unless the file starts with `#Format=`.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Option<Self>, CaptureError> {
        if !bytes.starts_with(b"#Format=") {
            return Ok(None);
        }
        Ok(Some(Records {
            bytes,
            pos: 0,
            line: 0,
            number: 0,
        }))
    }

    fn error(&self, offset: usize, message: String) -> CaptureError {
        CaptureError {
            offset: offset as u64,
            frame: Some(self.number),
            line: Some(self.line),
            message,
        }
    }

    fn read(&mut self) -> Result<Option<CaptureFrame>, CaptureError> {
        loop {
            let start = self.pos;
            let Some(rest) = self.bytes.get(start..).filter(|r| !r.is_empty()) else {
                return Ok(None);
            };
            let len = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            self.pos = start + len;
            self.line += 1;
            let raw = rest.get(..len).unwrap_or_default();
            let Ok(text) = std::str::from_utf8(raw) else {
                self.number += 1;
                return Err(self.error(start, "line is not text (invalid UTF-8)".into()));
            };
            let text = text.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            self.number += 1;
            return self.parse_line(start, text).map(Some);
        }
    }

    fn parse_line(&self, start: usize, text: &str) -> Result<CaptureFrame, CaptureError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [_, time, length, hex, extra @ ..] = fields.as_slice() else {
            return Err(self.error(
                start,
                format!(
                    "{} field(s); a frame line needs index, time, length and hex bytes",
                    fields.len()
                ),
            ));
        };
        let time: f64 = time
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite())
            .ok_or_else(|| self.error(start, format!("time {time:?} is not a number")))?;
        let length: usize = length
            .parse()
            .map_err(|_| self.error(start, format!("length {length:?} is not a number")))?;
        let bytes =
            decode_hex(hex).ok_or_else(|| self.error(start, "frame bytes are not hex".into()))?;
        if bytes.len() != length {
            return Err(self.error(
                start,
                format!(
                    "length field says {length} but the line has {} bytes",
                    bytes.len()
                ),
            ));
        }
        let rec = Record {
            number: self.number,
            time,
            offset: start as u64,
            link_type: LINKTYPE_IEEE802_15_4_NOFCS,
        };
        let mut frame = match split_fcs(&bytes) {
            // ffff that does not check is KillerBee's placeholder for "no FCS".
            Some((
                mpdu,
                FcsInfo::Present {
                    value: 0xffff,
                    ok: false,
                },
            )) => decode_record(&rec, mpdu),
            Some((mpdu, fcs)) => CaptureFrame {
                fcs,
                ..decode_record(&rec, mpdu)
            },
            None => decode_record(&rec, &[]).with_problem(format!(
                "frame of {length} byte(s) is shorter than its 2-byte FCS"
            )),
        };
        frame.lqi = extra.first().and_then(|s| s.parse().ok());
        frame.rssi_dbm = extra
            .get(2)
            .and_then(|s| s.parse::<i16>().ok())
            .map(f32::from);
        frame.channel = extra.get(3).and_then(|s| s.parse().ok());
        Ok(frame)
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| {
            let hi = (p[0] as char).to_digit(16)?;
            let lo = (p[1] as char).to_digit(16)?;
            Some((hi << 4 | lo) as u8)
        })
        .collect()
}

impl Iterator for Records<'_> {
    type Item = Result<CaptureFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read().transpose()
    }
}
