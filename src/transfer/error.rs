//! What a transfer can do wrong, said so that a data manager can find and fix it.

use std::path::PathBuf;

/// Where a problem is: file, physical line where the record starts (the header is line 1), column
/// number (1-based, in the file's own column order) and column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: String,
    pub line: u64,
    pub column: Option<usize>,
    pub field: Option<String>,
}

/// The rule a row breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    Placeholder,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub position: Position,
    /// The offending value, as read (trimmed); `None` when the problem is an absent value.
    pub value: Option<String>,
    pub rule: Rule,
    /// The sentence shown to the user.
    pub message: String,
}

/// Something worth saying that does not stop the import (an unknown column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub position: Position,
    pub message: String,
}

/// A transfer folder that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
