//! Test helper for tests/terminal.rs: takes over the terminal as the TUI does, draws the
//! default building once, then panics; the panic hook must leave the terminal usable.
use han_tui::app::App;
use han_tui::project::Project;
use han_tui::theme::{Depth, Theme};

fn main() {
    let app = Project::open(None).map(App::new);
    let mut terminal = han_tui::term::enter();
    let theme = Theme::new(Depth::detect());
    if let Ok(mut app) = app {
        let _ = terminal.draw(|f| han_tui::ui::draw(f, &mut app, &theme));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    panic!("probe panic inside the TUI");
}
