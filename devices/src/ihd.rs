//! The IHD: takes the ESME's reports (electricity every 10 s), reads the GPF mirror every
//! 30 minutes (domain.md 1.4), asks the CHF for the price (then and every 30 minutes) and
//! for the supplier's message, keeps what it would display (demand, today's use and cost,
//! gas, the message), and measures how stale
//! each item is: sampled every display refresh (1 s), counting the samples older than
//! 1 minute (electricity) or 1 hour (gas), as the freshness figures ask. The
//! samples are taken when the display next changes (or is looked at), each at its own
//! refresh instant, rather than by a timer every second: the same figures without a
//! million events a day per display. Asked to ([`Ihd::with_fast_polls`]), it puts the
//! ESME in fast poll mode ([`crate::fast_poll`]) and counts the updates that come faster.

use crate::behaviour::{
    Api, Behaviour, CURRENT_SUMMATION_DELIVERED, INSTANTANEOUS_DEMAND, MESSAGING, METERING, PRICE,
    Peer, ZclIndication, ZclRequest, attribute_values, read_frame,
};
use crate::chf::{CHF_ENDPOINT, GPF_ENDPOINT};
use crate::fast_poll::FastPollRequest;
use crate::gpf::READING_SNAPSHOT_TIME;
use han_mesh::time::{Duration, SimTime};
use han_stack::wire::ExtAddr;
use han_stack::zcl::ZclCommand;
use han_stack::zcl::ZclValue;
use han_stack::zcl::clusters::ClusterCommand;
use han_stack::zcl::clusters::messaging::GetLastMessage;
use han_stack::zcl::clusters::metering::GetProfile;
use han_stack::zcl::clusters::price::GetCurrentPrice;
use std::any::Any;

/// The IHD's endpoint.
pub const IHD_ENDPOINT: u8 = 1;
/// Gas refresh period (domain.md 1.4).
pub const GAS_READ_PERIOD: Duration = Duration::secs(1800);
/// Electricity older than this counts as stale (issue 6).
pub const ELECTRICITY_STALE: Duration = Duration::secs(60);
/// Gas older than this counts as stale (issue 6).
pub const GAS_STALE: Duration = Duration::secs(3600);
/// Half hours of profile asked for (what fits one frame).
pub const PROFILE_PERIODS: u8 = 12;
/// How often the display is sampled for staleness.
pub const DISPLAY_REFRESH: Duration = Duration::secs(1);

/// How long the IHD waits for the GPF's Read Attributes Response before asking again
/// (reads are not acknowledged at APS level, so a reply lost on the air is only noticed
/// this way; an assumption, ZCL leaves it to the application).
pub const READ_RESPONSE_WAIT: Duration = Duration::secs(5);
/// Reads sent again for one gas refresh before waiting for the next one.
pub const READ_RETRIES: u8 = 2;

const READ_GAS: u32 = 1;
const READ_GAS_AGAIN: u32 = 2;
const FAST_POLL: u32 = 3;

