//! Injection of one device's captured frames into an emulated network
//! (docs/replay.md, "Injection"): each frame is opened with the capture's keys and
//! sent again as the emulated device would send it — its MAC and NWK sequence
//! numbers, PAN ID, addresses, NWK and APS frame counters, and secured with the
//! emulated network's keys. The emulated device has joined by itself; what
//! belongs to joining and key set-up is left out, and said why.

use std::collections::BTreeMap;

use crate::aps::ack::ack_of;
use crate::aps::{ApsFlags, ApsFrame, FrameType as ApsType, security as aps_security};
use crate::dissect::Keyring;
use crate::mac::{Address, MacFrame, MacPayload};
use crate::nwk::{NwkFrame, NwkFrameType, NwkHeader, security::SECURITY_LEVEL};
use crate::security::{AuxHeader, unsecure};
use crate::wire::{ExtAddr, Wire};

/// The ZDP Device Announcement cluster (Zigbee PRO R22 2.4.3.1.11).
const DEVICE_ANNCE: u16 = 0x0013;
/// The radius of an APS Ack the rewriter sends (2 × nwkMaxDepth, as the host's frames).
const ACK_RADIUS: u8 = 30;

/// The emulated device taking over the captured one, and where its next frame starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emulated {
    /// Its PAN ID.
    pub pan_id: u16,
    /// Its NWK (and MAC) short address.
    pub short: u16,
    /// Its EUI-64.
    pub ext: ExtAddr,
    /// The network key it holds, with its sequence number.
    pub network_key: ([u8; 16], u8),
    /// Next MAC sequence number.
    pub mac_seq: u8,
    /// Next NWK sequence number.
    pub nwk_seq: u8,
    /// Next APS counter.
    pub aps_counter: u8,
    /// Next NWK outgoing frame counter.
    pub nwk_frame_counter: u32,
    /// Next APS outgoing frame counter (APS security).
    pub aps_frame_counter: u32,
    /// The link key it holds per partner (by the partner's EUI-64): application link keys
    /// and the trust-centre link key.
    pub app_keys: BTreeMap<ExtAddr, [u8; 16]>,
}

/// The emulated counterpart of a captured address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// Short address in the emulated network.
    pub short: u16,
    /// EUI-64 in the emulated network.
    pub ext: ExtAddr,
}

/// Why a captured frame cannot be injected: the injection stops there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    /// The MPDU does not decode.
    #[error("frame {frame}: {error}")]
    Decode {
        /// 1-based frame number.
        frame: usize,
        /// What failed, with its byte offset.
        error: crate::Error,
    },
    /// No network key of the capture opens the frame.
    #[error(
        "frame {frame}: no key of the capture opens its NWK security (byte offset {offset}); give the capture's network key with --key or --keys-file"
    )]
    NwkKey {
        /// 1-based frame number.
        frame: usize,
        /// Offset of the secured payload in the MPDU.
        offset: usize,
    },
    /// No link key of the capture opens the APS security.
    #[error(
        "frame {frame}: no key of the capture opens its APS security (byte offset {offset}); give the link key with --key or --keys-file"
    )]
    ApsKey {
        /// 1-based frame number.
        frame: usize,
        /// Offset of the APS-secured payload in the MPDU.
        offset: usize,
    },
    /// An address of the capture has no emulated counterpart.
    #[error(
        "frame {frame}: {address} of the capture has no counterpart in the emulated building (no device there has its EUI-64)"
    )]
    UnknownPeer {
        /// 1-based frame number.
        frame: usize,
        /// The captured address.
        address: String,
    },
    /// The emulated device holds no link key with the partner.
    #[error(
        "frame {frame}: the emulated device holds no link key with {partner}, which the captured frame is APS-secured to"
    )]
    NoAppKey {
        /// 1-based frame number.
        frame: usize,
        /// The emulated partner.
        partner: ExtAddr,
    },
}

/// What became of one captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewritten {
    /// The PSDU (with FCS) to put on the air from the emulated device.
    Inject(Vec<u8>),
    /// Left out, and why.
    Skip(&'static str),
}

