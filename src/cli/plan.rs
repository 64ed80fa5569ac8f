//! `han plan` and `han bench plan`: glue between the command line and han-althan.
use super::survey::{Format, write_stdout};
use han_althan::apply::apply;
use han_althan::plan::{Fix, Plan, Verification, plan};
use han_althan::verify::{VerifyConfig, verify_plan};
use han_radio::building::Building;
use han_radio::bundled;
use han_radio::survey::Verdict;
use std::path::PathBuf;

/// Arguments of `han plan`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// Building file (TOML); the bundled 6-storey block of flats when omitted.
    pub building: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the building file with the planned equipment added to this file, then survey it.
    #[arg(long, value_name = "OUT.toml")]
    pub apply: Option<PathBuf>,
    /// Also run the plan on the virtual air with the full GB devices, without and with the
    /// equipment, and require every fixed premises to join, deliver its readings and keep
    /// its IHD fresh (exit 1 if one does not).
    #[arg(long)]
    pub verify: bool,
    /// Simulated time of the verification (s, m, h, d).
    #[arg(long, default_value = "2h", value_parser = super::sim::parse_duration)]
    pub verify_time: han_mesh::time::Duration,
    /// Band of the verification: 2.4 or 868.
    #[arg(long, default_value = "2.4", value_parser = super::sim::parse_band)]
    pub verify_band: han_radio::units::Band,
}

/// The building file's name and text (the bundled default when no path is given); a file
/// that cannot be read is reported and gives `Err(2)`.
fn read(path: &Option<PathBuf>, default: (&str, &str)) -> Result<(String, String), u8> {
    match path {
        None => Ok((default.0.to_string(), default.1.to_string())),
        Some(p) => std::fs::read_to_string(p)
            .map(|s| (p.display().to_string(), s))
            .map_err(|e| {
                eprintln!("{}:1:1: cannot read building file: {e}", p.display());
                eprintln!("  hint: check the path; omit it to plan the bundled default building");
                super::EXIT_BAD_INPUT
            }),
    }
}

fn parse(name: &str, src: &str) -> Result<Building, u8> {
    Building::from_toml(name, src).map_err(|e| {
        eprintln!("{e}");
        super::EXIT_BAD_INPUT
    })
}

/// Planned premises the survey of `out` (the applied file) does not find ok.
fn not_ok(plan: &Plan, out: &Building) -> Vec<String> {
    let r = out.survey();
    plan.plans
        .iter()
        .filter(|p| p.fix != Fix::Exempt)
        .filter(|p| {
            r.premises
                .iter()
                .find(|x| x.id == p.id)
                .is_none_or(|x| x.verdict == Verdict::NeedsAltHan)
        })
        .map(|p| p.id.clone())
        .collect()
}

/// Runs `han plan`: 0 ok, 1 the applied file's survey disagrees with the plan, 2 bad input.
pub fn run(args: &PlanArgs) -> anyhow::Result<u8> {
    let (name, src) = match read(&args.building, bundled::DEFAULT) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let building = match parse(&name, &src) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let mut p = plan(&building);
    let mut verified_ok = true;
    if args.verify {
        let config = VerifyConfig {
            duration: args.verify_time,
            band: args.verify_band,
            ..VerifyConfig::default()
        };
        match verify_plan(&src, &p, &config) {
            Ok(premises) => {
                verified_ok = premises.iter().all(|c| c.ok);
                p.verification = Some(Verification { config, premises });
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                return Ok(super::EXIT_BAD_INPUT);
            }
        }
    }
    let out = match args.format {
        Format::Text => p.to_text(),
        Format::Json => p.to_json() + "\n",
        Format::Markdown => p.to_markdown(),
    };
    write_stdout(&out)?;
    if !verified_ok {
        eprintln!("the simulation does not confirm every fixed premises (see the table)");
    }
    let ok = if verified_ok {
        super::EXIT_OK
    } else {
        super::EXIT_CHECK_FAILED
    };
    let Some(path) = &args.apply else {
        return Ok(ok);
    };
    let text = match apply(&src, &p) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: {e}");
            return Ok(super::EXIT_BAD_INPUT);
        }
    };
    if let Err(e) = std::fs::write(path, &text) {
        eprintln!("{}: cannot write: {e}", path.display());
        eprintln!("  hint: choose a writable path for --apply");
        return Ok(super::EXIT_BAD_INPUT);
    }
    let shown = path.display().to_string();
    let applied = match parse(&shown, &text) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let bad = not_ok(&p, &applied);
    let planned = p.plans.iter().filter(|x| x.fix != Fix::Exempt).count();
    if bad.is_empty() {
        eprintln!("wrote {shown}: its survey finds all {planned} planned premises ok");
        Ok(ok)
    } else {
        eprintln!(
            "wrote {shown}: its survey still fails {} of {planned} planned premises: {}",
            bad.len(),
            bad.join(", ")
        );
        Ok(super::EXIT_CHECK_FAILED)
    }
}

