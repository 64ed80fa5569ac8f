//! Changes to a building's air during a run (`han sim --events`): a device moved, a wall
//! given another material or a door opened, an interferer switched on or off. Only what a
//! change touches is computed again: the moved device's pairs and the interferers' power
//! at it; the pairs, and the interferer paths, that cross the changed wall.

use crate::medium::LinkChange;
use crate::radio::Node;
use crate::sim::{WIFI_BURST_US, air_devices, link_dbm, wifi_dbm, wifi_interferers};
use crate::time::Duration;
use crate::world::{Interferer, World};
use han_radio::building::{Building, Device, WifiAp};
use han_radio::geometry::{P2, P3, Search};
use han_radio::material::{Material, MaterialId};
use han_radio::units::{Band, Db};
use std::collections::BTreeMap;

/// The material of an open doorway: no loss in either band.
pub const OPEN_DOORWAY: &str = "open-doorway";

/// A noise source: one of the building's Wi-Fi access points or one added for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The building's access point of this index (file order).
    Wifi(usize),
    /// A source added with [`AirChanges::add_source`], by index.
    Added(usize),
}

/// One change to the air.
#[derive(Debug, Clone, PartialEq)]
pub enum AirChange {
    /// Device (premises index, device index) moves to `pos` on floor index `floor`.
    Move {
        /// (premises index, device index in the premises).
        device: (usize, usize),
        /// Floor index.
        floor: usize,
        /// Antenna position.
        pos: P3,
    },
    /// Wall `wall` (index into the building's walls) becomes `material`; None: an open
    /// doorway, which attenuates nothing.
    Wall {
        /// Wall index.
        wall: usize,
        /// Its new material.
        material: Option<MaterialId>,
    },
    /// A source switches on or off.
    Switch {
        /// Which.
        source: Source,
        /// On (true) or off.
        on: bool,
    },
}

/// Applies [`AirChange`]s to a building and the world built from it by
/// [`crate::sim::building_air`].
pub struct AirChanges {
    band: Band,
    noise_dbm: f64,
    /// Node of each (premises, device).
    nodes: BTreeMap<(usize, usize), u32>,
    /// Interferer of each of the building's access points.
    wifi: Vec<Option<u32>>,
    /// Added sources and their interferers.
    added: Vec<(WifiAp, u32)>,
}

impl AirChanges {
    /// For `world`, built from `b` in `band` by [`crate::sim::building_air`] (its nodes
    /// and interferers in that order).
    pub fn new<N: Node>(b: &Building, band: Band, world: &World<N>) -> Self {
        let devices = air_devices(b, band);
        let noise_dbm = world.config().noise_dbm;
        let radios: Vec<&Device> = devices
            .iter()
            .map(|&(p, i)| &b.premises[p].devices[i])
            .collect();
        let (_, wifi) = wifi_interferers(b, band, &radios, noise_dbm);
        let nodes = devices
            .into_iter()
            .enumerate()
            .map(|(n, d)| (d, n as u32))
            .collect();
        AirChanges {
            band,
            noise_dbm,
            nodes,
            wifi,
            added: Vec::new(),
        }
    }

    /// Add a noise source of the run's own (a microwave oven, a neighbour's access point)
    /// with the duty cycle and power of `ap`, switched off until a [`AirChange::Switch`].
    pub fn add_source<N: Node>(
        &mut self,
        b: &Building,
        world: &mut World<N>,
        ap: WifiAp,
    ) -> Source {
        let powers = self
            .nodes
            .iter()
            .filter_map(|(&(p, i), &n)| {
                Some((
                    n,
                    wifi_dbm(b, &ap, &b.premises[p].devices[i], self.band, self.noise_dbm)?,
                ))
            })
            .collect();
        let idx = world.add_interferer(Interferer {
            powers,
            duty: ap.duty,
            burst: Duration::micros(WIFI_BURST_US),
        });
        world.set_interferer_enabled(idx, false);
        self.added.push((ap, idx));
        Source::Added(self.added.len() - 1)
    }

    /// The interferer of `source`, if it reaches anyone.
    fn interferer(&self, source: Source) -> Option<u32> {
        match source {
            Source::Wifi(k) => self.wifi.get(k).copied().flatten(),
            Source::Added(k) => self.added.get(k).map(|a| a.1),
        }
    }

