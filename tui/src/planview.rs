//! The Alt HAN plan view: the planner's proposals as a list (fix, where, cost, margins,
//! verdicts, exempt reasons) beside the floor plan with the proposed units and backhaul.
use crate::althan::{Decision, Proposals, fix_text, verdict_of};
use crate::app::App;
use crate::geom::Mapping;
use crate::plan;
use crate::theme::Theme;
use crate::ui::{header, verdict_span};
use han_althan::plan::Fix;
use han_radio::althan::InstallationKind;
use han_radio::survey::Verdict;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

/// Width of the proposal list for a screen `w` columns wide.
fn list_width(w: u16) -> u16 {
    if w >= 160 {
        100
    } else if w >= 110 {
        64
    } else {
        46
    }
}

/// Draws the Plan tab into `area`.
pub fn draw(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let Some(props) = app.proposals.as_ref().filter(|_| app.planning.is_none()) else {
        intro(f, app, th, area);
        return;
    };
    let [list_area, map_area] = Layout::horizontal([
        Constraint::Length(list_width(area.width)),
        Constraint::Min(10),
    ])
    .areas(area);
    let detail_h = if area.height >= 40 { 12 } else { 7 };
    let [sum_area, table_area, detail_area] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(3),
        Constraint::Length(detail_h),
    ])
    .areas(list_area);
    summary(f, app, props, th, sum_area);
    table(f, app, props, th, table_area);
    detail(f, app, props, th, detail_area);
    map(f, app, th, map_area);
}

fn intro(f: &mut Frame, app: &App, th: &Theme, area: Rect) {
    let needs = app
        .project
        .report
        .premises
        .iter()
        .filter(|p| p.verdict == Verdict::NeedsAltHan)
        .count();
    let mut lines = vec![
        Line::from(format!(
            "{needs} premises of this building need Alt HAN: no band of the comms hub reaches one of their devices."
        )),
        Line::from(""),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("p", th.key()),
            Span::raw(
                " to run the planner on the building as it is now (edits included). For each \
                 of them it weighs a dual-band hub, a P2P repeater pair and a place on a shared \
                 installation, picks the least total cost, and exempts what nothing within \
                 the cost ceiling fixes, with the reason.",
            ),
        ]),
        Line::from(""),
        Line::from(vec![
            Span::raw("Then "),
            Span::styled("↑ ↓", th.key()),
            Span::raw(" pick a premises, "),
            Span::styled("a", th.key()),
            Span::raw(" accepts its fix (added to the building, re-surveyed; "),
            Span::styled("u", th.key()),
            Span::raw(" undoes), "),
            Span::styled("r", th.key()),
            Span::raw(" rejects it, "),
            Span::styled("s", th.key()),
            Span::raw(" saves."),
        ]),
    ];
    if let Some(p) = &app.planning {
        lines.insert(
            0,
            Line::from(vec![
                Span::styled(
                    format!("{} Planning… ", p.spinner()),
                    Style::default()
                        .fg(th.accent())
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw("the views keep working meanwhile; "),
                Span::styled("Esc", th.key()),
                Span::raw(" cancels; an edit meanwhile discards the result."),
            ]),
        );
        lines.insert(1, Line::from(""));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Alt HAN plan ")),
        area,
    );
}

