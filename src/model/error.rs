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
    /// A container's replicas may be placed on nodes of a type for which one of its time
    /// models (execution, startup, setup) has no entry and no `default`
    /// (`docs/scenario.md`, time models).
    #[error(
        "{key_path}: no model for node type `{node_type}` and no `default`, but replicas of \
         function `{function}` may be placed on `{node_type}` nodes{hint}; add a `default` or a \
         model for `{node_type}`"
    )]
    MissingTimeModel {
        /// `deployments[d].containers[c].<phase>`.
        key_path: String,
        /// The deployment's function.
        function: String,
        /// The node type without a model.
        node_type: String,
        /// Why the scheduler does not keep the pods off those nodes.
        hint: &'static str,
    },
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
