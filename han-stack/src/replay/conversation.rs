//! Conversations: the messages of a capture grouped per device pair and per
//! cluster, with counts, timings and attribute values. What changes every run
//! (sequence numbers, frame counters) is left out, so two captures compare.

use std::collections::BTreeMap;

use serde::Serialize;

use super::message::{Message, address_text};
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

/// Group a trace's messages into conversations, sorted by sender, receiver and cluster.
pub fn conversations(trace: &Trace) -> Vec<Conversation> {
    let start = trace.start();
    let mut by_key: BTreeMap<(String, String, Option<u16>), Conversation> = BTreeMap::new();
    for m in trace.messages.iter().filter(|m| !m.retry) {
        let (from, to) = (label(trace, &m.src), label(trace, &m.dst));
        let c = by_key
            .entry((from.clone(), to.clone(), m.cluster))
            .or_insert_with(|| Conversation {
                from,
                to,
                cluster: m.cluster.map(|c| format!("0x{c:04x}")),
                messages: BTreeMap::new(),
                attributes: BTreeMap::new(),
            });
        add(c, m, m.time - start);
    }
    by_key.into_values().collect()
}

fn add(c: &mut Conversation, m: &Message, t: f64) {
    let s = c
        .messages
        .entry(m.name().to_string())
        .or_insert(MessageStats {
            count: 0,
            first: t,
            last: t,
            mean_interval: None,
        });
    s.count += 1;
    s.first = s.first.min(t);
    s.last = s.last.max(t);
    s.mean_interval = (s.count > 1).then(|| (s.last - s.first) / (s.count - 1) as f64);
    for &(id, v) in m.zcl.iter().flat_map(|z| &z.attributes) {
        let a = c
            .attributes
            .entry(format!("0x{id:04x}"))
            .or_insert(AttributeStats {
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
