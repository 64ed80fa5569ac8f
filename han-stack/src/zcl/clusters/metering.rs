//! Metering cluster 0x0702 (SE 1.4 D.3): attribute sets and the commands the GPF and meters use.

use crate::zcl::field::{Rest, U24, payload};
use crate::zcl::registry::{Attribute, Cluster, R, RP, RW, attr, numbered_attr};

payload! {
    /// Get Profile (client-to-server 0x00).
    GetProfile { interval_channel: u8, end_time: u32, number_of_periods: u8 }
}

payload! {
    /// Get Profile Response (server-to-client 0x00): most recent interval first.
    GetProfileResponse {
        end_time: u32,
        status: u8,
        profile_interval_period: u8,
        number_of_periods_delivered: u8,
        intervals: Vec<U24>,
    }
}

payload! {
    /// Request Mirror (server-to-client 0x01): no fields.
    RequestMirror {}
}

payload! {
    /// Request Mirror Response (client-to-server 0x01): the mirror's endpoint (0xffff = none).
    RequestMirrorResponse { endpoint_id: u16 }
}

payload! {
    /// Remove Mirror (server-to-client 0x02): no fields.
    RemoveMirror {}
}

payload! {
    /// Mirror Removed (client-to-server 0x02).
    MirrorRemoved { endpoint_id: u16 }
}

payload! {
    /// Request Fast Poll Mode (client-to-server 0x03).
    RequestFastPollMode { fast_poll_update_period: u8, duration_in_minutes: u8 }
}

payload! {
    /// Request Fast Poll Mode Response (server-to-client 0x03).
    RequestFastPollModeResponse { applied_update_period: u8, fast_poll_mode_end_time: u32 }
}

payload! {
    /// Get Snapshot (client-to-server 0x06).
    GetSnapshot { earliest_start_time: u32, latest_end_time: u32, snapshot_offset: u8, snapshot_cause: u32 }
}

payload! {
    /// Publish Snapshot (server-to-client 0x06); the snapshot payload is kept raw.
    PublishSnapshot {
        snapshot_id: u32,
        snapshot_time: u32,
        total_snapshots_found: u8,
        command_index: u8,
        total_number_of_commands: u8,
        snapshot_cause: u32,
        snapshot_payload_type: u8,
        snapshot_payload: Rest,
    }
}

