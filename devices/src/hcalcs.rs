//! The HCALCS: a load switch (e.g. a storage heater circuit) on an off-peak schedule. It
//! takes the time from the comms hub's Time server when it joins (and daily after), and
//! switches on from 00:30 to 04:30 UTC (an Economy 7-like window; an assumption).

use crate::behaviour::{Api, Behaviour, Peer, TIME, TIME_ATTR, ZclIndication, ZclRequest};
use crate::behaviour::{attribute_values, read_frame};
use crate::chf::CHF_ENDPOINT;
use han_mesh::time::{Duration, SimTime};
use han_stack::zcl::ZclValue;
use std::any::Any;

/// The HCALCS's endpoint.
pub const HCALCS_ENDPOINT: u8 = 1;
/// Switch-on time of day, s after midnight UTC.
pub const ON_AT_S: u64 = 1800;
/// Switch-off time of day, s after midnight UTC.
pub const OFF_AT_S: u64 = 4 * 3600 + 1800;

const SYNC: u32 = 1;
const SWITCH: u32 = 2;

/// The load switch's application.
#[derive(Debug, Clone, Default)]
pub struct Hcalcs {
    /// ZCL UTC at simulated time zero, from the hub's clock.
    utc_at_zero: Option<i64>,
    /// The load is on.
    pub on: bool,
    /// Switchings: (simulated seconds, on).
    pub switchings: Vec<(u64, bool)>,
    /// Time syncs taken.
    pub syncs: u32,
}

impl Hcalcs {
    fn schedule(&mut self, api: &mut Api<'_>) {
        let Some(zero) = self.utc_at_zero else { return };
        let now_s = (api.now.0 / 1_000_000_000) as i64;
        let day_s = (zero + now_s).rem_euclid(86_400) as u64;
        let on = (ON_AT_S..OFF_AT_S).contains(&day_s);
        if on != self.on {
            self.on = on;
            self.switchings.push((now_s as u64, on));
        }
        api.set_timer(SWITCH, api.now + Duration::secs(next_switch(zero, api.now)));
    }
}

impl Behaviour for Hcalcs {
    fn name(&self) -> &'static str {
        "HCALCS"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        self.timer(SYNC, api);
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        match id {
            SYNC => {
                api.set_timer(SYNC, api.now + Duration::secs(86_400));
                let seq = api.next_seq();
                api.send(ZclRequest {
                    dst: Peer::Short(0x0000),
                    dst_endpoint: CHF_ENDPOINT,
                    src_endpoint: HCALCS_ENDPOINT,
                    cluster: TIME,
                    frame: read_frame(seq, vec![TIME_ATTR]),
                    ack: false,
                    tag: 0,
                });
            }
            SWITCH => self.schedule(api),
            _ => {}
        }
    }

    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>) {
        if msg.cluster != TIME {
            return;
        }
        let Some(cmd) = msg.command() else { return };
        for (id, v) in attribute_values(&cmd) {
            if let (TIME_ATTR, ZclValue::Scalar(_, utc)) = (id, v) {
                let first = self.utc_at_zero.is_none();
                self.utc_at_zero = Some(utc as i64 - (api.now.0 / 1_000_000_000) as i64);
                self.syncs += 1;
                if first {
                    self.schedule(api);
                }
            }
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Seconds from `now` to the next switching, for a clock with ZCL UTC `utc_at_zero` at
/// simulated time zero.
pub fn next_switch(utc_at_zero: i64, now: SimTime) -> u64 {
    let now_s = (now.0 / 1_000_000_000) as i64;
    let day_s = (utc_at_zero + now_s).rem_euclid(86_400) as u64;
    if day_s < ON_AT_S {
        ON_AT_S - day_s
    } else if day_s < OFF_AT_S {
        OFF_AT_S - day_s
    } else {
        86_400 - day_s + ON_AT_S
    }
}
