//! Snapshot tests of every view on every bundled building at 80×24 and 200×60 (TestBackend).
use han_radio::althan::{Backhaul, InstallationKind};
use han_radio::building::Building;
use han_radio::bundled;
use han_radio::device::DeviceKind;
use han_radio::survey::Verdict;
use han_tui::app::{App, Selection, Tab};
use han_tui::project::Project;
use han_tui::theme::{Depth, Theme};
use han_tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::style::Color;
use std::path::PathBuf;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn app(i: usize) -> App {
    let (name, src) = bundled::ALL[i];
    App::new(Project::from_source(name, src.to_string(), PathBuf::from(name)).unwrap())
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::new(Depth::Ansi256);
    t.draw(|f| ui::draw(f, app, &theme)).unwrap();
    t
}

/// The screen as text.
fn screen(app: &mut App, w: u16, h: u16) -> String {
    format!("{}", render(app, w, h).backend())
}

/// The heat-map layer: one character per cell for the 256-colour bucket background.
fn heat_layer(app: &mut App, w: u16, h: u16) -> String {
    let t = render(app, w, h);
    let theme = Theme::new(Depth::Ansi256);
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..h {
        for x in 0..w {
            let bg = buf[(x, y)].bg;
            let c = (0..6)
                .find(|&i| theme.heat(i) == bg)
                .map_or(if bg == Color::Reset { ' ' } else { '.' }, |i| {
                    char::from(b'0' + i as u8)
                });
            s.push(c);
        }
        s.push('\n');
    }
    s
}

fn stem(i: usize) -> &'static str {
    bundled::ALL[i].0.trim_end_matches(".toml")
}

