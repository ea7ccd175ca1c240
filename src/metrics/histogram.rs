//! `LatencyHistogram`: log-linear buckets with 128 sub-buckets per power of two
//! (docs/outputs.md, `latency_histograms`), plus exact count, sum and max.
//!
//! Bucket boundaries are fixed, so histograms of different runs add up exactly.

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
        (lower, lower + (1u64 << e7) - 1)
    }
}

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
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
        self.counts[b] += 1;
        self.n += 1;
        self.sum += v as u128;
        if v > self.max {
            self.max = v;
        }
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
        for (b, &c) in self.counts.iter().enumerate() {
            cum += c;
            if cum >= r {
                return Some(bucket_range(b as u32).1.min(self.max));
            }
        }
        Some(self.max)
    }

    /// Non-empty buckets as `(bucket, lower, upper, count)` in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = (u32, u64, u64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(b, &c)| {
                let (lo, hi) = bucket_range(b as u32);
                (b as u32, lo, hi, c)
            })
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
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
