//! Screen layout: tab bar, the view of the current tab, status bar, help overlay.
use crate::app::{App, Pending, Selection, Tab};
use crate::budget;
use crate::geom::Mapping;
use crate::heat::{BUCKETS, HeatMap};
use crate::plan;
use crate::theme::{Grade, Theme};
use han_radio::device::DeviceKind;
use han_radio::survey::Verdict;
use han_radio::units::Band;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Wrap};

/// Side panel width on the floor plan for a screen `w` columns wide.
fn side_width(w: u16) -> u16 {
    if w >= 160 {
        48
    } else if w >= 110 {
        38
    } else {
        30
    }
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &mut App, th: &Theme) {
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    tab_bar(f, app, th, top);
    match app.tab {
        Tab::Building => building(f, app, th, body),
        Tab::Floor => floor(f, app, th, body),
        Tab::Inspector => inspector(f, app, th, body),
        Tab::Export => export(f, app, th, body),
        Tab::Plan => crate::planview::draw(f, app, th, body),
        Tab::Live => live(f, app, th, body),
    }
    status_bar(f, app, th, bottom);
    if app.help {
        help(f, th);
    }
}

fn tab_bar(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let mut spans = vec![Span::styled(
        " han ",
        Style::default().fg(Color::Black).bg(th.accent()),
    )];
    let mut x = area.x + 5;
    app.tab_boxes.clear();
    let narrow = area.width < 100;
    for (i, t) in Tab::ALL.iter().enumerate() {
        let title = match (narrow, t) {
            (true, Tab::Floor) => "Floor",
            (true, Tab::Inspector) => "Inspect",
            (true, Tab::Plan) => "Plan",
            _ => t.title(),
        };
        let text = match (&app.planning, t) {
            // The planner works in the background: its tab says so from any view.
            (Some(p), Tab::Plan) => format!(" {} {title} {} ", i + 1, p.spinner()),
            _ => format!(" {} {title} ", i + 1),
        };
        let w = text.chars().count() as u16;
        let style = if *t == app.tab {
            Style::default()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::raw(" "));
        app.tab_boxes.push((*t, Rect::new(x + 1, area.y, w, 1)));
        x += w + 1;
        spans.push(Span::styled(text, style));
    }
    let used = x.saturating_sub(area.x);
    let name = &app.project.building.name;
    let room = area.width.saturating_sub(used + 2) as usize;
    if room > 8 {
        let shown: String = if name.chars().count() > room {
            name.chars().take(room - 1).collect::<String>() + "…"
        } else {
            name.clone()
        };
        let pad = room - shown.chars().count();
        spans.push(Span::raw(" ".repeat(pad + 1)));
        spans.push(Span::styled(shown, Style::default().fg(th.dim())));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn status_bar(f: &mut Frame, app: &App, th: &Theme, area: Rect) {
    let hints: &[(&str, &str)] = match (app.tab, app.edit, &app.pending) {
        (_, _, Pending::Moving { .. }) => &[
            ("←↑↓→", "move"),
            ("PgUp/Dn", "floor"),
            ("Enter", "drop"),
            ("Esc", "cancel"),
        ],
        (_, _, Pending::Wall { .. }) => &[
            ("←↑↓→", "end"),
            ("w", "finish"),
            ("[ ]", "material"),
            ("Esc", "cancel"),
        ],
        (Tab::Building, ..) => &[
            ("←→", "floor"),
            ("↑↓", "premises"),
            ("Enter", "plan"),
            ("f", "failing"),
            ("?", "help"),
        ],
        (Tab::Floor, true, _) => &[
            ("m", "move"),
            ("w", "wall"),
            ("r", "repeater"),
            ("u", "undo"),
            ("?", "help"),
        ],
        (Tab::Floor, false, _) => &[
            ("Enter", "select"),
            ("e", "edit"),
            ("h", "heat"),
            ("b", "band"),
            ("?", "help"),
        ],
        (Tab::Inspector, ..) => &[
            ("l", "next link"),
            ("n/p", "device"),
            ("b", "band"),
            ("?", "help"),
        ],
        (Tab::Export, ..) => &[("Enter", "write files"), ("?", "help")],
        (Tab::Live, ..) => &[
            ("Space", "run/pause"),
            (".", "step"),
            ("+-", "speed"),
            ("/", "filter"),
            ("w", "pcap"),
            ("?", "help"),
        ],
        (Tab::Plan, ..) if app.planning.is_some() => &[("Esc", "cancel"), ("?", "help")],
        (Tab::Plan, ..) => &[
            ("p", "plan"),
            ("a", "accept"),
            ("r", "reject"),
            ("?", "help"),
        ],
    };
    let mut right: Vec<Span> = Vec::new();
    if app.project.dirty() {
        right.push(Span::styled(
            "● modified ",
            Style::default().fg(th.grade(Grade::Marginal)),
        ));
    }
    if app.edit {
        right.push(Span::styled(
            "EDIT ",
            Style::default()
                .fg(Color::Black)
                .bg(th.grade(Grade::Marginal)),
        ));
        right.push(Span::raw(" "));
    }
    let status_w = app.status.chars().count() as u16 + 2;
    for (k, what) in hints {
        let used: u16 = right.iter().map(|s| s.content.chars().count() as u16).sum();
        let add = (k.chars().count() + what.chars().count() + 3) as u16;
        // "? help" always shows, so its 8 columns are kept free.
        if status_w + used + add + 8 > area.width && *k != "?" {
            continue;
        }
        right.push(Span::styled(*k, th.key()));
        right.push(Span::raw(format!(" {what}  ")));
    }
    let rw: u16 = right.iter().map(|s| s.content.chars().count() as u16).sum();
    let lw = area.width.saturating_sub(rw);
    // A status longer than its room ends in "…" and a space, never runs into the hints.
    let room = usize::from(lw.saturating_sub(2));
    let status = if app.status.chars().count() > room {
        let cut: String = app.status.chars().take(room.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        app.status.clone()
    };
    let [l, r] = Layout::horizontal([Constraint::Length(lw), Constraint::Min(0)]).areas(area);
    f.render_widget(
        Paragraph::new(Span::styled(
            format!(" {status}"),
            Style::default().fg(Color::White),
        ))
        .style(Style::default().bg(th.status_bg())),
        l,
    );
    f.render_widget(
        Paragraph::new(Line::from(right)).style(Style::default().bg(th.status_bg())),
        r,
    );
}

/// A table header row in the accent colour.
pub(crate) fn header<'a>(cols: &[&'a str], th: &Theme) -> Row<'a> {
    Row::new(cols.to_vec()).style(Style::default().fg(th.accent()))
}