/// Rewrites captured frames of one device into the emulated network, counting
/// what it changed per field.
#[derive(Debug, Clone)]
pub struct Rewriter {
    emulated: Emulated,
    captured: Vec<u16>,
    captured_ext: Option<ExtAddr>,
    peers: BTreeMap<u16, Peer>,
    keys: Keyring,
    /// Answer the emulated peers' acknowledged-delivery frames with APS Acks (the
    /// captured device did), instead of replaying the captured Acks.
    answer_acks: bool,
    /// APS Acks sent for the emulated peers' frames.
    pub acks_sent: u64,
    /// Frames whose field changed, by field name.
    pub rewritten: BTreeMap<&'static str, u64>,
}

impl Rewriter {
    /// A rewriter speaking as `emulated` for the captured device (its short
    /// addresses and EUI-64 in the capture), mapping the capture's other short
    /// addresses by `peers`, opening the capture's frames with `keys`; with
    /// `answer_acks` (the captured device sent APS Acks) it acknowledges what the
    /// emulated peers send it, when they send it (see [`Rewriter::observe`]).
    pub fn new(
        emulated: Emulated,
        captured: (Vec<u16>, Option<ExtAddr>),
        peers: BTreeMap<u16, Peer>,
        keys: Keyring,
        answer_acks: bool,
    ) -> Self {
        Rewriter {
            emulated,
            captured: captured.0,
            captured_ext: captured.1,
            peers,
            keys,
            answer_acks,
            acks_sent: 0,
            rewritten: BTreeMap::new(),
        }
    }

    fn note(&mut self, field: &'static str, changed: bool) {
        if changed {
            *self.rewritten.entry(field).or_default() += 1;
        }
    }

    /// A frame the emulated device received (MPDU without FCS): the APS Ack to send
    /// now when it is data asking for one and acknowledgements are answered. The
    /// recorded Acks answered the captured peers' frames, whose timing the emulated
    /// peers do not keep, so the Ack goes out when the emulated frame arrives, as
    /// the captured device's stack sent it (Zigbee PRO R22 2.2.8.4.2).
    pub fn observe(&mut self, mpdu: &[u8]) -> Option<Vec<u8>> {
        if !self.answer_acks {
            return None;
        }
        let mac = MacFrame::from_bytes(mpdu).ok()?;
        let MacPayload::Data(bytes) = &mac.payload else {
            return None;
        };
        let nwk = NwkFrame::from_bytes(bytes).ok()?;
        if nwk.header.dst != self.emulated.short
            || nwk.header.control.frame_type != NwkFrameType::Data
        {
            return None;
        }
        let aux = nwk.aux.as_ref()?;
        let source = aux.source.or(nwk.header.src64).unwrap_or_default();
        let (key, _) = self.emulated.network_key;
        let header = nwk.header.to_bytes();
        let plain = unsecure(&header, aux, &nwk.payload, &key, source, SECURITY_LEVEL).ok()?;
        let aps = ApsFrame::from_bytes(&plain).ok()?;
        if aps.header.frame_type != ApsType::Data
            || !aps.header.flags.contains(ApsFlags::ACK_REQUEST)
        {
            return None;
        }
        let ack = ApsFrame {
            header: ack_of(&aps.header),
            aux: None,
            payload: Vec::new(),
        };
        let seq = self.next_nwk_seq();
        let header = NwkHeader::pro(
            NwkFrameType::Data,
            nwk.header.src,
            self.emulated.short,
            ACK_RADIUS,
            seq,
        )
        .with_src64(self.emulated.ext);
        let sealed = self.seal_nwk(header, &ack.to_bytes());
        self.acks_sent += 1;
        Some(self.mac_frame(mac.src, sealed))
    }

    fn next_nwk_seq(&mut self) -> u8 {
        let seq = self.emulated.nwk_seq;
        self.emulated.nwk_seq = seq.wrapping_add(1);
        seq
    }

