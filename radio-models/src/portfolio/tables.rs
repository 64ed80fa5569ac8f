//! The generator's data tables (TOML): archetypes, eras, extra materials, and the archetype mix.
use crate::building::BuildingError;
use crate::material::{Material, MaterialTable};
use crate::units::Db;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The default archetype table (docs/portfolio.md).
pub const DEFAULT_ARCHETYPES: (&str, &str) = (
    "data/portfolio/archetypes.toml",
    include_str!("../../../data/portfolio/archetypes.toml"),
);
/// The default mix: English Housing Survey dwelling-type shares.
pub const DEFAULT_MIX: (&str, &str) = (
    "data/portfolio/mix.toml",
    include_str!("../../../data/portfolio/mix.toml"),
);

/// Building form of an archetype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// One dwelling: terraced, semi-detached, detached, bungalow.
    House,
    /// A block of flats on one or two sides of a corridor.
    Flats,
}

/// Where the electricity meter and its comms hub are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MeterLocation {
    /// Under the stairs or in the hall (houses); in the flat's hall (flats).
    InternalCupboard,
    /// GRP box on the front wall, outside.
    ExternalBox,
    /// Attached or detached garage.
    Garage,
    /// A steel meter box in an outbuilding or on a post, away from the house.
    Outbuilding,
    /// Every meter of a block in a room under its core.
    BasementMeterRoom,
    /// Each floor's meters in a riser cupboard in the core.
    RiserCupboard,
    /// Every meter of a block in one ground-floor cupboard by the entrance.
    CommunalCupboard,
}

impl MeterLocation {
    /// Every location with its name in the tables.
    pub const ALL: [(MeterLocation, &'static str); 7] = [
        (MeterLocation::InternalCupboard, "internal-cupboard"),
        (MeterLocation::ExternalBox, "external-box"),
        (MeterLocation::Garage, "garage"),
        (MeterLocation::Outbuilding, "outbuilding"),
        (MeterLocation::BasementMeterRoom, "basement-meter-room"),
        (MeterLocation::RiserCupboard, "riser-cupboard"),
        (MeterLocation::CommunalCupboard, "communal-cupboard"),
    ];

    /// Name as written in the tables.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(l, _)| *l == self)
            .map_or("", |(_, n)| n)
    }
}

/// Where the household keeps the in-home display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IhdPlace {
    /// Kitchen (back of a house; middle of a flat).
    Kitchen,
    /// Living room (front of a house; window side of a flat).
    LivingRoom,
    /// The far upstairs room of a house; the far room of a flat.
    Bedroom,
}

