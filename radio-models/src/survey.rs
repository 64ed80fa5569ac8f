//! The HAN survey: required GB HAN links per premises, per band, and a verdict per premises.
use crate::althan::{Backhaul, Installation, cable_length};
use crate::building::{Building, Device, Premises};
use crate::device::DeviceKind;
use crate::geometry::Search;
use crate::link::Budget;
use crate::trace::Trace;
use crate::units::{Band, Db, Metres};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Verdict for one premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Every link closes at 2.4 GHz.
    #[serde(rename = "ok-2.4GHz")]
    Ok2g4,
    /// Some link needs the 868 MHz band of a dual-band hub, and every link closes on some band.
    #[serde(rename = "ok-868MHz")]
    Ok868,
    /// Every link closes directly or through Alt HAN equipment serving the premises.
    #[serde(rename = "ok-alt-han")]
    OkAltHan,
    /// At least one link closes on no band: an Alt HAN solution is needed.
    #[serde(rename = "needs-alt-han")]
    NeedsAltHan,
}

impl Verdict {
    /// Label as in the JSON.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok2g4 => "ok-2.4GHz",
            Verdict::Ok868 => "ok-868MHz",
            Verdict::OkAltHan => "ok-alt-han",
            Verdict::NeedsAltHan => "needs-alt-han",
        }
    }
}

/// One link in one band (the weaker direction of the two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkReport {
    /// Transmitting device id (of the weaker direction).
    pub from: String,
    /// Receiving device id.
    pub to: String,
    /// Band.
    pub band: Band,
    /// 3-D distance, m.
    pub distance_m: f64,
    /// Walls crossed by material.
    pub walls: BTreeMap<String, u32>,
    /// Floors (slabs) crossed.
    pub floors: u32,
    /// Enclosure losses of both ends, dB.
    pub enclosure_db: f64,
    /// Path loss, dB.
    pub path_loss_db: f64,
    /// Received power, dBm.
    pub rx_dbm: f64,
    /// Mean Wi-Fi interference at the receiver, dBm.
    pub interference_dbm: Option<f64>,
    /// SINR, dB.
    pub sinr_db: f64,
    /// Margin over sensitivity, dB.
    pub margin_db: f64,
    /// Packet error rate.
    pub per: f64,
    /// RSSI the receiver reports, dBm.
    pub rssi_dbm: i32,
    /// LQI the receiver reports.
    pub lqi: u8,
    /// The link closes (margin ≥ fade margin, PER ≤ 1 % after the fade).
    pub ok: bool,
}

/// Survey result of one premises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PremisesReport {
    /// Premises id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
    /// Links, pair by pair, 2.4 GHz before 868 MHz.
    pub links: Vec<LinkReport>,
}

/// Survey of a whole building.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyReport {
    /// Building name.
    pub building: String,
    /// Propagation model.
    pub model: String,
    /// 802.15.4 channel.
    pub channel_2g4: u8,
    /// Fade margin required, dB.
    pub fade_margin_db: f64,
    /// Premises in file order.
    pub premises: Vec<PremisesReport>,
}

fn r2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The device pairs a GB HAN needs in a premises: CHF with every meter/IHD/PPMID/HCALCS, and each
/// IHD/PPMID with each ESME (they read electricity data directly; gas comes from the GPF mirror).
pub fn required_pairs(p: &Premises) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let Some(ch) = p.devices.iter().position(|d| d.kind == DeviceKind::Chf) else {
        return pairs;
    };
    use DeviceKind::*;
    for (i, d) in p.devices.iter().enumerate() {
        if matches!(d.kind, Esme | Gsme | Ihd | Ppmid | Hcalcs) {
            pairs.push((ch, i));
        }
    }
    for (i, d) in p.devices.iter().enumerate() {
        if matches!(d.kind, Ihd | Ppmid) {
            for (e, m) in p.devices.iter().enumerate() {
                if m.kind == Esme {
                    pairs.push((i, e));
                }
            }
        }
    }
    pairs
}

