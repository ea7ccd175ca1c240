//! `ModelError`: why a validated scenario could not be compiled into a run's model.
//!
//! Every error names the key path of the configuration it comes from, like
//! [`crate::config::ConfigError`], so a user finds the offending entry at once.

/// A scenario that cannot be compiled: the key path and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A configuration entry refers to something that does not exist or cannot be built.
    #[error("{key_path}: {message}")]
    Config {
        /// Dotted key path with array indices (`deployments[0].ranking.images`).
        key_path: String,
        /// What is wrong.
        message: String,
    },
    /// An input file the configuration names (recorded arrivals, a trace) is missing or
    /// unusable; the message names the file and, for bad content, the line.
    #[error("{key_path}: {message}")]
    Input {
        /// Dotted key path of the entry naming the file (`traces[0]`, `workloads[1].arrivals`).
        key_path: String,
        /// What is wrong, with the file and line.
        message: String,
    },
    /// The scheduler profile could not be built from the scenario.
    #[error("{0}")]
    Scheduler(String),
}

impl ModelError {
    /// An error at `key_path`.
    pub fn at(key_path: impl Into<String>, message: impl Into<String>) -> ModelError {
        ModelError::Config {
            key_path: key_path.into(),
            message: message.into(),
        }
    }

    /// A message that already starts with its key path (`path: message`), as the cluster and
    /// scheduler builders produce them.
    pub(crate) fn from_prefixed(text: String) -> ModelError {
        match text.split_once(": ") {
            Some((path, message)) if !path.contains(' ') => ModelError::at(path, message),
            _ => ModelError::at("", text),
        }
    }
}
