//! A Spinel frame: header byte, command, and the command's payload
//! (Spinel draft section 3).

use super::packed;
use super::property::{Direction, PropId, Property};
use crate::error::Result;
use crate::wire::{Reader, Wire, Writer, wire_enum};

/// The header byte: flag bits (always `10`), interface id and transaction id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Bits 7-6; `0b10` in every valid frame, kept as received.
    pub flag: u8,
    /// Interface identifier, bits 5-4.
    pub iid: u8,
    /// Transaction identifier, bits 3-0; 0 marks an unsolicited frame.
    pub tid: u8,
}

impl Header {
    /// A valid header for interface `iid` and transaction `tid` (both masked to their width).
    pub fn new(iid: u8, tid: u8) -> Self {
        Header {
            flag: 0b10,
            iid: iid & 0x3,
            tid: tid & 0xF,
        }
    }

    /// The header byte.
    pub fn byte(self) -> u8 {
        (self.flag & 0x3) << 6 | (self.iid & 0x3) << 4 | (self.tid & 0xF)
    }

    /// Split a header byte.
    pub fn from_byte(b: u8) -> Self {
        Header {
            flag: b >> 6,
            iid: (b >> 4) & 0x3,
            tid: b & 0xF,
        }
    }
}

wire_enum! {
    /// A Spinel command identifier (a packed integer).
    pub enum CommandId: u32 {
        /// Spinel `NOOP`.
        Noop = 0 => "NOOP",
        /// Spinel `RESET`.
        Reset = 1 => "RESET",
        /// Spinel `PROP_VALUE_GET`.
        PropValueGet = 2 => "PROP_VALUE_GET",
        /// Spinel `PROP_VALUE_SET`.
        PropValueSet = 3 => "PROP_VALUE_SET",
        /// Spinel `PROP_VALUE_INSERT`.
        PropValueInsert = 4 => "PROP_VALUE_INSERT",
        /// Spinel `PROP_VALUE_REMOVE`.
        PropValueRemove = 5 => "PROP_VALUE_REMOVE",
        /// Spinel `PROP_VALUE_IS`.
        PropValueIs = 6 => "PROP_VALUE_IS",
        /// Spinel `PROP_VALUE_INSERTED`.
        PropValueInserted = 7 => "PROP_VALUE_INSERTED",
        /// Spinel `PROP_VALUE_REMOVED`.
        PropValueRemoved = 8 => "PROP_VALUE_REMOVED",
    }
}

/// A command with its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// No operation; the radio answers `LAST_STATUS` OK.
    Noop,
    /// Reset, with OpenThread's optional reset type byte.
    Reset(Option<u8>),
    /// Ask for a property's value.
    PropValueGet(PropId),
    /// Set a property.
    PropValueSet(Property),
    /// Add an item to a list property.
    PropValueInsert(Property),
    /// Remove an item from a list property.
    PropValueRemove(Property),
    /// A property's value (answer or unsolicited).
    PropValueIs(Property),
    /// An item was added.
    PropValueInserted(Property),
    /// An item was removed.
    PropValueRemoved(Property),
    /// Any other command, payload kept as sent.
    Unknown(u32, Vec<u8>),
}

impl Command {
    /// The command identifier.
    pub fn id(&self) -> CommandId {
        match self {
            Command::Noop => CommandId::Noop,
            Command::Reset(_) => CommandId::Reset,
            Command::PropValueGet(_) => CommandId::PropValueGet,
            Command::PropValueSet(_) => CommandId::PropValueSet,
            Command::PropValueInsert(_) => CommandId::PropValueInsert,
            Command::PropValueRemove(_) => CommandId::PropValueRemove,
            Command::PropValueIs(_) => CommandId::PropValueIs,
            Command::PropValueInserted(_) => CommandId::PropValueInserted,
            Command::PropValueRemoved(_) => CommandId::PropValueRemoved,
            Command::Unknown(id, _) => CommandId::from_value(*id),
        }
    }

    /// The name pyspinel and OpenThread print.
    pub fn name(&self) -> &'static str {
        self.id().name()
    }
}

/// One Spinel frame, the payload of one HDLC-lite frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinelFrame {
    /// The header byte.
    pub header: Header,
    /// The command and its payload.
    pub command: Command,
}

