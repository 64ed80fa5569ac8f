//! Indirect transmission: the coordinator's pending transactions for devices that sleep
//! and poll with Data Request commands (IEEE 802.15.4-2015 6.7.3).

use super::{Address, FrameFlags, FrameType, MacCommand, MacFrame, MacPayload};
use std::collections::VecDeque;

/// aBaseSuperframeDuration in symbols (IEEE 802.15.4-2015 Table 8-80).
pub const BASE_SUPERFRAME_SYMBOLS: u64 = 960;
/// macTransactionPersistenceTime default, in unit periods of aBaseSuperframeDuration.
pub const DEFAULT_PERSISTENCE_UNITS: u16 = 0x01f4;

/// macTransactionPersistenceTime in ns for a PHY with this symbol period (7.68 s for the
/// default at 2.4 GHz).
pub fn persistence_ns(units: u16, symbol_ns: u64) -> u64 {
    u64::from(units) * BASE_SUPERFRAME_SYMBOLS * symbol_ns
}

/// A Data Request command (0x04) from `src` to its coordinator `dst`, ACK requested.
pub fn data_request(seq: u8, pan: u16, dst: Address, src: Address) -> MacFrame {
    let mut f = MacFrame::data(seq, pan, dst, src, Vec::new());
    f.frame_type = FrameType::Command;
    f.flags |= FrameFlags::ACK_REQUEST;
    f.payload = MacPayload::Command(MacCommand::DataRequest);
    f
}

/// One frame waiting for its destination to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Destination device.
    pub dst: Address,
    /// The requester's handle.
    pub handle: u32,
    /// The MPDU with FCS.
    pub psdu: Vec<u8>,
    /// When it expires (ns).
    pub expires: u64,
}

/// The pending-transaction queue of a coordinator, in arrival order.
#[derive(Debug, Clone, Default)]
pub struct PendingTransactions {
    items: VecDeque<Transaction>,
    persistence_ns: u64,
}

impl PendingTransactions {
    /// An empty queue whose transactions live `persistence_ns`.
    pub fn new(persistence_ns: u64) -> Self {
        PendingTransactions {
            items: VecDeque::new(),
            persistence_ns,
        }
    }

    /// Hold `psdu` for `dst` from `now` for macTransactionPersistenceTime.
    pub fn push(&mut self, now: u64, dst: Address, handle: u32, psdu: Vec<u8>) {
        self.push_for(now, dst, handle, psdu, self.persistence_ns);
    }

    /// Hold `psdu` for `dst` from `now` for `persistence_ns` (a higher layer keeping a
    /// frame until the device's next poll).
    pub fn push_for(
        &mut self,
        now: u64,
        dst: Address,
        handle: u32,
        psdu: Vec<u8>,
        persistence_ns: u64,
    ) {
        self.items.push_back(Transaction {
            dst,
            handle,
            psdu,
            expires: now.saturating_add(persistence_ns),
        });
    }

    /// Something waits for `dst` (the frame-pending bit of the ACK to its Data Request).
    pub fn has_pending(&self, dst: Address) -> bool {
        self.items.iter().any(|t| t.dst == dst)
    }

    /// The oldest transaction for `dst`, removed, if any.
    pub fn take(&mut self, dst: Address) -> Option<Transaction> {
        let i = self.items.iter().position(|t| t.dst == dst)?;
        self.items.remove(i)
    }

    /// Remove and return the transactions expired at `now` (TRANSACTION_EXPIRED).
    pub fn expire(&mut self, now: u64) -> Vec<Transaction> {
        let (gone, kept): (Vec<_>, Vec<_>) = self.items.drain(..).partition(|t| t.expires <= now);
        self.items = kept.into();
        gone
    }

    /// The earliest expiry time.
    pub fn next_expiry(&self) -> Option<u64> {
        self.items.iter().map(|t| t.expires).min()
    }

    /// Transactions held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// None held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Wire;

    #[test]
    fn default_persistence_is_7_68_s() {
        assert_eq!(
            persistence_ns(DEFAULT_PERSISTENCE_UNITS, 16_000),
            7_680_000_000
        );
    }

    #[test]
    fn data_request_bytes() {
        // Frame control 0x8863: command, AR, PAN ID compression, short/short.
        let f = data_request(5, 0x1234, Address::Short(0), Address::Short(0x4c7a));
        assert_eq!(
            f.to_bytes(),
            [0x63, 0x88, 0x05, 0x34, 0x12, 0x00, 0x00, 0x7a, 0x4c, 0x04]
        );
        assert_eq!(f.name(), "Command");
    }

    #[test]
    fn frames_wait_for_their_device_and_expire() {
        let mut q = PendingTransactions::new(1000);
        let (a, b) = (Address::Short(1), Address::Short(2));
        q.push(0, a, 1, vec![1]);
        q.push(10, b, 2, vec![2]);
        q.push(20, a, 3, vec![3]);
        assert!(q.has_pending(a) && q.has_pending(b));
        assert!(!q.has_pending(Address::Short(3)));
        assert_eq!(q.take(a).map(|t| t.handle), Some(1));
        assert_eq!(q.next_expiry(), Some(1010));
        assert!(q.expire(1009).is_empty());
        let gone = q.expire(1010);
        assert_eq!(gone.iter().map(|t| t.handle).collect::<Vec<_>>(), [2]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.expire(5000).len(), 1);
        assert!(q.is_empty());
    }

    #[test]
    fn a_frame_held_longer_outlives_the_persistence_time() {
        let mut q = PendingTransactions::new(1000);
        let a = Address::Short(1);
        q.push_for(0, a, 1, vec![1], 60_000);
        q.push(0, a, 2, vec![2]);
        assert_eq!(
            q.expire(1000).iter().map(|t| t.handle).collect::<Vec<_>>(),
            [2]
        );
        assert_eq!(q.next_expiry(), Some(60_000));
        assert_eq!(q.take(a).map(|t| t.handle), Some(1));
        q.push_for(u64::MAX - 1, a, 3, vec![3], 10);
        assert_eq!(q.next_expiry(), Some(u64::MAX));
    }
}
