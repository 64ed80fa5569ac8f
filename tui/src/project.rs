//! The building being worked on: its TOML document (edited with `toml_edit`, so comments and
//! order survive a save), the resolved `Building`, its survey, and undo/redo.
use han_radio::althan::{Backhaul, Installation, InstallationKind};
use han_radio::building::{Building, Device, Premises};
use han_radio::bundled;
use han_radio::device::DeviceKind;
use han_radio::survey::SurveyReport;
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// Positions are written back rounded to this many metres (a tape measure's worth).
const POSITION_STEP_M: f64 = 0.1;

/// An open building file with its survey.
pub struct Project {
    /// Name used in error messages and the title (file name or bundled name).
    pub name: String,
    /// Where `save` writes.
    pub save_path: PathBuf,
    /// The resolved building of the current source.
    pub building: Building,
    /// Survey of `building`.
    pub report: SurveyReport,
    /// Increases with every change of the source (caches key on it).
    pub revision: u64,
    doc: DocumentMut,
    src: String,
    saved: String,
    undo: Vec<String>,
    redo: Vec<String>,
}

/// Which TOML table a resolved wall came from, and on which level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallSource {
    /// Index in the file's `[[wall]]` array.
    pub table: usize,
    /// Level of this copy (a `floors = [a, b]` table gives one wall per level).
    pub level: i64,
}

impl Project {
    /// Opens `path`, or the bundled default building (saved as its file name in the current
    /// directory) when `None`. Errors read `file:line:column: message` plus a hint.
    pub fn open(path: Option<&Path>) -> Result<Project, String> {
        match path {
            None => Self::from_source(
                bundled::DEFAULT.0,
                bundled::DEFAULT.1.to_string(),
                free_path(Path::new(bundled::DEFAULT.0)),
            ),
            Some(p) => {
                let src = std::fs::read_to_string(p).map_err(|e| {
                    format!(
                        "{}:1:1: cannot read building file: {e}\n  hint: check the path; omit it to open the bundled default building",
                        p.display()
                    )
                })?;
                Self::from_source(&p.display().to_string(), src, p.to_path_buf())
            }
        }
    }

    /// A project from TOML source; `name` names the file in errors.
    pub fn from_source(name: &str, src: String, save_path: PathBuf) -> Result<Project, String> {
        let building = Building::from_toml(name, &src).map_err(|e| e.to_string())?;
        let doc: DocumentMut = src
            .parse()
            .map_err(|e| format!("{name}: {e}\n  hint: fix the TOML syntax"))?;
        let report = building.survey();
        Ok(Project {
            name: name.to_string(),
            save_path,
            building,
            report,
            revision: 0,
            doc,
            saved: src.clone(),
            src,
            undo: Vec::new(),
            redo: Vec::new(),
        })
    }

    /// The current TOML source.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// There are changes since the last load or save.
    pub fn dirty(&self) -> bool {
        self.src != self.saved
    }