pub(crate) fn verdict_span(v: Verdict, th: &Theme) -> Span<'static> {
    let (mark, text) = match v {
        Verdict::Ok2g4 => ("✓", "ok 2.4 GHz"),
        Verdict::Ok868 => ("✓", "ok 868 MHz"),
        Verdict::OkAltHan => ("✓", "ok via Alt HAN"),
        Verdict::NeedsAltHan => ("✗", "needs Alt HAN"),
    };
    Span::styled(
        format!("{mark} {text}"),
        Style::default()
            .fg(th.verdict(v))
            .add_modifier(Modifier::BOLD),
    )
}

fn building(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let r = &app.project.report;
    let b = &app.project.building;
    let counts = r.counts();
    let [head, mid, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(5),
    ])
    .areas(area);
    let mut summary = vec![Span::styled(
        format!(" {} premises: ", r.premises.len()),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (v, n) in counts {
        // Premises carried by Alt HAN equipment exist only once a plan is applied.
        if v == Verdict::OkAltHan && n == 0 {
            continue;
        }
        summary.push(Span::styled(
            format!("{n} "),
            Style::default()
                .fg(th.verdict(v))
                .add_modifier(Modifier::BOLD),
        ));
        summary.push(verdict_span(v, th));
        summary.push(Span::raw("   "));
    }
    let model = Line::from(Span::styled(
        format!(
            " model {} · 802.15.4 channel {} · fade margin {} dB · {} floors · {} walls",
            r.model,
            r.channel_2g4,
            r.fade_margin_db,
            b.floors.len(),
            b.walls.walls().len()
        ),
        Style::default().fg(th.dim()),
    ));
    f.render_widget(Paragraph::new(vec![Line::from(summary), model]), head);

    let floors_w = if area.width >= 120 { 30 } else { 20 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(floors_w), Constraint::Min(20)]).areas(mid);
    // Floors: premises whose home is on each level, by verdict.
    let mut rows = vec![Line::from(Span::styled(
        if floors_w >= 30 {
            "lvl  ✓2.4 ✓868 ✗   devices"
        } else {
            "lvl  ✓2.4 ✓868 ✗"
        },
        Style::default().fg(th.accent()),
    ))];
    for (fi, fl) in b.floors.iter().enumerate().rev() {
        let homes: Vec<usize> = (0..b.premises.len())
            .filter(|&p| app.home_floor(p) == fi)
            .collect();
        let n = |v: Verdict| {
            homes
                .iter()
                .filter(|&&p| r.premises[p].verdict == v)
                .count()
        };
        let devices = b
            .premises
            .iter()
            .flat_map(|p| &p.devices)
            .filter(|d| d.floor == fi)
            .count();
        let mut cells = vec![
            Span::styled(
                format!("L{:<3}", fl.level),
                if app.floor_filter == Some(fi) {
                    th.selected()
                } else {
                    Style::default()
                },
            ),
            Span::styled(
                format!("{:>4}", n(Verdict::Ok2g4)),
                Style::default().fg(th.verdict(Verdict::Ok2g4)),
            ),
            Span::styled(
                format!("{:>5}", n(Verdict::Ok868)),
                Style::default().fg(th.verdict(Verdict::Ok868)),
            ),
            Span::styled(
                format!("{:>3}", n(Verdict::NeedsAltHan)),
                Style::default().fg(th.verdict(Verdict::NeedsAltHan)),
            ),
        ];
        if floors_w >= 30 {
            cells.push(Span::styled(
                format!("{devices:>8}"),
                Style::default().fg(th.dim()),
            ));
        }
        rows.push(Line::from(cells));
    }
    f.render_widget(
        Paragraph::new(rows).block(Block::bordered().title(" Floors ")),
        left,
    );

    let list = app.listed_premises();
    let inner_h = right.height.saturating_sub(3) as usize;
    let pos = list.iter().position(|&i| i == app.premises).unwrap_or(0);
    let first = pos
        .saturating_sub(inner_h.saturating_sub(1).min(inner_h / 2))
        .min(list.len().saturating_sub(inner_h));
    let id_w = r
        .premises
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(4)
        .max(8) as u16;
    let mut table_rows = Vec::new();
    app.premises_rows.clear();
    for (k, &i) in list.iter().enumerate().skip(first).take(inner_h) {
        let p = &r.premises[i];
        let level = app.project.level(app.home_floor(i));
        let style = if i == app.premises {
            th.selected()
        } else {
            Style::default()
        };
        table_rows.push(
            Row::new(vec![
                Line::from(p.id.clone()),
                Line::from(format!("L{level}")),
                Line::from(verdict_span(p.verdict, th)),
                Line::from(Span::styled(
                    p.reason.clone(),
                    Style::default().fg(th.dim()),
                )),
            ])
            .style(style),
        );
        app.premises_rows.push((
            Rect::new(
                right.x + 1,
                right.y + 2 + (k - first) as u16,
                right.width.saturating_sub(2),
                1,
            ),
            i,
        ));
    }
    let which = if app.failing_only {
        " needing Alt HAN"
    } else {
        ""
    };
    let title = match app.floor_filter {
        Some(f) => format!(
            " Premises{which} on level {} ({}) ",
            app.project.level(f),
            list.len()
        ),
        None => format!(" Premises{which} ({}) ", list.len()),
    };
    f.render_widget(
        Table::new(
            table_rows,
            [
                Constraint::Length(id_w),
                Constraint::Length(4),
                Constraint::Length(15),
                Constraint::Min(10),
            ],
        )
        .header(header(&["premises", "home", "verdict", "why"], th))
        .block(Block::bordered().title(title)),
        right,
    );

    let detail = match r.premises.get(app.premises) {
        Some(p) => vec![
            Line::from(vec![
                Span::styled(
                    format!("{}  ", p.id),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                verdict_span(p.verdict, th),
            ]),
            Line::from(p.reason.clone()),
        ],
        None => vec![Line::from("No premises in this building.")],
    };
    f.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Why (Enter: open on the floor plan) ")),
        foot,
    );
}

