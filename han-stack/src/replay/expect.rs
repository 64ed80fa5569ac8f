//! The expectations file (TOML, docs/replay.md): devices by role, then rules
//! in tables of arrays per kind. Every error names a line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::matcher::{Device, Matcher};
use super::message::parse_address;
use crate::zcl::registry;

/// A parsed, checked expectations file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Expectations {
    /// Role name → device, as bound in `[devices]`.
    pub devices: BTreeMap<String, Device>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

/// One expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Its name (given, or made from what it checks).
    pub name: String,
    /// Line of the rule in the file.
    pub line: usize,
    /// What it checks.
    pub check: Check,
}

/// What a rule checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Check {
    /// How many matching messages (MAC retransmissions not counted).
    Count {
        /// The messages.
        matcher: Matcher,
        /// At least this many.
        min: Option<u64>,
        /// At most this many.
        max: Option<u64>,
    },
    /// Matching messages come every `every` ± `tolerance` seconds.
    Rate {
        /// The messages.
        matcher: Matcher,
        /// Expected period, s.
        every: f64,
        /// Allowed deviation, s.
        tolerance: f64,
        /// At least this many messages.
        min_count: u64,
    },
    /// Steps in order, the last within `within` seconds of the first.
    Sequence {
        /// The steps.
        steps: Vec<Matcher>,
        /// Time bound, s.
        within: f64,
        /// Every occurrence of the first step must complete (else one is enough).
        each: bool,
    },
    /// Every request is answered (reverse direction, same transaction) within a bound.
    Response {
        /// The requests.
        request: Matcher,
        /// The answers.
        response: Matcher,
        /// Latency bound, s.
        within: f64,
        /// A request left unanswered still passes when its sender asks the same again
        /// within this many seconds and that is answered (a repeat after a timeout).
        again: Option<f64>,
    },
    /// Every value of an attribute in matching messages lies in a range.
    Range {
        /// The messages.
        matcher: Matcher,
        /// ZCL attribute id.
        attribute: u16,
        /// Lowest allowed value.
        min: Option<f64>,
        /// Highest allowed value.
        max: Option<f64>,
    },
    /// No matching message at all.
    Absent {
        /// The messages that must not occur.
        matcher: Matcher,
    },
    /// A built-in condition never occurs.
    Never {
        /// The condition.
        condition: Condition,
    },
}

impl Check {
    /// The rule kind as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Count { .. } => "count",
            Check::Rate { .. } => "rate",
            Check::Sequence { .. } => "sequence",
            Check::Response { .. } => "response",
            Check::Range { .. } => "range",
            Check::Absent { .. } | Check::Never { .. } => "absent",
        }
    }
}

/// Conditions an `[[absent]]` rule can rule out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// A device sends a NWK frame without NWK security after it has sent a secured one.
    ClearAfterJoin,
    /// A secured NWK or APS frame that no known key opens.
    MicFailure,
    /// A device's NWK frame counter (per network key) decreases.
    NwkCounterBackwards,
    /// A ZCL Default Response whose status is not SUCCESS.
    DefaultResponseError,
    /// A frame whose FCS is wrong.
    BadFcs,
    /// A frame that does not decode.
    DecodeError,
    /// A frame captured earlier than the one before it (frames reordered).
    TimeBackwards,
}

impl Condition {
    /// Its name in the file.
    pub fn name(self) -> &'static str {
        match self {
            Condition::ClearAfterJoin => "clear-after-join",
            Condition::MicFailure => "mic-failure",
            Condition::NwkCounterBackwards => "nwk-counter-backwards",
            Condition::DefaultResponseError => "default-response-error",
            Condition::BadFcs => "bad-fcs",
            Condition::DecodeError => "decode-error",
            Condition::TimeBackwards => "time-backwards",
        }
    }
}

