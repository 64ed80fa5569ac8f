//! Scenario events from a TOML file: power cuts and network key updates.
//!
//! ```toml
//! [[power_cut]]
//! device = "ch"      # a device id of the building
//! at = "1h"          # when the power goes (s, m, h, d)
//! duration = "10m"   # how long it stays off
//!
//! [[key_update]]
//! at = "2h"          # every CHF hands out a new network key, then switches to it
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
    #[serde(default)]
    key_update: Vec<KeyUpdate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyUpdate {
    at: String,
}

/// What an events file asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    /// Power cuts by device id.
    pub power_cuts: Vec<(String, Outage)>,
    /// Network key updates at every CHF.
    pub key_updates: Vec<Duration>,
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

/// The events of a file named `name`, device ids checked against the building; errors
/// read `name:line:column: message`.
pub fn parse(name: &str, text: &str, b: &Building) -> Result<Events, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        format!("{name}:{l}:{c}: {}", e.message())
    })?;
    // Where the n-th table of a kind starts, for messages about its values.
    let starts =
        |table: &str| -> Vec<usize> { text.match_indices(table).map(|(i, _)| i).collect() };
    let key_starts = starts("[[key_update]]");
    let key_updates = file
        .key_update
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let (l, c) = line_col(text, key_starts.get(n).copied().unwrap_or(0));
            Duration::parse(&k.at).ok_or_else(|| {
                format!(
                    "{name}:{l}:{c}: key_update at: {:?} is not a duration (e.g. 90, 15m, 24h)",
                    k.at
                )
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let starts = starts("[[power_cut]]");
    let power_cuts = file
        .power_cut
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
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Events {
        power_cuts,
        key_updates,
    })
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
        assert!(got.key_updates.is_empty());
        assert_eq!(
            got.power_cuts,
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
        let k = parse("e.toml", "[[key_update]]\nat = \"2h\"\n", &b).unwrap();
        assert_eq!(k.key_updates, [Duration::secs(7200)]);
        let e = parse("e.toml", "\n[[key_update]]\nat = \"x\"\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:1: key_update at"), "{e}");
    }
}
