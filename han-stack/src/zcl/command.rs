//! A whole ZCL command: the frame header with its payload decoded, and building frames
//! from typed commands, so device code never handles payload bytes.

use crate::error::Result;
use crate::wire::Reader;
use crate::zcl::clusters::ClusterCommand;
use crate::zcl::frame::{Direction, FrameControl, FrameType, ZclFrame};
use crate::zcl::general::GeneralCommand;

/// The decoded payload of a ZCL frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZclCommand {
    /// A profile-wide command.
    General(GeneralCommand),
    /// A cluster-specific command with a typed payload.
    Cluster(ClusterCommand),
    /// A cluster-specific or manufacturer-specific command kept as bytes.
    Raw {
        /// Command id.
        command: u8,
        /// Payload bytes.
        payload: Vec<u8>,
    },
}

impl ZclCommand {
    /// Decode the payload of `frame`, sent on `cluster`; offsets count from the frame start.
    pub fn decode(cluster: u16, frame: &ZclFrame) -> Result<Self> {
        let base = frame.header_len();
        let raw = || ZclCommand::Raw {
            command: frame.command,
            payload: frame.payload.clone(),
        };
        Ok(match frame.control.frame_type() {
            FrameType::Global => ZclCommand::General(GeneralCommand::from_payload(
                frame.command,
                &frame.payload,
                base,
            )?),
            FrameType::ClusterSpecific if frame.manufacturer.is_none() => {
                let mut r = Reader::with_base(&frame.payload, base);
                let dir = frame.control.direction();
                match ClusterCommand::parse(cluster, dir, frame.command, &mut r)? {
                    Some(c) => {
                        r.finish("ZCL cluster command")?;
                        ZclCommand::Cluster(c)
                    }
                    None => raw(),
                }
            }
            _ => raw(),
        })
    }

    /// A frame carrying a profile-wide command.
    pub fn general_frame(cmd: &GeneralCommand, direction: Direction, seq: u8) -> ZclFrame {
        ZclFrame {
            control: FrameControl::new(false, direction, false),
            manufacturer: None,
            seq,
            command: cmd.id(),
            payload: cmd.to_payload(),
        }
    }

    /// A frame carrying a typed cluster-specific command, in the direction its command has.
    pub fn cluster_frame(
        cmd: &ClusterCommand,
        seq: u8,
        disable_default_response: bool,
    ) -> ZclFrame {
        let (_, direction, id) = cmd.key();
        ZclFrame {
            control: FrameControl::new(true, direction, disable_default_response),
            manufacturer: None,
            seq,
            command: id,
            payload: cmd.to_payload(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Wire;
    use crate::zcl::clusters::messaging::DisplayMessage;
    use crate::zcl::field::OctetStr;
    use crate::zcl::general::{AttributeValue, ReportAttributes};
    use crate::zcl::types::{DataType, ZclValue};

    #[test]
    fn build_and_decode() {
        let msg = ClusterCommand::DisplayMessage(DisplayMessage {
            message_id: 7,
            message_control: 0,
            start_time: 0,
            duration_in_minutes: 60,
            message: OctetStr::new("Top up soon"),
            extended_message_control: None,
        });
        let f = ZclCommand::cluster_frame(&msg, 9, true);
        assert_eq!(f.to_bytes()[..3], [0x19, 9, 0x00]);
        let back = ZclFrame::from_bytes(&f.to_bytes()).unwrap();
        assert_eq!(
            ZclCommand::decode(0x0703, &back).unwrap(),
            ZclCommand::Cluster(msg)
        );

        let report = GeneralCommand::ReportAttributes(ReportAttributes {
            records: vec![AttributeValue {
                id: 0x0400,
                value: ZclValue::Scalar(DataType(0x2a), 1234),
            }],
        });
        let f = ZclCommand::general_frame(&report, Direction::ServerToClient, 1);
        assert_eq!(
            f.to_bytes(),
            [0x08, 1, 0x0a, 0x00, 0x04, 0x2a, 0xd2, 0x04, 0x00]
        );
        assert_eq!(
            ZclCommand::decode(0x0702, &f).unwrap(),
            ZclCommand::General(report)
        );
        // Trailing bytes after a typed payload are an error at their offset.
        let mut long = f.clone();
        long.control = FrameControl::new(true, Direction::ClientToServer, false);
        long.command = 0x02;
        long.payload = vec![1, 0, 9];
        assert_eq!(
            ZclCommand::decode(0x0702, &long).unwrap_err().offset(),
            Some(5)
        );
    }
}
