//! Whole-frame dissection: MAC → NWK → (decrypt) → APS → (decrypt) → ZDP or
//! application payload, with the keys and address knowledge a sniffer gathers.
//!
//! This is what `han decode` and replay build on. It follows the layering a
//! Zigbee sniffer uses (Wireshark's among them): nothing above the MAC is
//! dissected when the FCS is bad, a data payload is Zigbee NWK only when its
//! protocol version says so, and keys learnt from Transport Key commands are
//! used for the frames that follow.

mod keyring;
mod parallel;
mod summary;
mod totals;

pub use keyring::{Keyring, Learned};
pub use parallel::{count, map};
pub use summary::{FrameSummary, text_line};
pub use totals::Totals;

use crate::aps::{ApsCommand, ApsHeader, Fragmentation, FrameType as ApsFrameType};
use crate::capture::CaptureFrame;
use crate::error::Error;
use crate::mac::{FrameType, FrameVersion, MacFrame, MacPayload, ZigbeeBeacon};
use crate::nwk::{NwkCommand, NwkFrameType, NwkHeader};
use crate::security::{self, AuxHeader, KeyId, PreparedKey};
use crate::wire::{ExtAddr, Reader, Wire};
use crate::zcl::{self, MeterFormatting, ZclCommand, ZclFrame, ZclSummary};
use crate::zdo::ZdpFrame;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The Zigbee network security level (Zigbee PRO 4.3: always ENC-MIC-32 on air).
pub const NWK_SECURITY_LEVEL: u8 = 5;

/// The ZDO profile (Zigbee PRO 2.4: endpoint 0, profile 0x0000).
pub const ZDP_PROFILE: u16 = 0x0000;

/// What a frame turned out to be, layer by layer.
#[derive(Debug, Clone, Default)]
pub struct Dissection {
    /// The MAC frame, when it parsed.
    pub mac: Option<MacFrame>,
    /// FCS check result, when the capture carried an FCS.
    pub fcs_ok: Option<bool>,
    /// The Zigbee beacon payload of a beacon frame.
    pub beacon: Option<ZigbeeBeacon>,
    /// The NWK layer.
    pub nwk: Option<NwkLayer>,
    /// The APS layer.
    pub aps: Option<ApsLayer>,
    /// The ZDP frame for profile 0x0000.
    pub zdp: Option<ZdpFrame>,
    /// The application payload of an APS data frame (ZCL for every profile but ZDP).
    pub app_payload: Option<Vec<u8>>,
    /// The ZCL frame summarised, when the dissector summarises ZCL.
    pub zcl: Option<ZclSummary>,
    /// The first thing that failed, with its byte offset in the MPDU.
    pub error: Option<Error>,
    /// What this frame taught the dissector, in order.
    pub learned: Vec<Learned>,
    /// Whether the outcome depended on what earlier frames taught: a failed
    /// decryption (a later-learnt key might open it) or a nonce source looked
    /// up from the address map. Frames without it dissect the same in any state.
    pub state_sensitive: bool,
}

/// A NWK or APS layer of a frame: header `H`, the security on its payload, command `C`.
#[derive(Debug, Clone)]
pub struct Layer<H, C> {
    /// The header.
    pub header: H,
    /// The auxiliary security header, for frames secured at this layer.
    pub aux: Option<AuxHeader>,
    /// For secured frames: whether a key decrypted it.
    pub decrypted: Option<bool>,
    /// The command, for command frames.
    pub command: Option<C>,
}

impl<H, C> Layer<H, C> {
    fn new(header: H) -> Self {
        Layer {
            header,
            aux: None,
            decrypted: None,
            command: None,
        }
    }
}

/// A layer's payload (borrowed from the frame, or the plaintext) and its offset.
type Payload<'a> = (Cow<'a, [u8]>, usize);

/// The NWK layer of a frame.
pub type NwkLayer = Layer<NwkHeader, NwkCommand>;

/// The APS layer of a frame.
pub type ApsLayer = Layer<ApsHeader, ApsCommand>;

/// A stateful dissector: holds keys, the short→extended address map and each
/// meter's formatting attributes.
#[derive(Debug, Clone)]
pub struct Dissector {
    /// Keys to try, and those learnt along the way.
    pub keys: Keyring,
    /// Build a [`ZclSummary`] per frame (names, values with units); when false,
    /// ZCL is only parsed and checked, which is what counting needs.
    pub summarize_zcl: bool,
    formatting: BTreeMap<u16, MeterFormatting>,
}

impl Dissector {
    /// A dissector with these keys.
    pub fn new(keys: Keyring) -> Self {
        Dissector {
            keys,
            summarize_zcl: true,
            formatting: BTreeMap::new(),
        }
    }

