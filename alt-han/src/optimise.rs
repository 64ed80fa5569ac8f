//! Where to put the units of one shared Alt HAN installation: a facility-location problem.
//!
//! Every failing premises needs some devices ("endpoints") heard by a unit; a premises whose
//! endpoints are all heard by chosen units may join the installation. Each premises then takes
//! the cheapest of joining, its own fix (a P2P pair or a hub swap, cost given) and exemption
//! (costed at the ceiling, so a premises is exempted only when every fix costs more). The
//! installation costs a head-end once, each unit, and the riser backbone per storey spanned.
//! The search is greedy weighted set cover followed by local improvement (drop, add and swap
//! moves on the true cost); `exhaustive` gives the optimum of small problems for comparison.

/// What one failing premises needs from the shared installation, and its other way out.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// Endpoint numbers (devices that a unit must hear), each used by this premises only;
    /// none means the premises cannot join (nothing to carry).
    pub endpoints: Vec<usize>,
    /// Cost of the premises' cheapest own fix (P2P pair, dual-band hub), if any.
    pub alternative: Option<f64>,
}

/// A position where a shared unit could go.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Unit plus its cable to the riser.
    pub cost: f64,
    /// Floor index (the backbone spans the lowest to the highest unit's floor).
    pub floor: usize,
    /// Endpoints a unit here hears, ascending.
    pub covers: Vec<usize>,
}

/// One optimisation problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Number of endpoints.
    pub endpoints: usize,
    /// Failing premises.
    pub needs: Vec<Need>,
    /// Candidate unit positions.
    pub candidates: Vec<Candidate>,
    /// Head-end cost, paid once if any unit is installed.
    pub head_end: f64,
    /// Backbone cost per storey spanned.
    pub per_floor: f64,
    /// Cost of joining one premises.
    pub connection: f64,
    /// Most a premises' fix may cost (the cost charged for exempting it).
    pub ceiling: f64,
}

/// What a premises does in a solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Its own fix.
    Own,
    /// Joins the shared installation.
    Shared,
    /// Exempt.
    Exempt,
}

/// A solution: the units chosen and each premises' choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Chosen candidates, ascending.
    pub units: Vec<usize>,
    /// Choice per need.
    pub choices: Vec<Choice>,
    /// Objective: installation + own fixes + connections + ceiling per exempt premises.
    pub objective: f64,
    /// Objective evaluations the search made.
    pub evaluations: u64,
    /// Proven optimal (found by trying every useful subset).
    pub optimal: bool,
}

/// Improvements smaller than this are rounding noise.
const EPS: f64 = 1e-9;

/// Most candidates `exhaustive` accepts (2^20 subsets).
pub const EXHAUSTIVE_MAX: usize = 20;

/// Most useful candidates `solve` tries exhaustively (2^16 subsets, well under a second).
pub const EXACT_MAX: usize = 16;

impl Problem {
    /// Installation cost of a set of units (head-end, units, backbone span).
    pub fn installation_cost(&self, units: &[usize]) -> f64 {
        if units.is_empty() {
            return 0.0;
        }
        let lo = units.iter().map(|&u| self.candidates[u].floor).min();
        let hi = units.iter().map(|&u| self.candidates[u].floor).max();
        let span = hi.unwrap_or(0) - lo.unwrap_or(0);
        self.head_end
            + units.iter().map(|&u| self.candidates[u].cost).sum::<f64>()
            + self.per_floor * span as f64
    }

    /// Cheapest choice of one need given whether the installation hears all its endpoints.
    fn choose(&self, need: &Need, served: bool) -> (Choice, f64) {
        let mut best = (Choice::Exempt, self.ceiling);
        if served && self.connection <= best.1 {
            best = (Choice::Shared, self.connection);
        }
        if let Some(a) = need.alternative
            && a <= best.1
        {
            best = (Choice::Own, a);
        }
        best
    }

    fn count(&self, units: &[usize], cnt: &mut Vec<u32>) {
        cnt.clear();
        cnt.resize(self.endpoints, 0);
        for &u in units {
            for &e in &self.candidates[u].covers {
                cnt[e] += 1;
            }
        }
    }

    fn objective(&self, units: &[usize], cnt: &mut Vec<u32>) -> f64 {
        self.count(units, cnt);
        self.installation_cost(units)
            + self
                .needs
                .iter()
                .map(|n| self.choose(n, heard_all(n, cnt)).1)
                .sum::<f64>()
    }

