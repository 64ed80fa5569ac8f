//! A building's air for the virtual mesh: the link table from han-radio's link budgets, the
//! band's PHY and receiver parameters, and the Wi-Fi access points as interferers. The
//! devices on it are han-devices' hosts (`han sim`) and Alt HAN units (han-althan).

use crate::medium::LinkTable;
use crate::time::Duration;
use crate::world::{AirConfig, Interface, Interferer, World};
use han_radio::building::Building;
use han_radio::geometry::Search;
use han_radio::link::{bandwidth, noise_floor};
use han_radio::units::Band;

/// Length of one Wi-Fi burst (a typical aggregated frame plus its ACK; an assumption).
pub const WIFI_BURST_US: u64 = 1_500;

/// The air of a building in `band` for receivers of `sensitivity_dbm`: the band's PHY and
/// duty-cycle rules, the building's noise figure, the CCA threshold as far above the
/// sensitivity as the band's default.
pub fn air_for(b: &Building, band: Band, sensitivity_dbm: f64) -> AirConfig {
    let base = match band {
        Band::Ghz2_4 => AirConfig::default(),
        Band::Mhz868 => AirConfig::gb868(),
    };
    AirConfig {
        sensitivity_dbm,
        cca_threshold_dbm: sensitivity_dbm + (base.cca_threshold_dbm - base.sensitivity_dbm),
        noise_dbm: noise_floor(bandwidth(band), b.noise_figure).0,
        ..base
    }
}

/// The air of a building in one band: its parameters, the link table, the devices with a
/// radio in the band (premises index, device index in the premises), in node order, and
/// the Wi-Fi access points as interferers.
pub struct BuildingAir {
    /// Receiver and channel parameters.
    pub air: AirConfig,
    /// Received power between every pair of devices.
    pub links: LinkTable,
    /// (premises index, device index) of each node.
    pub devices: Vec<(usize, usize)>,
    /// Wi-Fi access points as duty-cycled bursts at every device they reach.
    pub interferers: Vec<Interferer>,
    /// The bands of the air ([`BuildingAir::air`] first; a dual-band air: 2.4 GHz, GB868).
    pub bands: Vec<AirConfig>,
    /// Each node's band (index into `bands`): `devices`, then the extra radios.
    pub band_of: Vec<u8>,
    /// Further radios of the devices (a dual-band device's GB868 radio), after the nodes.
    pub interfaces: Vec<Interface>,
}

impl BuildingAir {
    /// The world of `nodes` (one per device, then one per extra radio) on this air, with
    /// its interferers.
    pub fn world<N: crate::radio::Node>(self, nodes: Vec<N>, seed: u64) -> World<N> {
        let mut w = World::with_bands(
            &self.bands,
            &self.band_of,
            &self.interfaces,
            self.links,
            nodes,
            seed,
        );
        for i in self.interferers {
            w.add_interferer(i);
        }
        w
    }
}

/// The building's Wi-Fi access points as duty-cycled bursts at the `devices` (node order)
/// they reach, and the interferer of each access point in file order (None: it reaches
/// no device or never transmits).
pub fn wifi_interferers(
    b: &Building,
    band: Band,
    devices: &[&han_radio::building::Device],
    noise_dbm: f64,
) -> (Vec<Interferer>, Vec<Option<u32>>) {
    let indexed: Vec<(u32, &han_radio::building::Device)> = devices
        .iter()
        .enumerate()
        .map(|(n, d)| (n as u32, *d))
        .collect();
    wifi_at(b, band, &indexed, noise_dbm)
}

/// [`wifi_interferers`] at the radios `devices` (node number, device).
fn wifi_at(
    b: &Building,
    band: Band,
    devices: &[(u32, &han_radio::building::Device)],
    noise_dbm: f64,
) -> (Vec<Interferer>, Vec<Option<u32>>) {
    let mut interferers = Vec::new();
    let mut index = Vec::new();
    for ap in &b.wifi {
        let powers: Vec<(u32, f64)> = devices
            .iter()
            .filter_map(|&(n, d)| Some((n, wifi_dbm(b, ap, d, band, noise_dbm)?)))
            .collect();
        if !powers.is_empty() && ap.duty > 0.0 {
            index.push(Some(interferers.len() as u32));
            interferers.push(Interferer {
                powers,
                duty: ap.duty,
                burst: Duration::micros(WIFI_BURST_US),
            });
        } else {
            index.push(None);
        }
    }
    (interferers, index)
}

/// The devices of `b` with a radio in `band`, in node order: (premises index, device index).
pub fn air_devices(b: &Building, band: Band) -> Vec<(usize, usize)> {
    b.premises
        .iter()
        .enumerate()
        .flat_map(|(p, pr)| pr.devices.iter().enumerate().map(move |(i, _)| (p, i)))
        .filter(|&(p, i)| b.premises[p].devices[i].radio(band).is_some())
        .collect()
}

