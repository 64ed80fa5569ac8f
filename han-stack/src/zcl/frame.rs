//! The ZCL frame header (ZCL rev 6+ 2.4.1).
//!
//! `| frame control 1 | [manufacturer code 2] | TSN 1 | command id 1 | payload |`

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use bitflags::bitflags;

bitflags! {
    /// ZCL frame control (ZCL 2.4.1.1); the frame type is bits 0-1, reserved bits 5-7 are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FrameControl: u8 {
        /// Frame type bit 0: cluster-specific command (clear = profile-wide/global).
        const CLUSTER_SPECIFIC = 0x01;
        /// Frame type bit 1 (reserved frame types 2 and 3).
        const FRAME_TYPE_HIGH = 0x02;
        /// A manufacturer code follows the frame control.
        const MANUFACTURER_SPECIFIC = 0x04;
        /// Sent by the server to the client.
        const SERVER_TO_CLIENT = 0x08;
        /// The receiver must not send a Default Response.
        const DISABLE_DEFAULT_RESPONSE = 0x10;
        const _ = !0;
    }
}

/// Which side of a cluster sent the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server (commands the server receives).
    ClientToServer,
    /// Server to client.
    ServerToClient,
}

impl Direction {
    /// The name han prints.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ClientToServer => "client-to-server",
            Direction::ServerToClient => "server-to-client",
        }
    }
}

/// The frame type (frame control bits 0-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// Profile-wide (global) command.
    Global,
    /// Cluster-specific command.
    ClusterSpecific,
    /// A reserved frame type (2 or 3).
    Reserved(u8),
}

impl FrameControl {
    /// The frame type.
    pub fn frame_type(self) -> FrameType {
        match self.bits() & 3 {
            0 => FrameType::Global,
            1 => FrameType::ClusterSpecific,
            t => FrameType::Reserved(t),
        }
    }

    /// The direction bit.
    pub fn direction(self) -> Direction {
        if self.contains(FrameControl::SERVER_TO_CLIENT) {
            Direction::ServerToClient
        } else {
            Direction::ClientToServer
        }
    }

    /// Frame control for a command of the given kind and direction.
    pub fn new(
        cluster_specific: bool,
        direction: Direction,
        disable_default_response: bool,
    ) -> Self {
        let mut c = FrameControl::empty();
        c.set(FrameControl::CLUSTER_SPECIFIC, cluster_specific);
        c.set(
            FrameControl::SERVER_TO_CLIENT,
            direction == Direction::ServerToClient,
        );
        c.set(
            FrameControl::DISABLE_DEFAULT_RESPONSE,
            disable_default_response,
        );
        c
    }
}

/// A ZCL frame: header fields and the undecoded command payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZclFrame {
    /// Frame control.
    pub control: FrameControl,
    /// Manufacturer code, present exactly when the manufacturer-specific bit is set.
    pub manufacturer: Option<u16>,
    /// Transaction sequence number.
    pub seq: u8,
    /// Command identifier.
    pub command: u8,
    /// Command payload.
    pub payload: Vec<u8>,
}

impl ZclFrame {
    /// Bytes before the payload.
    pub fn header_len(&self) -> usize {
        if self.manufacturer.is_some() { 5 } else { 3 }
    }
}

impl Wire for ZclFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let control = FrameControl::from_bits_retain(r.u8("ZCL frame control")?);
        let manufacturer = if control.contains(FrameControl::MANUFACTURER_SPECIFIC) {
            Some(r.u16("ZCL manufacturer code")?)
        } else {
            None
        };
        let seq = r.u8("ZCL sequence number")?;
        let command = r.u8("ZCL command id")?;
        let payload = r.rest().to_vec();
        Ok(ZclFrame {
            control,
            manufacturer,
            seq,
            command,
            payload,
        })
    }

    // The manufacturer bit follows the manufacturer field so parse(emit(x)) == x.
    fn emit(&self, w: &mut Writer) {
        let mut c = self.control;
        c.set(
            FrameControl::MANUFACTURER_SPECIFIC,
            self.manufacturer.is_some(),
        );
        w.u8(c.bits());
        if let Some(m) = self.manufacturer {
            w.u16(m);
        }
        w.u8(self.seq);
        w.u8(self.command);
        w.bytes(&self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn key_establishment_header() {
        let f = ZclFrame::from_bytes(&[0x09, 0x03, 0x00, 0x01, 0x00]).unwrap();
        assert_eq!(f.control.frame_type(), FrameType::ClusterSpecific);
        assert_eq!(f.control.direction(), Direction::ServerToClient);
        assert_eq!((f.seq, f.command, f.payload.clone()), (3, 0, vec![1, 0]));
        let m = ZclFrame::from_bytes(&[0x14, 0x5e, 0x10, 0x07, 0x0a]).unwrap();
        assert_eq!(m.manufacturer, Some(0x105e));
        assert!(ZclFrame::from_bytes(&[0x04, 0x01]).is_err());
    }

    fn any_frame() -> impl Strategy<Value = ZclFrame> {
        (
            any::<u8>(),
            any::<Option<u16>>(),
            any::<u8>(),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(c, m, seq, command, payload)| {
                let mut control = FrameControl::from_bits_retain(c);
                control.set(FrameControl::MANUFACTURER_SPECIFIC, m.is_some());
                ZclFrame {
                    control,
                    manufacturer: m,
                    seq,
                    command,
                    payload,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(f in any_frame()) {
            prop_assert_eq!(ZclFrame::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(f) = ZclFrame::from_bytes(&bytes) {
                prop_assert_eq!(f.to_bytes(), bytes);
            }
        }
    }
}
