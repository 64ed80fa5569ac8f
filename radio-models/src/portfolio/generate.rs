//! The housing-stock generator: seeded building files drawn from the archetype table and mix.
use super::tables::{Archetype, ArchetypeTable, Era, Form, IhdPlace, MeterLocation, Mix};
use crate::link::wifi_rejection;
use crate::units::channel_centre_2g4;
use chacha20::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use std::fmt::Write;

/// Materials the generator writes itself (meter boxes, doors, risers); a table must keep them.
pub const REQUIRED_MATERIALS: &[&str] = &[
    "metal-meter-box",
    "timber-cupboard",
    "grp-meter-box",
    "gas-meter-box",
    "riser-cupboard",
    "metal-door",
    "block",
    "concrete",
];

/// 802.15.4 channels a comms hub chooses from (domain.md §2.1, channels 11-26).
const HUB_CHANNELS: [u8; 16] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
];
/// Wi-Fi channels GB routers mostly use (non-overlapping 1/6/11).
const WIFI_CHANNELS: [u8; 3] = [1, 6, 11];
/// Width of a block's core (stairs, lift, risers), m.
const CORE_M: f64 = 3.5;

/// One generated building file.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedBuilding {
    /// Id in the portfolio (also the file stem).
    pub id: String,
    /// Archetype name.
    pub archetype: String,
    /// Premises in the building.
    pub premises: usize,
    /// The building file (TOML, docs/building-format.md).
    pub toml: String,
}

/// A seeded random stream.
struct Draw(ChaCha8Rng);

