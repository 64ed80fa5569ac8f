//! The plan: for every failing premises a dual-band hub, a P2P repeater pair, a place on the
//! building's shared installation, or exemption with the reason; at least total cost.
use crate::candidates::{self, Site, Sites};
use crate::hearing::{self, Failing, Heard};
use crate::optimise::{Candidate, Choice, Need, Problem};
use crate::p2p::{self, PairChoice};
use han_radio::althan::{Backhaul, Costs, InstallationKind};
use han_radio::building::{Building, Premises};
use han_radio::device::DeviceKind;
use han_radio::survey::{SurveyReport, Verdict};
use han_radio::units::Band;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// How a premises is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fix {
    /// Swap a 2.4 GHz-only comms hub for a dual-band one; 868 MHz closes the links.
    DualBandHub,
    /// A point-to-point repeater pair of its own.
    P2pPair,
    /// Joins the building's shared installation.
    Shared,
    /// On the Exempt Premises List.
    Exempt,
}

impl Fix {
    /// Name as in reports.
    pub fn name(self) -> &'static str {
        match self {
            Fix::DualBandHub => "dual-band-hub",
            Fix::P2pPair => "p2p-pair",
            Fix::Shared => "shared",
            Fix::Exempt => "exempt",
        }
    }
}

/// A planned unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedUnit {
    /// Device id.
    pub id: String,
    /// Floor level (as in the building file).
    pub level: i32,
    /// Plan position, metres.
    pub at: [f64; 2],
    /// Antenna height above the floor, metres.
    pub height_m: f64,
    /// Where the candidate came from (`grid`, `riser`, `corridor`, `meter-room`).
    pub site: &'static str,
}

/// A planned installation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedInstallation {
    /// Id.
    pub id: String,
    /// `p2p-pair` or `shared`.
    pub kind: InstallationKind,
    /// Link between the units.
    pub backhaul: Backhaul,
    /// Premises carried.
    pub serves: Vec<String>,
    /// Units.
    pub units: Vec<PlannedUnit>,
    /// Equipment, visits, backhaul/backbone and connections.
    pub cost: f64,
}

/// The plan for one failing premises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PremisesPlan {
    /// Premises id.
    pub id: String,
    /// What is done.
    pub fix: Fix,
    /// Installation carrying it (P2P pair or shared), if any.
    pub installation: Option<String>,
    /// Cost attributed to it (a shared installation's cost split evenly, plus its connection).
    pub cost: f64,
    /// Worst failing pair's best direct margin before, dB.
    pub margin_before_db: f64,
    /// Worst margin after the fix (the weakest leg), dB.
    pub margin_after_db: Option<f64>,
    /// After minus before, dB.
    pub margin_gained_db: Option<f64>,
    /// What and where, or why exempt.
    pub detail: String,
}

/// The naive plan: one P2P pair per failing premises that has one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NaivePlan {
    /// Sum of the pairs' costs.
    pub cost: f64,
    /// Premises it fixes.
    pub premises_fixed: usize,
}

/// How the search went.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SearchReport {
    /// Permitted candidate positions.
    pub sites: usize,
    /// Positions forbidden by zones.
    pub forbidden: usize,
    /// Shared-unit candidates hearing some failing device.
    pub shared_candidates: usize,
    /// Of those, not dominated by another on the same floor.
    pub useful_candidates: usize,
    /// Objective evaluations.
    pub evaluations: u64,
    /// The shared installation is proven least-cost (exhaustive over the useful candidates).
    pub optimal: bool,
}

/// A building's Alt HAN plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Building name.
    pub building: String,
    /// Premises in the building.
    pub premises: usize,
    /// Premises the survey finds ok without Alt HAN.
    pub ok_without_alt_han: usize,
    /// Costs used.
    pub costs: Costs,
    /// One entry per failing premises, file order.
    pub plans: Vec<PremisesPlan>,
    /// Equipment to install, P2P pairs in premises order, then the shared installation.
    pub installations: Vec<PlannedInstallation>,
    /// Exempt premises with reasons (also in `plans`).
    pub exempt: Vec<Exempt>,
    /// Total cost of the plan.
    pub total_cost: f64,
    /// The naive plan for comparison.
    pub naive: NaivePlan,
    /// total_cost / naive.cost, when the naive plan costs anything.
    pub cost_ratio: Option<f64>,
    /// Search figures.
    pub search: SearchReport,
    /// Simulation check per fixed premises (`han plan --verify`), with its settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// The plan run on the virtual air.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    /// What was run.
    pub config: crate::verify::VerifyConfig,
    /// Before / after per fixed premises.
    pub premises: Vec<crate::verify::PremisesCheck>,
}

