//! Power Configuration cluster 0x0001 (ZCL rev 6+ 3.3).

use crate::zcl::registry::{Attribute, Cluster, R, RP, RW, attr};

static SERVER: [Attribute; 17] = [
    attr(0x0000, "MainsVoltage", 0x21, R),
    attr(0x0001, "MainsFrequency", 0x20, R),
    attr(0x0010, "MainsAlarmMask", 0x18, RW),
    attr(0x0011, "MainsVoltageMinThreshold", 0x21, RW),
    attr(0x0012, "MainsVoltageMaxThreshold", 0x21, RW),
    attr(0x0013, "MainsVoltageDwellTripPoint", 0x21, RW),
    attr(0x0020, "BatteryVoltage", 0x20, R),
    attr(0x0021, "BatteryPercentageRemaining", 0x20, RP),
    attr(0x0030, "BatteryManufacturer", 0x42, RW),
    attr(0x0031, "BatterySize", 0x30, RW),
    attr(0x0032, "BatteryAHrRating", 0x21, RW),
    attr(0x0033, "BatteryQuantity", 0x20, RW),
    attr(0x0034, "BatteryRatedVoltage", 0x20, RW),
    attr(0x0035, "BatteryAlarmMask", 0x18, RW),
    attr(0x0036, "BatteryVoltageMinThreshold", 0x20, RW),
    attr(0x003d, "BatteryPercentageMinThreshold", 0x20, RW),
    attr(0x003e, "BatteryAlarmState", 0x1b, RP),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0001,
    name: "Power Configuration",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[],
    generated: &[],
};
