//! The `summary` table (docs/outputs.md, `summary`): per function, then for all functions
//! together, request counts, latency statistics, replica figures and throughput.

use crate::output::columns::{OptF64, OptUtf8, F64, I64};
use crate::output::define::output_table;

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

/// The four summary metrics in the order of [`SummaryRow::stats`] and of the columns.
pub const SUMMARY_METRICS: [&str; 4] = ["wait", "queue", "exec", "response"];

/// Statistic suffixes in column order (`<metric>_<suffix>_s`).
pub const SUMMARY_STATS: [&str; 6] = ["mean", "p50", "p90", "p99", "p999", "max"];

// Index of each metric in `SummaryRow::stats`, so the columns below read as their names.
const WAIT: usize = 0;
const QUEUE: usize = 1;
const EXEC: usize = 2;
const RESPONSE: usize = 3;

output_table! {
    /// One `summary` row (docs/outputs.md, `summary`).
    #[derive(Clone, Debug, Default)]
    pub struct SummaryRow in "summary" {
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
    columns |run, row| {
        "function": OptUtf8 = row.function.map(|f| run.function(f)),
        "requests": I64<u64> = row.requests,
        "completed": I64<u64> = row.completed,
        "incomplete": I64<u64> = row.incomplete,
        "rejected": I64<u64> = row.rejected,
        "timed_out": I64<u64> = row.timed_out,
        "cold_starts": I64<u64> = row.cold_starts,
        "wait_mean_s": OptF64 = row.stats[WAIT].mean,
        "wait_p50_s": OptF64 = row.stats[WAIT].p50,
        "wait_p90_s": OptF64 = row.stats[WAIT].p90,
        "wait_p99_s": OptF64 = row.stats[WAIT].p99,
        "wait_p999_s": OptF64 = row.stats[WAIT].p999,
        "wait_max_s": OptF64 = row.stats[WAIT].max,
        "queue_mean_s": OptF64 = row.stats[QUEUE].mean,
        "queue_p50_s": OptF64 = row.stats[QUEUE].p50,
        "queue_p90_s": OptF64 = row.stats[QUEUE].p90,
        "queue_p99_s": OptF64 = row.stats[QUEUE].p99,
        "queue_p999_s": OptF64 = row.stats[QUEUE].p999,
        "queue_max_s": OptF64 = row.stats[QUEUE].max,
        "exec_mean_s": OptF64 = row.stats[EXEC].mean,
        "exec_p50_s": OptF64 = row.stats[EXEC].p50,
        "exec_p90_s": OptF64 = row.stats[EXEC].p90,
        "exec_p99_s": OptF64 = row.stats[EXEC].p99,
        "exec_p999_s": OptF64 = row.stats[EXEC].p999,
        "exec_max_s": OptF64 = row.stats[EXEC].max,
        "response_mean_s": OptF64 = row.stats[RESPONSE].mean,
        "response_p50_s": OptF64 = row.stats[RESPONSE].p50,
        "response_p90_s": OptF64 = row.stats[RESPONSE].p90,
        "response_p99_s": OptF64 = row.stats[RESPONSE].p99,
        "response_p999_s": OptF64 = row.stats[RESPONSE].p999,
        "response_max_s": OptF64 = row.stats[RESPONSE].max,
        "replicas_max": I64<u32> = row.replicas_max,
        "replicas_mean": F64 = row.replicas_mean,
        "running_mean": F64 = row.running_mean,
        "scale_ups": I64<u32> = row.scale_ups,
        "scale_downs": I64<u32> = row.scale_downs,
        "placements_failed": I64<u32> = row.placements_failed,
        "throughput_rps": F64 = row.throughput_rps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::define::TableRow;

    #[test]
    fn statistic_columns_follow_metric_then_statistic_order() {
        let names: Vec<String> = SummaryRow::fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| n.ends_with("_s"))
            .collect();
        let expected: Vec<String> = SUMMARY_METRICS
            .iter()
            .flat_map(|m| SUMMARY_STATS.iter().map(move |s| format!("{m}_{s}_s")))
            .collect();
        assert_eq!(names, expected);
    }
}
