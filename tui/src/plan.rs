//! The floor plan: heat map cells, walls by material, links by margin, devices and labels.
use crate::app::{App, Pending, Selection, Tab};
use crate::geom::Mapping;
use crate::heat::HeatMap;
use crate::theme::{Grade, Theme};
use han_radio::building::Device;
use han_radio::device::DeviceKind;
use han_radio::units::Band;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use std::collections::HashSet;

/// Columns per metre from which every device is labelled, not only the focused premises'.
const LABEL_ALL_SX: f64 = 4.0;

/// One-letter mark of a device kind (upper case on its floor, lower case seen from another).
pub fn mark(kind: DeviceKind) -> char {
    match kind {
        DeviceKind::Chf => 'H',
        DeviceKind::Esme => 'E',
        DeviceKind::Gsme => 'G',
        DeviceKind::Ihd => 'I',
        DeviceKind::Ppmid => 'P',
        DeviceKind::Hcalcs => 'L',
        DeviceKind::P2pRepeater => 'R',
        DeviceKind::AltHanNode => 'A',
    }
}

/// The worst grade of a device's surveyed links in `band` (None: it has none).
pub fn device_grade(app: &App, id: &str, band: Band) -> Option<Grade> {
    app.project
        .report
        .premises
        .iter()
        .flat_map(|p| &p.links)
        .filter(|l| l.band == band && (l.from == id || l.to == id))
        .map(Grade::of_link)
        .min()
}

/// How device `id` is labelled next to premises `pid`'s: `ihd` for `pid-ihd`, `u1` for a unit
/// of an Alt HAN installation `althan-…-u1`.
fn label<'a>(app: &App, pid: &str, id: &'a str) -> &'a str {
    match app.project.unit(id) {
        Some((inst, _)) => short_id(&inst.id, id),
        None => short_id(pid, id),
    }
}

/// `flat-0a-ihd` shown as `ihd` inside its own premises.
fn short_id<'a>(premises: &str, id: &'a str) -> &'a str {
    id.strip_prefix(premises)
        .and_then(|s| s.strip_prefix('-'))
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
}

struct Canvas<'a> {
    buf: &'a mut Buffer,
    area: Rect,
    walls: HashSet<(u16, u16)>,
    taken: HashSet<(u16, u16)>,
}

impl Canvas<'_> {
    fn inside(&self, c: u16, r: u16) -> bool {
        c >= self.area.x && r >= self.area.y && c < self.area.right() && r < self.area.bottom()
    }

    fn put(&mut self, c: u16, r: u16, ch: char, fg: Color, modifier: Modifier) {
        if !self.inside(c, r) {
            return;
        }
        if let Some(cell) = self.buf.cell_mut((c, r)) {
            cell.set_char(ch);
            cell.set_fg(fg);
            cell.modifier = modifier;
        }
    }

    /// Like `put`, on a dark background so it reads over any heat colour.
    fn badge(&mut self, c: u16, r: u16, ch: char, fg: Color, bg: Color, modifier: Modifier) {
        self.put(c, r, ch, fg, modifier);
        if let Some(cell) = self
            .buf
            .cell_mut((c, r))
            .filter(|_| self.area.contains((c, r).into()))
        {
            cell.set_bg(bg);
        }
    }

    /// Cells along the segment between two fractional screen points, with the glyph for its slope.
    fn segment(from: (f64, f64), to: (f64, f64)) -> (Vec<(i64, i64)>, usize) {
        let (dc, dr) = (to.0 - from.0, to.1 - from.1);
        let n = (dc.abs().max(dr.abs()) * 2.0).ceil().max(1.0) as usize;
        let mut cells: Vec<(i64, i64)> = Vec::with_capacity(n + 1);
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let c = (from.0 + t * dc).floor() as i64;
            let r = (from.1 + t * dr).floor() as i64;
            if cells.last() != Some(&(c, r)) {
                cells.push((c, r));
            }
        }
        // Slope in cells: 0 horizontal, 1 vertical, 2 rising (╱), 3 falling (╲).
        let kind = if dr.abs() * 2.0 < dc.abs() {
            0
        } else if dc.abs() * 2.0 < dr.abs() {
            1
        } else if (dc > 0.0) == (dr < 0.0) {
            2
        } else {
            3
        };
        (cells, kind)
    }
}

/// Screen cells along the segment between two fractional screen points.
pub fn track(from: (f64, f64), to: (f64, f64)) -> Vec<(i64, i64)> {
    Canvas::segment(from, to).0
}

fn wall_glyphs(material: &str, loss: f64) -> [char; 4] {
    if material.contains("glass") {
        ['┄', '┆', '╱', '╲']
    } else if material.contains("door") {
        ['╍', '╏', '╱', '╲']
    } else if loss >= 15.0 {
        ['━', '┃', '╱', '╲']
    } else {
        ['─', '│', '╱', '╲']
    }
}

