//! Cluster-specific commands: one module per cluster holding its registry data and payloads.

pub mod alarms;
pub mod basic;
pub mod calendar;
pub mod device_management;
pub mod drlc;
pub mod energy_management;
pub mod events;
pub mod identify;
pub mod key_establishment;
pub mod mdu_pairing;
pub mod messaging;
pub mod metering;
pub mod ota;
pub mod power_configuration;
pub mod prepayment;
pub mod price;
pub mod time;
pub mod tunneling;

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::frame::Direction;

macro_rules! cluster_commands {
    ($($cluster:literal $dir:ident $id:literal => $variant:ident($t:ty),)*) => {
        /// A cluster-specific command with a typed payload.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(untagged)]
        pub enum ClusterCommand {
            $(
                #[doc = concat!("Cluster ", stringify!($cluster), " ", stringify!($dir), " command ", stringify!($id), ".")]
                $variant($t),
            )*
        }

        /// Every (cluster, direction, command) that has a typed payload.
        pub const TYPED_COMMANDS: &[(u16, Direction, u8)] = &[$(($cluster, Direction::$dir, $id)),*];

        impl ClusterCommand {
            /// Decode the payload if the command has a typed form (None: keep it raw).
            pub fn parse(cluster: u16, direction: Direction, command: u8, r: &mut Reader<'_>) -> Result<Option<Self>> {
                Ok(Some(match (cluster, direction, command) {
                    $(($cluster, Direction::$dir, $id) => ClusterCommand::$variant(<$t>::parse(r)?),)*
                    _ => return Ok(None),
                }))
            }

            /// Append the payload.
            pub fn emit(&self, w: &mut Writer) {
                match self {
                    $(ClusterCommand::$variant(p) => p.emit(w),)*
                }
            }

            /// Which cluster, direction and command id this is.
            pub fn key(&self) -> (u16, Direction, u8) {
                match self {
                    $(ClusterCommand::$variant(_) => ($cluster, Direction::$dir, $id),)*
                }
            }
        }
    };
}

cluster_commands! {
    0x0003 ClientToServer 0x00 => Identify(identify::Identify),
    0x0003 ClientToServer 0x01 => IdentifyQuery(identify::IdentifyQuery),
    0x0003 ServerToClient 0x00 => IdentifyQueryResponse(identify::IdentifyQueryResponse),
    0x0009 ClientToServer 0x00 => ResetAlarm(alarms::ResetAlarm),
    0x0009 ServerToClient 0x00 => Alarm(alarms::Alarm),
    0x0019 ClientToServer 0x01 => QueryNextImageRequest(ota::QueryNextImageRequest),
    0x0019 ServerToClient 0x02 => QueryNextImageResponse(ota::QueryNextImageResponse),
    0x0019 ClientToServer 0x03 => ImageBlockRequest(ota::ImageBlockRequest),
    0x0019 ServerToClient 0x05 => ImageBlockResponse(ota::ImageBlockResponse),
    0x0700 ClientToServer 0x00 => GetCurrentPrice(price::GetCurrentPrice),
    0x0700 ClientToServer 0x02 => PriceAcknowledgement(price::PriceAcknowledgement),
    0x0700 ServerToClient 0x00 => PublishPrice(price::PublishPrice),
    0x0700 ServerToClient 0x01 => PublishBlockPeriod(price::PublishBlockPeriod),
    0x0701 ServerToClient 0x00 => LoadControlEvent(drlc::LoadControlEvent),
    0x0701 ServerToClient 0x01 => CancelLoadControlEvent(drlc::CancelLoadControlEvent),
    0x0701 ClientToServer 0x00 => ReportEventStatus(drlc::ReportEventStatus),
    0x0702 ClientToServer 0x00 => GetProfile(metering::GetProfile),
    0x0702 ServerToClient 0x00 => GetProfileResponse(metering::GetProfileResponse),
    0x0702 ServerToClient 0x01 => RequestMirror(metering::RequestMirror),
    0x0702 ClientToServer 0x01 => RequestMirrorResponse(metering::RequestMirrorResponse),
    0x0702 ServerToClient 0x02 => RemoveMirror(metering::RemoveMirror),
    0x0702 ClientToServer 0x02 => MirrorRemoved(metering::MirrorRemoved),
    0x0702 ClientToServer 0x03 => RequestFastPollMode(metering::RequestFastPollMode),
    0x0702 ServerToClient 0x03 => RequestFastPollModeResponse(metering::RequestFastPollModeResponse),
    0x0702 ClientToServer 0x06 => GetSnapshot(metering::GetSnapshot),
    0x0702 ServerToClient 0x06 => PublishSnapshot(metering::PublishSnapshot),
    0x0703 ServerToClient 0x00 => DisplayMessage(messaging::DisplayMessage),
    0x0703 ServerToClient 0x01 => CancelMessage(messaging::CancelMessage),
    0x0703 ClientToServer 0x00 => GetLastMessage(messaging::GetLastMessage),
    0x0703 ClientToServer 0x01 => MessageConfirmation(messaging::MessageConfirmation),
    0x0704 ClientToServer 0x00 => RequestTunnel(tunneling::RequestTunnel),
    0x0704 ServerToClient 0x00 => RequestTunnelResponse(tunneling::RequestTunnelResponse),
    0x0704 ClientToServer 0x01 => CloseTunnel(tunneling::TunnelId),
    0x0704 ClientToServer 0x02 => TransferDataToServer(tunneling::TransferData),
    0x0704 ServerToClient 0x01 => TransferDataToClient(tunneling::TransferData),
    0x0704 ClientToServer 0x03 => TransferDataErrorToServer(tunneling::TransferDataError),
    0x0704 ServerToClient 0x02 => TransferDataErrorToClient(tunneling::TransferDataError),
    0x0704 ClientToServer 0x04 => AckTransferDataToServer(tunneling::TransferWindow),
    0x0704 ServerToClient 0x03 => AckTransferDataToClient(tunneling::TransferWindow),
    0x0704 ClientToServer 0x05 => ReadyDataToServer(tunneling::TransferWindow),
    0x0704 ServerToClient 0x04 => ReadyDataToClient(tunneling::TransferWindow),
    0x0704 ServerToClient 0x06 => TunnelClosureNotification(tunneling::TunnelId),
    0x0705 ClientToServer 0x00 => SelectAvailableEmergencyCredit(prepayment::SelectAvailableEmergencyCredit),
    0x0705 ClientToServer 0x01 => ChangeSupply(prepayment::ChangeSupply),
    0x0705 ClientToServer 0x03 => EmergencyCreditSetup(prepayment::EmergencyCreditSetup),
    0x0705 ClientToServer 0x04 => ConsumerTopUp(prepayment::ConsumerTopUp),
    0x0705 ServerToClient 0x03 => ConsumerTopUpResponse(prepayment::ConsumerTopUpResponse),
    0x0800 ClientToServer 0x00 => InitiateKeyEstablishmentRequest(key_establishment::InitiateKeyEstablishment),
    0x0800 ServerToClient 0x00 => InitiateKeyEstablishmentResponse(key_establishment::InitiateKeyEstablishment),
    0x0800 ClientToServer 0x01 => EphemeralDataRequest(key_establishment::EphemeralData),
    0x0800 ServerToClient 0x01 => EphemeralDataResponse(key_establishment::EphemeralData),
    0x0800 ClientToServer 0x02 => ConfirmKeyDataRequest(key_establishment::ConfirmKeyData),
    0x0800 ServerToClient 0x02 => ConfirmKeyDataResponse(key_establishment::ConfirmKeyData),
    0x0800 ClientToServer 0x03 => TerminateKeyEstablishmentRequest(key_establishment::TerminateKeyEstablishment),
    0x0800 ServerToClient 0x03 => TerminateKeyEstablishmentResponse(key_establishment::TerminateKeyEstablishment),
}

