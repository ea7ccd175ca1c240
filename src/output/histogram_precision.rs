//! The resolution at which the `latency_histograms` table stores histograms
//! (`outputs.histogram_precision`, docs/outputs.md, `latency_histograms`), and the exact
//! re-binning of a full-resolution in-run histogram into it.
//!
//! A run records its latencies at 128 sub-buckets per power of two
//! ([`crate::metrics::LatencyHistogram`]) and computes the `summary` quantiles from those. The
//! table may store fewer sub-buckets per power of two: the buckets of precision `P` (a power of
//! two from 1 to 128) follow the same log-linear rule with `P` in place of 128 — bucket `b < P`
//! holds the value `b`, bucket `b = P + P·e + s` holds `[(P + s)·2^e, (P + s + 1)·2^e − 1]` —
//! so every fine bucket lies inside exactly one coarse bucket and a coarse count is the sum of
//! its fine counts. Re-binning therefore loses resolution but never mixes values across bucket
//! boundaries: tables written at one precision stay exactly mergeable, and a table at precision
//! `P` can be coarsened further to any smaller `P` by the same rule.

use serde::{Deserialize, Serialize};

use crate::output::tables::PackedBucket;

/// Sub-buckets per power of two of the `latency_histograms` table: a power of two from 1 to
/// 128. A bucket is at most `1/P` of its lower bound wide, so a value read back as its bucket's
/// upper bound is at most `1/P` too large (12.5 % at the default of 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct HistogramPrecision(u32);

/// `outputs.histogram_precision` is not a power of two from 1 to 128.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("histogram precision must be a power of two from 1 to 128 (sub-buckets per power of two), got {0}")]
pub struct InvalidPrecision(pub u32);

impl HistogramPrecision {
    /// The in-run resolution: 128 sub-buckets per power of two, the table as recorded.
    pub const FULL: HistogramPrecision = HistogramPrecision(128);

    /// The default table resolution, 8 sub-buckets per power of two: a bucket is at most 1/8
    /// of its lower bound wide, so a quantile read from the table as a bucket's upper bound is
    /// at most 12.5 % above the true value. Chosen by measurement (docs/performance.md,
    /// "Histogram bytes"): against 16 it cuts the table by a fifth to a third, and it is the
    /// only choice that brings the short-run sweep near the 10 % byte budget; the per-run
    /// `summary` quantiles stay exact to 1/128.
    pub const DEFAULT: HistogramPrecision = HistogramPrecision(8);

    /// `sub_buckets` per power of two, if it is a power of two from 1 to 128.
    pub fn new(sub_buckets: u32) -> Result<HistogramPrecision, InvalidPrecision> {
        if sub_buckets.is_power_of_two() && sub_buckets <= Self::FULL.0 {
            Ok(HistogramPrecision(sub_buckets))
        } else {
            Err(InvalidPrecision(sub_buckets))
        }
    }

    /// Sub-buckets per power of two.
    pub fn sub_buckets(self) -> u32 {
        self.0
    }

    fn log2(self) -> u32 {
        self.0.trailing_zeros()
    }

    /// Bucket index of value `v` at this precision.
    #[inline]
    pub fn bucket_of(self, v: u64) -> u32 {
        let p = u64::from(self.0);
        if v < p {
            return v as u32;
        }
        let octave = u64::from(63 - v.leading_zeros());
        let e = octave - u64::from(self.log2());
        let sub = (v >> e) - p;
        (p + p * e + sub) as u32
    }

    /// Inclusive `[lower, upper]` value range of bucket `b` at this precision.
    pub fn bucket_range(self, b: u32) -> (u64, u64) {
        let (b, p) = (u64::from(b), u64::from(self.0));
        if b < p {
            return (b, b);
        }
        let e = (b - p) / p;
        let sub = (b - p) % p;
        let lower = (p + sub) << e;
        (lower, lower + ((1u64 << e) - 1))
    }
}

