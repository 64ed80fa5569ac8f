//! `han plan --apply`: the building file with the planned equipment added, comments and
//! layout of the original kept.
use crate::plan::{Fix, Plan};
use han_radio::building::Building;
use han_radio::units::Band;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// Why the plan could not be written into the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// The source is not TOML (it parsed as a building before, so this means it changed).
    #[error("the building file is not valid TOML: {0}")]
    Toml(String),
    /// A planned premises or its hub is not in the file.
    #[error("premises \"{0}\" or its comms hub is not in the building file")]
    Missing(String),
}

/// Premises ids per line in a long `serves` list.
const SERVES_PER_LINE: usize = 8;

fn floats(v: &[f64]) -> Value {
    Value::Array(v.iter().copied().collect::<Array>())
}

/// The building of file `src` with `plan` applied, and the ids of the premises the plan
/// fixes (every planned premises but the exempt ones).
pub fn applied(src: &str, plan: &Plan) -> Result<(Building, Vec<String>), String> {
    let out = apply(src, plan).map_err(|e| e.to_string())?;
    let b = Building::from_toml("applied.toml", &out).map_err(|e| e.to_string())?;
    let ids = plan
        .plans
        .iter()
        .filter(|x| x.fix != Fix::Exempt)
        .map(|x| x.id.clone())
        .collect();
    Ok((b, ids))
}

/// The building file `src` with the plan applied: `bands` set on swapped hubs and one
/// `[[alt_han]]` table per planned installation appended.
pub fn apply(src: &str, plan: &Plan) -> Result<String, ApplyError> {
    let mut doc: DocumentMut = src
        .parse()
        .map_err(|e: toml_edit::TomlError| ApplyError::Toml(e.to_string()))?;
    for p in plan.plans.iter().filter(|p| p.fix == Fix::DualBandHub) {
        let hub = doc
            .get_mut("premises")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| {
                a.iter_mut()
                    .find(|t| t.get("id").and_then(Item::as_str) == Some(p.id.as_str()))
            })
            .and_then(|t| t.get_mut("devices"))
            .and_then(Item::as_array_mut)
            .and_then(|devs| {
                devs.iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|d| d.get("kind").and_then(Value::as_str) == Some("chf"))
            })
            .ok_or_else(|| ApplyError::Missing(p.id.clone()))?;
        let bands: Array = Band::ALL.iter().map(|b| b.label()).collect();
        hub.insert("bands", Value::Array(bands));
    }
    if plan.installations.is_empty() {
        return Ok(doc.to_string());
    }
    if !doc.contains_key("alt_han") {
        doc.insert("alt_han", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let list = doc
        .get_mut("alt_han")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| ApplyError::Toml("alt_han is not an array of tables".to_string()))?;
    for (k, inst) in plan.installations.iter().enumerate() {
        let mut t = Table::new();
        if k == 0 {
            t.decor_mut()
                .set_prefix("\n# Alt HAN equipment planned by `han plan` (docs/alt-han.md).\n");
        }
        t.insert("id", toml_edit::value(inst.id.as_str()));
        t.insert("kind", toml_edit::value(inst.kind.name()));
        t.insert("backhaul", toml_edit::value(inst.backhaul.name()));
        let mut serves: Array = inst.serves.iter().map(String::as_str).collect();
        if serves.len() > SERVES_PER_LINE {
            // One line per few premises keeps a big shared installation readable.
            for (i, v) in serves.iter_mut().enumerate() {
                let prefix = if i % SERVES_PER_LINE == 0 {
                    "\n  "
                } else {
                    " "
                };
                v.decor_mut().set_prefix(prefix);
            }
            serves.set_trailing("\n");
            serves.set_trailing_comma(true);
        }
        t.insert("serves", toml_edit::value(serves));
        let mut units = Array::new();
        for u in &inst.units {
            let mut it = InlineTable::new();
            it.insert("id", u.id.as_str().into());
            it.insert("floor", i64::from(u.level).into());
            it.insert("at", floats(&u.at));
            it.insert("height_m", u.height_m.into());
            let mut v = Value::InlineTable(it);
            v.decor_mut().set_prefix("\n  ");
            units.push_formatted(v);
        }
        units.set_trailing("\n");
        units.set_trailing_comma(true);
        t.insert("units", toml_edit::value(units));
        list.push(t);
    }
    Ok(doc.to_string())
}
