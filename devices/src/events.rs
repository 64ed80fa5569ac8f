//! Scenario events from a TOML file: for now, power cuts.
//!
//! ```toml
//! [[power_cut]]
//! device = "ch"      # a device id of the building
//! at = "1h"          # when the power goes (s, m, h, d)
//! duration = "10m"   # how long it stays off
//! ```

use crate::host::Outage;
use han_mesh::time::Duration;
use han_radio::building::Building;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    power_cut: Vec<PowerCut>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PowerCut {
    device: String,
    at: String,
    duration: String,
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The power cuts of an events file named `name`, checked against the building's device
/// ids; errors read `name:line:column: message`.
pub fn parse(name: &str, text: &str, b: &Building) -> Result<Vec<(String, Outage)>, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        format!("{name}:{l}:{c}: {}", e.message())
    })?;
    // Where the n-th [[power_cut]] starts, for messages about its values.
    let starts: Vec<usize> = text
        .match_indices("[[power_cut]]")
        .map(|(i, _)| i)
        .collect();
    file.power_cut
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let (l, c) = line_col(text, starts.get(n).copied().unwrap_or(0));
            let at = |what: &str, msg: String| format!("{name}:{l}:{c}: power_cut {what}: {msg}");
            let known = b
                .premises
                .iter()
                .any(|pr| pr.devices.iter().any(|d| d.id == p.device));
            if !known {
                return Err(at(
                    "device",
                    format!("no device {:?} in the building", p.device),
                ));
            }
            let time = Duration::parse(&p.at).ok_or_else(|| {
                at(
                    "at",
                    format!("{:?} is not a duration (e.g. 90, 15m, 24h)", p.at),
                )
            })?;
            let length = Duration::parse(&p.duration).ok_or_else(|| {
                at(
                    "duration",
                    format!("{:?} is not a duration (e.g. 90, 15m, 24h)", p.duration),
                )
            })?;
            Ok((p.device, Outage { at: time, length }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn house() -> Building {
        let src = include_str!("../../examples/buildings/terraced-house.toml");
        Building::from_toml("terraced-house.toml", src).unwrap()
    }

    #[test]
    fn power_cuts_and_errors_with_positions() {
        let b = house();
        let ok = "[[power_cut]]\ndevice = \"ch\"\nat = \"1h\"\nduration = \"10m\"\n";
        let got = parse("e.toml", ok, &b).unwrap();
        assert_eq!(
            got,
            [(
                "ch".to_string(),
                Outage {
                    at: Duration::secs(3600),
                    length: Duration::secs(600)
                }
            )]
        );
        let bad_device = format!("# cut\n{}", ok.replace("\"ch\"", "\"nope\""));
        let e = parse("e.toml", &bad_device, &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:1: power_cut device"), "{e}");
        let bad_time = ok.replace("\"1h\"", "\"soon\"");
        assert!(
            parse("e.toml", &bad_time, &b)
                .unwrap_err()
                .contains("power_cut at")
        );
        let e = parse("e.toml", "[[power_cut]]\ndevice = 3\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:10: "), "{e}");
        let e = parse("e.toml", "[[power_cut]]\nwho = \"ch\"\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:1: "), "{e}");
    }
}
