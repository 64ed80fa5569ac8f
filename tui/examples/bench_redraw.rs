//! `scripts/bench tui`: redraw time of the tower's busiest floor with its heat map.
//! Usage: bench_redraw [N] (default 50). Frames go through ratatui's crossterm backend into a
//! byte buffer, repainting every cell, so escape encoding is counted but no terminal is needed.
use han_radio::bundled;
use han_tui::app::App;
use han_tui::project::Project;
use han_tui::theme::{Depth, Theme};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;

/// A sink that counts what the backend writes.
#[derive(Clone, Default)]
struct Count(Rc<Cell<usize>>);

impl Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + b.len());
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A frame kind's name and the change made before drawing it.
type Case<'a> = (&'static str, Box<dyn FnMut(&mut App) + 'a>);

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
        .max(1);
    let (name, src) = bundled::TOWER;
    let project = Project::from_source(name, src.to_string(), PathBuf::from(name)).unwrap();
    let b = &project.building;
    let busiest = (0..b.floors.len())
        .max_by_key(|&f| {
            let n = b
                .premises
                .iter()
                .flat_map(|p| &p.devices)
                .filter(|d| d.floor == f)
                .count();
            (n, std::cmp::Reverse(f))
        })
        .unwrap_or(0);
    let devices = b
        .premises
        .iter()
        .flat_map(|p| &p.devices)
        .filter(|d| d.floor == busiest)
        .count();
    let walls = b
        .walls
        .walls()
        .iter()
        .filter(|w| w.floor == busiest)
        .count();
    let source = b
        .premises
        .iter()
        .flat_map(|p| &p.devices)
        .find(|d| d.floor == busiest)
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let level = project.level(busiest);
    let mut app = App::new(project);
    app.select_device(&source);
    app.tab = han_tui::app::Tab::Floor;
    let theme = Theme::new(Depth::Ansi256);
    println!(
        "bench tui: {name}, busiest floor level {level} ({devices} devices, {walls} walls), heat map from {source}, {n} frames each"
    );
    println!(
        "{:<10} {:<34} {:>10} {:>10} {:>12}",
        "size", "frame", "median ms", "frames/s", "bytes/frame"
    );
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let count = Count::default();
        // A fresh terminal per frame has an empty previous buffer, so every cell is repainted.
        let new_term = || {
            Terminal::with_options(
                CrosstermBackend::new(count.clone()),
                TerminalOptions {
                    viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
                },
            )
            .unwrap()
        };
        let frame = |app: &mut App, change: &mut dyn FnMut(&mut App)| -> (f64, usize) {
            let t0 = Instant::now();
            change(app);
            let mut term = new_term();
            count.0.set(0);
            term.draw(|f| han_tui::ui::draw(f, app, &theme)).unwrap();
            let bytes = count.0.get();
            (t0.elapsed().as_secs_f64() * 1e3, bytes)
        };
        // Warm the heat-map cache once.
        frame(&mut app, &mut |_| {});
        let cases: [Case; 3] = [
            (
                "redraw (cursor move), heat cached",
                Box::new(|a: &mut App| {
                    key(
                        a,
                        if a.cursor.0 > 10.0 {
                            KeyCode::Left
                        } else {
                            KeyCode::Right
                        },
                    )
                }),
            ),
            (
                "band toggle: new heat map + draw",
                Box::new(|a: &mut App| key(a, KeyCode::Char('b'))),
            ),
            (
                "edit: move, re-survey, heat, draw",
                Box::new(|a: &mut App| {
                    let (x, y) = a.cursor;
                    let id = source.clone();
                    let lvl = level;
                    let nx = if x > 10.0 { x - 0.5 } else { x + 0.5 };
                    a.project.move_device(&id, lvl, nx, y, false).unwrap();
                    a.cursor = (nx, y);
                }),
            ),
        ];
        for (what, mut change) in cases {
            let mut times = Vec::with_capacity(n);
            let mut bytes = 0;
            for _ in 0..n {
                let (ms, b) = frame(&mut app, &mut *change);
                times.push(ms);
                bytes = b;
            }
            let m = median(times);
            println!(
                "{:<10} {:<34} {:>10.2} {:>10.0} {:>12}",
                format!("{w}x{h}"),
                what,
                m,
                1e3 / m,
                bytes
            );
        }
    }
}
