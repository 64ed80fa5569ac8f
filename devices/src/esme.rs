//! The ESME: the electricity meter. A Metering server (CurrentSummationDelivered,
//! InstantaneousDemand) driven by the premises' seeded [`LoadProfile`], reporting to the
//! IHD every 10 s (domain.md 1.4, "IHD electricity refresh"), two time-of-use registers
//! (an Economy 7-like night tier), the half-hourly profile (GetProfile), and a Prepayment
//! server whose credit falls with consumption and rises with top-ups from the PPMID. As a
//! Price client it charges the credit at the unit rate the comms hub publishes, from the
//! moment it hears it. The IHD can ask for fast poll mode ([`crate::fast_poll`]): reports
//! every 2 s for up to 15 minutes.

use crate::behaviour::{
    Api, Behaviour, CREDIT_REMAINING, CURRENT_SUMMATION_DELIVERED, INSTANTANEOUS_DEMAND, METERING,
    METERING_DEVICE_TYPE, PREPAYMENT, PRICE, Peer, Recovery, ZclIndication, ZclRequest, int24,
    int32, read_response, report_frame,
};
use crate::chf::reply;
use crate::fast_poll::{DEFAULT_UPDATE_PERIOD, FAST_POLL_UPDATE_PERIOD, FastPollServer};
use crate::load_profile::LoadProfile;
use han_mesh::time::{Duration, SimTime};
use han_stack::wire::ExtAddr;
use han_stack::zcl::clusters::ClusterCommand;
use han_stack::zcl::clusters::metering::GetProfileResponse;
use han_stack::zcl::clusters::prepayment::ConsumerTopUpResponse;
use han_stack::zcl::field::U24;
use han_stack::zcl::general::GeneralCommand;
use han_stack::zcl::{DataType, ZclCommand, ZclValue};
use std::any::Any;
use std::collections::VecDeque;

/// The ESME's endpoint.
pub const ESME_ENDPOINT: u8 = 1;
/// The IHD electricity refresh period (domain.md 1.4).
pub const REPORT_PERIOD: Duration = Duration::secs(10);
/// The ESME's FastPollUpdatePeriod: the fastest it reports in fast poll mode, s (an
/// assumption).
pub const FAST_POLL_PERIOD_S: u8 = 2;
/// Unit price used for prepayment credit, pence per kWh (an assumption).
pub const UNIT_PRICE_P_PER_KWH: u64 = 28;
/// Credit at installation, pence (an assumption).
pub const INITIAL_CREDIT_P: i64 = 500;

const REPORT: u32 = 1;
/// Half an hour, the profile interval.
pub const HALF_HOUR_S: u64 = 1800;
/// Half-hourly intervals kept for GetProfile (two days).
pub const PROFILE_KEPT: usize = 96;
/// The night (tier 2) window, seconds after midnight UTC: 00:30–07:30 (an assumption).
pub const NIGHT_S: std::ops::Range<u64> = 1800..27_000;
/// Metering CurrentTier1SummationDelivered (uint48), tier 2 follows at +2.
pub const TIER1_SUMMATION_DELIVERED: u16 = 0x0100;
/// ProfileIntervalPeriod 2: 30 minutes (SE Metering).
const PERIOD_30_MIN: u8 = 2;

