//! One ZCL frame summarised for `han decode`: names, direction, attributes with units.

use crate::error::{Error, Result};
use crate::wire::{Reader, Wire};
use crate::zcl::clusters::ClusterCommand;
use crate::zcl::command::ZclCommand;
use crate::zcl::display::{MeterFormatting, format_price, metering_quantity, utc_iso8601};
use crate::zcl::field::hex;
use crate::zcl::frame::{Direction, FrameType, ZclFrame};
use crate::zcl::general::{AttributeRef, GeneralCommand};
use crate::zcl::registry;
use crate::zcl::types::{DataType, ZclValue};
use serde::Serialize;

/// The Metering cluster id.
const METERING: u16 = 0x0702;

/// One attribute in a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeSummary {
    /// Attribute id, e.g. "0x0400".
    pub id: String,
    /// Name from the registry, null when unknown.
    pub name: Option<String>,
    /// Type id on air (or from the registry for reads), e.g. "0x2a".
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    /// The value, null when the command carries none.
    pub value: Option<ZclValue>,
    /// The value with units, when units apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// Status name, for records that carry one that is not SUCCESS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
}

/// The typed payload of a non-attribute command.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Fields {
    /// A profile-wide command.
    General(GeneralCommand),
    /// A cluster-specific command.
    Cluster(ClusterCommand),
}

/// A ZCL frame as `han decode` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZclSummary {
    /// Cluster id, e.g. "0x0702".
    pub cluster: String,
    /// Cluster name, e.g. "Metering".
    pub cluster_name: &'static str,
    /// Command id, e.g. "0x0a".
    pub command: String,
    /// Command name as tshark prints it.
    pub command_name: &'static str,
    /// "client-to-server" or "server-to-client".
    pub direction: &'static str,
    /// Transaction sequence number.
    pub seq: u8,
    /// Manufacturer code, null when not manufacturer-specific.
    pub manufacturer: Option<u16>,
    /// Attribute records, for attribute commands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttributeSummary>>,
    /// Typed fields, for other commands with a typed payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Fields>,
    /// Payload hex, for commands kept raw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// A one-line reading of the fields with units (prices, times), when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// True when the attributes named by global command `cmd` sent in `dir` live on the server.
fn server_side(cmd: u8, dir: Direction) -> bool {
    let response = matches!(cmd, 0x01 | 0x04 | 0x07 | 0x09 | 0x0a | 0x0d | 0x16);
    (dir == Direction::ServerToClient) == response
}

/// Summarise the ZCL frame `bytes` of `cluster` under application `profile`.
///
/// `context` supplies the meter's formatting; formatting attributes in the frame itself
/// take precedence. Errors carry the offset within `bytes`.
pub fn summarize(
    cluster: u16,
    profile: u16,
    bytes: &[u8],
    context: &MeterFormatting,
) -> Result<ZclSummary> {
    if profile == 0x0000 {
        return Err(Error::Malformed {
            what: "ZCL frame",
            offset: 0,
            reason: "profile 0x0000 carries ZDO, not ZCL".into(),
        });
    }
    let frame = ZclFrame::parse(&mut Reader::new(bytes))?;
    let dir = frame.control.direction();
    let reg = registry::cluster(cluster);
    let mut s = ZclSummary {
        cluster: format!("0x{cluster:04x}"),
        cluster_name: registry::cluster_name(cluster),
        command: format!("0x{:02x}", frame.command),
        command_name: "Unknown Command",
        direction: dir.name(),
        seq: frame.seq,
        manufacturer: frame.manufacturer,
        attributes: None,
        fields: None,
        payload: None,
        display: None,
    };
    match ZclCommand::decode(cluster, &frame)? {
        ZclCommand::General(cmd) => {
            s.command_name = cmd.name();
            if let Some(refs) = cmd.attributes() {
                let server = server_side(frame.command, dir);
                let reg = reg.filter(|_| frame.manufacturer.is_none());
                s.attributes = Some(attributes(&refs, cluster, reg, server, context));
            }
            match cmd {
                GeneralCommand::Other { payload, .. } => s.payload = Some(hex(&payload)),
                GeneralCommand::ReadAttributes(_)
                | GeneralCommand::ReadAttributesResponse(_)
                | GeneralCommand::WriteAttributes(_)
                | GeneralCommand::WriteAttributesUndivided(_)
                | GeneralCommand::WriteAttributesNoResponse(_)
                | GeneralCommand::ReportAttributes(_) => {}
                other => s.fields = Some(Fields::General(other)),
            }
        }
        ZclCommand::Cluster(c) => {
            s.command_name = c.name();
            s.display = fields_display(&c);
            s.fields = Some(Fields::Cluster(c));
        }
        ZclCommand::Raw { payload, command } => {
            s.command_name = match frame.control.frame_type() {
                FrameType::Reserved(_) => "Reserved Frame Type",
                _ if frame.manufacturer.is_some() => "Manufacturer Specific",
                _ => reg
                    .and_then(|c| c.command_name(command, dir))
                    .unwrap_or("Unknown Command"),
            };
            s.payload = Some(hex(&payload));
        }
    }
    Ok(s)
}