impl Draw {
    fn new(seed: u64, stream: u64) -> Draw {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Draw(r)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [r0, r1].
    fn range(&mut self, r: [f64; 2]) -> f64 {
        r[0] + (r[1] - r[0]) * self.unit()
    }

    /// Uniform integer in [r0, r1].
    fn int(&mut self, r: [u32; 2]) -> u32 {
        r[0] + ((u64::from(self.0.next_u32()) * u64::from(r[1] - r[0] + 1)) >> 32) as u32
    }

    /// True with probability p.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index below n.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// One of the weighted items.
    fn pick<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (t, w) in items {
            if x < *w {
                return t;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

/// Building file text being written, and the Wi-Fi APs placed so far: (channel, duty, own).
struct Out(String, Vec<(u8, f64, bool)>);

impl Out {
    fn wall(&mut self, floors: (i32, i32), a: (f64, f64), b: (f64, f64), material: &str) {
        let key = if floors.0 == floors.1 {
            format!("floor = {}", floors.0)
        } else {
            format!("floors = [{}, {}]", floors.0, floors.1)
        };
        let _ = writeln!(
            self.0,
            "[[wall]]\n{key}\nfrom = [{:.2}, {:.2}]\nto = [{:.2}, {:.2}]\nmaterial = \"{material}\"",
            a.0, a.1, b.0, b.1
        );
    }

    fn rect(&mut self, floors: (i32, i32), x: [f64; 2], y: [f64; 2], material: &str) {
        let c = [(x[0], y[0]), (x[1], y[0]), (x[1], y[1]), (x[0], y[1])];
        for i in 0..4 {
            self.wall(floors, c[i], c[(i + 1) % 4], material);
        }
    }

    fn wifi(&mut self, d: &mut Draw, floor: i32, at: (f64, f64), own: bool) {
        let ch = WIFI_CHANNELS[d.below(WIFI_CHANNELS.len())];
        let duty = d.range([0.05, 0.3]);
        self.1.push((ch, duty, own));
        let _ = writeln!(
            self.0,
            "[[wifi]]\nfloor = {floor}\nat = [{:.2}, {:.2}]\nheight_m = 1.0\nchannel = {ch}\ntx_power_dbm = 20\nduty = {duty:.3}",
            at.0, at.1
        );
    }
}

/// A device line of a premises.
fn device(
    id: &str,
    kind: &str,
    floor: i32,
    at: (f64, f64),
    h: f64,
    enclosure: Option<&str>,
) -> String {
    let e = enclosure.map_or(String::new(), |e| format!(", enclosure = \"{e}\""));
    format!(
        "  {{ id = \"{id}\", kind = \"{kind}\", floor = {floor}, at = [{:.2}, {:.2}], height_m = {h:.2}{e} }},",
        at.0, at.1
    )
}

fn premises(out: &mut Out, id: &str, devices: &[String]) {
    let _ = writeln!(
        out.0,
        "[[premises]]\nid = \"{id}\"\ndevices = [\n{}\n]",
        devices.join("\n")
    );
}

/// The 802.15.4 channel a hub's energy scan at commissioning would pick: the one with the least
/// Wi-Fi energy leaking in (802.11 spectral mask, as link.rs), the household's own routers
/// weighted 1 and the others 0.1 (they are behind walls, roughly 10 dB further away).
fn quietest_channel(aps: &[(u8, f64, bool)]) -> u8 {
    let energy = |k: u8| -> f64 {
        aps.iter()
            .map(|&(ch, duty, own)| {
                let r = wifi_rejection(channel_centre_2g4(k), ch).0;
                duty * if own { 1.0 } else { 0.1 } * 10f64.powf(r / 10.0)
            })
            .sum()
    };
    HUB_CHANNELS
        .into_iter()
        .min_by(|&a, &b| energy(a).total_cmp(&energy(b)).then(a.cmp(&b)))
        .unwrap_or(HUB_CHANNELS[0])
}

/// The file's head: building, radio and the table's materials; then `body` (floors onwards).
fn finish(body: Out, d: &mut Draw, table: &ArchetypeTable, a: &Archetype, title: &str) -> String {
    let mut out = Out(String::new(), Vec::new());
    let seed = d.0.next_u64() >> 1;
    let ch = quietest_channel(&body.1);
    let _ = writeln!(
        out.0,
        "# Generated by han portfolio generate (archetype {}).\n[building]\nname = \"{title}\"\nmodel = \"multiwall\"",
        a.name
    );
    if a.shadowing_db > 0.0 {
        let _ = writeln!(
            out.0,
            "shadowing = {{ sigma_db = {:.1}, seed = {seed}, correlation_m = 5.0 }}",
            a.shadowing_db
        );
    }
    let _ = writeln!(out.0, "\n[radio]\nchannel_2g4 = {ch}\n");
    for m in &table.materials {
        let _ = writeln!(
            out.0,
            "[[material]]\nname = \"{}\"\nloss_db = {{ \"2.4GHz\" = {:?}, \"868MHz\" = {:?} }}",
            m.name, m.loss[0].0, m.loss[1].0
        );
    }
    out.0 + &body.0
}

fn floor(out: &mut Out, level: i32, h: f64, slab: &str) {
    let _ = writeln!(
        out.0,
        "[[floor]]\nlevel = {level}\nheight_m = {h:.2}\nslab = \"{slab}\""
    );
}

/// Where the IHD goes in a house of depth `d` (plus extension `ext`), width `w`, `s` storeys.
fn house_ihd(
    dr: &mut Draw,
    place: IhdPlace,
    d: f64,
    ext: f64,
    w: f64,
    s: i32,
) -> (i32, (f64, f64)) {
    match place {
        IhdPlace::Kitchen => (0, (d + ext - 1.0, dr.range([0.6, w - 0.6]))),
        IhdPlace::LivingRoom => (
            0,
            (dr.range([1.0, d * 0.5 - 0.5]), dr.range([1.5, w - 0.6])),
        ),
        IhdPlace::Bedroom => (
            s - 1,
            (dr.range([d * 0.5 + 0.5, d - 0.6]), dr.range([0.6, w - 0.6])),
        ),
    }
}

/// A house: one premises.
fn house(d: &mut Draw, table: &ArchetypeTable, a: &Archetype) -> (String, usize) {
    let era_name = d.pick(&a.eras).clone();
    let e: &Era = &table.eras[&era_name];
    let s = d.int(a.storeys) as i32;
    let h = d.range(a.storey_height_m);
    let w = d.range(a.width_m);
    let dp = d.range(a.depth_m);
    let ext = if d.chance(a.extension) {
        d.range(a.extension_depth_m)
    } else {
        0.0
    };
    let meter = *d.pick(&a.meters);
    let mut out = Out(String::new(), Vec::new());
    let title = format!(
        "{} house, {era_name}, {s} storey{}",
        a.name,
        if s == 1 { "" } else { "s" }
    );
    for lv in 0..s {
        floor(&mut out, lv, h, &e.slab);
    }
    let all = (0, s - 1);
    out.wall(all, (0.0, 0.0), (0.0, w), &e.external);
    out.wall(all, (dp, 0.0), (dp, w), &e.external);
    let side = |party: bool| {
        if party {
            e.party.as_str()
        } else {
            e.external.as_str()
        }
    };
    out.wall(all, (0.0, 0.0), (dp, 0.0), side(a.party_walls >= 1));
    out.wall(all, (0.0, w), (dp, w), side(a.party_walls == 2));
    // Spine wall between front and back rooms, hall partition, upstairs partitions.
    out.wall(all, (dp * 0.5, 0.0), (dp * 0.5, w), &e.internal);
    out.wall((0, 0), (0.0, 1.0), (dp * 0.5, 1.0), &e.partition);
    if s > 1 {
        out.wall((1, s - 1), (dp * 0.5, w * 0.5), (dp, w * 0.5), &e.partition);
    } else {
        out.wall((0, 0), (dp * 0.5, w * 0.5), (dp, w * 0.5), &e.partition);
    }
    if ext > 0.0 {
        let y0 = w * 0.4;
        out.wall((0, 0), (dp, y0), (dp + ext, y0), &e.external);
        out.wall((0, 0), (dp + ext, y0), (dp + ext, w), &e.external);
        out.wall((0, 0), (dp, w), (dp + ext, w), side(a.party_walls == 2));
    }
    // Meters and hub.
    let (mfloor, mat, mh, encl): (i32, (f64, f64), f64, Option<&str>) = match meter {
        MeterLocation::ExternalBox => (
            0,
            (-0.25, d.range([0.4, w - 0.4])),
            1.0,
            Some("grp-meter-box"),
        ),
        MeterLocation::Garage => {
            let gap = d.range(a.garage_gap_m);
            let (g0, g1) = (w + gap, w + gap + 3.0);
            if gap > 0.0 {
                out.wall((0, 0), (0.0, g0), (5.5, g0), "block");
            }
            out.wall((0, 0), (5.5, g0), (5.5, g1), "block");
            out.wall((0, 0), (5.5, g1), (0.0, g1), "block");
            out.wall((0, 0), (0.0, g1), (0.0, g0), "metal-door");
            (0, (5.0, g0 + 2.6), 1.5, None)
        }
        MeterLocation::Outbuilding => {
            // A 3 m x 3 m block outbuilding (or the post's box) behind the house.
            let gap = d.range(a.outbuilding_gap_m);
            let x0 = dp + ext + gap;
            out.rect((0, 0), [x0, x0 + 3.0], [0.0, 3.0], "block");
            (0, (x0 + 2.6, 1.5), 1.2, Some("metal-meter-box"))
        }
        _ => (
            0,
            (dp * 0.5 - 0.5 - d.range([0.0, 1.0]), 0.5),
            1.0,
            Some("timber-cupboard"),
        ),
    };
    let mut devs = vec![
        device("ch", "chf", mfloor, mat, mh, encl),
        device("esme", "esme", mfloor, (mat.0 + 0.1, mat.1), mh - 0.3, encl),
    ];
    if d.chance(a.gas) {
        if d.chance(a.gas_external) {
            // On any outside wall that is not a party wall: front, back, or a free side.
            let mut walls = vec![0, 1];
            if a.party_walls == 0 {
                walls.push(2);
            }
            if a.party_walls < 2 {
                walls.push(3);
            }
            let at = match walls[d.below(walls.len())] {
                0 => (-0.25, d.range([0.3, w - 0.3])),
                1 => {
                    let y = d.range([0.3, w - 0.3]);
                    (
                        if ext > 0.0 && y > w * 0.4 {
                            dp + ext
                        } else {
                            dp
                        } + 0.25,
                        y,
                    )
                }
                2 => (d.range([0.5, dp - 0.5]), -0.25),
                _ => (d.range([0.5, dp - 0.5]), w + 0.25),
            };
            devs.push(device("gsme", "gsme", 0, at, 0.3, Some("gas-meter-box")));
        } else {
            devs.push(device(
                "gsme",
                "gsme",
                mfloor,
                (mat.0 + 0.3, mat.1),
                0.3,
                encl,
            ));
        }
    }
    let place = *d.pick(&a.ihd);
    let (ifl, iat) = house_ihd(d, place, dp, ext, w, s);
    devs.push(device("ihd", "ihd", ifl, iat, 1.0, None));
    if d.chance(a.ppmid) {
        devs.push(device("ppmid", "ppmid", 0, (0.8, 0.6), 1.4, None));
    }
    if d.chance(a.wifi_own) {
        let at = (d.range([0.5, dp * 0.5]), d.range([0.5, w - 0.5]));
        out.wifi(d, 0, at, true);
    }
    for k in 0..d.int(a.wifi_neighbours) {
        let lv = d.below(s as usize) as i32;
        let x = d.range([0.5, dp - 0.5]);
        let at = match a.party_walls {
            0 if k % 2 == 0 => (x, -d.range([6.0, 15.0])),
            0 => (dp + d.range([8.0, 15.0]), d.range([0.0, w])),
            1 => (x, -d.range([1.5, 4.0])),
            _ if k % 2 == 0 => (x, -d.range([1.5, 4.0])),
            _ => (x, w + d.range([1.5, 4.0])),
        };
        out.wifi(d, lv, at, false);
    }
    premises(&mut out, "home", &devs);
    (finish(out, d, table, a, &title), 1)
}

/// A block of flats: up to `cap` premises.
fn flats(d: &mut Draw, table: &ArchetypeTable, a: &Archetype, cap: usize) -> (String, usize) {
    let era_name = d.pick(&a.eras).clone();
    let e: &Era = &table.eras[&era_name];
    let s = d.int(a.storeys) as i32;
    let h = d.range(a.storey_height_m);
    let fw = d.range(a.width_m);
    let fd = d.range(a.depth_m);
    let fpf = d.int(a.flats_per_floor) as usize;
    let rows = if fpf >= 2 { 2 } else { 1 };
    let cols = fpf.div_ceil(rows);
    let c = a.corridor_m;
    let xc = cols as f64 * fw;
    let (xe, ye) = (xc + CORE_M, rows as f64 * fd + c);
    let meter = *d.pick(&a.meters);
    let steel = d.chance(a.steel_cabinets);
    let shared = |usual: &'static str| if steel { "metal-meter-box" } else { usual };
    let mut out = Out(String::new(), Vec::new());
    let title = format!("{}, {era_name}, {s} storeys, {fpf} flats per floor", a.name);
    let basement = meter == MeterLocation::BasementMeterRoom;
    if basement {
        floor(&mut out, -1, 2.8, &e.slab);
        out.rect((-1, -1), [0.0, xe], [0.0, ye], "concrete");
        out.wall((-1, -1), (xc, 0.0), (xc, ye), "concrete");
    }
    for lv in 0..s {
        floor(&mut out, lv, h, &e.slab);
    }
    let all = (0, s - 1);
    out.rect(all, [0.0, xe], [0.0, ye], &e.external);
    out.wall(all, (0.0, fd), (xc, fd), &e.internal);
    if rows == 2 {
        out.wall(all, (0.0, fd + c), (xc, fd + c), &e.internal);
    }
    out.wall(all, (xc, 0.0), (xc, ye), &e.party);
    for k in 1..cols {
        let x = k as f64 * fw;
        out.wall(all, (x, 0.0), (x, fd), &e.party);
        if rows == 2 {
            out.wall(all, (x, fd + c), (x, ye), &e.party);
        }
    }
    for k in 0..cols {
        let x = (k as f64 + 0.5) * fw;
        out.wall(all, (x, 0.0), (x, fd), &e.partition);
        if rows == 2 {
            out.wall(all, (x, fd + c), (x, ye), &e.partition);
        }
    }
    let mut n = 0usize;
    'levels: for lv in 0..s {
        for j in 0..fpf {
            if n == cap {
                break 'levels;
            }
            let (row, col) = (j / cols, j % cols);
            let x0 = col as f64 * fw;
            // Corridor side and window side of the flat.
            let (door_y, far_y, inward) = if row == 0 {
                (fd, 0.0, -1.0)
            } else {
                (fd + c, ye, 1.0)
            };
            let slot = |k: usize| (xc + 0.4 + (k % 7) as f64 * 0.4, 0.4 + (k / 7) as f64 * 0.5);
            let (mf, mat, encl): (i32, (f64, f64), Option<&str>) = match meter {
                MeterLocation::RiserCupboard => (lv, slot(j), Some(shared("riser-cupboard"))),
                MeterLocation::CommunalCupboard => (0, slot(n), Some(shared("timber-cupboard"))),
                MeterLocation::BasementMeterRoom => {
                    (-1, slot(n), steel.then_some("metal-meter-box"))
                }
                MeterLocation::ExternalBox => {
                    (0, (0.3 + n as f64 * 0.5, -0.25), Some("grp-meter-box"))
                }
                _ => (
                    lv,
                    (x0 + 0.6, door_y + inward * 0.5),
                    Some("timber-cupboard"),
                ),
            };
            let id = format!("flat-{lv}{}", (b'a' + (j % 26) as u8) as char);
            let mut devs = vec![
                device(&format!("{id}-ch"), "chf", mf, mat, 1.4, encl),
                device(
                    &format!("{id}-esme"),
                    "esme",
                    mf,
                    (mat.0 + 0.1, mat.1),
                    1.1,
                    encl,
                ),
            ];
            if d.chance(a.gas) {
                let (gf, gat, ge) =
                    if meter == MeterLocation::ExternalBox && d.chance(a.gas_external) {
                        (0, (0.5 + n as f64 * 0.5, -0.25), Some("gas-meter-box"))
                    } else {
                        (mf, (mat.0 + 0.2, mat.1), encl)
                    };
                devs.push(device(&format!("{id}-gsme"), "gsme", gf, gat, 0.3, ge));
            }
            let iat = match *d.pick(&a.ihd) {
                IhdPlace::Kitchen => (x0 + fw * 0.5 + 0.6, (door_y + far_y) * 0.5),
                IhdPlace::LivingRoom => (x0 + d.range([1.0, fw - 1.0]), far_y - inward * 1.0),
                IhdPlace::Bedroom => (x0 + fw - 0.8, far_y - inward * 0.8),
            };
            devs.push(device(&format!("{id}-ihd"), "ihd", lv, iat, 1.0, None));
            if d.chance(a.ppmid) {
                devs.push(device(
                    &format!("{id}-ppmid"),
                    "ppmid",
                    lv,
                    (x0 + 1.0, door_y + inward * 0.6),
                    1.4,
                    None,
                ));
            }
            if d.chance(a.wifi_own) {
                let at = (x0 + d.range([1.0, fw - 1.0]), (door_y + far_y) * 0.5);
                out.wifi(d, lv, at, true);
            }
            premises(&mut out, &id, &devs);
            n += 1;
        }
    }
    for _ in 0..d.int(a.wifi_neighbours) {
        let lv = d.below(s as usize) as i32;
        let at = (-d.range([1.5, 4.0]), d.range([0.0, ye]));
        out.wifi(d, lv, at, false);
    }
    (finish(out, d, table, a, &title), n)
}

/// Premises per archetype for `total` premises: the mix shares, rounded by largest remainder.
pub fn targets(mix: &Mix, total: usize) -> Vec<(String, usize)> {
    let exact: Vec<f64> = mix.shares.iter().map(|(_, s)| s * total as f64).collect();
    let mut n: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..n.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = total - n.iter().sum::<usize>();
    for &i in order.iter().take(short) {
        n[i] += 1;
    }
    mix.shares
        .iter()
        .zip(n)
        .map(|((a, _), k)| (a.clone(), k))
        .collect()
}

/// Generates buildings holding `total` premises in the mix's shares, shuffled, ids b000001...
/// Building k of archetype i uses its own random stream, so the same seed and tables always give
/// the same files.
pub fn generate(
    table: &ArchetypeTable,
    mix: &Mix,
    total: usize,
    seed: u64,
) -> Vec<GeneratedBuilding> {
    let mut all: Vec<(String, usize, String)> = Vec::new();
    for (ai, (name, want)) in targets(mix, total).into_iter().enumerate() {
        let Some(a) = table.get(&name) else { continue };
        let mut have = 0;
        let mut k = 0u64;
        while have < want {
            let mut d = Draw::new(seed, (ai as u64) << 40 | k);
            let (toml, n) = match a.form {
                Form::House => house(&mut d, table, a),
                Form::Flats => flats(&mut d, table, a, want - have),
            };
            have += n;
            k += 1;
            all.push((name.clone(), n, toml));
        }
    }
    // Fisher-Yates on its own stream: shards then get a fair mix of archetypes.
    let mut d = Draw::new(seed, u64::MAX);
    for i in (1..all.len()).rev() {
        let j = d.below(i + 1);
        all.swap(i, j);
    }
    all.into_iter()
        .enumerate()
        .map(|(i, (archetype, premises, toml))| GeneratedBuilding {
            id: format!("b{:06}", i + 1),
            archetype,
            premises,
            toml,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::Building;

    fn tables() -> (ArchetypeTable, Mix) {
        let t = ArchetypeTable::default_table().unwrap();
        let m = Mix::default_mix(&t).unwrap();
        (t, m)
    }

    #[test]
    fn targets_sum_and_follow_shares() {
        let (_, m) = tables();
        let t = targets(&m, 1000);
        assert_eq!(t.iter().map(|(_, n)| n).sum::<usize>(), 1000);
        assert_eq!(t[0], ("terraced".to_string(), 280));
        assert_eq!(
            t.iter().find(|(a, _)| a == "high-rise-tower").unwrap().1,
            20
        );
    }

    #[test]
    fn generated_buildings_parse_and_count() {
        let (t, m) = tables();
        let g = generate(&t, &m, 400, 7);
        assert_eq!(g.iter().map(|b| b.premises).sum::<usize>(), 400);
        for b in &g {
            let parsed =
                Building::from_toml(&b.id, &b.toml).unwrap_or_else(|e| panic!("{e}\n{}", b.toml));
            assert_eq!(parsed.premises.len(), b.premises, "{}", b.id);
        }
        for (name, n) in targets(&m, 400) {
            let got: usize = g
                .iter()
                .filter(|b| b.archetype == name)
                .map(|b| b.premises)
                .sum();
            assert_eq!(got, n, "{name}");
        }
    }

    #[test]
    fn same_seed_same_files_other_seed_other_files() {
        let (t, m) = tables();
        assert_eq!(generate(&t, &m, 150, 3), generate(&t, &m, 150, 3));
        assert_ne!(generate(&t, &m, 150, 3), generate(&t, &m, 150, 4));
    }
}
