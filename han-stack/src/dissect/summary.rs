//! A flat, serialisable summary of a dissected frame: the fields `han decode`
//! prints, named and formatted as a person reading tshark output expects
//! (short addresses `0x796f`, extended `00:0d:6f:00:0a:90:1b:42`, ids `0x0702`).

use serde::Serialize;

use super::Dissection;
use crate::mac::{Address, MacPayload};
use crate::zcl::{self, ZclSummary};

/// One frame's summary, as `han decode --format jsonl` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct FrameSummary {
    /// 1-based frame number in the capture.
    pub frame: usize,
    /// Capture time in seconds.
    pub time: f64,
    /// Channel, when the capture recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<u8>,
    /// Received signal strength, when the capture recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rssi_dbm: Option<f32>,
    /// Link quality, when the capture recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lqi: Option<u8>,
    /// MPDU length in bytes (without FCS).
    pub length: usize,
    /// MAC fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacSummary>,
    /// NWK fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nwk: Option<NwkSummary>,
    /// APS fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aps: Option<ApsSummary>,
    /// ZDP fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zdo: Option<ZdoSummary>,
    /// ZCL fields: cluster, command, direction, attributes with units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zcl: Option<ZclSummary>,
    /// What failed and at which byte offset, or null.
    pub error: Option<String>,
}

/// MAC fields of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct MacSummary {
    /// Frame type name ("Data", "Beacon", "Ack", "Command", ...).
    #[serde(rename = "type")]
    pub frame_type: &'static str,
    /// Sequence number (absent when suppressed).
    pub seq: Option<u8>,
    /// Destination PAN ID.
    pub dst_pan: Option<String>,
    /// Destination address.
    pub dst: Option<String>,
    /// Source PAN ID.
    pub src_pan: Option<String>,
    /// Source address.
    pub src: Option<String>,
    /// FCS check, when the capture carried an FCS.
    pub fcs_ok: Option<bool>,
    /// MAC command name, for command frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'static str>,
}

/// NWK fields of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct NwkSummary {
    /// Frame type name ("Data", "Command").
    #[serde(rename = "type")]
    pub frame_type: &'static str,
    /// Source short address.
    pub src: String,
    /// Destination short address.
    pub dst: String,
    /// Sequence number.
    pub seq: u8,
    /// Radius.
    pub radius: u8,
    /// Security bit.
    pub security: bool,
    /// Decryption result for secured frames.
    pub decrypted: Option<bool>,
    /// NWK command id, for command frames (`0x08`).
    pub command: Option<String>,
    /// NWK command name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_name: Option<&'static str>,
}

/// APS fields of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ApsSummary {
    /// Frame type name ("Data", "Command", "Ack").
    #[serde(rename = "type")]
    pub frame_type: &'static str,
    /// Destination endpoint.
    pub dst_ep: Option<u8>,
    /// Source endpoint.
    pub src_ep: Option<u8>,
    /// Cluster id (`0x0702`).
    pub cluster: Option<String>,
    /// Profile id (`0x0109`).
    pub profile: Option<String>,
    /// APS counter (absent in inter-PAN frames).
    pub counter: Option<u8>,
    /// APS security bit.
    pub security: bool,
    /// Decryption result for APS-secured frames.
    pub decrypted: Option<bool>,
    /// APS command id (`0x05`), for command frames.
    pub command: Option<String>,
    /// APS command name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_name: Option<&'static str>,
}

/// ZDP fields of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ZdoSummary {
    /// ZDP cluster (`0x8031`).
    pub cluster: String,
    /// Its name.
    pub name: &'static str,
    /// ZDP transaction sequence number.
    pub seq: u8,
}

fn short(v: u16) -> String {
    format!("0x{v:04x}")
}

fn address(a: &Address) -> Option<String> {
    match a {
        Address::None => None,
        other => Some(other.to_string()),
    }
}

