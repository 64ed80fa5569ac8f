//! Key Establishment cluster 0x0800 (SE 1.4 C.3.1), the CBKE exchange.

use crate::zcl::field::{Fixed, Rest, payload};
use crate::zcl::registry::{Cluster, R, attr};

payload! {
    /// Initiate Key Establishment Request (0x00) and Response (0x00).
    InitiateKeyEstablishment {
        /// 0x0001 = Suite 1 (CBKE K-163), 0x0002 = Suite 2 (CBKE K-283).
        key_establishment_suite: u16,
        ephemeral_data_generate_time: u8,
        confirm_key_generate_time: u8,
        /// The implicit certificate (48 bytes for suite 1, 74 for suite 2).
        identity: Rest,
    }
}

/// The parts of a suite 1 (sect163k1) implicit certificate (SE 1.4 C.4.2.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateK163 {
    /// Reconstruction public key, compressed (22 bytes).
    pub public_key: [u8; 22],
    /// Subject EUI-64 as on the wire (big-endian).
    pub subject: [u8; 8],
    /// Issuer id (8 bytes).
    pub issuer: [u8; 8],
    /// Profile attribute data (10 bytes).
    pub profile_attribute_data: [u8; 10],
}

impl InitiateKeyEstablishment {
    /// Split the identity when it is a 48-byte suite 1 certificate.
    pub fn certificate_k163(&self) -> Option<CertificateK163> {
        let c: &[u8; 48] = self.identity.0.as_slice().try_into().ok()?;
        let mut cert = CertificateK163 {
            public_key: [0; 22],
            subject: [0; 8],
            issuer: [0; 8],
            profile_attribute_data: [0; 10],
        };
        cert.public_key.copy_from_slice(&c[..22]);
        cert.subject.copy_from_slice(&c[22..30]);
        cert.issuer.copy_from_slice(&c[30..38]);
        cert.profile_attribute_data.copy_from_slice(&c[38..]);
        Some(cert)
    }
}

payload! {
    /// Ephemeral Data Request/Response (0x01): the ephemeral public key.
    EphemeralData { ephemeral_data: Rest }
}

payload! {
    /// Confirm Key Data Request/Response (0x02): the SMAC.
    ConfirmKeyData { secure_message_authentication_code: Fixed<16> }
}

payload! {
    /// Terminate Key Establishment (0x03, both directions).
    TerminateKeyEstablishment { status_code: u8, wait_time: u8, key_establishment_suite: u16 }
}

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0800,
    name: "Key Establishment",
    server_attributes: &[attr(0x0000, "KeyEstablishmentSuite", 0x31, R)],
    client_attributes: &[attr(0x0000, "KeyEstablishmentSuite", 0x31, R)],
    numbered: None,
    received: &[
        (0x00, "Initiate Key Establishment Request"),
        (0x01, "Ephemeral Data Request"),
        (0x02, "Confirm Key Data Request"),
        (0x03, "Terminate Key Establishment"),
    ],
    generated: &[
        (0x00, "Initiate Key Establishment Response"),
        (0x01, "Ephemeral Data Response"),
        (0x02, "Confirm Key Data Response"),
        (0x03, "Terminate Key Establishment"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Wire;

    /// shared/vectors.toml [[zcl_smart_energy]] key_establishment_initiate_response.
    #[test]
    fn initiate_response_vector() {
        let hex = "09030001000b100306861705ec70578bdee50a439e9a188fce404b0863eeeeeeeeeeeeeeee54455354534543410109000f000000000000";
        let b: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let p = InitiateKeyEstablishment::from_bytes(&b[3..]).unwrap();
        assert_eq!(p.key_establishment_suite, 1);
        assert_eq!(p.ephemeral_data_generate_time, 11);
        assert_eq!(p.confirm_key_generate_time, 16);
        let c = p.certificate_k163().unwrap();
        assert_eq!(
            crate::zcl::field::hex(&c.public_key),
            "0306861705ec70578bdee50a439e9a188fce404b0863"
        );
        assert_eq!(c.subject, [0xee; 8]);
        assert_eq!(&c.issuer, b"TESTSECA");
        assert_eq!(
            crate::zcl::field::hex(&c.profile_attribute_data),
            "0109000f000000000000"
        );
        assert_eq!(p.to_bytes(), &b[3..]);
    }
}
