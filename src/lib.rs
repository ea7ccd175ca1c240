//! # faasim
//!
//! A fast, deterministic discrete-event simulator of container-based Function-as-a-Service
//! platforms, and a parallel experiment runner around it.
//!
//! Data flows one way: a scenario ([`config::Scenario`]) is validated, a [`sim::Simulation`] runs
//! it with one master seed, and the run's rows ([`metrics::RunOutput`]) go to the Parquet writer
//! in [`output`]. See `ARCHITECTURE.md`-style overview in the README and `docs/`.

#![warn(missing_docs)]

pub mod cluster;
pub mod compute;
pub mod config;
pub mod engine;
pub mod execution;
pub mod metrics;
pub mod model;
pub mod network;
pub mod output;
pub mod platform;
pub mod provenance;
pub mod router;
pub mod run;
pub mod scaling;
pub mod scheduler;
pub mod sim;
pub mod sweep;
pub mod workload;

/// The faasim version recorded in every `runs` row.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use run::{identity, run_model, run_scenario, run_scenario_with};
