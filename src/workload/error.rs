//! `WorkloadError`: why recorded arrivals or a trace could not be read (`docs/workloads.md`).
//!
//! Every variant says which file and, for bad content, which line, so a user can fix the input;
//! the CLI reports them as configuration errors (exit status 2) before anything is written.

use std::path::PathBuf;

/// A recorded-arrivals or trace file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// The file is missing or unreadable.
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A row that does not parse.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number (the header is line 1); for Parquet, the 1-based row.
        line: u64,
        /// What is wrong with the row.
        message: String,
    },
    /// Arrival times that go backwards.
    #[error("{path}:{line}: timestamps must not decrease ({time} s after {previous} s); sort the file by time")]
    Unsorted {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the offending row.
        line: u64,
        /// Its time, seconds.
        time: f64,
        /// The previous row's time, seconds.
        previous: f64,
    },
    /// A negative duration.
    #[error("{path}:{line}: negative duration {value} s")]
    NegativeDuration {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The duration, seconds.
        value: f64,
    },
    /// The function selection keeps nothing.
    #[error("{0}")]
    EmptySelection(String),
    /// Anything else about the trace's shape (missing columns, inconsistent files).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl WorkloadError {
    /// A `Malformed` error.
    pub fn malformed(path: &std::path::Path, line: u64, message: impl Into<String>) -> Self {
        WorkloadError::Malformed {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// A `Format` error.
    pub fn format(path: &std::path::Path, message: impl Into<String>) -> Self {
        WorkloadError::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// An `Unreadable` error.
    pub fn unreadable(path: &std::path::Path, source: std::io::Error) -> Self {
        WorkloadError::Unreadable {
            path: path.to_path_buf(),
            source,
        }
    }
}
