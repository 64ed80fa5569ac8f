//! Radio energy per node from its time transmitting, listening and asleep, and a battery
//! life from that. Radio only: the microcontroller's own draw is not counted.

use crate::stats::NodeStats;
use serde::Serialize;

/// Supply currents of a radio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Currents {
    /// Transmitting at 0 dBm, mA.
    pub tx_ma: f64,
    /// Receiving or listening, mA.
    pub rx_ma: f64,
    /// Asleep with RAM retained and the RTC running, µA.
    pub sleep_ua: f64,
}

impl Default for Currents {
    /// Silicon Labs EFR32MG24 key figures: TX 5.0 mA at 0 dBm, RX 5.1 mA (250 kbit/s
    /// O-QPSK), EM2 deep sleep 1.3 µA [doc: EFR32MG24 product summary, as quoted in the
    /// SoCXin/EFR32MG24 README]; domain.md lists no currents.
    fn default() -> Self {
        Currents {
            tx_ma: 5.0,
            rx_ma: 5.1,
            sleep_ua: 1.3,
        }
    }
}

/// A node's radio energy over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Energy {
    /// Average current in µA.
    pub average_ua: f64,
    /// Charge per day in mAh.
    pub mah_per_day: f64,
}

/// Energy of a node that was awake (listening unless transmitting) whenever not asleep.
pub fn node_energy(n: &NodeStats, duration_ns: u64, c: &Currents) -> Energy {
    let d = duration_ns.max(1) as f64;
    let tx = n.tx_ns as f64;
    let sleep = n.sleep_ns as f64;
    let listen = (d - tx - sleep).max(0.0);
    let average_ua = (tx * c.tx_ma * 1000.0 + listen * c.rx_ma * 1000.0 + sleep * c.sleep_ua) / d;
    Energy {
        average_ua,
        mah_per_day: average_ua * 24.0 / 1000.0,
    }
}

/// Days a battery of `capacity_mah` lasts at `average_ua`.
pub fn battery_life_days(average_ua: f64, capacity_mah: f64) -> f64 {
    capacity_mah * 1000.0 / average_ua.max(f64::MIN_POSITIVE) / 24.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_listening_draws_rx_current() {
        let n = NodeStats::default();
        let e = node_energy(&n, 1_000_000_000, &Currents::default());
        assert!((e.average_ua - 5100.0).abs() < 1e-9);
    }

    #[test]
    fn mostly_asleep_node() {
        // 1 ms TX and 9 ms listening per 10 s, asleep otherwise.
        let n = NodeStats {
            tx_ns: 1_000_000,
            rx_ns: 0,
            sleep_ns: 10_000_000_000 - 10_000_000,
            ppdus: 1,
        };
        let e = node_energy(&n, 10_000_000_000, &Currents::default());
        let expected = (1e6 * 5000.0 + 9e6 * 5100.0 + (1e10 - 1e7) * 1.3) / 1e10;
        assert!((e.average_ua - expected).abs() < 1e-9);
        // About 6.4 µA: a 1000 mAh battery lasts about 18 years of radio use.
        let days = battery_life_days(e.average_ua, 1000.0);
        assert!((6500.0..6550.0).contains(&days), "{days}");
    }
}
