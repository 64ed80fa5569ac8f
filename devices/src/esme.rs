//! The ESME: the electricity meter. A Metering server (CurrentSummationDelivered,
//! InstantaneousDemand) driven by the premises' seeded [`LoadProfile`], reporting to the
//! IHD every 10 s (domain.md 1.4, "IHD electricity refresh"), and a Prepayment server
//! whose credit falls with consumption and rises with top-ups from the PPMID.

use crate::behaviour::{
    Api, Behaviour, CREDIT_REMAINING, CURRENT_SUMMATION_DELIVERED, INSTANTANEOUS_DEMAND, METERING,
    METERING_DEVICE_TYPE, PREPAYMENT, Peer, ZclIndication, ZclRequest, int24, int32, read_response,
    report_frame,
};
use crate::chf::reply;
use crate::load_profile::LoadProfile;
use han_mesh::time::{Duration, SimTime};
use han_stack::wire::ExtAddr;
use han_stack::zcl::clusters::ClusterCommand;
use han_stack::zcl::clusters::prepayment::ConsumerTopUpResponse;
use han_stack::zcl::general::GeneralCommand;
use han_stack::zcl::{DataType, ZclCommand, ZclValue};
use std::any::Any;

/// The ESME's endpoint.
pub const ESME_ENDPOINT: u8 = 1;
/// The IHD electricity refresh period (domain.md 1.4).
pub const REPORT_PERIOD: Duration = Duration::secs(10);
/// Unit price used for prepayment credit, pence per kWh (an assumption).
pub const UNIT_PRICE_P_PER_KWH: u64 = 28;
/// Credit at installation, pence (an assumption).
pub const INITIAL_CREDIT_P: i64 = 500;

const REPORT: u32 = 1;

/// The electricity meter's application.
#[derive(Debug, Clone)]
pub struct Esme {
    profile: LoadProfile,
    ihd: Option<ExtAddr>,
    consumed_ws: u64,
    metered_to_s: u64,
    credit_base_p: i64,
    /// Top-ups accepted, pence.
    pub topped_up_p: i64,
    /// Reports sent to the IHD.
    pub reports_sent: u64,
    /// Reports the IHD acknowledged.
    pub reports_acked: u64,
    /// Reports lost after every retry.
    pub reports_lost: u64,
    /// The summation (Wh) in the last report sent.
    pub last_reported_wh: Option<u64>,
}

impl Esme {
    /// A meter with `profile`, reporting to the IHD `ihd` (if the premises has one).
    pub fn new(profile: LoadProfile, ihd: Option<ExtAddr>) -> Self {
        Esme {
            profile,
            ihd,
            consumed_ws: 0,
            metered_to_s: 0,
            credit_base_p: INITIAL_CREDIT_P,
            topped_up_p: 0,
            reports_sent: 0,
            reports_acked: 0,
            reports_lost: 0,
            last_reported_wh: None,
        }
    }

    /// Bring the register up to `now` (whole seconds).
    fn meter(&mut self, now: SimTime) {
        let s = now.0 / 1_000_000_000;
        if s > self.metered_to_s {
            self.consumed_ws += self.profile.energy_ws(self.metered_to_s, s);
            self.metered_to_s = s;
        }
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
        let spent = (self.summation_wh() * UNIT_PRICE_P_PER_KWH / 1000) as i64;
        self.credit_base_p + self.topped_up_p - spent
    }

    fn attribute(&self, id: u16, now: SimTime) -> Option<ZclValue> {
        match id {
            CURRENT_SUMMATION_DELIVERED => Some(ZclValue::uint(6, self.summation_wh())),
            INSTANTANEOUS_DEMAND => Some(int24(i64::from(self.demand_w(now)))),
            METERING_DEVICE_TYPE => Some(ZclValue::Scalar(DataType::bitmap(1), 0x00)),
            0x0302 => Some(ZclValue::uint(3, 1000)),
            _ => None,
        }
    }
}

impl Behaviour for Esme {
    fn name(&self) -> &'static str {
        "ESME"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        api.set_timer(REPORT, api.now + REPORT_PERIOD);
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        if id != REPORT {
            return;
        }
        api.set_timer(REPORT, api.now + REPORT_PERIOD);
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
        self.reports_sent += 1;
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
        } else {
            self.reports_lost += 1;
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
