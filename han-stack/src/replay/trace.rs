//! A capture decoded into messages, with the address bindings seen anywhere in it.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;

use super::message::Message;
use crate::capture::{self, CaptureError};
use crate::dissect::{self, Dissector, Keyring, Learned};
use crate::mac::Address;
use crate::wire::ExtAddr;

/// A decoded capture.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// One message per frame, in capture order.
    pub messages: Vec<Message>,
    /// Short → EUI-64 bindings learnt anywhere in the capture (NWK headers with
    /// the source IEEE, Device Announce); the last one seen wins.
    pub bindings: BTreeMap<u16, ExtAddr>,
}

impl Trace {
    /// Decode a capture (any format `han decode` reads) with these keys on
    /// `threads` cores. A capture that cannot be opened, or that breaks off
    /// in a corrupt record, is an error naming the byte offset.
    pub fn decode(
        bytes: &[u8],
        keys: Keyring,
        threads: NonZeroUsize,
    ) -> Result<Trace, CaptureError> {
        let reader = capture::open(bytes)?;
        let mut dissector = Dissector::new(keys);
        let mut trace = Trace::default();
        let error = dissect::map(
            &mut dissector,
            reader,
            threads,
            |state, frame, d| {
                let bindings: Vec<(u16, ExtAddr)> = d
                    .learned
                    .iter()
                    .filter_map(|l| match *l {
                        Learned::Address { short, ext } => Some((short, ext)),
                        Learned::NetworkKey(_) => None,
                    })
                    .collect();
                (Message::new(state, frame, d), bindings)
            },
            |(m, bindings)| {
                trace.bindings.extend(bindings);
                trace.messages.push(m);
            },
        );
        if let Some(e) = error {
            return Err(e);
        }
        trace.mark_retries();
        Ok(trace)
    }

    /// Build a trace from messages already made (tests, other front ends).
    pub fn from_messages(messages: Vec<Message>, bindings: BTreeMap<u16, ExtAddr>) -> Trace {
        let mut t = Trace { messages, bindings };
        t.mark_retries();
        t
    }

    /// Flag MAC retransmissions: a frame with the sequence number, type and
    /// length of the previous frame from the same MAC source (IEEE 802.15.4-2015
    /// 6.7.4.3: a retry resends the same frame).
    fn mark_retries(&mut self) {
        let mut last: HashMap<Address, (Option<u8>, &'static str, usize)> = HashMap::new();
        for m in &mut self.messages {
            if m.mac_src == Address::None || m.mac_seq.is_none() {
                continue;
            }
            let key = (m.mac_seq, m.mac_type, m.length);
            m.retry = last.insert(m.mac_src, key) == Some(key);
        }
    }

    /// The EUI-64 of an address: itself when extended, else its binding.
    pub fn eui64_of(&self, a: &Address) -> Option<ExtAddr> {
        match a {
            Address::Extended(e) => Some(*e),
            Address::Short(s) => self.bindings.get(s).copied(),
            Address::None => None,
        }
    }

    /// Time of the first frame (0 for an empty trace).
    pub fn start(&self) -> f64 {
        self.messages.first().map_or(0.0, |m| m.time)
    }
}
