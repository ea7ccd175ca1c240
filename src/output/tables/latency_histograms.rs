//! The `latency_histograms` table (docs/outputs.md, `latency_histograms`): the non-empty buckets
//! of each run's latency histograms, per function and metric and for all functions together.

use crate::output::columns::{OptUtf8, Utf8, I64};
use crate::output::define::output_table;

output_table! {
    /// One `latency_histograms` row (docs/outputs.md, `latency_histograms`).
    #[derive(Clone, Copy, Debug)]
    pub struct HistogramRow in "latency_histograms" {
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
    columns |run, row| {
        "function": OptUtf8 = row.function.map(|f| run.function(f)),
        "metric": Utf8 = row.metric,
        "bucket": I64<u32> = row.bucket,
        "lower_ns": I64<u64> = row.lower_ns,
        "upper_ns": I64<u64> = row.upper_ns,
        "count": I64<u64> = row.count,
    }
}
