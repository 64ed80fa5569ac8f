//! Readable reports of a replay: per capture, each rule PASS or FAIL with its
//! failures, and the conversations; and the list of differences of a diff.

use serde::Serialize;

use super::check::Outcome;
use super::conversation::Conversation;
use super::diff::Difference;

/// Everything `han replay` reports about one capture (its JSON form too).
#[derive(Debug, Clone, Serialize)]
pub struct CaptureReport {
    /// The capture's path.
    pub capture: String,
    /// Frames read.
    pub frames: usize,
    /// Seconds from the first frame to the last.
    pub duration: f64,
    /// Conversations per device pair and cluster.
    pub conversations: Vec<Conversation>,
    /// One outcome per expectation.
    pub results: Vec<Outcome>,
}

impl CaptureReport {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|o| o.passed)
    }
}

/// The text report of one capture.
pub fn text(r: &CaptureReport) -> String {
    let mut s = format!(
        "{}: {} frames, {:.3} s, {} conversation(s)\n",
        r.capture,
        r.frames,
        r.duration,
        r.conversations.len()
    );
    for c in &r.conversations {
        let messages: Vec<String> = c
            .messages
            .iter()
            .map(|(name, m)| match m.mean_interval {
                Some(i) => format!("{} × {name} (every {i:.3} s)", m.count),
                None => format!("{} × {name}", m.count),
            })
            .collect();
        s += &format!("  {}: {}\n", c.label(), messages.join(", "));
    }
    for o in &r.results {
        let verdict = if o.passed { "PASS" } else { "FAIL" };
        s += &format!(
            "{verdict} {} [{} rule, line {}]: {}\n",
            o.name, o.kind, o.line, o.summary
        );
        for f in &o.failures {
            s += &format!("     - {}\n", f.message);
        }
        if o.failure_count > o.failures.len() {
            s += &format!("     ... and {} more\n", o.failure_count - o.failures.len());
        }
    }
    let failed = r.results.iter().filter(|o| !o.passed).count();
    s += &format!(
        "{}: {} of {} expectation(s) held\n",
        r.capture,
        r.results.len() - failed,
        r.results.len()
    );
    s
}

/// The text report of a diff.
pub fn diff_text(a: &str, b: &str, differences: &[Difference]) -> String {
    if differences.is_empty() {
        return format!("A = {a}\nB = {b}\nno semantic difference\n");
    }
    let mut s = format!("A = {a}\nB = {b}\n{} difference(s):\n", differences.len());
    let mut last = "";
    for d in differences {
        if d.conversation != last {
            s += &format!("  {}\n", d.conversation);
            last = &d.conversation;
        }
        s += &format!("    - {}\n", d.what);
    }
    s
}