fn floor(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let side = side_width(area.width);
    let [plan_area, side_area] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(side)]).areas(area);
    let b = &app.project.building;
    let level = app.project.level(app.floor);
    let mode = if app.heat { "heat map" } else { "plan" };
    let title = format!(
        " Level {level} ({}/{}) · {} · {mode} ",
        app.floor + 1,
        b.floors.len(),
        app.band.label()
    );
    let block = Block::bordered().title(title).border_style(if app.edit {
        Style::default().fg(th.grade(Grade::Marginal))
    } else {
        Style::default()
    });
    let inner = block.inner(plan_area);
    f.render_widget(block, plan_area);
    let map = Mapping::new(inner, app.view, app.floor_size());
    app.plan_map = Some(map);
    let heat = if app.heat {
        app.heat_map().cloned()
    } else {
        None
    };
    plan::draw(app, heat.as_ref(), &map, th, f.buffer_mut());
    let scale = format!(" 1 col = {:.2} m ", 1.0 / map.sx);
    let sw = scale.chars().count() as u16;
    if plan_area.width > sw + 4 {
        f.render_widget(
            Paragraph::new(Span::styled(scale, Style::default().fg(th.dim()))),
            Rect::new(plan_area.right() - sw - 2, plan_area.bottom() - 1, sw, 1),
        );
    }
    side_panel(f, app, heat.as_ref(), th, side_area);
}

fn grade_span(l: &han_radio::survey::LinkReport, th: &Theme) -> Span<'static> {
    let g = Grade::of_link(l);
    let mark = match g {
        Grade::Ok => "✓",
        Grade::Marginal => "~",
        Grade::Fail => "✗",
    };
    Span::styled(
        format!("{:+6.1} dB {mark}", l.margin_db),
        Style::default().fg(th.grade(g)),
    )
}

