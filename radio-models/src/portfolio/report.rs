//! Portfolio summary: shares per planned fix (OK on 2.4 GHz, OK only with 868 MHz, P2P, shared,
//! exempt) overall and per archetype with cluster-bootstrap 95 % confidence intervals, the Alt
//! HAN cost, and the Markdown report.
use super::batch::{Fix, ResultLine};
use super::rng::Draw;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The published GB figures a default portfolio must land in (domain.md §2.4, §5.1; issue 12):
/// (what, low %, high %).
pub const PUBLISHED: [(&str, f64, f64); 3] = [
    ("2.4 GHz-only coverage", 60.0, 80.0),
    ("dual-band coverage", 93.0, 99.0),
    ("Alt HAN need", 2.0, 7.0),
];

/// A share with its bootstrap 95 % interval, all in per cent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// Premises counted.
    pub count: usize,
    /// Point estimate, %.
    pub pct: f64,
    /// 2.5th percentile of the bootstrap, %.
    pub lo: f64,
    /// 97.5th percentile, %.
    pub hi: f64,
}

/// Shares of one group of premises (the portfolio, or one archetype).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// "all" or the archetype.
    pub name: String,
    /// Premises.
    pub premises: usize,
    /// Buildings.
    pub buildings: usize,
    /// OK on 2.4 GHz alone.
    pub ok_2g4: Share,
    /// OK only with the 868 MHz band of a dual-band hub.
    pub ok_868_only: Share,
    /// OK with a dual-band hub (the two above).
    pub dual_band: Share,
    /// Needs a P2P repeater pair.
    pub p2p: Share,
    /// Needs a place on a shared installation.
    pub shared: Share,
    /// Exempt.
    pub exempt: Share,
    /// Needs Alt HAN, kind not planned (results of a survey without the planner).
    pub unplanned: Share,
    /// Needs Alt HAN or is exempt (the four above).
    pub alt_han: Share,
    /// Alt HAN cost (P2P pairs and shared installations), GBP.
    pub alt_han_cost_gbp: f64,
}

impl Group {
    /// The shares in the order of [`PUBLISHED`].
    pub fn published_order(&self) -> [Share; 3] {
        [self.ok_2g4, self.dual_band, self.alt_han]
    }
}

/// Premises per planned fix, with the cost where priced.
#[derive(Debug, Clone, PartialEq)]
pub struct FixRow {
    /// The fix.
    pub fix: Fix,
    /// Premises.
    pub premises: usize,
    /// Premises with a cost.
    pub priced: usize,
    /// Sum of the costs, GBP.
    pub cost_gbp: f64,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Every premises.
    pub overall: Group,
    /// Per archetype, by name.
    pub archetypes: Vec<Group>,
    /// Per planned fix.
    pub fixes: Vec<FixRow>,
    /// Exempt premises per kind of reason (the text before the first colon), by kind.
    pub exempt_reasons: Vec<(String, usize)>,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Bootstrap seed.
    pub seed: u64,
}

/// Reads a results file; a bad line is reported as `file:line:column`.
pub fn read_results(name: &str, text: &str) -> Result<Vec<ResultLine>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: ResultLine = serde_json::from_str(line)
            .map_err(|e| format!("{name}:{}:{}: not a result line: {e}", i + 1, e.column()))?;
        out.push(r);
    }
    if out.is_empty() {
        return Err(format!("{name}:1:1: no results"));
    }
    Ok(out)
}

/// Classes counted per building: OK on 2.4 GHz, OK only with 868 MHz, P2P, shared, exempt,
/// Alt HAN unplanned; then the Alt HAN cost. From the planned fix, so a premises the planner
/// fixes with a hub swap counts as covered by a dual-band hub.
const CLASSES: usize = 6;

fn class(f: Fix) -> usize {
    match f {
        Fix::None => 0,
        Fix::DualBandHub => 1,
        Fix::P2pPair => 2,
        Fix::Shared => 3,
        Fix::Exempt => 4,
        Fix::AltHan => 5,
    }
}

/// Per building: premises per class and Alt HAN cost. Buildings are the bootstrap's clusters:
/// flats in one block share walls, meter room, hub channel and shared installation, so they are
/// not independent draws.
#[derive(Debug, Clone, Copy, Default)]
struct Cluster {
    counts: [usize; CLASSES],
    cost: f64,
}