fn summary(f: &mut Frame, app: &App, props: &Proposals, th: &Theme, area: Rect) {
    let plan = &props.plan;
    let fixed = plan.plans.len() - plan.exempt.len();
    let mut lines = vec![
        Line::from(format!(
            "{} failing: {fixed} fixed, {} exempt · total {} (naive {})",
            plan.plans.len(),
            plan.exempt.len(),
            money(plan.total_cost),
            money(plan.naive.cost)
        )),
        Line::from(vec![
            Span::styled(
                format!("✓ accepted {}", money(props.cost(Decision::Accepted))),
                Style::default().fg(th.verdict(Verdict::OkAltHan)),
            ),
            Span::raw(format!("  open {}", money(props.cost(Decision::Open)))),
            Span::styled(
                format!("  ✗ rejected {}", money(props.cost(Decision::Rejected))),
                Style::default().fg(th.dim()),
            ),
        ]),
    ];
    if props.stale(&app.project) {
        lines.push(Line::from(Span::styled(
            "Building changed since: p plans again",
            Style::default()
                .fg(th.verdict(Verdict::NeedsAltHan))
                .add_modifier(Modifier::BOLD),
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Alt HAN plan ")),
        area,
    );
}

fn short_fix(f: Fix) -> &'static str {
    match f {
        Fix::DualBandHub => "dual hub",
        Fix::P2pPair => "P2P pair",
        Fix::Shared => "shared",
        Fix::Exempt => "exempt",
    }
}

/// Whole pounds (a zero sum is -0.0 in f64; shown as £0).
fn money(v: f64) -> String {
    format!("£{:.0}", v + 0.0)
}

fn margin(v: Option<f64>) -> String {
    v.map_or("—".into(), |m| format!("{m:+.0}"))
}

fn table(f: &mut Frame, app: &App, props: &Proposals, th: &Theme, area: Rect) {
    let wide = area.width >= 90;
    let rows: Vec<Row> = props
        .plan
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (mark, style) = match props.decisions[i] {
                Decision::Open => (" ", Style::default()),
                Decision::Accepted => ("✓", Style::default().fg(th.verdict(Verdict::OkAltHan))),
                Decision::Rejected => ("✗", Style::default().fg(th.dim())),
            };
            let style = if p.fix == Fix::Exempt {
                style.fg(th.dim())
            } else {
                style
            };
            let mut cells = vec![
                Line::from(mark),
                Line::from(p.id.clone()),
                Line::from(short_fix(p.fix)),
                Line::from(format!("{:.0}", p.cost)),
                Line::from(format!(
                    "{}→{}",
                    margin(Some(p.margin_before_db)),
                    margin(p.margin_after_db)
                )),
            ];
            if wide {
                let now = verdict_of(&app.project, &p.id).unwrap_or(Verdict::NeedsAltHan);
                cells.push(Line::from(verdict_span(props.before[i], th)));
                cells.push(Line::from(verdict_span(now, th)));
                cells.push(Line::from(p.detail.clone()));
            }
            let row = Row::new(cells).style(style);
            if i == props.cursor {
                row.style(th.selected())
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(7),
    ];
    let mut head = vec!["", "premises", "fix", "£", "dB"];
    if wide {
        widths.extend([
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Min(10),
        ]);
        head.extend(["before", "now", "where / why"]);
    }
    // Keep the highlighted row in view.
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let skip = props.cursor.saturating_sub(visible - 1);
    let rows: Vec<Row> = rows.into_iter().skip(skip).collect();
    f.render_widget(
        Table::new(rows, widths)
            .header(header(&head, th))
            .block(Block::bordered().title(format!(
                " {}/{} · a accept · r reject ",
                (props.cursor + 1).min(props.plan.plans.len()),
                props.plan.plans.len()
            ))),
        area,
    );
}

fn detail(f: &mut Frame, app: &App, props: &Proposals, th: &Theme, area: Rect) {
    let Some(p) = props.current() else {
        f.render_widget(
            Paragraph::new("Every premises works without Alt HAN: nothing to plan.")
                .wrap(Wrap { trim: true })
                .block(Block::bordered()),
            area,
        );
        return;
    };
    let now = verdict_of(&app.project, &p.id).unwrap_or(Verdict::NeedsAltHan);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                fix_text(p.fix),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" · {} · ", money(p.cost))),
            verdict_span(props.before[props.cursor], th),
            Span::raw(" → "),
            verdict_span(now, th),
        ]),
        Line::from(format!(
            "margin {} dB → {} dB",
            margin(Some(p.margin_before_db)),
            margin(p.margin_after_db)
        )),
        Line::from(p.detail.clone()),
    ];
    if let Some(inst) = props.installation(props.cursor) {
        lines.push(Line::from(Span::styled(
            format!(
                "{} · {} backhaul · {} · serves {}",
                inst.id,
                inst.backhaul.name(),
                money(inst.cost),
                inst.serves.join(" ")
            ),
            Style::default().fg(th.dim()),
        )));
        for u in &inst.units {
            lines.push(Line::from(Span::styled(
                format!(
                    "  {} L{} ({:.1}, {:.1}) m, {:.1} m up, {}",
                    u.id, u.level, u.at[0], u.at[1], u.height_m, u.site
                ),
                Style::default().fg(th.dim()),
            )));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(format!(" {} ", p.id))),
        area,
    );
}

