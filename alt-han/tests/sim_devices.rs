//! The full GB devices with the planned Alt HAN equipment on one air: the devices join and
//! read across the gateway units as if they were not there.
use han_althan::apply::apply;
use han_althan::plan::{Fix, plan};
use han_althan::sim::{GatewayConfig, Run, SimSummary, build, summarise};
use han_devices::scenario::{PremisesRow, ScenarioConfig};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;
use han_radio::bundled;
use han_radio::units::Band;

/// The bundled building planned, the plan applied, and the planned premises' ids.
fn planned(name: &str) -> (Building, Vec<String>) {
    let (file, src) = bundled::ALL
        .iter()
        .find(|(f, _)| *f == name)
        .copied()
        .unwrap();
    let p = plan(&Building::from_toml(file, src).unwrap());
    let out = apply(src, &p).unwrap();
    let ids = p
        .plans
        .iter()
        .filter(|x| x.fix != Fix::Exempt)
        .map(|x| x.id.clone())
        .collect();
    (Building::from_toml("applied.toml", &out).unwrap(), ids)
}

fn run(b: &Building, g: &GatewayConfig, band: Band, secs: u64) -> (Run, SimSummary) {
    let cfg = ScenarioConfig {
        band,
        ..ScenarioConfig::default()
    };
    let mut r = build(b, &cfg, g);
    r.world.run_until(SimTime::ZERO + Duration::secs(secs));
    let s = summarise(b, &r, &cfg);
    (r, s)
}

/// Every device joined and the IHD's electricity data fresh: updated, never more than two
/// minutes between updates after the first half hour's joining.
fn works(p: &PremisesRow) -> bool {
    let joined = p.devices.iter().all(|d| d.nwk_addr.is_some());
    let ihd = p.ihd.as_ref();
    joined && ihd.is_some_and(|i| i.electricity_updates > 0 && i.electricity_max_gap_s <= 120.0)
}

#[test]
fn farmhouse_ihd_is_fresh_through_the_p2p_pair_and_stale_without() {
    let (b, ids) = planned("farmhouse.toml");
    assert_eq!(ids, ["high-barn-farm"]);
    let (_, before) = run(
        &b,
        &GatewayConfig {
            without_units: true,
            ..GatewayConfig::default()
        },
        Band::Ghz2_4,
        3600,
    );
    let p = &before.devices.premises[0];
    let ihd = p.ihd.as_ref().unwrap();
    assert_eq!(ihd.electricity_updates, 0, "{}", before.text());
    assert!(!works(p));
    let (r, after) = run(&b, &GatewayConfig::default(), Band::Ghz2_4, 3600);
    let p = &after.devices.premises[0];
    assert!(works(p), "{}", after.text());
    // The IHD's parent is across the pair; the units carried its frames with the backhaul's
    // latency and learned the short addresses the joins assigned.
    assert_eq!(after.alt_han.len(), 2);
    for u in &after.alt_han {
        assert!(u.stats.emitted > 0 && u.backhaul.delivered > 0, "{u:?}");
        assert!(u.stats.learned > 0, "{u:?}");
        assert!(u.backhaul_delay_ms >= 0.2, "{u:?}");
    }
    assert!(r.world.nodes().len() > 3);
}

#[test]
fn a_ten_minute_backhaul_outage_loses_no_meter_reading() {
    let (b, _) = planned("farmhouse.toml");
    let down = (
        SimTime::ZERO + Duration::secs(1200),
        SimTime::ZERO + Duration::secs(1800),
    );
    let g = GatewayConfig {
        backhaul_outages: vec![down],
        ..GatewayConfig::default()
    };
    let (_, s) = run(&b, &g, Band::Ghz2_4, 3600);
    let p = &s.devices.premises[0];
    // The outage is in the stats: frames dropped on the backhaul while it was down.
    let dropped: u64 = s.alt_han.iter().map(|u| u.backhaul.dropped_down).sum();
    assert!(dropped > 100, "{}", s.text());
    // No reading is lost and the IHD stays fresh: at the farmhouse each unit (by the house
    // wall) hears both ends, so what one hears it re-emits itself to its own devices while
    // the backhaul is down; the odd frame lost meanwhile is resent by the MAC and APS.
    assert_eq!(p.readings_lost, 0, "{}", s.text());
    let e = p.electricity.as_ref().unwrap();
    assert!(e.reports[1] + 1 >= e.reports[0], "{}", s.text());
    let ihd = p.ihd.as_ref().unwrap();
    assert!(ihd.electricity_max_gap_s <= 60.0, "{}", s.text());
    assert_eq!(ihd.electricity_wh, e.last_reported_wh, "{}", s.text());
}
