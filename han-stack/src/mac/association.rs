//! The coordinator side of association (IEEE 802.15.4-2015 6.4.1): an Association
//! Request gets a short address from the caller's policy (or a refusal), and the
//! Association Response waits as an indirect transaction until the device polls.

use super::indirect::{PendingTransactions, Transaction};
use super::{
    Address, AssociationStatus, CapabilityInfo, FrameFlags, FrameType, FrameVersion, MacCommand,
    MacFrame, MacPayload,
};
use crate::wire::ExtAddr;

/// The short address an Association Response carries when association failed.
pub const NO_SHORT_ADDRESS: u16 = 0xffff;

/// An Association Response from coordinator `coord` to device `device` on `pan`
/// (both extended addresses, PAN ID compression, ACK requested; 2015 6.4.1).
pub fn association_response(
    seq: u8,
    pan: u16,
    device: ExtAddr,
    coord: ExtAddr,
    short_addr: u16,
    status: AssociationStatus,
) -> MacFrame {
    MacFrame {
        frame_type: FrameType::Command,
        flags: FrameFlags::PAN_ID_COMPRESSION | FrameFlags::ACK_REQUEST,
        version: FrameVersion::V2003,
        seq: Some(seq),
        dst_pan: Some(pan),
        dst: Address::Extended(device),
        src_pan: None,
        src: Address::Extended(coord),
        aux_security: None,
        header_ies: Vec::new(),
        payload: MacPayload::Command(MacCommand::AssociationResponse { short_addr, status }),
    }
}

/// A coordinator's association state: whether it permits association, and the responses
/// waiting for their devices to poll.
#[derive(Debug, Clone)]
pub struct AssociationCoordinator {
    /// PAN ID.
    pub pan: u16,
    /// The coordinator's extended address (source of its responses).
    pub ext_addr: ExtAddr,
    /// macAssociationPermit.
    pub permit: bool,
    pending: PendingTransactions,
}

impl AssociationCoordinator {
    /// A coordinator of `pan` whose responses persist `persistence_ns` (see
    /// [`super::indirect::persistence_ns`]).
    pub fn new(pan: u16, ext_addr: ExtAddr, permit: bool, persistence_ns: u64) -> Self {
        AssociationCoordinator {
            pan,
            ext_addr,
            permit,
            pending: PendingTransactions::new(persistence_ns),
        }
    }

    /// Handle a received frame if it is an Association Request from an extended address:
    /// `allocate` gives the device's short address or the refusal status (not asked when
    /// association is not permitted: access denied). The response, with MAC sequence
    /// number `seq`, is queued for the device under `handle`; returns the device and the
    /// status, or None if the frame is not an Association Request.
    pub fn on_request(
        &mut self,
        now: u64,
        frame: &MacFrame,
        seq: u8,
        handle: u32,
        allocate: impl FnOnce(ExtAddr, CapabilityInfo) -> Result<u16, AssociationStatus>,
    ) -> Option<(ExtAddr, AssociationStatus)> {
        let MacPayload::Command(MacCommand::AssociationRequest(caps)) = frame.payload else {
            return None;
        };
        let Address::Extended(device) = frame.src else {
            return None;
        };
        let outcome = if self.permit {
            allocate(device, caps)
        } else {
            Err(AssociationStatus::PanAccessDenied)
        };
        let (short, status) = match outcome {
            Ok(s) => (s, AssociationStatus::Success),
            Err(status) => (NO_SHORT_ADDRESS, status),
        };
        let resp = association_response(seq, self.pan, device, self.ext_addr, short, status);
        self.pending
            .push(now, Address::Extended(device), handle, resp.emit_with_fcs());
        Some((device, status))
    }

    /// Handle a received Data Request: the oldest transaction waiting for its source, to
    /// transmit now.
    pub fn on_data_request(&mut self, frame: &MacFrame) -> Option<Transaction> {
        if frame.payload != MacPayload::Command(MacCommand::DataRequest) {
            return None;
        }
        self.pending.take(frame.src)
    }

    /// Something waits for `dst` (the frame-pending bit for its ACKs).
    pub fn has_pending(&self, dst: Address) -> bool {
        self.pending.has_pending(dst)
    }

