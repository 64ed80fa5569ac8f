//! ZDO / ZDP: the Zigbee Device Profile (profile 0x0000, endpoint 0) requests and
//! responses (Zigbee PRO R22 2.4). Responses use the request cluster | 0x8000.
//!
//! A ZDP payload is a 1-byte transaction sequence number then a body whose
//! layout depends on the APS cluster, so [`ZdpFrame`] parses with the cluster given.

pub mod addressing;
pub mod binding;
pub mod descriptors;
pub mod management;

pub use addressing::{
    AddrRsp, AssociatedDevices, Capability, DeviceAnnce, IeeeAddrReq, NwkAddrReq, RequestType,
};
pub use binding::{BindDestination, BindReq};
pub use descriptors::{
    AddrOfInterest, DescriptorCapability, DescriptorRsp, EndpointListRsp, FrequencyBands,
    LogicalType, MatchDescReq, NodeDescRsp, NodeDescriptor, PowerDescRsp, PowerDescriptor,
    PowerLevel, PowerMode, PowerSources, ServerMask, SimpleDescReq, SimpleDescRsp,
    SimpleDescriptor,
};
pub use management::{
    EnergyReport, LeaveFlags, LeaveReq, Neighbor, NwkUpdateAction, NwkUpdateNotify, NwkUpdateReq,
    PermitJoiningReq, Relationship, Route, RouteFlags, RouteStatus, TableReq, TableRsp, TableSlice,
};

use crate::error::Result;
use crate::wire::wire_enum;
use crate::wire::{Reader, Wire, Writer};

/// The ZDP profile identifier.
pub const ZDP_PROFILE: u16 = 0x0000;
/// The ZDO endpoint.
pub const ZDO_ENDPOINT: u8 = 0;
/// Bit set in a response's cluster identifier.
pub const RESPONSE: u16 = 0x8000;

/// ZDP cluster identifiers handled here (requests; responses add [`RESPONSE`]).
pub mod cluster {
    /// NWK_addr_req.
    pub const NWK_ADDR: u16 = 0x0000;
    /// IEEE_addr_req.
    pub const IEEE_ADDR: u16 = 0x0001;
    /// Node_Desc_req.
    pub const NODE_DESC: u16 = 0x0002;
    /// Power_Desc_req.
    pub const POWER_DESC: u16 = 0x0003;
    /// Simple_Desc_req.
    pub const SIMPLE_DESC: u16 = 0x0004;
    /// Active_EP_req.
    pub const ACTIVE_EP: u16 = 0x0005;
    /// Match_Desc_req.
    pub const MATCH_DESC: u16 = 0x0006;
    /// Device_annce.
    pub const DEVICE_ANNCE: u16 = 0x0013;
    /// Bind_req.
    pub const BIND: u16 = 0x0021;
    /// Unbind_req.
    pub const UNBIND: u16 = 0x0022;
    /// Mgmt_Lqi_req.
    pub const MGMT_LQI: u16 = 0x0031;
    /// Mgmt_Rtg_req.
    pub const MGMT_RTG: u16 = 0x0032;
    /// Mgmt_Leave_req.
    pub const MGMT_LEAVE: u16 = 0x0034;
    /// Mgmt_Permit_Joining_req.
    pub const MGMT_PERMIT_JOINING: u16 = 0x0036;
    /// Mgmt_NWK_Update_req (its response is Mgmt_NWK_Update_notify).
    pub const MGMT_NWK_UPDATE: u16 = 0x0038;
}

wire_enum! {
    /// ZDP status (Zigbee PRO R22 table 2-138).
    pub enum ZdpStatus: u8 {
        /// Success.
        Success = 0x00 => "Success",
        /// Invalid request type.
        InvalidRequestType = 0x80 => "Invalid Request Type",
        /// Device not found.
        DeviceNotFound = 0x81 => "Device Not Found",
        /// Invalid endpoint.
        InvalidEndpoint = 0x82 => "Invalid Endpoint",
        /// Endpoint not active.
        NotActive = 0x83 => "Not Active",
        /// Not supported.
        NotSupported = 0x84 => "Not Supported",
        /// Timeout.
        Timeout = 0x85 => "Timeout",
        /// No match.
        NoMatch = 0x86 => "No Match",
        /// No entry.
        NoEntry = 0x88 => "No Entry",
        /// No descriptor.
        NoDescriptor = 0x89 => "No Descriptor",
        /// Insufficient space.
        InsufficientSpace = 0x8a => "Insufficient Space",
        /// Not permitted.
        NotPermitted = 0x8b => "Not Permitted",
        /// Table full.
        TableFull = 0x8c => "Table Full",
        /// Not authorized.
        NotAuthorized = 0x8d => "Not Authorized",
        /// Device binding table full.
        DeviceBindingTableFull = 0x8e => "Device Binding Table Full",
        /// Invalid index.
        InvalidIndex = 0x8f => "Invalid Index",
    }
}

