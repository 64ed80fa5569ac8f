//! Values a person understands: metered quantities with units (SE 1.4 D.3.2.2.4),
//! prices with currency (SE 1.4 D.4.2.4.1), UTC times as ISO-8601.

/// The Metering formatting attributes a meter publishes (Formatting Set 0x03xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterFormatting {
    /// UnitOfMeasure (0x0300).
    pub unit_of_measure: u8,
    /// Multiplier (0x0301); 0 is read as 1.
    pub multiplier: u32,
    /// Divisor (0x0302); 0 is read as 1.
    pub divisor: u32,
    /// SummationFormatting (0x0303); None shows the digits the divisor implies.
    pub summation_formatting: Option<u8>,
    /// DemandFormatting (0x0304).
    pub demand_formatting: Option<u8>,
    /// HistoricalConsumptionFormatting (0x0305).
    pub historical_formatting: Option<u8>,
}

impl Default for MeterFormatting {
    fn default() -> Self {
        MeterFormatting {
            unit_of_measure: 0,
            multiplier: 1,
            divisor: 1,
            summation_formatting: None,
            demand_formatting: None,
            historical_formatting: None,
        }
    }
}

/// Which formatting attribute governs a metered value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Energy/volume totals (SummationFormatting).
    Summation,
    /// Rates (DemandFormatting).
    Demand,
    /// Daily/weekly/monthly consumption (HistoricalConsumptionFormatting).
    Historical,
}

impl MeterFormatting {
    /// Update from one Metering formatting attribute; returns false for other attributes.
    pub fn observe(&mut self, attribute: u16, value: u64) -> bool {
        match attribute {
            0x0300 => self.unit_of_measure = value as u8,
            0x0301 => self.multiplier = value as u32,
            0x0302 => self.divisor = value as u32,
            0x0303 => self.summation_formatting = Some(value as u8),
            0x0304 => self.demand_formatting = Some(value as u8),
            0x0305 => self.historical_formatting = Some(value as u8),
            _ => return false,
        }
        true
    }

    /// Render a raw metered value, e.g. `12345.678 kWh` or `1.234 kW`.
    pub fn format(&self, raw: i128, quantity: Quantity) -> String {
        let fmt = match quantity {
            Quantity::Summation => self.summation_formatting,
            Quantity::Demand => self.demand_formatting,
            Quantity::Historical => self.historical_formatting,
        };
        let raw = if self.unit_of_measure & 0x80 != 0 {
            bcd_value(raw)
        } else {
            raw
        };
        let unit = unit_name(self.unit_of_measure, quantity == Quantity::Demand);
        let number = scale(raw, self.multiplier, self.divisor, fmt);
        if unit.is_empty() {
            number
        } else {
            format!("{number} {unit}")
        }
    }
}

/// Which formatting governs Metering server attribute `id`, if it is a metered value.
pub fn metering_quantity(id: u16) -> Option<Quantity> {
    match id {
        0x0000 | 0x0001 | 0x0004 | 0x000c | 0x001c | 0x001d | 0x001f => Some(Quantity::Summation),
        0x0100..=0x01ff | 0x0700..=0x09ff => Some(Quantity::Summation),
        0x0002 | 0x0003 | 0x0400 | 0x040d..=0x0410 | 0x0600 | 0x0601 => Some(Quantity::Demand),
        0x000d | 0x0401..=0x0404 | 0x0407 | 0x0408 | 0x0420..=0x045b => Some(Quantity::Historical),
        _ => None,
    }
}

/// Digits encoded as BCD nibbles read back as a number (UnitOfMeasure 0x80+).
fn bcd_value(raw: i128) -> i128 {
    let mut v = raw.unsigned_abs();
    let (mut out, mut place) = (0i128, 1i128);
    while v != 0 {
        out += (v & 0xf).min(9) as i128 * place;
        v >>= 4;
        place = place.saturating_mul(10);
    }
    out
}

/// The unit of UnitOfMeasure `u` (SE 1.4 table D-25); demand units are rates.
pub fn unit_name(u: u8, demand: bool) -> &'static str {
    const SUMMATION: [&str; 14] = [
        "kWh", "m³", "ft³", "ccf", "US gal", "IMP gal", "BTU", "l", "kPa", "kPa", "mcf", "", "MJ",
        "kVArh",
    ];
    const DEMAND: [&str; 14] = [
        "kW",
        "m³/h",
        "ft³/h",
        "ccf/h",
        "US gal/h",
        "IMP gal/h",
        "BTU/h",
        "l/h",
        "kPa",
        "kPa",
        "mcf/h",
        "",
        "MJ/s",
        "kVAr",
    ];
    let table = if demand { &DEMAND } else { &SUMMATION };
    table.get((u & 0x7f) as usize).copied().unwrap_or("")
}

