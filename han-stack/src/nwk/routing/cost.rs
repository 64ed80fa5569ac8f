//! Link cost (Zigbee PRO R22 3.6.3.1): C{l} = min(7, round(1 / p_l^4)), with the
//! probability of delivery p_l estimated from the link quality indication as LQI/255.

/// The largest link cost; a link of this cost is not used for routing.
pub const MAX_LINK_COST: u8 = 7;

/// The link cost for an LQI: 1 for a perfect link, 7 for LQI 0 and anything at or
/// below about 62 % of full scale.
pub fn cost_from_lqi(lqi: u8) -> u8 {
    if lqi == 0 {
        return MAX_LINK_COST;
    }
    // round(255^4 / lqi^4) in integers: (2·a + b) / (2·b).
    let a = 255u128.pow(4);
    let b = u128::from(lqi).pow(4);
    let c = (2 * a + b) / (2 * b);
    c.clamp(1, u128::from(MAX_LINK_COST)) as u8
}

/// The cost of a link used in both directions (nwkSymLink TRUE): the larger of
/// the incoming cost and the outgoing cost the neighbour reported; an unknown
/// outgoing cost (0) makes the link unusable.
pub fn symmetric_link_cost(incoming: u8, outgoing: u8) -> u8 {
    if outgoing == 0 {
        MAX_LINK_COST
    } else {
        incoming.max(outgoing).min(MAX_LINK_COST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lqi_to_cost_follows_one_over_p_to_the_fourth() {
        // p = 1 → 1; p = 0.9 (229) → 1.52 → 2; p = 0.8 (204) → 2.44 → 2;
        // p = 0.75 (191) → 3.16 → 3; p = 0.7 (178) → 4.2 → 4; p = 0.66 (168) → 5.3 → 5.
        let got: Vec<u8> = [255, 229, 204, 191, 178, 168, 160, 150, 100, 0]
            .iter()
            .map(|l| cost_from_lqi(*l))
            .collect();
        assert_eq!(got, [1, 2, 2, 3, 4, 5, 6, 7, 7, 7]);
    }

    #[test]
    fn unknown_outgoing_cost_makes_a_link_unusable() {
        assert_eq!(symmetric_link_cost(1, 0), MAX_LINK_COST);
        assert_eq!(symmetric_link_cost(1, 3), 3);
        assert_eq!(symmetric_link_cost(4, 2), 4);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn cost_falls_as_lqi_rises(a in any::<u8>(), b in any::<u8>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!((1..=7).contains(&cost_from_lqi(a)));
            prop_assert!(cost_from_lqi(hi) <= cost_from_lqi(lo));
        }
    }
}
