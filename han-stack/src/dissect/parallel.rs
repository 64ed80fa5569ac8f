//! Counting a capture on every core, with exactly the totals one sequential
//! pass would give.
//!
//! Frames are read in batches. Each batch is dissected in contiguous slices
//! on separate threads, each starting from the dissector's state at the
//! batch start. Then one sequential pass walks the batch in order: a frame
//! whose outcome could depend on state (`Dissection::state_sensitive`) is
//! dissected again with the true state, and every other frame counts as it
//! was and replays what it taught (`Dissection::learned`). In a capture
//! whose keys are given up front almost nothing is redone.

use std::num::NonZeroUsize;

use super::{Dissector, Learned, Totals};
use crate::capture::{CaptureError, CaptureFrame};

/// Frames per batch: enough to amortise thread start-up, small enough to stream.
const BATCH: usize = 1 << 16;

/// Dissect every frame the reader yields and count them; stops at the first
/// capture error and returns it beside the totals so far.
pub fn count(
    dissector: &mut Dissector,
    frames: impl Iterator<Item = Result<CaptureFrame, CaptureError>>,
    threads: NonZeroUsize,
) -> (Totals, Option<CaptureError>) {
    let mut totals = Totals::default();
    let mut frames = frames.peekable();
    let mut batch: Vec<CaptureFrame> = Vec::with_capacity(BATCH);
    let mut error = None;
    while frames.peek().is_some() {
        batch.clear();
        for item in frames.by_ref().take(BATCH) {
            match item {
                Ok(f) => batch.push(f),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        count_batch(dissector, &batch, threads, &mut totals);
        if error.is_some() {
            break;
        }
    }
    (totals, error)
}

/// What a worker hands back for the in-order pass: only the frames that
/// taught something or must be redone, by index in the batch.
enum Event {
    Taught(Vec<Learned>),
    Redo(usize),
}

fn count_batch(
    dissector: &mut Dissector,
    batch: &[CaptureFrame],
    threads: NonZeroUsize,
    totals: &mut Totals,
) {
    let slice = batch.len().div_ceil(threads.get()).max(1);
    let start = &*dissector;
    let results: Vec<(Totals, Vec<Event>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = batch
            .chunks(slice)
            .enumerate()
            .map(|(n, frames)| {
                let mut local = start.clone();
                scope.spawn(move || {
                    let mut partial = Totals::default();
                    let mut events = Vec::new();
                    for (i, f) in frames.iter().enumerate() {
                        let d = local.dissect_record(f);
                        let index = n * slice + i;
                        if d.state_sensitive {
                            events.push(Event::Redo(index));
                        } else {
                            partial.add(&d);
                            if !d.learned.is_empty() {
                                events.push(Event::Taught(d.learned));
                            }
                        }
                    }
                    (partial, events)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("dissection thread panicked"))
            .collect()
    });
    // Workers cover contiguous slices in order, so their events are already in frame order.
    for (partial, events) in results {
        totals.merge(&partial);
        for event in events {
            match event {
                Event::Taught(learned) => learned.iter().for_each(|l| dissector.keys.apply(l)),
                Event::Redo(i) => totals.add(&dissector.dissect_record(&batch[i])),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{LinkType, PcapWriter, RadioMeta, open};
    use crate::dissect::Keyring;
    use crate::samples::{SampleNetwork, every_frame_kind, traffic};

    fn capture(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut w = PcapWriter::new(Vec::new(), LinkType::NoFcs).unwrap();
        let meta = RadioMeta {
            channel: 15,
            rssi_dbm: -50.0,
            lqi: 255,
        };
        for (i, f) in frames.iter().enumerate() {
            w.write_frame(i as u64, f, &meta).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn sequential(bytes: &[u8], keys: Keyring) -> Totals {
        let mut d = Dissector::new(keys);
        let mut t = Totals::default();
        for f in open(bytes).unwrap() {
            t.add(&d.dissect_record(&f.unwrap()));
        }
        t
    }

    #[test]
    fn parallel_counts_equal_sequential_even_when_keys_are_learnt() {
        let net = SampleNetwork::default();
        // Only the link key: the network key must be learnt from the Transport Key,
        // which sits after many frames that need it, and batches split the capture.
        let samples = every_frame_kind(&net);
        let tk = samples
            .iter()
            .find(|s| s.description.starts_with("APS Transport Key (network key"))
            .unwrap();
        let mut frames: Vec<Vec<u8>> = traffic(&net, 150_000).filter(|f| *f != tk.mpdu).collect();
        frames.insert(100_000, tk.mpdu.clone());
        let bytes = capture(&frames);
        let mut keys = Keyring::new();
        keys.add_link_key(net.link_key);
        let expected = sequential(&bytes, keys.clone());
        assert!(expected.nwk_decrypted > 0 && expected.nwk_decrypted < expected.nwk_secured);
        for threads in [1, 2, 3] {
            let mut d = Dissector::new(keys.clone());
            let (got, err) = count(
                &mut d,
                open(&bytes).unwrap(),
                NonZeroUsize::new(threads).unwrap(),
            );
            assert!(err.is_none());
            assert_eq!(got, expected, "{threads} thread(s)");
        }
    }
}
