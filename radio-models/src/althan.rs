//! Alt HAN parts of a building file: costs, planner settings, equipment zones and installed
//! Alt HAN equipment (point-to-point repeater pairs and shared installations).
use crate::building::Device;
use crate::geometry::{P2, P3};
use serde::{Deserialize, Serialize};

/// Costs the Alt HAN planner weighs, in one currency unit (say GBP). The defaults are working
/// assumptions: no public price list for Alt HAN equipment was found (domain.md 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    /// One unit of a point-to-point repeater pair.
    pub p2p_unit: f64,
    /// One radio unit of a shared installation.
    pub shared_unit: f64,
    /// Head-end of a shared installation (controller, design, commissioning), once per building.
    pub shared_head_end: f64,
    /// An installer's visit to one premises (P2P pair or hub swap).
    pub install_visit: f64,
    /// Joining one premises to a shared installation (remote commissioning).
    pub shared_connection: f64,
    /// Shared backbone cable, per metre from a unit to the riser.
    pub backbone_per_m: f64,
    /// Shared backbone in the riser, per storey it spans.
    pub backbone_per_floor: f64,
    /// Wired backhaul of a P2P pair, per metre of cable.
    pub wired_per_m: f64,
    /// Powerline backhaul of a P2P pair (adapters), per pair.
    pub powerline_pair: f64,
    /// Longest powerline backhaul that works, metres of cable.
    pub powerline_max_m: f64,
    /// 868 MHz point-to-point radio backhaul of a P2P pair (radios, antennas), per pair.
    pub radio_868_pair: f64,
    /// Swapping a 2.4 GHz-only comms hub for a dual-band one (equipment; the visit is extra).
    pub dual_band_hub: f64,
    /// Most a premises' fix may cost; dearer premises go on the Exempt Premises List.
    pub ceiling: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            p2p_unit: 150.0,
            shared_unit: 250.0,
            shared_head_end: 1500.0,
            install_visit: 120.0,
            shared_connection: 40.0,
            backbone_per_m: 15.0,
            backbone_per_floor: 200.0,
            wired_per_m: 8.0,
            powerline_pair: 60.0,
            powerline_max_m: 80.0,
            radio_868_pair: 90.0,
            dual_band_hub: 90.0,
            ceiling: 2000.0,
        }
    }
}

impl Costs {
    /// (key, value) of every cost, in file order (for validation messages and reports).
    pub fn entries(&self) -> [(&'static str, f64); 13] {
        [
            ("p2p_unit", self.p2p_unit),
            ("shared_unit", self.shared_unit),
            ("shared_head_end", self.shared_head_end),
            ("install_visit", self.install_visit),
            ("shared_connection", self.shared_connection),
            ("backbone_per_m", self.backbone_per_m),
            ("backbone_per_floor", self.backbone_per_floor),
            ("wired_per_m", self.wired_per_m),
            ("powerline_pair", self.powerline_pair),
            ("powerline_max_m", self.powerline_max_m),
            ("radio_868_pair", self.radio_868_pair),
            ("dual_band_hub", self.dual_band_hub),
            ("ceiling", self.ceiling),
        ]
    }
}

/// Settings of the Alt HAN planner's candidate search.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlannerSettings {
    /// Spacing of the candidate grid laid over every floor, metres.
    pub grid_m: f64,
    /// Antenna height of planned units above their floor, metres (capped below the ceiling).
    pub unit_height_m: f64,
}

impl Default for PlannerSettings {
    fn default() -> Self {
        PlannerSettings {
            grid_m: 2.0,
            unit_height_m: 2.0,
        }
    }
}

/// What a zone of the plan is, for Alt HAN equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZoneKind {
    /// A vertical service riser: offers a position, and carries a shared backbone between floors.
    Riser,
    /// A common corridor or landing: offers a position.
    Corridor,
    /// A meter room or cupboard: offers a position.
    MeterRoom,
    /// No equipment may go here (a flat whose owner declined, a fire escape, a listed wall).
    Forbidden,
}

impl ZoneKind {
    /// Name as written in building files.
    pub fn name(self) -> &'static str {
        match self {
            ZoneKind::Riser => "riser",
            ZoneKind::Corridor => "corridor",
            ZoneKind::MeterRoom => "meter-room",
            ZoneKind::Forbidden => "forbidden",
        }
    }
}

/// A plan rectangle on a range of floors.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Kind.
    pub kind: ZoneKind,
    /// Lowest floor index.
    pub floor_lo: usize,
    /// Highest floor index.
    pub floor_hi: usize,
    /// South-west corner.
    pub lo: P2,
    /// North-east corner.
    pub hi: P2,
}

