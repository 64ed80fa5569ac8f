//! The UI state and what every key and mouse action does to it.
use crate::althan::{Planning, Proposals};
use crate::geom::{Mapping, Viewport};
use crate::heat::HeatMap;
use crate::live::{Live, STEP};
use crate::project::Project;
use han_radio::building::Device;
use han_radio::device::DeviceKind;
use han_radio::material::BUILTIN;
use han_radio::survey::Verdict;
use han_radio::units::Band;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::path::PathBuf;

/// The tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Floors and premises with verdicts.
    Building,
    /// Floor plan, links, heat map, edits.
    Floor,
    /// Link budget / device settings.
    Inspector,
    /// Survey report, heat maps and JSON for the job sheet.
    Export,
    /// Alt HAN planner: proposals, accept or reject, cost and before/after.
    Plan,
    /// Live view of the mesh: the emulation stepwise, frames, delivery, IHD freshness.
    Live,
}

impl Tab {
    /// Every tab in order.
    pub const ALL: [Tab; 6] = [
        Tab::Building,
        Tab::Floor,
        Tab::Inspector,
        Tab::Export,
        Tab::Plan,
        Tab::Live,
    ];

    /// Title on the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Building => "Building",
            Tab::Floor => "Floor plan",
            Tab::Inspector => "Inspector",
            Tab::Export => "Export",
            Tab::Plan => "Alt HAN plan",
            Tab::Live => "Live",
        }
    }
}

/// What is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Nothing.
    None,
    /// A device, by id.
    Device(String),
    /// A required link, by its two device ids (survey order).
    Link(String, String),
    /// A resolved wall, by index.
    Wall(usize),
}

/// An edit in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// None.
    Idle,
    /// Moving device `id`; `before` is the source to undo to or cancel to.
    Moving {
        /// Device id.
        id: String,
        /// Source before the move.
        before: String,
    },
    /// Drawing a wall from `start` (plan metres) to the cursor.
    Wall {
        /// First end.
        start: (f64, f64),
    },
}

/// Seed of the Live view's run unless `han tui --seed` gives one (same seed, same screen
/// after the same keys).
pub const LIVE_SEED: u64 = 1;

/// Heat map cache key: (revision, device, floor, band).
type HeatKey = (u64, String, usize, Band);

/// The whole UI state.
pub struct App {
    /// The building.
    pub project: Project,
    /// Shown tab.
    pub tab: Tab,
    /// Floor index shown on the plan.
    pub floor: usize,
    /// Focused premises (index into the building's premises).
    pub premises: usize,
    /// Building view: show only premises that need Alt HAN.
    pub failing_only: bool,
    /// Building view: show only premises whose home is on this floor index.
    pub floor_filter: Option<usize>,
    /// Selected item.
    pub selection: Selection,
    /// Band for links and the heat map.
    pub band: Band,
    /// Heat map overlay on.
    pub heat: bool,
    /// Plan viewport.
    pub view: Viewport,
    /// Plan cursor, metres.
    pub cursor: (f64, f64),
    /// Edit mode on.
    pub edit: bool,
    /// Edit in progress.
    pub pending: Pending,
    /// Material used for new walls (index into the built-in table).
    pub brush: usize,
    /// Help overlay shown.
    pub help: bool,
    /// Message on the status bar.
    pub status: String,
    /// The user asked to quit once with unsaved changes.
    pub confirm_quit: bool,
    /// Leave the loop.
    pub quit: bool,
    /// Where Export writes.
    pub export_dir: PathBuf,
    /// Plan area and scale of the last frame (for the mouse and cursor steps).
    pub plan_map: Option<Mapping>,
    /// Tab bar hit boxes of the last frame.
    pub tab_boxes: Vec<(Tab, Rect)>,
    /// Premises list rows of the last frame: (row area, premises index).
    pub premises_rows: Vec<(Rect, usize)>,
    /// The Alt HAN planner's proposals, once run.
    pub proposals: Option<Proposals>,
    /// The Alt HAN planner at work on its worker thread.
    pub planning: Option<Planning>,
    /// The Live view's emulation (built when the tab is first shown, and again after edits).
    pub live: Option<Live>,
    /// Live view: the filter prompt has the keyboard.
    pub filter_edit: bool,
    /// Seed of the Live view's run (`han tui --seed`).
    pub live_seed: u64,
    live_rev: u64,
    drag_pan: Option<(u16, u16)>,
    heat_cache: Option<(HeatKey, Option<HeatMap>)>,
}

impl App {
    /// A fresh UI on `project`, on the Building tab, with the first failing premises focused.
    pub fn new(project: Project) -> App {
        let export_dir = export_dir_for(&project.save_path);
        let premises = project
            .report
            .premises
            .iter()
            .position(|p| p.verdict == Verdict::NeedsAltHan)
            .unwrap_or(0);
        let mut app = App {
            project,
            tab: Tab::Building,
            floor: 0,
            premises,
            failing_only: false,
            floor_filter: None,
            selection: Selection::None,
            band: Band::Ghz2_4,
            heat: true,
            view: Viewport {
                cx: 0.0,
                cy: 0.0,
                zoom: 1.0,
            },
            cursor: (0.0, 0.0),
            edit: false,
            pending: Pending::Idle,
            brush: 0,
            help: false,
            status: String::new(),
            confirm_quit: false,
            quit: false,
            export_dir,
            plan_map: None,
            tab_boxes: Vec::new(),
            premises_rows: Vec::new(),
            proposals: None,
            planning: None,
            live: None,
            filter_edit: false,
            live_seed: LIVE_SEED,
            live_rev: 0,
            drag_pan: None,
            heat_cache: None,
        };
        app.focus_premises(premises);
        app.status = format!(
            "{}: {} premises surveyed. Press ? for keys.",
            app.project.name,
            app.project.report.premises.len()
        );
        app
    }

