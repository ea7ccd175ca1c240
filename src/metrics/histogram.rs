//! `LatencyHistogram`: log-linear buckets with 128 sub-buckets per power of two
//! (docs/outputs.md, `latency_histograms`), plus exact count, sum and max.
//!
//! Bucket boundaries are fixed, so histograms of different runs add up exactly.
//!
//! Counts are kept as `u32` with a rare carry into a side list: recording is a random write
//! into the bucket array, and at 128 sub-buckets per power of two a run's histograms (six per
//! function) easily outgrow the CPU caches; half the bytes per bucket means fewer misses per
//! invocation (docs/performance.md). A bucket passes 2³² − 1 only in runs of billions of
//! requests; its carry keeps the count exact.

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

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    /// Count of each bucket modulo 2³².
    counts: Vec<u32>,
    /// `(bucket, multiples of 2³²)` of the buckets whose count wrapped, sorted by bucket.
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

    /// Records one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v) as usize;
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        let c = &mut self.counts[b];
        *c = c.wrapping_add(1);
        if *c == 0 {
            self.carry(b as u32, 1);
        }
        self.n += 1;
        self.sum += v as u128;
        if v > self.max {
            self.max = v;
        }
    }

    /// Adds `multiples` × 2³² to bucket `b`'s count.
    #[cold]
    fn carry(&mut self, b: u32, multiples: u64) {
        match self.carries.binary_search_by_key(&b, |&(bucket, _)| bucket) {
            Ok(i) => self.carries[i].1 += multiples,
            Err(i) => self.carries.insert(i, (b, multiples)),
        }
    }

    /// The full count of bucket `b`, given its low 32 bits `low`.
    #[inline]
    fn full_count(&self, b: usize, low: u32) -> u64 {
        let high = if self.carries.is_empty() {
            0
        } else {
            self.carries
                .binary_search_by_key(&(b as u32), |&(bucket, _)| bucket)
                .map_or(0, |i| self.carries[i].1)
        };
        high << 32 | low as u64
    }

    /// Every bucket's full count, in bucket order.
    fn full_counts(&self) -> impl Iterator<Item = u64> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(|(b, &c)| self.full_count(b, c))
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
        if self.n == 0 {
            return None;
        }
        let r = ((num as u128 * self.n as u128).div_ceil(den as u128) as u64).max(1);
        let mut cum = 0u64;
        for (b, c) in self.full_counts().enumerate() {
            cum += c;
            if cum >= r {
                return Some(bucket_range(b as u32).1.min(self.max));
            }
        }
        Some(self.max)
    }

    /// Non-empty buckets as `(bucket, lower, upper, count)` in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = (u32, u64, u64, u64)> + '_ {
        self.full_counts()
            .enumerate()
            .filter(|&(_, c)| c > 0)
            .map(|(b, c)| {
                let (lo, hi) = bucket_range(b as u32);
                (b as u32, lo, hi, c)
            })
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        let mut wrapped = Vec::new();
        for (b, (a, &c)) in self.counts.iter_mut().zip(&other.counts).enumerate() {
            let (sum, over) = a.overflowing_add(c);
            *a = sum;
            if over {
                wrapped.push(b as u32);
            }
        }
        for b in wrapped {
            self.carry(b, 1);
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
    fn a_bucket_count_past_u32_max_stays_exact_in_reads_and_merges() {
        let mut h = LatencyHistogram::new();
        h.record(5);
        h.counts[5] = u32::MAX; // as if 2³² − 1 values had been recorded there
        h.record(5);
        h.record(5);
        assert_eq!(h.buckets().next(), Some((5, 5, 5, (1 << 32) + 1)));
        let mut sum = h.clone();
        sum.merge(&h);
        assert_eq!(sum.buckets().next(), Some((5, 5, 5, (1 << 33) + 2)));
        let mut wraps = LatencyHistogram::new();
        wraps.record(5);
        wraps.counts[5] = u32::MAX;
        let mut one = LatencyHistogram::new();
        one.record(5);
        wraps.merge(&one);
        assert_eq!(wraps.buckets().next(), Some((5, 5, 5, 1 << 32)));
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
        let mut one = LatencyHistogram::new();
        one.record(1_000_000_000);
        assert_eq!(one.quantile_ns(1, 2), Some(1_000_000_000));
    }
}