/// What the IHD shows, and how fresh it has been.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Display {
    /// Current demand, W.
    pub demand_w: Option<i64>,
    /// Electricity register, Wh.
    pub electricity_wh: Option<u64>,
    /// Gas register, litres.
    pub gas_l: Option<u64>,
    /// Reading time of the gas register (ZCL UTC).
    pub gas_snapshot_utc: Option<u32>,
    /// Electricity updates taken.
    pub electricity_updates: u64,
    /// Distinct gas readings seen.
    pub gas_updates: u64,
    /// Gas reads sent again for a missing response.
    pub gas_read_retries: u64,
    /// Longest time between two electricity updates, s.
    pub electricity_max_gap_s: f64,
    /// Simulated second of the first electricity update (None: none yet).
    pub electricity_first_s: Option<f64>,
    /// Display samples with electricity older than 1 minute.
    pub electricity_stale_samples: u64,
    /// Display samples with gas older than 1 hour.
    pub gas_stale_samples: u64,
    /// Oldest gas reading shown, s.
    pub gas_max_age_s: f64,
    /// Display samples taken.
    pub samples: u64,
    /// Unit price, pence per kWh (from the CHF's PublishPrice).
    pub price_p_per_kwh: Option<f64>,
    /// Electricity used today (UTC day), Wh.
    pub today_wh: Option<u64>,
    /// What today's electricity cost, pence.
    pub today_cost_p: Option<f64>,
    /// The supplier's message.
    pub message: Option<String>,
    /// The ESME's half-hourly profile (GetProfile): ZCL UTC end of the latest interval and
    /// Wh per interval, most recent first.
    pub profile: Option<(u32, Vec<u64>)>,
    /// The update period the ESME applied to the last fast poll request, s.
    pub fast_poll_applied_s: Option<u8>,
    /// When that fast poll mode ends (ZCL UTC).
    pub fast_poll_end_utc: Option<u32>,
    /// Electricity updates taken while fast poll mode ran.
    pub fast_poll_updates: u64,
    /// Longest time between two electricity updates while fast poll mode ran, s.
    pub fast_poll_max_gap_s: f64,
}

/// The in-home display's application.
#[derive(Debug, Clone)]
pub struct Ihd {
    esme: Option<ExtAddr>,
    electricity_at: Option<SimTime>,
    /// (UTC day, register at its first reading).
    day_start: Option<(u32, u64)>,
    /// The gas read awaiting its response: ZCL sequence number and retries left.
    gas_read: Option<(u8, u8)>,
    /// The next display refresh not yet sampled (None: off or not yet joined).
    next_refresh: Option<SimTime>,
    /// Unix time of simulated time zero, ns (for the gas reading's age).
    epoch_unix_ns: u64,
    /// Fast poll requests to make, and whether each was sent.
    fast_polls: Vec<(FastPollRequest, bool)>,
    /// The display.
    pub display: Display,
}

impl Ihd {
    /// An IHD fed by the ESME `esme` (if any) and the GPF of its comms hub.
    pub fn new(esme: Option<ExtAddr>) -> Self {
        Ihd {
            esme,
            electricity_at: None,
            day_start: None,
            gas_read: None,
            next_refresh: None,
            epoch_unix_ns: 0,
            fast_polls: Vec::new(),
            display: Display::default(),
        }
    }

    /// The same, asking the ESME for fast poll mode at these times.
    pub fn with_fast_polls(mut self, requests: &[FastPollRequest]) -> Self {
        self.fast_polls = requests.iter().map(|r| (*r, false)).collect();
        self
    }
}

impl Ihd {
    /// Send the fast poll requests due by now (those of a time it was off the network as
    /// soon as it is back).
    fn request_fast_polls(&mut self, api: &mut Api<'_>) {
        let Some(esme) = self.esme else { return };
        for (r, sent) in &mut self.fast_polls {
            if *sent || SimTime::ZERO + r.at > api.now {
                continue;
            }
            *sent = true;
            let seq = api.next_seq();
            let cmd = ClusterCommand::RequestFastPollMode(r.command());
            api.send(ZclRequest {
                dst: Peer::Ext(esme),
                dst_endpoint: 1,
                src_endpoint: IHD_ENDPOINT,
                cluster: METERING,
                frame: ZclCommand::cluster_frame(&cmd, seq, true),
                ack: true,
                tag: FAST_POLL,
            });
        }
    }

    /// Read the GPF mirror's register and reading time; ask again after
    /// [`READ_RESPONSE_WAIT`] without a response, `retries` more times.
    fn read_gas(&mut self, retries: u8, api: &mut Api<'_>) {
        let seq = api.next_seq();
        self.gas_read = Some((seq, retries));
        api.set_timer(READ_GAS_AGAIN, api.now + READ_RESPONSE_WAIT);
        api.send(ZclRequest {
            dst: Peer::Short(0x0000),
            dst_endpoint: GPF_ENDPOINT,
            src_endpoint: IHD_ENDPOINT,
            cluster: METERING,
            frame: read_frame(
                seq,
                vec![CURRENT_SUMMATION_DELIVERED, READING_SNAPSHOT_TIME],
            ),
            ack: false,
            tag: 0,
        });
    }

