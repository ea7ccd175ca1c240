//! The `runs` table (docs/outputs.md, `runs`): one row per run, with its identity, swept
//! parameters, final status, counters and telemetry.
//!
//! The `param.<key>` columns depend on the sweep, so they are not part of this definition:
//! [`super::params`] builds them and [`super`] splices them in after `seed`.

use std::sync::Arc;

use crate::engine::SimTime;
use crate::output::columns::{OptBool, OptF64, OptI64, OptUtf8, Utf8, F64, I64, U64};
use crate::output::define::output_table;
use crate::provenance::ProcessProvenance;

/// A swept parameter's value, typed for its `param.<key>` column.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// Int64 column.
    Int(i64),
    /// Float64 column.
    Float(f64),
    /// Utf8 column.
    Str(String),
    /// Boolean column.
    Bool(bool),
}

/// Final status of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    /// Finished normally.
    Ok,
    /// Configuration error, invariant violation or event budget exceeded.
    Error,
    /// `run.max_wall_s` exceeded.
    Timeout,
    /// A resource guard (`run.max_memory_mb`) stopped the run.
    Aborted,
}

impl RunStatus {
    /// Column value.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Error => "error",
            RunStatus::Timeout => "timeout",
            RunStatus::Aborted => "aborted",
        }
    }
}

/// Identity of a run within a sweep (or of a single run).
#[derive(Clone, Debug, Default)]
pub struct RunIdentity {
    /// 16 hex characters.
    pub run_id: String,
    /// Position in the expanded sweep.
    pub run_index: u32,
    /// Hash of the canonical sweep definition.
    pub sweep_id: String,
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Swept parameters in sweep order.
    pub params: Vec<(String, ParamValue)>,
    /// Canonical JSON of the resolved configuration.
    pub params_json: String,
    /// Hash of `params_json`.
    pub config_hash: String,
}