/// The power `rx` receives from `tx` in `band` (dBm; None without a path): han-radio's
/// link budget over the traced path.
pub fn link_dbm(
    b: &Building,
    tx: &han_radio::building::Device,
    rx: &han_radio::building::Device,
    band: Band,
) -> Option<f64> {
    let t = b.trace(tx.pos, tx.floor, rx.pos, rx.floor, Search::Indexed);
    b.received_power(tx, rx, &t, band).map(|p| p.rx.0)
}

/// The power of access point `ap` at `d` while it transmits (dBm), if it is at least
/// `noise_dbm` − 10 dB: below that a burst moves the SINR by under 0.4 dB.
pub fn wifi_dbm(
    b: &Building,
    ap: &han_radio::building::WifiAp,
    d: &han_radio::building::Device,
    band: Band,
    noise_dbm: f64,
) -> Option<f64> {
    let p = b.wifi_power_at(ap, d, band, Search::Indexed)?.0;
    (p >= noise_dbm - 10.0).then_some(p)
}

/// The link table from han-radio's link budgets (path loss, walls, floors, enclosures,
/// antenna gains) for every device of `b` with a radio in `band`.
pub fn building_air(b: &Building, band: Band) -> BuildingAir {
    building_air_with(b, band, &[], &[], 0.0)
}

