//! APS Transport Key (Zigbee PRO R22 4.4.10.1): key type, 16-byte key, then a
//! descriptor whose layout depends on the key type.

use super::KeyType;
use crate::error::Result;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// The fields after the key, by key type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyDescriptor {
    /// Network keys (standard and high-security): key sequence number, destination, source.
    Network {
        /// Key sequence number.
        seq: u8,
        /// Destination EUI-64.
        dest: ExtAddr,
        /// Source EUI-64 (the trust centre).
        src: ExtAddr,
    },
    /// Trust Center master and link keys: destination, source.
    TrustCenter {
        /// Destination EUI-64.
        dest: ExtAddr,
        /// Source EUI-64 (the trust centre).
        src: ExtAddr,
    },
    /// Application master and link keys: partner and initiator flag.
    Application {
        /// The partner device the key is shared with.
        partner: ExtAddr,
        /// Initiator flag (1 when the receiver initiated the request).
        initiator: u8,
    },
    /// Unknown key type: whatever follows the key.
    Other(Vec<u8>),
}

/// The Transport Key command payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransportKey {
    /// Which key is carried.
    pub key_type: KeyType,
    /// The key itself.
    pub key: [u8; 16],
    /// The rest of the key descriptor; its variant follows `key_type`.
    pub descriptor: KeyDescriptor,
}

impl Wire for TransportKey {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let key_type = KeyType::from_value(r.u8("key type")?);
        let key = r.array("key")?;
        let descriptor = match key_type {
            KeyType::StandardNetwork | KeyType::HighSecurityNetwork => KeyDescriptor::Network {
                seq: r.u8("key sequence number")?,
                dest: ExtAddr::parse(r)?,
                src: ExtAddr::parse(r)?,
            },
            KeyType::TrustCenterMaster | KeyType::TrustCenterLink => KeyDescriptor::TrustCenter {
                dest: ExtAddr::parse(r)?,
                src: ExtAddr::parse(r)?,
            },
            KeyType::ApplicationMaster | KeyType::ApplicationLink => KeyDescriptor::Application {
                partner: ExtAddr::parse(r)?,
                initiator: r.u8("initiator flag")?,
            },
            KeyType::Unknown(_) => KeyDescriptor::Other(r.rest().to_vec()),
        };
        Ok(TransportKey {
            key_type,
            key,
            descriptor,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.key_type.value());
        w.bytes(&self.key);
        match &self.descriptor {
            KeyDescriptor::Network { seq, dest, src } => {
                w.u8(*seq);
                dest.emit(w);
                src.emit(w);
            }
            KeyDescriptor::TrustCenter { dest, src } => {
                dest.emit(w);
                src.emit(w);
            }
            KeyDescriptor::Application { partner, initiator } => {
                partner.emit(w);
                w.u8(*initiator);
            }
            KeyDescriptor::Other(rest) => w.bytes(rest),
        }
    }
}
