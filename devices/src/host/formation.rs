//! Network formation at the comms hub (Zigbee PRO R22 3.2.2.2.3, NLME-NETWORK-FORMATION):
//! an energy detection scan over the candidate channels, then the PAN on the quietest.
//! Hubs that find several channels about equally quiet pick one of them at random, so
//! that the hubs of a block spread over the band rather than pile onto one channel.

use super::{DeviceHost, Role};
use han_mesh::radio::{NodeCtx, Radio};

/// Channels within this many dB of the quietest count as equally quiet (an assumption:
/// the energy detector's accuracy, IEEE 802.15.4-2015 10.2.5 asks for ±6 dB).
const EQUALLY_QUIET_DB: f64 = 3.0;

/// An energy scan under way: the channels still to measure and what was measured.
#[derive(Debug, Clone, Default)]
pub(super) struct EnergyScan {
    todo: Vec<u8>,
    measured: Vec<(u8, f64)>,
}

impl EnergyScan {
    /// The channel to pick from measured energies (dBm): one of the quietest within
    /// [`EQUALLY_QUIET_DB`], chosen by `pick(n)` in `0..n`.
    pub(super) fn choose(measured: &[(u8, f64)], pick: impl FnOnce(u64) -> u64) -> Option<u8> {
        let min = measured.iter().map(|m| m.1).fold(f64::INFINITY, f64::min);
        let quiet: Vec<u8> = measured
            .iter()
            .filter(|m| m.1 <= min + EQUALLY_QUIET_DB)
            .map(|m| m.0)
            .collect();
        let n = quiet.len() as u64;
        (n > 0).then(|| quiet[pick(n).min(n - 1) as usize])
    }
}

impl DeviceHost {
    /// Start forming: measure each candidate channel in turn (the first now).
    pub(super) fn start_formation(&mut self, ctx: &mut NodeCtx<'_>) {
        let mut todo = self.channels.clone();
        todo.reverse();
        self.scan = Some(EnergyScan {
            todo,
            measured: Vec::new(),
        });
        self.scan_next(ctx);
    }

    fn scan_next(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(scan) = self.scan.as_mut() else {
            return;
        };
        match scan.todo.pop() {
            Some(c) => {
                self.config.channel = c;
                ctx.configure(self.config);
                ctx.energy_detect();
            }
            None => {
                let measured = std::mem::take(&mut scan.measured);
                self.scan = None;
                let rng = &mut *ctx.rng;
                let chosen = EnergyScan::choose(&measured, |n| rng.range_u64(0, n));
                self.config.channel = chosen.unwrap_or(self.config.channel);
                ctx.configure(self.config);
                self.stats.channel = Some(self.config.channel);
                self.formed(ctx);
            }
        }
    }

    /// The energy on the channel being measured, dBm.
    pub(super) fn on_energy(&mut self, dbm: f64, ctx: &mut NodeCtx<'_>) {
        let Some(scan) = self.scan.as_mut() else {
            return;
        };
        scan.measured.push((self.config.channel, dbm));
        self.scan_next(ctx);
    }

    /// The PAN exists: the coordinator routes and its application starts.
    pub(super) fn formed(&mut self, ctx: &mut NodeCtx<'_>) {
        if !matches!(self.role, Role::Coordinator { .. }) {
            return;
        }
        self.stats.channel = Some(self.config.channel);
        self.start_router(0x0000, ctx);
        self.started = true;
        self.with_behaviour(ctx, |b, api| b.joined(api));
    }
}

#[cfg(test)]
mod tests {
    use super::EnergyScan;

    #[test]
    fn picks_among_the_quietest_only() {
        let m = [(11, -60.0), (15, -95.0), (20, -93.5), (25, -80.0)];
        assert_eq!(EnergyScan::choose(&m, |_| 0), Some(15));
        assert_eq!(EnergyScan::choose(&m, |n| n - 1), Some(20));
        assert_eq!(EnergyScan::choose(&m, |n| n + 5), Some(20));
        assert_eq!(EnergyScan::choose(&[], |_| 0), None);
    }
}