/// The electricity meter's application.
#[derive(Debug, Clone)]
pub struct Esme {
    profile: LoadProfile,
    ihd: Option<ExtAddr>,
    consumed_ws: u64,
    metered_to_s: u64,
    tier_ws: [u64; 2],
    /// (end of a half hour, s; the register then, Wh), oldest first.
    boundaries: VecDeque<(u64, u64)>,
    credit_base_p: i64,
    /// Unit rate charged, 1/10000 GBP per kWh.
    unit_rate: u64,
    /// Charge up to `charged_to_wh`, in 1/100000 p (Wh × 1/10000 GBP per kWh).
    charged: u64,
    charged_to_wh: u64,
    /// Top-ups accepted, pence.
    pub topped_up_p: i64,
    /// Reports sent to the IHD: handed to the network, the IHD's address known (one still
    /// waiting for it, or superseded while waiting, is not).
    pub reports_sent: u64,
    /// Reports that waited for the IHD's short address and were replaced by the next one
    /// before they left: never transmitted, and no reading lost (the next report carries
    /// the registers, which are cumulative).
    pub reports_superseded: u64,
    /// Reports the IHD acknowledged.
    pub reports_acked: u64,
    /// Reports lost after every retry.
    pub reports_lost: u64,
    /// Of those, the ones a later acknowledged report recovered (its registers carry theirs).
    pub recovery: Recovery,
    /// The summation (Wh) in the last report sent.
    pub last_reported_wh: Option<u64>,
    /// The report period, fast poll mode included.
    fast_poll: FastPollServer,
    /// When the next report is due (a fast poll request brings it forward).
    next_report: Option<SimTime>,
}

impl Esme {
    /// A meter with `profile`, reporting to the IHD `ihd` (if the premises has one).
    pub fn new(profile: LoadProfile, ihd: Option<ExtAddr>) -> Self {
        Esme {
            profile,
            ihd,
            consumed_ws: 0,
            metered_to_s: 0,
            tier_ws: [0; 2],
            boundaries: VecDeque::from([(0, 0)]),
            credit_base_p: INITIAL_CREDIT_P,
            unit_rate: UNIT_PRICE_P_PER_KWH * 100,
            charged: 0,
            charged_to_wh: 0,
            topped_up_p: 0,
            reports_sent: 0,
            reports_superseded: 0,
            reports_acked: 0,
            reports_lost: 0,
            recovery: Recovery::default(),
            last_reported_wh: None,
            fast_poll: FastPollServer::new(
                REPORT_PERIOD.0.div_ceil(1_000_000_000) as u8,
                FAST_POLL_PERIOD_S,
            ),
            next_report: None,
        }
    }

    /// Report next at `at`.
    fn schedule_report(&mut self, at: SimTime, api: &mut Api<'_>) {
        self.next_report = Some(at);
        api.set_timer(REPORT, at);
    }

    /// Bring the register up to `now` (whole seconds).
    /// Bring the registers up to `now` (whole seconds), half hour by half hour: each
    /// half hour is wholly in one tier and ends with a profile boundary.
    fn meter(&mut self, now: SimTime) {
        let s = now.0 / 1_000_000_000;
        while self.metered_to_s < s {
            let from = self.metered_to_s;
            let end = ((from / HALF_HOUR_S + 1) * HALF_HOUR_S).min(s);
            let ws = self.profile.energy_ws(from, end);
            self.consumed_ws += ws;
            self.tier_ws[usize::from(NIGHT_S.contains(&(from % 86_400)))] += ws;
            self.metered_to_s = end;
            if end.is_multiple_of(HALF_HOUR_S) {
                self.boundaries.push_back((end, self.summation_wh()));
                if self.boundaries.len() > PROFILE_KEPT + 1 {
                    self.boundaries.pop_front();
                }
            }
        }
    }

    /// The time-of-use registers (day, night), Wh.
    pub fn tier_wh(&self) -> [u64; 2] {
        self.tier_ws.map(|ws| ws / 3600)
    }

    /// Consumption in the half hours ending at or before `end_s` (None: the latest), most
    /// recent first, at most `n`: (end of the latest, Wh per interval).
    pub fn profile(&self, end_s: Option<u64>, n: usize) -> (u64, Vec<u64>) {
        let pairs: Vec<(u64, u64)> = self
            .boundaries
            .iter()
            .copied()
            .filter(|&(t, _)| end_s.is_none_or(|e| t <= e))
            .collect();
        let latest = pairs.last().map_or(0, |&(t, _)| t);
        let intervals = pairs
            .windows(2)
            .rev()
            .take(n)
            .map(|w| w[1].1 - w[0].1)
            .collect();
        (latest, intervals)
    }