/// Read the rest with `f` when bytes remain, else `None`.
fn optional<'a, T>(
    r: &mut Reader<'a>,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T>,
) -> Result<Option<T>> {
    if r.is_empty() {
        Ok(None)
    } else {
        f(r).map(Some)
    }
}

/// A 1-byte count then that many u16 cluster identifiers.
fn parse_u16_list(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u16>> {
    let n = r.u8(what)?;
    (0..n).map(|_| r.u16(what)).collect()
}

/// Write a counted u16 list (the count byte holds at most 255).
fn emit_u16_list(w: &mut Writer, list: &[u16]) {
    w.u8(list.len() as u8);
    for v in list {
        w.u16(*v);
    }
}

/// A ZDP body, by cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZdpBody {
    /// NWK_addr_req (0x0000).
    NwkAddrReq(NwkAddrReq),
    /// NWK_addr_rsp (0x8000).
    NwkAddrRsp(AddrRsp),
    /// IEEE_addr_req (0x0001).
    IeeeAddrReq(IeeeAddrReq),
    /// IEEE_addr_rsp (0x8001).
    IeeeAddrRsp(AddrRsp),
    /// Node_Desc_req (0x0002).
    NodeDescReq(AddrOfInterest),
    /// Node_Desc_rsp (0x8002).
    NodeDescRsp(NodeDescRsp),
    /// Power_Desc_req (0x0003).
    PowerDescReq(AddrOfInterest),
    /// Power_Desc_rsp (0x8003).
    PowerDescRsp(PowerDescRsp),
    /// Simple_Desc_req (0x0004).
    SimpleDescReq(SimpleDescReq),
    /// Simple_Desc_rsp (0x8004).
    SimpleDescRsp(SimpleDescRsp),
    /// Active_EP_req (0x0005).
    ActiveEpReq(AddrOfInterest),
    /// Active_EP_rsp (0x8005).
    ActiveEpRsp(EndpointListRsp),
    /// Match_Desc_req (0x0006).
    MatchDescReq(MatchDescReq),
    /// Match_Desc_rsp (0x8006).
    MatchDescRsp(EndpointListRsp),
    /// Device_annce (0x0013).
    DeviceAnnce(DeviceAnnce),
    /// Bind_req (0x0021).
    BindReq(BindReq),
    /// Bind_rsp (0x8021).
    BindRsp(ZdpStatus),
    /// Unbind_req (0x0022).
    UnbindReq(BindReq),
    /// Unbind_rsp (0x8022).
    UnbindRsp(ZdpStatus),
    /// Mgmt_Lqi_req (0x0031).
    MgmtLqiReq(TableReq),
    /// Mgmt_Lqi_rsp (0x8031).
    MgmtLqiRsp(TableRsp<Neighbor>),
    /// Mgmt_Rtg_req (0x0032).
    MgmtRtgReq(TableReq),
    /// Mgmt_Rtg_rsp (0x8032).
    MgmtRtgRsp(TableRsp<Route>),
    /// Mgmt_Leave_req (0x0034).
    MgmtLeaveReq(LeaveReq),
    /// Mgmt_Leave_rsp (0x8034).
    MgmtLeaveRsp(ZdpStatus),
    /// Mgmt_Permit_Joining_req (0x0036).
    MgmtPermitJoiningReq(PermitJoiningReq),
    /// Mgmt_Permit_Joining_rsp (0x8036).
    MgmtPermitJoiningRsp(ZdpStatus),
    /// Mgmt_NWK_Update_req (0x0038).
    MgmtNwkUpdateReq(NwkUpdateReq),
    /// Mgmt_NWK_Update_notify (0x8038).
    MgmtNwkUpdateNotify(NwkUpdateNotify),
    /// Any other cluster, its body kept raw.
    Unknown {
        /// The cluster identifier.
        cluster: u16,
        /// The bytes after the sequence number.
        payload: Vec<u8>,
    },
}

