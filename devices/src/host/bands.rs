//! Dual-band devices (2.4 GHz and GB868, domain.md 2.4): the device's GB868 radio is a
//! further radio of its node ([`han_mesh::world::Interface`], interface 1). A comms hub
//! runs one NWK, one PAN and extended PAN over both MAC interfaces at once: it remembers
//! the interface each neighbour or child was last heard on, sends unicasts there (a reply
//! where the request came from when it has not heard the peer), sends broadcasts on both,
//! and configures both radios alike (each on its own band's channel). A dual-band joiner
//! uses one radio at a time: it scans 2.4 GHz first and, when no parent there answers,
//! turns to GB868 (and back after a failed attempt there).

use super::{DeviceHost, Role, join_params};
use han_mesh::radio::{Action, NodeCtx, NodeInput};
use han_stack::mac::associate::Associator;
use han_stack::mac::engine::HeaderPeek;
use han_stack::mac::{Address, FrameType};
use std::collections::BTreeMap;

/// Transmit handles of the copy of a broadcast on the second interface (its outcome is not
/// the host's: the first copy's is).
const ECHO: u32 = 0x4000_0000;

/// How a device uses its two bands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DualBand {
    /// GB868 channel (page 28) of the hub's PAN.
    pub channel_868: u8,
    /// Symbol period of the GB868 PHY, ns.
    pub symbol_ns_868: u64,
    /// The 2.4 GHz channels (a joiner's scan list there).
    channels_2g4: Vec<u8>,
    /// Symbol period of the 2.4 GHz PHY, ns.
    symbol_ns_2g4: u64,
    /// A joiner's radio in use (0: 2.4 GHz, 1: GB868); a hub uses both.
    active: u8,
    /// The interface each MAC address was last heard on.
    heard_on: BTreeMap<(bool, u64), u8>,
    /// A joiner's band changes so far.
    switches: u32,
}

impl DualBand {
    /// GB868 on `channel_868` with `symbol_ns_868` besides the host's 2.4 GHz radio.
    pub fn new(channel_868: u8, symbol_ns_868: u64) -> Self {
        DualBand {
            channel_868,
            symbol_ns_868,
            channels_2g4: Vec::new(),
            symbol_ns_2g4: 0,
            active: 0,
            heard_on: BTreeMap::new(),
            switches: 0,
        }
    }

    /// The radio in use: 0 (2.4 GHz) or 1 (GB868).
    pub fn active(&self) -> u8 {
        self.active
    }

    /// How often a joiner changed band.
    pub fn switches(&self) -> u32 {
        self.switches
    }
}

fn key(a: Address) -> Option<(bool, u64)> {
    match a {
        Address::Short(s) if s < 0xfffe => Some((false, u64::from(s))),
        Address::Extended(e) => Some((true, e.0)),
        _ => None,
    }
}

impl DeviceHost {
    /// Make the host dual-band (before the run starts).
    pub fn with_dual_band(mut self, mut bands: DualBand) -> Self {
        bands.channels_2g4 = self.channels.clone();
        bands.symbol_ns_2g4 = self.symbol_ns;
        self.bands = Some(bands);
        self
    }

    /// The band a dual-band device uses now (None: single-band; 0: 2.4 GHz, 1: GB868;
    /// a hub reports 0 and uses both).
    pub fn band_in_use(&self) -> Option<u8> {
        self.bands.as_ref().map(DualBand::active)
    }

    /// The dual-band state (None: single-band).
    pub fn dual_band(&self) -> Option<&DualBand> {
        self.bands.as_ref()
    }

