//! zigpy agrees with han on the encoding of every ZCL data type, both ways.
//!
//! Runs `tests/oracles/zigpy_types.py` with the Python in `HAN_PYTHON` (default
//! `<repo>/.venv/bin/python`); skipped with a message when that Python or zigpy is missing.

use han_stack::Wire;
use han_stack::zcl::GeneralCommand;
use han_stack::zcl::types::{DataType, Layout, ZclValue};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn oracle(mode: &str, input: &str) -> String {
    let python = std::env::var_os("HAN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    let script = repo().join("tests/oracles/zigpy_types.py");
    let mut child = match Command::new(&python)
        .arg(&script)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot run {} ({e}): the zigpy oracle is installed by scripts/test into .venv",
            python.display()
        ),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to oracle");
    let out = child.wait_with_output().expect("oracle output");
    if !out.status.success() {
        panic!(
            "zigpy oracle failed (run scripts/test to install it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8(out.stdout).expect("utf-8")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Sample values of every defined type, including the invalid encodings.
fn samples() -> Vec<ZclValue> {
    let mut v = Vec::new();
    for id in 0u8..=255 {
        let t = DataType(id);
        match t.layout() {
            None => {}
            Some(Layout::Empty) => v.push(ZclValue::Empty(t)),
            Some(Layout::Fixed(16)) => v.push(ZclValue::Key(core::array::from_fn(|i| i as u8))),
            Some(Layout::Fixed(n)) => {
                let mask = if n == 8 { u64::MAX } else { (1 << (8 * n)) - 1 };
                let patterns: &[u64] = if id == 0x10 {
                    &[0, 1, 0xff]
                } else {
                    &[0, 1, 0x5a5a_5a5a_5a5a_5a5a, u64::MAX, 1 << (8 * n - 1)]
                };
                for p in patterns {
                    v.push(ZclValue::Scalar(t, p & mask));
                }
            }
            Some(Layout::Short | Layout::Long) => {
                v.push(ZclValue::String(t, Some(b"abc".to_vec())));
                v.push(ZclValue::String(t, Some(Vec::new())));
                // zigpy cannot decode the invalid length of octet and long strings
                // (ValueError), only of the short character string; han keeps all of them.
                if id == 0x42 {
                    v.push(ZclValue::String(t, None));
                }
            }
            Some(Layout::Sequence) => {
                let e = DataType(0x21);
                v.push(ZclValue::Sequence(
                    t,
                    e,
                    Some(vec![ZclValue::Scalar(e, 1), ZclValue::Scalar(e, 0x0702)]),
                ));
                v.push(ZclValue::Sequence(t, e, Some(Vec::new())));
            }
            Some(Layout::Structure) => {
                v.push(ZclValue::Structure(Some(vec![
                    ZclValue::Scalar(DataType::BOOL, 1),
                    ZclValue::Scalar(DataType(0x20), 0xff),
                    ZclValue::char_string("x"),
                ])));
            }
        }
    }
    v
}

#[test]
fn zigpy_decodes_and_reencodes_our_bytes() {
    let samples = samples();
    let input: String = samples.iter().map(|s| hex(&s.to_bytes()) + "\n").collect();
    let out = oracle("decode", &input);
    let mut disagreements = Vec::new();
    for (s, line) in samples.iter().zip(out.lines()) {
        let ours = hex(&s.to_bytes());
        let expected = format!("ok {ours} -");
        if line != expected {
            disagreements.push(format!("{ours}: zigpy says {line}"));
        }
    }
    assert_eq!(out.lines().count(), samples.len());
    assert!(
        disagreements.is_empty(),
        "zigpy disagrees:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn we_decode_and_reencode_zigpy_bytes() {
    let out = oracle("encode", "");
    let mut checked = 0;
    for line in out.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        let [tid, kind, value, bytes] = parts[..] else {
            panic!("bad oracle line {line}")
        };
        assert_ne!(kind, "skip", "zigpy could not build {line}");
        let b = unhex(bytes);
        let v = ZclValue::from_bytes(&b).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(v.to_bytes(), b, "{line}");
        assert_eq!(format!("{:02x}", v.data_type().0), tid, "{line}");
        match kind {
            "int" => {
                let expect: i128 = value.parse().expect("int");
                let got = match &v {
                    ZclValue::Scalar(DataType::BOOL, x) => Some(*x as i128),
                    ZclValue::Scalar(t, x) if matches!(t.0, 0x18..=0x1f | 0xea) => Some(*x as i128),
                    _ => v.as_i128(),
                };
                assert_eq!(got, Some(expect), "{line}");
            }
            "float" => assert_eq!(v.as_f64(), Some(value.parse().expect("float")), "{line}"),
            "text" | "bytes" => {
                let expect = unhex(value);
                match &v {
                    ZclValue::String(_, Some(s)) => assert_eq!(s, &expect, "{line}"),
                    _ => assert_eq!(&v.to_bytes()[1..], &expect[..], "{line}"),
                }
            }
            _ => panic!("unknown kind in {line}"),
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} values checked");
}

/// Payloads of every general command (ZCL 2.5) that han accepts, from a fixed pseudo-random
/// stream, with at most `per` kept per command.
fn general_payloads(per: usize) -> Vec<(u8, Vec<u8>)> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for id in (0x00u8..=0x16).filter(|id| !(0x0e..=0x10).contains(id)) {
        let mut kept = 0;
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if GeneralCommand::from_payload(id, &b, 0).is_ok_and(|c| zcl_canonical(&c)) {
                out.push((id, b));
                kept += 1;
                if kept == per {
                    break;
                }
            }
        }
    }
    out
}

/// Payloads as the ZCL writes them; han also decodes (and re-emits exactly) the rest, which
/// zigpy rejects or rewrites: an empty status list, a SUCCESS record beside other records
/// (ZCL 2.5.5.1, 2.5.8.1: SUCCESS only as the lone record), a reporting direction other than
/// 0 or 1 (ZCL 2.5.7.1.2).
fn zcl_canonical(c: &GeneralCommand) -> bool {
    match c {
        GeneralCommand::WriteAttributesResponse(p) => {
            p.records.len() == 1
                || (!p.records.is_empty() && p.records.iter().all(|r| r.id.is_some()))
        }
        GeneralCommand::ConfigureReportingResponse(p) => {
            p.records.len() == 1
                || (!p.records.is_empty() && p.records.iter().all(|r| r.attribute.is_some()))
        }
        GeneralCommand::ConfigureReporting(p) => p.records.iter().all(|r| r.direction <= 1),
        _ => true,
    }
}

#[test]
fn zigpy_agrees_on_general_commands() {
    let cases = general_payloads(40);
    for id in (0x00u8..=0x16).filter(|id| !(0x0e..=0x10).contains(id)) {
        assert!(
            cases.iter().filter(|c| c.0 == id).count() >= 10,
            "few cases for 0x{id:02x}"
        );
    }
    let input: String = cases
        .iter()
        .map(|(id, b)| format!("{id:02x} {}\n", hex(b)))
        .collect();
    let out = oracle("general", &input);
    let mut disagreements = Vec::new();
    for ((id, b), line) in cases.iter().zip(out.lines()) {
        let ours = hex(b);
        let shown = if ours.is_empty() { "-" } else { ours.as_str() };
        if line != format!("ok {shown} -") {
            disagreements.push(format!("0x{id:02x} {ours}: zigpy says {line}"));
        }
    }
    assert_eq!(out.lines().count(), cases.len());
    assert!(
        disagreements.is_empty(),
        "zigpy disagrees on {} of {}:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
