//! APS commands (Zigbee PRO R22 4.4.10): a 1-byte command identifier, then its payload.
//!
//! SKKE, entity-authentication and relay commands are kept as raw payloads.

mod confirm_key;
mod key_type;
mod remove_device;
mod request_key;
mod switch_key;
mod transport_key;
mod tunnel;
mod update_device;
mod verify_key;

pub use confirm_key::ConfirmKey;
pub use key_type::{ApsStatus, KeyType};
pub use remove_device::RemoveDevice;
pub use request_key::RequestKey;
pub use switch_key::SwitchKey;
pub use transport_key::{KeyDescriptor, TransportKey};
pub use tunnel::Tunnel;
pub use update_device::{UpdateDevice, UpdateDeviceStatus};
pub use verify_key::VerifyKey;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// APS command identifiers (Zigbee PRO R22 table 4-29).
pub mod id {
    /// SKKE-1 (first of 0x01–0x04).
    pub const SKKE_1: u8 = 0x01;
    /// SKKE-4 (last of 0x01–0x04).
    pub const SKKE_4: u8 = 0x04;
    /// Transport Key.
    pub const TRANSPORT_KEY: u8 = 0x05;
    /// Update Device.
    pub const UPDATE_DEVICE: u8 = 0x06;
    /// Remove Device.
    pub const REMOVE_DEVICE: u8 = 0x07;
    /// Request Key.
    pub const REQUEST_KEY: u8 = 0x08;
    /// Switch Key.
    pub const SWITCH_KEY: u8 = 0x09;
    /// EA Initiator Challenge (first of 0x0a–0x0d).
    pub const EA_INIT_CHALLENGE: u8 = 0x0a;
    /// EA Responder MAC (last of 0x0a–0x0d).
    pub const EA_RESP_MAC: u8 = 0x0d;
    /// Tunnel.
    pub const TUNNEL: u8 = 0x0e;
    /// Verify Key.
    pub const VERIFY_KEY: u8 = 0x0f;
    /// Confirm Key.
    pub const CONFIRM_KEY: u8 = 0x10;
    /// Relay Message Downstream.
    pub const RELAY_DOWNSTREAM: u8 = 0x11;
    /// Relay Message Upstream.
    pub const RELAY_UPSTREAM: u8 = 0x12;
}

/// An APS command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApsCommand {
    /// SKKE-1..SKKE-4 (`id` 0x01–0x04), payload kept raw.
    Skke {
        /// Command identifier.
        id: u8,
        /// Payload after the identifier.
        payload: Vec<u8>,
    },
    /// Transport Key (0x05).
    TransportKey(TransportKey),
    /// Update Device (0x06).
    UpdateDevice(UpdateDevice),
    /// Remove Device (0x07).
    RemoveDevice(RemoveDevice),
    /// Request Key (0x08).
    RequestKey(RequestKey),
    /// Switch Key (0x09).
    SwitchKey(SwitchKey),
    /// Entity-authentication commands (`id` 0x0a–0x0d), payload kept raw.
    EntityAuth {
        /// Command identifier.
        id: u8,
        /// Payload after the identifier.
        payload: Vec<u8>,
    },
    /// Tunnel (0x0e).
    Tunnel(Tunnel),
    /// Verify Key (0x0f).
    VerifyKey(VerifyKey),
    /// Confirm Key (0x10).
    ConfirmKey(ConfirmKey),
    /// Relay Message Downstream (0x11), payload kept raw.
    RelayDownstream(Vec<u8>),
    /// Relay Message Upstream (0x12), payload kept raw.
    RelayUpstream(Vec<u8>),
    /// Any other identifier.
    Unknown {
        /// Command identifier.
        id: u8,
        /// Payload after the identifier.
        payload: Vec<u8>,
    },
}

impl ApsCommand {
    /// The command identifier.
    pub fn id(&self) -> u8 {
        match self {
            ApsCommand::Skke { id, .. }
            | ApsCommand::EntityAuth { id, .. }
            | ApsCommand::Unknown { id, .. } => *id,
            ApsCommand::TransportKey(_) => id::TRANSPORT_KEY,
            ApsCommand::UpdateDevice(_) => id::UPDATE_DEVICE,
            ApsCommand::RemoveDevice(_) => id::REMOVE_DEVICE,
            ApsCommand::RequestKey(_) => id::REQUEST_KEY,
            ApsCommand::SwitchKey(_) => id::SWITCH_KEY,
            ApsCommand::Tunnel(_) => id::TUNNEL,
            ApsCommand::VerifyKey(_) => id::VERIFY_KEY,
            ApsCommand::ConfirmKey(_) => id::CONFIRM_KEY,
            ApsCommand::RelayDownstream(_) => id::RELAY_DOWNSTREAM,
            ApsCommand::RelayUpstream(_) => id::RELAY_UPSTREAM,
        }
    }

