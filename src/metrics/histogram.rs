//! `LatencyHistogram`: log-linear buckets with 128 sub-buckets per power of two
//! ([`super::buckets`]), plus the exact count, sum and max.
//!
//! Recording is a random write into the bucket array, once per metric per completed request,
//! and a run keeps six histograms per function: with tens of functions they outgrow the L1
//! and L2 caches, and the histograms become the costliest part of a completion
//! (docs/performance.md, "The hot path of many-function runs (round 5)" and "Round 9: the
//! latency histograms' record path"). So both things a record touches are kept small:
//!
//! - the **bucket array** holds only a *window* of buckets around the ones recorded so far (a
//!   latency histogram's values span a few octaves, not the 7 400 buckets of `u64`), so the
//!   zeros below the first value are never allocated, zeroed nor touched; its counts are
//!   `u16`, with a rare carry into a side list: a bucket passes 2¹⁶ − 1 only after 65 536
//!   values in that very bucket, and its carry keeps the count exact;
//! - the **header** is 48 bytes of what a record reads and writes: the window, the low 64 bits
//!   of the sum, the max and the count of zeros. What a record almost never needs (the
//!   carries, the high bits of the sum and of the zeros) sits behind one pointer, null until
//!   first needed, and the count is not stored at all: it is the sum of the bucket counts,
//!   read only when the run ends. Four headers are then three cache lines instead of six;
//! - a value 0 (most waits and queueing times) only counts in the header, so its record
//!   touches no bucket line.
//!
//! Which histograms a completion records is [`super::request_latencies`]'s: one, for a
//! request that never waited.

use super::buckets::LAST_BUCKET;
pub use super::buckets::{bucket_of, bucket_range};

/// Bits of a stored bucket count; higher bits live in [`Overflow::carries`].
const COUNT_BITS: u32 = u16::BITS;

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    /// Count modulo 2¹⁶ of each bucket from `first` on. The window may reach past the
    /// buckets recorded so far (it grows by at least a quarter of its length, so zeros may
    /// lie beyond the lowest and highest values): zero buckets are part of no output.
    counts: Box<[u16]>,
    /// Sum of the recorded values modulo 2⁶⁴; the wraps are counted in
    /// [`Overflow::sum_high`].
    sum_low: u64,
    /// Largest recorded value (0 while empty).
    max: u64,
    /// Bucket index of `counts[0]` (meaningless while `counts` is empty).
    first: u32,
    /// Values 0 recorded, modulo 2³² (the wraps are in [`Overflow::zeros_high`]), not in
    /// `counts`: bucket 0's full count adds them. Waits and queueing times are mostly 0,
    /// and counting those here spares a record the bucket array's cache line.
    zeros: u32,
    /// Carries and the high bits of the sum and of the zeros, allocated on the first wrap of
    /// any of them.
    overflow: Option<Box<Overflow>>,
}

