//! Tracing a straight 3-D path through a building: walls per floor, slabs between levels, path loss.
use crate::building::Building;
use crate::geometry::{Crossings, P2, P3, Search};
use crate::material::MaterialId;
use crate::propagation::PathProfile;
use crate::units::{Band, Db, GB868_CENTRE, Hz, Metres, channel_centre_2g4};

/// What a straight path between two points crosses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// 3-D distance.
    pub distance: Metres,
    /// Walls crossed (indices into `Building::walls`), each once.
    pub walls: Vec<usize>,
    /// Slab materials crossed, one per floor boundary.
    pub slabs: Vec<MaterialId>,
    /// Candidate walls intersection-tested.
    pub tested: usize,
}

impl Building {
    /// Carrier frequency used in `band`.
    pub fn frequency(&self, band: Band) -> Hz {
        match band {
            Band::Ghz2_4 => channel_centre_2g4(self.channel_2g4),
            Band::Mhz868 => GB868_CENTRE,
        }
    }

    /// Traces a - b where a is on floor index `fa` and b on `fb`.
    pub fn trace(&self, a: P3, fa: usize, b: P3, fb: usize, search: Search) -> Trace {
        let mut c = Crossings::default();
        let (lo, hi) = (fa.min(fb), fa.max(fb));
        let rank = |w: usize| {
            self.materials
                .get(self.walls.walls()[w].material)
                .loss(Band::Ghz2_4)
                .0
        };
        let at = |t: f64| P2 {
            x: a.x + t * (b.x - a.x),
            y: a.y + t * (b.y - a.y),
        };
        for f in lo..=hi {
            let (t0, t1) = if fa == fb || (b.z - a.z).abs() < 1e-12 {
                (0.0, 1.0)
            } else {
                let fl = &self.floors[f];
                let ta = (fl.z0 - a.z) / (b.z - a.z);
                let tb = (fl.z0 + fl.height - a.z) / (b.z - a.z);
                let (mut t0, mut t1) = (ta.min(tb).max(0.0), ta.max(tb).min(1.0));
                // The end floors always include their end point.
                if f == fa {
                    t0 = 0.0;
                }
                if f == fb {
                    t1 = 1.0;
                }
                (t0, t1.max(t0))
            };
            self.walls
                .cross_floor(f, at(t0), at(t1), search, &rank, &mut c);
        }
        Trace {
            distance: Metres(a.distance(b)),
            walls: c.walls,
            slabs: (lo..hi).map(|f| self.floors[f].slab).collect(),
            tested: c.tested,
        }
    }

    /// The model inputs for a traced path in `band`.
    pub fn profile(&self, t: &Trace, band: Band) -> PathProfile {
        let wall_loss = t
            .walls
            .iter()
            .map(|&w| {
                self.materials
                    .get(self.walls.walls()[w].material)
                    .loss(band)
                    .0
            })
            .sum();
        let slab_loss = if t.slabs.is_empty() {
            0.0
        } else {
            t.slabs
                .iter()
                .map(|&m| self.materials.get(m).loss(band).0)
                .sum::<f64>()
                / t.slabs.len() as f64
        };
        PathProfile {
            distance: t.distance,
            frequency: self.frequency(band),
            band,
            wall_loss: Db(wall_loss),
            walls: t.walls.len() as u32,
            floors: t.slabs.len() as u32,
            slab_loss: Db(slab_loss),
        }
    }