    /// Floor the premises lives on: its first IHD/PPMID, else its hub, else floor 0.
    pub fn home_floor(&self, premises: usize) -> usize {
        let Some(p) = self.project.building.premises.get(premises) else {
            return 0;
        };
        p.devices
            .iter()
            .find(|d| matches!(d.kind, DeviceKind::Ihd | DeviceKind::Ppmid))
            .or(p.devices.first())
            .map_or(0, |d| d.floor)
    }

    /// The device that matters most in a premises: an end of its worst link, not the hub.
    pub fn worst_device(&self, premises: usize) -> Option<String> {
        let r = self.project.report.premises.get(premises)?;
        let worst = r
            .links
            .iter()
            .filter(|l| l.band == Band::Ghz2_4)
            .min_by(|a, b| a.margin_db.total_cmp(&b.margin_db))?;
        // The end an installer can move: the display or prepayment unit, else not the hub.
        let kind = |id: &str| self.project.device(id).map(|(_, d)| d.kind);
        let movable = |id: &str| {
            matches!(
                kind(id),
                Some(DeviceKind::Ihd | DeviceKind::Ppmid | DeviceKind::Hcalcs)
            )
        };
        Some(
            if movable(&worst.from)
                || (!movable(&worst.to) && kind(&worst.to) == Some(DeviceKind::Chf))
            {
                worst.from.clone()
            } else {
                worst.to.clone()
            },
        )
    }

    /// Focuses premises `i`: its home floor, the plan fitted.
    pub fn focus_premises(&mut self, i: usize) {
        self.premises = i.min(self.project.building.premises.len().saturating_sub(1));
        self.set_floor(self.home_floor(self.premises));
    }

    /// Shows floor `f` fitted to the screen, cursor in the middle.
    pub fn set_floor(&mut self, f: usize) {
        self.floor = f.min(self.project.building.floors.len().saturating_sub(1));
        let [lo, hi] = self.project.building.plan_bounds(self.floor);
        self.view = Viewport {
            cx: (lo.x + hi.x) / 2.0,
            cy: (lo.y + hi.y) / 2.0,
            zoom: 1.0,
        };
        if !matches!(self.pending, Pending::Moving { .. }) {
            self.cursor = (self.view.cx, self.view.cy);
        }
    }

    /// Plan size of the current floor, metres.
    pub fn floor_size(&self) -> (f64, f64) {
        let [lo, hi] = self.project.building.plan_bounds(self.floor);
        (hi.x - lo.x, hi.y - lo.y)
    }

    /// The device whose heat map is shown: the selected one, else the focused premises' hub.
    pub fn heat_source(&self) -> Option<&Device> {
        let b = &self.project.building;
        if let Selection::Device(id) = &self.selection
            && let Some(d) = self.project.find(id)
        {
            return Some(d);
        }
        if let Selection::Link(a, _) = &self.selection
            && let Some(d) = self.project.find(a)
        {
            return Some(d);
        }
        let p = b.premises.get(self.premises)?;
        p.devices
            .iter()
            .find(|d| d.kind == DeviceKind::Chf)
            .or(p.devices.first())
    }

    /// The heat map for the current source, floor and band (computed once per change).
    pub fn heat_map(&mut self) -> Option<&HeatMap> {
        let src = self.heat_source()?.id.clone();
        let key = (self.project.revision, src, self.floor, self.band);
        if self.heat_cache.as_ref().map(|(k, _)| k) != Some(&key) {
            let d = self.project.find(&key.1)?;
            let h = HeatMap::compute(&self.project.building, d, self.floor, self.band);
            self.heat_cache = Some((key, h));
        }
        self.heat_cache.as_ref()?.1.as_ref()
    }

    /// Index of the premises holding device `id`; for an Alt HAN unit, the focused premises
    /// if its installation serves it, else the first it serves.
    fn premises_of(&self, id: &str) -> Option<usize> {
        let b = &self.project.building;
        if let Some((inst, _)) = self.project.unit(id) {
            let focused = b.premises.get(self.premises).map(|p| p.id.as_str());
            if focused.is_some_and(|p| inst.serves(p)) {
                return Some(self.premises);
            }
            return inst.serves.first().and_then(|s| self.premises_of_id(s));
        }
        b.premises
            .iter()
            .position(|p| p.devices.iter().any(|d| d.id == id))
    }

    /// Selects device `id`, focusing its premises and floor, cursor on it.
    pub fn select_device(&mut self, id: &str) {
        let Some(d) = self.project.find(id) else {
            return;
        };
        let (floor, at) = (d.floor, (d.pos.x, d.pos.y));
        if let Some(p) = self.premises_of(id) {
            self.premises = p;
        }
        if floor != self.floor {
            self.set_floor(floor);
        }
        self.cursor = at;
        self.selection = Selection::Device(id.to_string());
        self.keep_cursor_in_view();
    }

    fn map(&self) -> Mapping {
        self.plan_map
            .map(|m| Mapping::new(m.area, self.view, self.floor_size()))
            .unwrap_or_else(|| Mapping::new(Rect::new(0, 0, 60, 20), self.view, self.floor_size()))
    }

