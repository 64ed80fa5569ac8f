//! NWK security (Zigbee PRO R22 4.3.1): frames secured at level 5 with the network key,
//! the device's outgoing frame counter, and the incoming frame counter kept per sender
//! EUI-64 so that a replayed (old-counter) frame is dropped and counted (4.3.1.2 step 5).

use super::frame::NwkFrame;
use super::header::NwkHeader;
use crate::security::{AuxHeader, KeyId, unsecure};
use crate::wire::{ExtAddr, Wire};
use std::collections::BTreeMap;

/// The Zigbee security level on the wire for NWK and APS: ENC-MIC-32.
pub const SECURITY_LEVEL: u8 = 5;

/// Why an incoming NWK frame was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NwkSecurityError {
    /// No network key yet, or the frame is not secured.
    #[error("frame not secured with a network key we hold")]
    NoKey,
    /// The key sequence number is not the active key's.
    #[error("key sequence number {0} is not the active key's")]
    KeySequence(u8),
    /// The aux header names no sender EUI-64 (no extended nonce).
    #[error("no extended nonce")]
    NoSource,
    /// The frame counter is not above the last one accepted from the sender: a replay.
    #[error("frame counter {counter} from {sender} not above {last}")]
    Replay {
        /// The sender.
        sender: ExtAddr,
        /// The frame's counter.
        counter: u32,
        /// The last counter accepted from the sender.
        last: u32,
    },
    /// The MIC did not verify.
    #[error("MIC check failed")]
    Mic,
}

/// A device's NWK security material and counters (part of its NIB).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NwkSecurity {
    key: Option<([u8; 16], u8)>,
    /// The next key after a key update, or the previous one after a switch (frames under
    /// either still open, 4.3.1.2 step 3).
    alternate: Option<([u8; 16], u8)>,
    outgoing: u32,
    incoming: BTreeMap<ExtAddr, u32>,
    /// Frames dropped because their counter was old (replays).
    pub replays_dropped: u64,
}

impl NwkSecurity {
    /// Take the network key `key` with sequence number `seq` (a Transport Key arrived).
    pub fn install_key(&mut self, key: [u8; 16], seq: u8) {
        self.key = Some((key, seq));
    }

    /// The active network key and its sequence number.
    pub fn key(&self) -> Option<([u8; 16], u8)> {
        self.key
    }

    /// Hold `key` (sequence `seq`) for a coming Switch Key (a key update arrived).
    pub fn stage_key(&mut self, key: [u8; 16], seq: u8) {
        if self.key.is_some_and(|(_, s)| s == seq) {
            return;
        }
        self.alternate = Some((key, seq));
    }

    /// Make the staged key with sequence `seq` the active one (APS Switch Key, 4.4.10.5);
    /// the old key stays for incoming frames. False if no such key is staged.
    pub fn switch_key(&mut self, seq: u8) -> bool {
        match self.alternate {
            Some((_, s)) if s == seq => {
                std::mem::swap(&mut self.key, &mut self.alternate);
                true
            }
            _ => self.key.is_some_and(|(_, s)| s == seq),
        }
    }

    /// The next outgoing frame counter (nwkSecurityMaterialSet.OutgoingFrameCounter).
    pub fn outgoing_counter(&self) -> u32 {
        self.outgoing
    }

    /// Continue from a persisted outgoing counter (never go back: 4.3.1.1 step 2).
    pub fn restore_outgoing(&mut self, counter: u32) {
        self.outgoing = self.outgoing.max(counter);
    }

    /// Secure `payload` under `header` as `own` (level 5, key id network, extended nonce);
    /// None when no key is held yet.
    pub fn seal(&mut self, header: NwkHeader, own: ExtAddr, payload: &[u8]) -> Option<NwkFrame> {
        let (key, seq) = self.key?;
        Some(self.seal_with(key, seq, header, own, payload))
    }

    /// [`NwkSecurity::seal`] under the held key with sequence number `seq` (active or
    /// alternate): for a device still on the previous key.
    pub fn seal_under(
        &mut self,
        seq: u8,
        header: NwkHeader,
        own: ExtAddr,
        payload: &[u8],
    ) -> Option<NwkFrame> {
        let (key, _) = [self.key, self.alternate]
            .into_iter()
            .flatten()
            .find(|&(_, s)| s == seq)?;
        Some(self.seal_with(key, seq, header, own, payload))
    }

