//! `Synthesis`: how a minute's invocation count becomes arrival times (`docs/workloads.md`).

use crate::engine::SimRng;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

/// Placement of `c` invocations within one minute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Synthesis {
    /// `c` independent uniform times in the minute, sorted.
    #[default]
    Uniform,
    /// `c` evenly spaced times: `60·(j + 0.5)/c`.
    Equidistant,
    /// A Poisson process of rate `c/60` over the minute (the count varies around `c`).
    Poisson,
}

impl Synthesis {
    /// The arrivals of a minute with count `c`, produced lazily in ascending order from `rng`
    /// (the function's own stream: a uniform minute draws its first spacing here, one arrival
    /// ahead, see [`MinuteArrivals::next_offset`]).
    pub fn minute(self, c: u64, rng: &mut SimRng) -> MinuteArrivals {
        let mut m = MinuteArrivals {
            kind: self,
            count: c,
            done: 0,
            pos: 0.0,
            // Exact: a minute count (a `u32` times the rate scale) stays far below 2⁵³.
            left: c as f64,
            fraction: 0.0,
        };
        if self == Synthesis::Uniform && c > 0 {
            m.fraction = beta_spacing(Exp1.sample(rng), m.left);
        }
        m
    }
}

/// One minute's arrival offsets (seconds from the minute's start, ascending), one at a time and
/// in constant memory, however large the count. The default is an empty minute.
#[derive(Clone, Copy, Debug, Default)]
pub struct MinuteArrivals {
    kind: Synthesis,
    count: u64,
    done: u64,
    pos: f64,
    /// Uniform: arrivals still to place, as a float (exact), so that no draw converts an
    /// integer.
    left: f64,
    /// Uniform: the Beta(1, `left`) spacing fraction of the next arrival, drawn when the
    /// previous one was produced.
    fraction: f64,
}

impl MinuteArrivals {
    /// The next offset, `None` when the minute is exhausted.
    ///
    /// A uniform minute draws each spacing one arrival ahead: the offset returned now uses the
    /// fraction drawn at the previous call (or when the minute began), and this call draws the
    /// next one. The stream sees the same draws in the same order as drawing at the arrival
    /// itself (only this minute draws from it until its last arrival, which draws nothing), so
    /// the offsets are bit-identical; the exponential, the divide and the series are off the
    /// path from this call to the arrival's time and overlap with the caller's work
    /// (docs/performance.md, "Round 8: the arrival and completion path"). Always inlined: the
    /// call's register saves cost as much as the uniform case's arithmetic.
    #[inline(always)]
    pub fn next_offset(&mut self, rng: &mut SimRng) -> Option<f64> {
        match self.kind {
            Synthesis::Uniform => {
                // Sorted uniforms one by one: the smallest of the k still to place, uniform on
                // [pos, 60), lies at pos + (60 − pos)·B with B ~ Beta(1, k) (order statistics).
                // The same distribution as sorting `count` uniform draws, without holding them.
                if self.left == 0.0 {
                    return None;
                }
                self.pos += (60.0 - self.pos) * self.fraction;
                self.left -= 1.0;
                if self.left > 0.0 {
                    self.fraction = beta_spacing(Exp1.sample(rng), self.left);
                }
                Some(self.pos.min(60.0 - 1e-9))
            }
            Synthesis::Equidistant => {
                if self.done == self.count {
                    return None;
                }
                let t = 60.0 * (self.done as f64 + 0.5) / self.count as f64;
                self.done += 1;
                Some(t)
            }
            Synthesis::Poisson => {
                if self.count == 0 {
                    return None;
                }
                let u: f64 = rng.random();
                self.pos += -(1.0 - u).ln() * 60.0 / self.count as f64;
                (self.pos < 60.0).then_some(self.pos)
            }
        }
    }
}

/// The Beta(1, k) spacing fraction `1 − V^{1/k}` for V uniform on (0, 1], as `1 − e^{−E/k}`
/// with `E = −ln V` the exponential `e`: E comes from the ziggurat (no logarithm) and, for the
/// small E/k of a busy minute, `1 − e^{−x}` from a short series (no libm call).
#[inline]
fn beta_spacing(e: f64, k: f64) -> f64 {
    one_minus_exp_neg(e / k)
}

/// Below this argument [`one_minus_exp_neg`] sums its Taylor series: the first omitted term,
/// x⁶/720, is then below 2⁻⁵³·x (a rounding error of the result).
const SERIES_MAX: f64 = 1.0 / 1024.0;

