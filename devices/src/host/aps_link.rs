//! APS security of Smart Energy data (Smart Energy 1.4 5.4.6, Zigbee PRO R22 4.4.1): the
//! clusters that carry metering, pricing, messaging and payment data are secured with the
//! link key of the pair on top of NWK security. Towards the comms hub that is the
//! trust-centre link key each device shares with it (derived from the device's install
//! code, held in the CHF's device log); between two devices the application link key the
//! trust centre hands both after a Request Key. Received SE data without APS security is
//! still taken (a device of an older stack, a capture played in: `han replay --inject`).
//! The APS ack of an APS-secured frame goes under the same link key (Zigbee PRO R22
//! 2.2.8.4.2, 4.4.1.2), with the extended nonce naming this device as its sender.

use super::backoff::Backoff;
use super::{DeviceHost, Role, Seal};
use crate::behaviour::Peer;
use han_mesh::radio::NodeCtx;
use han_stack::aps::ack::{ACK_WAIT_NS, ack_of};
use han_stack::aps::command::{ApsCommand, KeyType, RequestKey};
use han_stack::aps::security as aps_security;
use han_stack::aps::{ApsFrame, ApsHeader};
use han_stack::security::KeyId;
use han_stack::wire::{ExtAddr, Wire};
use han_stack::zcl::key_usage::{ClusterKey, cluster_key};

/// A Request Key for an application link key still missing is sent again by the next frame
/// that needs the key one APS ack wait (apscAckWaitDuration, Zigbee PRO R22 2.2.7.1) after
/// it, each further one waiting twice as long, up to [`APP_KEY_RETRY_MAX_NS`], ns.
///
/// Neither the APSME-REQUEST-KEY service (Zigbee PRO R22 4.4, the command 4.4.10.4) nor SE 1.4
/// 5.4 (the partner link keys devices ask the trust centre for) says when a device asks again:
/// the trust centre answers at once with a Transport Key to each partner, which has no APS
/// ack, so a device learns of its loss only by the key not coming; how long to wait is left
/// to the stack. han's choice: one APS ack wait, the time any answer takes, then backing off,
/// and only while frames still need the key (its partner's secured frames that cannot be
/// read, which the partner sends again an ack wait apart, or its own frames to the partner).
/// Waiting 30 s instead left an IHD that lost two Transport Keys in a row (on an Alt HAN
/// unit, on a busy channel, behind a later frame of the hub as a NWK replay) up to a minute
/// without its first electricity update.
pub const APP_KEY_RETRY_NS: u64 = ACK_WAIT_NS;

/// The longest wait between Request Keys for one partner, ns: a trust centre that never
/// answers is asked six times in the first minute, then twice a minute (an assumption: the
/// 30 s han waited before every retry earlier).
pub const APP_KEY_RETRY_MAX_NS: u64 = 30_000_000_000;

impl DeviceHost {
    /// A frame needs the application link key with `partner`, which this device does not
    /// hold: ask the trust centre for it (Request Key, Zigbee PRO R22 4.4.10.4) unless the
    /// last request is still within its wait ([`APP_KEY_RETRY_NS`]).
    pub(super) fn ask_app_key(&mut self, partner: ExtAddr, ctx: &mut NodeCtx<'_>) {
        let last = self.app_keys_requested.get(&partner);
        let Some(asked) = Backoff::next(last, ctx.now.0, APP_KEY_RETRY_NS, APP_KEY_RETRY_MAX_NS)
        else {
            return;
        };
        self.app_keys_requested.insert(partner, asked);
        self.stats.app_key_requests += 1;
        let cmd = ApsCommand::RequestKey(RequestKey {
            key_type: KeyType::ApplicationMaster,
            partner: Some(partner),
        });
        self.aps_command_send(0x0000, cmd, Seal::Active, ctx);
    }

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

    /// The bytes of an APS frame of `header` and `payload`, APS-secured with `key` when
    /// there is one (the next APS frame counter of this device), else as they are.
    pub(super) fn aps_bytes(
        &mut self,
        header: ApsHeader,
        payload: Vec<u8>,
        key: Option<&[u8; 16]>,
    ) -> Vec<u8> {
        match key {
            Some(key) => {
                let c = self.aps_security_counter;
                self.aps_security_counter = c.wrapping_add(1);
                aps_security::seal(header, KeyId::Link, c, self.ext, key, &payload).to_bytes()
            }
            None => ApsFrame {
                header,
                aux: None,
                payload,
            }
            .to_bytes(),
        }
    }

    /// The APS ack of the received data frame of header `data`, secured with `key`, the
    /// link key that frame was APS-secured with (None: it was not).
    pub(super) fn aps_ack(&mut self, data: &ApsHeader, key: Option<&[u8; 16]>) -> Vec<u8> {
        self.aps_bytes(ack_of(data), Vec::new(), key)
    }

    /// A received APS ack may confirm a delivery: NWK security alone (an older stack), or
    /// APS-secured by a sender whose link key this device holds and with a MIC that
    /// verifies. Its frame counter is not checked against the sender's data frames': they
    /// share the counter, and an ack only confirms the frame whose APS counter it names.
    pub(super) fn aps_ack_verifies(&self, ack: &ApsFrame) -> bool {
        if !ack.header.is_secured() {
            return true;
        }
        let sender = ack.aux.as_ref().and_then(|a| a.source);
        sender
            .and_then(|e| self.link_key_with(e))
            .is_some_and(|key| aps_security::open(ack, &key, ExtAddr(0)).is_some())
    }
}
