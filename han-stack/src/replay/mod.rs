//! Capture replay for CI: decode a capture with the dissector, rebuild its
//! conversations (per device pair, per cluster) and check expectations
//! written in TOML (docs/replay.md): counts and rates, sequences with a time
//! bound, request → response latencies, attribute ranges and things that must
//! never happen. Also a semantic diff of two captures and JUnit XML output.
//!
//! One module per job: [`message`] (a frame's record), [`trace`] (a decoded
//! capture), [`matcher`] (message filters), [`expect`] (the file model and
//! parser), [`check`] (the checker), [`conversation`], [`diff`], [`junit`],
//! [`report`] (text output) and [`inject`] (rewriting a device's frames into an
//! emulated network).

pub mod check;
pub mod conversation;
pub mod diff;
pub mod expect;
pub mod inject;
pub mod junit;
pub mod matcher;
pub mod message;
pub mod report;
pub mod trace;

pub use check::{Failure, Outcome, check};
pub use conversation::{Conversation, conversations};
pub use diff::{Difference, Tolerance, diff};
pub use expect::{Check, Condition, ExpectError, Expectations, Rule, parse};
pub use matcher::{Device, Matcher};
pub use message::Message;
pub use report::CaptureReport;
pub use trace::Trace;

/// Decode a capture and check it: the report `han replay` prints.
pub fn replay(name: &str, trace: &Trace, expectations: &Expectations) -> CaptureReport {
    let duration = trace
        .messages
        .last()
        .map_or(0.0, |m| m.time - trace.start());
    CaptureReport {
        capture: name.to_string(),
        frames: trace.messages.len(),
        duration,
        conversations: conversations(trace),
        results: check(trace, expectations),
    }
}
