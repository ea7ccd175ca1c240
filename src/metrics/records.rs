//! Row buffers of one run: what the simulation records and the output layer writes.
//!
//! Names (functions, nodes, images) are stored as dense ids and resolved through [`Names`] when
//! the tables are written; `SimTime::NEVER` marks a null time.

use crate::engine::SimTime;
use crate::scheduler::ScoreEntry;

/// Names of the run's interned entities, for dictionary columns.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Function names by function id.
    pub functions: Vec<String>,
    /// Node names by node id.
    pub nodes: Vec<String>,
    /// Image names by image id.
    pub images: Vec<String>,
}

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

/// The `runs` row (`spec/outputs.md` §2.1).
#[derive(Clone, Debug)]
pub struct RunRow {
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
}

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
        }
    }
}

/// Final status of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvocationStatus {
    /// Processing finished.
    Completed,
    /// Still in flight when the run stopped.
    Incomplete,
    /// Rejected (see reason).
    Rejected,
    /// Not started before its timeout.
    TimedOut,
}

impl InvocationStatus {
    /// Column value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Completed => "completed",
            InvocationStatus::Incomplete => "incomplete",
            InvocationStatus::Rejected => "rejected",
            InvocationStatus::TimedOut => "timed_out",
        }
    }
}

/// One `invocations` row (`spec/outputs.md` §2.2). Unset times are `SimTime::NEVER`.
#[derive(Clone, Debug)]
pub struct InvocationRow {
    /// Global arrival order.
    pub request_id: u64,
    /// Per-function arrival order.
    pub fn_seq: u64,
    /// Function id.
    pub function: u32,
    /// Final status.
    pub status: InvocationStatus,
    /// `unknown_function`, `removed`, `queue_full` when rejected.
    pub reject_reason: Option<&'static str>,
    /// Waited for a replica to become Running.
    pub cold: bool,
    /// Arrival at the gateway.
    pub arrival: SimTime,
    /// Handed to a replica.
    pub dispatch: SimTime,
    /// Processing began.
    pub start: SimTime,
    /// Processing finished.
    pub end: SimTime,
    /// Data-transfer time inside exec (NEVER if not started).
    pub transfer: SimTime,
    /// Slowdown factor applied (None if not started).
    pub slowdown: Option<f64>,
    /// Replica (None if not dispatched).
    pub replica: Option<u32>,
    /// Node id (None if not dispatched).
    pub node: Option<u32>,
    /// Image id (None if not dispatched).
    pub image: Option<u32>,
    /// Container memory request (None if not dispatched).
    pub memory_bytes: Option<u64>,
}

/// One `placements` row (`spec/outputs.md` §2.3).
#[derive(Clone, Debug)]
pub struct PlacementRow {
    /// Decision time.
    pub t: SimTime,
    /// When the replica entered the queue.
    pub queued: SimTime,
    /// Modelled decision latency.
    pub latency: SimTime,
    /// Replica id.
    pub replica_id: u32,
    /// Function id.
    pub function: u32,
    /// Image id.
    pub image: u32,
    /// Scheduler profile name.
    pub profile: &'static str,
    /// 0 for the first image, +1 per fallback.
    pub attempt: u8,
    /// N.
    pub nodes_total: u32,
    /// k.
    pub nodes_to_find: u32,
    /// Rotation index before the decision.
    pub start_index: u32,
    /// Nodes on which predicates ran.
    pub nodes_evaluated: u32,
    /// Feasible nodes.
    pub feasible: u32,
    /// Scored nodes.
    pub scored: u32,
    /// Nodes sharing the maximum.
    pub tie_count: u32,
    /// Chosen node (None when unschedulable).
    pub node: Option<u32>,
    /// Failure reason (None on success).
    pub failure_reason: Option<&'static str>,
    /// First-failing predicate counts, predicate order.
    pub rejections: Vec<(&'static str, u32)>,
    /// Chosen node's breakdown (empty on failure).
    pub scores: Vec<ScoreEntry>,
    /// Chosen node's total (None on failure).
    pub total_score: Option<f64>,
    /// Images not on the chosen node before placement (None on failure).
    pub needed_images: Option<Vec<u32>>,
    /// Node requested/capacity CPU after placement.
    pub node_cpu_requested_frac: Option<f64>,
    /// Node requested/capacity memory after placement.
    pub node_mem_requested_frac: Option<f64>,
}

/// One `scaling` row (`spec/outputs.md` §2.4).
#[derive(Clone, Debug)]
pub struct ScalingRow {
    /// Decision time.
    pub t: SimTime,
    /// Function id.
    pub function: u32,
    /// Scaler name, or `lifecycle`, `router`, `command`.
    pub scaler: &'static str,
    /// `deploy`, `scale_up`, `scale_down`, `none`, …
    pub action: &'static str,
    /// Metric the scaler read.
    pub metric_name: Option<&'static str>,
    /// Its value.
    pub metric_value: Option<f64>,
    /// Running replicas.
    pub running: u32,
    /// Pending replicas.
    pub pending: u32,
    /// Live replicas.
    pub current: u32,
    /// Desired replicas, when the scaler computed one.
    pub desired: Option<u32>,
    /// Replicas created (negative for removals).
    pub applied: i32,
    /// Why.
    pub reason: &'static str,
}

/// One `replica_counts` row: a function's replica counts from `t` until its next row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaCountRow {
    /// Time of the change.
    pub t: SimTime,
    /// Function id.
    pub function: u32,
    /// Live replicas (Conceived … Running).
    pub live: u32,
    /// Running replicas (`pending = live − running`).
    pub running: u32,
}

