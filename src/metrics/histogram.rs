//! `LatencyHistogram`: log-linear buckets with 128 sub-buckets per power of two
//! (docs/outputs.md, `latency_histograms`), plus exact count, sum and max.
//!
//! Bucket boundaries are fixed, so histograms of different runs add up exactly.
//!
//! Recording is a random write into the bucket array, once per metric per completed request,
//! and a run keeps six histograms per function: with tens of functions they outgrow the L1
//! and L2 caches, and the increments become the costliest part of a completion
//! (docs/performance.md, "The hot path of many-function runs (round 5)"). So the array is
//! kept small:
//!
//! - it holds only the *window* of buckets from the lowest to the highest one recorded so far
//!   (a latency histogram's values span a few octaves, not the 7 400 buckets of `u64`), so the
//!   zeros below the first value are never allocated, zeroed nor touched;
//! - counts are `u16`, with a rare carry into a side list: a bucket passes 2¹⁶ − 1 only after
//!   65 536 values in that very bucket, and its carry keeps the count exact.

/// Sub-buckets per power of two.
const SUB: u64 = 128;

/// Bucket index of a value in nanoseconds.
#[inline]
pub fn bucket_of(v: u64) -> u32 {
    if v < SUB {
        v as u32
    } else {
        let e = 63 - v.leading_zeros() as u64;
        let sh = e - 7;
        let sub = (v >> sh) - SUB;
        (SUB + SUB * (e - 7) + sub) as u32
    }
}

/// Inclusive `[lower, upper]` value range of bucket `b`.
#[inline]
pub fn bucket_range(b: u32) -> (u64, u64) {
    let b = b as u64;
    if b < SUB {
        (b, b)
    } else {
        let e7 = (b - SUB) / SUB;
        let sub = (b - SUB) % SUB;
        let lower = (SUB + sub) << e7;
        // `lower + 2^e7` itself overflows for the last bucket, whose upper end is u64::MAX.
        (lower, lower + ((1u64 << e7) - 1))
    }
}