    /// CurrentSummationDelivered in Wh (kWh with divisor 1000) as last metered.
    pub fn summation_wh(&self) -> u64 {
        self.consumed_ws / 3600
    }

    /// The second the register was last brought up to.
    pub fn metered_to_s(&self) -> u64 {
        self.metered_to_s
    }

    /// What the load profile consumed from 0 to `s`, Wh: the register must equal it.
    pub fn profile_wh(&self, s: u64) -> u64 {
        self.profile.energy_ws(0, s) / 3600
    }

    /// InstantaneousDemand in W now.
    pub fn demand_w(&self, now: SimTime) -> u32 {
        self.profile.demand_w(now.0 / 1_000_000_000)
    }

    /// Prepayment credit in pence.
    pub fn credit_p(&self) -> i64 {
        let units = self.charged + (self.summation_wh() - self.charged_to_wh) * self.unit_rate;
        self.credit_base_p + self.topped_up_p - (units / 100_000) as i64
    }

    /// The unit rate charged, pence per kWh.
    pub fn unit_rate_p_per_kwh(&self) -> f64 {
        self.unit_rate as f64 / 100.0
    }

    /// Charge what was used so far at the old rate, then `rate` (1/10000 GBP per kWh).
    fn set_rate(&mut self, rate: u64) {
        let wh = self.summation_wh();
        self.charged += (wh - self.charged_to_wh) * self.unit_rate;
        self.charged_to_wh = wh;
        self.unit_rate = rate;
    }

    fn attribute(&self, id: u16, now: SimTime) -> Option<ZclValue> {
        match id {
            CURRENT_SUMMATION_DELIVERED => Some(ZclValue::uint(6, self.summation_wh())),
            INSTANTANEOUS_DEMAND => Some(int24(i64::from(self.demand_w(now)))),
            METERING_DEVICE_TYPE => Some(ZclValue::Scalar(DataType::bitmap(1), 0x00)),
            TIER1_SUMMATION_DELIVERED => Some(ZclValue::uint(6, self.tier_wh()[0])),
            0x0102 => Some(ZclValue::uint(6, self.tier_wh()[1])),
            0x0302 => Some(ZclValue::uint(3, 1000)),
            DEFAULT_UPDATE_PERIOD => {
                Some(ZclValue::uint(1, self.fast_poll.default_period_s().into()))
            }
            FAST_POLL_UPDATE_PERIOD => Some(ZclValue::uint(1, self.fast_poll.fastest_s().into())),
            _ => None,
        }
    }
}