/// raw × multiplier ÷ divisor with the formatting's digits (bits 0-2 right of the point,
/// bits 3-6 left, bit 7 suppress leading zeros), rounded half away from zero.
fn scale(raw: i128, multiplier: u32, divisor: u32, fmt: Option<u8>) -> String {
    let m = multiplier.max(1) as i128;
    let d = divisor.max(1) as i128;
    let (right, left, suppress) = match fmt {
        Some(f) => ((f & 7) as u32, ((f >> 3) & 0xf) as usize, f & 0x80 != 0),
        // Without a formatting attribute show the digits a power-of-ten divisor implies.
        None => (
            d.checked_ilog10()
                .filter(|p| 10i128.pow(*p) == d)
                .unwrap_or(3),
            0,
            true,
        ),
    };
    let num = raw.saturating_mul(m).saturating_mul(10i128.pow(right));
    let q = num / d;
    let rem = num % d;
    let q = if rem.abs() * 2 >= d {
        q + num.signum()
    } else {
        q
    };
    let neg = q < 0;
    let q = q.unsigned_abs();
    let p = 10u128.pow(right);
    let int = (q / p).to_string();
    let int = if !suppress && int.len() < left {
        format!("{}{int}", "0".repeat(left - int.len()))
    } else {
        int
    };
    let sign = if neg { "-" } else { "" };
    if right == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{:0w$}", q % p, w = right as usize)
    }
}

/// The ISO 4217 alphabetic code for a numeric currency code, where han knows it.
pub fn currency_code(numeric: u16) -> Option<&'static str> {
    Some(match numeric {
        826 => "GBP",
        978 => "EUR",
        840 => "USD",
        124 => "CAD",
        36 => "AUD",
        756 => "CHF",
        752 => "SEK",
        578 => "NOK",
        208 => "DKK",
        392 => "JPY",
        _ => return None,
    })
}

/// A price with its trailing digit and currency, e.g. `0.1523 GBP` or `0.1523 GBP/kWh`.
pub fn format_price(price: u32, trailing_digit: u8, currency: u16, unit: Option<u8>) -> String {
    let digits = (trailing_digit & 0x0f) as usize;
    let p = 10u64.pow(digits as u32);
    let v = price as u64;
    let number = if digits == 0 {
        v.to_string()
    } else {
        format!("{}.{:0digits$}", v / p, v % p)
    };
    let cur = currency_code(currency).map_or_else(|| format!("currency {currency}"), str::to_owned);
    match unit.map(|u| unit_name(u, false)).filter(|u| !u.is_empty()) {
        Some(u) => format!("{number} {cur}/{u}"),
        None => format!("{number} {cur}"),
    }
}

/// ZCL UTC time (seconds since 2000-01-01 00:00:00 UTC) as ISO-8601; 0xffffffff is invalid.
pub fn utc_iso8601(secs: u32) -> String {
    if secs == u32::MAX {
        return "invalid".to_owned();
    }
    // Days from 1970-01-01 to 2000-01-01 is 10957.
    let days = secs as i64 / 86_400 + 10_957;
    let rem = secs as i64 % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn metered_values() {
        let f = MeterFormatting {
            divisor: 1000,
            summation_formatting: Some(0x2b),
            demand_formatting: Some(0xab),
            ..Default::default()
        };
        assert_eq!(f.format(12_345_678, Quantity::Summation), "12345.678 kWh");
        assert_eq!(f.format(1234, Quantity::Demand), "1.234 kW");
        assert_eq!(f.format(12, Quantity::Summation), "00000.012 kWh");
        assert_eq!(f.format(-1234, Quantity::Demand), "-1.234 kW");
        let gas = MeterFormatting {
            unit_of_measure: 0x01,
            divisor: 1000,
            ..Default::default()
        };
        assert_eq!(gas.format(1234, Quantity::Summation), "1.234 m³");
        let bcd = MeterFormatting {
            unit_of_measure: 0x80,
            summation_formatting: Some(0x80),
            ..Default::default()
        };
        assert_eq!(bcd.format(0x1234, Quantity::Summation), "1234 kWh");
    }

    #[test]
    fn prices_and_times() {
        assert_eq!(format_price(1523, 4, 826, Some(0)), "0.1523 GBP/kWh");
        assert_eq!(format_price(5, 0, 999, None), "5 currency 999");
        assert_eq!(utc_iso8601(0), "2000-01-01T00:00:00Z");
        assert_eq!(utc_iso8601(0x2a3b4c5d), "2022-06-14T13:40:45Z");
        assert_eq!(utc_iso8601(86_400 * 60), "2000-03-01T00:00:00Z");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(raw in any::<i64>(), u in any::<u8>(), m in any::<u32>(), d in any::<u32>(), f in any::<Option<u8>>(), t in any::<u32>()) {
            let fm = MeterFormatting { unit_of_measure: u, multiplier: m, divisor: d, summation_formatting: f, demand_formatting: f, historical_formatting: f };
            let _ = fm.format(raw as i128, Quantity::Demand);
            let _ = utc_iso8601(t);
            let _ = format_price(t, u, m as u16, Some(u));
        }
    }
}