    /// Re-centres the view on the cursor when the cursor reaches the plan's edge.
    fn keep_cursor_in_view(&mut self) {
        let m = self.map();
        let (c, r) = m.cell_f(self.cursor.0, self.cursor.1);
        let a = m.area;
        let (l, t) = (f64::from(a.x), f64::from(a.y));
        let (rr, b) = (l + f64::from(a.width), t + f64::from(a.height));
        if c < l + 1.0 || c >= rr - 1.0 {
            self.view.cx = self.cursor.0;
        }
        if r < t + 1.0 || r >= b - 1.0 {
            self.view.cy = self.cursor.1;
        }
    }

    /// Handles one key.
    pub fn on_key(&mut self, k: KeyEvent) {
        if k.kind == KeyEventKind::Release {
            return;
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && k.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        if self.filter_edit {
            self.on_filter_key(k);
            return;
        }
        let was_confirm = std::mem::take(&mut self.confirm_quit);
        if matches!(self.pending, Pending::Moving { .. }) {
            self.on_move_key(k);
            return;
        }
        match k.code {
            KeyCode::Char('?') | KeyCode::F(1) => self.help = true,
            KeyCode::Char('q') => {
                if self.project.dirty() && !was_confirm {
                    self.confirm_quit = true;
                    self.status = "Unsaved changes: q again quits without saving, s saves.".into();
                } else {
                    self.quit = true;
                }
            }
            KeyCode::Tab => self.cycle_tab(1),
            KeyCode::BackTab => self.cycle_tab(Tab::ALL.len() - 1),
            KeyCode::Char(c @ '1'..='6') => {
                self.set_tab(Tab::ALL[(c as usize) - ('1' as usize)]);
            }
            KeyCode::Char('u') => self.undo(),
            KeyCode::Char('U') => self.redo(),
            KeyCode::Char('r') if ctrl => self.redo(),
            KeyCode::Char('s') => self.save(),
            KeyCode::Char('b') => {
                self.band = match self.band {
                    Band::Ghz2_4 => Band::Mhz868,
                    Band::Mhz868 => Band::Ghz2_4,
                };
                self.status = format!("Band {}.", self.band.label());
            }
            _ => match self.tab {
                Tab::Building => self.on_building_key(k),
                Tab::Floor => self.on_floor_key(k),
                Tab::Inspector => self.on_inspector_key(k),
                Tab::Export => self.on_export_key(k),
                Tab::Plan => self.on_plan_key(k),
                Tab::Live => self.on_live_key(k),
            },
        }
    }

    /// Shows tab `t`; a wall being drawn on the plan is dropped.
    fn set_tab(&mut self, t: Tab) {
        if t != self.tab && matches!(self.pending, Pending::Wall { .. }) {
            self.pending = Pending::Idle;
            self.status = "Wall cancelled.".into();
        }
        self.tab = t;
        if t == Tab::Live {
            self.ensure_live();
        }
    }

    /// Builds the Live view's emulation of the building as it is now, unless it is current.
    fn ensure_live(&mut self) {
        if self.live.is_none() || self.live_rev != self.project.revision {
            self.live = Some(Live::new(&self.project.building, self.live_seed));
            self.live_rev = self.project.revision;
        }
    }

    /// Whether the Live view is running (the UI loop then ticks without waiting for a key).
    pub fn live_running(&self) -> bool {
        self.tab == Tab::Live && self.live.as_ref().is_some_and(|l| !l.paused)
    }

    fn on_live_key(&mut self, k: KeyEvent) {
        let Some(live) = self.live.as_mut() else {
            return;
        };
        match k.code {
            KeyCode::Char(' ') | KeyCode::Char('p') => {
                live.paused = !live.paused;
                self.status = if live.paused { "Paused." } else { "Running." }.into();
            }
            KeyCode::Char('.') | KeyCode::Char('n') => {
                live.paused = true;
                live.advance(STEP);
                self.status = format!("Stepped to {:.1} s.", live.now().as_secs_f64());
            }
            KeyCode::Char('+') | KeyCode::Char('=') | KeyCode::Char('-') => {
                live.speed = live.speed.shift(k.code != KeyCode::Char('-'));
                self.status = format!("Speed {}.", live.speed.label());
            }
            KeyCode::Char('/') | KeyCode::Char('f') => {
                self.filter_edit = true;
                self.status = "Filter: words matched in premises, device, cluster or decode; Enter keeps, Esc clears.".into();
            }
            KeyCode::Char('w') => {
                let bytes = live.capture();
                let path = self.export_dir.join("live.pcap");
                let r = std::fs::create_dir_all(&self.export_dir)
                    .and_then(|()| std::fs::write(&path, &bytes));
                self.status = match r {
                    Ok(()) => format!("Wrote {} ({} bytes).", path.display(), bytes.len()),
                    Err(e) => format!("Could not write {}: {e}", path.display()),
                };
            }
            _ => {}
        }
    }

    fn on_filter_key(&mut self, k: KeyEvent) {
        let Some(live) = self.live.as_mut() else {
            self.filter_edit = false;
            return;
        };
        match k.code {
            KeyCode::Enter => self.filter_edit = false,
            KeyCode::Esc => {
                live.filter.clear();
                self.filter_edit = false;
            }
            KeyCode::Backspace => {
                live.filter.pop();
            }
            KeyCode::Char(c) => live.filter.push(c),
            _ => {}
        }
    }

    fn cycle_tab(&mut self, by: usize) {
        let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
        self.set_tab(Tab::ALL[(i + by) % Tab::ALL.len()]);
    }

    /// Premises shown in the Building list, in order.
    pub fn listed_premises(&self) -> Vec<usize> {
        self.project
            .report
            .premises
            .iter()
            .enumerate()
            .filter(|(_, p)| !self.failing_only || p.verdict == Verdict::NeedsAltHan)
            .filter(|(i, _)| self.floor_filter.is_none_or(|f| self.home_floor(*i) == f))
            .map(|(i, _)| i)
            .collect()
    }

    fn on_building_key(&mut self, k: KeyEvent) {
        let list = self.listed_premises();
        let pos = list.iter().position(|&i| i == self.premises);
        let go = |delta: isize| -> Option<usize> {
            if list.is_empty() {
                return None;
            }
            let p = pos.map_or(0, |p| p as isize + delta);
            Some(list[p.clamp(0, list.len() as isize - 1) as usize])
        };
        let next = match k.code {
            KeyCode::Down | KeyCode::Char('j') => go(1),
            KeyCode::Up | KeyCode::Char('k') => go(-1),
            KeyCode::PageDown => go(10),
            KeyCode::PageUp => go(-10),
            KeyCode::Home => go(-100_000),
            KeyCode::End => go(100_000),
            KeyCode::Char('f') => {
                self.failing_only = !self.failing_only;
                self.status = if self.failing_only {
                    "Showing premises that need Alt HAN.".into()
                } else {
                    "Showing every premises.".into()
                };
                self.first_listed()
            }
            KeyCode::Left | KeyCode::Right => {
                // All floors, then each from the top down (the order of the floors list).
                let n = self.project.building.floors.len();
                let order: Vec<Option<usize>> = std::iter::once(None)
                    .chain((0..n).rev().map(Some))
                    .collect();
                let at = order
                    .iter()
                    .position(|f| *f == self.floor_filter)
                    .unwrap_or(0);
                let by = if k.code == KeyCode::Right {
                    1
                } else {
                    order.len() - 1
                };
                self.floor_filter = order[(at + by) % order.len()];
                self.status = match self.floor_filter {
                    None => "Premises on every floor.".into(),
                    Some(f) => format!("Premises at home on level {}.", self.project.level(f)),
                };
                self.first_listed()
            }
            KeyCode::Enter => {
                self.open_premises();
                None
            }
            _ => None,
        };
        if let Some(i) = next {
            self.premises = i;
            self.selection = Selection::None;
        }
    }

    /// The first listed premises, if the focused one is no longer listed.
    fn first_listed(&self) -> Option<usize> {
        let list = self.listed_premises();
        (!list.contains(&self.premises))
            .then(|| list.first().copied())
            .flatten()
    }

    /// Opens the focused premises on the floor plan with its weakest device selected.
    pub fn open_premises(&mut self) {
        self.focus_premises(self.premises);
        match self.worst_device(self.premises) {
            Some(id) => self.select_device(&id),
            None => self.selection = Selection::None,
        }
        self.tab = Tab::Floor;
        self.status = match self.project.report.premises.get(self.premises) {
            Some(p) => format!("{}: weakest device selected. Enter selects, e edits.", p.id),
            None => "This building has no premises.".into(),
        };
    }

    fn move_cursor(&mut self, dx: i32, dy: i32) {
        let (sx, sy) = self.map().step();
        self.cursor.0 += f64::from(dx) * sx;
        self.cursor.1 -= f64::from(dy) * sy;
        let [lo, hi] = self.project.building.plan_bounds(self.floor);
        self.cursor.0 = self.cursor.0.clamp(lo.x, hi.x);
        self.cursor.1 = self.cursor.1.clamp(lo.y, hi.y);
        self.keep_cursor_in_view();
    }

    fn arrows(k: &KeyEvent) -> Option<(i32, i32)> {
        let fast = if k.modifiers.contains(KeyModifiers::SHIFT) {
            5
        } else {
            1
        };
        match k.code {
            KeyCode::Left => Some((-fast, 0)),
            KeyCode::Right => Some((fast, 0)),
            KeyCode::Up => Some((0, -fast)),
            KeyCode::Down => Some((0, fast)),
            _ => None,
        }
    }

    fn zoom(&mut self, factor: f64) {
        self.view.zoom = (self.view.zoom * factor).clamp(0.5, 40.0);
        self.view.cx = self.cursor.0;
        self.view.cy = self.cursor.1;
    }

    fn on_floor_key(&mut self, k: KeyEvent) {
        if let Some((dx, dy)) = Self::arrows(&k) {
            self.move_cursor(dx, dy);
            return;
        }
        match k.code {
            KeyCode::Char('+') | KeyCode::Char('=') => self.zoom(1.5),
            KeyCode::Char('-') => self.zoom(1.0 / 1.5),
            KeyCode::Char('0') => self.set_floor(self.floor),
            KeyCode::Char('c') if !self.edit => {
                self.view.cx = self.cursor.0;
                self.view.cy = self.cursor.1;
            }
            KeyCode::PageUp | KeyCode::Char('>') => self.change_floor(1),
            KeyCode::PageDown | KeyCode::Char('<') => self.change_floor(-1),
            KeyCode::Char('h') => {
                self.heat = !self.heat;
                self.status = format!("Heat map {}.", if self.heat { "on" } else { "off" });
            }
            KeyCode::Enter => self.select_at_cursor(),
            KeyCode::Esc => {
                if self.pending != Pending::Idle {
                    self.pending = Pending::Idle;
                    self.status = "Cancelled.".into();
                } else if self.selection != Selection::None {
                    self.selection = Selection::None;
                } else {
                    self.edit = false;
                }
            }
            KeyCode::Char('n') => self.cycle_device(1),
            KeyCode::Char('p') => self.cycle_device(-1),
            KeyCode::Char('l') => self.cycle_link(),
            KeyCode::Char('i') => self.set_tab(Tab::Inspector),
            KeyCode::Char('e') => {
                self.edit = !self.edit;
                self.pending = Pending::Idle;
                self.status = if self.edit {
                    "Edit: m move, w wall, c material, x remove, r repeater, a Alt HAN node.".into()
                } else {
                    "Edit mode off.".into()
                };
            }
            _ if self.edit => self.on_edit_key(k),
            _ => {}
        }
    }

    fn change_floor(&mut self, by: i32) {
        let n = self.project.building.floors.len() as i32;
        let f = (self.floor as i32 + by).clamp(0, n - 1) as usize;
        if f != self.floor {
            self.set_floor(f);
            self.status = format!("Level {}.", self.project.level(f));
        }
    }

    /// Devices and Alt HAN units drawn on the current floor, in file order.
    pub fn floor_devices(&self) -> Vec<&Device> {
        let b = &self.project.building;
        b.premises
            .iter()
            .flat_map(|p| &p.devices)
            .chain(b.alt_han.iter().flat_map(|i| &i.units))
            .filter(|d| d.floor == self.floor)
            .collect()
    }

    fn cycle_device(&mut self, by: isize) {
        let ids: Vec<String> = self.floor_devices().iter().map(|d| d.id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        let cur = match &self.selection {
            Selection::Device(id) => ids.iter().position(|i| i == id),
            _ => None,
        };
        let n = ids.len() as isize;
        let next = cur.map_or(0, |c| (c as isize + by).rem_euclid(n) as usize);
        self.select_device(&ids[next]);
    }

    /// Required pairs of the focused premises, weakest first (margin in the shown band).
    pub fn link_pairs(&self) -> Vec<(String, String)> {
        let Some(r) = self.project.report.premises.get(self.premises) else {
            return Vec::new();
        };
        let mut links: Vec<_> = r.links.iter().filter(|l| l.band == self.band).collect();
        links.sort_by(|a, b| a.margin_db.total_cmp(&b.margin_db));
        let mut pairs: Vec<(String, String)> = Vec::new();
        for l in links.into_iter().chain(&r.links) {
            let same = |q: &(String, String)| {
                (q.0 == l.from && q.1 == l.to) || (q.0 == l.to && q.1 == l.from)
            };
            if !pairs.iter().any(same) {
                pairs.push((l.from.clone(), l.to.clone()));
            }
        }
        pairs
    }

    fn cycle_link(&mut self) {
        let pairs = self.link_pairs();
        if pairs.is_empty() {
            return;
        }
        let cur = match &self.selection {
            Selection::Link(a, b) => pairs
                .iter()
                .position(|(x, y)| (x, y) == (a, b) || (x, y) == (b, a)),
            _ => None,
        };
        let (a, b) = pairs[cur.map_or(0, |c| (c + 1) % pairs.len())].clone();
        self.status = format!("Link {a} – {b}. i opens the budget.");
        self.selection = Selection::Link(a, b);
    }

    /// Selects the device, link or wall nearest the cursor (within about a cell).
    pub fn select_at_cursor(&mut self) {
        let m = self.map();
        let (cw, ch) = m.step();
        let near = cw.max(ch) * 1.5;
        let (x, y) = self.cursor;
        let dev = self
            .floor_devices()
            .into_iter()
            .map(|d| (d.id.clone(), (d.pos.x - x).hypot(d.pos.y - y)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((id, d)) = dev
            && d <= near
        {
            self.select_device(&id);
            self.status = format!("{id} selected.");
            return;
        }
        if let Some((a, z)) = self.link_near((x, y), cw.max(ch)) {
            self.status = format!("Link {a} – {z}. i opens the budget.");
            self.selection = Selection::Link(a, z);
            return;
        }
        let walls = self.project.building.walls.walls();
        let wall = walls
            .iter()
            .enumerate()
            .filter(|(_, w)| w.floor == self.floor)
            .map(|(i, w)| (i, seg_distance((x, y), (w.a.x, w.a.y), (w.b.x, w.b.y))))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, d)) = wall
            && d <= cw.max(ch)
        {
            let name = &self.project.building.materials.get(walls[i].material).name;
            self.status = format!("Wall {i} ({name}) selected.");
            self.selection = Selection::Wall(i);
            return;
        }
        self.selection = Selection::None;
        self.status = "Nothing here.".into();
    }

    /// The focused premises' link drawn within `near` metres of `p` on this floor, if any
    /// (a link to another floor is drawn to its end's plan position).
    fn link_near(&self, p: (f64, f64), near: f64) -> Option<(String, String)> {
        let r = self.project.report.premises.get(self.premises)?;
        let pos = |id: &str| self.project.find(id).map(|d| (d.floor, d.pos));
        r.links
            .iter()
            .filter(|l| l.band == self.band)
            .filter_map(|l| {
                let ((fa, a), (fz, z)) = (pos(&l.from)?, pos(&l.to)?);
                if fa != self.floor && fz != self.floor {
                    return None;
                }
                let d = seg_distance(p, (a.x, a.y), (z.x, z.y));
                Some((d, l.from.clone(), l.to.clone()))
            })
            .filter(|(d, ..)| *d <= near)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, a, z)| (a, z))
    }

