//! ZDP device and service discovery: Node_Desc, Power_Desc, Simple_Desc, Active_EP,
//! Match_Desc (Zigbee PRO R22 2.3.2.3–2.3.2.5, 2.4.3.1.3–2.4.3.1.7, 2.4.4.2.3–2.4.4.2.7).

use bitflags::bitflags;

use super::addressing::Capability;
use super::{ZdpStatus, emit_u16_list, optional, parse_u16_list};
use crate::error::Result;
use crate::wire::wire_enum;
use crate::wire::{Reader, Wire, Writer};

/// A request naming only a network address of interest (Node_Desc_req,
/// Power_Desc_req, Active_EP_req).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddrOfInterest {
    /// The device asked about.
    pub nwk: u16,
}

impl Wire for AddrOfInterest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(AddrOfInterest {
            nwk: r.u16("network address of interest")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.nwk);
    }
}

wire_enum! {
    /// Zigbee logical device type (node descriptor bits 0–2; neighbour table device type).
    pub enum LogicalType: u8 {
        /// Coordinator.
        Coordinator = 0 => "Coordinator",
        /// Router.
        Router = 1 => "Router",
        /// End device.
        EndDevice = 2 => "End Device",
    }
}

bitflags! {
    /// Frequency bands of the node descriptor (its 5-bit band field, bit 0 = 868 MHz).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FrequencyBands: u8 {
        /// 868–868.6 MHz.
        const BAND_868 = 0x01;
        /// 902–928 MHz.
        const BAND_902 = 0x04;
        /// 2400–2483.5 MHz.
        const BAND_2400 = 0x08;
        /// European sub-GHz (863–876 MHz, 915–921 MHz).
        const BAND_EU_SUB_GHZ = 0x10;
    }
}

bitflags! {
    /// Server mask of the node descriptor; bits 9–15 hold the stack compliance revision.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ServerMask: u16 {
        /// Primary trust centre.
        const PRIMARY_TRUST_CENTER = 0x0001;
        /// Backup trust centre.
        const BACKUP_TRUST_CENTER = 0x0002;
        /// Primary binding table cache.
        const PRIMARY_BINDING_CACHE = 0x0004;
        /// Backup binding table cache.
        const BACKUP_BINDING_CACHE = 0x0008;
        /// Primary discovery cache.
        const PRIMARY_DISCOVERY_CACHE = 0x0010;
        /// Backup discovery cache.
        const BACKUP_DISCOVERY_CACHE = 0x0020;
        /// Network manager.
        const NETWORK_MANAGER = 0x0040;
    }
}

impl ServerMask {
    /// Stack compliance revision (bits 9–15; 22 for R22).
    pub fn stack_compliance_revision(self) -> u8 {
        (self.bits() >> 9) as u8
    }
}

bitflags! {
    /// Descriptor capability field of the node descriptor.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DescriptorCapability: u8 {
        /// Extended active endpoint list available.
        const EXTENDED_ACTIVE_ENDPOINT_LIST = 0x01;
        /// Extended simple descriptor list available.
        const EXTENDED_SIMPLE_DESCRIPTOR_LIST = 0x02;
    }
}

/// The node descriptor (Zigbee PRO R22 2.3.2.3), 13 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeDescriptor {
    /// Logical type (3 bits).
    pub logical_type: LogicalType,
    /// A complex descriptor is available.
    pub complex_desc_available: bool,
    /// A user descriptor is available.
    pub user_desc_available: bool,
    /// Reserved bits 5–7 of the first byte, as on air.
    pub reserved: u8,
    /// APS flags (3 bits).
    pub aps_flags: u8,
    /// Supported frequency bands.
    pub frequency_bands: FrequencyBands,
    /// MAC capability.
    pub mac_capability: Capability,
    /// Manufacturer code.
    pub manufacturer_code: u16,
    /// Maximum NSDU size.
    pub max_buffer_size: u8,
    /// Maximum incoming transfer size.
    pub max_incoming_transfer: u16,
    /// Server mask.
    pub server_mask: ServerMask,
    /// Maximum outgoing transfer size.
    pub max_outgoing_transfer: u16,
    /// Descriptor capability.
    pub descriptor_capability: DescriptorCapability,
}

