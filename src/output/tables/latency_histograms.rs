//! The `latency_histograms` table (docs/outputs.md, `latency_histograms`): one row per run,
//! function (or all functions) and metric, holding the histogram's non-empty buckets as two list
//! columns of equal length, `bucket` and `count`, at the resolution `precision`
//! (`outputs.histogram_precision`, re-binned by [`crate::output::histogram_precision`]).
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
use crate::output::histogram_precision::{rebin, HistogramPrecision};
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
        /// Sub-buckets per power of two of `buckets`.
        pub precision: HistogramPrecision,
        /// Non-empty buckets at `precision`, in bucket order.
        pub buckets: Vec<PackedBucket>,
    }
    columns |run, row| {
        "function": OptUtf8 = row.function.map(|f| run.function(f)),
        "metric": Utf8 = row.metric,
        "n": I64<u64> = row.n,
        "sum_ns": I64<u64> = u64::try_from(row.sum_ns).unwrap_or(u64::MAX),
        "max_ns": I64<u64> = row.max_ns,
        "precision": I64<u32> = row.precision.sub_buckets(),
        "bucket": BucketIndexes = row.buckets.as_slice(),
        "count": BucketCounts = row.buckets.as_slice(),
    }
}

impl HistogramRow {
    /// The row of histogram `h` at `precision`, or None when it recorded nothing (empty
    /// histograms get no row).
    pub fn of(
        function: Option<u32>,
        metric: &'static str,
        h: &LatencyHistogram,
        precision: HistogramPrecision,
    ) -> Option<Self> {
        let n = h.count();
        (n > 0).then(|| {
            let mut buckets = rebin(precision, h.buckets().map(|(_, lower, _, c)| (lower, c)));
            // The row outlives the run (a sweep holds it until its batch is written): drop the
            // spare capacity that collecting an unknown number of buckets leaves.
            buckets.shrink_to_fit();
            HistogramRow {
                function,
                metric,
                n,
                sum_ns: h.sum_ns(),
                max_ns: h.max_ns().unwrap_or(0),
                precision,
                buckets,
            }
        })
    }
}

/// One non-empty bucket, `(index, count)`, packed in 8 bytes: the index in the top 16 bits, the
/// count in the low 48.
///
/// A sweep keeps the histogram rows of every run of up to two batches in memory, and they are
/// most of a run's output (thousands of buckets per run with many functions); a `(u32, u64)`
/// pair would take 16 bytes with its padding. Bucket indexes stay below 2¹³ (the last bucket of
/// a `u64` value is 7 423) and no run records 2⁴⁸ values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackedBucket(u64);

impl PackedBucket {
    const COUNT_BITS: u32 = 48;
    const COUNT_MASK: u64 = (1 << Self::COUNT_BITS) - 1;

    /// Bucket `index` holding `count` values (a count beyond 2⁴⁸ − 1 saturates).
    pub fn new(index: u32, count: u64) -> PackedBucket {
        debug_assert!(index < 1 << 16, "bucket index {index} exceeds 16 bits");
        PackedBucket((index as u64) << Self::COUNT_BITS | count.min(Self::COUNT_MASK))
    }

    /// The bucket index.
    pub fn index(self) -> u32 {
        (self.0 >> Self::COUNT_BITS) as u32
    }

    /// The number of values in the bucket.
    pub fn count(self) -> u64 {
        self.0 & Self::COUNT_MASK
    }
}

/// `List<Int64>` of one element per non-empty bucket; `pick` chooses which half of the pair.
fn bucket_list<'a>(
    rows: impl Iterator<Item = &'a [PackedBucket]>,
    pick: fn(&PackedBucket) -> i64,
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
    type Value<'a> = &'a [PackedBucket];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Int64)
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        bucket_list(values, |b| b.index().as_i64())
    }
}

/// `count`: the count of each bucket of `bucket`, position for position.
#[derive(Clone, Copy, Debug)]
pub struct BucketCounts;

impl ColumnKind for BucketCounts {
    type Value<'a> = &'a [PackedBucket];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Int64)
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        bucket_list(values, |b| b.count().as_i64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::histogram::bucket_of;

    #[test]
    fn a_packed_bucket_gives_back_its_index_and_count() {
        let last = bucket_of(u64::MAX);
        for (index, count) in [(0, 1), (506, 12_345), (last, (1 << 48) - 1)] {
            let b = PackedBucket::new(index, count);
            assert_eq!((b.index(), b.count()), (index, count));
        }
        assert_eq!(std::mem::size_of::<PackedBucket>(), 8);
    }
}
