//! Arrow schemas of the output tables (`spec/outputs.md` §2).
//!
//! Every table starts with `run_id` (Utf8) and `run_index` (UInt32). Column names, types and
//! nullability here are the contract readers rely on; `scripts/check_tables.py` holds a copy.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

use crate::metrics::SUMMARY_METRICS;

/// Output schema version, recorded in the manifest, the commit markers and the file metadata.
pub const SCHEMA_VERSION: u32 = 1;

/// The tables this module writes, in writing order.
pub const TABLES: &[&str] = &[
    "runs",
    "invocations",
    "placements",
    "scaling",
    "replicas",
    "replica_counts",
    "utilization",
    "summary",
    "latency_histograms",
];

/// The telemetry columns of `runs` (non-deterministic; null with `--no-telemetry`).
pub const TELEMETRY_COLUMNS: [&str; 3] = ["wall_time_s", "events_per_s", "peak_rss_bytes"];

/// Summary statistic suffixes in column order (`<m>_<suffix>_s`).
pub const SUMMARY_STATS: [&str; 6] = ["mean", "p50", "p90", "p99", "p999", "max"];

/// Prefix of the per-parameter columns of `runs`.
pub const PARAM_PREFIX: &str = "param.";

/// A `param.<key>` column of `runs`: the swept key and the Arrow type of its values.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamColumn {
    /// Dotted key as swept (without the `param.` prefix).
    pub key: String,
    /// Int64, Float64, Utf8 or Boolean.
    pub data_type: DataType,
}

fn req(name: &str, data_type: DataType) -> Field {
    Field::new(name, data_type, false)
}

fn opt(name: &str, data_type: DataType) -> Field {
    Field::new(name, data_type, true)
}

fn identity() -> [Field; 2] {
    [
        req("run_id", DataType::Utf8),
        req("run_index", DataType::UInt32),
    ]
}

fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

fn with_identity(fields: impl IntoIterator<Item = Field>) -> SchemaRef {
    schema(identity().into_iter().chain(fields).collect())
}

/// `List<item>`, with the conventional nullable `item` field.
pub fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

/// Children of `placements.rejections` items: `name`, `count`.
pub fn rejection_fields() -> Fields {
    Fields::from(vec![
        req("name", DataType::Utf8),
        req("count", DataType::UInt32),
    ])
}

/// Children of `placements.scores` items: `name`, `raw`, `normalized`, `weight`, `weighted`.
pub fn score_fields() -> Fields {
    Fields::from(vec![
        req("name", DataType::Utf8),
        req("raw", DataType::Float64),
        req("normalized", DataType::Float64),
        req("weight", DataType::Float64),
        req("weighted", DataType::Float64),
    ])
}

/// Request counts by final status, shared by `runs` and `summary`.
const REQUEST_COUNTS: [&str; 6] = [
    "requests",
    "completed",
    "incomplete",
    "rejected",
    "timed_out",
    "cold_starts",
];

/// `runs` (§2.1), with one `param.<key>` column per swept parameter in the given order.
///
/// `horizon_s` is nullable because a run that failed before its configuration was resolved
/// has no horizon.
pub fn runs_schema(params: &[ParamColumn]) -> SchemaRef {
    use DataType::*;
    let mut fields = vec![
        req("sweep_id", Utf8),
        req("scenario", Utf8),
        req("seed", UInt64),
    ];
    fields.extend(
        params
            .iter()
            .map(|p| opt(&format!("{PARAM_PREFIX}{}", p.key), p.data_type.clone())),
    );
    fields.extend([
        req("params_json", Utf8),
        req("status", Utf8),
        opt("error", Utf8),
        opt("horizon_s", Float64),
        req("sim_end_s", Float64),
        req("events_processed", UInt64),
    ]);
    for name in REQUEST_COUNTS {
        fields.push(req(name, UInt64));
    }
    for name in [
        "replicas_created",
        "replicas_failed",
        "placements",
        "placements_failed",
        "scale_actions",
    ] {
        fields.push(req(name, UInt32));
    }
    fields.extend([
        req("flows", UInt64),
        req("flow_bytes", UInt64),
        req("low_bandwidth_flows", UInt64),
        req("warnings", UInt32),
        req("code_version", Utf8),
        req("config_hash", Utf8),
        opt("wall_time_s", Float64),
        opt("events_per_s", Float64),
        opt("peak_rss_bytes", UInt64),
    ]);
    with_identity(fields)
}

