//! Spinel, the OpenThread host-to-radio protocol, and its HDLC-lite UART framing.
//!
//! Sans-IO: [`hdlc`] turns a byte stream into frames and back, [`SpinelFrame`]
//! decodes one frame (header, command, property value). Numbers and formats
//! follow the Spinel draft (draft-rquattle-spinel-unified) and OpenThread's
//! `spinel.h`.

pub mod frame;
pub mod hdlc;
pub mod packed;
pub mod property;
pub mod rcp;
pub mod stream;

pub use frame::{Command, CommandId, Header, SpinelFrame};
pub use hdlc::{HdlcDecoder, HdlcError};
pub use property::{PropId, Property, Status};
pub use rcp::{RcpOutput, RcpState};
pub use stream::{RxFrame, RxMeta, TxParams, TxRequest};
