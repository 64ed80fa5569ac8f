//! Colours: 256-colour palette by default, 16 named colours where the terminal has only those.
//! No 24-bit colour is ever used, so the screens look the same over SSH and in tmux.
use han_radio::survey::{LinkReport, Verdict};
use ratatui::style::{Color, Modifier, Style};

/// Colour depth the palette is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
}

impl Depth {
    /// From `HAN_TUI_COLORS` (16 or 256), else from `TERM` / `COLORTERM`.
    pub fn detect() -> Depth {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        match var("HAN_TUI_COLORS").as_str() {
            "16" => return Depth::Ansi16,
            "256" => return Depth::Ansi256,
            _ => {}
        }
        let term = var("TERM");
        if term.contains("256") || !var("COLORTERM").is_empty() || term.starts_with("tmux") {
            Depth::Ansi256
        } else {
            Depth::Ansi16
        }
    }
}

/// How well a link or a heat-map cell does against the receiver it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    /// Below sensitivity: the link does not close.
    Fail,
    /// Above sensitivity but inside the fade margin.
    Marginal,
    /// Closes with the fade margin.
    Ok,
}

impl Grade {
    /// Grade of a surveyed link.
    pub fn of_link(l: &LinkReport) -> Grade {
        if l.ok {
            Grade::Ok
        } else if l.margin_db >= 0.0 {
            Grade::Marginal
        } else {
            Grade::Fail
        }
    }
}

/// Every colour the screens use.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Depth the colours were picked for.
    pub depth: Depth,
}

impl Theme {
    /// A theme for `depth`.
    pub fn new(depth: Depth) -> Theme {
        Theme { depth }
    }

    fn pick(&self, c256: u8, c16: Color) -> Color {
        match self.depth {
            Depth::Ansi256 => Color::Indexed(c256),
            Depth::Ansi16 => c16,
        }
    }

    /// Foreground of a grade (links, device markers).
    pub fn grade(&self, g: Grade) -> Color {
        match g {
            Grade::Ok => self.pick(40, Color::LightGreen),
            Grade::Marginal => self.pick(214, Color::Yellow),
            Grade::Fail => self.pick(196, Color::LightRed),
        }
    }

    /// Colour of a verdict.
    pub fn verdict(&self, v: Verdict) -> Color {
        match v {
            Verdict::Ok2g4 => self.grade(Grade::Ok),
            Verdict::Ok868 => self.pick(45, Color::LightCyan),
            Verdict::OkAltHan => self.pick(141, Color::LightMagenta),
            Verdict::NeedsAltHan => self.grade(Grade::Fail),
        }
    }

    /// Background of heat-map bucket `i` (0 = strongest, see `heat::BUCKETS`).
    pub fn heat(&self, i: usize) -> Color {
        const C256: [u8; 6] = [28, 64, 100, 130, 88, 236];
        const C16: [Color; 6] = [
            Color::Green,
            Color::LightGreen,
            Color::Cyan,
            Color::Yellow,
            Color::Red,
            Color::DarkGray,
        ];
        self.pick(C256[i.min(5)], C16[i.min(5)])
    }

    /// Wall colour by one-pass loss at 2.4 GHz: light partitions grey, masonry white, heavy red.
    pub fn wall(&self, loss_db: f64) -> Color {
        if loss_db >= 15.0 {
            self.pick(203, Color::LightRed)
        } else if loss_db >= 6.0 {
            self.pick(255, Color::White)
        } else {
            self.pick(246, Color::Gray)
        }
    }

    /// Windows (glass).
    pub fn window(&self) -> Color {
        self.pick(117, Color::LightCyan)
    }

    /// Doors.
    pub fn door(&self) -> Color {
        self.pick(179, Color::Yellow)
    }

    /// Background of marks and link tracks drawn over the heat map, for contrast.
    pub fn badge(&self) -> Color {
        self.pick(233, Color::Black)
    }

    /// Background of labels on the plan.
    pub fn label_bg(&self) -> Color {
        self.pick(235, Color::Black)
    }

    /// Background of the status bar (distinct from every heat-map colour).
    pub fn status_bg(&self) -> Color {
        self.pick(238, Color::DarkGray)
    }

    /// The faint dots marking the floor area when the heat map is off.
    pub fn floor_dot(&self) -> Color {
        self.pick(238, Color::DarkGray)
    }

    /// Text of lesser importance.
    pub fn dim(&self) -> Color {
        self.pick(244, Color::DarkGray)
    }

    /// Accent for titles and the selected tab.
    pub fn accent(&self) -> Color {
        self.pick(81, Color::LightBlue)
    }

    /// Style of the selected row or item.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Style of key names in hints.
    pub fn key(&self) -> Style {
        Style::default()
            .fg(self.accent())
            .add_modifier(Modifier::BOLD)
    }
}
