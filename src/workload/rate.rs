//! `RateProfile`: the request rate r(t) of a workload (`docs/workloads.md`).

use super::{Bursts, Ramp, Steps};
use crate::config::RateConfig;
use std::f64::consts::PI;

/// A rate profile in requests per second as a function of absolute simulated time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateProfile {
    /// `r(t) = rps`.
    Constant(f64),
    /// `((sin((t + phase) / (period / 2π)) + 1) / 2) × max`, evaluated in that order.
    Sine {
        /// Peak rate.
        max_rps: f64,
        /// Period, seconds.
        period_s: f64,
        /// Phase shift, seconds.
        phase_s: f64,
    },
    /// Linear change between two rates.
    Ramp(Ramp),
    /// A base rate with periodic bursts.
    Bursts(Bursts),
    /// Piecewise constant.
    Steps(Steps),
}

impl RateProfile {
    /// From the scenario, every rate multiplied by `scale` (`workload.scale`; multiplying by 1
    /// is exact, so an unscaled scenario sees the very same rates).
    pub fn from_config(c: &RateConfig, scale: f64) -> RateProfile {
        match c {
            RateConfig::Constant { rps } => RateProfile::Constant(rps * scale),
            RateConfig::Sine {
                max_rps,
                period_s,
                phase_s,
            } => RateProfile::Sine {
                max_rps: max_rps * scale,
                period_s: *period_s,
                phase_s: *phase_s,
            },
            RateConfig::Ramp {
                from_rps,
                to_rps,
                start_s,
                duration_s,
            } => RateProfile::Ramp(Ramp {
                from_rps: from_rps * scale,
                to_rps: to_rps * scale,
                start_s: *start_s,
                duration_s: *duration_s,
            }),
            RateConfig::Bursts {
                base_rps,
                burst_rps,
                first_s,
                length_s,
                every_s,
            } => RateProfile::Bursts(Bursts {
                base_rps: base_rps * scale,
                burst_rps: burst_rps * scale,
                first_s: *first_s,
                length_s: *length_s,
                every_s: *every_s,
            }),
            // The walk itself lives in the workload's source (it has state); the curve is only
            // its upper bound, for validation.
            RateConfig::RandomWalk { max_rps, .. } => RateProfile::Constant(max_rps * scale),
            RateConfig::Steps { points } => RateProfile::Steps(Steps {
                points: points.iter().map(|&[t, r]| [t, r * scale]).collect(),
            }),
        }
    }

    /// An upper bound of r(t) over all t (the thinning envelope).
    pub fn max_rate(&self) -> f64 {
        match self {
            RateProfile::Constant(r) => *r,
            RateProfile::Sine { max_rps, .. } => *max_rps,
            RateProfile::Ramp(r) => r.max_rate(),
            RateProfile::Bursts(b) => b.max_rate(),
            RateProfile::Steps(s) => s.max_rate(),
        }
    }

    /// A time after which r(t) is 0 for good (infinite if the rate stays positive somewhere
    /// later); thinning stops searching there.
    pub fn positive_until(&self) -> f64 {
        let inf = f64::INFINITY;
        match self {
            RateProfile::Constant(r) | RateProfile::Sine { max_rps: r, .. } => {
                if *r > 0.0 {
                    inf
                } else {
                    0.0
                }
            }
            RateProfile::Ramp(r) => {
                if r.to_rps > 0.0 {
                    inf
                } else {
                    r.start_s + r.duration_s
                }
            }
            RateProfile::Bursts(b) => {
                if b.max_rate() > 0.0 {
                    inf
                } else {
                    0.0
                }
            }
            RateProfile::Steps(s) => match s.points.last() {
                Some(&[_, r]) if r > 0.0 => inf,
                _ => s
                    .points
                    .iter()
                    .rposition(|p| p[1] > 0.0)
                    .map(|i| s.points[i + 1][0])
                    .unwrap_or(0.0),
            },
        }
    }

    /// r(t).
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        match *self {
            RateProfile::Constant(r) => r,
            RateProfile::Sine {
                max_rps,
                period_s,
                phase_s,
            } => (((t + phase_s) / (period_s / (2.0 * PI))).sin() + 1.0) / 2.0 * max_rps,
            RateProfile::Ramp(ref r) => r.rate(t),
            RateProfile::Bursts(ref b) => b.rate(t),
            RateProfile::Steps(ref s) => s.rate(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_profile_matches_the_spec_examples() {
        let p = RateProfile::Sine {
            max_rps: 80.0,
            period_s: 100.0,
            phase_s: 0.0,
        };
        assert!((p.rate(0.0) - 40.0).abs() < 1e-12);
        assert!((p.rate(12.5) - 68.2842712474619).abs() < 1e-9);
        assert!((p.rate(25.0) - 80.0).abs() < 1e-12);
        assert!((p.rate(50.0) - 40.0).abs() < 1e-12);
        assert!(p.rate(75.0).abs() < 1e-12);
    }

    #[test]
    fn scaling_multiplies_every_rate_and_no_time() {
        let c = RateConfig::Steps {
            points: vec![[0.0, 2.0], [10.0, 4.0]],
        };
        let p = RateProfile::from_config(&c, 2.5);
        assert_eq!(p.rate(5.0), 5.0);
        assert_eq!(p.rate(10.0), 10.0);
        assert_eq!(p.max_rate(), 10.0);
    }

    #[test]
    fn steps_ending_at_zero_stop_being_positive_at_the_zero_step() {
        let p = RateProfile::Steps(Steps {
            points: vec![[0.0, 2.0], [10.0, 0.0]],
        });
        assert_eq!(p.positive_until(), 10.0);
        assert_eq!(RateProfile::Constant(1.0).positive_until(), f64::INFINITY);
    }
}
