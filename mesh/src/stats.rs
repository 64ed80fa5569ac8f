//! Statistics of a run, per link and per node, serialisable as JSON.

use serde::Serialize;
use std::collections::BTreeMap;

/// Counters of one directed link (source node → destination node).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkStats {
    /// Data requests.
    pub requests: u64,
    /// Requests confirmed with success.
    pub delivered: u64,
    /// Requests that ended with no ACK.
    pub no_ack: u64,
    /// Requests that ended in channel access failure.
    pub cca_failed: u64,
    /// Requests refused by the duty-cycle limit.
    pub duty_cycle_suspended: u64,
    /// Retransmissions (transmissions beyond the first).
    pub retries: u64,
    /// Frames the destination took in (duplicates excluded).
    pub received: u64,
    /// Duplicates the destination rejected.
    pub duplicates: u64,
}

impl LinkStats {
    /// Delivered / requests (1 with no requests).
    pub fn delivery_ratio(&self) -> f64 {
        if self.requests == 0 {
            1.0
        } else {
            self.delivered as f64 / self.requests as f64
        }
    }
}

/// Radio time of one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NodeStats {
    /// Nanoseconds transmitting.
    pub tx_ns: u64,
    /// Nanoseconds receiving a frame.
    pub rx_ns: u64,
    /// Nanoseconds asleep.
    pub sleep_ns: u64,
    /// PPDUs sent (data, commands and ACKs).
    pub ppdus: u64,
}

/// Data confirmations by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confirms {
    /// Success.
    pub success: u64,
    /// No ACK.
    pub no_ack: u64,
    /// Channel access failure.
    pub channel_access_failure: u64,
    /// Refused by the duty-cycle limit.
    pub duty_cycle_suspended: u64,
}

/// One row of the per-link table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkRow {
    /// Source node.
    pub src: u32,
    /// Destination node.
    pub dst: u32,
    /// Its counters.
    #[serde(flatten)]
    pub stats: LinkStats,
}

/// Everything counted in a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Simulated nanoseconds.
    pub duration_ns: u64,
    /// PPDUs put on the air (data + ACK, retries included).
    pub ppdus: u64,
    /// Of which ACKs.
    pub acks: u64,
    /// Sum of all PPDUs' on-air time in ns (channel load = this / duration).
    pub airtime_ns: u64,
    /// On-air time per channel in ns (utilisation = this / duration).
    pub channel_airtime_ns: BTreeMap<u8, u64>,
    /// Data confirmations.
    pub confirms: Confirms,
    /// Clear channel assessments that found the channel busy (CSMA-CA backoffs).
    pub busy_ccas: u64,
    /// Frames addressed to a node that it received with bit errors (lost to noise and
    /// interference: collisions, Wi-Fi bursts).
    pub corrupted: u64,
    /// Per link, in (src, dst) order.
    #[serde(serialize_with = "links_as_rows")]
    pub links: BTreeMap<(u32, u32), LinkStats>,
    /// Per node, by index.
    pub nodes: Vec<NodeStats>,
}

fn links_as_rows<S: serde::Serializer>(
    links: &BTreeMap<(u32, u32), LinkStats>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        links
            .iter()
            .map(|(&(src, dst), &stats)| LinkRow { src, dst, stats }),
    )
}

impl Stats {
    /// Fraction of time the channel carried a PPDU (overlaps counted twice).
    pub fn channel_load(&self) -> f64 {
        if self.duration_ns == 0 {
            0.0
        } else {
            self.airtime_ns as f64 / self.duration_ns as f64
        }
    }

    /// The `n` links with the lowest delivery ratio (ties by index).
    pub fn worst_links(&self, n: usize) -> Vec<LinkRow> {
        let mut v: Vec<LinkRow> = self
            .links
            .iter()
            .filter(|(_, s)| s.requests > 0)
            .map(|(&(src, dst), &stats)| LinkRow { src, dst, stats })
            .collect();
        v.sort_by(|a, b| {
            a.stats
                .delivery_ratio()
                .total_cmp(&b.stats.delivery_ratio())
                .then((a.src, a.dst).cmp(&(b.src, b.dst)))
        });
        v.truncate(n);
        v
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
