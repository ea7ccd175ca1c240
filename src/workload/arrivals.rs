//! `ArrivalProcess`: turns a rate profile into inter-arrival times (`docs/workloads.md`).
//!
//! `static` and `poisson` query r at the time of the previous arrival (or the start), then draw
//! the inter-arrival time from the workload's own `arrivals/<function>` stream; `poisson_exact`
//! thins a Poisson process at the curve's peak ([`super::thinning`]); a `batch` puts every
//! request at the start (its count is the workload's request limit).

use super::rate::RateProfile;
use crate::config::ArrivalsConfig;
use crate::engine::SimRng;
use rand::RngExt;

/// Step used by `static` when the rate is zero and neither `max_ia` nor `zero_rate_step_s` is
/// set.
pub const ZERO_RATE_STEP_S: f64 = 1.0;

/// An inter-arrival process over a rate profile.
#[derive(Clone, Debug)]
pub struct ArrivalProcess {
    /// r(t).
    pub rate: RateProfile,
    kind: ArrivalsConfig,
}

impl ArrivalProcess {
    /// From the scenario.
    pub fn new(rate: RateProfile, kind: &ArrivalsConfig) -> ArrivalProcess {
        ArrivalProcess {
            rate,
            kind: kind.clone(),
        }
    }

    /// The next inter-arrival time in seconds after an arrival (or start) at `t_prev` seconds.
    #[inline]
    pub fn next_ia(&self, t_prev: f64, rng: &mut SimRng) -> f64 {
        match self.kind {
            // No further arrival: an infinite gap retires the workload.
            ArrivalsConfig::PoissonExact {} => {
                super::thinning::next_arrival(&self.rate, t_prev, rng)
                    .map_or(f64::INFINITY, |t| t - t_prev)
            }
            ArrivalsConfig::Batch { .. } => 0.0,
            _ => self.ia_for_rate(self.rate.rate(t_prev), rng),
        }
    }

    /// The inter-arrival time of `static` or `poisson` at rate `r` (a random-walk rate is
    /// drawn by its source and passed here); 0 for a batch, unused by `poisson_exact`.
    #[inline]
    pub fn ia_for_rate(&self, r: f64, rng: &mut SimRng) -> f64 {
        match self.kind {
            ArrivalsConfig::Static {
                max_ia,
                zero_rate_step_s,
            } => {
                let max_ia = max_ia.unwrap_or(f64::INFINITY);
                if r <= 0.0 {
                    if max_ia.is_finite() {
                        max_ia
                    } else {
                        zero_rate_step_s.unwrap_or(ZERO_RATE_STEP_S)
                    }
                } else {
                    (1.0 / r).min(max_ia)
                }
            }
            ArrivalsConfig::Poisson { scale, max_ia } => {
                let e = if r > 0.0 {
                    let u: f64 = rng.random();
                    -(1.0 - u).ln() / r
                } else {
                    1.0
                };
                (e * scale).min(max_ia.unwrap_or(f64::INFINITY))
            }
            ArrivalsConfig::PoissonExact {}
            | ArrivalsConfig::Batch { .. }
            | ArrivalsConfig::Replay(_) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{stream_rng, SimTime};

    #[test]
    fn static_arrivals_at_20_rps_are_exactly_50ms_apart() {
        let p = ArrivalProcess::new(
            RateProfile::Constant(20.0),
            &ArrivalsConfig::Static {
                max_ia: None,
                zero_rate_step_s: None,
            },
        );
        let mut rng = stream_rng(1, "arrivals/f");
        let mut t = SimTime::ZERO;
        for k in 1..=5 {
            t = t.plus(SimTime::from_secs_f64(p.next_ia(t.as_secs_f64(), &mut rng)));
            assert_eq!(t.0, 50_000_000 * k);
        }
    }

    #[test]
    fn static_arrivals_survive_a_zero_rate() {
        let p = ArrivalProcess::new(
            RateProfile::Constant(0.0),
            &ArrivalsConfig::Static {
                max_ia: None,
                zero_rate_step_s: None,
            },
        );
        let mut rng = stream_rng(1, "arrivals/f");
        assert_eq!(p.next_ia(0.0, &mut rng), ZERO_RATE_STEP_S);
    }

    #[test]
    fn a_zero_rate_waits_max_ia_else_zero_rate_step_s() {
        let gap = |max_ia, zero_rate_step_s| {
            ArrivalProcess::new(
                RateProfile::Constant(0.0),
                &ArrivalsConfig::Static {
                    max_ia,
                    zero_rate_step_s,
                },
            )
            .next_ia(0.0, &mut stream_rng(1, "arrivals/f"))
        };
        assert_eq!(gap(None, Some(0.25)), 0.25);
        assert_eq!(gap(Some(3.0), Some(0.25)), 3.0);
        assert_eq!(gap(None, None), 1.0);
    }

    #[test]
    fn poisson_mean_inter_arrival_is_within_one_percent() {
        let p = ArrivalProcess::new(
            RateProfile::Constant(20.0),
            &ArrivalsConfig::Poisson {
                scale: 1.0,
                max_ia: None,
            },
        );
        let mut rng = stream_rng(42, "arrivals/f");
        let n = 100_000;
        let mean = (0..n).map(|_| p.next_ia(0.0, &mut rng)).sum::<f64>() / n as f64;
        assert!((mean - 0.05).abs() < 0.0005, "mean {mean}");
    }
}
