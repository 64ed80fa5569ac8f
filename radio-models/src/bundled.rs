//! The bundled example buildings, embedded so `han survey` works from any directory.

/// (file name, TOML) of every bundled building, smallest first.
pub const ALL: &[(&str, &str)] = &[
    (
        "terraced-house.toml",
        include_str!("../../examples/buildings/terraced-house.toml"),
    ),
    (
        "semi-detached-garage.toml",
        include_str!("../../examples/buildings/semi-detached-garage.toml"),
    ),
    (
        "farmhouse.toml",
        include_str!("../../examples/buildings/farmhouse.toml"),
    ),
    (
        "flat-block.toml",
        include_str!("../../examples/buildings/flat-block.toml"),
    ),
    (
        "tower.toml",
        include_str!("../../examples/buildings/tower.toml"),
    ),
    (
        "tower-basement.toml",
        include_str!("../../examples/buildings/tower-basement.toml"),
    ),
];

/// The default building: the 6-storey block of 24 flats with a basement meter room.
pub const DEFAULT: (&str, &str) = ALL[3];

/// The large case used by the benchmark: the 20-storey tower.
pub const TOWER: (&str, &str) = ALL[4];

/// The tower with every meter in a basement meter room: the Alt HAN planning benchmark.
pub const TOWER_BASEMENT: (&str, &str) = ALL[5];

/// The bundled building of file name `file` (e.g. "flat-block.toml"), parsed.
pub fn building(file: &str) -> Option<crate::building::Building> {
    let (name, src) = ALL.iter().find(|(f, _)| *f == file)?;
    crate::building::Building::from_toml(name, src).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::Building;
    use crate::survey::SurveyReport;

    #[test]
    fn every_bundled_building_surveys() {
        for (name, src) in ALL {
            let b = Building::from_toml(name, src).unwrap_or_else(|e| panic!("{e}"));
            let r = b.survey();
            let json = r.to_json();
            let back: SurveyReport = serde_json::from_str(&json).unwrap();
            assert_eq!(back.premises.len(), b.premises.len());
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            for p in v["premises"].as_array().unwrap() {
                assert!(p["verdict"].is_string() && p["id"].is_string());
                for l in p["links"].as_array().unwrap() {
                    for k in [
                        "from",
                        "to",
                        "band",
                        "distance_m",
                        "walls",
                        "floors",
                        "path_loss_db",
                        "rx_dbm",
                        "sinr_db",
                        "margin_db",
                        "per",
                        "ok",
                    ] {
                        assert!(!l[k].is_null(), "{name}: link lacks {k}");
                    }
                }
            }
            assert!(!r.to_text().is_empty() && !r.to_markdown().is_empty());
        }
    }
}
