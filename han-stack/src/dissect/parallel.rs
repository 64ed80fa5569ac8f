//! Dissecting a capture on every core, with exactly the results one
//! sequential pass would give (counting, and replay's per-frame records).
//!
//! Frames are read in batches. Each batch is dissected in contiguous slices
//! on separate threads, each starting from the dissector's state at the
//! batch start. Then one sequential pass walks the batch in order: a frame
//! whose outcome could depend on state (`Dissection::state_sensitive`) is
//! dissected again with the true state, and every other frame counts as it
//! was and replays what it taught (`Dissection::learned`). In a capture
//! whose keys are given up front almost nothing is redone.

use std::num::NonZeroUsize;

use super::{Dissection, Dissector, Learned, Totals};
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
    let error = map(
        dissector,
        frames,
        threads,
        |_, _, d| {
            let mut t = Totals::default();
            t.add(d);
            t
        },
        |t| totals.merge(&t),
    );
    (totals, error)
}

/// Dissect every frame on `threads` cores, turn each into a `T` with `f`
/// (given the dissector as it stands at that frame, the record and its
/// dissection) and hand the results to `sink` in frame order, exactly as
/// one sequential pass would. Stops at the first capture error and returns it.
pub fn map<T: Send>(
    dissector: &mut Dissector,
    frames: impl Iterator<Item = Result<CaptureFrame, CaptureError>>,
    threads: NonZeroUsize,
    f: impl Fn(&Dissector, &CaptureFrame, &Dissection) -> T + Sync,
    mut sink: impl FnMut(T),
) -> Option<CaptureError> {
    let mut frames = frames.peekable();
    let mut batch: Vec<CaptureFrame> = Vec::with_capacity(BATCH);
    let mut error = None;
    while frames.peek().is_some() {
        batch.clear();
        for item in frames.by_ref().take(BATCH) {
            match item {
                Ok(frame) => batch.push(frame),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        map_batch(dissector, &batch, threads, &f, &mut sink);
        if error.is_some() {
            break;
        }
    }
    error
}

/// What a worker hands back for the in-order pass, per frame: its result and
/// what it taught, or that it must be redone with the true state.
enum Event<T> {
    Done(T, Vec<Learned>),
    Redo,
}

fn map_batch<T: Send>(
    dissector: &mut Dissector,
    batch: &[CaptureFrame],
    threads: NonZeroUsize,
    f: &(impl Fn(&Dissector, &CaptureFrame, &Dissection) -> T + Sync),
    sink: &mut impl FnMut(T),
) {
    let slice = batch.len().div_ceil(threads.get()).max(1);
    let start = &*dissector;
    let results: Vec<Vec<Event<T>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = batch
            .chunks(slice)
            .map(|frames| {
                let mut local = start.clone();
                scope.spawn(move || {
                    frames
                        .iter()
                        .map(|frame| {
                            let d = local.dissect_record(frame);
                            if d.state_sensitive {
                                Event::Redo
                            } else {
                                Event::Done(f(&local, frame, &d), d.learned)
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("dissection thread panicked"))
            .collect()
    });
    // Workers cover contiguous slices in order, so their events are already in frame order.
    for (event, frame) in results.into_iter().flatten().zip(batch) {
        match event {
            Event::Done(t, learned) => {
                learned.iter().for_each(|l| dissector.keys.apply(l));
                sink(t);
            }
            Event::Redo => {
                let d = dissector.dissect_record(frame);
                sink(f(dissector, frame, &d));
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
