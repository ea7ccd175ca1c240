//! The Kubernetes Horizontal Pod Autoscaler on CPU utilisation (`hpa_cpu`, `docs/scaling.md`).
//!
//! Every `scaling.hpa.period_s` (15 s): the **ready** replicas are the Running ones for which the
//! resource monitor has a window average (`docs/model.md`). With `Σu` their average used
//! CPU over `scaling.hpa.window_s` (60 s) and `Σb` their CPU requests (or node capacities with
//! `basis = "node_capacity"`), `U = Σu / Σb` and `ratio = U / target`.
//!
//! - No pending replica, or `ratio ≤ 1`: the recommendation is `current` inside the tolerance
//!   band, else `ceil(ratio × n)`.
//! - Scaling up with pending replicas: they count with usage 0 and their requests,
//!   `ratio2 = Σu / (Σb + Σb_pending) / target`; inside the band or below 1 the recommendation is
//!   `current` (`not_ready_reversal`), else `max(ceil(ratio2 × (n + p)), current)`.
//!
//! The recommendation is clamped to `[max(scale_min, 1), scale_max]` and remembered; a
//! scale-down is limited to the highest recommendation of the last
//! `scale_down_stabilization_s` (300 s) (`stabilized`), and a scale-up to
//! `max(2 × current, current + 4)` (`rate_limited`), the Kubernetes default policies.

use super::avg_rps::to_u32;
use super::{Action, Counts, ScalingDecision};
use crate::config::{HpaBasis, HpaConfig};
use crate::engine::SimTime;
use std::collections::VecDeque;

/// The HPA's parameters and its recommendation history.
#[derive(Clone, Debug)]
pub struct Hpa {
    /// Period, s.
    pub period_s: f64,
    /// Tolerance band around a ratio of 1.
    pub tolerance: f64,
    /// Metric window, s.
    pub window_s: f64,
    /// Utilisation basis.
    pub basis: HpaBasis,
    /// Scale-down stabilisation window.
    pub stabilization: SimTime,
    /// Target utilisation (fraction).
    pub target: f64,
    /// The clamped recommendations of the stabilisation window that can still be its maximum:
    /// oldest first, recommendations strictly decreasing (a monotonic deque), so the window's
    /// maximum is the front and each tick costs O(1) amortised whatever the period.
    history: VecDeque<(SimTime, u32)>,
}

/// The monitor's figures at a tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HpaInput {
    /// Ready replicas `n` (Running with a metric).
    pub ready: u32,
    /// `current − n`.
    pub not_ready: u32,
    /// `Σu_i`, millicores.
    pub used_m: f64,
    /// `Σb_i` of the ready replicas, millicores.
    pub basis_m: f64,
    /// `Σb` of the not-ready replicas, millicores.
    pub basis_pending_m: f64,
}

impl Hpa {
    /// An HPA with the global settings and a deployment's target.
    pub fn new(c: &HpaConfig, target: f64) -> Hpa {
        Hpa {
            period_s: c.period_s,
            tolerance: c.tolerance,
            window_s: c.window_s,
            basis: c.basis,
            stabilization: SimTime::from_secs_f64(c.scale_down_stabilization_s),
            target,
            history: VecDeque::new(),
        }
    }

