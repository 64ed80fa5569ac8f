//! Profile-wide (global) commands, ZCL rev 6+ 2.5.

mod discover;
mod read;
mod reporting;
mod status;
mod write;

pub use discover::*;
pub use read::*;
pub use reporting::*;
pub use status::Status;
pub use write::*;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::types::{DataType, ZclValue};

macro_rules! general_commands {
    ($($id:literal $variant:ident($t:ty) $name:literal,)*) => {
        /// A profile-wide command with its typed payload.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(untagged)]
        pub enum GeneralCommand {
            $(
                #[doc = $name]
                $variant($t),
            )*
            /// A command without a typed payload here (structured read/write, reserved ids).
            Other {
                /// Command id.
                command: u8,
                /// Payload bytes.
                payload: Vec<u8>,
            },
        }

        impl GeneralCommand {
            /// Decode the payload of global command `command`, which must fill `r`.
            pub fn parse(command: u8, r: &mut Reader<'_>) -> Result<Self> {
                let c = match command {
                    $($id => GeneralCommand::$variant(<$t>::parse(r)?),)*
                    _ => GeneralCommand::Other { command, payload: r.rest().to_vec() },
                };
                r.finish("ZCL general command")?;
                Ok(c)
            }

            /// Append the payload.
            pub fn emit(&self, w: &mut Writer) {
                match self {
                    $(GeneralCommand::$variant(p) => p.emit(w),)*
                    GeneralCommand::Other { payload, .. } => w.bytes(payload),
                }
            }

            /// The command id.
            pub fn id(&self) -> u8 {
                match self {
                    $(GeneralCommand::$variant(_) => $id,)*
                    GeneralCommand::Other { command, .. } => *command,
                }
            }

            /// The name tshark prints for the command.
            pub fn name(&self) -> &'static str {
                command_name(self.id())
            }
        }

        /// The tshark name of global command `id`.
        pub fn command_name(id: u8) -> &'static str {
            match id {
                $($id => $name,)*
                0x0e => "Read Attributes Structured",
                0x0f => "Write Attributes Structured",
                0x10 => "Write Attributes Structured Response",
                _ => "Unknown Command",
            }
        }
    };
}

general_commands! {
    0x00 ReadAttributes(ReadAttributes) "Read Attributes",
    0x01 ReadAttributesResponse(ReadAttributesResponse) "Read Attributes Response",
    0x02 WriteAttributes(WriteAttributes) "Write Attributes",
    0x03 WriteAttributesUndivided(WriteAttributes) "Write Attributes Undivided",
    0x04 WriteAttributesResponse(WriteAttributesResponse) "Write Attributes Response",
    0x05 WriteAttributesNoResponse(WriteAttributes) "Write Attributes No Response",
    0x06 ConfigureReporting(ConfigureReporting) "Configure Reporting",
    0x07 ConfigureReportingResponse(ConfigureReportingResponse) "Configure Reporting Response",
    0x08 ReadReportingConfiguration(ReadReportingConfiguration) "Read Reporting Configuration",
    0x09 ReadReportingConfigurationResponse(ReadReportingConfigurationResponse) "Read Reporting Configuration Response",
    0x0a ReportAttributes(ReportAttributes) "Report Attributes",
    0x0b DefaultResponse(DefaultResponse) "Default Response",
    0x0c DiscoverAttributes(DiscoverAttributes) "Discover Attributes",
    0x0d DiscoverAttributesResponse(DiscoverAttributesResponse) "Discover Attributes Response",
    0x11 DiscoverCommandsReceived(DiscoverCommands) "Discover Commands Received",
    0x12 DiscoverCommandsReceivedResponse(DiscoverCommandsResponse) "Discover Commands Received Response",
    0x13 DiscoverCommandsGenerated(DiscoverCommands) "Discover Commands Generated",
    0x14 DiscoverCommandsGeneratedResponse(DiscoverCommandsResponse) "Discover Commands Generated Response",
    0x15 DiscoverAttributesExtended(DiscoverAttributes) "Discover Attributes Extended",
    0x16 DiscoverAttributesExtendedResponse(DiscoverAttributesExtendedResponse) "Discover Attributes Extended Response",
}

impl GeneralCommand {
    /// Decode from payload bytes that start at absolute offset `base`.
    pub fn from_payload(command: u8, payload: &[u8], base: usize) -> Result<Self> {
        Self::parse(command, &mut Reader::with_base(payload, base))
    }

    /// The payload bytes.
    pub fn to_payload(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.emit(&mut w);
        w.into_vec()
    }

