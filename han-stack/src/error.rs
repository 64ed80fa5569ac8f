//! The error type shared by every decoder in the stack.

use thiserror::Error as ThisError;

/// What went wrong while decoding or encoding, with the byte offset where it happened.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum Error {
    /// The input ended before a field did.
    #[error("truncated: {what} needs {needed} byte(s) at offset {offset}, {available} left")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Offset of the field from the start of the buffer being decoded.
        offset: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A field holds a value the format does not allow.
    #[error("malformed {what} at offset {offset}: {reason}")]
    Malformed {
        /// The field.
        what: &'static str,
        /// Offset of the field.
        offset: usize,
        /// Why it is not acceptable.
        reason: String,
    },
    /// Bytes were left over where the format says the frame ends.
    #[error("{count} trailing byte(s) after {what} at offset {offset}")]
    Trailing {
        /// What was decoded.
        what: &'static str,
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
    /// Authentication failed (MIC mismatch) or no key could decrypt the frame.
    #[error("security: {0}")]
    Security(String),
    /// The output buffer is too small for what is being emitted.
    #[error("buffer too small: need {needed}, have {available}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl Error {
    /// The byte offset the error refers to, where it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Truncated { offset, .. }
            | Error::Malformed { offset, .. }
            | Error::Trailing { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// Shift the offset by `base`, for errors from a sub-buffer decoded at `base`.
    pub fn at(mut self, base: usize) -> Self {
        match &mut self {
            Error::Truncated { offset, .. }
            | Error::Malformed { offset, .. }
            | Error::Trailing { offset, .. } => *offset += base,
            _ => {}
        }
        self
    }
}

/// Result with the stack's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
