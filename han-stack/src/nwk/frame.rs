//! A whole NWK frame: header, optional auxiliary security header, payload.

use crate::error::Result;
use crate::nwk::header::NwkHeader;
use crate::security::{self, AuxHeader};
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// A NWK frame as on air.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NwkFrame {
    /// The NWK header.
    pub header: NwkHeader,
    /// Auxiliary security header, present when the header's SECURITY flag is set.
    pub aux: Option<AuxHeader>,
    /// The rest: APS frame or NWK command, or when secured the ciphertext and 4-byte MIC.
    pub payload: Vec<u8>,
}

impl NwkFrame {
    /// Build a secured frame: sets the header's SECURITY flag and encrypts
    /// `plaintext` with `key` at `level` (Zigbee PRO 4.3.1.1), the MIC appended.
    /// The nonce source is `aux.source`, else the header's source EUI-64, else `source`.
    pub fn seal(
        header: NwkHeader,
        aux: AuxHeader,
        plaintext: &[u8],
        key: &[u8; 16],
        source: ExtAddr,
        level: u8,
    ) -> Self {
        let header = header.secured();
        let nonce_source = aux.source.or(header.src64).unwrap_or(source);
        let payload = security::secure(
            &header.to_bytes(),
            &aux,
            plaintext,
            key,
            nonce_source,
            level,
        );
        NwkFrame {
            header,
            aux: Some(aux),
            payload,
        }
    }
}

impl Wire for NwkFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let header = NwkHeader::parse(r)?;
        let aux = if header.is_secured() {
            Some(AuxHeader::parse(r)?)
        } else {
            None
        };
        Ok(NwkFrame {
            header,
            aux,
            payload: r.rest().to_vec(),
        })
    }

    // An aux header is emitted only when the SECURITY flag asks for one.
    fn emit(&self, w: &mut Writer) {
        self.header.emit(w);
        if let (true, Some(aux)) = (self.header.is_secured(), &self.aux) {
            aux.emit(w);
        }
        w.bytes(&self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nwk::header::tests::arb_header;
    use crate::security::{KeyId, SecurityControl};
    use crate::test_util::hex;
    use proptest::prelude::*;

    #[test]
    fn zigator_secured_route_request() {
        // zigator_03-nwk-testing.pcap frame 1, MAC header and FCS removed
        let bytes = hex(
            "0912fcff00001ea10100000000777777 28112700000100000000777777 004e131904fdab211e414c"
                .replace(' ', "")
                .as_str(),
        );
        let f = NwkFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.header.dst, 0xfffc);
        let aux = f.aux.as_ref().unwrap();
        assert_eq!(aux.control.key_id(), KeyId::Network);
        assert_eq!(aux.frame_counter, 0x2711);
        assert_eq!(aux.source, Some(ExtAddr(0x7777770000000001)));
        assert_eq!(f.payload, hex("4e131904fdab211e414c"));
        assert_eq!(f.to_bytes(), bytes);
    }

    #[test]
    fn shared_vector_frames() {
        use crate::nwk::{NwkFlags, NwkFrameType};
        // shared/vectors.toml [[zigbee_frame_decrypt]] psila_nwk_2: broadcast, ext nonce only in the aux header
        let bytes = hex(
            "0802fdff6a6a0a642800000000c1e91f0000ff0f0000ea1513e13612cc447564b01d792dfedfc5617484c33a8128",
        );
        let f = NwkFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.header.control.flags, NwkFlags::SECURITY);
        assert_eq!(
            (f.header.dst, f.header.src, f.header.radius, f.header.seq),
            (0xfffd, 0x6a6a, 10, 100)
        );
        assert_eq!(
            f.aux.as_ref().and_then(|a| a.source),
            Some(ExtAddr(0x000fff00001fe9c1))
        );
        assert_eq!(f.to_bytes(), bytes);
        // zbtk_crypto_example: discover route 1, end device initiator
        let bytes = hex(
            "48220000777f1e2028148a07000db123feffa7db28004235bf415d82f5f46c205476a2e6e3d23bfa1d37730e",
        );
        let f = NwkFrame::from_bytes(&bytes).unwrap();
        assert_eq!(f.header.control.frame_type, NwkFrameType::Data);
        assert_eq!(f.header.control.discover_route, 1);
        assert_eq!(
            f.header.control.flags,
            NwkFlags::SECURITY | NwkFlags::END_DEVICE_INITIATOR
        );
        assert_eq!(f.aux.as_ref().map(|a| a.frame_counter), Some(0x00078a14));
        assert_eq!(f.to_bytes(), bytes);
    }

    fn arb_frame() -> impl Strategy<Value = NwkFrame> {
        (
            arb_header(),
            any::<u8>(),
            any::<u32>(),
            any::<u64>(),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(header, c, fc, src, ks, payload)| {
                let control = SecurityControl(c);
                let aux = header.is_secured().then(|| AuxHeader {
                    control,
                    frame_counter: fc,
                    source: control.extended_nonce().then_some(ExtAddr(src)),
                    key_seq: (control.key_id() == KeyId::Network).then_some(ks),
                });
                NwkFrame {
                    header,
                    aux,
                    payload,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn round_trip(f in arb_frame()) {
            prop_assert_eq!(NwkFrame::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Ok(f) = NwkFrame::from_bytes(&bytes) {
                prop_assert_eq!(f.to_bytes(), bytes);
            }
        }
    }
}
