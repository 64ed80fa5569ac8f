//! The GPF (Gas Proxy Function): a Metering server inside the comms hub that mirrors the
//! gas meter (MeteringDeviceType 0x80, mirrored gas; domain.md 3.7). The GSME pushes its
//! register to it; the IHD reads it, never the sleeping GSME (domain.md 1.2).

use crate::behaviour::{
    CURRENT_SUMMATION_DELIVERED, METERING_DEVICE_TYPE, ZclIndication, attribute_values,
};
use han_mesh::time::SimTime;
use han_stack::zcl::{DataType, ZclValue};

/// Metering ReadingSnapshotTime (UTC).
pub const READING_SNAPSHOT_TIME: u16 = 0x0007;
/// Metering UnitOfMeasure (enum8): 0x01 m³.
pub const UNIT_OF_MEASURE: u16 = 0x0300;
/// Metering Divisor (uint24).
pub const DIVISOR: u16 = 0x0302;

/// The mirror's registers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GasMirror {
    /// Mirrored CurrentSummationDelivered (litres: m³ with divisor 1000).
    pub summation_l: Option<u64>,
    /// ReadingSnapshotTime of that value (ZCL UTC).
    pub snapshot_utc: Option<u32>,
    /// Updates taken from the GSME.
    pub updates: u64,
    /// When the last update arrived.
    pub updated_at: Option<SimTime>,
}

impl GasMirror {
    /// Take a Report Attributes push from the GSME.
    pub fn take_push(&mut self, msg: &ZclIndication, now: SimTime) -> bool {
        let Some(cmd) = msg.command() else {
            return false;
        };
        let mut took = false;
        for (id, v) in attribute_values(&cmd) {
            match (id, v) {
                (CURRENT_SUMMATION_DELIVERED, ZclValue::Scalar(_, s)) => {
                    self.summation_l = Some(s);
                    took = true;
                }
                (READING_SNAPSHOT_TIME, ZclValue::Scalar(_, t)) => {
                    self.snapshot_utc = Some(t as u32)
                }
                _ => {}
            }
        }
        if took {
            self.updates += 1;
            self.updated_at = Some(now);
        }
        took
    }

    /// An attribute value as the Metering server of the mirror.
    pub fn attribute(&self, id: u16) -> Option<ZclValue> {
        match id {
            CURRENT_SUMMATION_DELIVERED => self.summation_l.map(|s| ZclValue::uint(6, s)),
            READING_SNAPSHOT_TIME => self
                .snapshot_utc
                .map(|t| ZclValue::Scalar(DataType(0xe2), u64::from(t))),
            METERING_DEVICE_TYPE => Some(ZclValue::Scalar(DataType::bitmap(1), 0x80)),
            UNIT_OF_MEASURE => Some(ZclValue::Scalar(DataType(0x30), 0x01)),
            DIVISOR => Some(ZclValue::uint(3, 1000)),
            _ => None,
        }
    }
}
