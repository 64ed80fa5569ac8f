//! `han sim` on a building naming `channel_868` runs both bands by default (the IHD behind
//! the lined wall joins on GB868), `--band 2.4` forces one band (it never joins), and a
//! dual-band run refuses events that change the air with exit code 2.

use std::process::{Command, Output};

const BUNGALOW: &str = "examples/buildings/dual-band-bungalow.toml";

fn han(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_han"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn ihd_line(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with("IHD    ihd"))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string()
}

#[test]
fn both_bands_by_default_one_when_forced() {
    let dual = ihd_line(&han(&["sim", BUNGALOW, "--duration", "5m"]));
    assert!(
        dual.contains("joined at") && dual.contains(", band 868MHz"),
        "{dual}"
    );
    let one = ihd_line(&han(&[
        "sim",
        BUNGALOW,
        "--duration",
        "5m",
        "--band",
        "2.4",
    ]));
    assert!(one.contains("not joined") && !one.contains("band"), "{one}");
}

#[test]
fn air_events_need_one_band() {
    let dir = std::env::temp_dir().join(format!("han-sim-dual-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("move.toml");
    std::fs::write(
        &events,
        "[[move]]\ndevice = \"ihd\"\nat = \"1m\"\nto = [3.0, 3.0]\nlevel = 0\n",
    )
    .unwrap();
    let ev = events.to_str().unwrap();
    let out = han(&["sim", BUNGALOW, "--duration", "5m", "--events", ev]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--band"));
    let forced = han(&[
        "sim",
        BUNGALOW,
        "--duration",
        "5m",
        "--band",
        "868",
        "--events",
        ev,
    ]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