    /// Secure `payload` under `header` with the emulated network key and the next
    /// frame counter.
    fn seal_nwk(&mut self, header: NwkHeader, payload: &[u8]) -> NwkFrame {
        let (key, key_seq) = self.emulated.network_key;
        let fc = self.emulated.nwk_frame_counter;
        self.emulated.nwk_frame_counter = fc.wrapping_add(1);
        let aux = AuxHeader::network(fc, self.emulated.ext, key_seq);
        NwkFrame::seal(
            header,
            aux,
            payload,
            &key,
            self.emulated.ext,
            SECURITY_LEVEL,
        )
    }

    /// A data frame from the emulated device to `next` carrying `nwk`, as a PSDU.
    fn mac_frame(&mut self, next: Address, nwk: NwkFrame) -> Vec<u8> {
        let seq = self.emulated.mac_seq;
        self.emulated.mac_seq = seq.wrapping_add(1);
        let src = Address::Short(self.emulated.short);
        MacFrame::data(seq, self.emulated.pan_id, next, src, nwk.to_bytes()).emit_with_fcs()
    }

    /// The emulated counterpart of captured short address `a` (broadcasts stay).
    fn peer(&self, frame: usize, a: u16) -> Result<u16, InjectError> {
        if a >= 0xfff8 {
            Ok(a)
        } else if self.captured.contains(&a) {
            Ok(self.emulated.short)
        } else {
            self.peers
                .get(&a)
                .map(|p| p.short)
                .ok_or_else(|| InjectError::UnknownPeer {
                    frame,
                    address: format!("0x{a:04x}"),
                })
        }
    }

    fn peer_ext(&self, frame: usize, e: ExtAddr) -> Result<ExtAddr, InjectError> {
        if Some(e) == self.captured_ext {
            return Ok(self.emulated.ext);
        }
        self.peers
            .values()
            .find(|p| p.ext == e)
            .map(|p| p.ext)
            .ok_or_else(|| InjectError::UnknownPeer {
                frame,
                address: e.to_string(),
            })
    }

    fn mac_address(&self, frame: usize, a: Address) -> Result<Address, InjectError> {
        Ok(match a {
            Address::Short(s) => Address::Short(self.peer(frame, s)?),
            Address::Extended(e) => Address::Extended(self.peer_ext(frame, e)?),
            Address::None => Address::None,
        })
    }

