//! The terminal: raw mode, alternate screen and mouse, restored on exit, on a panic and on
//! Ctrl-C (which arrives as a key in raw mode).
use crate::app::App;
use crate::theme::{Depth, Theme};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use std::io::stdout;
use std::time::{Duration, Instant};

/// Wall time between UI ticks while something runs.
const TICK: Duration = Duration::from_millis(100);

/// Puts the terminal back: mouse off, then ratatui's restore (raw mode off, main screen, cursor).
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Takes over the terminal (raw mode, alternate screen, mouse) after installing a panic hook
/// that restores it before the panic message is printed.
pub fn enter() -> DefaultTerminal {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    let terminal = ratatui::init();
    let _ = execute!(stdout(), EnableMouseCapture);
    terminal
}

/// Runs the UI on `app` until the user quits.
pub fn run(mut app: App) -> anyhow::Result<()> {
    let mut terminal = enter();
    let theme = Theme::new(Depth::detect());
    let result = (|| -> anyhow::Result<()> {
        let mut last_tick = Instant::now();
        while !app.quit {
            terminal.draw(|f| crate::ui::draw(f, &mut app, &theme))?;
            // While something runs (the planner, the Live view) the UI ticks every 100 ms,
            // between keys as well as when none comes.
            if app.busy() {
                let left = TICK.saturating_sub(last_tick.elapsed());
                if left.is_zero() || !event::poll(left)? {
                    last_tick = Instant::now();
                    app.tick();
                    continue;
                }
            }
            match event::read()? {
                Event::Key(k) => app.on_key(k),
                Event::Mouse(m) => app.on_mouse(m),
                // The next draw takes the new size.
                _ => {}
            }
        }
        Ok(())
    })();
    restore();
    result
}
