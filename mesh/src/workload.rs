//! The mesh benchmark workload of `shared/bench/ns3-workload.md`, the one ns-3's lr-wpan
//! runs: N nodes on a square grid at 5 m, log-distance propagation (exponent 3.0, 46.6777 dB
//! at 1 m), 0 dBm, acknowledged 50-octet unicasts to a random 8-connected neighbour every
//! 10 s ± 0.5 s, for 3600 s.

use crate::medium::{LinkTable, log_distance};
use crate::radio::{Node, NodeCtx, NodeInput, Radio, RadioConfig, TxOptions};
use crate::stats::Stats;
use crate::time::{Duration, SimTime};
use crate::world::{AirConfig, World};
use han_stack::mac::{Address, MacFrame};
use han_stack::wire::ExtAddr;

/// Grid spacing in metres.
pub const SPACING_M: f64 = 5.0;
/// Path loss at 1 m (free space at 2.4 GHz), dB.
pub const PL0_DB: f64 = 46.6777;
/// Path-loss exponent.
pub const EXPONENT: f64 = 3.0;
/// MSDU length in octets.
pub const MSDU_LEN: usize = 50;
/// The PAN all nodes share.
pub const PAN_ID: u16 = 0x1a62;

/// One benchmark run's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridWorkload {
    /// Nodes.
    pub nodes: usize,
    /// Seed of all random streams.
    pub seed: u64,
    /// Simulated time (3600 s in the benchmark).
    pub duration: Duration,
    /// Receivers more than this far below the sensitivity are left out of the link table
    /// (their interference is ignored).
    pub floor_margin_db: f64,
}

impl GridWorkload {
    /// The benchmark as written: 3600 s, link table down to 10 dB below the sensitivity.
    pub fn new(nodes: usize, seed: u64) -> Self {
        GridWorkload {
            nodes,
            seed,
            duration: Duration::secs(3600),
            floor_margin_db: 10.0,
        }
    }
}

/// Grid side ⌈√N⌉.
pub fn side(n: usize) -> usize {
    (1..).find(|s| s * s >= n).unwrap_or(1)
}

/// Node positions: node i in cell i, row by row, at [`SPACING_M`].
pub fn positions(n: usize) -> Vec<[f64; 3]> {
    let s = side(n);
    (0..n)
        .map(|i| [(i % s) as f64 * SPACING_M, (i / s) as f64 * SPACING_M, 0.0])
        .collect()
}

/// The short address of node `i`.
pub fn short_addr(i: usize) -> u16 {
    (i + 1) as u16
}

/// The 8-connected grid neighbours of node `i` (Chebyshev distance 1, occupied cells).
pub fn neighbours(n: usize, i: usize) -> Vec<u32> {
    let s = side(n) as i64;
    let (x, y) = ((i as i64) % s, (i as i64) / s);
    let mut v = Vec::with_capacity(8);
    for dy in -1..=1 {
        for dx in -1..=1 {
            let (nx, ny) = (x + dx, y + dy);
            if (dx, dy) != (0, 0) && (0..s).contains(&nx) && ny >= 0 {
                let j = ny * s + nx;
                if j < n as i64 {
                    v.push(j as u32);
                }
            }
        }
    }
    v
}

/// A benchmark node: sends to a random neighbour every 10 s ± 0.5 s.
#[derive(Debug, Clone)]
pub struct GridNode {
    index: u32,
    neighbours: Vec<u32>,
    seq: u8,
    end: SimTime,
}

const SEND: u32 = 0;

impl Node for GridNode {
    fn radio_config(&self) -> RadioConfig {
        RadioConfig {
            pan_id: PAN_ID,
            short_addr: short_addr(self.index as usize),
            ext_addr: ExtAddr(0x0012_4b00_0000_0000 | u64::from(self.index)),
            ..RadioConfig::default()
        }
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        let next = match input {
            NodeInput::Start => SimTime(ctx.rng.range_u64(0, Duration::secs(10).0)),
            NodeInput::Timer(SEND) => {
                if let Some(&d) = self
                    .neighbours
                    .get(ctx.rng.below(self.neighbours.len().max(1) as u32) as usize)
                {
                    let f = MacFrame::data(
                        self.seq,
                        PAN_ID,
                        Address::Short(short_addr(d as usize)),
                        Address::Short(short_addr(self.index as usize)),
                        payload(self.seq),
                    );
                    self.seq = self.seq.wrapping_add(1);
                    ctx.transmit(u32::from(self.seq), f.emit_with_fcs(), TxOptions::default());
                }
                ctx.now
                    + Duration(
                        ctx.rng
                            .range_u64(Duration::millis(9500).0, Duration::millis(10500).0),
                    )
            }
            _ => return,
        };
        if next < self.end {
            ctx.set_timer(SEND, next);
        }
    }
}

/// The MSDU: 0x3f (a 6LoWPAN "not a LoWPAN frame" dispatch, with bits LwMesh reserves) and
/// text, so no Wireshark heuristic dissector claims it and captures read as plain data.
fn payload(seq: u8) -> Vec<u8> {
    let text = b"han-mesh benchmark payload ";
    std::iter::once(0x3f)
        .chain((1..MSDU_LEN).map(|i| text[(i + usize::from(seq)) % text.len()]))
        .collect()
}

/// Build the world for `w`: the grid, the link table and the nodes.
pub fn build(w: &GridWorkload) -> World<GridNode> {
    let air = AirConfig::default();
    let pos = positions(w.nodes);
    let end = SimTime::ZERO + w.duration;
    let p = pos.clone();
    let links = LinkTable::build(pos, air.sensitivity_dbm - w.floor_margin_db, |a, b| {
        let d = ((p[a][0] - p[b][0]).powi(2) + (p[a][1] - p[b][1]).powi(2)).sqrt();
        Some(-log_distance(PL0_DB, EXPONENT, d))
    });
    let nodes = (0..w.nodes)
        .map(|i| GridNode {
            index: i as u32,
            neighbours: neighbours(w.nodes, i),
            seq: 0,
            end,
        })
        .collect();
    World::new(air, links, nodes, w.seed)
}

/// Run `w` to its end and return the statistics.
pub fn run(w: &GridWorkload) -> Stats {
    let mut world = build(w);
    world.run_until(SimTime::ZERO + w.duration);
    world.stats()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_neighbours() {
        assert_eq!(side(10), 4);
        assert_eq!(side(200), 15);
        assert_eq!(positions(10)[5], [5.0, 5.0, 0.0]);
        assert_eq!(neighbours(10, 0), [1, 4, 5]);
        assert_eq!(neighbours(10, 9), [4, 5, 6, 8]);
        assert_eq!(neighbours(16, 5).len(), 8);
    }

    #[test]
    fn a_node_costs_under_4_kib() {
        let n = World::<GridNode>::bytes_per_node() + 8 * std::mem::size_of::<u32>();
        assert!(n < 4096, "{n} bytes per node");
    }

    #[test]
    fn ten_nodes_for_ten_minutes() {
        let w = GridWorkload {
            duration: Duration::secs(600),
            ..GridWorkload::new(10, 1)
        };
        let s = run(&w);
        let c = s.confirms;
        let sent = c.success + c.no_ack + c.channel_access_failure;
        // About 60 sends per node in 600 s.
        assert!((590..=610).contains(&sent), "{sent}");
        assert!(c.success as f64 >= 0.99 * sent as f64, "{c:?}");
        assert!(s.ppdus >= 2 * c.success && s.acks <= s.ppdus - c.success);
    }
}