impl Behaviour for Esme {
    fn name(&self) -> &'static str {
        "ESME"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        self.schedule_report(api.now + REPORT_PERIOD, api);
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        // A report timer replaced by an earlier one (fast poll) is ignored.
        if id != REPORT || self.next_report != Some(api.now) {
            return;
        }
        self.schedule_report(api.now + self.fast_poll.period(api.now), api);
        self.meter(api.now);
        let Some(ihd) = self.ihd else { return };
        let wh = self.summation_wh();
        let seq = api.next_seq();
        let frame = report_frame(
            seq,
            vec![
                (CURRENT_SUMMATION_DELIVERED, ZclValue::uint(6, wh)),
                (
                    INSTANTANEOUS_DEMAND,
                    int24(i64::from(self.demand_w(api.now))),
                ),
            ],
        );
        self.last_reported_wh = Some(wh);
        api.send(ZclRequest {
            dst: Peer::Ext(ihd),
            dst_endpoint: 1,
            src_endpoint: ESME_ENDPOINT,
            cluster: METERING,
            frame,
            ack: true,
            tag: REPORT,
        });
    }

    fn delivered(&mut self, _tag: u32, ok: bool, _api: &mut Api<'_>) {
        if ok {
            self.reports_acked += 1;
            self.recovery.acked();
        } else {
            self.reports_lost += 1;
            self.recovery.failed();
        }
    }

    fn sent(&mut self, tag: u32, _api: &mut Api<'_>) {
        if tag == REPORT {
            self.reports_sent += 1;
        }
    }

    fn superseded(&mut self, tag: u32, _api: &mut Api<'_>) {
        if tag == REPORT {
            self.reports_superseded += 1;
        }
    }

    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>) {
        self.meter(api.now);
        let Some(cmd) = msg.command() else { return };
        match (msg.cluster, cmd) {
            (METERING, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                let now = api.now;
                let f = read_response(msg.frame.seq, &r.attributes, |id| self.attribute(id, now));
                reply(msg, f, api);
            }
            (METERING, ZclCommand::Cluster(ClusterCommand::GetProfile(g))) => {
                // Channel 0 (consumption delivered) only; end time 0 means "latest".
                let end_s = (g.end_time != 0).then(|| {
                    let now_s = api.now.0 / 1_000_000_000;
                    let back = u64::from(api.utc().saturating_sub(g.end_time));
                    now_s.saturating_sub(back)
                });
                let (latest, intervals) = self.profile(end_s, usize::from(g.number_of_periods));
                let status = if g.interval_channel != 0 {
                    0x02
                } else if intervals.is_empty() {
                    0x05
                } else {
                    0x00
                };
                let latest_utc = api
                    .utc()
                    .saturating_sub(((api.now.0 / 1_000_000_000).saturating_sub(latest)) as u32);
                let intervals: Vec<U24> = if status == 0 {
                    intervals
                        .iter()
                        .map(|&w| U24(w.min(0xff_ffff) as u32))
                        .collect()
                } else {
                    Vec::new()
                };
                let rsp = ClusterCommand::GetProfileResponse(GetProfileResponse {
                    end_time: latest_utc,
                    status,
                    profile_interval_period: PERIOD_30_MIN,
                    number_of_periods_delivered: intervals.len() as u8,
                    intervals,
                });
                reply(
                    msg,
                    ZclCommand::cluster_frame(&rsp, msg.frame.seq, true),
                    api,
                );
            }
            (METERING, ZclCommand::Cluster(ClusterCommand::RequestFastPollMode(r))) => {
                let rsp = self.fast_poll.request(api.now, api.utc(), &r);
                let seq = msg.frame.seq;
                let cmd = ClusterCommand::RequestFastPollModeResponse(rsp);
                reply(msg, ZclCommand::cluster_frame(&cmd, seq, true), api);
                let sooner = api.now + self.fast_poll.period(api.now);
                if self.next_report.is_some_and(|t| sooner < t) {
                    self.schedule_report(sooner, api);
                }
            }
            (PRICE, ZclCommand::Cluster(ClusterCommand::PublishPrice(p))) if msg.src == 0x0000 => {
                // Four trailing digits: 1/10000 of the currency unit.
                let digits = u32::from(p.price_trailing_digit_and_tier >> 4);
                let rate = u64::from(p.price) * 10u64.pow(4u32.saturating_sub(digits))
                    / 10u64.pow(digits.saturating_sub(4));
                self.set_rate(rate);
            }
            (PREPAYMENT, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                let credit = self.credit_p();
                let f = read_response(msg.frame.seq, &r.attributes, |id| {
                    (id == CREDIT_REMAINING).then(|| int32(credit))
                });
                reply(msg, f, api);
            }
            (PREPAYMENT, ZclCommand::Cluster(ClusterCommand::ConsumerTopUp(t))) => {
                // The top-up code carries the amount in pence (a stand-in for a UTRN).
                let amount = t.top_up_code.text().parse::<i64>().ok();
                if let Some(p) = amount {
                    self.topped_up_p += p;
                }
                let rsp = ClusterCommand::ConsumerTopUpResponse(ConsumerTopUpResponse {
                    result_type: if amount.is_some() { 0x00 } else { 0x02 },
                    top_up_value: amount.unwrap_or(0) as i32,
                    source_of_top_up: t.originating_device,
                    credit_remaining: self.credit_p() as i32,
                });
                let seq = msg.frame.seq;
                reply(msg, ZclCommand::cluster_frame(&rsp, seq, true), api);
            }
            _ => {}
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
