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
    /// 6.7.4.3: a retry resends the same frame); and relayed copies: a NWK frame
    /// heard again from another hop (Zigbee PRO R22 3.6.3: a router forwards it
    /// with the originator's NWK header).
    fn mark_retries(&mut self) {
        let mut last: HashMap<Address, (Option<u8>, &'static str, usize)> = HashMap::new();
        let mut nwk: HashMap<(Address, Address, u8), (Address, f64)> = HashMap::new();
        for m in &mut self.messages {
            if m.mac_src == Address::None || m.mac_seq.is_none() {
                continue;
            }
            let key = (m.mac_seq, m.mac_type, m.length);
            m.retry = last.insert(m.mac_src, key) == Some(key);
            if let Some(seq) = m.nwk_seq {
                let seen = nwk.insert((m.src, m.dst, seq), (m.mac_src, m.time));
                m.retry |= seen.is_some_and(|(hop, t)| {
                    hop != m.mac_src && m.time - t <= super::message::RELAY_WINDOW
                });
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{LinkType, PcapWriter, RadioMeta};
    use crate::replay::{check, parse};
    use crate::samples::{SampleNetwork, every_frame_kind};
    use proptest::prelude::*;

    fn capture(frames: &[Vec<u8>], times_ns: &[u64]) -> Vec<u8> {
        let mut w = PcapWriter::new(Vec::new(), LinkType::NoFcs).unwrap();
        let meta = RadioMeta {
            channel: 15,
            rssi_dbm: -50.0,
            lqi: 255,
        };
        for (f, t) in frames.iter().zip(times_ns) {
            w.write_frame(*t, f, &meta).unwrap();
        }
        w.into_inner().unwrap()
    }

    /// Every rule kind and condition, so mutated frames reach every check.
    const RULES: &str = r#"
[devices]
hub = "0x0000"
[[count]]
match = { message = "Report Attributes", cluster = "Metering" }
min = 1
[[rate]]
match = { message = "Data Request" }
every = "1s"
tolerance = "100ms"
[[sequence]]
steps = [{ message = "Beacon Request" }, { message = "Association Request" }, { message = "Transport Key" }]
within = "10s"
each = true
[[response]]
request = { message = "Read Attributes", from = "hub" }
response = { message = "Read Attributes Response" }
within = "1s"
[[range]]
attribute = 0
min = 0
max = 1000
[[absent]]
condition = "mic-failure"
[[absent]]
condition = "nwk-counter-backwards"
[[absent]]
condition = "clear-after-join"
[[absent]]
condition = "default-response-error"
[[absent]]
condition = "time-backwards"
"#;

    fn keys(net: &SampleNetwork) -> Keyring {
        let mut keys = Keyring::new();
        keys.add_network_key(net.network_key);
        keys.add_link_key(net.link_key);
        keys
    }

    #[test]
    fn a_relayed_copy_counts_once_and_a_later_wrap_of_the_sequence_again() {
        let hop = |frame, time, mac_src: u16, seq| {
            let mut m = Message::sample(frame, time, 0xb744, 0xf967, "");
            m.mac_src = Address::Short(mac_src);
            m.mac_seq = Some(frame as u8);
            m.nwk_seq = Some(seq);
            m
        };
        let t = Trace::from_messages(
            vec![
                hop(1, 0.0, 0xb744, 7),
                hop(2, 0.004, 0x0000, 7),
                hop(3, 0.5, 0xb744, 8),
                hop(4, 60.0, 0x0000, 7),
            ],
            BTreeMap::new(),
        );
        let retry: Vec<bool> = t.messages.iter().map(|m| m.retry).collect();
        assert_eq!(retry, [false, true, false, false]);
    }

    #[test]
    fn the_samples_decode_into_one_message_each_with_bindings() {
        let net = SampleNetwork::default();
        let frames: Vec<Vec<u8>> = every_frame_kind(&net).into_iter().map(|s| s.mpdu).collect();
        let times: Vec<u64> = (0..frames.len() as u64).map(|i| i * 1_000_000).collect();
        let trace =
            Trace::decode(&capture(&frames, &times), keys(&net), NonZeroUsize::MIN).unwrap();
        assert_eq!(trace.messages.len(), frames.len());
        assert!(trace.bindings.values().any(|e| *e == net.meter));
        assert!(trace.messages.iter().any(|m| m.is("Transport Key")));
        assert!(
            trace
                .messages
                .iter()
                .any(|m| m.zcl.as_ref().is_some_and(|z| !z.attributes.is_empty()))
        );
        assert!(trace.messages.iter().all(|m| !m.mic_failed));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        /// Mutated real frames (bits flipped, cut short, times shuffled) decode and check without panicking.
        #[test]
        fn no_panic_on_mutated_captures(
            picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<prop::sample::Index>(), any::<u8>()), 1..12),
            threads in 1usize..3,
        ) {
            let net = SampleNetwork::default();
            let samples = every_frame_kind(&net);
            let rules = parse(RULES).unwrap();
            let mut frames = Vec::new();
            let mut times = Vec::new();
            for (which, flip, at, time) in picks {
                let mut mpdu = samples[which.index(samples.len())].mpdu.clone();
                let i = at.index(mpdu.len());
                mpdu[i] ^= flip;
                if flip & 1 == 1 {
                    mpdu.truncate(i + 1);
                }
                frames.push(mpdu);
                times.push(u64::from(time) * 100_000_000);
            }
            let bytes = capture(&frames, &times);
            let trace = Trace::decode(&bytes, keys(&net), NonZeroUsize::new(threads).unwrap()).unwrap();
            prop_assert_eq!(trace.messages.len(), frames.len());
            let _ = check(&trace, &rules);
            let _ = crate::replay::conversations(&trace);
        }
    }
}
