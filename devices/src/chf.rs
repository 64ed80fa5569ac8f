//! The CHF: coordinator and trust centre (in the host), Time server and the supplier's
//! Price and Messaging servers on endpoint 1, and the GPF gas mirror on endpoint 2 (the
//! two logical devices of the comms hub, domain.md 1.1). When the supplier changes the
//! price (a scenario event) the Price server publishes it unsolicited to its price clients
//! (the premises' IHD and ESME).

use crate::behaviour::{
    Api, Behaviour, MESSAGING, METERING, PRICE, TIME, TIME_ATTR, ZclIndication, ZclRequest,
};
use crate::behaviour::{Peer, read_response};
use crate::gpf::GasMirror;
use han_mesh::time::SimTime;
use han_stack::wire::ExtAddr;
use han_stack::zcl::clusters::ClusterCommand;
use han_stack::zcl::clusters::messaging::DisplayMessage;
use han_stack::zcl::clusters::price::PublishPrice;
use han_stack::zcl::field::OctetStr;
use han_stack::zcl::general::GeneralCommand;
use han_stack::zcl::{DataType, ZclCommand, ZclValue};
use std::any::Any;

/// The CHF's application endpoint (Time server).
pub const CHF_ENDPOINT: u8 = 1;
/// The GPF's endpoint (gas mirror).
pub const GPF_ENDPOINT: u8 = 2;
/// Time cluster TimeStatus: master and synchronised (bits 0 and 1).
const TIME_STATUS: u16 = 0x0001;
/// The supplier's unit rate, in 1/10000 GBP per kWh (28.00 p/kWh, an assumption matching
/// the ESME's prepayment rate).
pub const UNIT_RATE: u32 = 2800;
/// The supplier's message to every display.
pub const WELCOME: &str = "Welcome to your smart meter";

/// Timers of price changes: this plus the change's index.
const PRICE_CHANGE: u32 = 100;

/// A price the supplier sets from a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceChange {
    /// From when.
    pub at: SimTime,
    /// Unit rate, 1/10000 GBP per kWh.
    pub unit_rate: u32,
    /// Published (or taken while the hub was off: published when it is back).
    pub applied: bool,
}

/// The comms hub's application.
#[derive(Debug, Clone)]
pub struct Chf {
    /// The gas mirror.
    pub gpf: GasMirror,
    /// Time reads answered.
    pub time_reads: u64,
    /// Mirror reads answered.
    pub mirror_reads: u64,
    /// Prices published.
    pub prices_published: u64,
    /// Messages sent.
    pub messages_sent: u64,
    /// The unit rate in force, 1/10000 GBP per kWh.
    pub unit_rate: u32,
    /// The Price cluster's IssuerEventId of the price in force (one more per change).
    pub price_event: u32,
    /// Price changes to come (and made).
    pub price_changes: Vec<PriceChange>,
    /// Devices sent an unsolicited PublishPrice on a change (EUI-64, endpoint).
    pub price_clients: Vec<(ExtAddr, u8)>,
}

impl Default for Chf {
    fn default() -> Self {
        Chf {
            gpf: GasMirror::default(),
            time_reads: 0,
            mirror_reads: 0,
            prices_published: 0,
            messages_sent: 0,
            unit_rate: UNIT_RATE,
            price_event: 1,
            price_changes: Vec::new(),
            price_clients: Vec::new(),
        }
    }
}

impl Chf {
    /// A hub whose supplier sets the unit rates `changes` (time, 1/10000 GBP per kWh),
    /// publishing each to `clients` (EUI-64, endpoint).
    pub fn with_price_changes(changes: &[(SimTime, u32)], clients: Vec<(ExtAddr, u8)>) -> Self {
        Chf {
            price_changes: changes
                .iter()
                .map(|&(at, unit_rate)| PriceChange {
                    at,
                    unit_rate,
                    applied: false,
                })
                .collect(),
            price_clients: clients,
            ..Chf::default()
        }
    }
}

