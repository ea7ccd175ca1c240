//! `SimTime`: simulated time as integer nanoseconds since the start of a run.
//!
//! Integer time makes event ordering exact and platform independent; seconds (`f64`) appear only
//! at the edges (configuration and output), converted with round-half-away-from-zero.

use std::fmt;

/// Simulated time or duration in nanoseconds since the start of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// 2⁶³ as an `f64`: below it a non-negative truncation fits an `i64`.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

impl SimTime {
    /// Time zero, the start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time that is never reached; used as "not set" in time columns.
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// Converts seconds to nanoseconds with `round(s * 1e9)` (half away from zero).
    ///
    /// Negative, NaN or too large inputs saturate; configuration validation rejects them earlier.
    #[inline]
    pub fn from_secs_f64(s: f64) -> SimTime {
        let x = s * 1e9;
        // `x ≥ 2⁶⁴` saturates (so does its rounding).
        if x.is_nan() || x <= 0.0 {
            return SimTime(0);
        }
        if x >= u64::MAX as f64 {
            return SimTime(u64::MAX - 1);
        }
        // `f64::round` is a libm call on baseline x86-64 (no SSE4.1 `roundsd`), on the path of
        // every drawn duration. For 0 < x < 2⁶⁴ this is the same rounding, exactly: the
        // truncation `whole` is representable, so `x - whole` is the exact fraction.
        if x < I64_LIMIT {
            // Below 2⁶³ (292 years: every time of a run) the conversions go through `i64`, one
            // instruction each way on x86-64, where `u64` takes a branchy sequence and `as`
            // adds saturation checks. The integer and its `f64` value are the same either way.
            // SAFETY: 0 < x < 2⁶³ and x is not NaN (checked above), so its truncation fits an
            // `i64`, which is `to_int_unchecked`'s precondition.
            let whole = unsafe { x.to_int_unchecked::<i64>() };
            let half_up = x - whole as f64 >= 0.5;
            return SimTime(whole as u64 + half_up as u64);
        }
        let whole = x as u64;
        let half_up = x - whole as f64 >= 0.5;
        SimTime(whole + half_up as u64)
    }

    /// Converts back to seconds (`ns as f64 / 1e9`), as output columns require.
    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Nanoseconds since start.
    #[inline]
    pub fn nanos(self) -> u64 {
        self.0
    }

    /// `Some(seconds)` unless this is [`SimTime::NEVER`]; for nullable output columns.
    #[inline]
    pub fn secs_opt(self) -> Option<f64> {
        (self != SimTime::NEVER).then(|| self.as_secs_f64())
    }

    /// Saturating addition of a duration.
    #[inline]
    pub fn plus(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// `self - earlier`, saturating at zero.
    #[inline]
    pub fn since(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }

    /// True unless this is [`SimTime::NEVER`].
    #[inline]
    pub fn is_set(self) -> bool {
        self != SimTime::NEVER
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == SimTime::NEVER {
            write!(f, "never")
        } else {
            write!(f, "{:.9}s", self.as_secs_f64())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_half_away_from_zero_to_nanoseconds() {
        assert_eq!(SimTime::from_secs_f64(0.05).0, 50_000_000);
        assert_eq!(SimTime::from_secs_f64(1.3).0, 1_300_000_000);
        assert_eq!(SimTime::from_secs_f64(2.5e-9).0, 3);
        assert_eq!(SimTime::from_secs_f64(-1.0).0, 0);
    }

    /// The conversion as it was written first, with the library's rounding.
    fn reference(s: f64) -> u64 {
        let ns = (s * 1e9).round();
        if ns.is_nan() || ns <= 0.0 {
            0
        } else if ns >= u64::MAX as f64 {
            u64::MAX - 1
        } else {
            ns as u64
        }
    }

    #[test]
    fn the_conversion_rounds_exactly_as_f64_round_does() {
        let mut edge = vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            f64::MIN_POSITIVE,
            5e-10_f64.next_down(),
            5e-10,
            5.000000000000001e-10,
            1.5e-9,
            2.5e-9,
            (2f64.powi(52) - 0.5) / 1e9,
            9007199254740993e-9,
            1.8446744073709552e10,
            (u64::MAX as f64).next_down() / 1e9,
            1e300,
            // Either side of 2⁶³, where the conversion switches from `i64` to `u64`.
            I64_LIMIT / 1e9,
            (I64_LIMIT / 1e9).next_down(),
            (I64_LIMIT / 1e9).next_up(),
            I64_LIMIT.next_down() / 1e9,
        ];
        // Halves and their neighbours at every scale, and a scatter of arbitrary values.
        for k in 0..64 {
            let half = ((1u64 << k) as f64 + 0.5) / 1e9;
            edge.extend([half, half.next_up(), half.next_down()]);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            edge.push(f64::from_bits(x >> 2) % 1e6);
            edge.push((x >> 11) as f64 / (1u64 << 53) as f64 * 10.0);
        }
        for s in edge {
            assert_eq!(SimTime::from_secs_f64(s).0, reference(s), "{s:e} s");
        }
    }

    #[test]
    fn nanoseconds_convert_back_exactly_for_output() {
        assert_eq!(SimTime(1_500_000_000).as_secs_f64(), 1.5);
        assert_eq!(SimTime::NEVER.secs_opt(), None);
    }
}