fn side_panel(f: &mut Frame, app: &App, heat: Option<&HeatMap>, th: &Theme, area: Rect) {
    let b = &app.project.building;
    let w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(p) = app.project.report.premises.get(app.premises) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", p.id),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            verdict_span(p.verdict, th),
        ]));
    }
    let bold = Style::default()
        .fg(th.accent())
        .add_modifier(Modifier::BOLD);
    match &app.selection {
        Selection::Device(id) => {
            if let Some(d) = app.project.find(id) {
                lines.push(Line::from(Span::styled(
                    format!("{} {}", plan::mark(d.kind), d.id),
                    bold,
                )));
                lines.push(Line::from(format!(
                    "{} L{} [{:.1}, {:.1}] h {:.1} m",
                    d.kind.name(),
                    app.project.level(d.floor),
                    d.pos.x,
                    d.pos.y,
                    d.pos.z - b.floors[d.floor].z0
                )));
                if let Some((inst, _)) = app.project.unit(id) {
                    let dim = Style::default().fg(th.dim());
                    lines.push(Line::from(Span::styled(inst.id.clone(), dim)));
                    lines.push(Line::from(Span::styled(
                        format!("{}, {} backhaul", inst.kind.name(), inst.backhaul.name()),
                        dim,
                    )));
                    lines.push(Line::from(Span::styled(
                        format!("serves {}", inst.serves.join(" ")),
                        dim,
                    )));
                    if app.edit {
                        lines.push(Line::from(Span::styled("m move · c backhaul · x del", dim)));
                    }
                }
                // A unit's legs appear once per pair it carries: each link once.
                let mut seen: Vec<(&str, &str)> = Vec::new();
                let owner = app.project.device(id).map(|(p, _)| p.id.as_str());
                let focus = b.premises.get(app.premises).map(|p| p.id.as_str());
                for l in app
                    .project
                    .report
                    .premises
                    .iter()
                    .filter(|r| owner.is_none_or(|o| o == r.id))
                    .flat_map(|r| &r.links)
                    .filter(|l| l.band == app.band && (l.from == *id || l.to == *id))
                {
                    if seen.contains(&(l.from.as_str(), l.to.as_str())) {
                        continue;
                    }
                    seen.push((l.from.as_str(), l.to.as_str()));
                    let peer = if l.from == *id { &l.to } else { &l.from };
                    let home = owner.or(focus).unwrap_or_default();
                    let short = peer.strip_prefix(&format!("{home}-")).unwrap_or(peer);
                    let name: String = format!("↔ {short}")
                        .chars()
                        .take(w.saturating_sub(12))
                        .collect();
                    lines.push(Line::from(vec![
                        Span::raw(format!("{name:<width$}", width = w.saturating_sub(12))),
                        grade_span(l, th),
                    ]));
                }
            }
        }
        Selection::Link(a, z) => {
            lines.push(Line::from(Span::styled(format!("{a} ↔"), bold)));
            lines.push(Line::from(Span::styled(format!("  {z}"), bold)));
            let r = app.project.report.premises.get(app.premises);
            for l in r
                .iter()
                .flat_map(|r| &r.links)
                .filter(|l| (l.from == *a && l.to == *z) || (l.from == *z && l.to == *a))
            {
                lines.push(Line::from(vec![
                    Span::raw(format!("{:<8}", l.band.label())),
                    grade_span(l, th),
                ]));
                lines.push(Line::from(Span::styled(
                    format!(
                        "  {:.1} m, {} walls, {} floors",
                        l.distance_m,
                        l.walls.values().sum::<u32>(),
                        l.floors
                    ),
                    Style::default().fg(th.dim()),
                )));
            }
            lines.push(Line::from(Span::styled(
                "i: budget line by line",
                Style::default().fg(th.dim()),
            )));
        }
        Selection::Wall(i) => {
            if let Some(wall) = b.walls.walls().get(*i) {
                let m = b.materials.get(wall.material);
                lines.push(Line::from(Span::styled(
                    format!("wall {i}: {}", m.name),
                    bold,
                )));
                lines.push(Line::from(format!(
                    "[{:.1}, {:.1}] → [{:.1}, {:.1}]",
                    wall.a.x, wall.a.y, wall.b.x, wall.b.y
                )));
                lines.push(Line::from(format!(
                    "loss {:.1} dB 2.4 GHz, {:.1} dB 868",
                    m.loss(Band::Ghz2_4).0,
                    m.loss(Band::Mhz868).0
                )));
                if app.edit {
                    lines.push(Line::from(Span::styled(
                        "c material · x remove",
                        Style::default().fg(th.dim()),
                    )));
                }
            }
        }
        Selection::None => {
            lines.push(Line::from(Span::styled(
                "Nothing selected: Enter at the",
                Style::default().fg(th.dim()),
            )));
            lines.push(Line::from(Span::styled(
                "cursor, n/p devices, l links.",
                Style::default().fg(th.dim()),
            )));
        }
    }
    if app.edit {
        lines.push(Line::from(vec![
            Span::styled("new walls: ", Style::default().fg(th.dim())),
            Span::raw(han_radio::material::BUILTIN[app.brush].0),
        ]));
    }
    lines.push(Line::from(""));
    if let Some(h) = heat.filter(|_| app.heat) {
        lines.push(Line::from(Span::styled(
            format!("heat from {} {}", h.source, app.band.label()),
            Style::default().fg(th.dim()),
        )));
        let (x, y) = app.cursor;
        if let Some(v) = h.at(x, y) {
            let v = f64::from(v);
            lines.push(Line::from(vec![
                Span::raw(format!("cursor [{x:.1}, {y:.1}] ")),
                Span::styled(
                    format!("{v:.0} dBm"),
                    Style::default().bg(th.heat(h.bucket(v))).fg(Color::White),
                ),
            ]));
        }
        for i in 0..BUCKETS {
            lines.push(Line::from(vec![
                Span::styled("  ", Style::default().bg(th.heat(i))),
                Span::raw(format!(" {}", h.label(i))),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled("· ok ", Style::default().fg(th.grade(Grade::Ok))),
        Span::styled(
            "· marginal ",
            Style::default().fg(th.grade(Grade::Marginal)),
        ),
        Span::styled("· fails", Style::default().fg(th.grade(Grade::Fail))),
    ]));
    lines.push(Line::from(vec![
        Span::styled("━", Style::default().fg(th.wall(18.0))),
        Span::raw(" heavy "),
        Span::styled("─", Style::default().fg(th.wall(8.0))),
        Span::raw(" masonry "),
        Span::styled("─", Style::default().fg(th.wall(3.0))),
        Span::raw(" light"),
    ]));
    lines.push(Line::from(vec![
        Span::styled("┄", Style::default().fg(th.window())),
        Span::raw(" glass "),
        Span::styled("╍", Style::default().fg(th.door())),
        Span::raw(" door "),
        Span::styled("h", Style::default().fg(th.dim())),
        Span::raw(" other lvl"),
    ]));
    for marks in [
        "H hub E elec G gas I IHD",
        "P PPMID L HCALCS",
        "R repeater A Alt HAN node",
    ] {
        lines.push(Line::from(Span::styled(
            marks,
            Style::default().fg(th.dim()),
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Selection ")),
        area,
    );
}

fn budget_table<'a>(
    lines: &[budget::Line],
    outcome: budget::Outcome,
    notes: bool,
    th: &Theme,
) -> Table<'a> {
    let colour = match outcome {
        budget::Outcome::Closes => th.grade(Grade::Ok),
        budget::Outcome::Marginal => th.grade(Grade::Marginal),
        budget::Outcome::Fails => th.grade(Grade::Fail),
    };
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| {
            let style = match l.label.as_str() {
                "margin" | "verdict" => Style::default().fg(colour).add_modifier(Modifier::BOLD),
                "received" | "SINR" => Style::default().add_modifier(Modifier::BOLD),
                _ if l.label.starts_with("  ") => Style::default().fg(th.dim()),
                _ => Style::default(),
            };
            let mut cells = vec![l.label.clone(), l.value.clone()];
            if notes {
                cells.push(l.note.clone());
            }
            Row::new(cells).style(style)
        })
        .collect();
    let widths = if notes {
        vec![
            Constraint::Length(20),
            Constraint::Length(12),
            Constraint::Min(10),
        ]
    } else {
        vec![Constraint::Length(20), Constraint::Min(8)]
    };
    Table::new(rows, widths)
}

fn inspector(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let b = &app.project.building;
    let notes = area.width >= 160;
    match app.selection.clone() {
        Selection::Link(a, z) => {
            let (Some(da), Some(dz)) = (app.project.find(&a), app.project.find(&z)) else {
                return;
            };
            let halves =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .split(area);
            for (band, half) in Band::ALL.iter().zip(halves.iter()) {
                // Show the direction the survey reports (the weaker one).
                let rep = app
                    .project
                    .report
                    .premises
                    .iter()
                    .flat_map(|p| &p.links)
                    .find(|l| {
                        l.band == *band
                            && ((l.from == a && l.to == z) || (l.from == z && l.to == a))
                    });
                let (tx, rx) = match rep {
                    Some(l) if l.from == z => (dz, da),
                    _ => (da, dz),
                };
                let title = format!(" {} → {} · {} ", tx.id, rx.id, band.label());
                let block = Block::bordered().title(title);
                match budget::lines(b, tx, rx, *band) {
                    Some((lines, outcome)) => f.render_widget(
                        budget_table(&lines, outcome, notes, th).block(block),
                        *half,
                    ),
                    None => f.render_widget(
                        Paragraph::new("One end lacks this band.").block(block),
                        *half,
                    ),
                }
            }
        }
        Selection::Device(id) => {
            let Some(d) = app.project.find(&id) else {
                return;
            };
            // Whose device it is, and the devices a relay would talk to: its premises', or
            // for an Alt HAN unit those of every premises its installation serves.
            let (owner, peers): (String, Vec<&han_radio::building::Device>) =
                match (app.project.device(&id), app.project.unit(&id)) {
                    (Some((p, _)), _) => (format!("premises {}", p.id), p.devices.iter().collect()),
                    (None, Some((inst, _))) => (
                        format!("{} serving {}", inst.id, inst.serves.join(" ")),
                        b.premises
                            .iter()
                            .filter(|p| inst.serves(&p.id))
                            .flat_map(|p| &p.devices)
                            .collect(),
                    ),
                    (None, None) => return,
                };
            let [top, rest] =
                Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(area);
            let mut rows = vec![
                Row::new(vec!["band", "TX dBm", "sens dBm", "gain dBi"])
                    .style(Style::default().fg(th.accent())),
            ];
            for band in Band::ALL {
                rows.push(Row::new(match d.radio(band) {
                    Some(r) => vec![
                        band.label().to_string(),
                        format!("{:+.1}", r.tx_power.0),
                        format!("{:.1}", r.sensitivity.0),
                        format!("{:+.1}", r.antenna_gain.0),
                    ],
                    None => vec![
                        band.label().to_string(),
                        "—".into(),
                        "no radio".into(),
                        String::new(),
                    ],
                }));
            }
            let encl = d.enclosure.map_or("none".to_string(), |m| {
                let m = b.materials.get(m);
                format!(
                    "{} ({:.0} dB at 2.4 GHz, {:.0} dB at 868 MHz)",
                    m.name,
                    m.loss(Band::Ghz2_4).0,
                    m.loss(Band::Mhz868).0
                )
            });
            let block =
                Block::bordered().title(format!(" {} · {} · {owner} ", d.id, d.kind.name()));
            let inner = block.inner(top);
            f.render_widget(block, top);
            let [t, info] =
                Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
            f.render_widget(
                Table::new(
                    rows,
                    [
                        Constraint::Length(8),
                        Constraint::Length(8),
                        Constraint::Length(10),
                        Constraint::Length(10),
                    ],
                ),
                t,
            );
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(format!(
                        "position  level {} [{:.1}, {:.1}], {:.1} m above the floor",
                        app.project.level(d.floor),
                        d.pos.x,
                        d.pos.y,
                        d.pos.z - b.floors[d.floor].z0
                    )),
                    Line::from(format!("enclosure {encl}")),
                ]),
                info,
            );
            // Links: the surveyed ones; for a repeater or node every device it could relay for.
            let mut rows = Vec::new();
            let surveyed: Vec<_> = app
                .project
                .report
                .premises
                .iter()
                .flat_map(|r| &r.links)
                .filter(|l| l.from == id || l.to == id)
                .collect();
            if surveyed.is_empty()
                || matches!(d.kind, DeviceKind::P2pRepeater | DeviceKind::AltHanNode)
            {
                for other in peers.into_iter().filter(|o| o.id != id) {
                    for band in Band::ALL {
                        if let Some((lines, outcome)) = budget::lines(b, d, other, band) {
                            let get = |k: &str| {
                                lines
                                    .iter()
                                    .find(|l| l.label == k)
                                    .map(|l| l.value.clone())
                                    .unwrap_or_default()
                            };
                            let g = match outcome {
                                budget::Outcome::Closes => Grade::Ok,
                                budget::Outcome::Marginal => Grade::Marginal,
                                budget::Outcome::Fails => Grade::Fail,
                            };
                            rows.push(
                                Row::new(vec![
                                    other.id.clone(),
                                    band.label().into(),
                                    get("received"),
                                    get("margin"),
                                ])
                                .style(Style::default().fg(th.grade(g))),
                            );
                        }
                    }
                }
            } else {
                for l in surveyed {
                    let peer = if l.from == id { &l.to } else { &l.from };
                    rows.push(
                        Row::new(vec![
                            peer.clone(),
                            l.band.label().into(),
                            format!("{:.1} dBm", l.rx_dbm),
                            format!("{:+.1} dB", l.margin_db),
                        ])
                        .style(Style::default().fg(th.grade(Grade::of_link(l)))),
                    );
                }
            }
            f.render_widget(
                Table::new(
                    rows,
                    [
                        Constraint::Min(14),
                        Constraint::Length(8),
                        Constraint::Length(12),
                        Constraint::Length(10),
                    ],
                )
                .header(header(&["link to", "band", "received", "margin"], th))
                .block(Block::bordered().title(" Links (l: pick one for its budget) ")),
                rest,
            );
        }
        Selection::Wall(i) => {
            let text = b.walls.walls().get(i).map_or(String::new(), |w| {
                let m = b.materials.get(w.material);
                format!(
                    "Wall {i} on level {}: {} from [{:.1}, {:.1}] to [{:.1}, {:.1}]\nOne crossing costs {:.1} dB at 2.4 GHz and {:.1} dB at 868 MHz.",
                    app.project.level(w.floor), m.name, w.a.x, w.a.y, w.b.x, w.b.y, m.loss(Band::Ghz2_4).0, m.loss(Band::Mhz868).0
                )
            });
            f.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(" Wall ")),
                area,
            );
        }
        Selection::None => {
            let Some(r) = app.project.report.premises.get(app.premises) else {
                return;
            };
            let [top, rest] =
                Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(vec![
                        Span::styled(
                            format!("{}  ", r.id),
                            Style::default().add_modifier(Modifier::BOLD),
                        ),
                        verdict_span(r.verdict, th),
                    ]),
                    Line::from(r.reason.clone()),
                ])
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(" Premises (l: pick a link, n/p: a device) ")),
                top,
            );
            let rows: Vec<Row> = r
                .links
                .iter()
                .map(|l| {
                    Row::new(vec![
                        format!("{} → {}", l.from, l.to),
                        l.band.label().to_string(),
                        format!("{:.1}", l.distance_m),
                        format!("{}", l.walls.values().sum::<u32>()),
                        format!("{}", l.floors),
                        format!("{:.1}", l.path_loss_db),
                        format!("{:.1}", l.rx_dbm),
                        format!("{:+.1}", l.margin_db),
                    ])
                    .style(Style::default().fg(th.grade(Grade::of_link(l))))
                })
                .collect();
            f.render_widget(
                Table::new(
                    rows,
                    [
                        Constraint::Min(20),
                        Constraint::Length(7),
                        Constraint::Length(5),
                        Constraint::Length(5),
                        Constraint::Length(3),
                        Constraint::Length(6),
                        Constraint::Length(7),
                        Constraint::Length(6),
                    ],
                )
                .header(header(
                    &[
                        "link", "band", "m", "walls", "fl", "loss", "rx dBm", "margin",
                    ],
                    th,
                ))
                .block(Block::bordered().title(" Links ")),
                rest,
            );
        }
    }
}

