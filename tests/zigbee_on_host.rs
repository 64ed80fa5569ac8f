//! zigbee-on-host (the npm package `zigbee-on-host`, a Zigbee coordinator / Trust Centre we
//! did not write) runs on `han rcp --pty` as its radio co-processor: it forms a network as
//! the terraced house's coordinator and han's emulated IHD joins it with its install-code
//! key, and is seen in zoh's device table (issue 10). The Node side is
//! `tests/zoh/coordinator.mjs`; `scripts/test` installs the package (`npm ci` in tests/zoh).
//! Node missing is a failure, never a skip.

use han_devices::scenario::{ScenarioConfig, build, eui64};
use han_radio::building::Building;
use han_radio::device::DeviceKind;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TERRACED: &str = "examples/buildings/terraced-house.toml";

fn root_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `node`, checked: Node ≥ 20.19 (what zigbee-on-host 0.3.0 needs) and the package
/// installed in tests/zoh.
fn node() -> &'static str {
    let v = Command::new("node")
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("node is needed (Node >= 20.19) to run zigbee-on-host: {e}; install Node, then scripts/test")
        });
    let v = String::from_utf8_lossy(&v.stdout);
    let mut parts = v.trim().trim_start_matches('v').split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    assert!(
        major > 20 || (major == 20 && minor >= 19),
        "zigbee-on-host 0.3.0 needs Node >= 20.19, found {}",
        v.trim()
    );
    let pkg = root_dir().join("tests/zoh/node_modules/zigbee-on-host/package.json");
    assert!(
        pkg.exists(),
        "zigbee-on-host is not installed in tests/zoh: run scripts/test (it runs npm ci there)"
    );
    "node"
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("han-zoh-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Kills the child on drop (a failed assertion must not leave `han rcp` running).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `han rcp --pty` on the terraced house taking over device `at`'s radio: the child, the pty
/// path it printed (its first line on stdout) and the rest of its output.
fn start_rcp(at: &str) -> (Killed, String, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_han"))
        .current_dir(root_dir())
        .args(["rcp", "--pty", TERRACED, "--as", at])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("han rcp");
    // Everything han prints, line by line, for the failure messages.
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
    }
    let mut seen = Vec::new();
    let pty = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => {
                if let Some(p) = l.split_whitespace().find(|w| w.starts_with("/dev/pts/")) {
                    break p.trim_end_matches([',', '.', ';']).to_string();
                }
                seen.push(l);
            }
            Err(e) => panic!("han rcp printed no pty path ({e}):\n{}", seen.join("\n")),
        }
    };
    (Killed(child), pty, rx)
}

/// The JSON lines of coordinator.mjs.
fn events(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn zigbee_on_host_forms_the_network_and_the_emulated_ihd_joins_it() {
    let node = node();
    let dir = scratch("coord");
    let building = Building::from_toml(
        TERRACED,
        &std::fs::read_to_string(root_dir().join(TERRACED)).unwrap(),
    )
    .unwrap();
    // What the installer knows: the IHD's EUI-64 and install-code key, and the CH's EUI-64,
    // which is the extended PAN ID and the Trust Centre address the IHD looks for.
    let (world, keys) = build(&building, &ScenarioConfig::default());
    let nodes = world.nodes();
    let find = |k: DeviceKind| nodes.iter().position(|n| n.kind == k).unwrap();
    let (ihd, chf) = (find(DeviceKind::Ihd), find(DeviceKind::Chf));
    let ihd_key = keys
        .link
        .iter()
        .find(|(id, _)| *id == nodes[ihd].id)
        .map(|(_, k)| *k)
        .unwrap();
    let ihd64 = format!("{:016x}", eui64(0, ihd).0);
    let ch64 = format!("{:016x}", eui64(0, chf).0);
    // zoh is the CH: the emulated CHF stands down and its radio is the pty's.
    let (mut han, pty, han_lines) = start_rcp("12-acacia-road/ch");
    let zoh = Command::new(node)
        .current_dir(root_dir().join("tests/zoh"))
        .arg("coordinator.mjs")
        .args(["--port", &pty])
        .args(["--channel", &building.channel_2g4.to_string()])
        .args(["--pan", "0x1a62"])
        .args(["--epid", &ch64, "--eui64", &ch64])
        .args(["--tc-key", &hex(&ihd_key)])
        .args(["--expect", &ihd64, "--timeout", "150"])
        .arg("--save-dir")
        .arg(&dir)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&zoh.stdout);
    let stderr = String::from_utf8_lossy(&zoh.stderr);
    let _ = Command::new("kill")
        .args(["-TERM", &han.0.id().to_string()])
        .status();
    let _ = han.0.wait();
    let han_out: Vec<String> = han_lines.try_iter().collect();
    let context = format!(
        "zoh stdout:\n{stdout}\nzoh stderr (last lines):\n{}\nhan rcp:\n{}",
        stderr
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n"),
        han_out.join("\n")
    );
    let ev = events(&stdout);
    let kind = |e: &serde_json::Value| e["event"].as_str().unwrap_or_default().to_string();
    // The RCP answered zoh's bring-up: versions, interface type, reset.
    let rcp = ev
        .iter()
        .find(|e| kind(e) == "rcp")
        .unwrap_or_else(|| panic!("zoh did not start the RCP\n{context}"));
    assert_eq!(rcp["interface_type"], 3, "{context}");
    assert!(
        ev.iter().any(|e| kind(e) == "network_up"),
        "zoh did not form its network\n{context}"
    );
    // The IHD joined: zoh saw its Device Announce and has it in the device table.
    assert!(
        ev.iter()
            .any(|e| kind(e) == "device_joined" && e["eui64"] == ihd64.as_str()),
        "the emulated IHD did not join zoh\n{context}"
    );
    let table = ev
        .iter()
        .find(|e| kind(e) == "device_table")
        .unwrap_or_else(|| panic!("no device table\n{context}"));
    let entry = table["devices"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["eui64"] == ihd64.as_str()))
        .unwrap_or_else(|| panic!("the IHD is not in zoh's device table\n{context}"));
    let nwk = entry["nwk"].as_u64().unwrap();
    assert!(
        nwk > 0 && nwk < 0xfff8,
        "IHD address 0x{nwk:04x}\n{context}"
    );
    assert_eq!(zoh.status.code(), Some(0), "{context}");
    eprintln!("zigbee-on-host: the emulated IHD {ihd64} joined as 0x{nwk:04x}");
    let _ = std::fs::remove_dir_all(dir);
}
