//! Price cluster 0x0700 (SE 1.4 D.4).

use crate::zcl::field::{OctetStr, U24, payload};
use crate::zcl::registry::{Attribute, Cluster, R, attr, numbered_attr};
use std::borrow::Cow;

payload! {
    /// Get Current Price (client-to-server 0x00).
    GetCurrentPrice { command_options: u8 }
}

payload! {
    /// Publish Price (server-to-client 0x00); the trailing fields came with later SE revisions.
    PublishPrice {
        provider_id: u32,
        rate_label: OctetStr,
        issuer_event_id: u32,
        current_time: u32,
        unit_of_measure: u8,
        /// ISO 4217 numeric currency code (826 = GBP).
        currency: u16,
        /// High nibble: digits right of the decimal point; low nibble: price tier.
        price_trailing_digit_and_tier: u8,
        number_of_price_tiers_and_register_tier: u8,
        start_time: u32,
        duration_in_minutes: u16,
        price: u32,
        price_ratio: Option<u8>,
        generation_price: Option<u32>,
        generation_price_ratio: Option<u8>,
        alternate_cost_delivered: Option<u32>,
        alternate_cost_unit: Option<u8>,
        alternate_cost_trailing_digit: Option<u8>,
        number_of_block_thresholds: Option<u8>,
        price_control: Option<u8>,
        number_of_generation_tiers: Option<u8>,
        generation_tier: Option<u8>,
        extended_number_of_price_tiers: Option<u8>,
        extended_price_tier: Option<u8>,
        extended_register_tier: Option<u8>,
    }
}

payload! {
    /// Publish Block Period (server-to-client 0x01).
    PublishBlockPeriod {
        provider_id: u32,
        issuer_event_id: u32,
        block_period_start_time: u32,
        block_period_duration: U24,
        block_period_control: u8,
        block_period_duration_type: Option<u8>,
        tariff_type: Option<u8>,
        tariff_resolution_period: Option<u8>,
    }
}

payload! {
    /// Price Acknowledgement (client-to-server 0x02).
    PriceAcknowledgement { provider_id: u32, issuer_event_id: u32, price_ack_time: u32, control: u8 }
}

static SERVER: [Attribute; 49] = [
    attr(0x010f, "BlockThresholdCount", 0x20, R),
    attr(0x0200, "StartOfBlockPeriod", 0xe2, R),
    attr(0x0201, "BlockPeriodDuration", 0x22, R),
    attr(0x0202, "ThresholdMultiplier", 0x22, R),
    attr(0x0203, "ThresholdDivisor", 0x22, R),
    attr(0x0204, "BlockPeriodDurationType", 0x18, R),
    attr(0x0300, "CommodityType", 0x30, R),
    attr(0x0301, "StandingCharge", 0x23, R),
    attr(0x0302, "ConversionFactor", 0x23, R),
    attr(0x0303, "ConversionFactorTrailingDigit", 0x18, R),
    attr(0x0304, "CalorificValue", 0x23, R),
    attr(0x0305, "CalorificValueUnit", 0x30, R),
    attr(0x0306, "CalorificValueTrailingDigit", 0x18, R),
    attr(0x0610, "TariffLabel", 0x41, R),
    attr(0x0611, "NumberOfPriceTiersInUse", 0x20, R),
    attr(0x0612, "NumberOfBlockThresholdsInUse", 0x20, R),
    attr(0x0613, "TierBlockMode", 0x30, R),
    attr(0x0615, "UnitOfMeasure", 0x30, R),
    attr(0x0616, "Currency", 0x21, R),
    attr(0x0617, "PriceTrailingDigit", 0x18, R),
    attr(0x0619, "TariffResolutionPeriod", 0x30, R),
    attr(0x0620, "CO2", 0x23, R),
    attr(0x0621, "CO2Unit", 0x30, R),
    attr(0x0622, "CO2TrailingDigit", 0x18, R),
    attr(0x0700, "CurrentBillingPeriodStart", 0xe2, R),
    attr(0x0701, "CurrentBillingPeriodDuration", 0x22, R),
    attr(0x0702, "LastBillingPeriodStart", 0xe2, R),
    attr(0x0703, "LastBillingPeriodDuration", 0x22, R),
    attr(0x0704, "LastBillingPeriodConsolidatedBill", 0x23, R),
    attr(0x0800, "CreditPaymentDueDate", 0xe2, R),
    attr(0x0801, "CreditPaymentStatus", 0x30, R),
    attr(0x0802, "CreditPaymentOverDueAmount", 0x2b, R),
    attr(0x080a, "PaymentDiscount", 0x2b, R),
    attr(0x080b, "PaymentDiscountPeriod", 0x30, R),
    attr(0x05fe, "CPP1Price", 0x23, R),
    attr(0x05ff, "CPP2Price", 0x23, R),
    // Received sets (SE 1.4 D.4.2.2.11-18) where they do not mirror the delivered ids.
    attr(0x8610, "ReceivedTariffLabel", 0x41, R),
    attr(0x8611, "ReceivedNumberOfTariffTiersInUse", 0x20, R),
    attr(0x8612, "ReceivedNumberOfBlockThresholdsInUse", 0x20, R),
    attr(0x8613, "ReceivedTierBlockMode", 0x30, R),
    attr(0x8615, "ReceivedTariffResolutionPeriod", 0x30, R),
    attr(0x8625, "ReceivedCO2", 0x23, R),
    attr(0x8626, "ReceivedCO2Unit", 0x30, R),
    attr(0x8627, "ReceivedCO2TrailingDigit", 0x18, R),
    attr(0x8700, "ReceivedCurrentBillingPeriodStart", 0xe2, R),
    attr(0x8701, "ReceivedCurrentBillingPeriodDuration", 0x22, R),
    attr(0x8702, "ReceivedLastBillingPeriodStart", 0xe2, R),
    attr(0x8703, "ReceivedLastBillingPeriodDuration", 0x22, R),
    attr(0x8704, "ReceivedLastBillingPeriodConsolidatedBill", 0x23, R),
];