impl Wire for NodeDescriptor {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let b0 = r.u8("node descriptor flags")?;
        let b1 = r.u8("node descriptor bands")?;
        Ok(NodeDescriptor {
            logical_type: LogicalType::from_value(b0 & 0x07),
            complex_desc_available: b0 & 0x08 != 0,
            user_desc_available: b0 & 0x10 != 0,
            reserved: b0 & 0xe0,
            aps_flags: b1 & 0x07,
            frequency_bands: FrequencyBands::from_bits_retain(b1 >> 3),
            mac_capability: Capability::from_bits_retain(r.u8("MAC capability")?),
            manufacturer_code: r.u16("manufacturer code")?,
            max_buffer_size: r.u8("maximum buffer size")?,
            max_incoming_transfer: r.u16("maximum incoming transfer size")?,
            server_mask: ServerMask::from_bits_retain(r.u16("server mask")?),
            max_outgoing_transfer: r.u16("maximum outgoing transfer size")?,
            descriptor_capability: DescriptorCapability::from_bits_retain(
                r.u8("descriptor capability")?,
            ),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8((self.logical_type.value() & 0x07)
            | if self.complex_desc_available { 0x08 } else { 0 }
            | if self.user_desc_available { 0x10 } else { 0 }
            | (self.reserved & 0xe0));
        w.u8((self.aps_flags & 0x07) | (self.frequency_bands.bits() << 3));
        w.u8(self.mac_capability.bits());
        w.u16(self.manufacturer_code);
        w.u8(self.max_buffer_size);
        w.u16(self.max_incoming_transfer);
        w.u16(self.server_mask.bits());
        w.u16(self.max_outgoing_transfer);
        w.u8(self.descriptor_capability.bits());
    }
}

/// Node_Desc_rsp and Power_Desc_rsp (same layout): status, then the
/// network address and the descriptor, each read while bytes remain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DescriptorRsp<D> {
    /// Outcome.
    pub status: ZdpStatus,
    /// The device described.
    pub nwk: Option<u16>,
    /// Its descriptor (only with `nwk`).
    pub descriptor: Option<D>,
}

impl<D: Wire> Wire for DescriptorRsp<D> {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let nwk = optional(r, |r| r.u16("network address of interest"))?;
        let descriptor = optional(r, D::parse)?;
        Ok(DescriptorRsp {
            status,
            nwk,
            descriptor,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(nwk) = self.nwk {
            w.u16(nwk);
        }
        if let Some(d) = &self.descriptor {
            d.emit(w);
        }
    }
}

/// Node_Desc_rsp.
pub type NodeDescRsp = DescriptorRsp<NodeDescriptor>;

wire_enum! {
    /// Current power mode (power descriptor bits 0–3).
    pub enum PowerMode: u8 {
        /// Receiver synchronised with the receiver-on-when-idle setting.
        AlwaysOn = 0 => "Receiver Always On",
        /// Receiver comes on periodically.
        PeriodicallyOn = 1 => "Receiver Periodically On",
        /// Receiver comes on when stimulated.
        OnWhenStimulated = 2 => "Receiver On When Stimulated",
    }
}

wire_enum! {
    /// Current power source level (power descriptor bits 12–15).
    pub enum PowerLevel: u8 {
        /// Critical.
        Critical = 0 => "Critical",
        /// About a third.
        Low = 4 => "Low",
        /// About two thirds.
        Ok = 8 => "OK",
        /// Full.
        Full = 12 => "Full",
    }
}

bitflags! {
    /// Power sources (a 4-bit field of the power descriptor).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PowerSources: u8 {
        /// Constant (mains) power.
        const MAINS = 0x01;
        /// Rechargeable battery.
        const RECHARGEABLE_BATTERY = 0x02;
        /// Disposable battery.
        const DISPOSABLE_BATTERY = 0x04;
    }
}

/// The node power descriptor (Zigbee PRO R22 2.3.2.4), 2 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerDescriptor {
    /// Current power mode.
    pub mode: PowerMode,
    /// Available power sources.
    pub available_sources: PowerSources,
    /// Current power source.
    pub current_source: PowerSources,
    /// Current power source level.
    pub level: PowerLevel,
}

impl Wire for PowerDescriptor {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let b0 = r.u8("power descriptor")?;
        let b1 = r.u8("power descriptor")?;
        Ok(PowerDescriptor {
            mode: PowerMode::from_value(b0 & 0x0f),
            available_sources: PowerSources::from_bits_retain(b0 >> 4),
            current_source: PowerSources::from_bits_retain(b1 & 0x0f),
            level: PowerLevel::from_value(b1 >> 4),
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8((self.mode.value() & 0x0f) | (self.available_sources.bits() << 4));
        w.u8((self.current_source.bits() & 0x0f) | (self.level.value() << 4));
    }
}

/// Power_Desc_rsp.
pub type PowerDescRsp = DescriptorRsp<PowerDescriptor>;

/// Simple_Desc_req: the simple descriptor of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SimpleDescReq {
    /// The device asked about.
    pub nwk: u16,
    /// The endpoint.
    pub endpoint: u8,
}

