//! The list of output tables and their Arrow schemas, as generated from each table's definition
//! in [`super::tables`] (docs/outputs.md).
//!
//! Every table starts with `run_id` (Utf8) and `run_index` (Int64). Column names, types and
//! nullability are the contract readers rely on; `docs/outputs.md` documents them (a test keeps
//! the two equal) and `scripts/check_tables.py` holds a copy.

use arrow_schema::SchemaRef;

use super::define::TableRow;
use super::tables::{
    schema_of, FlowRow, HistogramRow, InvocationRow, LinkRow, NodeRow, PlacementRow,
    ReplicaCountRow, ReplicaRow, RunRow, ScalingRow, SummaryRow, UtilizationRow,
};

pub use super::tables::placements::{list_of, rejection_fields, score_fields};
pub use super::tables::{identity_fields, runs_schema};
pub use super::tables::{ParamColumn, PARAM_PREFIX, SUMMARY_STATS};

/// Output schema version, recorded in the manifest, the commit markers and the file metadata.
/// A dataset of another version is never resumed or appended to (docs/outputs.md, "Schema
/// version", lists what each version changed).
///
/// 2: `latency_histograms` gained `precision`, holds buckets as `first_bucket` + a dense
/// `count` list (no `bucket` list), per-function rows only for
/// `outputs.histogram_function_metrics`, rows grouped by function and metric.
pub const SCHEMA_VERSION: u32 = 2;

/// The tables this module writes, in writing order.
pub const TABLES: &[&str] = &[
    RunRow::TABLE,
    InvocationRow::TABLE,
    PlacementRow::TABLE,
    ScalingRow::TABLE,
    ReplicaRow::TABLE,
    ReplicaCountRow::TABLE,
    UtilizationRow::TABLE,
    SummaryRow::TABLE,
    HistogramRow::TABLE,
    FlowRow::TABLE,
    LinkRow::TABLE,
    NodeRow::TABLE,
];

/// The telemetry columns of `runs` (non-deterministic; null with `--no-telemetry`).
pub const TELEMETRY_COLUMNS: [&str; 9] = [
    "wall_time_s",
    "events_per_s",
    "peak_rss_bytes",
    "started_at",
    "host",
    "command",
    "git_commit",
    "git_dirty",
    "rustc_version",
];

/// The schema of `table` (one of [`TABLES`]); `params` only affects `runs`.
pub fn table_schema(table: &str, params: &[ParamColumn]) -> Option<SchemaRef> {
    Some(match table {
        RunRow::TABLE => runs_schema(params),
        InvocationRow::TABLE => schema_of::<InvocationRow>(),
        PlacementRow::TABLE => schema_of::<PlacementRow>(),
        ScalingRow::TABLE => schema_of::<ScalingRow>(),
        ReplicaRow::TABLE => schema_of::<ReplicaRow>(),
        ReplicaCountRow::TABLE => schema_of::<ReplicaCountRow>(),
        UtilizationRow::TABLE => schema_of::<UtilizationRow>(),
        SummaryRow::TABLE => schema_of::<SummaryRow>(),
        HistogramRow::TABLE => schema_of::<HistogramRow>(),
        FlowRow::TABLE => schema_of::<FlowRow>(),
        LinkRow::TABLE => schema_of::<LinkRow>(),
        NodeRow::TABLE => schema_of::<NodeRow>(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;
    use crate::output::tables::SUMMARY_METRICS;

    #[test]
    fn every_table_starts_with_run_id_and_run_index() {
        for table in TABLES {
            let s = table_schema(table, &[]).unwrap();
            assert_eq!(s.field(0).name(), "run_id");
            assert_eq!(s.field(0).data_type(), &DataType::Utf8);
            assert_eq!(s.field(1).name(), "run_index");
            assert_eq!(s.field(1).data_type(), &DataType::Int64);
            assert!(!s.field(0).is_nullable() && !s.field(1).is_nullable());
        }
        assert!(table_schema("no_such_table", &[]).is_none());
    }

    /// Integer types of every column, list items and struct children included.
    fn integer_types(name: &str, dt: &DataType, out: &mut Vec<(String, DataType)>) {
        match dt {
            DataType::List(item) => integer_types(name, item.data_type(), out),
            DataType::Struct(children) => {
                for c in children {
                    integer_types(&format!("{name}.{}", c.name()), c.data_type(), out);
                }
            }
            d if d.is_integer() => out.push((name.to_string(), d.clone())),
            _ => {}
        }
    }

    #[test]
    fn every_count_and_id_is_a_signed_64_bit_integer_so_differences_never_wrap() {
        for table in TABLES {
            let s = table_schema(table, &[]).unwrap();
            let mut ints = Vec::new();
            for f in s.fields() {
                integer_types(f.name(), f.data_type(), &mut ints);
            }
            for (column, dt) in ints {
                if *table == "runs" && column == "seed" {
                    assert_eq!(dt, DataType::UInt64, "the seed is opaque, never subtracted");
                } else {
                    assert_eq!(dt, DataType::Int64, "{table}.{column}");
                }
            }
        }
    }

    #[test]
    fn summary_has_six_statistics_for_each_of_four_metrics() {
        let s = table_schema("summary", &[]).unwrap();
        assert_eq!(
            s.fields().len(),
            2 + 1 + 6 + SUMMARY_METRICS.len() * SUMMARY_STATS.len() + 7
        );
        assert_eq!(
            s.index_of("wait_mean_s").unwrap() + 6,
            s.index_of("queue_mean_s").unwrap()
        );
        assert!(s.field_with_name("response_p999_s").unwrap().is_nullable());
        assert!(s.field_with_name("function").unwrap().is_nullable());
    }

    #[test]
    fn runs_and_summary_count_requests_with_the_same_columns() {
        let runs = table_schema("runs", &[]).unwrap();
        let summary = table_schema("summary", &[]).unwrap();
        for name in [
            "requests",
            "completed",
            "incomplete",
            "rejected",
            "timed_out",
            "cold_starts",
        ] {
            assert_eq!(
                runs.field_with_name(name).unwrap(),
                summary.field_with_name(name).unwrap(),
                "{name}"
            );
        }
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
