//! Coverage grids: received power on a regular grid per floor and band, parallel with rayon.
use crate::building::{Building, Device};
use crate::geometry::{P2, P3, Search};
use crate::units::{Band, Db};
use indicatif::ProgressBar;
use rayon::prelude::*;

/// Receiver height above the floor for grid cells, metres (a display on a table).
pub const GRID_RX_HEIGHT_M: f64 = 1.0;

/// Received power on a grid over one floor in one band.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Floor index.
    pub floor: usize,
    /// Band.
    pub band: Band,
    /// Centre of cell (0, 0).
    pub origin: P2,
    /// Cell spacing, metres.
    pub step: f64,
    /// Cells along x.
    pub nx: usize,
    /// Cells along y.
    pub ny: usize,
    /// Received power per cell, dBm, row-major (y rows); -inf where no transmitter covers.
    pub rx_dbm: Vec<f32>,
}

impl Grid {
    /// Received power at cell (ix, iy).
    pub fn at(&self, ix: usize, iy: usize) -> f32 {
        self.rx_dbm[iy * self.nx + ix]
    }
    /// Plan position of the centre of cell (ix, iy).
    pub fn centre(&self, ix: usize, iy: usize) -> P2 {
        P2 {
            x: self.origin.x + ix as f64 * self.step,
            y: self.origin.y + iy as f64 * self.step,
        }
    }
}

/// Cost counters of a coverage run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoverageStats {
    /// Grid cells evaluated.
    pub cells: u64,
    /// Candidate walls intersection-tested.
    pub walls_tested: u64,
}

impl std::ops::AddAssign for CoverageStats {
    fn add_assign(&mut self, o: Self) {
        self.cells += o.cells;
        self.walls_tested += o.walls_tested;
    }
}

impl Building {
    /// Plan bounds of a floor: its extent, else the box around its walls and devices.
    pub fn plan_bounds(&self, floor: usize) -> [P2; 2] {
        if let Some(e) = self.floors[floor].extent {
            return e;
        }
        let mut pts: Vec<P2> = Vec::new();
        for w in self.walls.walls() {
            if w.floor == floor {
                pts.extend([w.a, w.b]);
            }
        }
        for d in self.premises.iter().flat_map(|p| &p.devices) {
            if d.floor == floor {
                pts.push(d.pos.xy());
            }
        }
        if pts.is_empty() {
            return [P2 { x: 0.0, y: 0.0 }, P2 { x: 1.0, y: 1.0 }];
        }
        let f = |g: fn(&P2) -> f64, max: bool| {
            pts.iter()
                .map(g)
                .fold(if max { f64::MIN } else { f64::MAX }, |a, b| {
                    if max { a.max(b) } else { a.min(b) }
                })
        };
        [
            P2 {
                x: f(|p| p.x, false) - 1.0,
                y: f(|p| p.y, false) - 1.0,
            },
            P2 {
                x: f(|p| p.x, true) + 1.0,
                y: f(|p| p.y, true) + 1.0,
            },
        ]
    }

    /// Received power from `tx` on a grid over `floor` in `band` (None if tx lacks the band).
    pub fn coverage(
        &self,
        tx: &Device,
        floor: usize,
        band: Band,
        step: f64,
        search: Search,
    ) -> Option<(Grid, CoverageStats)> {
        let r = tx.radio(band)?;
        let [lo, hi] = self.plan_bounds(floor);
        let nx = ((hi.x - lo.x) / step).floor() as usize + 1;
        let ny = ((hi.y - lo.y) / step).floor() as usize + 1;
        let eirp = r.tx_power + r.antenna_gain
            - tx.enclosure
                .map_or(Db(0.0), |m| self.materials.get(m).loss(band));
        let z = self.floors[floor].z0 + GRID_RX_HEIGHT_M;
        let rows: Vec<(Vec<f32>, u64)> = (0..ny)
            .into_par_iter()
            .map(|iy| {
                let mut tested = 0u64;
                let row = (0..nx)
                    .map(|ix| {
                        let p = P3 {
                            x: lo.x + ix as f64 * step,
                            y: lo.y + iy as f64 * step,
                            z,
                        };
                        let t = self.trace(tx.pos, tx.floor, p, floor, search);
                        tested += t.tested as u64;
                        (eirp - self.path_loss(tx.pos, p, &t, band)).0 as f32
                    })
                    .collect();
                (row, tested)
            })
            .collect();
        let mut stats = CoverageStats {
            cells: (nx * ny) as u64,
            walls_tested: 0,
        };
        let mut rx_dbm = Vec::with_capacity(nx * ny);
        for (row, t) in rows {
            rx_dbm.extend(row);
            stats.walls_tested += t;
        }
        Some((
            Grid {
                floor,
                band,
                origin: lo,
                step,
                nx,
                ny,
                rx_dbm,
            },
            stats,
        ))
    }

