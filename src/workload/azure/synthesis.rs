//! `Synthesis`: how a minute's invocation count becomes arrival times (`docs/workloads.md`).

use crate::engine::SimRng;
use rand::RngExt;
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
    /// Appends the offsets (seconds from the minute's start, ascending) of a minute with count
    /// `c` to `out`.
    pub fn offsets(self, c: u64, rng: &mut SimRng, out: &mut Vec<f64>) {
        let from = out.len();
        match self {
            Synthesis::Uniform => {
                out.extend((0..c).map(|_| 60.0 * rng.random::<f64>()));
                out[from..].sort_by(f64::total_cmp);
            }
            Synthesis::Equidistant => {
                out.extend((0..c).map(|j| 60.0 * (j as f64 + 0.5) / c as f64));
            }
            Synthesis::Poisson => {
                if c == 0 {
                    return;
                }
                let rate = c as f64 / 60.0;
                let mut t = 0.0;
                loop {
                    let u: f64 = rng.random();
                    t += -(1.0 - u).ln() / rate;
                    if t >= 60.0 {
                        break;
                    }
                    out.push(t);
                }
            }
        }
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

    #[test]
    fn equidistant_centres_each_arrival_in_its_slot() {
        let mut out = Vec::new();
        let mut rng = stream_rng(1, "t");
        Synthesis::Equidistant.offsets(2, &mut rng, &mut out);
        assert_eq!(out, [15.0, 45.0]);
    }

    #[test]
    fn uniform_keeps_the_count_and_sorts() {
        let mut out = vec![-1.0];
        let mut rng = stream_rng(1, "t");
        Synthesis::Uniform.offsets(50, &mut rng, &mut out);
        assert_eq!(out.len(), 51);
        assert!(out[1..].windows(2).all(|w| w[0] <= w[1]));
        assert!(out[1..].iter().all(|&t| (0.0..60.0).contains(&t)));
    }

    #[test]
    fn poisson_minutes_average_their_count() {
        let mut rng = stream_rng(2, "t");
        let mut out = Vec::new();
        for _ in 0..10_000 {
            Synthesis::Poisson.offsets(30, &mut rng, &mut out);
        }
        let mean = out.len() as f64 / 10_000.0;
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
