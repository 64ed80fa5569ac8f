//! Checking a trace against expectations: one outcome per rule, each failure
//! with what went wrong and where (frame numbers, times from the first frame).

use std::collections::HashMap;

use serde::Serialize;

use super::expect::{Check, Condition, Expectations, Rule};
use super::matcher::Matcher;
use super::message::Message;
use super::trace::Trace;
use crate::mac::Address;

/// At most this many failures are listed per rule; the rest are counted.
pub const LISTED_FAILURES: usize = 20;

/// The result of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Rule name.
    pub name: String,
    /// Rule kind ("rate", "sequence", ...).
    pub kind: &'static str,
    /// Line of the rule in the expectations file.
    pub line: usize,
    /// Whether the rule held.
    pub passed: bool,
    /// What was seen, in one line.
    pub summary: String,
    /// The first failures.
    pub failures: Vec<Failure>,
    /// How many failures there were in all.
    pub failure_count: usize,
}

/// One way a rule failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// What went wrong, naming frames and times.
    pub message: String,
    /// The frames involved (1-based).
    pub frames: Vec<usize>,
    /// Their times, seconds from the first frame.
    pub times: Vec<f64>,
}

/// Collects failures, listing the first [`LISTED_FAILURES`].
struct Failures<'t> {
    trace: &'t Trace,
    listed: Vec<Failure>,
    count: usize,
}

impl<'t> Failures<'t> {
    fn new(trace: &'t Trace) -> Self {
        Failures {
            trace,
            listed: Vec::new(),
            count: 0,
        }
    }

    fn at(&self, m: &Message) -> String {
        at(self.trace, m)
    }

    fn add(&mut self, message: String, frames: &[&Message]) {
        self.count += 1;
        if self.listed.len() < LISTED_FAILURES {
            self.listed.push(Failure {
                message,
                frames: frames.iter().map(|m| m.frame).collect(),
                times: frames.iter().map(|m| m.time - self.trace.start()).collect(),
            });
        }
    }
}

/// `frame N (t=S s)`, the time counted from the first frame.
fn at(trace: &Trace, m: &Message) -> String {
    format!("frame {} (t={:.3} s)", m.frame, m.time - trace.start())
}

/// Check every rule; outcomes in rule order.
pub fn check(trace: &Trace, expectations: &Expectations) -> Vec<Outcome> {
    expectations
        .rules
        .iter()
        .map(|r| check_rule(trace, r))
        .collect()
}

/// Check one rule.
pub fn check_rule(trace: &Trace, rule: &Rule) -> Outcome {
    let mut f = Failures::new(trace);
    let summary = match &rule.check {
        Check::Count { matcher, min, max } => count(trace, matcher, *min, *max, &mut f),
        Check::Rate {
            matcher,
            every,
            tolerance,
            min_count,
        } => rate(trace, matcher, *every, *tolerance, *min_count, &mut f),
        Check::Sequence {
            steps,
            within,
            each,
        } => sequence(trace, steps, *within, *each, &mut f),
        Check::Response {
            request,
            response,
            within,
            again,
        } => answered(trace, request, response, (*within, *again), &mut f),
        Check::Range {
            matcher,
            attribute,
            min,
            max,
        } => range(trace, matcher, *attribute, *min, *max, &mut f),
        Check::Absent { matcher } => absent(trace, matcher, &mut f),
        Check::Never { condition } => never(trace, *condition, &mut f),
    };
    Outcome {
        name: rule.name.clone(),
        kind: rule.check.kind(),
        line: rule.line,
        passed: f.count == 0,
        summary,
        failure_count: f.count,
        failures: f.listed,
    }
}

/// Matching messages that are not MAC retransmissions.
fn originals<'t>(trace: &'t Trace, m: &'t Matcher) -> impl Iterator<Item = &'t Message> + 't {
    trace
        .messages
        .iter()
        .filter(move |x| !x.retry && m.matches(x, trace))
}

