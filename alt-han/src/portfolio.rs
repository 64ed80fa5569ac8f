//! The Alt HAN planner behind `han portfolio survey`: splits each building's Alt HAN need into
//! hub swaps, P2P pairs, places on a shared installation and exemptions, priced per premises.
use crate::plan::{self, Analysis};
use han_radio::althan::InstallationKind;
use han_radio::building::Building;
use han_radio::portfolio::batch::{Fix, Plan, Planner};
use han_radio::survey::{SurveyReport, Verdict};

/// Plans every building of a portfolio with [`crate::plan`]. Premises that work without new
/// equipment cost nothing; a shared installation's cost is split evenly among the premises it
/// serves, each adding its own connection (the split `han plan` reports).
#[derive(Debug, Clone, Copy, Default)]
pub struct AltHanPlanner;

fn fix(f: plan::Fix) -> Fix {
    match f {
        plan::Fix::DualBandHub => Fix::DualBandHub,
        plan::Fix::P2pPair => Fix::P2pPair,
        plan::Fix::Shared => Fix::Shared,
        plan::Fix::Exempt => Fix::Exempt,
    }
}

/// The plan of a premises the survey finds ok: what serves it, at no new cost. Alt HAN
/// equipment already in the building file counts as the fix of its kind.
fn served(b: &Building, id: &str, v: Verdict) -> Plan {
    let mut p = Plan::of_verdict(v, Some(0.0));
    if v == Verdict::OkAltHan {
        p.fix = match b.alt_han.iter().find(|i| i.serves(id)).map(|i| i.kind) {
            Some(InstallationKind::P2pPair) => Fix::P2pPair,
            Some(InstallationKind::Shared) => Fix::Shared,
            None => Fix::AltHan,
        };
    }
    p
}

impl Planner for AltHanPlanner {
    fn plan(&self, b: &Building, survey: &SurveyReport) -> Vec<Plan> {
        let mut out: Vec<Plan> = b
            .premises
            .iter()
            .zip(&survey.premises)
            .map(|(p, r)| served(b, &p.id, r.verdict))
            .collect();
        // Candidate generation and hearing cost far more than the survey: only for buildings
        // with something to fix.
        if !survey
            .premises
            .iter()
            .any(|r| r.verdict == Verdict::NeedsAltHan)
        {
            return out;
        }
        let planned = Analysis::from_survey(b, survey).plan();
        for pp in &planned.plans {
            if let Some(i) = b.premises.iter().position(|p| p.id == pp.id) {
                out[i] = Plan {
                    fix: fix(pp.fix),
                    cost_gbp: Some(pp.cost),
                    exempt_reason: (pp.fix == plan::Fix::Exempt).then(|| pp.detail.clone()),
                };
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;

    fn building(name: &str) -> Building {
        let src = bundled::ALL.iter().find(|(f, _)| *f == name).unwrap().1;
        Building::from_toml(name, src).unwrap()
    }

    fn plans(b: &Building) -> Vec<Plan> {
        AltHanPlanner.plan(b, &b.survey())
    }

    #[test]
    fn farmhouse_line_is_a_priced_p2p_pair() {
        let b = building("farmhouse.toml");
        let got = plans(&b);
        let whole = plan::plan(&b);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].fix, Fix::P2pPair);
        assert_eq!(got[0].cost_gbp, Some(whole.total_cost));
        assert!(got[0].cost_gbp.unwrap() > 0.0);
    }

    #[test]
    fn flat_block_splits_the_shared_cost_over_the_flats_it_serves() {
        let b = building("flat-block.toml");
        let got = plans(&b);
        let whole = plan::plan(&b);
        assert_eq!(got.len(), b.premises.len());
        let shared: Vec<&Plan> = got.iter().filter(|p| p.fix == Fix::Shared).collect();
        assert_eq!(shared.len(), 12);
        // Even split: every shared flat carries the same cost, and they add up to the
        // installation (to the penny of the per-premises rounding).
        let c = shared[0].cost_gbp.unwrap();
        assert!(shared.iter().all(|p| p.cost_gbp == Some(c)));
        let inst = whole
            .installations
            .iter()
            .find(|i| i.kind == InstallationKind::Shared)
            .unwrap();
        assert!(
            (c * 12.0 - inst.cost).abs() < 0.06,
            "{c} x 12 vs {}",
            inst.cost
        );
        // The flats that work already cost nothing.
        assert!(
            got.iter()
                .filter(|p| p.fix != Fix::Shared)
                .all(|p| matches!(p.fix, Fix::None | Fix::DualBandHub) && p.cost_gbp == Some(0.0))
        );
    }

    #[test]
    fn forbidden_everywhere_is_exempt_with_the_reason() {
        let src = format!(
            "{}\n[[zone]]\nkind = \"forbidden\"\nfloors = [0, 1]\nfrom = [-100.0, -100.0]\nto = [100.0, 100.0]\n",
            bundled::ALL
                .iter()
                .find(|(f, _)| *f == "farmhouse.toml")
                .unwrap()
                .1
        );
        let b = Building::from_toml("f.toml", &src).unwrap();
        let got = plans(&b);
        assert_eq!(got[0].fix, Fix::Exempt);
        assert_eq!(got[0].cost_gbp, Some(0.0));
        assert!(
            got[0]
                .exempt_reason
                .as_deref()
                .unwrap()
                .starts_with("technically impossible"),
            "{got:?}"
        );
    }

    #[test]
    fn existing_equipment_counts_as_its_kind_at_no_cost() {
        let b = building("farmhouse.toml");
        let applied = crate::apply::apply(
            bundled::ALL
                .iter()
                .find(|(f, _)| *f == "farmhouse.toml")
                .unwrap()
                .1,
            &plan::plan(&b),
        )
        .unwrap();
        let a = Building::from_toml("applied.toml", &applied).unwrap();
        let got = plans(&a);
        assert_eq!(a.survey().premises[0].verdict, Verdict::OkAltHan);
        assert_eq!((got[0].fix, got[0].cost_gbp), (Fix::P2pPair, Some(0.0)));
    }

    /// Resuming in the middle of a block re-plans the whole block: the missing flats get the
    /// same lines (same shared split) as in an uninterrupted run.
    #[test]
    fn resume_inside_a_shared_block_gives_the_same_lines() {
        use han_radio::portfolio::batch::run;
        use han_radio::portfolio::manifest::{Job, Source};
        use std::collections::HashSet;
        let src = bundled::ALL
            .iter()
            .find(|(f, _)| *f == "flat-block.toml")
            .unwrap()
            .1;
        let job = Job {
            seq: 0,
            id: "block".into(),
            archetype: "low-rise-flats".into(),
            premises: None,
            source: Source::Inline("flat-block.toml".into(), src.into()),
        };
        let survey = |done: &HashSet<String>| {
            let mut out = Vec::new();
            let s = run(&[&job], done, &AltHanPlanner, &mut out, &mut |_| {}).unwrap();
            assert!(s.errors.is_empty(), "{:?}", s.errors);
            String::from_utf8(out).unwrap()
        };
        let full = survey(&HashSet::new());
        assert_eq!(full.matches("\"fix\":\"shared\"").count(), 12);
        // Cut just after the first shared flat: the block's shared flats fall on both sides.
        let first = full.find("\"fix\":\"shared\"").unwrap();
        let cut = first + full[first..].find('\n').unwrap() + 1;
        assert!(full[cut..].contains("\"fix\":\"shared\""));
        let done: HashSet<String> = full[..cut]
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(format!("{}{}", &full[..cut], survey(&done)), full);
    }
}
