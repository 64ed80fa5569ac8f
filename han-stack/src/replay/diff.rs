//! Semantic comparison of two captures through their conversations: message
//! counts, timings and attribute values, never sequence numbers or counters.

use serde::Serialize;

use super::conversation::Conversation;

/// One way two captures differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The conversation (`from → to cluster`).
    pub conversation: String,
    /// What differs, in words.
    pub what: String,
}

/// How far timings may drift before they count as different.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Relative difference of mean intervals (0.1 = 10 %).
    pub relative: f64,
    /// Absolute difference always allowed, s.
    pub absolute: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            relative: 0.10,
            absolute: 0.05,
        }
    }
}

/// Compare conversations of capture A with those of B (both sorted as
/// [`super::conversations`] returns them).
pub fn diff(a: &[Conversation], b: &[Conversation], tol: Tolerance) -> Vec<Difference> {
    let key = |c: &Conversation| (c.from.clone(), c.to.clone(), c.cluster.clone());
    let mut out = Vec::new();
    let mut push = |c: &Conversation, what: String| {
        out.push(Difference {
            conversation: c.label(),
            what,
        })
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => key(x).cmp(&key(y)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                push(&a[i], format!("only in A ({})", totals(&a[i])));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                push(&b[j], format!("only in B ({})", totals(&b[j])));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                for what in compare(&a[i], &b[j], tol) {
                    push(&a[i], what);
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn totals(c: &Conversation) -> String {
    c.messages
        .iter()
        .map(|(name, s)| format!("{} × {name}", s.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare(a: &Conversation, b: &Conversation, tol: Tolerance) -> Vec<String> {
    let mut out = Vec::new();
    let names = a.messages.keys().chain(b.messages.keys());
    let mut seen = std::collections::BTreeSet::new();
    for name in names.filter(|n| seen.insert(*n)) {
        match (a.messages.get(name), b.messages.get(name)) {
            (Some(x), Some(y)) => {
                if x.count != y.count {
                    out.push(format!("{name}: {} in A, {} in B", x.count, y.count));
                }
                if let (Some(p), Some(q)) = (x.mean_interval, y.mean_interval)
                    && (p - q).abs() > tol.absolute.max(tol.relative * p.abs().max(q.abs()))
                {
                    out.push(format!(
                        "{name}: mean interval {p:.3} s in A, {q:.3} s in B"
                    ));
                }
            }
            (Some(x), None) => out.push(format!("{name}: {} in A, none in B", x.count)),
            (None, Some(y)) => out.push(format!("{name}: none in A, {} in B", y.count)),
            (None, None) => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let ids = a.attributes.keys().chain(b.attributes.keys());
    for id in ids.filter(|n| seen.insert(*n)) {
        let text = |s: Option<&super::conversation::AttributeStats>| match s {
            Some(s) => format!("{}..{} (last {})", s.min, s.max, s.last),
            None => "none".into(),
        };
        let (x, y) = (a.attributes.get(id), b.attributes.get(id));
        let same = match (x, y) {
            (Some(x), Some(y)) => x.min == y.min && x.max == y.max && x.last == y.last,
            _ => false,
        };
        if !same {
            out.push(format!(
                "attribute {id}: {} in A, {} in B",
                text(x),
                text(y)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::conversation::{AttributeStats, MessageStats};
    use std::collections::BTreeMap;

    fn conversation(to: &str, reports: usize, interval: f64, last: f64) -> Conversation {
        Conversation {
            from: "0x0002".into(),
            to: to.into(),
            cluster: Some("0x0702".into()),
            messages: BTreeMap::from([(
                "Report Attributes".to_string(),
                MessageStats {
                    count: reports,
                    first: 0.0,
                    last: interval * (reports - 1) as f64,
                    mean_interval: Some(interval),
                },
            )]),
            attributes: BTreeMap::from([(
                "0x0400".to_string(),
                AttributeStats {
                    count: reports,
                    min: 0.0,
                    max: 500.0,
                    last,
                },
            )]),
        }
    }

    #[test]
    fn counts_timings_values_and_lone_conversations_are_reported() {
        let a = [
            conversation("0x0001", 10, 10.0, 250.0),
            conversation("0x0003", 2, 5.0, 1.0),
        ];
        let b = [
            conversation("0x0001", 11, 10.5, 300.0),
            conversation("0x0004", 2, 5.0, 1.0),
        ];
        let d = diff(&a, &b, Tolerance::default());
        let text: Vec<String> = d
            .iter()
            .map(|d| format!("{}: {}", d.conversation, d.what))
            .collect();
        assert_eq!(
            text,
            [
                "0x0002 → 0x0001 cluster 0x0702: Report Attributes: 10 in A, 11 in B",
                "0x0002 → 0x0001 cluster 0x0702: attribute 0x0400: 0..500 (last 250) in A, 0..500 (last 300) in B",
                "0x0002 → 0x0003 cluster 0x0702: only in A (2 × Report Attributes)",
                "0x0002 → 0x0004 cluster 0x0702: only in B (2 × Report Attributes)",
            ]
        );
        // 10 s against 12 s is beyond 10 %.
        let c = [conversation("0x0001", 10, 12.0, 250.0)];
        let d = diff(&a[..1], &c, Tolerance::default());
        assert_eq!(
            d[0].what,
            "Report Attributes: mean interval 10.000 s in A, 12.000 s in B"
        );
        assert!(diff(&a, &a, Tolerance::default()).is_empty());
    }
}