fn count(
    trace: &Trace,
    matcher: &Matcher,
    min: Option<u64>,
    max: Option<u64>,
    f: &mut Failures<'_>,
) -> String {
    let found: Vec<&Message> = originals(trace, matcher).collect();
    let n = found.len() as u64;
    if let Some(min) = min.filter(|&min| n < min) {
        let last = found.last().map_or("none in the capture".into(), |m| {
            format!("the last at {}", f.at(m))
        });
        f.add(
            format!("{n} message(s), expected at least {min} ({last})"),
            &found[found.len().saturating_sub(1)..],
        );
    }
    if let Some(max) = max.filter(|&max| n > max) {
        let first_extra = found[max as usize];
        f.add(
            format!(
                "{n} message(s), expected at most {max}; the first one too many is {}",
                f.at(first_extra)
            ),
            &[first_extra],
        );
    }
    format!("{n} message(s)")
}

fn rate(
    trace: &Trace,
    matcher: &Matcher,
    every: f64,
    tolerance: f64,
    min_count: u64,
    f: &mut Failures<'_>,
) -> String {
    let found: Vec<&Message> = originals(trace, matcher).collect();
    if (found.len() as u64) < min_count {
        f.add(
            format!(
                "{} message(s), at least {min_count} needed to measure the rate",
                found.len()
            ),
            &found,
        );
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for pair in found.windows(2) {
        let gap = pair[1].time - pair[0].time;
        lo = lo.min(gap);
        hi = hi.max(gap);
        if (gap - every).abs() > tolerance + 1e-9 {
            let message = format!(
                "gap of {gap:.3} s between {} and {}, expected {every} s ± {tolerance} s",
                f.at(pair[0]),
                f.at(pair[1])
            );
            f.add(message, pair);
        }
    }
    if found.len() < 2 {
        format!("{} message(s)", found.len())
    } else {
        format!("{} message(s), gaps {lo:.3}..{hi:.3} s", found.len())
    }
}

fn sequence(
    trace: &Trace,
    steps: &[Matcher],
    within: f64,
    each: bool,
    f: &mut Failures<'_>,
) -> String {
    let msgs = &trace.messages;
    let starts: Vec<usize> = (0..msgs.len())
        .filter(|&i| !msgs[i].retry && steps[0].matches(&msgs[i], trace))
        .collect();
    // Where each later step matches, so that each attempt is a few binary
    // searches, however long `within` is.
    let hits: Vec<Vec<usize>> = steps[1..]
        .iter()
        .map(|s| {
            (0..msgs.len())
                .filter(|&i| s.matches(&msgs[i], trace))
                .collect()
        })
        .collect();
    let mut complete = Vec::new();
    let mut incomplete = Vec::new();
    for &start in &starts {
        let t0 = msgs[start].time;
        let mut seen = vec![start];
        for step_hits in &hits {
            let after = seen[seen.len() - 1];
            let next = step_hits.get(step_hits.partition_point(|&i| i <= after));
            match next {
                Some(&i) if msgs[i].time - t0 <= within + 1e-9 => seen.push(i),
                _ => break,
            }
        }
        if seen.len() == steps.len() {
            complete.push(seen);
        } else {
            incomplete.push(seen);
        }
    }
    let describe = |seen: &[usize]| {
        let first = &msgs[seen[0]];
        let step = &steps[seen.len()];
        let last = &msgs[seen[seen.len() - 1]];
        let done = if seen.len() > 1 {
            format!(
                " (steps 1-{} at frames {})",
                seen.len(),
                frames_text(msgs, seen)
            )
        } else {
            String::new()
        };
        format!(
            "step {} ({}) not seen within {within} s of {}{done}, after frame {}",
            seen.len() + 1,
            step.describe(),
            at(trace, first),
            last.frame
        )
    };
    if starts.is_empty() {
        f.add(format!("step 1 ({}) never seen", steps[0].describe()), &[]);
    } else if each {
        for seen in &incomplete {
            let refs: Vec<&Message> = seen.iter().map(|&i| &msgs[i]).collect();
            f.add(describe(seen), &refs);
        }
    } else if complete.is_empty() {
        // Report the attempt that got furthest.
        if let Some(best) = incomplete.iter().max_by_key(|s| s.len()) {
            let refs: Vec<&Message> = best.iter().map(|&i| &msgs[i]).collect();
            f.add(describe(best), &refs);
        }
    }
    match complete.first() {
        Some(seen) => format!(
            "{} of {} complete; first at frames {}",
            complete.len(),
            starts.len(),
            frames_text(msgs, seen)
        ),
        None => format!("0 of {} complete", starts.len()),
    }
}

fn frames_text(msgs: &[Message], seen: &[usize]) -> String {
    seen.iter()
        .map(|&i| msgs[i].frame.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `b` answers `a`: the same ZCL or ZDP transaction, or the ACK of
/// its MAC sequence number, sent back the other way.
fn answers(a: &Message, b: &Message, trace: &Trace) -> bool {
    if b.mac_type == "Ack" && b.mac_src == Address::None {
        return a.mac_seq.is_some() && b.mac_seq == a.mac_seq;
    }
    if let (Some(x), Some(y)) = (&a.zcl, &b.zcl)
        && x.seq != y.seq
    {
        return false;
    }
    if let (Some(x), Some(y)) = (a.zdp_seq, b.zdp_seq)
        && x != y
    {
        return false;
    }
    let same = |p: &Address, q: &Address| same_device(p, q, trace);
    let broadcast = matches!(a.dst, Address::Short(s) if s >= 0xfff8);
    (broadcast || same(&b.src, &a.dst)) && same(&b.dst, &a.src)
}

/// Every request matching `request` answered within `bounds.0` s, or (with `bounds.1`)
/// asked again by its sender within that many seconds, the repeat answered or itself
/// asked again.
fn answered(
    trace: &Trace,
    request: &Matcher,
    response: &Matcher,
    (within, again): (f64, Option<f64>),
    f: &mut Failures<'_>,
) -> String {
    let msgs = &trace.messages;
    let candidates: Vec<usize> = (0..msgs.len())
        .filter(|&i| response.matches(&msgs[i], trace))
        .collect();
    let requests: Vec<usize> = (0..msgs.len())
        .filter(|&i| !msgs[i].retry && request.matches(&msgs[i], trace))
        .collect();
    let latency: Vec<Option<f64>> = requests
        .iter()
        .map(|&i| {
            let req = &msgs[i];
            let from = candidates.partition_point(|&j| j <= i);
            candidates[from..]
                .iter()
                .map(|&j| &msgs[j])
                .take_while(|m| m.time - req.time <= within + 1e-9)
                .find(|m| answers(req, m, trace))
                .map(|a| a.time - req.time)
        })
        .collect();
    // Latest first: a request passes through a repeat that passed.
    let mut ok: Vec<bool> = latency.iter().map(Option::is_some).collect();
    if let Some(again) = again {
        for k in (0..requests.len()).rev() {
            let req = &msgs[requests[k]];
            ok[k] = ok[k]
                || (k + 1..requests.len())
                    .take_while(|&l| msgs[requests[l]].time - req.time <= again + 1e-9)
                    .any(|l| ok[l] && asked_again(req, &msgs[requests[l]], trace));
        }
    }
    let (mut worst, mut total) = (0f64, 0f64);
    for (k, &i) in requests.iter().enumerate() {
        if let Some(l) = latency[k] {
            worst = worst.max(l);
            total += l;
        } else if !ok[k] {
            let req = &msgs[i];
            let message = format!(
                "{} at {} not answered by {} within {within} s{}",
                req.name(),
                f.at(req),
                response.describe(),
                again.map_or(String::new(), |a| format!(" nor asked again within {a} s"))
            );
            f.add(message, &[req]);
        }
    }
    let n = requests.len();
    let direct = latency.iter().flatten().count();
    if n == 0 {
        f.add(
            format!("no request ({}) in the capture", request.describe()),
            &[],
        );
        return "0 requests".into();
    }
    let repeated = match ok.iter().filter(|&&o| o).count() - direct {
        0 => String::new(),
        r => format!(", {r} asked again and then answered"),
    };
    format!(
        "{direct} of {n} answered{repeated}; latency mean {:.1} ms, max {:.1} ms",
        if direct > 0 {
            1e3 * total / direct as f64
        } else {
            0.0
        },
        1e3 * worst
    )
}

/// Whether `b` asks again what `a` asked: the same message from the same sender to the
/// same destination.
fn asked_again(a: &Message, b: &Message, trace: &Trace) -> bool {
    a.name() == b.name() && same_device(&a.src, &b.src, trace) && same_device(&a.dst, &b.dst, trace)
}

/// Whether two addresses name one device (the same address, or the same EUI-64 the trace
/// maps them to).
fn same_device(p: &Address, q: &Address, trace: &Trace) -> bool {
    p == q || matches!((trace.eui64_of(p), trace.eui64_of(q)), (Some(x), Some(y)) if x == y)
}

fn range(
    trace: &Trace,
    matcher: &Matcher,
    attribute: u16,
    min: Option<f64>,
    max: Option<f64>,
    f: &mut Failures<'_>,
) -> String {
    let (mut n, mut lo, mut hi) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for m in originals(trace, matcher) {
        let Some(v) = m.attribute(attribute) else {
            continue;
        };
        n += 1;
        lo = lo.min(v);
        hi = hi.max(v);
        if min.is_some_and(|a| v < a) || max.is_some_and(|b| v > b) {
            let message = format!(
                "attribute 0x{attribute:04x} = {v} at {} is outside [{}, {}]",
                f.at(m),
                min.map_or("-inf".into(), |a| a.to_string()),
                max.map_or("inf".into(), |b| b.to_string())
            );
            f.add(message, &[m]);
        }
    }
    if n == 0 {
        f.add(
            format!(
                "no value of attribute 0x{attribute:04x} in {}",
                matcher.describe()
            ),
            &[],
        );
        return "0 values".into();
    }
    format!("{n} value(s), {lo}..{hi}")
}

fn absent(trace: &Trace, matcher: &Matcher, f: &mut Failures<'_>) -> String {
    for m in trace.messages.iter().filter(|m| matcher.matches(m, trace)) {
        let message = format!("{} at {}", m.name(), f.at(m));
        f.add(message, &[m]);
    }
    format!("{} found", f.count)
}

fn never(trace: &Trace, condition: Condition, f: &mut Failures<'_>) -> String {
    let msgs = &trace.messages;
    match condition {
        Condition::ClearAfterJoin => {
            let mut secured_at: HashMap<Address, usize> = HashMap::new();
            // An APS-secured frame without NWK security is not in the clear: it is how
            // the trust centre hands a joiner the network key (Zigbee PRO R22 4.6.3.2).
            for (i, m) in msgs.iter().enumerate().filter(|(_, m)| m.nwk) {
                match (
                    m.nwk_security.is_some() || m.aps_secured,
                    secured_at.get(&m.src),
                ) {
                    (true, None) => {
                        secured_at.insert(m.src, i);
                    }
                    (false, Some(&j)) => {
                        let message = format!(
                            "{} from {} in the clear at {}, after its secured {}",
                            m.name(),
                            super::message::address_text(&m.src),
                            f.at(m),
                            f.at(&msgs[j])
                        );
                        f.add(message, &[&msgs[j], m]);
                    }
                    _ => {}
                }
            }
        }
        Condition::MicFailure => {
            for m in msgs.iter().filter(|m| m.mic_failed) {
                let message = format!("no key opens the secured frame at {}", f.at(m));
                f.add(message, &[m]);
            }
        }
        Condition::NwkCounterBackwards => {
            let mut last: HashMap<(Address, Option<u8>), usize> = HashMap::new();
            for (i, m) in msgs.iter().enumerate() {
                let Some(s) = &m.nwk_security else { continue };
                if let Some(&j) = last.get(&(s.source, s.key_seq)) {
                    let before = msgs[j].nwk_security.map_or(0, |p| p.counter);
                    if s.counter < before {
                        let message = format!(
                            "NWK frame counter of {} went back from {before} at {} to {} at {}",
                            super::message::address_text(&s.source),
                            f.at(&msgs[j]),
                            s.counter,
                            f.at(m)
                        );
                        f.add(message, &[&msgs[j], m]);
                    }
                }
                last.insert((s.source, s.key_seq), i);
            }
        }
        Condition::DefaultResponseError => {
            for m in msgs.iter() {
                let Some(status) = m.zcl.as_ref().and_then(|z| z.default_status) else {
                    continue;
                };
                if status != 0 {
                    let message = format!(
                        "Default Response with status {} (0x{status:02x}) at {}",
                        crate::zcl::Status(status).name(),
                        f.at(m)
                    );
                    f.add(message, &[m]);
                }
            }
        }
        Condition::BadFcs => {
            for m in msgs.iter().filter(|m| m.fcs_ok == Some(false)) {
                let message = format!("bad FCS at {}", f.at(m));
                f.add(message, &[m]);
            }
        }
        Condition::DecodeError => {
            for m in msgs.iter() {
                if let Some(e) = &m.error {
                    let message = format!("{} does not decode: {e}", f.at(m));
                    f.add(message, &[m]);
                }
            }
        }
        Condition::TimeBackwards => {
            for pair in msgs.windows(2) {
                if pair[1].time < pair[0].time {
                    let message = format!(
                        "{} was captured {:.6} s before {}",
                        f.at(&pair[1]),
                        pair[0].time - pair[1].time,
                        f.at(&pair[0])
                    );
                    f.add(message, &[&pair[0], &pair[1]]);
                }
            }
        }
    }
    format!("{} found", f.count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::expect::parse;
    use crate::replay::message::{NwkSecurity, ZclMessage};
    use std::collections::BTreeMap;

    fn run(messages: Vec<Message>, rules: &str) -> Vec<Outcome> {
        let trace = Trace::from_messages(messages, BTreeMap::new());
        check(&trace, &parse(rules).unwrap())
    }

    fn frames(o: &Outcome) -> Vec<Vec<usize>> {
        o.failures.iter().map(|f| f.frames.clone()).collect()
    }

    #[test]
    fn a_rate_names_the_frames_around_each_gap_out_of_tolerance() {
        let times = [0.0, 10.0, 20.5, 35.0, 45.0];
        let msgs = times
            .iter()
            .enumerate()
            .map(|(i, &t)| Message::sample(i + 1, t, 2, 1, "Route Request"))
            .collect();
        let rule = "[[rate]]\nmatch = { message = \"Route Request\" }\nevery = \"10s\"\ntolerance = \"1s\"\n";
        let o = &run(msgs, rule)[0];
        assert!(!o.passed);
        assert_eq!(frames(o), [vec![3, 4]]);
        assert_eq!(
            o.failures[0].message,
            "gap of 14.500 s between frame 3 (t=20.500 s) and frame 4 (t=35.000 s), expected 10 s ± 1 s"
        );
    }

    #[test]
    fn a_response_must_come_back_the_other_way_in_the_same_transaction() {
        let msgs = vec![
            Message::sample(1, 0.0, 1, 2, "").with_zcl("Read Attributes", 7),
            // Wrong transaction, then wrong direction, then the answer too late.
            Message::sample(2, 0.1, 2, 1, "").with_zcl("Read Attributes Response", 8),
            Message::sample(3, 0.2, 3, 1, "").with_zcl("Read Attributes Response", 7),
            Message::sample(4, 0.9, 2, 1, "").with_zcl("Read Attributes Response", 7),
            Message::sample(5, 1.0, 1, 2, "").with_zcl("Read Attributes", 9),
            Message::sample(6, 1.2, 2, 1, "").with_zcl("Read Attributes Response", 9),
        ];
        let rule = "[[response]]\nrequest = { message = \"Read Attributes\" }\nresponse = { message = \"Read Attributes Response\" }\nwithin = \"500ms\"\n";
        let o = &run(msgs, rule)[0];
        assert_eq!(frames(o), [vec![1]], "{o:?}");
        assert_eq!(
            o.summary,
            "1 of 2 answered; latency mean 200.0 ms, max 200.0 ms"
        );
    }

    #[test]
    fn a_request_asked_again_and_then_answered_passes_with_again() {
        let msgs = vec![
            // Lost, asked again 5 s later (a new transaction) and answered.
            Message::sample(1, 0.0, 1, 2, "").with_zcl("Read Attributes", 7),
            Message::sample(2, 5.0, 1, 2, "").with_zcl("Read Attributes", 8),
            Message::sample(3, 5.1, 2, 1, "").with_zcl("Read Attributes Response", 8),
            // Lost, asked again too late, answered.
            Message::sample(4, 20.0, 1, 2, "").with_zcl("Read Attributes", 9),
            Message::sample(5, 26.0, 1, 2, "").with_zcl("Read Attributes", 10),
            Message::sample(6, 26.1, 2, 1, "").with_zcl("Read Attributes Response", 10),
            // Lost, asked again by another device.
            Message::sample(7, 40.0, 1, 2, "").with_zcl("Read Attributes", 11),
            Message::sample(8, 41.0, 3, 2, "").with_zcl("Read Attributes", 12),
            Message::sample(9, 41.1, 2, 3, "").with_zcl("Read Attributes Response", 12),
        ];
        let rule = |again: &str| {
            format!(
                "[[response]]\nrequest = {{ message = \"Read Attributes\" }}\nresponse = {{ message = \"Read Attributes Response\" }}\nwithin = \"1s\"\n{again}"
            )
        };
        let o = &run(msgs.clone(), &rule("again = \"5.5s\"\n"))[0];
        assert_eq!(frames(o), [vec![4], vec![7]], "{o:?}");
        assert_eq!(
            o.summary,
            "3 of 6 answered, 1 asked again and then answered; latency mean 100.0 ms, max 100.0 ms"
        );
        assert!(
            o.failures[0]
                .message
                .ends_with("nor asked again within 5.5 s")
        );
        let o = &run(msgs, &rule(""))[0];
        assert_eq!(frames(o), [vec![1], vec![4], vec![7]], "{o:?}");
    }

    #[test]
    fn sequences_need_their_steps_in_order_within_the_bound() {
        let msgs = vec![
            Message::sample(1, 0.0, 5, 0, "Beacon Request"),
            Message::sample(2, 0.2, 5, 0, "Rejoin Request"),
            Message::sample(3, 9.0, 5, 0, "Beacon Request"),
            Message::sample(4, 9.1, 5, 0, "Rejoin Request"),
            Message::sample(5, 9.2, 0, 5, "Rejoin Response"),
        ];
        let steps = "steps = [{ message = \"Beacon Request\" }, { message = \"Rejoin Request\" }, { message = \"Rejoin Response\" }]\nwithin = \"1s\"\n";
        let any = run(msgs.clone(), &format!("[[sequence]]\n{steps}"));
        assert!(any[0].passed, "{any:?}");
        assert_eq!(any[0].summary, "1 of 2 complete; first at frames 3, 4, 5");
        let each = run(msgs, &format!("[[sequence]]\neach = true\n{steps}"));
        assert_eq!(frames(&each[0]), [vec![1, 2]]);
        assert!(
            each[0].failures[0]
                .message
                .starts_with("step 3 (Rejoin Response) not seen within 1 s of frame 1"),
            "{each:?}"
        );
    }

    #[test]
    fn counts_name_the_first_message_too_many() {
        let msgs = (1..=4)
            .map(|i| Message::sample(i, i as f64, 1, 2, "Leave"))
            .collect();
        let o = &run(
            msgs,
            "[[count]]\nmatch = { message = \"Leave\" }\nmax = 2\n",
        )[0];
        assert_eq!(frames(o), [vec![3]]);
        assert!(
            o.failures[0]
                .message
                .starts_with("4 message(s), expected at most 2")
        );
    }

    fn secured(frame: usize, counter: u32, key_seq: u8) -> Message {
        let mut m = Message::sample(frame, frame as f64, 2, 0, "Link Status");
        m.nwk_security = Some(NwkSecurity {
            source: Address::Short(2),
            key_seq: Some(key_seq),
            counter,
        });
        m
    }

    #[test]
    fn nwk_counters_may_repeat_and_restart_with_a_new_key_but_not_go_back() {
        let msgs = vec![
            secured(1, 10, 0),
            secured(2, 10, 0),
            secured(3, 0, 1),
            secured(4, 11, 0),
            secured(5, 9, 0),
        ];
        let o = &run(msgs, "[[absent]]\ncondition = \"nwk-counter-backwards\"\n")[0];
        assert_eq!(frames(o), [vec![4, 5]]);
        assert!(o.failures[0].message.contains("went back from 11"), "{o:?}");
    }

    #[test]
    fn clear_frames_after_a_device_secured_one_fail() {
        let mut clear_before = Message::sample(1, 0.0, 2, 0, "Rejoin Request");
        clear_before.nwk_security = None;
        // A Transport Key without NWK security but APS-secured (to a joiner) is not clear.
        let mut aps_secured = Message::sample(4, 4.0, 2, 7, "Transport Key");
        aps_secured.aps_secured = true;
        let msgs = vec![
            clear_before,
            secured(2, 5, 0),
            Message::sample(3, 3.0, 2, 0, "Leave"),
            aps_secured,
        ];
        let o = &run(msgs, "[[absent]]\ncondition = \"clear-after-join\"\n")[0];
        assert_eq!(frames(o), [vec![2, 3]]);
    }

    #[test]
    fn default_responses_with_an_error_status_fail_with_its_name() {
        let mut ok = Message::sample(1, 0.0, 1, 2, "").with_zcl("Default Response", 1);
        let mut bad = Message::sample(2, 1.0, 1, 2, "").with_zcl("Default Response", 2);
        ok.zcl.as_mut().unwrap().default_status = Some(0x00);
        bad.zcl.as_mut().unwrap().default_status = Some(0x81);
        let o = &run(
            vec![ok, bad],
            "[[absent]]\ncondition = \"default-response-error\"\n",
        )[0];
        assert_eq!(frames(o), [vec![2]]);
        assert!(
            o.failures[0]
                .message
                .contains("Unsupported Cluster Command (0x81)"),
            "{o:?}"
        );
    }

    #[test]
    fn ranges_fail_on_values_outside_and_on_no_value_at_all() {
        let mut m = Message::sample(1, 0.0, 2, 1, "").with_zcl("Report Attributes", 1);
        let z: &mut ZclMessage = m.zcl.as_mut().unwrap();
        z.attributes = vec![(0x0400, -5.0)];
        let rules = "[[range]]\nattribute = \"0x0400\"\nmin = 0\n[[range]]\nattribute = \"0x0000\"\nmax = 10\n";
        let out = run(vec![m], rules);
        assert_eq!(frames(&out[0]), [vec![1]]);
        assert!(
            out[0].failures[0]
                .message
                .starts_with("attribute 0x0400 = -5 at frame 1")
        );
        assert_eq!(
            out[1].failures[0].message,
            "no value of attribute 0x0000 in any frame"
        );
    }

    #[test]
    fn retransmissions_are_not_counted() {
        let mut msgs: Vec<Message> = (1..=3)
            .map(|i| Message::sample(i, i as f64, 1, 2, "Leave"))
            .collect();
        msgs[1].mac_seq = msgs[0].mac_seq;
        let o = &run(
            msgs,
            "[[count]]\nmatch = { message = \"Leave\" }\nmin = 2\nmax = 2\n",
        )[0];
        assert!(o.passed, "{o:?}");
    }
}
