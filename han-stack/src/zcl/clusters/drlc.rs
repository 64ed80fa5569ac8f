//! Demand Response and Load Control cluster 0x0701 (SE 1.4 D.2).

use crate::zcl::field::{Fixed, payload};
use crate::zcl::registry::{Attribute, Cluster, RW, attr};

payload! {
    /// Load Control Event (server-to-client 0x00).
    LoadControlEvent {
        issuer_event_id: u32,
        device_class: u16,
        utility_enrollment_group: u8,
        start_time: u32,
        duration_in_minutes: u16,
        criticality_level: u8,
        cooling_temperature_offset: u8,
        heating_temperature_offset: u8,
        cooling_temperature_set_point: i16,
        heating_temperature_set_point: i16,
        average_load_adjustment_percentage: i8,
        duty_cycle: u8,
        event_control: u8,
    }
}

payload! {
    /// Cancel Load Control Event (server-to-client 0x01).
    CancelLoadControlEvent {
        issuer_event_id: u32,
        device_class: u16,
        utility_enrollment_group: u8,
        cancel_control: u8,
        effective_time: u32,
    }
}

payload! {
    /// Report Event Status (client-to-server 0x00); signature type 1 is an ECDSA signature.
    ReportEventStatus {
        issuer_event_id: u32,
        event_status: u8,
        event_status_time: u32,
        criticality_level_applied: u8,
        cooling_temperature_set_point_applied: u16,
        heating_temperature_set_point_applied: u16,
        average_load_adjustment_percentage_applied: i8,
        duty_cycle_applied: u8,
        event_control: u8,
        signature_type: u8,
        signature: Fixed<42>,
    }
}

static CLIENT: [Attribute; 4] = [
    attr(0x0000, "UtilityEnrollmentGroup", 0x20, RW),
    attr(0x0001, "StartRandomizationMinutes", 0x20, RW),
    attr(0x0002, "DurationRandomizationMinutes", 0x20, RW),
    attr(0x0003, "DeviceClassValue", 0x19, RW),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0701,
    name: "Demand Response and Load Control",
    server_attributes: &[],
    client_attributes: &CLIENT,
    numbered: None,
    received: &[
        (0x00, "Report Event Status"),
        (0x01, "Get Scheduled Events"),
    ],
    generated: &[
        (0x00, "Load Control Event"),
        (0x01, "Cancel Load Control Event"),
        (0x02, "Cancel All Load Control Events"),
    ],
};
