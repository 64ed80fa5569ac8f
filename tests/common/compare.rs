//! Field-by-field comparison of `han decode --format jsonl` with tshark.

use serde_json::Value;

use super::TsharkFrame;

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    if cur.is_null() { None } else { Some(cur) }
}

/// Our rendering of a field, as tshark would print it.
pub fn ours(v: &Value, path: &[&str]) -> String {
    match str_at(v, path) {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => {
            if *b {
                "1".into()
            } else {
                "0".into()
            }
        }
        Some(other) => other.to_string(),
    }
}

fn type_name(kind: &str, tshark_value: &str) -> String {
    let n = u32::from_str_radix(tshark_value.trim_start_matches("0x"), 16).unwrap_or(u32::MAX);
    let names: &[&str] = match kind {
        "mac" => &[
            "Beacon",
            "Data",
            "Ack",
            "Command",
            "Reserved",
            "Multipurpose",
            "Fragment",
            "Extended",
        ],
        "nwk" => &["Data", "Command", "Reserved", "Inter-PAN"],
        _ => &["Data", "Command", "Ack", "Inter-PAN"],
    };
    names.get(n as usize).unwrap_or(&"?").to_string()
}

pub fn hex_id(tshark_value: &str, width: usize) -> String {
    match u32::from_str_radix(tshark_value.trim_start_matches("0x"), 16) {
        Ok(n) => format!("0x{n:0width$x}"),
        Err(_) => tshark_value.to_string(),
    }
}

/// Compare han's frames with tshark's; returns (fields compared, disagreements).
pub fn compare(name: &str, han: &[Value], tshark: &[TsharkFrame]) -> (usize, Vec<String>) {
    let mut compared = 0usize;
    let mut failures = Vec::new();
    if han.len() != tshark.len() {
        failures.push(format!(
            "{name}: frame count: han {} tshark {}",
            han.len(),
            tshark.len()
        ));
        return (0, failures);
    }
    for (h, t) in han.iter().zip(tshark) {
        let frame = &t["frame.number"];
        let mut check = |what: &str, mine: String, theirs: String| {
            compared += 1;
            if mine != theirs {
                failures.push(format!(
                    "{name} frame {frame}: {what}: han `{mine}` tshark `{theirs}`"
                ));
            }
        };
        let malformed = !t["_ws.malformed"].is_empty();
        let han_error = ours(h, &["error"]);
        if malformed {
            check(
                "error on a frame tshark calls malformed",
                (!han_error.is_empty()).to_string(),
                "true".into(),
            );
            continue;
        }
        if t["wpan.frame_type"].is_empty() {
            // Not 802.15.4 at all (e.g. Ethernet without ZEP): han must say why.
            check(
                "error on a non-802.15.4 record",
                (!han_error.is_empty()).to_string(),
                "true".into(),
            );
            continue;
        }
        check("error", han_error, String::new());
        check(
            "mac.type",
            ours(h, &["mac", "type"]),
            type_name("mac", &t["wpan.frame_type"]),
        );
        check(
            "mac.seq",
            ours(h, &["mac", "seq"]),
            t["wpan.seq_no"].clone(),
        );
        check(
            "mac.dst_pan",
            ours(h, &["mac", "dst_pan"]),
            t["wpan.dst_pan"].clone(),
        );
        // tshark adds a derived EUI-64 beside a short address it has seen
        // mapped; the address on air is the short one when both are present.
        let dst = if t["wpan.dst16"].is_empty() {
            &t["wpan.dst64"]
        } else {
            &t["wpan.dst16"]
        };
        check("mac.dst", ours(h, &["mac", "dst"]), dst.clone());
        let src = if t["wpan.src16"].is_empty() {
            &t["wpan.src64"]
        } else {
            &t["wpan.src16"]
        };
        check("mac.src", ours(h, &["mac", "src"]), src.clone());
        let fcs = ours(h, &["mac", "fcs_ok"]);
        if !fcs.is_empty() && !t["wpan.fcs_ok"].is_empty() {
            check("mac.fcs_ok", fcs, t["wpan.fcs_ok"].clone());
        }
        if t["zbee_nwk.frame_type"].is_empty() {
            check("no nwk layer", ours(h, &["nwk", "type"]), String::new());
            continue;
        }
        check(
            "nwk.type",
            ours(h, &["nwk", "type"]),
            type_name("nwk", &t["zbee_nwk.frame_type"]),
        );
        check(
            "nwk.src",
            ours(h, &["nwk", "src"]),
            t["zbee_nwk.src"].clone(),
        );
        check(
            "nwk.dst",
            ours(h, &["nwk", "dst"]),
            t["zbee_nwk.dst"].clone(),
        );
        check(
            "nwk.seq",
            ours(h, &["nwk", "seq"]),
            t["zbee_nwk.seqno"].clone(),
        );
        check(
            "nwk.radius",
            ours(h, &["nwk", "radius"]),
            t["zbee_nwk.radius"].clone(),
        );
        check(
            "nwk.security",
            ours(h, &["nwk", "security"]),
            t["zbee_nwk.security"].clone(),
        );
        if ours(h, &["nwk", "security"]) == "1" {
            let tshark_decrypted = if t["zbee.sec.key"].is_empty() {
                "0"
            } else {
                "1"
            };
            check(
                "nwk.decrypted",
                ours(h, &["nwk", "decrypted"]),
                tshark_decrypted.into(),
            );
        }
        let nwk_cmd = &t["zbee_nwk.cmd.id"];
        check(
            "nwk.command",
            ours(h, &["nwk", "command"]),
            if nwk_cmd.is_empty() {
                String::new()
            } else {
                hex_id(nwk_cmd, 2)
            },
        );
        if t["zbee_aps.type"].is_empty() {
            continue;
        }
        check(
            "aps.type",
            ours(h, &["aps", "type"]),
            type_name("aps", &t["zbee_aps.type"]),
        );
        check(
            "aps.dst_ep",
            ours(h, &["aps", "dst_ep"]),
            t["zbee_aps.dst"].clone(),
        );
        check(
            "aps.src_ep",
            ours(h, &["aps", "src_ep"]),
            t["zbee_aps.src"].clone(),
        );
        // tshark files a ZDP cluster under zbee_aps.zdp_cluster instead.
        let cluster = if t["zbee_aps.zdp_cluster"].is_empty() {
            &t["zbee_aps.cluster"]
        } else {
            &t["zbee_aps.zdp_cluster"]
        };
        check("aps.cluster", ours(h, &["aps", "cluster"]), cluster.clone());
        check(
            "aps.profile",
            ours(h, &["aps", "profile"]),
            t["zbee_aps.profile"].clone(),
        );
        check(
            "aps.counter",
            ours(h, &["aps", "counter"]),
            t["zbee_aps.counter"].clone(),
        );
        if !t["zbee_aps.cmd.id"].is_empty() {
            check(
                "aps.command",
                ours(h, &["aps", "command"]),
                hex_id(&t["zbee_aps.cmd.id"], 2),
            );
        }
        if !t["zbee_zdp.seqno"].is_empty() {
            let cluster = &t["zbee_aps.zdp_cluster"];
            check("zdo.cluster", ours(h, &["zdo", "cluster"]), cluster.clone());
            check(
                "zdo.seq",
                ours(h, &["zdo", "seq"]),
                t["zbee_zdp.seqno"].clone(),
            );
        }
        if !t["zbee_zcl.cmd.tsn"].is_empty() {
            check(
                "zcl.seq",
                ours(h, &["zcl", "seq"]),
                t["zbee_zcl.cmd.tsn"].clone(),
            );
        }
    }
    (compared, failures)
}