/// Each view, reached by keys from a fresh app.
/// A view's name and the keys that reach it.
type View = (&'static str, fn(&mut App));

fn views() -> Vec<View> {
    vec![
        ("building", |_| {}),
        ("building_failing", |a| keys(a, "fj")),
        ("building_floor", |a| {
            key(a, KeyCode::Right);
            key(a, KeyCode::Right);
        }),
        ("floor_heat", |a| key(a, KeyCode::Enter)),
        ("floor_plain_868", |a| {
            key(a, KeyCode::Enter);
            keys(a, "hbl");
        }),
        ("inspector_link", |a| {
            key(a, KeyCode::Enter);
            keys(a, "l3");
        }),
        ("inspector_device", |a| {
            key(a, KeyCode::Enter);
            keys(a, "3");
        }),
        ("inspector_premises", |a| keys(a, "3")),
        ("edit_wall", |a| {
            key(a, KeyCode::Enter);
            keys(a, "ew");
            key(a, KeyCode::Right);
            key(a, KeyCode::Right);
            key(a, KeyCode::Right);
        }),
        ("edit_moved", |a| {
            key(a, KeyCode::Enter);
            keys(a, "em");
            key(a, KeyCode::Left);
            key(a, KeyCode::Up);
            key(a, KeyCode::Enter);
        }),
        ("export", |a| keys(a, "4")),
        ("alt_han_plan", |a| keys(a, "5")),
        ("edit_repeater_pair", |a| {
            key(a, KeyCode::Enter);
            keys(a, "er");
            key(a, KeyCode::Down);
            key(a, KeyCode::Enter);
        }),
        ("alt_han_planning", |a| keys(a, "5p")),
        ("alt_han_plan_run", |a| {
            keys(a, "5p");
            a.finish_planning();
        }),
        ("alt_han_plan_accepted", |a| {
            keys(a, "5p");
            a.finish_planning();
            key(a, KeyCode::Down);
            keys(a, "a");
            key(a, KeyCode::Down);
            keys(a, "r");
        }),
        ("live", |a| keys(a, "6")),
        ("help", |a| keys(a, "2?")),
    ]
}

#[test]
fn every_view_on_every_bundled_building() {
    for i in 0..bundled::ALL.len() {
        for (view, go) in views() {
            for (w, h) in SIZES {
                let mut a = app(i);
                go(&mut a);
                insta::assert_snapshot!(
                    format!("{}_{view}_{w}x{h}", stem(i)),
                    screen(&mut a, w, h)
                );
            }
        }
    }
}

#[test]
fn heat_map_layer() {
    for i in 0..bundled::ALL.len() {
        for (w, h) in SIZES {
            let mut a = app(i);
            key(&mut a, KeyCode::Enter);
            assert_eq!(a.tab, Tab::Floor);
            insta::assert_snapshot!(
                format!("{}_heat_layer_{w}x{h}", stem(i)),
                heat_layer(&mut a, w, h)
            );
        }
    }
}

#[test]
fn edits_change_what_is_drawn() {
    let mut a = app(3);
    key(&mut a, KeyCode::Enter);
    let before = screen(&mut a, 80, 24);
    keys(&mut a, "em");
    for _ in 0..3 {
        a.on_key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
    }
    key(&mut a, KeyCode::Enter);
    let moved = screen(&mut a, 80, 24);
    assert_ne!(before, moved);
    assert!(
        moved.contains("ok 868 MHz") || moved.contains("ok 2.4 GHz"),
        "{moved}"
    );
    keys(&mut a, "u");
    assert!(!a.project.dirty());
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    for i in 0..bundled::ALL.len() {
        for (_, go) in views() {
            for (w, h) in [(1, 1), (20, 5), (81, 25), (300, 90)] {
                let mut a = app(i);
                go(&mut a);
                assert_eq!(screen(&mut a, w, h).lines().count(), usize::from(h));
            }
        }
    }
}

fn mouse(app: &mut App, kind: MouseEventKind, (column, row): (u16, u16)) {
    app.on_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
}

#[test]
fn mouse_selects_drags_a_device_and_zooms() {
    let mut a = app(3);
    key(&mut a, KeyCode::Enter);
    let _ = screen(&mut a, 100, 30);
    let map = a.plan_map.unwrap();
    let Selection::Device(id) = a.selection.clone() else {
        panic!("a device is selected")
    };
    let d = a.project.find(&id).unwrap();
    let (x0, y0) = (d.pos.x, d.pos.y);
    let at = map.cell(x0, y0).unwrap();
    mouse(&mut a, MouseEventKind::Down(MouseButton::Left), at);
    assert_eq!(a.selection, Selection::Device(id.clone()));
    // Without edit mode a drag off a device pans; in edit mode a drag on it moves it.
    keys(&mut a, "e");
    mouse(&mut a, MouseEventKind::Down(MouseButton::Left), at);
    let to = (at.0 + 10, at.1 + 4);
    mouse(&mut a, MouseEventKind::Drag(MouseButton::Left), to);
    mouse(&mut a, MouseEventKind::Up(MouseButton::Left), to);
    let d = a.project.find(&id).unwrap();
    assert!(d.pos.x > x0 + 1.0 && d.pos.y < y0 - 1.0, "{:?}", d.pos);
    assert_eq!(a.project.history().0, 1, "one drag is one undo step");
    let zoom = a.view.zoom;
    mouse(&mut a, MouseEventKind::ScrollUp, to);
    assert!(a.view.zoom > zoom);
    // Clicking a tab switches to it.
    let _ = screen(&mut a, 100, 30);
    let (_, r) = a
        .tab_boxes
        .iter()
        .find(|(t, _)| *t == Tab::Inspector)
        .copied()
        .unwrap();
    mouse(
        &mut a,
        MouseEventKind::Down(MouseButton::Left),
        (r.x + 1, r.y),
    );
    assert_eq!(a.tab, Tab::Inspector);
}

#[test]
fn walls_are_added_recoloured_and_removed_by_keys() {
    let mut a = app(0);
    key(&mut a, KeyCode::Enter);
    let _ = screen(&mut a, 80, 24);
    let n = a.project.building.walls.walls().len();
    keys(&mut a, "e0w");
    for _ in 0..6 {
        key(&mut a, KeyCode::Right);
    }
    keys(&mut a, "w");
    assert_eq!(a.project.building.walls.walls().len(), n + 1);
    // Back on the new wall's middle, select it, change its material, remove it.
    for _ in 0..3 {
        key(&mut a, KeyCode::Left);
    }
    key(&mut a, KeyCode::Enter);
    let Selection::Wall(i) = a.selection else {
        panic!("wall selected: {:?}", a.selection)
    };
    let b = &a.project.building;
    assert_eq!(
        b.materials.get(b.walls.walls()[i].material).name,
        "plasterboard"
    );
    keys(&mut a, "c");
    let b = &a.project.building;
    assert_eq!(
        b.materials.get(b.walls.walls()[i].material).name,
        "foil-backed-plasterboard"
    );
    keys(&mut a, "x");
    assert_eq!(a.project.building.walls.walls().len(), n);
    keys(&mut a, "uuu");
    assert!(!a.project.dirty());
}

#[test]
fn enter_on_a_link_track_selects_the_link() {
    let mut a = app(0);
    key(&mut a, KeyCode::Enter);
    let _ = screen(&mut a, 120, 40);
    let r = &a.project.report.premises[a.premises];
    // The longest same-floor link, picked at its middle.
    let b = &a.project.building;
    let pos = |id: &str| {
        b.premises
            .iter()
            .flat_map(|p| &p.devices)
            .find(|d| d.id == id)
            .unwrap()
    };
    let l = r
        .links
        .iter()
        .filter(|l| pos(&l.from).floor == pos(&l.to).floor && pos(&l.to).floor == a.floor)
        .max_by(|x, y| x.distance_m.total_cmp(&y.distance_m))
        .unwrap();
    let (p, q) = (pos(&l.from).pos, pos(&l.to).pos);
    let (from, to) = (l.from.clone(), l.to.clone());
    a.cursor = ((p.x + q.x) / 2.0, (p.y + q.y) / 2.0);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.selection, Selection::Link(from, to));
}

