//! Candidate positions for Alt HAN units: a grid over every floor plus the positions zones
//! offer (risers, corridors, meter rooms), less those in forbidden zones.
use han_radio::althan::{ZoneKind, cable_length};
use han_radio::building::{Building, Device};
use han_radio::device::DeviceKind;
use han_radio::geometry::{P2, P3};
use serde::Serialize;

/// Head-room left between a unit's antenna and the ceiling, metres.
const CEILING_CLEARANCE_M: f64 = 0.1;

/// Where a candidate position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The per-floor grid.
    Grid,
    /// The centre of a riser zone.
    Riser,
    /// The centre of a corridor zone.
    Corridor,
    /// The centre of a meter-room zone.
    MeterRoom,
}

impl Source {
    /// Name as in reports.
    pub fn name(self) -> &'static str {
        match self {
            Source::Grid => "grid",
            Source::Riser => "riser",
            Source::Corridor => "corridor",
            Source::MeterRoom => "meter-room",
        }
    }
}

/// A permitted position for a unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Site {
    /// Floor index.
    pub floor: usize,
    /// Plan position.
    pub at: P2,
    /// Antenna height above the floor, metres.
    pub height_m: f64,
    /// Origin.
    pub source: Source,
}

/// The candidate positions of a building.
#[derive(Debug, Clone, PartialEq)]
pub struct Sites {
    /// Permitted positions: zone centres first, then the grid floor by floor.
    pub sites: Vec<Site>,
    /// Positions dropped because a forbidden zone covers them.
    pub forbidden: usize,
}

/// Every candidate position of the building.
pub fn sites(b: &Building) -> Sites {
    let step = b.planner.grid_m;
    let height = |f: usize| {
        b.planner
            .unit_height_m
            .min(b.floors[f].height - CEILING_CLEARANCE_M)
            .max(0.0)
    };
    let mut all = Vec::new();
    for z in &b.zones {
        let source = match z.kind {
            ZoneKind::Riser => Source::Riser,
            ZoneKind::Corridor => Source::Corridor,
            ZoneKind::MeterRoom => Source::MeterRoom,
            ZoneKind::Forbidden => continue,
        };
        for f in z.floor_lo..=z.floor_hi {
            all.push(Site {
                floor: f,
                at: z.centre(),
                height_m: height(f),
                source,
            });
        }
    }
    for f in 0..b.floors.len() {
        let [lo, hi] = b.plan_bounds(f);
        let nx = ((hi.x - lo.x) / step).floor() as usize + 1;
        let ny = ((hi.y - lo.y) / step).floor() as usize + 1;
        for iy in 0..ny {
            for ix in 0..nx {
                let at = P2 {
                    x: lo.x + (ix as f64 + 0.5) * step,
                    y: lo.y + (iy as f64 + 0.5) * step,
                };
                if at.x <= hi.x && at.y <= hi.y {
                    all.push(Site {
                        floor: f,
                        at,
                        height_m: height(f),
                        source: Source::Grid,
                    });
                }
            }
        }
    }
    let total = all.len();
    all.retain(|s| {
        !b.zones
            .iter()
            .any(|z| z.kind == ZoneKind::Forbidden && z.contains(s.floor, s.at))
    });
    Sites {
        forbidden: total - all.len(),
        sites: all,
    }
}

impl Site {
    /// The unit of `kind` a file would describe at this site.
    pub fn unit(&self, b: &Building, id: &str, kind: DeviceKind) -> Device {
        b.unit(id, kind, self.floor, self.at.x, self.at.y, self.height_m)
    }

    /// Antenna position.
    pub fn pos(&self, b: &Building) -> P3 {
        P3 {
            x: self.at.x,
            y: self.at.y,
            z: b.floors[self.floor].z0 + self.height_m,
        }
    }
}

/// Metres of backbone cable from a shared unit at `s` to the riser on its floor: to the nearest
/// riser zone (on its floor, else on any floor), else to the centre of the lowest floor's plan.
pub fn riser_run(b: &Building, s: &Site) -> f64 {
    let risers = || b.zones.iter().filter(|z| z.kind == ZoneKind::Riser);
    let to_rect = |z: &han_radio::althan::Zone| {
        let dx = (z.lo.x - s.at.x).max(s.at.x - z.hi.x).max(0.0);
        let dy = (z.lo.y - s.at.y).max(s.at.y - z.hi.y).max(0.0);
        dx + dy
    };
    let on_floor = risers()
        .filter(|z| (z.floor_lo..=z.floor_hi).contains(&s.floor))
        .map(to_rect)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
    if let Some(d) = on_floor {
        return d;
    }
    if let Some(d) = risers()
        .map(to_rect)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
    {
        return d;
    }
    let [lo, hi] = b.plan_bounds(0);
    let c = P3 {
        x: (lo.x + hi.x) / 2.0,
        y: (lo.y + hi.y) / 2.0,
        z: 0.0,
    };
    cable_length(
        P3 {
            x: s.at.x,
            y: s.at.y,
            z: 0.0,
        },
        c,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;

    fn building(name: &str) -> Building {
        bundled::building(name).unwrap()
    }

    #[test]
    fn grid_covers_every_floor_inside_its_extent() {
        let b = building("flat-block.toml");
        let s = sites(&b);
        // 24 x 14 m at 2 m: 12 x 7 points per floor, 7 floors, no zones.
        assert_eq!(s.sites.len(), 12 * 7 * 7);
        assert_eq!(s.forbidden, 0);
        assert!(s.sites.iter().all(|x| x.at.x > 0.0 && x.at.x < 24.0));
        assert!(s.sites.iter().all(|x| x.height_m == 2.0));
    }

    #[test]
    fn forbidden_zones_remove_positions_and_zones_offer_them() {
        let src = format!(
            "{}\n[[zone]]\nkind = \"forbidden\"\nfloors = [0, 5]\nfrom = [0.0, 0.0]\nto = [24.0, 14.0]\n[[zone]]\nkind = \"riser\"\nfloors = [-1, 5]\nfrom = [11.0, 6.0]\nto = [12.0, 7.0]\n",
            bundled::DEFAULT.1
        );
        let b = Building::from_toml("z.toml", &src).unwrap();
        let s = sites(&b);
        // Riser centres on levels -1..5 are offered; levels 0-5 are forbidden everywhere,
        // so only the basement's grid and the basement riser centre remain.
        assert_eq!(s.sites.len(), 12 * 7 + 1);
        assert_eq!(s.sites[0].source, Source::Riser);
        assert_eq!(s.forbidden, 6 * 12 * 7 + 6);
        assert_eq!(riser_run(&b, &s.sites[0]), 0.0);
        assert_eq!(riser_run(&b, &s.sites[1]), 10.0 + 5.0);
    }
}
