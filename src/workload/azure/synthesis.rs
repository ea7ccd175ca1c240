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
    /// The arrivals of a minute with count `c`, produced lazily in ascending order.
    pub fn minute(self, c: u64) -> MinuteArrivals {
        MinuteArrivals {
            kind: self,
            count: c,
            done: 0,
            pos: 0.0,
        }
    }
}

/// One minute's arrival offsets (seconds from the minute's start, ascending), one at a time and
/// in constant memory, however large the count.
#[derive(Clone, Copy, Debug)]
pub struct MinuteArrivals {
    kind: Synthesis,
    count: u64,
    done: u64,
    pos: f64,
}

impl MinuteArrivals {
    /// The next offset, `None` when the minute is exhausted.
    #[inline]
    pub fn next_offset(&mut self, rng: &mut SimRng) -> Option<f64> {
        match self.kind {
            Synthesis::Uniform => {
                // Sorted uniforms one by one: the smallest of the k still to place, uniform on
                // [pos, 60), lies at pos + (60 − pos)·(1 − V^{1/k}) (order statistics). The same
                // distribution as sorting `count` uniform draws, without holding them.
                let k = self.count - self.done;
                if k == 0 {
                    return None;
                }
                let v = 1.0 - rng.random::<f64>(); // (0, 1]
                self.pos += (60.0 - self.pos) * -(v.ln() / k as f64).exp_m1();
                self.done += 1;
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
        let mut m = s.minute(c);
        std::iter::from_fn(|| m.next_offset(rng)).collect()
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