impl Zone {
    /// The zone covers plan point `p` on floor index `floor` (edges included).
    pub fn contains(&self, floor: usize, p: P2) -> bool {
        (self.floor_lo..=self.floor_hi).contains(&floor)
            && p.x >= self.lo.x
            && p.x <= self.hi.x
            && p.y >= self.lo.y
            && p.y <= self.hi.y
    }

    /// Centre of the rectangle.
    pub fn centre(&self) -> P2 {
        P2 {
            x: (self.lo.x + self.hi.x) / 2.0,
            y: (self.lo.y + self.hi.y) / 2.0,
        }
    }
}

/// Which Alt HAN arrangement an installation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallationKind {
    /// Two units serving one premises ("simple" Alt HAN).
    P2pPair,
    /// Units on floors or in risers joined by a backbone, serving many premises.
    Shared,
}

impl InstallationKind {
    /// Name as written in building files.
    pub fn name(self) -> &'static str {
        match self {
            InstallationKind::P2pPair => "p2p-pair",
            InstallationKind::Shared => "shared",
        }
    }
}

/// How the units of an installation reach each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backhaul {
    /// A cable (data pair or Ethernet); always works.
    Wired,
    /// Powerline adapters on the premises' supply; works up to `powerline_max_m` of cable.
    Powerline,
    /// A point-to-point 868 MHz radio link; works where that link closes.
    #[serde(rename = "radio-868")]
    Radio868,
}

impl Backhaul {
    /// Name as written in building files.
    pub fn name(self) -> &'static str {
        match self {
            Backhaul::Wired => "wired",
            Backhaul::Powerline => "powerline",
            Backhaul::Radio868 => "radio-868",
        }
    }
}

/// Alt HAN equipment installed (or planned) in the building.
#[derive(Debug, Clone, PartialEq)]
pub struct Installation {
    /// Id, unique among installations.
    pub id: String,
    /// Arrangement.
    pub kind: InstallationKind,
    /// Link between the units.
    pub backhaul: Backhaul,
    /// Premises ids whose HAN it carries.
    pub serves: Vec<String>,
    /// Radio units (kind `p2p-repeater` or `alt-han-node`).
    pub units: Vec<Device>,
}

impl Installation {
    /// The installation carries premises `id`.
    pub fn serves(&self, id: &str) -> bool {
        self.serves.iter().any(|s| s == id)
    }
}

