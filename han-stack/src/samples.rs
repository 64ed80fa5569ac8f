//! Frames of every kind the stack emits, in a small GB HAN: the catalogue the
//! tshark and scapy interop tests, the bundled capture and the decode
//! benchmark build on.
//!
//! Headers are built from their `Repr`s; command payloads are written as the
//! specification lays them out and go through their decoders and encoders, so
//! a sample exercises both directions of every codec it touches.

use crate::aps::{
    ApsFlags, ApsFrame, ApsHeader, DeliveryMode, ExtendedHeader, Fragmentation,
    FrameType as ApsFrameType,
};
use crate::mac::{Address, MacFrame};
use crate::nwk::{NwkCommand, NwkFrame, NwkFrameType, NwkHeader};
use crate::security::{self, AuxHeader, KeyId, SecurityControl};
use crate::wire::{ExtAddr, Wire};
use crate::zdo::ZdpFrame;

/// The Smart Energy profile id (SE 1.4 5.1).
pub const SE_PROFILE: u16 = 0x0109;
/// The network security level every Zigbee frame uses (ENC-MIC-32).
const LEVEL: u8 = 5;

/// The network the samples live in: a comms hub (coordinator and trust centre) and a meter.
#[derive(Debug, Clone)]
pub struct SampleNetwork {
    /// PAN ID.
    pub pan: u16,
    /// Extended PAN ID.
    pub epid: ExtAddr,
    /// The network key.
    pub network_key: [u8; 16],
    /// The meter's trust-centre link key (from its install code).
    pub link_key: [u8; 16],
    /// The comms hub's EUI-64 (NWK address 0x0000).
    pub hub: ExtAddr,
    /// The meter's EUI-64.
    pub meter: ExtAddr,
    /// The meter's NWK address.
    pub meter_short: u16,
}

impl Default for SampleNetwork {
    fn default() -> Self {
        SampleNetwork {
            pan: 0x1a62,
            epid: ExtAddr(0x00124b0001020304),
            network_key: [
                0x4e, 0x48, 0x3c, 0x5d, 0x6f, 0x68, 0x26, 0x56, 0x70, 0x4e, 0x24, 0x4b, 0x5c, 0x53,
                0x51, 0x44,
            ],
            // AES-MMO of install code 83FED3407A939723A5C639B26916D505 + CRC (shared/vectors.toml).
            link_key: [
                0x66, 0xb6, 0x90, 0x09, 0x81, 0xe1, 0xee, 0x3c, 0xa4, 0x20, 0x6b, 0x6b, 0x86, 0x1c,
                0x02, 0xbb,
            ],
            hub: ExtAddr(0x0022a30000001001),
            meter: ExtAddr(0x0022a30000002002),
            meter_short: 0x796f,
        }
    }
}

/// One sample frame.
#[derive(Debug, Clone)]
pub struct Sample {
    /// What it shows.
    pub description: String,
    /// The MPDU without FCS.
    pub mpdu: Vec<u8>,
}

/// Decode a hex literal of this module (spaces allowed).
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    digits
        .chunks(2)
        .map(|p| {
            let v = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            v(p[0]) << 4 | v(p.get(1).copied().unwrap_or(b'0'))
        })
        .collect()
}

/// Builds samples with running sequence numbers and frame counters.
struct Builder<'a> {
    net: &'a SampleNetwork,
    mac_seq: u8,
    nwk_seq: u8,
    aps_counter: u8,
    frame_counter: u32,
    out: Vec<Sample>,
}

/// Which side sends a NWK frame.
#[derive(Clone, Copy)]
enum From {
    Hub,
    Meter,
}

impl<'a> Builder<'a> {
    fn new(net: &'a SampleNetwork) -> Self {
        Builder {
            net,
            mac_seq: 0,
            nwk_seq: 0,
            aps_counter: 0,
            frame_counter: 1,
            out: Vec::new(),
        }
    }

    fn push(&mut self, description: impl Into<String>, mac: &MacFrame) {
        self.out.push(Sample {
            description: description.into(),
            mpdu: mac.to_bytes(),
        });
    }

    fn next_mac_seq(&mut self) -> u8 {
        self.mac_seq = self.mac_seq.wrapping_add(1);
        self.mac_seq
    }

