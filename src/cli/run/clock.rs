//! Waking on time: the air's thread waits for its next event with a timed wait on its inbox
//! until just before the event is due, then spins the last stretch (a timed wait wakes tens
//! of microseconds late even with no timer slack); optionally it runs under SCHED_FIFO so
//! that a busy machine cannot keep it off a core for milliseconds.

use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

/// The stretch before a deadline that is spun rather than slept: a little more than the
/// typical lateness of a timed wait with 1 ns timer slack (≈ 20 µs measured on the
/// development machine), so the wake-up lands on time while the spinning stays a small
/// share of a core (it is paid once per timed wait).
pub const SPIN: Duration = Duration::from_micros(30);

/// What ended a wait.
#[derive(Debug, PartialEq, Eq)]
pub enum Woken<T> {
    /// A message arrived first.
    Message(T),
    /// The deadline came.
    Due,
}

/// Wait for a message on `rx` or until `due`, whichever is first: a timed wait until
/// `spin` before `due`, then polling the inbox until `due`. When every sender is gone only
/// the deadline remains.
pub fn wait_until<T>(rx: &Receiver<T>, due: Instant, spin: Duration) -> Woken<T> {
    let mut senders = true;
    let sleep_to = due.checked_sub(spin).unwrap_or(due);
    let before = sleep_to.saturating_duration_since(Instant::now());
    if !before.is_zero() {
        match rx.recv_timeout(before) {
            Ok(m) => return Woken::Message(m),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                senders = false;
                std::thread::sleep(sleep_to.saturating_duration_since(Instant::now()));
            }
        }
    }
    loop {
        if senders {
            match rx.try_recv() {
                Ok(m) => return Woken::Message(m),
                Err(TryRecvError::Disconnected) => senders = false,
                Err(TryRecvError::Empty) => {}
            }
        }
        if Instant::now() >= due {
            return Woken::Due;
        }
        std::hint::spin_loop();
    }
}

/// Put the calling thread under SCHED_FIFO at `priority` (1..=99). Fails without
/// CAP_SYS_NICE (or an RLIMIT_RTPRIO that allows it), or outside 1..=99.
pub fn set_fifo(priority: u8) -> std::io::Result<()> {
    if !(1..=99).contains(&priority) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "SCHED_FIFO priorities run from 1 to 99",
        ));
    }
    let param = libc::sched_param {
        sched_priority: i32::from(priority),
    };
    // SAFETY: `param` is a valid sched_param for the duration of the call; pid 0 is the
    // calling thread (Linux schedules threads individually).
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_message_ends_the_wait_and_the_deadline_ends_it_otherwise() {
        let (tx, rx) = mpsc::channel();
        tx.send(7).unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(wait_until(&rx, far, SPIN), Woken::Message(7));
        // Nothing sent: never before the deadline.
        let due = Instant::now() + Duration::from_millis(2);
        assert_eq!(wait_until(&rx, due, SPIN), Woken::Due);
        assert!(Instant::now() >= due);
        // A message sent while it spins is taken.
        let due = Instant::now() + Duration::from_millis(50);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1));
            tx.send(8).unwrap();
        });
        assert_eq!(
            wait_until(&rx, due, Duration::from_millis(50)),
            Woken::Message(8)
        );
        t.join().unwrap();
        // Every sender gone: only the deadline, still not early.
        let due = Instant::now() + Duration::from_millis(2);
        assert_eq!(wait_until(&rx, due, SPIN), Woken::Due);
        assert!(Instant::now() >= due);
    }

    #[test]
    fn priorities_outside_the_fifo_range_are_refused() {
        assert_eq!(
            set_fifo(0).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
        assert_eq!(
            set_fifo(100).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
    }
}