    /// Take the display samples due up to `now` (those at `now` too when `inclusive`:
    /// a refresh at the same instant as a change came first).
    fn sample_to(&mut self, now: SimTime, inclusive: bool) {
        while let Some(t) = self
            .next_refresh
            .filter(|&t| t < now || (inclusive && t == now))
        {
            let d = &mut self.display;
            d.samples += 1;
            if let Some(e) = self.electricity_at
                && t - e > ELECTRICITY_STALE
            {
                d.electricity_stale_samples += 1;
            }
            if let Some(s) = d.gas_snapshot_utc {
                let utc = ((self.epoch_unix_ns + t.0) / 1_000_000_000)
                    .saturating_sub(crate::behaviour::ZCL_EPOCH_UNIX_S)
                    as u32;
                let age = f64::from(utc.saturating_sub(s));
                d.gas_max_age_s = d.gas_max_age_s.max(age);
                if age > GAS_STALE.as_secs_f64() {
                    d.gas_stale_samples += 1;
                }
            }
            self.next_refresh = Some(t + DISPLAY_REFRESH);
        }
    }

    /// The display with every sample before `now` taken (the run stands at `now`).
    pub fn display_at(&self, now: SimTime) -> Display {
        let mut me = self.clone();
        me.sample_to(now, false);
        me.display
    }
}

