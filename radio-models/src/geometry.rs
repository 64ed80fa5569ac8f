//! Plan geometry: points, wall segments, the per-floor uniform-grid wall index and path crossings.
use crate::material::MaterialId;

/// Tolerance for geometric coincidence, metres.
const EPS: f64 = 1e-9;
/// Hits closer than this are the same point (a wall joint), metres.
const JOINT_EPS: f64 = 1e-6;

/// A point on a floor plan, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct P2 {
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
}

/// A point in the building, metres (z above the ground-floor slab).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct P3 {
    /// East, metres.
    pub x: f64,
    /// North, metres.
    pub y: f64,
    /// Height, metres.
    pub z: f64,
}

impl P3 {
    /// Straight-line 3-D distance.
    pub fn distance(self, o: P3) -> f64 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2) + (self.z - o.z).powi(2)).sqrt()
    }
    /// Plan position.
    pub fn xy(self) -> P2 {
        P2 {
            x: self.x,
            y: self.y,
        }
    }
}

/// A wall: a vertical segment on one floor spanning that floor's height.
#[derive(Debug, Clone, PartialEq)]
pub struct Wall {
    /// Index of the floor in `Building::floors` (sorted by level).
    pub floor: usize,
    /// One end.
    pub a: P2,
    /// Other end.
    pub b: P2,
    /// Material.
    pub material: MaterialId,
}

/// How a path met a wall.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Hit {
    /// Through the wall's interior, at this point.
    Interior(P2),
    /// Through an end point of the wall (or along it), at this point.
    End(P2),
}

fn cross(ax: f64, ay: f64, bx: f64, by: f64) -> f64 {
    ax * by - ay * bx
}

/// Intersection of path segment p->q with wall segment a->b.
fn intersect(p: P2, q: P2, a: P2, b: P2) -> Option<Hit> {
    let (rx, ry) = (q.x - p.x, q.y - p.y);
    let (sx, sy) = (b.x - a.x, b.y - a.y);
    let denom = cross(rx, ry, sx, sy);
    let (qpx, qpy) = (a.x - p.x, a.y - p.y);
    let scale = (rx.hypot(ry) * sx.hypot(sy)).max(EPS);
    if denom.abs() <= EPS * scale {
        // Parallel: a crossing only if collinear and overlapping; count it once at its first point.
        if cross(qpx, qpy, rx, ry).abs() > EPS * scale.max(1.0) {
            return None;
        }
        let rr = rx * rx + ry * ry;
        if rr <= EPS {
            return None;
        }
        let t0 = (qpx * rx + qpy * ry) / rr;
        let t1 = t0 + (sx * rx + sy * ry) / rr;
        let (lo, hi) = (t0.min(t1), t0.max(t1));
        if hi < -EPS || lo > 1.0 + EPS {
            return None;
        }
        let t = lo.max(0.0);
        return Some(Hit::End(P2 {
            x: p.x + t * rx,
            y: p.y + t * ry,
        }));
    }
    let t = cross(qpx, qpy, sx, sy) / denom;
    let u = cross(qpx, qpy, rx, ry) / denom;
    let tol = 1e-9;
    if t < -tol || t > 1.0 + tol || u < -tol || u > 1.0 + tol {
        return None;
    }
    let at = P2 {
        x: p.x + t * rx,
        y: p.y + t * ry,
    };
    let len = sx.hypot(sy);
    let end_tol = JOINT_EPS / len.max(EPS);
    if u <= end_tol || u >= 1.0 - end_tol {
        Some(Hit::End(at))
    } else {
        Some(Hit::Interior(at))
    }
}

thread_local! {
    /// Per-thread (query number, last query that tested each wall) for de-duplicating candidates.
    static STAMPS: std::cell::RefCell<(u32, Vec<u32>)> = const { std::cell::RefCell::new((0, Vec::new())) };
}

