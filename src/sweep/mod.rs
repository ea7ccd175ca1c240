//! Parameter sweeps: expansion into runs, the parallel runner, sharding and resume
//! (`docs/sweeps.md`).
//!
//! - [`spec`]: the sweep file (`scenario`, `[grid]`, `[[zip]]`, `seeds`, …) parsed with key-path
//!   errors.
//! - [`expand`]: grid × zip × seeds → `run_index`, computed on demand.
//! - [`plan`]: [`Sweep`] = sweep file + base scenario; resolves, identifies and executes one run;
//!   `sweep_id`.
//! - [`runner`]: [`run_sweep`] (and [`run_with`], with user-written schedulers) on a rayon pool:
//!   batches encoded on the workers, one committer thread, bounded memory, shards.
//! - [`collect`]: finished runs gathered into their batches.
//! - [`encoders`]: completed batches queued for at most one encoder per four workers.
//! - [`options`]: `--shard K/N`, [`SweepOptions`] and [`SweepError`].
//! - [`manifest`]: the manifest and the checks before writing into an existing directory.
//! - [`progress`]: the progress bar.
//! - [`repro`](mod@repro): the `faasim run` command that reproduces one run.
//! - [`variants`]: the resolved scenario, identity text and compiled model a variant's seeds
//!   share.

mod collect;
mod encoders;
pub mod expand;
pub mod manifest;
pub mod options;
pub mod plan;
pub mod progress;
pub mod repro;
pub mod runner;
pub mod spec;
pub mod variants;

pub use expand::{param_value, Expansion, RunSpec};
pub use options::{Shard, SweepError, SweepOptions};
pub use plan::{canonical_sweep, sweep_id, Sweep};
pub use repro::{repro, Repro};
pub use runner::{run_sweep, run_with, SweepSummary};
pub use spec::{parse_sweep, Dimension, SweepDefinition};
