//! `han portfolio`: generate a housing stock, survey it in shards, merge and report.
use super::{EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK};
use anyhow::Result;
use clap::{Args, Subcommand};
use han_althan::portfolio::AltHanPlanner;
use han_radio::heatmap;
use han_radio::portfolio::batch::{self, Planner, VerdictPlanner};
use han_radio::portfolio::manifest::{self, Job, Shard};
use han_radio::portfolio::tables::{ArchetypeTable, DEFAULT_ARCHETYPES, DEFAULT_MIX, Mix};
use han_radio::portfolio::{chart, compare, generate, report};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The portfolio commands.
#[derive(Debug, Subcommand)]
pub enum PortfolioCommand {
    /// Generate a seeded GB housing stock: building files and a manifest.
    Generate(GenerateArgs),
    /// Survey and plan every building of a manifest or directory (or one shard of it), one JSON line per premises.
    Survey(SurveyArgs),
    /// Merge shard outputs into one results file in manifest order.
    Merge(MergeArgs),
    /// Shares per verdict overall and per archetype with 95 % CIs, a Markdown report and charts.
    Report(ReportArgs),
}

/// Arguments of `han portfolio generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write manifest.toml and buildings/ into.
    #[arg(long)]
    pub out: PathBuf,
    /// Premises to generate.
    #[arg(long, default_value_t = 10_000)]
    pub premises: usize,
    /// Seed: the same seed and tables give byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Archetype table (TOML); default data/portfolio/archetypes.toml (built in).
    #[arg(long)]
    pub archetypes: Option<PathBuf>,
    /// Archetype mix (TOML); default English Housing Survey dwelling types (built in).
    #[arg(long)]
    pub mix: Option<PathBuf>,
}

/// Arguments of `han portfolio survey`.
#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// A manifest.toml, a directory holding one, or a directory of building files.
    pub source: PathBuf,
    /// Survey every N-th building from offset K (K/N, 0 <= K < N): one cluster array task.
    #[arg(long, default_value = "0/1")]
    pub shard: Shard,
    /// Results file (JSON lines); an existing one is resumed. Stdout when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Survey only: the fix comes from the verdicts (`alt-han`, unpriced) instead of the Alt
    /// HAN planner.
    #[arg(long)]
    pub no_plan: bool,
}

/// Arguments of `han portfolio merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard results files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Merged results file (stdout when omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `han portfolio report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results file (JSON lines) from `han portfolio survey` or `merge`.
    pub results: PathBuf,
    /// Field results (CSV: archetype,premises,ok_2g4,ok_868_only,needs_alt_han) to compare with.
    #[arg(long, value_name = "FIELD.csv")]
    pub compare: Option<PathBuf>,
    /// Directory for report.md, shares.png and shares.svg (the report goes to stdout when omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Bootstrap resamples.
    #[arg(long, default_value_t = 1000)]
    pub resamples: usize,
}

/// Runs a portfolio command; returns the exit code.
pub fn run(cmd: &PortfolioCommand) -> Result<u8> {
    match cmd {
        PortfolioCommand::Generate(a) => run_generate(a),
        PortfolioCommand::Survey(a) => run_survey(a),
        PortfolioCommand::Merge(a) => run_merge(a),
        PortfolioCommand::Report(a) => run_report(a),
    }
}

/// Prints a bad-input message with a hint; exit code 2.
fn bad(msg: impl std::fmt::Display, hint: &str) -> Result<u8> {
    eprintln!("{msg}");
    eprintln!("  hint: {hint}");
    Ok(EXIT_BAD_INPUT)
}

/// Reads a table file given on the command line, or the built-in default.
fn table_source(path: &Option<PathBuf>, default: (&str, &str)) -> Result<(String, String), String> {
    match path {
        None => Ok((default.0.to_string(), default.1.to_string())),
        Some(p) => std::fs::read_to_string(p)
            .map(|s| (p.display().to_string(), s))
            .map_err(|e| format!("{}:1:1: cannot read: {e}", p.display())),
    }
}

fn run_generate(a: &GenerateArgs) -> Result<u8> {
    let hint = "see docs/portfolio.md for the table format";
    let (tname, tsrc) = match table_source(&a.archetypes, DEFAULT_ARCHETYPES) {
        Ok(t) => t,
        Err(e) => return bad(e, hint),
    };
    let table = match ArchetypeTable::from_toml(&tname, &tsrc) {
        Ok(t) => t,
        Err(e) => return bad(e, hint),
    };
    let (mname, msrc) = match table_source(&a.mix, DEFAULT_MIX) {
        Ok(t) => t,
        Err(e) => return bad(e, hint),
    };
    let mix = match Mix::from_toml(&mname, &msrc, &table) {
        Ok(m) => m,
        Err(e) => return bad(e, hint),
    };
    if a.premises == 0 {
        return bad("--premises must be at least 1", "e.g. --premises 10000");
    }
    let buildings = generate::generate(&table, &mix, a.premises, a.seed);
    let dir = a.out.join("buildings");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return bad(
            format!("{}: {e}", dir.display()),
            "choose a writable --out directory",
        );
    }
    for b in &buildings {
        std::fs::write(dir.join(format!("{}.toml", b.id)), &b.toml)?;
    }
    let text = manifest::manifest_text(&buildings, a.seed, &tname, &mix.source);
    std::fs::write(a.out.join(manifest::MANIFEST), text)?;
    eprintln!(
        "wrote {} buildings ({} premises) and {}",
        buildings.len(),
        a.premises,
        a.out.join(manifest::MANIFEST).display()
    );
    Ok(EXIT_OK)
}