    /// Dissect one MPDU (without FCS). `fcs_ok` is the capture's FCS verdict, if it had one.
    pub fn dissect(&mut self, mpdu: &[u8], fcs_ok: Option<bool>) -> Dissection {
        let mut d = Dissection {
            fcs_ok,
            ..Default::default()
        };
        let mac = match MacFrame::from_bytes(mpdu) {
            Ok(mac) => mac,
            Err(e) => {
                d.error = Some(e);
                return d;
            }
        };
        if mac.version == FrameVersion::Reserved {
            // IEEE 802.15.4-2015 7.2.2.10: version 3 is reserved, so nothing
            // after the frame control can be trusted to follow any layout.
            d.error = Some(Error::Malformed {
                what: "MAC frame version",
                offset: 1,
                reason: "frame version 3 is reserved".into(),
            });
        } else if fcs_ok != Some(false) {
            match (&mac.frame_type, &mac.payload) {
                (FrameType::Beacon, MacPayload::Beacon(b)) => {
                    if let Ok(zb) = ZigbeeBeacon::parse_payload(&b.payload) {
                        d.beacon = Some(zb);
                    }
                }
                (FrameType::Data, MacPayload::Data(p)) => {
                    if let Err(e) = self.dissect_nwk(p, &mut d) {
                        d.error = Some(e.at(mpdu.len() - p.len()));
                    }
                }
                _ => {}
            }
        }
        d.mac = Some(mac);
        d
    }

    fn dissect_nwk(&mut self, bytes: &[u8], d: &mut Dissection) -> Result<(), Error> {
        if !is_zigbee_nwk(bytes) {
            return Ok(());
        }
        let mut r = Reader::new(bytes);
        let header = NwkHeader::parse(&mut r)?;
        if let Some(src64) = header.src64 {
            self.learn(
                Learned::Address {
                    short: header.src,
                    ext: src64,
                },
                d,
            );
        }
        let mut layer = NwkLayer::new(header);
        let secured = layer.header.is_secured();
        let src = (layer.header.src, layer.header.src64);
        let Some((payload, payload_base)) =
            self.payload(&mut layer, secured, &mut r, src, false, d)?
        else {
            d.nwk = Some(layer);
            return Ok(());
        };
        let payload = &payload[..];
        let result = match layer.header.control.frame_type {
            NwkFrameType::Command => NwkCommand::from_bytes(payload)
                .map(|c| layer.command = Some(c))
                .map_err(|e| e.at(payload_base)),
            NwkFrameType::Data => {
                d.nwk = Some(layer);
                return self
                    .dissect_aps(payload, src.0, src.1, d)
                    .map_err(|e| e.at(payload_base));
            }
            _ => Ok(()),
        };
        d.nwk = Some(layer);
        result
    }