impl ZdpBody {
    /// The APS cluster identifier this body travels on.
    pub fn cluster(&self) -> u16 {
        use cluster::*;
        match self {
            ZdpBody::NwkAddrReq(_) => NWK_ADDR,
            ZdpBody::NwkAddrRsp(_) => NWK_ADDR | RESPONSE,
            ZdpBody::IeeeAddrReq(_) => IEEE_ADDR,
            ZdpBody::IeeeAddrRsp(_) => IEEE_ADDR | RESPONSE,
            ZdpBody::NodeDescReq(_) => NODE_DESC,
            ZdpBody::NodeDescRsp(_) => NODE_DESC | RESPONSE,
            ZdpBody::PowerDescReq(_) => POWER_DESC,
            ZdpBody::PowerDescRsp(_) => POWER_DESC | RESPONSE,
            ZdpBody::SimpleDescReq(_) => SIMPLE_DESC,
            ZdpBody::SimpleDescRsp(_) => SIMPLE_DESC | RESPONSE,
            ZdpBody::ActiveEpReq(_) => ACTIVE_EP,
            ZdpBody::ActiveEpRsp(_) => ACTIVE_EP | RESPONSE,
            ZdpBody::MatchDescReq(_) => MATCH_DESC,
            ZdpBody::MatchDescRsp(_) => MATCH_DESC | RESPONSE,
            ZdpBody::DeviceAnnce(_) => DEVICE_ANNCE,
            ZdpBody::BindReq(_) => BIND,
            ZdpBody::BindRsp(_) => BIND | RESPONSE,
            ZdpBody::UnbindReq(_) => UNBIND,
            ZdpBody::UnbindRsp(_) => UNBIND | RESPONSE,
            ZdpBody::MgmtLqiReq(_) => MGMT_LQI,
            ZdpBody::MgmtLqiRsp(_) => MGMT_LQI | RESPONSE,
            ZdpBody::MgmtRtgReq(_) => MGMT_RTG,
            ZdpBody::MgmtRtgRsp(_) => MGMT_RTG | RESPONSE,
            ZdpBody::MgmtLeaveReq(_) => MGMT_LEAVE,
            ZdpBody::MgmtLeaveRsp(_) => MGMT_LEAVE | RESPONSE,
            ZdpBody::MgmtPermitJoiningReq(_) => MGMT_PERMIT_JOINING,
            ZdpBody::MgmtPermitJoiningRsp(_) => MGMT_PERMIT_JOINING | RESPONSE,
            ZdpBody::MgmtNwkUpdateReq(_) => MGMT_NWK_UPDATE,
            ZdpBody::MgmtNwkUpdateNotify(_) => MGMT_NWK_UPDATE | RESPONSE,
            ZdpBody::Unknown { cluster, .. } => *cluster,
        }
    }