fn map(f: &mut Frame, app: &mut App, th: &Theme, area: Rect) {
    let level = app.project.level(app.floor);
    let title = if area.width >= 44 {
        format!(" Level {level} · {} · planned units ", app.band.label())
    } else {
        format!(" L{level} · {} ", app.band.label())
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let m = Mapping::new(inner, app.view, app.floor_size());
    plan::draw(app, None, &m, th, f.buffer_mut());
    if let Some(props) = app.proposals.as_ref() {
        units(props, level, &m, th, f.buffer_mut());
    }
}

/// Every proposed installation's units on this level: backhaul tracks between them, the unit
/// marks (`A` shared node, `R` repeater) coloured by decision, the highlighted one's labelled.
fn units(props: &Proposals, level: i64, m: &Mapping, th: &Theme, buf: &mut Buffer) {
    let current = props
        .plan
        .plans
        .get(props.cursor)
        .and_then(|p| p.installation.clone());
    for inst in &props.plan.installations {
        let k = props
            .plan
            .plans
            .iter()
            .position(|p| p.installation.as_deref() == Some(inst.id.as_str()));
        let colour = match k.map(|k| props.decisions[k]) {
            Some(Decision::Accepted) => th.verdict(Verdict::OkAltHan),
            Some(Decision::Rejected) => th.dim(),
            _ => th.accent(),
        };
        let highlighted = current.as_deref() == Some(inst.id.as_str());
        let here: Vec<_> = inst
            .units
            .iter()
            .filter(|u| i64::from(u.level) == level)
            .collect();
        if highlighted {
            for w in here.windows(2) {
                let a = m.cell_f(w[0].at[0], w[0].at[1]);
                let b = m.cell_f(w[1].at[0], w[1].at[1]);
                for (c, r) in plan::track(a, b) {
                    let (Ok(c), Ok(r)) = (u16::try_from(c), u16::try_from(r)) else {
                        continue;
                    };
                    if m.area.contains((c, r).into())
                        && let Some(cell) = buf.cell_mut((c, r))
                    {
                        cell.set_char('═');
                        cell.set_fg(colour);
                    }
                }
            }
        }
        let mark = if inst.kind == InstallationKind::Shared {
            'A'
        } else {
            'R'
        };
        for u in here {
            let Some((c, r)) = m.cell(u.at[0], u.at[1]) else {
                continue;
            };
            if let Some(cell) = buf.cell_mut((c, r)) {
                cell.set_char(mark);
                cell.set_style(Style::default().fg(Color::Black).bg(colour).add_modifier(
                    if highlighted {
                        Modifier::BOLD
                    } else {
                        Modifier::empty()
                    },
                ));
            }
            if highlighted {
                // `u1` for `althan-shared-u1`: the detail panel gives the full id.
                let label = u.id.strip_prefix(&format!("{}-", inst.id)).unwrap_or(&u.id);
                for (i, ch) in label.chars().enumerate() {
                    let x = c.saturating_add(1 + i as u16);
                    if !m.area.contains((x, r).into()) {
                        break;
                    }
                    if let Some(cell) = buf.cell_mut((x, r)) {
                        cell.set_char(ch);
                        cell.set_style(Style::default().fg(colour).bg(th.label_bg()));
                    }
                }
            }
        }
    }
}
