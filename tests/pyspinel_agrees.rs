//! pyspinel, the OpenThread Python host, agrees with han's Spinel and
//! HDLC-lite codec both ways: frames pyspinel builds decode in han to the same
//! values, frames han builds decode in pyspinel to the same values, and a bad
//! FCS is refused by both.

use std::io::Write;
use std::process::{Command, Stdio};

use han_stack::Wire;
use han_stack::spinel::{
    self, Command as Cmd, HdlcDecoder, HdlcError, Header, PropId, Property, RxFrame, RxMeta,
    SpinelFrame, Status, TxParams, TxRequest,
};
use serde_json::{Value, json};

fn python() -> String {
    std::env::var("HAN_PYTHON")
        .unwrap_or_else(|_| format!("{}/.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

fn oracle(mode: &str, input: &str) -> String {
    let script = format!(
        "{}/tests/oracles/pyspinel_frames.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut child = Command::new(python())
        .arg(&script)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); scripts/test installs pyspinel",
                python()
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pyspinel oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The values of a frame, in the oracle's JSON shape.
fn describe(f: &SpinelFrame) -> Value {
    let mut d = json!({"tid": f.header.tid, "iid": f.header.iid, "cmd": f.command.id().value()});
    let p = match &f.command {
        Cmd::PropValueGet(id) => {
            d["prop"] = json!(id.value());
            return d;
        }
        Cmd::PropValueSet(p)
        | Cmd::PropValueInsert(p)
        | Cmd::PropValueRemove(p)
        | Cmd::PropValueIs(p)
        | Cmd::PropValueInserted(p)
        | Cmd::PropValueRemoved(p) => p,
        _ => return d,
    };
    d["prop"] = json!(p.id().value());
    d["fields"] = match p {
        Property::LastStatus(s, rest) => {
            assert!(rest.is_empty());
            json!([s.value()])
        }
        Property::ProtocolVersion(a, b) => json!([a, b]),
        Property::NcpVersion(s) => json!([s]),
        Property::InterfaceType(v) => json!([v]),
        Property::Caps(v) => json!([v]),
        Property::HwAddr(a) | Property::MacLongAddr(a) => json!([hex(a)]),
        Property::PhyEnabled(b)
        | Property::MacRawStreamEnabled(b)
        | Property::MacSrcMatchEnabled(b)
        | Property::MacRxOnWhenIdle(b) => {
            json!([u8::from(*b)])
        }
        Property::PhyChan(v) | Property::MacPromiscuousMode(v) | Property::MacScanState(v) => {
            json!([v])
        }
        Property::PhyCcaThreshold(v)
        | Property::PhyTxPower(v)
        | Property::PhyRssi(v)
        | Property::PhyRxSensitivity(v) => json!([v]),
        Property::MacShortAddr(v) | Property::MacPanId(v) => json!([v]),
        Property::StreamRawRx(RxFrame {
            psdu,
            meta: Some(m),
        }) => json!([
            hex(psdu),
            m.rssi,
            m.noise_floor,
            m.flags,
            [m.channel, m.lqi, m.timestamp],
            [m.status]
        ]),
        Property::StreamRawTx(TxRequest {
            psdu,
            params: Some(p),
        }) => json!([
            hex(psdu),
            p.channel,
            p.max_csma_backoffs,
            p.max_frame_retries,
            u8::from(p.csma_ca_enabled)
        ]),
        Property::MacSrcMatchShortAddresses(v) => json!([v]),
        Property::MacSrcMatchExtendedAddresses(v) => {
            json!([v.iter().map(|a| hex(a)).collect::<Vec<_>>()])
        }
        other => panic!("no oracle format for {other:?}"),
    };
    d
}

#[test]
fn han_decodes_what_pyspinel_encodes() {
    let out = oracle("encode", "");
    let mut props = std::collections::BTreeSet::new();
    let mut cmds = std::collections::BTreeSet::new();
    let mut rejected = 0;
    for line in out.lines() {
        let (h, expect) = line.split_once(' ').unwrap();
        let expect: Value = serde_json::from_str(expect).unwrap();
        let got = HdlcDecoder::new().feed(&unhex(h));
        assert_eq!(got.len(), 1, "{line}");
        if expect["rejected"] == json!(true) {
            assert!(
                matches!(got[0], Err(HdlcError::BadFcs { .. })),
                "{line}: {got:?}"
            );
            rejected += 1;
            continue;
        }
        let payload = got[0].as_ref().unwrap();
        let f = SpinelFrame::from_bytes(payload).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(describe(&f), expect, "{line}");
        assert_eq!(&f.to_bytes(), payload, "{line}: han re-encodes differently");
        cmds.insert(f.command.id().value());
        if let Some(p) = expect.get("prop") {
            props.insert(p.as_u64().unwrap());
        }
    }
    assert_eq!(rejected, 1);
    assert_eq!(cmds.len(), 9, "every command: {cmds:?}");
    assert_eq!(props.len(), 23, "every property: {props:?}");
}

#[test]
fn pyspinel_decodes_what_han_encodes() {
    let escapy = [0x7E, 0x7D, 0x11, 0x13, 0xF8, 0x00, 0x7E, 0x7D];
    let psdu = vec![
        0x41, 0x88, 0x7E, 0x7D, 0x11, 0x13, 0xF8, 0xFF, 0xFF, 0x34, 0x12,
    ];
    let cmds: Vec<Cmd> = vec![
        Cmd::Noop,
        Cmd::Reset(None),
        Cmd::PropValueGet(PropId::Caps),
        Cmd::PropValueGet(PropId::MacSrcMatchExtendedAddresses),
        Cmd::PropValueIs(Property::LastStatus(Status::ResetPowerOn, vec![])),
        Cmd::PropValueIs(Property::LastStatus(Status::NoAck, vec![])),
        Cmd::PropValueIs(Property::ProtocolVersion(4, 3)),
        Cmd::PropValueIs(Property::NcpVersion("OPENTHREAD/han ~}".into())),
        Cmd::PropValueIs(Property::InterfaceType(3)),
        Cmd::PropValueIs(Property::Caps(vec![5, 0x7E, 8, 34, 513, 0x1305])),
        Cmd::PropValueIs(Property::HwAddr(escapy)),
        Cmd::PropValueIs(Property::PhyEnabled(true)),
        Cmd::PropValueIs(Property::PhyChan(0x13)),
        Cmd::PropValueIs(Property::PhyTxPower(-8)),
        Cmd::PropValueIs(Property::PhyRssi(-126)),
        Cmd::PropValueIs(Property::PhyRxSensitivity(-100)),
        Cmd::PropValueSet(Property::PhyCcaThreshold(-75)),
        Cmd::PropValueSet(Property::MacScanState(0)),
        Cmd::PropValueSet(Property::MacRxOnWhenIdle(true)),
        Cmd::PropValueSet(Property::MacLongAddr(escapy)),
        Cmd::PropValueSet(Property::MacShortAddr(0x7D7E)),
        Cmd::PropValueSet(Property::MacPanId(0x1311)),
        Cmd::PropValueSet(Property::MacRawStreamEnabled(true)),
        Cmd::PropValueSet(Property::MacPromiscuousMode(1)),
        Cmd::PropValueSet(Property::MacSrcMatchEnabled(false)),
        Cmd::PropValueSet(Property::MacSrcMatchShortAddresses(vec![0x7E7D, 0xF811])),
        Cmd::PropValueInsert(Property::MacSrcMatchShortAddresses(vec![0x1313])),
        Cmd::PropValueRemove(Property::MacSrcMatchExtendedAddresses(vec![escapy])),
        Cmd::PropValueInserted(Property::MacSrcMatchShortAddresses(vec![0x1313])),
        Cmd::PropValueRemoved(Property::MacSrcMatchExtendedAddresses(vec![escapy])),
        Cmd::PropValueSet(Property::StreamRawTx(TxRequest {
            psdu: psdu.clone(),
            params: Some(TxParams {
                channel: 0x11,
                max_csma_backoffs: 4,
                max_frame_retries: 3,
                csma_ca_enabled: true,
                extra: vec![],
            }),
        })),
        Cmd::PropValueIs(Property::StreamRawRx(RxFrame {
            psdu,
            meta: Some(RxMeta {
                rssi: -61,
                noise_floor: 127,
                flags: 0x7E7D,
                channel: 0x13,
                lqi: 0xF8,
                timestamp: 0x7E7D_1113_F800_7E7D,
                status: 0,
            }),
        })),
    ];
    let frames: Vec<SpinelFrame> = cmds
        .into_iter()
        .enumerate()
        .map(|(i, command)| SpinelFrame {
            header: Header::new(0, i as u8),
            command,
        })
        .collect();
    let mut input: String = frames
        .iter()
        .map(|f| hex(&spinel::hdlc::encode(&f.to_bytes())) + "\n")
        .collect();
    let mut bad = spinel::hdlc::encode(&frames[0].to_bytes());
    let n = bad.len();
    bad[n - 2] ^= 0x01;
    input += &(hex(&bad) + "\n");
    let out = oracle("decode", &input);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), frames.len() + 1);
    for (f, got) in frames.iter().zip(&lines) {
        assert_eq!(got, &describe(f), "{f:?}");
    }
    assert_eq!(lines[frames.len()], json!({"rejected": true}));
}
