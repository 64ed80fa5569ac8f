//! Built-in building materials with per-band penetration losses (sources in docs/radio-models.md).
use crate::units::{Band, Db};

/// A material: name and one-pass penetration loss per band.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// Name used in building files (kebab-case).
    pub name: String,
    /// Loss at 2.4 GHz and at 868 MHz, indexed by `Band::index`.
    pub loss: [Db; 2],
}

impl Material {
    /// Loss of one crossing in `band`.
    pub fn loss(&self, band: Band) -> Db {
        self.loss[band.index()]
    }
}

/// Built-in table: (name, dB at 2.4 GHz, dB at 868 MHz). See docs/radio-models.md for where each comes from.
pub const BUILTIN: &[(&str, f64, f64)] = &[
    ("plasterboard", 3.0, 1.0),
    ("foil-backed-plasterboard", 12.0, 9.0),
    ("timber", 3.0, 1.5),
    ("timber-floor", 5.0, 2.5),
    ("glass", 5.0, 2.0),
    ("low-e-glass", 25.0, 20.0),
    ("brick", 6.0, 4.5),
    ("brick-cavity", 8.0, 5.5),
    ("block", 5.0, 3.0),
    ("stone", 16.0, 10.0),
    ("concrete", 11.5, 5.4),
    ("reinforced-concrete", 18.0, 10.0),
    ("metal-door", 15.0, 12.0),
    ("metal-meter-box", 20.0, 15.0),
    ("grp-meter-box", 2.0, 1.0),
    ("timber-cupboard", 3.0, 1.5),
    ("lift-shaft", 25.0, 18.0),
];

/// The materials known to a building: the built-in table plus file overrides, looked up by name.
#[derive(Debug, Clone)]
pub struct MaterialTable {
    items: Vec<Material>,
}

/// Index of a material in a `MaterialTable`.
pub type MaterialId = usize;

impl Default for MaterialTable {
    fn default() -> Self {
        MaterialTable {
            items: BUILTIN
                .iter()
                .map(|&(n, a, b)| Material {
                    name: n.to_string(),
                    loss: [Db(a), Db(b)],
                })
                .collect(),
        }
    }
}

impl MaterialTable {
    /// Adds a material or replaces the one with the same name.
    pub fn upsert(&mut self, m: Material) -> MaterialId {
        if let Some(i) = self.id(&m.name) {
            self.items[i] = m;
            i
        } else {
            self.items.push(m);
            self.items.len() - 1
        }
    }
    /// Looks a material up by name.
    pub fn id(&self, name: &str) -> Option<MaterialId> {
        self.items.iter().position(|m| m.name == name)
    }
    /// The material with this id.
    pub fn get(&self, id: MaterialId) -> &Material {
        &self.items[id]
    }
    /// All names, for "did you mean" hints.
    pub fn names(&self) -> Vec<&str> {
        self.items.iter().map(|m| m.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_ghz_never_loses_more() {
        for &(n, a, b) in BUILTIN {
            assert!(b < a, "{n}: 868 MHz loss must be below 2.4 GHz loss");
        }
    }

    #[test]
    fn upsert_overrides() {
        let mut t = MaterialTable::default();
        let id = t.id("brick").unwrap();
        let id2 = t.upsert(Material {
            name: "brick".into(),
            loss: [Db(1.0), Db(0.5)],
        });
        assert_eq!(id, id2);
        assert_eq!(t.get(id).loss(Band::Ghz2_4), Db(1.0));
    }
}
