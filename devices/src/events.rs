//! Scenario events from a TOML file: power cuts, network key updates, devices moved, walls
//! and doors changed, interferers switched on and off, top-ups and price changes. Times
//! are durations from the start of the run (s, m, h, d); levels are the building's floor
//! levels; positions are metres on the floor, as in the building file.
//!
//! ```toml
//! [[power_cut]]
//! device = "ch"          # a device id of the building
//! at = "1h"              # when the power goes
//! duration = "10m"       # how long it stays off
//!
//! [[key_update]]
//! at = "2h"              # every CHF hands out a new network key, then switches to it
//!
//! [[move]]
//! device = "ihd"
//! at = "3h"
//! to = [10.2, 1.5]       # x, y on the floor
//! level = 0              # optional: another floor (default: where it is)
//! height_m = 1.0         # optional: height above the floor (default: as it was)
//!
//! [[wall]]
//! at = "4h"
//! level = 0
//! point = [7.5, 2.0]     # a point on the wall (within 0.5 m)
//! material = "metal-door"
//!
//! [[door]]
//! at = "5h"
//! level = 0
//! point = [7.5, 2.0]     # the wall that is the door
//! open = true            # open: it attenuates nothing; closed: its material again
//!
//! [[interferer]]         # a noise source of the run's own, off until switched on
//! name = "microwave"
//! level = 0
//! point = [9.0, 1.0]
//! channel = 9            # the 802.11 channel it overlaps (1-13)
//! tx_power_dbm = 20      # optional (default 20)
//! duty = 0.5
//!
//! [[switch]]
//! source = "microwave"   # or "wifi-1": the building's first [[wifi]]
//! at = "6h"
//! on = true
//!
//! [[top_up]]
//! device = "ppmid"       # a PPMID: the householder enters it there
//! at = "7h"
//! pence = 2000
//!
//! [[price]]
//! at = "8h"              # every CHF publishes the new unit rate
//! p_per_kwh = 31.5
//!
//! [[leave]]
//! device = "gsme"        # the trust centre asks it to leave (at its next poll if sleepy)
//! at = "9h"
//! rejoin = true          # optional: come back with a rejoin (default: gone for good)
//!
//! [[fast_poll]]
//! device = "ihd"         # an IHD asks its ESME for fast poll mode
//! at = "10h"
//! minutes = 5            # how long (the ESME gives at most 15)
//! period_s = 2           # optional: the update period asked for (default 0: its fastest)
//!
//! [[backhaul_down]]      # an Alt HAN installation's backhaul fails (docs/alt-han.md)
//! at = "9h"
//! for = "10m"
//! installation = "althan-shared"   # optional: every installation of the building
//! ```