/// [`building_air`] with `extra` radios (e.g. Alt HAN units) as further nodes after the
/// devices (in the link table and the interferers, not in `devices`), and every link
/// `fade_db` below its budget. Each entry of `further` gives `extra[j]` one more radio in
/// the band (an [`Interface`] of its node, in order: a unit listening on several channels);
/// radios of one node have no link between them.
pub fn building_air_with(
    b: &Building,
    band: Band,
    extra: &[&han_radio::building::Device],
    further: &[usize],
    fade_db: f64,
) -> BuildingAir {
    let own = air_devices(b, band);
    let extra: Vec<&han_radio::building::Device> = extra
        .iter()
        .copied()
        .filter(|d| d.radio(band).is_some())
        .collect();
    let nodes = own.len() + extra.len();
    let further: Vec<usize> = further
        .iter()
        .copied()
        .filter(|&j| j < extra.len())
        .collect();
    // Every radio with its node: the devices, the extra nodes, then their further radios.
    let radios: Vec<(&han_radio::building::Device, usize)> = own
        .iter()
        .map(|&(p, i)| &b.premises[p].devices[i])
        .chain(extra.iter().copied())
        .enumerate()
        .map(|(n, d)| (d, n))
        .chain(further.iter().map(|&j| (extra[j], own.len() + j)))
        .collect();
    let sensitivity = radios
        .iter()
        .filter_map(|(d, _)| d.radio(band).map(|r| r.sensitivity.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let air = air_for(b, band, sensitivity);
    let positions = radios
        .iter()
        .map(|(d, _)| [d.pos.x, d.pos.y, d.pos.z])
        .collect();
    let links = LinkTable::build(positions, air.noise_dbm - 10.0, |a, c| {
        let ((da, na), (dc, nc)) = (radios[a], radios[c]);
        (na != nc)
            .then(|| link_dbm(b, da, dc, band))
            .flatten()
            .map(|dbm| dbm - fade_db)
    });
    let devices: Vec<&han_radio::building::Device> = radios.iter().map(|(d, _)| *d).collect();
    let (interferers, _) = wifi_interferers(b, band, &devices, air.noise_dbm);
    let interfaces = further
        .iter()
        .map(|&j| Interface {
            node: (own.len() + j) as u32,
            band: 0,
        })
        .collect();
    BuildingAir {
        air,
        links,
        band_of: vec![0; nodes],
        devices: own,
        interferers,
        bands: vec![air],
        interfaces,
    }
}

/// The air of a building on both bands: every device with a radio in either is a node on
/// its first band (2.4 GHz if it has it), `extra` radios (Alt HAN units) follow on 2.4 GHz,
/// and each device with both radios for which `dual(premises, device)` holds gets its
/// GB868 radio as a further radio after them. Links join radios of one band only (each
/// band's own budget, `fade_db` below it), and Wi-Fi reaches only 2.4 GHz radios.
pub fn building_air_dual(
    b: &Building,
    extra: &[&han_radio::building::Device],
    fade_db: f64,
    dual: &dyn Fn(usize, usize) -> bool,
) -> BuildingAir {
    const BANDS: [Band; 2] = [Band::Ghz2_4, Band::Mhz868];
    let own: Vec<(usize, usize)> = b
        .premises
        .iter()
        .enumerate()
        .flat_map(|(p, pr)| pr.devices.iter().enumerate().map(move |(i, _)| (p, i)))
        .filter(|&(p, i)| {
            BANDS
                .iter()
                .any(|&k| b.premises[p].devices[i].radio(k).is_some())
        })
        .collect();
    let device = |(p, i): (usize, usize)| &b.premises[p].devices[i];
    // Every radio: (device, band index).
    let mut radios: Vec<(&han_radio::building::Device, u8)> = own
        .iter()
        .map(|&k| (device(k), u8::from(device(k).radio(Band::Ghz2_4).is_none())))
        .collect();
    radios.extend(
        extra
            .iter()
            .filter(|d| d.radio(Band::Ghz2_4).is_some())
            .map(|d| (*d, 0)),
    );
    let mut interfaces = Vec::new();
    for (n, &(p, i)) in own.iter().enumerate() {
        let d = device((p, i));
        if d.radio(Band::Ghz2_4).is_some() && d.radio(Band::Mhz868).is_some() && dual(p, i) {
            interfaces.push(Interface {
                node: n as u32,
                band: 1,
            });
            radios.push((d, 1));
        }
    }
    let bands: Vec<AirConfig> = BANDS
        .iter()
        .enumerate()
        .map(|(k, &band)| {
            let sensitivity = radios
                .iter()
                .filter(|r| r.1 == k as u8)
                .filter_map(|(d, _)| d.radio(band).map(|r| r.sensitivity.0))
                .fold(f64::NEG_INFINITY, f64::max);
            // A band no radio uses keeps its default sensitivity.
            let sensitivity = if sensitivity.is_finite() {
                sensitivity
            } else {
                air_for(b, band, -100.0).sensitivity_dbm
            };
            air_for(b, band, sensitivity)
        })
        .collect();
    let floor = bands
        .iter()
        .map(|a| a.noise_dbm)
        .fold(f64::INFINITY, f64::min)
        - 10.0;
    let positions = radios
        .iter()
        .map(|(d, _)| [d.pos.x, d.pos.y, d.pos.z])
        .collect();
    let links = LinkTable::build(positions, floor, |a, c| {
        let ((da, ka), (dc, kc)) = (radios[a], radios[c]);
        (ka == kc)
            .then(|| link_dbm(b, da, dc, BANDS[ka as usize]))
            .flatten()
            .map(|dbm| dbm - fade_db)
            .filter(|&dbm| dbm >= bands[ka as usize].noise_dbm - 10.0)
    });
    let on_2g4: Vec<(u32, &han_radio::building::Device)> = radios
        .iter()
        .enumerate()
        .filter(|(_, r)| r.1 == 0)
        .map(|(n, r)| (n as u32, r.0))
        .collect();
    let (interferers, _) = wifi_at(b, Band::Ghz2_4, &on_2g4, bands[0].noise_dbm);
    BuildingAir {
        air: bands[0],
        links,
        band_of: radios
            .iter()
            .map(|r| r.1)
            .take(radios.len() - interfaces.len())
            .collect(),
        devices: own,
        interferers,
        bands,
        interfaces,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_radios_follow_the_devices_and_links_fade() {
        let (name, src) = han_radio::bundled::ALL[0];
        let b = Building::from_toml(name, src).unwrap();
        let plain = building_air(&b, Band::Ghz2_4);
        let n = plain.devices.len() as u32;
        // The first device again as an extra radio: a node after the devices.
        let (p, i) = plain.devices[0];
        let extra = &b.premises[p].devices[i];
        let faded = building_air_with(&b, Band::Ghz2_4, &[extra], &[], 10.0);
        assert_eq!(faded.devices, plain.devices);
        assert_eq!(faded.links.len(), plain.links.len() + 1);
        let db = |mw: f64| 10.0 * mw.log10();
        let (a, c) = (plain.links.power_mw(0, 1), faded.links.power_mw(0, 1));
        assert!((db(a.unwrap()) - db(c.unwrap()) - 10.0).abs() < 1e-3);
        assert_eq!(faded.links.position(n), plain.links.position(0));
    }

    #[test]
    fn further_radios_are_interfaces_of_their_extra_node() {
        let (name, src) = han_radio::bundled::ALL[0];
        let b = Building::from_toml(name, src).unwrap();
        let (p, i) = air_devices(&b, Band::Ghz2_4)[0];
        let unit = &b.premises[p].devices[i];
        // One extra node with two further radios: radios n (the node), n + 1, n + 2.
        let air = building_air_with(&b, Band::Ghz2_4, &[unit], &[0, 0], 0.0);
        let n = air.devices.len() as u32;
        assert_eq!(air.band_of.len(), n as usize + 1);
        assert_eq!(air.links.len(), n as usize + 3);
        let node = Interface { node: n, band: 0 };
        assert_eq!(air.interfaces, [node, node]);
        // Each radio hears the devices as the node does, and none hears another of its own.
        for r in [n + 1, n + 2] {
            assert_eq!(air.links.power_mw(0, r), air.links.power_mw(0, n));
            assert_eq!(air.links.power_mw(r, 0), air.links.power_mw(n, 0));
            for own in [n, n + 1, n + 2] {
                assert_eq!(air.links.power_mw(r, own), None);
            }
        }
        assert!(air.links.power_mw(0, n).is_some());
    }
}