    /// Path loss a - b in `band`: the building's model plus shadowing if configured.
    pub fn path_loss(&self, a: P3, b: P3, t: &Trace, band: Band) -> Db {
        let median = self.model.path_loss(&self.profile(t, band));
        match &self.shadowing {
            Some(s) => median + s.link(a, b),
            None => median,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn building(extra: &str) -> Building {
        let src = format!(
            r#"
[building]
name = "t"
[[floor]]
level = 0
height_m = 3.0
[[floor]]
level = 1
height_m = 3.0
slab = "timber-floor"
[[floor]]
level = 2
height_m = 3.0
[[wall]]
floors = [0, 2]
from = [5.0, -10.0]
to = [5.0, 10.0]
material = "brick"
[[wall]]
floor = 1
from = [8.0, -10.0]
to = [8.0, 10.0]
material = "plasterboard"
{extra}
"#
        );
        Building::from_toml("t.toml", &src).unwrap()
    }

    fn p(x: f64, y: f64, z: f64) -> P3 {
        P3 { x, y, z }
    }

    #[test]
    fn walls_and_floors_counted() {
        let b = building("");
        let t = b.trace(p(0.0, 0.0, 1.5), 0, p(10.0, 0.0, 1.5), 0, Search::Indexed);
        assert_eq!(t.walls.len(), 1);
        assert!(t.slabs.is_empty());
        // Up two floors: z 1.5 -> 7.5, x 0 -> 10: brick crossed at x=5 (z 4.5, floor 1), plasterboard at x=8 (z 6.3, floor 2: none).
        let t = b.trace(p(0.0, 0.0, 1.5), 0, p(10.0, 0.0, 7.5), 2, Search::Indexed);
        assert_eq!(t.slabs.len(), 2);
        assert_eq!(t.walls.len(), 1);
        let pf = b.profile(&t, Band::Ghz2_4);
        assert_eq!(pf.wall_loss, Db(6.0));
        // Mean of reinforced concrete (18) and timber floor (5).
        assert_eq!(pf.slab_loss, Db(11.5));
    }

    #[test]
    fn multiwall_by_hand_through_building() {
        let b = building("");
        let (a, c) = (p(0.0, 0.0, 1.5), p(10.0, 0.0, 1.5));
        let t = b.trace(a, 0, c, 0, Search::Indexed);
        // FSPL 10 m at channel 15 (2425 MHz) + brick 6 dB.
        let fspl = 20.0 * (4.0 * std::f64::consts::PI * 10.0 * 2425e6 / 299_792_458.0f64).log10();
        assert!((b.path_loss(a, c, &t, Band::Ghz2_4).0 - (fspl + 6.0)).abs() < 1e-9);
    }

    #[test]
    fn shadowing_on_changes_loss_deterministically() {
        let b = building("");
        let mut shadowed = building("");
        shadowed.shadowing = Some(crate::propagation::Shadowing {
            sigma: Db(8.0),
            seed: 7,
            correlation: Metres(4.0),
        });
        let (a, c) = (p(0.0, 0.0, 1.5), p(10.0, 0.0, 1.5));
        let t = b.trace(a, 0, c, 0, Search::Indexed);
        let l0 = b.path_loss(a, c, &t, Band::Ghz2_4);
        let l1 = shadowed.path_loss(a, c, &t, Band::Ghz2_4);
        let l2 = shadowed.path_loss(c, a, &t, Band::Ghz2_4);
        assert_ne!(l0, l1);
        assert_eq!(l1, l2);
        let expect = l0 + shadowed.shadowing.unwrap().link(a, c);
        assert!((l1.0 - expect.0).abs() < 1e-12);
    }

    fn pt() -> impl Strategy<Value = (f64, f64, usize, f64)> {
        (-12.0..12.0f64, -12.0..12.0f64, 0usize..3, 0.0..3.0f64)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn symmetric_and_index_matches_brute_force(a in pt(), c in pt()) {
            let b = building("");
            let pa = p(a.0, a.1, b.floors[a.2].z0 + a.3);
            let pc = p(c.0, c.1, b.floors[c.2].z0 + c.3);
            let t1 = b.trace(pa, a.2, pc, c.2, Search::Indexed);
            let t2 = b.trace(pc, c.2, pa, a.2, Search::Indexed);
            let t3 = b.trace(pa, a.2, pc, c.2, Search::BruteForce);
            let mut w1 = t1.walls.clone(); w1.sort();
            let mut w2 = t2.walls.clone(); w2.sort();
            let mut w3 = t3.walls.clone(); w3.sort();
            prop_assert_eq!(&w1, &w2);
            prop_assert_eq!(&w1, &w3);
            for band in Band::ALL {
                let l1 = b.path_loss(pa, pc, &t1, band).0;
                let l2 = b.path_loss(pc, pa, &t2, band).0;
                prop_assert!((l1 - l2).abs() < 1e-9);
            }
            // 868 MHz loses less than 2.4 GHz whenever walls are crossed (and always, given FSPL).
            if !t1.walls.is_empty() {
                prop_assert!(b.path_loss(pa, pc, &t1, Band::Mhz868) < b.path_loss(pa, pc, &t1, Band::Ghz2_4));
            }
        }

        #[test]
        fn adding_a_wall_never_lowers_loss(a in pt(), c in pt(), w in (-12.0..12.0f64, -12.0..12.0f64, -12.0..12.0f64, -12.0..12.0f64, 0i32..3)) {
            let b0 = building("");
            let b1 = building(&format!(
                "[[wall]]\nfloor = {}\nfrom = [{:?}, {:?}]\nto = [{:?}, {:?}]\nmaterial = \"concrete\"\n",
                w.4, w.0, w.1, w.2, w.3
            ));
            let pa = p(a.0, a.1, b0.floors[a.2].z0 + a.3);
            let pc = p(c.0, c.1, b0.floors[c.2].z0 + c.3);
            let t0 = b0.trace(pa, a.2, pc, c.2, Search::Indexed);
            let t1 = b1.trace(pa, a.2, pc, c.2, Search::Indexed);
            for band in Band::ALL {
                prop_assert!(b1.path_loss(pa, pc, &t1, band).0 >= b0.path_loss(pa, pc, &t0, band).0 - 1e-9);
            }
        }
    }
}
