//! `DurationSampler`: a time model compiled for fast sampling (`docs/scenario.md`).
//!
//! Built once per (container, node type) at simulation start; sampling draws from the caller's
//! stream and never allocates.

use crate::config::TimeModel;
use crate::engine::{SimRng, SimTime};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// The compiled distribution.
#[derive(Clone, Debug)]
enum Kind {
    Constant(f64),
    Uniform { low: f64, span: f64 },
    Exponential { mean: f64 },
    Normal { mean: f64, std: f64 },
    Lognormal { s: f64, loc: f64, scale: f64 },
    Empirical(Vec<f64>),
    Percentiles(PercentileTable),
}

/// A percentile inverse CDF prepared for drawing: per segment, the differences the
/// interpolation divides and multiplies by, computed once instead of at every draw.
///
/// [`PercentileTable::at`] evaluates the same expression on the same operands as
/// [`inverse_cdf`] (`v0 + (v1 - v0) * (u - p0) / (p1 - p0)`, with the two differences taken
/// from the table), so every draw is bit-identical to it; a unit test checks that.
#[derive(Clone, Debug)]
struct PercentileTable {
    /// Upper probability `p1` of each segment, in order (the search reads only these).
    upper: Vec<f64>,
    /// The rest of each segment, in the same order.
    segments: Vec<Segment>,
    /// The value above the last point (the last point's value, or 0 without points).
    above: f64,
    /// `upper` ascends (non-decreasing, no NaN), as every validated model's does: the segment
    /// of `u` is then the number of upper ends below `u`, counted without a branch.
    ascending: bool,
}

/// One segment `(p0, v0)–(p1, v1)` of a percentile table.
#[derive(Clone, Copy, Debug)]
struct Segment {
    p0: f64,
    v0: f64,
    v1: f64,
    /// `v1 - v0`.
    dv: f64,
    /// `p1 - p0`.
    dp: f64,
    /// `p1 <= p0`: a step, the value is `v1`.
    step: bool,
}

impl PercentileTable {
    fn new(points: &[[f64; 2]]) -> PercentileTable {
        let pairs = points.windows(2);
        PercentileTable {
            upper: pairs.clone().map(|w| w[1][0]).collect(),
            segments: pairs
                .map(|w| {
                    let ([p0, v0], [p1, v1]) = (w[0], w[1]);
                    Segment {
                        p0,
                        v0,
                        v1,
                        dv: v1 - v0,
                        dp: p1 - p0,
                        step: p1 <= p0,
                    }
                })
                .collect(),
            above: points.last().map(|p| p[1]).unwrap_or(0.0),
            ascending: points.windows(2).all(|w| w[0][0] <= w[1][0])
                && points.iter().all(|p| !p[0].is_nan()),
        }
    }

    /// The inverse CDF at `u`: [`inverse_cdf`] of the points the table was built from.
    #[inline]
    fn at(&self, u: f64) -> f64 {
        // `inverse_cdf` takes the first segment with `u <= p1`. Over ascending ends those
        // failing the test come first, so counting them finds the same segment; the count has
        // no branch to mispredict, where the scan's exit depended on the random `u`. The
        // count negates the scan's own test, so a NaN `u` also lands past the last segment.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        let i = if self.ascending {
            self.upper.iter().map(|&p1| usize::from(!(u <= p1))).sum()
        } else {
            self.upper
                .iter()
                .position(|&p1| u <= p1)
                .unwrap_or(self.upper.len())
        };
        // `segments` has one entry per `upper` entry (built together from `windows`); past
        // the last is `above`.
        match self.segments.get(i) {
            Some(s) if s.step => s.v1,
            Some(s) => s.v0 + s.dv * (u - s.p0) / s.dp,
            None => self.above,
        }
    }
}

/// A sampler of durations in seconds, with optional truncation bounds.
#[derive(Clone, Debug)]
pub struct DurationSampler {
    kind: Kind,
    bounds: Option<[f64; 2]>,
    mean: f64,
}

