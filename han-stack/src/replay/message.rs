//! One captured frame as replay sees it: who sent it to whom, what it is at
//! every layer, and the fields the rules look at (counters, ZCL values, status).

use crate::aps::FrameType as ApsFrameType;
use crate::capture::CaptureFrame;
use crate::dissect::{Dissection, Dissector};
use crate::mac::{Address, MacPayload};
use crate::wire::ExtAddr;
use crate::zcl::ZclSummary;
use crate::zcl::general::GeneralCommand;
use crate::zcl::summary::Fields;

/// A frame's record for replay, built from its dissection.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// 1-based frame number in the capture.
    pub frame: usize,
    /// Capture time, seconds since the Unix epoch.
    pub time: f64,
    /// Sender: the NWK source when the frame has a NWK layer, else the MAC source.
    pub src: Address,
    /// Receiver: the NWK destination when the frame has a NWK layer, else the MAC destination.
    pub dst: Address,
    /// MAC source (the hop).
    pub mac_src: Address,
    /// MAC sequence number.
    pub mac_seq: Option<u8>,
    /// MAC frame type name ("Data", "Ack", "Beacon", "Command").
    pub mac_type: &'static str,
    /// MAC command name.
    pub mac_command: Option<&'static str>,
    /// NWK command name.
    pub nwk_command: Option<&'static str>,
    /// APS frame type name, for frames with an APS layer ("APS Data", "APS Ack", "APS Command").
    pub aps_type: Option<&'static str>,
    /// APS command name.
    pub aps_command: Option<&'static str>,
    /// ZDP message name.
    pub zdp: Option<&'static str>,
    /// ZDP transaction sequence number.
    pub zdp_seq: Option<u8>,
    /// APS cluster.
    pub cluster: Option<u16>,
    /// APS profile.
    pub profile: Option<u16>,
    /// The ZCL layer.
    pub zcl: Option<ZclMessage>,
    /// Whether the frame carried a Zigbee NWK layer.
    pub nwk: bool,
    /// NWK security: the securing device, key sequence and frame counter.
    pub nwk_security: Option<NwkSecurity>,
    /// A secured layer (NWK or APS) that no key opened while keys were known.
    pub mic_failed: bool,
    /// Whether the APS layer was secured (a link key protects it even without NWK security).
    pub aps_secured: bool,
    /// FCS verdict, when the capture carried one.
    pub fcs_ok: Option<bool>,
    /// What failed to decode, with its byte offset.
    pub error: Option<String>,
    /// A MAC retransmission of the previous frame from the same MAC source
    /// (same sequence number, type and length), or a relayed copy of a NWK frame
    /// heard from another hop (same NWK source, destination and sequence number
    /// within [`RELAY_WINDOW`] s); set by the trace builder.
    pub retry: bool,
    /// NWK sequence number.
    pub nwk_seq: Option<u8>,
    /// MPDU length, for telling retransmissions apart.
    pub length: usize,
}

/// How close in time two frames with the same NWK source, destination and sequence
/// number must be for the later to count as a relayed copy, seconds (the NWK
/// sequence number wraps after 256 frames).
pub const RELAY_WINDOW: f64 = 1.0;

/// The NWK auxiliary header fields the counter rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NwkSecurity {
    /// Who secured the frame: the auxiliary header's source, else the NWK source.
    pub source: Address,
    /// Network key sequence number.
    pub key_seq: Option<u8>,
    /// Outgoing frame counter.
    pub counter: u32,
}

/// The ZCL fields of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct ZclMessage {
    /// Command name as tshark prints it.
    pub command: &'static str,
    /// Transaction sequence number.
    pub seq: u8,
    /// True for server-to-client.
    pub server_to_client: bool,
    /// The status of a Default Response.
    pub default_status: Option<u8>,
    /// Numeric attribute values: (attribute id, value).
    pub attributes: Vec<(u16, f64)>,
}

impl Message {
    /// Build the record of one dissected frame; `dissector` is the state the frame was dissected in.
    pub fn new(dissector: &Dissector, frame: &CaptureFrame, d: &Dissection) -> Message {
        let mac = d.mac.as_ref();
        let mut m = Message {
            frame: frame.number,
            time: frame.time,
            src: mac.map(|m| m.src).unwrap_or_default(),
            dst: mac.map(|m| m.dst).unwrap_or_default(),
            mac_src: mac.map(|m| m.src).unwrap_or_default(),
            mac_seq: mac.and_then(|m| m.seq),
            nwk_seq: None,
            mac_type: mac.map(|m| m.frame_type.name()).unwrap_or("Unknown"),
            mac_command: mac.and_then(|m| match &m.payload {
                MacPayload::Command(c) => Some(c.name()),
                _ => None,
            }),
            nwk_command: None,
            aps_type: None,
            aps_command: None,
            zdp: d.zdp.as_ref().map(|z| z.body.name()),
            zdp_seq: d.zdp.as_ref().map(|z| z.seq),
            cluster: None,
            profile: None,
            zcl: d.zcl.as_ref().map(zcl_message),
            nwk: false,
            nwk_security: None,
            mic_failed: false,
            aps_secured: false,
            fcs_ok: d.fcs_ok,
            error: d.error.as_ref().map(|e| e.to_string()),
            retry: false,
            length: frame.mpdu.len(),
        };
        let have_keys = dissector.keys.network_keys().next().is_some();
        if let Some(n) = &d.nwk {
            m.nwk = true;
            m.nwk_seq = Some(n.header.seq);
            m.src = Address::Short(n.header.src);
            m.dst = Address::Short(n.header.dst);
            m.nwk_command = n.command.as_ref().map(|c| c.name());
            m.nwk_security = n.aux.as_ref().map(|a| NwkSecurity {
                source: a
                    .source
                    .or(n.header.src64)
                    .map_or(Address::Short(n.header.src), Address::Extended),
                key_seq: a.key_seq,
                counter: a.frame_counter,
            });
            m.mic_failed |= have_keys && n.decrypted == Some(false);
        }
        if let Some(a) = &d.aps {
            m.aps_type = Some(match a.header.frame_type {
                ApsFrameType::Data => "APS Data",
                ApsFrameType::Ack => "APS Ack",
                ApsFrameType::Command => "APS Command",
                ApsFrameType::InterPan => "APS Interpan",
            });
            m.aps_command = a.command.as_ref().map(|c| c.name());
            m.cluster = a.header.cluster;
            m.profile = a.header.profile;
            let have_link = dissector.keys.link_keys().next().is_some();
            m.mic_failed |= have_link && a.decrypted == Some(false);
            m.aps_secured = a.aux.is_some();
        }
        m
    }