fn verdict_of(a: &App, id: &str) -> Verdict {
    let r = a.project.report.premises.iter().find(|r| r.id == id);
    r.unwrap().verdict
}

#[test]
fn a_repeater_pair_is_added_placed_carries_the_premises_and_is_undone() {
    // The block of flats opens on a premises that needs Alt HAN; Enter selects its IHD.
    let mut a = app(3);
    key(&mut a, KeyCode::Enter);
    let _ = screen(&mut a, 80, 24);
    let prem = a.project.building.premises[a.premises].id.clone();
    assert_eq!(verdict_of(&a, &prem), Verdict::NeedsAltHan);
    let before = a.project.source().to_string();
    keys(&mut a, "er");
    let Selection::Device(id) = a.selection.clone() else {
        panic!("the new repeater is selected")
    };
    let (inst, u) = a.project.unit(&id).unwrap();
    assert_eq!(u.kind, DeviceKind::P2pRepeater);
    assert_eq!(inst.kind, InstallationKind::P2pPair);
    assert!(inst.serves(&prem));
    let x0 = u.pos.x;
    for _ in 0..2 {
        key(&mut a, KeyCode::Right);
    }
    key(&mut a, KeyCode::Enter);
    let x1 = a.project.find(&id).unwrap().pos.x;
    assert!(x1 > x0, "placed to the right");
    // The survey counts the pair: the premises is carried, its legs are drawn and listed.
    assert_eq!(verdict_of(&a, &prem), Verdict::OkAltHan);
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("ok via Alt HAN") && s.contains("u2"), "{s}");
    assert!(a.project.source().contains("kind = \"p2p-pair\""));
    // Adding and placing are two undo steps; redo brings the pair back where it was put.
    keys(&mut a, "uu");
    assert_eq!(a.project.source(), before);
    assert_eq!(verdict_of(&a, &prem), Verdict::NeedsAltHan);
    keys(&mut a, "UU");
    assert_eq!(a.project.find(&id).unwrap().pos.x, x1);
    assert_eq!(verdict_of(&a, &prem), Verdict::OkAltHan);
    // x on a unit removes the pair; c on a unit changes the backhaul.
    a.select_device(&id);
    keys(&mut a, "c");
    assert_eq!(a.project.building.alt_han[0].backhaul, Backhaul::Powerline);
    keys(&mut a, "x");
    assert!(a.project.building.alt_han.is_empty());
    assert_eq!(verdict_of(&a, &prem), Verdict::NeedsAltHan);
}