/// A link that closes in both directions: the band and the weaker direction's margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hop {
    /// Band the link closes in.
    pub band: Band,
    /// Margin over sensitivity of the weaker direction.
    pub margin: Db,
}

/// A failing device pair carried by Alt HAN equipment.
#[derive(Debug, Clone, PartialEq)]
pub struct Relay {
    /// Installation id.
    pub installation: String,
    /// Leg from the pair's first device to the unit that hears it.
    pub leg_a: LinkReport,
    /// Leg from the pair's second device to the unit that hears it.
    pub leg_b: LinkReport,
}

impl Building {
    /// Whether `a` <-> `b` closes in `band` in both directions (margin of the weaker), skipping
    /// the wall trace when even the wall-free path cannot close.
    pub fn band_closes(&self, a: &Device, b: &Device, band: Band) -> Option<Db> {
        self.band_closes_traced(a, b, band, &mut None)
    }

    /// `band_closes` with the wall trace made at most once across calls sharing `trace`.
    fn band_closes_traced(
        &self,
        a: &Device,
        b: &Device,
        band: Band,
        trace: &mut Option<Trace>,
    ) -> Option<Db> {
        let (ra, rb) = (a.radio(band)?, b.radio(band)?);
        let encl = |d: &Device| {
            d.enclosure
                .map_or(Db(0.0), |m| self.materials.get(m).loss(band))
        };
        let enclosure = if crate::link::shared_enclosure(a, b) {
            Db(0.0)
        } else {
            encl(a) + encl(b)
        };
        let margins = |loss: Db| {
            let m = |tx: &crate::device::RadioParams, rx: &crate::device::RadioParams| {
                (tx.tx_power + tx.antenna_gain + rx.antenna_gain - loss - rx.sensitivity).0
            };
            m(ra, rb).min(m(rb, ra))
        };
        // Walls only add loss, so the path with its slabs but no walls bounds the received
        // power from above (the slabs crossed are the storey boundaries between the levels).
        let (lo, hi) = (a.floor.min(b.floor), a.floor.max(b.floor));
        let bare = Trace {
            distance: Metres(a.pos.distance(b.pos)),
            slabs: (lo..hi).map(|f| self.floors[f].slab).collect(),
            ..Trace::default()
        };
        if margins(self.path_loss(a.pos, b.pos, &bare, band) + enclosure) < self.fade_margin.0 {
            return None;
        }
        let t = trace
            .get_or_insert_with(|| self.trace(a.pos, a.floor, b.pos, b.floor, Search::Indexed));
        // The margin needs no interference figure; only links that pass it get full budgets.
        if margins(self.path_loss(a.pos, b.pos, t, band) + enclosure) < self.fade_margin.0 {
            return None;
        }
        let ab = self.budget(a, b, t, band)?;
        let ba = self.budget(b, a, t, band)?;
        (ab.ok(self.fade_margin) && ba.ok(self.fade_margin))
            .then(|| Db(ab.margin.0.min(ba.margin.0)))
    }

    /// The band in which `a` <-> `b` closes with the best margin, if any.
    pub fn link_closes(&self, a: &Device, b: &Device) -> Option<Hop> {
        let mut trace = None;
        Band::ALL
            .into_iter()
            .filter_map(|band| {
                Some(Hop {
                    band,
                    margin: self.band_closes_traced(a, b, band, &mut trace)?,
                })
            })
            .fold(None, |best: Option<Hop>, h| match best {
                Some(b) if b.margin.0 >= h.margin.0 => Some(b),
                _ => Some(h),
            })
    }

    /// Whether the backhaul joins units `u` and `v`: a cable always, powerline within
    /// `powerline_max_m` of cable, an 868 MHz radio link where it closes.
    pub fn backhaul_works(&self, backhaul: Backhaul, u: &Device, v: &Device) -> bool {
        match backhaul {
            Backhaul::Wired => true,
            Backhaul::Powerline => cable_length(u.pos, v.pos) <= self.costs.powerline_max_m,
            Backhaul::Radio868 => self.band_closes(u, v, Band::Mhz868).is_some(),
        }
    }

