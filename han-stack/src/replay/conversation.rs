//! Conversations: the messages of a capture grouped per device pair and per
//! cluster, with counts, timings and attribute values. What changes every run
//! (sequence numbers, frame counters) is left out, so two captures compare.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::message::address_text;
use super::trace::Trace;
use crate::mac::Address;

/// Messages from one device to another on one cluster (or outside any cluster).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversation {
    /// Sender: its EUI-64 when the capture binds it, else its address.
    pub from: String,
    /// Receiver, likewise.
    pub to: String,
    /// APS cluster (`0x0702`), absent for frames without one.
    pub cluster: Option<String>,
    /// Per message name.
    pub messages: BTreeMap<String, MessageStats>,
    /// Per attribute id (`0x0400`), the values reported or read.
    pub attributes: BTreeMap<String, AttributeStats>,
}

impl Conversation {
    /// `from → to [cluster]`, for reports.
    pub fn label(&self) -> String {
        match &self.cluster {
            Some(c) => format!("{} → {} cluster {c}", self.from, self.to),
            None => format!("{} → {}", self.from, self.to),
        }
    }
}

/// How often one kind of message was sent, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageStats {
    /// How many (MAC retransmissions not counted).
    pub count: usize,
    /// First one, seconds from the start of the capture.
    pub first: f64,
    /// Last one, likewise.
    pub last: f64,
    /// Mean time between them, when there are two or more.
    pub mean_interval: Option<f64>,
}

/// The values one attribute took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeStats {
    /// How many values.
    pub count: usize,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// The last one.
    pub last: f64,
}

fn label(trace: &Trace, a: &Address) -> String {
    match trace.eui64_of(a) {
        Some(e) => e.to_string(),
        None => address_text(a),
    }
}

/// Tallies of one (sender, receiver, cluster) before addresses become labels.
#[derive(Default)]
struct Tally {
    messages: HashMap<&'static str, MessageStats>,
    attributes: BTreeMap<u16, AttributeStats>,
}

/// Group a trace's messages into conversations, sorted by sender, receiver and cluster.
pub fn conversations(trace: &Trace) -> Vec<Conversation> {
    let start = trace.start();
    // Tally by raw address first (cheap), then name the ends: a short address
    // and the EUI-64 it is bound to become one conversation.
    let mut tallies: HashMap<(Address, Address, Option<u16>), Tally> = HashMap::new();
    for m in trace.messages.iter().filter(|m| !m.retry) {
        let t = tallies.entry((m.src, m.dst, m.cluster)).or_default();
        let time = m.time - start;
        add_message(
            t.messages.entry(m.name()).or_insert(MessageStats {
                count: 0,
                first: time,
                last: time,
                mean_interval: None,
            }),
            1,
            time,
            time,
        );
        for &(id, v) in m.zcl.iter().flat_map(|z| &z.attributes) {
            let a = t.attributes.entry(id).or_insert(AttributeStats {
                count: 0,
                min: v,
                max: v,
                last: v,
            });
            a.count += 1;
            a.min = a.min.min(v);
            a.max = a.max.max(v);
            a.last = v;
        }
    }
    let mut by_key: BTreeMap<(String, String, Option<u16>), Conversation> = BTreeMap::new();
    let mut keys: Vec<_> = tallies.keys().copied().collect();
    // Merge in message order so "last" attribute values stay the latest ones.
    keys.sort_by(|a, b| {
        let first = |k: &(Address, Address, Option<u16>)| {
            tallies[k]
                .messages
                .values()
                .map(|s| s.first)
                .fold(f64::INFINITY, f64::min)
        };
        first(a).total_cmp(&first(b))
    });
    for key in keys {
        let (src, dst, cluster) = key;
        let (from, to) = (label(trace, &src), label(trace, &dst));
        let c = by_key
            .entry((from.clone(), to.clone(), cluster))
            .or_insert_with(|| Conversation {
                from,
                to,
                cluster: cluster.map(|c| format!("0x{c:04x}")),
                messages: BTreeMap::new(),
                attributes: BTreeMap::new(),
            });
        let t = &tallies[&key];
        for (name, s) in &t.messages {
            let entry = c.messages.entry(name.to_string()).or_insert(MessageStats {
                count: 0,
                first: s.first,
                last: s.last,
                mean_interval: None,
            });
            add_message(entry, s.count, s.first, s.last);
        }
        for (&id, a) in &t.attributes {
            let e = c
                .attributes
                .entry(format!("0x{id:04x}"))
                .or_insert(AttributeStats {
                    count: 0,
                    min: a.min,
                    max: a.max,
                    last: a.last,
                });
            e.count += a.count;
            e.min = e.min.min(a.min);
            e.max = e.max.max(a.max);
            e.last = a.last;
        }
    }
    by_key.into_values().collect()
}

/// Add `count` messages seen from `first` to `last`.
fn add_message(s: &mut MessageStats, count: usize, first: f64, last: f64) {
    s.count += count;
    s.first = s.first.min(first);
    s.last = s.last.max(last);
    s.mean_interval = (s.count > 1).then(|| (s.last - s.first) / (s.count - 1) as f64);
}