impl IhdPlace {
    /// Every place with its name in the tables.
    pub const ALL: [(IhdPlace, &'static str); 3] = [
        (IhdPlace::Kitchen, "kitchen"),
        (IhdPlace::LivingRoom, "living-room"),
        (IhdPlace::Bedroom, "bedroom"),
    ];
}

/// Materials of one construction era.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Era {
    /// Outside walls.
    pub external: String,
    /// Walls shared with a neighbour or between flats.
    pub party: String,
    /// Load-bearing internal walls.
    pub internal: String,
    /// Light partitions.
    pub partition: String,
    /// Floors between storeys.
    pub slab: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaterialDef {
    name: String,
    loss_db: LossDef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LossDef {
    #[serde(rename = "2.4GHz")]
    g24: f64,
    #[serde(rename = "868MHz")]
    m868: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchetypeDef {
    name: String,
    form: Form,
    storeys: [u32; 2],
    storey_height_m: [f64; 2],
    width_m: [f64; 2],
    depth_m: [f64; 2],
    #[serde(default)]
    party_walls: u32,
    #[serde(default)]
    extension: f64,
    #[serde(default)]
    extension_depth_m: Option<[f64; 2]>,
    #[serde(default)]
    flats_per_floor: Option<[u32; 2]>,
    #[serde(default)]
    corridor_m: Option<f64>,
    eras: BTreeMap<String, f64>,
    meters: BTreeMap<String, f64>,
    #[serde(default)]
    garage_gap_m: Option<[f64; 2]>,
    #[serde(default)]
    outbuilding_gap_m: Option<[f64; 2]>,
    #[serde(default)]
    steel_cabinets: f64,
    gas: f64,
    gas_external: f64,
    ihd: BTreeMap<String, f64>,
    ppmid: f64,
    wifi_own: f64,
    wifi_neighbours: [u32; 2],
    shadowing_db: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchetypeDoc {
    #[serde(default)]
    material: Vec<MaterialDef>,
    era: BTreeMap<String, Era>,
    archetype: Vec<Spanned<ArchetypeDef>>,
}

/// One dwelling archetype, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Archetype {
    /// Name (used by the mix and in results).
    pub name: String,
    /// House or block of flats.
    pub form: Form,
    /// Storeys above ground, [min, max].
    pub storeys: [u32; 2],
    /// Storey height, m.
    pub storey_height_m: [f64; 2],
    /// Plan width across the front (a flat's width for flats), m.
    pub width_m: [f64; 2],
    /// Plan depth front to back (a flat's depth for flats), m.
    pub depth_m: [f64; 2],
    /// Party walls of a house: 0, 1 or 2.
    pub party_walls: u32,
    /// Probability of a single-storey rear extension.
    pub extension: f64,
    /// Depth of the extension, m.
    pub extension_depth_m: [f64; 2],
    /// Flats per floor (flats only).
    pub flats_per_floor: [u32; 2],
    /// Corridor width between the two rows of flats, m.
    pub corridor_m: f64,
    /// Construction eras with weights (era names).
    pub eras: Vec<(String, f64)>,
    /// Meter locations with weights.
    pub meters: Vec<(MeterLocation, f64)>,
    /// Gap between house and garage, m.
    pub garage_gap_m: [f64; 2],
    /// Distance from the house to the outbuilding or post holding the meters, m.
    pub outbuilding_gap_m: [f64; 2],
    /// Share of blocks whose shared meter positions (communal cupboard, basement room, risers)
    /// hold the meters in steel cabinets.
    pub steel_cabinets: f64,
    /// Share of premises with gas.
    pub gas: f64,
    /// Of those, share with the gas meter in an external box.
    pub gas_external: f64,
    /// IHD places with weights.
    pub ihd: Vec<(IhdPlace, f64)>,
    /// Share with a prepayment interface device.
    pub ppmid: f64,
    /// Share with a Wi-Fi router of their own.
    pub wifi_own: f64,
    /// Neighbours' Wi-Fi routers in range, [min, max].
    pub wifi_neighbours: [u32; 2],
    /// Log-normal shadowing σ, dB.
    pub shadowing_db: f64,
}

/// The archetype table: archetypes, eras and the materials they add.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchetypeTable {
    /// Materials defined by the table (written into every generated building).
    pub materials: Vec<Material>,
    /// Eras by name.
    pub eras: BTreeMap<String, Era>,
    /// Archetypes in file order.
    pub archetypes: Vec<Archetype>,
}

/// The archetype mix: share of premises per archetype.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// Where the shares come from.
    pub source: String,
    /// (archetype, share) normalised to sum 1, in table order of the archetypes.
    pub shares: Vec<(String, f64)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MixDoc {
    #[serde(default)]
    source: String,
    shares: Spanned<BTreeMap<String, f64>>,
}

fn toml_error(file: &str, src: &str, e: &toml::de::Error) -> BuildingError {
    BuildingError::at(
        file,
        src,
        e.span().map_or(0, |s| s.start),
        e.message().trim(),
        "fix the key or value; every key is described in docs/portfolio.md",
    )
}

fn check_range(r: [f64; 2], what: &str) -> Result<(), String> {
    if r[0].is_finite() && r[1].is_finite() && r[0] >= 0.0 && r[0] <= r[1] {
        Ok(())
    } else {
        Err(format!(
            "{what} = [{}, {}] is not a range [min, max] of non-negative numbers",
            r[0], r[1]
        ))
    }
}

fn check_share(v: f64, what: &str) -> Result<(), String> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{what} = {v} is not a share between 0 and 1"))
    }
}

