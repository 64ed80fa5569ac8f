//! APS security of Smart Energy data (Smart Energy 1.4 5.4.6, Zigbee PRO R22 4.4.1): the
//! clusters that carry metering, pricing, messaging and payment data are secured with the
//! link key of the pair on top of NWK security. Towards the comms hub that is the
//! trust-centre link key each device shares with it (derived from the device's install
//! code, held in the CHF's device log); between two devices the application link key the
//! trust centre hands both after a Request Key. Received SE data without APS security is
//! still taken (a device of an older stack, a capture played in: `han replay --inject`).

use super::{DeviceHost, Role};
use crate::behaviour::Peer;
use han_mesh::radio::NodeCtx;
use han_stack::wire::ExtAddr;
use han_stack::zcl::key_usage::{ClusterKey, cluster_key};

impl DeviceHost {
    /// The link key this device shares with `partner`, if it holds one.
    pub(super) fn link_key_with(&self, partner: ExtAddr) -> Option<[u8; 16]> {
        if let Some(k) = self.app_keys.get(&partner) {
            return Some(*k);
        }
        match &self.role {
            Role::Coordinator { tc } => tc.link_key(partner),
            Role::Joiner {
                link_key,
                extended_pan_id,
                ..
            } => (partner == *extended_pan_id).then_some(*link_key),
        }
    }

    /// The EUI-64 of the device at NWK address `short`, if known.
    pub(super) fn peer_ext(&self, short: u16) -> Option<ExtAddr> {
        self.peers
            .iter()
            .find(|(_, s)| **s == short)
            .map(|(e, _)| *e)
    }

    /// The pair this device and `dst` make is the trust centre and a device.
    fn with_trust_centre(&self, dst: u16) -> bool {
        dst == 0x0000 || matches!(self.role, Role::Coordinator { .. })
    }

    /// The link key to APS-secure SE data on `cluster` to `dst` (`peer` as the behaviour
    /// named it) with, or None for NWK security alone. Between devices the key is asked
    /// of the trust centre (Request Key) the first time; the frame goes unsecured at APS
    /// level until it comes.
    pub(super) fn aps_data_key(
        &mut self,
        peer: Peer,
        dst: u16,
        cluster: u16,
        ctx: &mut NodeCtx<'_>,
    ) -> Option<[u8; 16]> {
        if self.with_trust_centre(dst) {
            if cluster_key(cluster) != ClusterKey::Link {
                return None;
            }
            let partner = match peer {
                Peer::Ext(e) => Some(e),
                Peer::Short(s) => self.peer_ext(s),
            };
            return partner.and_then(|e| self.link_key_with(e));
        }
        // To a device named by EUI-64: its application link key (Zigbee PRO R22 4.4.1).
        let Peer::Ext(e) = peer else {
            return None;
        };
        if let Some(k) = self.app_keys.get(&e) {
            return Some(*k);
        }
        self.ask_app_key(e, ctx);
        None
    }
}