fn attributes(
    refs: &[AttributeRef<'_>],
    cluster: u16,
    reg: Option<&registry::Cluster>,
    server: bool,
    context: &MeterFormatting,
) -> Vec<AttributeSummary> {
    let mut fmt = *context;
    if cluster == METERING && server {
        for a in refs {
            if let Some(ZclValue::Scalar(_, raw)) = a.value {
                fmt.observe(a.id, *raw);
            }
        }
    }
    refs.iter()
        .map(|a| {
            let info = reg.and_then(|c| c.attribute(a.id, server));
            let data_type = a.data_type.or(info.as_ref().map(|i| DataType(i.data_type)));
            AttributeSummary {
                id: format!("0x{:04x}", a.id),
                name: info.as_ref().map(|i| i.name.to_string()),
                data_type: data_type.map(|t| format!("0x{:02x}", t.0)),
                value: a.value.cloned(),
                display: a
                    .value
                    .and_then(|v| value_display(cluster, a.id, server, v, &fmt)),
                status: a.status.filter(|s| !s.is_success()).map(|s| s.name()),
            }
        })
        .collect()
}

/// Units for a value: metered quantities on Metering servers, UTC times anywhere.
fn value_display(
    cluster: u16,
    id: u16,
    server: bool,
    v: &ZclValue,
    fmt: &MeterFormatting,
) -> Option<String> {
    if v.is_invalid() {
        return None;
    }
    if let ZclValue::Scalar(DataType::UTC, t) = v {
        return Some(utc_iso8601(*t as u32));
    }
    if cluster == METERING
        && server
        && let (Some(q), Some(raw)) = (metering_quantity(id), v.as_i128())
    {
        return Some(fmt.format(raw, q));
    }
    None
}

/// A reading of typed fields with units, where one is worth showing.
fn fields_display(c: &ClusterCommand) -> Option<String> {
    match c {
        ClusterCommand::PublishPrice(p) => Some(format!(
            "price {} from {} for {} min",
            format_price(
                p.price,
                p.price_trailing_digit_and_tier >> 4,
                p.currency,
                Some(p.unit_of_measure)
            ),
            utc_iso8601(p.start_time),
            p.duration_in_minutes
        )),
        ClusterCommand::DisplayMessage(m) => Some(format!("message {:?}", m.message.text())),
        _ => None,
    }
}

/// Carry a meter's formatting attributes seen in `s` (a Metering server's report or read
/// response) into `context`, so later frames from that meter show their units.
pub fn learn_formatting(context: &mut MeterFormatting, s: &ZclSummary) {
    if s.cluster != "0x0702" || s.direction != Direction::ServerToClient.name() {
        return;
    }
    for a in s.attributes.iter().flatten() {
        if let (Ok(id), Some(ZclValue::Scalar(_, raw))) = (
            u16::from_str_radix(a.id.trim_start_matches("0x"), 16),
            &a.value,
        ) {
            context.observe(id, *raw);
        }
    }
}

/// One line for the text output, e.g. `Metering Report Attributes InstantaneousDemand=1.234 kW`.
pub fn text(s: &ZclSummary) -> String {
    let mut out = format!("{} {}", s.cluster_name, s.command_name);
    for a in s.attributes.iter().flatten() {
        let name = a.name.clone().unwrap_or_else(|| a.id.clone());
        match (&a.display, &a.value, a.status) {
            (Some(d), _, _) => out.push_str(&format!(" {name}={d}")),
            (None, Some(v), _) => out.push_str(&format!(" {name}={v}")),
            (None, None, Some(st)) => out.push_str(&format!(" {name}:{st}")),
            (None, None, None) => out.push_str(&format!(" {name}")),
        }
    }
    if let Some(d) = &s.display {
        out.push(' ');
        out.push_str(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn demand_context() -> MeterFormatting {
        MeterFormatting {
            divisor: 1000,
            demand_formatting: Some(0xab),
            summation_formatting: Some(0x2b),
            ..Default::default()
        }
    }

    #[test]
    fn report_instantaneous_demand() {
        let b = [0x18, 0x42, 0x0a, 0x00, 0x04, 0x2a, 0xd2, 0x04, 0x00];
        let s = summarize(0x0702, 0x0109, &b, &demand_context()).unwrap();
        assert_eq!(s.cluster, "0x0702");
        assert_eq!(s.command, "0x0a");
        assert_eq!(s.direction, "server-to-client");
        assert_eq!(s.seq, 0x42);
        let a = &s.attributes.as_ref().unwrap()[0];
        assert_eq!(
            (a.id.as_str(), a.data_type.as_deref()),
            ("0x0400", Some("0x2a"))
        );
        assert_eq!(
            text(&s),
            "Metering Report Attributes InstantaneousDemand=1.234 kW"
        );
    }

    #[test]
    fn formatting_in_the_same_frame() {
        // Read Attributes Response: Divisor=1000, SummationFormatting=0x2b, CurrentSummationDelivered.
        let b = [
            0x18, 0x01, 0x01, 0x02, 0x03, 0x00, 0x22, 0xe8, 0x03, 0x00, 0x03, 0x03, 0x00, 0x18,
            0x2b, 0x00, 0x00, 0x00, 0x25, 0x4e, 0x61, 0xbc, 0x00, 0x00, 0x00, 0x00, 0x04, 0x86,
        ];
        let s = summarize(0x0702, 0x0109, &b, &MeterFormatting::default()).unwrap();
        assert_eq!(
            text(&s),
            "Metering Read Attributes Response Divisor=1000 SummationFormatting=0x2b \
             CurrentSummationDelivered=12345.678 kWh InstantaneousDemand:Unsupported Attribute"
        );
    }

    #[test]
    fn cluster_commands_and_errors() {
        let ke = [0x09, 0x03, 0x00, 0x01, 0x00, 0x0b, 0x10];
        let s = summarize(0x0800, 0x0109, &ke, &MeterFormatting::default()).unwrap();
        assert_eq!(s.command_name, "Initiate Key Establishment Response");
        // Unknown type id 0x05 in a report: error at its offset.
        let bad = [0x18, 0x01, 0x0a, 0x00, 0x00, 0x05, 0x00];
        let e = summarize(0x0702, 0x0109, &bad, &MeterFormatting::default()).unwrap_err();
        assert_eq!(e.offset(), Some(6));
        // A string longer than the frame.
        let long = [0x18, 0x01, 0x0a, 0x07, 0x03, 0x41, 0x09, b'a'];
        let e = summarize(0x0702, 0x0109, &long, &MeterFormatting::default()).unwrap_err();
        assert_eq!(e.offset(), Some(7));
        // Payload too short for Get Profile.
        let short = [0x01, 0x05, 0x00, 0x00, 0x01];
        let e = summarize(0x0702, 0x0109, &short, &MeterFormatting::default()).unwrap_err();
        assert_eq!(e.offset(), Some(4));
        // Unknown cluster decodes generically.
        let unk = [0x18, 0x01, 0x0a, 0x34, 0x12, 0x20, 0x07];
        let s = summarize(0xfc00, 0x0104, &unk, &MeterFormatting::default()).unwrap();
        assert_eq!(text(&s), "Unknown Cluster Report Attributes 0x1234=7");
    }

    #[test]
    fn utc_display() {
        let b = [0x18, 0x01, 0x0a, 0x00, 0x00, 0xe2, 0x00, 0x00, 0x00, 0x00];
        let s = summarize(0x000a, 0x0109, &b, &MeterFormatting::default()).unwrap();
        assert_eq!(text(&s), "Time Report Attributes Time=2000-01-01T00:00:00Z");
    }

    #[test]
    fn formatting_carries_to_later_frames() {
        let mut ctx = MeterFormatting::default();
        // Report: Divisor 1000, DemandFormatting 0xab.
        let fmt = [
            0x18, 0x01, 0x0a, 0x02, 0x03, 0x22, 0xe8, 0x03, 0x00, 0x04, 0x03, 0x18, 0xab,
        ];
        let first = summarize(0x0702, 0x0109, &fmt, &ctx).unwrap();
        learn_formatting(&mut ctx, &first);
        let b = [0x18, 0x02, 0x0a, 0x00, 0x04, 0x2a, 0xd2, 0x04, 0x00];
        let s = summarize(0x0702, 0x0109, &b, &ctx).unwrap();
        assert_eq!(
            text(&s),
            "Metering Report Attributes InstantaneousDemand=1.234 kW"
        );
    }

    #[test]
    fn serializes() {
        let b = [0x18, 0x42, 0x0a, 0x00, 0x04, 0x2a, 0xd2, 0x04, 0x00];
        let s = summarize(0x0702, 0x0109, &b, &demand_context()).unwrap();
        let t = toml::to_string(&s).unwrap();
        for want in [
            "cluster = \"0x0702\"",
            "command_name = \"Report Attributes\"",
            "direction = \"server-to-client\"",
            "id = \"0x0400\"",
            "name = \"InstantaneousDemand\"",
            "type = \"0x2a\"",
            "value = 1234",
            "display = \"1.234 kW\"",
        ] {
            assert!(t.contains(want), "{want} not in {t}");
        }
        let ke = [0x09, 0x03, 0x00, 0x01, 0x00, 0x0b, 0x10, 0xaa];
        let s = summarize(0x0800, 0x0109, &ke, &MeterFormatting::default()).unwrap();
        let t = toml::to_string(&s).unwrap();
        assert!(t.contains("ephemeral_data_generate_time = 11"), "{t}");
        assert!(t.contains("identity = \"aa\""), "{t}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(cluster in proptest::sample::select(vec![0x0000u16, 0x0003, 0x0019, 0x0700, 0x0702, 0x0703, 0x0704, 0x0705, 0x0800, 0xfc00]),
                    bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(s) = summarize(cluster, 0x0109, &bytes, &MeterFormatting::default()) {
                let _ = text(&s);
            }
        }
    }
}
