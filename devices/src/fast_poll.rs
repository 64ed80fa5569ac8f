//! Fast poll mode of the Smart Energy Metering cluster (SE 1.4 D.3.2.3.1.4, D.3.2.4.1.3):
//! a client (the IHD) sends Request Fast Poll Mode (client-to-server 0x03) with the update
//! period it would like and how many minutes it wants it; the server (the ESME) applies
//! the period, no faster than its FastPollUpdatePeriod attribute (0x000B), for at most 15
//! minutes, answers with Request Fast Poll Mode Response (server-to-client 0x03: the
//! applied period and the UTC end time), and updates the client at that period until the
//! end, then at its DefaultUpdatePeriod (0x000A) again.

use han_mesh::time::{Duration, SimTime};
use han_stack::zcl::clusters::metering::{RequestFastPollMode, RequestFastPollModeResponse};

/// Metering DefaultUpdatePeriod (uint8, seconds).
pub const DEFAULT_UPDATE_PERIOD: u16 = 0x000a;
/// Metering FastPollUpdatePeriod (uint8, seconds): the fastest the server updates.
pub const FAST_POLL_UPDATE_PERIOD: u16 = 0x000b;
/// The longest fast poll mode lasts, minutes (SE 1.4 D.3.2.3.1.4).
pub const MAX_MINUTES: u8 = 15;

/// What a client asks for, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastPollRequest {
    /// When it asks, from the start of the run.
    pub at: Duration,
    /// The update period it would like, s (0: the server's fastest).
    pub period_s: u8,
    /// For how long, minutes.
    pub minutes: u8,
}

impl FastPollRequest {
    /// The command's payload.
    pub fn command(&self) -> RequestFastPollMode {
        RequestFastPollMode {
            fast_poll_update_period: self.period_s,
            duration_in_minutes: self.minutes,
        }
    }
}

/// The server side: the period it updates at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastPollServer {
    default_period_s: u8,
    fastest_s: u8,
    /// The applied period and when fast poll mode ends.
    fast: Option<(u8, SimTime)>,
}

impl FastPollServer {
    /// A server updating every `default_period_s` normally and at best every `fastest_s`.
    pub fn new(default_period_s: u8, fastest_s: u8) -> Self {
        FastPollServer {
            default_period_s,
            fastest_s: fastest_s.max(1),
            fast: None,
        }
    }

    /// DefaultUpdatePeriod, s.
    pub fn default_period_s(&self) -> u8 {
        self.default_period_s
    }

    /// FastPollUpdatePeriod, s.
    pub fn fastest_s(&self) -> u8 {
        self.fastest_s
    }

    /// A Request Fast Poll Mode at `now` (`utc`: now in ZCL UTC): the response. A request
    /// while the mode runs keeps its end time (the server need not extend it).
    pub fn request(
        &mut self,
        now: SimTime,
        utc: u32,
        r: &RequestFastPollMode,
    ) -> RequestFastPollModeResponse {
        let applied = r.fast_poll_update_period.max(self.fastest_s);
        let end = match self.fast {
            Some((_, end)) if end > now => end,
            _ => now + Duration::secs(60 * u64::from(r.duration_in_minutes.min(MAX_MINUTES))),
        };
        self.fast = (end > now).then_some((applied, end));
        RequestFastPollModeResponse {
            applied_update_period: applied,
            fast_poll_mode_end_time: utc.saturating_add(((end - now).0 / 1_000_000_000) as u32),
        }
    }

    /// The period of the update after one at `now`.
    pub fn period(&self, now: SimTime) -> Duration {
        let s = match self.fast {
            Some((applied, end)) if now < end => applied,
            _ => self.default_period_s,
        };
        Duration::secs(u64::from(s))
    }

    /// Fast poll mode runs at `now`.
    pub fn is_fast(&self, now: SimTime) -> bool {
        self.fast.is_some_and(|(_, end)| now < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + Duration::secs(s)
    }

    #[test]
    fn applies_no_faster_than_its_attribute_for_at_most_15_minutes() {
        let mut s = FastPollServer::new(10, 2);
        assert_eq!(s.period(at(0)), Duration::secs(10));
        let r = s.request(
            at(100),
            5000,
            &RequestFastPollMode {
                fast_poll_update_period: 1,
                duration_in_minutes: 5,
            },
        );
        assert_eq!(r.applied_update_period, 2);
        assert_eq!(r.fast_poll_mode_end_time, 5300);
        assert!(s.is_fast(at(399)));
        assert_eq!(s.period(at(399)), Duration::secs(2));
        assert_eq!(s.period(at(400)), Duration::secs(10));
        // Asked again while on: the end stays; a slower period is applied as asked.
        let again = s.request(
            at(200),
            5100,
            &RequestFastPollMode {
                fast_poll_update_period: 4,
                duration_in_minutes: 15,
            },
        );
        assert_eq!(
            (again.applied_update_period, again.fast_poll_mode_end_time),
            (4, 5300)
        );
        // A day asked for: 15 minutes given.
        let mut s = FastPollServer::new(10, 2);
        let r = s.request(
            at(0),
            0,
            &RequestFastPollMode {
                fast_poll_update_period: 0,
                duration_in_minutes: 255,
            },
        );
        assert_eq!(r.fast_poll_mode_end_time, 900);
        assert!(!s.is_fast(at(900)));
        // Zero minutes: no fast poll mode at all.
        let mut s = FastPollServer::new(10, 2);
        let none = FastPollRequest {
            at: Duration::secs(0),
            period_s: 2,
            minutes: 0,
        };
        s.request(at(0), 0, &none.command());
        assert!(!s.is_fast(at(0)));
    }
}