impl ClusterCommand {
    /// Decode a whole payload starting at absolute offset `base`; trailing bytes are an error.
    pub fn from_payload(
        cluster: u16,
        direction: Direction,
        command: u8,
        payload: &[u8],
        base: usize,
    ) -> Result<Option<Self>> {
        let mut r = Reader::with_base(payload, base);
        let c = Self::parse(cluster, direction, command, &mut r)?;
        if c.is_some() {
            r.finish("ZCL cluster command")?;
        }
        Ok(c)
    }

    /// The payload bytes.
    pub fn to_payload(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.emit(&mut w);
        w.into_vec()
    }

    /// The command name from the registry.
    pub fn name(&self) -> &'static str {
        let (c, d, id) = self.key();
        crate::zcl::registry::cluster(c)
            .and_then(|cl| cl.command_name(id, d))
            .unwrap_or("Unknown Command")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_typed() -> impl Strategy<Value = ((u16, Direction, u8), Vec<u8>)> {
        (
            proptest::sample::select(TYPED_COMMANDS.to_vec()),
            proptest::collection::vec(any::<u8>(), 0..128),
        )
    }

    #[test]
    fn every_typed_command_has_a_name() {
        for &(c, d, id) in TYPED_COMMANDS {
            let name = crate::zcl::registry::cluster(c).and_then(|cl| cl.command_name(id, d));
            assert!(name.is_some(), "{c:04x} {d:?} {id:02x}");
        }
    }

    #[test]
    fn known_payloads() {
        // Get Profile: channel 0, end time 0x2a3b4c5d, 24 periods.
        let p = [0x00, 0x5d, 0x4c, 0x3b, 0x2a, 0x18];
        let c = ClusterCommand::from_payload(0x0702, Direction::ClientToServer, 0, &p, 0)
            .unwrap()
            .unwrap();
        assert_eq!(
            c,
            ClusterCommand::GetProfile(metering::GetProfile {
                interval_channel: 0,
                end_time: 0x2a3b4c5d,
                number_of_periods: 24
            })
        );
        assert_eq!(c.name(), "Get Profile");
        // Display Message "Hi", too short for its string: error at the string.
        let short = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, b'H', b'i'];
        let e = ClusterCommand::from_payload(0x0703, Direction::ServerToClient, 0, &short, 10)
            .unwrap_err();
        assert_eq!(e.offset(), Some(22));
        assert!(
            ClusterCommand::from_payload(0x0703, Direction::ServerToClient, 0x03, &[1], 0)
                .unwrap()
                .is_none()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(((c, d, id), bytes) in any_typed()) {
            let mut r = Reader::new(&bytes);
            if let Ok(Some(cmd)) = ClusterCommand::parse(c, d, id, &mut r) {
                let out = cmd.to_payload();
                prop_assert_eq!(&out[..], &bytes[..r.position()]);
                prop_assert_eq!(cmd.key(), (c, d, id));
                let back = ClusterCommand::from_payload(c, d, id, &out, 0).unwrap().unwrap();
                prop_assert_eq!(back, cmd);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(((c, d, id), bytes) in any_typed()) {
            let _ = ClusterCommand::from_payload(c, d, id, &bytes, 0);
        }
    }
}