    /// The name tshark prints for this command.
    pub fn name(&self) -> &'static str {
        Self::name_of(self.id())
    }

    /// The name tshark prints for a command identifier.
    pub fn name_of(id: u8) -> &'static str {
        match id {
            0x01 => "SKKE-1",
            0x02 => "SKKE-2",
            0x03 => "SKKE-3",
            0x04 => "SKKE-4",
            0x05 => "Transport Key",
            0x06 => "Update Device",
            0x07 => "Remove Device",
            0x08 => "Request Key",
            0x09 => "Switch Key",
            0x0a => "EA Initiator Challenge",
            0x0b => "EA Responder Challenge",
            0x0c => "EA Initiator MAC",
            0x0d => "EA Responder MAC",
            0x0e => "Tunnel",
            0x0f => "Verify Key",
            0x10 => "Confirm Key",
            0x11 => "Relay Message Downstream",
            0x12 => "Relay Message Upstream",
            _ => "Unknown Command",
        }
    }
}

impl Wire for ApsCommand {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let cmd = r.u8("APS command identifier")?;
        Ok(match cmd {
            id::SKKE_1..=id::SKKE_4 => ApsCommand::Skke {
                id: cmd,
                payload: r.rest().to_vec(),
            },
            id::TRANSPORT_KEY => ApsCommand::TransportKey(TransportKey::parse(r)?),
            id::UPDATE_DEVICE => ApsCommand::UpdateDevice(UpdateDevice::parse(r)?),
            id::REMOVE_DEVICE => ApsCommand::RemoveDevice(RemoveDevice::parse(r)?),
            id::REQUEST_KEY => ApsCommand::RequestKey(RequestKey::parse(r)?),
            id::SWITCH_KEY => ApsCommand::SwitchKey(SwitchKey::parse(r)?),
            id::EA_INIT_CHALLENGE..=id::EA_RESP_MAC => ApsCommand::EntityAuth {
                id: cmd,
                payload: r.rest().to_vec(),
            },
            id::TUNNEL => ApsCommand::Tunnel(Tunnel::parse(r)?),
            id::VERIFY_KEY => ApsCommand::VerifyKey(VerifyKey::parse(r)?),
            id::CONFIRM_KEY => ApsCommand::ConfirmKey(ConfirmKey::parse(r)?),
            id::RELAY_DOWNSTREAM => ApsCommand::RelayDownstream(r.rest().to_vec()),
            id::RELAY_UPSTREAM => ApsCommand::RelayUpstream(r.rest().to_vec()),
            _ => ApsCommand::Unknown {
                id: cmd,
                payload: r.rest().to_vec(),
            },
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.id());
        match self {
            ApsCommand::Skke { payload, .. }
            | ApsCommand::EntityAuth { payload, .. }
            | ApsCommand::Unknown { payload, .. }
            | ApsCommand::RelayDownstream(payload)
            | ApsCommand::RelayUpstream(payload) => w.bytes(payload),
            ApsCommand::TransportKey(c) => c.emit(w),
            ApsCommand::UpdateDevice(c) => c.emit(w),
            ApsCommand::RemoveDevice(c) => c.emit(w),
            ApsCommand::RequestKey(c) => c.emit(w),
            ApsCommand::SwitchKey(c) => c.emit(w),
            ApsCommand::Tunnel(c) => c.emit(w),
            ApsCommand::VerifyKey(c) => c.emit(w),
            ApsCommand::ConfirmKey(c) => c.emit(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aps::tests::arb_frame;
    use crate::aps::{ApsFrame, FrameType};
    use crate::security::KeyId;
    use crate::test_util::hex;
    use crate::wire::ExtAddr;
    use proptest::prelude::*;

    fn arb_key_type() -> impl Strategy<Value = KeyType> {
        any::<u8>().prop_map(KeyType::from_value)
    }

    fn arb_ext() -> impl Strategy<Value = ExtAddr> {
        any::<u64>().prop_map(ExtAddr)
    }

    fn arb_raw() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..48)
    }

    fn arb_transport_key() -> impl Strategy<Value = TransportKey> {
        (
            arb_key_type(),
            any::<[u8; 16]>(),
            any::<u8>(),
            arb_ext(),
            arb_ext(),
            arb_raw(),
        )
            .prop_map(|(key_type, key, seq, dest, src, rest)| {
                let descriptor = match key_type {
                    KeyType::StandardNetwork | KeyType::HighSecurityNetwork => {
                        KeyDescriptor::Network { seq, dest, src }
                    }
                    KeyType::TrustCenterMaster | KeyType::TrustCenterLink => {
                        KeyDescriptor::TrustCenter { dest, src }
                    }
                    KeyType::ApplicationMaster | KeyType::ApplicationLink => {
                        KeyDescriptor::Application {
                            partner: dest,
                            initiator: seq,
                        }
                    }
                    KeyType::Unknown(_) => KeyDescriptor::Other(rest),
                };
                TransportKey {
                    key_type,
                    key,
                    descriptor,
                }
            })
    }

    fn arb_command() -> impl Strategy<Value = ApsCommand> {
        prop_oneof![
            (1u8..=4, arb_raw()).prop_map(|(id, payload)| ApsCommand::Skke { id, payload }),
            arb_transport_key().prop_map(ApsCommand::TransportKey),
            (arb_ext(), any::<u16>(), any::<u8>()).prop_map(|(device, short_addr, s)| {
                ApsCommand::UpdateDevice(UpdateDevice {
                    device,
                    short_addr,
                    status: UpdateDeviceStatus::from_value(s),
                })
            }),
            arb_ext().prop_map(|target| ApsCommand::RemoveDevice(RemoveDevice { target })),
            (arb_key_type(), arb_ext()).prop_map(|(key_type, p)| {
                ApsCommand::RequestKey(RequestKey {
                    key_type,
                    partner: (key_type == KeyType::ApplicationMaster).then_some(p),
                })
            }),
            any::<u8>().prop_map(|seq| ApsCommand::SwitchKey(SwitchKey { seq })),
            (0x0au8..=0x0d, arb_raw())
                .prop_map(|(id, payload)| ApsCommand::EntityAuth { id, payload }),
            (arb_ext(), arb_frame())
                .prop_map(|(dest, frame)| ApsCommand::Tunnel(Tunnel { dest, frame })),
            (arb_key_type(), arb_ext(), any::<[u8; 16]>()).prop_map(|(key_type, source, hash)| {
                ApsCommand::VerifyKey(VerifyKey {
                    key_type,
                    source,
                    hash,
                })
            }),
            (any::<u8>(), arb_key_type(), arb_ext()).prop_map(|(s, key_type, dest)| {
                ApsCommand::ConfirmKey(ConfirmKey {
                    status: ApsStatus::from_value(s),
                    key_type,
                    dest,
                })
            }),
            arb_raw().prop_map(ApsCommand::RelayDownstream),
            arb_raw().prop_map(ApsCommand::RelayUpstream),
            (0x13u8.., arb_raw()).prop_map(|(id, payload)| ApsCommand::Unknown { id, payload }),
        ]
    }

    #[test]
    fn transport_network_key_from_psila() {
        // psila_aps_transport_key_1 plaintext: standard network key 00 2c 6c ... 08, seq 0.
        let bytes = hex("0501002c6c08d0f4f42cd840d848004064080085ae21feff6f0d00382e03ffff2e2100");
        let cmd = ApsCommand::from_bytes(&bytes).unwrap();
        assert_eq!(cmd.name(), "Transport Key");
        let ApsCommand::TransportKey(tk) = &cmd else {
            panic!("{cmd:?}")
        };
        assert_eq!(tk.key_type, KeyType::StandardNetwork);
        assert_eq!(tk.key.to_vec(), hex("002c6c08d0f4f42cd840d84800406408"));
        assert_eq!(
            tk.descriptor,
            KeyDescriptor::Network {
                seq: 0,
                dest: ExtAddr(0x000d6ffffe21ae85),
                src: ExtAddr(0x00212effff032e38),
            }
        );
        assert_eq!(cmd.to_bytes(), bytes);
    }

    #[test]
    fn transport_tc_link_key_from_zoh() {
        // zoh_testdata_frames.pcap frame 20 (decrypted): TC link key "ZigBeeAlliance09".
        let bytes = hex("05045a6967426565416c6c69616e63653039df0f289b6d38c1a4f99905feff504b80");
        let cmd = ApsCommand::from_bytes(&bytes).unwrap();
        let ApsCommand::TransportKey(tk) = &cmd else {
            panic!("{cmd:?}")
        };
        assert_eq!(tk.key_type.name(), "Trust Center Link Key");
        assert_eq!(&tk.key, b"ZigBeeAlliance09");
        assert_eq!(
            tk.descriptor,
            KeyDescriptor::TrustCenter {
                dest: ExtAddr(0xa4c1386d9b280fdf),
                src: ExtAddr(0x804b50fffe0599f9),
            }
        );
        assert_eq!(cmd.to_bytes(), bytes);
    }

    #[test]
    fn update_request_verify_confirm_from_captures() {
        // zigator_04-aps-testing.pcap frame 3: Update Device, unsecured join.
        let b = hex("060400000000777777012201");
        let c = ApsCommand::from_bytes(&b).unwrap();
        assert_eq!(
            c,
            ApsCommand::UpdateDevice(UpdateDevice {
                device: ExtAddr(0x7777770000000004),
                short_addr: 0x2201,
                status: UpdateDeviceStatus::StandardUnsecuredJoin,
            })
        );
        assert_eq!(c.to_bytes(), b);

        // zoh_testdata_frames.pcap frames 19, 21, 22 (decrypted).
        let b = hex("0804");
        let c = ApsCommand::from_bytes(&b).unwrap();
        assert_eq!(c.name(), "Request Key");
        assert_eq!(
            c,
            ApsCommand::RequestKey(RequestKey {
                key_type: KeyType::TrustCenterLink,
                partner: None
            })
        );

        let b = hex("0f04df0f289b6d38c1a41ab128df1639a1246aaba72a6a559124");
        let c = ApsCommand::from_bytes(&b).unwrap();
        let ApsCommand::VerifyKey(v) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(v.source, ExtAddr(0xa4c1386d9b280fdf));
        assert_eq!(c.to_bytes(), b);

        let b = hex("100004df0f289b6d38c1a4");
        let c = ApsCommand::from_bytes(&b).unwrap();
        assert_eq!(c.name(), "Confirm Key");
        let ApsCommand::ConfirmKey(k) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(k.status.name(), "SUCCESS");
        assert_eq!(c.to_bytes(), b);
    }

    #[test]
    fn tunnel_from_zigator() {
        // zigator_04-aps-testing.pcap frame 5: a Tunnel command carrying a secured Transport Key.
        let frame = hex(
            "01670e0500000000777777216830052800000100000000777777cc649d4d224f4ca1ecaf93b54bac7b35059ac2fc2499c197e2e819f64e356bc3818e1712b544e3",
        );
        let f = ApsFrame::from_bytes(&frame).unwrap();
        assert_eq!(f.header.frame_type, FrameType::Command);
        let cmd = ApsCommand::from_bytes(&f.payload).unwrap();
        assert_eq!(cmd.name(), "Tunnel");
        let ApsCommand::Tunnel(t) = &cmd else {
            panic!("{cmd:?}")
        };
        assert_eq!(t.dest, ExtAddr(0x7777770000000005));
        assert_eq!(t.frame.header.counter, 0x68);
        let aux = t.frame.aux.as_ref().unwrap();
        assert_eq!(aux.control.key_id(), KeyId::KeyTransport);
        assert_eq!(aux.source, Some(ExtAddr(0x7777770000000001)));
        assert_eq!(cmd.to_bytes(), f.payload);
    }

    #[test]
    fn names_match_tshark() {
        assert_eq!(ApsCommand::name_of(0x01), "SKKE-1");
        assert_eq!(ApsCommand::name_of(0x0c), "EA Initiator MAC");
        assert_eq!(
            ApsCommand::RelayUpstream(vec![]).name(),
            "Relay Message Upstream"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(c in arb_command()) {
            prop_assert_eq!(ApsCommand::from_bytes(&c.to_bytes()).unwrap(), c);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(c) = ApsCommand::from_bytes(&bytes) {
                prop_assert_eq!(c.to_bytes(), bytes);
            }
        }
    }
}
