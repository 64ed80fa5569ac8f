//! The survey benchmark: link tables plus coverage grids, indexed versus brute force, and scaling.
use crate::building::{Building, INDEX_CELL_M};
use crate::coverage::CoverageStats;
use crate::geometry::{Search, WallIndex};
use std::time::{Duration, Instant};

/// One timed run of a full survey with coverage grids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchRun {
    /// Floors in the building.
    pub floors: usize,
    /// Premises surveyed.
    pub premises: usize,
    /// Wall-clock time: link tables plus grids.
    pub wall: Duration,
    /// Grid cost counters.
    pub stats: CoverageStats,
}

impl BenchRun {
    /// Grid cells per second.
    pub fn cells_per_s(&self) -> f64 {
        self.stats.cells as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    /// Mean walls intersection-tested per cell.
    pub fn walls_per_cell(&self) -> f64 {
        self.stats.walls_tested as f64 / self.stats.cells.max(1) as f64
    }
}

/// Surveys every premises and computes every coverage grid (both bands) with `search`.
pub fn run(b: &Building, grid_m: f64, search: Search) -> BenchRun {
    let start = Instant::now();
    let report = b.survey();
    let (_maps, stats) = b.coverage_maps(grid_m, search, None);
    let wall = start.elapsed();
    BenchRun {
        floors: b.floors.len(),
        premises: report.premises.len(),
        wall,
        stats,
    }
}

impl Building {
    /// The same building with its whole stack of floors repeated `times` times upwards
    /// (walls, Wi-Fi and premises copied; ids get a "-copyN" suffix). For scaling benchmarks.
    pub fn repeat_floors(mut self, times: usize) -> Building {
        let n = self.floors.len();
        let height: f64 = self.floors.iter().map(|f| f.height).sum();
        let top_level = self.floors[n - 1].level;
        let first_level = self.floors[0].level;
        let walls = self.walls.walls().to_vec();
        let (mut all_walls, wifi, premises) =
            (walls.clone(), self.wifi.clone(), self.premises.clone());
        for k in 1..times {
            let dz = height * k as f64;
            for f in 0..n {
                let mut fl = self.floors[f].clone();
                fl.level = top_level
                    + 1
                    + (k - 1) as i32 * n as i32
                    + (self.floors[f].level - first_level);
                fl.z0 += dz;
                self.floors.push(fl);
            }
            all_walls.extend(walls.iter().map(|w| {
                let mut w = w.clone();
                w.floor += k * n;
                w
            }));
            self.wifi.extend(wifi.iter().map(|a| {
                let mut a = a.clone();
                a.floor += k * n;
                a.pos.z += dz;
                a
            }));
            self.premises.extend(premises.iter().map(|p| {
                let mut p = p.clone();
                p.id = format!("{}-copy{k}", p.id);
                for d in &mut p.devices {
                    d.id = format!("{}-copy{k}", d.id);
                    d.floor += k * n;
                    d.pos.z += dz;
                }
                p
            }));
        }
        self.walls = WallIndex::new(all_walls, self.floors.len(), INDEX_CELL_M);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled;

    #[test]
    fn repeat_and_run() {
        let b = Building::from_toml(bundled::ALL[1].0, bundled::ALL[1].1).unwrap();
        let one = run(&b, 1.0, Search::Indexed);
        let b2 = b.repeat_floors(2);
        assert_eq!(b2.floors.len(), 4);
        assert_eq!(b2.premises.len(), 2);
        let two = run(&b2, 1.0, Search::Indexed);
        assert_eq!(two.stats.cells, 2 * one.stats.cells);
        // The copy surveys exactly like the original.
        let r = b2.survey();
        assert_eq!(r.premises[0].verdict, r.premises[1].verdict);
        assert_eq!(
            r.premises[0].links[0].path_loss_db,
            r.premises[1].links[0].path_loss_db
        );
    }
}
