//! APS acknowledged data (Zigbee PRO R22 2.2.8.4.4): a unicast with the ack-request bit
//! waits apscAckWaitDuration for its APS ACK and is sent again up to apscMaxFrameRetries
//! times; the receiver answers with a data ACK naming the same endpoints, cluster,
//! profile and APS counter.

use super::{ApsFlags, ApsHeader, DeliveryMode, FrameType};
use std::collections::{BTreeMap, VecDeque};

/// apscMaxFrameRetries (Zigbee PRO R22 Table 2-23).
pub const MAX_FRAME_RETRIES: u8 = 3;

/// apscAckWaitDuration: 0.05·(2·nwkcMaxDepth) s + security processing, taken as 1.6 s
/// (nwkcMaxDepth 15, 2.2.7.1).
pub const ACK_WAIT_NS: u64 = 1_600_000_000;

/// A unicast data frame header to `dst_endpoint` on `cluster` of `profile`.
pub fn data_header(
    dst_endpoint: u8,
    cluster: u16,
    profile: u16,
    src_endpoint: u8,
    counter: u8,
    ack_request: bool,
) -> ApsHeader {
    ApsHeader {
        frame_type: FrameType::Data,
        delivery_mode: DeliveryMode::Unicast,
        flags: if ack_request {
            ApsFlags::ACK_REQUEST
        } else {
            ApsFlags::empty()
        },
        dst_endpoint: Some(dst_endpoint),
        group: None,
        cluster: Some(cluster),
        profile: Some(profile),
        src_endpoint: Some(src_endpoint),
        counter,
        extended: None,
    }
}

/// The APS ACK of a received data frame: endpoints swapped, same cluster, profile and
/// counter (2.2.5.2.3).
pub fn ack_of(data: &ApsHeader) -> ApsHeader {
    ApsHeader {
        frame_type: FrameType::Ack,
        delivery_mode: DeliveryMode::Unicast,
        flags: ApsFlags::empty(),
        dst_endpoint: data.src_endpoint,
        group: None,
        cluster: data.cluster,
        profile: data.profile,
        src_endpoint: data.dst_endpoint,
        counter: data.counter,
        extended: None,
    }
}

/// One frame waiting for its ACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outstanding {
    /// NWK destination.
    pub dst: u16,
    /// APS counter.
    pub counter: u8,
    /// The APS frame (unsecured at NWK level; before APS security when `key` is set) to
    /// send again.
    pub aps: Vec<u8>,
    /// The link key that secures each transmission of `aps`, if any.
    pub key: Option<[u8; 16]>,
    /// Transmissions so far.
    pub tries: u8,
    /// When the current wait ends (ns).
    pub deadline: u64,
    /// The caller's tag.
    pub tag: u32,
}

/// What a wait that ended asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    /// Send `aps` to `dst` again, APS-secured with `key` if set: sealed afresh, with the
    /// next outgoing frame counter, since the receiver may meanwhile have accepted a later
    /// frame from this sender and would drop the first counter as a replay (Zigbee PRO
    /// R22 4.4.1.1; duplicates are rejected by APS counter, 2.2.8.4.2).
    Resend {
        /// NWK destination.
        dst: u16,
        /// The APS frame.
        aps: Vec<u8>,
        /// The link key to secure it with.
        key: Option<[u8; 16]>,
    },
    /// No ACK after every retry.
    Failed {
        /// NWK destination.
        dst: u16,
        /// The caller's tag.
        tag: u32,
    },
}

/// How many APS counters per source the duplicate rejection table remembers: a sender's
/// retransmissions (at most [`MAX_FRAME_RETRIES`] per frame) may come after its later frames.
pub const DUPLICATE_WINDOW: usize = 8;

/// The APS duplicate rejection table (Zigbee PRO R22 2.2.8.4.2): the last
/// [`DUPLICATE_WINDOW`] APS counters of unicast data accepted from each source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuplicateRejection {
    seen: BTreeMap<u16, VecDeque<u8>>,
}

impl DuplicateRejection {
    /// Whether a frame from `src` with APS counter `counter` was accepted lately.
    pub fn contains(&self, src: u16, counter: u8) -> bool {
        self.seen.get(&src).is_some_and(|c| c.contains(&counter))
    }

    /// Remember a frame accepted from `src` with APS counter `counter`.
    pub fn insert(&mut self, src: u16, counter: u8) {
        let c = self.seen.entry(src).or_default();
        if c.len() == DUPLICATE_WINDOW {
            c.pop_front();
        }
        c.push_back(counter);
    }
}

