//! One TUN interface per emulated device: names within the kernel's 15 characters,
//! a /30 per device (the device's own address and the medium's), ZEP in IPv4/UDP both
//! ways, and the cleanup of interfaces a crashed run left behind.

use han_stack::zep::ZEP_PORT;
use pnet_packet::Packet;
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv4::{self, Ipv4Packet, MutableIpv4Packet};
use pnet_packet::udp::{self, MutableUdpPacket, UdpPacket};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Every interface han makes starts with this.
pub const PREFIX: &str = "han-";
/// The kernel's limit on interface names (IFNAMSIZ - 1).
const IFNAME_MAX: usize = 15;

/// `han-<premises>-<device>`: the premises shortened to the first letter of each word and
/// its numbers (`flat-12` -> `f12`, `12-acacia-road` -> `12ar`), the device id without its
/// premises prefix; `han-n<index>` when that is too long or taken.
pub fn names(devices: &[(&str, &str)]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    devices
        .iter()
        .enumerate()
        .map(|(i, (premises, device))| {
            let p: String = premises
                .split('-')
                .filter(|w| !w.is_empty())
                .map(|w| {
                    if w.starts_with(|c: char| c.is_ascii_digit()) {
                        w.to_string()
                    } else {
                        w.chars().take(1).collect()
                    }
                })
                .collect();
            let d = device
                .strip_prefix(premises)
                .and_then(|d| d.strip_prefix('-'))
                .unwrap_or(device);
            let mut name = format!("{PREFIX}{p}-{d}");
            let ok = name.len() <= IFNAME_MAX
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok || taken.contains(&name) {
                name = format!("{PREFIX}n{i}");
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// Node `i`'s /30 in 10.200.0.0/16: (the device's address, the medium's address).
pub fn addresses(i: u32) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let base = i.checked_mul(4).filter(|b| *b < 1 << 16)?;
    let net = u32::from(Ipv4Addr::new(10, 200, 0, 0)) + base;
    Some((Ipv4Addr::from(net + 1), Ipv4Addr::from(net + 2)))
}

/// An IPv4/UDP packet from the medium's ZEP port to the device's, carrying `zep`.
pub fn udp_packet(from: Ipv4Addr, to: Ipv4Addr, zep: &[u8]) -> Vec<u8> {
    let udp_len = 8 + zep.len();
    let total = 20 + udp_len;
    let mut buf = vec![0u8; total];
    if let Some(mut ip) = MutableIpv4Packet::new(&mut buf) {
        ip.set_version(4);
        ip.set_header_length(5);
        ip.set_total_length(total as u16);
        ip.set_ttl(64);
        ip.set_flags(ipv4::Ipv4Flags::DontFragment);
        ip.set_next_level_protocol(IpNextHeaderProtocols::Udp);
        ip.set_source(from);
        ip.set_destination(to);
        let sum = ipv4::checksum(&ip.to_immutable());
        ip.set_checksum(sum);
    }
    if let Some(mut u) = buf.get_mut(20..).and_then(MutableUdpPacket::new) {
        u.set_source(ZEP_PORT);
        u.set_destination(ZEP_PORT);
        u.set_length(udp_len as u16);
        u.set_payload(zep);
        let sum = udp::ipv4_checksum(&u.to_immutable(), &from, &to);
        u.set_checksum(sum);
    }
    buf
}

/// The ZEP payload of a packet read from a device's interface: IPv4, UDP to the medium's
/// address on the ZEP port (None for anything else: router solicitations, other ports).
pub fn zep_payload(packet: &[u8], medium: Ipv4Addr) -> Option<Vec<u8>> {
    let ip = Ipv4Packet::new(packet)?;
    if ip.get_version() != 4
        || ip.get_next_level_protocol() != IpNextHeaderProtocols::Udp
        || ip.get_destination() != medium
    {
        return None;
    }
    let u = UdpPacket::new(ip.payload())?;
    let len = usize::from(u.get_length()).checked_sub(8)?;
    (u.get_destination() == ZEP_PORT).then(|| u.payload().get(..len).map(<[u8]>::to_vec))?
}

/// Interfaces named `han-*` that are TUN devices no process holds open: left behind by a
/// crashed run that made them persistent, or by `ip tuntap add`. An open TUN descriptor
/// names its interface in `/proc/PID/fdinfo/FD` (`iff:` line).
pub fn stale() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/sys/class/net") else {
        return Vec::new();
    };
    let ours: Vec<String> = dir
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(PREFIX))
        .filter(|n| std::path::Path::new(&format!("/sys/class/net/{n}/tun_flags")).exists())
        .collect();
    if ours.is_empty() {
        return ours;
    }
    let held = held_tun_names();
    ours.into_iter().filter(|n| !held.contains(n)).collect()
}

