//! The trust centre (Zigbee PRO R22 4.6.3) as a Smart Energy / GB comms hub runs it: a
//! device log (allow list) of EUI-64 and install code, the network key, and the APS
//! Transport Key of that key to an admitted joiner, secured with the key-transport key of
//! the link key derived from the joiner's install code. Unknown devices are refused and get
//! nothing; the well-known default TC link key "ZigBeeAlliance09" is never accepted
//! (domain.md 1.5, 4.3). Operational link keys by CBKE plug in behind [`KeyEstablishment`].

use super::command::{ApsCommand, KeyDescriptor, KeyType, TransportKey};
use super::security;
use super::{ApsFlags, ApsFrame, ApsHeader, DeliveryMode, FrameType};
use crate::security::{InstallCode, KeyId, hmac_mmo};
use crate::wire::{ExtAddr, Wire};
use std::collections::BTreeMap;

/// The well-known default TC link key, ASCII "ZigBeeAlliance09".
pub const ZIGBEE_ALLIANCE_09: [u8; 16] = *b"ZigBeeAlliance09";

/// Why a device log entry or a joiner was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The device is not in the device log.
    #[error("{0} is not in the device log")]
    NotInDeviceLog(ExtAddr),
    /// The key is the well-known default TC link key, which Smart Energy forbids.
    #[error("the well-known default TC link key (ZigBeeAlliance09) is refused")]
    WellKnownKey,
}

/// The CHF device log: EUI-64 → preconfigured link key (from the install code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceLog {
    entries: BTreeMap<ExtAddr, [u8; 16]>,
}

impl DeviceLog {
    /// Add a device by its install code.
    pub fn add(&mut self, device: ExtAddr, code: &InstallCode) -> Result<(), Refusal> {
        self.add_link_key(device, code.link_key())
    }

    /// Add a device with its preconfigured link key; the well-known key is refused.
    pub fn add_link_key(&mut self, device: ExtAddr, key: [u8; 16]) -> Result<(), Refusal> {
        if key == ZIGBEE_ALLIANCE_09 {
            return Err(Refusal::WellKnownKey);
        }
        self.entries.insert(device, key);
        Ok(())
    }

    /// The preconfigured link key of a logged device.
    pub fn link_key(&self, device: ExtAddr) -> Option<[u8; 16]> {
        self.entries.get(&device).copied()
    }

    /// The device is in the log.
    pub fn contains(&self, device: ExtAddr) -> bool {
        self.entries.contains_key(&device)
    }

    /// Every (device, link key), in EUI-64 order.
    pub fn entries(&self) -> impl Iterator<Item = (ExtAddr, [u8; 16])> + '_ {
        self.entries.iter().map(|(a, k)| (*a, *k))
    }
}

/// How the trust centre comes by the TC link key it uses with a device after joining.
/// Smart Energy replaces the install-code key by one from CBKE (Key Establishment
/// cluster 0x0800, domain.md 4.4); until that exists the install-code key stays in use.
pub trait KeyEstablishment {
    /// The scheme's name.
    fn name(&self) -> &'static str;
    /// The TC link key for `device` now, given its preconfigured key.
    fn link_key(&self, device: ExtAddr, preconfigured: [u8; 16]) -> [u8; 16];
}

/// No key establishment: the install-code-derived key is the TC link key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstallCodeKeys;

impl KeyEstablishment for InstallCodeKeys {
    fn name(&self) -> &'static str {
        "install code"
    }
    fn link_key(&self, _device: ExtAddr, preconfigured: [u8; 16]) -> [u8; 16] {
        preconfigured
    }
}

/// The trust centre's state.
#[derive(Debug, Clone)]
pub struct TrustCentre<E: KeyEstablishment = InstallCodeKeys> {
    /// Its EUI-64 (source of its Transport Keys).
    pub address: ExtAddr,
    /// The device log.
    pub log: DeviceLog,
    network_key: [u8; 16],
    key_seq: u8,
    aps_counter: u32,
    app_secret: [u8; 16],
    establishment: E,
}

/// The application link key a trust centre with secret `secret` gives devices `a` and `b`
/// (the same whichever asks): HMAC-MMO of both EUI-64s in order (an assumption; the
/// specification leaves generation to the trust centre).
pub fn application_link_key(secret: &[u8; 16], a: ExtAddr, b: ExtAddr) -> [u8; 16] {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    hmac_mmo(secret, &[x.to_le_bytes(), y.to_le_bytes()].concat())
}