    /// The decision at time `now`; `x.ready + x.not_ready` is the current live count.
    pub fn decide(
        &mut self,
        now: SimTime,
        x: HpaInput,
        scale_min: u32,
        scale_max: u32,
    ) -> ScalingDecision {
        if x.ready == 0 {
            return ScalingDecision::none("no_metrics");
        }
        let c = Counts {
            running: x.ready,
            pending: x.not_ready,
        };
        let current = c.current();
        let u = x.used_m / x.basis_m;
        let ratio = u / self.target;
        let (raw, mut reason) = if x.not_ready == 0 || ratio <= 1.0 {
            if (ratio - 1.0).abs() <= self.tolerance {
                (current, "within_tolerance")
            } else {
                let why = if ratio > 1.0 {
                    "threshold_exceeded"
                } else {
                    "below_threshold"
                };
                (to_u32((ratio * x.ready as f64).ceil()), why)
            }
        } else {
            let ratio2 = x.used_m / (x.basis_m + x.basis_pending_m) / self.target;
            if (ratio2 - 1.0).abs() <= self.tolerance || ratio2 < 1.0 {
                (current, "not_ready_reversal")
            } else {
                let r = to_u32((ratio2 * current as f64).ceil()).max(current);
                (r, "threshold_exceeded")
            }
        };
        let lo = scale_min.max(1);
        let mut rec = raw.clamp(lo, scale_max.max(lo));
        if rec != raw && rec == current {
            reason = if raw > rec {
                "at_scale_max"
            } else {
                "at_scale_min"
            };
        }
        // Remember the clamped recommendation, forget those older than the window. An older
        // recommendation no larger than this one can never be the window's maximum again.
        while self.history.back().is_some_and(|&(_, r)| r <= rec) {
            self.history.pop_back();
        }
        self.history.push_back((now, rec));
        let from = SimTime(now.0.saturating_sub(self.stabilization.0));
        while self.history.front().is_some_and(|&(t, _)| t < from) {
            self.history.pop_front();
        }
        if rec < current {
            let max = self.history.front().map_or(rec, |&(_, r)| r);
            if max > rec {
                rec = max.min(current);
                reason = "stabilized";
            }
        }
        let limit = (2 * current as u64)
            .max(current as u64 + 4)
            .min(u32::MAX as u64) as u32;
        if rec > limit {
            rec = limit;
            reason = "rate_limited";
        }
        let d = if rec == current {
            ScalingDecision::none(reason)
        } else {
            ScalingDecision {
                action: Action::ScaleTo(rec),
                desired: None,
                metric_name: None,
                metric_value: None,
                reason,
            }
        };
        d.desired(rec).metric("cpu_utilization", u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa() -> Hpa {
        Hpa::new(&HpaConfig::default(), 0.5)
    }

    fn at(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    fn ready(n: u32, used_m: f64, request_m: f64) -> HpaInput {
        HpaInput {
            ready: n,
            not_ready: 0,
            used_m,
            basis_m: n as f64 * request_m,
            basis_pending_m: 0.0,
        }
    }

    #[test]
    fn three_replicas_at_eighty_percent_against_a_half_target_scale_to_five() {
        let d = hpa().decide(at(15.0), ready(3, 900.0 + 800.0 + 700.0, 1000.0), 1, 20);
        assert!((d.metric_value.unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(d.action, Action::ScaleTo(5), "scale_up(2), limit 7");
        assert_eq!(d.reason, "threshold_exceeded");
    }

    #[test]
    fn a_scale_down_waits_for_the_highest_recommendation_of_the_stabilisation_window() {
        let mut h = hpa();
        // Recommendations 6, 5, 3 at current 6: each stays at 6.
        let d = h.decide(at(15.0), ready(6, 6.0 * 500.0, 1000.0), 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "within_tolerance"));
        let d = h.decide(at(30.0), ready(6, 5.0 * 500.0, 1000.0), 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "stabilized"));
        let d = h.decide(at(45.0), ready(6, 3.0 * 500.0, 1000.0), 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "stabilized"));
        assert_eq!(d.desired, Some(6));
        // 300 s after the recommendation of 6 (and 5) only the 3s remain.
        let d = h.decide(at(331.0), ready(6, 3.0 * 500.0, 1000.0), 1, 20);
        assert_eq!(d.action, Action::ScaleTo(3));
    }

    #[test]
    fn scale_up_is_limited_to_double_or_plus_four_per_period() {
        let d = hpa().decide(at(15.0), ready(2, 2.0 * 1000.0, 1000.0), 1, 20);
        // ratio 2 → 4 replicas; limit max(4, 6) = 6: allowed.
        assert_eq!(d.action, Action::ScaleTo(4));
        let d = hpa().decide(at(15.0), ready(1, 1000.0 * 5.0, 1000.0), 1, 20);
        // ratio 10 → 10 replicas; limit max(2, 5) = 5.
        assert_eq!((d.action, d.reason), (Action::ScaleTo(5), "rate_limited"));
    }

    #[test]
    fn pending_replicas_count_with_zero_usage_and_their_requests() {
        let x = HpaInput {
            ready: 2,
            not_ready: 2,
            used_m: 2.0 * 700.0,
            basis_m: 2000.0,
            basis_pending_m: 2000.0,
        };
        // ratio 1.4 > 1, ratio2 = 1400 / 4000 / 0.5 = 0.7 < 1 → no change.
        let d = hpa().decide(at(15.0), x, 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "not_ready_reversal"));
    }

    #[test]
    fn no_ready_replica_means_no_metrics() {
        let d = hpa().decide(at(15.0), HpaInput::default(), 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "no_metrics"));
    }

    #[test]
    fn the_lower_bound_is_at_least_one() {
        let d = hpa().decide(at(15.0), ready(2, 0.0, 1000.0), 0, 20);
        assert_eq!(d.action, Action::ScaleTo(1));
    }

    #[test]
    fn the_stabilisation_window_keeps_only_candidates_for_its_maximum() {
        // A millisecond period over a 300 s window: a steady recommendation is one entry, not
        // 300 000, so a tick costs O(1) whatever the period.
        let mut h = hpa();
        for tick in 1..=20_000u64 {
            h.decide(
                SimTime(tick * 1_000_000),
                ready(4, 4.0 * 500.0, 1000.0),
                1,
                20,
            );
        }
        assert_eq!(h.history.len(), 1);
    }
}
