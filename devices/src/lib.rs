//! han-devices: the GB smart-metering devices on the virtual air. A [`host::DeviceHost`]
//! per node runs MAC association, the Zigbee NWK layer with its security, APS and ZDO from
//! han-stack; a [`behaviour::Behaviour`] per device kind (one module each) speaks ZCL on
//! top; [`scenario`] builds a building's run and its summary.
#![warn(missing_docs)]

pub mod behaviour;
pub mod chf;
pub mod esme;
pub mod events;
pub mod fast_poll;
pub mod gpf;
pub mod gsme;
pub mod hcalcs;
pub mod host;
pub mod ihd;
pub mod load_profile;
pub mod ppmid;
pub mod relay;
pub mod scenario;
pub mod timeline;