static SERVER: [Attribute; 127] = [
    // Reading Information Set (D.3.2.2.1)
    attr(0x0000, "CurrentSummationDelivered", 0x25, RP),
    attr(0x0001, "CurrentSummationReceived", 0x25, R),
    attr(0x0002, "CurrentMaxDemandDelivered", 0x25, R),
    attr(0x0003, "CurrentMaxDemandReceived", 0x25, R),
    attr(0x0004, "DFTSummation", 0x25, R),
    attr(0x0005, "DailyFreezeTime", 0x21, R),
    attr(0x0006, "PowerFactor", 0x28, R),
    attr(0x0007, "ReadingSnapshotTime", 0xe2, R),
    attr(0x0008, "CurrentMaxDemandDeliveredTime", 0xe2, R),
    attr(0x0009, "CurrentMaxDemandReceivedTime", 0xe2, R),
    attr(0x000a, "DefaultUpdatePeriod", 0x20, R),
    attr(0x000b, "FastPollUpdatePeriod", 0x20, R),
    attr(0x000c, "CurrentBlockPeriodConsumptionDelivered", 0x25, R),
    attr(0x000d, "DailyConsumptionTarget", 0x22, R),
    attr(0x000e, "CurrentBlock", 0x30, R),
    attr(0x000f, "ProfileIntervalPeriod", 0x30, R),
    attr(0x0010, "IntervalReadReportingPeriod", 0x21, R),
    attr(0x0011, "PresetReadingTime", 0x21, R),
    attr(0x0012, "VolumePerReport", 0x21, R),
    attr(0x0013, "FlowRestriction", 0x20, R),
    attr(0x0014, "SupplyStatus", 0x30, R),
    attr(0x0015, "CurrentInletEnergyCarrierSummation", 0x25, R),
    attr(0x0016, "CurrentOutletEnergyCarrierSummation", 0x25, R),
    attr(0x0017, "InletTemperature", 0x2a, R),
    attr(0x0018, "OutletTemperature", 0x2a, R),
    attr(0x0019, "ControlTemperature", 0x2a, R),
    attr(0x001a, "CurrentInletEnergyCarrierDemand", 0x2a, R),
    attr(0x001b, "CurrentOutletEnergyCarrierDemand", 0x2a, R),
    attr(0x001c, "PreviousBlockPeriodConsumptionDelivered", 0x25, R),
    attr(0x001d, "CurrentBlockPeriodConsumptionReceived", 0x25, R),
    attr(0x001e, "CurrentBlockReceived", 0x30, R),
    attr(0x001f, "DFTSummationReceived", 0x25, R),
    attr(0x0020, "ActiveRegisterTierDelivered", 0x30, R),
    attr(0x0021, "ActiveRegisterTierReceived", 0x30, R),
    attr(0x0022, "LastBlockSwitchTime", 0xe2, R),
    // Summation TOU Information Set (D.3.2.2.2); tiers are numbered below.
    attr(0x01fc, "CPP1SummationDelivered", 0x25, R),
    attr(0x01fe, "CPP2SummationDelivered", 0x25, R),
    // Meter Status Set (D.3.2.2.3)
    attr(0x0200, "Status", 0x18, RP),
    attr(0x0201, "RemainingBatteryLife", 0x20, R),
    attr(0x0202, "HoursInOperation", 0x22, R),
    attr(0x0203, "HoursInFault", 0x22, R),
    attr(0x0204, "ExtendedStatus", 0x1f, R),
    attr(0x0205, "RemainingBatteryLifeInDays", 0x21, R),
    attr(0x0206, "CurrentMeterID", 0x41, R),
    attr(0x0207, "AmbientConsumptionIndicator", 0x30, R),
    // Formatting Set (D.3.2.2.4)
    attr(0x0300, "UnitOfMeasure", 0x30, R),
    attr(0x0301, "Multiplier", 0x22, R),
    attr(0x0302, "Divisor", 0x22, R),
    attr(0x0303, "SummationFormatting", 0x18, R),
    attr(0x0304, "DemandFormatting", 0x18, R),
    attr(0x0305, "HistoricalConsumptionFormatting", 0x18, R),
    attr(0x0306, "MeteringDeviceType", 0x18, R),
    attr(0x0307, "SiteID", 0x41, R),
    attr(0x0308, "MeterSerialNumber", 0x41, R),
    attr(0x0309, "EnergyCarrierUnitOfMeasure", 0x30, R),
    attr(0x030a, "EnergyCarrierSummationFormatting", 0x18, R),
    attr(0x030b, "EnergyCarrierDemandFormatting", 0x18, R),
    attr(0x030c, "TemperatureUnitOfMeasure", 0x30, R),
    attr(0x030d, "TemperatureFormatting", 0x18, R),
    attr(0x030e, "ModuleSerialNumber", 0x41, R),
    attr(0x030f, "OperatingTariffLabelDelivered", 0x41, R),
    attr(0x0310, "OperatingTariffLabelReceived", 0x41, R),
    attr(0x0311, "CustomerIDNumber", 0x41, R),
    attr(0x0312, "AlternativeUnitOfMeasure", 0x30, R),
    attr(0x0313, "AlternativeDemandFormatting", 0x18, R),
    attr(0x0314, "AlternativeConsumptionFormatting", 0x18, R),
    // Historical Consumption Set (D.3.2.2.5); day/week/month history is numbered below.
    attr(0x0400, "InstantaneousDemand", 0x2a, RP),
    attr(0x0401, "CurrentDayConsumptionDelivered", 0x22, R),
    attr(0x0402, "CurrentDayConsumptionReceived", 0x22, R),
    attr(0x0403, "PreviousDayConsumptionDelivered", 0x22, R),
    attr(0x0404, "PreviousDayConsumptionReceived", 0x22, R),
    attr(
        0x0405,
        "CurrentPartialProfileIntervalStartTimeDelivered",
        0xe2,
        R,
    ),
    attr(
        0x0406,
        "CurrentPartialProfileIntervalStartTimeReceived",
        0xe2,
        R,
    ),
    attr(
        0x0407,
        "CurrentPartialProfileIntervalValueDelivered",
        0x22,
        R,
    ),
    attr(
        0x0408,
        "CurrentPartialProfileIntervalValueReceived",
        0x22,
        R,
    ),
    attr(0x0409, "CurrentDayMaxPressure", 0x25, R),
    attr(0x040a, "CurrentDayMinPressure", 0x25, R),
    attr(0x040b, "PreviousDayMaxPressure", 0x25, R),
    attr(0x040c, "PreviousDayMinPressure", 0x25, R),
    attr(0x040d, "CurrentDayMaxDemand", 0x2a, R),
    attr(0x040e, "PreviousDayMaxDemand", 0x2a, R),
    attr(0x040f, "CurrentMonthMaxDemand", 0x2a, R),
    attr(0x0410, "CurrentYearMaxDemand", 0x2a, R),
    attr(0x0411, "CurrentDayMaxEnergyCarrierDemand", 0x2a, R),
    attr(0x0412, "PreviousDayMaxEnergyCarrierDemand", 0x2a, R),
    attr(0x0413, "CurrentMonthMaxEnergyCarrierDemand", 0x2a, R),
    attr(0x0414, "CurrentMonthMinEnergyCarrierDemand", 0x2a, R),
    attr(0x0415, "CurrentYearMaxEnergyCarrierDemand", 0x2a, R),
    attr(0x0416, "CurrentYearMinEnergyCarrierDemand", 0x2a, R),
    attr(0x045c, "HistoricalFreezeTime", 0x21, R),
    // Load Profile Configuration Set (D.3.2.2.6)
    attr(0x0500, "MaxNumberOfPeriodsDelivered", 0x20, R),
    // Supply Limit Set (D.3.2.2.7)
    attr(0x0600, "CurrentDemandDelivered", 0x22, R),
    attr(0x0601, "DemandLimit", 0x22, R),
    attr(0x0602, "DemandIntegrationPeriod", 0x20, R),
    attr(0x0603, "NumberOfDemandSubintervals", 0x20, R),
    attr(0x0604, "DemandLimitArmDuration", 0x21, R),
    attr(0x0605, "LoadLimitSupplyState", 0x30, R),
    attr(0x0606, "LoadLimitCounter", 0x20, R),
    attr(0x0607, "SupplyTamperState", 0x30, R),
    attr(0x0608, "SupplyDepletionState", 0x30, R),
    attr(0x0609, "SupplyUncontrolledFlowState", 0x30, R),
    // Alarms Set (D.3.2.2.9)
    attr(0x0800, "GenericAlarmMask", 0x19, RW),
    attr(0x0801, "ElectricityAlarmMask", 0x1b, RW),
    attr(0x0802, "GenericFlowPressureAlarmMask", 0x19, RW),
    attr(0x0803, "WaterSpecificAlarmMask", 0x19, RW),
    attr(0x0804, "HeatAndCoolingSpecificAlarmMask", 0x19, RW),
    attr(0x0805, "GasSpecificAlarmMask", 0x19, RW),
    attr(0x0806, "ExtendedGenericAlarmMask", 0x1d, RW),
    attr(0x0807, "ManufacturerAlarmMask", 0x19, RW),
    // Billing Set (D.3.2.2.11)
    attr(0x0a00, "BillToDateDelivered", 0x23, R),
    attr(0x0a01, "BillToDateTimeStampDelivered", 0xe2, R),
    attr(0x0a02, "ProjectedBillDelivered", 0x23, R),
    attr(0x0a03, "ProjectedBillTimeStampDelivered", 0xe2, R),
    attr(0x0a04, "BillDeliveredTrailingDigit", 0x18, R),
    attr(0x0a10, "BillToDateReceived", 0x23, R),
    attr(0x0a11, "BillToDateTimeStampReceived", 0xe2, R),
    attr(0x0a12, "ProjectedBillReceived", 0x23, R),
    attr(0x0a13, "ProjectedBillTimeStampReceived", 0xe2, R),
    attr(0x0a14, "BillReceivedTrailingDigit", 0x18, R),
    // Supply Control Set (D.3.2.2.12)
    attr(0x0b00, "ProposedChangeSupplyImplementationTime", 0xe2, R),
    attr(0x0b01, "ProposedChangeSupplyStatus", 0x30, R),
    attr(0x0b10, "UncontrolledFlowThreshold", 0x21, R),
    attr(0x0b11, "UncontrolledFlowUnitOfMeasure", 0x30, R),
    attr(0x0b12, "UncontrolledFlowMultiplier", 0x21, R),
    attr(0x0b13, "UncontrolledFlowDivisor", 0x21, R),
    attr(0x0b14, "FlowStabilisationPeriod", 0x20, R),
    attr(0x0b15, "FlowMeasurementPeriod", 0x21, R),
];

