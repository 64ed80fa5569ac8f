//! A lost Transport Key of an application link key: the IHD asks the trust centre again one
//! APS ack wait after its last Request Key while the ESME's secured reports still need the
//! key, and reads them a few seconds later instead of half a minute; a trust centre whose
//! answers never arrive is asked with a backoff, not flooded.

use han_devices::host::DeviceHost;
use han_devices::ihd::Ihd;
use han_devices::scenario::{AsHost, ScenarioConfig, hosts};
use han_mesh::radio::{Node, NodeCtx, NodeInput, RadioConfig};
use han_mesh::sim::building_air;
use han_mesh::time::{Duration, SimTime};
use han_mesh::world::World;
use han_radio::building::Building;
use han_stack::aps::ApsFrame;
use han_stack::aps::ack::ACK_WAIT_NS;
use han_stack::aps::trust_centre::accept_application_key;
use han_stack::mac::{MacFrame, MacPayload};
use han_stack::nwk::NwkFrame;
use han_stack::nwk::security::NwkSecurity;
use han_stack::wire::{ExtAddr, Wire};

/// What the IHD's radio loses: application-link Transport Keys from the trust centre.
struct KeyLoss {
    network_key: [u8; 16],
    link_key: [u8; 16],
    trust_centre: ExtAddr,
    /// How many more to lose.
    left: u32,
    /// When each was lost.
    lost: Vec<SimTime>,
}

impl KeyLoss {
    /// `psdu` carries a Transport Key of an application link key for this device: it opens
    /// under the network key, then under the device's link key.
    fn is_app_key(&self, psdu: &[u8]) -> bool {
        let Ok((mac, _, true)) = MacFrame::parse_with_fcs(psdu) else {
            return false;
        };
        let MacPayload::Data(bytes) = &mac.payload else {
            return false;
        };
        let Ok(nwk) = NwkFrame::from_bytes(bytes) else {
            return false;
        };
        // A fresh NWK state: the world already dropped MAC duplicates.
        let mut sec = NwkSecurity::default();
        sec.install_key(self.network_key, 0);
        let Ok(plain) = sec.open(&nwk) else {
            return false;
        };
        ApsFrame::from_bytes(&plain)
            .ok()
            .and_then(|aps| accept_application_key(&aps, &self.link_key, self.trust_centre))
            .is_some()
    }
}

/// A device of the run; the IHD's loses Transport Keys and notes its electricity updates.
struct Device {
    host: DeviceHost,
    loss: Option<KeyLoss>,
    /// When the IHD showed each new electricity reading.
    updates: Vec<SimTime>,
}

impl Device {
    fn electricity_updates(&self, now: SimTime) -> u64 {
        self.host
            .behaviour()
            .as_any()
            .downcast_ref::<Ihd>()
            .map_or(0, |i| i.display_at(now).electricity_updates)
    }
}

impl AsHost for Device {
    fn as_host(&self) -> Option<&DeviceHost> {
        Some(&self.host)
    }
}

impl Node for Device {
    fn radio_config(&self) -> RadioConfig {
        self.host.radio_config()
    }

    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        if let (Some(loss), NodeInput::Received(r)) = (self.loss.as_mut(), &input)
            && loss.left > 0
            && loss.is_app_key(r.psdu)
        {
            loss.left -= 1;
            loss.lost.push(ctx.now);
            return;
        }
        let before = self.electricity_updates(ctx.now);
        self.host.handle(input, ctx);
        if self.electricity_updates(ctx.now) > before {
            self.updates.push(ctx.now);
        }
    }
}

/// The terraced house for `secs` simulated seconds, the IHD losing the first `lose`
/// application-link Transport Keys sent to it.
fn run(lose: u32, secs: u64) -> World<Device> {
    let src = include_str!("../../examples/buildings/terraced-house.toml");
    let b = Building::from_toml("terraced-house.toml", src).unwrap();
    let cfg = ScenarioConfig::default();
    let air = building_air(&b, cfg.band);
    let (nodes, keys) = hosts(&b, &cfg, &air, &|_| None);
    let trust_centre = nodes.iter().find(|h| h.id == "ch").unwrap().ext_addr();
    let ihd_link = keys.link.iter().find(|(d, _)| d == "ihd").unwrap().1;
    let nodes = nodes
        .into_iter()
        .map(|host| Device {
            loss: (host.id == "ihd").then(|| KeyLoss {
                network_key: keys.network[0].1,
                link_key: ihd_link,
                trust_centre,
                left: lose,
                lost: Vec::new(),
            }),
            host,
            updates: Vec::new(),
        })
        .collect();
    let mut w = air.world(nodes, cfg.seed);
    w.run_until(SimTime::ZERO + Duration::secs(secs));
    w
}

fn ihd(w: &World<Device>) -> &Device {
    w.nodes().iter().find(|d| d.host.id == "ihd").unwrap()
}

#[test]
fn a_lost_transport_key_is_asked_for_again_after_one_aps_ack_wait() {
    // The first is the copy of the ESME's Request Key; the second answers the IHD's own
    // request, when the ESME's first secured report could not be read.
    let w = run(2, 180);
    let d = ihd(&w);
    let lost = &d.loss.as_ref().unwrap().lost;
    assert_eq!(lost.len(), 2, "{lost:?}");
    let since = d
        .updates
        .iter()
        .find(|&&t| t > lost[1])
        .map(|&t| (t - lost[1]).as_secs_f64());
    // The ESME sends its report again an APS ack wait apart (3 times): the IHD's next
    // request after one ack wait brings the key in time for one of them. Asking again only
    // after 30 s, it read nothing for 30 s.
    let limit = 4.0 * ACK_WAIT_NS as f64 / 1e9;
    assert!(
        since.is_some_and(|s| s <= limit),
        "{since:?} s after {lost:?}, updates {:?}",
        d.updates
    );
    assert!(d.host.stats.app_key_requests >= 2, "{:?}", d.host.stats);
}

#[test]
fn a_trust_centre_whose_answers_never_arrive_is_asked_with_a_backoff() {
    let secs = 300;
    let w = run(u32::MAX, secs);
    let d = ihd(&w);
    let lost = &d.loss.as_ref().unwrap().lost;
    let first = lost.first().expect("a Transport Key to lose");
    let requests = d.host.stats.app_key_requests;
    // Waits of 1.6, 3.2, 6.4, 12.8 and 25.6 s, then 30 s: six requests in the first 50 s,
    // then one every 30 s. Each of the ESME's secured reports and their APS retries (an ack
    // wait apart) would otherwise ask once.
    let after_s = (SimTime::ZERO + Duration::secs(secs) - *first).as_secs_f64();
    let most = 6 + ((after_s - 49.6) / 30.0).ceil().max(0.0) as u32;
    assert!(requests >= 6, "{requests} requests, lost {lost:?}");
    assert!(
        requests <= most,
        "{requests} requests > {most}, lost {lost:?}"
    );
}
