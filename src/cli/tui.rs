//! `han tui [BUILDING]`, and plain `han`: the installer's TUI on a terminal, the survey otherwise.
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `han tui`.
#[derive(clap::Args, Debug, Clone)]
pub struct TuiArgs {
    /// Building file (TOML); the bundled 6-storey block of flats when omitted (saved as
    /// ./flat-block.toml).
    pub building: Option<PathBuf>,
    /// Seed of the Live view's emulation (as `han sim --seed`).
    #[arg(long, default_value_t = han_tui::app::LIVE_SEED)]
    pub seed: u64,
}

/// Runs the TUI; exit code 2 for a bad building file or when stdout is not a terminal.
pub fn run(args: &TuiArgs) -> anyhow::Result<i32> {
    if !std::io::stdout().is_terminal() {
        // A bad file is the more useful message.
        if let Err(e) = han_tui::project::Project::open(args.building.as_deref()) {
            eprintln!("{e}");
            return Ok(2);
        }
        eprintln!("han tui: stdout is not a terminal");
        eprintln!("  hint: run it in a terminal, or use `han survey` for a report");
        return Ok(2);
    }
    han_tui::run(args.building.as_deref(), args.seed)
}

/// `han` with no arguments: the TUI on the default building on a terminal, else the survey.
pub fn run_default() -> anyhow::Result<i32> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        han_tui::run(None, han_tui::app::LIVE_SEED)
    } else {
        super::survey::run(&super::survey::SurveyArgs::default())
    }
}