    /// A MAC frame given as bytes with `SS` standing for the sequence number.
    fn mac_hex(&mut self, description: &str, template: &str) {
        let seq = self.next_mac_seq();
        let text = template.replace("SS", &format!("{seq:02x}"));
        let frame = MacFrame::from_bytes(&hex(&text)).expect("sample MAC frame parses");
        self.push(description, &frame);
    }

    fn addrs(&self, from: From) -> (u16, u16, ExtAddr) {
        match from {
            From::Hub => (0x0000, self.net.meter_short, self.net.hub),
            From::Meter => (self.net.meter_short, 0x0000, self.net.meter),
        }
    }

    /// Wrap a NWK frame in a MAC data frame for one hop.
    fn mac_data(&mut self, description: &str, from: From, dst: u16, nwk: &NwkFrame) {
        let (src, _, _) = self.addrs(from);
        let seq = self.next_mac_seq();
        let mac_dst = if dst >= 0xfff8 { 0xffff } else { dst };
        let mac = MacFrame::data(
            seq,
            self.net.pan,
            Address::Short(mac_dst),
            Address::Short(src),
            nwk.to_bytes(),
        );
        self.push(description, &mac);
    }

    fn nwk_header(&mut self, from: From, frame_type: NwkFrameType, dst: u16) -> NwkHeader {
        let (src, _, _) = self.addrs(from);
        self.nwk_seq = self.nwk_seq.wrapping_add(1);
        NwkHeader::pro(frame_type, dst, src, 30, self.nwk_seq)
    }

    fn nwk_aux(&mut self, from: From) -> AuxHeader {
        let (_, _, ext) = self.addrs(from);
        self.frame_counter += 1;
        AuxHeader::network(self.frame_counter, ext, 0)
    }

    /// A NWK frame, secured with the network key unless `secure` is false.
    fn nwk(&mut self, header: NwkHeader, from: From, payload: &[u8], secure: bool) -> NwkFrame {
        if !secure {
            return NwkFrame {
                header,
                aux: None,
                payload: payload.to_vec(),
            };
        }
        let aux = self.nwk_aux(from);
        let (_, _, ext) = self.addrs(from);
        NwkFrame::seal(header, aux, payload, &self.net.network_key, ext, LEVEL)
    }

    fn nwk_command(
        &mut self,
        description: &str,
        from: From,
        dst: u16,
        payload: &str,
        secure: bool,
    ) {
        let cmd = NwkCommand::from_bytes(&hex(payload)).expect("sample NWK command parses");
        let header = self.nwk_header(from, NwkFrameType::Command, dst);
        let frame = self.nwk(header, from, &cmd.to_bytes(), secure);
        self.mac_data(description, from, dst, &frame);
    }

    fn aps_header(
        &mut self,
        frame_type: ApsFrameType,
        cluster: u16,
        profile: u16,
        ack: bool,
    ) -> ApsHeader {
        self.aps_counter = self.aps_counter.wrapping_add(1);
        let addressed = frame_type != ApsFrameType::Command;
        ApsHeader {
            frame_type,
            delivery_mode: DeliveryMode::Unicast,
            flags: if ack {
                ApsFlags::ACK_REQUEST
            } else {
                ApsFlags::empty()
            },
            dst_endpoint: addressed.then_some(if profile == 0 { 0 } else { 1 }),
            group: None,
            cluster: addressed.then_some(cluster),
            profile: addressed.then_some(profile),
            src_endpoint: addressed.then_some(if profile == 0 { 0 } else { 1 }),
            counter: self.aps_counter,
            extended: None,
        }
    }

    /// APS data or command frame bytes, optionally APS-secured with the link key under `key_id`.
    fn aps_bytes(
        &mut self,
        header: ApsHeader,
        payload: &[u8],
        aps_key: Option<(KeyId, From)>,
    ) -> Vec<u8> {
        match aps_key {
            None => ApsFrame {
                header,
                aux: None,
                payload: payload.to_vec(),
            }
            .to_bytes(),
            Some((key_id, from)) => {
                let mut header = header;
                header.flags |= ApsFlags::SECURITY;
                let (_, _, ext) = self.addrs(from);
                self.frame_counter += 1;
                let aux = AuxHeader {
                    control: SecurityControl::new(0, key_id, true),
                    frame_counter: self.frame_counter,
                    source: Some(ext),
                    key_seq: None,
                };
                let sealed = security::secure(
                    &header.to_bytes(),
                    &aux,
                    payload,
                    &self.net.link_key,
                    ext,
                    LEVEL,
                );
                ApsFrame {
                    header,
                    aux: Some(aux),
                    payload: sealed,
                }
                .to_bytes()
            }
        }
    }