/// Length of cable between two points run along walls and up a riser: |dx| + |dy| + |dz|.
pub fn cable_length(a: P3, b: P3) -> f64 {
    (a.x - b.x).abs() + (a.y - b.y).abs() + (a.z - b.z).abs()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ZoneDef {
    pub kind: ZoneKind,
    pub floor: Option<toml::Spanned<i32>>,
    pub floors: Option<toml::Spanned<[i32; 2]>>,
    pub from: [f64; 2],
    pub to: [f64; 2],
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InstallationDef {
    pub id: toml::Spanned<String>,
    pub kind: InstallationKind,
    pub backhaul: Backhaul,
    pub serves: toml::Spanned<Vec<toml::Spanned<String>>>,
    pub units: toml::Spanned<Vec<UnitDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitDef {
    pub id: toml::Spanned<String>,
    pub floor: toml::Spanned<i32>,
    pub at: toml::Spanned<[f64; 2]>,
    pub height_m: Option<toml::Spanned<f64>>,
    pub enclosure: Option<toml::Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cable_runs_along_walls() {
        let a = P3 {
            x: 0.0,
            y: 0.0,
            z: 0.0,
        };
        let b = P3 {
            x: 3.0,
            y: -4.0,
            z: 2.5,
        };
        assert_eq!(cable_length(a, b), 9.5);
    }

    #[test]
    fn zone_edges_are_inside() {
        let z = Zone {
            kind: ZoneKind::Forbidden,
            floor_lo: 1,
            floor_hi: 2,
            lo: P2 { x: 0.0, y: 0.0 },
            hi: P2 { x: 2.0, y: 1.0 },
        };
        assert!(z.contains(1, P2 { x: 2.0, y: 1.0 }));
        assert!(!z.contains(0, P2 { x: 1.0, y: 0.5 }));
        assert!(!z.contains(2, P2 { x: 2.1, y: 0.5 }));
        assert_eq!(z.centre(), P2 { x: 1.0, y: 0.5 });
    }
}

#[cfg(test)]
mod file_tests {
    use crate::building::{Building, BuildingError};
    use crate::bundled;
    use crate::survey::Verdict;

    const FARM: &str = bundled::ALL[2].1;

    /// The farmhouse with a P2P pair: one unit by the lane, one in the house.
    fn with_pair(backhaul: &str, lane_x: f64) -> String {
        format!(
            r#"{FARM}
[costs]
ceiling = 1500.0
[planner]
grid_m = 1.0
[[zone]]
kind = "forbidden"
floor = 1
from = [30.0, 0.0]
to = [42.0, 7.0]
[[alt_han]]
id = "farm-pair"
kind = "p2p-pair"
backhaul = "{backhaul}"
serves = ["high-barn-farm"]
units = [
  {{ id = "farm-u1", floor = 0, at = [{lane_x}, 5.0], height_m = 2.0 }},
  {{ id = "farm-u2", floor = 0, at = [40.0, 3.0], height_m = 2.0 }},
]
"#
        )
    }

    fn err(src: &str) -> BuildingError {
        Building::from_toml("f.toml", src).unwrap_err()
    }

    #[test]
    fn sections_parse() {
        let b = Building::from_toml("f.toml", &with_pair("wired", 2.0)).unwrap();
        assert_eq!(b.costs.ceiling, 1500.0);
        assert_eq!(b.costs.p2p_unit, super::Costs::default().p2p_unit);
        assert_eq!(b.planner.grid_m, 1.0);
        assert_eq!(b.zones.len(), 1);
        assert_eq!(b.zones[0].floor_lo, 1);
        let i = &b.alt_han[0];
        assert_eq!(i.units[1].pos.z, 2.0);
        assert_eq!(i.units[0].kind, crate::device::DeviceKind::P2pRepeater);
        assert!(i.serves("high-barn-farm"));
    }

    #[test]
    fn a_pair_makes_the_farmhouse_ok() {
        let b = Building::from_toml("f.toml", &with_pair("wired", 2.0)).unwrap();
        let r = b.survey_premises(&b.premises[0]);
        assert_eq!(r.verdict, Verdict::OkAltHan, "{}", r.reason);
        assert!(r.reason.contains("farm-pair"), "{}", r.reason);
        // The legs are listed among the links.
        assert!(
            r.links
                .iter()
                .any(|l| l.to == "farm-u2" || l.from == "farm-u2")
        );
    }

    #[test]
    fn a_backhaul_that_does_not_work_carries_nothing() {
        // 38 m of cable is over a 20 m powerline limit.
        let src = with_pair("powerline", 2.0).replace(
            "ceiling = 1500.0",
            "ceiling = 1500.0\npowerline_max_m = 20.0",
        );
        let b = Building::from_toml("f.toml", &src).unwrap();
        assert_eq!(
            b.survey_premises(&b.premises[0]).verdict,
            Verdict::NeedsAltHan
        );
        let b = Building::from_toml("f.toml", &with_pair("powerline", 2.0)).unwrap();
        assert_eq!(b.survey_premises(&b.premises[0]).verdict, Verdict::OkAltHan);
    }

    #[test]
    fn units_out_of_reach_carry_nothing() {
        // Both units in the house: nothing hears the hub in its steel box by the lane.
        let b = Building::from_toml("f.toml", &with_pair("wired", 38.0)).unwrap();
        assert_eq!(
            b.survey_premises(&b.premises[0]).verdict,
            Verdict::NeedsAltHan
        );
    }

    #[test]
    fn bad_sections_are_located() {
        let e = err(&with_pair("wired", 2.0).replace("ceiling = 1500.0", "ceiling = -5.0"));
        assert!(e.message.contains("ceiling"), "{e}");
        let e = err(&with_pair("wired", 2.0).replace(
            "serves = [\"high-barn-farm\"]",
            "serves = [\"high-barn-fram\"]",
        ));
        assert!(e.message.contains("unknown premises"), "{e}");
        assert!(e.hint.contains("did you mean \"high-barn-farm\""), "{e}");
        let e = err(&with_pair("wired", 2.0).replace("kind = \"p2p-pair\"", "kind = \"p2p\""));
        assert!(e.message.contains("unknown variant"), "{e}");
        let e = err(&with_pair("wired", 2.0).replace("id = \"farm-u2\"", "id = \"ihd\""));
        assert!(e.message.contains("duplicate"), "{e}");
        let one_unit = with_pair("wired", 2.0).replace(
            "  { id = \"farm-u2\", floor = 0, at = [40.0, 3.0], height_m = 2.0 },\n",
            "",
        );
        let e = err(&one_unit);
        assert!(e.message.contains("wrong number of units"), "{e}");
        assert!(e.hint.contains("exactly 2 units"), "{e}");
        // A shared installation may have one unit.
        assert!(
            Building::from_toml("f.toml", &one_unit.replace("\"p2p-pair\"", "\"shared\"")).is_ok()
        );
        let e = err(&with_pair("wired", 2.0).replace("floor = 1\nfrom", "floor = 4\nfrom"));
        assert!(e.message.contains("floor 4"), "{e}");
        let e = err(&with_pair("wired", 2.0).replace("grid_m = 1.0", "grid_m = 0.0"));
        assert!(e.message.contains("grid_m"), "{e}");
    }
}
