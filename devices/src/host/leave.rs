//! NWK Leave in the device host (Zigbee PRO R22 3.4.4, 3.6.1.10): the trust centre asks a
//! device to leave (a Leave request, with or without rejoin); the device announces that it
//! leaves (a Leave indication to all rx-on devices) and either comes back with a rejoin or
//! leaves for good: it forgets the network key, its address and its parent and sends
//! nothing more. A parent that hears a child's Leave indication removes it from its child
//! table (and a router tells the trust centre with Update Device, "device left").

use super::{DeviceHost, JoinState, Role, Seal, T_LEAVE, T_REJOIN};
use han_mesh::radio::{NodeCtx, Radio};
use han_mesh::time::{Duration, SimTime};
use han_stack::aps::command::{ApsCommand, UpdateDevice, UpdateDeviceStatus};
use han_stack::nwk::NwkHeader;
use han_stack::nwk::command::{LeaveOptions, NwkCommand};
use han_stack::nwk::routing::NwkPayload;
use han_stack::nwk::security::NwkSecurity;
use han_stack::wire::ExtAddr;

/// How long a device told to leave and rejoin waits before rejoining (its Leave indication
/// goes out first; an assumption).
const REJOIN_AFTER_LEAVE: Duration = Duration::secs(1);

/// The trust centre asks a device to leave the network at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaveRequest {
    /// When, from the start of the run.
    pub at: Duration,
    /// The device.
    pub device: ExtAddr,
    /// It is to rejoin afterwards.
    pub rejoin: bool,
}

impl DeviceHost {
    /// Set the timers of the leave requests (trust centre).
    pub(super) fn arm_leave_requests(&mut self, ctx: &mut NodeCtx<'_>) {
        for r in &self.leave_requests {
            ctx.set_timer(T_LEAVE, SimTime::ZERO + r.at);
        }
    }

    /// A leave request's time came: send the NWK Leave request to the device.
    pub(super) fn leave_request_due(&mut self, ctx: &mut NodeCtx<'_>) {
        let due: Vec<LeaveRequest> = self
            .leave_requests
            .iter()
            .filter(|r| SimTime::ZERO + r.at == ctx.now)
            .copied()
            .collect();
        for r in due {
            let Some(&short) = self.peers.get(&r.device) else {
                continue;
            };
            let mut options = LeaveOptions::REQUEST;
            if r.rejoin {
                options |= LeaveOptions::REJOIN;
            }
            self.stats.leave_requests_sent += 1;
            let cmd = NwkPayload::Command(NwkCommand::Leave(options));
            self.nwk_send_payload(short, cmd, Seal::Active, ctx);
        }
    }

    /// A Leave command (already opened) from `header.src`; true when handled.
    pub(super) fn on_leave(
        &mut self,
        header: &NwkHeader,
        options: LeaveOptions,
        ctx: &mut NodeCtx<'_>,
    ) -> bool {
        if options.contains(LeaveOptions::REQUEST) {
            // Only from its parent or the trust centre (3.6.1.10.3).
            let from_parent = self.routing.parent == Some(header.src) || header.src == 0x0000;
            if header.dst == self.config.short_addr && from_parent && self.is_joined() {
                self.leave(options.contains(LeaveOptions::REJOIN), ctx);
            }
            return true;
        }
        // An indication: a child of ours is gone.
        let child = self.parent.as_ref().and_then(|p| {
            p.children
                .get(&header.src)
                .filter(|c| Some(c.ext) == header.src64)
                .copied()
        });
        if let Some(c) = child {
            self.drop_child(header.src, ctx);
            match &self.role {
                Role::Coordinator { .. } => {
                    self.peers.remove(&c.ext);
                }
                Role::Joiner { .. } => {
                    let cmd = ApsCommand::UpdateDevice(UpdateDevice {
                        device: c.ext,
                        short_addr: header.src,
                        status: UpdateDeviceStatus::DeviceLeft,
                    });
                    self.aps_command_send(0x0000, cmd, Seal::Active, ctx);
                }
            }
        }
        true
    }

    /// Leave the network (3.6.1.10.2): tell every rx-on device, then rejoin shortly or go.
    fn leave(&mut self, rejoin: bool, ctx: &mut NodeCtx<'_>) {
        let options = if rejoin {
            LeaveOptions::REJOIN
        } else {
            LeaveOptions::empty()
        };
        let cmd = NwkPayload::Command(NwkCommand::Leave(options));
        self.nwk_send_payload(0xfffd, cmd, Seal::Active, ctx);
        self.stats.left_at_s = Some(ctx.now.0 as f64 / 1e9);
        let Role::Joiner { state, .. } = &mut self.role else {
            return;
        };
        if rejoin {
            *state = JoinState::Down;
            ctx.set_timer(T_REJOIN, ctx.now + REJOIN_AFTER_LEAVE);
            return;
        }
        // Gone for good: what made it a member is forgotten, its application stops.
        *state = JoinState::Left;
        self.nwk = NwkSecurity::default();
        self.router = None;
        self.parent = None;
        self.routing = Default::default();
        self.epoch += 1;
        self.config.short_addr = 0xfffe;
        self.config.pan_id = 0xffff;
        ctx.configure(self.config);
        ctx.sleep();
    }
}