    /// A whole frame: MAC data, NWK (secured unless `nwk_secure` is false), APS.
    #[allow(clippy::too_many_arguments)]
    fn aps_frame(
        &mut self,
        description: &str,
        from: From,
        header: ApsHeader,
        payload: &[u8],
        aps_key: Option<KeyId>,
        nwk_secure: bool,
    ) {
        let (_, dst, _) = self.addrs(from);
        let aps = self.aps_bytes(header, payload, aps_key.map(|k| (k, from)));
        let nwk_header = self.nwk_header(from, NwkFrameType::Data, dst);
        let frame = self.nwk(nwk_header, from, &aps, nwk_secure);
        self.mac_data(description, from, dst, &frame);
    }

    fn aps_command(
        &mut self,
        description: &str,
        from: From,
        payload: &str,
        aps_key: Option<KeyId>,
        nwk_secure: bool,
    ) {
        let cmd =
            crate::aps::ApsCommand::from_bytes(&hex(payload)).expect("sample APS command parses");
        let header = self.aps_header(ApsFrameType::Command, 0, 0, false);
        self.aps_frame(
            description,
            from,
            header,
            &cmd.to_bytes(),
            aps_key,
            nwk_secure,
        );
    }

    fn zdp(&mut self, description: &str, from: From, cluster: u16, payload: &str) {
        let zdp = ZdpFrame::parse_cluster(cluster, &hex(payload)).expect("sample ZDP frame parses");
        let mut w = crate::wire::Writer::new();
        zdp.emit(&mut w);
        let header = self.aps_header(ApsFrameType::Data, cluster, 0x0000, false);
        self.aps_frame(description, from, header, w.as_slice(), None, true);
    }

    fn zcl(&mut self, description: &str, from: From, cluster: u16, zcl: &str) {
        let header = self.aps_header(ApsFrameType::Data, cluster, SE_PROFILE, true);
        self.aps_frame(description, from, header, &hex(zcl), None, true);
    }
}