impl Default for HistogramPrecision {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for HistogramPrecision {
    type Error = InvalidPrecision;
    fn try_from(sub_buckets: u32) -> Result<Self, Self::Error> {
        HistogramPrecision::new(sub_buckets)
    }
}

impl From<HistogramPrecision> for u32 {
    fn from(p: HistogramPrecision) -> u32 {
        p.0
    }
}

/// The non-empty buckets of a histogram at `precision`, from its full-resolution non-empty
/// buckets given as `(lower bound, count)` in ascending order.
///
/// Each fine bucket goes whole into the coarse bucket of its lower bound (it lies entirely
/// inside it, see the module documentation); fine buckets arrive in ascending order, so equal
/// coarse indexes are adjacent and one pass sums them.
pub fn rebin(
    precision: HistogramPrecision,
    fine: impl IntoIterator<Item = (u64, u64)>,
) -> Vec<PackedBucket> {
    let mut coarse: Vec<PackedBucket> = Vec::new();
    for (lower, count) in fine {
        let index = precision.bucket_of(lower);
        match coarse.last_mut() {
            Some(last) if last.index() == index => {
                *last = PackedBucket::new(index, last.count() + count);
            }
            _ => coarse.push(PackedBucket::new(index, count)),
        }
    }
    coarse
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::splitmix64;
    use crate::metrics::histogram::{bucket_of, bucket_range};
    use crate::metrics::LatencyHistogram;

    fn all_precisions() -> impl Iterator<Item = HistogramPrecision> {
        (0..=7).map(|k| HistogramPrecision::new(1 << k).unwrap())
    }

    #[test]
    fn only_powers_of_two_from_1_to_128_are_precisions() {
        for ok in [1, 2, 4, 8, 16, 32, 64, 128] {
            assert_eq!(HistogramPrecision::new(ok).unwrap().sub_buckets(), ok);
        }
        for bad in [0, 3, 12, 100, 256, 1024] {
            assert_eq!(HistogramPrecision::new(bad), Err(InvalidPrecision(bad)));
        }
    }

    #[test]
    fn full_precision_is_the_in_run_bucketing() {
        let full = HistogramPrecision::FULL;
        // (Up to 2⁶³: the in-run `bucket_range` overflows computing the very last bucket.)
        for v in [
            0,
            1,
            127,
            128,
            129,
            1000,
            1_000_000_000,
            u64::MAX / 3,
            1 << 63,
        ] {
            assert_eq!(full.bucket_of(v), bucket_of(v), "value {v}");
            let b = bucket_of(v);
            assert_eq!(full.bucket_range(b), bucket_range(b));
        }
    }

    #[test]
    fn every_value_lies_in_its_bucket_at_every_precision() {
        for p in all_precisions() {
            for v in [0, 1, 7, 8, 9, 127, 128, 1000, 123_456_789, u64::MAX] {
                let (lo, hi) = p.bucket_range(p.bucket_of(v));
                assert!(lo <= v && v <= hi, "{v} outside [{lo}, {hi}] at {p:?}");
            }
        }
    }

    #[test]
    fn a_bucket_is_exact_below_the_precision_and_at_most_one_precision_th_wide_above() {
        for p in all_precisions() {
            for b in 0..p.bucket_of(u64::MAX) {
                let (lo, hi) = p.bucket_range(b);
                if b < p.sub_buckets() {
                    assert_eq!((lo, hi), (u64::from(b), u64::from(b)));
                } else {
                    let width = u128::from(hi - lo) + 1;
                    assert!(
                        width * u128::from(p.sub_buckets()) <= u128::from(lo),
                        "{b} at {p:?}"
                    );
                }
                assert_eq!(p.bucket_range(b + 1).0, hi + 1, "buckets tile the line");
            }
        }
    }

    #[test]
    fn every_fine_bucket_lies_inside_one_coarse_bucket() {
        // All but the very last fine bucket, whose in-run `bucket_range` overflows.
        let last = bucket_of(u64::MAX);
        for p in all_precisions() {
            for b in 0..last {
                let (lo, hi) = bucket_range(b);
                assert_eq!(p.bucket_of(lo), p.bucket_of(hi), "fine bucket {b} at {p:?}");
            }
        }
    }

    #[test]
    fn rebinning_equals_binning_the_values_directly() {
        for p in all_precisions() {
            let mut h = LatencyHistogram::new();
            let mut direct = std::collections::BTreeMap::<u32, u64>::new();
            for i in 0..5_000u64 {
                // Spread over 0 ns to ~1 000 s: a random word shifted right by 24 to 63 bits.
                let x = splitmix64(i);
                let v = x >> (24 + x % 40);
                h.record(v);
                *direct.entry(p.bucket_of(v)).or_default() += 1;
            }
            let coarse = rebin(p, h.buckets().map(|(_, lo, _, c)| (lo, c)));
            let got: Vec<(u32, u64)> = coarse.iter().map(|b| (b.index(), b.count())).collect();
            assert_eq!(got, direct.into_iter().collect::<Vec<_>>(), "{p:?}");
        }
    }

    #[test]
    fn rebinning_at_full_precision_keeps_every_bucket() {
        let mut h = LatencyHistogram::new();
        for v in [3, 200, 201, 5_000, 5_001, 1_000_000] {
            h.record(v);
        }
        let coarse = rebin(
            HistogramPrecision::FULL,
            h.buckets().map(|(_, lo, _, c)| (lo, c)),
        );
        let fine: Vec<(u32, u64)> = h.buckets().map(|(b, _, _, c)| (b, c)).collect();
        let got: Vec<(u32, u64)> = coarse.iter().map(|b| (b.index(), b.count())).collect();
        assert_eq!(got, fine);
    }
}
