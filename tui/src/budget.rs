//! A link budget line by line, every figure from han-radio (trace, profile, model, budget).
use han_radio::building::{Building, Device};
use han_radio::geometry::Search;
use han_radio::link::{bandwidth, noise_floor};
use han_radio::propagation::PathProfile;
use han_radio::units::{Band, Db};

/// One line of a budget: what, the figure, and a note.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What the line is (e.g. "path loss: walls").
    pub label: String,
    /// The figure with its unit, signed where it adds or takes away.
    pub value: String,
    /// Detail (counts, materials, thresholds).
    pub note: String,
}

/// `+1.5`, `-3.0`, and `+0.0` rather than `-0.0`.
fn signed(v: f64) -> String {
    let v = if v.abs() < 0.05 { 0.0 } else { v };
    format!("{v:+.1}")
}

fn line(label: impl Into<String>, value: impl Into<String>, note: impl Into<String>) -> Line {
    Line {
        label: label.into(),
        value: value.into(),
        note: note.into(),
    }
}

/// Outcome of a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Closes with the fade margin and PER ≤ 1 % after the fade.
    Closes,
    /// Above sensitivity, but not by the fade margin.
    Marginal,
    /// Below sensitivity.
    Fails,
}

/// The budget tx → rx in `band`, line by line, and its outcome; None if either lacks the band.
pub fn lines(b: &Building, tx: &Device, rx: &Device, band: Band) -> Option<(Vec<Line>, Outcome)> {
    let (pt, pr) = (tx.radio(band)?, rx.radio(band)?);
    let t = b.trace(tx.pos, tx.floor, rx.pos, rx.floor, Search::Indexed);
    let x = b.budget(tx, rx, &t, band)?;
    let full = b.profile(&t, band);
    let bare = PathProfile {
        wall_loss: Db(0.0),
        walls: 0,
        floors: 0,
        slab_loss: Db(0.0),
        ..full
    };
    let no_floors = PathProfile {
        floors: 0,
        slab_loss: Db(0.0),
        ..full
    };
    let model = &b.model;
    let l_dist = model.path_loss(&bare).0;
    let l_walls = model.path_loss(&no_floors).0 - l_dist;
    let l_floors = model.path_loss(&full).0 - l_dist - l_walls;
    let l_shadow = x.path_loss.0 - model.path_loss(&full).0;
    let mut v = vec![
        line(
            "TX power",
            format!("{:+.1} dBm", pt.tx_power.0),
            tx.id.clone(),
        ),
        line(
            "antenna gains",
            format!("{:+.1} dB", pt.antenna_gain.0 + pr.antenna_gain.0),
            format!(
                "{:+.1} dBi + {:+.1} dBi",
                pt.antenna_gain.0, pr.antenna_gain.0
            ),
        ),
        line(
            "path loss: distance",
            format!("{} dB", signed(-l_dist)),
            format!("{:.1} m, model {}", t.distance.0, model.name()),
        ),
    ];
    for (m, n) in b.walls_by_material(&t) {
        let each = b
            .materials
            .id(&m)
            .map_or(0.0, |id| b.materials.get(id).loss(band).0);
        v.push(line(
            format!("  wall {m}"),
            format!("{} dB", signed(-each * f64::from(n))),
            format!("{n} × {each:.1} dB"),
        ));
    }
    v.push(line(
        "path loss: walls",
        format!("{} dB", signed(-l_walls)),
        format!("{} crossed", t.walls.len()),
    ));
    let slab = t
        .slabs
        .first()
        .map_or(String::new(), |&m| b.materials.get(m).name.clone());
    v.push(line(
        "path loss: floors",
        format!("{} dB", signed(-l_floors)),
        if t.slabs.is_empty() {
            "same floor".to_string()
        } else {
            format!("{} × {slab}", t.slabs.len())
        },
    ));
    if b.shadowing.is_some() {
        v.push(line(
            "shadowing",
            format!("{} dB", signed(-l_shadow)),
            "seeded, log-normal",
        ));
    }
    v.push(line(
        "enclosures",
        format!("{} dB", signed(-x.enclosure_loss.0)),
        [tx, rx]
            .iter()
            .filter_map(|d| d.enclosure.map(|m| b.materials.get(m).name.clone()))
            .collect::<Vec<_>>()
            .join(" + "),
    ));
    v.push(line(
        "received",
        format!("{:.1} dBm", x.rx.0),
        format!("RSSI {} dBm, LQI {}", x.rssi, x.lqi),
    ));
    v.push(line(
        "noise floor",
        format!("{:.1} dBm", noise_floor(bandwidth(band), b.noise_figure).0),
        format!(
            "{:.0} kHz, NF {:.0} dB",
            bandwidth(band).0 / 1e3,
            b.noise_figure.0
        ),
    ));
    v.push(line(
        "Wi-Fi interference",
        x.interference
            .map_or("none".to_string(), |i| format!("{:.1} dBm", i.0)),
        "duty-weighted mean",
    ));
    v.push(line("SINR", format!("{:.1} dB", x.sinr.0), ""));
    v.push(line(
        "PER",
        format!("{:.1e}", x.per),
        format!("{} octets; {:.1e} after fade", b.packet_octets, x.per_faded),
    ));
    v.push(line(
        "sensitivity",
        format!("{:.1} dBm", pr.sensitivity.0),
        rx.id.clone(),
    ));
    v.push(line(
        "margin",
        format!("{} dB", signed(x.margin.0)),
        format!("needs ≥ {:.0} dB", b.fade_margin.0),
    ));
    let outcome = if x.ok(b.fade_margin) {
        Outcome::Closes
    } else if x.margin.0 >= 0.0 {
        Outcome::Marginal
    } else {
        Outcome::Fails
    };
    let verdict = match outcome {
        Outcome::Closes => "closes",
        Outcome::Marginal => "marginal: inside the fade margin",
        Outcome::Fails => "fails: below sensitivity",
    };
    v.push(line("verdict", verdict, ""));
    Some((v, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;

    #[test]
    fn lines_add_up_to_the_survey() {
        for (name, src) in bundled::ALL.iter().take(4) {
            let b = Building::from_toml(name, src).unwrap();
            let r = b.survey();
            for (p, pr) in b.premises.iter().zip(&r.premises) {
                for l in &pr.links {
                    let tx = p.devices.iter().find(|d| d.id == l.from).unwrap();
                    let rx = p.devices.iter().find(|d| d.id == l.to).unwrap();
                    let (lines, outcome) = lines(&b, tx, rx, l.band).unwrap();
                    let num = |label: &str| -> f64 {
                        let v = &lines.iter().find(|x| x.label == label).unwrap().value;
                        v.split_whitespace().next().unwrap().parse().unwrap()
                    };
                    // TX + gains - losses = received, to the rounding of the lines.
                    let sum = num("TX power")
                        + num("antenna gains")
                        + num("path loss: distance")
                        + num("path loss: walls")
                        + num("path loss: floors")
                        + lines
                            .iter()
                            .find(|x| x.label == "shadowing")
                            .map_or(0.0, |_| num("shadowing"))
                        + num("enclosures");
                    assert!((sum - l.rx_dbm).abs() < 0.3, "{name} {} {sum}", l.rx_dbm);
                    assert!((num("margin") - l.margin_db).abs() < 0.06);
                    assert_eq!(outcome == Outcome::Closes, l.ok);
                }
            }
        }
    }
}
