//! Mapping between plan metres and terminal cells (a cell is about twice as tall as wide).
use ratatui::layout::Rect;

/// Fraction of the plan area a fitted floor fills.
const FIT: f64 = 0.96;

/// Where the plan is looked at: centre in metres and zoom relative to "fit the floor".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Plan x at the centre of the area, metres.
    pub cx: f64,
    /// Plan y at the centre of the area, metres.
    pub cy: f64,
    /// 1 = the whole floor fits.
    pub zoom: f64,
}

/// A viewport laid on a screen area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mapping {
    /// The screen area.
    pub area: Rect,
    /// Columns per metre (rows per metre is half).
    pub sx: f64,
    /// Plan centre, metres.
    pub cx: f64,
    /// Plan centre, metres.
    pub cy: f64,
}

impl Mapping {
    /// Lays `vp` on `area` for a floor spanning `size` (width, depth) metres.
    pub fn new(area: Rect, vp: Viewport, size: (f64, f64)) -> Mapping {
        let (w, h) = (size.0.max(1.0), size.1.max(1.0));
        let fit = (f64::from(area.width) / w).min(2.0 * f64::from(area.height) / h) * FIT;
        Mapping {
            area,
            sx: (fit * vp.zoom).max(1e-3),
            cx: vp.cx,
            cy: vp.cy,
        }
    }

    /// Screen cell (column, row) of plan point (x, y), or None off the area.
    pub fn cell(&self, x: f64, y: f64) -> Option<(u16, u16)> {
        let (c, r) = self.cell_f(x, y);
        let a = self.area;
        let inside = c >= f64::from(a.x)
            && r >= f64::from(a.y)
            && c < f64::from(a.x + a.width)
            && r < f64::from(a.y + a.height);
        inside.then_some((c as u16, r as u16))
    }

    /// Unclipped fractional screen position of plan point (x, y).
    pub fn cell_f(&self, x: f64, y: f64) -> (f64, f64) {
        let a = self.area;
        (
            f64::from(a.x) + f64::from(a.width) / 2.0 + (x - self.cx) * self.sx,
            f64::from(a.y) + f64::from(a.height) / 2.0 - (y - self.cy) * self.sx / 2.0,
        )
    }

    /// Plan point at the centre of screen cell (column, row).
    pub fn world(&self, col: u16, row: u16) -> (f64, f64) {
        let a = self.area;
        (
            self.cx + (f64::from(col) + 0.5 - f64::from(a.x) - f64::from(a.width) / 2.0) / self.sx,
            self.cy
                - (f64::from(row) + 0.5 - f64::from(a.y) - f64::from(a.height) / 2.0) * 2.0
                    / self.sx,
        )
    }

    /// Metres per column and per row.
    pub fn step(&self) -> (f64, f64) {
        (1.0 / self.sx, 2.0 / self.sx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_world_points_round_trip() {
        let m = Mapping::new(
            Rect::new(2, 1, 60, 20),
            Viewport {
                cx: 12.0,
                cy: 7.0,
                zoom: 1.0,
            },
            (24.0, 14.0),
        );
        for (c, r) in [(2, 1), (31, 10), (61, 20)] {
            let (x, y) = m.world(c, r);
            assert_eq!(m.cell(x, y), Some((c, r)));
        }
        // North is up.
        assert!(m.world(10, 2).1 > m.world(10, 18).1);
        assert_eq!(m.cell(1000.0, 0.0), None);
    }
}
