//! Thinning: the exact non-homogeneous Poisson process of any rate curve (`docs/workloads.md`).
//!
//! Candidates come from a homogeneous Poisson process at the curve's upper bound `r_max`; a
//! candidate at `t` is kept with probability `r(t) / r_max`. The kept points form a Poisson
//! process of intensity `r(t)` exactly, whatever the shape of the curve (Lewis and Shedler).

use super::RateProfile;
use crate::engine::SimRng;
use rand::RngExt;

/// The first arrival after `t_prev` seconds, or `None` if the curve has no more arrivals.
///
/// Per candidate two draws are made from `rng`, in this order: the exponential gap, then the
/// acceptance test.
#[inline]
pub fn next_arrival(curve: &RateProfile, t_prev: f64, rng: &mut SimRng) -> Option<f64> {
    let r_max = curve.max_rate();
    if r_max <= 0.0 {
        return None;
    }
    let until = curve.positive_until();
    let mut t = t_prev;
    loop {
        let u: f64 = rng.random();
        t += -(1.0 - u).ln() / r_max;
        if t >= until {
            return None;
        }
        let accept: f64 = rng.random();
        if accept * r_max < curve.rate(t) {
            return Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;
    use crate::workload::{Bursts, Ramp};

    /// Counts thinned arrivals in `[0, end)`.
    fn count(curve: &RateProfile, end: f64, seed: u64) -> u64 {
        let mut rng = stream_rng(seed, "arrivals/f");
        let mut t = 0.0;
        let mut n = 0;
        while let Some(next) = next_arrival(curve, t, &mut rng) {
            if next >= end {
                break;
            }
            t = next;
            n += 1;
        }
        n
    }

    #[test]
    fn a_sine_curve_yields_its_integral_within_one_percent() {
        // ∫ over whole periods = max_rps/2 × length: 50 × 2000 = 100 000 expected.
        let sine = RateProfile::Sine {
            max_rps: 100.0,
            period_s: 100.0,
            phase_s: 0.0,
        };
        let n = count(&sine, 2000.0, 7) as f64;
        assert!((n / 100_000.0 - 1.0).abs() < 0.01, "{n}");
    }

    #[test]
    fn a_ramp_yields_its_integral_within_one_percent() {
        // 0 → 100 rps over 1000 s, then 100 rps for 500 s: 50 000 + 50 000.
        let ramp = RateProfile::Ramp(Ramp {
            from_rps: 0.0,
            to_rps: 100.0,
            start_s: 0.0,
            duration_s: 1000.0,
        });
        let n = count(&ramp, 1500.0, 8) as f64;
        assert!((n / 100_000.0 - 1.0).abs() < 0.01, "{n}");
    }

    #[test]
    fn bursts_yield_their_mean_rate_within_one_percent() {
        let b = Bursts {
            base_rps: 10.0,
            burst_rps: 200.0,
            first_s: 0.0,
            length_s: 5.0,
            every_s: 50.0,
        };
        let expected = b.mean_rate() * 3000.0; // 29 * 3000 = 87 000
        let n = count(&RateProfile::Bursts(b), 3000.0, 9) as f64;
        assert!((n / expected - 1.0).abs() < 0.01, "{n} vs {expected}");
    }

    #[test]
    fn a_rate_that_drops_to_zero_for_good_ends_the_process() {
        let ramp = RateProfile::Ramp(Ramp {
            from_rps: 50.0,
            to_rps: 0.0,
            start_s: 0.0,
            duration_s: 10.0,
        });
        let mut rng = stream_rng(1, "arrivals/f");
        let mut t = 0.0;
        let mut n = 0;
        while let Some(next) = next_arrival(&ramp, t, &mut rng) {
            assert!(next < 10.0);
            t = next;
            n += 1;
        }
        // ∫ = 250; five standard deviations is ±79.
        assert!((170..330).contains(&n), "{n}");
        assert_eq!(
            next_arrival(&RateProfile::Constant(0.0), 0.0, &mut rng),
            None
        );
    }
}