    /// The name tshark prints for this body.
    pub fn name(&self) -> &'static str {
        cluster_name(self.cluster())
    }

    /// Decode the body of a ZDP frame on `cluster`, up to the end of the reader.
    pub fn parse(cluster: u16, r: &mut Reader<'_>) -> Result<Self> {
        use cluster::*;
        const NWK_ADDR_RSP: u16 = NWK_ADDR | RESPONSE;
        const IEEE_ADDR_RSP: u16 = IEEE_ADDR | RESPONSE;
        const NODE_DESC_RSP: u16 = NODE_DESC | RESPONSE;
        const POWER_DESC_RSP: u16 = POWER_DESC | RESPONSE;
        const SIMPLE_DESC_RSP: u16 = SIMPLE_DESC | RESPONSE;
        const ACTIVE_EP_RSP: u16 = ACTIVE_EP | RESPONSE;
        const MATCH_DESC_RSP: u16 = MATCH_DESC | RESPONSE;
        const BIND_RSP: u16 = BIND | RESPONSE;
        const UNBIND_RSP: u16 = UNBIND | RESPONSE;
        const MGMT_LQI_RSP: u16 = MGMT_LQI | RESPONSE;
        const MGMT_RTG_RSP: u16 = MGMT_RTG | RESPONSE;
        const MGMT_LEAVE_RSP: u16 = MGMT_LEAVE | RESPONSE;
        const MGMT_PERMIT_JOINING_RSP: u16 = MGMT_PERMIT_JOINING | RESPONSE;
        const MGMT_NWK_UPDATE_NOTIFY: u16 = MGMT_NWK_UPDATE | RESPONSE;
        let status = |r: &mut Reader<'_>| r.u8("ZDP status").map(ZdpStatus::from_value);
        Ok(match cluster {
            NWK_ADDR => ZdpBody::NwkAddrReq(NwkAddrReq::parse(r)?),
            NWK_ADDR_RSP => ZdpBody::NwkAddrRsp(AddrRsp::parse(r)?),
            IEEE_ADDR => ZdpBody::IeeeAddrReq(IeeeAddrReq::parse(r)?),
            IEEE_ADDR_RSP => ZdpBody::IeeeAddrRsp(AddrRsp::parse(r)?),
            NODE_DESC => ZdpBody::NodeDescReq(AddrOfInterest::parse(r)?),
            NODE_DESC_RSP => ZdpBody::NodeDescRsp(NodeDescRsp::parse(r)?),
            POWER_DESC => ZdpBody::PowerDescReq(AddrOfInterest::parse(r)?),
            POWER_DESC_RSP => ZdpBody::PowerDescRsp(PowerDescRsp::parse(r)?),
            SIMPLE_DESC => ZdpBody::SimpleDescReq(SimpleDescReq::parse(r)?),
            SIMPLE_DESC_RSP => ZdpBody::SimpleDescRsp(SimpleDescRsp::parse(r)?),
            ACTIVE_EP => ZdpBody::ActiveEpReq(AddrOfInterest::parse(r)?),
            ACTIVE_EP_RSP => ZdpBody::ActiveEpRsp(EndpointListRsp::parse(r)?),
            MATCH_DESC => ZdpBody::MatchDescReq(MatchDescReq::parse(r)?),
            MATCH_DESC_RSP => ZdpBody::MatchDescRsp(EndpointListRsp::parse(r)?),
            DEVICE_ANNCE => ZdpBody::DeviceAnnce(DeviceAnnce::parse(r)?),
            BIND => ZdpBody::BindReq(BindReq::parse(r)?),
            BIND_RSP => ZdpBody::BindRsp(status(r)?),
            UNBIND => ZdpBody::UnbindReq(BindReq::parse(r)?),
            UNBIND_RSP => ZdpBody::UnbindRsp(status(r)?),
            MGMT_LQI => ZdpBody::MgmtLqiReq(TableReq::parse(r)?),
            MGMT_LQI_RSP => ZdpBody::MgmtLqiRsp(TableRsp::parse(r)?),
            MGMT_RTG => ZdpBody::MgmtRtgReq(TableReq::parse(r)?),
            MGMT_RTG_RSP => ZdpBody::MgmtRtgRsp(TableRsp::parse(r)?),
            MGMT_LEAVE => ZdpBody::MgmtLeaveReq(LeaveReq::parse(r)?),
            MGMT_LEAVE_RSP => ZdpBody::MgmtLeaveRsp(status(r)?),
            MGMT_PERMIT_JOINING => ZdpBody::MgmtPermitJoiningReq(PermitJoiningReq::parse(r)?),
            MGMT_PERMIT_JOINING_RSP => ZdpBody::MgmtPermitJoiningRsp(status(r)?),
            MGMT_NWK_UPDATE => ZdpBody::MgmtNwkUpdateReq(NwkUpdateReq::parse(r)?),
            MGMT_NWK_UPDATE_NOTIFY => ZdpBody::MgmtNwkUpdateNotify(NwkUpdateNotify::parse(r)?),
            _ => ZdpBody::Unknown {
                cluster,
                payload: r.rest().to_vec(),
            },
        })
    }

    /// Append the body's bytes.
    pub fn emit(&self, w: &mut Writer) {
        match self {
            ZdpBody::NwkAddrReq(b) => b.emit(w),
            ZdpBody::IeeeAddrReq(b) => b.emit(w),
            ZdpBody::NwkAddrRsp(b) | ZdpBody::IeeeAddrRsp(b) => b.emit(w),
            ZdpBody::NodeDescReq(b) | ZdpBody::PowerDescReq(b) | ZdpBody::ActiveEpReq(b) => {
                b.emit(w)
            }
            ZdpBody::NodeDescRsp(b) => b.emit(w),
            ZdpBody::PowerDescRsp(b) => b.emit(w),
            ZdpBody::SimpleDescReq(b) => b.emit(w),
            ZdpBody::SimpleDescRsp(b) => b.emit(w),
            ZdpBody::ActiveEpRsp(b) | ZdpBody::MatchDescRsp(b) => b.emit(w),
            ZdpBody::MatchDescReq(b) => b.emit(w),
            ZdpBody::DeviceAnnce(b) => b.emit(w),
            ZdpBody::BindReq(b) | ZdpBody::UnbindReq(b) => b.emit(w),
            ZdpBody::BindRsp(s)
            | ZdpBody::UnbindRsp(s)
            | ZdpBody::MgmtLeaveRsp(s)
            | ZdpBody::MgmtPermitJoiningRsp(s) => w.u8(s.value()),
            ZdpBody::MgmtLqiReq(b) | ZdpBody::MgmtRtgReq(b) => b.emit(w),
            ZdpBody::MgmtLqiRsp(b) => b.emit(w),
            ZdpBody::MgmtRtgRsp(b) => b.emit(w),
            ZdpBody::MgmtLeaveReq(b) => b.emit(w),
            ZdpBody::MgmtPermitJoiningReq(b) => b.emit(w),
            ZdpBody::MgmtNwkUpdateReq(b) => b.emit(w),
            ZdpBody::MgmtNwkUpdateNotify(b) => b.emit(w),
            ZdpBody::Unknown { payload, .. } => w.bytes(payload),
        }
    }
}

