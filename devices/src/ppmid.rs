//! The PPMID: the prepayment display. It shows the ESME's credit (read every 10 minutes)
//! and sends a consumer top-up to the ESME an hour after it joined (a stand-in for the
//! householder typing a top-up code), and one for each top-up a scenario enters on it at
//! a given time (sent then, or as soon as it is on the network).

use crate::behaviour::{
    Api, Behaviour, CREDIT_REMAINING, PREPAYMENT, Peer, ZclIndication, ZclRequest,
    attribute_values, read_frame,
};
use crate::esme::ESME_ENDPOINT;
use han_mesh::time::{Duration, SimTime};
use han_stack::wire::ExtAddr;
use han_stack::zcl::ZclCommand;
use han_stack::zcl::clusters::ClusterCommand;
use han_stack::zcl::clusters::prepayment::ConsumerTopUp;
use han_stack::zcl::field::OctetStr;
use std::any::Any;

/// The PPMID's endpoint.
pub const PPMID_ENDPOINT: u8 = 1;
/// How often it reads the credit.
pub const CREDIT_READ_PERIOD: Duration = Duration::secs(600);
/// When after joining it tops up, and by how much (pence).
pub const TOP_UP_AFTER: Duration = Duration::secs(3600);
/// The top-up amount, pence.
pub const TOP_UP_P: i64 = 1000;

const READ: u32 = 1;
const TOP_UP: u32 = 2;
/// Timers of entered top-ups: this plus the top-up's index.
const ENTERED: u32 = 100;

/// A top-up the householder enters on the PPMID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnteredTopUp {
    /// When it is entered.
    pub at: SimTime,
    /// Amount, pence.
    pub pence: i64,
    /// Sent to the ESME.
    pub sent: bool,
}

/// The prepayment display's application.
#[derive(Debug, Clone)]
pub struct Ppmid {
    esme: ExtAddr,
    /// Credit shown, pence.
    pub credit_p: Option<i64>,
    /// Top-ups sent.
    pub top_ups_sent: u32,
    /// Top-ups the ESME accepted (with the amount).
    pub top_ups_accepted: Vec<i64>,
    /// Top-ups entered at given times.
    pub entered: Vec<EnteredTopUp>,
}

impl Ppmid {
    /// A PPMID for the ESME `esme`.
    pub fn new(esme: ExtAddr) -> Self {
        Ppmid {
            esme,
            credit_p: None,
            top_ups_sent: 0,
            top_ups_accepted: Vec::new(),
            entered: Vec::new(),
        }
    }

    /// The same, with top-ups of (time, pence) entered on it.
    pub fn with_top_ups(mut self, top_ups: &[(SimTime, i64)]) -> Self {
        self.entered = top_ups
            .iter()
            .map(|&(at, pence)| EnteredTopUp {
                at,
                pence,
                sent: false,
            })
            .collect();
        self
    }

    /// A ConsumerTopUp of `pence` to the ESME (the code carries the amount, a stand-in for
    /// a UTRN), acknowledged.
    fn top_up(&mut self, pence: i64, seq: u8) -> ZclRequest {
        self.top_ups_sent += 1;
        let cmd = ClusterCommand::ConsumerTopUp(ConsumerTopUp {
            originating_device: 0x02,
            top_up_code: OctetStr::new(pence.to_string()),
        });
        self.to_esme(ZclCommand::cluster_frame(&cmd, seq, false), true)
    }

    fn to_esme(&self, frame: han_stack::zcl::ZclFrame, ack: bool) -> ZclRequest {
        ZclRequest {
            dst: Peer::Ext(self.esme),
            dst_endpoint: ESME_ENDPOINT,
            src_endpoint: PPMID_ENDPOINT,
            cluster: PREPAYMENT,
            frame,
            ack,
            tag: 0,
        }
    }
}

impl Behaviour for Ppmid {
    fn name(&self) -> &'static str {
        "PPMID"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        api.set_timer(READ, api.now + Duration::secs(5));
        api.set_timer(TOP_UP, api.now + TOP_UP_AFTER);
        // Entered while it was off the network: sent now.
        for (k, t) in self.entered.iter().enumerate() {
            if !t.sent {
                api.set_timer(ENTERED + k as u32, t.at.max(api.now));
            }
        }
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        let seq = api.next_seq();
        match id {
            READ => {
                api.set_timer(READ, api.now + CREDIT_READ_PERIOD);
                let r = self.to_esme(read_frame(seq, vec![CREDIT_REMAINING]), false);
                api.send(r);
            }
            TOP_UP => {
                let r = self.top_up(TOP_UP_P, seq);
                api.send(r);
            }
            _ => {
                let k = id.wrapping_sub(ENTERED) as usize;
                if let Some(t) = self.entered.get_mut(k).filter(|t| !t.sent) {
                    t.sent = true;
                    let pence = t.pence;
                    let r = self.top_up(pence, seq);
                    api.send(r);
                }
            }
        }
    }

    fn zcl(&mut self, msg: &ZclIndication, _api: &mut Api<'_>) {
        if msg.cluster != PREPAYMENT {
            return;
        }
        match msg.command() {
            Some(ZclCommand::Cluster(ClusterCommand::ConsumerTopUpResponse(r))) => {
                if r.result_type == 0 {
                    self.top_ups_accepted.push(i64::from(r.top_up_value));
                }
                self.credit_p = Some(i64::from(r.credit_remaining));
            }
            Some(cmd) => {
                for (id, v) in attribute_values(&cmd) {
                    if id == CREDIT_REMAINING {
                        self.credit_p = v.as_i128().map(|c| c as i64);
                    }
                }
            }
            None => {}
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