    fn on_inspector_key(&mut self, k: KeyEvent) {
        match k.code {
            KeyCode::Char('l') => self.cycle_link(),
            KeyCode::Char('n') => self.cycle_device(1),
            KeyCode::Char('p') => self.cycle_device(-1),
            KeyCode::Esc => self.tab = Tab::Floor,
            _ => {}
        }
    }

    fn on_export_key(&mut self, k: KeyEvent) {
        if k.code == KeyCode::Enter || k.code == KeyCode::Char('x') {
            self.status = match crate::export::write(&self.project, &self.export_dir) {
                Ok(files) => format!(
                    "Wrote {} files to {}.",
                    files.len(),
                    self.export_dir.display()
                ),
                Err(e) => format!("Export failed: {e}"),
            };
        }
    }

    fn on_plan_key(&mut self, k: KeyEvent) {
        if self.planning.is_some() && !matches!(k.code, KeyCode::Char('p') | KeyCode::Esc) {
            self.status = "Planning… Esc cancels.".into();
            return;
        }
        let n = self.proposals.as_ref().map_or(0, |p| p.plan.plans.len());
        match k.code {
            KeyCode::Char('p') => {
                if self.planning.is_some() {
                    self.status = "Already planning: Esc cancels.".into();
                } else {
                    self.planning = Some(Planning::start(&self.project));
                    self.status =
                        "Planning Alt HAN for the building as it is now… Esc cancels.".into();
                }
            }
            KeyCode::Esc if self.planning.is_some() => {
                self.planning = None;
                self.status = "Planning cancelled.".into();
            }
            KeyCode::Up | KeyCode::Char('k') => self.plan_cursor(-1, n),
            KeyCode::Down | KeyCode::Char('j') => self.plan_cursor(1, n),
            KeyCode::Home => self.plan_cursor(-(n as isize), n),
            KeyCode::End => self.plan_cursor(n as isize, n),
            KeyCode::Char('a') | KeyCode::Enter => {
                let Some(props) = self.proposals.as_mut() else {
                    self.status = "Press p to run the planner first.".into();
                    return;
                };
                self.status = match props.accept(&mut self.project) {
                    Ok(s) | Err(s) => s,
                };
                self.fix_selection();
            }
            KeyCode::Char('r') | KeyCode::Char('x') => {
                let Some(props) = self.proposals.as_mut() else {
                    self.status = "Press p to run the planner first.".into();
                    return;
                };
                self.status = match props.toggle_reject() {
                    Ok(s) | Err(s) => s,
                };
            }
            KeyCode::Char('o') => {
                if let Some(i) = self
                    .proposals
                    .as_ref()
                    .and_then(|p| p.current())
                    .and_then(|c| self.premises_of_id(&c.id))
                {
                    self.focus_premises(i);
                    self.open_premises();
                }
            }
            _ => {}
        }
    }