/// One `utilization` row (`spec/outputs.md` §2.6): a node, or a Running replica when `replica`
/// is set, at a monitor tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UtilizationRow {
    /// Tick time.
    pub t: SimTime,
    /// Node id.
    pub node: u32,
    /// Replica id (replica rows).
    pub replica: Option<u32>,
    /// Function id (replica rows).
    pub function: Option<u32>,
    /// Node capacity, or the replica's CPU request.
    pub cpu_capacity_m: u64,
    /// Node capacity, or the replica's memory request.
    pub mem_capacity_bytes: u64,
    /// Requested CPU now.
    pub cpu_requested_m: u64,
    /// Requested memory now.
    pub mem_requested_bytes: u64,
    /// Time-weighted average used CPU over the last interval.
    pub cpu_used_avg_m: f64,
    /// Time-weighted average used memory over the last interval.
    pub mem_used_avg_bytes: f64,
    /// `cpu_used_avg_m / cpu_capacity_m`.
    pub cpu_util: f64,
    /// `mem_used_avg_bytes / mem_capacity_bytes`.
    pub mem_util: f64,
    /// Live replicas on the node (1 for replica rows).
    pub replicas_live: u32,
    /// Running replicas on the node (1 for replica rows).
    pub replicas_running: u32,
    /// Executing requests.
    pub executing: u32,
    /// Locally queued requests.
    pub queued: u32,
}

/// One `replicas` row (`spec/outputs.md` §2.5). Unset times are `SimTime::NEVER`.
#[derive(Clone, Debug)]
pub struct ReplicaRow {
    /// Replica id.
    pub replica_id: u32,
    /// Function id.
    pub function: u32,
    /// Image id.
    pub image: u32,
    /// `pod-<function>-<n>`.
    pub pod: String,
    /// Fallback attempt.
    pub attempt: u8,
    /// Replica whose failure created this one.
    pub parent_replica_id: Option<u32>,
    /// Node, if ever placed.
    pub node: Option<u32>,
    /// CPU request.
    pub cpu_request_m: u32,
    /// Memory request.
    pub memory_request_bytes: u64,
    /// Entered Conceived.
    pub created: SimTime,
    /// Entered Scheduled.
    pub scheduled: SimTime,
    /// Entered Deploying.
    pub deploying: SimTime,
    /// Entered Starting.
    pub starting: SimTime,
    /// Setup phase began.
    pub setup_start: SimTime,
    /// Entered Running.
    pub running: SimTime,
    /// Entered Teardown.
    pub teardown: SimTime,
    /// Became terminal.
    pub ended: SimTime,
    /// State at the end of the run.
    pub final_state: &'static str,
    /// Why it ended.
    pub end_reason: Option<&'static str>,
    /// Bytes pulled (None if never deployed).
    pub pull_bytes: Option<u64>,
    /// Deploy-phase duration.
    pub pull: SimTime,
    /// Image was cached.
    pub pull_cached: Option<bool>,
    /// Joined an in-flight pull.
    pub pull_joined: Option<bool>,
    /// Completed invocations.
    pub requests_served: u64,
}

