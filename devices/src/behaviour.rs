//! What a device does above the stack: a [`Behaviour`] gets ZCL frames and timers from
//! its [`crate::host::DeviceHost`] and answers through an [`Api`] (send ZCL, set timers).

use han_mesh::time::SimTime;
use han_stack::wire::ExtAddr;
use han_stack::zcl::general::{AttributeValue, ReadAttributeStatus, ReadAttributes};
use han_stack::zcl::general::{ReadAttributesResponse, ReportAttributes};
use han_stack::zcl::{Direction, GeneralCommand, Status, ZclCommand, ZclFrame, ZclValue};
use std::any::Any;

/// The Smart Energy application profile (domain.md 3.4).
pub const SE_PROFILE: u16 = 0x0109;
/// Metering cluster.
pub const METERING: u16 = 0x0702;
/// Time cluster.
pub const TIME: u16 = 0x000a;
/// Prepayment cluster.
pub const PREPAYMENT: u16 = 0x0705;
/// Price cluster.
pub const PRICE: u16 = 0x0700;
/// Messaging cluster.
pub const MESSAGING: u16 = 0x0703;
/// Metering CurrentSummationDelivered (uint48).
pub const CURRENT_SUMMATION_DELIVERED: u16 = 0x0000;
/// Metering MeteringDeviceType (bitmap8).
pub const METERING_DEVICE_TYPE: u16 = 0x0306;
/// Metering InstantaneousDemand (int24).
pub const INSTANTANEOUS_DEMAND: u16 = 0x0400;
/// Prepayment CreditRemaining (int32).
pub const CREDIT_REMAINING: u16 = 0x0001;
/// Time cluster Time attribute (UTC, seconds since 2000-01-01).
pub const TIME_ATTR: u16 = 0x0000;

/// Seconds from 1970-01-01 to 2000-01-01, the ZCL UTC epoch.
pub const ZCL_EPOCH_UNIX_S: u64 = 946_684_800;

/// A ZCL frame that arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZclIndication {
    /// NWK source.
    pub src: u16,
    /// The sender's EUI-64, when known.
    pub src_ext: Option<ExtAddr>,
    /// Source endpoint.
    pub src_endpoint: u8,
    /// Destination endpoint.
    pub dst_endpoint: u8,
    /// Cluster.
    pub cluster: u16,
    /// The ZCL frame.
    pub frame: ZclFrame,
}

impl ZclIndication {
    /// The decoded command (None if it does not decode).
    pub fn command(&self) -> Option<ZclCommand> {
        ZclCommand::decode(self.cluster, &self.frame).ok()
    }
}

/// Whom to send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A NWK address.
    Short(u16),
    /// An EUI-64, resolved by the host (device announcements, NWK_addr_req).
    Ext(ExtAddr),
}

/// A ZCL frame to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZclRequest {
    /// Destination device.
    pub dst: Peer,
    /// Destination endpoint.
    pub dst_endpoint: u8,
    /// Source endpoint.
    pub src_endpoint: u8,
    /// Cluster.
    pub cluster: u16,
    /// The frame.
    pub frame: ZclFrame,
    /// Ask for an APS acknowledgement (and retry without one).
    pub ack: bool,
    /// Echoed in [`Behaviour::delivered`] when `ack` is set.
    pub tag: u32,
}

/// What a behaviour asked its host for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Send a ZCL frame.
    Send(ZclRequest),
    /// Call [`Behaviour::timer`] with `id` at `at`.
    Timer {
        /// Echoed back.
        id: u32,
        /// When.
        at: SimTime,
    },
}

/// The host as a behaviour sees it.
pub struct Api<'a> {
    /// Now.
    pub now: SimTime,
    /// Unix time of simulated time zero, ns.
    pub epoch_unix_ns: u64,
    pub(crate) requests: &'a mut Vec<Request>,
    pub(crate) zcl_seq: &'a mut u8,
}

impl Api<'_> {
    /// Send a ZCL frame.
    pub fn send(&mut self, r: ZclRequest) {
        self.requests.push(Request::Send(r));
    }

    /// Ask for [`Behaviour::timer`] with `id` at `at`.
    pub fn set_timer(&mut self, id: u32, at: SimTime) {
        self.requests.push(Request::Timer { id, at });
    }

    /// The next ZCL transaction sequence number.
    pub fn next_seq(&mut self) -> u8 {
        *self.zcl_seq = self.zcl_seq.wrapping_add(1);
        *self.zcl_seq
    }

    /// Now as ZCL UTC time (seconds since 2000-01-01).
    pub fn utc(&self) -> u32 {
        ((self.epoch_unix_ns + self.now.0) / 1_000_000_000).saturating_sub(ZCL_EPOCH_UNIX_S) as u32
    }
}