    /// Changes that can be undone / redone.
    pub fn history(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    /// Replaces the source, re-resolving and re-surveying; the old state is kept on error.
    fn load(&mut self, src: String) -> Result<(), String> {
        let building = Building::from_toml(&self.name, &src).map_err(|e| e.to_string())?;
        self.doc = src.parse().map_err(|e| format!("{}: {e}", self.name))?;
        self.report = building.survey();
        self.building = building;
        self.src = src;
        self.revision += 1;
        Ok(())
    }

    /// Applies `op` to a copy of the document and re-surveys. With `track`, the previous state
    /// goes on the undo stack; without, the caller records it later with `checkpoint`.
    pub fn edit(
        &mut self,
        track: bool,
        op: impl FnOnce(&mut DocumentMut) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut doc = self.doc.clone();
        op(&mut doc)?;
        let before = self.src.clone();
        self.load(doc.to_string())?;
        if track {
            self.undo.push(before);
            self.redo.clear();
        }
        Ok(())
    }

    /// Records `before` (a source returned by `source()` earlier) as one undo step.
    pub fn checkpoint(&mut self, before: String) {
        if before != self.src {
            self.undo.push(before);
            self.redo.clear();
        }
    }

    /// Goes back to `before` without recording anything (a cancelled drag).
    pub fn revert_to(&mut self, before: String) -> Result<(), String> {
        if before != self.src {
            self.load(before)?;
        }
        Ok(())
    }

    /// Undoes the last change; false if there was none.
    pub fn undo(&mut self) -> bool {
        self.step(true)
    }

    /// Redoes the last undone change; false if there was none.
    pub fn redo(&mut self) -> bool {
        self.step(false)
    }

    fn step(&mut self, back: bool) -> bool {
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(src) = from.pop() else {
            return false;
        };
        to.push(self.src.clone());
        // Every stacked source resolved before, so this cannot fail; keep going if it does.
        self.load(src).is_ok()
    }

    /// Writes the document to `save_path`.
    pub fn save(&mut self) -> Result<PathBuf, String> {
        std::fs::write(&self.save_path, &self.src)
            .map_err(|e| format!("cannot write {}: {e}", self.save_path.display()))?;
        self.saved = self.src.clone();
        Ok(self.save_path.clone())
    }

    /// The premises holding device `id`, and the device.
    pub fn device(&self, id: &str) -> Option<(&Premises, &Device)> {
        self.building
            .premises
            .iter()
            .find_map(|p| p.devices.iter().find(|d| d.id == id).map(|d| (p, d)))
    }

    /// Level number of floor index `f`.
    pub fn level(&self, f: usize) -> i64 {
        self.building
            .floors
            .get(f)
            .map_or(0, |x| i64::from(x.level))
    }

    /// Where each resolved wall (same order as `building.walls.walls()`) comes from.
    pub fn wall_sources(&self) -> Vec<WallSource> {
        wall_sources(&self.doc)
    }

    /// Moves device `id` to plan position (x, y) on level `level`.
    pub fn move_device(
        &mut self,
        id: &str,
        level: i64,
        x: f64,
        y: f64,
        track: bool,
    ) -> Result<(), String> {
        self.edit(track, |doc| {
            let d = device_table(doc, id)?;
            d.insert("at", Value::Array(point(x, y)));
            if d.get("floor").and_then(Value::as_integer) != Some(level) {
                d.insert("floor", Value::from(level));
            }
            Ok(())
        })
    }

    /// Adds a straight wall on `level` from a to b.
    pub fn add_wall(
        &mut self,
        level: i64,
        a: (f64, f64),
        b: (f64, f64),
        material: &str,
    ) -> Result<(), String> {
        self.edit(true, |doc| {
            let walls = wall_array(doc)?;
            let mut t = Table::new();
            t.insert("floor", toml_edit::value(level));
            t.insert("from", toml_edit::value(point(a.0, a.1)));
            t.insert("to", toml_edit::value(point(b.0, b.1)));
            t.insert("material", toml_edit::value(material));
            walls.push(t);
            Ok(())
        })
    }

    /// Removes resolved wall `index` (only its copy on its level, for a `floors` range).
    pub fn remove_wall(&mut self, index: usize) -> Result<(), String> {
        let src = *self.wall_sources().get(index).ok_or("no such wall")?;
        self.edit(true, |doc| {
            let t = isolate_wall(doc, src)?;
            wall_array(doc)?.remove(t);
            Ok(())
        })
    }

    /// Sets the material of resolved wall `index` (only its copy on its level).
    pub fn set_wall_material(&mut self, index: usize, material: &str) -> Result<(), String> {
        let src = *self.wall_sources().get(index).ok_or("no such wall")?;
        self.edit(true, |doc| {
            let t = isolate_wall(doc, src)?;
            let table = wall_array(doc)?.get_mut(t).ok_or("no such wall")?;
            table.insert("material", toml_edit::value(material));
            Ok(())
        })
    }

    /// Device or Alt HAN unit `id` (anything drawn on the plan).
    pub fn find(&self, id: &str) -> Option<&Device> {
        self.device(id)
            .map(|(_, d)| d)
            .or_else(|| self.unit(id).map(|(_, u)| u))
    }

    /// The installed Alt HAN equipment (`[[alt_han]]`) holding unit `id`, and the unit.
    pub fn unit(&self, id: &str) -> Option<(&Installation, &Device)> {
        self.building
            .alt_han
            .iter()
            .find_map(|i| i.units.iter().find(|u| u.id == id).map(|u| (i, u)))
    }

    /// `want`, or `want-2`, `want-3`, … : the first id no premises, device, installation or
    /// unit uses (ids share one namespace in a building file).
    fn fresh_id(&self, want: &str) -> String {
        let b = &self.building;
        let taken = |id: &str| {
            b.premises
                .iter()
                .any(|p| p.id == id || p.devices.iter().any(|d| d.id == id))
                || b.alt_han
                    .iter()
                    .any(|i| i.id == id || i.units.iter().any(|u| u.id == id))
        };
        (1..)
            .map(|k| {
                if k == 1 {
                    want.to_string()
                } else {
                    format!("{want}-{k}")
                }
            })
            .find(|c| !taken(c))
            .unwrap_or_default()
    }

    /// Antenna height of a new Alt HAN unit on floor index `f`: the planner's, below the ceiling.
    fn unit_height(&self, f: usize) -> f64 {
        let storey = self.building.floors.get(f).map_or(2.5, |x| x.height);
        round(
            self.building
                .planner
                .unit_height_m
                .min(storey - 0.1)
                .max(0.0),
        )
    }

    /// Floor index of level `level`.
    fn floor_of(&self, level: i64) -> Result<usize, String> {
        (0..self.building.floors.len())
            .find(|&f| self.level(f) == level)
            .ok_or_else(|| format!("no floor {level} in this building"))
    }

    /// Installs a point-to-point repeater pair (`[[alt_han]]`, kind `p2p-pair`, wired
    /// backhaul) serving premises `premises`: the first unit by its comms hub, the second at
    /// (x, y) on `level`. Returns the second unit's id (the one the installer places).
    pub fn add_p2p_pair(
        &mut self,
        premises: &str,
        level: i64,
        x: f64,
        y: f64,
    ) -> Result<String, String> {
        let p = self
            .building
            .premises
            .iter()
            .find(|p| p.id == premises)
            .ok_or_else(|| format!("no premises \"{premises}\""))?;
        if let Some(i) = self
            .building
            .alt_han
            .iter()
            .find(|i| i.kind == InstallationKind::P2pPair && i.serves(premises))
        {
            return Err(format!(
                "{premises} already has the repeater pair {}: move its units",
                i.id
            ));
        }
        let f = self.floor_of(level)?;
        let (hub_level, hub_at, hub_floor) = p
            .devices
            .iter()
            .find(|d| d.kind == DeviceKind::Chf)
            .map_or((level, (x, y), f), |d| {
                (self.level(d.floor), (d.pos.x, d.pos.y), d.floor)
            });
        let id = self.fresh_id(&format!("althan-{premises}"));
        let units = [
            Unit {
                id: format!("{id}-u1"),
                level: hub_level,
                at: hub_at,
                height_m: self.unit_height(hub_floor),
            },
            Unit {
                id: format!("{id}-u2"),
                level,
                at: (x, y),
                height_m: self.unit_height(f),
            },
        ];
        let placed = units[1].id.clone();
        let premises = premises.to_string();
        self.edit(true, move |doc| {
            let table = installation_table(
                &id,
                InstallationKind::P2pPair,
                Backhaul::Wired,
                &premises,
                &units,
            );
            push_installation(doc, table)
        })?;
        Ok(placed)
    }

    /// Adds an Alt HAN node at (x, y) on `level` to the shared installation serving
    /// `premises` (else the building's first shared installation, which then serves it too;
    /// else a new one with a wired backbone). Returns the node's id.
    pub fn add_shared_node(
        &mut self,
        premises: &str,
        level: i64,
        x: f64,
        y: f64,
    ) -> Result<String, String> {
        if !self.building.premises.iter().any(|p| p.id == premises) {
            return Err(format!("no premises \"{premises}\""));
        }
        let f = self.floor_of(level)?;
        let shared = self
            .building
            .alt_han
            .iter()
            .filter(|i| i.kind == InstallationKind::Shared)
            .enumerate()
            .max_by_key(|(k, i)| (i.serves(premises), std::cmp::Reverse(*k)))
            .map(|(_, i)| i);
        let Some(inst) = shared else {
            let id = self.fresh_id("althan-shared");
            let unit = Unit {
                id: format!("{id}-u1"),
                level,
                at: (x, y),
                height_m: self.unit_height(f),
            };
            let placed = unit.id.clone();
            let premises = premises.to_string();
            self.edit(true, move |doc| {
                let table = installation_table(
                    &id,
                    InstallationKind::Shared,
                    Backhaul::Wired,
                    &premises,
                    &[unit],
                );
                push_installation(doc, table)
            })?;
            return Ok(placed);
        };
        let (inst_id, join) = (inst.id.clone(), !inst.serves(premises));
        let unit = Unit {
            id: self.fresh_id(&format!("{inst_id}-u{}", inst.units.len() + 1)),
            level,
            at: (x, y),
            height_m: self.unit_height(f),
        };
        let placed = unit.id.clone();
        let premises = premises.to_string();
        self.edit(true, move |doc| {
            let t = installation(doc, &inst_id)?;
            if join {
                t.get_mut("serves")
                    .and_then(Item::as_array_mut)
                    .ok_or("alt_han serves is not an array")?
                    .push(premises.as_str());
            }
            let units = t
                .get_mut("units")
                .and_then(Item::as_array_mut)
                .ok_or("alt_han units is not an array")?;
            let mut v = unit.value();
            if let Some(prev) = units.iter().last() {
                let prefix = prev
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or(" ");
                v.decor_mut().set_prefix(prefix.to_string());
            }
            units.push_formatted(v);
            Ok(())
        })?;
        Ok(placed)
    }

    /// Switches the backhaul of the installation holding unit `id` to the next kind (wired,
    /// powerline, 868 MHz radio); returns the new one.
    pub fn cycle_backhaul(&mut self, id: &str) -> Result<Backhaul, String> {
        let (inst, _) = self
            .unit(id)
            .ok_or_else(|| format!("{id} is not an Alt HAN unit"))?;
        let next = match inst.backhaul {
            Backhaul::Wired => Backhaul::Powerline,
            Backhaul::Powerline => Backhaul::Radio868,
            Backhaul::Radio868 => Backhaul::Wired,
        };
        let inst_id = inst.id.clone();
        self.edit(true, |doc| {
            installation(doc, &inst_id)?.insert("backhaul", toml_edit::value(next.name()));
            Ok(())
        })?;
        Ok(next)
    }

    /// Removes device `id` from its premises, or Alt HAN unit `id` from its installation (a
    /// repeater pair goes whole, and so does a shared installation losing its last unit).
    pub fn remove_device(&mut self, id: &str) -> Result<(), String> {
        if let Some((inst, _)) = self.unit(id) {
            let whole = inst.kind == InstallationKind::P2pPair || inst.units.len() == 1;
            let inst_id = inst.id.clone();
            return self.edit(true, |doc| {
                if whole {
                    let list = alt_han_array(doc)?;
                    let k = list
                        .iter()
                        .position(|t| t.get("id").and_then(Item::as_str) == Some(inst_id.as_str()))
                        .ok_or_else(|| format!("no alt_han \"{inst_id}\""))?;
                    list.remove(k);
                    if list.is_empty() {
                        doc.remove("alt_han");
                    }
                    return Ok(());
                }
                let units = installation(doc, &inst_id)?
                    .get_mut("units")
                    .and_then(Item::as_array_mut)
                    .ok_or("alt_han units is not an array")?;
                let k = units
                    .iter()
                    .position(|u| inline_id(u) == Some(id))
                    .ok_or_else(|| format!("no unit \"{id}\""))?;
                units.remove(k);
                Ok(())
            });
        }
        self.edit(true, |doc| {
            let list = doc
                .get_mut("premises")
                .and_then(Item::as_array_of_tables_mut)
                .ok_or("no [[premises]]")?;
            for p in list.iter_mut() {
                let Some(devices) = p.get_mut("devices").and_then(Item::as_array_mut) else {
                    continue;
                };
                let found = devices.iter().position(|d| inline_id(d) == Some(id));
                if let Some(i) = found {
                    devices.remove(i);
                    return Ok(());
                }
            }
            Err(format!("no device \"{id}\""))
        })
    }
}

/// A new Alt HAN unit, as written into a `[[alt_han]]` table.
struct Unit {
    id: String,
    level: i64,
    at: (f64, f64),
    height_m: f64,
}

impl Unit {
    /// `{ id, floor, at, height_m }` on a line of its own, as `han plan --apply` writes it.
    fn value(&self) -> Value {
        let mut t = InlineTable::new();
        t.insert("id", Value::from(self.id.as_str()));
        t.insert("floor", Value::from(self.level));
        t.insert("at", Value::Array(point(self.at.0, self.at.1)));
        t.insert("height_m", Value::from(self.height_m));
        t.fmt();
        let mut v = Value::InlineTable(t);
        v.decor_mut().set_prefix("\n  ");
        v
    }
}

/// A `[[alt_han]]` table (docs/building-format.md) serving one premises.
fn installation_table(
    id: &str,
    kind: InstallationKind,
    backhaul: Backhaul,
    premises: &str,
    units: &[Unit],
) -> Table {
    let mut t = Table::new();
    t.insert("id", toml_edit::value(id));
    t.insert("kind", toml_edit::value(kind.name()));
    t.insert("backhaul", toml_edit::value(backhaul.name()));
    let serves: Array = std::iter::once(premises).collect();
    t.insert("serves", toml_edit::value(serves));
    let mut list = Array::new();
    for u in units {
        list.push_formatted(u.value());
    }
    list.set_trailing("\n");
    list.set_trailing_comma(true);
    t.insert("units", toml_edit::value(list));
    t
}

/// The document's `[[alt_han]]` array, created when it has none.
fn alt_han_array(doc: &mut DocumentMut) -> Result<&mut toml_edit::ArrayOfTables, String> {
    if doc.get("alt_han").is_none() {
        doc.insert(
            "alt_han",
            Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let list = doc
        .get_mut("alt_han")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| "`alt_han` is not an array of [[alt_han]] tables".to_string())?;
    Ok(list)
}

/// Appends `table` to `[[alt_han]]`; the first one gets a comment saying where it came from.
fn push_installation(doc: &mut DocumentMut, mut table: Table) -> Result<(), String> {
    if doc.get("alt_han").is_none() {
        table
            .decor_mut()
            .set_prefix("\n# Alt HAN equipment added in `han tui` (docs/alt-han.md).\n");
    }
    alt_han_array(doc)?.push(table);
    Ok(())
}

/// The `[[alt_han]]` table with id `id`.
fn installation<'a>(doc: &'a mut DocumentMut, id: &str) -> Result<&'a mut Table, String> {
    alt_han_array(doc)?
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
        .ok_or_else(|| format!("no alt_han \"{id}\" in the file"))
}