fn clusters<'a>(lines: impl Iterator<Item = &'a ResultLine>) -> Vec<Cluster> {
    let mut by: BTreeMap<&str, Cluster> = BTreeMap::new();
    for l in lines {
        let c = by.entry(l.building.as_str()).or_default();
        c.counts[class(l.fix)] += 1;
        if matches!(l.fix, Fix::P2pPair | Fix::Shared) {
            c.cost += l.cost_gbp.unwrap_or(0.0);
        }
    }
    by.into_values().collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The reported columns as sets of classes: 2.4 GHz, 868-only, dual-band, P2P, shared,
/// exempt, unplanned, Alt HAN.
const COLUMNS: [&[usize]; 8] = [&[0], &[1], &[0, 1], &[2], &[3], &[4], &[5], &[2, 3, 4, 5]];

fn group(name: &str, c: &[Cluster], resamples: usize, draw: &mut Draw) -> Group {
    let sum = |cs: &mut dyn Iterator<Item = Cluster>| {
        cs.fold([0usize; CLASSES], |mut a, b| {
            for (x, y) in a.iter_mut().zip(b.counts) {
                *x += y;
            }
            a
        })
    };
    let tot = sum(&mut c.iter().copied());
    let n: usize = tot.iter().sum();
    let pct = |k: usize, t: usize| {
        if t == 0 {
            0.0
        } else {
            100.0 * k as f64 / t as f64
        }
    };
    let of = |s: &[usize; CLASSES], col: &[usize]| col.iter().map(|&k| s[k]).sum::<usize>();
    let mut boot: [Vec<f64>; 8] = Default::default();
    for _ in 0..resamples {
        let s = sum(&mut (0..c.len()).map(|_| c[draw.below(c.len())]));
        let t: usize = s.iter().sum();
        for (b, col) in boot.iter_mut().zip(COLUMNS) {
            b.push(pct(of(&s, col), t));
        }
    }
    for b in &mut boot {
        b.sort_by(f64::total_cmp);
    }
    let share = |i: usize| {
        let k = of(&tot, COLUMNS[i]);
        Share {
            count: k,
            pct: pct(k, n),
            lo: percentile(&boot[i], 0.025),
            hi: percentile(&boot[i], 0.975),
        }
    };
    Group {
        name: name.to_string(),
        premises: n,
        buildings: c.len(),
        ok_2g4: share(0),
        ok_868_only: share(1),
        dual_band: share(2),
        p2p: share(3),
        shared: share(4),
        exempt: share(5),
        unplanned: share(6),
        alt_han: share(7),
        alt_han_cost_gbp: (c.iter().map(|x| x.cost).sum::<f64>() * 100.0).round() / 100.0,
    }
}

/// Summarises results: shares overall and per archetype with cluster-bootstrap (by building)
/// percentile 95 % intervals from `resamples` resamples seeded by `seed`.
pub fn summarise(lines: &[ResultLine], resamples: usize, seed: u64) -> Summary {
    let mut draw = Draw::new(seed, 0);
    let overall = group("all", &clusters(lines.iter()), resamples, &mut draw);
    let names: Vec<&str> = {
        let mut v: Vec<&str> = lines.iter().map(|l| l.archetype.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let archetypes = names
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut d = Draw::new(seed, i as u64 + 1);
            group(
                a,
                &clusters(lines.iter().filter(|l| l.archetype == *a)),
                resamples,
                &mut d,
            )
        })
        .collect();
    let mut fixes: BTreeMap<Fix, FixRow> = BTreeMap::new();
    for l in lines {
        let row = fixes.entry(l.fix).or_insert(FixRow {
            fix: l.fix,
            premises: 0,
            priced: 0,
            cost_gbp: 0.0,
        });
        row.premises += 1;
        if let Some(c) = l.cost_gbp {
            row.priced += 1;
            row.cost_gbp += c;
        }
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.fix == Fix::Exempt) {
        let r = l.exempt_reason.as_deref().unwrap_or("no reason given");
        *reasons.entry(r.split(':').next().unwrap_or(r)).or_default() += 1;
    }
    Summary {
        overall,
        archetypes,
        fixes: fixes.into_values().collect(),
        exempt_reasons: reasons
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect(),
        resamples,
        seed,
    }
}

fn cell(s: &Share) -> String {
    format!("{:.1} % ({:.1}–{:.1})", s.pct, s.lo, s.hi)
}

impl Summary {
    /// Whether each published figure's point estimate lies in its range, in [`PUBLISHED`] order.
    pub fn in_published_ranges(&self) -> [bool; 3] {
        let s = self.overall.published_order();
        [0, 1, 2].map(|i| (PUBLISHED[i].1..=PUBLISHED[i].2).contains(&s[i].pct))
    }

    /// The Markdown report; `charts` names chart files to link (may be empty).
    pub fn to_markdown(&self, source: &str, charts: &[String]) -> String {
        let o = &self.overall;
        let mut s = format!(
            "# Portfolio survey: {source}\n\n{} premises in {} buildings. Shares with 95 % confidence intervals from a cluster bootstrap over buildings ({} resamples, seed {}).\n\n",
            o.premises, o.buildings, self.resamples, self.seed
        );
        s += "## Against the published GB figures\n\n| figure | this portfolio | published range | in range |\n|---|---|---|---|\n";
        for ((what, lo, hi), (sh, ok)) in PUBLISHED
            .iter()
            .zip(o.published_order().iter().zip(self.in_published_ranges()))
        {
            let _ = writeln!(
                s,
                "| {what} | {} | {lo:.0}–{hi:.0} % | {} |",
                cell(sh),
                if ok { "yes" } else { "**no**" }
            );
        }
        let unplanned = o.unplanned.count > 0;
        s += "\n## By archetype\n\n| archetype | premises | buildings | OK on 2.4 GHz | OK only with 868 MHz | P2P pair | shared installation | exempt |";
        s += if unplanned {
            " Alt HAN, not planned |"
        } else {
            ""
        };
        s += " Alt HAN cost |\n|---|---|---|---|---|---|---|---|";
        s += if unplanned { "---|" } else { "" };
        s += "---|\n";
        for g in std::iter::once(o).chain(&self.archetypes) {
            let _ = write!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                g.name,
                g.premises,
                g.buildings,
                cell(&g.ok_2g4),
                cell(&g.ok_868_only),
                cell(&g.p2p),
                cell(&g.shared),
                cell(&g.exempt)
            );
            if unplanned {
                let _ = write!(s, " {} |", cell(&g.unplanned));
            }
            let _ = writeln!(s, " £{:.0} |", g.alt_han_cost_gbp);
        }
        s += "\n## Planned fixes\n\n| fix | premises | cost |\n|---|---|---|\n";
        let mut unpriced = 0;
        for f in &self.fixes {
            unpriced += f.premises - f.priced;
            let cost = if f.priced == 0 {
                "not priced".to_string()
            } else {
                format!("£{:.0} ({} of {} priced)", f.cost_gbp, f.priced, f.premises)
            };
            let _ = writeln!(s, "| {} | {} | {cost} |", f.fix.label(), f.premises);
        }
        let cost_of = |fix: Fix| {
            self.fixes
                .iter()
                .filter(|f| f.fix == fix)
                .map(|f| f.cost_gbp)
                .sum::<f64>()
        };
        if unpriced == o.premises {
            s += "\nTotal Alt HAN cost: not priced (the fixes come from the survey verdicts; `han portfolio survey` without `--no-plan` runs the Alt HAN planner).\n";
        } else {
            let _ = writeln!(
                s,
                "\nTotal Alt HAN cost: £{:.0} (P2P pairs £{:.0}, shared installations £{:.0}; a shared installation's cost is split evenly among the premises it serves). Hub swaps: £{:.0}.{}",
                o.alt_han_cost_gbp,
                cost_of(Fix::P2pPair),
                cost_of(Fix::Shared),
                cost_of(Fix::DualBandHub),
                if unpriced > 0 {
                    format!(" {unpriced} premises unpriced.")
                } else {
                    String::new()
                }
            );
        }
        if !self.exempt_reasons.is_empty() {
            s += "\n## Exempt premises\n\n| reason | premises |\n|---|---|\n";
            for (r, n) in &self.exempt_reasons {
                let _ = writeln!(s, "| {r} | {n} |");
            }
        }
        if !charts.is_empty() {
            s += "\n## Charts\n\n";
            for c in charts.iter().filter(|c| c.ends_with(".svg")) {
                let _ = writeln!(s, "![shares]({c})");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Verdict;

    fn line(building: &str, arch: &str, v: Verdict) -> ResultLine {
        ResultLine {
            id: format!("{building}/p"),
            building: building.into(),
            premises: "p".into(),
            archetype: arch.into(),
            building_seq: 0,
            premises_seq: 0,
            verdict: v,
            ok_2g4: v == Verdict::Ok2g4,
            ok_868: v != Verdict::NeedsAltHan,
            worst_margin_2g4_db: Some(1.0),
            worst_margin_868_db: Some(2.0),
            fix: Fix::of_verdict(v),
            cost_gbp: None,
            exempt_reason: None,
        }
    }

    #[test]
    fn shares_and_intervals() {
        let mut lines = Vec::new();
        for i in 0..70 {
            lines.push(line(&format!("h{i}"), "house", Verdict::Ok2g4));
        }
        for i in 0..26 {
            lines.push(line(&format!("f{i}"), "flat", Verdict::Ok868));
        }
        for i in 0..4 {
            lines.push(line(&format!("a{i}"), "flat", Verdict::NeedsAltHan));
        }
        let s = summarise(&lines, 500, 1);
        assert_eq!(s.overall.premises, 100);
        assert_eq!(s.overall.ok_2g4.pct, 70.0);
        assert_eq!(s.overall.dual_band.pct, 96.0);
        assert_eq!(s.overall.alt_han.count, 4);
        // Binomial sd at 70 % of 100 is 4.6 points: the interval is roughly ±9.
        let w = s.overall.ok_2g4.hi - s.overall.ok_2g4.lo;
        assert!((12.0..24.0).contains(&w), "{w}");
        assert!(s.overall.ok_2g4.lo < 70.0 && s.overall.ok_2g4.hi > 70.0);
        assert_eq!(s.in_published_ranges(), [true, true, true]);
        let house = &s.archetypes[1];
        assert_eq!(
            (house.name.as_str(), house.ok_2g4.pct, house.ok_2g4.lo),
            ("house", 100.0, 100.0)
        );
        assert_eq!(summarise(&lines, 500, 1), s, "seeded");
        let md = s.to_markdown("test", &[]);
        assert!(md.contains("| 2.4 GHz-only coverage | 70.0 % ("), "{md}");
        assert!(md.contains("not priced"));
    }

    #[test]
    fn clustered_blocks_widen_the_interval() {
        // Same shares, but the 30 failing premises sit in 3 blocks of 10 instead of 30 houses.
        let mut spread = Vec::new();
        let mut blocks = Vec::new();
        for i in 0..70 {
            spread.push(line(&format!("h{i}"), "x", Verdict::Ok2g4));
            blocks.push(line(&format!("h{i}"), "x", Verdict::Ok2g4));
        }
        for i in 0..30 {
            spread.push(line(&format!("f{i}"), "x", Verdict::Ok868));
            blocks.push(line(&format!("b{}", i / 10), "x", Verdict::Ok868));
        }
        let w = |l: &[ResultLine]| {
            let s = summarise(l, 1000, 3).overall.ok_2g4;
            s.hi - s.lo
        };
        assert!(
            w(&blocks) > 1.5 * w(&spread),
            "{} vs {}",
            w(&blocks),
            w(&spread)
        );
    }

    #[test]
    fn planned_fixes_split_the_alt_han_share_and_sum_the_cost() {
        let mut lines = Vec::new();
        for i in 0..90 {
            let mut l = line(&format!("h{i}"), "house", Verdict::Ok2g4);
            l.cost_gbp = Some(0.0);
            lines.push(l);
        }
        let mut p2p = line("farm", "house", Verdict::NeedsAltHan);
        (p2p.fix, p2p.cost_gbp) = (Fix::P2pPair, Some(900.0));
        lines.push(p2p);
        for k in 0..6 {
            let mut l = line("block", "flat", Verdict::NeedsAltHan);
            l.id = format!("block/{k}");
            (l.fix, l.cost_gbp) = (Fix::Shared, Some(250.5));
            lines.push(l);
        }
        for k in 0..3 {
            let mut l = line(&format!("x{k}"), "flat", Verdict::NeedsAltHan);
            (l.fix, l.cost_gbp) = (Fix::Exempt, Some(0.0));
            l.exempt_reason = Some(format!("technically impossible: case {k}"));
            lines.push(l);
        }
        let s = summarise(&lines, 300, 2);
        let o = &s.overall;
        assert_eq!(
            [o.ok_2g4.count, o.p2p.count, o.shared.count, o.exempt.count],
            [90, 1, 6, 3]
        );
        assert_eq!(
            (o.unplanned.count, o.alt_han.count, o.alt_han.pct),
            (0, 10, 10.0)
        );
        assert_eq!(o.alt_han_cost_gbp, 900.0 + 6.0 * 250.5);
        // The six shared flats are one building: one bootstrap cluster.
        assert!(o.shared.lo == 0.0 && o.shared.hi >= 6.0, "{:?}", o.shared);
        let flat = s.archetypes.iter().find(|g| g.name == "flat").unwrap();
        assert_eq!(
            (flat.shared.count, flat.premises, flat.alt_han_cost_gbp),
            (6, 9, 1503.0)
        );
        assert_eq!(
            s.exempt_reasons,
            [("technically impossible".to_string(), 3)]
        );
        let md = s.to_markdown("t", &[]);
        assert!(
            md.contains("| P2P pair | shared installation | exempt | Alt HAN cost |"),
            "{md}"
        );
        assert!(!md.contains("not planned"), "{md}");
        assert!(
            md.contains("Total Alt HAN cost: £2403 (P2P pairs £900, shared installations £1503"),
            "{md}"
        );
        assert!(md.contains("| technically impossible | 3 |"), "{md}");
    }

    #[test]
    fn bad_line_is_located() {
        let e = read_results("r.jsonl", "{\"id\": 1}\n").unwrap_err();
        assert!(e.starts_with("r.jsonl:1:"), "{e}");
        assert!(
            read_results("r.jsonl", "")
                .unwrap_err()
                .contains("no results")
        );
    }
}