impl Wire for SimpleDescReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(SimpleDescReq {
            nwk: r.u16("network address of interest")?,
            endpoint: r.u8("endpoint")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.nwk);
        w.u8(self.endpoint);
    }
}

/// The simple descriptor of an endpoint (Zigbee PRO R22 2.3.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimpleDescriptor {
    /// Endpoint.
    pub endpoint: u8,
    /// Application profile.
    pub profile: u16,
    /// Application device identifier.
    pub device_id: u16,
    /// Device version byte (version in bits 0–3, the rest reserved, kept).
    pub device_version: u8,
    /// Input (server) clusters, at most 255.
    pub in_clusters: Vec<u16>,
    /// Output (client) clusters, at most 255.
    pub out_clusters: Vec<u16>,
}

impl Wire for SimpleDescriptor {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(SimpleDescriptor {
            endpoint: r.u8("endpoint")?,
            profile: r.u16("profile")?,
            device_id: r.u16("device id")?,
            device_version: r.u8("device version")?,
            in_clusters: parse_u16_list(r, "input cluster")?,
            out_clusters: parse_u16_list(r, "output cluster")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.endpoint);
        w.u16(self.profile);
        w.u16(self.device_id);
        w.u8(self.device_version);
        emit_u16_list(w, &self.in_clusters);
        emit_u16_list(w, &self.out_clusters);
    }
}

/// Simple_Desc_rsp.
///
/// After the status, the network address and the length byte are read when
/// bytes remain; the descriptor is present when the length is not zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimpleDescRsp {
    /// Outcome.
    pub status: ZdpStatus,
    /// The device described (with the length byte after it).
    pub nwk: Option<u16>,
    /// The descriptor (only with `nwk`; absent means length 0).
    pub descriptor: Option<SimpleDescriptor>,
}

impl Wire for SimpleDescRsp {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let mut descriptor = None;
        let nwk = optional(r, |r| {
            let nwk = r.u16("network address of interest")?;
            let len = r.u8("simple descriptor length")?;
            if len > 0 {
                let mut sub = r.sub(len as usize, "simple descriptor")?;
                descriptor = Some(SimpleDescriptor::parse(&mut sub)?);
                sub.finish("simple descriptor")?;
            }
            Ok(nwk)
        })?;
        Ok(SimpleDescRsp {
            status,
            nwk,
            descriptor,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(nwk) = self.nwk {
            w.u16(nwk);
            match &self.descriptor {
                Some(d) => {
                    let bytes = d.to_bytes();
                    w.u8(bytes.len() as u8);
                    w.bytes(&bytes);
                }
                None => w.u8(0),
            }
        }
    }
}

/// Active_EP_rsp and Match_Desc_rsp (same layout): status, then, when bytes
/// remain, the network address and a counted endpoint list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EndpointListRsp {
    /// Outcome.
    pub status: ZdpStatus,
    /// The responding device (with the endpoint list after it).
    pub nwk: Option<u16>,
    /// Endpoints (at most 255; only with `nwk`).
    pub endpoints: Vec<u8>,
}

impl Wire for EndpointListRsp {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let mut endpoints = Vec::new();
        let nwk = optional(r, |r| {
            let nwk = r.u16("network address of interest")?;
            let count = r.u8("endpoint count")?;
            endpoints = r.bytes(count as usize, "endpoint list")?.to_vec();
            Ok(nwk)
        })?;
        Ok(EndpointListRsp {
            status,
            nwk,
            endpoints,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(nwk) = self.nwk {
            w.u16(nwk);
            w.u8(self.endpoints.len() as u8);
            w.bytes(&self.endpoints);
        }
    }
}

/// Match_Desc_req: find endpoints with a profile and matching clusters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchDescReq {
    /// The network address of interest (often 0xfffd, all rx-on devices).
    pub nwk: u16,
    /// Profile to match.
    pub profile: u16,
    /// Input (server) clusters, at most 255.
    pub in_clusters: Vec<u16>,
    /// Output (client) clusters, at most 255.
    pub out_clusters: Vec<u16>,
}

impl Wire for MatchDescReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(MatchDescReq {
            nwk: r.u16("network address of interest")?,
            profile: r.u16("profile")?,
            in_clusters: parse_u16_list(r, "input cluster")?,
            out_clusters: parse_u16_list(r, "output cluster")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.nwk);
        w.u16(self.profile);
        emit_u16_list(w, &self.in_clusters);
        emit_u16_list(w, &self.out_clusters);
    }
}
