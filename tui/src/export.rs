//! Export for the job sheet: the survey as Markdown and JSON, the coverage heat maps (PNG and
//! SVG) and the building file as surveyed, all for the current (possibly edited) state.
use crate::project::Project;
use han_radio::geometry::Search;
use han_radio::heatmap;
use std::path::{Path, PathBuf};

/// Grid step of exported heat maps, metres (as `han survey --heatmap`).
pub const GRID_M: f64 = 0.5;

/// Writes `survey.md`, `survey.json`, `building.toml` and the heat maps into `dir`.
pub fn write(p: &Project, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = heatmap::load_font();
    let (maps, _) = p.building.coverage_maps(GRID_M, Search::Indexed, None);
    let mut files =
        heatmap::write_heatmaps(&p.building, &maps, dir, text).map_err(|e| e.to_string())?;
    let mut md = p.report.to_markdown();
    md += "\n## Heat maps\n\nStrongest comms hub per cell, dBm at 1 m above each floor.\n\n";
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
    {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        md += &format!("![{name}]({name})\n");
    }
    for (name, body) in [
        ("survey.md", md),
        ("survey.json", p.report.to_json() + "\n"),
        ("building.toml", p.source().to_string()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        files.push(path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;
    use han_radio::survey::SurveyReport;

    #[test]
    fn export_writes_the_current_state() {
        let (name, src) = bundled::ALL[0];
        let dir = std::env::temp_dir().join(format!("han-tui-export-{}", std::process::id()));
        let mut p = Project::from_source(name, src.to_string(), dir.join(name)).unwrap();
        let id = p.building.premises[0].devices.last().unwrap().id.clone();
        p.move_device(&id, 0, 1.0, 1.0, true).unwrap();
        let files = write(&p, &dir).unwrap();
        assert!(
            files
                .iter()
                .any(|f| f.extension().is_some_and(|e| e == "png"))
        );
        let json = std::fs::read_to_string(dir.join("survey.json")).unwrap();
        let back: SurveyReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p.report);
        assert_eq!(
            std::fs::read_to_string(dir.join("building.toml")).unwrap(),
            p.source()
        );
        assert!(
            std::fs::read_to_string(dir.join("survey.md"))
                .unwrap()
                .contains("![floor_0_2.4GHz.png]")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
