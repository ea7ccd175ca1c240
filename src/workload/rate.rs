//! `RateProfile`: the request rate r(t) of a workload (`docs/scenario.md`).

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
}

impl RateProfile {
    /// From the scenario.
    pub fn from_config(c: &RateConfig) -> RateProfile {
        match c {
            RateConfig::Constant { rps } => RateProfile::Constant(*rps),
            RateConfig::Sine {
                max_rps,
                period_s,
                phase_s,
            } => RateProfile::Sine {
                max_rps: *max_rps,
                period_s: *period_s,
                phase_s: *phase_s,
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
}