/// Rejected draws before a truncated sampler clamps (`docs/scenario.md`).
const MAX_REJECTIONS: u32 = 1000;

impl DurationSampler {
    /// Compiles a time model.
    pub fn new(m: &TimeModel) -> DurationSampler {
        let (kind, bounds) = match m {
            TimeModel::Constant { value } => (Kind::Constant(*value), None),
            TimeModel::Uniform { low, high, bounds } => (
                Kind::Uniform {
                    low: *low,
                    span: high - low,
                },
                *bounds,
            ),
            TimeModel::Exponential { mean, bounds } => (Kind::Exponential { mean: *mean }, *bounds),
            TimeModel::Normal { mean, std, bounds } => (
                Kind::Normal {
                    mean: *mean,
                    std: *std,
                },
                *bounds,
            ),
            TimeModel::Lognormal {
                s,
                loc,
                scale,
                bounds,
            } => (
                Kind::Lognormal {
                    s: *s,
                    loc: *loc,
                    scale: *scale,
                },
                *bounds,
            ),
            TimeModel::Empirical { values, bounds } => (Kind::Empirical(values.clone()), *bounds),
            TimeModel::Percentiles { points, bounds } => {
                (Kind::Percentiles(PercentileTable::new(points)), *bounds)
            }
        };
        DurationSampler {
            kind,
            bounds,
            mean: m.mean(),
        }
    }

    /// True if sampling never draws a random number.
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant(_))
    }

    /// The model's mean in seconds (deterministic estimate).
    pub fn mean_secs(&self) -> f64 {
        self.mean
    }

    #[inline]
    fn draw(&self, rng: &mut SimRng) -> f64 {
        match &self.kind {
            Kind::Constant(v) => *v,
            Kind::Uniform { low, span } => low + span * rng.random::<f64>(),
            Kind::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Kind::Normal { mean, std } => {
                let z: f64 = StandardNormal.sample(rng);
                mean + std * z
            }
            Kind::Lognormal { s, loc, scale } => {
                let z: f64 = StandardNormal.sample(rng);
                loc + scale * (s * z).exp()
            }
            Kind::Empirical(values) => values[rng.random_range(0..values.len())],
            Kind::Percentiles(table) => table.at(rng.random::<f64>()),
        }
    }

    /// One sample in seconds (truncated to the bounds, negative clamped to 0).
    #[inline]
    pub fn sample_secs(&self, rng: &mut SimRng) -> f64 {
        let v = match self.bounds {
            None => self.draw(rng),
            Some([lo, hi]) => {
                let mut v = self.draw(rng);
                let mut tries = 1;
                while !(lo..=hi).contains(&v) && tries < MAX_REJECTIONS {
                    v = self.draw(rng);
                    tries += 1;
                }
                v.clamp(lo, hi)
            }
        };
        v.max(0.0)
    }

    /// One sample as simulated time. Always inlined into the caller (a request's start): the
    /// constant and unbounded percentile cases are a few instructions, where the call saved
    /// and restored registers; every other case is [`DurationSampler::sample_other`]'s.
    #[inline(always)]
    pub fn sample(&self, rng: &mut SimRng) -> SimTime {
        match &self.kind {
            Kind::Constant(v) => SimTime::from_secs_f64(*v),
            // The trace replay's case, spelled out so it compiles to one straight path: the
            // same draw and clamp as `sample_secs` without bounds (only the bounds'
            // discriminant is read, not the pair).
            Kind::Percentiles(table) if self.bounds.is_none() => {
                SimTime::from_secs_f64(table.at(rng.random::<f64>()).max(0.0))
            }
            _ => self.sample_other(rng),
        }
    }

    /// [`DurationSampler::sample`] of the other distributions and of bounded percentiles.
    #[inline(never)]
    fn sample_other(&self, rng: &mut SimRng) -> SimTime {
        SimTime::from_secs_f64(self.sample_secs(rng))
    }
}

