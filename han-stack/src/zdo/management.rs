//! ZDP network management: Mgmt_Lqi, Mgmt_Rtg, Mgmt_Leave, Mgmt_Permit_Joining,
//! Mgmt_NWK_Update (Zigbee PRO R22 2.4.3.3, 2.4.4.4).

use bitflags::bitflags;

use super::descriptors::LogicalType;
use super::{ZdpStatus, optional};
use crate::error::Result;
use crate::wire::wire_enum;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// A table read request (Mgmt_Lqi_req, Mgmt_Rtg_req): the first entry wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableReq {
    /// Index of the first entry.
    pub start_index: u8,
}

impl Wire for TableReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(TableReq {
            start_index: r.u8("start index")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.start_index);
    }
}

/// A slice of a remote table: total entries, start index, then a counted list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableSlice<T> {
    /// Entries in the whole table.
    pub total: u8,
    /// Index of the first entry listed.
    pub start_index: u8,
    /// The entries listed (at most 255).
    pub entries: Vec<T>,
}

/// A table response (Mgmt_Lqi_rsp, Mgmt_Rtg_rsp): status, then the table slice when bytes remain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableRsp<T> {
    /// Outcome.
    pub status: ZdpStatus,
    /// The entries, absent when the responder sent only a status.
    pub table: Option<TableSlice<T>>,
}

impl<T: Wire> Wire for TableRsp<T> {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let table = optional(r, |r| {
            let total = r.u8("table entries")?;
            let start_index = r.u8("start index")?;
            let count = r.u8("table list count")?;
            let entries = (0..count).map(|_| T::parse(r)).collect::<Result<_>>()?;
            Ok(TableSlice {
                total,
                start_index,
                entries,
            })
        })?;
        Ok(TableRsp { status, table })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(t) = &self.table {
            w.u8(t.total);
            w.u8(t.start_index);
            w.u8(t.entries.len() as u8);
            for e in &t.entries {
                e.emit(w);
            }
        }
    }
}

wire_enum! {
    /// A neighbour's relationship to the responder (3 bits).
    pub enum Relationship: u8 {
        /// The neighbour is the parent.
        Parent = 0 => "Parent",
        /// The neighbour is a child.
        Child = 1 => "Child",
        /// A sibling.
        Sibling = 2 => "Sibling",
        /// None of the above.
        None = 3 => "None",
        /// A former child.
        PreviousChild = 4 => "Previous Child",
    }
}

/// A neighbour table entry of Mgmt_Lqi_rsp (22 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Neighbor {
    /// Extended PAN id of the neighbour's network.
    pub extended_pan_id: u64,
    /// The neighbour's EUI-64.
    pub ext_addr: ExtAddr,
    /// The neighbour's network address.
    pub nwk: u16,
    /// Device type (bits 0–1).
    pub device_type: LogicalType,
    /// Receiver on when idle (bits 2–3: 0 off, 1 on, 2 unknown).
    pub rx_on_when_idle: u8,
    /// Relationship (bits 4–6).
    pub relationship: Relationship,
    /// Bit 7 of that byte, reserved, as on air.
    pub reserved: u8,
    /// Permit-joining byte (bits 0–1: 0 no, 1 yes, 2 unknown; the rest reserved, kept).
    pub permit_joining: u8,
    /// Tree depth.
    pub depth: u8,
    /// Link quality estimate.
    pub lqi: u8,
}

impl Wire for Neighbor {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let extended_pan_id = r.u64("extended PAN id")?;
        let ext_addr = ExtAddr::parse(r)?;
        let nwk = r.u16("neighbour network address")?;
        let b = r.u8("neighbour type")?;
        Ok(Neighbor {
            extended_pan_id,
            ext_addr,
            nwk,
            device_type: LogicalType::from_value(b & 0x03),
            rx_on_when_idle: (b >> 2) & 0x03,
            relationship: Relationship::from_value((b >> 4) & 0x07),
            reserved: b & 0x80,
            permit_joining: r.u8("permit joining")?,
            depth: r.u8("depth")?,
            lqi: r.u8("LQI")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u64(self.extended_pan_id);
        self.ext_addr.emit(w);
        w.u16(self.nwk);
        w.u8((self.device_type.value() & 0x03)
            | (self.rx_on_when_idle & 0x03) << 2
            | (self.relationship.value() & 0x07) << 4
            | (self.reserved & 0x80));
        w.u8(self.permit_joining);
        w.u8(self.depth);
        w.u8(self.lqi);
    }
}

wire_enum! {
    /// Route status (routing table entry bits 0–2).
    pub enum RouteStatus: u8 {
        /// Active.
        Active = 0 => "Active",
        /// Discovery underway.
        DiscoveryUnderway = 1 => "Discovery Underway",
        /// Discovery failed.
        DiscoveryFailed = 2 => "Discovery Failed",
        /// Inactive.
        Inactive = 3 => "Inactive",
        /// Validation underway.
        ValidationUnderway = 4 => "Validation Underway",
    }
}

bitflags! {
    /// Routing table entry flags (bits 3–7 of the status byte, as on air).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RouteFlags: u8 {
        /// The next hop is memory constrained.
        const MEMORY_CONSTRAINED = 0x08;
        /// The destination is a many-to-one concentrator.
        const MANY_TO_ONE = 0x10;
        /// A route record is required.
        const ROUTE_RECORD_REQUIRED = 0x20;
    }
}