    /// Whether `name` is this message's name at any layer (MAC type or
    /// command, NWK command, APS type or command, ZDP or ZCL command),
    /// compared without regard to ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.names().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Every name the message answers to, lowest layer first.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            Some(self.mac_type),
            self.mac_command,
            self.nwk_command,
            self.aps_type,
            self.aps_command,
            self.zdp,
            self.zcl.as_ref().map(|z| z.command),
        ]
        .into_iter()
        .flatten()
    }

    /// The most specific name: what a person would call this message.
    pub fn name(&self) -> &'static str {
        self.zcl
            .as_ref()
            .map(|z| z.command)
            .or(self.zdp)
            .or(self.aps_command)
            .or(self.nwk_command)
            .or(self.mac_command)
            .or(self.aps_type)
            .unwrap_or(match (&self.nwk_security, self.nwk) {
                (Some(_), _) => "NWK encrypted",
                (None, true) => "NWK Data",
                (None, false) => self.mac_type,
            })
    }

    /// The value of attribute `id`, when the message reports or returns it.
    pub fn attribute(&self, id: u16) -> Option<f64> {
        self.zcl
            .as_ref()?
            .attributes
            .iter()
            .find(|(a, _)| *a == id)
            .map(|(_, v)| *v)
    }
}

fn zcl_message(z: &ZclSummary) -> ZclMessage {
    let default_status = match &z.fields {
        Some(Fields::General(GeneralCommand::DefaultResponse(r))) => Some(r.status.0),
        _ => None,
    };
    let attributes = z
        .attributes
        .iter()
        .flatten()
        .filter_map(|a| {
            let id = u16::from_str_radix(a.id.trim_start_matches("0x"), 16).ok()?;
            let v = a.value.as_ref()?;
            let number = v.as_i128().map(|i| i as f64).or_else(|| v.as_f64())?;
            Some((id, number))
        })
        .collect();
    ZclMessage {
        command: z.command_name,
        seq: z.seq,
        server_to_client: z.direction == "server-to-client",
        default_status,
        attributes,
    }
}

/// Format an address as tshark does, or `-` when absent.
pub fn address_text(a: &Address) -> String {
    match a {
        Address::None => "-".into(),
        other => other.to_string(),
    }
}

/// Parse `0x1234` (short) or `00:11:22:33:44:55:66:77` (EUI-64, also without colons).
pub fn parse_address(text: &str) -> Option<Address> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))
        && hex.len() <= 4
    {
        return u16::from_str_radix(hex, 16).ok().map(Address::Short);
    }
    let digits: String = t.chars().filter(|c| !matches!(c, ':' | '-')).collect();
    if digits.len() == 16 && digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return u64::from_str_radix(&digits, 16)
            .ok()
            .map(|v| Address::Extended(ExtAddr(v)));
    }
    None
}

#[cfg(test)]
impl Message {
    /// A NWK message `name` (as its NWK command) from `src` to `dst`, for tests.
    pub(crate) fn sample(
        frame: usize,
        time: f64,
        src: u16,
        dst: u16,
        name: &'static str,
    ) -> Message {
        Message {
            frame,
            time,
            src: Address::Short(src),
            dst: Address::Short(dst),
            mac_src: Address::Short(src),
            mac_seq: Some(frame as u8),
            nwk_seq: None,
            mac_type: "Data",
            mac_command: None,
            nwk_command: Some(name),
            aps_type: None,
            aps_command: None,
            zdp: None,
            zdp_seq: None,
            cluster: None,
            profile: None,
            zcl: None,
            nwk: true,
            nwk_security: None,
            mic_failed: false,
            aps_secured: false,
            fcs_ok: None,
            error: None,
            retry: false,
            length: 10,
        }
    }

    /// The same message as a ZCL command with transaction `seq`, for tests.
    pub(crate) fn with_zcl(mut self, command: &'static str, seq: u8) -> Message {
        self.nwk_command = None;
        self.aps_type = Some("APS Data");
        self.cluster = Some(0x0702);
        self.zcl = Some(ZclMessage {
            command,
            seq,
            server_to_client: false,
            default_status: None,
            attributes: vec![],
        });
        self
    }
}