fn weights<T: Copy>(
    map: &BTreeMap<String, f64>,
    names: &[(T, &str)],
    what: &str,
) -> Result<Vec<(T, f64)>, String> {
    let mut out = Vec::new();
    for (k, &w) in map {
        let Some((t, _)) = names.iter().find(|(_, n)| n == k) else {
            let known: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
            return Err(format!(
                "unknown {what} \"{k}\" (known: {})",
                known.join(", ")
            ));
        };
        if !(w >= 0.0 && w.is_finite()) {
            return Err(format!("{what} \"{k}\" has a negative weight {w}"));
        }
        out.push((*t, w));
    }
    if out.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
        return Err(format!("{what} weights are all zero"));
    }
    Ok(out)
}

impl ArchetypeDef {
    fn validate(self, eras: &BTreeMap<String, Era>) -> Result<Archetype, String> {
        let d = self;
        if d.storeys[0] == 0 || d.storeys[0] > d.storeys[1] || d.storeys[1] > 60 {
            return Err(format!(
                "storeys = [{}, {}] must be a range within 1-60",
                d.storeys[0], d.storeys[1]
            ));
        }
        check_range(d.storey_height_m, "storey_height_m")?;
        check_range(d.width_m, "width_m")?;
        check_range(d.depth_m, "depth_m")?;
        if d.storey_height_m[0] < 2.0 || d.width_m[0] < 3.0 || d.depth_m[0] < 3.0 {
            return Err("storey height must be at least 2 m, width and depth 3 m".into());
        }
        if d.party_walls > 2 {
            return Err(format!("party_walls = {} must be 0, 1 or 2", d.party_walls));
        }
        let extension_depth_m = d.extension_depth_m.unwrap_or([0.0, 0.0]);
        check_range(extension_depth_m, "extension_depth_m")?;
        let garage_gap_m = d.garage_gap_m.unwrap_or([0.0, 0.0]);
        check_range(garage_gap_m, "garage_gap_m")?;
        let outbuilding_gap_m = d.outbuilding_gap_m.unwrap_or([0.0, 0.0]);
        check_range(outbuilding_gap_m, "outbuilding_gap_m")?;
        for (v, w) in [
            (d.extension, "extension"),
            (d.steel_cabinets, "steel_cabinets"),
            (d.gas, "gas"),
            (d.gas_external, "gas_external"),
            (d.ppmid, "ppmid"),
            (d.wifi_own, "wifi_own"),
        ] {
            check_share(v, w)?;
        }
        if d.wifi_neighbours[0] > d.wifi_neighbours[1] || d.wifi_neighbours[1] > 16 {
            return Err("wifi_neighbours must be a range [min, max] within 0-16".into());
        }
        if !(0.0..=20.0).contains(&d.shadowing_db) {
            return Err(format!(
                "shadowing_db = {} is outside 0-20 dB",
                d.shadowing_db
            ));
        }
        let flats_per_floor = match (d.form, d.flats_per_floor) {
            (Form::Flats, Some(f)) if f[0] >= 1 && f[0] <= f[1] && f[1] <= 16 => f,
            (Form::Flats, _) => {
                return Err(
                    "a block of flats needs flats_per_floor = [min, max] within 1-16".into(),
                );
            }
            (Form::House, None) => [1, 1],
            (Form::House, Some(_)) => {
                return Err("flats_per_floor applies to form = \"flats\" only".into());
            }
        };
        let corridor_m = d.corridor_m.unwrap_or(1.5);
        if !(0.5..=5.0).contains(&corridor_m) {
            return Err(format!("corridor_m = {corridor_m} is outside 0.5-5 m"));
        }
        let era_names: Vec<(&str, &str)> = eras.keys().map(|k| (k.as_str(), k.as_str())).collect();
        let era_w = weights(&d.eras, &era_names, "era")?
            .into_iter()
            .map(|(n, w)| (n.to_string(), w))
            .collect();
        let meters = weights(&d.meters, &MeterLocation::ALL, "meter location")?;
        for (m, w) in &meters {
            let ok = match d.form {
                Form::House => matches!(
                    m,
                    MeterLocation::InternalCupboard
                        | MeterLocation::ExternalBox
                        | MeterLocation::Garage
                        | MeterLocation::Outbuilding
                ),
                Form::Flats => !matches!(m, MeterLocation::Garage | MeterLocation::Outbuilding),
            };
            if !ok && *w > 0.0 {
                return Err(format!(
                    "meter location \"{}\" does not apply to form {:?}",
                    m.name(),
                    d.form
                ));
            }
            if *m == MeterLocation::Garage && *w > 0.0 && d.party_walls == 2 {
                return Err(
                    "a mid-terrace house (party_walls = 2) has no side for a garage".into(),
                );
            }
        }
        Ok(Archetype {
            name: d.name,
            form: d.form,
            storeys: d.storeys,
            storey_height_m: d.storey_height_m,
            width_m: d.width_m,
            depth_m: d.depth_m,
            party_walls: d.party_walls,
            extension: d.extension,
            extension_depth_m,
            flats_per_floor,
            corridor_m,
            eras: era_w,
            meters,
            garage_gap_m,
            outbuilding_gap_m,
            steel_cabinets: d.steel_cabinets,
            gas: d.gas,
            gas_external: d.gas_external,
            ihd: weights(&d.ihd, &IhdPlace::ALL, "IHD place")?,
            ppmid: d.ppmid,
            wifi_own: d.wifi_own,
            wifi_neighbours: d.wifi_neighbours,
            shadowing_db: d.shadowing_db,
        })
    }
}