/// `path`, or `name-1.toml`, `name-2.toml`… if that file already exists.
fn free_path(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("building");
    (1..)
        .map(|n| PathBuf::from(format!("{stem}-{n}.toml")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_path_buf())
}

fn round(v: f64) -> f64 {
    ((v / POSITION_STEP_M).round() * POSITION_STEP_M * 1000.0).round() / 1000.0
}

fn point(x: f64, y: f64) -> Array {
    let mut a = Array::new();
    a.push(round(x));
    a.push(round(y));
    a
}

fn inline_id(v: &Value) -> Option<&str> {
    v.as_inline_table()?.get("id")?.as_str()
}

/// The inline table of device `id` (`[[premises]]` devices) or Alt HAN unit `id`
/// (`[[alt_han]]` units).
fn device_table<'a>(doc: &'a mut DocumentMut, id: &str) -> Result<&'a mut InlineTable, String> {
    doc.as_table_mut()
        .iter_mut()
        .filter_map(|(k, item)| {
            let list = match k.get() {
                "premises" => "devices",
                "alt_han" => "units",
                _ => return None,
            };
            Some((list, item.as_array_of_tables_mut()?))
        })
        .flat_map(|(list, a)| a.iter_mut().filter_map(move |t| t.get_mut(list)))
        .filter_map(Item::as_array_mut)
        .flat_map(|a| a.iter_mut())
        .filter_map(Value::as_inline_table_mut)
        .find(|t| t.get("id").and_then(Value::as_str) == Some(id))
        .ok_or_else(|| format!("device \"{id}\" is not an inline table in the file"))
}