#[test]
fn a_shared_node_is_added_and_saved_as_alt_han() {
    let mut a = app(3);
    key(&mut a, KeyCode::Enter);
    let prem = a.project.building.premises[a.premises].id.clone();
    let dir = std::env::temp_dir().join(format!("han-tui-shared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    a.project.save_path = dir.join("flat-block.toml");
    keys(&mut a, "ea");
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    let Selection::Device(id) = a.selection.clone() else {
        panic!("the new node is selected")
    };
    assert_eq!(id, "althan-shared-u1");
    let (inst, u) = a.project.unit(&id).unwrap();
    assert_eq!(
        (inst.kind, u.kind),
        (InstallationKind::Shared, DeviceKind::AltHanNode)
    );
    // A node in the flat alone does not reach the hub in the basement: a second one by the
    // hub joins the same installation and the premises is carried.
    let hub = a.project.building.premises[a.premises].devices[0].clone();
    assert_eq!(hub.kind, DeviceKind::Chf);
    a.set_floor(hub.floor);
    a.cursor = (hub.pos.x, hub.pos.y);
    keys(&mut a, "a");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.project.building.alt_han.len(), 1);
    assert_eq!(a.project.building.alt_han[0].units.len(), 2);
    assert_eq!(verdict_of(&a, &prem), Verdict::OkAltHan);
    keys(&mut a, "s");
    let saved = std::fs::read_to_string(dir.join("flat-block.toml")).unwrap();
    let b = Building::from_toml("flat-block.toml", &saved).unwrap();
    assert_eq!(
        b.survey(),
        a.project.report,
        "the saved file surveys the same"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_planner_runs_in_the_background_and_esc_cancels() {
    let mut a = app(3);
    keys(&mut a, "5p");
    assert!(a.planning.is_some() && a.busy());
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Planning…"), "{s}");
    // The UI answers keys meanwhile; Esc cancels and nothing is planned.
    key(&mut a, KeyCode::Esc);
    assert!(a.planning.is_none() && a.proposals.is_none());
    assert!(a.status.contains("cancelled"));
    // An edit while planning: the result is discarded when it comes.
    keys(&mut a, "p1");
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "em");
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Enter);
    assert!(a.planning.is_some());
    a.finish_planning();
    assert!(a.proposals.is_none());
    assert!(a.status.contains("changed while planning"), "{}", a.status);
    // Undisturbed, ticks take the result once the worker is done.
    keys(&mut a, "5p");
    while a.planning.is_some() {
        a.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(a.proposals.is_some(), "{}", a.status);
    assert!(a.status.starts_with("Planned:"));
}

#[test]
fn no_24_bit_colour_and_16_colours_only_when_asked() {
    for (depth, allowed) in [(Depth::Ansi256, true), (Depth::Ansi16, false)] {
        let theme = Theme::new(depth);
        for i in [0, 3, 4] {
            for (view, go) in views() {
                let mut a = app(i);
                go(&mut a);
                let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
                t.draw(|f| ui::draw(f, &mut a, &theme)).unwrap();
                for cell in t.backend().buffer().content() {
                    for c in [cell.fg, cell.bg] {
                        assert!(!matches!(c, Color::Rgb(..)), "{view}: 24-bit colour");
                        assert!(
                            allowed || !matches!(c, Color::Indexed(_)),
                            "{view}: 256-colour index in 16-colour mode"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_building_without_premises_or_walls_works() {
    let src = "[building]\nname = \"Empty shell\"\n[[floor]]\nlevel = 0\nheight_m = 2.5\n";
    let p =
        Project::from_source("empty.toml", src.to_string(), PathBuf::from("empty.toml")).unwrap();
    for (view, go) in views() {
        let mut a = App::new(
            Project::from_source("empty.toml", src.to_string(), PathBuf::from("empty.toml"))
                .unwrap(),
        );
        a.export_dir = std::env::temp_dir().join(format!("han-tui-empty-{}", std::process::id()));
        go(&mut a);
        for k in [
            KeyCode::Enter,
            KeyCode::Down,
            KeyCode::Char('l'),
            KeyCode::Char('n'),
            KeyCode::Char('r'),
            KeyCode::Char('x'),
        ] {
            key(&mut a, k);
        }
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("han"), "{view}");
    }
    assert!(p.building.premises.is_empty());
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("han-tui-empty-{}", std::process::id())),
    );
}

/// The terraced house's Live view after 30 virtual seconds: 10 steps, then 10× for 20 ticks.
fn live_after_30s() -> App {
    let mut a = app(0);
    keys(&mut a, "6");
    keys(&mut a, &".".repeat(10));
    keys(&mut a, "+ ");
    for _ in 0..20 {
        a.tick();
    }
    keys(&mut a, " ");
    a
}

#[test]
fn live_view_after_30_virtual_seconds() {
    for (w, h) in SIZES {
        let mut a = live_after_30s();
        let live = a.live.as_ref().unwrap();
        assert_eq!(live.now().0, 30_000_000_000);
        assert!(live.paused && live.frame_count > 0);
        let s = screen(&mut a, w, h);
        assert_eq!(
            s,
            screen(&mut live_after_30s(), w, h),
            "same keys, same screen"
        );
        insta::assert_snapshot!(format!("terraced-house_live_30s_{w}x{h}"), s);
    }
}

#[test]
fn live_filter_prompt_narrows_the_list() {
    let mut a = live_after_30s();
    let all = a.live.as_ref().unwrap().shown().len();
    // Keys typed into the prompt are not commands ("6", "q" and "s" would be).
    keys(&mut a, "/0x0702");
    assert!(a.filter_edit && !a.quit);
    key(&mut a, KeyCode::Enter);
    let live = a.live.as_ref().unwrap();
    assert_eq!(live.filter, "0x0702");
    let shown = live.shown();
    assert!(shown.len() < all);
    assert!(shown.iter().all(|f| f.matches("0x0702")));
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.live.as_ref().unwrap().shown().len(), all);
}
