//! The cheapest point-to-point repeater pair for one premises: two units that between them
//! hear every device of the failing pairs, joined by the cheapest backhaul that works.
use crate::candidates::Site;
use crate::hearing::Heard;
use han_radio::althan::{Backhaul, cable_length};
use han_radio::building::Building;
use han_radio::device::DeviceKind;
use std::collections::BTreeMap;

/// Positions kept per set of heard devices (the best by margin): bounds the pairs tried.
pub const KEEP_PER_SET: usize = 6;

/// A chosen pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairChoice {
    /// Site of the first unit (the one that hears the premises' first endpoint, usually the hub).
    pub a: usize,
    /// Site of the second unit.
    pub b: usize,
    /// Backhaul between them.
    pub backhaul: Backhaul,
    /// Units, visit and backhaul.
    pub cost: f64,
    /// Worst margin over the devices, each heard by the better of the two units, dB.
    pub margin_db: f64,
}

/// Per site: which endpoints (bit k = endpoint k) it hears and each margin.
fn masks(heard: &[Vec<Heard>]) -> BTreeMap<usize, (u64, Vec<f64>)> {
    let mut m: BTreeMap<usize, (u64, Vec<f64>)> = BTreeMap::new();
    for (k, list) in heard.iter().enumerate() {
        for h in list {
            let e = m
                .entry(h.site)
                .or_insert_with(|| (0, vec![f64::NEG_INFINITY; heard.len()]));
            e.0 |= 1 << k;
            e.1[k] = h.hop.margin.0;
        }
    }
    m
}

/// The cheapest working pair (ties: better margin, then lower sites), or None if no two
/// positions together hear every endpoint. `heard[k]` lists where endpoint k is heard by a
/// P2P unit; at most 64 endpoints.
pub fn best_pair(b: &Building, sites: &[Site], heard: &[Vec<Heard>]) -> Option<PairChoice> {
    let n = heard.len();
    if n == 0 || n > 64 {
        return None;
    }
    let full: u64 = if n == 64 { u64::MAX } else { (1 << n) - 1 };
    let m = masks(heard);
    // Keep the best few sites of each heard set.
    let mut by_set: BTreeMap<u64, Vec<(usize, f64)>> = BTreeMap::new();
    for (&site, (mask, margins)) in &m {
        let worst = margins
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        by_set.entry(*mask).or_default().push((site, worst));
    }
    let mut pool: Vec<(usize, u64)> = Vec::new();
    for (mask, mut v) in by_set {
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        pool.extend(v.into_iter().take(KEEP_PER_SET).map(|(s, _)| (s, mask)));
    }
    pool.sort_unstable();
    let c = &b.costs;
    let units = 2.0 * c.p2p_unit + c.install_visit;
    let mut best: Option<PairChoice> = None;
    for (i, &(sa, ma)) in pool.iter().enumerate() {
        for &(sb, mb) in &pool[i + 1..] {
            if ma | mb != full {
                continue;
            }
            let margin = (0..n)
                .map(|k| m[&sa].1[k].max(m[&sb].1[k]))
                .fold(f64::INFINITY, f64::min);
            let (pa, pb) = (sites[sa].pos(b), sites[sb].pos(b));
            let cable = cable_length(pa, pb);
            let mut options = vec![(Backhaul::Wired, c.wired_per_m * cable)];
            if cable <= c.powerline_max_m {
                options.push((Backhaul::Powerline, c.powerline_pair));
            }
            options.push((Backhaul::Radio868, c.radio_868_pair));
            options.sort_by(|x, y| x.1.total_cmp(&y.1));
            // Cheapest first; the radio link is traced only if it would be the choice.
            let Some(&(backhaul, cost)) = options.iter().find(|(h, _)| {
                *h != Backhaul::Radio868 || {
                    let ua = sites[sa].unit(b, "", DeviceKind::P2pRepeater);
                    let ub = sites[sb].unit(b, "", DeviceKind::P2pRepeater);
                    b.backhaul_works(Backhaul::Radio868, &ua, &ub)
                }
            }) else {
                continue;
            };
            let cand = PairChoice {
                a: sa,
                b: sb,
                backhaul,
                cost: units + cost,
                margin_db: margin,
            };
            let better = match best {
                None => true,
                Some(o) => {
                    cand.cost < o.cost - 1e-9
                        || (cand.cost <= o.cost + 1e-9 && cand.margin_db > o.margin_db + 1e-9)
                }
            };
            if better {
                best = Some(cand);
            }
        }
    }
    // Name the unit hearing the first endpoint (the hub, where it is one) first.
    best.map(|p| {
        if m[&p.a].0 & 1 == 0 && m[&p.b].0 & 1 != 0 {
            PairChoice {
                a: p.b,
                b: p.a,
                ..p
            }
        } else {
            p
        }
    })
}