/// A device's application: one module per device kind implements it.
pub trait Behaviour {
    /// The device kind's name (CHF, ESME, ...).
    fn name(&self) -> &'static str;
    /// The device holds the network key and has announced itself.
    fn joined(&mut self, api: &mut Api<'_>);
    /// A timer it set fired.
    fn timer(&mut self, id: u32, api: &mut Api<'_>);
    /// A ZCL frame arrived for one of its endpoints.
    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>);
    /// An acknowledged send ended: APS ACK received (`ok`) or every retry failed.
    fn delivered(&mut self, _tag: u32, _ok: bool, _api: &mut Api<'_>) {}
    /// A send left for its destination: handed to the network, its short address known.
    fn sent(&mut self, _tag: u32, _api: &mut Api<'_>) {}
    /// A send that waited for its destination's short address was replaced by a newer one
    /// to the same destination and cluster before it left (it was never transmitted).
    fn superseded(&mut self, _tag: u32, _api: &mut Api<'_>) {}
    /// The device lost power at `now` (its timers are gone; [`Behaviour::joined`] comes
    /// again after it is back on the network).
    fn powered_off(&mut self, _now: SimTime) {}
    /// For reports: the concrete behaviour.
    fn as_any(&self) -> &dyn Any;
}

/// Meter readings given up on (every APS retry failed) that a later acknowledged reading
/// recovered: a meter's reading carries its cumulative registers, so the first one that
/// arrives after a failure brings what the lost ones carried (the GSME's next wake, the
/// ESME's next report).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Given up on since the last acknowledged reading.
    pub pending: u64,
    /// Given up on, then carried by a later acknowledged reading.
    pub recovered: u64,
}

impl Recovery {
    /// A reading was given up on.
    pub fn failed(&mut self) {
        self.pending += 1;
    }

    /// A reading was acknowledged: it carries every pending one's registers.
    pub fn acked(&mut self) {
        self.recovered += self.pending;
        self.pending = 0;
    }
}

/// A Report Attributes frame (server to client, no default response).
pub fn report_frame(seq: u8, records: Vec<(u16, ZclValue)>) -> ZclFrame {
    let cmd = GeneralCommand::ReportAttributes(ReportAttributes {
        records: records
            .into_iter()
            .map(|(id, value)| AttributeValue { id, value })
            .collect(),
    });
    let mut f = ZclCommand::general_frame(&cmd, Direction::ServerToClient, seq);
    f.control |= han_stack::zcl::FrameControl::DISABLE_DEFAULT_RESPONSE;
    f
}

/// A Read Attributes frame (client to server).
pub fn read_frame(seq: u8, attributes: Vec<u16>) -> ZclFrame {
    let cmd = GeneralCommand::ReadAttributes(ReadAttributes { attributes });
    ZclCommand::general_frame(&cmd, Direction::ClientToServer, seq)
}

/// The Read Attributes Response to `ids` from a server whose attributes `value_of` gives.
pub fn read_response(seq: u8, ids: &[u16], value_of: impl Fn(u16) -> Option<ZclValue>) -> ZclFrame {
    let records = ids
        .iter()
        .map(|&id| match value_of(id) {
            Some(v) => ReadAttributeStatus {
                id,
                status: Status::SUCCESS,
                value: Some(v),
            },
            None => ReadAttributeStatus {
                id,
                status: Status::UNSUPPORTED_ATTRIBUTE,
                value: None,
            },
        })
        .collect();
    let cmd = GeneralCommand::ReadAttributesResponse(ReadAttributesResponse { records });
    ZclCommand::general_frame(&cmd, Direction::ServerToClient, seq)
}

/// The attribute values a Report Attributes or Read Attributes Response carries.
pub fn attribute_values(cmd: &ZclCommand) -> Vec<(u16, ZclValue)> {
    match cmd {
        ZclCommand::General(GeneralCommand::ReportAttributes(r)) => {
            r.records.iter().map(|a| (a.id, a.value.clone())).collect()
        }
        ZclCommand::General(GeneralCommand::ReadAttributesResponse(r)) => r
            .records
            .iter()
            .filter_map(|a| a.value.clone().map(|v| (a.id, v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A signed 24-bit ZCL value.
pub fn int24(v: i64) -> ZclValue {
    ZclValue::Scalar(han_stack::zcl::DataType::int(3), (v as u64) & 0x00ff_ffff)
}

/// A signed 32-bit ZCL value.
pub fn int32(v: i64) -> ZclValue {
    ZclValue::Scalar(han_stack::zcl::DataType::int(4), (v as u64) & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_acknowledged_reading_recovers_the_lost_ones() {
        let mut r = Recovery::default();
        r.acked();
        r.failed();
        r.failed();
        assert_eq!((r.pending, r.recovered), (2, 0));
        r.acked();
        assert_eq!((r.pending, r.recovered), (0, 2));
        r.failed();
        assert_eq!((r.pending, r.recovered), (1, 2));
    }
    use han_stack::wire::Wire;

    #[test]
    fn report_bytes() {
        let f = report_frame(
            9,
            vec![
                (CURRENT_SUMMATION_DELIVERED, ZclValue::uint(6, 1234)),
                (INSTANTANEOUS_DEMAND, int24(-2)),
            ],
        );
        // Frame control 0x18 (global, server to client, no default response), seq, 0x0a.
        assert_eq!(
            f.to_bytes(),
            [
                0x18, 9, 0x0a, 0x00, 0x00, 0x25, 0xd2, 0x04, 0, 0, 0, 0, 0x00, 0x04, 0x2a, 0xfe,
                0xff, 0xff
            ]
        );
        let cmd = ZclCommand::decode(METERING, &f).unwrap();
        let v = attribute_values(&cmd);
        assert_eq!(v[0], (0, ZclValue::uint(6, 1234)));
        assert_eq!(v[1].1.as_i128(), Some(-2));
    }

    #[test]
    fn read_and_response() {
        let r = read_frame(3, vec![0x0000, 0x0400]);
        assert_eq!(r.to_bytes(), [0x00, 3, 0x00, 0x00, 0x00, 0x00, 0x04]);
        let rsp = read_response(3, &[0x0000, 0x0400], |id| {
            (id == 0).then(|| ZclValue::uint(6, 5))
        });
        let cmd = ZclCommand::decode(METERING, &rsp).unwrap();
        assert_eq!(attribute_values(&cmd), [(0, ZclValue::uint(6, 5))]);
        assert_eq!(rsp.to_bytes()[..5], [0x08, 3, 0x01, 0x00, 0x00]);
    }
}
