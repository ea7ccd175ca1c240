//! The `latency_histograms` table (docs/outputs.md, `latency_histograms`): one row per run,
//! function (or all functions) and metric, holding the histogram's non-empty buckets as two list
//! columns of equal length, `bucket` and `count`.
//!
//! One row per histogram rather than one per bucket keeps the table small (a run with tens of
//! thousands of requests used to write more bucket rows than it had requests) while staying
//! exactly mergeable: exploding the two lists gives back one `(bucket, count)` row per bucket,
//! and bucket boundaries are fixed, so summing `count` per `bucket` pools runs.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, ListArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field};

use crate::metrics::LatencyHistogram;
use crate::output::columns::{AsInt64, ColumnKind, OptUtf8, Utf8, I64};
use crate::output::define::output_table;
use crate::output::tables::placements::list_of;

output_table! {
    /// One `latency_histograms` row (docs/outputs.md, `latency_histograms`).
    #[derive(Clone, Debug)]
    pub struct HistogramRow in "latency_histograms" {
        /// Function id; None for the all-functions rows.
        pub function: Option<u32>,
        /// `wait`, `queue`, `exec`, `response`, `cold_wait`, `pull`.
        pub metric: &'static str,
        /// Values recorded.
        pub n: u64,
        /// Exact sum of the values, ns (saturating at `i64::MAX` when written).
        pub sum_ns: u128,
        /// Exact largest value, ns.
        pub max_ns: u64,
        /// Non-empty buckets in bucket order: `(bucket index, count)`.
        pub buckets: Vec<(u32, u64)>,
    }
    columns |run, row| {
        "function": OptUtf8 = row.function.map(|f| run.function(f)),
        "metric": Utf8 = row.metric,
        "n": I64<u64> = row.n,
        "sum_ns": I64<u64> = u64::try_from(row.sum_ns).unwrap_or(u64::MAX),
        "max_ns": I64<u64> = row.max_ns,
        "bucket": BucketIndexes = row.buckets.as_slice(),
        "count": BucketCounts = row.buckets.as_slice(),
    }
}

impl HistogramRow {
    /// The row of histogram `h`, or None when it recorded nothing (empty histograms get no row).
    pub fn of(function: Option<u32>, metric: &'static str, h: &LatencyHistogram) -> Option<Self> {
        let n = h.count();
        (n > 0).then(|| HistogramRow {
            function,
            metric,
            n,
            sum_ns: h.sum_ns(),
            max_ns: h.max_ns().unwrap_or(0),
            buckets: h.buckets().map(|(b, _, _, c)| (b, c)).collect(),
        })
    }
}

/// `List<Int64>` of one element per non-empty bucket; `pick` chooses which half of the pair.
fn bucket_list<'a>(
    rows: impl Iterator<Item = &'a [(u32, u64)]>,
    pick: fn(&(u32, u64)) -> i64,
) -> ArrayRef {
    let mut offsets = vec![0i32];
    let mut values = Vec::new();
    for row in rows {
        values.extend(row.iter().map(pick));
        offsets.push(i32::try_from(values.len()).expect("list column exceeds i32 offsets"));
    }
    Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(DataType::Int64, true)),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(Int64Array::from(values)),
        None,
    ))
}

/// `bucket`: the indexes of the non-empty buckets, ascending.
#[derive(Clone, Copy, Debug)]
pub struct BucketIndexes;

impl ColumnKind for BucketIndexes {
    type Value<'a> = &'a [(u32, u64)];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Int64)
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        bucket_list(values, |&(b, _)| b.as_i64())
    }
}

/// `count`: the count of each bucket of `bucket`, position for position.
#[derive(Clone, Copy, Debug)]
pub struct BucketCounts;

impl ColumnKind for BucketCounts {
    type Value<'a> = &'a [(u32, u64)];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Int64)
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        bucket_list(values, |&(_, c)| c.as_i64())
    }
}
