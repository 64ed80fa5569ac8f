//! Asking another device again for what it has not answered: each further request waits
//! twice as long as the one before, up to a ceiling, so that a device that never answers
//! is asked once per ceiling instead of flooded (the NWK address lookups of `lookup.rs`, up
//! to 15 minutes; the Request Keys of application link keys, `aps_link.rs`, up to 30 s).

/// A request sent, and how long the device waits before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Backoff {
    /// When it was sent, ns.
    asked: u64,
    /// How long it waits before the next one, ns.
    wait: u64,
}

impl Backoff {
    /// The request to send at `now` after `last` (None: there was none): the first waits
    /// `first` ns, each further one twice as long as the one before, at most `max` ns;
    /// None while the wait of `last` is not over.
    pub(super) fn next(last: Option<&Backoff>, now: u64, first: u64, max: u64) -> Option<Backoff> {
        let wait = match last {
            None => first,
            Some(l) if now >= l.asked.saturating_add(l.wait) => l.wait.saturating_mul(2).min(max),
            Some(_) => return None,
        };
        Some(Backoff { asked: now, wait })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_doubles_up_to_the_ceiling() {
        let (first, max) = (1_600, 30_000);
        let mut last = Backoff::next(None, 0, first, max);
        let mut asked = vec![0];
        for now in 1..200_000 {
            if let Some(b) = Backoff::next(last.as_ref(), now, first, max) {
                asked.push(now);
                last = Some(b);
            }
        }
        let gaps: Vec<u64> = asked.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(gaps[..6], [1_600, 3_200, 6_400, 12_800, 25_600, 30_000]);
        assert!(gaps[6..].iter().all(|&g| g == 30_000), "{gaps:?}");
    }

    #[test]
    fn nothing_is_asked_while_the_wait_runs() {
        let b = Backoff::next(None, 10, 5, 100).unwrap();
        assert_eq!(Backoff::next(Some(&b), 14, 5, 100), None);
        assert_eq!(
            Backoff::next(Some(&b), 15, 5, 100),
            Some(Backoff {
                asked: 15,
                wait: 10
            })
        );
    }
}
