//! Finding the ZEP payload in Ethernet / raw-IP records: IPv4 or IPv6, UDP to or from port 17754.

use super::{LINKTYPE_ETHERNET, LINKTYPE_RAW};
use crate::zep::ZEP_PORT;
use std::net::Ipv4Addr;

use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};
use pnet_packet::ip::{IpNextHeaderProtocol, IpNextHeaderProtocols};
use pnet_packet::ipv4::{self, Ipv4Packet, MutableIpv4Packet};
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::udp::{self, MutableUdpPacket, UdpPacket};

/// A ZEP datagram as an Ethernet frame: IPv4 127.0.0.1 → 127.0.0.1, UDP
/// 17754 → 17754, checksums filled in — how a capture on loopback shows a
/// ZEP sender such as `han run --zep`.
pub fn zep_in_ethernet(zep: &[u8]) -> Vec<u8> {
    const ETH: usize = 14;
    const IP: usize = 20;
    const UDP: usize = 8;
    let mut frame = vec![0u8; ETH + IP + UDP + zep.len()];
    let loopback = Ipv4Addr::LOCALHOST;
    if let Some(mut eth) = MutableEthernetPacket::new(&mut frame) {
        eth.set_ethertype(EtherTypes::Ipv4);
    }
    let ip_len = (IP + UDP + zep.len()) as u16;
    if let Some(mut ip) = MutableIpv4Packet::new(&mut frame[ETH..]) {
        ip.set_version(4);
        ip.set_header_length(5);
        ip.set_total_length(ip_len);
        ip.set_ttl(64);
        ip.set_next_level_protocol(IpNextHeaderProtocols::Udp);
        ip.set_source(loopback);
        ip.set_destination(loopback);
        let sum = ipv4::checksum(&ip.to_immutable());
        ip.set_checksum(sum);
    }
    if let Some(mut udp) = MutableUdpPacket::new(&mut frame[ETH + IP..]) {
        udp.set_source(ZEP_PORT);
        udp.set_destination(ZEP_PORT);
        udp.set_length((UDP + zep.len()) as u16);
        udp.set_payload(zep);
        let sum = udp::ipv4_checksum(&udp.to_immutable(), &loopback, &loopback);
        udp.set_checksum(sum);
    }
    frame
}

/// The UDP payload of a ZEP datagram in the record, or why there is none.
pub fn zep_payload(link_type: u32, data: &[u8]) -> Result<&[u8], String> {
    let ip = match link_type {
        LINKTYPE_ETHERNET => {
            let eth = EthernetPacket::new(data)
                .ok_or_else(|| format!("Ethernet frame of {} byte(s) is truncated", data.len()))?;
            let kind = eth.get_ethertype();
            if kind != EtherTypes::Ipv4 && kind != EtherTypes::Ipv6 {
                return Err(format!(
                    "Ethernet frame carries ethertype {kind}, not IP (so no ZEP)"
                ));
            }
            data.get(EthernetPacket::minimum_packet_size()..)
                .unwrap_or_default()
        }
        LINKTYPE_RAW => data,
        other => return Err(format!("link type {other} does not carry IP")),
    };
    let (proto, l4) = ip_payload(ip)?;
    if proto != IpNextHeaderProtocols::Udp {
        return Err(format!("IP packet carries {proto}, not UDP (so no ZEP)"));
    }
    let udp = UdpPacket::new(l4).ok_or("UDP header truncated")?;
    if udp.get_destination() != ZEP_PORT && udp.get_source() != ZEP_PORT {
        return Err(format!(
            "UDP {} -> {} is not ZEP (port {ZEP_PORT})",
            udp.get_source(),
            udp.get_destination()
        ));
    }
    // The UDP length bounds the payload; Ethernet padding may follow it.
    let end = (udp.get_length() as usize).clamp(8, l4.len());
    Ok(l4.get(8..end).unwrap_or_default())
}

/// The transport protocol and its bytes, bounded by the IP length fields.
fn ip_payload(ip: &[u8]) -> Result<(IpNextHeaderProtocol, &[u8]), String> {
    match ip.first().map(|b| b >> 4) {
        Some(4) => {
            let p = Ipv4Packet::new(ip).ok_or("IPv4 header truncated")?;
            if p.get_fragment_offset() != 0 || p.get_flags() & 1 != 0 {
                return Err("IPv4 fragment (reassembly is not done)".into());
            }
            let hl = (p.get_header_length() as usize * 4).max(20);
            let end = (p.get_total_length() as usize).clamp(hl, ip.len());
            Ok((
                p.get_next_level_protocol(),
                ip.get(hl..end).unwrap_or_default(),
            ))
        }
        Some(6) => {
            let p = Ipv6Packet::new(ip).ok_or("IPv6 header truncated")?;
            let end = (40 + p.get_payload_length() as usize).min(ip.len());
            Ok((p.get_next_header(), ip.get(40..end).unwrap_or_default()))
        }
        Some(v) => Err(format!("IP version {v} is neither 4 nor 6")),
        None => Err("empty IP packet".into()),
    }
}