/// Every frame kind the stack emits, in the order a HAN would see them:
/// MAC commands and beacons, the join with its key transport, every NWK
/// command, every addressing variant, APS commands, ZDP and Smart Energy ZCL.
pub fn every_frame_kind(net: &SampleNetwork) -> Vec<Sample> {
    let mut b = Builder::new(net);
    let hub = format_ext(net.hub);
    let meter = format_ext(net.meter);
    let pan = format!("{:02x}{:02x}", net.pan & 0xff, net.pan >> 8);
    let short = format!("{:02x}{:02x}", net.meter_short & 0xff, net.meter_short >> 8);
    let epid = format_ext(net.epid);

    // MAC (IEEE 802.15.4-2006 5.3): beacon request, beacon, association, polls, the rest.
    b.mac_hex("MAC Beacon Request", "0308 SS ffff ffff 07");
    b.mac_hex(
        "MAC Beacon with Zigbee PRO payload",
        &format!("0080 SS {pan} 0000 ffcf 00 00 00 22 84 {epid} ffffff 00"),
    );
    b.mac_hex(
        "MAC Association Request",
        &format!("23c8 SS {pan} 0000 ffff {meter} 01 8e"),
    );
    b.mac_hex(
        "MAC Association Response",
        &format!("63cc SS {pan} {meter} {hub} 02 {short} 00"),
    );
    b.mac_hex(
        "MAC Data Request (extended source)",
        &format!("63c8 SS {pan} 0000 {meter} 04"),
    );
    b.mac_hex(
        "MAC Data Request (short source)",
        &format!("6388 SS {pan} 0000 {short} 04"),
    );
    b.mac_hex("MAC Ack", "0200 SS");
    b.mac_hex("MAC Ack, frame pending", "1200 SS");
    b.mac_hex(
        "MAC Disassociation Notification",
        &format!("63cc SS {pan} {meter} {hub} 03 02"),
    );
    b.mac_hex(
        "MAC PAN ID Conflict Notification",
        &format!("63cc SS {pan} {hub} {meter} 05"),
    );
    b.mac_hex(
        "MAC Orphan Notification",
        &format!("43c8 SS ffff ffff {meter} 06"),
    );
    b.mac_hex(
        "MAC Coordinator Realignment",
        &format!("23cc SS ffff {meter} {pan} {hub} 08 {pan} 0000 0f {short}"),
    );

    // The join: Transport Key from the trust centre, APS-secured with the key-transport key.
    let key: String = net.network_key.iter().map(|b| format!("{b:02x}")).collect();
    b.aps_command(
        "APS Transport Key (network key, key-transport key, NWK unsecured)",
        From::Hub,
        &format!("05 01 {key} 00 {meter} {hub}"),
        Some(KeyId::KeyTransport),
        false,
    );
    b.zdp(
        "ZDP Device Announce",
        From::Meter,
        0x0013,
        &format!("01 {short} {meter} 8e"),
    );
    b.aps_command(
        "APS Request Key (TC link key)",
        From::Meter,
        "08 04",
        Some(KeyId::Link),
        true,
    );
    let tc: String = net.link_key.iter().map(|b| format!("{b:02x}")).collect();
    b.aps_command(
        "APS Transport Key (TC link key, key-load key)",
        From::Hub,
        &format!("05 04 {tc} {meter} {hub}"),
        Some(KeyId::KeyLoad),
        true,
    );
    b.aps_command(
        "APS Verify Key",
        From::Meter,
        &format!("0f 04 {meter} 00112233445566778899aabbccddeeff"),
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Confirm Key",
        From::Hub,
        &format!("10 00 04 {meter}"),
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Transport Key (application link key)",
        From::Hub,
        &format!("05 03 {tc} {hub} 01"),
        Some(KeyId::KeyLoad),
        true,
    );
    b.aps_command(
        "APS Request Key (application link key)",
        From::Meter,
        &format!("08 02 {hub}"),
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Update Device",
        From::Meter,
        &format!("06 {meter} {short} 01"),
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Remove Device",
        From::Hub,
        &format!("07 {meter}"),
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Switch Key",
        From::Hub,
        "09 01",
        Some(KeyId::Link),
        true,
    );
    b.aps_command(
        "APS Tunnel (a Transport Key for a joiner behind a router)",
        From::Hub,
        &format!("0e {meter} 21 07 3102000000{hub} 00112233445566778899aabbccddeeff0011 22334455"),
        None,
        true,
    );

    // Every NWK command (Zigbee PRO R22 3.4), secured.
    b.nwk_command(
        "NWK Route Request (many-to-one)",
        From::Hub,
        0xfffc,
        "01 08 01 fffc 00",
        true,
    );
    b.nwk_command(
        "NWK Route Request (with destination IEEE)",
        From::Meter,
        0xfffc,
        &format!("01 20 02 0000 00 {hub}"),
        true,
    );
    b.nwk_command(
        "NWK Route Reply",
        From::Hub,
        0x796f,
        "02 00 02 6f79 0000 03",
        true,
    );
    b.nwk_command(
        "NWK Route Reply (originator and responder IEEE)",
        From::Hub,
        0x796f,
        &format!("02 30 03 6f79 0000 03 {meter} {hub}"),
        true,
    );
    b.nwk_command(
        "NWK Network Status (no route)",
        From::Hub,
        0x796f,
        "03 00 3412",
        true,
    );
    b.nwk_command("NWK Leave", From::Meter, 0xfffd, "04 00", true);
    b.nwk_command(
        "NWK Leave (request, rejoin)",
        From::Hub,
        0x796f,
        "04 60",
        true,
    );
    b.nwk_command(
        "NWK Route Record",
        From::Meter,
        0x0000,
        "05 02 3412 7856",
        true,
    );
    b.nwk_command("NWK Rejoin Request", From::Meter, 0x0000, "06 8e", false);
    b.nwk_command(
        "NWK Rejoin Response",
        From::Hub,
        0x796f,
        &format!("07 {short} 00"),
        true,
    );
    b.nwk_command(
        "NWK Link Status",
        From::Hub,
        0xfffc,
        "08 62 6f79 11 3412 33",
        true,
    );
    b.nwk_command(
        "NWK Network Report (PAN ID conflict)",
        From::Meter,
        0x0000,
        &format!("09 01 {epid} 621b"),
        true,
    );
    b.nwk_command(
        "NWK Network Update (PAN ID update)",
        From::Hub,
        0xffff,
        &format!("0a 01 {epid} 01 631b"),
        true,
    );
    b.nwk_command(
        "NWK End Device Timeout Request",
        From::Meter,
        0x0000,
        "0b 08 00",
        true,
    );
    b.nwk_command(
        "NWK End Device Timeout Response",
        From::Hub,
        0x796f,
        "0c 00 03",
        true,
    );
    b.nwk_command(
        "NWK Link Power Delta",
        From::Hub,
        0xfffc,
        "0d 00 01 6f79 fd",
        true,
    );

    // NWK header variants: extended addresses, multicast, source route.
    let report = "18 01 0a 0004 2a e80300";
    let aps = b.aps_header(ApsFrameType::Data, 0x0702, SE_PROFILE, false);
    let aps = b.aps_bytes(aps, &hex(report), None);
    let header = b
        .nwk_header(From::Meter, NwkFrameType::Data, 0x0000)
        .with_src64(net.meter)
        .with_dst64(net.hub);
    let frame = b.nwk(header, From::Meter, &aps, true);
    b.mac_data(
        "NWK data with source and destination IEEE",
        From::Meter,
        0x0000,
        &frame,
    );
    let mut header = b.nwk_header(From::Hub, NwkFrameType::Data, 0x796f);
    header.control.flags |= crate::nwk::NwkFlags::SOURCE_ROUTE;
    header.source_route = Some(crate::nwk::SourceRoute {
        relay_index: 1,
        relays: vec![0x1234, 0x5678],
    });
    let aps = b.aps_header(ApsFrameType::Data, 0x0702, SE_PROFILE, false);
    let aps = b.aps_bytes(aps, &hex("00 02 00 0000"), None);
    let frame = b.nwk(header, From::Hub, &aps, true);
    b.mac_data("NWK data, source routed", From::Hub, 0x1234, &frame);

    // APS delivery modes, acks and fragmentation.
    let mut group = b.aps_header(ApsFrameType::Data, 0x0703, SE_PROFILE, false);
    group.delivery_mode = DeliveryMode::Group;
    group.dst_endpoint = None;
    group.group = Some(0x0001);
    let aps = b.aps_bytes(
        group,
        &hex("19 03 00 01000000 00 00000000 0f00 00 00"),
        None,
    );
    let mut header = b.nwk_header(From::Hub, NwkFrameType::Data, 0xfffd);
    header.control.flags |= crate::nwk::NwkFlags::MULTICAST;
    header.multicast = Some(crate::nwk::MulticastControl::from_u8(0x0c));
    header.dst = 0x0001;
    let frame = b.nwk(header, From::Hub, &aps, true);
    b.mac_data(
        "APS group delivery in a NWK multicast",
        From::Hub,
        0xffff,
        &frame,
    );
    let mut bcast = b.aps_header(ApsFrameType::Data, 0x000a, SE_PROFILE, false);
    bcast.delivery_mode = DeliveryMode::Broadcast;
    bcast.dst_endpoint = Some(0xff);
    let aps = b.aps_bytes(bcast, &hex("18 04 0a 0000 e2 00e1f518"), None);
    let header = b.nwk_header(From::Hub, NwkFrameType::Data, 0xfffd);
    let frame = b.nwk(header, From::Hub, &aps, true);
    b.mac_data("APS broadcast (Time report)", From::Hub, 0xffff, &frame);
    let ack = b.aps_header(ApsFrameType::Ack, 0x0702, SE_PROFILE, false);
    b.aps_frame("APS data acknowledgement", From::Hub, ack, &[], None, true);
    let mut cmd_ack = b.aps_header(ApsFrameType::Ack, 0, 0, false);
    cmd_ack.flags |= ApsFlags::ACK_FORMAT;
    cmd_ack.dst_endpoint = None;
    cmd_ack.cluster = None;
    cmd_ack.profile = None;
    cmd_ack.src_endpoint = None;
    b.aps_frame(
        "APS command acknowledgement",
        From::Meter,
        cmd_ack,
        &[],
        None,
        true,
    );
    let mut frag = b.aps_header(ApsFrameType::Data, 0x0704, SE_PROFILE, true);
    frag.flags |= ApsFlags::EXTENDED_HEADER;
    frag.extended = Some(ExtendedHeader {
        fragmentation: Fragmentation::First,
        reserved: 0,
        block_number: Some(3),
        ack_bitfield: None,
    });
    b.aps_frame(
        "APS fragmented (first of 3 blocks)",
        From::Hub,
        frag,
        &hex("01 21 01 00 0102030405060708"),
        None,
        true,
    );

    // ZDP (Zigbee PRO 2.4.3), requests and responses.
    let zdp: &[(&str, u16, String)] = &[
        ("NWK_addr_req", 0x0000, format!("02 {meter} 00 00")),
        ("NWK_addr_rsp", 0x8000, format!("02 00 {meter} {short}")),
        ("IEEE_addr_req", 0x0001, format!("03 {short} 00 00")),
        ("IEEE_addr_rsp", 0x8001, format!("03 00 {meter} {short}")),
        ("Node_Desc_req", 0x0002, format!("04 {short}")),
        (
            "Node_Desc_rsp",
            0x8002,
            format!("04 00 {short} 01 40 8e 5e10 52 8000 412c 8000 00"),
        ),
        ("Power_Desc_req", 0x0003, format!("05 {short}")),
        ("Power_Desc_rsp", 0x8003, format!("05 00 {short} 10 c1")),
        ("Simple_Desc_req", 0x0004, format!("06 {short} 01")),
        (
            "Simple_Desc_rsp",
            0x8004,
            format!("06 00 {short} 10 01 0901 0105 00 03 0000 0207 0307 01 0a00"),
        ),
        ("Active_EP_req", 0x0005, format!("07 {short}")),
        ("Active_EP_rsp", 0x8005, format!("07 00 {short} 01 01")),
        (
            "Match_Desc_req",
            0x0006,
            "08 fdff 0901 01 0207 00".to_string(),
        ),
        ("Match_Desc_rsp", 0x8006, format!("08 00 {short} 01 01")),
        (
            "Bind_req",
            0x0021,
            format!("09 {meter} 01 0207 03 {hub} 01"),
        ),
        ("Bind_rsp", 0x8021, "09 00".to_string()),
        ("Unbind_req", 0x0022, format!("0a {meter} 01 0207 01 0100")),
        ("Unbind_rsp", 0x8022, "0a 00".to_string()),
        ("Mgmt_Lqi_req", 0x0031, "0b 00".to_string()),
        (
            "Mgmt_Lqi_rsp",
            0x8031,
            format!("0b 00 01 00 01 {epid} {meter} {short} 25 02 01 c8"),
        ),
        ("Mgmt_Rtg_req", 0x0032, "0c 00".to_string()),
        (
            "Mgmt_Rtg_rsp",
            0x8032,
            format!("0c 00 01 00 01 {short} 00 {short}"),
        ),
        ("Mgmt_Leave_req", 0x0034, format!("0d {meter} 00")),
        ("Mgmt_Leave_rsp", 0x8034, "0d 00".to_string()),
        ("Mgmt_Permit_Joining_req", 0x0036, "0e b4 01".to_string()),
        ("Mgmt_Permit_Joining_rsp", 0x8036, "0e 00".to_string()),
        (
            "Mgmt_NWK_Update_req",
            0x0038,
            "0f 00f8ff07 03 01".to_string(),
        ),
        (
            "Mgmt_NWK_Update_rsp",
            0x8038,
            "0f 00 00f8ff07 2000 0100 02 a0 b0".to_string(),
        ),
    ];
    for (name, cluster, payload) in zdp {
        let from = if cluster & 0x8000 == 0 {
            From::Hub
        } else {
            From::Meter
        };
        b.zdp(&format!("ZDP {name}"), from, *cluster, payload);
    }

    // Smart Energy ZCL (SE 1.4 D.3, D.4, D.5) over the secured NWK.
    b.zcl(
        "ZCL Metering Read Attributes",
        From::Hub,
        0x0702,
        "00 10 00 0000 0004 0003 0103 0203",
    );
    b.zcl(
        "ZCL Metering Read Attributes Response",
        From::Meter,
        0x0702,
        "18 10 01 0000 00 25 4e61bc000000 0004 00 2a e80300 0003 00 30 00 0103 00 22 010000 0203 00 22 e80300 0303 00 18 2b",
    );
    b.zcl(
        "ZCL Metering Report Attributes",
        From::Meter,
        0x0702,
        "18 11 0a 0004 2a d20400 0000 25 15cd5b070000",
    );
    b.zcl("ZCL Default Response", From::Hub, 0x0702, "18 11 0b 0a 00");
    b.zcl(
        "ZCL Configure Reporting",
        From::Hub,
        0x0702,
        "00 12 06 00 0004 2a 0100 1e00 640000",
    );
    b.zcl(
        "ZCL Price Publish Price",
        From::Hub,
        0x0700,
        "09 13 00 00000000 06 535550504c59 01000000 00e1f518 00 3a03 41 11 00000000 ffff b80b0000 ff ffffffff ff ffffffff ff ff ff 00",
    );
    b.zcl(
        "ZCL Messaging Display Message",
        From::Hub,
        0x0703,
        "09 14 00 01000000 00 00e1f518 0f00 0c 546f7020757020736f6f6e21",
    );
    b.zcl(
        "ZCL Time Read Attributes",
        From::Meter,
        0x000a,
        "00 15 00 0000 0100 0700",
    );
    b.out
}

