//! The radio seam: the one interface between a node's stack and its radio.
//!
//! A node is a sans-IO state machine: it gets [`NodeInput`]s (frame received, transmit
//! done, timer) with `now` and returns [`Action`]s. The radio transmits a PSDU with CSMA-CA
//! and retries and reports acked / no ACK / channel access failure; it filters and
//! acknowledges frames in "hardware" for the addresses in its [`RadioConfig`]. The virtual
//! air ([`crate::World`]) is the first backend; a dongle or ZEP backend sits behind the
//! same types.

use crate::time::SimTime;
use han_stack::mac::Address;
use han_stack::mac::csma::CsmaParams;
use han_stack::mac::engine::TxStatus;
use han_stack::wire::ExtAddr;

/// Per-transmission options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxOptions {
    /// CSMA-CA and retry attributes.
    pub csma: CsmaParams,
}

/// The outcome of a transmission.
pub type TxResult = TxStatus;

/// Radio configuration: channel, power, and the addresses it acknowledges in hardware.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadioConfig {
    /// Channel (page 0: 11–26).
    pub channel: u8,
    /// Transmit power in dBm.
    pub tx_power_dbm: f64,
    /// PAN ID filtered on.
    pub pan_id: u16,
    /// Short address filtered on and acked.
    pub short_addr: u16,
    /// Extended address filtered on and acked.
    pub ext_addr: ExtAddr,
    /// Frame-pending bit to set in hardware ACKs.
    pub frame_pending: bool,
}

impl Default for RadioConfig {
    fn default() -> Self {
        RadioConfig {
            channel: 11,
            tx_power_dbm: 0.0,
            pan_id: 0xffff,
            short_addr: 0xfffe,
            ext_addr: ExtAddr(0),
            frame_pending: false,
        }
    }
}

/// A frame the radio received intact and passed its address filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Received<'a> {
    /// The MPDU including FCS.
    pub psdu: &'a [u8],
    /// Channel.
    pub channel: u8,
    /// Received signal strength in dBm.
    pub rssi_dbm: f64,
    /// Link quality indicator.
    pub lqi: u8,
    /// When the frame's SFD arrived.
    pub timestamp: SimTime,
}

/// What a node is told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NodeInput<'a> {
    /// The run starts (time zero).
    Start,
    /// A frame arrived (duplicates already rejected).
    Received(Received<'a>),
    /// A transmission requested with this handle finished.
    TransmitDone {
        /// The handle given in [`Action::Transmit`].
        handle: u32,
        /// Its outcome.
        result: TxResult,
    },
    /// A timer set with [`Action::SetTimer`] fired.
    Timer(u32),
    /// Energy detected on the current channel, in dBm.
    Energy(f64),
    /// A message over a wire (a backhaul cable or bus) from node `from`, sent with
    /// [`Action::Wire`].
    Wire {
        /// The sending node.
        from: u32,
        /// The message.
        payload: &'a [u8],
    },
}