output_table! {
    /// The `runs` row (docs/outputs.md, `runs`).
    #[derive(Clone, Debug)]
    pub struct RunRow in "runs" {
        /// Identity and parameters.
        pub id: RunIdentity,
        /// ok / error / timeout.
        pub status: RunStatus,
        /// Error message unless ok.
        pub error: Option<String>,
        /// Configured horizon.
        pub horizon_s: Option<f64>,
        /// Time of the last processed event.
        pub sim_end: SimTime,
        /// Events popped and handled.
        pub events_processed: u64,
        /// Requests by final status.
        pub requests: u64,
        /// Completed requests.
        pub completed: u64,
        /// Still in flight at the end.
        pub incomplete: u64,
        /// Rejected requests.
        pub rejected: u64,
        /// Timed-out requests.
        pub timed_out: u64,
        /// Requests that waited for a replica.
        pub cold_starts: u64,
        /// Replicas created.
        pub replicas_created: u32,
        /// Replicas that ended Failed.
        pub replicas_failed: u32,
        /// Scheduling decisions.
        pub placements: u32,
        /// Unsuccessful decisions.
        pub placements_failed: u32,
        /// Scaling records with `applied ≠ 0`.
        pub scale_actions: u32,
        /// Network transfers.
        pub flows: u64,
        /// Bytes moved by transfers.
        pub flow_bytes: u64,
        /// Transfers that started below 0.1 Mbit/s.
        pub low_bandwidth_flows: u64,
        /// Recorded warnings.
        pub warnings: u32,
        /// faasim version.
        pub code_version: String,
        /// Telemetry: wall-clock seconds of the run.
        pub wall_time_s: Option<f64>,
        /// Telemetry: events per wall-clock second.
        pub events_per_s: Option<f64>,
        /// Telemetry: peak resident set size of the process.
        pub peak_rss_bytes: Option<u64>,
        /// Telemetry: when the run started (RFC 3339 UTC).
        pub started_at: Option<String>,
        /// Telemetry: the build and process that produced the run.
        pub provenance: Option<Arc<ProcessProvenance>>,
    }
    columns |run, row| {
        // Null for a single run (`faasim run`), which belongs to no sweep.
        "sweep_id": OptUtf8 = Some(row.id.sweep_id.as_str()).filter(|s| !s.is_empty()),
        "scenario": Utf8 = row.id.scenario.as_str(),
        "seed": U64 = row.id.seed,
        // `param.<key>` columns go here.
        "params_json": Utf8 = row.id.params_json.as_str(),
        "status": Utf8 = row.status.as_str(),
        "error": OptUtf8 = row.error.as_deref(),
        // Nullable: a run that failed before its configuration was resolved has no horizon.
        "horizon_s": OptF64 = row.horizon_s,
        "sim_end_s": F64 = row.sim_end.secs_opt().unwrap_or(0.0),
        "events_processed": I64<u64> = row.events_processed,
        "requests": I64<u64> = row.requests,
        "completed": I64<u64> = row.completed,
        "incomplete": I64<u64> = row.incomplete,
        "rejected": I64<u64> = row.rejected,
        "timed_out": I64<u64> = row.timed_out,
        "cold_starts": I64<u64> = row.cold_starts,
        "replicas_created": I64<u32> = row.replicas_created,
        "replicas_failed": I64<u32> = row.replicas_failed,
        "placements": I64<u32> = row.placements,
        "placements_failed": I64<u32> = row.placements_failed,
        "scale_actions": I64<u32> = row.scale_actions,
        "flows": I64<u64> = row.flows,
        "flow_bytes": I64<u64> = row.flow_bytes,
        "low_bandwidth_flows": I64<u64> = row.low_bandwidth_flows,
        "warnings": I64<u32> = row.warnings,
        "code_version": Utf8 = row.code_version.as_str(),
        "config_hash": Utf8 = row.id.config_hash.as_str(),
        "wall_time_s": OptF64 = row.wall_time_s,
        "events_per_s": OptF64 = row.events_per_s,
        "peak_rss_bytes": OptI64<u64> = row.peak_rss_bytes,
        "started_at": OptUtf8 = row.started_at.as_deref(),
        "host": OptUtf8 = row.provenance.as_ref().map(|p| p.host.as_str()),
        "command": OptUtf8 = row.provenance.as_ref().map(|p| p.command.as_str()),
        "git_commit": OptUtf8 = row.provenance.as_ref().and_then(|p| p.git_commit.as_deref()),
        "git_dirty": OptBool = row.provenance.as_ref().and_then(|p| p.git_dirty),
        "rustc_version": OptUtf8 = row.provenance.as_ref().map(|p| p.rustc_version.as_str()),
    }
}

/// The column after which the `param.<key>` columns are inserted.
pub const PARAMS_AFTER: &str = "seed";

impl RunRow {
    /// A row with zero counters for `id`.
    pub fn new(id: RunIdentity) -> RunRow {
        RunRow {
            id,
            status: RunStatus::Ok,
            error: None,
            horizon_s: None,
            sim_end: SimTime::ZERO,
            events_processed: 0,
            requests: 0,
            completed: 0,
            incomplete: 0,
            rejected: 0,
            timed_out: 0,
            cold_starts: 0,
            replicas_created: 0,
            replicas_failed: 0,
            placements: 0,
            placements_failed: 0,
            scale_actions: 0,
            flows: 0,
            flow_bytes: 0,
            low_bandwidth_flows: 0,
            warnings: 0,
            code_version: crate::VERSION.to_string(),
            wall_time_s: None,
            events_per_s: None,
            peak_rss_bytes: None,
            started_at: None,
            provenance: None,
        }
    }

    /// This row with its telemetry columns null (`--no-telemetry`).
    pub fn without_telemetry(&self) -> RunRow {
        RunRow {
            wall_time_s: None,
            events_per_s: None,
            peak_rss_bytes: None,
            started_at: None,
            provenance: None,
            ..self.clone()
        }
    }
}
