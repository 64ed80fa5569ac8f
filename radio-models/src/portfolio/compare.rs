//! Calibration against field results: `FIELD.csv` counts per archetype, predicted vs observed.
use super::report::{Group, Share, Summary};
use std::fmt::Write;

/// The header a field file starts with.
pub const HEADER: &str = "archetype,premises,ok_2g4,ok_868_only,needs_alt_han";

/// Observed counts of one archetype.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// Archetype name (as in the results), or `all`.
    pub archetype: String,
    /// Premises surveyed in the field.
    pub premises: usize,
    /// Counts: OK on 2.4 GHz, OK only with 868 MHz, needs Alt HAN.
    pub counts: [usize; 3],
}

/// Parses a field file; errors name `file:line:column`.
pub fn parse_field(name: &str, text: &str) -> Result<Vec<Observed>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim() == HEADER => {}
        _ => {
            return Err(format!(
                "{name}:1:1: the first line must be the header \"{HEADER}\""
            ));
        }
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let at = |col: usize, m: String| format!("{name}:{}:{col}: {m}", i + 1);
        let mut fields = Vec::new();
        let mut col = 1;
        for f in line.split(',') {
            fields.push((col, f.trim()));
            col += f.chars().count() + 1;
        }
        if fields.len() != 5 {
            return Err(at(
                1,
                format!("{} fields, expected 5 ({HEADER})", fields.len()),
            ));
        }
        let mut n = [0usize; 4];
        for (k, (c, f)) in fields[1..].iter().enumerate() {
            n[k] = f
                .parse()
                .map_err(|_| at(*c, format!("\"{f}\" is not a count (a whole number >= 0)")))?;
        }
        if n[1] + n[2] + n[3] != n[0] {
            return Err(at(
                fields[1].0,
                format!(
                    "the three counts sum to {}, not premises = {}",
                    n[1] + n[2] + n[3],
                    n[0]
                ),
            ));
        }
        if n[0] == 0 {
            return Err(at(fields[1].0, "premises is 0".into()));
        }
        out.push(Observed {
            archetype: fields[0].1.to_string(),
            premises: n[0],
            counts: [n[1], n[2], n[3]],
        });
    }
    Ok(out)
}

fn col(p: &Share, observed: f64) -> (String, bool) {
    let inside = (p.lo..=p.hi).contains(&observed);
    (
        format!("{:.1} ({:.1}–{:.1}) / {observed:.1}", p.pct, p.lo, p.hi),
        inside,
    )
}

/// Predicted vs observed shares per archetype, as a Markdown table.
pub fn compare(s: &Summary, field: &[Observed]) -> String {
    let mut out = String::from(
        "## Predicted vs observed (field)\n\nPredicted % (95 % CI) / observed %. \"inside\" when every observed share lies in the predicted interval.\n\n| archetype | field premises | OK on 2.4 GHz | OK only with 868 MHz | needs Alt HAN | inside |\n|---|---|---|---|---|---|\n",
    );
    for o in field {
        let g: Option<&Group> = if o.archetype == "all" {
            Some(&s.overall)
        } else {
            s.archetypes.iter().find(|g| g.name == o.archetype)
        };
        let obs = o.counts.map(|c| 100.0 * c as f64 / o.premises as f64);
        let Some(g) = g else {
            let _ = writeln!(
                out,
                "| {} | {} | — / {:.1} | — / {:.1} | — / {:.1} | no prediction |",
                o.archetype, o.premises, obs[0], obs[1], obs[2]
            );
            continue;
        };
        let cells = [
            col(&g.ok_2g4, obs[0]),
            col(&g.ok_868_only, obs[1]),
            col(&g.alt_han, obs[2]),
        ];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            o.archetype,
            o.premises,
            cells[0].0,
            cells[1].0,
            cells[2].0,
            if cells.iter().all(|c| c.1) {
                "yes"
            } else {
                "no"
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_locates_errors() {
        let ok = format!("{HEADER}\nterraced, 100, 70, 26, 4\n\nall,10,7,2,1\n");
        let v = parse_field("f.csv", &ok).unwrap();
        assert_eq!(v[0].counts, [70, 26, 4]);
        assert_eq!(v[1].archetype, "all");
        let e = parse_field("f.csv", &format!("{HEADER}\nterraced,100,70,2x,4\n")).unwrap_err();
        assert_eq!(e, "f.csv:2:17: \"2x\" is not a count (a whole number >= 0)");
        let e = parse_field("f.csv", &format!("{HEADER}\nterraced,100,70,20,4\n")).unwrap_err();
        assert!(
            e.starts_with("f.csv:2:10: the three counts sum to 94"),
            "{e}"
        );
        assert!(
            parse_field("f.csv", "a,b\n")
                .unwrap_err()
                .starts_with("f.csv:1:1:")
        );
    }

    #[test]
    fn observed_inside_or_outside_the_interval() {
        use crate::portfolio::batch::{Fix, ResultLine};
        use crate::portfolio::report::summarise;
        use crate::survey::Verdict;
        let lines: Vec<ResultLine> = (0..100)
            .map(|i| {
                let v = if i < 70 {
                    Verdict::Ok2g4
                } else if i < 96 {
                    Verdict::Ok868
                } else {
                    Verdict::NeedsAltHan
                };
                ResultLine {
                    id: format!("b{i}/p"),
                    building: format!("b{i}"),
                    premises: "p".into(),
                    archetype: "terraced".into(),
                    building_seq: i,
                    premises_seq: 0,
                    verdict: v,
                    ok_2g4: v == Verdict::Ok2g4,
                    ok_868: v != Verdict::NeedsAltHan,
                    worst_margin_2g4_db: None,
                    worst_margin_868_db: None,
                    fix: Fix::of_verdict(v),
                    cost_gbp: None,
                    exempt_reason: None,
                }
            })
            .collect();
        let s = summarise(&lines, 500, 1);
        let field = parse_field(
            "f.csv",
            &format!("{HEADER}\nterraced,200,142,50,8\nall,10,2,2,6\nflat,5,1,1,3\n"),
        )
        .unwrap();
        let t = compare(&s, &field);
        let rows: Vec<&str> = t
            .lines()
            .filter(|l| {
                l.starts_with("| terraced") || l.starts_with("| all") || l.starts_with("| flat")
            })
            .collect();
        assert!(
            rows[0].starts_with("| terraced | 200 | 70.0 (") && rows[0].ends_with("/ 4.0 | yes |"),
            "{t}"
        );
        assert!(rows[1].ends_with("/ 60.0 | no |"), "{t}");
        assert!(rows[2].ends_with("no prediction |"), "{t}");
    }
}