/// What a node asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send a PSDU (MPDU with FCS) with CSMA-CA; answered by [`NodeInput::TransmitDone`].
    Transmit {
        /// Chosen by the node to match the answer.
        handle: u32,
        /// The MPDU with FCS.
        psdu: Vec<u8>,
        /// CSMA/retry options.
        options: TxOptions,
    },
    /// Fire [`NodeInput::Timer`] with `id` at `at`.
    SetTimer {
        /// Echoed back.
        id: u32,
        /// When.
        at: SimTime,
    },
    /// Change the radio configuration.
    Configure(RadioConfig),
    /// Measure the energy on the channel now; answered by [`NodeInput::Energy`].
    EnergyDetect,
    /// Set or clear the frame-pending bit the radio puts in ACKs to frames from `addr`
    /// (the source-address match table of indirect transmission).
    SetPending {
        /// Source address.
        addr: Address,
        /// Data is waiting for it.
        pending: bool,
    },
    /// Turn the receiver off (a transmission request turns it back on).
    Sleep,
    /// Turn the receiver on.
    Wake,
    /// Deliver `payload` to node `to` as [`NodeInput::Wire`] at `at`: a wired link between
    /// nodes. The sender models the link (latency, capacity, loss, outages) and says when
    /// the message arrives.
    Wire {
        /// Receiving node.
        to: u32,
        /// Arrival time (now if earlier).
        at: SimTime,
        /// The message.
        payload: Vec<u8>,
    },
    /// Also pass up every intact non-ACK frame heard on the channel, not only those the
    /// address filter accepts (without acknowledging them): what a repeater listens with.
    Promiscuous(bool),
    /// While promiscuous, also acknowledge in hardware the frames addressed to these
    /// (PAN ID, address) pairs: a repeater answering for devices on the far side of its
    /// backhaul, so that their senders see the link as if direct. Replaces the list.
    ProxyAck(Vec<(u16, han_stack::mac::Address)>),
    /// The radio actions after this one go to the node's radio number `k` (0: its first;
    /// see [`crate::world::Interface`]); timers and wires are the node's own.
    Interface(u8),
}

/// What a node's handler gets besides the input: the time, its own random stream, and
/// the list its actions go into.
pub struct NodeCtx<'a> {
    /// Now.
    pub now: SimTime,
    /// The node's application random stream.
    pub rng: &'a mut crate::rng::Stream,
    /// Actions, carried out in order after the handler returns.
    pub actions: &'a mut Vec<Action>,
    /// The node's radio the input came from (0: its first; see [`Action::Interface`]).
    pub iface: u8,
}

/// The radio as a node's stack sees it. Requests are answered later through
/// [`NodeInput`]: a transmission by [`NodeInput::TransmitDone`], an energy detection by
/// [`NodeInput::Energy`], and frames arrive as [`NodeInput::Received`]. The virtual air
/// takes the requests as [`Action`]s through [`NodeCtx`]; other backends implement it
/// over their own transport.
pub trait Radio {
    /// Send a PSDU (MPDU with FCS) with CSMA-CA and, if its AR bit is set, ACK wait and
    /// retries.
    fn transmit(&mut self, handle: u32, psdu: Vec<u8>, options: TxOptions);
    /// Set channel, power and the addresses the radio filters and acknowledges.
    fn configure(&mut self, config: RadioConfig);
    /// Measure the energy on the current channel.
    fn energy_detect(&mut self);
    /// Set the frame-pending bit for ACKs to `addr`.
    fn set_pending(&mut self, addr: Address, pending: bool);
    /// Turn the receiver off.
    fn sleep(&mut self);
    /// Turn the receiver on.
    fn wake(&mut self);
}

impl Radio for NodeCtx<'_> {
    fn transmit(&mut self, handle: u32, psdu: Vec<u8>, options: TxOptions) {
        self.actions.push(Action::Transmit {
            handle,
            psdu,
            options,
        });
    }
    fn configure(&mut self, config: RadioConfig) {
        self.actions.push(Action::Configure(config));
    }
    fn energy_detect(&mut self) {
        self.actions.push(Action::EnergyDetect);
    }
    fn set_pending(&mut self, addr: Address, pending: bool) {
        self.actions.push(Action::SetPending { addr, pending });
    }
    fn sleep(&mut self) {
        self.actions.push(Action::Sleep);
    }
    fn wake(&mut self) {
        self.actions.push(Action::Wake);
    }
}

impl NodeCtx<'_> {
    /// Ask for [`NodeInput::Timer`] with `id` at `at`.
    pub fn set_timer(&mut self, id: u32, at: SimTime) {
        self.actions.push(Action::SetTimer { id, at });
    }
}

/// A sans-IO node behind the radio seam.
pub trait Node {
    /// The radio configuration at start.
    fn radio_config(&self) -> RadioConfig;
    /// React to one input.
    fn handle(&mut self, input: NodeInput<'_>, ctx: &mut NodeCtx<'_>);
}