/// An exempt premises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exempt {
    /// Premises id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// Everything the planner works out before choosing, per failing premises.
struct Options {
    dual_band: Option<(f64, f64)>,
    pair: Option<PairChoice>,
}

/// The premises with its 2.4 GHz-only hub swapped for a dual-band one, if it has such a hub.
fn with_dual_band_hub(p: &Premises) -> Option<Premises> {
    let i = p.devices.iter().position(|d| {
        d.kind == DeviceKind::Chf
            && d.radio(Band::Mhz868).is_none()
            && d.radio(Band::Ghz2_4).is_some()
    })?;
    let mut q = p.clone();
    q.devices[i].radio[Band::Mhz868.index()] = Some(DeviceKind::Chf.default_radio(Band::Mhz868));
    Some(q)
}

/// (cost, margin after) of a hub swap that makes every link close, if one does.
fn dual_band_option(b: &Building, f: &Failing) -> Option<(f64, f64)> {
    let q = with_dual_band_hub(&b.premises[f.premises])?;
    let r = b.survey_premises(&q);
    if !matches!(r.verdict, Verdict::Ok2g4 | Verdict::Ok868) {
        return None;
    }
    let after = f
        .pairs
        .iter()
        .filter_map(|&(x, y)| Some(b.link_closes(&q.devices[x], &q.devices[y])?.margin.0))
        .fold(f64::INFINITY, f64::min);
    Some((b.costs.dual_band_hub + b.costs.install_visit, after))
}

/// Ids already used in the building, so planned ones can avoid them.
fn used_ids(b: &Building) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for p in &b.premises {
        ids.insert(p.id.clone());
        ids.extend(p.devices.iter().map(|d| d.id.clone()));
    }
    for i in &b.alt_han {
        ids.insert(i.id.clone());
        ids.extend(i.units.iter().map(|u| u.id.clone()));
    }
    ids
}

/// `want`, or `want-2`, `want-3`, … : the first not yet used; records it.
fn fresh(ids: &mut BTreeSet<String>, want: String) -> String {
    let mut id = want.clone();
    let mut k = 2;
    while ids.contains(&id) {
        id = format!("{want}-{k}");
        k += 1;
    }
    ids.insert(id.clone());
    id
}

