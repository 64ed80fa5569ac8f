//! `han survey` and `han bench survey`: glue between the command line and han-radio.
use han_radio::building::Building;
use han_radio::bundled;
use han_radio::geometry::Search;
use han_radio::heatmap;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Finest grid spacing accepted, metres (finer grids only cost memory and time).
const MIN_GRID_M: f64 = 0.05;
/// Coarsest grid spacing accepted, metres.
const MAX_GRID_M: f64 = 10.0;

/// The grid spacing is a sensible number of metres.
fn grid_ok(g: f64) -> bool {
    (MIN_GRID_M..=MAX_GRID_M).contains(&g)
}

/// Coverage jobs above which a progress bar is shown.
const PROGRESS_MIN_STEPS: u64 = 16;

/// Report format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    #[default]
    Text,
    /// JSON (schema in docs/radio-models.md).
    Json,
    /// Markdown tables.
    Markdown,
}

/// Arguments of `han survey`.
#[derive(clap::Args, Debug, Clone)]
pub struct SurveyArgs {
    /// Building file (TOML); the bundled 6-storey block of flats when omitted.
    pub building: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write PNG and SVG coverage heat maps, one per floor and band, into this directory.
    #[arg(long, value_name = "DIR")]
    pub heatmap: Option<PathBuf>,
    /// Coverage grid spacing in metres.
    #[arg(long, default_value_t = 0.5)]
    pub grid_m: f64,
}

impl Default for SurveyArgs {
    fn default() -> Self {
        SurveyArgs {
            building: None,
            format: Format::Text,
            heatmap: None,
            grid_m: 0.5,
        }
    }
}

/// Loads the building named on the command line (or the bundled default); errors are printed
/// as "file:line:col: message" with a hint, and give `Err(2)`.
pub(crate) fn load(path: &Option<PathBuf>) -> Result<Building, i32> {
    let (name, src) = match path {
        None => (
            bundled::DEFAULT.0.to_string(),
            bundled::DEFAULT.1.to_string(),
        ),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(s) => (p.display().to_string(), s),
            Err(e) => {
                eprintln!("{}:1:1: cannot read building file: {e}", p.display());
                eprintln!("  hint: check the path; omit it to survey the bundled default building");
                return Err(2);
            }
        },
    };
    Building::from_toml(&name, &src).map_err(|e| {
        eprintln!("{e}");
        2
    })
}