    fn seal_with(
        &mut self,
        key: [u8; 16],
        seq: u8,
        header: NwkHeader,
        own: ExtAddr,
        payload: &[u8],
    ) -> NwkFrame {
        let aux = AuxHeader::network(self.outgoing, own, seq);
        self.outgoing = self.outgoing.wrapping_add(1);
        NwkFrame::seal(header, aux, payload, &key, own, SECURITY_LEVEL)
    }

    /// Secure again, under the same key and with the next outgoing frame counter, a frame
    /// `own` sealed earlier and held back (a parent's indirect queue for a sleepy child), so
    /// that its frames go on the air in counter order, as receivers' replay checks and a
    /// capture's reader expect (Zigbee PRO R22 4.3.1.1); None when the frame is not one
    /// `own` sealed or no held key has its key sequence number.
    pub fn reseal(&mut self, frame: &NwkFrame, own: ExtAddr) -> Option<NwkFrame> {
        let aux = frame.aux.as_ref()?;
        let seq = aux.key_seq?;
        if aux.source != Some(own) {
            return None;
        }
        let (key, _) = [self.key, self.alternate]
            .into_iter()
            .flatten()
            .find(|&(_, s)| s == seq)?;
        let header = frame.header.to_bytes();
        let plain = unsecure(&header, aux, &frame.payload, &key, own, SECURITY_LEVEL).ok()?;
        Some(self.seal_with(key, seq, frame.header.clone(), own, &plain))
    }