fn planned_unit(b: &Building, s: &Site, id: String) -> PlannedUnit {
    PlannedUnit {
        id,
        level: b.floors[s.floor].level,
        at: [s.at.x, s.at.y],
        height_m: s.height_m,
        site: s.source.name(),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The best margin of a failing pair carried by the units at `chosen` sites, worst over pairs.
fn margin_via(f: &Failing, heard: &[Vec<Heard>], chosen: &[usize]) -> f64 {
    let best = |k: usize| {
        heard[k]
            .iter()
            .filter(|h| chosen.contains(&h.site))
            .map(|h| h.hop.margin.0)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let k_of = |d: usize| f.endpoints.iter().position(|&e| e == d).unwrap_or(0);
    f.pairs
        .iter()
        .map(|&(x, y)| best(k_of(x)).min(best(k_of(y))))
        .fold(f64::INFINITY, f64::min)
}

/// What the planner works out before choosing: failing premises, candidate positions, who
/// hears what, each premises' own options and the shared-installation problem.
pub struct Analysis<'a> {
    building: &'a Building,
    report_ok: usize,
    failing: Vec<Failing>,
    sites: Vec<Site>,
    forbidden: usize,
    p2p_heard: Vec<Vec<Vec<Heard>>>,
    shared_heard: Vec<Vec<Vec<Heard>>>,
    options: Vec<Options>,
    /// Site index of each shared candidate of `problem`.
    site_of: Vec<usize>,
    /// The shared-installation problem.
    pub problem: Problem,
}

/// Plans the building: survey, candidates, options, optimisation.
pub fn plan(b: &Building) -> Plan {
    Analysis::new(b).plan()
}

impl<'a> Analysis<'a> {
    /// Surveys the building and works out every option (the expensive part).
    pub fn new(b: &'a Building) -> Analysis<'a> {
        Self::from_survey(b, &b.survey())
    }

    /// As `new`, from the building's survey already made.
    pub fn from_survey(b: &'a Building, report: &SurveyReport) -> Analysis<'a> {
        let failing = hearing::failing(b, report);
        let Sites { sites, forbidden } = candidates::sites(b);
        let shared_heard = hearing::hearing(b, &sites, &failing, DeviceKind::AltHanNode, None);
        // A P2P unit has a shared node's transmit power and a worse sensitivity: it hears a
        // subset of what a shared node hears at the same place.
        let p2p_heard = hearing::hearing(
            b,
            &sites,
            &failing,
            DeviceKind::P2pRepeater,
            Some(&shared_heard),
        );
        let options: Vec<Options> = failing
            .par_iter()
            .zip(&p2p_heard)
            .map(|(f, heard)| Options {
                dual_band: dual_band_option(b, f),
                pair: p2p::best_pair(b, &sites, heard),
            })
            .collect();
        let (problem, site_of) = shared_problem(b, &failing, &sites, &shared_heard, &options);
        Analysis {
            building: b,
            report_ok: report.premises.len() - failing.len(),
            failing,
            sites,
            forbidden,
            p2p_heard,
            shared_heard,
            options,
            site_of,
            problem,
        }
    }

    /// Chooses (optimises the shared installation) and writes the plan.
    pub fn plan(&self) -> Plan {
        let solution = self.problem.solve();
        self.plan_with(&solution)
    }

    /// The plan for a given shared-installation solution.
    pub fn plan_with(&self, solution: &crate::optimise::Solution) -> Plan {
        let Analysis {
            building: b,
            failing,
            sites,
            forbidden,
            p2p_heard,
            shared_heard,
            options,
            site_of,
            problem,
            ..
        } = self;
        let (b, forbidden) = (*b, *forbidden);
        let c = &b.costs;
        let useful = problem.useful_candidates().len();
        let mut ids = used_ids(b);
        let mut plans = Vec::new();
        let mut installations = Vec::new();
        let mut exempt = Vec::new();
        let joined: Vec<usize> = (0..failing.len())
            .filter(|&i| solution.choices[i] == Choice::Shared)
            .collect();
        let shared_sites: Vec<usize> = solution.units.iter().map(|&u| site_of[u]).collect();
        let shared_cost = problem.installation_cost(&solution.units);
        let shared_id = (!joined.is_empty()).then(|| fresh(&mut ids, "althan-shared".to_string()));
        for (i, f) in failing.iter().enumerate() {
            let p = &b.premises[f.premises];
            let o = &options[i];
            let before = round2(f.margin_before_db);
            let mut entry = PremisesPlan {
                id: p.id.clone(),
                fix: Fix::Exempt,
                installation: None,
                cost: 0.0,
                margin_before_db: before,
                margin_after_db: None,
                margin_gained_db: None,
                detail: String::new(),
            };
            let mut after = None;
            match solution.choices[i] {
                Choice::Own => {
                    let pair = o.pair.map_or(f64::INFINITY, |p| p.cost);
                    if let Some((cost, m)) = o.dual_band.filter(|d| d.0 <= pair) {
                        entry.fix = Fix::DualBandHub;
                        entry.cost = cost;
                        entry.detail = "swap the 2.4 GHz-only comms hub for a dual-band one; 868 MHz closes every link".to_string();
                        after = Some(m);
                    } else if let Some(pc) = o.pair {
                        let id = fresh(&mut ids, format!("althan-{}", p.id));
                        let ua = planned_unit(b, &sites[pc.a], fresh(&mut ids, format!("{id}-u1")));
                        let ub = planned_unit(b, &sites[pc.b], fresh(&mut ids, format!("{id}-u2")));
                        entry.fix = Fix::P2pPair;
                        entry.cost = pc.cost;
                        entry.installation = Some(id.clone());
                        entry.detail = format!(
                            "P2P pair: {} on level {} at [{:.1}, {:.1}] ({}), {} on level {} at [{:.1}, {:.1}] ({}), {} backhaul",
                            ua.id,
                            ua.level,
                            ua.at[0],
                            ua.at[1],
                            ua.site,
                            ub.id,
                            ub.level,
                            ub.at[0],
                            ub.at[1],
                            ub.site,
                            pc.backhaul.name()
                        );
                        after = Some(pc.margin_db);
                        installations.push(PlannedInstallation {
                            id,
                            kind: InstallationKind::P2pPair,
                            backhaul: pc.backhaul,
                            serves: vec![p.id.clone()],
                            units: vec![ua, ub],
                            cost: round2(pc.cost),
                        });
                    }
                }
                Choice::Shared => {
                    entry.fix = Fix::Shared;
                    entry.cost = shared_cost / joined.len() as f64 + c.shared_connection;
                    entry.installation = shared_id.clone();
                    entry.detail = format!(
                        "joins the shared installation ({} unit{})",
                        shared_sites.len(),
                        if shared_sites.len() == 1 { "" } else { "s" }
                    );
                    after = Some(margin_via(f, &shared_heard[i], &shared_sites));
                }
                Choice::Exempt => {
                    entry.detail =
                        exempt_reason(b, f, sites, forbidden, &p2p_heard[i], &shared_heard[i], o);
                    exempt.push(Exempt {
                        id: p.id.clone(),
                        reason: entry.detail.clone(),
                    });
                }
            }
            entry.cost = round2(entry.cost);
            entry.margin_after_db = after.map(round2);
            entry.margin_gained_db = after.map(|a| round2(a - f.margin_before_db));
            plans.push(entry);
        }
        if let Some(id) = shared_id {
            let units = shared_sites
                .iter()
                .enumerate()
                .map(|(k, &s)| {
                    planned_unit(b, &sites[s], fresh(&mut ids, format!("{id}-u{}", k + 1)))
                })
                .collect();
            installations.push(PlannedInstallation {
                id,
                kind: InstallationKind::Shared,
                backhaul: Backhaul::Wired,
                serves: joined
                    .iter()
                    .map(|&i| b.premises[failing[i].premises].id.clone())
                    .collect(),
                units,
                cost: round2(shared_cost + c.shared_connection * joined.len() as f64),
            });
        }
        let total_cost = round2(plans.iter().map(|p| p.cost).sum());
        let naive = NaivePlan {
            cost: round2(options.iter().filter_map(|o| o.pair.map(|p| p.cost)).sum()),
            premises_fixed: options.iter().filter(|o| o.pair.is_some()).count(),
        };
        Plan {
            building: b.name.clone(),
            premises: b.premises.len(),
            ok_without_alt_han: self.report_ok,
            costs: *c,
            plans,
            installations,
            exempt,
            total_cost,
            naive,
            cost_ratio: (naive.cost > 0.0)
                .then(|| (total_cost / naive.cost * 1000.0).round() / 1000.0),
            search: SearchReport {
                sites: sites.len(),
                forbidden,
                shared_candidates: site_of.len(),
                useful_candidates: useful,
                evaluations: solution.evaluations,
                optimal: solution.optimal,
            },
            verification: None,
        }
    }
}

/// The shared-installation problem: endpoints numbered premises by premises, one candidate
/// per site hearing some failing device; and the site of each candidate.
fn shared_problem(
    b: &Building,
    failing: &[Failing],
    sites: &[Site],
    shared_heard: &[Vec<Vec<Heard>>],
    options: &[Options],
) -> (Problem, Vec<usize>) {
    let mut base = Vec::with_capacity(failing.len());
    let mut endpoints = 0;
    for f in failing {
        base.push(endpoints);
        endpoints += f.endpoints.len();
    }
    let mut covers: Vec<Vec<usize>> = vec![Vec::new(); sites.len()];
    for (i, per_end) in shared_heard.iter().enumerate() {
        for (k, list) in per_end.iter().enumerate() {
            for h in list {
                covers[h.site].push(base[i] + k);
            }
        }
    }
    let c = &b.costs;
    let site_of: Vec<usize> = (0..sites.len())
        .filter(|&s| !covers[s].is_empty())
        .collect();
    let problem = Problem {
        endpoints,
        needs: failing
            .iter()
            .zip(options)
            .enumerate()
            .map(|(i, (f, o))| Need {
                endpoints: (base[i]..base[i] + f.endpoints.len()).collect(),
                alternative: [o.dual_band.map(|d| d.0), o.pair.map(|p| p.cost)]
                    .into_iter()
                    .flatten()
                    .reduce(f64::min),
            })
            .collect(),
        candidates: site_of
            .iter()
            .map(|&s| Candidate {
                cost: c.shared_unit + c.backbone_per_m * candidates::riser_run(b, &sites[s]),
                floor: sites[s].floor,
                covers: covers[s].clone(),
            })
            .collect(),
        head_end: c.shared_head_end,
        per_floor: c.backbone_per_floor,
        connection: c.shared_connection,
        ceiling: c.ceiling,
    };
    (problem, site_of)
}

/// Why a premises is exempt: technically impossible (no hub, no permitted position, nothing
/// hears a device) or every fix costs more than the ceiling.
fn exempt_reason(
    b: &Building,
    f: &Failing,
    sites: &[Site],
    forbidden: usize,
    p2p_heard: &[Vec<Heard>],
    shared_heard: &[Vec<Heard>],
    o: &Options,
) -> String {
    let p = &b.premises[f.premises];
    let ceiling = b.costs.ceiling;
    if f.pairs.is_empty() {
        return format!("technically impossible: {}", f.reason);
    }
    if o.dual_band.is_none() && sites.is_empty() {
        return if forbidden > 0 {
            format!(
                "technically impossible: all {forbidden} candidate positions for Alt HAN equipment are in forbidden zones"
            )
        } else {
            "technically impossible: the building offers no candidate position".to_string()
        };
    }
    if o.dual_band.is_none()
        && let Some(k) =
            (0..f.endpoints.len()).find(|&k| p2p_heard[k].is_empty() && shared_heard[k].is_empty())
    {
        return format!(
            "technically impossible: no permitted position ({} checked, {forbidden} forbidden) hears {} within the {} dB fade margin",
            sites.len(),
            p.devices[f.endpoints[k]].id,
            b.fade_margin.0
        );
    }
    let own = [
        o.dual_band.map(|d| (d.0, "a dual-band hub")),
        o.pair.map(|pc| (pc.cost, "a P2P pair")),
    ]
    .into_iter()
    .flatten()
    .min_by(|x, y| x.0.total_cmp(&y.0));
    match own {
        Some((cost, what)) => format!(
            "cost over the ceiling: the cheapest fix, {what}, costs {cost:.2} > {ceiling:.2}"
        ),
        None => format!(
            "cost over the ceiling: joining a shared installation would add more than {ceiling:.2}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::apply;
    use han_radio::bundled;

    fn source(name: &str) -> (&'static str, &'static str) {
        bundled::ALL
            .iter()
            .find(|(f, _)| *f == name)
            .copied()
            .unwrap()
    }

    fn plan_of(src: &str) -> Plan {
        plan(&Building::from_toml("t.toml", src).unwrap())
    }

    /// Writes the plan into the file and surveys the result.
    fn applied(src: &str, p: &Plan) -> SurveyReport {
        let out = apply(src, p).unwrap();
        Building::from_toml("applied.toml", &out).unwrap().survey()
    }

    fn verdict(r: &SurveyReport, id: &str) -> Verdict {
        r.premises.iter().find(|p| p.id == id).unwrap().verdict
    }

    #[test]
    fn farmhouse_gets_a_p2p_pair_that_the_survey_accepts() {
        let src = source("farmhouse.toml").1;
        let p = plan_of(src);
        assert_eq!(p.plans.len(), 1);
        let fp = &p.plans[0];
        assert_eq!(fp.fix, Fix::P2pPair, "{fp:?}");
        assert!(fp.margin_gained_db.unwrap() > 10.0, "{fp:?}");
        assert_eq!(p.installations.len(), 1);
        assert_eq!(p.installations[0].units.len(), 2);
        // One unit hears the hub by the lane, the other the IHD in the house.
        let xs: Vec<f64> = p.installations[0].units.iter().map(|u| u.at[0]).collect();
        assert!(p.exempt.is_empty());
        let c = &p.costs;
        assert!(fp.cost >= 2.0 * c.p2p_unit + c.install_visit, "{xs:?}");
        let r = applied(src, &p);
        assert_eq!(verdict(&r, "high-barn-farm"), Verdict::OkAltHan);
        // Without the equipment it still fails.
        assert_eq!(
            verdict(
                &Building::from_toml("f", src).unwrap().survey(),
                "high-barn-farm"
            ),
            Verdict::NeedsAltHan
        );
    }

    #[test]
    fn flat_block_shares_one_installation_cheaper_than_pairs() {
        let src = source("flat-block.toml").1;
        let p = plan_of(src);
        assert_eq!(p.plans.len(), 12);
        assert!(
            p.plans.iter().all(|x| x.fix == Fix::Shared),
            "{:?}",
            p.plans
        );
        assert_eq!(p.naive.premises_fixed, 12);
        assert!(
            p.total_cost < p.naive.cost,
            "{} vs {}",
            p.total_cost,
            p.naive.cost
        );
        let shared = p
            .installations
            .iter()
            .find(|i| i.kind == InstallationKind::Shared)
            .unwrap();
        assert_eq!(shared.serves.len(), 12);
        let r = applied(src, &p);
        for x in &p.plans {
            assert_eq!(verdict(&r, &x.id), Verdict::OkAltHan, "{}", x.id);
        }
        // The flats that were fine stay as they were.
        assert_eq!(r.counts()[0].1 + r.counts()[1].1, 12);
    }

    #[test]
    fn the_search_alone_finds_the_optimum_on_the_farmhouse() {
        // The flat block, with units that must hear the flats' devices at 2.4 GHz, has too many
        // useful positions to try every subset; the random small problems of `optimise` cover
        // the comparison there.
        let name = "farmhouse.toml";
        let b = Building::from_toml(name, source(name).1).unwrap();
        let a = Analysis::new(&b);
        let exact = a.problem.solve();
        assert!(exact.optimal);
        let heuristic = a.problem.search();
        assert!(
            (exact.objective - heuristic.objective).abs() < 1e-6,
            "{exact:?} {heuristic:?}"
        );
    }

    #[test]
    fn every_position_forbidden_means_exempt() {
        let src = format!(
            "{}\n[[zone]]\nkind = \"forbidden\"\nfloors = [0, 1]\nfrom = [-100.0, -100.0]\nto = [100.0, 100.0]\n",
            source("farmhouse.toml").1
        );
        let p = plan_of(&src);
        assert_eq!(p.plans[0].fix, Fix::Exempt);
        assert_eq!(p.exempt.len(), 1);
        assert!(
            p.exempt[0].reason.starts_with("technically impossible"),
            "{:?}",
            p.exempt
        );
        assert!(p.exempt[0].reason.contains("forbidden"), "{:?}", p.exempt);
        assert_eq!(p.total_cost, 0.0);
        assert!(p.installations.is_empty());
    }

    #[test]
    fn a_low_ceiling_exempts_on_cost() {
        let src = format!("{}\n[costs]\nceiling = 300.0\n", source("farmhouse.toml").1);
        let p = plan_of(&src);
        assert_eq!(p.plans[0].fix, Fix::Exempt);
        assert!(
            p.exempt[0].reason.starts_with("cost over the ceiling"),
            "{:?}",
            p.exempt
        );
    }

    #[test]
    fn a_single_band_hub_is_swapped_when_868_closes() {
        let (_, src) = source("semi-detached-garage.toml");
        let single = src.replacen(
            "kind = \"chf\",",
            "kind = \"chf\", bands = [\"2.4GHz\"],",
            1,
        );
        assert_ne!(single, src);
        let p = plan_of(&single);
        assert_eq!(p.plans.len(), 1, "{p:?}");
        assert_eq!(p.plans[0].fix, Fix::DualBandHub, "{:?}", p.plans);
        assert_eq!(
            p.plans[0].cost,
            p.costs.dual_band_hub + p.costs.install_visit
        );
        let r = applied(&single, &p);
        assert_eq!(r.premises[0].verdict, Verdict::Ok868);
    }

    #[test]
    fn a_premises_without_a_hub_is_exempt_as_impossible() {
        let src = source("farmhouse.toml").1.replace(
            "  { id = \"ch\",   kind = \"chf\",  floor = 0, at = [0.0, 5.0], height_m = 1.1, enclosure = \"metal-meter-box\" },\n",
            "",
        );
        let p = plan_of(&src);
        assert_eq!(p.plans[0].fix, Fix::Exempt, "{:?}", p.plans);
        assert!(
            p.exempt[0].reason.contains("no comms hub"),
            "{:?}",
            p.exempt
        );
    }

    #[test]
    fn plans_are_deterministic() {
        let src = source("flat-block.toml").1;
        assert_eq!(plan_of(src).to_json(), plan_of(src).to_json());
    }
}
