//! Helpers shared by the han-mesh integration tests: running tshark, sending test frames.
#![allow(dead_code)]

use han_mesh::radio::{Action, NodeCtx, TxOptions};
use han_stack::mac::{Address, MacFrame};
use std::process::Command;

/// Run tshark with `args` and return what it prints; fails the test when tshark is
/// missing or fails.
pub fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("tshark is needed for this test ({e}); scripts/test installs it with apt-get")
        });
    assert!(
        out.status.success(),
        "tshark {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Frames of the capture at `pcap` that tshark finds matching `filter`.
pub fn tshark_count(pcap: &str, filter: &str) -> usize {
    tshark(&[
        "-r",
        pcap,
        "-n",
        "-Y",
        filter,
        "-T",
        "fields",
        "-e",
        "frame.number",
    ])
    .lines()
    .count()
}

/// Transmit a 50-byte data frame from `me` to `dst` on `pan` with sequence number `*seq`,
/// and step `*seq` on.
pub fn transmit_data(ctx: &mut NodeCtx<'_>, pan: u16, me: u16, dst: u16, seq: &mut u8) {
    let f = MacFrame::data(
        *seq,
        pan,
        Address::Short(dst),
        Address::Short(me),
        vec![0x3f; 50],
    );
    *seq = seq.wrapping_add(1);
    ctx.actions.push(Action::Transmit {
        handle: 0,
        psdu: f.emit_with_fcs(),
        options: TxOptions::default(),
    });
}