/// Uniform-grid index of the walls of one floor.
#[derive(Debug, Clone)]
struct FloorGrid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    cells: Vec<Vec<u32>>,
    all: Vec<u32>,
}

impl FloorGrid {
    fn new(walls: &[Wall], ids: Vec<u32>, cell: f64) -> FloorGrid {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &i in &ids {
            let w = &walls[i as usize];
            for p in [w.a, w.b] {
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x);
                y1 = y1.max(p.y);
            }
        }
        if ids.is_empty() {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let nx = (((x1 - x0) / cell).floor() as usize + 1).min(4096);
        let ny = (((y1 - y0) / cell).floor() as usize + 1).min(4096);
        let mut g = FloorGrid {
            x0,
            y0,
            cell,
            nx,
            ny,
            cells: vec![Vec::new(); nx * ny],
            all: ids.clone(),
        };
        for &i in &ids {
            let w = &walls[i as usize];
            let mut seen = Vec::new();
            g.traverse(w.a, w.b, |c| seen.push(c));
            seen.sort_unstable();
            seen.dedup();
            for c in seen {
                g.cells[c].push(i);
            }
        }
        g
    }

    fn clamp_cell(&self, v: f64, origin: f64, n: usize) -> usize {
        (((v - origin) / self.cell).floor().max(0.0) as usize).min(n - 1)
    }

    /// Visits every grid cell the segment p->q passes through (Amanatides & Woo DDA),
    /// with the segment clipped to the grid box.
    fn traverse(&self, p: P2, q: P2, mut visit: impl FnMut(usize)) {
        let (gx1, gy1) = (
            self.x0 + self.nx as f64 * self.cell,
            self.y0 + self.ny as f64 * self.cell,
        );
        // Clip (Liang-Barsky) to the grid box.
        let (dx, dy) = (q.x - p.x, q.y - p.y);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (pp, qq) in [
            (-dx, p.x - self.x0),
            (dx, gx1 - p.x),
            (-dy, p.y - self.y0),
            (dy, gy1 - p.y),
        ] {
            if pp.abs() < EPS {
                if qq < -JOINT_EPS {
                    return;
                }
            } else {
                let r = qq / pp;
                if pp < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        if t0 > t1 + EPS {
            return;
        }
        let s = P2 {
            x: p.x + t0 * dx,
            y: p.y + t0 * dy,
        };
        let e = P2 {
            x: p.x + t1 * dx,
            y: p.y + t1 * dy,
        };
        let mut cx = self.clamp_cell(s.x, self.x0, self.nx) as i64;
        let mut cy = self.clamp_cell(s.y, self.y0, self.ny) as i64;
        let ex = self.clamp_cell(e.x, self.x0, self.nx) as i64;
        let ey = self.clamp_cell(e.y, self.y0, self.ny) as i64;
        let (ddx, ddy) = (e.x - s.x, e.y - s.y);
        let step_x = if ddx > 0.0 { 1 } else { -1 };
        let step_y = if ddy > 0.0 { 1 } else { -1 };
        let next = |c: i64, step: i64, o: f64| o + (c + i64::from(step > 0)) as f64 * self.cell;
        let mut t_max_x = if ddx.abs() < EPS {
            f64::INFINITY
        } else {
            (next(cx, step_x, self.x0) - s.x) / ddx
        };
        let mut t_max_y = if ddy.abs() < EPS {
            f64::INFINITY
        } else {
            (next(cy, step_y, self.y0) - s.y) / ddy
        };
        let t_dx = if ddx.abs() < EPS {
            f64::INFINITY
        } else {
            self.cell / ddx.abs()
        };
        let t_dy = if ddy.abs() < EPS {
            f64::INFINITY
        } else {
            self.cell / ddy.abs()
        };
        let (nx, ny) = (self.nx as i64, self.ny as i64);
        let mut visit_cell = |cx: i64, cy: i64| visit((cy * nx + cx) as usize);
        let max_steps = (self.nx + self.ny + 2) as i64;
        for _ in 0..=max_steps {
            visit_cell(cx, cy);
            if cx == ex && cy == ey {
                break;
            }
            if t_max_x < t_max_y {
                cx += step_x;
                t_max_x += t_dx;
            } else if t_max_y < t_max_x {
                cy += step_y;
                t_max_y += t_dy;
            } else {
                // Exactly through a cell corner: visit both side cells too.
                if (0..nx).contains(&(cx + step_x)) {
                    visit_cell(cx + step_x, cy);
                }
                if (0..ny).contains(&(cy + step_y)) {
                    visit_cell(cx, cy + step_y);
                }
                cx += step_x;
                cy += step_y;
                t_max_x += t_dx;
                t_max_y += t_dy;
            }
            if !(0..nx).contains(&cx) || !(0..ny).contains(&cy) {
                break;
            }
        }
    }
}

/// The walls of a building with a per-floor uniform-grid spatial index.
#[derive(Debug, Clone)]
pub struct WallIndex {
    walls: Vec<Wall>,
    floors: Vec<FloorGrid>,
}

/// Walls met by one path, each counted once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crossings {
    /// Indices of the crossed walls, in path order.
    pub walls: Vec<usize>,
    /// Number of candidate walls intersection-tested (cost measure).
    pub tested: usize,
}

/// Which candidate walls to test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Only walls in the grid cells the path crosses.
    Indexed,
    /// Every wall of the floor (baseline for benchmarks and tests).
    BruteForce,
}

