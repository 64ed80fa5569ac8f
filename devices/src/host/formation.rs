//! Network formation at the comms hub (Zigbee PRO R22 3.2.2.2.3, NLME-NETWORK-FORMATION):
//! an energy detection scan over the candidate channels, then an active scan (a Beacon
//! Request on each quiet channel and the beacons that answer, IEEE 802.15.4-2015 6.3.1),
//! then the PAN on the quiet channel with the fewest networks, under a PAN ID no beacon
//! heard uses. Hubs that find several channels about equally good pick one of them at
//! random, so that the hubs of a block spread over the band rather than pile onto one.
//!
//! Hubs powered on together cannot hear each other's beacons while they form; one that
//! later hears a beacon of its own PAN ID from another network resolves the conflict
//! (Zigbee PRO R22 3.6.1.13): it draws a new PAN ID, broadcasts a Network Update, and the
//! whole network moves to it after nwkNetworkBroadcastDeliveryTime. A joined router or end
//! device that hears such a beacon reports it to the network manager (the hub) in a Network
//! Report, and the hub resolves it the same way (3.6.1.13.1).

use super::{DeviceHost, H_SCAN, Role, Seal, T_PAN_SWITCH, T_SCAN};
use han_mesh::radio::{NodeCtx, Radio, TxOptions};
use han_mesh::time::Duration;
use han_stack::mac::MacFrame;
use han_stack::mac::beacon_response::beacon_request;
use han_stack::mac::scan::{DEFAULT_SCAN_EXPONENT, PanDescriptor, scan_duration_ns};
use han_stack::nwk::command::{NetworkReport, NetworkUpdate, NwkCommand, PanIdList};
use han_stack::nwk::routing::NwkPayload;
use han_stack::wire::ExtAddr;

/// Channels within this many dB of the quietest count as equally quiet (an assumption:
/// the energy detector's accuracy, IEEE 802.15.4-2015 10.2.5 asks for ±6 dB).
const EQUALLY_QUIET_DB: f64 = 3.0;

/// The largest PAN ID a Zigbee coordinator draws (Zigbee PRO R22 3.2.2.2.3: a random PAN
/// identifier of at most 0x3fff).
pub const MAX_PAN_ID: u16 = 0x3fff;

/// nwkNetworkBroadcastDeliveryTime at 2.4 GHz (domain.md 3.2): how long after a Network
/// Update every device switches to the new PAN ID.
pub const BROADCAST_DELIVERY_TIME: Duration = Duration::secs(9);

/// nwkManagerAddr: the network manager, the hub as coordinator (Zigbee PRO R22 3.5.2,
/// default 0x0000), to which joined devices report PAN ID conflicts.
pub const NWK_MANAGER: u16 = 0x0000;

/// A formation under way.
#[derive(Debug, Clone)]
pub(super) enum Formation {
    /// Measuring the energy on each candidate channel: those still to measure (last
    /// first) and what was measured.
    Energy {
        todo: Vec<u8>,
        measured: Vec<(u8, f64)>,
    },
    /// Asking for beacons on each quiet channel: those still to ask (last first), the
    /// quiet channels and the beacons heard.
    Active {
        todo: Vec<u8>,
        quiet: Vec<u8>,
        heard: Vec<PanDescriptor>,
    },
}

/// The channels within [`EQUALLY_QUIET_DB`] of the quietest of the measured energies (dBm).
pub(super) fn quiet_channels(measured: &[(u8, f64)]) -> Vec<u8> {
    let min = measured.iter().map(|m| m.1).fold(f64::INFINITY, f64::min);
    measured
        .iter()
        .filter(|m| m.1 <= min + EQUALLY_QUIET_DB)
        .map(|m| m.0)
        .collect()
}