    /// [`han_mesh::radio::Node::handle`] for a dual-band host: the input as a single-band
    /// host takes it, its radio actions directed to the interfaces.
    pub(super) fn handle_dual(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>) {
        let hub = matches!(self.role, Role::Coordinator { .. });
        let from = ctx.iface;
        let Some(b) = self.bands.as_mut() else {
            return;
        };
        let from_radio = matches!(
            input,
            NodeInput::Received(_) | NodeInput::TransmitDone { .. } | NodeInput::Energy(_)
        );
        match input {
            NodeInput::TransmitDone { handle, .. } if handle & ECHO != 0 => return,
            // A joiner's idle radio sleeps; anything it still reports is stale.
            _ if !hub && from_radio && from != b.active => return,
            NodeInput::Received(r) => {
                let src = han_stack::mac::MacFrame::parse_with_fcs(r.psdu).map(|(m, _, _)| m.src);
                if let Some(k) = src.ok().and_then(key) {
                    b.heard_on.insert(k, from);
                }
            }
            _ => {}
        }
        let start = ctx.actions.len();
        if input == NodeInput::Start && !hub {
            ctx.actions.push(Action::Interface(1));
            ctx.actions.push(Action::Sleep);
        }
        self.handle_input(input, ctx);
        let actions: Vec<Action> = ctx.actions.drain(start..).collect();
        let children = if hub { self.children() } else { Vec::new() };
        let Some(b) = self.bands.as_ref() else {
            return;
        };
        // An action after an explicit Interface (a band switch) keeps its radio.
        let mut pinned = false;
        for a in actions {
            if pinned || matches!(a, Action::SetTimer { .. } | Action::Wire { .. }) {
                pinned = false;
                ctx.actions.push(a);
                continue;
            }
            if let Action::Interface(_) = a {
                pinned = true;
                ctx.actions.push(a);
                continue;
            }
            if !hub {
                ctx.actions.push(Action::Interface(b.active));
                ctx.actions.push(a);
                continue;
            }
            match a {
                Action::Transmit {
                    handle,
                    psdu,
                    options,
                } => {
                    let peek = HeaderPeek::read(&psdu);
                    let dst = peek.map_or(Address::None, |h| h.dst);
                    if dst == Address::Short(0xffff) {
                        ctx.actions.push(Action::Interface(1));
                        ctx.actions.push(Action::Transmit {
                            handle: handle | ECHO,
                            psdu: psdu.clone(),
                            options,
                        });
                        ctx.actions.push(Action::Interface(0));
                    } else {
                        let beacon = peek.is_some_and(|h| h.frame_type == FrameType::Beacon);
                        let iface = if beacon {
                            from
                        } else {
                            b.interface_of(dst, &children, from)
                        };
                        ctx.actions.push(Action::Interface(iface));
                    }
                    ctx.actions.push(Action::Transmit {
                        handle,
                        psdu,
                        options,
                    });
                }
                Action::Configure(c) => {
                    ctx.actions.push(Action::Interface(0));
                    ctx.actions.push(Action::Configure(c));
                    ctx.actions.push(Action::Interface(1));
                    ctx.actions
                        .push(Action::Configure(han_mesh::radio::RadioConfig {
                            channel: b.channel_868,
                            ..c
                        }));
                }
                Action::EnergyDetect => {
                    ctx.actions.push(Action::Interface(0));
                    ctx.actions.push(a);
                }
                a => {
                    ctx.actions.push(Action::Interface(0));
                    ctx.actions.push(a.clone());
                    ctx.actions.push(Action::Interface(1));
                    ctx.actions.push(a);
                }
            }
        }
    }

    /// A joiner that found no parent on its band tries the other next time: its scan
    /// list, symbol timing and association state move to that band, the radio it leaves
    /// sleeps.
    pub(super) fn switch_band(&mut self, ctx: &mut NodeCtx<'_>) {
        let Some(b) = self.bands.as_mut() else {
            return;
        };
        let Role::Joiner {
            assoc,
            router,
            sleepy,
            extended_pan_id,
            ..
        } = &mut self.role
        else {
            return;
        };
        ctx.actions.push(Action::Interface(b.active));
        ctx.actions.push(Action::Sleep);
        b.active = 1 - b.active;
        (self.channels, self.symbol_ns) = match b.active {
            1 => (vec![b.channel_868], b.symbol_ns_868),
            _ => (b.channels_2g4.clone(), b.symbol_ns_2g4),
        };
        self.config.channel = self.channels.first().copied().unwrap_or(b.channel_868);
        let params = join_params(
            self.ext,
            self.channels.clone(),
            self.symbol_ns,
            *router,
            *sleepy,
            *extended_pan_id,
        );
        *assoc = Associator::new(params, assoc.seq());
        b.switches += 1;
    }
}

impl DualBand {
    /// The interface to send to `dst` on: where it was last heard (a child by the
    /// extended address it joined with), else `from`.
    fn interface_of(
        &self,
        dst: Address,
        children: &[(u16, han_stack::wire::ExtAddr)],
        from: u8,
    ) -> u8 {
        if let Some(&i) = key(dst).and_then(|k| self.heard_on.get(&k)) {
            return i;
        }
        let ext = match dst {
            Address::Short(s) => children.iter().find(|c| c.0 == s).map(|c| c.1),
            _ => None,
        };
        ext.and_then(|e| self.heard_on.get(&(true, e.0)).copied())
            .unwrap_or(from)
    }
}