/// `invocations` (§2.2).
pub fn invocations_schema() -> SchemaRef {
    use DataType::*;
    with_identity([
        req("request_id", UInt64),
        req("fn_seq", UInt64),
        req("function", Utf8),
        req("status", Utf8),
        opt("reject_reason", Utf8),
        req("cold", Boolean),
        req("arrival_s", Float64),
        opt("dispatch_s", Float64),
        opt("start_s", Float64),
        opt("end_s", Float64),
        opt("wait_s", Float64),
        opt("queue_s", Float64),
        opt("exec_s", Float64),
        opt("response_s", Float64),
        opt("transfer_s", Float64),
        opt("slowdown", Float64),
        opt("replica_id", UInt32),
        opt("node", Utf8),
        opt("image", Utf8),
        opt("memory_bytes", UInt64),
    ])
}

/// `placements` (§2.3).
pub fn placements_schema() -> SchemaRef {
    use DataType::*;
    let mut fields = vec![
        req("t_s", Float64),
        req("queued_s", Float64),
        req("latency_s", Float64),
        req("replica_id", UInt32),
        req("function", Utf8),
        req("image", Utf8),
        req("profile", Utf8),
        req("attempt", UInt8),
    ];
    for name in [
        "nodes_total",
        "nodes_to_find",
        "start_index",
        "nodes_evaluated",
        "feasible",
        "scored",
        "tie_count",
    ] {
        fields.push(req(name, UInt32));
    }
    fields.extend([
        req("status", Utf8),
        opt("node", Utf8),
        opt("failure_reason", Utf8),
        req("rejections", list_of(Struct(rejection_fields()))),
        opt("scores", list_of(Struct(score_fields()))),
        opt("total_score", Float64),
        opt("needed_images", list_of(Utf8)),
        opt("node_cpu_requested_frac", Float64),
        opt("node_mem_requested_frac", Float64),
    ]);
    with_identity(fields)
}

/// `scaling` (§2.4).
pub fn scaling_schema() -> SchemaRef {
    use DataType::*;
    with_identity([
        req("t_s", Float64),
        req("function", Utf8),
        req("scaler", Utf8),
        req("action", Utf8),
        opt("metric_name", Utf8),
        opt("metric_value", Float64),
        req("running", UInt32),
        req("pending", UInt32),
        req("current", UInt32),
        opt("desired", UInt32),
        req("applied", Int32),
        req("reason", Utf8),
    ])
}

/// `replicas` (§2.5).
pub fn replicas_schema() -> SchemaRef {
    use DataType::*;
    let mut fields = vec![
        req("replica_id", UInt32),
        req("function", Utf8),
        req("image", Utf8),
        req("pod", Utf8),
        req("attempt", UInt8),
        opt("parent_replica_id", UInt32),
        opt("node", Utf8),
        req("cpu_request_m", UInt32),
        req("memory_request_bytes", UInt64),
        req("created_s", Float64),
    ];
    for name in [
        "scheduled_s",
        "deploying_s",
        "starting_s",
        "setup_start_s",
        "running_s",
        "teardown_s",
        "ended_s",
    ] {
        fields.push(opt(name, Float64));
    }
    fields.extend([
        req("final_state", Utf8),
        opt("end_reason", Utf8),
        opt("pull_bytes", UInt64),
        opt("pull_s", Float64),
        opt("pull_cached", Boolean),
        opt("pull_joined", Boolean),
        req("requests_served", UInt64),
    ]);
    with_identity(fields)
}

/// `replica_counts`: per function, the live / Running / pending replica counts from `t_s` until
/// the function's next row (a step function; one row per instant at which a count changed).
pub fn replica_counts_schema() -> SchemaRef {
    use DataType::*;
    with_identity([
        req("t_s", Float64),
        req("function", Utf8),
        req("live", UInt32),
        req("running", UInt32),
        req("pending", UInt32),
    ])
}