impl<E: KeyEstablishment> TrustCentre<E> {
    /// A trust centre at `address` holding `network_key` (sequence 0).
    pub fn new(address: ExtAddr, network_key: [u8; 16], log: DeviceLog, establishment: E) -> Self {
        TrustCentre {
            address,
            log,
            network_key,
            key_seq: 0,
            aps_counter: 0,
            app_secret: [0; 16],
            establishment,
        }
    }

    /// The secret application link keys are drawn from.
    pub fn with_app_secret(mut self, secret: [u8; 16]) -> Self {
        self.app_secret = secret;
        self
    }

    /// Answer a Request Key for an application link key between `to` and `partner`
    /// (4.4.10.4.2): the Transport Key for `to` (initiator flag as given), secured with
    /// `to`'s link key; None unless both are in the device log.
    pub fn transport_application_key(
        &mut self,
        to: ExtAddr,
        partner: ExtAddr,
        initiator: bool,
        aps_counter: u8,
    ) -> Option<ApsFrame> {
        if !self.log.contains(partner) {
            return None;
        }
        let link = self.link_key(to)?;
        let cmd = ApsCommand::TransportKey(TransportKey {
            key_type: KeyType::ApplicationLink,
            key: application_link_key(&self.app_secret, to, partner),
            descriptor: KeyDescriptor::Application {
                partner,
                initiator: u8::from(initiator),
            },
        });
        Some(self.seal_for(link, aps_counter, &cmd))
    }

    fn seal_for(&mut self, link: [u8; 16], aps_counter: u8, cmd: &ApsCommand) -> ApsFrame {
        let counter = self.aps_counter;
        self.aps_counter = self.aps_counter.wrapping_add(1);
        security::seal(
            command_header(aps_counter),
            KeyId::KeyTransport,
            counter,
            self.address,
            &link,
            &cmd.to_bytes(),
        )
    }

    /// The network key and its sequence number.
    pub fn network_key(&self) -> ([u8; 16], u8) {
        (self.network_key, self.key_seq)
    }

    /// A network key update (4.6.3.4): `key` becomes the key handed out, with the next
    /// sequence number, which it returns.
    pub fn next_network_key(&mut self, key: [u8; 16]) -> u8 {
        self.network_key = key;
        self.key_seq = self.key_seq.wrapping_add(1);
        self.key_seq
    }

    /// Whether `device` may join (it is in the device log).
    pub fn admit(&self, device: ExtAddr) -> Result<(), Refusal> {
        if self.log.contains(device) {
            Ok(())
        } else {
            Err(Refusal::NotInDeviceLog(device))
        }
    }

    /// The TC link key for a logged device.
    pub fn link_key(&self, device: ExtAddr) -> Option<[u8; 16]> {
        let k = self.log.link_key(device)?;
        Some(self.establishment.link_key(device, k))
    }

    /// The APS Transport Key command carrying the network key to an admitted `device`,
    /// secured with the key-transport key of its link key (4.4.10.1, 4.6.3.4); None for a
    /// device not in the log.
    pub fn transport_key(&mut self, device: ExtAddr, aps_counter: u8) -> Option<ApsFrame> {
        let link = self.link_key(device)?;
        let cmd = ApsCommand::TransportKey(TransportKey {
            key_type: KeyType::StandardNetwork,
            key: self.network_key,
            descriptor: KeyDescriptor::Network {
                seq: self.key_seq,
                dest: device,
                src: self.address,
            },
        });
        Some(self.seal_for(link, aps_counter, &cmd))
    }
}

/// The header of an APS command frame with counter `counter`.
pub fn command_header(counter: u8) -> ApsHeader {
    ApsHeader {
        frame_type: FrameType::Command,
        delivery_mode: DeliveryMode::Unicast,
        flags: ApsFlags::empty(),
        dst_endpoint: None,
        group: None,
        cluster: None,
        profile: None,
        src_endpoint: None,
        counter,
        extended: None,
    }
}

/// A device's side: the partner and the application link key from a Transport Key sent by
/// the trust centre `tc`, if it opens with `link_key`.
pub fn accept_application_key(
    frame: &ApsFrame,
    link_key: &[u8; 16],
    tc: ExtAddr,
) -> Option<(ExtAddr, [u8; 16])> {
    let plain = security::open(frame, link_key, tc)?;
    match ApsCommand::from_bytes(&plain).ok()? {
        ApsCommand::TransportKey(TransportKey {
            key_type: KeyType::ApplicationLink,
            key,
            descriptor: KeyDescriptor::Application { partner, .. },
        }) => Some((partner, key)),
        _ => None,
    }
}