    /// Moves the plan list's highlight by `by` rows and shows that premises on the map.
    fn plan_cursor(&mut self, by: isize, n: usize) {
        let Some(props) = self.proposals.as_mut() else {
            return;
        };
        if n == 0 {
            return;
        }
        props.cursor = props.cursor.saturating_add_signed(by).min(n - 1);
        self.show_proposal();
    }

    /// Focuses the highlighted proposal's premises and shows the floor of its first unit (or
    /// its home).
    fn show_proposal(&mut self) {
        let Some(props) = self.proposals.as_ref() else {
            return;
        };
        let Some(id) = props.current().map(|c| c.id.clone()) else {
            return;
        };
        let level = props
            .installation(props.cursor)
            .and_then(|inst| inst.units.first())
            .map(|u| i64::from(u.level));
        if let Some(i) = self.premises_of_id(&id) {
            self.premises = i;
            let floor = level
                .and_then(|l| {
                    (0..self.project.building.floors.len()).find(|&f| self.project.level(f) == l)
                })
                .unwrap_or_else(|| self.home_floor(i));
            self.set_floor(floor);
        }
    }

    fn premises_of_id(&self, id: &str) -> Option<usize> {
        self.project
            .building
            .premises
            .iter()
            .position(|p| p.id == id)
    }