    /// Every unit of the installation reaches every other over its backhaul (possibly via others).
    pub fn installation_connected(&self, inst: &Installation) -> bool {
        let n = inst.units.len();
        let mut reached = vec![false; n];
        let mut stack = vec![0];
        if n > 0 {
            reached[0] = true;
        }
        while let Some(i) = stack.pop() {
            for (j, unit) in inst.units.iter().enumerate() {
                if !reached[j] && self.backhaul_works(inst.backhaul, &inst.units[i], unit) {
                    reached[j] = true;
                    stack.push(j);
                }
            }
        }
        reached.iter().all(|&r| r)
    }

    /// The best unit of `inst` hearing `d`, with the hop.
    fn best_unit<'a>(&self, inst: &'a Installation, d: &Device) -> Option<(&'a Device, Hop)> {
        inst.units
            .iter()
            .filter_map(|u| Some((u, self.link_closes(d, u)?)))
            .fold(None, |best: Option<(&Device, Hop)>, x| match best {
                Some(b) if b.1.margin.0 >= x.1.margin.0 => Some(b),
                _ => Some(x),
            })
    }

    /// Alt HAN equipment serving `p` that carries the pair (a, b): a unit hears each end and
    /// the units are joined by a working backhaul. Installations are tried in file order.
    pub fn relay(&self, p: &Premises, a: usize, b: usize) -> Option<Relay> {
        let (da, db) = (&p.devices[a], &p.devices[b]);
        self.alt_han
            .iter()
            .filter(|i| i.serves(&p.id) && self.installation_connected(i))
            .find_map(|i| {
                let (ua, ha) = self.best_unit(i, da)?;
                let (ub, hb) = self.best_unit(i, db)?;
                Some(Relay {
                    installation: i.id.clone(),
                    leg_a: self.link_report_between(da, ua, ha.band)?,
                    leg_b: self.link_report_between(db, ub, hb.band)?,
                })
            })
    }

    fn link_report(&self, p: &Premises, a: usize, b: usize, band: Band) -> Option<LinkReport> {
        self.link_report_between(&p.devices[a], &p.devices[b], band)
    }

    fn link_report_between(&self, da: &Device, db: &Device, band: Band) -> Option<LinkReport> {
        let t = self.trace(da.pos, da.floor, db.pos, db.floor, Search::Indexed);
        let ab = self.budget(da, db, &t, band)?;
        let ba = self.budget(db, da, &t, band)?;
        let fade = self.fade_margin;
        let worse_ba = (ba.ok(fade), ba.margin.0) < (ab.ok(fade), ab.margin.0);
        let (from, to, x): (_, _, &Budget) = if worse_ba {
            (db, da, &ba)
        } else {
            (da, db, &ab)
        };
        Some(LinkReport {
            from: from.id.clone(),
            to: to.id.clone(),
            band,
            distance_m: r2(t.distance.0),
            walls: self.walls_by_material(&t),
            floors: t.slabs.len() as u32,
            enclosure_db: r2(x.enclosure_loss.0),
            path_loss_db: r2(x.path_loss.0),
            rx_dbm: r2(x.rx.0),
            interference_dbm: x.interference.map(|i| r2(i.0)),
            sinr_db: r2(x.sinr.0),
            margin_db: r2(x.margin.0),
            per: x.per,
            rssi_dbm: x.rssi,
            lqi: x.lqi,
            ok: x.ok(fade),
        })
    }

    /// Surveys one premises.
    pub fn survey_premises(&self, p: &Premises) -> PremisesReport {
        let pairs = required_pairs(p);
        let mut links = Vec::new();
        // Per pair: which bands close.
        let mut closes: Vec<[bool; 2]> = Vec::new();
        for &(a, b) in &pairs {
            let mut c = [false; 2];
            for band in Band::ALL {
                if let Some(l) = self.link_report(p, a, b, band) {
                    c[band.index()] = l.ok;
                    links.push(l);
                }
            }
            closes.push(c);
        }
        let name = |(a, b): (usize, usize)| format!("{}-{}", p.devices[a].id, p.devices[b].id);
        let why = |a: usize, b: usize, band: Band| -> String {
            links
                .iter()
                .find(|l| {
                    l.band == band
                        && ((l.from == p.devices[a].id && l.to == p.devices[b].id)
                            || (l.from == p.devices[b].id && l.to == p.devices[a].id))
                })
                .map_or_else(
                    || format!("{} unsupported", band.label()),
                    |l| self.explain(l),
                )
        };
        let (verdict, reason) = if pairs.is_empty() {
            (
                Verdict::NeedsAltHan,
                "no comms hub (chf) or no device to reach in this premises".to_string(),
            )
        } else if closes.iter().all(|c| c[0]) {
            let min = links
                .iter()
                .filter(|l| l.band == Band::Ghz2_4)
                .map(|l| l.margin_db)
                .fold(f64::INFINITY, f64::min);
            (
                Verdict::Ok2g4,
                format!(
                    "all {} links close at 2.4 GHz (worst margin {min:.1} dB)",
                    pairs.len()
                ),
            )
        } else if closes.iter().all(|c| c[0] || c[1]) {
            let need: Vec<String> = pairs
                .iter()
                .zip(&closes)
                .filter(|(_, c)| !c[0])
                .map(|(&(a, b), _)| format!("{} ({})", name((a, b)), why(a, b, Band::Ghz2_4)))
                .collect();
            (
                Verdict::Ok868,
                format!("2.4 GHz fails on {}; 868 MHz closes", need.join("; ")),
            )
        } else if let Some(relays) = pairs
            .iter()
            .zip(&closes)
            .filter(|(_, c)| !c[0] && !c[1])
            .map(|(&(a, b), _)| self.relay(p, a, b).map(|r| (name((a, b)), r)))
            .collect::<Option<Vec<_>>>()
        {
            let mut via = Vec::new();
            for (pair, r) in relays {
                via.push(format!(
                    "{pair} via {} ({} -> {} {:.1} dB, {} -> {} {:.1} dB)",
                    r.installation,
                    r.leg_a.from,
                    r.leg_a.to,
                    r.leg_a.margin_db,
                    r.leg_b.from,
                    r.leg_b.to,
                    r.leg_b.margin_db
                ));
                links.extend([r.leg_a, r.leg_b]);
            }
            (
                Verdict::OkAltHan,
                format!("Alt HAN carries {}", via.join("; ")),
            )
        } else {
            let fail: Vec<String> = pairs
                .iter()
                .zip(&closes)
                .filter(|(_, c)| !c[0] && !c[1])
                .map(|(&(a, b), _)| format!("{} ({})", name((a, b)), why(a, b, Band::Mhz868)))
                .collect();
            (
                Verdict::NeedsAltHan,
                format!("no band closes {}", fail.join("; ")),
            )
        };
        PremisesReport {
            id: p.id.clone(),
            verdict,
            reason,
            links,
        }
    }

    /// Short cause of a link's result: margin, then distance, floors, walls, enclosure, Wi-Fi.
    fn explain(&self, l: &LinkReport) -> String {
        let mut parts = vec![
            format!("margin {:.1} dB", l.margin_db),
            format!("{:.0} m", l.distance_m),
        ];
        if l.floors > 0 {
            parts.push(format!(
                "{} floor{}",
                l.floors,
                if l.floors == 1 { "" } else { "s" }
            ));
        }
        if !l.walls.is_empty() {
            let w: Vec<String> = l.walls.iter().map(|(m, n)| format!("{n}x {m}")).collect();
            parts.push(w.join(" + "));
        }
        if l.enclosure_db > 0.0 {
            parts.push(format!("enclosure {:.0} dB", l.enclosure_db));
        }
        if let Some(i) = l.interference_dbm
            && l.margin_db >= self.fade_margin.0
        {
            parts.push(format!(
                "Wi-Fi at {i:.0} dBm leaves SINR {:.1} dB",
                l.sinr_db
            ));
        }
        parts.join(", ")
    }

    /// Surveys every premises, in file order.
    pub fn survey(&self) -> SurveyReport {
        SurveyReport {
            building: self.name.clone(),
            model: self.model.name().to_string(),
            channel_2g4: self.channel_2g4,
            fade_margin_db: self.fade_margin.0,
            premises: self
                .premises
                .par_iter()
                .map(|p| self.survey_premises(p))
                .collect(),
        }
    }
}