/// A bad expectations file: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExpectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ExpectError {}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    #[serde(default)]
    devices: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    count: Vec<Spanned<CountRepr>>,
    #[serde(default)]
    rate: Vec<Spanned<RateRepr>>,
    #[serde(default)]
    sequence: Vec<Spanned<SequenceRepr>>,
    #[serde(default)]
    response: Vec<Spanned<ResponseRepr>>,
    #[serde(default)]
    range: Vec<Spanned<RangeRepr>>,
    #[serde(default)]
    absent: Vec<Spanned<AbsentRepr>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MatchRepr {
    message: Option<String>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    cluster: Option<Spanned<Id>>,
    profile: Option<Spanned<Id>>,
    direction: Option<DirectionRepr>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum DirectionRepr {
    ClientToServer,
    ServerToClient,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountRepr {
    name: Option<String>,
    #[serde(rename = "match", default)]
    matcher: MatchRepr,
    min: Option<u64>,
    max: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateRepr {
    name: Option<String>,
    #[serde(rename = "match", default)]
    matcher: MatchRepr,
    every: Seconds,
    tolerance: Seconds,
    min_count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SequenceRepr {
    name: Option<String>,
    steps: Spanned<Vec<MatchRepr>>,
    within: Seconds,
    #[serde(default)]
    each: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseRepr {
    name: Option<String>,
    request: MatchRepr,
    response: MatchRepr,
    within: Seconds,
    again: Option<Seconds>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeRepr {
    name: Option<String>,
    #[serde(rename = "match", default)]
    matcher: MatchRepr,
    attribute: Spanned<Id>,
    min: Option<f64>,
    max: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AbsentRepr {
    name: Option<String>,
    #[serde(rename = "match")]
    matcher: Option<MatchRepr>,
    condition: Option<Condition>,
}

/// A duration: seconds as a number, or text with a unit (`500ms`, `10s`, `2m`, `1h`).
#[derive(Clone, Copy)]
struct Seconds(f64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a duration: seconds, or text such as \"500ms\", \"10s\", \"2m\", \"1h\"",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                if v.is_finite() && v >= 0.0 {
                    Ok(Seconds(v))
                } else {
                    Err(E::custom(format!("{v} is not a duration (seconds >= 0)")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seconds, E> {
                parse_seconds(v).map(Seconds).ok_or_else(|| {
                    E::custom(format!(
                        "`{v}` is not a duration: write e.g. \"500ms\", \"10s\", \"2m\" or \"1h\""
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Parse `500ms`, `10s`, `2.5s`, `2m`, `1h` or a bare number of seconds.
pub fn parse_seconds(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = number.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v * scale)
}

/// An id written as an integer, as hex text (`"0x0702"`) or, for clusters, a name.
#[derive(Clone)]
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id: an integer or hex text such as \"0x0702\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

fn parse_u16(text: &str) -> Option<u16> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// The cluster id a name (as the registry spells it) stands for.
fn cluster_by_name(name: &str) -> Option<u16> {
    (0..=u16::MAX)
        .find(|&id| registry::cluster(id).is_some_and(|c| c.name.eq_ignore_ascii_case(name.trim())))
}

/// Parses the file text into checked expectations.
struct Resolver<'a> {
    text: &'a str,
    devices: BTreeMap<String, Device>,
}

impl Resolver<'_> {
    fn error(&self, offset: usize, message: String) -> ExpectError {
        let (line, column) = line_column(self.text, offset);
        ExpectError {
            line,
            column,
            message,
        }
    }

    fn device(&self, s: &Spanned<String>) -> Result<Device, ExpectError> {
        let text = s.get_ref();
        if let Some(d) = self.devices.get(text) {
            return Ok(d.clone());
        }
        match parse_address(text) {
            Some(address) => Ok(Device {
                label: text.clone(),
                address,
            }),
            None => {
                let roles: Vec<&str> = self.devices.keys().map(String::as_str).collect();
                let known = if roles.is_empty() {
                    "no roles are bound in [devices]".to_string()
                } else {
                    format!("roles bound in [devices]: {}", roles.join(", "))
                };
                Err(self.error(
                    s.span().start,
                    format!(
                        "`{text}` is neither a role nor an address (0x1234 or an EUI-64 00:11:22:33:44:55:66:77); {known}"
                    ),
                ))
            }
        }
    }

    fn id(&self, s: &Spanned<Id>, what: &str, by_name: bool) -> Result<u16, ExpectError> {
        let text = &s.get_ref().0;
        parse_u16(text)
            .or_else(|| by_name.then(|| cluster_by_name(text)).flatten())
            .ok_or_else(|| {
                let names = if by_name {
                    ", or a cluster name such as \"Metering\""
                } else {
                    ""
                };
                self.error(
                    s.span().start,
                    format!("`{text}` is not a {what} id: write 0x0000..0xffff{names}"),
                )
            })
    }

    fn matcher(&self, m: &MatchRepr) -> Result<Matcher, ExpectError> {
        Ok(Matcher {
            message: m.message.clone(),
            from: m.from.as_ref().map(|d| self.device(d)).transpose()?,
            to: m.to.as_ref().map(|d| self.device(d)).transpose()?,
            cluster: m
                .cluster
                .as_ref()
                .map(|c| self.id(c, "cluster", true))
                .transpose()?,
            profile: m
                .profile
                .as_ref()
                .map(|p| self.id(p, "profile", false))
                .transpose()?,
            server_to_client: m
                .direction
                .map(|d| matches!(d, DirectionRepr::ServerToClient)),
        })
    }

    fn bounds<T: PartialOrd + fmt::Display>(
        &self,
        at: usize,
        min: Option<T>,
        max: Option<T>,
    ) -> Result<(), ExpectError> {
        match (min, max) {
            (None, None) => Err(self.error(at, "give `min`, `max` or both".into())),
            (Some(a), Some(b)) if a > b => {
                Err(self.error(at, format!("`min` ({a}) is greater than `max` ({b})")))
            }
            _ => Ok(()),
        }
    }
}

/// Parse and check an expectations file.
pub fn parse(text: &str) -> Result<Expectations, ExpectError> {
    let file: FileRepr = toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        let mut message = e.message().trim().to_string();
        if message.starts_with("unknown field") && message.contains("`devices`") {
            message = message.replace("unknown field", "unknown rule kind or field");
        }
        ExpectError {
            line,
            column,
            message,
        }
    })?;
    let mut r = Resolver {
        text,
        devices: BTreeMap::new(),
    };
    for (role, address) in &file.devices {
        let Some(a) = parse_address(address.get_ref()) else {
            return Err(r.error(
                address.span().start,
                format!(
                    "device `{role}`: `{}` is not an address: write a short address 0x1234 or an EUI-64 00:11:22:33:44:55:66:77",
                    address.get_ref()
                ),
            ));
        };
        r.devices.insert(
            role.clone(),
            Device {
                label: role.clone(),
                address: a,
            },
        );
    }
    let mut rules: Vec<(usize, Rule)> = Vec::new();
    let mut push = |at: usize, name: Option<String>, check: Check, default: String| {
        rules.push((
            at,
            Rule {
                name: name.unwrap_or(default),
                line: line_column(text, at).0,
                check,
            },
        ));
    };
    for c in &file.count {
        let at = c.span().start;
        let c = c.get_ref();
        r.bounds(at, c.min, c.max)?;
        let matcher = r.matcher(&c.matcher)?;
        let bounds = match (c.min, c.max) {
            (Some(a), Some(b)) => format!("{a}..{b}"),
            (Some(a), None) => format!(">= {a}"),
            (None, Some(b)) => format!("<= {b}"),
            (None, None) => String::new(),
        };
        let default = format!("count {bounds} of {}", matcher.describe());
        let check = Check::Count {
            matcher,
            min: c.min,
            max: c.max,
        };
        push(at, c.name.clone(), check, default);
    }
    for c in &file.rate {
        let at = c.span().start;
        let c = c.get_ref();
        if c.every.0 <= 0.0 {
            return Err(r.error(at, "`every` must be longer than 0 s".into()));
        }
        let matcher = r.matcher(&c.matcher)?;
        let default = format!(
            "{} every {} s ± {} s",
            matcher.describe(),
            c.every.0,
            c.tolerance.0
        );
        let check = Check::Rate {
            matcher,
            every: c.every.0,
            tolerance: c.tolerance.0,
            min_count: c.min_count.unwrap_or(2),
        };
        push(at, c.name.clone(), check, default);
    }
    for c in &file.sequence {
        let at = c.span().start;
        let c = c.get_ref();
        if c.steps.get_ref().len() < 2 {
            return Err(r.error(
                c.steps.span().start,
                "a sequence needs at least 2 steps".into(),
            ));
        }
        let steps = c
            .steps
            .get_ref()
            .iter()
            .map(|s| r.matcher(s))
            .collect::<Result<Vec<_>, _>>()?;
        let default = format!(
            "{} within {} s",
            steps
                .iter()
                .map(Matcher::describe)
                .collect::<Vec<_>>()
                .join(" -> "),
            c.within.0
        );
        let check = Check::Sequence {
            steps,
            within: c.within.0,
            each: c.each,
        };
        push(at, c.name.clone(), check, default);
    }
    for c in &file.response {
        let at = c.span().start;
        let c = c.get_ref();
        let request = r.matcher(&c.request)?;
        let response = r.matcher(&c.response)?;
        let default = format!(
            "{} answered by {} within {} s",
            request.describe(),
            response.describe(),
            c.within.0
        );
        let check = Check::Response {
            request,
            response,
            within: c.within.0,
            again: c.again.as_ref().map(|a| a.0),
        };
        push(at, c.name.clone(), check, default);
    }
    for c in &file.range {
        let at = c.span().start;
        let c = c.get_ref();
        r.bounds(at, c.min, c.max)?;
        let attribute = r.id(&c.attribute, "attribute", false)?;
        let matcher = r.matcher(&c.matcher)?;
        let default = format!(
            "attribute 0x{attribute:04x} of {} in [{}, {}]",
            matcher.describe(),
            c.min.map_or("-inf".into(), |v| v.to_string()),
            c.max.map_or("inf".into(), |v| v.to_string())
        );
        let check = Check::Range {
            matcher,
            attribute,
            min: c.min,
            max: c.max,
        };
        push(at, c.name.clone(), check, default);
    }
    for c in &file.absent {
        let at = c.span().start;
        let c = c.get_ref();
        let (check, default) = match (&c.matcher, c.condition) {
            (Some(m), None) => {
                let matcher = r.matcher(m)?;
                let default = format!("no {}", matcher.describe());
                (Check::Absent { matcher }, default)
            }
            (None, Some(condition)) => (
                Check::Never { condition },
                format!("no {}", condition.name()),
            ),
            _ => {
                return Err(r.error(
                    at,
                    "an [[absent]] rule takes exactly one of `match` or `condition`".into(),
                ));
            }
        };
        push(at, c.name.clone(), check, default);
    }
    rules.sort_by_key(|(at, _)| *at);
    Ok(Expectations {
        devices: r.devices,
        rules: rules.into_iter().map(|(_, rule)| rule).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::Address;

    pub(super) const GOOD: &str = r#"
[devices]
hub = "0x0001"
esme = "00:12:4b:00:01:00:00:01"

[[rate]]
name = "ESME reports"
match = { message = "Data", from = "esme", to = "hub" }
every = "60s"
tolerance = "1s"

[[absent]]
condition = "mic-failure"

[[count]]
match = { message = "Report Attributes", cluster = "Metering" }
min = 1
"#;

    #[test]
    fn a_good_file_parses_in_file_order() {
        let e = parse(GOOD).unwrap();
        let kinds: Vec<&str> = e.rules.iter().map(|r| r.check.kind()).collect();
        assert_eq!(kinds, ["rate", "absent", "count"]);
        assert_eq!(e.rules[0].name, "ESME reports");
        assert_eq!(e.rules[0].line, 6);
        assert_eq!(
            e.rules[2].name,
            "count >= 1 of Report Attributes on cluster 0x0702"
        );
        let Check::Rate { matcher, every, .. } = &e.rules[0].check else {
            panic!("not a rate rule");
        };
        assert_eq!(*every, 60.0);
        assert_eq!(
            matcher.from.as_ref().unwrap().address,
            Address::Extended(crate::wire::ExtAddr(0x0012_4b00_0100_0001))
        );
    }

    fn error(text: &str) -> ExpectError {
        parse(text).expect_err("the file is bad")
    }

    #[test]
    fn an_unknown_rule_kind_is_refused_with_the_valid_ones() {
        let e = error("[[rates]]\nevery = 1\n");
        assert_eq!((e.line, e.column), (1, 3), "{e}");
        for kind in [
            "count", "rate", "sequence", "response", "range", "absent", "devices",
        ] {
            assert!(e.message.contains(kind), "{e}");
        }
    }

    #[test]
    fn an_unknown_field_is_refused_with_the_valid_ones() {
        let e = error("[[rate]]\nevery = 1\ntolerance = 0\nperiod = 3\n");
        assert_eq!((e.line, e.column), (4, 1), "{e}");
        assert!(
            e.message.contains("period") && e.message.contains("min_count"),
            "{e}"
        );
        let e = error("[[count]]\nmin = 1\nmatch = { mesage = \"Data\" }\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.message.contains("mesage") && e.message.contains("message"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_condition_lists_the_conditions() {
        let e = error("[[absent]]\ncondition = \"mic-failures\"\n");
        assert_eq!((e.line, e.column), (2, 13), "{e}");
        assert!(e.message.contains("nwk-counter-backwards"), "{e}");
    }

    #[test]
    fn an_unbound_role_is_reported_where_it_is_used() {
        let e = error(
            "[devices]\nhub = \"0x0001\"\n\n[[count]]\nmin = 1\nmatch = { from = \"ihd\" }\n",
        );
        assert_eq!((e.line, e.column), (6, 18), "{e}");
        assert!(
            e.message.contains("`ihd`") && e.message.contains("hub"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_reported_at_the_value() {
        let e = error("[[rate]]\nevery = \"ten seconds\"\ntolerance = 1\n");
        assert_eq!((e.line, e.column), (2, 9), "{e}");
        assert!(e.message.contains("duration"), "{e}");
        let e = error("[[range]]\nattribute = \"0xzz\"\nmin = 0\n");
        assert_eq!((e.line, e.column), (2, 13), "{e}");
        let e = error("[[count]]\nmin = 3\nmax = 2\n");
        assert!(e.message.contains("greater"), "{e}");
        let e = error("[[absent]]\nname = \"x\"\n");
        assert!(e.message.contains("exactly one"), "{e}");
        let e = error("[devices]\nhub = \"hub-1\"\n");
        assert_eq!((e.line, e.column), (2, 7), "{e}");
        let e = error("[[count]\nmin = 1\n");
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("500ms"), Some(0.5));
        assert_eq!(parse_seconds("2m"), Some(120.0));
        assert_eq!(parse_seconds("1.5"), Some(1.5));
        assert_eq!(parse_seconds("1h"), Some(3600.0));
        assert_eq!(parse_seconds("-1s"), None);
        assert_eq!(parse_seconds("soon"), None);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]
        /// Any text gives expectations or an error with a line and column, never a panic.
        #[test]
        fn no_panic_on_arbitrary_text(text in "[\\[\\]a-z_=\" {},.0-9x:#\n-]{0,128}") {
            if let Err(e) = parse(&text) {
                prop_assert!(e.line >= 1 && e.column >= 1);
                prop_assert!(e.line <= text.matches('\n').count() + 1);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// A good file with a few characters changed: parsed or refused with a position.
        #[test]
        fn no_panic_on_mutated_files(edits in proptest::collection::vec((any::<prop::sample::Index>(), "[\\[\\]a-z=\" {},0-9\n]"), 1..4)) {
            let mut text: Vec<char> = super::tests::GOOD.chars().collect();
            for (at, c) in edits {
                let i = at.index(text.len());
                text[i] = c.chars().next().unwrap_or(' ');
            }
            let text: String = text.into_iter().collect();
            if let Err(e) = parse(&text) {
                prop_assert!(e.line >= 1 && e.column >= 1, "{e}");
            }
        }
    }
}
