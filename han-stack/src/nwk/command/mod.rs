//! NWK command frames (Zigbee PRO R22 3.4): a one-byte command identifier,
//! then the command's fields. One module per command; the rejoin request
//! payload is the MAC capability information byte ([`CapabilityInfo`]).

pub mod end_device_timeout_request;
pub mod end_device_timeout_response;
pub mod leave;
pub mod link_power_delta;
pub mod link_status;
pub mod network_report;
pub mod network_status;
pub mod network_update;
pub mod pan_id_list;
pub mod rejoin_response;
pub mod route_record;
pub mod route_reply;
pub mod route_request;

pub use end_device_timeout_request::{EndDeviceTimeout, EndDeviceTimeoutRequest};
pub use end_device_timeout_response::{
    EndDeviceTimeoutResponse, EndDeviceTimeoutStatus, ParentInfo,
};
pub use leave::LeaveOptions;
pub use link_power_delta::{LinkPowerDelta, PowerDelta};
pub use link_status::{LinkStatus, LinkStatusEntry, LinkStatusOptions};
pub use network_report::NetworkReport;
pub use network_status::{NetworkStatus, NetworkStatusCode};
pub use network_update::NetworkUpdate;
pub use pan_id_list::PanIdList;
pub use rejoin_response::RejoinResponse;
pub use route_record::RouteRecord;
pub use route_reply::{RouteReply, RouteReplyOptions};
pub use route_request::{RouteRequest, RouteRequestOptions};

use crate::error::Result;
use crate::mac::CapabilityInfo;
use crate::wire::{Reader, Wire, Writer};

/// A NWK command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NwkCommand {
    /// 0x01.
    RouteRequest(RouteRequest),
    /// 0x02.
    RouteReply(RouteReply),
    /// 0x03.
    NetworkStatus(NetworkStatus),
    /// 0x04.
    Leave(LeaveOptions),
    /// 0x05.
    RouteRecord(RouteRecord),
    /// 0x06: the joining device's capability information.
    RejoinRequest(CapabilityInfo),
    /// 0x07.
    RejoinResponse(RejoinResponse),
    /// 0x08.
    LinkStatus(LinkStatus),
    /// 0x09.
    NetworkReport(NetworkReport),
    /// 0x0a.
    NetworkUpdate(NetworkUpdate),
    /// 0x0b.
    EndDeviceTimeoutRequest(EndDeviceTimeoutRequest),
    /// 0x0c.
    EndDeviceTimeoutResponse(EndDeviceTimeoutResponse),
    /// 0x0d.
    LinkPowerDelta(LinkPowerDelta),
    /// Any other command, kept raw.
    Unknown {
        /// Command identifier.
        id: u8,
        /// Everything after it.
        payload: Vec<u8>,
    },
}

impl NwkCommand {
    /// The command identifier.
    pub fn id(&self) -> u8 {
        match self {
            NwkCommand::RouteRequest(_) => 0x01,
            NwkCommand::RouteReply(_) => 0x02,
            NwkCommand::NetworkStatus(_) => 0x03,
            NwkCommand::Leave(_) => 0x04,
            NwkCommand::RouteRecord(_) => 0x05,
            NwkCommand::RejoinRequest(_) => 0x06,
            NwkCommand::RejoinResponse(_) => 0x07,
            NwkCommand::LinkStatus(_) => 0x08,
            NwkCommand::NetworkReport(_) => 0x09,
            NwkCommand::NetworkUpdate(_) => 0x0a,
            NwkCommand::EndDeviceTimeoutRequest(_) => 0x0b,
            NwkCommand::EndDeviceTimeoutResponse(_) => 0x0c,
            NwkCommand::LinkPowerDelta(_) => 0x0d,
            NwkCommand::Unknown { id, .. } => *id,
        }
    }

    /// The name tshark prints for the command identifier.
    pub fn name(&self) -> &'static str {
        Self::name_of(self.id())
    }

    /// The name tshark prints for a command identifier.
    pub fn name_of(id: u8) -> &'static str {
        match id {
            0x01 => "Route Request",
            0x02 => "Route Reply",
            0x03 => "Network Status",
            0x04 => "Leave",
            0x05 => "Route Record",
            0x06 => "Rejoin Request",
            0x07 => "Rejoin Response",
            0x08 => "Link Status",
            0x09 => "Network Report",
            0x0a => "Network Update",
            0x0b => "End Device Timeout Request",
            0x0c => "End Device Timeout Response",
            0x0d => "Link Power Delta",
            _ => "Unknown Command",
        }
    }
}

impl Wire for NwkCommand {
    // Identifiers 0x01–0x0d always decode as their named variant, so an
    // `Unknown` carrying one of them is not canonical.
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let id = r.u8("NWK command identifier")?;
        Ok(match id {
            0x01 => NwkCommand::RouteRequest(RouteRequest::parse(r)?),
            0x02 => NwkCommand::RouteReply(RouteReply::parse(r)?),
            0x03 => NwkCommand::NetworkStatus(NetworkStatus::parse(r)?),
            0x04 => NwkCommand::Leave(LeaveOptions::from_bits_retain(r.u8("leave options")?)),
            0x05 => NwkCommand::RouteRecord(RouteRecord::parse(r)?),
            0x06 => NwkCommand::RejoinRequest(CapabilityInfo::from_bits_retain(
                r.u8("capability information")?,
            )),
            0x07 => NwkCommand::RejoinResponse(RejoinResponse::parse(r)?),
            0x08 => NwkCommand::LinkStatus(LinkStatus::parse(r)?),
            0x09 => NwkCommand::NetworkReport(NetworkReport::parse(r)?),
            0x0a => NwkCommand::NetworkUpdate(NetworkUpdate::parse(r)?),
            0x0b => NwkCommand::EndDeviceTimeoutRequest(EndDeviceTimeoutRequest::parse(r)?),
            0x0c => NwkCommand::EndDeviceTimeoutResponse(EndDeviceTimeoutResponse::parse(r)?),
            0x0d => NwkCommand::LinkPowerDelta(LinkPowerDelta::parse(r)?),
            id => NwkCommand::Unknown {
                id,
                payload: r.rest().to_vec(),
            },
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.id());
        match self {
            NwkCommand::RouteRequest(c) => c.emit(w),
            NwkCommand::RouteReply(c) => c.emit(w),
            NwkCommand::NetworkStatus(c) => c.emit(w),
            NwkCommand::Leave(o) => w.u8(o.bits()),
            NwkCommand::RouteRecord(c) => c.emit(w),
            NwkCommand::RejoinRequest(c) => w.u8(c.bits()),
            NwkCommand::RejoinResponse(c) => c.emit(w),
            NwkCommand::LinkStatus(c) => c.emit(w),
            NwkCommand::NetworkReport(c) => c.emit(w),
            NwkCommand::NetworkUpdate(c) => c.emit(w),
            NwkCommand::EndDeviceTimeoutRequest(c) => c.emit(w),
            NwkCommand::EndDeviceTimeoutResponse(c) => c.emit(w),
            NwkCommand::LinkPowerDelta(c) => c.emit(w),
            NwkCommand::Unknown { payload, .. } => w.bytes(payload),
        }
    }
}

#[cfg(test)]
mod tests;
