//! Renders a TUI screen to PNG (for docs/ and for looking at the colours without a terminal).
//! Usage: screenshot OUT.png [BUILDING_INDEX] [KEYS] [WIDTH] [HEIGHT]
//! KEYS are typed into a fresh app: letters as themselves, `E` for Enter, `<` `>` `^` `v` for arrows,
//! `D` for PgDn; `~` waits for the Alt HAN planner, `@` is one UI tick (the running Live view).
use han_radio::bundled;
use han_tui::app::App;
use han_tui::project::Project;
use han_tui::theme::{Depth, Theme};
use plotters::prelude::*;
use plotters::style::Color as _;
use plotters::style::FontStyle;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use std::path::PathBuf;

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
const CW: i32 = 9;
const CH: i32 = 18;

/// xterm RGB of a ratatui colour.
fn rgb(c: Color, fg: bool) -> RGBColor {
    let basic = [
        (0, 0, 0),
        (205, 49, 49),
        (13, 188, 121),
        (229, 229, 16),
        (36, 114, 200),
        (188, 63, 188),
        (17, 168, 205),
        (229, 229, 229),
        (102, 102, 102),
        (241, 76, 76),
        (35, 209, 139),
        (245, 245, 67),
        (59, 142, 234),
        (214, 112, 214),
        (41, 184, 219),
        (255, 255, 255),
    ];
    let idx = |i: u8| -> (u8, u8, u8) {
        match i {
            0..=15 => basic[i as usize],
            16..=231 => {
                let i = i - 16;
                let v = |x: u8| if x == 0 { 0 } else { 55 + 40 * x };
                (v(i / 36), v((i / 6) % 6), v(i % 6))
            }
            _ => {
                let g = 8 + 10 * (i - 232);
                (g, g, g)
            }
        }
    };
    let (r, g, b) = match c {
        Color::Reset => {
            if fg {
                (220, 220, 220)
            } else {
                (18, 18, 18)
            }
        }
        Color::Black => idx(0),
        Color::Red => idx(1),
        Color::Green => idx(2),
        Color::Yellow => idx(3),
        Color::Blue => idx(4),
        Color::Magenta => idx(5),
        Color::Cyan => idx(6),
        Color::Gray => idx(7),
        Color::DarkGray => idx(8),
        Color::LightRed => idx(9),
        Color::LightGreen => idx(10),
        Color::LightYellow => idx(11),
        Color::LightBlue => idx(12),
        Color::LightMagenta => idx(13),
        Color::LightCyan => idx(14),
        Color::White => idx(15),
        Color::Indexed(i) => idx(i),
        Color::Rgb(r, g, b) => (r, g, b),
    };
    RGBColor(r, g, b)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(args.get(1).map_or("screen.png", |s| s.as_str()));
    let which: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let keys = args.get(3).cloned().unwrap_or_default();
    let w: u16 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(80);
    let h: u16 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(24);
    let (name, src) = bundled::ALL[which.min(bundled::ALL.len() - 1)];
    let mut app =
        App::new(Project::from_source(name, src.to_string(), PathBuf::from(name)).unwrap());
    for c in keys.chars() {
        match c {
            '~' => {
                app.finish_planning();
                continue;
            }
            '@' => {
                app.tick();
                continue;
            }
            _ => {}
        }
        let code = match c {
            'E' => KeyCode::Enter,
            '<' => KeyCode::Left,
            '>' => KeyCode::Right,
            '^' => KeyCode::Up,
            'v' => KeyCode::Down,
            'D' => KeyCode::PageDown,
            c => KeyCode::Char(c),
        };
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    // 256 colours unless HAN_TUI_COLORS asks otherwise.
    let depth = match std::env::var("HAN_TUI_COLORS") {
        Ok(_) => Depth::detect(),
        Err(_) => Depth::Ansi256,
    };
    let theme = Theme::new(depth);
    t.draw(|f| han_tui::ui::draw(f, &mut app, &theme)).unwrap();
    let font: &'static [u8] = Box::leak(
        std::fs::read(FONT)
            .expect("DejaVu Sans Mono")
            .into_boxed_slice(),
    );
    plotters::style::register_font("monospace", FontStyle::Normal, font)
        .map_err(|_| "font")
        .unwrap();
    let root = BitMapBackend::new(
        &out,
        ((i32::from(w) * CW) as u32, (i32::from(h) * CH) as u32),
    )
    .into_drawing_area();
    root.fill(&RGBColor(18, 18, 18)).unwrap();
    let buf = t.backend().buffer();
    for y in 0..h {
        for x in 0..w {
            let cell = &buf[(x, y)];
            let (mut fg, mut bg) = (rgb(cell.fg, true), rgb(cell.bg, false));
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (px, py) = (i32::from(x) * CW, i32::from(y) * CH);
            root.draw(&Rectangle::new([(px, py), (px + CW, py + CH)], bg.filled()))
                .unwrap();
            let s = cell.symbol();
            if s != " " {
                root.draw(&Text::new(
                    s.to_string(),
                    (px, py + 1),
                    ("monospace", 15).into_font().color(&fg),
                ))
                .unwrap();
            }
        }
    }
    root.present().unwrap();
    eprintln!("wrote {}", out.display());
}