use crate::fast_poll::FastPollRequest;
use crate::host::Outage;
use han_mesh::changes::{AirChange, Source};
use han_mesh::time::Duration;
use han_radio::building::{Building, WifiAp};
use han_radio::device::DeviceKind;
use han_radio::geometry::{P2, P3};
use han_radio::units::Dbm;
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    power_cut: Vec<PowerCut>,
    #[serde(default)]
    key_update: Vec<KeyUpdate>,
    #[serde(default, rename = "move")]
    moves: Vec<Move>,
    #[serde(default)]
    wall: Vec<WallDef>,
    #[serde(default)]
    door: Vec<Door>,
    #[serde(default)]
    interferer: Vec<InterfererDef>,
    #[serde(default)]
    switch: Vec<Switch>,
    #[serde(default)]
    top_up: Vec<TopUp>,
    #[serde(default)]
    price: Vec<Price>,
    #[serde(default)]
    leave: Vec<Leave>,
    #[serde(default)]
    fast_poll: Vec<FastPoll>,
    #[serde(default)]
    backhaul_down: Vec<BackhaulDown>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BackhaulDown {
    at: S<String>,
    #[serde(rename = "for")]
    length: S<String>,
    installation: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PowerCut {
    device: S<String>,
    at: S<String>,
    duration: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyUpdate {
    at: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    device: S<String>,
    at: S<String>,
    to: S<[f64; 2]>,
    level: Option<S<i32>>,
    height_m: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WallDef {
    at: S<String>,
    level: S<i32>,
    point: S<[f64; 2]>,
    material: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Door {
    at: S<String>,
    level: S<i32>,
    point: S<[f64; 2]>,
    open: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterfererDef {
    name: S<String>,
    level: S<i32>,
    point: [f64; 2],
    height_m: Option<f64>,
    channel: S<i64>,
    tx_power_dbm: Option<f64>,
    duty: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    source: S<String>,
    at: S<String>,
    on: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopUp {
    device: S<String>,
    at: S<String>,
    pence: S<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Price {
    at: S<String>,
    p_per_kwh: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Leave {
    device: S<String>,
    at: S<String>,
    #[serde(default)]
    rejoin: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastPoll {
    device: S<String>,
    at: S<String>,
    minutes: S<i64>,
    period_s: Option<S<i64>>,
}

/// A change to the air at a time, with its entry in [`Events::log`].
#[derive(Debug, Clone, PartialEq)]
pub struct AirEvent {
    /// When.
    pub at: Duration,
    /// What.
    pub change: AirChange,
    /// Index of its line in [`Events::log`].
    pub log: usize,
}

/// What an events file asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Events {
    /// Power cuts by device id.
    pub power_cuts: Vec<(String, Outage)>,
    /// Network key updates at every CHF.
    pub key_updates: Vec<Duration>,
    /// Top-ups entered on a PPMID: (device id, when, pence).
    pub top_ups: Vec<(String, Duration, i64)>,
    /// Unit rates every CHF publishes: (from when, 1/10000 GBP per kWh).
    pub price_changes: Vec<(Duration, u32)>,
    /// Devices the trust centre asks to leave: (device id, when, rejoin afterwards).
    pub leaves: Vec<(String, Duration, bool)>,
    /// Fast poll mode asked for by an IHD: (device id, the request).
    pub fast_polls: Vec<(String, FastPollRequest)>,
    /// Alt HAN backhaul outages: (installation id, or every installation; when; how long).
    pub backhaul_outages: Vec<(Option<String>, Duration, Duration)>,
    /// Changes to the air, in time order (file order at the same time).
    pub air: Vec<AirEvent>,
    /// Noise sources of the run's own, by name ([`Source::Added`] in this order).
    pub sources: Vec<(String, WifiAp)>,
    /// Every event described for the summary: (when, what), in file order.
    pub log: Vec<(Duration, String)>,
}

/// Where a value sits in the file, for messages.
struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    /// `name:line:column: message` at byte range `span`.
    fn err(&self, span: Range<usize>, message: impl std::fmt::Display) -> String {
        let before = self.text.get(..span.start).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}: {message}", self.name)
    }

    fn duration(&self, what: &str, s: &S<String>) -> Result<Duration, String> {
        Duration::parse(s.get_ref()).ok_or_else(|| {
            self.err(
                s.span(),
                format!(
                    "{what}: {:?} is not a duration (e.g. 90, 15m, 24h)",
                    s.get_ref()
                ),
            )
        })
    }

    /// (premises, device index) of device `id`.
    fn device(&self, what: &str, b: &Building, id: &S<String>) -> Result<(usize, usize), String> {
        b.premises
            .iter()
            .enumerate()
            .find_map(|(p, pr)| {
                let i = pr.devices.iter().position(|d| d.id == *id.get_ref())?;
                Some((p, i))
            })
            .ok_or_else(|| {
                self.err(
                    id.span(),
                    format!("{what}: no device {:?} in the building", id.get_ref()),
                )
            })
    }

    /// Floor index of `level`.
    fn floor(&self, what: &str, b: &Building, level: &S<i32>) -> Result<usize, String> {
        b.floors
            .iter()
            .position(|f| f.level == *level.get_ref())
            .ok_or_else(|| {
                let levels: Vec<String> = b.floors.iter().map(|f| f.level.to_string()).collect();
                self.err(
                    level.span(),
                    format!(
                        "{what}: no level {} in the building (levels: {})",
                        level.get_ref(),
                        levels.join(", ")
                    ),
                )
            })
    }

    /// The wall of floor `floor` through `point` (nearest within 0.5 m).
    fn wall(
        &self,
        what: &str,
        b: &Building,
        floor: usize,
        point: &S<[f64; 2]>,
    ) -> Result<usize, String> {
        let [x, y] = *point.get_ref();
        b.walls
            .walls()
            .iter()
            .enumerate()
            .filter(|(_, w)| w.floor == floor)
            .map(|(i, w)| (i, segment_distance(P2 { x, y }, w.a, w.b)))
            .filter(|&(_, d)| d <= WALL_TOLERANCE_M)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
            .ok_or_else(|| {
                self.err(
                    point.span(),
                    format!(
                        "{what}: no wall within {WALL_TOLERANCE_M} m of [{x}, {y}] on that level"
                    ),
                )
            })
    }
}

/// How far from a wall a point naming it may be, metres.
const WALL_TOLERANCE_M: f64 = 0.5;

/// Distance from `p` to the segment a–b.
fn segment_distance(p: P2, a: P2, b: P2) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((a.x + t * dx - p.x).powi(2) + (a.y + t * dy - p.y).powi(2)).sqrt()
}

/// The events of a file named `name`, checked against the building; errors read
/// `name:line:column: message`.
pub fn parse(name: &str, text: &str, b: &Building) -> Result<Events, String> {
    let cx = Ctx { name, text };
    let file: File = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        cx.err(span, e.message())
    })?;
    let mut ev = Events::default();
    let mut air: Vec<AirEvent> = Vec::new();
    let log = |ev: &mut Events, at: Duration, what: String| {
        ev.log.push((at, what));
        ev.log.len() - 1
    };
    for p in &file.power_cut {
        cx.device("power_cut device", b, &p.device)?;
        let at = cx.duration("power_cut at", &p.at)?;
        let length = cx.duration("power_cut duration", &p.duration)?;
        let id = p.device.get_ref().clone();
        log(
            &mut ev,
            at,
            format!("power cut at {id} for {} s", length.as_secs_f64()),
        );
        ev.power_cuts.push((id, Outage { at, length }));
    }
    for k in &file.key_update {
        let at = cx.duration("key_update at", &k.at)?;
        log(&mut ev, at, "network key update at every CHF".to_string());
        ev.key_updates.push(at);
    }
    for m in &file.moves {
        let (p, i) = cx.device("move device", b, &m.device)?;
        let at = cx.duration("move at", &m.at)?;
        let d = &b.premises[p].devices[i];
        let floor = match &m.level {
            Some(l) => cx.floor("move level", b, l)?,
            None => d.floor,
        };
        let height = match &m.height_m {
            Some(h) if !(0.0..=100.0).contains(h.get_ref()) => {
                return Err(cx.err(h.span(), "move height_m: must be 0-100 m"));
            }
            Some(h) => *h.get_ref(),
            None => d.pos.z - b.floors[d.floor].z0,
        };
        let [x, y] = *m.to.get_ref();
        if !x.is_finite() || !y.is_finite() {
            return Err(cx.err(m.to.span(), "move to: not a position"));
        }
        let pos = P3 {
            x,
            y,
            z: b.floors[floor].z0 + height,
        };
        let what = format!(
            "{} moved to [{x}, {y}] on level {}",
            d.id, b.floors[floor].level
        );
        let k = log(&mut ev, at, what);
        air.push(AirEvent {
            at,
            change: AirChange::Move {
                device: (p, i),
                floor,
                pos,
            },
            log: k,
        });
    }
    for w in &file.wall {
        let at = cx.duration("wall at", &w.at)?;
        let floor = cx.floor("wall level", b, &w.level)?;
        let wall = cx.wall("wall point", b, floor, &w.point)?;
        let material = b.materials.id(w.material.get_ref()).ok_or_else(|| {
            cx.err(
                w.material.span(),
                format!(
                    "wall material: unknown material {:?} (known: {})",
                    w.material.get_ref(),
                    b.materials.names().join(", ")
                ),
            )
        })?;
        let [x, y] = *w.point.get_ref();
        let what = format!(
            "wall at [{x}, {y}] on level {} becomes {}",
            w.level.get_ref(),
            w.material.get_ref()
        );
        let k = log(&mut ev, at, what);
        air.push(AirEvent {
            at,
            change: AirChange::Wall {
                wall,
                material: Some(material),
            },
            log: k,
        });
    }
    for d in &file.door {
        let at = cx.duration("door at", &d.at)?;
        let floor = cx.floor("door level", b, &d.level)?;
        let wall = cx.wall("door point", b, floor, &d.point)?;
        let closed = b.walls.walls()[wall].material;
        let [x, y] = *d.point.get_ref();
        let what = format!(
            "door at [{x}, {y}] on level {} {}",
            d.level.get_ref(),
            if d.open { "opened" } else { "closed" }
        );
        let k = log(&mut ev, at, what);
        air.push(AirEvent {
            at,
            change: AirChange::Wall {
                wall,
                material: (!d.open).then_some(closed),
            },
            log: k,
        });
    }
    for s in &file.interferer {
        let name = s.name.get_ref();
        if wifi_index(name).is_some() || ev.sources.iter().any(|(n, _)| n == name) {
            return Err(cx.err(
                s.name.span(),
                format!(
                    "interferer name: {name:?} is taken (wifi-N names the building's access points)"
                ),
            ));
        }
        let floor = cx.floor("interferer level", b, &s.level)?;
        let channel = *s.channel.get_ref();
        if !(1..=13).contains(&channel) {
            return Err(cx.err(
                s.channel.span(),
                format!("interferer channel: {channel} is outside the 802.11 channels 1-13"),
            ));
        }
        let duty = *s.duty.get_ref();
        if !(duty > 0.0 && duty <= 1.0) {
            return Err(cx.err(s.duty.span(), "interferer duty: must be in (0, 1]"));
        }
        let [x, y] = s.point;
        let ap = WifiAp {
            floor,
            pos: P3 {
                x,
                y,
                z: b.floors[floor].z0 + s.height_m.unwrap_or(1.0),
            },
            channel: channel as u8,
            tx_power: Dbm(s.tx_power_dbm.unwrap_or(20.0)),
            duty,
        };
        ev.sources.push((name.clone(), ap));
    }
    for s in &file.switch {
        let at = cx.duration("switch at", &s.at)?;
        let name = s.source.get_ref();
        let source = match wifi_index(name) {
            Some(k) if k < b.wifi.len() => Source::Wifi(k),
            _ => match ev.sources.iter().position(|(n, _)| n == name) {
                Some(k) => Source::Added(k),
                None => {
                    return Err(cx.err(
                        s.source.span(),
                        format!(
                            "switch source: no interferer {name:?} (the building has wifi-1 to wifi-{}; others need an [[interferer]])",
                            b.wifi.len()
                        ),
                    ));
                }
            },
        };
        let what = format!("{name} switched {}", if s.on { "on" } else { "off" });
        let k = log(&mut ev, at, what);
        air.push(AirEvent {
            at,
            change: AirChange::Switch { source, on: s.on },
            log: k,
        });
    }
    for t in &file.top_up {
        let (p, i) = cx.device("top_up device", b, &t.device)?;
        if b.premises[p].devices[i].kind != DeviceKind::Ppmid {
            return Err(cx.err(
                t.device.span(),
                format!("top_up device: {:?} is not a PPMID", t.device.get_ref()),
            ));
        }
        let at = cx.duration("top_up at", &t.at)?;
        let pence = *t.pence.get_ref();
        if !(1..=1_000_000).contains(&pence) {
            return Err(cx.err(t.pence.span(), "top_up pence: must be 1-1000000"));
        }
        let id = t.device.get_ref().clone();
        log(&mut ev, at, format!("top-up of {pence} p entered on {id}"));
        ev.top_ups.push((id, at, pence));
    }
    for pr in &file.price {
        let at = cx.duration("price at", &pr.at)?;
        let p = *pr.p_per_kwh.get_ref();
        if !(p > 0.0 && p <= 1000.0) {
            return Err(cx.err(pr.p_per_kwh.span(), "price p_per_kwh: must be in (0, 1000]"));
        }
        // Pence per kWh to 1/10000 GBP per kWh.
        let rate = (p * 100.0).round() as u32;
        log(&mut ev, at, format!("price changes to {p:.2} p/kWh"));
        ev.price_changes.push((at, rate));
    }
    for l in &file.leave {
        let (p, i) = cx.device("leave device", b, &l.device)?;
        if b.premises[p].devices[i].kind == DeviceKind::Chf {
            return Err(cx.err(
                l.device.span(),
                format!(
                    "leave device: {:?} is the comms hub (the trust centre cannot leave its own network)",
                    l.device.get_ref()
                ),
            ));
        }
        let at = cx.duration("leave at", &l.at)?;
        let id = l.device.get_ref().clone();
        let what = if l.rejoin {
            format!("{id} told to leave and rejoin")
        } else {
            format!("{id} told to leave")
        };
        log(&mut ev, at, what);
        ev.leaves.push((id, at, l.rejoin));
    }
    for f in &file.fast_poll {
        let (p, i) = cx.device("fast_poll device", b, &f.device)?;
        if b.premises[p].devices[i].kind != DeviceKind::Ihd {
            return Err(cx.err(
                f.device.span(),
                format!("fast_poll device: {:?} is not an IHD", f.device.get_ref()),
            ));
        }
        let at = cx.duration("fast_poll at", &f.at)?;
        let minutes = u8::try_from(*f.minutes.get_ref())
            .ok()
            .filter(|m| (1..=60).contains(m))
            .ok_or_else(|| cx.err(f.minutes.span(), "fast_poll minutes: must be 1-60"))?;
        let period_s = match &f.period_s {
            None => 0,
            Some(p) => u8::try_from(*p.get_ref())
                .map_err(|_| cx.err(p.span(), "fast_poll period_s: must be 0-255"))?,
        };
        let id = f.device.get_ref().clone();
        log(
            &mut ev,
            at,
            format!("{id} asks for fast poll mode for {minutes} min"),
        );
        let request = FastPollRequest {
            at,
            period_s,
            minutes,
        };
        ev.fast_polls.push((id, request));
    }
    air.sort_by_key(|e| e.at);
    ev.air = air;
    for d in &file.backhaul_down {
        let at = cx.duration("backhaul_down at", &d.at)?;
        let length = cx.duration("backhaul_down for", &d.length)?;
        if b.alt_han.is_empty() {
            return Err(cx.err(
                d.at.span(),
                "backhaul_down: the building has no [[alt_han]] installation",
            ));
        }
        let which = match &d.installation {
            Some(id) => {
                if !b.alt_han.iter().any(|i| i.id == *id.get_ref()) {
                    let ids: Vec<&str> = b.alt_han.iter().map(|i| i.id.as_str()).collect();
                    return Err(cx.err(
                        id.span(),
                        format!(
                            "backhaul_down installation: no installation {:?} (installations: {})",
                            id.get_ref(),
                            ids.join(", ")
                        ),
                    ));
                }
                Some(id.get_ref().clone())
            }
            None => None,
        };
        log(
            &mut ev,
            at,
            format!(
                "backhaul of {} down for {} s",
                which.as_deref().unwrap_or("every Alt HAN installation"),
                length.as_secs_f64()
            ),
        );
        ev.backhaul_outages.push((which, at, length));
    }
    Ok(ev)
}

/// `wifi-N` (1-based) as an index into the building's access points.
fn wifi_index(name: &str) -> Option<usize> {
    let n: usize = name.strip_prefix("wifi-")?.parse().ok()?;
    n.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn house() -> Building {
        let src = include_str!("../../examples/buildings/terraced-house.toml");
        Building::from_toml("terraced-house.toml", src).unwrap()
    }

    #[test]
    fn backhaul_outages_name_an_installation_or_every_one() {
        let src = format!(
            "{}\n[[alt_han]]\nid = \"pair\"\nkind = \"p2p-pair\"\nbackhaul = \"powerline\"\nserves = [\"12-acacia-road\"]\nunits = [\n  {{ id = \"u1\", floor = 0, at = [4.0, 1.0] }},\n  {{ id = \"u2\", floor = 0, at = [4.0, 4.0] }},\n]\n",
            include_str!("../../examples/buildings/terraced-house.toml")
        );
        let b = Building::from_toml("t.toml", &src).unwrap();
        let ok = "[[backhaul_down]]\nat = \"20m\"\nfor = \"10m\"\ninstallation = \"pair\"\n\n[[backhaul_down]]\nat = \"1h\"\nfor = \"30\"\n";
        let got = parse("e.toml", ok, &b).unwrap();
        assert_eq!(
            got.backhaul_outages,
            [
                (
                    Some("pair".to_string()),
                    Duration::secs(1200),
                    Duration::secs(600)
                ),
                (None, Duration::secs(3600), Duration::secs(30)),
            ]
        );
        assert_eq!(got.log[0].1, "backhaul of pair down for 600 s");
        let e = parse("e.toml", &ok.replace("\"pair\"", "\"other\""), &b).unwrap_err();
        assert!(
            e.starts_with("e.toml:4:16: backhaul_down installation: no installation \"other\""),
            "{e}"
        );
        let e = parse("e.toml", &ok.replace("\"10m\"", "\"long\""), &b).unwrap_err();
        assert!(e.starts_with("e.toml:3:7: backhaul_down for"), "{e}");
        // A building without Alt HAN equipment has no backhaul to fail.
        let e = parse("e.toml", ok, &house()).unwrap_err();
        assert!(
            e.starts_with("e.toml:2:6: backhaul_down: the building has no"),
            "{e}"
        );
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
        assert!(e.starts_with("e.toml:3:10: power_cut device"), "{e}");
        let bad_time = ok.replace("\"1h\"", "\"soon\"");
        let e = parse("e.toml", &bad_time, &b).unwrap_err();
        assert!(e.starts_with("e.toml:3:6: power_cut at"), "{e}");
        let e = parse("e.toml", "[[power_cut]]\ndevice = 3\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:10: "), "{e}");
        let e = parse("e.toml", "[[power_cut]]\nwho = \"ch\"\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:2:1: "), "{e}");
        let k = parse("e.toml", "[[key_update]]\nat = \"2h\"\n", &b).unwrap();
        assert_eq!(k.key_updates, [Duration::secs(7200)]);
        let e = parse("e.toml", "\n[[key_update]]\nat = \"x\"\n", &b).unwrap_err();
        assert!(e.starts_with("e.toml:3:6: key_update at"), "{e}");
    }

    #[test]
    fn air_events_resolve_devices_walls_and_sources() {
        let b = house();
        let text = r#"
[[switch]]
source = "kettle"
at = "3h"
on = true

[[move]]
device = "ihd"
at = "2h"
to = [60.0, 1.5]

[[door]]
at = "1h"
level = 0
point = [7.5, 2.0]
open = true

[[wall]]
at = "2h"
level = 0
point = [7.4, 2.0]
material = "metal-door"

[[interferer]]
name = "kettle"
level = 0
point = [9.0, 1.0]
channel = 9
duty = 0.5

[[switch]]
source = "wifi-1"
at = "30m"
on = false
"#;
        let ev = parse("e.toml", text, &b).unwrap();
        // The kitchen wall of the ground floor: x = 7.5 from y = 0 to 5.
        let kitchen = b
            .walls
            .walls()
            .iter()
            .position(|w| w.floor == 0 && w.a.x == 7.5 && w.b.x == 7.5)
            .unwrap();
        let brick = b.materials.id("brick").unwrap();
        assert_eq!(b.walls.walls()[kitchen].material, brick);
        let door = b.materials.id("metal-door");
        let got: Vec<(u64, AirChange)> = ev
            .air
            .iter()
            .map(|e| (e.at.0 / 1_000_000_000, e.change.clone()))
            .collect();
        let ihd = b.premises[0]
            .devices
            .iter()
            .position(|d| d.id == "ihd")
            .unwrap();
        assert_eq!(
            got,
            [
                (
                    1800,
                    AirChange::Switch {
                        source: Source::Wifi(0),
                        on: false
                    }
                ),
                (
                    3600,
                    AirChange::Wall {
                        wall: kitchen,
                        material: None
                    }
                ),
                (
                    7200,
                    AirChange::Move {
                        device: (0, ihd),
                        floor: 0,
                        pos: P3 {
                            x: 60.0,
                            y: 1.5,
                            z: 1.0
                        }
                    }
                ),
                (
                    7200,
                    AirChange::Wall {
                        wall: kitchen,
                        material: door
                    }
                ),
                (
                    10800,
                    AirChange::Switch {
                        source: Source::Added(0),
                        on: true
                    }
                ),
            ]
        );
        assert_eq!(ev.sources.len(), 1);
        assert_eq!(ev.sources[0].1.channel, 9);
        assert_eq!(ev.log[ev.air[2].log].1, "ihd moved to [60, 1.5] on level 0");
    }

    #[test]
    fn bad_air_events_point_at_the_value() {
        let b = house();
        let cases = [
            (
                "[[wall]]\nat = \"1h\"\nlevel = 0\npoint = [2.0, 2.5]\nmaterial = \"brick\"\n",
                "e.toml:4:9: wall point: no wall within 0.5 m",
            ),
            (
                "[[wall]]\nat = \"1h\"\nlevel = 3\npoint = [7.5, 2.0]\nmaterial = \"brick\"\n",
                "e.toml:3:9: wall level: no level 3 in the building (levels: 0, 1)",
            ),
            (
                "[[wall]]\nat = \"1h\"\nlevel = 0\npoint = [7.5, 2.0]\nmaterial = \"cheese\"\n",
                "e.toml:5:12: wall material: unknown material \"cheese\"",
            ),
            (
                "[[switch]]\nsource = \"wifi-2\"\nat = \"1h\"\non = true\n",
                "e.toml:2:10: switch source: no interferer \"wifi-2\"",
            ),
            (
                "[[top_up]]\ndevice = \"esme\"\nat = \"1h\"\npence = 100\n",
                "e.toml:2:10: top_up device: \"esme\" is not a PPMID",
            ),
            (
                "[[price]]\nat = \"1h\"\np_per_kwh = -3.0\n",
                "e.toml:3:13: price p_per_kwh",
            ),
            (
                "[[fast_poll]]\ndevice = \"esme\"\nat = \"1h\"\nminutes = 5\n",
                "e.toml:2:10: fast_poll device: \"esme\" is not an IHD",
            ),
            (
                "[[fast_poll]]\ndevice = \"ihd\"\nat = \"1h\"\nminutes = 0\n",
                "e.toml:4:11: fast_poll minutes: must be 1-60",
            ),
            (
                "[[fast_poll]]\ndevice = \"ihd\"\nat = \"1h\"\nminutes = 5\nperiod_s = 300\n",
                "e.toml:5:12: fast_poll period_s",
            ),
            (
                "[[leave]]\ndevice = \"ch\"\nat = \"1h\"\n",
                "e.toml:2:10: leave device: \"ch\" is the comms hub",
            ),
            (
                "[[leave]]\ndevice = \"meter\"\nat = \"1h\"\n",
                "e.toml:2:10: leave device: no device \"meter\"",
            ),
            (
                "[[leave]]\ndevice = \"gsme\"\nat = \"soon\"\n",
                "e.toml:3:6: leave at",
            ),
            (
                "[[leave]]\ndevice = \"gsme\"\nat = \"1h\"\nrejoin = \"yes\"\n",
                "e.toml:4:10: ",
            ),
            (
                "[[move]]\ndevice = \"ihd\"\nat = \"1h\"\nto = [1.0]\n",
                "e.toml:4:6: ",
            ),
            (
                "[[interferer]]\nname = \"wifi-1\"\nlevel = 0\npoint = [1.0, 1.0]\nchannel = 3\nduty = 0.5\n",
                "e.toml:2:8: interferer name",
            ),
            (
                "[[interferer]]\nname = \"oven\"\nlevel = 0\npoint = [1.0, 1.0]\nchannel = 14\nduty = 0.5\n",
                "e.toml:5:11: interferer channel",
            ),
        ];
        for (text, want) in cases {
            let e = parse("e.toml", text, &b).unwrap_err();
            assert!(e.starts_with(want), "{e}\nwanted {want}");
        }
    }

    #[test]
    fn top_ups_and_prices() {
        let b = house();
        // The terraced house has no PPMID: a top-up there is refused above; prices parse.
        let ev = parse("e.toml", "[[price]]\nat = \"6h\"\np_per_kwh = 31.5\n", &b).unwrap();
        assert_eq!(ev.price_changes, [(Duration::secs(6 * 3600), 3150)]);
        assert_eq!(
            ev.log,
            [(
                Duration::secs(6 * 3600),
                "price changes to 31.50 p/kWh".to_string()
            )]
        );
    }

    #[test]
    fn leaves() {
        let b = house();
        let text = "[[leave]]\ndevice = \"gsme\"\nat = \"2h\"\nrejoin = true\n\n[[leave]]\ndevice = \"esme\"\nat = \"3h\"\n";
        let ev = parse("e.toml", text, &b).unwrap();
        assert_eq!(
            ev.leaves,
            [
                ("gsme".to_string(), Duration::secs(7200), true),
                ("esme".to_string(), Duration::secs(10800), false)
            ]
        );
        assert_eq!(ev.log[0].1, "gsme told to leave and rejoin");
        assert_eq!(ev.log[1].1, "esme told to leave");
    }
}