impl Behaviour for Ihd {
    fn name(&self) -> &'static str {
        "IHD"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        self.timer(READ_GAS, api);
        self.epoch_unix_ns = api.epoch_unix_ns;
        self.next_refresh = Some(api.now + DISPLAY_REFRESH);
        let seq = api.next_seq();
        let cmd = ClusterCommand::GetLastMessage(GetLastMessage {});
        api.send(to_chf(
            MESSAGING,
            ZclCommand::cluster_frame(&cmd, seq, false),
        ));
        for (r, sent) in &self.fast_polls {
            if !*sent && SimTime::ZERO + r.at > api.now {
                api.set_timer(FAST_POLL, SimTime::ZERO + r.at);
            }
        }
        self.request_fast_polls(api);
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        match id {
            FAST_POLL => self.request_fast_polls(api),
            READ_GAS_AGAIN => {
                if let Some((_, left @ 1..)) = self.gas_read {
                    self.display.gas_read_retries += 1;
                    self.read_gas(left - 1, api);
                }
            }
            READ_GAS => {
                api.set_timer(READ_GAS, api.now + GAS_READ_PERIOD);
                self.read_gas(READ_RETRIES, api);
                let seq = api.next_seq();
                let cmd = ClusterCommand::GetCurrentPrice(GetCurrentPrice {
                    command_options: 0x01,
                });
                api.send(to_chf(PRICE, ZclCommand::cluster_frame(&cmd, seq, false)));
                if let Some(esme) = self.esme {
                    let seq = api.next_seq();
                    let cmd = ClusterCommand::GetProfile(GetProfile {
                        interval_channel: 0,
                        end_time: 0,
                        number_of_periods: PROFILE_PERIODS,
                    });
                    api.send(ZclRequest {
                        dst: Peer::Ext(esme),
                        dst_endpoint: 1,
                        src_endpoint: IHD_ENDPOINT,
                        cluster: METERING,
                        frame: ZclCommand::cluster_frame(&cmd, seq, false),
                        ack: false,
                        tag: 0,
                    });
                }
            }
            _ => {}
        }
    }

    fn powered_off(&mut self, now: SimTime) {
        self.sample_to(now, false);
        self.next_refresh = None;
    }

    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>) {
        self.sample_to(api.now, true);
        let Some(cmd) = msg.command() else { return };
        match &cmd {
            ZclCommand::Cluster(ClusterCommand::PublishPrice(p)) => {
                let digits = i32::from(p.price_trailing_digit_and_tier >> 4);
                // Currency units per kWh → pence per kWh.
                self.display.price_p_per_kwh =
                    Some(f64::from(p.price) * 100.0 / 10f64.powi(digits));
                return;
            }
            ZclCommand::Cluster(ClusterCommand::GetProfileResponse(r)) => {
                if r.status == 0 {
                    let wh = r.intervals.iter().map(|v| u64::from(v.0)).collect();
                    self.display.profile = Some((r.end_time, wh));
                }
                return;
            }
            ZclCommand::Cluster(ClusterCommand::RequestFastPollModeResponse(r)) => {
                self.display.fast_poll_applied_s = Some(r.applied_update_period);
                self.display.fast_poll_end_utc = Some(r.fast_poll_mode_end_time);
                return;
            }
            ZclCommand::Cluster(ClusterCommand::DisplayMessage(m)) => {
                self.display.message = Some(m.message.text());
                return;
            }
            _ => {}
        }
        if msg.cluster != METERING {
            return;
        }
        let values = attribute_values(&cmd);
        let d = &mut self.display;
        if msg.src_endpoint == GPF_ENDPOINT && msg.src == 0x0000 {
            if self.gas_read.is_some_and(|(seq, _)| seq == msg.frame.seq) {
                self.gas_read = None;
            }
            for (id, v) in values {
                match (id, v) {
                    (CURRENT_SUMMATION_DELIVERED, ZclValue::Scalar(_, l)) => d.gas_l = Some(l),
                    (READING_SNAPSHOT_TIME, ZclValue::Scalar(_, t)) => {
                        if d.gas_snapshot_utc != Some(t as u32) {
                            d.gas_updates += 1;
                        }
                        d.gas_snapshot_utc = Some(t as u32);
                    }
                    _ => {}
                }
            }
            return;
        }
        if self.esme.is_none() || msg.src_ext != self.esme {
            return;
        }
        let mut took = false;
        for (id, v) in values {
            match id {
                CURRENT_SUMMATION_DELIVERED => {
                    if let ZclValue::Scalar(_, wh) = v {
                        d.electricity_wh = Some(wh);
                        took = true;
                    }
                }
                INSTANTANEOUS_DEMAND => d.demand_w = v.as_i128().map(|w| w as i64),
                _ => {}
            }
        }
        if let (true, Some(wh)) = (took, d.electricity_wh) {
            let day = api.utc() / 86_400;
            let start = match self.day_start {
                Some((dd, w)) if dd == day => w,
                _ => {
                    self.day_start = Some((day, wh));
                    wh
                }
            };
            let today = wh - start.min(wh);
            d.today_wh = Some(today);
            d.today_cost_p = d.price_p_per_kwh.map(|p| today as f64 / 1000.0 * p);
        }
        if took {
            let fast = d.fast_poll_end_utc.is_some_and(|end| api.utc() < end);
            if self.electricity_at.is_none() && d.electricity_first_s.is_none() {
                d.electricity_first_s = Some(api.now.as_secs_f64());
            }
            if let Some(t) = self.electricity_at {
                let gap = (api.now - t).as_secs_f64();
                d.electricity_max_gap_s = d.electricity_max_gap_s.max(gap);
                if fast {
                    d.fast_poll_max_gap_s = d.fast_poll_max_gap_s.max(gap);
                }
            }
            if fast {
                d.fast_poll_updates += 1;
            }
            d.electricity_updates += 1;
            self.electricity_at = Some(api.now);
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A request to the CHF's endpoint 1 on `cluster`.
fn to_chf(cluster: u16, frame: han_stack::zcl::ZclFrame) -> ZclRequest {
    ZclRequest {
        dst: Peer::Short(0x0000),
        dst_endpoint: CHF_ENDPOINT,
        src_endpoint: IHD_ENDPOINT,
        cluster,
        frame,
        ack: false,
        tag: 0,
    }
}
