//! `han bench decode-capture`: the capture `scripts/bench decode` times han and tshark on.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use han_stack::capture::{LinkType, PcapWriter, RadioMeta};
use han_stack::samples::{SampleNetwork, traffic};

use super::decode::parse_key;

/// Arguments of `han bench decode-capture`.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Where to write the pcap (link type 283).
    pub out: PathBuf,
    /// How many frames.
    #[arg(long, default_value_t = 1_000_000)]
    pub frames: usize,
    /// The network key to secure the frames with.
    #[arg(long, default_value = "4e483c5d6f682656704e244b5c535144")]
    pub key: String,
}

/// Write the benchmark capture: realistic mixed traffic, 80% NWK-secured, 1 ms apart.
pub fn write_capture(args: &CaptureArgs) -> Result<u8> {
    let net = SampleNetwork {
        network_key: parse_key(&args.key)?,
        ..SampleNetwork::default()
    };
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut w = PcapWriter::new(std::io::BufWriter::new(file), LinkType::Tap)?;
    let meta = RadioMeta {
        channel: 15,
        rssi_dbm: -62.0,
        lqi: 220,
    };
    for (i, mpdu) in traffic(&net, args.frames).enumerate() {
        w.write_frame(
            1_700_000_000_000_000_000 + i as u64 * 1_000_000,
            &mpdu,
            &meta,
        )?;
    }
    w.into_inner()?;
    eprintln!("wrote {} frames to {}", args.frames, args.out.display());
    Ok(super::EXIT_OK)
}