/// A progress bar with ETA on stderr when it is a terminal; hidden otherwise.
fn progress(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("survey [{bar:40}] {pos}/{len} premises {per_sec} ETA {eta}")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb
}

fn run_survey(a: &SurveyArgs) -> Result<u8> {
    let jobs = match manifest::load_jobs(&a.source) {
        Ok(j) => j,
        Err(e) => {
            return bad(
                e,
                "give a manifest.toml, its directory, or a directory of building files",
            );
        }
    };
    let mine: Vec<&Job> = jobs.iter().filter(|j| a.shard.takes(j.seq)).collect();
    let (done, mut out): (_, Box<dyn Write + Send>) = match &a.out {
        None => (Default::default(), Box::new(std::io::stdout())),
        Some(p) => {
            let (done, cut) = match batch::resume(p) {
                Ok(r) => r,
                Err(e) => {
                    return bad(
                        e,
                        "--out must be a results file of this portfolio (or a new file)",
                    );
                }
            };
            if cut > 0 {
                eprintln!(
                    "{}: removed a partial last line ({cut} bytes) left by an interrupted run",
                    p.display()
                );
            }
            if !done.is_empty() {
                eprintln!(
                    "{}: resuming, {} premises already done",
                    p.display(),
                    done.len()
                );
            }
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
            {
                Ok(f) => (done, Box::new(f)),
                Err(e) => {
                    return bad(
                        format!("{}: {e}", p.display()),
                        "choose a writable --out file",
                    );
                }
            }
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => return bad(format!("--threads: {e}"), "e.g. --threads 2"),
    };
    let total: u64 = mine.iter().map(|j| j.premises.unwrap_or(1) as u64).sum();
    let pb = progress(total);
    let started = std::time::Instant::now();
    let planner: &dyn Planner = if a.no_plan {
        &VerdictPlanner
    } else {
        &AltHanPlanner
    };
    let summary =
        pool.install(|| batch::run(&mine, &done, planner, &mut out, &mut |n| pb.set_position(n)))?;
    pb.finish_and_clear();
    for e in &summary.errors {
        eprintln!("building {}: {}", e.id, e.reason);
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "shard {}/{}: {} buildings, {} premises surveyed, {} already done, {} failed; {:.2} s, {:.0} premises/s on {} threads",
        a.shard.k,
        a.shard.n,
        summary.buildings,
        summary.written,
        summary.skipped,
        summary.errors.len(),
        secs,
        summary.written as f64 / secs.max(1e-9),
        pool.current_num_threads()
    );
    Ok(if summary.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    })
}

fn run_merge(a: &MergeArgs) -> Result<u8> {
    let mut inputs = Vec::new();
    for p in &a.inputs {
        match std::fs::read_to_string(p) {
            Ok(t) => inputs.push((p.display().to_string(), t)),
            Err(e) => {
                return bad(
                    format!("{}:1:1: cannot read: {e}", p.display()),
                    "check the shard files",
                );
            }
        }
    }
    let merged = match batch::merge(&inputs) {
        Ok(m) => m,
        Err(e) => return bad(e, "merge the outputs of one portfolio's shards"),
    };
    match &a.out {
        Some(p) => std::fs::write(p, merged)?,
        None => super::survey::write_stdout(&merged)?,
    }
    Ok(EXIT_OK)
}

fn run_report(a: &ReportArgs) -> Result<u8> {
    let name = a.results.display().to_string();
    let text = match std::fs::read_to_string(&a.results) {
        Ok(t) => t,
        Err(e) => {
            return bad(
                format!("{name}:1:1: cannot read: {e}"),
                "give the results file of han portfolio survey",
            );
        }
    };
    let lines = match report::read_results(&name, &text) {
        Ok(l) => l,
        Err(e) => return bad(e, "give the results file of han portfolio survey or merge"),
    };
    if a.resamples == 0 {
        return bad("--resamples must be at least 1", "e.g. --resamples 1000");
    }
    let field = match &a.compare {
        None => None,
        Some(p) => {
            let fname = p.display().to_string();
            let parsed = std::fs::read_to_string(p)
                .map_err(|e| format!("{fname}:1:1: cannot read: {e}"))
                .and_then(|t| compare::parse_field(&fname, &t));
            match parsed {
                Ok(f) => Some(f),
                Err(e) => {
                    return bad(
                        e,
                        &format!("the field file is CSV with the header {}", compare::HEADER),
                    );
                }
            }
        }
    };
    let summary = report::summarise(&lines, a.resamples, a.seed);
    let mut charts = Vec::new();
    if let Some(dir) = &a.out {
        let text = heatmap::load_font();
        if !text {
            eprintln!(
                "warning: {} not found; charts are drawn without labels",
                heatmap::FONT_PATH
            );
        }
        match chart::write_charts(&summary, dir, text) {
            Ok(files) => {
                charts = files
                    .iter()
                    .filter_map(|f| f.file_name())
                    .map(|f| f.to_string_lossy().into_owned())
                    .collect()
            }
            Err(e) => return bad(e, "choose a writable --out directory"),
        }
    }
    let mut md = summary.to_markdown(&name, &charts);
    if let Some(f) = &field {
        md += "\n";
        md += &compare::compare(&summary, f);
        if a.out.is_some() {
            super::survey::write_stdout(&compare::compare(&summary, f))?;
        }
    }
    match &a.out {
        Some(dir) => {
            let path: &Path = dir;
            std::fs::write(path.join("report.md"), &md)?;
            eprintln!("wrote {}", path.join("report.md").display());
        }
        None => super::survey::write_stdout(&md)?,
    }
    Ok(EXIT_OK)
}