/// Names of the TUN interfaces some process has open.
fn held_tun_names() -> BTreeSet<String> {
    let mut held = BTreeSet::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return held;
    };
    for p in procs.flatten() {
        let Ok(fds) = std::fs::read_dir(p.path().join("fdinfo")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(info) = std::fs::read_to_string(fd.path()) {
                held.extend(
                    info.lines()
                        .filter_map(|l| l.strip_prefix("iff:"))
                        .map(|n| n.trim().to_string()),
                );
            }
        }
    }
    held
}

/// Delete interface `name` (`ip link delete`).
pub fn delete(name: &str) -> Result<(), String> {
    let out = std::process::Command::new("ip")
        .args(["link", "delete", name])
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Create the TUN interface `name` with the device's address on a /30, IPv6 off (so the
/// only traffic on it is ZEP), and up.
pub fn create(name: &str, device: Ipv4Addr) -> Result<tun::AsyncDevice, tun::Error> {
    let mut cfg = tun::Configuration::default();
    cfg.tun_name(name)
        .address(device)
        .netmask(Ipv4Addr::new(255, 255, 255, 252))
        .mtu(1500);
    let mut dev = tun::create_as_async(&cfg)?;
    // Without this the kernel sends router solicitations into the device's view.
    let _ = std::fs::write(format!("/proc/sys/net/ipv6/conf/{name}/disable_ipv6"), "1");
    use tun::AbstractDevice;
    dev.enabled(true)?;
    Ok(dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_the_kernel_limit_and_are_unique() {
        let n = names(&[
            ("flat-12", "flat-12-ihd"),
            ("12-acacia-road", "ihd"),
            ("flat-5c", "flat-5c-ppmid"),
            ("a-very-long-premises-name-99999", "electricity-meter"),
            ("flat-12", "flat-12-ihd"),
        ]);
        assert_eq!(n[0], "han-f12-ihd");
        assert_eq!(n[1], "han-12ar-ihd");
        assert_eq!(n[2], "han-f5c-ppmid");
        assert_eq!(n[3], "han-n3");
        assert_eq!(n[4], "han-n4");
        assert!(n.iter().all(|s| s.len() <= 15));
    }

    #[test]
    fn each_device_has_its_own_point_to_point_subnet() {
        assert_eq!(
            addresses(0),
            Some((Ipv4Addr::new(10, 200, 0, 1), Ipv4Addr::new(10, 200, 0, 2)))
        );
        assert_eq!(
            addresses(70),
            Some((Ipv4Addr::new(10, 200, 1, 25), Ipv4Addr::new(10, 200, 1, 26)))
        );
        assert_eq!(addresses(1 << 14), None);
    }

    #[test]
    fn zep_goes_into_udp_and_comes_back_out() {
        let (dev, medium) = addresses(3).unwrap();
        let p = udp_packet(medium, dev, b"EX\x02hello");
        let ip = Ipv4Packet::new(&p).unwrap();
        assert_eq!(ipv4::checksum(&ip), ip.get_checksum());
        let u = UdpPacket::new(ip.payload()).unwrap();
        assert_eq!(udp::ipv4_checksum(&u, &medium, &dev), u.get_checksum());
        // Only packets addressed to the medium are taken.
        assert_eq!(zep_payload(&p, medium), None);
        let back = udp_packet(dev, medium, b"EX\x02hello");
        assert_eq!(
            zep_payload(&back, medium).as_deref(),
            Some(&b"EX\x02hello"[..])
        );
        assert_eq!(zep_payload(&back[..10], medium), None);
        assert_eq!(zep_payload(&[0x60; 48], medium), None);
    }
}