/// Arguments of `han bench plan`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchPlanArgs {
    /// Building file (TOML); the bundled tower with its meters in a basement when omitted.
    pub building: Option<PathBuf>,
    /// Runs; the median of each phase is printed.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

/// Runs `han bench plan`.
pub fn run_bench(args: &BenchPlanArgs) -> anyhow::Result<u8> {
    use han_althan::bench;
    let (name, src) = match read(&args.building, bundled::TOWER_BASEMENT) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let building = match parse(&name, &src) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    if args.runs == 0 {
        eprintln!("--runs must be at least 1");
        return Ok(super::EXIT_BAD_INPUT);
    }
    let runs: Vec<bench::BenchRun> = (0..args.runs)
        .map(|_| bench::run(&building, &src))
        .collect();
    let median = |f: fn(&bench::BenchRun) -> std::time::Duration| {
        let mut v: Vec<f64> = runs.iter().map(|r| f(r).as_secs_f64()).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (survey, cand, opt, verify, simulate) = (
        median(|r| r.survey),
        median(|r| r.candidates),
        median(|r| r.optimise),
        median(|r| r.verify),
        median(|r| r.simulate),
    );
    let last = &runs[runs.len() - 1];
    let p = &last.plan;
    let mut out = format!(
        "bench plan: {} ({} floors, {} premises), {} runs, {} threads\n\n",
        building.name,
        building.floors.len(),
        building.premises.len(),
        args.runs,
        rayon::current_num_threads()
    );
    out += &format!(
        "{:<34} {:>9}\n{:<34} {:>9.3}\n{:<34} {:>9.3}\n{:<34} {:>9.3}\n{:<34} {:>9.3}\n{:<34} {:>9.3}\n",
        "phase (median)",
        "s",
        "survey",
        survey,
        "candidates + hearing + options",
        cand,
        "optimisation",
        opt,
        "survey + candidates + optimisation",
        survey + cand + opt,
        "apply + survey of the result",
        verify
    );
    out += &format!(
        "{:<34} {:>9.3}  (full GB devices, 2.4 GHz, 2 h, without and with the equipment)\n\n",
        "simulation verification", simulate
    );
    out += &format!(
        "candidates: {} positions ({} forbidden), {} shared candidates, {} not dominated, {} evaluations, {}\n",
        p.search.sites,
        p.search.forbidden,
        p.search.shared_candidates,
        p.search.useful_candidates,
        p.search.evaluations,
        if p.search.optimal {
            "proven optimal"
        } else {
            "heuristic"
        }
    );
    let fixed = p.plans.len() - p.exempt.len();
    out += &format!(
        "failing premises {}: fixed {}, exempt {}; survey of the applied file: {} of {} ok; simulation: {} of {} ok\n",
        p.plans.len(),
        fixed,
        p.exempt.len(),
        last.verified_ok,
        fixed,
        last.simulated_ok,
        fixed
    );
    out += &format!(
        "plan cost {:.2} vs naive (one P2P pair per failing premises) {:.2} for {} premises: ratio {}\n",
        p.total_cost,
        p.naive.cost,
        p.naive.premises_fixed,
        p.cost_ratio
            .map_or("n/a".to_string(), |r| format!("{r:.3}"))
    );
    write_stdout(&out)?;
    Ok(super::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("han-plan-cli-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn plan_apply_then_survey() {
        let d = dir();
        let input = d.join("farm.toml");
        std::fs::write(&input, bundled::ALL[2].1).unwrap();
        let out = d.join("farm-planned.toml");
        let args = PlanArgs {
            building: Some(input),
            format: Format::Json,
            apply: Some(out.clone()),
            verify: true,
            verify_time: han_mesh::time::Duration::secs(600),
            verify_band: han_radio::units::Band::Ghz2_4,
        };
        assert_eq!(run(&args).unwrap(), 0);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(bundled::ALL[2].1.lines().next().unwrap()));
        assert!(text.contains("[[alt_han]]"));
        let survey = super::super::survey::SurveyArgs {
            building: Some(out),
            format: Format::Json,
            ..Default::default()
        };
        assert_eq!(super::super::survey::run(&survey).unwrap(), 0);
    }

    #[test]
    fn bad_input_exits_2() {
        let d = dir();
        let bad = d.join("bad.toml");
        std::fs::write(&bad, "[building]\nname = \"x\"\n[costs]\nceiling = -1.0\n[[floor]]\nlevel = 0\nheight_m = 2.5\n").unwrap();
        for building in [Some(bad), Some(PathBuf::from("/nonexistent/b.toml"))] {
            let args = PlanArgs {
                building,
                format: Format::Text,
                apply: None,
                verify: false,
                verify_time: han_mesh::time::Duration::secs(600),
                verify_band: han_radio::units::Band::Ghz2_4,
            };
            assert_eq!(run(&args).unwrap(), 2);
        }
    }
}
