//! `RandomWalk`: faas-sim's Gaussian random-walk rate, with its clamps (`docs/workloads.md`).
//!
//! The walk has a state `m`, starting at `mu`. Each query draws `x = m + sigma·Z`: at or above
//! `max_rps` the rate is `max_rps` and the state stays; at or below `min_rps` the rate is
//! `min_rps` and the state stays; otherwise the rate is `x` and the walk moves to `x`. It is
//! queried once per arrival, so the walk lives in the (mutable) arrival source, not in the
//! shared model.

use crate::engine::SimRng;
use rand_distr::{Distribution, StandardNormal};

/// A Gaussian random walk of the request rate.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomWalk {
    /// Current state.
    m: f64,
    /// Standard deviation of one step.
    sigma: f64,
    /// Upper clamp.
    max_rps: f64,
    /// Lower clamp.
    min_rps: f64,
}

impl RandomWalk {
    /// A walk starting at `mu`.
    pub fn new(mu: f64, sigma: f64, max_rps: f64, min_rps: f64) -> RandomWalk {
        RandomWalk {
            m: mu,
            sigma,
            max_rps,
            min_rps,
        }
    }

    /// The next rate (one standard-normal draw).
    #[inline]
    pub fn next_rate(&mut self, rng: &mut SimRng) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        self.step(z)
    }

    /// One step for a given standard-normal value `z`.
    #[inline]
    pub fn step(&mut self, z: f64) -> f64 {
        let x = self.m + self.sigma * z;
        if x >= self.max_rps {
            self.max_rps
        } else if x <= self.min_rps {
            self.min_rps
        } else {
            self.m = x;
            x
        }
    }

    /// The largest rate the walk can give.
    pub fn max_rate(&self) -> f64 {
        self.max_rps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;

    #[test]
    fn clamped_steps_leave_the_state_where_it_was() {
        let mut w = RandomWalk::new(10.0, 2.0, 15.0, 5.0);
        assert_eq!(w.step(1.0), 12.0); // moves to 12
        assert_eq!(w.step(2.0), 15.0); // 16 ≥ 15: clamped, state stays 12
        assert_eq!(w.step(-0.5), 11.0); // from 12, not from 15
        assert_eq!(w.step(-4.0), 5.0); // 3 ≤ 5: clamped, state stays 11
        assert_eq!(w.step(0.0), 11.0);
    }

    #[test]
    fn rates_stay_within_the_clamps() {
        let mut w = RandomWalk::new(50.0, 10.0, 80.0, 20.0);
        let mut rng = stream_rng(5, "arrivals/f");
        for _ in 0..100_000 {
            let r = w.next_rate(&mut rng);
            assert!((20.0..=80.0).contains(&r));
        }
    }
}