/// Statistics of one latency metric over completed requests (seconds; None without data).
#[derive(Clone, Copy, Debug, Default)]
pub struct MetricStats {
    /// Mean.
    pub mean: Option<f64>,
    /// p50.
    pub p50: Option<f64>,
    /// p90.
    pub p90: Option<f64>,
    /// p99.
    pub p99: Option<f64>,
    /// p99.9.
    pub p999: Option<f64>,
    /// Max.
    pub max: Option<f64>,
}

/// The four summary metrics in column order.
pub const SUMMARY_METRICS: [&str; 4] = ["wait", "queue", "exec", "response"];

/// One `summary` row (`spec/outputs.md` §2.9).
#[derive(Clone, Debug, Default)]
pub struct SummaryRow {
    /// Function id; None for the all-functions row.
    pub function: Option<u32>,
    /// Requests.
    pub requests: u64,
    /// Completed.
    pub completed: u64,
    /// Incomplete.
    pub incomplete: u64,
    /// Rejected.
    pub rejected: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Cold requests.
    pub cold_starts: u64,
    /// wait, queue, exec, response.
    pub stats: [MetricStats; 4],
    /// Maximum live replicas.
    pub replicas_max: u32,
    /// Time-weighted mean live replicas.
    pub replicas_mean: f64,
    /// Time-weighted mean Running replicas.
    pub running_mean: f64,
    /// Scale-up actions.
    pub scale_ups: u32,
    /// Scale-down actions.
    pub scale_downs: u32,
    /// Failed placements.
    pub placements_failed: u32,
    /// completed / horizon.
    pub throughput_rps: f64,
}

/// One `latency_histograms` row (`spec/outputs.md` §2.8).
#[derive(Clone, Copy, Debug)]
pub struct HistogramRow {
    /// Function id; None for the all-functions rows.
    pub function: Option<u32>,
    /// `wait`, `queue`, `exec`, `response`, `cold_wait`, `pull`.
    pub metric: &'static str,
    /// Bucket index.
    pub bucket: u32,
    /// Inclusive lower bound, ns.
    pub lower_ns: u64,
    /// Inclusive upper bound, ns.
    pub upper_ns: u64,
    /// Count.
    pub count: u64,
}

/// Which optional tables a run writes.
#[derive(Clone, Copy, Debug)]
pub struct EnabledTables {
    /// `invocations`.
    pub invocations: bool,
    /// `placements`.
    pub placements: bool,
    /// `scaling`.
    pub scaling: bool,
    /// `replicas`.
    pub replicas: bool,
    /// `replica_counts`.
    pub replica_counts: bool,
    /// `utilization`.
    pub utilization: bool,
}

impl EnabledTables {
    /// Every optional table off.
    pub const NONE: EnabledTables = EnabledTables {
        invocations: false,
        placements: false,
        scaling: false,
        replicas: false,
        replica_counts: false,
        utilization: false,
    };
}

/// Everything one run produced, ready for the writer.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The `runs` row.
    pub run: RunRow,
    /// Dictionary of names.
    pub names: Names,
    /// Which optional tables were enabled.
    pub enabled: EnabledTables,
    /// `invocations` rows in `request_id` order.
    pub invocations: Vec<InvocationRow>,
    /// `placements` rows in decision order.
    pub placements: Vec<PlacementRow>,
    /// `scaling` rows in record order.
    pub scaling: Vec<ScalingRow>,
    /// `replicas` rows in `replica_id` order.
    pub replicas: Vec<ReplicaRow>,
    /// `replica_counts` rows in time order.
    pub replica_counts: Vec<ReplicaCountRow>,
    /// `utilization` rows: tick time, node rows (node id) then replica rows (node, replica id).
    pub utilization: Vec<UtilizationRow>,
    /// `summary` rows: per function in id order, then the total row.
    pub summary: Vec<SummaryRow>,
    /// `latency_histograms` rows: function (None last), metric, bucket.
    pub histograms: Vec<HistogramRow>,
}

impl RunOutput {
    /// The output of a run that failed before producing anything but its `runs` row.
    pub fn failed(mut run: RunRow, status: RunStatus, error: String) -> RunOutput {
        run.status = status;
        run.error = Some(error);
        RunOutput {
            run,
            names: Names::default(),
            enabled: EnabledTables::NONE,
            invocations: Vec::new(),
            placements: Vec::new(),
            scaling: Vec::new(),
            replicas: Vec::new(),
            replica_counts: Vec::new(),
            utilization: Vec::new(),
            summary: Vec::new(),
            histograms: Vec::new(),
        }
    }
}