/// The price as the supplier publishes it (SE Price cluster, PublishPrice): `unit_rate` in
/// 1/10000 GBP per kWh, the change's IssuerEventId.
pub fn publish_price(utc: u32, unit_rate: u32, issuer_event_id: u32) -> PublishPrice {
    PublishPrice {
        provider_id: 1,
        rate_label: OctetStr::new("Standard"),
        issuer_event_id,
        current_time: utc,
        unit_of_measure: 0x00,
        currency: 826,
        // Four digits after the decimal point, tier 1.
        price_trailing_digit_and_tier: 0x41,
        number_of_price_tiers_and_register_tier: 0x11,
        start_time: 0,
        duration_in_minutes: 0xffff,
        price: unit_rate,
        price_ratio: None,
        generation_price: None,
        generation_price_ratio: None,
        alternate_cost_delivered: None,
        alternate_cost_unit: None,
        alternate_cost_trailing_digit: None,
        number_of_block_thresholds: None,
        price_control: None,
        number_of_generation_tiers: None,
        generation_tier: None,
        extended_number_of_price_tiers: None,
        extended_price_tier: None,
        extended_register_tier: None,
    }
}

impl Behaviour for Chf {
    fn name(&self) -> &'static str {
        "CHF"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        for (k, c) in self.price_changes.iter().enumerate() {
            if !c.applied {
                api.set_timer(PRICE_CHANGE + k as u32, c.at.max(api.now));
            }
        }
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        let k = id.wrapping_sub(PRICE_CHANGE) as usize;
        let Some(c) = self.price_changes.get_mut(k).filter(|c| !c.applied) else {
            return;
        };
        c.applied = true;
        self.unit_rate = c.unit_rate;
        self.price_event += 1;
        for &(client, endpoint) in &self.price_clients {
            self.prices_published += 1;
            let p = publish_price(api.utc(), self.unit_rate, self.price_event);
            let seq = api.next_seq();
            api.send(ZclRequest {
                dst: Peer::Ext(client),
                dst_endpoint: endpoint,
                src_endpoint: CHF_ENDPOINT,
                cluster: PRICE,
                frame: ZclCommand::cluster_frame(&ClusterCommand::PublishPrice(p), seq, true),
                ack: true,
                tag: 0,
            });
        }
    }

    fn zcl(&mut self, msg: &ZclIndication, api: &mut Api<'_>) {
        let Some(cmd) = msg.command() else { return };
        match (msg.dst_endpoint, msg.cluster, &cmd) {
            (GPF_ENDPOINT, METERING, ZclCommand::General(GeneralCommand::ReportAttributes(_))) => {
                self.gpf.take_push(msg, api.now);
            }
            (GPF_ENDPOINT, METERING, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                self.mirror_reads += 1;
                let f = read_response(msg.frame.seq, &r.attributes, |id| self.gpf.attribute(id));
                reply(msg, f, api);
            }
            (CHF_ENDPOINT, PRICE, ZclCommand::Cluster(ClusterCommand::GetCurrentPrice(_))) => {
                self.prices_published += 1;
                let p = publish_price(api.utc(), self.unit_rate, self.price_event);
                let cmd = ClusterCommand::PublishPrice(p);
                reply(
                    msg,
                    ZclCommand::cluster_frame(&cmd, msg.frame.seq, true),
                    api,
                );
            }
            (CHF_ENDPOINT, MESSAGING, ZclCommand::Cluster(ClusterCommand::GetLastMessage(_))) => {
                self.messages_sent += 1;
                let cmd = ClusterCommand::DisplayMessage(DisplayMessage {
                    message_id: 1,
                    message_control: 0x00,
                    start_time: 0,
                    duration_in_minutes: 0xffff,
                    message: OctetStr::new(WELCOME),
                    extended_message_control: None,
                });
                reply(
                    msg,
                    ZclCommand::cluster_frame(&cmd, msg.frame.seq, true),
                    api,
                );
            }
            (CHF_ENDPOINT, TIME, ZclCommand::General(GeneralCommand::ReadAttributes(r))) => {
                self.time_reads += 1;
                let utc = api.utc();
                let f = read_response(msg.frame.seq, &r.attributes, |id| match id {
                    TIME_ATTR => Some(ZclValue::Scalar(DataType(0xe2), u64::from(utc))),
                    TIME_STATUS => Some(ZclValue::Scalar(DataType::bitmap(1), 0x03)),
                    _ => None,
                });
                reply(msg, f, api);
            }
            _ => {}
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Answer `msg` from the endpoint it was sent to.
pub fn reply(msg: &ZclIndication, frame: han_stack::zcl::ZclFrame, api: &mut Api<'_>) {
    api.send(ZclRequest {
        dst: Peer::Short(msg.src),
        dst_endpoint: msg.src_endpoint,
        src_endpoint: msg.dst_endpoint,
        cluster: msg.cluster,
        frame,
        ack: false,
        tag: 0,
    });
}