    /// Whether something runs without keys (the planner, the running Live view): the UI loop
    /// then ticks every 100 ms.
    pub fn busy(&self) -> bool {
        self.planning.is_some() || self.live_running()
    }

    /// One UI tick (every 100 ms while `busy`): the planner's result is taken when it is
    /// ready, and the running Live view runs a slice of virtual time.
    pub fn tick(&mut self) {
        if let Some(p) = self.planning.as_mut() {
            p.ticks += 1;
            if let Some(r) = p.poll() {
                self.planning = None;
                self.planned(r);
            }
        }
        if self.tab == Tab::Live
            && let Some(l) = self.live.as_mut()
        {
            l.tick();
        }
    }

    /// Waits for the planner, if it runs, and takes its result (tests and screenshots).
    pub fn finish_planning(&mut self) {
        if let Some(p) = self.planning.take() {
            self.planned(p.wait());
        }
    }

    /// Takes the planner's result: kept if the building is still the one planned.
    fn planned(&mut self, r: Result<Proposals, String>) {
        let props = match r {
            Ok(p) => p,
            Err(e) => {
                self.status = format!("Planning failed: {e}");
                return;
            }
        };
        if props.stale(&self.project) {
            self.status = "The building changed while planning: p plans it again.".into();
            return;
        }
        let plan = &props.plan;
        let fixable = plan
            .plans
            .iter()
            .filter(|p| p.fix != han_althan::plan::Fix::Exempt)
            .count();
        self.status = if plan.plans.is_empty() {
            "Planned: every premises works without Alt HAN.".into()
        } else {
            format!(
                "Planned: {fixable} premises fixed, {} exempt, £{:.0} in total. a accepts, r rejects.",
                plan.exempt.len(),
                plan.total_cost + 0.0
            )
        };
        self.proposals = Some(props);
        self.show_proposal();
    }