/// Runs `han survey`; returns the process exit code (0 ok, 2 bad input).
pub fn run(args: &SurveyArgs) -> anyhow::Result<i32> {
    let building = match load(&args.building) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    if !grid_ok(args.grid_m) {
        eprintln!(
            "--grid-m: {} is outside {MIN_GRID_M}..{MAX_GRID_M} m",
            args.grid_m
        );
        eprintln!("  hint: use e.g. --grid-m 0.5");
        return Ok(2);
    }
    let report = building.survey();
    let out = match args.format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json() + "\n",
        Format::Markdown => report.to_markdown(),
    };
    write_stdout(&out)?;
    if let Some(dir) = &args.heatmap {
        return write_heatmaps(&building, dir, args.grid_m);
    }
    Ok(0)
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error.
pub(crate) fn write_stdout(s: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(s.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// A progress bar on stderr for `steps` steps, hidden for small jobs.
fn progress(steps: u64, what: &str) -> ProgressBar {
    if steps < PROGRESS_MIN_STEPS {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(steps);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

/// Computes the coverage grids and writes the heat maps; exit code 0, or 2 if the directory
/// cannot be written.
fn write_heatmaps(building: &Building, dir: &Path, grid_m: f64) -> anyhow::Result<i32> {
    let text = heatmap::load_font();
    if !text {
        eprintln!(
            "warning: {} not found; heat maps are drawn without labels",
            heatmap::FONT_PATH
        );
    }
    let pb = progress(building.coverage_steps(), "coverage");
    let (maps, _) = building.coverage_maps(grid_m, Search::Indexed, Some(&pb));
    pb.finish_and_clear();
    match heatmap::write_heatmaps(building, &maps, dir, text) {
        Ok(files) => {
            eprintln!("wrote {} heat maps to {}", files.len(), dir.display());
            Ok(0)
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!("  hint: choose a writable directory for --heatmap");
            Ok(2)
        }
    }
}

/// Arguments of `han bench survey`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchSurveyArgs {
    /// Building file (TOML); the bundled 20-storey tower when omitted.
    pub building: Option<PathBuf>,
    /// Coverage grid spacing in metres.
    #[arg(long, default_value_t = 0.5)]
    pub grid_m: f64,
    /// Floor multipliers for the scaling table.
    #[arg(long, value_delimiter = ',', default_values_t = [2usize, 4])]
    pub scale: Vec<usize>,
}

impl Default for BenchSurveyArgs {
    fn default() -> Self {
        BenchSurveyArgs {
            building: None,
            grid_m: 0.5,
            scale: vec![2, 4],
        }
    }
}

/// Runs `han bench survey`: link tables plus coverage grids for every premises' floors and
/// both bands, indexed and brute force in the same run, then the scaling table.
pub fn run_bench(args: &BenchSurveyArgs) -> anyhow::Result<i32> {
    use han_radio::bench;
    let path = args.building.clone();
    let building = match load_again(&path) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    if !grid_ok(args.grid_m) || args.scale.contains(&0) {
        eprintln!(
            "--grid-m must be within {MIN_GRID_M}..{MAX_GRID_M} m and --scale multipliers at least 1"
        );
        eprintln!("  hint: e.g. --grid-m 0.5 --scale 2,4");
        return Ok(2);
    }
    let mut out = format!(
        "bench survey: {} ({} floors, {} premises, {} walls), grid {} m, both bands, {} threads\n\n",
        building.name,
        building.floors.len(),
        building.premises.len(),
        building.walls.walls().len(),
        args.grid_m,
        rayon::current_num_threads()
    );
    let line = |name: &str, r: &bench::BenchRun| {
        format!(
            "{:<12} {:>6} {:>8} {:>10.3} {:>10} {:>12.0} {:>10.2}\n",
            name,
            r.floors,
            r.premises,
            r.wall.as_secs_f64(),
            r.stats.cells,
            r.cells_per_s(),
            r.walls_per_cell()
        )
    };
    out += &format!(
        "{:<12} {:>6} {:>8} {:>10} {:>10} {:>12} {:>10}\n",
        "search", "floors", "premises", "wall s", "cells", "cells/s", "walls/cell"
    );
    let indexed = bench::run(&building, args.grid_m, Search::Indexed);
    let brute = bench::run(&building, args.grid_m, Search::BruteForce);
    out += &line("indexed", &indexed);
    out += &line("brute-force", &brute);
    out += &format!(
        "\nspeed-up {:.2}x wall time, {:.2}x fewer walls tested per cell\n",
        brute.wall.as_secs_f64() / indexed.wall.as_secs_f64().max(1e-9),
        brute.walls_per_cell() / indexed.walls_per_cell().max(1e-9)
    );
    out += &format!(
        "\nscaling (indexed)\n{:<12} {:>6} {:>8} {:>10} {:>10} {:>12} {:>10}\n",
        "floors", "floors", "premises", "wall s", "cells", "cells/s", "walls/cell"
    );
    out += &line("x1", &indexed);
    for &k in &args.scale {
        let scaled = match load_again(&path) {
            Ok(b) => b.repeat_floors(k),
            Err(code) => return Ok(code),
        };
        let r = bench::run(&scaled, args.grid_m, Search::Indexed);
        out += &line(&format!("x{k}"), &r);
        out += &format!(
            "{:<12} time ratio {:.2} for {k}x the floors\n",
            "",
            r.wall.as_secs_f64() / indexed.wall.as_secs_f64().max(1e-9)
        );
    }
    write_stdout(&out)?;
    Ok(0)
}

/// Parses the benchmark building again (buildings are not `Clone`).
fn load_again(path: &Option<PathBuf>) -> Result<Building, i32> {
    match path {
        None => Building::from_toml(bundled::TOWER.0, bundled::TOWER.1).map_err(|e| {
            eprintln!("{e}");
            2
        }),
        Some(_) => load(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey_file(name: &str, src: &str) -> i32 {
        let dir = std::env::temp_dir().join(format!("han-survey-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, src).unwrap();
        let args = SurveyArgs {
            building: Some(p),
            format: Format::Json,
            ..SurveyArgs::default()
        };
        run(&args).unwrap()
    }

    #[test]
    fn bad_files_exit_2() {
        let ok = bundled::ALL[0].1;
        assert_eq!(survey_file("ok.toml", ok), 0);
        for (name, bad) in [
            ("key.toml", ok.replace("[radio]", "[radio]\nspeed = 1")),
            (
                "mat.toml",
                ok.replace("\"timber-cupboard\"", "\"cardboard\""),
            ),
            (
                "chan.toml",
                ok.replace("channel_2g4 = 20", "channel_2g4 = 10"),
            ),
            ("dup.toml", ok.replace("id = \"esme\"", "id = \"ch\"")),
        ] {
            assert_eq!(survey_file(name, &bad), 2, "{name}");
        }
        assert_eq!(
            run(&SurveyArgs {
                building: Some("/nonexistent/x.toml".into()),
                ..SurveyArgs::default()
            })
            .unwrap(),
            2
        );
    }

    #[test]
    fn default_building_surveys() {
        assert_eq!(
            run(&SurveyArgs {
                format: Format::Markdown,
                ..SurveyArgs::default()
            })
            .unwrap(),
            0
        );
    }
}
