//! Prepayment cluster 0x0705 (SE 1.4 D.7).

use crate::zcl::field::{OctetStr, payload};
use crate::zcl::registry::{Attribute, Cluster, R, RW, attr, numbered_attr};

payload! {
    /// Select Available Emergency Credit (client-to-server 0x00).
    SelectAvailableEmergencyCredit { command_issue_date_time: u32, originating_device: u8 }
}

payload! {
    /// Change Supply (client-to-server 0x01, SE 1.1).
    ChangeSupply {
        provider_id: u32,
        request_date_time: u32,
        site_id: OctetStr,
        meter_serial_number: OctetStr,
        implementation_date_time: u32,
        proposed_supply_status: u8,
        originator_id_supply_control_bits: u8,
    }
}

payload! {
    /// Emergency Credit Setup (client-to-server 0x03).
    EmergencyCreditSetup {
        issuer_event_id: u32,
        start_time: u32,
        emergency_credit_limit: u32,
        emergency_credit_threshold: u32,
    }
}

payload! {
    /// Consumer Top Up (client-to-server 0x04).
    ConsumerTopUp { originating_device: u8, top_up_code: OctetStr }
}

payload! {
    /// Consumer Top Up Response (server-to-client 0x03).
    ConsumerTopUpResponse { result_type: u8, top_up_value: i32, source_of_top_up: u8, credit_remaining: i32 }
}

static SERVER: [Attribute; 28] = [
    attr(0x0000, "PaymentControlConfiguration", 0x19, R),
    attr(0x0001, "CreditRemaining", 0x2b, R),
    attr(0x0002, "EmergencyCreditRemaining", 0x2b, R),
    attr(0x0003, "CreditStatus", 0x18, R),
    attr(0x0004, "CreditRemainingTimeStamp", 0xe2, R),
    attr(0x0005, "AccumulatedDebt", 0x2b, R),
    attr(0x0006, "OverallDebtCap", 0x2b, R),
    attr(0x0010, "EmergencyCreditLimitAllowance", 0x23, R),
    attr(0x0011, "EmergencyCreditThreshold", 0x23, R),
    attr(0x0020, "TotalCreditAdded", 0x25, R),
    attr(0x0021, "MaxCreditLimit", 0x23, R),
    attr(0x0022, "MaxCreditPerTopUp", 0x23, R),
    attr(0x0030, "FriendlyCreditWarning", 0x20, R),
    attr(0x0031, "LowCreditWarning", 0x23, R),
    attr(0x0032, "IHDLowCreditWarning", 0x23, R),
    attr(0x0033, "InterruptSuspendTime", 0x20, R),
    attr(0x0034, "RemainingFriendlyCreditTime", 0x21, R),
    attr(0x0035, "NextFriendlyCreditPeriod", 0xe2, R),
    attr(0x0040, "CutOffValue", 0x2b, R),
    attr(0x0080, "TokenCarrierID", 0x41, R),
    // Alarms set (SE 1.4 D.7.2.2.5)
    attr(0x0400, "PrepaymentAlarmStatus", 0x19, R),
    attr(0x0401, "PrepayGenericAlarmMask", 0x19, RW),
    attr(0x0402, "PrepaySwitchAlarmMask", 0x19, RW),
    attr(0x0403, "PrepayEventAlarmMask", 0x19, RW),
    // Historical Cost Consumption Information set (SE 1.4 D.7.2.2.6)
    attr(0x0500, "HistoricalCostConsumptionFormatting", 0x18, R),
    attr(0x0501, "ConsumptionUnitOfMeasurement", 0x30, R),
    attr(0x0502, "CurrencyScalingFactor", 0x30, R),
    attr(0x0503, "Currency", 0x21, R),
];

/// Top-up log 0x01n0-3 (n 0-4), debt sets 0x02n0-9 (n 1-3), cost history 0x051C-0x055C
/// (SE 1.4 D.7.2.2.3, D.7.2.2.4, D.7.2.2.6).
fn numbered(id: u16) -> Option<Attribute> {
    let n = (id >> 4) & 0xf;
    let (name, ty) = match id {
        0x0100..=0x014f => {
            let (what, ty) = match id & 0xf {
                0 => ("TopUpDateTime", 0xe2),
                1 => ("TopUpAmount", 0x2b),
                2 => ("OriginatingDevice", 0x30),
                3 => ("TopUpCode", 0x41),
                _ => return None,
            };
            (format!("{what}{}", n + 1), ty)
        }
        0x0210..=0x023f => {
            let (what, ty) = match id & 0xf {
                0 => ("DebtLabel", 0x41),
                1 => ("DebtAmount", 0x23),
                2 => ("DebtRecoveryMethod", 0x30),
                3 => ("DebtRecoveryStartTime", 0xe2),
                4 => ("DebtRecoveryCollectionTime", 0x21),
                6 => ("DebtRecoveryFrequency", 0x30),
                7 => ("DebtRecoveryAmount", 0x23),
                9 => ("DebtRecoveryTopUpPercentage", 0x21),
                _ => return None,
            };
            (format!("{what}{n}"), ty)
        }
        0x051c..=0x051f => {
            let day = if id < 0x051e { "Current" } else { "Previous" };
            let dir = super::metering::direction(id, 0x051c);
            (format!("{day}DayCostConsumption{dir}"), 0x25)
        }
        // The same day/week/month layout as Metering's history at 0x0420.
        0x0520..=0x055b => {
            let (name, _) = super::metering::history(id - 0x0100, "Cost")?;
            (name, 0x25)
        }
        0x055c => ("HistoricalFreezeTime".to_owned(), 0x21),
        _ => return None,
    };
    Some(numbered_attr(id, name, ty))
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0705,
    name: "Prepayment",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: Some(numbered),
    received: &[
        (0x00, "Select Available Emergency Credit"),
        (0x01, "Change Supply"),
        (0x02, "Change Debt"),
        (0x03, "Emergency Credit Setup"),
        (0x04, "Consumer Top Up"),
        (0x05, "Credit Adjustment"),
        (0x06, "Change Payment Mode"),
        (0x07, "Get Prepay Snapshot"),
        (0x08, "Get Top Up Log"),
        (0x09, "Set Low Credit Warning Level"),
        (0x0a, "Get Debt Repayment Log"),
        (0x0b, "Set Maximum Credit Limit"),
        (0x0c, "Set Overall Debt Cap"),
    ],
    generated: &[
        (0x00, "Supply Status Response"),
        (0x01, "Publish Prepay Snapshot"),
        (0x02, "Change Payment Mode Response"),
        (0x03, "Consumer Top Up Response"),
        (0x05, "Publish Top Up Log"),
        (0x06, "Publish Debt Log"),
    ],
};