/// The networks (distinct extended PAN IDs, else PAN IDs) heard on `channel`.
fn networks_on(channel: u8, heard: &[PanDescriptor]) -> usize {
    let mut ids: Vec<(Option<ExtAddr>, u16)> = heard
        .iter()
        .filter(|d| d.channel == channel)
        .map(|d| match d.zigbee {
            Some(z) => (Some(z.extended_pan_id), 0),
            None => (None, d.pan),
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids.len()
}

/// The channel to form on: of the `quiet` ones, those with the fewest networks heard
/// (Zigbee PRO R22 3.2.2.2.3), one of them chosen by `pick(n)` in `0..n`.
pub(super) fn choose_channel(
    quiet: &[u8],
    heard: &[PanDescriptor],
    pick: impl FnOnce(u64) -> u64,
) -> Option<u8> {
    let fewest = quiet.iter().map(|&c| networks_on(c, heard)).min()?;
    let best: Vec<u8> = quiet
        .iter()
        .copied()
        .filter(|&c| networks_on(c, heard) == fewest)
        .collect();
    // Drawn only when there is a choice.
    let n = best.len() as u64;
    let i = if n > 1 { pick(n).min(n - 1) } else { 0 };
    best.get(i as usize).copied()
}

/// A PAN ID in 1..=[`MAX_PAN_ID`] that no beacon heard uses and that is not in `avoid`:
/// `preferred` if it qualifies, else the first free one `draw()` gives.
pub(super) fn choose_pan(
    preferred: u16,
    heard: &[PanDescriptor],
    avoid: &[u16],
    mut draw: impl FnMut() -> u16,
) -> u16 {
    let free = |p: u16| {
        (1..=MAX_PAN_ID).contains(&p) && !avoid.contains(&p) && heard.iter().all(|d| d.pan != p)
    };
    let mut pan = preferred;
    // At most a few dozen PANs are ever heard, so a free one comes within a few draws.
    while !free(pan) {
        pan = draw();
    }
    pan
}

/// A PAN ID in 1..=[`MAX_PAN_ID`] from the node's random stream.
fn draw_pan(rng: &mut han_mesh::rng::Stream) -> u16 {
    rng.range_u64(1, u64::from(MAX_PAN_ID) + 1) as u16
}

impl DeviceHost {
    /// Start forming: measure each candidate channel in turn (when there is a choice),
    /// then ask for beacons on the quiet ones.
    pub(super) fn start_formation(&mut self, ctx: &mut NodeCtx<'_>) {
        // Not on any PAN while scanning: every beacon passes the filter (6.3.1).
        self.config.pan_id = 0xffff;
        let mut todo = self.channels.clone();
        todo.reverse();
        self.scan = Some(if todo.len() > 1 {
            Formation::Energy {
                todo,
                measured: Vec::new(),
            }
        } else {
            Formation::Active {
                quiet: self.channels.clone(),
                todo,
                heard: Vec::new(),
            }
        });
        self.scan_next(ctx);
    }

    fn scan_next(&mut self, ctx: &mut NodeCtx<'_>) {
        match self.scan.as_mut() {
            Some(Formation::Energy { todo, measured }) => match todo.pop() {
                Some(c) => {
                    self.config.channel = c;
                    ctx.configure(self.config);
                    ctx.energy_detect();
                }
                None => {
                    let quiet = quiet_channels(measured);
                    let mut todo = quiet.clone();
                    todo.reverse();
                    self.scan = Some(Formation::Active {
                        todo,
                        quiet,
                        heard: Vec::new(),
                    });
                    self.scan_next(ctx);
                }
            },
            Some(Formation::Active { todo, quiet, heard }) => match todo.pop() {
                Some(c) => {
                    self.config.channel = c;
                    ctx.configure(self.config);
                    let seq = self.next_mac_seq();
                    let req = beacon_request(seq).emit_with_fcs();
                    ctx.transmit(H_SCAN, req, TxOptions::default());
                }
                None => {
                    let (quiet, heard) = (std::mem::take(quiet), std::mem::take(heard));
                    self.scan = None;
                    self.form(&quiet, &heard, ctx);
                }
            },
            None => {}
        }
    }

    /// The energy on the channel being measured, dBm.
    pub(super) fn on_energy(&mut self, dbm: f64, ctx: &mut NodeCtx<'_>) {
        let Some(Formation::Energy { measured, .. }) = self.scan.as_mut() else {
            return;
        };
        measured.push((self.config.channel, dbm));
        self.scan_next(ctx);
    }

    /// The Beacon Request of the active scan went out: listen for the scan duration.
    pub(super) fn scan_request_sent(&mut self, ctx: &mut NodeCtx<'_>) {
        if matches!(self.scan, Some(Formation::Active { .. })) {
            let listen = scan_duration_ns(DEFAULT_SCAN_EXPONENT, self.symbol_ns);
            ctx.set_timer(T_SCAN, ctx.now + Duration(listen));
        }
    }

    /// The active scan's listening time on a channel ended.
    pub(super) fn scan_timer_fired(&mut self, ctx: &mut NodeCtx<'_>) {
        if matches!(self.scan, Some(Formation::Active { .. })) {
            self.scan_next(ctx);
        }
    }

    /// A beacon of this network's PAN ID from another network (Zigbee PRO R22 3.6.1.13).
    fn is_pan_conflict(&self, d: &PanDescriptor) -> bool {
        let own = self.extended_pan_id();
        d.pan == self.config.pan_id && d.zigbee.is_some_and(|z| z.extended_pan_id != own)
    }

    /// A beacon reached the coordinator: collected while scanning; afterwards, one of its
    /// own PAN ID from another network is a PAN ID conflict.
    pub(super) fn coordinator_heard_beacon(
        &mut self,
        mac: &MacFrame,
        channel: u8,
        lqi: u8,
        ctx: &mut NodeCtx<'_>,
    ) {
        let Some(d) = PanDescriptor::from_beacon(mac, channel, lqi) else {
            return;
        };
        if let Some(Formation::Active { heard, .. }) = self.scan.as_mut() {
            if !heard.contains(&d) {
                heard.push(d);
            }
            return;
        }
        if self.started && self.is_pan_conflict(&d) && self.pan_switch.is_none() {
            self.resolve_pan_conflict(&[d.pan], ctx);
        }
    }

    /// A beacon reached a joined router or end device: one of its own PAN ID from another
    /// network is a PAN ID conflict, reported to the network manager in a Network Report
    /// (Zigbee PRO R22 3.6.1.13.1), once for each PAN ID.
    pub(super) fn joined_heard_beacon(
        &mut self,
        mac: &MacFrame,
        channel: u8,
        lqi: u8,
        ctx: &mut NodeCtx<'_>,
    ) {
        let Some(d) = PanDescriptor::from_beacon(mac, channel, lqi) else {
            return;
        };
        let conflict =
            self.rejoin.is_none() && self.pan_switch.is_none() && self.is_pan_conflict(&d);
        if !conflict || self.pan_reported == Some(d.pan) {
            return;
        }
        self.pan_reported = Some(d.pan);
        self.stats.pan_reports_sent += 1;
        let report = NetworkReport {
            epid: self.extended_pan_id(),
            report: PanIdList::PanIds(vec![d.pan]),
        };
        let cmd = NwkPayload::Command(NwkCommand::NetworkReport(report));
        self.nwk_send_payload(NWK_MANAGER, cmd, Seal::Active, ctx);
    }

    /// A Network Report reached the network manager: a conflict with its PAN ID is
    /// resolved as if the hub had heard the beacon itself (Zigbee PRO R22 3.6.1.13.2);
    /// reports from another network, of another PAN ID or during a move are ignored.
    pub(super) fn on_network_report(&mut self, r: &NetworkReport, ctx: &mut NodeCtx<'_>) {
        if !matches!(self.role, Role::Coordinator { .. })
            || r.epid != self.extended_pan_id()
            || self.pan_switch.is_some()
        {
            return;
        }
        let PanIdList::PanIds(ids) = &r.report else {
            return;
        };
        if ids.contains(&self.config.pan_id) {
            self.resolve_pan_conflict(ids, ctx);
        }
    }

    /// Form on the best of the `quiet` channels under a PAN ID no beacon heard uses.
    fn form(&mut self, quiet: &[u8], heard: &[PanDescriptor], ctx: &mut NodeCtx<'_>) {
        let rng = &mut *ctx.rng;
        let channel = choose_channel(quiet, heard, |n| rng.range_u64(0, n));
        self.config.channel = channel.unwrap_or(self.config.channel);
        let preferred = self.parent.as_ref().map_or(1, |p| p.assoc.pan);
        let pan = choose_pan(preferred, heard, &[], || draw_pan(ctx.rng));
        self.stats.networks_heard = networks_on(self.config.channel, heard) as u32;
        self.set_pan(pan, ctx);
        self.formed(ctx);
    }

    /// Move to PAN ID `pan` (radio filter, association responses, beacons).
    fn set_pan(&mut self, pan: u16, ctx: &mut NodeCtx<'_>) {
        self.config.pan_id = pan;
        if let Some(p) = self.parent.as_mut() {
            p.assoc.pan = pan;
        }
        self.stats.pan_id = Some(pan);
        ctx.configure(self.config);
    }

    /// Another network uses our PAN ID: draw a new one, none of the PAN IDs `taken`, and
    /// tell the network (Zigbee PRO R22 3.6.1.13.2). Without children the hub moves at once.
    fn resolve_pan_conflict(&mut self, taken: &[u16], ctx: &mut NodeCtx<'_>) {
        let pan = choose_pan(draw_pan(ctx.rng), &[], taken, || draw_pan(ctx.rng));
        self.stats.pan_conflicts += 1;
        self.nwk_update_id = self.nwk_update_id.wrapping_add(1);
        let has_children = self.parent.as_ref().is_some_and(|p| !p.children.is_empty());
        if !has_children {
            self.set_pan(pan, ctx);
            return;
        }
        let update = NetworkUpdate {
            epid: self.extended_pan_id(),
            update_id: self.nwk_update_id,
            update: PanIdList::PanIds(vec![pan]),
        };
        let cmd = NwkPayload::Command(NwkCommand::NetworkUpdate(update));
        self.nwk_send_payload(0xffff, cmd, Seal::Active, ctx);
        self.pan_switch_at(pan, ctx);
    }

    /// A Network Update from the coordinator: move to its new PAN ID when the broadcast
    /// has had time to reach everyone.
    pub(super) fn on_network_update(&mut self, u: &NetworkUpdate, ctx: &mut NodeCtx<'_>) {
        if matches!(self.role, Role::Coordinator { .. })
            || u.epid != self.extended_pan_id()
            || u.update_id == self.nwk_update_id
        {
            return;
        }
        let PanIdList::PanIds(ids) = &u.update else {
            return;
        };
        let Some(&pan) = ids.first() else {
            return;
        };
        self.nwk_update_id = u.update_id;
        self.pan_switch_at(pan, ctx);
    }

    fn pan_switch_at(&mut self, pan: u16, ctx: &mut NodeCtx<'_>) {
        self.pan_switch = Some(pan);
        ctx.set_timer(T_PAN_SWITCH, ctx.now + BROADCAST_DELIVERY_TIME);
    }

    /// nwkNetworkBroadcastDeliveryTime after a Network Update: switch.
    pub(super) fn pan_switch_due(&mut self, ctx: &mut NodeCtx<'_>) {
        if let Some(pan) = self.pan_switch.take() {
            self.set_pan(pan, ctx);
        }
    }

    /// The PAN exists: the coordinator routes and its application starts.
    pub(super) fn formed(&mut self, ctx: &mut NodeCtx<'_>) {
        if !matches!(self.role, Role::Coordinator { .. }) {
            return;
        }
        self.stats.channel = Some(self.config.channel);
        self.config.short_addr = 0x0000;
        ctx.configure(self.config);
        self.start_router(0x0000, ctx);
        self.started = true;
        self.with_behaviour(ctx, |b, api| b.joined(api));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_stack::mac::beacon_response::beacon_frame;
    use han_stack::mac::{Address, ZigbeeBeacon};
    use han_stack::wire::Wire;

    fn heard(channel: u8, pan: u16, epid: u64) -> PanDescriptor {
        let zb = ZigbeeBeacon {
            stack_profile: ZigbeeBeacon::STACK_PROFILE_PRO,
            protocol_version: 2,
            reserved: 0,
            router_capacity: true,
            device_depth: 0,
            end_device_capacity: true,
            extended_pan_id: ExtAddr(epid),
            tx_offset: 0xff_ffff,
            update_id: 0,
        };
        let f = beacon_frame(1, pan, Address::Short(0), true, true, zb.to_bytes());
        let f = MacFrame::from_bytes(&f.to_bytes()).unwrap();
        PanDescriptor::from_beacon(&f, channel, 200).unwrap()
    }

    #[test]
    fn quiet_channels_are_within_three_db_of_the_quietest() {
        let m = [(11, -60.0), (15, -95.0), (20, -93.5), (25, -80.0)];
        assert_eq!(quiet_channels(&m), vec![15, 20]);
        assert!(quiet_channels(&[]).is_empty());
    }

    #[test]
    fn forms_where_fewest_networks_are_heard() {
        // Two networks on 15 (one heard twice), one on 20, none on 25.
        let h = [
            heard(15, 0x10, 1),
            heard(15, 0x10, 1),
            heard(15, 0x11, 2),
            heard(20, 0x12, 3),
        ];
        assert_eq!(choose_channel(&[15, 20, 25], &h, |_| 0), Some(25));
        assert_eq!(choose_channel(&[15, 20], &h, |n| n + 3), Some(20));
        assert_eq!(choose_channel(&[15], &h, |_| panic!("no choice")), Some(15));
        // Ties are picked among.
        assert_eq!(choose_channel(&[15, 20, 25], &[], |_| 1), Some(20));
        assert_eq!(choose_channel(&[], &h, |_| 0), None);
    }

    #[test]
    fn pan_id_avoids_every_beacon_heard() {
        let h = [heard(15, 0x0123, 1), heard(20, 0x0456, 2)];
        assert_eq!(
            choose_pan(0x0777, &h, &[], || panic!("no draw needed")),
            0x0777
        );
        let mut draws = [0x0456, 0x0123, 0x0999].into_iter();
        assert_eq!(
            choose_pan(0x0123, &h, &[], || draws.next().unwrap()),
            0x0999
        );
        // Out of range and avoided ones are drawn again.
        let mut draws = [0x0001].into_iter();
        assert_eq!(
            choose_pan(0xffff, &h, &[], || draws.next().unwrap()),
            0x0001
        );
        let mut draws = [0x0002].into_iter();
        assert_eq!(
            choose_pan(0x0001, &[], &[1], || draws.next().unwrap()),
            0x0002
        );
    }
}
