//! Devices with no application of their own on the HAN (repeaters, Alt HAN nodes, a
//! PPMID without an ESME): they join and relay.

use crate::behaviour::{Api, Behaviour, ZclIndication};
use std::any::Any;

/// No application: the host's NWK layer still joins and routes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relay;

impl Behaviour for Relay {
    fn name(&self) -> &'static str {
        "relay"
    }
    fn joined(&mut self, _api: &mut Api<'_>) {}
    fn timer(&mut self, _id: u32, _api: &mut Api<'_>) {}
    fn zcl(&mut self, _msg: &ZclIndication, _api: &mut Api<'_>) {}
    fn as_any(&self) -> &dyn Any {
        self
    }
}