/// A stream of `count` frames for benchmarks, in a fixed interleaving shaped
/// like a busy Smart Energy HAN: four frames in five NWK-secured, half of
/// those ZCL (meter reports, reads, prices), the rest NWK commands, ZDP and
/// APS commands; the fifth MAC-only or unsecured (acks, polls, beacons).
pub fn traffic(net: &SampleNetwork, count: usize) -> impl Iterator<Item = Vec<u8>> {
    let samples = every_frame_kind(net);
    let is = |s: &Sample, prefix: &str| s.description.starts_with(prefix);
    let nwk_secured = |s: &Sample| {
        crate::mac::MacFrame::from_bytes(&s.mpdu)
            .ok()
            .and_then(|m| match m.payload {
                crate::mac::MacPayload::Data(p) => {
                    NwkHeader::parse(&mut crate::wire::Reader::new(&p))
                        .ok()
                        .map(|h| h.is_secured())
                }
                _ => None,
            })
            .unwrap_or(false)
    };
    let pick = |f: &dyn Fn(&Sample) -> bool| -> Vec<Vec<u8>> {
        samples
            .iter()
            .filter(|s| f(s))
            .map(|s| s.mpdu.clone())
            .collect()
    };
    let zcl = pick(&|s| is(s, "ZCL") && nwk_secured(s));
    let other = pick(&|s| !is(s, "ZCL") && nwk_secured(s));
    let plain = pick(&|s| !nwk_secured(s));
    (0..count).map(move |i| {
        let round = i / 5;
        match i % 5 {
            0 | 2 => zcl[(2 * round + i % 5 / 2) % zcl.len()].clone(),
            1 | 3 => other[(2 * round + i % 5 / 2) % other.len()].clone(),
            _ => plain[round % plain.len()].clone(),
        }
    })
}

fn format_ext(a: ExtAddr) -> String {
    a.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::{Dissector, Keyring};

    #[test]
    fn every_sample_dissects_and_decrypts() {
        let net = SampleNetwork::default();
        let mut keys = Keyring::new();
        keys.add_network_key(net.network_key);
        keys.add_link_key(net.link_key);
        let mut d = Dissector::new(keys);
        let samples = every_frame_kind(&net);
        assert!(samples.len() > 80, "{} samples", samples.len());
        for s in &samples {
            let x = d.dissect(&s.mpdu, None);
            assert!(x.error.is_none(), "{}: {:?}", s.description, x.error);
            if let Some(n) = &x.nwk {
                assert_ne!(n.decrypted, Some(false), "{}", s.description);
            }
            if let Some(a) = &x.aps {
                assert_ne!(a.decrypted, Some(false), "{}", s.description);
            }
        }
    }
}
