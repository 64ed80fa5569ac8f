//! The medium: who hears whom and how strongly, computed once per pair.
//!
//! Per transmitter only the receivers above a floor (sensitivity minus a margin) are
//! listed, so the cost of a frame grows with the nodes in range, not with all nodes. When
//! something moves, only the pairs it touches are computed again ([`LinkTable::update`]).

use std::collections::BTreeMap;

/// One receiver of one transmitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Receiving node.
    pub rx: u32,
    /// Received power in mW.
    pub mw: f32,
}

/// Received power between every pair that matters, with positions for propagation delay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkTable {
    start: Vec<u32>,
    links: Vec<Link>,
    positions: Vec<[f64; 3]>,
    floor_dbm: f64,
}

/// A pair's new received power: (tx, rx, dBm or None for no path).
pub type LinkChange = (u32, u32, Option<f64>);

impl LinkTable {
    /// Build from node positions (metres) and `rx_dbm(tx, rx)`, the received power from `tx`
    /// at `rx` (None: no path); pairs below `floor_dbm` are dropped.
    pub fn build(
        positions: Vec<[f64; 3]>,
        floor_dbm: f64,
        mut rx_dbm: impl FnMut(usize, usize) -> Option<f64>,
    ) -> Self {
        let n = positions.len();
        let mut start = Vec::with_capacity(n + 1);
        let mut links = Vec::new();
        for tx in 0..n {
            start.push(links.len() as u32);
            for rx in 0..n {
                if rx == tx {
                    continue;
                }
                if let Some(mw) = kept_mw(rx_dbm(tx, rx), floor_dbm) {
                    links.push(Link { rx: rx as u32, mw });
                }
            }
        }
        start.push(links.len() as u32);
        LinkTable {
            start,
            links,
            positions,
            floor_dbm,
        }
    }

    /// Set the received power of the pairs in `changes` (pairs below the table's floor or
    /// without a path are dropped), as [`LinkTable::build`] would have with those values;
    /// pairs of a node with itself and nodes outside the table are ignored. Returns how many
    /// entries changed.
    pub fn update(&mut self, changes: &[LinkChange]) -> usize {
        let n = self.len() as u32;
        let mut by_tx: BTreeMap<u32, BTreeMap<u32, Option<f32>>> = BTreeMap::new();
        for &(tx, rx, dbm) in changes {
            if tx != rx && tx < n && rx < n {
                let mw = kept_mw(dbm, self.floor_dbm);
                by_tx.entry(tx).or_default().insert(rx, mw);
            }
        }
        if by_tx.is_empty() {
            return 0;
        }
        let mut start = Vec::with_capacity(self.start.len());
        let mut links = Vec::with_capacity(self.links.len() + changes.len());
        let mut changed = 0;
        for tx in 0..n {
            start.push(links.len() as u32);
            let old = self.receivers(tx);
            let Some(new) = by_tx.get(&tx) else {
                links.extend_from_slice(old);
                continue;
            };
            // Receivers stay in node order, as a fresh build lists them.
            let mut merged: BTreeMap<u32, f32> = old.iter().map(|l| (l.rx, l.mw)).collect();
            for (&rx, &mw) in new {
                let before = match mw {
                    Some(p) => merged.insert(rx, p),
                    None => merged.remove(&rx),
                };
                changed += usize::from(before != mw);
            }
            links.extend(merged.into_iter().map(|(rx, mw)| Link { rx, mw }));
        }
        start.push(links.len() as u32);
        self.start = start;
        self.links = links;
        changed
    }

    /// Move node `n` (metres); its links are the caller's to update.
    pub fn set_position(&mut self, n: u32, pos: [f64; 3]) {
        if let Some(p) = self.positions.get_mut(n as usize) {
            *p = pos;
        }
    }

    /// Pairs weaker than this are not kept (dBm).
    pub fn floor_dbm(&self) -> f64 {
        self.floor_dbm
    }