impl ArchetypeTable {
    /// Parses and validates an archetype table; `file` names it in errors (file:line:column).
    pub fn from_toml(file: &str, src: &str) -> Result<ArchetypeTable, BuildingError> {
        let doc: ArchetypeDoc = toml::from_str(src).map_err(|e| toml_error(file, src, &e))?;
        let mut known = MaterialTable::default();
        let mut materials = Vec::new();
        for m in doc.material {
            if !(m.loss_db.g24 >= 0.0 && m.loss_db.m868 >= 0.0) {
                return Err(BuildingError::at(
                    file,
                    src,
                    src.find(&format!("\"{}\"", m.name)).unwrap_or(0),
                    format!("material \"{}\" has a negative loss", m.name),
                    "losses are dB of attenuation, >= 0",
                ));
            }
            let mat = Material {
                name: m.name,
                loss: [Db(m.loss_db.g24), Db(m.loss_db.m868)],
            };
            known.upsert(mat.clone());
            materials.push(mat);
        }
        for m in super::generate::REQUIRED_MATERIALS {
            if known.id(m).is_none() {
                return Err(BuildingError::at(
                    file,
                    src,
                    0,
                    format!(
                        "the generator needs material \"{m}\", which the table does not define"
                    ),
                    "add it as a [[material]] (the default table shows its losses)",
                ));
            }
        }
        for (name, era) in &doc.era {
            for m in [
                &era.external,
                &era.party,
                &era.internal,
                &era.partition,
                &era.slab,
            ] {
                if known.id(m).is_none() {
                    return Err(BuildingError::at(
                        file,
                        src,
                        src.find(&format!("[era.{name}]")).unwrap_or(0),
                        format!("era \"{name}\" uses unknown material \"{m}\""),
                        format!(
                            "use a built-in material or add a [[material]]: {}",
                            known.names().join(", ")
                        ),
                    ));
                }
            }
        }
        let mut archetypes: Vec<Archetype> = Vec::new();
        for a in doc.archetype {
            let span = a.span();
            let a = a.into_inner();
            let name = a.name.clone();
            if archetypes.iter().any(|x| x.name == name) {
                return Err(BuildingError::at(
                    file,
                    src,
                    span.start,
                    format!("duplicate archetype \"{name}\""),
                    "archetype names must be unique",
                ));
            }
            let arch = a.validate(&doc.era).map_err(|m| {
                BuildingError::at(
                    file,
                    src,
                    span.start,
                    format!("archetype \"{name}\": {m}"),
                    "see docs/portfolio.md for every archetype key",
                )
            })?;
            archetypes.push(arch);
        }
        if archetypes.is_empty() {
            return Err(BuildingError::at(
                file,
                src,
                0,
                "no [[archetype]] tables",
                "add at least one archetype",
            ));
        }
        Ok(ArchetypeTable {
            materials,
            eras: doc.era,
            archetypes,
        })
    }