    fn report(&mut self, r: Result<(), String>, ok: String) {
        self.status = match r {
            Ok(()) => ok,
            Err(e) => format!("Refused: {}", e.lines().next().unwrap_or_default()),
        };
    }

    fn on_edit_key(&mut self, k: KeyEvent) {
        let level = self.project.level(self.floor);
        match k.code {
            KeyCode::Char('m') => {
                if let Selection::Device(id) = &self.selection {
                    self.start_move(id.clone());
                } else {
                    self.status = "Select a device first (Enter on it, or n/p).".into();
                }
            }
            KeyCode::Char('w') => match self.pending {
                Pending::Wall { start } => {
                    let material = BUILTIN[self.brush].0;
                    let r = self.project.add_wall(level, start, self.cursor, material);
                    self.pending = Pending::Idle;
                    self.report(r, format!("Added a {material} wall; re-surveyed."));
                }
                _ => {
                    self.pending = Pending::Wall { start: self.cursor };
                    self.status = format!(
                        "Wall from here: move the cursor, w ends it ({}; [ ] change).",
                        BUILTIN[self.brush].0
                    );
                }
            },
            KeyCode::Char('[') | KeyCode::Char(']') => {
                let n = BUILTIN.len();
                self.brush = if k.code == KeyCode::Char(']') {
                    (self.brush + 1) % n
                } else {
                    (self.brush + n - 1) % n
                };
                self.status = format!("New walls: {}.", BUILTIN[self.brush].0);
            }
            KeyCode::Char('c') => {
                if let Selection::Device(id) = &self.selection
                    && self.project.unit(id).is_some()
                {
                    let id = id.clone();
                    self.status = match self.project.cycle_backhaul(&id) {
                        Ok(b) => {
                            format!("{id}'s installation: {} backhaul; re-surveyed.", b.name())
                        }
                        Err(e) => format!("Refused: {e}"),
                    };
                } else if let Selection::Wall(i) = self.selection {
                    let cur = &self
                        .project
                        .building
                        .materials
                        .get(self.project.building.walls.walls()[i].material)
                        .name;
                    let at = BUILTIN.iter().position(|m| m.0 == cur).map_or(0, |p| p + 1);
                    let next = BUILTIN[at % BUILTIN.len()].0;
                    let r = self.project.set_wall_material(i, next);
                    self.report(r, format!("Wall is now {next}; re-surveyed."));
                } else {
                    self.status = "Select a wall (or an Alt HAN unit) first (Enter on it).".into();
                }
            }
            KeyCode::Char('x') | KeyCode::Delete => match self.selection.clone() {
                Selection::Wall(i) => {
                    let r = self.project.remove_wall(i);
                    self.selection = Selection::None;
                    self.report(r, "Wall removed; re-surveyed.".into());
                }
                Selection::Device(id) => {
                    let removable = self.project.unit(&id).is_some()
                        || self.project.device(&id).is_some_and(|(_, d)| {
                            matches!(d.kind, DeviceKind::P2pRepeater | DeviceKind::AltHanNode)
                        });
                    if removable {
                        let r = self.project.remove_device(&id);
                        self.selection = Selection::None;
                        self.report(r, format!("{id} removed; re-surveyed."));
                    } else {
                        self.status =
                            "Only repeaters and Alt HAN nodes can be removed here.".into();
                    }
                }
                _ => self.status = "Select a wall or an added device first.".into(),
            },
            KeyCode::Char('r') | KeyCode::Char('a') => {
                let Some(p) = self.project.building.premises.get(self.premises) else {
                    return;
                };
                let pid = p.id.clone();
                let (x, y) = self.cursor;
                let added = if k.code == KeyCode::Char('r') {
                    self.project.add_p2p_pair(&pid, level, x, y)
                } else {
                    self.project.add_shared_node(&pid, level, x, y)
                };
                match added {
                    Ok(id) => {
                        // Straight into placing it; Esc leaves it at the cursor.
                        self.start_move(id.clone());
                        let inst = self
                            .project
                            .unit(&id)
                            .map(|(i, _)| i.id.clone())
                            .unwrap_or_default();
                        self.status = format!(
                            "Added {id} ({inst}, serving {pid}): arrows place it, Enter drops, u removes it."
                        );
                    }
                    Err(e) => self.report(Err(e), String::new()),
                }
            }
            _ => {}
        }
    }

    fn start_move(&mut self, id: String) {
        self.select_device(&id);
        self.pending = Pending::Moving {
            id: id.clone(),
            before: self.project.source().to_string(),
        };
        self.status = format!("Moving {id}: arrows / PgUp PgDn, Enter drops, Esc cancels.");
    }