    /// Rewrite frame number `frame` (its MPDU without FCS) of the captured device.
    pub fn rewrite(&mut self, frame: usize, mpdu: &[u8]) -> Result<Rewritten, InjectError> {
        let decode = |error| InjectError::Decode { frame, error };
        let mut mac = MacFrame::from_bytes(mpdu).map_err(decode)?;
        let MacPayload::Data(bytes) = &mac.payload else {
            return Ok(Rewritten::Skip(
                "MAC command or beacon (the emulated device joined by itself)",
            ));
        };
        let nwk_at = mpdu.len() - bytes.len();
        let nwk = NwkFrame::from_bytes(bytes).map_err(|e| decode(e.at(nwk_at)))?;
        if nwk.header.control.frame_type != NwkFrameType::Data {
            return Ok(Rewritten::Skip(
                "NWK command (routing is the emulated network's own)",
            ));
        }
        let Some(aux) = nwk.aux.clone() else {
            return Ok(Rewritten::Skip(
                "NWK frame in the clear (the emulated device joined by itself)",
            ));
        };
        let plain = self.open_nwk(frame, nwk_at, &nwk, &aux)?;
        let aps_at = nwk_at + bytes.len() - nwk.payload.len();
        let mut aps = ApsFrame::from_bytes(&plain).map_err(|e| decode(e.at(aps_at)))?;
        match aps.header.frame_type {
            ApsType::Command => {
                return Ok(Rewritten::Skip(
                    "APS command (the emulated device set up its own keys)",
                ));
            }
            ApsType::Data
                if aps.header.profile == Some(0x0000)
                    && aps.header.cluster == Some(DEVICE_ANNCE) =>
            {
                return Ok(Rewritten::Skip(
                    "Device Announcement (the emulated device announced itself)",
                ));
            }
            _ => {}
        }
        if aps.header.frame_type == ApsType::Ack {
            return Ok(Rewritten::Skip(
                "APS Ack (sent when the emulated peer's frame asks for it instead)",
            ));
        }
        let dst = self.peer(frame, nwk.header.dst)?;
        let counter = self.emulated.aps_counter;
        self.emulated.aps_counter = counter.wrapping_add(1);
        self.note("APS counter", counter != aps.header.counter);
        if let Some(aps_aux) = aps.aux.clone() {
            aps = self.resecure_aps(frame, aps_at, &aps, &aps_aux, dst, counter)?;
        } else {
            aps.header.counter = counter;
        }
        // NWK header: this device's sequence, addresses and counters.
        let mut header = nwk.header.clone();
        let seq = self.next_nwk_seq();
        self.note("NWK sequence number", header.seq != seq);
        header.seq = seq;
        self.note("NWK source", header.src != self.emulated.short);
        header.src = self.emulated.short;
        self.note("NWK destination", header.dst != dst);
        header.dst = dst;
        if let Some(e) = header.src64 {
            self.note("NWK source EUI-64", e != self.emulated.ext);
            header.src64 = Some(self.emulated.ext);
        }
        if let Some(e) = header.dst64 {
            let to = self.peer_ext(frame, e)?;
            self.note("NWK destination EUI-64", e != to);
            header.dst64 = Some(to);
        }
        if let Some(route) = &mut header.source_route {
            for r in &mut route.relays {
                *r = self.peers.get(r).map_or(*r, |p| p.short);
            }
        }
        let (_, key_seq) = self.emulated.network_key;
        let fc = self.emulated.nwk_frame_counter;
        self.note("NWK frame counter", aux.frame_counter != fc);
        self.note("NWK key sequence number", aux.key_seq != Some(key_seq));
        let sealed = self.seal_nwk(header, &aps.to_bytes());
        self.note(
            "NWK security (re-secured with the emulated network key)",
            true,
        );
        // MAC header: this device's sequence, PAN and addresses.
        let mac_seq = self.emulated.mac_seq;
        self.emulated.mac_seq = mac_seq.wrapping_add(1);
        self.note("MAC sequence number", mac.seq != Some(mac_seq));
        mac.seq = Some(mac_seq);
        for pan in [&mut mac.dst_pan, &mut mac.src_pan].into_iter().flatten() {
            let changed = *pan != self.emulated.pan_id;
            *pan = self.emulated.pan_id;
            self.note("PAN ID", changed);
        }
        let src = match mac.src {
            Address::Extended(_) => Address::Extended(self.emulated.ext),
            _ => Address::Short(self.emulated.short),
        };
        self.note("MAC source", mac.src != src);
        mac.src = src;
        let to = self.mac_address(frame, mac.dst)?;
        self.note("MAC destination", mac.dst != to);
        mac.dst = to;
        mac.payload = MacPayload::Data(sealed.to_bytes());
        Ok(Rewritten::Inject(mac.emit_with_fcs()))
    }

    fn open_nwk(
        &self,
        frame: usize,
        at: usize,
        nwk: &NwkFrame,
        aux: &AuxHeader,
    ) -> Result<Vec<u8>, InjectError> {
        let source = aux
            .source
            .or(nwk.header.src64)
            .or(self.captured_ext)
            .unwrap_or_default();
        let header = nwk.header.to_bytes();
        self.keys
            .network_keys()
            .find_map(|k| {
                unsecure(&header, aux, &nwk.payload, k.raw(), source, SECURITY_LEVEL).ok()
            })
            .ok_or(InjectError::NwkKey {
                frame,
                offset: at + header.len(),
            })
    }

