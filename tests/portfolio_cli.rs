//! `han portfolio` end to end on the real binary: generate, shards and threads byte-identical,
//! SIGINT then resume, bad input, report.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn han(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_han"))
        .args(args)
        .output()
        .expect("run han")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("han-portfolio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn generate(dir: &Path, premises: usize, seed: u64) {
    let o = han(&[
        "portfolio",
        "generate",
        "--out",
        s(dir),
        "--premises",
        &premises.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn survey(args: &[&str]) -> Output {
    let mut a = vec!["portfolio", "survey"];
    a.extend_from_slice(args);
    han(&a)
}

#[test]
fn same_seed_same_files_and_results_across_threads_and_shards() {
    let d = tmp("det");
    let (a, b) = (d.join("a"), d.join("b"));
    generate(&a, 400, 3);
    generate(&b, 400, 3);
    let ma = std::fs::read_to_string(a.join("manifest.toml")).unwrap();
    assert_eq!(
        ma,
        std::fs::read_to_string(b.join("manifest.toml")).unwrap()
    );
    for f in std::fs::read_dir(a.join("buildings")).unwrap() {
        let f = f.unwrap().path();
        let other = b.join("buildings").join(f.file_name().unwrap());
        assert_eq!(std::fs::read(&f).unwrap(), std::fs::read(other).unwrap());
    }
    let r1 = d.join("r1.jsonl");
    let r2 = d.join("r2.jsonl");
    assert!(
        survey(&[s(&a), "--threads", "1", "--out", s(&r1)])
            .status
            .success()
    );
    assert!(
        survey(&[
            s(&a.join("manifest.toml")),
            "--threads",
            "2",
            "--out",
            s(&r2)
        ])
        .status
        .success()
    );
    let one = std::fs::read(&r1).unwrap();
    assert_eq!(one, std::fs::read(&r2).unwrap(), "1 vs 2 threads");
    let mut shards = Vec::new();
    for k in 0..4 {
        let p = d.join(format!("s{k}.jsonl"));
        let o = survey(&[s(&a), "--shard", &format!("{k}/4"), "--out", s(&p)]);
        assert!(o.status.success());
        shards.push(p);
    }
    let m = d.join("merged.jsonl");
    let mut args = vec!["portfolio", "merge", "--out", s(&m)];
    args.extend(shards.iter().rev().map(|p| s(p)));
    assert!(han(&args).status.success());
    assert_eq!(one, std::fs::read(&m).unwrap(), "1 shard vs 4 merged");
    assert_eq!(String::from_utf8(one).unwrap().lines().count(), 400);
    // Report with charts and a field comparison.
    let field = d.join("field.csv");
    std::fs::write(
        &field,
        "archetype,premises,ok_2g4,ok_868_only,needs_alt_han\nterraced,50,35,14,1\n",
    )
    .unwrap();
    let rep = d.join("report");
    let o = han(&[
        "portfolio",
        "report",
        s(&m),
        "--out",
        s(&rep),
        "--compare",
        s(&field),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(
        md.contains("| Alt HAN need |") && md.contains("| terraced | 50 |"),
        "{md}"
    );
    assert!(std::fs::metadata(rep.join("shares.png")).unwrap().len() > 1000);
    assert!(
        std::fs::read_to_string(rep.join("shares.svg"))
            .unwrap()
            .contains("<svg")
    );
    let o = han(&["portfolio", "merge", s(&d.join("nope.jsonl"))]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn sigint_then_resume_loses_and_repeats_nothing() {
    let d = tmp("sigint");
    let p = d.join("p");
    generate(&p, 6000, 11);
    let out = d.join("r.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_han"))
        .args([
            "portfolio",
            "survey",
            s(&p),
            "--threads",
            "1",
            "--out",
            s(&out),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::fs::metadata(&out).map_or(0, |m| m.len()) == 0 {
        assert!(t0.elapsed() < Duration::from_secs(120), "no output");
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(2),
        "the run must be interrupted by SIGINT, not finish: {status:?}"
    );
    let partial = std::fs::read_to_string(&out).unwrap();
    let before = partial.lines().filter(|l| l.ends_with('}')).count();
    assert!(before > 0 && before < 6000, "{before}");
    let o = survey(&[s(&p), "--threads", "2", "--out", s(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("resuming"));
    let resumed = std::fs::read_to_string(&out).unwrap();
    let clean = d.join("clean.jsonl");
    assert!(survey(&[s(&p), "--out", s(&clean)]).status.success());
    assert_eq!(resumed, std::fs::read_to_string(&clean).unwrap());
    let mut ids: Vec<&str> = resumed
        .lines()
        .map(|l| &l[..l.find("\",").unwrap()])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6000);
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn bad_entries_and_buildings_are_reported_the_rest_goes_on_exit_1() {
    let d = tmp("bad");
    generate(&d, 30, 2);
    let b3 = d.join("buildings/b000003.toml");
    let src = std::fs::read_to_string(&b3).unwrap();
    std::fs::write(&b3, src.replacen("[radio]", "[radio]\nspeed = 9", 1)).unwrap();
    let manifest = d.join("manifest.toml");
    let mut m = std::fs::read_to_string(&manifest).unwrap();
    let line = m.lines().count() + 2;
    m += "\n[[building]]\nid = \"broken\"\narchetype = \"terraced\"\n";
    std::fs::write(&manifest, &m).unwrap();
    let out = d.join("r.jsonl");
    let o = survey(&[s(&d), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("building b000003: {}:", b3.display()))
            && err.contains("unknown field `speed`"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "building broken: {}:{line}:1: malformed [[building]] entry",
            manifest.display()
        )),
        "{err}"
    );
    let lines = std::fs::read_to_string(&out).unwrap().lines().count();
    let b3_premises = std::fs::read_to_string(&b3)
        .unwrap()
        .matches("[[premises]]")
        .count();
    assert_eq!(lines, 30 - b3_premises, "every other premises surveyed");
    let o = survey(&[s(&d.join("missing"))]);
    assert_eq!(o.status.code(), Some(2));
    let o = survey(&[s(&d), "--shard", "4/4"]);
    assert_eq!(o.status.code(), Some(2));
    let mix = d.join("mix.toml");
    std::fs::write(&mix, "[shares]\nterraced = 1\ncastle = 2\n").unwrap();
    let o = han(&[
        "portfolio",
        "generate",
        "--out",
        s(&d.join("g")),
        "--mix",
        s(&mix),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{}:1:1: unknown archetype \"castle\"",
            mix.display()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&d).ok();
}

/// Issue 12 with issue 7's planner: a P2P case (the farmhouse), a shared case (the block of
/// flats with a basement meter room) and an exempt case (the farmhouse with every position
/// forbidden) through `han portfolio survey` and `report`.
#[test]
fn planned_fixes_and_costs_through_survey_and_report() {
    let d = tmp("plan");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/buildings");
    let farm = std::fs::read_to_string(examples.join("farmhouse.toml")).unwrap();
    let forbidden = d.join("walled-farm.toml");
    std::fs::write(
        &forbidden,
        format!(
            "{farm}\n[[zone]]\nkind = \"forbidden\"\nfloors = [0, 1]\nfrom = [-100.0, -100.0]\nto = [100.0, 100.0]\n"
        ),
    )
    .unwrap();
    let entry = |id: &str, file: &Path, arch: &str| {
        format!(
            "[[building]]\nid = \"{id}\"\nfile = {:?}\narchetype = \"{arch}\"\n",
            s(file)
        )
    };
    std::fs::write(
        d.join("manifest.toml"),
        [
            entry("farm", &examples.join("farmhouse.toml"), "detached"),
            entry("block", &examples.join("flat-block.toml"), "low-rise-flats"),
            entry("walled", &forbidden, "detached"),
        ]
        .join("\n"),
    )
    .unwrap();
    let out = d.join("r.jsonl");
    let o = survey(&[s(&d), "--out", s(&out), "--threads", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap();
    let farm = of("farm/high-barn-farm");
    assert_eq!(farm["fix"], "p2p-pair");
    assert!(farm["cost_gbp"].as_f64().unwrap() > 300.0, "{farm}");
    assert!(farm.get("exempt_reason").is_none());
    let walled = of("walled/high-barn-farm");
    assert_eq!(
        (&walled["fix"], &walled["cost_gbp"]),
        (&"exempt".into(), &0.0.into())
    );
    let why = walled["exempt_reason"].as_str().unwrap();
    assert!(
        why.starts_with("technically impossible") && why.contains("forbidden"),
        "{why}"
    );
    let shared: Vec<&serde_json::Value> = lines.iter().filter(|l| l["fix"] == "shared").collect();
    assert_eq!(shared.len(), 12);
    assert!(
        shared
            .iter()
            .all(|l| l["building"] == "block" && l["verdict"] == "needs-alt-han")
    );
    // Even split: each shared flat pays the same share, less than its own P2P pair would.
    let share = shared[0]["cost_gbp"].as_f64().unwrap();
    assert!(shared.iter().all(|l| l["cost_gbp"].as_f64() == Some(share)));
    assert!(share < farm["cost_gbp"].as_f64().unwrap(), "{share}");
    let fine = lines
        .iter()
        .filter(|l| l["fix"] == "none" || l["fix"] == "dual-band-hub");
    assert!(fine.clone().count() == 12 && fine.clone().all(|l| l["cost_gbp"] == 0.0));

    let rep = d.join("rep");
    let o = han(&[
        "portfolio",
        "report",
        s(&out),
        "--out",
        s(&rep),
        "--resamples",
        "200",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    let total = farm["cost_gbp"].as_f64().unwrap() + 12.0 * share;
    assert!(
        md.contains(&format!("Total Alt HAN cost: £{total:.0} (")),
        "{md}"
    );
    // 26 premises: 1 P2P, 12 shared, 1 exempt.
    assert!(md.contains("| all | 26 | 3 |"), "{md}");
    for cell in ["| 3.8 % (", "| 46.2 % ("] {
        assert!(md.contains(cell), "{cell} in {md}");
    }
    assert!(md.contains("| technically impossible | 1 |"), "{md}");
    assert!(
        std::fs::read_to_string(rep.join("shares.svg"))
            .unwrap()
            .contains("<svg")
    );
    // --compare still reads the Alt HAN need as the three planned kinds together.
    let field = d.join("field.csv");
    std::fs::write(
        &field,
        "archetype,premises,ok_2g4,ok_868_only,needs_alt_han\nlow-rise-flats,24,6,6,12\n",
    )
    .unwrap();
    let o = han(&[
        "portfolio",
        "report",
        s(&out),
        "--compare",
        s(&field),
        "--resamples",
        "200",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cmp = String::from_utf8_lossy(&o.stdout);
    assert!(
        cmp.contains("low-rise-flats") && cmp.contains("50.0 %"),
        "{cmp}"
    );
    std::fs::remove_dir_all(&d).ok();
}
