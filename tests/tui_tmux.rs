//! End to end: the real `han` binary in tmux (its own socket), driven by send-keys and read
//! back by capture-pane. Plain `han` opens the TUI on the default building; a premises that
//! needs Alt HAN is picked, its IHD moved into range (verdict turns ok), undone, redone and
//! undone again; the Alt HAN planner is run, its proposal for that premises accepted, the file
//! saved and checked with `han survey` (the premises ok-alt-han). The Live view runs with a
//! seed from the command line, is paused and stepped, and its capture read by tshark.

mod common;

use common::tshark_count;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long to wait for a screen to show something before failing (not a performance bound).
const PATIENCE: Duration = Duration::from_secs(60);

/// A tmux server on its own socket, killed (and its socket file removed) when dropped.
struct Tmux {
    socket: String,
    /// The socket file, learnt once the server runs.
    path: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux is needed for this test ({e})"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the server with session "han" running `args` (new-session arguments).
    fn start(&mut self, args: &[&str]) {
        let mut a = vec!["new-session", "-d", "-s", "han"];
        a.extend_from_slice(args);
        self.cmd(&a);
        self.path = self
            .cmd(&["display-message", "-p", "#{socket_path}"])
            .trim()
            .to_string();
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "han", k]);
        }
    }

    fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "han"])
    }

    /// Waits until the screen satisfies `ok`; returns it.
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
        if self.path.ends_with(&self.socket) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn survey_json(path: Option<&Path>) -> serde_json::Value {
    let mut c = Command::new(env!("CARGO_BIN_EXE_han"));
    c.args(["survey", "--format", "json"]);
    if let Some(p) = path {
        c.arg(p);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn verdict(v: &serde_json::Value, id: &str) -> String {
    v["premises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .map(|p| p["verdict"].as_str().unwrap().to_string())
        .unwrap()
}

/// The side panel's first line for premises `id`, e.g. "flat-2c ✗ needs Alt HAN".
fn panel_says(screen: &str, id: &str, verdict: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(&format!("{id} ")) && l.contains(verdict))
}

#[test]
fn move_an_ihd_into_range_undo_redo_then_plan_accept_save() {
    let dir: PathBuf = std::env::temp_dir().join(format!("han-tui-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let before = survey_json(None);
    let failing = before["premises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["verdict"] == "needs-alt-han")
        .map(|p| p["id"].as_str().unwrap().to_string())
        .expect("the default building has a premises that needs Alt HAN");

    let mut tmux = Tmux {
        socket: format!("han-tui-e2e-{}", std::process::id()),
        path: String::new(),
    };
    let han = env!("CARGO_BIN_EXE_han");
    tmux.start(&["-x", "100", "-y", "30", "-c", dir.to_str().unwrap(), han]);
    tmux.wait("the Building view", |s| {
        s.contains("premises:") && s.contains("Floors")
    });

    // Only failing premises; the first is focused; Enter opens it on the floor plan.
    tmux.keys(&["f", "Enter"]);
    let s = tmux.wait("the floor plan of the failing premises", |s| {
        panel_says(s, &failing, "needs Alt HAN")
    });
    assert!(s.contains("ihd"), "the IHD is selected:\n{s}");

    // Edit, move the IHD down to the meter room's level, drop it: the verdict turns ok.
    tmux.keys(&["e", "m", "NPage", "NPage", "NPage", "Enter"]);
    let s = tmux.wait("the IHD to be placed", |s| s.contains("placed. u undoes"));
    assert!(
        panel_says(&s, &failing, "✓ ok"),
        "the verdict turned ok:\n{s}"
    );
    assert!(s.contains("Level -1"), "{s}");

    tmux.keys(&["u"]);
    tmux.wait("undo", |s| {
        panel_says(s, &failing, "needs Alt HAN") && s.contains("Undone")
    });
    tmux.keys(&["U"]);
    tmux.wait("redo", |s| {
        panel_says(s, &failing, "✓ ok") && s.contains("Redone")
    });

    // Back to the building as it came, then the Alt HAN plan: run the planner, accept the
    // first proposal (the failing premises, first in file order), save.
    tmux.keys(&["u", "Escape"]);
    tmux.wait("undo again", |s| panel_says(s, &failing, "needs Alt HAN"));
    tmux.keys(&["5", "p"]);
    let s = tmux.wait("the planner's proposals", |s| s.contains("Planned:"));
    assert!(s.contains(&failing), "{failing} is in the plan:\n{s}");
    tmux.keys(&["Home", "a"]);
    let s = tmux.wait("the proposal applied", |s| {
        s.contains(&format!("{failing} now "))
    });
    assert!(
        s.contains(&format!("{failing} now ok-alt-han")),
        "accepting re-surveys the premises:\n{s}"
    );
    assert!(s.contains("✓ accepted £"), "{s}");

    tmux.keys(&["s"]);
    tmux.wait("save", |s| s.contains("Saved flat-block.toml"));
    tmux.keys(&["q"]);
    tmux.wait("quit", |s| !s.contains("Floors") && !s.contains("Level"));

    let saved = dir.join("flat-block.toml");
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(
        text.starts_with("# Six-storey block of 24 flats"),
        "comments kept"
    );
    assert!(
        text.contains("[[alt_han]]"),
        "the accepted equipment is saved"
    );
    let after = survey_json(Some(&saved));
    assert_eq!(verdict(&before, &failing), "needs-alt-han");
    assert_eq!(verdict(&after, &failing), "ok-alt-han");
    // Every other premises is as before, or, served by the same installation, fixed by it.
    for p in before["premises"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let (was, now) = (p["verdict"].as_str().unwrap(), verdict(&after, id));
        assert!(
            now == was || (was == "needs-alt-han" && now == "ok-alt-han"),
            "{id}: {was} -> {now}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The Live header's "t = 12.3 s" and "N frames".
fn live_header(screen: &str) -> Option<(f64, usize)> {
    let line = screen.lines().find(|l| l.contains(" t = "))?;
    let t = line
        .split(" t = ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let k = words.iter().position(|w| w.starts_with("frames"))?;
    Some((t, words.get(k.checked_sub(1)?)?.parse().ok()?))
}

#[test]
fn live_runs_with_the_seed_given_pauses_steps_and_writes_a_clean_capture() {
    let dir: PathBuf = std::env::temp_dir().join(format!("han-tui-e2e-l-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let building = dir.join("terraced-house.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/buildings/terraced-house.toml"),
        &building,
    )
    .unwrap();
    let mut tmux = Tmux {
        socket: format!("han-tui-e2e-l-{}", std::process::id()),
        path: String::new(),
    };
    let han = env!("CARGO_BIN_EXE_han");
    tmux.start(&[
        "-x",
        "100",
        "-y",
        "30",
        "-c",
        dir.to_str().unwrap(),
        han,
        "tui",
        "terraced-house.toml",
        "--seed",
        "7",
    ]);
    tmux.wait("the Building view", |s| s.contains("premises:"));
    tmux.keys(&["6"]);
    let s = tmux.wait("the Live view, paused", |s| {
        s.contains("paused") && s.contains("seed 7")
    });
    assert_eq!(live_header(&s), Some((0.0, 0)), "opens at 0 s:\n{s}");
    // 100×, run until frames come, pause.
    tmux.keys(&["+", "+", "Space"]);
    tmux.wait("frames on the air", |s| {
        s.contains("100×") && live_header(s).is_some_and(|(_, n)| n >= 20)
    });
    tmux.keys(&["Space"]);
    let paused = tmux.wait("pause", |s| s.contains("Paused."));
    let (t, n) = live_header(&paused).unwrap();
    assert!(t > 0.0 && n >= 20, "{paused}");
    // Paused means paused: nothing moves until a step, which runs one virtual second.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(live_header(&tmux.screen()), Some((t, n)));
    tmux.keys(&["."]);
    let s = tmux.wait("a step", |s| s.contains("Stepped to"));
    let (t1, n1) = live_header(&s).unwrap();
    assert!((t1 - t - 1.0).abs() < 0.05 && n1 >= n, "{t} -> {t1}:\n{s}");
    tmux.keys(&["w"]);
    let s = tmux.wait("the capture written", |s| s.contains("Wrote "));
    assert!(s.contains("live.pcap"), "{s}");
    let pcap = dir.join("terraced-house-export/live.pcap");
    assert_eq!(
        tshark_count(&pcap, &[], "frame"),
        n1,
        "every frame on the air"
    );
    assert_eq!(tshark_count(&pcap, &[], "_ws.malformed"), 0);
    assert!(tshark_count(&pcap, &[], "wpan") == n1);
    tmux.keys(&["q"]);
    tmux.wait("quit", |s| !s.contains("Frames on the air"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_restores_the_terminal_and_resizes_redraw() {
    let dir: PathBuf = std::env::temp_dir().join(format!("han-tui-e2e-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut tmux = Tmux {
        socket: format!("han-tui-e2e-c-{}", std::process::id()),
        path: String::new(),
    };
    let stty = dir.join("stty.txt");
    // After han exits, record the terminal's modes, then keep the pane open to be read.
    let script = format!(
        "{} tui; stty -a > {}; echo exited $?; sleep 60",
        env!("CARGO_BIN_EXE_han"),
        stty.display()
    );
    tmux.start(&["-x", "80", "-y", "24", "sh", "-c", &script]);
    tmux.wait("the Building view", |s| {
        s.contains("premises:") && s.contains("2 Floor ")
    });
    // Wider: the tab bar spells the titles out; then back to 80 columns.
    tmux.cmd(&["resize-window", "-t", "han", "-x", "130", "-y", "40"]);
    tmux.wait("a redraw at 130x40", |s| {
        s.contains("2 Floor plan") && s.lines().count() >= 40
    });
    tmux.cmd(&["resize-window", "-t", "han", "-x", "80", "-y", "24"]);
    tmux.wait("a redraw at 80x24", |s| {
        s.contains("2 Floor ") && !s.contains("Floor plan")
    });
    tmux.keys(&["2", "C-c"]);
    tmux.wait("han to exit", |s| s.contains("exited 0"));
    let modes = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = modes.split_whitespace().collect();
    for m in ["icanon", "echo", "isig", "opost"] {
        assert!(words.contains(&m), "terminal left without {m}:\n{modes}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn off_a_terminal_han_prints_the_survey_and_han_tui_refuses() {
    let out = Command::new(env!("CARGO_BIN_EXE_han")).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("HAN survey: Marlowe House"));
    let out = Command::new(env!("CARGO_BIN_EXE_han"))
        .arg("tui")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a terminal"));
    let out = Command::new(env!("CARGO_BIN_EXE_han"))
        .args(["tui", "/nonexistent/b.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("/nonexistent/b.toml:1:1: cannot read")
    );
}