    /// The objective and choices for a given set of units.
    pub fn evaluate(&self, units: &[usize]) -> Solution {
        let mut cnt = Vec::new();
        let objective = self.objective(units, &mut cnt);
        let mut units = units.to_vec();
        units.sort_unstable();
        let choices = self
            .needs
            .iter()
            .map(|n| self.choose(n, heard_all(n, &cnt)).0)
            .collect();
        Solution {
            units,
            choices,
            objective,
            evaluations: 1,
            optimal: false,
        }
    }

    /// Candidates worth considering: covering something, and not dominated by another on the
    /// same floor that covers at least as much for no more money.
    pub fn useful_candidates(&self) -> Vec<usize> {
        let mut keep: Vec<usize> = Vec::new();
        let mut order: Vec<usize> = (0..self.candidates.len())
            .filter(|&c| !self.candidates[c].covers.is_empty())
            .collect();
        // Larger coverage first, then cheaper, then file order: a dominator comes before what it dominates.
        order.sort_by(|&a, &b| {
            let (ca, cb) = (&self.candidates[a], &self.candidates[b]);
            cb.covers
                .len()
                .cmp(&ca.covers.len())
                .then(ca.cost.total_cmp(&cb.cost))
                .then(a.cmp(&b))
        });
        for c in order {
            let cc = &self.candidates[c];
            let dominated = keep.iter().any(|&k| {
                let kc = &self.candidates[k];
                kc.floor == cc.floor
                    && kc.cost <= cc.cost + EPS
                    && is_subset(&cc.covers, &kc.covers)
            });
            if !dominated {
                keep.push(c);
            }
        }
        keep.sort_unstable();
        keep
    }

    /// The best installation: exact (every subset of the useful candidates) when at most
    /// `EXACT_MAX` remain after dominance pruning, else `search`.
    pub fn solve(&self) -> Solution {
        let pool = self.useful_candidates();
        if pool.len() > EXACT_MAX {
            return self.search();
        }
        let mut cnt = Vec::new();
        let mut best: Option<(Vec<usize>, f64)> = None;
        let mut units = Vec::with_capacity(pool.len());
        for mask in 0u32..(1u32 << pool.len()) {
            units.clear();
            units.extend(
                (0..pool.len())
                    .filter(|&i| mask & (1 << i) != 0)
                    .map(|i| pool[i]),
            );
            let o = self.objective(&units, &mut cnt);
            if best.as_ref().is_none_or(|b| o < b.1 - EPS) {
                best = Some((units.clone(), o));
            }
        }
        let mut s = self.evaluate(&best.map(|b| b.0).unwrap_or_default());
        s.evaluations = 1 << pool.len();
        s.optimal = true;
        s
    }

    /// Greedy weighted set cover (twice: charging the head-end to the first unit, and not),
    /// each followed by local improvement; also improvement from no units. The best wins.
    pub fn search(&self) -> Solution {
        let pool = self.useful_candidates();
        let mut evaluations = 0u64;
        let mut best: Option<(Vec<usize>, f64)> = None;
        let starts = [
            self.greedy(&pool, Vec::new(), None, false),
            self.greedy(&pool, Vec::new(), None, true),
            Vec::new(),
        ];
        for start in starts {
            let (s, obj, n) = self.improve(&pool, start);
            evaluations += n;
            if best.as_ref().is_none_or(|b| obj < b.1 - EPS) {
                best = Some((s, obj));
            }
        }
        let units = best.map(|b| b.0).unwrap_or_default();
        let mut s = self.evaluate(&units);
        s.evaluations = evaluations;
        s
    }

    /// Greedy from `chosen`: repeatedly add the candidate (other than `banned`) whose newly
    /// heard endpoints are worth most per unit of marginal cost; an endpoint is worth its
    /// premises' saving over its other way out, shared among the premises' endpoints. With
    /// `head_end_paid` the head-end is not charged to the first unit.
    fn greedy(
        &self,
        pool: &[usize],
        mut chosen: Vec<usize>,
        banned: Option<usize>,
        head_end_paid: bool,
    ) -> Vec<usize> {
        let mut weight = vec![0.0; self.endpoints];
        for n in &self.needs {
            let other = n.alternative.unwrap_or(f64::INFINITY).min(self.ceiling);
            let saving = (other - self.connection).max(0.0);
            for &e in &n.endpoints {
                weight[e] = saving / n.endpoints.len() as f64;
            }
        }
        let mut heard = vec![false; self.endpoints];
        for &c in &chosen {
            for &e in &self.candidates[c].covers {
                heard[e] = true;
            }
        }
        let cost = |units: &[usize]| {
            let c = self.installation_cost(units);
            if head_end_paid && !units.is_empty() {
                c - self.head_end
            } else {
                c
            }
        };
        loop {
            let base = cost(&chosen);
            let mut best: Option<(usize, f64)> = None;
            for &c in pool {
                if chosen.contains(&c) || Some(c) == banned {
                    continue;
                }
                let gain: f64 = self.candidates[c]
                    .covers
                    .iter()
                    .filter(|&&e| !heard[e])
                    .map(|&e| weight[e])
                    .sum();
                if gain <= EPS {
                    continue;
                }
                chosen.push(c);
                let marginal = (cost(&chosen) - base).max(EPS);
                chosen.pop();
                let score = gain / marginal;
                if best.is_none_or(|b| score > b.1 + EPS) {
                    best = Some((c, score));
                }
            }
            let Some((c, _)) = best else { break };
            for &e in &self.candidates[c].covers {
                heard[e] = true;
            }
            chosen.push(c);
        }
        chosen
    }

