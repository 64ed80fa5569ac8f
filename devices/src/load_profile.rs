//! Seeded domestic consumption: electricity demand minute by minute with the familiar
//! shape of a GB home (night base load, a morning peak, an evening peak), and gas flow
//! half-hour by half-hour (heating mornings and evenings). The shape is an assumption
//! (domain.md has no load curve); the variation is a seeded hash, so the same seed gives
//! the same consumption and any interval's total can be recomputed exactly.

/// Electricity demand of one premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProfile {
    seed: u64,
}

/// SplitMix64: a well-mixed hash of one word (seeded keys and profiles).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Mean demand in W for each hour of the day (assumed typical GB household, ~9 kWh/day).
const HOURLY_W: [u32; 24] = [
    180, 160, 150, 150, 150, 170, 300, 650, 550, 350, 300, 320, 380, 330, 300, 320, 450, 900, 1000,
    800, 650, 500, 350, 230,
];

impl LoadProfile {
    /// The profile of a premises drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        LoadProfile { seed }
    }

    /// Demand in W during the minute containing second `t_s` of the day count.
    pub fn demand_w(&self, t_s: u64) -> u32 {
        let minute = t_s / 60;
        let hour = ((t_s / 3600) % 24) as usize;
        let r = mix(self.seed ^ mix(minute));
        // 60 %–160 % of the hour's mean, and now and then a kettle or oven (+2 kW).
        let scale = 60 + (r % 101) as u32;
        let burst = if (r >> 32).is_multiple_of(20) {
            2000
        } else {
            0
        };
        HOURLY_W[hour] * scale / 100 + burst
    }

    /// Energy in W·s (joules) from second `a` to second `b`: exact and additive.
    pub fn energy_ws(&self, a: u64, b: u64) -> u64 {
        let mut t = a;
        let mut ws = 0u64;
        while t < b {
            let end = (((t / 60) + 1) * 60).min(b);
            ws += u64::from(self.demand_w(t)) * (end - t);
            t = end;
        }
        ws
    }
}

/// Gas flow of one premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasProfile {
    seed: u64,
}

/// Mean gas use in litres per half hour for each hour (heating 6–9 and 17–22; ~10 m³/day).
const HOURLY_LITRES: [u32; 24] = [
    20, 20, 20, 20, 20, 60, 600, 700, 450, 150, 80, 80, 100, 80, 80, 100, 250, 600, 650, 550, 450,
    300, 100, 40,
];

impl GasProfile {
    /// The profile of a premises drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        GasProfile { seed }
    }

    /// Litres used in the half hour containing second `t_s`.
    pub fn litres_in_half_hour(&self, t_s: u64) -> u64 {
        let slot = t_s / 1800;
        let hour = ((t_s / 3600) % 24) as usize;
        let r = mix(self.seed.rotate_left(17) ^ mix(slot));
        u64::from(HOURLY_LITRES[hour]) * (50 + r % 101) / 100
    }

    /// Gas from second `a` to second `b`, each half hour's litres spread evenly over it,
    /// in litre·seconds per half hour (exact and additive; see [`millilitres`]).
    pub fn litre_seconds(&self, a: u64, b: u64) -> u64 {
        let mut t = a;
        let mut ls = 0u64;
        while t < b {
            let end = (((t / 1800) + 1) * 1800).min(b);
            ls += self.litres_in_half_hour(t) * (end - t);
            t = end;
        }
        ls
    }
}

/// Millilitres of a [`GasProfile::litre_seconds`] total (1000 / 1800 = 5 / 9).
pub fn millilitres(litre_seconds: u64) -> u64 {
    litre_seconds * 5 / 9
}

impl GasProfile {
    /// Millilitres from second `a` to second `b`.
    pub fn millilitres(&self, a: u64, b: u64) -> u64 {
        millilitres(self.litre_seconds(a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_totals_are_domestic_and_seeded() {
        let p = LoadProfile::new(3);
        let kwh = p.energy_ws(0, 86_400) as f64 / 3.6e6;
        assert!((5.0..20.0).contains(&kwh), "{kwh} kWh/day");
        // Evening is busier than the small hours.
        assert!(p.energy_ws(18 * 3600, 19 * 3600) > 2 * p.energy_ws(3 * 3600, 4 * 3600));
        assert_eq!(p.demand_w(12_345), LoadProfile::new(3).demand_w(12_345));
        assert_ne!(
            (0..100).map(|m| p.demand_w(m * 60)).collect::<Vec<_>>(),
            (0..100)
                .map(|m| LoadProfile::new(4).demand_w(m * 60))
                .collect::<Vec<_>>()
        );
        // Intervals add up.
        assert_eq!(
            p.energy_ws(0, 7200),
            p.energy_ws(0, 3601) + p.energy_ws(3601, 7200)
        );
        let g = GasProfile::new(3);
        let m3 = g.millilitres(0, 86_400) as f64 / 1e6;
        assert!((3.0..20.0).contains(&m3), "{m3} m³/day");
        assert_eq!(
            g.litre_seconds(0, 3600),
            g.litre_seconds(0, 1000) + g.litre_seconds(1000, 3600)
        );
    }
}
