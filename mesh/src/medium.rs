//! The medium: who hears whom and how strongly, computed once per pair.
//!
//! Per transmitter only the receivers above a floor (sensitivity minus a margin) are
//! listed, so the cost of a frame grows with the nodes in range, not with all nodes.

/// One receiver of one transmitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Receiving node.
    pub rx: u32,
    /// Received power in mW.
    pub mw: f32,
}

/// Received power between every pair that matters, with positions for propagation delay.
#[derive(Debug, Clone, Default)]
pub struct LinkTable {
    start: Vec<u32>,
    links: Vec<Link>,
    positions: Vec<[f64; 3]>,
}

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
                if let Some(p) = rx_dbm(tx, rx).filter(|&p| p >= floor_dbm) {
                    links.push(Link {
                        rx: rx as u32,
                        mw: 10f64.powf(p / 10.0) as f32,
                    });
                }
            }
        }
        start.push(links.len() as u32);
        LinkTable {
            start,
            links,
            positions,
        }
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
}