    /// Best-improvement local search over drop, add and swap moves until none helps.
    fn improve(&self, pool: &[usize], mut cur: Vec<usize>) -> (Vec<usize>, f64, u64) {
        let mut cnt = Vec::new();
        let mut obj = self.objective(&cur, &mut cnt);
        let mut evaluations = 1u64;
        loop {
            let mut best: Option<(Vec<usize>, f64)> = None;
            let mut consider = |s: Vec<usize>, cnt: &mut Vec<u32>| {
                let o = self.objective(&s, cnt);
                evaluations += 1;
                if o < obj - EPS && best.as_ref().is_none_or(|b| o < b.1 - EPS) {
                    best = Some((s, o));
                }
            };
            for i in 0..cur.len() {
                let mut s = cur.clone();
                let gone = s.remove(i);
                consider(s.clone(), &mut cnt);
                // Drop and repair: cover again greedily without the dropped unit.
                consider(self.greedy(pool, s, Some(gone), true), &mut cnt);
            }
            for &c in pool {
                if cur.contains(&c) {
                    continue;
                }
                let mut s = cur.clone();
                s.push(c);
                consider(s.clone(), &mut cnt);
                for i in 0..cur.len() {
                    let mut t = s.clone();
                    t.remove(i);
                    consider(t, &mut cnt);
                }
            }
            match best {
                Some((s, o)) => {
                    cur = s;
                    obj = o;
                }
                None => return (cur, obj, evaluations),
            }
        }
    }

    /// The optimum by trying every subset of candidates; for at most `EXHAUSTIVE_MAX` candidates
    /// (None beyond).
    pub fn exhaustive(&self) -> Option<Solution> {
        let n = self.candidates.len();
        if n > EXHAUSTIVE_MAX {
            return None;
        }
        let mut cnt = Vec::new();
        let mut best: Option<(Vec<usize>, f64)> = None;
        let mut units = Vec::with_capacity(n);
        for mask in 0u32..(1u32 << n) {
            units.clear();
            units.extend((0..n).filter(|&i| mask & (1 << i) != 0));
            let o = self.objective(&units, &mut cnt);
            if best.as_ref().is_none_or(|b| o < b.1 - EPS) {
                best = Some((units.clone(), o));
            }
        }
        let mut s = self.evaluate(&best.map(|b| b.0).unwrap_or_default());
        s.evaluations = 1 << n;
        s.optimal = true;
        Some(s)
    }
}

/// Units hear every endpoint of the need (and it has some).
fn heard_all(n: &Need, cnt: &[u32]) -> bool {
    !n.endpoints.is_empty() && n.endpoints.iter().all(|&e| cnt[e] > 0)
}

