//! Finding the ZEP payload in Ethernet / raw-IP records: IPv4 or IPv6, UDP to or from port 17754.

use super::{LINKTYPE_ETHERNET, LINKTYPE_RAW};
use crate::zep::ZEP_PORT;
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::ip::{IpNextHeaderProtocol, IpNextHeaderProtocols};
use pnet_packet::ipv4::Ipv4Packet;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::udp::UdpPacket;

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
