//! `ArrivalProcess`: turns a rate profile into inter-arrival times (`docs/workloads.md`).
//!
//! `static` and `poisson` query r at the time of the previous arrival (or the start), then draw
//! the inter-arrival time from the workload's own `arrivals/<function>` stream; `poisson_exact`
//! thins a Poisson process at the curve's peak ([`super::thinning`]); a `batch` puts every
//! request at the start (its count is the workload's request limit).
//!
//! A `poisson` process over a constant rate is by far the most common (every azure-like
//! function): [`ArrivalProcess::constant_poisson`] gives it as a [`PoissonGap`], whose draw
//! needs neither the rate curve nor the previous arrival's time, and computes the very same
//! expression as the general path (one function, [`poisson_gap`], serves both).

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
                poisson_gap(r, scale, max_ia.unwrap_or(f64::INFINITY), rng)
            }
            ArrivalsConfig::PoissonExact {}
            | ArrivalsConfig::Batch { .. }
            | ArrivalsConfig::Replay(_) => 0.0,
        }
    }
}

impl ArrivalProcess {
    /// This process as a [`PoissonGap`] if it is `poisson` over a constant rate (its gaps do
    /// not depend on when the previous arrival was).
    pub fn constant_poisson(&self) -> Option<PoissonGap> {
        match (&self.rate, &self.kind) {
            (RateProfile::Constant(rate), ArrivalsConfig::Poisson { scale, max_ia }) => {
                Some(PoissonGap {
                    rate: *rate,
                    scale: *scale,
                    max_ia: max_ia.unwrap_or(f64::INFINITY),
                })
            }
            _ => None,
        }
    }
}

/// The inter-arrival time of a `poisson` process at a constant rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonGap {
    rate: f64,
    scale: f64,
    /// `max_ia`, infinite without one.
    max_ia: f64,
}

impl PoissonGap {
    /// The next inter-arrival time in seconds: [`ArrivalProcess::next_ia`] of the process it
    /// was made from, bit for bit.
    #[inline(always)]
    pub fn draw(&self, rng: &mut SimRng) -> f64 {
        poisson_gap(self.rate, self.scale, self.max_ia, rng)
    }
}

/// A `poisson` gap at rate `r`: an exponential draw of mean `1/r` (1 s at a rate ≤ 0, with no
/// draw), times `scale`, at most `max_ia`.
#[inline(always)]
fn poisson_gap(r: f64, scale: f64, max_ia: f64, rng: &mut SimRng) -> f64 {
    let e = if r > 0.0 {
        let u: f64 = rng.random();
        -(1.0 - u).ln() / r
    } else {
        1.0
    };
    (e * scale).min(max_ia)
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
    fn a_constant_poisson_gap_draws_exactly_what_the_general_process_draws() {
        for (rate, scale, max_ia) in [
            (20.0, 1.0, None),
            (3.33333, 0.5, Some(0.2)),
            (0.0, 2.0, None),
        ] {
            let p = ArrivalProcess::new(
                RateProfile::Constant(rate),
                &ArrivalsConfig::Poisson { scale, max_ia },
            );
            let gap = p.constant_poisson().expect("poisson over a constant rate");
            let (mut a, mut b) = (stream_rng(7, "arrivals/f"), stream_rng(7, "arrivals/f"));
            for k in 0..10_000 {
                let t = k as f64 * 0.01;
                assert_eq!(gap.draw(&mut a).to_bits(), p.next_ia(t, &mut b).to_bits());
            }
        }
        let sine = RateProfile::Sine {
            max_rps: 1.0,
            period_s: 10.0,
            phase_s: 0.0,
        };
        let poisson = ArrivalsConfig::Poisson {
            scale: 1.0,
            max_ia: None,
        };
        assert!(ArrivalProcess::new(sine, &poisson)
            .constant_poisson()
            .is_none());
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