    /// The payload of `layer`, whose header `r` has just read, and its offset: the rest of
    /// `r` when the layer is clear; when `secured`, the plaintext after the auxiliary
    /// header (both recorded in `layer`), or None when no key opened it.
    fn payload<'a, H, C>(
        &self,
        layer: &mut Layer<H, C>,
        secured: bool,
        r: &mut Reader<'a>,
        src: (u16, Option<ExtAddr>),
        link_keys: bool,
        d: &mut Dissection,
    ) -> Result<Option<Payload<'a>>, Error> {
        let header_end = r.position();
        if !secured {
            return Ok(Some((Cow::Borrowed(r.rest()), header_end)));
        }
        let header = &r.buffer()[..header_end];
        let (aux, aux_end, plain) = self.open_secured(r, header, src, link_keys, d)?;
        layer.aux = Some(aux);
        layer.decrypted = Some(plain.is_some());
        Ok(plain.map(|p| (Cow::Owned(p), aux_end)))
    }

    /// Reads the auxiliary header after a NWK or APS header and tries the keys
    /// on the rest: network keys, or for APS (`link_keys`) the link keys unless
    /// the key id names the network key. Returns the auxiliary header, the
    /// offset after it, and the plaintext when a key opened the frame. The
    /// nonce source is the auxiliary header's, else `src.1`, else the address
    /// learnt for the short address `src.0`.
    fn open_secured(
        &self,
        r: &mut Reader<'_>,
        header: &[u8],
        src: (u16, Option<ExtAddr>),
        link_keys: bool,
        d: &mut Dissection,
    ) -> Result<(AuxHeader, usize, Option<Vec<u8>>), Error> {
        let aux = AuxHeader::parse(r)?;
        let aux_end = r.position();
        let secured = r.rest();
        let source = match aux.source.or(src.1) {
            Some(s) => Some(s),
            None => {
                d.state_sensitive = true;
                self.keys.address_of(src.0)
            }
        };
        let plain = source.and_then(|s| {
            if link_keys && aux.control.key_id() != KeyId::Network {
                try_keys(self.keys.link_keys(), header, &aux, secured, s)
            } else {
                try_keys(self.keys.network_keys(), header, &aux, secured, s)
            }
        });
        d.state_sensitive |= plain.is_none();
        Ok((aux, aux_end, plain))
    }

    fn dissect_aps(
        &mut self,
        bytes: &[u8],
        nwk_src: u16,
        nwk_src64: Option<ExtAddr>,
        d: &mut Dissection,
    ) -> Result<(), Error> {
        let mut r = Reader::new(bytes);
        let header = ApsHeader::parse(&mut r)?;
        let mut layer = ApsLayer::new(header);
        let secured = layer.header.is_secured();
        let src = (nwk_src, nwk_src64);
        let Some((payload, payload_base)) =
            self.payload(&mut layer, secured, &mut r, src, true, d)?
        else {
            d.aps = Some(layer);
            return Ok(());
        };
        let payload = &payload[..];
        let result = match layer.header.frame_type {
            ApsFrameType::Command => match ApsCommand::from_bytes(payload) {
                Ok(cmd) => {
                    if let Some(l) = Learned::from_command(&cmd) {
                        self.learn(l, d);
                    }
                    layer.command = Some(cmd);
                    Ok(())
                }
                Err(e) => Err(e.at(payload_base)),
            },
            // A fragment carries part of a payload; like a sniffer without
            // reassembly, keep it whole and undecoded (Zigbee PRO 2.2.8.4.5).
            ApsFrameType::Data if is_fragment(&layer.header) => {
                d.app_payload = Some(payload.to_vec());
                Ok(())
            }
            ApsFrameType::Data => match (layer.header.cluster, layer.header.profile) {
                (Some(cluster), Some(ZDP_PROFILE))
                    if layer.header.dst_endpoint.unwrap_or(0) == 0 =>
                {
                    match ZdpFrame::parse_cluster(cluster, payload) {
                        Ok(z) => {
                            if let Some(l) = Learned::from_zdp(&z) {
                                self.learn(l, d);
                            }
                            d.zdp = Some(z);
                            Ok(())
                        }
                        Err(e) => Err(e.at(payload_base)),
                    }
                }
                (Some(cluster), Some(profile)) => {
                    let zcl = self.dissect_zcl(cluster, profile, nwk_src, payload, d);
                    d.app_payload = Some(payload.to_vec());
                    zcl.map_err(|e| e.at(payload_base))
                }
                // No cluster or profile to interpret the payload by (legacy indirect delivery).
                _ => {
                    d.app_payload = Some(payload.to_vec());
                    Ok(())
                }
            },
            _ => Ok(()),
        };
        d.aps = Some(layer);
        result
    }
}

impl Dissector {
    fn learn(&mut self, learned: Learned, d: &mut Dissection) {
        self.keys.apply(&learned);
        d.learned.push(learned);
    }

    /// Dissect a frame as a capture reader yields it: a record that held no
    /// 802.15.4 frame becomes an error naming why.
    pub fn dissect_record(&mut self, frame: &CaptureFrame) -> Dissection {
        match &frame.problem {
            Some(p) => Dissection {
                error: Some(Error::Malformed {
                    what: "capture record",
                    offset: 0,
                    reason: p.clone(),
                }),
                ..Default::default()
            },
            None => self.dissect(&frame.mpdu, frame.fcs.verdict()),
        }
    }

    fn dissect_zcl(
        &mut self,
        cluster: u16,
        profile: u16,
        nwk_src: u16,
        bytes: &[u8],
        d: &mut Dissection,
    ) -> Result<(), Error> {
        if !self.summarize_zcl {
            let frame = ZclFrame::from_bytes(bytes)?;
            ZclCommand::decode(cluster, &frame)?;
            return Ok(());
        }
        let context = self.formatting.entry(nwk_src).or_default();
        let summary = zcl::summarize(cluster, profile, bytes, context)?;
        zcl::learn_formatting(context, &summary);
        d.zcl = Some(summary);
        Ok(())
    }
}

/// The plaintext under the first key whose MIC checks.
fn try_keys<'k>(
    mut keys: impl Iterator<Item = &'k PreparedKey>,
    header: &[u8],
    aux: &AuxHeader,
    secured: &[u8],
    source: ExtAddr,
) -> Option<Vec<u8>> {
    keys.find_map(|key| {
        security::unsecure_prepared(header, aux, secured, key, source, NWK_SECURITY_LEVEL).ok()
    })
}