/// Tier labels 0x0000-0x002F, block thresholds 0x01tb, block prices 0x04tb, price tiers
/// 16-48 0x050F-0x052F, credit payments 0x08n0-2, and the received sets at 0x8000 + the
/// delivered id (SE 1.4 D.4.2.2).
fn numbered(id: u16) -> Option<Attribute> {
    if matches!(
        id,
        0x8000..=0x802f | 0x8100..=0x810e | 0x8200..=0x8203 | 0x8400..=0x84ff | 0x850f..=0x852f
    ) {
        let delivered = SERVER
            .iter()
            .find(|a| a.id == id & 0x7fff)
            .cloned()
            .or_else(|| numbered(id & 0x7fff))?;
        let prefix = if id & 0xff00 == 0x8400 {
            "Rx"
        } else {
            "Received"
        };
        return Some(Attribute {
            id,
            name: Cow::Owned(format!("{prefix}{}", delivered.name)),
            ..delivered
        });
    }
    let (name, ty) = match id {
        0x0000..=0x002f => (format!("Tier{}PriceLabel", id + 1), 0x41),
        0x0100..=0x01ff if id & 0xf != 0xf => {
            let (t, b) = ((id >> 4) & 0xf, (id & 0xf) + 1);
            if t == 0 {
                (format!("Block{b}Threshold"), 0x25)
            } else {
                (format!("Tier{t}Block{b}Threshold"), 0x25)
            }
        }
        0x0110..=0x01ff => (format!("Tier{}BlockThresholdCount", (id >> 4) & 0xf), 0x20),
        0x0400..=0x04ff => {
            let (t, b) = ((id >> 4) & 0xf, (id & 0xf) + 1);
            if t == 0 {
                (format!("NoTierBlock{b}Price"), 0x23)
            } else {
                (format!("Tier{t}Block{b}Price"), 0x23)
            }
        }
        0x050f..=0x052f => (format!("PriceTier{}", id - 0x050f + 16), 0x23),
        0x0810..=0x085f if id & 0xf < 3 => {
            let n = (id >> 4) & 0xf;
            match id & 0xf {
                0 => (format!("CreditPayment{n}"), 0x23),
                1 => (format!("CreditPaymentDate{n}"), 0xe2),
                _ => (format!("CreditPaymentRef{n}"), 0x41),
            }
        }
        _ => return None,
    };
    Some(numbered_attr(id, name, ty))
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0700,
    name: "Price",
    server_attributes: &SERVER,
    client_attributes: &[
        attr(0x0000, "PriceIncreaseRandomizeMinutes", 0x20, R),
        attr(0x0001, "PriceDecreaseRandomizeMinutes", 0x20, R),
        attr(0x0002, "CommodityType", 0x30, R),
    ],
    numbered: Some(numbered),
    received: &[
        (0x00, "Get Current Price"),
        (0x01, "Get Scheduled Prices"),
        (0x02, "Price Acknowledgement"),
        (0x03, "Get Block Periods"),
        (0x04, "Get Conversion Factor"),
        (0x05, "Get Calorific Value"),
        (0x06, "Get Tariff Information"),
        (0x07, "Get Price Matrix"),
        (0x08, "Get Block Thresholds"),
        (0x09, "Get CO2 Value"),
        (0x0a, "Get Tier Labels"),
        (0x0b, "Get Billing Period"),
        (0x0c, "Get Consolidated Bill"),
        (0x0d, "CPP Event Response"),
        (0x0e, "Get Credit Payment"),
        (0x0f, "Get Currency Conversion"),
        (0x10, "Get Tariff Cancellation"),
    ],
    generated: &[
        (0x00, "Publish Price"),
        (0x01, "Publish Block Period"),
        (0x02, "Publish Conversion Factor"),
        (0x03, "Publish Calorific Value"),
        (0x04, "Publish Tariff Information"),
        (0x05, "Publish Price Matrix"),
        (0x06, "Publish Block Thresholds"),
        (0x07, "Publish CO2 Value"),
        (0x08, "Publish Tier Labels"),
        (0x09, "Publish Billing Period"),
        (0x0a, "Publish Consolidated Bill"),
        (0x0b, "Publish CPP Event"),
        (0x0c, "Publish Credit Payment"),
        (0x0d, "Publish Currency Conversion"),
        (0x0e, "Cancel Tariff"),
    ],
};
