//! Any sequence of keys and mouse events on a bundled building leaves a drawable app (no
//! panic), and undoing every change gives back the file as it was opened.
use han_radio::bundled;
use han_tui::app::{App, Pending};
use han_tui::project::Project;
use han_tui::theme::{Depth, Theme};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::path::PathBuf;

/// Every key the UI binds, and a few it does not.
const KEYS: &[KeyCode] = &[
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Delete,
    KeyCode::F(1),
];
const CHARS: &str = "123456?bhefjklnpimwxcra[]+-0<>uUzZ ";

#[derive(Debug, Clone)]
enum Input {
    Key(KeyCode, bool),
    Mouse(u8, u16, u16),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        (0..KEYS.len(), any::<bool>()).prop_map(|(i, s)| Input::Key(KEYS[i], s)),
        (0..CHARS.len())
            .prop_map(|i| Input::Key(KeyCode::Char(CHARS.as_bytes()[i] as char), false)),
        (0u8..6, 0u16..80, 0u16..24).prop_map(|(k, c, r)| Input::Mouse(k, c, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_input_never_panics_and_undo_restores(
        building in prop_oneof![Just(0usize), Just(2), Just(3)],
        inputs in prop::collection::vec(input(), 1..50),
    ) {
        let (name, src) = bundled::ALL[building];
        let mut app = App::new(Project::from_source(name, src.to_string(), PathBuf::from(name)).unwrap());
        // Export (Enter or x on its tab) writes here, not into the source tree.
        let export = std::env::temp_dir().join(format!("han-tui-keys-{}", std::process::id()));
        app.export_dir = export.clone();
        let theme = Theme::new(Depth::Ansi256);
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for i in inputs {
            match i {
                Input::Key(code, shift) => {
                    // `s` and `q` would write files or quit; they are covered elsewhere.
                    let m = if shift { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
                    app.on_key(KeyEvent::new(code, m));
                }
                Input::Mouse(k, column, row) => {
                    let kind = match k {
                        0 => MouseEventKind::Down(MouseButton::Left),
                        1 => MouseEventKind::Drag(MouseButton::Left),
                        2 => MouseEventKind::Up(MouseButton::Left),
                        3 => MouseEventKind::ScrollUp,
                        4 => MouseEventKind::ScrollDown,
                        _ => MouseEventKind::Moved,
                    };
                    app.on_mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE });
                }
            }
            term.draw(|f| han_tui::ui::draw(f, &mut app, &theme)).unwrap();
        }
        // Finish any drag or move, then undo everything.
        app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        app.on_mouse(MouseEvent { kind: MouseEventKind::Up(MouseButton::Left), column: 0, row: 0, modifiers: KeyModifiers::NONE });
        prop_assert_eq!(&app.pending, &Pending::Idle);
        while app.project.history().0 > 0 {
            app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::NONE));
        }
        prop_assert_eq!(app.project.source(), src);
        let _ = std::fs::remove_dir_all(&export);
    }
}