    /// Apply `change` to `b` and `world` now (interferer powers at the devices it touches
    /// included). Returns how many link-table entries changed.
    pub fn apply<N: Node>(
        &mut self,
        b: &mut Building,
        world: &mut World<N>,
        change: &AirChange,
    ) -> usize {
        match *change {
            AirChange::Move { device, floor, pos } => {
                self.move_device(b, world, device, floor, pos)
            }
            AirChange::Wall { wall, material } => {
                let m = material.unwrap_or_else(|| {
                    b.materials.upsert(Material {
                        name: OPEN_DOORWAY.to_string(),
                        loss: [Db(0.0), Db(0.0)],
                    })
                });
                if !b.walls.set_material(wall, m) {
                    return 0;
                }
                self.rewall(b, world, wall)
            }
            AirChange::Switch { source, on } => {
                if let Some(idx) = self.interferer(source) {
                    world.set_interferer_enabled(idx, on);
                }
                0
            }
        }
    }

    /// Every source with its access point and interferer: the building's that reach
    /// someone, then the added ones.
    fn sources<'a>(&'a self, b: &'a Building) -> impl Iterator<Item = (&'a WifiAp, u32)> + 'a {
        b.wifi
            .iter()
            .zip(&self.wifi)
            .filter_map(|(ap, i)| Some((ap, (*i)?)))
            .chain(self.added.iter().map(|(ap, i)| (ap, *i)))
    }

    fn move_device<N: Node>(
        &mut self,
        b: &mut Building,
        world: &mut World<N>,
        (p, i): (usize, usize),
        floor: usize,
        pos: P3,
    ) -> usize {
        let Some(&n) = self.nodes.get(&(p, i)) else {
            return 0;
        };
        let Some(d) = b.premises.get_mut(p).and_then(|pr| pr.devices.get_mut(i)) else {
            return 0;
        };
        d.floor = floor;
        d.pos = pos;
        let d = &b.premises[p].devices[i];
        let changes: Vec<LinkChange> = self
            .nodes
            .iter()
            .filter(|(_, o)| **o != n)
            .flat_map(|(&(q, j), &o)| {
                let other = &b.premises[q].devices[j];
                [
                    (n, o, link_dbm(b, d, other, self.band)),
                    (o, n, link_dbm(b, other, d, self.band)),
                ]
            })
            .collect();
        let changed = world.move_node(n, [pos.x, pos.y, pos.z], &changes);
        let powers: Vec<(u32, Option<f64>)> = self
            .sources(b)
            .map(|(ap, idx)| (idx, wifi_dbm(b, ap, d, self.band, self.noise_dbm)))
            .collect();
        for (idx, p) in powers {
            world.set_interferer_power(idx, n, p);
        }
        changed
    }

    /// Recompute the pairs and interferer paths whose path crosses `wall`.
    fn rewall<N: Node>(&self, b: &Building, world: &mut World<N>, wall: usize) -> usize {
        let Some(w) = b.walls.walls().get(wall) else {
            return 0;
        };
        let crosses = |a: &P3, fa: usize, c: &P3, fc: usize| {
            (fa.min(fc)..=fa.max(fc)).contains(&w.floor)
                && boxes_meet(a.xy(), c.xy(), w.a, w.b)
                && b.trace(*a, fa, *c, fc, Search::Indexed)
                    .walls
                    .contains(&wall)
        };
        let device = |(p, i): (usize, usize)| -> &Device { &b.premises[p].devices[i] };
        let list: Vec<((usize, usize), u32)> = self.nodes.iter().map(|(&k, &n)| (k, n)).collect();
        let mut changes: Vec<LinkChange> = Vec::new();
        for (k, &(da, na)) in list.iter().enumerate() {
            for &(dc, nc) in &list[k + 1..] {
                let (x, y) = (device(da), device(dc));
                if crosses(&x.pos, x.floor, &y.pos, y.floor) {
                    changes.push((na, nc, link_dbm(b, x, y, self.band)));
                    changes.push((nc, na, link_dbm(b, y, x, self.band)));
                }
            }
        }
        let changed = world.update_links(&changes);
        for (ap, idx) in self.sources(b).collect::<Vec<_>>() {
            for &(dk, n) in &list {
                let d = device(dk);
                if crosses(&ap.pos, ap.floor, &d.pos, d.floor) {
                    world.set_interferer_power(
                        idx,
                        n,
                        wifi_dbm(b, ap, d, self.band, self.noise_dbm),
                    );
                }
            }
        }
        changed
    }
}

/// Whether the bounding boxes of segments p–q and a–c meet (a cheap test that never
/// misses a crossing).
fn boxes_meet(p: P2, q: P2, a: P2, c: P2) -> bool {
    const EPS: f64 = 1e-6;
    p.x.min(q.x) <= a.x.max(c.x) + EPS
        && a.x.min(c.x) <= p.x.max(q.x) + EPS
        && p.y.min(q.y) <= a.y.max(c.y) + EPS
        && a.y.min(c.y) <= p.y.max(q.y) + EPS
}
