//! The request-rate scaler (`request_rate`; OpenFaaS alert style, faas-sim `FaasRequestScaler`,
//! `docs/scaling.md`).
//!
//! Every period `P = rps_threshold_duration`: `rps = Δcount / P`; with
//! `step = max(1, floor(scale_factor × scale_max / 100))`, scale up by `step` when
//! `rps ≥ rps_threshold`, otherwise scale down by `step` (or to `scale_min` with
//! `scaling.request_rate.resolve = "to_min"`).

use super::{Action, Counts, ScalingDecision};

/// Parameters of the request-rate scaler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestRate {
    /// Period and measurement window, s.
    pub period_s: f64,
    /// Threshold, requests/s.
    pub threshold_rps: f64,
    /// Replicas added or removed per action.
    pub step: u32,
    /// Resolve to `scale_min` instead of stepping down.
    pub to_min: bool,
}

/// `max(1, floor(scale_factor × scale_max / 100))` in integers (faas-sim computed 0 with the
/// defaults and never scaled).
pub fn step(scale_factor: u32, scale_max: u32) -> u32 {
    ((scale_factor as u64 * scale_max as u64) / 100).max(1) as u32
}

impl RequestRate {
    /// The decision for `delta` requests counted during the last period.
    pub fn decide(&self, delta: u64, c: Counts, scale_min: u32, scale_max: u32) -> ScalingDecision {
        let rps = delta as f64 / self.period_s;
        let current = c.current();
        let d = if rps >= self.threshold_rps {
            ScalingDecision {
                action: Action::ScaleUp(self.step),
                desired: Some(current.saturating_add(self.step).min(scale_max)),
                metric_name: None,
                metric_value: None,
                reason: "threshold_exceeded",
            }
        } else if self.to_min {
            ScalingDecision {
                action: Action::ScaleTo(scale_min),
                desired: Some(scale_min),
                metric_name: None,
                metric_value: None,
                reason: "below_threshold",
            }
        } else {
            ScalingDecision {
                action: Action::ScaleDown(self.step),
                desired: Some(current.saturating_sub(self.step).max(scale_min)),
                metric_name: None,
                metric_value: None,
                reason: "below_threshold",
            }
        };
        d.metric("rps", rps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_example() -> RequestRate {
        // rps_threshold 20, scale_factor 20, scale_max 20.
        RequestRate {
            period_s: 10.0,
            threshold_rps: 20.0,
            step: step(20, 20),
            to_min: false,
        }
    }

    const C: Counts = Counts {
        running: 5,
        pending: 0,
    };

    #[test]
    fn step_is_scale_factor_percent_of_scale_max_and_at_least_one() {
        assert_eq!(step(20, 20), 4);
        assert_eq!(step(1, 20), 1, "faas-sim's defaults gave 0");
        assert_eq!(step(50, 10), 5);
    }

    #[test]
    fn two_hundred_fifty_arrivals_in_ten_seconds_scale_up_by_the_step() {
        let d = spec_example().decide(250, C, 1, 20);
        assert_eq!(d.action, Action::ScaleUp(4));
        assert_eq!(d.metric_value, Some(25.0));
        assert_eq!(d.reason, "threshold_exceeded");
    }

    #[test]
    fn one_hundred_fifty_arrivals_in_ten_seconds_scale_down_by_the_step() {
        let d = spec_example().decide(150, C, 1, 20);
        assert_eq!(d.action, Action::ScaleDown(4));
        assert_eq!(d.metric_value, Some(15.0));
        assert_eq!(d.reason, "below_threshold");
        assert_eq!(d.desired, Some(1));
    }

    #[test]
    fn exactly_the_threshold_scales_up() {
        assert_eq!(
            spec_example().decide(200, C, 1, 20).action,
            Action::ScaleUp(4)
        );
    }

    #[test]
    fn resolve_to_min_scales_to_scale_min_below_the_threshold() {
        let s = RequestRate {
            to_min: true,
            ..spec_example()
        };
        assert_eq!(s.decide(0, C, 2, 20).action, Action::ScaleTo(2));
    }
}