    /// The default table (data/portfolio/archetypes.toml).
    pub fn default_table() -> Result<ArchetypeTable, BuildingError> {
        Self::from_toml(DEFAULT_ARCHETYPES.0, DEFAULT_ARCHETYPES.1)
    }

    /// Archetype by name.
    pub fn get(&self, name: &str) -> Option<&Archetype> {
        self.archetypes.iter().find(|a| a.name == name)
    }
}

impl Mix {
    /// Parses a mix file and checks every archetype exists in `table`.
    pub fn from_toml(file: &str, src: &str, table: &ArchetypeTable) -> Result<Mix, BuildingError> {
        let doc: MixDoc = toml::from_str(src).map_err(|e| toml_error(file, src, &e))?;
        let span = doc.shares.span();
        let at = |m: String, hint: &str| BuildingError::at(file, src, span.start, m, hint);
        let map = doc.shares.into_inner();
        for (k, v) in &map {
            if table.get(k).is_none() {
                let names: Vec<&str> = table.archetypes.iter().map(|a| a.name.as_str()).collect();
                return Err(at(
                    format!("unknown archetype \"{k}\" in [shares]"),
                    &format!("use one of: {}", names.join(", ")),
                ));
            }
            if !(*v >= 0.0 && v.is_finite()) {
                return Err(at(
                    format!("share of \"{k}\" is negative"),
                    "shares are >= 0",
                ));
            }
        }
        let total: f64 = map.values().sum();
        if total <= 0.0 {
            return Err(at(
                "all shares are zero".into(),
                "give at least one archetype a share",
            ));
        }
        let shares = table
            .archetypes
            .iter()
            .filter_map(|a| map.get(&a.name).map(|v| (a.name.clone(), v / total)))
            .collect();
        Ok(Mix {
            source: doc.source,
            shares,
        })
    }

    /// The default mix (English Housing Survey dwelling types).
    pub fn default_mix(table: &ArchetypeTable) -> Result<Mix, BuildingError> {
        Self::from_toml(DEFAULT_MIX.0, DEFAULT_MIX.1, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tables_load() {
        let t = ArchetypeTable::default_table().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.archetypes.len(), 7);
        let m = Mix::default_mix(&t).unwrap();
        let sum: f64 = m.shares.iter().map(|(_, s)| s).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert_eq!(m.shares[0].0, "terraced");
    }

    #[test]
    fn bad_archetype_is_located() {
        let src = DEFAULT_ARCHETYPES
            .1
            .replacen("party_walls = 2", "party_walls = 3", 1);
        let e = ArchetypeTable::from_toml("a.toml", &src).unwrap_err();
        assert!(
            e.message.contains("terraced") && e.message.contains("party_walls"),
            "{e}"
        );
        // The [[archetype]] header, the line before the name.
        let line = src
            .lines()
            .position(|l| l.starts_with("name = \"terraced\""))
            .unwrap();
        assert_eq!(e.line, line, "{e}");
        let src = DEFAULT_ARCHETYPES
            .1
            .replacen("external-box = 45", "external-bx = 45", 1);
        let e = ArchetypeTable::from_toml("a.toml", &src).unwrap_err();
        assert!(e.message.contains("external-bx"), "{e}");
        let src = DEFAULT_ARCHETYPES
            .1
            .replacen("slab = \"timber-floor\"", "slab = \"jelly\"", 1);
        let e = ArchetypeTable::from_toml("a.toml", &src).unwrap_err();
        assert!(e.message.contains("jelly"), "{e}");
    }

    #[test]
    fn bad_mix_is_located() {
        let t = ArchetypeTable::default_table().unwrap();
        let e = Mix::from_toml("m.toml", "[shares]\nterraced = 1\ncastle = 2\n", &t).unwrap_err();
        assert!(e.message.contains("castle"), "{e}");
        assert_eq!((e.line, e.column), (1, 1));
        let e = Mix::from_toml("m.toml", "[shares]\nterraced = \"x\"\n", &t).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
