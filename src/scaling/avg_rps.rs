//! The average-requests-per-second scaler (`avg_rps`; HPA-like, faas-sim
//! `AverageFaasRequestScaler`, `docs/scaling.md`).
//!
//! Every `alert_window` `P`: the total rate `S = Δcount / P` against the target `T` requests/s per
//! Running replica. `ratio = S / (n × T)`. Without pending replicas (or when scaling down) a ratio
//! within the tolerance `τ` of 1 changes nothing, otherwise the target is `ceil(S / T)`. When
//! scaling up while replicas are pending, those count as replicas with rate 0:
//! `ratio2 = S / ((n + p) × T)`; within tolerance or below 1 nothing happens
//! (`not_ready_reversal`), otherwise the target is `max(ceil(S / T), current)`. The target is
//! clamped to `[scale_min, scale_max]`.

use super::{scale_to_clamped, Counts, ScalingDecision};

/// Parameters of the average-rps scaler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AvgRps {
    /// Period and window, s.
    pub window_s: f64,
    /// Target requests/s per Running replica.
    pub target_rps: f64,
    /// Tolerance band around a ratio of 1.
    pub tolerance: f64,
}

impl AvgRps {
    /// The decision for `delta` requests in the last window; `c.running > 0`.
    pub fn decide(&self, delta: u64, c: Counts, scale_min: u32, scale_max: u32) -> ScalingDecision {
        let (n, p) = (c.running as f64, c.pending as f64);
        let t = self.target_rps;
        let s = delta as f64 / self.window_s;
        let ratio = s / (n * t);
        let d = if c.pending == 0 || ratio <= 1.0 {
            if (ratio - 1.0).abs() <= self.tolerance {
                return ScalingDecision::none("within_tolerance").metric("avg_rps_ratio", ratio);
            }
            (s / t).ceil()
        } else {
            let ratio2 = s / ((n + p) * t);
            if (ratio2 - 1.0).abs() <= self.tolerance || ratio2 < 1.0 {
                return ScalingDecision::none("not_ready_reversal").metric("avg_rps_ratio", ratio);
            }
            (s / t).ceil().max(c.current() as f64)
        };
        let reason = if ratio > 1.0 {
            "threshold_exceeded"
        } else {
            "below_threshold"
        };
        scale_to_clamped(to_u32(d), scale_min, scale_max, c.current(), reason)
            .metric("avg_rps_ratio", ratio)
    }
}

/// A non-negative float target as a count (saturating).
pub(crate) fn to_u32(d: f64) -> u32 {
    if d >= u32::MAX as f64 {
        u32::MAX
    } else if d > 0.0 {
        d as u32
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaling::Action;

    /// `T = 2`, `τ = 0.1`, `scale_min = 1`; a window of 1 s makes `Δcount = S`.
    fn spec() -> AvgRps {
        AvgRps {
            window_s: 10.0,
            target_rps: 2.0,
            tolerance: 0.1,
        }
    }

    fn decide(s_rps: f64, n: u32, p: u32) -> ScalingDecision {
        let delta = (s_rps * 10.0).round() as u64;
        spec().decide(
            delta,
            Counts {
                running: n,
                pending: p,
            },
            1,
            20,
        )
    }

    #[test]
    fn twenty_rps_on_four_replicas_targets_ten() {
        let d = decide(20.0, 4, 0);
        assert_eq!(d.metric_value, Some(2.5));
        assert_eq!(d.action, Action::ScaleTo(10), "scale_up(6)");
    }

    #[test]
    fn pending_replicas_count_as_zero_rate_but_the_target_stays_ceil_s_over_t() {
        let d = decide(20.0, 4, 2);
        assert_eq!(d.action, Action::ScaleTo(10), "scale_up(4) from 6 live");
    }

    #[test]
    fn pending_replicas_that_would_absorb_the_load_reverse_a_scale_up() {
        let d = decide(9.0, 4, 2);
        assert_eq!(d.action, Action::None);
        assert_eq!(d.reason, "not_ready_reversal");
    }

    #[test]
    fn a_ratio_inside_the_tolerance_band_changes_nothing() {
        let d = decide(7.8, 4, 0);
        assert_eq!(d.action, Action::None);
        assert_eq!(d.reason, "within_tolerance");
    }

    #[test]
    fn a_low_rate_scales_down_to_ceil_s_over_t() {
        let d = decide(2.0, 4, 0);
        assert_eq!(d.action, Action::ScaleTo(1), "scale_down(3)");
        assert_eq!(d.reason, "below_threshold");
    }

    #[test]
    fn no_request_scales_to_scale_min() {
        assert_eq!(decide(0.0, 4, 0).action, Action::ScaleTo(1));
        let at_min = decide(0.0, 1, 0);
        assert_eq!(
            (at_min.action, at_min.reason),
            (Action::None, "at_scale_min")
        );
    }

    #[test]
    fn the_target_is_capped_at_scale_max() {
        let d = decide(100.0, 4, 0);
        assert_eq!(d.action, Action::ScaleTo(20));
        assert_eq!(d.desired, Some(20));
    }
}
