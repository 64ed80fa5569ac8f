//! The PPMID's top-up reaches the ESME's credit, and the HCALCS switches on the off-peak
//! schedule by the comms hub's clock (the terraced house with both added).

use han_devices::hcalcs::{OFF_AT_S, ON_AT_S};
use han_devices::ppmid::TOP_UP_P;
use han_devices::scenario::{ScenarioConfig, build, summarise};
use han_mesh::time::{Duration, SimTime};
use han_radio::building::Building;

#[test]
fn top_up_reaches_the_meter_and_the_switch_keeps_time() {
    let src = include_str!("../../examples/buildings/terraced-house.toml").replace(
        "  { id = \"ihd\",",
        "  { id = \"ppmid\", kind = \"ppmid\", floor = 0, at = [8.0, 1.0], height_m = 1.2 },\n  \
         { id = \"hcalcs\", kind = \"hcalcs\", floor = 0, at = [4.0, 2.0], height_m = 0.5 },\n  \
         { id = \"ihd\",",
    );
    let b = Building::from_toml("terraced-with-ppmid.toml", &src).unwrap();
    let cfg = ScenarioConfig::default();
    let (mut w, _) = build(&b, &cfg);
    w.run_until(SimTime::ZERO + Duration::secs(5 * 3600));
    let s = summarise(&b, &w, &cfg);
    let p = &s.premises[0];
    assert!(p.all_joined_s.is_some(), "{}", s.text());
    // The top-up was accepted and is in the ESME's credit.
    let (shown, accepted) = p.ppmid.clone().unwrap();
    assert_eq!(accepted, [TOP_UP_P]);
    let e = p.electricity.as_ref().unwrap();
    let spent = (e.register_wh * han_devices::esme::UNIT_PRICE_P_PER_KWH / 1000) as i64;
    assert_eq!(
        e.credit_p,
        han_devices::esme::INITIAL_CREDIT_P + TOP_UP_P - spent
    );
    // The PPMID shows a credit read within the last 10 minutes: at most 10 minutes of
    // consumption (a few kW at most) above the meter's.
    let shown = shown.unwrap();
    assert!(
        shown >= e.credit_p && shown <= e.credit_p + 5,
        "{shown} vs {}",
        e.credit_p
    );
    // Simulated time 0 is midnight UTC: on at 00:30, off at 04:30, by the hub's clock.
    let switchings = p.hcalcs.clone().unwrap();
    assert_eq!(switchings, [(ON_AT_S, true), (OFF_AT_S, false)]);
}
