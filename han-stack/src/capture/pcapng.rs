//! The pcapng format, read block by block with the `pcap-file` parser.

use super::{CaptureError, CaptureFrame, Record, check_link_type, decode_record};
use pcap_file::PcapError;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::{Block, PcapNgParser};

/// The first four bytes of a pcapng file (Section Header Block type).
const SHB_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// The packet records of a pcapng file.
pub struct Records<'a> {
    parser: PcapNgParser,
    rest: &'a [u8],
    total: usize,
    number: usize,
}

fn describe(e: PcapError) -> String {
    match e {
        PcapError::IncompleteBuffer => "truncated block".into(),
        other => other.to_string(),
    }
}

/// Seconds per timestamp unit and the offset in seconds, from the interface options.
fn time_base(idb: &InterfaceDescriptionBlock) -> (f64, f64) {
    let mut unit = 1e-6;
    let mut offset = 0.0;
    for o in &idb.options {
        match o {
            // pcapng 4.2 if_tsresol: bit 7 clear = 10^-n, set = 2^-n.
            InterfaceDescriptionOption::IfTsResol(r) => {
                let n = (r & 0x7f) as i32;
                unit = if r & 0x80 == 0 {
                    10f64.powi(-n)
                } else {
                    2f64.powi(-n)
                };
            }
            InterfaceDescriptionOption::IfTsOffset(s) => offset = *s as f64,
            _ => {}
        }
    }
    (unit, offset)
}

impl<'a> Records<'a> {
    /// Read the section header; `Ok(None)` when the magic is not pcapng's.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Option<Self>, CaptureError> {
        if bytes.get(..4) != Some(&SHB_MAGIC[..]) {
            return Ok(None);
        }
        let (rest, parser) = PcapNgParser::new(bytes)
            .map_err(|e| CaptureError::at(0, format!("pcapng section header: {}", describe(e))))?;
        Ok(Some(Records {
            parser,
            rest,
            total: bytes.len(),
            number: 0,
        }))
    }

    fn read(&mut self) -> Result<Option<CaptureFrame>, CaptureError> {
        loop {
            if self.rest.is_empty() {
                return Ok(None);
            }
            let offset = (self.total - self.rest.len()) as u64;
            let (rest, block) = self
                .parser
                .next_block(self.rest)
                .map_err(|e| CaptureError::at(offset, format!("pcapng block: {}", describe(e))))?;
            self.rest = rest;
            let (interface, raw_time, data) = match block {
                Block::InterfaceDescription(idb) => {
                    check_link_type(u32::from(idb.linktype), offset)?;
                    continue;
                }
                Block::EnhancedPacket(p) => {
                    // pcap-file hands the raw 64-bit count over as nanoseconds; the unit is the interface's.
                    (p.interface_id, p.timestamp.as_nanos() as u64, p.data)
                }
                Block::Packet(p) => (p.interface_id as u32, p.timestamp, p.data),
                Block::SimplePacket(p) => (0, 0, p.data),
                _ => continue,
            };
            self.number += 1;
            let Some(idb) = self.parser.interfaces().get(interface as usize) else {
                return Err(CaptureError::in_record(
                    offset,
                    self.number,
                    format!("packet names interface {interface}, which was not described"),
                ));
            };
            let (unit, base) = time_base(idb);
            let rec = Record {
                number: self.number,
                time: base + raw_time as f64 * unit,
                offset,
                link_type: u32::from(idb.linktype),
            };
            return Ok(Some(decode_record(&rec, &data)));
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<CaptureFrame, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read().transpose()
    }
}