impl FrameSummary {
    /// Summarise a dissection of frame `frame` captured at `time` seconds.
    pub fn new(frame: usize, time: f64, mpdu_len: usize, d: &Dissection) -> Self {
        let mac = d.mac.as_ref().map(|m| MacSummary {
            frame_type: m.frame_type.name(),
            seq: m.seq,
            dst_pan: m.dst_pan.map(short),
            dst: address(&m.dst),
            src_pan: m.src_pan.map(short),
            src: address(&m.src),
            fcs_ok: d.fcs_ok,
            command: match &m.payload {
                MacPayload::Command(c) => Some(c.name()),
                _ => None,
            },
        });
        let nwk = d.nwk.as_ref().map(|n| NwkSummary {
            frame_type: n.header.control.frame_type.name(),
            src: short(n.header.src),
            dst: short(n.header.dst),
            seq: n.header.seq,
            radius: n.header.radius,
            security: n.header.is_secured(),
            decrypted: n.decrypted,
            command: n.command.as_ref().map(|c| format!("0x{:02x}", c.id())),
            command_name: n.command.as_ref().map(|c| c.name()),
        });
        let aps = d.aps.as_ref().map(|a| ApsSummary {
            frame_type: a.header.frame_type.name(),
            dst_ep: a.header.dst_endpoint,
            src_ep: a.header.src_endpoint,
            cluster: a.header.cluster.map(short),
            profile: a.header.profile.map(short),
            counter: a.header.has_counter().then_some(a.header.counter),
            security: a.header.is_secured(),
            decrypted: a.decrypted,
            command: a.command.as_ref().map(|c| format!("0x{:02x}", c.id())),
            command_name: a.command.as_ref().map(|c| c.name()),
        });
        let zdo = d.zdp.as_ref().map(|z| ZdoSummary {
            cluster: short(z.body.cluster()),
            name: z.body.name(),
            seq: z.seq,
        });
        FrameSummary {
            frame,
            time,
            channel: None,
            rssi_dbm: None,
            lqi: None,
            length: mpdu_len,
            mac,
            nwk,
            aps,
            zdo,
            zcl: d.zcl.clone(),
            error: d.error.as_ref().map(|e| e.to_string()),
        }
    }
}

/// A one-line summary in the spirit of tshark without `-V`:
/// number, time, source → destination, protocol, length, info.
pub fn text_line(s: &FrameSummary) -> String {
    let (src, dst) = match (&s.nwk, &s.mac) {
        (Some(n), _) => (n.src.clone(), n.dst.clone()),
        // No address (an ACK): blank, as tshark leaves its columns.
        (None, Some(m)) => (
            m.src.clone().unwrap_or_default(),
            m.dst.clone().unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    };
    let (proto, info) = info(s);
    let mut line = format!(
        "{:>6} {:>12.6} {:>23} → {:<23} {:<8} {:>4} {}",
        s.frame, s.time, src, dst, proto, s.length, info
    );
    if let Some(e) = &s.error {
        line.push_str(&format!(" [error: {e}]"));
    }
    line
}

fn info(s: &FrameSummary) -> (&'static str, String) {
    if let Some(z) = &s.zcl {
        return ("ZCL", format!("ZCL: {}, Seq {}", zcl::text(z), z.seq));
    }
    if let Some(z) = &s.zdo {
        return ("ZDP", format!("{}, Seq {}", z.name, z.seq));
    }
    if let Some(a) = &s.aps {
        if let Some(name) = a.command_name {
            return ("ZigBee", format!("APS: {name}"));
        }
        if a.decrypted == Some(false) {
            return ("ZigBee", "APS: encrypted".into());
        }
        return (
            "ZigBee",
            format!(
                "APS: {} cluster {} profile {} ep {}→{}",
                a.frame_type,
                a.cluster.as_deref().unwrap_or("-"),
                a.profile.as_deref().unwrap_or("-"),
                a.src_ep.map(|e| e.to_string()).unwrap_or_default(),
                a.dst_ep.map(|e| e.to_string()).unwrap_or_default()
            ),
        );
    }
    if let Some(n) = &s.nwk {
        if let Some(name) = n.command_name {
            return ("ZigBee", name.to_string());
        }
        if n.decrypted == Some(false) {
            return ("ZigBee", "NWK: encrypted (no key)".into());
        }
        return ("ZigBee", format!("NWK: {}", n.frame_type));
    }
    if let Some(m) = &s.mac {
        if let Some(c) = m.command {
            return ("802.15.4", c.to_string());
        }
        let fcs = if m.fcs_ok == Some(false) {
            ", Bad FCS"
        } else {
            ""
        };
        return (
            "802.15.4",
            format!(
                "{}, Seq {}{fcs}",
                m.frame_type,
                m.seq.map(|v| v.to_string()).unwrap_or_default()
            ),
        );
    }
    ("802.15.4", String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::{Dissector, Keyring};

    fn line_of(mpdu: &[u8]) -> String {
        let d = Dissector::new(Keyring::default()).dissect(mpdu, Some(true));
        text_line(&FrameSummary::new(1, 0.0, mpdu.len(), &d))
    }

    #[test]
    fn an_ack_has_no_destination_column() {
        // Imm-Ack, sequence 45 (IEEE 802.15.4-2015 7.3.3): no addresses at all.
        let line = line_of(&[0x02, 0x00, 0x2d]);
        assert!(!line.contains("Broadcast"), "{line}");
        assert!(line.contains(" → "), "{line}");
        assert!(line.contains("Ack, Seq 45"), "{line}");
    }

    #[test]
    fn a_beacon_request_keeps_its_destination() {
        // Beacon Request to 0xffff on PAN 0xffff, no source (7.5.8).
        let line = line_of(&[0x03, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07]);
        assert!(line.contains("0xffff"), "{line}");
    }
}
