//! The GSME: the gas meter, a sleepy end device on battery. It wakes every 30 minutes
//! (domain.md 1.4, "GSME → GPF update period"), pushes its register and reading time to
//! the GPF mirror with an acknowledged Report Attributes, polls its parent, and sleeps
//! (the host turns the radio off between wakes). A push the GPF never acknowledged (every
//! APS retry failed, e.g. across a failed Alt HAN backhaul) is sent again at the next wake
//! with the registers then, which carry the lost push's: it counts as recovered once that
//! push is acknowledged ([`Recovery`]).

use crate::behaviour::{
    Api, Behaviour, CURRENT_SUMMATION_DELIVERED, METERING, Peer, Recovery, ZclIndication,
    ZclRequest, report_frame,
};
use crate::chf::GPF_ENDPOINT;
use crate::gpf::READING_SNAPSHOT_TIME;
use crate::load_profile::{GasProfile, millilitres};
use han_mesh::time::Duration;
use han_stack::zcl::{DataType, ZclValue};
use std::any::Any;

/// The GSME's endpoint.
pub const GSME_ENDPOINT: u8 = 1;
/// Wake and push period (domain.md 1.4).
pub const PUSH_PERIOD: Duration = Duration::secs(1800);

const PUSH: u32 = 1;

/// The gas meter's application.
#[derive(Debug, Clone)]
pub struct Gsme {
    profile: GasProfile,
    litre_seconds: u64,
    metered_to_s: u64,
    /// Pushes sent.
    pub pushes_sent: u64,
    /// Pushes the GPF acknowledged.
    pub pushes_acked: u64,
    /// Pushes lost after every retry.
    pub pushes_lost: u64,
    /// Of those, the ones a later acknowledged push recovered.
    pub recovery: Recovery,
    /// The register (litres) in the last push.
    pub last_pushed_l: Option<u64>,
}

impl Gsme {
    /// A gas meter with `profile`.
    pub fn new(profile: GasProfile) -> Self {
        Gsme {
            profile,
            litre_seconds: 0,
            metered_to_s: 0,
            pushes_sent: 0,
            pushes_acked: 0,
            pushes_lost: 0,
            recovery: Recovery::default(),
            last_pushed_l: None,
        }
    }

    /// The register in litres (m³ with divisor 1000) as last metered.
    pub fn summation_l(&self) -> u64 {
        millilitres(self.litre_seconds) / 1000
    }

    /// The second the register was last brought up to.
    pub fn metered_to_s(&self) -> u64 {
        self.metered_to_s
    }

    /// What the gas profile consumed from 0 to `s`, litres.
    pub fn profile_l(&self, s: u64) -> u64 {
        self.profile.millilitres(0, s) / 1000
    }
}

impl Behaviour for Gsme {
    fn name(&self) -> &'static str {
        "GSME"
    }

    fn joined(&mut self, api: &mut Api<'_>) {
        api.set_timer(PUSH, api.now + PUSH_PERIOD);
    }

    fn timer(&mut self, id: u32, api: &mut Api<'_>) {
        if id != PUSH {
            return;
        }
        api.set_timer(PUSH, api.now + PUSH_PERIOD);
        let s = api.now.0 / 1_000_000_000;
        self.litre_seconds += self.profile.litre_seconds(self.metered_to_s, s);
        self.metered_to_s = s;
        let litres = self.summation_l();
        let seq = api.next_seq();
        let frame = report_frame(
            seq,
            vec![
                (CURRENT_SUMMATION_DELIVERED, ZclValue::uint(6, litres)),
                (
                    READING_SNAPSHOT_TIME,
                    ZclValue::Scalar(DataType(0xe2), u64::from(api.utc())),
                ),
            ],
        );
        self.pushes_sent += 1;
        self.last_pushed_l = Some(litres);
        api.send(ZclRequest {
            dst: Peer::Short(0x0000),
            dst_endpoint: GPF_ENDPOINT,
            src_endpoint: GSME_ENDPOINT,
            cluster: METERING,
            frame,
            ack: true,
            tag: PUSH,
        });
    }

    fn delivered(&mut self, _tag: u32, ok: bool, _api: &mut Api<'_>) {
        if ok {
            self.pushes_acked += 1;
            self.recovery.acked();
        } else {
            self.pushes_lost += 1;
            self.recovery.failed();
        }
    }

    fn zcl(&mut self, _msg: &ZclIndication, _api: &mut Api<'_>) {}

    fn as_any(&self) -> &dyn Any {
        self
    }
}