/// The joiner's side: the network key and its sequence number from a Transport Key sent
/// by the trust centre `tc`, if it opens with `link_key` and is addressed to `own`.
pub fn accept_network_key(
    frame: &ApsFrame,
    link_key: &[u8; 16],
    tc: ExtAddr,
    own: ExtAddr,
) -> Option<([u8; 16], u8)> {
    if frame.header.frame_type != FrameType::Command {
        return None;
    }
    let plain = security::open(frame, link_key, tc)?;
    match ApsCommand::from_bytes(&plain).ok()? {
        ApsCommand::TransportKey(TransportKey {
            key_type: KeyType::StandardNetwork,
            key,
            descriptor: KeyDescriptor::Network { seq, dest, .. },
        }) if dest == own => Some((key, seq)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TC: ExtAddr = ExtAddr(0x0012_4b00_aaaa_0001);
    const DEV: ExtAddr = ExtAddr(0x0012_4b00_bbbb_0002);
    const STRANGER: ExtAddr = ExtAddr(0x0012_4b00_cccc_0003);
    const NWK_KEY: [u8; 16] = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32,
        0x10,
    ];

    fn code() -> InstallCode {
        // The worked example of domain.md 4.2.
        InstallCode::from_hex("83FED3407A939723A5C639B26916D505C3B5").unwrap()
    }

    #[test]
    fn transport_key_reaches_only_logged_devices() {
        let mut log = DeviceLog::default();
        log.add(DEV, &code()).unwrap();
        assert_eq!(
            log.add_link_key(STRANGER, ZIGBEE_ALLIANCE_09),
            Err(Refusal::WellKnownKey)
        );
        let mut tc = TrustCentre::new(TC, NWK_KEY, log, InstallCodeKeys);
        assert_eq!(tc.admit(DEV), Ok(()));
        assert_eq!(tc.admit(STRANGER), Err(Refusal::NotInDeviceLog(STRANGER)));
        assert!(tc.transport_key(STRANGER, 1).is_none());
        let f = tc.transport_key(DEV, 7).unwrap();
        let bytes = f.to_bytes();
        // FCF 0x21 (command, secured), counter 7, SCF 0x30 (key-transport key, ext nonce).
        assert_eq!(bytes[..3], [0x21, 0x07, 0x30]);
        // The network key never appears in the clear.
        assert!(!bytes.windows(16).any(|w| w == NWK_KEY));
        let back = ApsFrame::from_bytes(&bytes).unwrap();
        let link = code().link_key();
        assert_eq!(
            accept_network_key(&back, &link, TC, DEV),
            Some((NWK_KEY, 0))
        );
        assert_eq!(accept_network_key(&back, &link, TC, STRANGER), None);
        assert_eq!(
            accept_network_key(&back, &ZIGBEE_ALLIANCE_09, TC, DEV),
            None
        );
        assert_eq!(InstallCodeKeys.name(), "install code");
        // Application link keys: the same key to both partners, only between logged devices.
        let mut log2 = DeviceLog::default();
        log2.add(DEV, &code()).unwrap();
        log2.add_link_key(STRANGER, [5; 16]).unwrap();
        let mut tc2 = TrustCentre::new(TC, NWK_KEY, log2, InstallCodeKeys).with_app_secret([7; 16]);
        let a = tc2
            .transport_application_key(DEV, STRANGER, true, 1)
            .unwrap();
        let b = tc2
            .transport_application_key(STRANGER, DEV, false, 2)
            .unwrap();
        let (pa, ka) = accept_application_key(&a, &link, TC).unwrap();
        let (pb, kb) = accept_application_key(&b, &[5; 16], TC).unwrap();
        assert_eq!((pa, pb), (STRANGER, DEV));
        assert_eq!(ka, kb);
        assert_eq!(ka, application_link_key(&[7; 16], STRANGER, DEV));
        assert!(
            tc2.transport_application_key(DEV, ExtAddr(1), true, 3)
                .is_none()
        );
        assert_eq!(tc.next_network_key([9; 16]), 1);
        let f = tc.transport_key(DEV, 8).unwrap();
        assert_eq!(accept_network_key(&f, &link, TC, DEV), Some(([9; 16], 1)));
    }
}
