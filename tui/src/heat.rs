//! Heat-map data: han-radio's coverage grid from one device over one floor, bucketed against
//! the receiver a HAN device would need there (an IHD's sensitivity plus the fade margin).
use han_radio::building::{Building, Device};
use han_radio::coverage::Grid;
use han_radio::device::DeviceKind;
use han_radio::geometry::Search;
use han_radio::units::Band;

/// Cells across the floor's longer side; the step never goes below `MIN_STEP_M`.
const CELLS_ACROSS: f64 = 160.0;
/// Finest grid step, metres.
const MIN_STEP_M: f64 = 0.25;

/// Number of legend buckets (strongest first).
pub const BUCKETS: usize = 6;

/// A coverage grid with the thresholds it is shown against.
#[derive(Debug, Clone)]
pub struct HeatMap {
    /// Received power grid from han-radio.
    pub grid: Grid,
    /// Sensitivity of the reference receiver (an IHD) in the band, dBm.
    pub sensitivity_dbm: f64,
    /// The building's fade margin, dB.
    pub fade_margin_db: f64,
    /// Device the map is drawn from.
    pub source: String,
}

impl HeatMap {
    /// Coverage from `tx` over floor index `floor` in `band`; None if `tx` lacks the band.
    pub fn compute(b: &Building, tx: &Device, floor: usize, band: Band) -> Option<HeatMap> {
        let [lo, hi] = b.plan_bounds(floor);
        let step = ((hi.x - lo.x).max(hi.y - lo.y) / CELLS_ACROSS).max(MIN_STEP_M);
        let (grid, _) = b.coverage(tx, floor, band, step, Search::Indexed)?;
        Some(HeatMap {
            grid,
            sensitivity_dbm: DeviceKind::Ihd.default_radio(band).sensitivity.0,
            fade_margin_db: b.fade_margin.0,
            source: tx.id.clone(),
        })
    }

    /// Received power at plan point (x, y), nearest grid cell; None outside the grid.
    pub fn at(&self, x: f64, y: f64) -> Option<f32> {
        let g = &self.grid;
        let ix = ((x - g.origin.x) / g.step).round();
        let iy = ((y - g.origin.y) / g.step).round();
        if ix < 0.0 || iy < 0.0 || ix >= g.nx as f64 || iy >= g.ny as f64 {
            return None;
        }
        Some(g.at(ix as usize, iy as usize))
    }

    /// Lower edge of bucket `i` in dBm (bucket `BUCKETS - 1` has none).
    pub fn edge(&self, i: usize) -> Option<f64> {
        let ok = self.sensitivity_dbm + self.fade_margin_db;
        match i {
            0 => Some(ok + 20.0),
            1 => Some(ok + 10.0),
            2 => Some(ok),
            3 => Some(self.sensitivity_dbm),
            4 => Some(self.sensitivity_dbm - 10.0),
            _ => None,
        }
    }

    /// Bucket of a received power: 0 strongest … 5 far below sensitivity.
    pub fn bucket(&self, dbm: f64) -> usize {
        (0..BUCKETS - 1)
            .find(|&i| self.edge(i).is_some_and(|e| dbm >= e))
            .unwrap_or(BUCKETS - 1)
    }

    /// Legend text of bucket `i`: received power and margin over the reference receiver.
    pub fn label(&self, i: usize) -> String {
        let what = ["strong", "good", "ok", "marginal", "fails", "none"][i.min(BUCKETS - 1)];
        let (sign, edge) = match self.edge(i) {
            Some(lo) => ('≥', lo),
            None => ('<', self.edge(BUCKETS - 2).unwrap_or(0.0)),
        };
        format!(
            "{sign}{edge:>4.0} dBm {:>+3.0} dB {what}",
            edge - self.sensitivity_dbm
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;

    #[test]
    fn buckets_follow_the_receiver() {
        let b = Building::from_toml(bundled::ALL[0].0, bundled::ALL[0].1).unwrap();
        let ch = &b.premises[0].devices[0];
        let h = HeatMap::compute(&b, ch, ch.floor, Band::Ghz2_4).unwrap();
        // IHD at 2.4 GHz: -97 dBm, fade 10 dB -> ok from -87.
        assert_eq!(h.edge(2), Some(-87.0));
        assert_eq!(h.bucket(-87.0), 2);
        assert_eq!(h.bucket(-87.1), 3);
        assert_eq!(h.bucket(-97.0), 3);
        assert_eq!(h.bucket(-120.0), 5);
        assert_eq!(h.bucket(-30.0), 0);
        // Next to the hub the map is strong; the value is han-radio's grid value.
        let v = h.at(ch.pos.x, ch.pos.y).unwrap();
        assert!(v > -60.0, "{v}");
        assert!(h.at(1e6, 0.0).is_none());
        assert_eq!(h.label(2), "≥ -87 dBm +10 dB ok");
        assert_eq!(h.label(5), "<-107 dBm -10 dB none");
    }
}
