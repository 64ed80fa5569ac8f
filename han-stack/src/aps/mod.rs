//! Zigbee APS (application support sub-layer) frames: header, frame and commands
//! (Zigbee PRO R22 2.2.5 and 4.4.10).
//!
//! The header ends before the auxiliary security header; [`ApsFrame`] adds the
//! optional [`AuxHeader`] and the (possibly still encrypted) payload.

pub mod ack;
pub mod command;
pub mod header;
pub mod security;
pub mod trust_centre;

pub use command::ApsCommand;
pub use header::{ApsFlags, ApsHeader, DeliveryMode, ExtendedHeader, Fragmentation, FrameType};

use crate::error::Result;
use crate::security::AuxHeader;
use crate::wire::{Reader, Wire, Writer};

/// An APS frame: header, auxiliary security header when secured, then payload.
///
/// For a secured frame the payload is the ciphertext followed by the MIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApsFrame {
    /// The APS header.
    pub header: ApsHeader,
    /// The auxiliary security header, present exactly when the SECURITY flag is set.
    pub aux: Option<AuxHeader>,
    /// Everything after the headers.
    pub payload: Vec<u8>,
}

impl Wire for ApsFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let header = ApsHeader::parse(r)?;
        let aux = if header.flags.contains(ApsFlags::SECURITY) {
            Some(AuxHeader::parse(r)?)
        } else {
            None
        };
        Ok(ApsFrame {
            header,
            aux,
            payload: r.rest().to_vec(),
        })
    }

    fn emit(&self, w: &mut Writer) {
        self.header.emit(w);
        if let Some(aux) = &self.aux {
            aux.emit(w);
        }
        w.bytes(&self.payload);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::security::KeyId;
    use crate::security::aux::tests::arb_aux;
    use crate::test_util::hex;
    use crate::wire::ExtAddr;
    use proptest::prelude::*;

    pub(crate) fn arb_frame() -> impl Strategy<Value = ApsFrame> {
        (
            header::tests::arb_header(),
            arb_aux(),
            proptest::collection::vec(any::<u8>(), 0..48),
        )
            .prop_map(|(header, aux, payload)| ApsFrame {
                aux: header.flags.contains(ApsFlags::SECURITY).then_some(aux),
                header,
                payload,
            })
    }

    #[test]
    fn secured_transport_key_frame() {
        // psila_aps_transport_key_1 (shared/vectors.toml): command frame, secured, key-transport key.
        let bytes = hex(
            "21453002000000382e03ffff2e2100ae5e9f46a640cde7902fd60e432317484b4c5a9b4cde1ce70707b6fb1a0be9997e0af80fdf5dcf",
        );
        let f = ApsFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.header.frame_type, FrameType::Command);
        assert_eq!(f.header.counter, 0x45);
        let aux = f.aux.as_ref().unwrap();
        assert_eq!(aux.control.key_id(), KeyId::KeyTransport);
        assert_eq!(aux.frame_counter, 2);
        assert_eq!(aux.source, Some(ExtAddr(0x00212effff032e38)));
        assert_eq!(f.payload.len(), 35 + 4);
        assert_eq!(f.to_bytes(), bytes);
    }

    #[test]
    fn unsecured_zdp_data_frame() {
        // psila_nwk_3 plaintext: APS data frame carrying a ZDP Device Announcement.
        let bytes = hex("0800130000000006817bc085ae21feff6f0d0080");
        let f = ApsFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.aux, None);
        assert_eq!(f.header.cluster, Some(0x0013));
        assert_eq!(f.payload, hex("817bc085ae21feff6f0d0080"));
        assert_eq!(f.to_bytes(), bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn frame_round_trip(f in arb_frame()) {
            prop_assert_eq!(ApsFrame::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn frame_no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(f) = ApsFrame::from_bytes(&bytes) {
                prop_assert_eq!(f.to_bytes(), bytes);
            }
        }
    }
}