    /// The attributes the command names, with type, value and status where it carries them;
    /// None for commands that name no attributes.
    pub fn attributes(&self) -> Option<Vec<AttributeRef<'_>>> {
        let r = |id, data_type, value, status| AttributeRef {
            id,
            data_type,
            value,
            status,
        };
        Some(match self {
            GeneralCommand::ReadAttributes(p) => p
                .attributes
                .iter()
                .map(|a| r(*a, None, None, None))
                .collect(),
            GeneralCommand::ReadAttributesResponse(p) => p
                .records
                .iter()
                .map(|x| {
                    let t = x.value.as_ref().map(ZclValue::data_type);
                    r(x.id, t, x.value.as_ref(), Some(x.status))
                })
                .collect(),
            GeneralCommand::WriteAttributes(WriteAttributes { records })
            | GeneralCommand::WriteAttributesUndivided(WriteAttributes { records })
            | GeneralCommand::WriteAttributesNoResponse(WriteAttributes { records })
            | GeneralCommand::ReportAttributes(ReportAttributes { records }) => records
                .iter()
                .map(|x| r(x.id, Some(x.value.data_type()), Some(&x.value), None))
                .collect(),
            GeneralCommand::WriteAttributesResponse(p) => p
                .records
                .iter()
                .filter_map(|x| Some(r(x.id?, None, None, Some(x.status))))
                .collect(),
            GeneralCommand::ConfigureReporting(p) => p
                .records
                .iter()
                .map(|x| r(x.id, x.reporting.data_type(), None, None))
                .collect(),
            GeneralCommand::ConfigureReportingResponse(p) => p
                .records
                .iter()
                .filter_map(|x| Some(r(x.attribute?.1, None, None, Some(x.status))))
                .collect(),
            GeneralCommand::ReadReportingConfiguration(p) => p
                .records
                .iter()
                .map(|x| r(x.id, None, None, None))
                .collect(),
            GeneralCommand::ReadReportingConfigurationResponse(p) => p
                .records
                .iter()
                .map(|x| {
                    let t = x.reporting.as_ref().and_then(Reporting::data_type);
                    r(x.id, t, None, Some(x.status))
                })
                .collect(),
            GeneralCommand::DiscoverAttributesResponse(p) => p
                .attributes
                .iter()
                .map(|x| r(x.id, Some(DataType(x.data_type)), None, None))
                .collect(),
            GeneralCommand::DiscoverAttributesExtendedResponse(p) => p
                .attributes
                .iter()
                .map(|x| r(x.id, Some(DataType(x.data_type)), None, None))
                .collect(),
            _ => return None,
        })
    }
}

/// An attribute a general command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeRef<'a> {
    /// Attribute id.
    pub id: u16,
    /// Its type, where the command carries one.
    pub data_type: Option<DataType>,
    /// Its value, where the command carries one.
    pub value: Option<&'a ZclValue>,
    /// The record's status, where the command carries one.
    pub status: Option<Status>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zcl::types::{DataType, ZclValue};
    use proptest::prelude::*;

    #[test]
    fn report_instantaneous_demand() {
        let p = [0x00, 0x04, 0x2a, 0xd2, 0x04, 0x00];
        let c = GeneralCommand::from_payload(0x0a, &p, 3).unwrap();
        assert_eq!(c.name(), "Report Attributes");
        let GeneralCommand::ReportAttributes(r) = &c else {
            panic!("wrong variant")
        };
        assert_eq!(r.records[0].id, 0x0400);
        assert_eq!(r.records[0].value, ZclValue::Scalar(DataType(0x2a), 1234));
        assert_eq!(c.to_payload(), p);
    }

    #[test]
    fn read_response_with_failure_and_short_payload() {
        let p = [0x00, 0x00, 0x00, 0x25, 1, 2, 3, 4, 5, 6, 0x01, 0x00, 0x86];
        let c = GeneralCommand::from_payload(0x01, &p, 0).unwrap();
        assert_eq!(c.to_payload(), p);
        let e = GeneralCommand::from_payload(0x01, &p[..7], 3).unwrap_err();
        assert_eq!(e.offset(), Some(7));
        let e = GeneralCommand::from_payload(0x00, &[0x00], 3).unwrap_err();
        assert_eq!(e.offset(), Some(3));
    }

    #[test]
    fn configure_reporting_analog_change() {
        // Direction 0, attr 0x0400 int24, min 1, max 60, change 10.
        let p = [
            0x00, 0x00, 0x04, 0x2a, 0x01, 0x00, 0x3c, 0x00, 0x0a, 0x00, 0x00,
        ];
        let c = GeneralCommand::from_payload(0x06, &p, 0).unwrap();
        assert_eq!(c.to_payload(), p);
        let ok = GeneralCommand::from_payload(0x07, &[0x00], 0).unwrap();
        assert_eq!(ok.to_payload(), vec![0x00]);
    }

    fn any_general() -> impl Strategy<Value = (u8, Vec<u8>)> {
        (0u8..0x18, proptest::collection::vec(any::<u8>(), 0..128))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip((id, bytes) in any_general()) {
            if let Ok(c) = GeneralCommand::from_payload(id, &bytes, 0) {
                prop_assert_eq!(c.id(), id);
                let out = c.to_payload();
                prop_assert_eq!(&out, &bytes);
                prop_assert_eq!(GeneralCommand::from_payload(id, &out, 0).unwrap(), c);
            }
        }

        #[test]
        fn report_round_trip(records in proptest::collection::vec((any::<u16>(), crate::zcl::types::tests::any_value()), 0..4)) {
            let c = GeneralCommand::ReportAttributes(ReportAttributes {
                records: records.into_iter().map(|(id, value)| AttributeValue { id, value }).collect(),
            });
            prop_assert_eq!(GeneralCommand::from_payload(0x0a, &c.to_payload(), 0).unwrap(), c);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic((id, bytes) in any_general()) {
            let _ = GeneralCommand::from_payload(id, &bytes, 0);
        }
    }
}