    /// Check and decrypt a secured frame; the sender's counter is recorded only when the
    /// MIC verifies, and a replay is counted in [`NwkSecurity::replays_dropped`].
    pub fn open(&mut self, frame: &NwkFrame) -> Result<Vec<u8>, NwkSecurityError> {
        let aux = frame.aux.as_ref().ok_or(NwkSecurityError::NoKey)?;
        if aux.control.key_id() != KeyId::Network {
            return Err(NwkSecurityError::NoKey);
        }
        let (key, _) = [self.key, self.alternate]
            .into_iter()
            .flatten()
            .find(|&(_, s)| Some(s) == aux.key_seq)
            .ok_or(match self.key {
                None => NwkSecurityError::NoKey,
                Some(_) => NwkSecurityError::KeySequence(aux.key_seq.unwrap_or(0)),
            })?;
        let source = aux.source.ok_or(NwkSecurityError::NoSource)?;
        if let Some(&last) = self.incoming.get(&source)
            && aux.frame_counter <= last
        {
            self.replays_dropped += 1;
            return Err(NwkSecurityError::Replay {
                sender: source,
                counter: aux.frame_counter,
                last,
            });
        }
        let header = frame.header.to_bytes();
        let plain = unsecure(&header, aux, &frame.payload, &key, source, SECURITY_LEVEL)
            .map_err(|_| NwkSecurityError::Mic)?;
        self.incoming.insert(source, aux.frame_counter);
        Ok(plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nwk::NwkFrameType;

    const KEY: [u8; 16] = [0x11; 16];
    const A: ExtAddr = ExtAddr(0x0012_4b00_0000_0001);

    fn header(seq: u8) -> NwkHeader {
        NwkHeader::pro(NwkFrameType::Data, 0x0000, 0x1234, 30, seq)
    }

    #[test]
    fn a_held_frame_resealed_goes_out_after_later_ones_in_counter_order() {
        let mut tx = NwkSecurity::default();
        tx.install_key(KEY, 0);
        let held = tx.seal(header(1), A, b"for the sleepy child").unwrap();
        let later = tx.seal(header(2), A, b"broadcast").unwrap();
        let mut rx = NwkSecurity::default();
        rx.install_key(KEY, 0);
        assert_eq!(rx.open(&later).unwrap(), b"broadcast");
        let again = tx.reseal(&held, A).unwrap();
        assert_eq!(again.aux.as_ref().unwrap().frame_counter, 2);
        assert_eq!(again.header, held.header);
        assert_eq!(rx.open(&again).unwrap(), b"for the sleepy child");
        // Not ours, clear, or under a key no longer held: left alone.
        assert!(tx.reseal(&held, ExtAddr(7)).is_none());
        let clear = NwkFrame {
            header: header(3),
            aux: None,
            payload: b"clear".to_vec(),
        };
        assert!(tx.reseal(&clear, A).is_none());
        let mut other = NwkSecurity::default();
        other.install_key(KEY, 1);
        assert!(other.reseal(&held, A).is_none());
    }

    #[test]
    fn seal_open_and_replay() {
        let mut tx = NwkSecurity::default();
        assert!(tx.seal(header(1), A, b"x").is_none());
        tx.install_key(KEY, 0);
        let mut rx = NwkSecurity::default();
        rx.install_key(KEY, 0);
        let f1 = tx.seal(header(1), A, b"hello").unwrap();
        let f2 = tx.seal(header(2), A, b"world").unwrap();
        assert_eq!(f1.aux.as_ref().unwrap().frame_counter, 0);
        assert_eq!(tx.outgoing_counter(), 2);
        // On air: SCF 0x28, counter, source, key seq (14 bytes), then ciphertext and MIC.
        let bytes = f1.to_bytes();
        assert_eq!(bytes[8], 0x28);
        assert_eq!(bytes.len(), 8 + 14 + 5 + 4);
        let back = NwkFrame::from_bytes(&bytes).unwrap();
        assert_eq!(rx.open(&back).unwrap(), b"hello");
        assert_eq!(rx.open(&f2).unwrap(), b"world");
        // The first frame again: an old counter, dropped and counted.
        assert!(matches!(
            rx.open(&back),
            Err(NwkSecurityError::Replay {
                counter: 0,
                last: 1,
                ..
            })
        ));
        assert_eq!(rx.replays_dropped, 1);
        let mut tampered = f2.clone();
        tampered.aux.as_mut().unwrap().frame_counter = 9;
        assert_eq!(rx.open(&tampered), Err(NwkSecurityError::Mic));
        // A failed MIC does not move the counter on.
        let f3 = tx.seal(header(3), A, b"!").unwrap();
        assert_eq!(rx.open(&f3).unwrap(), b"!");
        let mut other = NwkSecurity::default();
        other.install_key(KEY, 1);
        assert_eq!(
            other.open(&tx.seal(header(4), A, b"?").unwrap()),
            Err(NwkSecurityError::KeySequence(0))
        );
    }

    #[test]
    fn key_update_and_switch() {
        const NEXT: [u8; 16] = [0x22; 16];
        let (mut tc, mut dev) = (NwkSecurity::default(), NwkSecurity::default());
        tc.install_key(KEY, 0);
        dev.install_key(KEY, 0);
        dev.stage_key(NEXT, 1);
        assert!(!dev.switch_key(2));
        tc.stage_key(NEXT, 1);
        assert!(tc.switch_key(1));
        assert_eq!(tc.key(), Some((NEXT, 1)));
        // Under the new key before the device switched: it opens with the staged key.
        assert_eq!(
            dev.open(&tc.seal(header(1), A, b"new").unwrap()).unwrap(),
            b"new"
        );
        assert!(dev.switch_key(1));
        let old = NwkSecurity {
            key: Some((KEY, 0)),
            ..NwkSecurity::default()
        }
        .seal(header(2), ExtAddr(9), b"old")
        .unwrap();
        // The old key still opens frames after the switch.
        assert_eq!(dev.open(&old).unwrap(), b"old");
        let under_old = tc.seal_under(0, header(3), A, b"catch up").unwrap();
        assert_eq!(under_old.aux.as_ref().unwrap().key_seq, Some(0));
        assert_eq!(dev.open(&under_old).unwrap(), b"catch up");
        assert!(tc.seal_under(7, header(4), A, b"").is_none());
    }

    #[test]
    fn restored_counter_never_goes_back() {
        let mut s = NwkSecurity::default();
        s.restore_outgoing(500);
        s.restore_outgoing(20);
        assert_eq!(s.outgoing_counter(), 500);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100_000))]
        #[test]
        fn arbitrary_frames_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)
        ) {
            let mut rx = NwkSecurity::default();
            rx.install_key(KEY, 0);
            if let Ok(f) = NwkFrame::from_bytes(&bytes) {
                let _ = rx.open(&f);
            }
        }
    }
}
