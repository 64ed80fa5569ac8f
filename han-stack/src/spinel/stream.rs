//! The raw MAC stream (`PROP_STREAM_RAW`): received frames with their
//! metadata from the radio, frames to transmit with their CSMA parameters
//! from the host (OpenThread `spinel.h`, "SPINEL_PROP_STREAM_RAW").

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};

/// Read a Spinel `d`: a little-endian u16 length and that many bytes.
pub fn read_data<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8]> {
    let n = r.u16(what)?;
    r.bytes(usize::from(n), what)
}

/// Append a Spinel `d` (length cut to 65535 bytes).
pub fn write_data(w: &mut Writer, d: &[u8]) {
    let d = d.get(..usize::from(u16::MAX)).unwrap_or(d);
    w.u16(d.len() as u16);
    w.bytes(d);
}

/// Read a Spinel `b`: one byte, 0 or 1.
pub fn read_bool(r: &mut Reader<'_>, what: &'static str) -> Result<bool> {
    let at = r.clone();
    match r.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        v => Err(at.malformed(what, format!("boolean {v} is neither 0 nor 1"))),
    }
}

/// Metadata the radio adds to a received frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxMeta {
    /// Received signal strength, dBm.
    pub rssi: i8,
    /// Noise floor, dBm (127 when unknown).
    pub noise_floor: i8,
    /// Spinel MD flags (bit 0x0001: transmitted by this radio).
    pub flags: u16,
    /// Channel the frame arrived on.
    pub channel: u8,
    /// Link quality indicator.
    pub lqi: u8,
    /// Arrival time, microseconds.
    pub timestamp: u64,
    /// Receive status (a Spinel status, 0 for OK).
    pub status: u32,
}

/// A frame the radio received, as `PROP_VALUE_IS(STREAM_RAW)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxFrame {
    /// The PSDU including its FCS.
    pub psdu: Vec<u8>,
    /// Metadata; absent when the radio sent the frame alone.
    pub meta: Option<RxMeta>,
}

impl Wire for RxFrame {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let psdu = read_data(r, "raw frame")?.to_vec();
        if r.is_empty() {
            return Ok(RxFrame { psdu, meta: None });
        }
        let rssi = r.u8("RSSI")? as i8;
        let noise_floor = r.u8("noise floor")? as i8;
        let flags = r.u16("frame flags")?;
        let mut phy = read_struct(r, "PHY data")?;
        let channel = phy.u8("channel")?;
        let lqi = phy.u8("LQI")?;
        let timestamp = phy.u64("timestamp")?;
        phy.finish("PHY data")?;
        let mut vendor = read_struct(r, "vendor data")?;
        let status = super::packed::read(&mut vendor, "receive status")?;
        vendor.finish("vendor data")?;
        Ok(RxFrame {
            psdu,
            meta: Some(RxMeta {
                rssi,
                noise_floor,
                flags,
                channel,
                lqi,
                timestamp,
                status,
            }),
        })
    }

    fn emit(&self, w: &mut Writer) {
        write_data(w, &self.psdu);
        if let Some(m) = &self.meta {
            w.u8(m.rssi as u8);
            w.u8(m.noise_floor as u8);
            w.u16(m.flags);
            write_struct(w, |s| {
                s.u8(m.channel);
                s.u8(m.lqi);
                s.u64(m.timestamp);
            });
            write_struct(w, |s| super::packed::write(s, m.status));
        }
    }
}

/// Read a Spinel `t(...)`: a u16 length and a structure of that size.
fn read_struct<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<Reader<'a>> {
    let n = r.u16(what)?;
    r.sub(usize::from(n), what)
}

fn write_struct(w: &mut Writer, f: impl FnOnce(&mut Writer)) {
    let mut s = Writer::new();
    f(&mut s);
    write_data(w, s.as_slice());
}

/// Transmit parameters the host may append to a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxParams {
    /// Channel to send on.
    pub channel: u8,
    /// Maximum CSMA back-offs (macMaxCSMABackoffs).
    pub max_csma_backoffs: u8,
    /// Maximum retries when no acknowledgement comes (macMaxFrameRetries).
    pub max_frame_retries: u8,
    /// Whether CSMA-CA runs before sending.
    pub csma_ca_enabled: bool,
    /// Later OpenThread fields (header updated, retransmission, skip AES, delays), kept as sent.
    pub extra: Vec<u8>,
}