fn wall_array(doc: &mut DocumentMut) -> Result<&mut toml_edit::ArrayOfTables, String> {
    if doc.get("wall").is_none() {
        doc.insert("wall", Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    }
    doc.get_mut("wall")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| "`wall` is not an array of [[wall]] tables".to_string())
}

/// The levels a `[[wall]]` table covers (`floor = n` or `floors = [a, b]`), as resolved.
fn wall_levels(t: &Table) -> Option<(i64, i64)> {
    if let Some(f) = t.get("floor").and_then(Item::as_integer) {
        return Some((f, f));
    }
    let r = t.get("floors")?.as_array()?;
    let (a, b) = (r.get(0)?.as_integer()?, r.get(1)?.as_integer()?);
    Some((a.min(b), a.max(b)))
}

fn wall_sources(doc: &DocumentMut) -> Vec<WallSource> {
    let Some(walls) = doc.get("wall").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    walls
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            let (lo, hi) = wall_levels(t).unwrap_or((1, 0));
            (lo..=hi).map(move |level| WallSource { table: i, level })
        })
        .collect()
}

/// Makes `src` a single-level `[[wall]]` table, splitting a `floors` range into the levels
/// below and above (appended as new tables); returns the table's index.
fn isolate_wall(doc: &mut DocumentMut, src: WallSource) -> Result<usize, String> {
    let walls = wall_array(doc)?;
    let t = walls.get_mut(src.table).ok_or("no such wall")?;
    let (lo, hi) = wall_levels(t).ok_or("wall without floor")?;
    if lo == hi {
        return Ok(src.table);
    }
    let template = t.clone();
    t.remove("floors");
    t.insert("floor", toml_edit::value(src.level));
    let range = |a: i64, b: i64| -> Table {
        let mut n = template.clone();
        n.decor_mut().clear();
        if a == b {
            n.remove("floors");
            n.insert("floor", toml_edit::value(a));
        } else {
            let mut r = Array::new();
            r.push(a);
            r.push(b);
            n.insert("floors", toml_edit::value(r));
        }
        n
    };
    if lo < src.level {
        walls.push(range(lo, src.level - 1));
    }
    if src.level < hi {
        walls.push(range(src.level + 1, hi));
    }
    Ok(src.table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::survey::Verdict;

    fn open(i: usize) -> Project {
        let (name, src) = bundled::ALL[i];
        Project::from_source(name, src.to_string(), std::env::temp_dir().join(name)).unwrap()
    }

    #[test]
    fn wall_sources_match_resolved_walls() {
        for i in 0..bundled::ALL.len() {
            let p = open(i);
            let srcs = p.wall_sources();
            let walls = p.building.walls.walls();
            assert_eq!(srcs.len(), walls.len(), "{}", p.name);
            for (s, w) in srcs.iter().zip(walls) {
                assert_eq!(s.level, p.level(w.floor));
            }
        }
    }

    #[test]
    fn move_keeps_comments_and_undo_restores() {
        let mut p = open(3);
        let original = p.source().to_string();
        let id = "flat-0a-ihd";
        p.move_device(id, -1, 10.0, 1.0, true).unwrap();
        assert!(p.source().contains("{ id = \"flat-0a-ihd\", kind = \"ihd\", floor = -1, at = [10.0, 1.0], height_m = 1.0 }"), "{}", p.source());
        assert!(p.source().starts_with("# Six-storey block"));
        let (_, d) = p.device(id).unwrap();
        assert_eq!((d.pos.x, d.pos.y, d.floor), (10.0, 1.0, 0));
        assert!(p.dirty());
        assert!(p.undo());
        assert_eq!(p.source(), original);
        assert!(!p.dirty());
        assert!(p.redo());
        assert_ne!(p.source(), original);
    }

    #[test]
    fn splitting_a_floor_range_keeps_the_other_levels() {
        let mut p = open(3);
        let before = p.building.walls.walls().len();
        // The first ranged wall resolved on level 2.
        let srcs = p.wall_sources();
        let k = srcs
            .iter()
            .position(|s| s.level == 2 && srcs.iter().filter(|o| o.table == s.table).count() > 1)
            .unwrap();
        let (a, b) = (p.building.walls.walls()[k].a, p.building.walls.walls()[k].b);
        p.set_wall_material(k, "glass").unwrap();
        let walls = p.building.walls.walls();
        assert_eq!(walls.len(), before);
        let same: Vec<_> = walls.iter().filter(|w| w.a == a && w.b == b).collect();
        let glass = p.building.materials.id("glass").unwrap();
        assert_eq!(same.iter().filter(|w| w.material == glass).count(), 1);
        p.remove_wall(k).unwrap();
        assert_eq!(p.building.walls.walls().len(), before - 1);
    }

    #[test]
    fn bad_edits_keep_the_state() {
        let mut p = open(0);
        p.add_wall(0, (0.5, 0.5), (2.5, 0.5), "brick").unwrap();
        let src = p.source().to_string();
        // Level 99 does not exist: the edit is refused with the resolver's message.
        let e = p.move_device(
            &p.building.premises[0].devices[0].id.clone(),
            99,
            1.0,
            1.0,
            true,
        );
        assert!(e.unwrap_err().contains("floor 99"));
        assert_eq!(p.source(), src);
        assert_eq!(p.history().0, 1);
    }

    /// The default building's first premises that needs Alt HAN, and its IHD.
    fn failing(p: &Project) -> (String, Device) {
        let r = p
            .report
            .premises
            .iter()
            .find(|r| r.verdict == Verdict::NeedsAltHan)
            .unwrap();
        (r.id.clone(), kind_of(p, &r.id, DeviceKind::Ihd))
    }

    /// The first device of `kind` in premises `id`.
    fn kind_of(p: &Project, id: &str, kind: DeviceKind) -> Device {
        let prem = p.building.premises.iter().find(|x| x.id == id).unwrap();
        prem.devices
            .iter()
            .find(|d| d.kind == kind)
            .unwrap()
            .clone()
    }

    fn verdict(p: &Project, id: &str) -> Verdict {
        p.report
            .premises
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .verdict
    }

    #[test]
    fn a_repeater_pair_is_written_as_alt_han_and_carries_the_premises() {
        let mut p = open(3);
        let original = p.source().to_string();
        let (prem, ihd) = failing(&p);
        let level = p.level(ihd.floor);
        let u2 = p
            .add_p2p_pair(&prem, level, ihd.pos.x, ihd.pos.y - 1.0)
            .unwrap();
        assert_eq!(u2, format!("althan-{prem}-u2"));
        let inst = &p.building.alt_han[0];
        assert_eq!(
            (inst.kind, inst.backhaul, &inst.serves[..]),
            (
                InstallationKind::P2pPair,
                Backhaul::Wired,
                &[prem.clone()][..]
            )
        );
        // The first unit sits by the comms hub, on its level.
        let hub = kind_of(&p, &prem, DeviceKind::Chf);
        let (_, u1) = p.unit(&format!("althan-{prem}-u1")).unwrap();
        assert_eq!(
            (u1.floor, u1.pos.x, u1.pos.y),
            (hub.floor, hub.pos.x, hub.pos.y)
        );
        assert_eq!(
            verdict(&p, &prem),
            Verdict::OkAltHan,
            "the survey takes the pair"
        );
        assert!(
            p.source().contains("[[alt_han]]\nid = \"althan-"),
            "{}",
            p.source()
        );
        assert!(p.source().starts_with("# Six-storey block"));
        // What is saved surveys the same from the file.
        let again = Building::from_toml("saved.toml", p.source())
            .unwrap()
            .survey();
        assert_eq!(again, p.report);
        // One pair per premises; a unit moves like a device; the backhaul cycles.
        assert!(p.add_p2p_pair(&prem, level, 1.0, 1.0).is_err());
        p.move_device(&u2, level, ihd.pos.x + 1.0, ihd.pos.y, true)
            .unwrap();
        assert_eq!(p.find(&u2).unwrap().pos.x, round(ihd.pos.x + 1.0));
        assert_eq!(p.cycle_backhaul(&u2).unwrap(), Backhaul::Powerline);
        assert_eq!(p.building.alt_han[0].backhaul, Backhaul::Powerline);
        // Removing a unit of a pair removes the pair.
        p.remove_device(&u2).unwrap();
        assert!(p.building.alt_han.is_empty());
        assert_eq!(verdict(&p, &prem), Verdict::NeedsAltHan);
        for _ in 0..4 {
            assert!(p.undo());
        }
        assert_eq!(p.source(), original);
        assert!(p.redo());
        assert_eq!(verdict(&p, &prem), Verdict::OkAltHan, "redo puts it back");
    }

    #[test]
    fn shared_nodes_join_one_installation_and_go_one_by_one() {
        let mut p = open(3);
        let original = p.source().to_string();
        let (prem, ihd) = failing(&p);
        let level = p.level(ihd.floor);
        let a = p
            .add_shared_node(&prem, level, ihd.pos.x, ihd.pos.y - 1.0)
            .unwrap();
        assert_eq!(a, "althan-shared-u1");
        // A node by the hub joins the same installation: the premises is carried.
        let hub = kind_of(&p, &prem, DeviceKind::Chf);
        let other = p.building.premises[0].id.clone();
        let b = p
            .add_shared_node(&other, p.level(hub.floor), hub.pos.x, hub.pos.y)
            .unwrap();
        assert_eq!(b, "althan-shared-u2");
        assert_eq!(p.building.alt_han.len(), 1);
        let inst = &p.building.alt_han[0];
        assert_eq!(inst.units.len(), 2);
        assert!(inst.serves(&prem) && inst.serves(&other));
        assert_eq!(verdict(&p, &prem), Verdict::OkAltHan);
        p.remove_device(&b).unwrap();
        assert_eq!(p.building.alt_han[0].units.len(), 1);
        p.remove_device(&a).unwrap();
        assert!(p.building.alt_han.is_empty());
        assert!(!p.source().contains("alt_han"));
        while p.undo() {}
        assert_eq!(p.source(), original);
    }
}