/// `1 − e^{−x}` for `x ≥ 0`, to within a few ulps: five terms of the series when `x` is small
/// (most spacings of a minute with thousands of arrivals), else `−expm1(−x)`.
#[inline]
fn one_minus_exp_neg(x: f64) -> f64 {
    if x < SERIES_MAX {
        x * (1.0 - x * (1.0 / 2.0 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x * (1.0 / 120.0)))))
    } else {
        -(-x).exp_m1()
    }
}

/// Rate scaling of one minute count: `floor(c·f)` plus one with probability `frac(c·f)`; the
/// uniform is drawn only when the fraction is non-zero.
pub fn scale_count(c: u64, f: f64, rng: &mut SimRng) -> u64 {
    if f == 1.0 {
        return c;
    }
    let x = c as f64 * f;
    let whole = x.floor();
    let frac = x - whole;
    let extra = frac > 0.0 && rng.random::<f64>() < frac;
    whole as u64 + extra as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;

    fn offsets(s: Synthesis, c: u64, rng: &mut SimRng) -> Vec<f64> {
        let mut m = s.minute(c, rng);
        std::iter::from_fn(|| m.next_offset(rng)).collect()
    }

    /// The uniform minute as it was drawn before the one-ahead spacing: each arrival draws its
    /// own exponential, with the integer count of arrivals left converted at every draw.
    fn uniform_drawn_at_each_arrival(c: u64, rng: &mut SimRng) -> Vec<f64> {
        let (mut pos, mut out) = (0.0f64, Vec::new());
        for done in 0..c {
            let e: f64 = Exp1.sample(rng);
            pos += (60.0 - pos) * one_minus_exp_neg(e / (c - done) as f64);
            out.push(pos.min(60.0 - 1e-9));
        }
        out
    }

    #[test]
    fn drawing_each_spacing_one_arrival_ahead_gives_the_same_bits_and_leaves_the_stream_alike() {
        // Minutes as the reader draws them: a rate-scaling uniform from the same stream before
        // each minute, counts from empty and single minutes to busy ones (the `expm1` branch
        // included). Every offset, and the stream's state after each minute, must agree.
        let (mut ahead, mut at_arrival) = (stream_rng(6, "t"), stream_rng(6, "t"));
        let counts = [0, 1, 2, 3, 0, 7, 1, 1000, 0, 40_000, 5, 1];
        for (minute, &c) in counts.iter().cycle().take(60).enumerate() {
            let a = scale_count(c, 1.5, &mut ahead);
            let b = scale_count(c, 1.5, &mut at_arrival);
            assert_eq!(a, b);
            let got = offsets(Synthesis::Uniform, a, &mut ahead);
            let want = uniform_drawn_at_each_arrival(b, &mut at_arrival);
            assert_eq!(got.len(), want.len(), "minute {minute}");
            for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g.to_bits(), w.to_bits(), "minute {minute}, arrival {j}");
            }
            assert_eq!(
                ahead.random::<u64>(),
                at_arrival.random::<u64>(),
                "stream after minute {minute}"
            );
        }
    }

    #[test]
    fn an_empty_minute_draws_nothing_and_a_minute_ends_without_drawing_past_it() {
        let mut rng = stream_rng(7, "t");
        let mut fresh = rng.clone();
        let mut m = Synthesis::Uniform.minute(0, &mut rng);
        assert_eq!(m.next_offset(&mut rng), None);
        assert_eq!(rng.random::<u64>(), fresh.random::<u64>());
        // Two arrivals draw exactly two exponentials, however often the minute is asked.
        let mut m = Synthesis::Uniform.minute(2, &mut rng);
        while m.next_offset(&mut rng).is_some() {}
        assert_eq!(m.next_offset(&mut rng), None);
        let _: [f64; 2] = [Exp1.sample(&mut fresh), Exp1.sample(&mut fresh)];
        assert_eq!(rng.random::<u64>(), fresh.random::<u64>());
    }

    #[test]
    fn equidistant_centres_each_arrival_in_its_slot() {
        let mut rng = stream_rng(1, "t");
        assert_eq!(offsets(Synthesis::Equidistant, 2, &mut rng), [15.0, 45.0]);
    }

    #[test]
    fn uniform_keeps_the_count_ascends_and_is_uniform() {
        let mut rng = stream_rng(1, "t");
        let out = offsets(Synthesis::Uniform, 50, &mut rng);
        assert_eq!(out.len(), 50);
        assert!(out.windows(2).all(|w| w[0] <= w[1]));
        assert!(out.iter().all(|&t| (0.0..60.0).contains(&t)));
        // The order statistics of uniforms: over many minutes the offsets average 30 s and a
        // quarter of them fall in the first 15 s.
        let mut all = Vec::new();
        for _ in 0..2000 {
            all.extend(offsets(Synthesis::Uniform, 50, &mut rng));
        }
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let first_quarter = all.iter().filter(|&&t| t < 15.0).count() as f64 / all.len() as f64;
        assert!((mean - 30.0).abs() < 0.2, "{mean}");
        assert!((first_quarter - 0.25).abs() < 0.005, "{first_quarter}");
    }

    /// Kolmogorov–Smirnov distance of ascending offsets from the uniform law on [0, 60).
    fn ks_distance(sorted: &[f64]) -> f64 {
        let n = sorted.len() as f64;
        sorted
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let f = t / 60.0;
                ((i as f64 + 1.0) / n - f).max(f - i as f64 / n)
            })
            .fold(0.0, f64::max)
    }

    /// The KS critical value at significance 0.001 for `n` samples.
    fn ks_critical(n: usize) -> f64 {
        1.949 / (n as f64).sqrt()
    }

    #[test]
    fn a_busy_uniform_minute_passes_a_kolmogorov_smirnov_test_and_keeps_its_count() {
        // 200 000 arrivals: almost every spacing takes the series branch, the last few thousand
        // the `expm1` one.
        let mut rng = stream_rng(4, "t");
        let out = offsets(Synthesis::Uniform, 200_000, &mut rng);
        assert_eq!(out.len(), 200_000);
        assert!(out.windows(2).all(|w| w[0] <= w[1]));
        assert!(out.iter().all(|&t| (0.0..60.0).contains(&t)));
        let d = ks_distance(&out);
        assert!(d < ks_critical(out.len()), "D = {d}");
    }

    #[test]
    fn small_uniform_minutes_pool_to_uniform_and_place_each_rank_at_its_expected_offset() {
        // The j-th of c sorted uniforms on [0, 60) averages 60·j/(c + 1): this checks the joint
        // law (the ranks), not only the pooled offsets.
        let mut rng = stream_rng(5, "t");
        let (c, minutes) = (3, 40_000);
        let mut pooled = Vec::new();
        let mut rank_sums = [0.0; 3];
        for _ in 0..minutes {
            let m = offsets(Synthesis::Uniform, c, &mut rng);
            assert_eq!(m.len(), c as usize);
            for (j, &t) in m.iter().enumerate() {
                rank_sums[j] += t;
            }
            pooled.extend(m);
        }
        for (j, sum) in rank_sums.iter().enumerate() {
            let mean = sum / minutes as f64;
            let expected = 60.0 * (j as f64 + 1.0) / (c as f64 + 1.0);
            // Standard error of a rank's mean: below 60·0.25/√40 000 = 0.075.
            assert!(
                (mean - expected).abs() < 0.25,
                "rank {j}: {mean} vs {expected}"
            );
        }
        pooled.sort_by(f64::total_cmp);
        let d = ks_distance(&pooled);
        assert!(d < ks_critical(pooled.len()), "D = {d}");
    }

    #[test]
    fn the_series_agrees_with_expm1_to_a_few_ulps() {
        let mut x: f64 = 1e-12;
        while x < 0.01 {
            let exact = -(-x).exp_m1();
            let got = one_minus_exp_neg(x);
            assert!(
                (got - exact).abs() <= 4.0 * f64::EPSILON * exact,
                "x = {x}: {got} vs {exact}"
            );
            x *= 1.01;
        }
    }

    #[test]
    fn poisson_minutes_average_their_count() {
        let mut rng = stream_rng(2, "t");
        let n: usize = (0..10_000)
            .map(|_| offsets(Synthesis::Poisson, 30, &mut rng).len())
            .sum();
        let mean = n as f64 / 10_000.0;
        assert!((mean - 30.0).abs() < 0.3, "{mean}");
    }

    #[test]
    fn scaled_counts_keep_the_expected_total() {
        let mut rng = stream_rng(3, "t");
        let total: u64 = (0..100_000).map(|_| scale_count(3, 0.5, &mut rng)).sum();
        // E = 1.5 per minute.
        assert!((total as f64 / 150_000.0 - 1.0).abs() < 0.01, "{total}");
        assert_eq!(scale_count(7, 2.0, &mut rng), 14);
        assert_eq!(scale_count(7, 1.0, &mut rng), 7);
    }
}