/// A frame the host asks the radio to send, as `PROP_VALUE_SET(STREAM_RAW)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRequest {
    /// The PSDU including room for its FCS.
    pub psdu: Vec<u8>,
    /// Parameters; absent when the host sent the frame alone.
    pub params: Option<TxParams>,
}

impl Wire for TxRequest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let psdu = read_data(r, "raw frame")?.to_vec();
        if r.is_empty() {
            return Ok(TxRequest { psdu, params: None });
        }
        let channel = r.u8("channel")?;
        let max_csma_backoffs = r.u8("max CSMA backoffs")?;
        let max_frame_retries = r.u8("max frame retries")?;
        let csma_ca_enabled = read_bool(r, "CSMA-CA enabled")?;
        let extra = r.rest().to_vec();
        Ok(TxRequest {
            psdu,
            params: Some(TxParams {
                channel,
                max_csma_backoffs,
                max_frame_retries,
                csma_ca_enabled,
                extra,
            }),
        })
    }

    fn emit(&self, w: &mut Writer) {
        write_data(w, &self.psdu);
        if let Some(p) = &self.params {
            w.u8(p.channel);
            w.u8(p.max_csma_backoffs);
            w.u8(p.max_frame_retries);
            w.u8(u8::from(p.csma_ca_enabled));
            w.bytes(&p.extra);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    pub(crate) fn rx_frame() -> impl Strategy<Value = RxFrame> {
        let meta = (
            any::<(i8, i8, u16, u8, u8, u64)>(),
            0u32..=super::super::packed::MAX,
        )
            .prop_map(
                |((rssi, noise_floor, flags, channel, lqi, timestamp), status)| RxMeta {
                    rssi,
                    noise_floor,
                    flags,
                    channel,
                    lqi,
                    timestamp,
                    status,
                },
            );
        (vec(any::<u8>(), 0..127), proptest::option::of(meta))
            .prop_map(|(psdu, meta)| RxFrame { psdu, meta })
    }

    pub(crate) fn tx_request() -> impl Strategy<Value = TxRequest> {
        let params = (any::<(u8, u8, u8, bool)>(), vec(any::<u8>(), 0..12)).prop_map(
            |((channel, max_csma_backoffs, max_frame_retries, csma_ca_enabled), extra)| TxParams {
                channel,
                max_csma_backoffs,
                max_frame_retries,
                csma_ca_enabled,
                extra,
            },
        );
        (vec(any::<u8>(), 0..127), proptest::option::of(params))
            .prop_map(|(psdu, params)| TxRequest { psdu, params })
    }

    #[test]
    fn rx_frame_bytes() {
        let f = RxFrame {
            psdu: vec![0x02, 0x00, 0x07, 0xAA, 0xBB],
            meta: Some(RxMeta {
                rssi: -60,
                noise_floor: 127,
                flags: 0,
                channel: 11,
                lqi: 255,
                timestamp: 1,
                status: 0,
            }),
        };
        let b = f.to_bytes();
        assert_eq!(
            b,
            [
                5, 0, 0x02, 0x00, 0x07, 0xAA, 0xBB, 0xC4, 0x7F, 0, 0, 10, 0, 11, 255, 1, 0, 0, 0,
                0, 0, 0, 0, 1, 0, 0
            ]
        );
        assert_eq!(RxFrame::from_bytes(&b).unwrap(), f);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn rx_round_trip(f in rx_frame()) {
            prop_assert_eq!(RxFrame::from_bytes(&f.to_bytes()).unwrap(), f);
        }
        #[test]
        fn tx_round_trip(f in tx_request()) {
            prop_assert_eq!(TxRequest::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        #[test]
        fn no_panic(b in vec(any::<u8>(), 0..128)) {
            let _ = RxFrame::from_bytes(&b);
            let _ = TxRequest::from_bytes(&b);
        }
    }
}