/// Notification Attribute Set on the client (D.3.3.2.1).
static CLIENT: [Attribute; 5] = [
    attr(0x0000, "FunctionalNotificationFlags", 0x1b, R),
    attr(0x0001, "NotificationFlags2", 0x1b, R),
    attr(0x0002, "NotificationFlags3", 0x1b, R),
    attr(0x0003, "NotificationFlags4", 0x1b, R),
    attr(0x0004, "NotificationFlags5", 0x1b, R),
];

/// "Delivered" for even offsets from `base`, "Received" for odd ones.
pub(crate) fn direction(id: u16, base: u16) -> &'static str {
    if (id - base).is_multiple_of(2) {
        "Delivered"
    } else {
        "Received"
    }
}

/// Day, week and month history at `id` (0x0420-0x045B), with `alt` ("Alternative" for
/// the 0x0Cxx set) before "Consumption" (SE 1.4 D.3.2.2.5, D.3.2.2.13).
pub(crate) fn history(id: u16, alt: &str) -> Option<(String, u8)> {
    let (period, base, first, ty) = match id {
        0x0420..=0x042d => ("PreviousDay", 0x0420, 2, 0x22),
        0x0430..=0x0431 => ("CurrentWeek", 0x0430, 0, 0x22),
        0x0432..=0x0433 => ("PreviousWeek", 0x0432, 0, 0x22),
        0x0434..=0x043b => ("PreviousWeek", 0x0434, 2, 0x22),
        0x0440..=0x0441 => ("CurrentMonth", 0x0440, 0, 0x23),
        0x0442..=0x0443 => ("PreviousMonth", 0x0442, 0, 0x23),
        0x0444..=0x045b => ("PreviousMonth", 0x0444, 2, 0x23),
        _ => return None,
    };
    let n = if first == 0 {
        String::new()
    } else {
        ((id - base) / 2 + first).to_string()
    };
    let dir = direction(id, base);
    Some((format!("{period}{n}{alt}Consumption{dir}"), ty))
}

