//! The `latency_histograms` table (docs/outputs.md, `latency_histograms`): one row per run,
//! function (or all functions) and metric, holding the histogram as a dense range of buckets,
//! `first_bucket` and the list `count` of every bucket from there to the last non-empty one
//! (interior zeros included), at the resolution `precision` (`outputs.histogram_precision`,
//! re-binned by [`crate::output::histogram_precision`]). Which per-function rows exist is
//! `outputs.histogram_function_metrics` ([`crate::output::HistogramFunctionMetrics`]).
//!
//! One row per histogram rather than one per bucket keeps the table small (a run with tens of
//! thousands of requests used to write more bucket rows than it had requests) while staying
//! exactly mergeable: bucket `first_bucket + i` holds `count[i]`, bucket boundaries are fixed,
//! so summing `count` per bucket pools runs.
//!
//! Rows of a part are ordered by function (all-function rows first, then by name), metric
//! ([`HIST_METRICS`] order), then run ([`part_order`]): the histograms of one function and
//! metric over a batch's seeds are nearly alike and compress best next to each other.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, ListArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field};

use crate::metrics::LatencyHistogram;
use crate::output::columns::{AsInt64, ColumnKind, OptUtf8, RunKey, Utf8, I64};
use crate::output::define::output_table;
use crate::output::histogram_precision::{rebin, HistogramPrecision};
use crate::output::tables::placements::list_of;
use crate::platform::functions::HIST_METRICS;

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
        "first_bucket": I64<u32> = row.first_bucket(),
        "count": DenseCounts = row.buckets.as_slice(),
    }
}

impl HistogramRow {
    /// Index of the lowest non-empty bucket (rows always have one).
    pub fn first_bucket(&self) -> u32 {
        self.buckets.first().map_or(0, |b| b.index())
    }

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

/// Orders the rows of one part (docs/outputs.md, `latency_histograms`): all-function rows
/// first, then by function name, then by metric in [`HIST_METRICS`] order, then by run in the
/// order given (the batch's `run_index` order; the sort is stable). Depends only on the rows, so
/// parts are the same whatever the number of threads.
pub fn part_order(rows: &mut [(&RunKey<'_>, &HistogramRow)]) {
    rows.sort_by_cached_key(|(run, row)| {
        (
            row.function.map(|f| run.function(f)),
            HIST_METRICS.iter().position(|m| *m == row.metric),
        )
    });
}

/// `count`: per row, the count of every bucket from `first_bucket` to the last non-empty one,
/// zeros included, as a `List<Int64>`.
///
/// Why dense: the non-empty buckets of a latency histogram are nearly contiguous, so the zeros
/// cost less than a list of bucket indexes would (measured in docs/performance.md,
/// "Histogram bytes"), and reading stays a one-liner (`int_ranges` / `generate_series`).
#[derive(Clone, Copy, Debug)]
pub struct DenseCounts;

impl ColumnKind for DenseCounts {
    type Value<'a> = &'a [PackedBucket];
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        list_of(DataType::Int64)
    }
    fn array<'a>(rows: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let mut offsets = vec![0i32];
        let mut values: Vec<i64> = Vec::new();
        for buckets in rows {
            if let Some(first) = buckets.first() {
                let start = values.len();
                for b in buckets {
                    let at = start + (b.index() - first.index()) as usize;
                    values.resize(at, 0);
                    values.push(b.count().as_i64());
                }
            }
            offsets.push(i32::try_from(values.len()).expect("list column exceeds i32 offsets"));
        }
        Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(DataType::Int64, true)),
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Arc::new(Int64Array::from(values)),
            None,
        ))
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

    #[test]
    fn counts_run_densely_from_the_first_to_the_last_non_empty_bucket() {
        let rows: [&[PackedBucket]; 3] = [
            &[
                PackedBucket::new(5, 2),
                PackedBucket::new(6, 1),
                PackedBucket::new(9, 4),
            ],
            &[PackedBucket::new(0, 7)],
            &[],
        ];
        let array = DenseCounts::array(rows.into_iter());
        let list = array.as_any().downcast_ref::<ListArray>().unwrap();
        let row = |i: usize| {
            let v = list.value(i);
            v.as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .values()
                .to_vec()
        };
        assert_eq!(row(0), [2, 1, 0, 0, 4]);
        assert_eq!(row(1), [7]);
        assert!(row(2).is_empty());
    }

    #[test]
    fn a_part_holds_all_function_rows_first_then_functions_by_name_then_metrics_then_runs() {
        use crate::metrics::Names;
        let names = Names {
            functions: vec!["zeta".into(), "alpha".into()],
            ..Names::default()
        };
        let run = |i: u32| RunKey {
            run_id: "r",
            run_index: i,
            names: &names,
        };
        let (r0, r1) = (run(0), run(1));
        let row = |function, metric| HistogramRow {
            function,
            metric,
            n: 1,
            sum_ns: 1,
            max_ns: 1,
            precision: HistogramPrecision::DEFAULT,
            buckets: vec![PackedBucket::new(1, 1)],
        };
        let rows = [
            row(Some(0), "wait"),
            row(Some(1), "response"),
            row(Some(1), "wait"),
            row(None, "response"),
        ];
        let mut part: Vec<(&RunKey<'_>, &HistogramRow)> = rows
            .iter()
            .map(|r| (&r0, r))
            .chain(rows.iter().map(|r| (&r1, r)))
            .collect();
        part_order(&mut part);
        let order: Vec<(u32, Option<&str>, &str)> = part
            .iter()
            .map(|(k, r)| (k.run_index, r.function.map(|f| k.function(f)), r.metric))
            .collect();
        assert_eq!(
            order,
            [
                (0, None, "response"),
                (1, None, "response"),
                (0, Some("alpha"), "wait"),
                (1, Some("alpha"), "wait"),
                (0, Some("alpha"), "response"),
                (1, Some("alpha"), "response"),
                (0, Some("zeta"), "wait"),
                (1, Some("zeta"), "wait"),
            ]
        );
    }
}
