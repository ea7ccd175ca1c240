//! How a sweep is run and why it can fail: `--shard K/N`, the runner's options and its error type.
//!
//! Kept apart from the runner so that the manifest checks and the runner both depend on it
//! without depending on each other.

use crate::output::OutputError;

/// `--shard K/N`: this process runs the batches `b` with `b mod N == K`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K, from 0.
    pub index: u32,
    /// N ≥ 1.
    pub count: u32,
}

impl Shard {
    /// The whole sweep (0/1).
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// True if batch `b` belongs to this shard.
    pub fn owns(&self, b: u32) -> bool {
        b % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}`: expected K/N with 0 <= K < N, e.g. 0/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Worker threads; 0 = every available core.
    pub jobs: usize,
    /// Which batches to run.
    pub shard: Shard,
    /// Skip batches already committed in the output directory.
    pub resume: bool,
    /// With `resume`: re-check the size and SHA-256 of every committed part.
    pub verify: bool,
    /// Accept an output directory written by another faasim version.
    pub allow_version_change: bool,
    /// Fill the wall-clock columns of `runs` (false: null, byte-identical reruns).
    pub telemetry: bool,
    /// Draw a progress bar on stderr when it is a terminal.
    pub progress: bool,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
    /// Debugging aid for determinism tests: start the batches, and the runs within each batch,
    /// in reverse order (the files must not change).
    pub reverse_order: bool,
    /// When set (by a signal handler), no further batch is started; the batches in flight
    /// finish and are committed, and the summary says the sweep was interrupted.
    pub stop: Option<&'static std::sync::atomic::AtomicBool>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            jobs: 0,
            shard: Shard::ALL,
            resume: false,
            verify: false,
            allow_version_change: false,
            telemetry: true,
            progress: false,
            command: Vec::new(),
            reverse_order: false,
            stop: None,
        }
    }
}

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The arguments or the output directory do not fit this sweep (bad input: exit status 2).
    #[error("{0}")]
    Usage(String),
    /// Writing the dataset failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

impl SweepError {
    /// True for errors that mean bad input (exit status 2) rather than a failure.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, SweepError::Usage(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_k_slash_n_and_own_batches_modulo_n() {
        let s: Shard = "1/3".parse().unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        assert_eq!((0..7).filter(|&b| s.owns(b)).collect::<Vec<_>>(), [1, 4]);
        assert!("3/3".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("a/2".parse::<Shard>().is_err());
        assert_eq!(s.to_string(), "1/3");
    }
}