    /// Nodes in the table.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// No nodes.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The receivers of `tx`.
    pub fn receivers(&self, tx: u32) -> &[Link] {
        let i = tx as usize;
        let (a, b) = (self.start[i] as usize, self.start[i + 1] as usize);
        &self.links[a..b]
    }

    /// Received power from `tx` at `rx` in mW, if listed.
    pub fn power_mw(&self, tx: u32, rx: u32) -> Option<f64> {
        self.receivers(tx)
            .iter()
            .find(|l| l.rx == rx)
            .map(|l| f64::from(l.mw))
    }

    /// Distance between two nodes in metres.
    pub fn distance(&self, a: u32, b: u32) -> f64 {
        let (p, q) = (self.positions[a as usize], self.positions[b as usize]);
        ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
    }

    /// Node position.
    pub fn position(&self, n: u32) -> [f64; 3] {
        self.positions[n as usize]
    }

    /// Entries held, for memory accounting.
    pub fn entries(&self) -> usize {
        self.links.len()
    }
}

/// The power kept for a pair: mW when at or above the floor.
fn kept_mw(dbm: Option<f64>, floor_dbm: f64) -> Option<f32> {
    dbm.filter(|&p| p >= floor_dbm)
        .map(|p| 10f64.powf(p / 10.0) as f32)
}

/// Log-distance path loss: `pl0` dB at 1 m plus 10·`exponent`·log10(d) (d ≥ 1 m).
pub fn log_distance(pl0: f64, exponent: f64, metres: f64) -> f64 {
    pl0 + 10.0 * exponent * metres.max(1.0).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pairs_above_the_floor_are_kept() {
        let pos: Vec<[f64; 3]> = (0..4).map(|i| [f64::from(i) * 50.0, 0.0, 0.0]).collect();
        let t = LinkTable::build(pos.clone(), -100.0, |a, b| {
            let d = (pos[a][0] - pos[b][0]).abs();
            Some(-log_distance(46.6777, 3.0, d))
        });
        // 50 m: −97.65 dBm (kept); 100 m: −106.68 dBm (dropped).
        assert_eq!(
            t.receivers(1).iter().map(|l| l.rx).collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(t.receivers(0).len(), 1);
        let p = 10.0 * t.power_mw(0, 1).unwrap().log10();
        assert!((p + 97.6467).abs() < 1e-3, "{p}");
    }

    #[test]
    fn updating_moved_pairs_equals_a_fresh_build() {
        let pos: Vec<[f64; 3]> = (0..5).map(|i| [f64::from(i) * 30.0, 0.0, 0.0]).collect();
        let dbm = |pos: &[[f64; 3]], a: usize, b: usize| {
            let d = (pos[a][0] - pos[b][0]).abs();
            Some(-log_distance(46.6777, 3.0, d))
        };
        let mut t = LinkTable::build(pos.clone(), -100.0, |a, b| dbm(&pos, a, b));
        // Node 1 moves from 30 m to 115 m: out of 0's reach, into 4's.
        let mut moved = pos.clone();
        moved[1] = [115.0, 0.0, 0.0];
        let changes: Vec<LinkChange> = (0..5u32)
            .filter(|&o| o != 1)
            .flat_map(|o| {
                let (a, b) = (o as usize, 1usize);
                [(o, 1, dbm(&moved, a, b)), (1, o, dbm(&moved, b, a))]
            })
            .collect();
        t.set_position(1, moved[1]);
        let changed = t.update(&changes);
        let fresh = LinkTable::build(moved.clone(), -100.0, |a, b| dbm(&moved, a, b));
        assert_eq!(t, fresh);
        assert!(changed >= 4, "{changed}");
        assert!(t.power_mw(0, 1).is_none() && t.power_mw(4, 1).is_some());
        // Nothing changes when the values are the same; self-pairs are ignored.
        assert_eq!(t.update(&changes), 0);
        assert_eq!(t.update(&[(2, 2, Some(0.0)), (9, 1, Some(0.0))]), 0);
        assert_eq!(t, fresh);
    }
}
