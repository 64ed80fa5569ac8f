//! The IEEE 802.15.4 TAP pseudo-header (LINKTYPE 283): version u8, reserved
//! u8, header length u16 LE, then TLVs (type u16 LE, length u16 LE, value
//! padded to 4 bytes), then the MPDU (Wireshark packet-ieee802154.c).

use super::{CaptureFrame, FcsInfo, RadioMeta, split_fcs};
use crate::wire::Reader;

/// TLV: FCS type (0 none, 1 16-bit, 2 32-bit).
pub const TLV_FCS_TYPE: u16 = 0;
/// TLV: received signal strength, float32 dBm.
pub const TLV_RSS: u16 = 1;
/// TLV: channel assignment, u16 channel and u8 page.
pub const TLV_CHANNEL: u16 = 3;
/// TLV: link quality indicator, u8.
pub const TLV_LQI: u16 = 10;

/// Append a TLV with its value padded to 4 bytes.
fn put_tlv(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (4 - value.len() % 4) % 4, 0);
}

/// Append a TAP header announcing a 16-bit FCS, with RSS, channel on `page` and LQI.
pub(crate) fn emit_header(out: &mut Vec<u8>, meta: &RadioMeta, page: u8) {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    put_tlv(out, TLV_FCS_TYPE, &[1]);
    put_tlv(out, TLV_RSS, &meta.rssi_dbm.to_le_bytes());
    put_tlv(out, TLV_CHANNEL, &[meta.channel, 0, page]);
    put_tlv(out, TLV_LQI, &[meta.lqi]);
    let len = (out.len() - start) as u16;
    out[start + 2..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Decode a TAP record into `frame`; faults become the frame's problem.
pub(crate) fn decode(frame: CaptureFrame, data: &[u8]) -> CaptureFrame {
    match parse(frame.clone(), data) {
        Ok(f) => f,
        Err(why) => frame.with_problem(why),
    }
}

fn parse(mut frame: CaptureFrame, data: &[u8]) -> Result<CaptureFrame, String> {
    let mut r = Reader::new(data);
    let err = |e: crate::Error| format!("TAP header: {e}");
    let version = r.u8("TAP version").map_err(err)?;
    if version != 0 {
        return Err(format!(
            "TAP header version {version}; only version 0 is defined"
        ));
    }
    r.u8("TAP reserved").map_err(err)?;
    let header_len = r.u16("TAP header length").map_err(err)? as usize;
    let Some(tlv_len) = header_len.checked_sub(4) else {
        return Err(format!("TAP header length {header_len} is less than 4"));
    };
    let mut tlvs = r.sub(tlv_len, "TAP TLVs").map_err(err)?;
    let mut fcs_type = 0u8;
    while !tlvs.is_empty() {
        let kind = tlvs.u16("TAP TLV type").map_err(err)?;
        let len = tlvs.u16("TAP TLV length").map_err(err)? as usize;
        let value = tlvs.bytes(len, "TAP TLV value").map_err(err)?;
        tlvs.bytes((4 - len % 4) % 4, "TAP TLV padding")
            .map_err(err)?;
        match (kind, value) {
            (TLV_FCS_TYPE, [t, ..]) => fcs_type = *t,
            (TLV_RSS, [a, b, c, d, ..]) => {
                frame.rssi_dbm = Some(f32::from_le_bytes([*a, *b, *c, *d]))
            }
            (TLV_CHANNEL, [lo, hi, ..]) => {
                frame.channel = u8::try_from(u16::from_le_bytes([*lo, *hi])).ok()
            }
            (TLV_LQI, [q, ..]) => frame.lqi = Some(*q),
            _ => {}
        }
    }
    let rest = r.rest();
    match fcs_type {
        0 => {
            frame.mpdu = rest.to_vec();
            frame.fcs = FcsInfo::Absent;
        }
        1 => {
            let (mpdu, fcs) = split_fcs(rest).ok_or("TAP frame too short for its 16-bit FCS")?;
            frame.mpdu = mpdu.to_vec();
            frame.fcs = fcs;
        }
        2 => {
            // A 32-bit FCS is stripped but not checked.
            let at = rest
                .len()
                .checked_sub(4)
                .ok_or("TAP frame too short for its 32-bit FCS")?;
            frame.mpdu = rest.get(..at).unwrap_or_default().to_vec();
            frame.fcs = FcsInfo::Absent;
        }
        t => return Err(format!("TAP FCS type {t} is not 0, 1 or 2")),
    }
    Ok(frame)
}
