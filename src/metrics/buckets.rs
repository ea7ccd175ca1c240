//! The fixed log-linear bucket boundaries of the latency histograms (docs/outputs.md,
//! `latency_histograms`): values below 128 ns have a bucket each, and every power of two
//! above is split into 128 equal sub-buckets. The boundaries never depend on the data, so
//! histograms of different runs add up bucket by bucket.

/// Sub-buckets per power of two.
pub const SUB: u64 = 128;
/// log2 of [`SUB`].
const SUB_BITS: u32 = SUB.trailing_zeros();

/// Bucket index of a value in nanoseconds.
///
/// With `e` the position of the value's highest set bit and `sh = e − 7` the number of low
/// bits a bucket of that octave ignores, the index is `sh · 128 + (v >> sh)`: the shifted
/// value already carries the octave's leading 1 (it lies in 128..256), which is the `+ 128`
/// of the octave's first bucket. Setting bit 7 before finding the highest bit makes `e` at
/// least 7 without a branch, so values below 256 (`sh` = 0) are their own index, and 0 needs
/// no special case. Seven instructions: it runs four or five times per completed request
/// (docs/performance.md, "Round 9: the latency histograms' record path").
#[inline]
pub fn bucket_of(v: u64) -> u32 {
    let e = 63 - (v | SUB).leading_zeros();
    let sh = e - SUB_BITS;
    (sh << SUB_BITS) + (v >> sh) as u32
}

/// Index of the bucket holding `u64::MAX`, the last one.
pub const LAST_BUCKET: u32 = ((63 - SUB_BITS) << SUB_BITS) + (2 * SUB as u32 - 1);

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the index formula was derived from: octave `e − 7`, sub-bucket
    /// `(v >> (e − 7)) − 128`, after the 128 single-value buckets.
    fn bucket_by_definition(v: u64) -> u32 {
        if v < SUB {
            v as u32
        } else {
            let e = 63 - v.leading_zeros() as u64;
            let sub = (v >> (e - 7)) - SUB;
            (SUB + SUB * (e - 7) + sub) as u32
        }
    }

    #[test]
    fn the_index_formula_equals_the_definition_at_every_octave_edge_and_at_random() {
        let mut edges = vec![0u64, 1, 2, 127, 128, 129, 255, 256, u64::MAX];
        for e in 1..64 {
            let p = 1u64 << e;
            edges.extend([p - 1, p, p + 1, p | (p >> 1), p | (p - 1)]);
        }
        let random = (0..100_000u64).map(|i| {
            let x = crate::engine::rng::splitmix64(i);
            x >> (x % 64)
        });
        for v in edges.into_iter().chain(random) {
            assert_eq!(bucket_of(v), bucket_by_definition(v), "value {v}");
        }
    }

    #[test]
    fn the_last_bucket_ends_at_u64_max_without_overflow() {
        let last = bucket_of(u64::MAX);
        assert_eq!(last, LAST_BUCKET);
        assert_eq!(
            last, 7_423,
            "docs/outputs.md gives the last bucket of a u64"
        );
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
}