/// Alternative Historical Consumption set 0x0C00-0x0C10 (SE 1.4 D.3.2.2.13), in the
/// order of the 0x0400 set it mirrors.
static ALTERNATIVE: [(&str, u8); 17] = [
    ("AlternativeInstantaneousDemand", 0x2a),
    ("CurrentDayAlternativeConsumptionDelivered", 0x22),
    ("CurrentDayAlternativeConsumptionReceived", 0x22),
    ("PreviousDayAlternativeConsumptionDelivered", 0x22),
    ("PreviousDayAlternativeConsumptionReceived", 0x22),
    (
        "CurrentAlternativePartialProfileIntervalStartTimeDelivered",
        0xe2,
    ),
    (
        "CurrentAlternativePartialProfileIntervalStartTimeReceived",
        0xe2,
    ),
    (
        "CurrentAlternativePartialProfileIntervalValueDelivered",
        0x22,
    ),
    (
        "CurrentAlternativePartialProfileIntervalValueReceived",
        0x22,
    ),
    ("CurrentDayAlternativeMaxPressure", 0x25),
    ("CurrentDayAlternativeMinPressure", 0x25),
    ("PreviousDayAlternativeMaxPressure", 0x25),
    ("PreviousDayAlternativeMinPressure", 0x25),
    ("CurrentDayAlternativeMaxDemand", 0x2a),
    ("PreviousDayAlternativeMaxDemand", 0x2a),
    ("CurrentMonthAlternativeMaxDemand", 0x2a),
    ("CurrentYearAlternativeMaxDemand", 0x2a),
];