/// The frames a device waits on APS ACKs for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retransmissions {
    waiting: Vec<Outstanding>,
    /// Frames sent again.
    pub retries: u64,
    /// Frames given up on.
    pub failures: u64,
}

impl Retransmissions {
    /// Wait for the ACK of `aps` (counter `counter`, secured with `key` if set) sent to
    /// `dst` at `now`.
    pub fn track(
        &mut self,
        now: u64,
        dst: u16,
        counter: u8,
        (aps, key): (Vec<u8>, Option<[u8; 16]>),
        tag: u32,
    ) {
        self.waiting.push(Outstanding {
            dst,
            counter,
            aps,
            key,
            tries: 1,
            deadline: now + ACK_WAIT_NS,
            tag,
        });
    }

    /// An APS ACK from `src` with `counter` arrived: the tag it settles, if any.
    pub fn on_ack(&mut self, src: u16, counter: u8) -> Option<u32> {
        let i = self
            .waiting
            .iter()
            .position(|o| o.dst == src && o.counter == counter)?;
        Some(self.waiting.remove(i).tag)
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        self.waiting.iter().map(|o| o.deadline).min()
    }

    /// Waits ended by `now`: resend (with a new deadline) or give up.
    pub fn on_timer(&mut self, now: u64) -> Vec<Retry> {
        let mut out = Vec::new();
        self.waiting.retain_mut(|o| {
            if o.deadline > now {
                return true;
            }
            if o.tries > MAX_FRAME_RETRIES {
                out.push(Retry::Failed {
                    dst: o.dst,
                    tag: o.tag,
                });
                return false;
            }
            o.tries += 1;
            o.deadline = now + ACK_WAIT_NS;
            out.push(Retry::Resend {
                dst: o.dst,
                aps: o.aps.clone(),
                key: o.key,
            });
            true
        });
        for r in &out {
            match r {
                Retry::Resend { .. } => self.retries += 1,
                Retry::Failed { .. } => self.failures += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Wire;

    #[test]
    fn data_and_ack_bytes() {
        // Metering (0x0702) on Smart Energy (0x0109), endpoint 1 → 1, counter 0x33, ACK asked.
        let h = data_header(1, 0x0702, 0x0109, 1, 0x33, true);
        assert_eq!(
            h.to_bytes(),
            [0x40, 0x01, 0x02, 0x07, 0x09, 0x01, 0x01, 0x33]
        );
        let a = ack_of(&data_header(2, 0x0702, 0x0109, 1, 0x33, true));
        assert_eq!(
            a.to_bytes(),
            [0x02, 0x01, 0x02, 0x07, 0x09, 0x01, 0x02, 0x33]
        );
    }

    #[test]
    fn retries_then_gives_up() {
        let mut r = Retransmissions::default();
        r.track(0, 0x1234, 5, (vec![1], Some([9; 16])), 77);
        r.track(0, 0x4321, 6, (vec![2], None), 78);
        assert_eq!(r.on_ack(0x4321, 6), Some(78));
        assert_eq!(r.on_ack(0x4321, 6), None);
        assert!(r.on_timer(ACK_WAIT_NS - 1).is_empty());
        let mut t = ACK_WAIT_NS;
        for _ in 0..MAX_FRAME_RETRIES {
            assert_eq!(
                r.on_timer(t),
                [Retry::Resend {
                    dst: 0x1234,
                    aps: vec![1],
                    key: Some([9; 16]),
                }]
            );
            t += ACK_WAIT_NS;
        }
        assert_eq!(r.next_deadline(), Some(t));
        assert_eq!(
            r.on_timer(t),
            [Retry::Failed {
                dst: 0x1234,
                tag: 77
            }]
        );
        assert_eq!((r.retries, r.failures), (3, 1));
        assert_eq!(r.next_deadline(), None);
    }

    #[test]
    fn duplicates_are_remembered_per_source_within_the_window() {
        let mut d = DuplicateRejection::default();
        d.insert(0x0000, 11);
        d.insert(0x0000, 12);
        assert!(d.contains(0x0000, 11) && d.contains(0x0000, 12));
        assert!(!d.contains(0x1234, 11));
        for c in 13..13 + DUPLICATE_WINDOW as u8 - 1 {
            d.insert(0x0000, c);
        }
        // 11 fell out of the window, 12 is the oldest left.
        assert!(!d.contains(0x0000, 11) && d.contains(0x0000, 12));
    }
}