fn export(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let dir = app.export_dir.display().to_string();
    let b = &app.project.building;
    let maps = b
        .coverage_jobs()
        .iter()
        .map(|j| j.1)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        * 2;
    let lines = vec![
        Line::from(Span::styled(
            "Export the survey of the building as it is now (edits included):",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from(format!(
            "  {dir}/survey.md       report with every link, for the job sheet"
        )),
        Line::from(format!(
            "  {dir}/survey.json     the same, machine-readable"
        )),
        Line::from(format!(
            "  {dir}/floor_*.png/svg  {maps} heat maps (strongest hub, per floor and band)"
        )),
        Line::from(format!(
            "  {dir}/building.toml   the building file as surveyed"
        )),
        Line::from(""),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("Enter", th.key()),
            Span::raw(" to write them. Saving the building itself is "),
            Span::styled("s", th.key()),
            Span::raw("."),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            format!("Building file: {}", app.project.save_path.display()),
            Style::default().fg(th.dim()),
        )),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Export ")),
        area,
    );
}

/// `flat-0a ch→esme` for two devices of one premises (ids `flat-0a-ch`, `flat-0a-esme`),
/// else `a→b` in full.
fn link_name(a: &str, b: &str) -> String {
    match (a.rsplit_once('-'), b.rsplit_once('-')) {
        (Some((pa, da)), Some((pb, db))) if pa == pb => format!("{pa} {da}→{db}"),
        _ => format!("{a}→{b}"),
    }
}