    fn resecure_aps(
        &mut self,
        frame: usize,
        at: usize,
        aps: &ApsFrame,
        aux: &AuxHeader,
        dst: u16,
        counter: u8,
    ) -> Result<ApsFrame, InjectError> {
        let sender = aux.source.or(self.captured_ext).unwrap_or_default();
        let plain = self
            .keys
            .link_keys()
            .find_map(|k| aps_security::open(aps, k.raw(), sender))
            .ok_or(InjectError::ApsKey {
                frame,
                offset: at + aps.header.to_bytes().len(),
            })?;
        let partner = self
            .peers
            .values()
            .find(|p| p.short == dst)
            .map(|p| p.ext)
            .ok_or_else(|| InjectError::UnknownPeer {
                frame,
                address: format!("0x{dst:04x}"),
            })?;
        let key = *self
            .emulated
            .app_keys
            .get(&partner)
            .ok_or(InjectError::NoAppKey { frame, partner })?;
        let fc = self.emulated.aps_frame_counter;
        self.emulated.aps_frame_counter = fc.wrapping_add(1);
        self.note("APS frame counter", aux.frame_counter != fc);
        self.note("APS security (re-secured with the emulated link key)", true);
        let mut header = aps.header.clone();
        header.counter = counter;
        header.flags.remove(ApsFlags::SECURITY);
        Ok(aps_security::seal(
            header,
            aux.control.key_id(),
            fc,
            self.emulated.ext,
            &key,
            &plain,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aps::ack::data_header;
    use crate::nwk::NwkHeader;
    use crate::security::KeyId;
    use proptest::prelude::*;

    const CAPTURED_KEY: [u8; 16] = [0x11; 16];
    const CAPTURED_LINK: [u8; 16] = [0x22; 16];
    const EMULATED_KEY: [u8; 16] = [0x33; 16];
    const EMULATED_LINK: [u8; 16] = [0x44; 16];
    const IHD: ExtAddr = ExtAddr(0x0012_4b00_0000_0004);
    const ESME: ExtAddr = ExtAddr(0x0012_4b00_0000_0002);
    const ZCL_READ: [u8; 5] = [0x00, 0x07, 0x00, 0x00, 0x00];

    fn keyring() -> Keyring {
        let mut k = Keyring::new();
        k.add_network_key(CAPTURED_KEY);
        k.add_link_key(CAPTURED_LINK);
        k
    }

    fn emulated() -> Emulated {
        Emulated {
            pan_id: 0x0a01,
            short: 0x5678,
            ext: IHD,
            network_key: (EMULATED_KEY, 0),
            mac_seq: 10,
            nwk_seq: 20,
            aps_counter: 30,
            nwk_frame_counter: 400,
            aps_frame_counter: 50,
            app_keys: [(ESME, EMULATED_LINK)].into(),
        }
    }

    fn rewriter() -> Rewriter {
        let peers = [
            (
                0x0000,
                Peer {
                    short: 0x0000,
                    ext: ExtAddr(0x0012_4b00_0000_0001),
                },
            ),
            (
                0x796f,
                Peer {
                    short: 0x1111,
                    ext: ESME,
                },
            ),
        ];
        Rewriter::new(
            emulated(),
            (vec![0x4242], Some(IHD)),
            peers.into(),
            keyring(),
            true,
        )
    }

    /// A captured frame from 0x4242 (the IHD) to `dst`: a ZCL read, APS-secured when
    /// `aps_secured`, NWK-secured with the captured network key, counter 7.
    fn captured(dst: u16, aps_secured: bool) -> Vec<u8> {
        let header = data_header(1, 0x0702, 0x0109, 1, 99, false);
        let aps = if aps_secured {
            aps_security::seal(header, KeyId::Link, 1234, IHD, &CAPTURED_LINK, &ZCL_READ)
        } else {
            ApsFrame {
                header,
                aux: None,
                payload: ZCL_READ.to_vec(),
            }
        };
        let nwk = NwkHeader::pro(NwkFrameType::Data, dst, 0x4242, 30, 5).with_src64(IHD);
        let aux = AuxHeader::network(7, IHD, 3);
        let nwk = NwkFrame::seal(
            nwk,
            aux,
            &aps.to_bytes(),
            &CAPTURED_KEY,
            IHD,
            SECURITY_LEVEL,
        );
        MacFrame::data(
            200,
            0x1a62,
            Address::Short(dst),
            Address::Short(0x4242),
            nwk.to_bytes(),
        )
        .to_bytes()
    }

    /// The rewritten PSDU opened with the emulated keys: MAC, NWK, APS (plaintext payload).
    fn open(psdu: &[u8]) -> (MacFrame, NwkFrame, ApsFrame) {
        let (mac, _, fcs_ok) = MacFrame::parse_with_fcs(psdu).unwrap();
        assert!(fcs_ok);
        let MacPayload::Data(b) = &mac.payload else {
            panic!("not data")
        };
        let nwk = NwkFrame::from_bytes(b).unwrap();
        let aux = nwk.aux.clone().unwrap();
        let plain = unsecure(
            &nwk.header.to_bytes(),
            &aux,
            &nwk.payload,
            &EMULATED_KEY,
            IHD,
            SECURITY_LEVEL,
        )
        .expect("the emulated network key opens it");
        let mut aps = ApsFrame::from_bytes(&plain).unwrap();
        if aps.aux.is_some() {
            aps.payload = aps_security::open(&aps, &EMULATED_LINK, IHD)
                .expect("the emulated link key opens it");
        }
        (mac, nwk, aps)
    }

    #[test]
    fn a_read_to_the_hub_is_readdressed_renumbered_and_resecured() {
        let mut r = rewriter();
        let Rewritten::Inject(psdu) = r.rewrite(12, &captured(0x0000, false)).unwrap() else {
            panic!("injected")
        };
        let (mac, nwk, aps) = open(&psdu);
        assert_eq!(
            (mac.seq, mac.dst_pan, mac.dst, mac.src),
            (
                Some(10),
                Some(0x0a01),
                Address::Short(0),
                Address::Short(0x5678)
            )
        );
        assert_eq!(
            (
                nwk.header.seq,
                nwk.header.src,
                nwk.header.dst,
                nwk.header.src64
            ),
            (20, 0x5678, 0x0000, Some(IHD))
        );
        let aux = nwk.aux.unwrap();
        assert_eq!(
            (aux.frame_counter, aux.key_seq, aux.source),
            (400, Some(0), Some(IHD))
        );
        assert_eq!(
            (aps.header.counter, aps.payload.as_slice()),
            (30, &ZCL_READ[..])
        );
        assert_eq!(r.rewritten["NWK frame counter"], 1);
        assert_eq!(r.rewritten["PAN ID"], 1);
        assert!(
            !r.rewritten.contains_key("NWK destination"),
            "0x0000 stays 0x0000"
        );
        // The next frame continues every sequence.
        let Rewritten::Inject(psdu) = r.rewrite(13, &captured(0x0000, false)).unwrap() else {
            panic!("injected")
        };
        let (mac, nwk, aps) = open(&psdu);
        assert_eq!(
            (
                mac.seq,
                nwk.header.seq,
                nwk.aux.unwrap().frame_counter,
                aps.header.counter
            ),
            (Some(11), 21, 401, 31)
        );
    }

    #[test]
    fn an_aps_secured_read_to_the_esme_takes_the_emulated_link_key_and_address() {
        let mut r = rewriter();
        let Rewritten::Inject(psdu) = r.rewrite(3, &captured(0x796f, true)).unwrap() else {
            panic!("injected")
        };
        let (mac, nwk, aps) = open(&psdu);
        assert_eq!((mac.dst, nwk.header.dst), (Address::Short(0x1111), 0x1111));
        assert_eq!(aps.aux.as_ref().unwrap().frame_counter, 50);
        assert_eq!(aps.payload, ZCL_READ);
        assert_eq!(r.rewritten["APS frame counter"], 1);
        assert_eq!(r.rewritten["NWK destination"], 1);
    }

    #[test]
    fn the_emulated_peers_frames_are_acknowledged_when_they_arrive_not_the_captured_ones() {
        let mut r = rewriter();
        // A captured APS Ack (to the ESME) is left out.
        let ack = ApsFrame {
            header: ack_of(&data_header(1, 0x0702, 0x0109, 1, 77, true)),
            aux: None,
            payload: vec![],
        };
        let nwk = NwkHeader::pro(NwkFrameType::Data, 0x796f, 0x4242, 30, 5).with_src64(IHD);
        let aux = AuxHeader::network(8, IHD, 0);
        let nwk = NwkFrame::seal(
            nwk,
            aux,
            &ack.to_bytes(),
            &CAPTURED_KEY,
            IHD,
            SECURITY_LEVEL,
        );
        let captured = MacFrame::data(
            1,
            0x1a62,
            Address::Short(0x796f),
            Address::Short(0x4242),
            nwk.to_bytes(),
        );
        assert!(matches!(
            r.rewrite(1, &captured.to_bytes()).unwrap(),
            Rewritten::Skip(_)
        ));
        // The emulated ESME's report with APS counter 5, acknowledged delivery, to the
        // device, relayed by the hub: the Ack goes back to the hub, counter 5.
        let report = ApsFrame {
            header: data_header(1, 0x0702, 0x0109, 1, 5, true),
            aux: None,
            payload: ZCL_READ.to_vec(),
        };
        let nwk = NwkHeader::pro(NwkFrameType::Data, 0x5678, 0x1111, 30, 1).with_src64(ESME);
        let aux = AuxHeader::network(1, ESME, 0);
        let nwk = NwkFrame::seal(
            nwk,
            aux,
            &report.to_bytes(),
            &EMULATED_KEY,
            ESME,
            SECURITY_LEVEL,
        );
        let heard = MacFrame::data(
            1,
            0x0a01,
            Address::Short(0x5678),
            Address::Short(0x0000),
            nwk.to_bytes(),
        );
        let psdu = r.observe(&heard.to_bytes()).expect("an Ack");
        let (mac, nwk, aps) = open(&psdu);
        assert_eq!(
            (mac.dst, nwk.header.dst, nwk.header.src),
            (Address::Short(0), 0x1111, 0x5678)
        );
        assert_eq!(
            (aps.header.frame_type, aps.header.counter),
            (ApsType::Ack, 5)
        );
        assert_eq!((r.acks_sent, nwk.aux.unwrap().frame_counter), (1, 400));
        // Without acknowledgements asked for, nothing.
        let mut quiet = Rewriter::new(
            emulated(),
            (vec![0x4242], Some(IHD)),
            BTreeMap::new(),
            keyring(),
            false,
        );
        assert_eq!(quiet.observe(&heard.to_bytes()), None);
    }

    #[test]
    fn what_cannot_be_opened_or_mapped_is_an_error_naming_the_frame() {
        let mut keys = Keyring::new();
        keys.add_network_key([0x99; 16]);
        let mut r = Rewriter::new(
            emulated(),
            (vec![0x4242], Some(IHD)),
            BTreeMap::new(),
            keys,
            true,
        );
        let e = r.rewrite(9, &captured(0x0000, false)).unwrap_err();
        // MAC header 9 bytes, NWK header with the source EUI-64 16: the ciphertext at 25.
        assert_eq!(
            e,
            InjectError::NwkKey {
                frame: 9,
                offset: 25
            }
        );
        assert!(
            e.to_string().starts_with(
                "frame 9: no key of the capture opens its NWK security (byte offset 25)"
            )
        );
        let mut r = Rewriter::new(
            emulated(),
            (vec![0x4242], Some(IHD)),
            BTreeMap::new(),
            keyring(),
            true,
        );
        let e = r.rewrite(4, &captured(0x796f, false)).unwrap_err();
        assert_eq!(
            e,
            InjectError::UnknownPeer {
                frame: 4,
                address: "0x796f".into()
            }
        );
        let e = r.rewrite(5, &[0x41]).unwrap_err();
        assert!(matches!(e, InjectError::Decode { frame: 5, .. }), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn rewriting_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut r = rewriter();
            let _ = r.rewrite(1, &bytes);
            let _ = r.observe(&bytes);
        }
    }
}