impl Wire for SpinelFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let header = Header::from_byte(r.u8("Spinel header")?);
        let id = packed::read(r, "command id")?;
        let command = match CommandId::from_value(id) {
            CommandId::Noop => Command::Noop,
            CommandId::Reset => Command::Reset(if r.is_empty() {
                None
            } else {
                Some(r.u8("reset type")?)
            }),
            CommandId::PropValueGet => {
                Command::PropValueGet(PropId::from_value(packed::read(r, "property id")?))
            }
            CommandId::PropValueSet => {
                Command::PropValueSet(Property::parse(r, Direction::ToRadio)?)
            }
            CommandId::PropValueInsert => {
                Command::PropValueInsert(Property::parse(r, Direction::ToRadio)?)
            }
            CommandId::PropValueRemove => {
                Command::PropValueRemove(Property::parse(r, Direction::ToRadio)?)
            }
            CommandId::PropValueIs => Command::PropValueIs(Property::parse(r, Direction::ToHost)?),
            CommandId::PropValueInserted => {
                Command::PropValueInserted(Property::parse(r, Direction::ToHost)?)
            }
            CommandId::PropValueRemoved => {
                Command::PropValueRemoved(Property::parse(r, Direction::ToHost)?)
            }
            CommandId::Unknown(id) => Command::Unknown(id, r.rest().to_vec()),
        };
        r.finish(command.name())?;
        Ok(SpinelFrame { header, command })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.header.byte());
        packed::write(w, self.command.id().value());
        match &self.command {
            Command::Noop | Command::Reset(None) => {}
            Command::Reset(Some(t)) => w.u8(*t),
            Command::PropValueGet(p) => packed::write(w, p.value()),
            Command::PropValueSet(p)
            | Command::PropValueInsert(p)
            | Command::PropValueRemove(p)
            | Command::PropValueIs(p)
            | Command::PropValueInserted(p)
            | Command::PropValueRemoved(p) => p.emit(w),
            Command::Unknown(_, rest) => w.bytes(rest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spinel::property::Status;
    use crate::spinel::property::tests::property;
    use crate::test_util::hex;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn frame() -> impl Strategy<Value = SpinelFrame> {
        let cmd = prop_oneof![
            Just(Command::Noop),
            proptest::option::of(any::<u8>()).prop_map(Command::Reset),
            (0u32..=packed::MAX).prop_map(|p| Command::PropValueGet(PropId::from_value(p))),
            property(Direction::ToRadio).prop_map(Command::PropValueSet),
            property(Direction::ToRadio).prop_map(Command::PropValueInsert),
            property(Direction::ToRadio).prop_map(Command::PropValueRemove),
            property(Direction::ToHost).prop_map(Command::PropValueIs),
            property(Direction::ToHost).prop_map(Command::PropValueInserted),
            property(Direction::ToHost).prop_map(Command::PropValueRemoved),
            (9u32..=packed::MAX, vec(any::<u8>(), 0..16))
                .prop_map(|(id, v)| Command::Unknown(id, v)),
        ];
        (any::<u8>(), cmd).prop_map(|(h, command)| SpinelFrame {
            header: Header::from_byte(h),
            command,
        })
    }

    #[test]
    fn get_protocol_version_bytes() {
        // pyspinel: header 0x81 (TID 1), PROP_VALUE_GET, PROP_PROTOCOL_VERSION.
        let f = SpinelFrame::from_bytes(&hex("810201")).unwrap();
        assert_eq!(f.header, Header::new(0, 1));
        assert_eq!(f.command, Command::PropValueGet(PropId::ProtocolVersion));
        assert_eq!(f.command.name(), "PROP_VALUE_GET");
    }

    #[test]
    fn reset_notification_bytes() {
        // An RCP after reset: unsolicited LAST_STATUS RESET_POWER_ON (112 = 0x70).
        let f = SpinelFrame::from_bytes(
            &hex("800600" /* is, last status */)
                .into_iter()
                .chain([0x70])
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(
            f.command,
            Command::PropValueIs(Property::LastStatus(Status::ResetPowerOn, vec![]))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(f in frame()) {
            let b = f.to_bytes();
            prop_assert_eq!(SpinelFrame::from_bytes(&b).unwrap(), f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(b in vec(any::<u8>(), 0..128)) {
            if let Ok(f) = SpinelFrame::from_bytes(&b) {
                prop_assert_eq!(f.to_bytes(), b);
            }
        }
    }
}
