//! The event queue, ordered by (time, insertion number), so events at the same instant run in
//! the order they were scheduled and every run is reproducible.
//!
//! Virtual time never goes back, so the queue is a radix heap: each event's key (time, then
//! insertion number, as one 128-bit number) sits in the bucket of the highest bit in which it
//! differs from the last key taken out. Taking the earliest event empties the lowest bucket
//! into lower ones, so each event moves a few times at most instead of climbing a binary heap
//! on every push and pop. An event scheduled before the last one taken out (never done by
//! the air) still comes out first.

use crate::time::SimTime;

/// Buckets: 0 for keys at or below the last key taken out, then one per differing bit.
const BUCKETS: usize = 129;

/// Pending events in time order.
pub struct EventQueue<E> {
    /// (key, event) by bucket; bucket 0 holds the earliest event whenever any is pending.
    buckets: Vec<Vec<(u128, E)>>,
    /// Bit b − 1 set: bucket b (1..=128) holds events.
    filled: u128,
    /// The key last moved into bucket 0: a lower bound of every other bucket's keys.
    last: u128,
    len: usize,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            filled: 0,
            last: 0,
            len: 0,
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `at`.
    pub fn push(&mut self, at: SimTime, event: E) {
        let key = (u128::from(at.0) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        self.insert(key, event);
        self.len += 1;
        self.refill();
    }

    /// The earliest event, if any.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let first = self.buckets[0].as_slice();
        let i = (0..first.len()).min_by_key(|&i| first[i].0)?;
        let (key, event) = self.buckets[0].swap_remove(i);
        self.len -= 1;
        self.refill();
        Some((SimTime((key >> 64) as u64), event))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = self.buckets[0].iter().map(|&(k, _)| k).min()?;
        Some(SimTime((key >> 64) as u64))
    }

    /// Events pending.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No events pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn bucket(&self, key: u128) -> usize {
        if key <= self.last {
            0
        } else {
            128 - (key ^ self.last).leading_zeros() as usize
        }
    }

    fn insert(&mut self, key: u128, event: E) {
        let b = self.bucket(key);
        self.buckets[b].push((key, event));
        if b > 0 {
            self.filled |= 1 << (b - 1);
        }
    }

    /// Keep the earliest event in bucket 0: when it is empty, the lowest filled bucket's
    /// smallest key becomes the bound and its events spread over the buckets below.
    fn refill(&mut self) {
        if !self.buckets[0].is_empty() || self.filled == 0 {
            return;
        }
        let b = self.filled.trailing_zeros() as usize + 1;
        self.filled &= !(1 << (b - 1));
        let mut moving = std::mem::take(&mut self.buckets[b]);
        if let Some(min) = moving.iter().map(|&(k, _)| k).min() {
            self.last = min;
        }
        for (key, event) in moving.drain(..) {
            self.insert(key, event);
        }
        // Every event went to a lower bucket; keep the allocation.
        self.buckets[b] = moving;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn time_order_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), 'a');
        q.push(SimTime(1), 'b');
        q.push(SimTime(5), 'c');
        q.push(SimTime(1), 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ['b', 'd', 'a', 'c']);
    }

    #[test]
    fn many_pending_events_come_out_sorted() {
        let mut q = EventQueue::default();
        let mut x = 12345u64;
        for i in 0..300_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            q.push(SimTime(x >> 40), i);
        }
        assert_eq!(q.len(), 300_000);
        let mut last = SimTime(0);
        while let Some((t, _)) = q.pop() {
            assert!(t >= last);
            last = t;
        }
        assert!(q.is_empty() && q.peek_time().is_none());
    }

    #[test]
    fn interleaved_use_matches_a_binary_heap() {
        // A simulation's pattern: pops interleaved with pushes at and after the current
        // time (same instant, microseconds, seconds ahead), plus a few into the past.
        let mut q = EventQueue::default();
        let mut reference = BinaryHeap::new();
        let (mut x, mut seq, mut now) = (99u64, 0u64, 0u64);
        let mut rnd = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        for step in 0..200_000u64 {
            let r = rnd();
            let pushes = r % 3;
            for _ in 0..pushes {
                let ahead = match rnd() % 8 {
                    0 => 0,
                    1..=4 => rnd() % 5_000_000,
                    5 | 6 => rnd() % 60_000_000_000,
                    _ => 3_600_000_000_000 + rnd(),
                };
                let at = if rnd() % 1000 == 0 {
                    now.saturating_sub(rnd() % 1000)
                } else {
                    now + ahead
                };
                q.push(SimTime(at), step);
                reference.push(Reverse((at, seq, step)));
                seq += 1;
            }
            assert_eq!(
                q.peek_time(),
                reference.peek().map(|Reverse((t, _, _))| SimTime(*t))
            );
            if r % 2 == 0 || pushes == 0 {
                let got = q.pop();
                let want = reference.pop().map(|Reverse((t, _, e))| (SimTime(t), e));
                assert_eq!(got, want);
                if let Some((t, _)) = got {
                    now = now.max(t.0);
                }
            }
            assert_eq!(q.len(), reference.len());
        }
        while let Some(want) = reference.pop() {
            let Reverse((t, _, e)) = want;
            assert_eq!(q.pop(), Some((SimTime(t), e)));
        }
        assert_eq!(q.pop(), None);
    }
}
