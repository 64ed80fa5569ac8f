//! Bar charts of a portfolio summary (PNG and SVG with plotters): per group, the class
//! shares (OK on 2.4 GHz, OK only with 868 MHz, P2P, shared, exempt) with their 95 % intervals as
//! whiskers.
use super::report::{Group, Share, Summary};
use crate::heatmap::HeatmapError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

const SIZE: (u32, u32) = (1100, 560);
/// Bar colours: OK on 2.4 GHz, OK only with 868 MHz, P2P pair, shared installation, exempt,
/// Alt HAN not planned.
const COLOURS: [RGBColor; 6] = [
    RGBColor(46, 125, 50),
    RGBColor(249, 168, 37),
    RGBColor(21, 101, 192),
    RGBColor(106, 27, 154),
    RGBColor(97, 97, 97),
    RGBColor(198, 40, 40),
];
const LABELS: [&str; 6] = [
    "OK on 2.4 GHz",
    "OK only with 868 MHz",
    "P2P pair",
    "shared installation",
    "exempt",
    "needs Alt HAN (not planned)",
];

/// The shares drawn for a group, in [`COLOURS`] order.
fn shares(g: &Group) -> [Share; 6] {
    [
        g.ok_2g4,
        g.ok_868_only,
        g.p2p,
        g.shared,
        g.exempt,
        g.unplanned,
    ]
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Summary,
    text: bool,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    root.fill(&WHITE).map_err(e)?;
    let groups: Vec<&Group> = std::iter::once(&s.overall).chain(&s.archetypes).collect();
    let n = groups.len() as f64;
    let mut b = ChartBuilder::on(root);
    b.margin(16);
    if text {
        b.caption(
            format!(
                "HAN coverage by archetype, {} premises (95 % bootstrap CI)",
                s.overall.premises
            ),
            ("sans-serif", 22),
        )
        .x_label_area_size(40)
        .y_label_area_size(56);
    }
    let mut chart = b.build_cartesian_2d(0.0..n, 0.0..100.0).map_err(e)?;
    if text {
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(groups.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                if (x - x.floor() - 0.5).abs() < 1e-6 && i < groups.len() {
                    groups[i].name.clone()
                } else {
                    String::new()
                }
            })
            .y_desc("share of premises, %")
            .draw()
            .map_err(e)?;
    }
    // Classes nobody in the portfolio falls in get no bar (e.g. "not planned" once planned).
    let drawn: Vec<usize> = (0..LABELS.len())
        .filter(|&k| shares(&s.overall)[k].count > 0)
        .collect();
    let bar = 0.78 / drawn.len().max(1) as f64;
    for (i, g) in groups.iter().enumerate() {
        let all = shares(g);
        for (slot, &k) in drawn.iter().enumerate() {
            let sh = &all[k];
            let x0 = i as f64 + 0.11 + slot as f64 * bar;
            let series = std::iter::once(Rectangle::new(
                [(x0, 0.0), (x0 + bar * 0.9, sh.pct)],
                COLOURS[k].filled(),
            ));
            let s = chart.draw_series(series).map_err(e)?;
            if i == 0 && text {
                s.label(LABELS[k]).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], COLOURS[k].filled())
                });
            }
            let xm = x0 + bar * 0.45;
            let tick = (bar * 0.15).min(0.04);
            let whisker = [
                PathElement::new(vec![(xm, sh.lo), (xm, sh.hi)], BLACK.stroke_width(2)),
                PathElement::new(
                    vec![(xm - tick, sh.lo), (xm + tick, sh.lo)],
                    BLACK.stroke_width(2),
                ),
                PathElement::new(
                    vec![(xm - tick, sh.hi), (xm + tick, sh.hi)],
                    BLACK.stroke_width(2),
                ),
            ];
            chart.draw_series(whisker).map_err(e)?;
        }
    }
    if text {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)
}

/// Writes `shares.png` and `shares.svg` into `dir`; `text` draws labels (call
/// `heatmap::load_font` first). Returns the files written.
pub fn write_charts(s: &Summary, dir: &Path, text: bool) -> Result<Vec<PathBuf>, HeatmapError> {
    std::fs::create_dir_all(dir).map_err(|e| HeatmapError::Io(dir.to_path_buf(), e))?;
    let png = dir.join("shares.png");
    let svg = dir.join("shares.svg");
    draw(&BitMapBackend::new(&png, SIZE).into_drawing_area(), s, text)
        .map_err(|e| HeatmapError::Draw(png.clone(), e))?;
    draw(&SVGBackend::new(&svg, SIZE).into_drawing_area(), s, text)
        .map_err(|e| HeatmapError::Draw(svg.clone(), e))?;
    Ok(vec![png, svg])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heatmap::load_font;
    use crate::portfolio::batch::{Fix, ResultLine};
    use crate::portfolio::report::summarise;
    use crate::survey::Verdict;

    #[test]
    fn writes_both_formats() {
        let lines: Vec<ResultLine> = (0..40)
            .map(|i| {
                let v = [
                    Verdict::Ok2g4,
                    Verdict::Ok2g4,
                    Verdict::Ok868,
                    Verdict::NeedsAltHan,
                ][i % 4];
                ResultLine {
                    id: format!("b{i}/p"),
                    building: format!("b{i}"),
                    premises: "p".into(),
                    archetype: ["terraced", "tower"][i % 2].into(),
                    building_seq: i,
                    premises_seq: 0,
                    verdict: v,
                    ok_2g4: v == Verdict::Ok2g4,
                    ok_868: true,
                    worst_margin_2g4_db: None,
                    worst_margin_868_db: None,
                    fix: Fix::of_verdict(v),
                    cost_gbp: None,
                    exempt_reason: None,
                }
            })
            .collect();
        let s = summarise(&lines, 200, 1);
        let dir = std::env::temp_dir().join(format!("han-portfolio-chart-{}", std::process::id()));
        let text = load_font();
        let files = write_charts(&s, &dir, text).unwrap();
        let png = std::fs::read(&files[0]).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(&files[1]).unwrap();
        assert!(
            svg.contains("<svg") && svg.matches("<rect").count() >= 9,
            "three bars per group"
        );
        if text {
            assert!(svg.contains("terraced") && svg.contains("needs Alt HAN (not planned)"));
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