/// A routing table entry of Mgmt_Rtg_rsp (5 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// Destination network address.
    pub dest: u16,
    /// Route status.
    pub status: RouteStatus,
    /// Flags (bits 3–7, reserved bits kept).
    pub flags: RouteFlags,
    /// Next hop network address.
    pub next_hop: u16,
}

impl Wire for Route {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let dest = r.u16("route destination")?;
        let b = r.u8("route status")?;
        Ok(Route {
            dest,
            status: RouteStatus::from_value(b & 0x07),
            flags: RouteFlags::from_bits_retain(b & 0xf8),
            next_hop: r.u16("next hop")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u16(self.dest);
        w.u8((self.status.value() & 0x07) | (self.flags.bits() & 0xf8));
        w.u16(self.next_hop);
    }
}

bitflags! {
    /// Mgmt_Leave_req option flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct LeaveFlags: u8 {
        /// The device should also remove its children.
        const REMOVE_CHILDREN = 0x40;
        /// The device should rejoin afterwards.
        const REJOIN = 0x80;
    }
}

/// Mgmt_Leave_req.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaveReq {
    /// The device to leave (all zero: the receiver itself).
    pub device: ExtAddr,
    /// Options.
    pub flags: LeaveFlags,
}

impl Wire for LeaveReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(LeaveReq {
            device: ExtAddr::parse(r)?,
            flags: LeaveFlags::from_bits_retain(r.u8("leave flags")?),
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.device.emit(w);
        w.u8(self.flags.bits());
    }
}

/// Mgmt_Permit_Joining_req.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PermitJoiningReq {
    /// Seconds to permit joining (0 off, 0xff on until told otherwise).
    pub duration: u8,
    /// Trust centre significance.
    pub tc_significance: u8,
}

impl Wire for PermitJoiningReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        Ok(PermitJoiningReq {
            duration: r.u8("permit duration")?,
            tc_significance: r.u8("trust center significance")?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.duration);
        w.u8(self.tc_significance);
    }
}

/// What a Mgmt_NWK_Update_req asks for, chosen by its scan duration byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NwkUpdateAction {
    /// Scan duration 0x00–0x05: an energy scan, `count` times.
    Scan {
        /// Scan duration exponent (0–5).
        duration: u8,
        /// Number of scans.
        count: u8,
    },
    /// Scan duration 0xfe: change to the single channel in the mask.
    ChangeChannel {
        /// nwkUpdateId.
        update_id: u8,
    },
    /// Scan duration 0xff: change the channel mask and network manager.
    SetManager {
        /// nwkUpdateId.
        update_id: u8,
        /// New network manager address.
        manager: u16,
    },
    /// Scan durations 0x06–0xfd, reserved, nothing follows.
    Reserved(u8),
}

/// Mgmt_NWK_Update_req.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NwkUpdateReq {
    /// Channel mask (bits 0–26 channels, 27–31 page).
    pub channels: u32,
    /// What is asked.
    pub action: NwkUpdateAction,
}

impl Wire for NwkUpdateReq {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let channels = r.u32("scan channels")?;
        let duration = r.u8("scan duration")?;
        let action = match duration {
            0x00..=0x05 => NwkUpdateAction::Scan {
                duration,
                count: r.u8("scan count")?,
            },
            0xfe => NwkUpdateAction::ChangeChannel {
                update_id: r.u8("update id")?,
            },
            0xff => NwkUpdateAction::SetManager {
                update_id: r.u8("update id")?,
                manager: r.u16("network manager")?,
            },
            other => NwkUpdateAction::Reserved(other),
        };
        Ok(NwkUpdateReq { channels, action })
    }

    fn emit(&self, w: &mut Writer) {
        w.u32(self.channels);
        match self.action {
            NwkUpdateAction::Scan { duration, count } => {
                w.u8(duration);
                w.u8(count);
            }
            NwkUpdateAction::ChangeChannel { update_id } => {
                w.u8(0xfe);
                w.u8(update_id);
            }
            NwkUpdateAction::SetManager { update_id, manager } => {
                w.u8(0xff);
                w.u8(update_id);
                w.u16(manager);
            }
            NwkUpdateAction::Reserved(d) => w.u8(d),
        }
    }
}

/// The energy report of Mgmt_NWK_Update_notify.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnergyReport {
    /// Channels scanned.
    pub scanned_channels: u32,
    /// Total transmissions.
    pub total_transmissions: u16,
    /// Transmission failures.
    pub transmission_failures: u16,
    /// Energy per scanned channel (at most 255).
    pub energies: Vec<u8>,
}

/// Mgmt_NWK_Update_notify: status, then the energy report when bytes remain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NwkUpdateNotify {
    /// Outcome.
    pub status: ZdpStatus,
    /// The report.
    pub report: Option<EnergyReport>,
}

impl Wire for NwkUpdateNotify {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = ZdpStatus::from_value(r.u8("ZDP status")?);
        let report = optional(r, |r| {
            let scanned_channels = r.u32("scanned channels")?;
            let total_transmissions = r.u16("total transmissions")?;
            let transmission_failures = r.u16("transmission failures")?;
            let count = r.u8("scanned channel count")?;
            Ok(EnergyReport {
                scanned_channels,
                total_transmissions,
                transmission_failures,
                energies: r.bytes(count as usize, "channel energy")?.to_vec(),
            })
        })?;
        Ok(NwkUpdateNotify { status, report })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.status.value());
        if let Some(rep) = &self.report {
            w.u32(rep.scanned_channels);
            w.u16(rep.total_transmissions);
            w.u16(rep.transmission_failures);
            w.u8(rep.energies.len() as u8);
            w.bytes(&rep.energies);
        }
    }
}