/// Draws the plan of `app.floor` into `area` with mapping `m`.
pub fn draw(app: &App, heat: Option<&HeatMap>, m: &Mapping, th: &Theme, buf: &mut Buffer) {
    let area = m.area;
    let b = &app.project.building;
    let [lo, hi] = b.plan_bounds(app.floor);
    let mut cv = Canvas {
        buf,
        area,
        walls: HashSet::new(),
        taken: HashSet::new(),
    };
    // Floor area: heat colours, or a faint dot grid.
    for r in area.top()..area.bottom() {
        for c in area.left()..area.right() {
            let (x, y) = m.world(c, r);
            let inside = x >= lo.x && x <= hi.x && y >= lo.y && y <= hi.y;
            if !inside {
                continue;
            }
            let Some(cell) = cv.buf.cell_mut((c, r)) else {
                continue;
            };
            match heat
                .filter(|_| app.heat)
                .and_then(|h| h.at(x, y).map(|v| h.bucket(f64::from(v))))
            {
                Some(i) => {
                    cell.set_bg(th.heat(i));
                }
                None => {
                    cell.set_char('·');
                    cell.set_fg(th.floor_dot());
                }
            }
        }
    }
    // Walls.
    let sel_wall = match app.selection {
        Selection::Wall(i) => Some(i),
        _ => None,
    };
    for (i, w) in b.walls.walls().iter().enumerate() {
        if w.floor != app.floor {
            continue;
        }
        let mat = b.materials.get(w.material);
        let loss = mat.loss(Band::Ghz2_4).0;
        let glyphs = wall_glyphs(&mat.name, loss);
        let fg = if mat.name.contains("glass") {
            th.window()
        } else if mat.name.contains("door") {
            th.door()
        } else {
            th.wall(loss)
        };
        let modifier = if sel_wall == Some(i) {
            Modifier::REVERSED | Modifier::BOLD
        } else {
            Modifier::empty()
        };
        let (cells, kind) = Canvas::segment(m.cell_f(w.a.x, w.a.y), m.cell_f(w.b.x, w.b.y));
        for (c, r) in cells {
            let (Ok(c), Ok(r)) = (u16::try_from(c), u16::try_from(r)) else {
                continue;
            };
            if cv.inside(c, r) {
                cv.put(c, r, glyphs[kind], fg, modifier);
                cv.walls.insert((c, r));
            }
        }
    }
    if let Pending::Wall { start } = app.pending {
        let (cells, kind) = Canvas::segment(
            m.cell_f(start.0, start.1),
            m.cell_f(app.cursor.0, app.cursor.1),
        );
        let g = ['─', '│', '╱', '╲'][kind];
        for (c, r) in cells {
            if let (Ok(c), Ok(r)) = (u16::try_from(c), u16::try_from(r)) {
                cv.put(c, r, g, th.accent(), Modifier::BOLD);
            }
        }
    }
    // Links of the focused premises, in the shown band.
    let focus = b.premises.get(app.premises);
    let report = app.project.report.premises.get(app.premises);
    // The focused premises' devices and the Alt HAN units serving it (the legs of its relays).
    let find = |id: &str| {
        focus.and_then(|p| {
            let units = b
                .alt_han
                .iter()
                .filter(|i| i.serves(&p.id))
                .flat_map(|i| &i.units);
            p.devices.iter().chain(units).find(|d| d.id == id)
        })
    };
    let mut ghosts: Vec<&Device> = Vec::new();
    if let (Some(_), Some(r)) = (focus, report) {
        for l in r.links.iter().filter(|l| l.band == app.band) {
            let (Some(a), Some(z)) = (find(&l.from), find(&l.to)) else {
                continue;
            };
            if a.floor != app.floor && z.floor != app.floor {
                continue;
            }
            for d in [a, z] {
                if d.floor != app.floor && !ghosts.iter().any(|g| g.id == d.id) {
                    ghosts.push(d);
                }
            }
            let selected = app.selection == Selection::Link(l.from.clone(), l.to.clone())
                || app.selection == Selection::Link(l.to.clone(), l.from.clone());
            let (ch, modifier) = if selected {
                ('●', Modifier::BOLD)
            } else {
                ('•', Modifier::BOLD)
            };
            let (cells, _) =
                Canvas::segment(m.cell_f(a.pos.x, a.pos.y), m.cell_f(z.pos.x, z.pos.y));
            let fg = th.grade(Grade::of_link(l));
            for (c, r) in cells {
                let (Ok(c), Ok(r)) = (u16::try_from(c), u16::try_from(r)) else {
                    continue;
                };
                if !cv.walls.contains(&(c, r)) {
                    cv.badge(c, r, ch, fg, th.badge(), modifier);
                }
            }
        }
    }
    // Devices: ghosts (focused premises, other floors) dim and lower case, then this floor's.
    let mut labels: Vec<(u16, u16, String, bool)> = Vec::new();
    for g in &ghosts {
        if let Some((c, r)) = m.cell(g.pos.x, g.pos.y) {
            let ch = mark(g.kind).to_ascii_lowercase();
            cv.badge(c, r, ch, th.dim(), th.badge(), Modifier::BOLD);
            cv.taken.insert((c, r));
            let pid = focus.map_or("", |p| p.id.as_str());
            labels.push((
                c,
                r,
                format!("{}@L{}", label(app, pid, &g.id), app.project.level(g.floor)),
                false,
            ));
        }
    }
    let selected_id = match &app.selection {
        Selection::Device(id) => Some(id.as_str()),
        _ => None,
    };
    let mut on_floor: Vec<(bool, u16, u16, String)> = Vec::new();
    // Each premises' devices, then each Alt HAN installation's units ("focused" when it
    // serves the focused premises).
    let owners = b
        .premises
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                focus.is_some_and(|f| f.id == p.id),
                &p.devices,
            )
        })
        .chain(b.alt_han.iter().map(|i| {
            let serves = focus.is_some_and(|f| i.serves(&f.id));
            (i.id.as_str(), serves, &i.units)
        }));
    for (owner, focused, devices) in owners {
        for d in devices.iter().filter(|d| d.floor == app.floor) {
            let Some((c, r)) = m.cell(d.pos.x, d.pos.y) else {
                continue;
            };
            let fg = device_grade(app, &d.id, app.band).map_or(
                if matches!(d.kind, DeviceKind::P2pRepeater | DeviceKind::AltHanNode) {
                    th.accent()
                } else {
                    Color::White
                },
                |g| th.grade(g),
            );
            let mut modifier = Modifier::BOLD;
            if selected_id == Some(d.id.as_str()) {
                modifier |= Modifier::REVERSED;
            }
            if !focused && cv.taken.contains(&(c, r)) {
                continue;
            }
            cv.badge(c, r, mark(d.kind), fg, th.badge(), modifier);
            cv.taken.insert((c, r));
            let label = if focused {
                short_id(owner, &d.id)
            } else {
                &d.id
            };
            let rank = selected_id == Some(d.id.as_str()) || focused;
            // Other homes' labels only once zoomed in far enough for them to fit.
            if rank || m.sx >= LABEL_ALL_SX {
                on_floor.push((rank, c, r, label.to_string()));
            }
        }
    }
    // Labels: selected and focused first; a label goes right or left of its mark, never over
    // another mark, label or wall.
    on_floor.sort_by_key(|(rank, ..)| !rank);
    let mut ordered: Vec<(u16, u16, String, bool)> = on_floor
        .into_iter()
        .map(|(rank, c, r, s)| (c, r, s, rank))
        .collect();
    ordered.extend(labels);
    for (c, r, text, strong) in ordered {
        let w = text.chars().count() as u16;
        let ok = |cells: &[(u16, u16)], cv: &Canvas| {
            cells.iter().all(|&(x, y)| {
                cv.inside(x, y) && !cv.taken.contains(&(x, y)) && !cv.walls.contains(&(x, y))
            })
        };
        let right: Vec<(u16, u16)> = (1..=w).map(|i| (c.saturating_add(i), r)).collect();
        let left: Vec<(u16, u16)> = if c >= w {
            (c - w..c).map(|x| (x, r)).collect()
        } else {
            Vec::new()
        };
        let spot = if ok(&right, &cv) {
            Some(right)
        } else if !left.is_empty() && ok(&left, &cv) {
            Some(left)
        } else {
            None
        };
        let Some(cells) = spot else { continue };
        let fg = if strong { Color::White } else { th.dim() };
        for ((x, y), ch) in cells.into_iter().zip(text.chars()) {
            if let Some(cell) = cv.buf.cell_mut((x, y)) {
                cell.set_char(ch);
                cell.set_style(Style::default().fg(fg).bg(th.label_bg()));
            }
            cv.taken.insert((x, y));
        }
    }
    // Cursor.
    if app.tab == Tab::Floor
        && let Some((c, r)) = m.cell(app.cursor.0, app.cursor.1)
        && let Some(cell) = cv.buf.cell_mut((c, r))
    {
        if cv.taken.contains(&(c, r)) {
            cell.modifier |= Modifier::UNDERLINED;
        } else {
            cell.set_char('┼');
            cell.set_fg(th.accent());
            cell.modifier = Modifier::BOLD;
        }
    }
}
