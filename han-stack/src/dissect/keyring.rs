//! Keys a dissector tries, and the knowledge it gathers while reading a capture.

use std::collections::BTreeMap;

use crate::aps::ApsCommand;
use crate::aps::command::{KeyType, TransportKey};
use crate::security::PreparedKey;
use crate::wire::ExtAddr;
use crate::zdo::{ZdpBody, ZdpFrame};

/// Network and link keys, plus short→extended address bindings seen so far.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    network: Vec<PreparedKey>,
    link: Vec<PreparedKey>,
    addresses: BTreeMap<u16, ExtAddr>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a network key (tried for NWK security), ignoring duplicates.
    pub fn add_network_key(&mut self, key: [u8; 16]) {
        if !self.network.iter().any(|k| *k.raw() == key) {
            self.network.push(PreparedKey::new(key));
        }
    }

    /// Add a link key (tried for APS security), ignoring duplicates.
    pub fn add_link_key(&mut self, key: [u8; 16]) {
        if !self.link.iter().any(|k| *k.raw() == key) {
            self.link.push(PreparedKey::new(key));
        }
    }

    /// Network keys in the order they were added.
    pub fn network_keys(&self) -> impl Iterator<Item = &PreparedKey> + '_ {
        self.network.iter()
    }

    /// Keys to try for APS security: link keys first, then network keys
    /// (a sniffer's key table does not say which is which).
    pub fn link_keys(&self) -> impl Iterator<Item = &PreparedKey> + '_ {
        self.link.iter().chain(self.network.iter())
    }

    /// Record that `short` belongs to `ext`.
    pub fn learn_address(&mut self, short: u16, ext: ExtAddr) {
        self.addresses.insert(short, ext);
    }

    /// The extended address last seen for a short address.
    pub fn address_of(&self, short: u16) -> Option<ExtAddr> {
        self.addresses.get(&short).copied()
    }

    /// Take in something a frame taught.
    pub fn apply(&mut self, learned: &Learned) {
        match *learned {
            Learned::Address { short, ext } => self.learn_address(short, ext),
            Learned::NetworkKey(key) => self.add_network_key(key),
        }
    }
}

/// Something a frame teaches a sniffer, applied to later frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    /// A short address belongs to an EUI-64 (NWK header with source IEEE, Device Announce).
    Address {
        /// The NWK address.
        short: u16,
        /// The EUI-64.
        ext: ExtAddr,
    },
    /// A network key carried by an APS Transport Key.
    NetworkKey([u8; 16]),
}

impl Learned {
    /// The network key an APS Transport Key command carries.
    pub fn from_command(cmd: &ApsCommand) -> Option<Learned> {
        match cmd {
            ApsCommand::TransportKey(TransportKey {
                key_type: KeyType::StandardNetwork | KeyType::HighSecurityNetwork,
                key,
                ..
            }) => Some(Learned::NetworkKey(*key)),
            _ => None,
        }
    }

    /// The address binding a Device Announce states.
    pub fn from_zdp(zdp: &ZdpFrame) -> Option<Learned> {
        match &zdp.body {
            ZdpBody::DeviceAnnce(a) => Some(Learned::Address {
                short: a.nwk,
                ext: a.ieee,
            }),
            _ => None,
        }
    }
}