impl SurveyReport {
    /// Count of premises per verdict, in verdict order.
    pub fn counts(&self) -> [(Verdict, usize); 4] {
        [
            Verdict::Ok2g4,
            Verdict::Ok868,
            Verdict::OkAltHan,
            Verdict::NeedsAltHan,
        ]
        .map(|v| (v, self.premises.iter().filter(|p| p.verdict == v).count()))
    }

    fn summary(&self) -> String {
        self.counts()
            .iter()
            .map(|(v, n)| format!("{n} {}", v.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Plain-text report.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "HAN survey: {} (model {}, 802.15.4 channel {}, fade margin {} dB)\n{} premises: {}\n",
            self.building,
            self.model,
            self.channel_2g4,
            self.fade_margin_db,
            self.premises.len(),
            self.summary()
        );
        for p in &self.premises {
            s += &format!("\n{}  {}\n  {}\n", p.id, p.verdict.label(), p.reason);
            s += &format!(
                "  {:<26} {:<6} {:>6} {:>5} {:>3} {:>6} {:>7} {:>6} {:>6} {:>8}  ok\n",
                "link", "band", "dist", "walls", "fl", "loss", "rx", "sinr", "margin", "PER"
            );
            for l in &p.links {
                let walls: u32 = l.walls.values().sum();
                s += &format!(
                    "  {:<26} {:<6} {:>6.1} {:>5} {:>3} {:>6.1} {:>7.1} {:>6.1} {:>6.1} {:>8.1e}  {}\n",
                    format!("{} -> {}", l.from, l.to),
                    l.band.label(),
                    l.distance_m,
                    walls,
                    l.floors,
                    l.path_loss_db,
                    l.rx_dbm,
                    l.sinr_db,
                    l.margin_db,
                    l.per,
                    if l.ok { "yes" } else { "NO" }
                );
            }
        }
        s
    }

    /// Markdown report.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "# HAN survey: {}\n\nModel `{}`, 802.15.4 channel {}, fade margin {} dB. {} premises: {}.\n\n| premises | verdict | reason |\n|---|---|---|\n",
            self.building,
            self.model,
            self.channel_2g4,
            self.fade_margin_db,
            self.premises.len(),
            self.summary()
        );
        for p in &self.premises {
            s += &format!("| {} | `{}` | {} |\n", p.id, p.verdict.label(), p.reason);
        }
        for p in &self.premises {
            s += &format!(
                "\n## {} — `{}`\n\n| from | to | band | distance m | walls | floors | path loss dB | rx dBm | SINR dB | margin dB | PER | ok |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                p.id,
                p.verdict.label()
            );
            for l in &p.links {
                let walls: Vec<String> = l.walls.iter().map(|(m, n)| format!("{n}× {m}")).collect();
                s += &format!(
                    "| {} | {} | {} | {:.1} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1e} | {} |\n",
                    l.from,
                    l.to,
                    l.band.label(),
                    l.distance_m,
                    if walls.is_empty() {
                        "—".to_string()
                    } else {
                        walls.join(", ")
                    },
                    l.floors,
                    l.path_loss_db,
                    l.rx_dbm,
                    l.sinr_db,
                    l.margin_db,
                    l.per,
                    if l.ok { "✓" } else { "✗" }
                );
            }
        }
        s
    }

    /// JSON report (pretty).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
