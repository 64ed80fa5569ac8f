//! A panic inside the TUI leaves the terminal in its normal modes, with the panic message on
//! the main screen (the `panic_probe` example in tmux on its own socket).
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("tmux is needed for this test ({e})"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_panic_restores_the_terminal() {
    // `cargo test` builds the package's examples next to the test binaries' folder.
    let exe = std::env::current_exe().unwrap();
    let probe: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|d| d.join("examples").join("panic_probe"))
        .unwrap();
    if !probe.exists() {
        // `cargo test --test terminal` skips the examples: build the probe.
        let st = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "han-tui", "--example", "panic_probe"])
            .status()
            .unwrap();
        assert!(
            st.success() && probe.exists(),
            "{} not built",
            probe.display()
        );
    }
    let dir = std::env::temp_dir().join(format!("han-tui-panic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let stty = dir.join("stty.txt");
    let socket = format!("han-tui-panic-{}", std::process::id());
    let script = format!(
        "{} 2>&1; echo exited $?; stty -a > {}; sleep 60",
        probe.display(),
        stty.display()
    );
    tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "p",
            "-x",
            "80",
            "-y",
            "24",
            "sh",
            "-c",
            &script,
        ],
    );
    let path = tmux(&socket, &["display-message", "-p", "#{socket_path}"]);
    let start = Instant::now();
    let screen = loop {
        let s = tmux(&socket, &["capture-pane", "-p", "-t", "p"]);
        if s.contains("exited") && stty.exists() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "screen:\n{s}");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(200));
    let modes = std::fs::read_to_string(&stty).unwrap();
    tmux(&socket, &["kill-server"]);
    let _ = std::fs::remove_file(path.trim());
    assert!(
        screen.contains("probe panic inside the TUI"),
        "message on the main screen:\n{screen}"
    );
    assert!(screen.contains("exited 101"), "{screen}");
    assert!(
        !screen.contains("Floors"),
        "alternate screen left:\n{screen}"
    );
    let words: Vec<&str> = modes.split_whitespace().collect();
    for m in ["icanon", "echo", "isig", "opost"] {
        assert!(words.contains(&m), "terminal left without {m}:\n{modes}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
