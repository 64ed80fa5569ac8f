//! Broadcast transactions with passive acknowledgement (Zigbee PRO R22 3.6.5).
//!
//! Each broadcast is known by its NWK (source, sequence number). The first copy
//! is delivered and, while its radius allows, relayed after a random jitter of
//! up to nwkcMaxBroadcastJitter; later copies are duplicates. Every copy heard
//! from a neighbour counts as that neighbour's passive acknowledgement. After
//! sending, a device waits nwkPassiveAckTimeout and, if some router neighbour
//! has not been heard relaying, sends again, up to nwkMaxBroadcastRetries times.
//! Route requests and link status commands have their own rules and do not go
//! through this table.

use std::collections::{BTreeMap, BTreeSet};

use super::consts::{
    BROADCAST_ALL, BROADCAST_DELIVERY_TIME, BROADCAST_ROUTERS, BROADCAST_RX_ON_WHEN_IDLE,
    MAX_BROADCAST_JITTER, MAX_BROADCAST_RETRIES, PASSIVE_ACK_TIMEOUT,
};
use super::decision::{DropReason, RxDecision};
use super::neighbour::{NeighbourKind, NeighbourTable};
use super::router::{After, Router, Scheduled, random_below};
use super::{NwkPayload, Output, Transmit};
use crate::mac::csma::MacRandom;
use crate::nwk::header::NwkHeader;

/// One broadcast transaction record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastRecord {
    /// NWK source of the broadcast.
    pub src: u16,
    /// NWK sequence number.
    pub seq: u8,
    /// When the record expires (nwkBroadcastDeliveryTime after the first copy).
    pub expires: u64,
    /// Neighbours heard sending a copy (passive acknowledgements).
    pub heard_from: BTreeSet<u16>,
    /// Retransmissions left.
    pub retries_left: u8,
    /// When to check the passive acknowledgements of our last transmission.
    pub check_at: Option<u64>,
    /// Our transmission, kept for retransmission while a check is pending.
    pub copy: Option<Transmit>,
}

/// The broadcast transaction table, keyed by (source, sequence number).
#[derive(Debug, Clone, Default)]
pub struct BroadcastTable {
    records: BTreeMap<(u16, u8), BroadcastRecord>,
}

impl BroadcastTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The record of a broadcast.
    pub fn get(&self, src: u16, seq: u8) -> Option<&BroadcastRecord> {
        self.records.get(&(src, seq))
    }

    /// Number of live records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record is live.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// A copy of broadcast (src, seq) was heard from `from` (None for our own
    /// origination): true when it is new.
    pub fn heard(&mut self, now: u64, src: u16, seq: u8, from: Option<u16>) -> bool {
        let mut new = false;
        let r = self.records.entry((src, seq)).or_insert_with(|| {
            new = true;
            BroadcastRecord {
                src,
                seq,
                expires: now + BROADCAST_DELIVERY_TIME,
                heard_from: BTreeSet::new(),
                retries_left: MAX_BROADCAST_RETRIES,
                check_at: None,
                copy: None,
            }
        });
        r.heard_from.extend(from);
        new
    }

    /// We sent `tx`: wait for passive acknowledgements when neighbours are to
    /// relay it (radius above 1).
    pub(super) fn sent(&mut self, now: u64, tx: &Transmit) {
        if let Some(r) = self.records.get_mut(&(tx.header.src, tx.header.seq))
            && tx.header.radius > 1
        {
            r.check_at = Some(now + PASSIVE_ACK_TIMEOUT);
            r.copy = Some(tx.clone());
        }
    }

    /// Router neighbours not yet heard relaying broadcast (src, seq) (the source itself excepted).
    pub fn missing(&self, src: u16, seq: u8, neighbours: &NeighbourTable) -> Vec<u16> {
        let Some(r) = self.records.get(&(src, seq)) else {
            return Vec::new();
        };
        neighbours
            .iter()
            .filter(|n| {
                n.kind == NeighbourKind::Router && n.addr != src && !r.heard_from.contains(&n.addr)
            })
            .map(|n| n.addr)
            .collect()
    }

    /// The earliest pending passive-acknowledgement check.
    pub fn next_check(&self) -> Option<u64> {
        self.records.values().filter_map(|r| r.check_at).min()
    }

    /// Forget records past nwkBroadcastDeliveryTime.
    pub fn purge(&mut self, now: u64) {
        self.records.retain(|_, r| r.expires > now);
    }
}

impl Router {
    /// Send a broadcast this device originates (the data path got
    /// [`RouteDecision::Broadcast`](super::RouteDecision::Broadcast)): it goes out
    /// now and is retried until its router neighbours are heard relaying it.
    pub fn send_broadcast(
        &mut self,
        now: u64,
        header: NwkHeader,
        payload: NwkPayload,
    ) -> Vec<Output> {
        self.broadcasts.heard(now, header.src, header.seq, None);
        let tx = Transmit {
            mac_dst: BROADCAST_ALL,
            header,
            payload,
        };
        self.broadcasts.sent(now, &tx);
        vec![Output::Transmit(tx)]
    }

    /// A received broadcast other than a route request or link status.
    pub(super) fn on_broadcast(
        &mut self,
        now: u64,
        mac_src: u16,
        header: NwkHeader,
        payload: NwkPayload,
        rng: &mut impl MacRandom,
    ) -> RxDecision {
        if !self
            .broadcasts
            .heard(now, header.src, header.seq, Some(mac_src))
        {
            return RxDecision::Drop(DropReason::Duplicate);
        }
        if header.src == self.addr {
            // Our own broadcast heard after its record expired.
            return RxDecision::Drop(DropReason::OwnFrame);
        }
        let deliver = matches!(
            header.dst,
            BROADCAST_ALL | BROADCAST_RX_ON_WHEN_IDLE | BROADCAST_ROUTERS
        );
        if header.radius > 1 {
            let mut h = header;
            h.radius -= 1;
            self.scheduled.push(Scheduled {
                at: now + random_below(rng, MAX_BROADCAST_JITTER),
                tx: Transmit {
                    mac_dst: BROADCAST_ALL,
                    header: h,
                    payload,
                },
                then: After::PassiveAck,
            });
        }
        if deliver {
            RxDecision::ForMe
        } else {
            RxDecision::Drop(DropReason::NotForMe)
        }
    }

    /// Retransmit broadcasts whose passive acknowledgements are incomplete.
    pub(super) fn passive_ack_checks(&mut self, now: u64, out: &mut Vec<Output>) {
        let due: Vec<(u16, u8)> = self
            .broadcasts
            .records
            .iter()
            .filter(|(_, r)| r.check_at.is_some_and(|t| t <= now))
            .map(|(k, _)| *k)
            .collect();
        for (src, seq) in due {
            let missing = !self
                .broadcasts
                .missing(src, seq, &self.neighbours)
                .is_empty();
            let Some(r) = self.broadcasts.records.get_mut(&(src, seq)) else {
                continue;
            };
            match (&r.copy, missing && r.retries_left > 0) {
                (Some(tx), true) => {
                    r.retries_left -= 1;
                    self.counters.broadcast_retries += 1;
                    r.check_at = Some(now + PASSIVE_ACK_TIMEOUT);
                    out.push(Output::Transmit(tx.clone()));
                }
                _ => {
                    r.check_at = None;
                    r.copy = None;
                }
            }
        }
    }
}