/// Inverse CDF by linear interpolation between `(p, v)` points.
pub fn inverse_cdf(points: &[[f64; 2]], u: f64) -> f64 {
    for i in 1..points.len() {
        let [p1, v1] = points[i];
        if u <= p1 {
            let [p0, v0] = points[i - 1];
            if p1 <= p0 {
                return v1;
            }
            return v0 + (v1 - v0) * (u - p0) / (p1 - p0);
        }
    }
    points.last().map(|p| p[1]).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;

    /// Percentile points shaped like a function of the Azure 2019 fixture.
    const AZURE_FIXTURE_POINTS: [[f64; 2]; 7] = [
        [0.0, 0.01],
        [0.01, 0.02],
        [0.25, 0.05],
        [0.5, 0.1],
        [0.75, 0.2],
        [0.99, 1.0],
        [1.0, 2.0],
    ];

    #[test]
    fn percentiles_interpolate_like_the_azure_fixture() {
        let pts = AZURE_FIXTURE_POINTS;
        assert!((inverse_cdf(&pts, 0.005) - 0.015).abs() < 1e-12);
        assert!((inverse_cdf(&pts, 0.375) - 0.075).abs() < 1e-12);
        assert!((inverse_cdf(&pts, 0.5) - 0.1).abs() < 1e-12);
        assert!((inverse_cdf(&pts, 0.995) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn the_prepared_table_draws_exactly_what_the_points_give() {
        // Each table with whether its probabilities ascend (the branch-free segment count)
        // or not (the scan).
        let tables: [(&[[f64; 2]], bool); 6] = [
            (&AZURE_FIXTURE_POINTS, true),
            // A step (equal probabilities) and a decreasing value.
            (&[[0.0, 3.0], [0.3, 1.0], [0.3, 7.0], [0.9, 7.5]], true),
            (&[[0.5, 1.0]], true),
            (&[], true),
            // Unvalidated tables: probabilities out of order, and a NaN among them.
            (&[[0.0, 1.0], [0.6, 2.0], [0.4, 3.0], [1.0, 4.0]], false),
            (&[[0.0, 1.0], [f64::NAN, 2.0], [1.0, 4.0]], false),
        ];
        let mut rng = stream_rng(7, "exec/f");
        for (points, ascending) in tables {
            let table = PercentileTable::new(points);
            assert_eq!(table.ascending, ascending, "{points:?}");
            let mut us: Vec<f64> = (0..20_000).map(|_| rng.random::<f64>()).collect();
            us.extend(points.iter().map(|p| p[0]));
            us.extend([0.0, 1.0, 0.3, 0.95, -0.5, 1.5, f64::NAN]);
            for u in us {
                assert_eq!(
                    table.at(u).to_bits(),
                    inverse_cdf(points, u).to_bits(),
                    "u = {u}"
                );
            }
        }
    }

    #[test]
    fn truncated_samples_stay_within_bounds() {
        let s = DurationSampler::new(&TimeModel::Lognormal {
            s: 2.0,
            loc: 0.0,
            scale: 1.0,
            bounds: Some([0.5, 2.0]),
        });
        let mut rng = stream_rng(1, "exec/f");
        for _ in 0..1000 {
            let v = s.sample_secs(&mut rng);
            assert!((0.5..=2.0).contains(&v));
        }
    }

    #[test]
    fn exponential_sample_mean_matches_the_model() {
        let s = DurationSampler::new(&TimeModel::Exponential {
            mean: 0.2,
            bounds: None,
        });
        let mut rng = stream_rng(3, "exec/f");
        let n = 100_000;
        let mean: f64 = (0..n).map(|_| s.sample_secs(&mut rng)).sum::<f64>() / n as f64;
        assert!((mean - 0.2).abs() < 0.004, "mean {mean}");
    }
}