/// Colour of a delivery ratio: green from 99 %, amber from 90 %, red below.
fn delivery_grade(ratio: f64) -> Grade {
    if ratio >= 0.99 {
        Grade::Ok
    } else if ratio >= 0.9 {
        Grade::Marginal
    } else {
        Grade::Fail
    }
}

fn live(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let filter_edit = app.filter_edit;
    let Some(live) = app.live.as_ref() else {
        return;
    };
    let [head, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let shown = live.shown();
    let mut spans = vec![
        Span::styled(
            format!(" t = {:.1} s ", live.now().as_secs_f64()),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("seed {} · {} ", app.live_seed, live.speed.label())),
        if live.paused {
            Span::styled("paused ", Style::default().fg(th.grade(Grade::Marginal)))
        } else {
            Span::styled("running ", Style::default().fg(th.grade(Grade::Ok)))
        },
        Span::raw(format!(
            "· {} frames, {} shown · ",
            live.frame_count,
            shown.len()
        )),
        Span::styled("filter: ", th.key()),
        Span::raw(live.filter.clone()),
    ];
    if filter_edit {
        spans.push(Span::styled("█", Style::default().fg(th.accent())));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), head);
    let [list, side] = Layout::horizontal([
        Constraint::Min(20),
        Constraint::Length(side_width(area.width)),
    ])
    .areas(rest);
    let rows = list.height.saturating_sub(2) as usize;
    // Narrow lists drop the frame number and the column padding of the decode.
    let narrow = list.width < 100;
    let on_screen = &shown[shown.len().saturating_sub(rows)..];
    // The sender column is as wide as the longest sender shown (the decode lines up).
    let dev_w = on_screen
        .iter()
        .map(|fr| fr.device.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(4, 16);
    let lines: Vec<Line> = on_screen
        .iter()
        .map(|fr| {
            let text = if narrow {
                format!("{:.3} {}", fr.time, fr.compact())
            } else {
                fr.line.clone()
            };
            Line::from(vec![
                Span::styled(
                    format!("{:<dev_w$} ", fr.device),
                    Style::default().fg(th.accent()),
                ),
                Span::raw(text),
            ])
        })
        .collect();
    let idle = lines.is_empty() && live.frame_count == 0;
    let lines = if idle {
        vec![
            Line::from(Span::styled(
                "Nothing on the air yet.",
                Style::default().add_modifier(Modifier::BOLD),
            )),
            Line::from(vec![
                Span::styled("Space", th.key()),
                Span::raw(" runs the emulation, "),
                Span::styled(".", th.key()),
                Span::raw(" steps one virtual second, "),
                Span::styled("+ -", th.key()),
                Span::raw(" change the speed."),
            ]),
        ]
    } else {
        lines
    };
    let frames = Paragraph::new(lines).block(Block::bordered().title(" Frames on the air "));
    // Frame lines are cut at the edge; only the hint wraps.
    let frames = if idle {
        frames.wrap(Wrap { trim: false })
    } else {
        frames
    };
    f.render_widget(frames, list);
    // IHD freshness as a table, one premises a line: electricity updates taken, the longest
    // gap between them and the oldest gas reading shown, in seconds.
    let dim = Style::default().fg(th.dim());
    let mut side_lines: Vec<Line> = vec![
        Line::from(Span::styled(
            "IHD freshness",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            format!(
                "{:<9}{:>5} {:>6} {:>6}",
                "premises", "elec", "gap s", "gas s"
            ),
            Style::default().fg(th.accent()),
        )),
    ];
    for p in live.summary(&app.project.building).premises {
        let id: String = p.id.chars().take(8).collect();
        side_lines.push(Line::from(match &p.ihd {
            // Before the first update there is no gap to speak of.
            Some(d) if d.electricity_updates == 0 => {
                Span::styled(format!("{id:<9}{:>5} {:>6} {:>6}", 0, "—", "—"), dim)
            }
            Some(d) => Span::raw(format!(
                "{id:<9}{:>5} {:>6.0} {:>6.0}",
                d.electricity_updates, d.electricity_max_gap_s, d.gas_max_age_s
            )),
            None => Span::styled(format!("{id:<9} no IHD"), dim),
        }));
    }
    side_lines.push(Line::from(""));
    side_lines.push(Line::from(Span::styled(
        "Delivery per link",
        Style::default().add_modifier(Modifier::BOLD),
    )));
    for l in live.links() {
        side_lines.push(Line::from(vec![
            Span::raw(format!("{} ", link_name(&l.from, &l.to))),
            Span::styled(
                format!("{:.0}%", l.ratio * 100.0),
                Style::default().fg(th.grade(delivery_grade(l.ratio))),
            ),
            Span::styled(
                format!(" of {} ({} retries)", l.requests, l.retries),
                Style::default().fg(th.dim()),
            ),
        ]));
    }
    f.render_widget(
        Paragraph::new(side_lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Live ")),
        side,
    );
}

/// Every key, grouped by view (also the source of docs/tui.md's key table).
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("?", "this help"),
            ("Tab 1-6", "switch view"),
            ("b", "band 2.4 GHz / 868 MHz"),
            ("u  U", "undo / redo (Ctrl-r)"),
            ("s", "save the building file"),
            ("q  Ctrl-c", "quit"),
        ],
    ),
    (
        "Building",
        &[
            ("↑↓ PgUp/Dn", "pick premises"),
            ("← →", "premises of one floor"),
            ("f", "only needing Alt HAN"),
            ("Enter", "open on the floor plan"),
        ],
    ),
    (
        "Floor plan",
        &[
            ("←↑↓→", "cursor (Shift: ×5)"),
            ("+ - 0 c", "zoom, fit, centre"),
            ("PgUp PgDn", "floor up / down"),
            ("Enter", "select at cursor"),
            ("n p  l", "next device, link"),
            ("h  i", "heat map, inspector"),
            ("e", "edit mode"),
            ("Esc", "cancel, deselect"),
            ("mouse", "click, drag, wheel"),
        ],
    ),
    (
        "Edit mode",
        &[
            ("m", "move device; Enter drops"),
            ("w", "wall start / end"),
            ("[ ]", "material of new walls"),
            ("c", "wall material, backhaul"),
            ("x Del", "remove wall / Alt HAN"),
            ("r  a", "add P2P pair / node"),
        ],
    ),
    (
        "Inspector, Export",
        &[("l  n p", "link, device"), ("Enter x", "write the export")],
    ),
    (
        "Alt HAN plan",
        &[
            ("p  Esc", "run / cancel planner"),
            ("↑↓", "pick (Home, End)"),
            ("a Enter", "accept (u undoes)"),
            ("r x", "reject / reopen"),
            ("o", "open on the floor plan"),
        ],
    ),
    (
        "Live",
        &[
            ("Space  .", "run/pause, step 1 s"),
            ("+ -", "speed 1× 10× 100× max"),
            ("/", "filter (Enter, Esc)"),
            ("w", "write the capture (pcap)"),
        ],
    ),
];

fn help(f: &mut Frame, th: &Theme) {
    let area = f.area();
    let w = area.width.min(76);
    let h = area.height.min(24);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .title(" Keys (any key closes) ")
        .borders(Borders::ALL)
        .border_style(Style::default().fg(th.accent()));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let cols =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(inner);
    let mut sides: [Vec<Line>; 2] = [Vec::new(), Vec::new()];
    for (gi, (group, keys)) in KEYS.iter().enumerate() {
        // Everywhere, Building, Inspector/Export, Plan on the left; Floor plan and Edit on the right.
        let side = usize::from(gi == 2 || gi == 3 || gi == 6);
        sides[side].push(Line::from(Span::styled(
            *group,
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )));
        for (k, what) in *keys {
            sides[side].push(Line::from(vec![
                Span::styled(format!("{k:<11}"), th.key()),
                Span::raw(*what),
            ]));
        }
    }
    for (side, col) in sides.into_iter().zip(cols.iter()) {
        f.render_widget(Paragraph::new(side), *col);
    }
}
