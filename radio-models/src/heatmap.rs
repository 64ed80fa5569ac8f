//! Coverage heat maps (PNG and SVG) with plotters: cells coloured by dBm, walls, devices, legend.
use crate::building::Building;
use crate::coverage::Grid;
use crate::device::DeviceKind;
use crate::units::Band;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the label font is read from at run time (not shipped with han).
pub const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// Colour scale bounds, dBm.
const SCALE: (f64, f64) = (-110.0, -30.0);
const LEGEND_W: i32 = 110;
const TITLE_H: i32 = 36;
const PAD: i32 = 16;

/// Failure writing a heat map.
#[derive(Debug, thiserror::Error)]
pub enum HeatmapError {
    /// Could not create the output directory.
    #[error("cannot create {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// The drawing backend failed.
    #[error("drawing {0}: {1}")]
    Draw(PathBuf, String),
}

/// Registers DejaVu Sans as "sans-serif" once; false (draw without text) if the font is missing.
pub fn load_font() -> bool {
    static LOADED: OnceLock<bool> = OnceLock::new();
    *LOADED.get_or_init(|| match std::fs::read(FONT_PATH) {
        Ok(bytes) => {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        }
        Err(_) => false,
    })
}

/// Colour for a received power: blue (weak) through green to red (strong); grey below scale.
fn colour(dbm: f64) -> RGBColor {
    if !dbm.is_finite() || dbm < SCALE.0 {
        return RGBColor(200, 200, 200);
    }
    let t = ((dbm - SCALE.0) / (SCALE.1 - SCALE.0)).clamp(0.0, 1.0);
    let h = (1.0 - t) * 240.0;
    // HSV(h, 0.85, 0.95) to RGB.
    let (s, v) = (0.85, 0.95);
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        _ => (x, 0.0, c),
    };
    let m = v - c;
    let to = |f: f64| ((f + m) * 255.0).round() as u8;
    RGBColor(to(r), to(g), to(b))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &Building,
    g: &Grid,
    scale: f64,
    text: bool,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    root.fill(&WHITE).map_err(e)?;
    let x0 = g.origin.x - g.step / 2.0;
    let y1 = g.origin.y + (g.ny as f64 - 0.5) * g.step;
    let px = |x: f64, y: f64| {
        (
            PAD + ((x - x0) * scale) as i32,
            TITLE_H + ((y1 - y) * scale) as i32,
        )
    };
    let cell = (g.step * scale).ceil() as i32;
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let c = g.centre(ix, iy);
            let (x, y) = px(c.x - g.step / 2.0, c.y + g.step / 2.0);
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                colour(f64::from(g.at(ix, iy))).filled(),
            ))
            .map_err(e)?;
        }
    }
    for w in b.walls.walls().iter().filter(|w| w.floor == g.floor) {
        let loss = b.materials.get(w.material).loss(Band::Ghz2_4).0;
        let width = if loss >= 15.0 {
            4
        } else if loss >= 6.0 {
            3
        } else {
            1
        };
        root.draw(&PathElement::new(
            vec![px(w.a.x, w.a.y), px(w.b.x, w.b.y)],
            BLACK.stroke_width(width),
        ))
        .map_err(e)?;
    }
    for d in b
        .premises
        .iter()
        .flat_map(|p| &p.devices)
        .filter(|d| d.floor == g.floor)
    {
        let at = px(d.pos.x, d.pos.y);
        if d.kind == DeviceKind::Chf {
            root.draw(&Circle::new(at, 6, BLACK.filled())).map_err(e)?;
            root.draw(&Circle::new(at, 4, WHITE.filled())).map_err(e)?;
        } else {
            root.draw(&TriangleMarker::new(at, 6, BLACK.filled()))
                .map_err(e)?;
        }
    }
    // Colour bar.
    let (w, h) = root.dim_in_pixel();
    let (bx, top, bottom) = (w as i32 - LEGEND_W + 20, TITLE_H + 10, h as i32 - PAD - 10);
    let steps = 80;
    for i in 0..steps {
        let v = SCALE.1 - (SCALE.1 - SCALE.0) * f64::from(i) / f64::from(steps);
        let ya = top + (bottom - top) * i / steps;
        let yb = top + (bottom - top) * (i + 1) / steps;
        root.draw(&Rectangle::new(
            [(bx, ya), (bx + 20, yb + 1)],
            colour(v).filled(),
        ))
        .map_err(e)?;
    }
    root.draw(&Rectangle::new(
        [(bx, top), (bx + 20, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(e)?;
    if text {
        let font = ("sans-serif", 13).into_font();
        let title = format!(
            "{} - floor {} - {} - strongest comms hub, dBm at {} m",
            b.name,
            b.floors[g.floor].level,
            g.band.label(),
            crate::coverage::GRID_RX_HEIGHT_M
        );
        root.draw(&Text::new(title, (PAD, 10), ("sans-serif", 15).into_font()))
            .map_err(e)?;
        let mut v = SCALE.1;
        while v >= SCALE.0 {
            let y = top + ((SCALE.1 - v) / (SCALE.1 - SCALE.0) * f64::from(bottom - top)) as i32;
            root.draw(&Text::new(
                format!("{v:.0}"),
                (bx + 26, y - 6),
                font.clone(),
            ))
            .map_err(e)?;
            v -= 10.0;
        }
        root.draw(&Text::new("dBm", (bx, top - 16), font.clone()))
            .map_err(e)?;
        root.draw(&Text::new(
            "o hub  ^ device",
            (PAD, h as i32 - PAD + 2),
            font,
        ))
        .map_err(e)?;
    }
    root.present().map_err(e)
}

/// Writes `floor_<level>_<band>.png` and `.svg` for every grid into `dir`; `text` draws labels
/// (call `load_font` first). Returns the files written, in grid order.
pub fn write_heatmaps(
    b: &Building,
    maps: &[Grid],
    dir: &Path,
    text: bool,
) -> Result<Vec<PathBuf>, HeatmapError> {
    std::fs::create_dir_all(dir).map_err(|e| HeatmapError::Io(dir.to_path_buf(), e))?;
    let mut files = Vec::new();
    for g in maps {
        let extent_m = (g.nx.max(g.ny) as f64) * g.step;
        let scale = (1000.0 / extent_m).clamp(4.0, 40.0);
        let w = (g.nx as f64 * g.step * scale) as u32 + (2 * PAD + LEGEND_W) as u32;
        let h = (g.ny as f64 * g.step * scale) as u32 + (TITLE_H + 2 * PAD) as u32;
        let stem = format!("floor_{}_{}", b.floors[g.floor].level, g.band.label());
        let png = dir.join(format!("{stem}.png"));
        let svg = dir.join(format!("{stem}.svg"));
        draw(
            &BitMapBackend::new(&png, (w, h)).into_drawing_area(),
            b,
            g,
            scale,
            text,
        )
        .map_err(|e| HeatmapError::Draw(png.clone(), e))?;
        draw(
            &SVGBackend::new(&svg, (w, h)).into_drawing_area(),
            b,
            g,
            scale,
            text,
        )
        .map_err(|e| HeatmapError::Draw(svg.clone(), e))?;
        files.extend([png, svg]);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled;
    use crate::geometry::Search;

    #[test]
    fn writes_non_trivial_files() {
        let b = Building::from_toml(bundled::ALL[0].0, bundled::ALL[0].1).unwrap();
        let (maps, _) = b.coverage_maps(0.5, Search::Indexed, None);
        let dir = std::env::temp_dir().join(format!("han-heatmap-test-{}", std::process::id()));
        let files = write_heatmaps(&b, &maps, &dir, load_font()).unwrap();
        assert_eq!(files.len(), 4);
        for f in &files {
            assert!(
                std::fs::metadata(f).unwrap().len() > 2000,
                "{}",
                f.display()
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn colour_scale_ends() {
        assert_eq!(colour(-120.0), RGBColor(200, 200, 200));
        let strong = colour(-30.0);
        assert!(strong.0 > 200 && strong.2 < 60);
        let weak = colour(-109.0);
        assert!(weak.2 > 200);
    }
}
