//! Basic cluster 0x0000 (ZCL rev 6+ 3.2).

use crate::zcl::registry::{Attribute, Cluster, R, RW, attr};

static SERVER: [Attribute; 21] = [
    attr(0x0000, "ZCLVersion", 0x20, R),
    attr(0x0001, "ApplicationVersion", 0x20, R),
    attr(0x0002, "StackVersion", 0x20, R),
    attr(0x0003, "HWVersion", 0x20, R),
    attr(0x0004, "ManufacturerName", 0x42, R),
    attr(0x0005, "ModelIdentifier", 0x42, R),
    attr(0x0006, "DateCode", 0x42, R),
    attr(0x0007, "PowerSource", 0x30, R),
    attr(0x0008, "GenericDeviceClass", 0x30, R),
    attr(0x0009, "GenericDeviceType", 0x30, R),
    attr(0x000a, "ProductCode", 0x41, R),
    attr(0x000b, "ProductURL", 0x42, R),
    attr(0x000c, "ManufacturerVersionDetails", 0x42, R),
    attr(0x000d, "SerialNumber", 0x42, R),
    attr(0x000e, "ProductLabel", 0x42, R),
    attr(0x0010, "LocationDescription", 0x42, RW),
    attr(0x0011, "PhysicalEnvironment", 0x30, RW),
    attr(0x0012, "DeviceEnabled", 0x10, RW),
    attr(0x0013, "AlarmMask", 0x18, RW),
    attr(0x0014, "DisableLocalConfig", 0x18, RW),
    attr(0x4000, "SWBuildID", 0x42, R),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0000,
    name: "Basic",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[(0x00, "Reset to Factory Defaults")],
    generated: &[],
};