/// Tier summations 0x0100-0x015F, day/week/month history 0x0420-0x045B, block
/// summations delivered 0x0700-0x07FF and received 0x0900-0x09FF, alternative
/// history 0x0C00-0x0C5B (SE 1.4 D.3.2.2.2, .5, .8, .10, .13).
fn numbered(id: u16) -> Option<Attribute> {
    let (name, ty) = match id {
        0x0100..=0x015f => {
            let n = (id - 0x0100) / 2 + 1;
            (
                format!("CurrentTier{n}Summation{}", direction(id, 0x0100)),
                0x25,
            )
        }
        0x0420..=0x045b => history(id, "")?,
        0x0700..=0x07ff | 0x0900..=0x09ff => {
            let (t, b) = ((id >> 4) & 0xf, (id & 0xf) + 1);
            let tier = if t == 0 {
                "NoTier".to_owned()
            } else {
                format!("Tier{t}")
            };
            let dir = if id < 0x0900 { "Delivered" } else { "Received" };
            (format!("Current{tier}Block{b}Summation{dir}"), 0x25)
        }
        0x0c00..=0x0c10 => {
            let (n, t) = ALTERNATIVE.get((id - 0x0c00) as usize)?;
            ((*n).to_owned(), *t)
        }
        0x0c20..=0x0c5b => history(id - 0x0800, "")
            .map(|(n, t)| (n.replace("Consumption", "AlternativeConsumption"), t))?,
        _ => return None,
    };
    Some(numbered_attr(id, name, ty))
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0702,
    name: "Metering",
    server_attributes: &SERVER,
    client_attributes: &CLIENT,
    numbered: Some(numbered),
    received: &[
        (0x00, "Get Profile"),
        (0x01, "Request Mirror Response"),
        (0x02, "Mirror Removed"),
        (0x03, "Request Fast Poll Mode"),
        (0x04, "Schedule Snapshot"),
        (0x05, "Take Snapshot"),
        (0x06, "Get Snapshot"),
        (0x07, "Start Sampling"),
        (0x08, "Get Sampled Data"),
        (0x09, "Mirror Report Attribute Response"),
        (0x0a, "Reset Load Limit Counter"),
        (0x0b, "Change Supply"),
        (0x0c, "Local Change Supply"),
        (0x0d, "Set Supply Status"),
        (0x0e, "Set Uncontrolled Flow Threshold"),
    ],
    generated: &[
        (0x00, "Get Profile Response"),
        (0x01, "Request Mirror"),
        (0x02, "Remove Mirror"),
        (0x03, "Request Fast Poll Mode Response"),
        (0x04, "Schedule Snapshot Response"),
        (0x05, "Take Snapshot Response"),
        (0x06, "Publish Snapshot"),
        (0x07, "Get Sampled Data Response"),
        (0x08, "Configure Mirror"),
        (0x09, "Configure Notification Scheme"),
        (0x0a, "Configure Notification Flags"),
        (0x0b, "Get Notified Message"),
        (0x0c, "Supply Status Response"),
        (0x0d, "Start Sampling Response"),
    ],
};
