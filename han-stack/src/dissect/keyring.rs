//! Keys a dissector tries, and the knowledge it gathers while reading a capture.

use std::collections::BTreeMap;

use crate::aps::ApsCommand;
use crate::aps::command::{KeyType, TransportKey};
use crate::wire::ExtAddr;
use crate::zdo::{ZdpBody, ZdpFrame};

/// Network and link keys, plus short→extended address bindings seen so far.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    network: Vec<[u8; 16]>,
    link: Vec<[u8; 16]>,
    addresses: BTreeMap<u16, ExtAddr>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a network key (tried for NWK security), ignoring duplicates.
    pub fn add_network_key(&mut self, key: [u8; 16]) {
        if !self.network.contains(&key) {
            self.network.push(key);
        }
    }

    /// Add a link key (tried for APS security), ignoring duplicates.
    pub fn add_link_key(&mut self, key: [u8; 16]) {
        if !self.link.contains(&key) {
            self.link.push(key);
        }
    }

    /// Network keys in the order they were added.
    pub fn network_keys(&self) -> impl Iterator<Item = [u8; 16]> + '_ {
        self.network.iter().copied()
    }

    /// Keys to try for APS security: link keys first, then network keys
    /// (a sniffer's key table does not say which is which).
    pub fn link_keys(&self) -> impl Iterator<Item = [u8; 16]> + '_ {
        self.link.iter().chain(self.network.iter()).copied()
    }

    /// Record that `short` belongs to `ext`.
    pub fn learn_address(&mut self, short: u16, ext: ExtAddr) {
        self.addresses.insert(short, ext);
    }

    /// The extended address last seen for a short address.
    pub fn address_of(&self, short: u16) -> Option<ExtAddr> {
        self.addresses.get(&short).copied()
    }

    /// Learn a network key carried by an APS Transport Key command.
    pub fn learn_from_command(&mut self, cmd: &ApsCommand) {
        if let ApsCommand::TransportKey(TransportKey {
            key_type: KeyType::StandardNetwork | KeyType::HighSecurityNetwork,
            key,
            ..
        }) = cmd
        {
            self.add_network_key(*key);
        }
    }

    /// Learn the address binding a Device Announce or address response states.
    pub fn learn_from_zdp(&mut self, zdp: &ZdpFrame) {
        if let ZdpBody::DeviceAnnce(a) = &zdp.body {
            self.learn_address(a.nwk, a.ieee);
        }
    }
}