/// Bits of a stored bucket count; higher bits live in [`LatencyHistogram::carries`].
const COUNT_BITS: u32 = u16::BITS;

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    /// Bucket index of `counts[0]` (meaningless while `counts` is empty).
    first: u32,
    /// Count modulo 2¹⁶ of each bucket from `first` to the highest bucket recorded so far.
    counts: Vec<u16>,
    /// `(bucket, multiples of 2¹⁶)` of the buckets whose count wrapped, sorted by bucket.
    carries: Vec<(u32, u64)>,
    n: u64,
    sum: u128,
    max: u64,
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the histogram, keeping its allocations for the next run.
    pub fn clear(&mut self) {
        self.first = 0;
        self.counts.clear();
        self.carries.clear();
        self.n = 0;
        self.sum = 0;
        self.max = 0;
    }

    /// Records one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        // Below `first` the subtraction wraps to a huge index: one comparison covers both ends.
        let mut i = b.wrapping_sub(self.first) as usize;
        if i >= self.counts.len() {
            self.cover(b, b);
            i = (b - self.first) as usize;
        }
        let c = &mut self.counts[i];
        *c = c.wrapping_add(1);
        if *c == 0 {
            self.carry(b, 1);
        }
        self.n += 1;
        self.sum += v as u128;
        if v > self.max {
            self.max = v;
        }
    }

    /// Widens the window of stored buckets to include `lo..=hi`. Downwards it grows by at
    /// least its current length, so that values arriving in falling order cost amortised
    /// constant time, as upwards (where `Vec` doubles its capacity).
    #[cold]
    #[inline(never)]
    fn cover(&mut self, lo: u32, hi: u32) {
        if self.counts.is_empty() {
            self.first = lo;
            self.counts.resize((hi - lo) as usize + 1, 0);
            return;
        }
        if lo < self.first {
            let len = u32::try_from(self.counts.len()).unwrap_or(u32::MAX);
            let new_first = lo.min(self.first.saturating_sub(len));
            let grow = (self.first - new_first) as usize;
            // A fresh array (zeros, then the old counts) is one memset and one memcpy;
            // `Vec::splice` at the front moved the counts through an iterator, element by
            // element, and was most of this function's cost.
            let mut widened = Vec::with_capacity(grow + self.counts.capacity());
            widened.resize(grow, 0);
            widened.extend_from_slice(&self.counts);
            self.counts = widened;
            self.first = new_first;
        }
        let end = (hi - self.first) as usize + 1;
        if end > self.counts.len() {
            self.counts.resize(end, 0);
        }
    }

    /// Adds `multiples` × 2¹⁶ to bucket `b`'s count.
    #[cold]
    fn carry(&mut self, b: u32, multiples: u64) {
        match self.carries.binary_search_by_key(&b, |&(bucket, _)| bucket) {
            Ok(i) => self.carries[i].1 += multiples,
            Err(i) => self.carries.insert(i, (b, multiples)),
        }
    }

    /// The full count of bucket `b`, given its stored low bits `low`.
    #[inline]
    fn full_count(&self, b: u32, low: u16) -> u64 {
        let high = if self.carries.is_empty() {
            0
        } else {
            self.carries
                .binary_search_by_key(&b, |&(bucket, _)| bucket)
                .map_or(0, |i| self.carries[i].1)
        };
        high << COUNT_BITS | u64::from(low)
    }

    /// `(bucket, full count)` of every stored bucket, in bucket order.
    fn full_counts(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        (self.first..)
            .zip(&self.counts)
            .map(|(b, &c)| (b, self.full_count(b, c)))
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Exact mean in nanoseconds, if any value was recorded.
    pub fn mean_ns(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// Exact sum of the recorded values.
    pub fn sum_ns(&self) -> u128 {
        self.sum
    }

    /// Exact maximum.
    pub fn max_ns(&self) -> Option<u64> {
        (self.n > 0).then_some(self.max)
    }

    /// Quantile `num/den`: rank `r = max(1, ceil(num·n/den))`, the first bucket whose cumulative
    /// count reaches `r`, reported as `min(upper of that bucket, exact max)`.
    pub fn quantile_ns(&self, num: u64, den: u64) -> Option<u64> {
        self.quantiles_ns([(num, den)])[0]
    }

    /// Several quantiles `num/den` (each as [`Self::quantile_ns`]) in one pass over the
    /// buckets: a run's summary reads four per histogram, and each pass walks the whole
    /// window (about a thousand buckets for a lognormal with σ = 1). Any order of fractions
    /// is accepted; the pass visits them by rank.
    pub fn quantiles_ns<const N: usize>(&self, fractions: [(u64, u64); N]) -> [Option<u64>; N] {
        let mut out = [None; N];
        if self.n == 0 || N == 0 {
            return out;
        }
        let rank: [u64; N] = std::array::from_fn(|k| {
            let (num, den) = fractions[k];
            ((num as u128 * self.n as u128).div_ceil(den as u128) as u64).max(1)
        });
        let mut order: [usize; N] = std::array::from_fn(|k| k);
        order.sort_by_key(|&k| rank[k]);
        let mut next = 0; // index into `order` of the next quantile to place
        let mut target = rank[order[0]];
        let mut cum = 0u64;
        for (b, c) in self.full_counts() {
            cum += c;
            if cum < target {
                continue;
            }
            while next < N && cum >= rank[order[next]] {
                out[order[next]] = Some(bucket_range(b).1.min(self.max));
                next += 1;
            }
            if next == N {
                return out;
            }
            target = rank[order[next]];
        }
        for &k in &order[next..] {
            out[k] = Some(self.max);
        }
        out
    }

    /// Non-empty buckets as `(bucket, lower, upper, count)` in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = (u32, u64, u64, u64)> + '_ {
        self.full_counts().filter(|&(_, c)| c > 0).map(|(b, c)| {
            let (lo, hi) = bucket_range(b);
            (b, lo, hi, c)
        })
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if !other.counts.is_empty() {
            let last = other.first + (other.counts.len() as u32 - 1);
            self.cover(other.first, last);
            let offset = (other.first - self.first) as usize;
            let mut wrapped = Vec::new();
            for (i, (a, &c)) in self.counts[offset..]
                .iter_mut()
                .zip(&other.counts)
                .enumerate()
            {
                let (sum, over) = a.overflowing_add(c);
                *a = sum;
                if over {
                    wrapped.push(other.first + i as u32);
                }
            }
            for b in wrapped {
                self.carry(b, 1);
            }
        }
        for &(b, multiples) in &other.carries {
            self.carry(b, multiples);
        }
        self.n += other.n;
        self.sum += other.sum;
        self.max = self.max.max(other.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_bucket_ends_at_u64_max_without_overflow() {
        let last = bucket_of(u64::MAX);
        let (lower, upper) = bucket_range(last);
        assert_eq!(upper, u64::MAX);
        assert_eq!(bucket_of(lower), last);
        assert_eq!(bucket_of(lower - 1), last - 1);
    }

    #[test]
    fn buckets_match_the_spec_examples() {
        assert_eq!(bucket_of(1000), 506);
        assert_eq!(bucket_range(506), (1000, 1003));
        assert_eq!(bucket_of(1_000_000_000), 3054);
        assert_eq!(bucket_range(3054), (998_244_352, 1_002_438_655));
        assert_eq!(bucket_of(5), 5);
        assert_eq!(bucket_range(5), (5, 5));
    }

    #[test]
    fn every_value_lies_in_its_bucket_range() {
        for v in [
            0u64,
            127,
            128,
            129,
            255,
            256,
            1 << 20,
            123_456_789,
            u64::MAX / 3,
        ] {
            let (lo, hi) = bucket_range(bucket_of(v));
            assert!(lo <= v && v <= hi, "{v} not in [{lo}, {hi}]");
        }
    }

    #[test]
    fn a_bucket_count_past_u16_max_stays_exact_in_reads_and_merges() {
        let mut h = LatencyHistogram::new();
        for _ in 0..(1 << 16) + 1 {
            h.record(5);
        }
        assert_eq!(h.buckets().next(), Some((5, 5, 5, (1 << 16) + 1)));
        let mut sum = h.clone();
        sum.merge(&h);
        assert_eq!(sum.buckets().next(), Some((5, 5, 5, (1 << 17) + 2)));
        let mut wraps = LatencyHistogram::new();
        for _ in 0..u16::MAX {
            wraps.record(5);
        }
        let mut one = LatencyHistogram::new();
        one.record(5);
        wraps.merge(&one);
        assert_eq!(wraps.buckets().next(), Some((5, 5, 5, 1 << 16)));
        assert_eq!(wraps.quantile_ns(1, 2), Some(5));
    }

    /// The buckets of `values` recorded one by one, counted without the histogram.
    fn direct_buckets(values: &[u64]) -> Vec<(u32, u64)> {
        let mut direct = std::collections::BTreeMap::<u32, u64>::new();
        for &v in values {
            *direct.entry(bucket_of(v)).or_default() += 1;
        }
        direct.into_iter().collect()
    }

    #[test]
    fn values_in_any_order_land_in_their_buckets_whatever_the_window() {
        // Rising, falling, and jumping across octaves both ways.
        let values = [
            1_000_000,
            999,
            5_000_000_000,
            0,
            1_000_000,
            3,
            70_000,
            1 << 40,
            1,
        ];
        let mut h = LatencyHistogram::new();
        for &v in &values {
            h.record(v);
        }
        let got: Vec<(u32, u64)> = h.buckets().map(|(b, _, _, c)| (b, c)).collect();
        assert_eq!(got, direct_buckets(&values));
        assert_eq!(h.count(), values.len() as u64);
        assert_eq!(h.max_ns(), Some(1 << 40));
    }

    #[test]
    fn merging_disjoint_and_overlapping_windows_adds_bucket_by_bucket() {
        let low = [3u64, 4, 200, 201];
        let high = [1_000_000u64, 2_000_000, 201];
        let (mut a, mut b) = (LatencyHistogram::new(), LatencyHistogram::new());
        low.iter().for_each(|&v| a.record(v));
        high.iter().for_each(|&v| b.record(v));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        let all: Vec<u64> = low.iter().chain(&high).copied().collect();
        for m in [&ab, &ba] {
            let got: Vec<(u32, u64)> = m.buckets().map(|(b, _, _, c)| (b, c)).collect();
            assert_eq!(got, direct_buckets(&all));
            assert_eq!(m.sum_ns(), all.iter().map(|&v| v as u128).sum::<u128>());
        }
        let mut empty = LatencyHistogram::new();
        empty.merge(&LatencyHistogram::new());
        assert_eq!(empty.buckets().count(), 0);
        assert_eq!(empty.quantile_ns(1, 2), None);
    }

    #[test]
    fn a_cleared_histogram_is_empty_and_records_afresh() {
        let mut h = LatencyHistogram::new();
        h.record(1 << 30);
        h.clear();
        assert_eq!((h.count(), h.max_ns(), h.buckets().count()), (0, None, 0));
        h.record(7);
        assert_eq!(h.buckets().collect::<Vec<_>>(), [(7, 7, 7, 1)]);
    }

    #[test]
    fn quantiles_use_nearest_rank_capped_by_the_exact_max() {
        let mut h = LatencyHistogram::new();
        for v in 1..=100u64 {
            h.record(v);
        }
        assert_eq!(h.quantile_ns(1, 2), Some(50));
        assert_eq!(h.quantile_ns(99, 100), Some(99));
        assert_eq!(h.max_ns(), Some(100));
        assert_eq!(h.mean_ns(), Some(50.5));
        assert_eq!(
            h.quantiles_ns([(99, 100), (1, 2), (999, 1000), (9, 10)]),
            [Some(99), Some(50), Some(100), Some(90)],
            "one pass, any order, the same answers"
        );
        let mut one = LatencyHistogram::new();
        one.record(1_000_000_000);
        assert_eq!(one.quantile_ns(1, 2), Some(1_000_000_000));
    }
}