/// `a` ⊆ `b`, both ascending.
fn is_subset(a: &[usize], b: &[usize]) -> bool {
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j == b.len() || b[j] != x {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(cost: f64, floor: usize, covers: &[usize]) -> Candidate {
        Candidate {
            cost,
            floor,
            covers: covers.to_vec(),
        }
    }

    /// A block where the meter room (floor 0) and one unit per upper floor serve everyone.
    fn block() -> Problem {
        // Premises k (k = 0..4) on floor 1 + k/2: endpoints 2k (hub, basement) and 2k+1 (IHD).
        let needs = (0..4)
            .map(|k| Need {
                endpoints: vec![2 * k, 2 * k + 1],
                alternative: Some(500.0),
            })
            .collect();
        Problem {
            endpoints: 8,
            needs,
            candidates: vec![
                cand(250.0, 0, &[0, 2, 4, 6]),
                cand(250.0, 1, &[1, 3]),
                cand(250.0, 2, &[5, 7]),
                cand(260.0, 1, &[1]),
                cand(250.0, 2, &[3, 5, 7]),
            ],
            head_end: 300.0,
            per_floor: 100.0,
            connection: 40.0,
            ceiling: 2000.0,
        }
    }

    #[test]
    fn block_takes_the_shared_installation() {
        let p = block();
        let s = p.search();
        let e = p.exhaustive().unwrap();
        assert!((s.objective - e.objective).abs() < 1e-6, "{s:?} {e:?}");
        // 300 + 3 x 250 + 2 floors x 100 + 4 x 40 = 1410 < 4 x 500.
        assert!((s.objective - 1410.0).abs() < 1e-6, "{s:?}");
        assert_eq!(s.choices, vec![Choice::Shared; 4]);
        assert_eq!(s.units, vec![0, 1, 4]);
    }

    #[test]
    fn dominated_positions_are_dropped() {
        // Candidate 3 hears a subset of 1's endpoints on the same floor for more money, and
        // 2 a subset of 4's for the same.
        assert_eq!(block().useful_candidates(), vec![0, 1, 4]);
    }

    #[test]
    fn cheap_own_fixes_beat_a_head_end() {
        let mut p = block();
        p.needs.iter_mut().for_each(|n| n.alternative = Some(100.0));
        let s = p.solve();
        assert!(s.units.is_empty());
        assert_eq!(s.choices, vec![Choice::Own; 4]);
        assert!((s.objective - 400.0).abs() < 1e-9);
    }

    #[test]
    fn over_the_ceiling_is_exempt() {
        let mut p = block();
        p.candidates.clear();
        p.needs[0].alternative = None;
        p.needs[1].alternative = Some(2500.0);
        let s = p.solve();
        assert_eq!(s.choices[0], Choice::Exempt);
        assert_eq!(s.choices[1], Choice::Exempt);
        assert_eq!(s.choices[2], Choice::Own);
    }

    #[test]
    fn greedy_alone_is_not_enough_here() {
        // The textbook case: one unit hears four IHDs, two others hear three each and together
        // all six. Greedy takes the big one first and then needs both others; local
        // improvement drops the big one.
        let needs = (0..6)
            .map(|k| Need {
                endpoints: vec![k],
                alternative: Some(1000.0),
            })
            .collect();
        let p = Problem {
            endpoints: 6,
            needs,
            candidates: vec![
                cand(100.0, 0, &[0, 1, 2, 3]),
                cand(100.0, 0, &[0, 1, 4]),
                cand(100.0, 0, &[2, 3, 5]),
            ],
            head_end: 0.0,
            per_floor: 0.0,
            connection: 0.0,
            ceiling: 5000.0,
        };
        assert_eq!(
            p.greedy(&p.useful_candidates(), Vec::new(), None, false),
            vec![0, 1, 2]
        );
        let s = p.search();
        assert_eq!(s.units, vec![1, 2]);
        assert_eq!(p.exhaustive().unwrap().objective, s.objective);
    }

    prop_compose! {
        fn problem()(
            premises in 1usize..6,
            ends in 1usize..3,
            cands in proptest::collection::vec((50.0f64..400.0, 0usize..4, proptest::collection::vec(any::<bool>(), 12)), 0..11),
            alts in proptest::collection::vec(proptest::option::of(100.0f64..1500.0), 6),
            head_end in 0.0f64..1500.0,
            per_floor in 0.0f64..300.0,
            connection in 0.0f64..100.0,
            ceiling in 500.0f64..3000.0,
        ) -> Problem {
            let endpoints = premises * ends;
            let needs = (0..premises)
                .map(|k| Need { endpoints: (k * ends..(k + 1) * ends).collect(), alternative: alts[k] })
                .collect();
            let candidates = cands
                .into_iter()
                .map(|(cost, floor, bits)| Candidate {
                    cost,
                    floor,
                    covers: (0..endpoints).filter(|&e| bits[e]).collect(),
                })
                .collect();
            Problem { endpoints, needs, candidates, head_end, per_floor, connection, ceiling }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Dominance pruning never loses the optimum: `solve` on the pruned candidates equals
        /// every subset of all candidates, and the local search is never worse than greedy.
        #[test]
        fn solve_matches_exhaustive(p in problem()) {
            let s = p.solve();
            let e = p.exhaustive().unwrap();
            prop_assert!(s.optimal);
            prop_assert!((s.objective - e.objective).abs() < 1e-6, "solve {} vs optimum {}", s.objective, e.objective);
            prop_assert!((p.evaluate(&s.units).objective - s.objective).abs() < 1e-6);
            let pool = p.useful_candidates();
            let greedy = p.evaluate(&p.greedy(&pool, Vec::new(), None, false)).objective;
            let h = p.search();
            prop_assert!(h.objective <= greedy + 1e-6 && h.objective >= e.objective - 1e-6);
        }
    }
}