impl WallIndex {
    /// Builds the index; `floor_count` floors, grid cells of `cell` metres.
    pub fn new(walls: Vec<Wall>, floor_count: usize, cell: f64) -> WallIndex {
        let floors = (0..floor_count)
            .map(|f| {
                let ids = walls
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.floor == f)
                    .map(|(i, _)| i as u32)
                    .collect();
                FloorGrid::new(&walls, ids, cell)
            })
            .collect();
        WallIndex { walls, floors }
    }

    /// All walls.
    pub fn walls(&self) -> &[Wall] {
        &self.walls
    }

    /// Give wall `i` another material (a door opened, a wall lined); its place in the index
    /// stays. False if there is no such wall.
    pub fn set_material(&mut self, i: usize, material: MaterialId) -> bool {
        match self.walls.get_mut(i) {
            Some(w) => {
                w.material = material;
                true
            }
            None => false,
        }
    }

    /// Walls crossed by the plan segment p->q on floor `floor`, appended to `out` with the joint rule:
    /// a wall counts once; hits at a wall's end point that coincide with another hit count once.
    /// `order` ranks walls for which one of several meeting at a joint is kept (higher first).
    pub fn cross_floor(
        &self,
        floor: usize,
        p: P2,
        q: P2,
        search: Search,
        rank: &dyn Fn(usize) -> f64,
        out: &mut Crossings,
    ) {
        let Some(g) = self.floors.get(floor) else {
            return;
        };
        let mut interior: Vec<(usize, P2)> = Vec::new();
        let mut ends: Vec<(usize, P2)> = Vec::new();
        let mut test =
            |i: u32| match intersect(p, q, self.walls[i as usize].a, self.walls[i as usize].b) {
                Some(Hit::Interior(at)) => interior.push((i as usize, at)),
                Some(Hit::End(at)) => ends.push((i as usize, at)),
                None => {}
            };
        match search {
            Search::BruteForce => {
                g.all.iter().for_each(|&i| test(i));
                out.tested += g.all.len();
            }
            Search::Indexed => STAMPS.with_borrow_mut(|(query, stamps)| {
                // A wall spans several cells: test it once per query (stamp = query number).
                *query = query.wrapping_add(1);
                if *query == 0 || stamps.len() < self.walls.len() {
                    stamps.clear();
                    stamps.resize(self.walls.len(), 0);
                    *query = 1;
                }
                g.traverse(p, q, |c| {
                    for &i in &g.cells[c] {
                        if stamps[i as usize] != *query {
                            stamps[i as usize] = *query;
                            out.tested += 1;
                            test(i);
                        }
                    }
                });
            }),
        }
        ends.sort_by(|a, b| rank(b.0).total_cmp(&rank(a.0)).then(a.0.cmp(&b.0)));
        let near = |a: P2, b: P2| (a.x - b.x).abs() < 1e-4 && (a.y - b.y).abs() < 1e-4;
        let mut kept = interior;
        for (i, at) in ends {
            if !kept.iter().any(|&(_, k)| near(k, at)) {
                kept.push((i, at));
            }
        }
        let d = |a: P2| (a.x - p.x).hypot(a.y - p.y);
        kept.sort_by(|a, b| d(a.1).total_cmp(&d(b.1)).then(a.0.cmp(&b.0)));
        out.walls.extend(kept.into_iter().map(|(i, _)| i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(ax: f64, ay: f64, bx: f64, by: f64) -> Wall {
        Wall {
            floor: 0,
            a: P2 { x: ax, y: ay },
            b: P2 { x: bx, y: by },
            material: 0,
        }
    }
    fn count(idx: &WallIndex, p: (f64, f64), q: (f64, f64), s: Search) -> usize {
        let mut c = Crossings::default();
        idx.cross_floor(
            0,
            P2 { x: p.0, y: p.1 },
            P2 { x: q.0, y: q.1 },
            s,
            &|_| 0.0,
            &mut c,
        );
        c.walls.len()
    }

    #[test]
    fn simple_crossing_and_miss() {
        let idx = WallIndex::new(vec![w(5.0, -10.0, 5.0, 10.0)], 1, 2.0);
        for s in [Search::Indexed, Search::BruteForce] {
            assert_eq!(count(&idx, (0.0, 0.0), (10.0, 0.0), s), 1);
            assert_eq!(count(&idx, (0.0, 0.0), (4.0, 0.0), s), 0);
            assert_eq!(count(&idx, (0.0, 20.0), (10.0, 20.0), s), 0);
        }
    }

    #[test]
    fn joint_of_collinear_walls_counts_once() {
        let idx = WallIndex::new(
            vec![w(5.0, -10.0, 5.0, 0.0), w(5.0, 0.0, 5.0, 10.0)],
            1,
            2.0,
        );
        assert_eq!(count(&idx, (0.0, 0.0), (10.0, 0.0), Search::Indexed), 1);
        assert_eq!(count(&idx, (0.0, -1.0), (10.0, 1.0), Search::Indexed), 1);
    }

    #[test]
    fn corner_and_t_junction_count_once() {
        // L corner at (5,5) and a T: stem ends on the interior of the bar.
        let idx = WallIndex::new(
            vec![
                w(0.0, 5.0, 5.0, 5.0),
                w(5.0, 5.0, 5.0, 0.0),
                w(10.0, 0.0, 10.0, 10.0),
                w(10.0, 5.0, 15.0, 5.0),
            ],
            1,
            2.0,
        );
        assert_eq!(count(&idx, (0.0, 0.0), (6.0, 6.0), Search::Indexed), 1);
        assert_eq!(count(&idx, (8.0, 3.0), (12.0, 7.0), Search::Indexed), 1);
    }

    #[test]
    fn path_through_free_end_point_counts_once() {
        let idx = WallIndex::new(vec![w(5.0, 0.0, 5.0, 10.0)], 1, 2.0);
        assert_eq!(count(&idx, (0.0, -1.0), (10.0, 1.0), Search::Indexed), 1);
    }

    #[test]
    fn along_a_wall_counts_once() {
        let idx = WallIndex::new(vec![w(0.0, 0.0, 9.0, 0.0)], 1, 2.0);
        assert_eq!(count(&idx, (-1.0, 0.0), (10.0, 0.0), Search::Indexed), 1);
    }
}