    /// Drop the responses expired at `now`; returns them (TRANSACTION_EXPIRED).
    pub fn expire(&mut self, now: u64) -> Vec<Transaction> {
        self.pending.expire(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::indirect::data_request;
    use crate::wire::Wire;

    const PAN: u16 = 0x1a62;
    const COORD: ExtAddr = ExtAddr(0x0011_2233_4455_6677);
    const DEV: ExtAddr = ExtAddr(0x8899_aabb_ccdd_eeff);

    fn request(caps: CapabilityInfo) -> MacFrame {
        let mut f = MacFrame::data(1, 0xffff, Address::Short(0), Address::Extended(DEV), vec![]);
        f.frame_type = FrameType::Command;
        f.flags = FrameFlags::ACK_REQUEST;
        f.dst_pan = Some(PAN);
        f.src_pan = Some(0xffff);
        f.payload = MacPayload::Command(MacCommand::AssociationRequest(caps));
        MacFrame::from_bytes(&f.to_bytes()).unwrap()
    }

    fn response_of(t: &Transaction) -> MacFrame {
        let (f, _, ok) = MacFrame::parse_with_fcs(&t.psdu).unwrap();
        assert!(ok);
        f
    }

    #[test]
    fn grants_and_delivers_on_poll() {
        let mut c = AssociationCoordinator::new(PAN, COORD, true, 1_000);
        let caps = CapabilityInfo::ALLOCATE_ADDRESS | CapabilityInfo::RX_ON_WHEN_IDLE;
        let got = c.on_request(5, &request(caps), 9, 3, |d, c2| {
            assert_eq!((d, c2), (DEV, caps));
            Ok(0x4d2f)
        });
        assert_eq!(got, Some((DEV, AssociationStatus::Success)));
        assert!(c.has_pending(Address::Extended(DEV)));
        let poll = data_request(2, PAN, Address::Short(0), Address::Extended(DEV));
        let poll = MacFrame::from_bytes(&poll.to_bytes()).unwrap();
        let t = c.on_data_request(&poll).unwrap();
        assert_eq!(t.handle, 3);
        let f = response_of(&t);
        assert_eq!(
            f,
            association_response(9, PAN, DEV, COORD, 0x4d2f, AssociationStatus::Success)
        );
        // Frame control 0xcc63: command, AR, PAN ID compression, extended both ways.
        assert_eq!(t.psdu[..2], [0x63, 0xcc]);
        assert!(c.on_data_request(&poll).is_none());
    }

    #[test]
    fn refuses_at_capacity_and_when_closed() {
        let mut c = AssociationCoordinator::new(PAN, COORD, true, 1_000);
        let req = request(CapabilityInfo::ALLOCATE_ADDRESS);
        let got = c.on_request(0, &req, 1, 1, |_, _| Err(AssociationStatus::PanAtCapacity));
        assert_eq!(got, Some((DEV, AssociationStatus::PanAtCapacity)));
        c.permit = false;
        let got = c.on_request(0, &req, 2, 2, |_, _| Ok(1));
        assert_eq!(got, Some((DEV, AssociationStatus::PanAccessDenied)));
        let poll = data_request(2, PAN, Address::Short(0), Address::Extended(DEV));
        for status in [
            AssociationStatus::PanAtCapacity,
            AssociationStatus::PanAccessDenied,
        ] {
            let f = response_of(&c.on_data_request(&poll).unwrap());
            assert_eq!(
                f.payload,
                MacPayload::Command(MacCommand::AssociationResponse {
                    short_addr: NO_SHORT_ADDRESS,
                    status
                })
            );
        }
        assert!(
            c.on_data_request(&request(CapabilityInfo::empty()))
                .is_none()
        );
    }

    #[test]
    fn responses_expire() {
        let mut c = AssociationCoordinator::new(PAN, COORD, true, 1_000);
        c.on_request(0, &request(CapabilityInfo::empty()), 1, 7, |_, _| Ok(1));
        assert!(c.expire(999).is_empty());
        assert_eq!(c.expire(1_000).len(), 1);
        assert!(!c.has_pending(Address::Extended(DEV)));
    }
}