    /// The coverage jobs of a survey: (premises, floor) for each floor holding one of that
    /// premises' devices, with the premises' comms hub as transmitter.
    pub fn coverage_jobs(&self) -> Vec<(usize, usize)> {
        let mut jobs = Vec::new();
        for (i, p) in self.premises.iter().enumerate() {
            if !p
                .devices
                .iter()
                .any(|d| d.kind == crate::device::DeviceKind::Chf)
            {
                continue;
            }
            let mut floors: Vec<usize> = p.devices.iter().map(|d| d.floor).collect();
            floors.sort_unstable();
            floors.dedup();
            jobs.extend(floors.into_iter().map(|f| (i, f)));
        }
        jobs
    }

    /// All survey coverage grids, both bands, combined per floor and band by the strongest hub
    /// (sorted by floor then band). `progress` advances once per job and band.
    pub fn coverage_maps(
        &self,
        step: f64,
        search: Search,
        progress: Option<&ProgressBar>,
    ) -> (Vec<Grid>, CoverageStats) {
        let jobs: Vec<(usize, usize, Band)> = self
            .coverage_jobs()
            .into_iter()
            .flat_map(|(p, f)| Band::ALL.map(|b| (p, f, b)))
            .collect();
        let results: Vec<(Grid, CoverageStats)> = jobs
            .par_iter()
            .filter_map(|&(p, f, band)| {
                let premises = &self.premises[p];
                let ch = premises
                    .devices
                    .iter()
                    .find(|d| d.kind == crate::device::DeviceKind::Chf)?;
                let r = self.coverage(ch, f, band, step, search);
                if let Some(pb) = progress {
                    pb.inc(1);
                }
                r
            })
            .collect();
        let mut stats = CoverageStats::default();
        let mut maps: Vec<Grid> = Vec::new();
        for (g, s) in results {
            stats += s;
            match maps
                .iter_mut()
                .find(|m| m.floor == g.floor && m.band == g.band)
            {
                Some(m) => {
                    for (a, b) in m.rx_dbm.iter_mut().zip(&g.rx_dbm) {
                        *a = a.max(*b);
                    }
                }
                None => maps.push(g),
            }
        }
        maps.sort_by_key(|m| (m.floor, m.band));
        (maps, stats)
    }

    /// Number of progress steps `coverage_maps` will report.
    pub fn coverage_steps(&self) -> u64 {
        (self.coverage_jobs().len() * Band::ALL.len()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled;

    #[test]
    fn indexed_grid_equals_brute_force_and_tests_fewer_walls() {
        let b = Building::from_toml(bundled::DEFAULT.0, bundled::DEFAULT.1).unwrap();
        let ch = &b.premises[0].devices[0];
        let (g1, s1) = b
            .coverage(ch, 1, Band::Ghz2_4, 1.0, Search::Indexed)
            .unwrap();
        let (g2, s2) = b
            .coverage(ch, 1, Band::Ghz2_4, 1.0, Search::BruteForce)
            .unwrap();
        assert_eq!(g1, g2);
        assert_eq!(s1.cells, (g1.nx * g1.ny) as u64);
        assert!(s1.walls_tested < s2.walls_tested, "{s1:?} {s2:?}");
    }

    #[test]
    fn maps_cover_every_floor_with_devices() {
        let b = Building::from_toml(bundled::ALL[0].0, bundled::ALL[0].1).unwrap();
        let (maps, stats) = b.coverage_maps(0.5, Search::Indexed, None);
        // Terraced house: devices on the ground floor only; both bands.
        assert_eq!(maps.len(), 2);
        assert!(stats.cells > 100);
        assert!(maps[0].rx_dbm.iter().all(|v| v.is_finite()));
        // 868 MHz is stronger than 2.4 GHz at the far end of the kitchen.
        let (g, s) = (&maps[0], &maps[1]);
        assert!(s.at(s.nx - 1, 1) > g.at(g.nx - 1, 1));
    }
}
