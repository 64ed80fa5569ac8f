//! A plan as text, Markdown or JSON (schema in docs/alt-han.md).
use crate::plan::{Plan, PremisesPlan};

fn margin(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |m| format!("{m:.1}"))
}

fn units(n: usize) -> String {
    format!("{n} unit{}", if n == 1 { "" } else { "s" })
}

impl Plan {
    fn summary(&self) -> String {
        let fixed = self.plans.len() - self.exempt.len();
        format!(
            "{} premises: {} ok without Alt HAN, {} failing: {} fixed, {} exempt. Total cost {:.2}; naive plan (one P2P pair per failing premises) {:.2} for {} premises{}.",
            self.premises,
            self.ok_without_alt_han,
            self.plans.len(),
            fixed,
            self.exempt.len(),
            self.total_cost,
            self.naive.cost,
            self.naive.premises_fixed,
            self.cost_ratio
                .map_or(String::new(), |r| format!(", ratio {r:.3}"))
        )
    }

    fn search_line(&self) -> String {
        let s = &self.search;
        format!(
            "Search: {} candidate positions ({} forbidden), {} hear a failing device as shared units, {} not dominated; {} evaluations, {}.",
            s.sites,
            s.forbidden,
            s.shared_candidates,
            s.useful_candidates,
            s.evaluations,
            if s.optimal {
                "proven least-cost (every subset tried)"
            } else {
                "greedy set cover + local improvement"
            }
        )
    }

    fn verification_rows(&self, markdown: bool) -> String {
        let Some(v) = &self.verification else {
            return String::new();
        };
        let c = &v.config;
        let mut s = format!(
            "{}Simulation with the full GB devices: {} band, {:.0} s, links at their faded level; targets: every device joined, {:.0} % of meter readings acknowledged, the IHD's electricity never older than {:.0} s (its first update included), its gas never older than {:.0} s.\n",
            if markdown {
                "\n## Simulation\n\n"
            } else {
                "\n"
            },
            c.band.label(),
            c.duration.as_secs_f64(),
            c.delivery_target * 100.0,
            c.electricity_fresh.as_secs_f64(),
            c.gas_fresh.as_secs_f64(),
        );
        let gap = |g: Option<f64>| g.map_or("never".to_string(), |g| format!("{g:.0}"));
        let cells = |d: &crate::verify::Delivery| {
            [
                format!("{}/{}", d.joined, d.devices),
                format!("{}/{}", d.received, d.sent),
                // The longest the IHD went without fresh electricity: between updates, or
                // from the join to the first.
                gap(d
                    .electricity_gap_s
                    .map(|g| d.electricity_first_wait_s.map_or(g, |w| g.max(w)))),
            ]
        };
        if markdown {
            s += "\n| premises | joined before | readings before | IHD gap before s | joined after | readings after | IHD gap after s | channel | ok |\n|---|---|---|---|---|---|---|---|---|\n";
        } else {
            s += &format!(
                "  {:<18} {:>7} {:>10} {:>6} {:>7} {:>10} {:>6} {:>3}  ok\n",
                "premises", "joined", "readings", "gap s", "joined", "readings", "gap s", "ch"
            );
        }
        for p in &v.premises {
            let ([jb, rb, gb], [ja, ra, ga]) = (cells(&p.before), cells(&p.after));
            let ch = p.channel.map_or("-".to_string(), |c| c.to_string());
            s += &if markdown {
                format!(
                    "| {} | {jb} | {rb} | {gb} | {ja} | {ra} | {ga} | {ch} | {} |\n",
                    p.id,
                    if p.ok { "✓" } else { "✗" }
                )
            } else {
                format!(
                    "  {:<18} {jb:>7} {rb:>10} {gb:>6} {ja:>7} {ra:>10} {ga:>6} {ch:>3}  {}\n",
                    p.id,
                    if p.ok { "yes" } else { "NO" }
                )
            };
        }
        s
    }

    /// Plain-text report.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "Alt HAN plan: {}\n{}\n{}\n",
            self.building,
            self.summary(),
            self.search_line()
        );
        s += &format!(
            "\n  {:<18} {:<14} {:>9} {:>7} {:>7} {:>7}  detail\n",
            "premises", "fix", "cost", "before", "after", "gain"
        );
        for p in &self.plans {
            s += &format!(
                "  {:<18} {:<14} {:>9.2} {:>7} {:>7} {:>7}  {}\n",
                p.id,
                p.fix.name(),
                p.cost,
                format!("{:.1}", p.margin_before_db),
                margin(p.margin_after_db),
                margin(p.margin_gained_db),
                p.detail
            );
        }
        for i in &self.installations {
            s += &format!(
                "\n{} ({}, {} backhaul, {}, cost {:.2}) serves {}\n",
                i.id,
                i.kind.name(),
                i.backhaul.name(),
                units(i.units.len()),
                i.cost,
                i.serves.join(", ")
            );
            for u in &i.units {
                s += &format!(
                    "  {:<28} level {:>3}  at [{:.1}, {:.1}]  height {:.1} m  ({})\n",
                    u.id, u.level, u.at[0], u.at[1], u.height_m, u.site
                );
            }
        }
        if !self.exempt.is_empty() {
            s += "\nExempt Premises List:\n";
            for e in &self.exempt {
                s += &format!("  {}: {}\n", e.id, e.reason);
            }
        }
        s + &self.verification_rows(false)
    }

    /// Markdown report.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "# Alt HAN plan: {}\n\n{}\n\n{}\n\n| premises | fix | installation | cost | margin before dB | after dB | gained dB | detail |\n|---|---|---|---|---|---|---|---|\n",
            self.building,
            self.summary(),
            self.search_line()
        );
        let row = |p: &PremisesPlan| {
            format!(
                "| {} | `{}` | {} | {:.2} | {:.1} | {} | {} | {} |\n",
                p.id,
                p.fix.name(),
                p.installation.as_deref().unwrap_or("—"),
                p.cost,
                p.margin_before_db,
                margin(p.margin_after_db),
                margin(p.margin_gained_db),
                p.detail
            )
        };
        for p in &self.plans {
            s += &row(p);
        }
        for i in &self.installations {
            s += &format!(
                "\n## {} — {}, {} backhaul, cost {:.2}\n\nServes {}.\n\n| unit | level | at | height m | from |\n|---|---|---|---|---|\n",
                i.id,
                i.kind.name(),
                i.backhaul.name(),
                i.cost,
                i.serves.join(", ")
            );
            for u in &i.units {
                s += &format!(
                    "| {} | {} | [{:.1}, {:.1}] | {:.1} | {} |\n",
                    u.id, u.level, u.at[0], u.at[1], u.height_m, u.site
                );
            }
        }
        if !self.exempt.is_empty() {
            s += "\n## Exempt Premises List\n\n| premises | reason |\n|---|---|\n";
            for e in &self.exempt {
                s += &format!("| {} | {} |\n", e.id, e.reason);
            }
        }
        s + &self.verification_rows(true)
    }

    /// JSON (pretty).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
