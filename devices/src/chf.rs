//! The CHF: coordinator and trust centre (in the host), Time server on endpoint 1, and the
//! GPF gas mirror on endpoint 2 (the two logical devices of the comms hub, domain.md 1.1).

use crate::behaviour::{Api, Behaviour, METERING, TIME, TIME_ATTR, ZclIndication, ZclRequest};
use crate::behaviour::{Peer, read_response};
use crate::gpf::GasMirror;
use han_stack::zcl::general::GeneralCommand;
use han_stack::zcl::{DataType, ZclCommand, ZclValue};
use std::any::Any;

/// The CHF's application endpoint (Time server).
pub const CHF_ENDPOINT: u8 = 1;
/// The GPF's endpoint (gas mirror).
pub const GPF_ENDPOINT: u8 = 2;
/// Time cluster TimeStatus: master and synchronised (bits 0 and 1).
const TIME_STATUS: u16 = 0x0001;

/// The comms hub's application.
#[derive(Debug, Clone, Default)]
pub struct Chf {
    /// The gas mirror.
    pub gpf: GasMirror,
    /// Time reads answered.
    pub time_reads: u64,
    /// Mirror reads answered.
    pub mirror_reads: u64,
}

impl Behaviour for Chf {
    fn name(&self) -> &'static str {
        "CHF"
    }

    fn joined(&mut self, _api: &mut Api<'_>) {}

    fn timer(&mut self, _id: u32, _api: &mut Api<'_>) {}

    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>) {
        let Some(cmd) = msg.command() else { return };
        match (msg.dst_endpoint, msg.cluster, &cmd) {
            (GPF_ENDPOINT, METERING, ZclCommand::General(GeneralCommand::ReportAttributes(_))) => {
                self.gpf.take_push(msg, api.now);
            }
            (GPF_ENDPOINT, METERING, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                self.mirror_reads += 1;
                let f = read_response(msg.frame.seq, &r.attributes, |id| self.gpf.attribute(id));
                reply(msg, f, api);
            }
            (CHF_ENDPOINT, TIME, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                self.time_reads += 1;
                let utc = api.utc();
                let f = read_response(msg.frame.seq, &r.attributes, |id| match id {
                    TIME_ATTR => Some(ZclValue::Scalar(DataType(0xe2), u64::from(utc))),
                    TIME_STATUS => Some(ZclValue::Scalar(DataType::bitmap(1), 0x03)),
                    _ => None,
                });
                reply(msg, f, api);
            }
            _ => {}
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Answer `msg` from the endpoint it was sent to.
pub fn reply(msg: &ZclIndication, frame: han_stack::zcl::ZclFrame, api: &mut Api<'_>) {
    api.send(ZclRequest {
        dst: Peer::Short(msg.src),
        dst_endpoint: msg.src_endpoint,
        src_endpoint: msg.dst_endpoint,
        cluster: msg.cluster,
        frame,
        ack: false,
        tag: 0,
    });
}
