//! The failing premises (their device pairs that close on no band) and which of their devices
//! a unit at each candidate position hears.
use crate::candidates::Site;
use han_radio::building::{Building, Device, Premises};
use han_radio::device::DeviceKind;
use han_radio::geometry::Search;
use han_radio::survey::{Hop, SurveyReport, Verdict, required_pairs};
use han_radio::units::Band;
use rayon::prelude::*;

/// A premises the survey finds needing Alt HAN.
#[derive(Debug, Clone, PartialEq)]
pub struct Failing {
    /// Index into `Building::premises`.
    pub premises: usize,
    /// Device pairs (indices into the premises' devices) that close on no band.
    pub pairs: Vec<(usize, usize)>,
    /// Devices of those pairs, ascending: what Alt HAN units must hear.
    pub endpoints: Vec<usize>,
    /// Best direct margin of the worst failing pair, dB (its better band, weaker direction).
    pub margin_before_db: f64,
    /// The survey's reason.
    pub reason: String,
}

/// A unit at `site` hears a device with `hop`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heard {
    /// Index into the candidate sites.
    pub site: usize,
    /// Band and margin.
    pub hop: Hop,
}

/// Margin of a direct link in its better band (weaker direction), None without a common band.
pub fn direct_margin(b: &Building, x: &Device, y: &Device) -> Option<f64> {
    let t = b.trace(x.pos, x.floor, y.pos, y.floor, Search::Indexed);
    Band::ALL
        .into_iter()
        .filter_map(|band| {
            let xy = b.budget(x, y, &t, band)?;
            let yx = b.budget(y, x, &t, band)?;
            Some(xy.margin.0.min(yx.margin.0))
        })
        .reduce(f64::max)
}

/// The band a premises' HAN runs in when Alt HAN carries it: the GB devices' 2.4 GHz (a
/// premises whose 868 MHz links close needs no Alt HAN, see the dual-band hub option). Alt HAN
/// units talk to the devices in this band, so the planner judges every unit-device link in it.
pub const HAN_BAND: Band = Band::Ghz2_4;

/// Margin above the building's fade margin a unit must have to a device it is to carry, dB. At
/// the faded level (the condition the verification runs in) a link at exactly the fade margin
/// sits at the receiver's sensitivity, where O-QPSK loses a fair share of frames: a unit there
/// would carry a device's frames only now and then.
pub const HEADROOM_DB: f64 = 3.0;

/// The pairs of `p` that do not close in the HAN band, and their devices: what Alt HAN must
/// carry for the premises to work in that band.
pub fn failing_pairs(b: &Building, p: &Premises) -> (Vec<(usize, usize)>, Vec<usize>) {
    let pairs: Vec<(usize, usize)> = required_pairs(p)
        .into_iter()
        .filter(|&(x, y)| {
            b.band_closes(&p.devices[x], &p.devices[y], HAN_BAND)
                .is_none()
        })
        .collect();
    let mut ends: Vec<usize> = pairs.iter().flat_map(|&(x, y)| [x, y]).collect();
    ends.sort_unstable();
    ends.dedup();
    (pairs, ends)
}

/// Every premises whose survey verdict is `needs-alt-han`, in file order.
pub fn failing(b: &Building, report: &SurveyReport) -> Vec<Failing> {
    report
        .premises
        .iter()
        .enumerate()
        .filter(|(_, r)| r.verdict == Verdict::NeedsAltHan)
        .map(|(i, r)| {
            let p = &b.premises[i];
            let (pairs, endpoints) = failing_pairs(b, p);
            let margin_before_db = pairs
                .iter()
                .filter_map(|&(x, y)| direct_margin(b, &p.devices[x], &p.devices[y]))
                .reduce(f64::min)
                .unwrap_or(f64::NEG_INFINITY);
            Failing {
                premises: i,
                pairs,
                endpoints,
                margin_before_db,
                reason: r.reason.clone(),
            }
        })
        .collect()
}

/// For each failing premises and each of its endpoints, the sites where a unit of `kind`
/// hears it in the HAN band with [`HEADROOM_DB`] to spare, ascending by site. With `within`, only the sites listed there for the same
/// endpoint are tried (a unit that hears less, e.g. a P2P unit within a shared unit's list).
pub fn hearing(
    b: &Building,
    sites: &[Site],
    failing: &[Failing],
    kind: DeviceKind,
    within: Option<&[Vec<Vec<Heard>>]>,
) -> Vec<Vec<Vec<Heard>>> {
    let units: Vec<Device> = sites.iter().map(|s| s.unit(b, "", kind)).collect();
    failing
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = &b.premises[f.premises];
            f.endpoints
                .iter()
                .enumerate()
                .map(|(k, &e)| {
                    let hears = |site: usize| {
                        Some(Heard {
                            site,
                            hop: Hop {
                                band: HAN_BAND,
                                margin: b
                                    .band_closes(&p.devices[e], &units[site], HAN_BAND)
                                    .filter(|m| m.0 >= b.fade_margin.0 + HEADROOM_DB)?,
                            },
                        })
                    };
                    match within {
                        Some(w) => w[i][k].iter().filter_map(|h| hears(h.site)).collect(),
                        None => (0..units.len()).filter_map(hears).collect(),
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::sites;
    use han_radio::bundled;

    #[test]
    fn farmhouse_needs_the_ihd_and_the_hub_side_heard() {
        let (file, src) = bundled::ALL[2];
        let b = Building::from_toml(file, src).unwrap();
        let f = failing(&b, &b.survey());
        assert_eq!(f.len(), 1);
        // ch-ihd and ihd-esme fail; ch-esme (same box) closes.
        assert_eq!(f[0].pairs, vec![(0, 2), (2, 1)]);
        assert_eq!(f[0].endpoints, vec![0, 1, 2]);
        assert!((f[0].margin_before_db - 4.1).abs() < 0.1, "{:?}", f[0]);
        let s = sites(&b);
        let h = hearing(&b, &s.sites, &f, DeviceKind::P2pRepeater, None);
        // A P2P unit (same power, worse sensitivity) hears nothing a shared node does not.
        let shared = hearing(&b, &s.sites, &f, DeviceKind::AltHanNode, None);
        assert_eq!(
            hearing(&b, &s.sites, &f, DeviceKind::P2pRepeater, Some(&shared)),
            h
        );
        // Units hear the hub outdoors and the IHD around its room, but no unit in the IHD's
        // room (east of the stone spine wall) hears the hub through the rubble walls.
        let at = |k: usize| {
            h[0][k]
                .iter()
                .map(|x| s.sites[x.site].at)
                .collect::<Vec<_>>()
        };
        assert!(!at(0).is_empty() && !at(2).is_empty());
        assert!(
            at(2)
                .iter()
                .any(|p| p.x > 36.0 && p.x < 42.0 && p.y > 0.0 && p.y < 7.0)
        );
        assert!(
            !at(0)
                .iter()
                .any(|p| p.x > 36.0 && p.x < 42.0 && p.y > 0.0 && p.y < 7.0)
        );
    }
}
