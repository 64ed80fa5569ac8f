//! Building files (TOML): raw serde types, validation with file:line:column errors, and the resolved model.
use crate::althan::{
    Costs, Installation, InstallationDef, InstallationKind, PlannerSettings, Zone, ZoneDef,
};
use crate::device::{DeviceKind, RadioParams};
use crate::geometry::{P2, P3, Wall, WallIndex};
use crate::material::{Material, MaterialId, MaterialTable};
use crate::propagation::{Environment, ModelKind, Propagation, Shadowing, make_model};
use crate::units::{Band, Db, Dbm, Metres};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Default antenna height above the floor, metres.
pub const DEFAULT_HEIGHT_M: f64 = 1.5;
/// Spatial-index cell size, metres (about a room; see the benchmark for the trade-off).
pub const INDEX_CELL_M: f64 = 2.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    building: BuildingSection,
    #[serde(default)]
    radio: RadioSection,
    #[serde(default)]
    material: Vec<MaterialDef>,
    floor: Vec<Spanned<FloorDef>>,
    #[serde(default)]
    wall: Vec<Spanned<WallDef>>,
    #[serde(default)]
    wifi: Vec<Spanned<WifiDef>>,
    #[serde(default)]
    premises: Vec<PremisesDef>,
    costs: Option<Spanned<Costs>>,
    planner: Option<Spanned<PlannerSettings>>,
    #[serde(default)]
    zone: Vec<Spanned<ZoneDef>>,
    #[serde(default)]
    alt_han: Vec<Spanned<InstallationDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildingSection {
    name: String,
    #[serde(default)]
    model: ModelKind,
    #[serde(default)]
    environment: Environment,
    path_loss_exponent: Option<f64>,
    shadowing: Option<ShadowingDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShadowingDef {
    sigma_db: f64,
    #[serde(default)]
    seed: u64,
    correlation_m: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadioSection {
    channel_2g4: Option<Spanned<i64>>,
    channel_868: Option<Spanned<i64>>,
    noise_figure_db: Option<f64>,
    fade_margin_db: Option<f64>,
    packet_octets: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandValues {
    #[serde(rename = "2.4GHz")]
    g24: Option<f64>,
    #[serde(rename = "868MHz")]
    m868: Option<f64>,
}

impl BandValues {
    fn get(&self, band: Band) -> Option<f64> {
        match band {
            Band::Ghz2_4 => self.g24,
            Band::Mhz868 => self.m868,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaterialDef {
    name: String,
    loss_db: Spanned<BandValues>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorDef {
    level: i32,
    height_m: Spanned<f64>,
    slab: Option<Spanned<String>>,
    extent: Option<[[f64; 2]; 2]>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WallDef {
    floor: Option<Spanned<i32>>,
    floors: Option<Spanned<[i32; 2]>>,
    from: [f64; 2],
    to: [f64; 2],
    material: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WifiDef {
    floor: Spanned<i32>,
    at: Spanned<[f64; 2]>,
    height_m: Option<Spanned<f64>>,
    channel: Spanned<i64>,
    #[serde(default = "default_wifi_power")]
    tx_power_dbm: f64,
    duty: Spanned<f64>,
}

fn default_wifi_power() -> f64 {
    20.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PremisesDef {
    id: Spanned<String>,
    devices: Vec<DeviceDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceDef {
    id: Spanned<String>,
    kind: DeviceKind,
    floor: Spanned<i32>,
    at: Spanned<[f64; 2]>,
    height_m: Option<Spanned<f64>>,
    enclosure: Option<Spanned<String>>,
    bands: Option<Vec<Band>>,
    tx_power_dbm: Option<BandValues>,
    sensitivity_dbm: Option<BandValues>,
    antenna_gain_dbi: Option<f64>,
}

/// A bad building file: where and what, plus how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}\n  hint: {hint}")]
pub struct BuildingError {
    /// File name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// One storey.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// Level number (0 = ground, negative = basement).
    pub level: i32,
    /// Height of the floor's base above the ground-floor slab.
    pub z0: f64,
    /// Storey height.
    pub height: f64,
    /// Slab crossed going up from this level.
    pub slab: MaterialId,
    /// Optional plan extent [min, max].
    pub extent: Option<[P2; 2]>,
}

/// A Wi-Fi access point interfering at 2.4 GHz.
#[derive(Debug, Clone, PartialEq)]
pub struct WifiAp {
    /// Floor index.
    pub floor: usize,
    /// Antenna position.
    pub pos: P3,
    /// 802.11 channel 1-13.
    pub channel: u8,
    /// E.i.r.p.
    pub tx_power: Dbm,
    /// Fraction of time on air, 0-1.
    pub duty: f64,
}

/// A HAN device placed in the building.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Id unique in the building.
    pub id: String,
    /// Kind.
    pub kind: DeviceKind,
    /// Floor index.
    pub floor: usize,
    /// Antenna position.
    pub pos: P3,
    /// Enclosure (meter box, cupboard) crossed by every link of this device.
    pub enclosure: Option<MaterialId>,
    /// Radio parameters per band; `None` where the device lacks that band.
    pub radio: [Option<RadioParams>; 2],
}

impl Device {
    /// Parameters in `band`, if supported.
    pub fn radio(&self, band: Band) -> Option<&RadioParams> {
        self.radio[band.index()].as_ref()
    }
}

/// One premises (home) and its HAN devices.
#[derive(Debug, Clone, PartialEq)]
pub struct Premises {
    /// Id.
    pub id: String,
    /// Devices, in file order.
    pub devices: Vec<Device>,
}

/// A validated building ready for propagation.
pub struct Building {
    /// Name.
    pub name: String,
    /// Propagation model.
    pub model: Box<dyn Propagation>,
    /// Optional shadowing.
    pub shadowing: Option<Shadowing>,
    /// 802.15.4 channel 11-26 of the comms hubs (15 when the file names none).
    pub channel_2g4: u8,
    /// The file names the channel; otherwise each comms hub picks one by an energy scan.
    pub channel_2g4_fixed: bool,
    /// GB868 channel (page 28, 0-26) the dual-band comms hubs also form on; None: hubs
    /// use 2.4 GHz only.
    pub channel_868: Option<u8>,
    /// Receiver noise figure.
    pub noise_figure: Db,
    /// Fade margin a link needs beyond sensitivity.
    pub fade_margin: Db,
    /// Packet length for PER, octets (PSDU).
    pub packet_octets: u32,
    /// Materials.
    pub materials: MaterialTable,
    /// Floors sorted by level (contiguous).
    pub floors: Vec<Floor>,
    /// Walls with spatial index.
    pub walls: WallIndex,
    /// Wi-Fi interferers.
    pub wifi: Vec<WifiAp>,
    /// Premises in file order.
    pub premises: Vec<Premises>,
    /// Alt HAN costs (`[costs]`, defaults where absent).
    pub costs: Costs,
    /// Alt HAN planner settings (`[planner]`).
    pub planner: PlannerSettings,
    /// Equipment zones (`[[zone]]`): positions offered and places forbidden.
    pub zones: Vec<Zone>,
    /// Installed Alt HAN equipment (`[[alt_han]]`), in file order.
    pub alt_han: Vec<Installation>,
}

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> BuildingError {
        BuildingError::at(self.file, self.src, span.start, message, hint)
    }
}

impl BuildingError {
    /// An error at byte `offset` of `src` (clamped), with the 1-based line and column computed.
    pub fn at(
        file: &str,
        src: &str,
        offset: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> BuildingError {
        let mut start = offset.min(src.len());
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let before = &src[..start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        BuildingError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Radio parameters per band of a device: the kind's defaults, restricted to `bands` and with
/// the file's overrides applied.
fn radio_params(
    kind: DeviceKind,
    bands: Option<&[Band]>,
    tx: Option<&BandValues>,
    sens: Option<&BandValues>,
    gain: Option<f64>,
) -> [Option<RadioParams>; 2] {
    let mut radio = [None, None];
    for &b in bands.unwrap_or(kind.default_bands()) {
        let def = kind.default_radio(b);
        radio[b.index()] = Some(RadioParams {
            tx_power: tx.and_then(|v| v.get(b)).map_or(def.tx_power, Dbm),
            sensitivity: sens.and_then(|v| v.get(b)).map_or(def.sensitivity, Dbm),
            antenna_gain: gain.map_or(def.antenna_gain, Db),
        });
    }
    radio
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

fn did_you_mean(name: &str, names: &[&str]) -> String {
    let best = names.iter().min_by_key(|n| levenshtein(name, n));
    match best {
        Some(b) if levenshtein(name, b) <= 4 => format!("did you mean \"{b}\"? "),
        _ => String::new(),
    }
}

impl Building {
    /// Parses and validates a building file; `file` names it in error messages.
    pub fn from_toml(file: &str, src: &str) -> Result<Building, BuildingError> {
        let ctx = Ctx { file, src };
        let doc: FileDoc = toml::from_str(src).map_err(|e| {
            let msg = e.message().trim().to_string();
            let hint = if msg.contains("unknown field") {
                "remove or rename the key; every key is listed in docs/building-format.md"
            } else if msg.contains("missing field") {
                "add the missing key; see docs/building-format.md for required keys"
            } else if msg.contains("unknown variant") {
                "use one of the listed values"
            } else {
                "fix the TOML syntax or the value's type (see docs/building-format.md)"
            };
            ctx.err(e.span().unwrap_or(0..0), msg, hint)
        })?;
        Self::resolve(&ctx, doc)
    }

    fn resolve(ctx: &Ctx, doc: FileDoc) -> Result<Building, BuildingError> {
        let mut materials = MaterialTable::default();
        for m in &doc.material {
            let lv = m.loss_db.get_ref();
            let span = m.loss_db.span();
            let (Some(a), Some(b)) = (lv.g24, lv.m868) else {
                return Err(ctx.err(
                    span,
                    format!("material \"{}\" needs a loss for both bands", m.name),
                    "write loss_db = { \"2.4GHz\" = 7.0, \"868MHz\" = 4.0 }",
                ));
            };
            if a < 0.0 || b < 0.0 {
                return Err(ctx.err(
                    span,
                    "negative material loss",
                    "losses are dB of attenuation, >= 0",
                ));
            }
            materials.upsert(Material {
                name: m.name.clone(),
                loss: [Db(a), Db(b)],
            });
        }
        let material = |s: &Spanned<String>| -> Result<MaterialId, BuildingError> {
            materials.id(s.get_ref()).ok_or_else(|| {
                let names = materials.names();
                ctx.err(
                    s.span(),
                    format!("unknown material \"{}\"", s.get_ref()),
                    format!(
                        "{}use a built-in material ({}) or define it in a [[material]] table",
                        did_you_mean(s.get_ref(), &names),
                        names.join(", ")
                    ),
                )
            })
        };

        let channel = match &doc.radio.channel_2g4 {
            None => 15,
            Some(c) => {
                let v = *c.get_ref();
                if !(11..=26).contains(&v) {
                    return Err(ctx.err(
                        c.span(),
                        format!("802.15.4 channel {v} is outside 11-26"),
                        "2.4 GHz O-QPSK channels are 11-26; GB hubs commonly use 15, 20 or 25",
                    ));
                }
                v as u8
            }
        };

        let channel_868 = match &doc.radio.channel_868 {
            None => None,
            Some(c) => {
                let v = *c.get_ref();
                if !(0..=26).contains(&v) {
                    return Err(ctx.err(
                        c.span(),
                        format!("GB868 channel {v} is outside 0-26"),
                        "dual-band hubs form on channel page 28, logical channels 0-26",
                    ));
                }
                Some(v as u8)
            }
        };

        // Floors: sorted by level, contiguous, heights positive; z0 = 0 at level 0.
        let mut floor_defs: Vec<&Spanned<FloorDef>> = doc.floor.iter().collect();
        if floor_defs.is_empty() {
            return Err(ctx.err(
                0..0,
                "no [[floor]] tables",
                "add at least one [[floor]] with level and height_m",
            ));
        }
        floor_defs.sort_by_key(|f| f.get_ref().level);
        for pair in floor_defs.windows(2) {
            let (a, b) = (pair[0].get_ref().level, pair[1].get_ref().level);
            if a == b {
                return Err(ctx.err(
                    pair[1].span(),
                    format!("duplicate floor level {b}"),
                    "each [[floor]] needs its own level",
                ));
            }
            if b != a + 1 {
                return Err(ctx.err(
                    pair[1].span(),
                    format!("floor levels jump from {a} to {b}"),
                    "list every storey; levels must be contiguous",
                ));
            }
        }
        let mut floors = Vec::new();
        for f in &floor_defs {
            let fd = f.get_ref();
            let h = *fd.height_m.get_ref();
            if !(h > 0.0 && h.is_finite()) {
                return Err(ctx.err(
                    fd.height_m.span(),
                    format!("floor height {h} m is not positive"),
                    "height_m is the storey height in metres, e.g. 2.7",
                ));
            }
            let slab = match &fd.slab {
                Some(s) => material(s)?,
                None => materials.id("reinforced-concrete").unwrap_or(0),
            };
            let extent = fd.extent.map(|[a, b]| {
                [
                    P2 {
                        x: a[0].min(b[0]),
                        y: a[1].min(b[1]),
                    },
                    P2 {
                        x: a[0].max(b[0]),
                        y: a[1].max(b[1]),
                    },
                ]
            });
            floors.push(Floor {
                level: fd.level,
                z0: 0.0,
                height: h,
                slab,
                extent,
            });
        }
        let ground = floors.iter().position(|f| f.level == 0).unwrap_or(0);
        let mut z = 0.0;
        for f in floors.iter_mut().skip(ground) {
            f.z0 = z;
            z += f.height;
        }
        let mut z = 0.0;
        for f in floors[..ground].iter_mut().rev() {
            z -= f.height;
            f.z0 = z;
        }
        let first_level = floors[0].level;
        let last_level = floors[floors.len() - 1].level;
        let floor_index = |l: &Spanned<i32>| -> Result<usize, BuildingError> {
            let v = *l.get_ref();
            if (first_level..=last_level).contains(&v) {
                Ok((v - first_level) as usize)
            } else {
                Err(ctx.err(
                    l.span(),
                    format!("floor {v} is not a [[floor]] of this building"),
                    format!("use a level between {first_level} and {last_level}, or add a [[floor]] with level = {v}"),
                ))
            }
        };

        let floor_range = |floor: &Option<Spanned<i32>>,
                           range: &Option<Spanned<[i32; 2]>>,
                           span: Range<usize>,
                           what: &str|
         -> Result<(usize, usize), BuildingError> {
            match (floor, range) {
                (Some(f), None) => {
                    let i = floor_index(f)?;
                    Ok((i, i))
                }
                (None, Some(r)) => {
                    let [a, b] = *r.get_ref();
                    let sa = Spanned::new(r.span(), a);
                    let sb = Spanned::new(r.span(), b);
                    let (ia, ib) = (floor_index(&sa)?, floor_index(&sb)?);
                    Ok((ia.min(ib), ia.max(ib)))
                }
                _ => Err(ctx.err(
                    span,
                    format!("a {what} needs exactly one of floor or floors"),
                    format!("write floor = 0, or floors = [0, 5] for a {what} repeated on every level in the range"),
                )),
            }
        };
        let mut walls = Vec::new();
        for w in &doc.wall {
            let wd = w.get_ref();
            let (lo, hi) = floor_range(&wd.floor, &wd.floors, w.span(), "wall")?;
            let m = material(&wd.material)?;
            for f in lo..=hi {
                walls.push(Wall {
                    floor: f,
                    a: P2 {
                        x: wd.from[0],
                        y: wd.from[1],
                    },
                    b: P2 {
                        x: wd.to[0],
                        y: wd.to[1],
                    },
                    material: m,
                });
            }
        }

        let height = |h: &Option<Spanned<f64>>, f: usize| -> Result<f64, BuildingError> {
            let v = h.as_ref().map_or(DEFAULT_HEIGHT_M, |s| *s.get_ref());
            if let Some(s) = h {
                if v.is_nan() || v < 0.0 {
                    return Err(ctx.err(
                        s.span(),
                        format!("negative height {v} m"),
                        "height_m is metres above this floor, >= 0",
                    ));
                }
                if v > floors[f].height {
                    return Err(ctx.err(
                        s.span(),
                        format!("height {v} m is above the {} m storey", floors[f].height),
                        "put the device on the floor above, or lower height_m",
                    ));
                }
            }
            Ok(floors[f].z0 + v)
        };
        let inside = |at: &Spanned<[f64; 2]>, f: usize, what: &str| -> Result<P2, BuildingError> {
            let [x, y] = *at.get_ref();
            let p = P2 { x, y };
            if let Some([lo, hi]) = floors[f].extent
                && (p.x < lo.x || p.x > hi.x || p.y < lo.y || p.y > hi.y)
            {
                return Err(ctx.err(
                    at.span(),
                    format!(
                        "{what} at [{x}, {y}] is outside floor {} (extent [{}, {}]..[{}, {}])",
                        floors[f].level, lo.x, lo.y, hi.x, hi.y
                    ),
                    "move it inside the floor's extent, put it on another floor, or widen extent",
                ));
            }
            Ok(p)
        };

        let mut wifi = Vec::new();
        for w in &doc.wifi {
            let wd = w.get_ref();
            let f = floor_index(&wd.floor)?;
            let ch = *wd.channel.get_ref();
            if !(1..=13).contains(&ch) {
                return Err(ctx.err(
                    wd.channel.span(),
                    format!("Wi-Fi channel {ch} is outside 1-13"),
                    "GB 2.4 GHz Wi-Fi channels are 1-13",
                ));
            }
            let duty = *wd.duty.get_ref();
            if !(0.0..=1.0).contains(&duty) {
                return Err(ctx.err(
                    wd.duty.span(),
                    format!("duty {duty} is outside 0-1"),
                    "duty is the fraction of time the AP transmits, e.g. 0.3",
                ));
            }
            let p = inside(&wd.at, f, "Wi-Fi AP")?;
            wifi.push(WifiAp {
                floor: f,
                pos: P3 {
                    x: p.x,
                    y: p.y,
                    z: height(&wd.height_m, f)?,
                },
                channel: ch as u8,
                tx_power: Dbm(wd.tx_power_dbm),
                duty,
            });
        }

        let mut premises = Vec::new();
        let mut ids: Vec<(String, Range<usize>)> = Vec::new();
        let mut check_id = |s: &Spanned<String>, what: &str| -> Result<(), BuildingError> {
            if let Some((_, first)) = ids.iter().find(|(i, _)| i == s.get_ref()) {
                let first = ctx.err(first.clone(), "", "");
                return Err(ctx.err(
                    s.span(),
                    format!(
                        "duplicate {what} id \"{}\" (first used at line {}:{})",
                        s.get_ref(),
                        first.line,
                        first.column
                    ),
                    "ids must be unique in the building; rename one",
                ));
            }
            ids.push((s.get_ref().clone(), s.span()));
            Ok(())
        };
        for p in &doc.premises {
            check_id(&p.id, "premises")?;
            let mut devices = Vec::new();
            for d in &p.devices {
                check_id(&d.id, "device")?;
                let f = floor_index(&d.floor)?;
                let xy = inside(&d.at, f, "device")?;
                let z = height(&d.height_m, f)?;
                let enclosure = d.enclosure.as_ref().map(&material).transpose()?;
                let radio = radio_params(
                    d.kind,
                    d.bands.as_deref(),
                    d.tx_power_dbm.as_ref(),
                    d.sensitivity_dbm.as_ref(),
                    d.antenna_gain_dbi,
                );
                devices.push(Device {
                    id: d.id.get_ref().clone(),
                    kind: d.kind,
                    floor: f,
                    pos: P3 {
                        x: xy.x,
                        y: xy.y,
                        z,
                    },
                    enclosure,
                    radio,
                });
            }
            premises.push(Premises {
                id: p.id.get_ref().clone(),
                devices,
            });
        }

        let costs = match &doc.costs {
            None => Costs::default(),
            Some(c) => {
                let v = *c.get_ref();
                if let Some((k, x)) = v
                    .entries()
                    .into_iter()
                    .find(|(_, x)| !(*x >= 0.0 && x.is_finite()))
                {
                    return Err(ctx.err(
                        c.span(),
                        format!("cost {k} = {x} is not a non-negative number"),
                        "costs are amounts in one currency unit, >= 0 (defaults in docs/building-format.md)",
                    ));
                }
                v
            }
        };
        let planner = match &doc.planner {
            None => PlannerSettings::default(),
            Some(p) => {
                let v = *p.get_ref();
                if !((0.25..=20.0).contains(&v.grid_m)
                    && v.unit_height_m >= 0.0
                    && v.unit_height_m.is_finite())
                {
                    return Err(ctx.err(
                        p.span(),
                        format!(
                            "planner grid_m = {} or unit_height_m = {} is out of range",
                            v.grid_m, v.unit_height_m
                        ),
                        "grid_m is the candidate spacing in metres, 0.25-20; unit_height_m >= 0",
                    ));
                }
                v
            }
        };
        let mut zones = Vec::new();
        for z in &doc.zone {
            let zd = z.get_ref();
            let (floor_lo, floor_hi) = floor_range(&zd.floor, &zd.floors, z.span(), "zone")?;
            let (a, b) = (zd.from, zd.to);
            zones.push(Zone {
                kind: zd.kind,
                floor_lo,
                floor_hi,
                lo: P2 {
                    x: a[0].min(b[0]),
                    y: a[1].min(b[1]),
                },
                hi: P2 {
                    x: a[0].max(b[0]),
                    y: a[1].max(b[1]),
                },
            });
        }
        let mut alt_han = Vec::new();
        for inst in &doc.alt_han {
            let d = inst.get_ref();
            check_id(&d.id, "alt_han")?;
            let (unit_kind, units_ok, serves_ok, want) = match d.kind {
                InstallationKind::P2pPair => (
                    DeviceKind::P2pRepeater,
                    d.units.get_ref().len() == 2,
                    d.serves.get_ref().len() == 1,
                    "a p2p-pair has exactly 2 units and serves exactly 1 premises",
                ),
                InstallationKind::Shared => (
                    DeviceKind::AltHanNode,
                    !d.units.get_ref().is_empty(),
                    !d.serves.get_ref().is_empty(),
                    "a shared installation has at least 1 unit and serves at least 1 premises",
                ),
            };
            if !units_ok || !serves_ok {
                let span = if units_ok {
                    d.serves.span()
                } else {
                    d.units.span()
                };
                return Err(ctx.err(
                    span,
                    format!(
                        "alt_han \"{}\": wrong number of units or premises",
                        d.id.get_ref()
                    ),
                    want,
                ));
            }
            let mut serves = Vec::new();
            for s in d.serves.get_ref() {
                if !premises.iter().any(|p: &Premises| &p.id == s.get_ref()) {
                    let names: Vec<&str> = premises.iter().map(|p| p.id.as_str()).collect();
                    return Err(ctx.err(
                        s.span(),
                        format!(
                            "alt_han \"{}\" serves unknown premises \"{}\"",
                            d.id.get_ref(),
                            s.get_ref()
                        ),
                        format!(
                            "{}list ids of [[premises]] in this file",
                            did_you_mean(s.get_ref(), &names)
                        ),
                    ));
                }
                serves.push(s.get_ref().clone());
            }
            let mut units = Vec::new();
            for u in d.units.get_ref() {
                check_id(&u.id, "unit")?;
                let f = floor_index(&u.floor)?;
                let xy = inside(&u.at, f, "unit")?;
                let z = height(&u.height_m, f)?;
                let enclosure = u.enclosure.as_ref().map(&material).transpose()?;
                units.push(Device {
                    id: u.id.get_ref().clone(),
                    kind: unit_kind,
                    floor: f,
                    pos: P3 {
                        x: xy.x,
                        y: xy.y,
                        z,
                    },
                    enclosure,
                    radio: radio_params(unit_kind, None, None, None, None),
                });
            }
            alt_han.push(Installation {
                id: d.id.get_ref().clone(),
                kind: d.kind,
                backhaul: d.backhaul,
                serves,
                units,
            });
        }

        let b = doc.building;
        let floor_count = floors.len();
        Ok(Building {
            name: b.name,
            model: make_model(b.model, b.path_loss_exponent.unwrap_or(3.0), b.environment),
            shadowing: b.shadowing.map(|s| Shadowing {
                sigma: Db(s.sigma_db),
                seed: s.seed,
                correlation: Metres(s.correlation_m.unwrap_or(5.0)),
            }),
            channel_2g4: channel,
            channel_2g4_fixed: doc.radio.channel_2g4.is_some(),
            channel_868,
            noise_figure: Db(doc.radio.noise_figure_db.unwrap_or(6.0)),
            fade_margin: Db(doc.radio.fade_margin_db.unwrap_or(10.0)),
            packet_octets: doc.radio.packet_octets.unwrap_or(50),
            materials,
            floors,
            walls: WallIndex::new(walls, floor_count, INDEX_CELL_M),
            wifi,
            premises,
            costs,
            planner,
            zones,
            alt_han,
        })
    }

    /// An Alt HAN unit of `kind` with default radio parameters, `height_m` above floor index
    /// `floor` at plan position (x, y): exactly what a `[[alt_han]]` unit in a file becomes.
    pub fn unit(
        &self,
        id: &str,
        kind: DeviceKind,
        floor: usize,
        x: f64,
        y: f64,
        height_m: f64,
    ) -> Device {
        Device {
            id: id.to_string(),
            kind,
            floor,
            pos: P3 {
                x,
                y,
                z: self.floors[floor].z0 + height_m,
            },
            enclosure: None,
            radio: radio_params(kind, None, None, None, None),
        }
    }

    /// Floor index containing height z (clamped to the building).
    pub fn floor_at(&self, z: f64) -> usize {
        self.floors.iter().rposition(|f| z >= f.z0).unwrap_or(0)
    }
}

impl fmt::Debug for Building {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Building")
            .field("name", &self.name)
            .field("model", &self.model.name())
            .field("floors", &self.floors.len())
            .field("walls", &self.walls.walls().len())
            .field("premises", &self.premises.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[building]
name = "Flat block A"
model = "multiwall"
[radio]
channel_2g4 = 15
[[material]]
name = "test-wall"
loss_db = { "2.4GHz" = 7.0, "868MHz" = 4.0 }
[[floor]]
level = 0
height_m = 3.0
slab = "reinforced-concrete"
[[floor]]
level = 1
height_m = 3.0
[[wall]]
floor = 0
from = [5.0, -10.0]
to = [5.0, 10.0]
material = "brick"
[[wifi]]
floor = 0
at = [2.0, 3.0]
channel = 6
tx_power_dbm = 20
duty = 0.3
[[premises]]
id = "flat-1"
devices = [
  { id = "ch",  kind = "chf",  floor = 0, at = [0.0, 0.0], height_m = 1.5, enclosure = "metal-meter-box" },
  { id = "ihd", kind = "ihd",  floor = 1, at = [10.0, 0.0] },
]
"#;

    #[test]
    fn parses_issue_example() {
        let b = Building::from_toml("a.toml", OK).unwrap();
        assert_eq!(b.channel_2g4, 15);
        assert_eq!(b.floors.len(), 2);
        assert_eq!(b.premises[0].devices[1].pos.z, 4.5);
        assert!(b.premises[0].devices[0].enclosure.is_some());
        assert_eq!(
            b.materials
                .get(b.materials.id("test-wall").unwrap())
                .loss(Band::Mhz868),
            Db(4.0)
        );
    }

    fn err(src: &str) -> BuildingError {
        Building::from_toml("b.toml", src).unwrap_err()
    }

    #[test]
    fn unknown_key_has_position() {
        let e = err(&OK.replace("channel_2g4 = 15", "channel_2g4 = 15\ncolour = 1"));
        assert_eq!((e.line, e.column), (7, 1), "{e}");
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn unknown_material_suggests() {
        let e = err(&OK.replace("material = \"brick\"", "material = \"brik\""));
        assert_eq!(e.line, 21);
        assert_eq!(e.column, 12);
        assert!(e.hint.contains("did you mean \"brick\""), "{e}");
    }

    #[test]
    fn device_outside_every_floor() {
        let e = err(&OK.replace("kind = \"ihd\",  floor = 1", "kind = \"ihd\",  floor = 7"));
        assert!(e.message.contains("floor 7"), "{e}");
        assert_eq!(e.line, 32);
    }

    #[test]
    fn device_outside_extent() {
        let src = OK.replace(
            "slab = \"reinforced-concrete\"",
            "slab = \"reinforced-concrete\"\nextent = [[-1.0, -1.0], [3.0, 3.0]]",
        );
        let e = err(&src.replace("at = [2.0, 3.0]", "at = [2.0, 9.0]"));
        assert!(e.message.contains("outside floor 0"), "{e}");
    }

    #[test]
    fn duplicate_ids() {
        let e = err(&OK.replace("id = \"ihd\"", "id = \"ch\""));
        assert!(e.message.contains("duplicate device id"), "{e}");
        assert_eq!((e.line, e.column), (32, 10));
    }

    #[test]
    fn negative_heights() {
        let e = err(&OK.replace("height_m = 1.5", "height_m = -1.5"));
        assert!(e.message.contains("negative height"), "{e}");
        let e = err(&OK.replace("height_m = 3.0\nslab", "height_m = -3.0\nslab"));
        assert!(e.message.contains("not positive"), "{e}");
    }

    #[test]
    fn channel_out_of_range() {
        let e = err(&OK.replace("channel_2g4 = 15", "channel_2g4 = 15\nchannel_868 = 27"));
        assert!(
            e.message.contains("GB868 channel 27 is outside 0-26"),
            "{e}"
        );
        let b = Building::from_toml("t", &OK.replace("channel_2g4 = 15", "channel_868 = 3"));
        assert_eq!(b.map(|b| b.channel_868).ok(), Some(Some(3)));
        let e = err(&OK.replace("channel_2g4 = 15", "channel_2g4 = 27"));
        assert_eq!((e.line, e.column), (6, 15));
        assert!(
            e.to_string()
                .starts_with("b.toml:6:15: 802.15.4 channel 27"),
            "{e}"
        );
    }
}