/// The rarely written part of a [`LatencyHistogram`].
#[derive(Clone, Debug, Default)]
struct Overflow {
    /// `(bucket, multiples of 2¹⁶)` of the buckets whose count wrapped, sorted by bucket.
    carries: Vec<(u32, u64)>,
    /// Multiples of 2⁶⁴ in the sum.
    sum_high: u64,
    /// Multiples of 2³² in the count of zeros.
    zeros_high: u64,
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the histogram, keeping its bucket window (all zeros) for the next run.
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.sum_low = 0;
        self.max = 0;
        self.zeros = 0;
        self.overflow = None;
    }

    /// Records one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        if v == 0 {
            // Nothing to add to the sum nor the max: the count is all.
            self.zeros = self.zeros.wrapping_add(1);
            if self.zeros == 0 {
                self.overflow().zeros_high += 1;
            }
            return;
        }
        let b = bucket_of(v);
        // Below `first` the subtraction wraps to a huge index: one comparison covers both ends.
        let i = b.wrapping_sub(self.first) as usize;
        match self.counts.get_mut(i) {
            Some(c) => {
                *c = c.wrapping_add(1);
                if *c == 0 {
                    self.carry(b, 1);
                }
            }
            None => self.record_outside(b),
        }
        let (sum, wrapped) = self.sum_low.overflowing_add(v);
        self.sum_low = sum;
        if wrapped {
            self.overflow().sum_high += 1;
        }
        // A branch, not `max`: the max seldom moves, and the branch skips the store.
        if v > self.max {
            self.max = v;
        }
    }

    /// Records `n` values 0 at once (`n` may exceed `u32::MAX`).
    pub fn record_zeros(&mut self, n: u64) {
        if n > 0 {
            let total = self.zero_count() + n;
            self.zeros = total as u32;
            if total >> u32::BITS > 0 || self.overflow.is_some() {
                self.overflow().zeros_high = total >> u32::BITS;
            }
        }
    }

    /// Counts a value of bucket `b`, outside the window: widens the window first.
    #[cold]
    #[inline(never)]
    fn record_outside(&mut self, b: u32) {
        self.cover(b, b);
        // Bucket `b` was outside the window, so its count was 0: no wrap.
        self.counts[(b - self.first) as usize] += 1;
    }

    /// Widens the window of stored buckets to include `lo..=hi`. Either way it grows by at
    /// least a quarter of its current length (up to the last bucket), so that values arriving
    /// in rising or falling order cost amortised constant time, while the zeros past the
    /// values recorded (walked by `merge` and the quantiles) stay few.
    #[cold]
    #[inline(never)]
    fn cover(&mut self, lo: u32, hi: u32) {
        if self.counts.is_empty() {
            self.first = lo;
            self.counts = vec![0; (hi - lo) as usize + 1].into_boxed_slice();
            return;
        }
        let len = self.counts.len() as u32;
        let last = self.first + (len - 1);
        if lo >= self.first && hi <= last {
            return;
        }
        let step = (len / 4).max(1);
        let new_first = if lo < self.first {
            lo.min(self.first.saturating_sub(step))
        } else {
            self.first
        };
        let new_last = if hi > last {
            hi.max(last.saturating_add(step).min(LAST_BUCKET))
        } else {
            last
        };
        // A fresh array: zeros, the old counts, zeros (one allocation, one copy).
        let mut widened = vec![0; (new_last - new_first) as usize + 1];
        let at = (self.first - new_first) as usize;
        widened[at..at + len as usize].copy_from_slice(&self.counts);
        self.counts = widened.into_boxed_slice();
        self.first = new_first;
    }

    /// Bucket indexes `(lowest, highest)` of the window holding any value, or None when
    /// none does: the window without its zero ends. A bucket whose stored low bits wrapped to
    /// 0 still holds values (its carry says so). The values 0 counted in the header are not
    /// the window's.
    fn occupied(&self) -> Option<(u32, u32)> {
        let lowest = self.counts.iter().position(|&c| c > 0);
        let highest = self.counts.iter().rposition(|&c| c > 0);
        let in_window = lowest
            .zip(highest)
            .map(|(l, h)| (self.first + l as u32, self.first + h as u32));
        let carried = match self.carries() {
            [] => None,
            [first, .., last] => Some((first.0, last.0)),
            [only] => Some((only.0, only.0)),
        };
        match (in_window, carried) {
            (Some((l, h)), Some((cl, ch))) => Some((l.min(cl), h.max(ch))),
            (a, b) => a.or(b),
        }
    }

    /// The overflow record, allocated on first use.
    #[cold]
    fn overflow(&mut self) -> &mut Overflow {
        self.overflow.get_or_insert_with(Default::default)
    }

    /// Adds `multiples` × 2¹⁶ to bucket `b`'s count.
    #[cold]
    fn carry(&mut self, b: u32, multiples: u64) {
        let carries = &mut self.overflow().carries;
        match carries.binary_search_by_key(&b, |&(bucket, _)| bucket) {
            Ok(i) => carries[i].1 += multiples,
            Err(i) => carries.insert(i, (b, multiples)),
        }
    }

    /// The carries, sorted by bucket (empty when no bucket wrapped).
    fn carries(&self) -> &[(u32, u64)] {
        self.overflow.as_ref().map_or(&[], |o| &o.carries)
    }

    /// Number of values 0 recorded (bucket 0's count outside the window).
    fn zero_count(&self) -> u64 {
        let high = self.overflow.as_ref().map_or(0, |o| o.zeros_high);
        high << u32::BITS | u64::from(self.zeros)
    }

    /// The full count of bucket `b`, given its stored low bits `low`.
    #[inline]
    fn full_count(&self, b: u32, low: u16) -> u64 {
        let carries = self.carries();
        let high = if carries.is_empty() {
            0
        } else {
            carries
                .binary_search_by_key(&b, |&(bucket, _)| bucket)
                .map_or(0, |i| carries[i].1)
        };
        let zeros = if b == 0 { self.zero_count() } else { 0 };
        (high << COUNT_BITS | u64::from(low)) + zeros
    }

    /// `(bucket, full count)` of every stored bucket, in bucket order, led by bucket 0 when
    /// values 0 were recorded and the window starts above it.
    fn full_counts(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let zeros = self.zero_count();
        let zeros_alone =
            (zeros > 0 && (self.counts.is_empty() || self.first > 0)).then_some((0, zeros));
        zeros_alone.into_iter().chain(
            (self.first..)
                .zip(self.counts.iter())
                .map(|(b, &c)| (b, self.full_count(b, c))),
        )
    }

    /// Number of recorded values: the bucket counts added up (not stored, so that a record
    /// does not write it; read a few times per histogram when the run ends). Summed in `u32`
    /// over chunks too short to overflow one, which the compiler vectorises.
    pub fn count(&self) -> u64 {
        const CHUNK: usize = 1 << 16; // 2¹⁶ counts below 2¹⁶ each stay below 2³²
        let low: u64 = self
            .counts
            .chunks(CHUNK)
            .map(|chunk| u64::from(chunk.iter().map(|&c| u32::from(c)).sum::<u32>()))
            .sum();
        let high: u64 = self.carries().iter().map(|&(_, m)| m).sum();
        (high << COUNT_BITS) + low + self.zero_count()
    }

    /// Exact mean in nanoseconds, if any value was recorded.
    pub fn mean_ns(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| self.sum_ns() as f64 / n as f64)
    }

    /// Exact sum of the recorded values.
    pub fn sum_ns(&self) -> u128 {
        let high = self.overflow.as_ref().map_or(0, |o| o.sum_high);
        u128::from(high) << u64::BITS | u128::from(self.sum_low)
    }

    /// Exact maximum.
    pub fn max_ns(&self) -> Option<u64> {
        (self.count() > 0).then_some(self.max)
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
        let n = self.count();
        if n == 0 || N == 0 {
            return out;
        }
        let rank: [u64; N] = std::array::from_fn(|k| {
            let (num, den) = fractions[k];
            ((num as u128 * n as u128).div_ceil(den as u128) as u64).max(1)
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

    /// Adds another histogram's counts. Only `other`'s occupied buckets widen this window,
    /// not the zeros at its ends.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if let Some((lo, hi)) = other.occupied() {
            self.cover(lo, hi);
            let offset = (lo - self.first) as usize;
            let from = (lo - other.first) as usize;
            let to = (hi - other.first) as usize;
            let mut wrapped = Vec::new();
            for (i, (a, &c)) in self.counts[offset..]
                .iter_mut()
                .zip(&other.counts[from..=to])
                .enumerate()
            {
                let (sum, over) = a.overflowing_add(c);
                *a = sum;
                if over {
                    wrapped.push(lo + i as u32);
                }
            }
            for b in wrapped {
                self.carry(b, 1);
            }
        }
        for &(b, multiples) in other.carries() {
            self.carry(b, multiples);
        }
        self.record_zeros(other.zero_count());
        let (sum, wrapped) = self.sum_low.overflowing_add(other.sum_low);
        self.sum_low = sum;
        let high = other.overflow.as_ref().map_or(0, |o| o.sum_high) + u64::from(wrapped);
        if high > 0 {
            self.overflow().sum_high += high;
        }
        self.max = self.max.max(other.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(h.sum_ns(), 0);
        h.record(7);
        assert_eq!(h.buckets().collect::<Vec<_>>(), [(7, 7, 7, 1)]);
        assert_eq!((h.count(), h.sum_ns(), h.max_ns()), (1, 7, Some(7)));
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

    #[test]
    fn a_header_is_48_bytes_so_four_fit_in_three_cache_lines() {
        use std::mem::{align_of, size_of};
        assert_eq!(size_of::<LatencyHistogram>(), 48);
        assert_eq!(align_of::<LatencyHistogram>(), 8);
        // Four headers in three cache lines (`RequestLatencies::waited`, placed after the
        // unwaited header, whose 48 bytes fit in one).
        assert_eq!(size_of::<[LatencyHistogram; 4]>(), 3 * 64);
        assert_eq!(
            size_of::<Option<Box<Overflow>>>(),
            8,
            "a null pointer until used"
        );
    }

    #[test]
    fn a_sum_past_u64_max_stays_exact_in_reads_and_merges() {
        let mut h = LatencyHistogram::new();
        for _ in 0..3 {
            h.record(u64::MAX);
        }
        h.record(7);
        let exact = 3 * u128::from(u64::MAX) + 7;
        assert_eq!(h.sum_ns(), exact);
        assert_eq!(h.count(), 4);
        assert_eq!(h.max_ns(), Some(u64::MAX));
        let mut sum = h.clone();
        sum.merge(&h);
        assert_eq!(sum.sum_ns(), 2 * exact);
        // A merge whose low words wrap without either side having wrapped before.
        let (mut a, mut b) = (LatencyHistogram::new(), LatencyHistogram::new());
        a.record(u64::MAX - 1);
        b.record(5);
        a.merge(&b);
        assert_eq!(a.sum_ns(), u128::from(u64::MAX) + 4);
    }

    /// The histogram as it was specified before its layout was packed: every bucket's exact
    /// count in a map, the count, a `u128` sum and the max.
    #[derive(Clone, Default)]
    struct Reference {
        buckets: std::collections::BTreeMap<u32, u64>,
        n: u64,
        sum: u128,
        max: u64,
    }

    impl Reference {
        fn record(&mut self, v: u64) {
            *self.buckets.entry(bucket_of(v)).or_default() += 1;
            self.n += 1;
            self.sum += u128::from(v);
            self.max = self.max.max(v);
        }

        fn merge(&mut self, other: &Reference) {
            for (&b, &c) in &other.buckets {
                *self.buckets.entry(b).or_default() += c;
            }
            self.n += other.n;
            self.sum += other.sum;
            self.max = self.max.max(other.max);
        }

        /// Nearest rank, capped by the max, as [`LatencyHistogram::quantile_ns`] specifies.
        fn quantile(&self, num: u64, den: u64) -> Option<u64> {
            let rank = ((num as u128 * self.n as u128).div_ceil(den as u128) as u64).max(1);
            let mut cum = 0;
            for (&b, &c) in &self.buckets {
                cum += c;
                if cum >= rank {
                    return Some(bucket_range(b).1.min(self.max));
                }
            }
            (self.n > 0).then_some(self.max)
        }
    }

    fn assert_same(h: &LatencyHistogram, r: &Reference, what: &str) {
        let got: Vec<(u32, u64)> = h.buckets().map(|(b, _, _, c)| (b, c)).collect();
        let want: Vec<(u32, u64)> = r.buckets.iter().map(|(&b, &c)| (b, c)).collect();
        assert_eq!(got, want, "{what}: buckets");
        assert_eq!(h.count(), r.n, "{what}: count");
        assert_eq!(h.sum_ns(), r.sum, "{what}: sum");
        assert_eq!(h.max_ns(), (r.n > 0).then_some(r.max), "{what}: max");
        let fractions = [(1, 2), (9, 10), (99, 100), (999, 1000), (0, 1), (1, 1)];
        let want: Vec<Option<u64>> = fractions.iter().map(|&(a, b)| r.quantile(a, b)).collect();
        assert_eq!(
            h.quantiles_ns(fractions).to_vec(),
            want,
            "{what}: quantiles"
        );
    }

    /// Random values over the whole `u64` range, denser in the latencies' octaves, with
    /// runs of equal values (bucket counts that wrap) and the two extremes.
    fn random_values(seed: u64, len: u64) -> impl Iterator<Item = u64> {
        (0..len).map(move |i| {
            let x = crate::engine::rng::splitmix64(seed.wrapping_mul(1_000_003) + i);
            match x % 16 {
                0 => 0,
                1 => u64::MAX,
                2..=9 => 1_000_000,
                _ => x >> (x % 64),
            }
        })
    }

    #[test]
    fn records_and_merges_agree_with_the_reference_on_random_values() {
        let mut total = LatencyHistogram::new();
        let mut total_ref = Reference::default();
        for seed in 0..40 {
            let mut h = LatencyHistogram::new();
            let mut r = Reference::default();
            // Up to 300 000 values, half of them 1 ms: past 2^16 in its bucket, which carries.
            let len = [0, 1, 2, 17, 1_000, 300_000][seed as usize % 6];
            for v in random_values(seed, len) {
                h.record(v);
                r.record(v);
            }
            assert_same(&h, &r, &format!("seed {seed}"));
            total.merge(&h);
            total_ref.merge(&r);
            assert_same(&total, &total_ref, &format!("merged up to seed {seed}"));
        }
    }

    #[test]
    fn the_window_widens_both_ways_and_up_to_the_last_bucket() {
        let mut h = LatencyHistogram::new();
        let mut r = Reference::default();
        // One value, then ever lower ones, then ever higher ones, then both extremes.
        let falling = (0..40).map(|k| 1u64 << (40 - k));
        let rising = (0..64).map(|k| (1u64 << k) | 1);
        for v in std::iter::once(5_000)
            .chain(falling)
            .chain(rising)
            .chain([0, u64::MAX])
        {
            h.record(v);
            r.record(v);
            assert!(h.counts.len() <= LAST_BUCKET as usize + 1);
        }
        assert_same(&h, &r, "widened");
        assert_eq!((h.first, h.counts.len()), (0, LAST_BUCKET as usize + 1));
    }

    #[test]
    fn a_merge_keeps_a_bucket_whose_stored_count_wrapped_to_zero_at_the_window_edge() {
        let mut h = LatencyHistogram::new();
        for _ in 0..1 << 16 {
            h.record(5); // stored 0, carry 1: the window's lowest bucket looks empty
        }
        h.record(900);
        let mut merged = LatencyHistogram::new();
        merged.merge(&h);
        let got: Vec<(u32, u64)> = merged.buckets().map(|(b, _, _, c)| (b, c)).collect();
        assert_eq!(got, [(5, 1 << 16), (bucket_of(900), 1)]);
        assert_eq!(merged.count(), (1 << 16) + 1);
    }

    #[test]
    fn a_merge_widens_the_window_only_to_the_occupied_buckets() {
        let mut h = LatencyHistogram::new();
        h.record(1_000);
        h.record(1 << 30); // widens upwards past the value: zeros follow it
        h.record(1 << 31);
        let mut merged = LatencyHistogram::new();
        merged.merge(&h);
        assert_eq!(merged.first, bucket_of(1_000));
        assert_eq!(
            merged.counts.len() as u32,
            bucket_of(1 << 31) - bucket_of(1_000) + 1
        );
    }

    #[test]
    fn zeros_are_counted_in_the_header_and_read_as_bucket_0() {
        let mut h = LatencyHistogram::new();
        h.record(0);
        h.record(0);
        assert!(h.counts.is_empty(), "no bucket array for zeros");
        assert_eq!(h.buckets().collect::<Vec<_>>(), [(0, 0, 0, 2)]);
        assert_eq!((h.count(), h.sum_ns(), h.max_ns()), (2, 0, Some(0)));
        assert_eq!(h.quantile_ns(1, 2), Some(0));
        h.record(0); // into a window that starts at bucket 0: the two counts add up
        h.record(3_000);
        let mut low = LatencyHistogram::new();
        low.record(1);
        low.record(0);
        h.merge(&low);
        let got: Vec<(u32, u64)> = h.buckets().map(|(b, _, _, c)| (b, c)).collect();
        assert_eq!(got, [(0, 4), (1, 1), (bucket_of(3_000), 1)]);
        assert_eq!(h.count(), 6);
    }

    #[test]
    fn the_count_of_zeros_stays_exact_past_u32_max() {
        let mut h = LatencyHistogram::new();
        h.zeros = u32::MAX - 1; // as if 2³² − 2 zeros had been recorded
        for _ in 0..3 {
            h.record(0);
        }
        let n = u64::from(u32::MAX) + 2;
        assert_eq!(h.count(), n);
        assert_eq!(h.buckets().collect::<Vec<_>>(), [(0, 0, 0, n)]);
        let mut sum = h.clone();
        sum.merge(&h);
        assert_eq!((sum.count(), sum.zero_count()), (2 * n, 2 * n));
        sum.record(7);
        assert_eq!(sum.quantile_ns(1, 2), Some(0));
    }

    #[test]
    fn zeros_recorded_at_once_count_as_many_single_records_also_past_u32_max() {
        let mut once = LatencyHistogram::new();
        once.record(9);
        once.record_zeros(3);
        once.record_zeros(0);
        let mut single = LatencyHistogram::new();
        single.record(9);
        (0..3).for_each(|_| single.record(0));
        assert_eq!(
            once.buckets().collect::<Vec<_>>(),
            single.buckets().collect::<Vec<_>>()
        );
        assert_eq!(
            (once.count(), once.sum_ns(), once.max_ns()),
            (4, 9, Some(9))
        );
        let n = u64::from(u32::MAX) + 5;
        once.record_zeros(n);
        assert_eq!((once.zero_count(), once.count()), (n + 3, n + 4));
        once.record_zeros(1);
        assert_eq!(
            once.zero_count(),
            n + 4,
            "the high bits carry on from there"
        );
    }
}