/// The name tshark (Wireshark `zbee_zdp`) gives a ZDP cluster.
pub fn cluster_name(cluster: u16) -> &'static str {
    match cluster {
        0x0000 => "Network Address Request",
        0x0001 => "Extended Address Request",
        0x0002 => "Node Descriptor Request",
        0x0003 => "Power Descriptor Request",
        0x0004 => "Simple Descriptor Request",
        0x0005 => "Active Endpoint Request",
        0x0006 => "Match Descriptor Request",
        0x0010 => "Complex Descriptor Request",
        0x0011 => "User Descriptor Request",
        0x0012 => "Discovery Cache Request",
        0x0013 => "Device Announcement",
        0x0014 => "Set User Descriptor Request",
        0x0015 => "Server Discovery Request",
        0x001f => "Parent Announce",
        0x0020 => "End Device Bind Request",
        0x0021 => "Bind Request",
        0x0022 => "Unbind Request",
        0x0030 => "Network Discovery Request",
        0x0031 => "Link Quality Request",
        0x0032 => "Routing Table Request",
        0x0033 => "Binding Table Request",
        0x0034 => "Leave Request",
        0x0035 => "Direct Join Request",
        0x0036 => "Permit Join Request",
        0x0037 => "Cache Request",
        0x0038 => "Network Update Request",
        0x8000 => "Network Address Response",
        0x8001 => "Extended Address Response",
        0x8002 => "Node Descriptor Response",
        0x8003 => "Power Descriptor Response",
        0x8004 => "Simple Descriptor Response",
        0x8005 => "Active Endpoint Response",
        0x8006 => "Match Descriptor Response",
        0x8010 => "Complex Descriptor Response",
        0x8011 => "User Descriptor Request", // sic: tshark's name for the response
        0x8012 => "Discovery Cache Response",
        0x8014 => "Set User Descriptor Confirm",
        0x8015 => "Server Discovery Response",
        0x8020 => "End Device Bind Response",
        0x8021 => "Bind Response",
        0x8022 => "Unbind Response",
        0x8030 => "Network Discovery Response",
        0x8031 => "Link Quality Response",
        0x8032 => "Routing Table Response",
        0x8033 => "Binding Table Response",
        0x8034 => "Leave Response",
        0x8035 => "Direct Join Response",
        0x8036 => "Permit Join Response",
        0x8037 => "Cache Response",
        0x8038 => "Network Update Notify",
        _ => "Unknown Cluster",
    }
}

/// A ZDP frame: transaction sequence number and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZdpFrame {
    /// Transaction sequence number.
    pub seq: u8,
    /// The body.
    pub body: ZdpBody,
}

impl ZdpFrame {
    /// Decode the ZDP payload (after the APS header) carried on APS `cluster`.
    pub fn parse_cluster(cluster: u16, bytes: &[u8]) -> Result<ZdpFrame> {
        let mut r = Reader::new(bytes);
        let seq = r.u8("ZDP sequence number")?;
        let body = ZdpBody::parse(cluster, &mut r)?;
        r.finish("ZDP frame")?;
        Ok(ZdpFrame { seq, body })
    }

    /// Append the ZDP payload.
    pub fn emit(&self, w: &mut Writer) {
        w.u8(self.seq);
        self.body.emit(w);
    }

    /// The ZDP payload as a fresh vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.emit(&mut w);
        w.into_vec()
    }
}

#[cfg(test)]
mod tests;