/// `utilization` (§2.6).
pub fn utilization_schema() -> SchemaRef {
    use DataType::*;
    with_identity([
        req("t_s", Float64),
        req("level", Utf8),
        req("node", Utf8),
        opt("replica_id", UInt32),
        opt("function", Utf8),
        req("cpu_capacity_m", UInt64),
        req("mem_capacity_bytes", UInt64),
        req("cpu_requested_m", UInt64),
        req("mem_requested_bytes", UInt64),
        req("cpu_used_avg_m", Float64),
        req("mem_used_avg_bytes", Float64),
        req("cpu_util", Float64),
        req("mem_util", Float64),
        req("replicas_live", UInt32),
        req("replicas_running", UInt32),
        req("executing", UInt32),
        req("queued", UInt32),
    ])
}

/// `summary` (§2.9).
pub fn summary_schema() -> SchemaRef {
    use DataType::*;
    let mut fields = vec![opt("function", Utf8)];
    for name in REQUEST_COUNTS {
        fields.push(req(name, UInt64));
    }
    for m in SUMMARY_METRICS {
        for s in SUMMARY_STATS {
            fields.push(opt(&format!("{m}_{s}_s"), Float64));
        }
    }
    fields.extend([
        req("replicas_max", UInt32),
        req("replicas_mean", Float64),
        req("running_mean", Float64),
        req("scale_ups", UInt32),
        req("scale_downs", UInt32),
        req("placements_failed", UInt32),
        req("throughput_rps", Float64),
    ]);
    with_identity(fields)
}

/// `latency_histograms` (§2.8).
pub fn latency_histograms_schema() -> SchemaRef {
    use DataType::*;
    with_identity([
        opt("function", Utf8),
        req("metric", Utf8),
        req("bucket", UInt32),
        req("lower_ns", UInt64),
        req("upper_ns", UInt64),
        req("count", UInt64),
    ])
}

/// The schema of `table` (one of [`TABLES`]); `params` only affects `runs`.
pub fn table_schema(table: &str, params: &[ParamColumn]) -> Option<SchemaRef> {
    Some(match table {
        "runs" => runs_schema(params),
        "invocations" => invocations_schema(),
        "placements" => placements_schema(),
        "scaling" => scaling_schema(),
        "replicas" => replicas_schema(),
        "replica_counts" => replica_counts_schema(),
        "utilization" => utilization_schema(),
        "summary" => summary_schema(),
        "latency_histograms" => latency_histograms_schema(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_starts_with_run_id_and_run_index() {
        for table in TABLES {
            let s = table_schema(table, &[]).unwrap();
            assert_eq!(s.field(0).name(), "run_id");
            assert_eq!(s.field(0).data_type(), &DataType::Utf8);
            assert_eq!(s.field(1).name(), "run_index");
            assert_eq!(s.field(1).data_type(), &DataType::UInt32);
            assert!(!s.field(0).is_nullable() && !s.field(1).is_nullable());
        }
        assert!(table_schema("flows", &[]).is_none());
    }

    #[test]
    fn summary_has_six_statistics_for_each_of_four_metrics() {
        let s = summary_schema();
        assert_eq!(s.fields().len(), 2 + 1 + 6 + 24 + 7);
        assert_eq!(
            s.index_of("wait_mean_s").unwrap() + 6,
            s.index_of("queue_mean_s").unwrap()
        );
        assert!(s.field_with_name("response_p999_s").unwrap().is_nullable());
        assert!(s.field_with_name("function").unwrap().is_nullable());
    }

    #[test]
    fn param_columns_follow_seed_in_sweep_order() {
        let s = runs_schema(&[
            ParamColumn {
                key: "scheduler.profile".into(),
                data_type: DataType::Utf8,
            },
            ParamColumn {
                key: "workload.rate".into(),
                data_type: DataType::Float64,
            },
        ]);
        let seed = s.index_of("seed").unwrap();
        assert_eq!(s.field(seed + 1).name(), "param.scheduler.profile");
        assert_eq!(s.field(seed + 2).name(), "param.workload.rate");
        assert_eq!(s.field(seed + 3).name(), "params_json");
        for c in TELEMETRY_COLUMNS {
            assert!(s.field_with_name(c).unwrap().is_nullable());
        }
    }
}
