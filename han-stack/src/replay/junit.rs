//! JUnit XML for CI dashboards: one `<testsuite>` per capture, one
//! `<testcase>` per expectation, a `<failure>` listing where it failed. The
//! layout is the common one (Jenkins' junit-10 schema, which GitLab, GitHub
//! and Azure reporters read). No times or timestamps: same input, same bytes.

use super::check::Outcome;

/// One capture's outcomes.
#[derive(Debug, Clone, Copy)]
pub struct Suite<'a> {
    /// The capture's name (its path).
    pub name: &'a str,
    /// One outcome per expectation.
    pub outcomes: &'a [Outcome],
}

/// Escape text for XML content and attribute values; characters XML 1.0
/// cannot carry (most C0 controls) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML document for these suites.
pub fn write(suites: &[Suite<'_>]) -> String {
    let count = |s: &Suite<'_>| s.outcomes.len();
    let failed = |s: &Suite<'_>| s.outcomes.iter().filter(|o| !o.passed).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x += &format!(
        "<testsuites name=\"han replay\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
        suites.iter().map(count).sum::<usize>(),
        suites.iter().map(failed).sum::<usize>()
    );
    for (id, s) in suites.iter().enumerate() {
        x += &format!(
            "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
            escape(s.name),
            count(s),
            failed(s)
        );
        for o in s.outcomes {
            x += &format!(
                "    <testcase name=\"{}\" classname=\"replay.{}\">\n",
                escape(&o.name),
                o.kind
            );
            if !o.passed {
                let first = o.failures.first().map_or("", |f| f.message.as_str());
                let mut body: Vec<String> = o.failures.iter().map(|f| f.message.clone()).collect();
                if o.failure_count > o.failures.len() {
                    body.push(format!(
                        "... and {} more",
                        o.failure_count - o.failures.len()
                    ));
                }
                x += &format!(
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                    escape(first),
                    o.kind,
                    escape(&body.join("\n"))
                );
            }
            x += &format!(
                "      <system-out>{} (rule at line {})</system-out>\n",
                escape(&o.summary),
                o.line
            );
            x += "    </testcase>\n";
        }
        x += "  </testsuite>\n";
    }
    x += "</testsuites>\n";
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::check::Failure;

    #[test]
    fn failures_and_awkward_text_are_escaped() {
        let outcomes = [
            Outcome {
                name: "a < b & \"c\"".into(),
                kind: "count",
                line: 3,
                passed: false,
                summary: "0 message(s)".into(),
                failures: vec![Failure {
                    message: "frame 2 \u{1} <bad>".into(),
                    frames: vec![2],
                    times: vec![0.5],
                }],
                failure_count: 3,
            },
            Outcome {
                name: "ok".into(),
                kind: "rate",
                line: 9,
                passed: true,
                summary: "fine".into(),
                failures: vec![],
                failure_count: 0,
            },
        ];
        let x = write(&[Suite {
            name: "c.pcap",
            outcomes: &outcomes,
        }]);
        assert!(x.contains("tests=\"2\" failures=\"1\""), "{x}");
        assert!(x.contains("name=\"a &lt; b &amp; &quot;c&quot;\""), "{x}");
        assert!(
            x.contains("message=\"frame 2 \u{fffd} &lt;bad&gt;\""),
            "{x}"
        );
        assert!(x.contains("... and 2 more"), "{x}");
        assert_eq!(x.matches("<testcase ").count(), 2);
    }
}