fn is_fragment(header: &ApsHeader) -> bool {
    header
        .extended
        .as_ref()
        .is_some_and(|e| e.fragmentation != Fragmentation::None)
}

/// Whether a MAC data payload looks like a Zigbee NWK frame (protocol version 1 or 2).
///
/// 6LoWPAN (Thread) and Green Power (version 3) share 802.15.4 data frames;
/// the NWK protocol version field tells them apart (Zigbee PRO 3.3.1.1.2).
pub fn is_zigbee_nwk(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(b) => matches!((b >> 2) & 0x0f, 1 | 2) && bytes.len() >= 8,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{SampleNetwork, every_frame_kind};
    use proptest::prelude::*;

    fn dissector() -> Dissector {
        let net = SampleNetwork::default();
        let mut keys = Keyring::new();
        keys.add_network_key(net.network_key);
        keys.add_link_key(net.link_key);
        Dissector::new(keys)
    }

    #[test]
    fn transport_key_teaches_the_network_key() {
        let net = SampleNetwork::default();
        let mut keys = Keyring::new();
        keys.add_link_key(net.link_key);
        let mut d = Dissector::new(keys);
        let samples = every_frame_kind(&net);
        let later = samples
            .iter()
            .position(|s| s.description.starts_with("NWK Route Record"))
            .unwrap();
        assert_eq!(
            d.dissect(&samples[later].mpdu, None).nwk.unwrap().decrypted,
            Some(false)
        );
        let tk = samples
            .iter()
            .find(|s| s.description.starts_with("APS Transport Key (network key"))
            .unwrap();
        let x = d.dissect(&tk.mpdu, None);
        assert_eq!(x.aps.unwrap().decrypted, Some(true));
        assert_eq!(
            d.dissect(&samples[later].mpdu, None).nwk.unwrap().decrypted,
            Some(true)
        );
    }

    #[test]
    fn a_cut_secured_frame_is_not_decrypted() {
        let net = SampleNetwork::default();
        let sample = every_frame_kind(&net)
            .into_iter()
            .find(|s| s.description == "ZCL Default Response")
            .unwrap();
        let mut d = dissector();
        let ok = d.dissect(&sample.mpdu, None);
        assert!(ok.error.is_none());
        // Cutting the secured frame breaks the MIC: reported as not decrypted, not as an error.
        let cut = &sample.mpdu[..sample.mpdu.len() - 1];
        let x = d.dissect(cut, None);
        assert_eq!(x.nwk.unwrap().decrypted, Some(false));
    }

    #[test]
    fn a_zcl_string_longer_than_the_frame_is_reported_at_its_offset() {
        use crate::mac::{Address, MacFrame};
        use crate::nwk::{NwkFrame, NwkFrameType, NwkHeader};
        // Messaging Display Message whose message string claims 40 bytes but carries 3.
        let zcl = [
            0x09, 0x01, 0x00, 1, 0, 0, 0, 0x00, 0, 0, 0, 0, 0x0f, 0x00, 40, b'a', b'b', b'c',
        ];
        let mut aps = vec![0x00, 0x01, 0x03, 0x07, 0x09, 0x01, 0x01, 0x07];
        aps.extend_from_slice(&zcl);
        let nwk = NwkFrame {
            header: NwkHeader::pro(NwkFrameType::Data, 0x796f, 0x0000, 30, 1),
            aux: None,
            payload: aps,
        };
        let mpdu = MacFrame::data(
            1,
            0x1a62,
            Address::Short(0x796f),
            Address::Short(0),
            nwk.to_bytes(),
        )
        .to_bytes();
        let d = dissector().dissect(&mpdu, None);
        let e = d.error.expect("the short string is an error");
        // MAC header 9 + NWK header 8 + APS header 8 + ZCL header 3 + fields 11
        // + the length byte: where the string's missing bytes should start.
        assert_eq!(e.offset(), Some(9 + 8 + 8 + 3 + 11 + 1), "{e}");
        assert!(d.aps.is_some(), "the layers below are still reported");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = dissector().dissect(&bytes, None);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Mutations of real frames reach the deep layers that random bytes rarely do.
        #[test]
        fn no_panic_on_mutated_samples(index in any::<prop::sample::Index>(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut in any::<prop::sample::Index>()) {
            let samples = every_frame_kind(&SampleNetwork::default());
            let mut bytes = samples[index.index(samples.len())].mpdu.clone();
            for (at, v) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= v;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = dissector().dissect(&bytes, None);
        }
    }
}