    fn on_move_key(&mut self, k: KeyEvent) {
        let Pending::Moving { id, before } = self.pending.clone() else {
            return;
        };
        if let Some((dx, dy)) = Self::arrows(&k) {
            self.move_cursor(dx, dy);
            self.move_to_cursor(&id);
            return;
        }
        match k.code {
            KeyCode::PageUp | KeyCode::PageDown | KeyCode::Char('>') | KeyCode::Char('<') => {
                let up = matches!(k.code, KeyCode::PageUp | KeyCode::Char('>'));
                let n = self.project.building.floors.len();
                let f = if up {
                    (self.floor + 1).min(n - 1)
                } else {
                    self.floor.saturating_sub(1)
                };
                if f != self.floor {
                    self.set_floor(f);
                    let [lo, hi] = self.project.building.plan_bounds(f);
                    self.cursor.0 = self.cursor.0.clamp(lo.x, hi.x);
                    self.cursor.1 = self.cursor.1.clamp(lo.y, hi.y);
                    self.move_to_cursor(&id);
                }
            }
            KeyCode::Enter | KeyCode::Char('m') => {
                self.project.checkpoint(before);
                self.pending = Pending::Idle;
                self.status = format!("{id} placed. u undoes.");
            }
            KeyCode::Esc => {
                let r = self.project.revert_to(before);
                self.pending = Pending::Idle;
                self.select_device(&id);
                self.report(r, "Move cancelled.".into());
            }
            _ => {}
        }
    }

    fn move_to_cursor(&mut self, id: &str) {
        let level = self.project.level(self.floor);
        let r = self
            .project
            .move_device(id, level, self.cursor.0, self.cursor.1, false);
        let verdict = self
            .premises_of(id)
            .map(|p| self.project.report.premises[p].verdict.label())
            .unwrap_or_default();
        self.report(
            r,
            format!(
                "{id} at [{:.1}, {:.1}] level {level}: premises {verdict}.",
                self.cursor.0, self.cursor.1
            ),
        );
    }

    fn undo(&mut self) {
        self.history_step(true);
    }

    fn redo(&mut self) {
        self.history_step(false);
    }

    /// Undo (`back`) or redo one change, unless an edit is in progress.
    fn history_step(&mut self, back: bool) {
        if self.pending != Pending::Idle {
            return;
        }
        let (done, what) = if back {
            (self.project.undo(), "undo")
        } else {
            (self.project.redo(), "redo")
        };
        self.status = if done {
            self.fix_selection();
            format!("{}ne; re-surveyed.", if back { "Undo" } else { "Redo" })
        } else {
            format!("Nothing to {what}.")
        };
    }

    /// Drops a selection the last change made stale.
    fn fix_selection(&mut self) {
        let b = &self.project.building;
        let ok = match &self.selection {
            Selection::None => true,
            Selection::Device(id) => self.project.find(id).is_some(),
            Selection::Link(a, c) => {
                self.project.find(a).is_some() && self.project.find(c).is_some()
            }
            Selection::Wall(i) => *i < b.walls.walls().len(),
        };
        if !ok {
            self.selection = Selection::None;
        }
        self.premises = self.premises.min(b.premises.len().saturating_sub(1));
        let at = match &self.selection {
            Selection::Device(id) => self.project.find(id).map(|d| (d.floor, d.pos)),
            _ => None,
        };
        if let Some((floor, pos)) = at {
            if floor != self.floor {
                self.set_floor(floor);
            }
            self.cursor = (pos.x, pos.y);
        }
    }

    fn save(&mut self) {
        self.status = match self.project.save() {
            Ok(p) => format!("Saved {}.", p.display()),
            Err(e) => format!("Save failed: {e}"),
        };
    }

    /// Handles one mouse event.
    pub fn on_mouse(&mut self, m: MouseEvent) {
        let (col, row) = (m.column, m.row);
        let hit =
            |r: &Rect| col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height;
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(t) = self.tab_boxes.iter().find(|(_, r)| hit(r)).map(|(t, _)| *t) {
                    self.set_tab(t);
                    return;
                }
                if self.tab == Tab::Building {
                    if let Some(&(_, i)) = self.premises_rows.iter().find(|(r, _)| hit(r)) {
                        if i == self.premises {
                            self.open_premises();
                        } else {
                            self.premises = i;
                        }
                    }
                    return;
                }
                let Some(map) = self.plan_map.filter(|m| hit(&m.area)) else {
                    return;
                };
                if self.tab != Tab::Floor {
                    return;
                }
                self.cursor = map.world(col, row);
                self.select_at_cursor();
                match self.selection.clone() {
                    Selection::Device(id) if self.edit => self.start_move(id),
                    Selection::None => self.drag_pan = Some((col, row)),
                    _ => {}
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                let Some(map) = self.plan_map else { return };
                if let Pending::Moving { id, .. } = self.pending.clone() {
                    let [lo, hi] = self.project.building.plan_bounds(self.floor);
                    let (x, y) = map.world(col, row);
                    self.cursor = (x.clamp(lo.x, hi.x), y.clamp(lo.y, hi.y));
                    self.move_to_cursor(&id);
                } else if let Some((c0, r0)) = self.drag_pan {
                    let (sx, sy) = map.step();
                    self.view.cx -= (f64::from(col) - f64::from(c0)) * sx;
                    self.view.cy += (f64::from(row) - f64::from(r0)) * sy;
                    self.drag_pan = Some((col, row));
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                self.drag_pan = None;
                if let Pending::Moving { id, before } = self.pending.clone() {
                    self.project.checkpoint(before);
                    self.pending = Pending::Idle;
                    self.status = format!("{id} placed. u undoes.");
                }
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                if let Some(map) = self.plan_map.filter(|m| hit(&m.area)) {
                    self.cursor = map.world(col, row);
                    self.zoom(if m.kind == MouseEventKind::ScrollUp {
                        1.25
                    } else {
                        0.8
                    });
                }
            }
            _ => {}
        }
    }
}

/// Distance from p to segment a-b.
fn seg_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// `flat-block.toml` -> `flat-block-export`, next to the file.
fn export_dir_for(path: &std::path::Path) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("building");
    path.with_file_name(format!("{stem}-export"))
}
