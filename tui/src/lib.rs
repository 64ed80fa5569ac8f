//! han-tui: the installer's terminal UI. It draws; han-radio computes every number.
#![warn(missing_docs)]
pub mod althan;
pub mod app;
pub mod budget;
pub mod export;
pub mod geom;
pub mod heat;
pub mod live;
pub mod plan;
pub mod planview;
pub mod project;
pub mod term;
pub mod theme;
pub mod ui;

use std::path::Path;

/// Opens `building` (or the bundled default) in the UI, the Live view's run seeded with
/// `seed`; returns the exit code (2: bad file).
pub fn run(building: Option<&Path>, seed: u64) -> anyhow::Result<i32> {
    let project = match project::Project::open(building) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Ok(2);
        }
    };
    let mut app = app::App::new(project);
    app.live_seed = seed;
    term::run(app)?;
    Ok(0)
}
