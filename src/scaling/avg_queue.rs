//! The average-queue scaler (`avg_queue`; faas-sim `AverageQueueFaasRequestScaler`,
//! `docs/scaling.md`).
//!
//! Every `alert_window`: `q_i` = requests waiting in Running replica `i`'s local queue,
//! `m = ceil(median(q))` (an even count takes the mean of the two middle values), `ratio = m / T`
//! with `T = target_queue_length`. Without pending replicas (or when `ratio ≤ 1`): within the
//! tolerance nothing happens, otherwise the target is `ceil(n × m / T)`. With pending replicas and
//! `ratio > 1`, each pending replica adds a queue of length 0: `m2 = ceil(median(q ∪ {0}ᵖ))`,
//! `ratio2 = m2 / T`; within tolerance or below 1 nothing happens, otherwise the target is
//! `max(ceil((n + p) × m2 / T), current)`. Clamped to `[scale_min, scale_max]`.
//!
//! Local queues exist only with the HTTP watchdog; with `unbounded` every `q_i` is 0.

use super::avg_rps::to_u32;
use super::{scale_to_clamped, Counts, ScalingDecision};

/// Parameters of the average-queue scaler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AvgQueue {
    /// Period, s.
    pub window_s: f64,
    /// Target waiting requests per replica.
    pub target: f64,
    /// Tolerance band around a ratio of 1.
    pub tolerance: f64,
}

/// `ceil(median)` of `sorted` with `zeros` extra zeros in front, without allocating.
pub fn ceil_median(sorted: &[u32], zeros: usize) -> u32 {
    let len = sorted.len() + zeros;
    if len == 0 {
        return 0;
    }
    let at = |k: usize| -> u64 {
        if k < zeros {
            0
        } else {
            sorted[k - zeros] as u64
        }
    };
    if len % 2 == 1 {
        at(len / 2) as u32
    } else {
        ((at(len / 2 - 1) + at(len / 2)).div_ceil(2)) as u32
    }
}

impl AvgQueue {
    /// The decision for the local queue lengths `queues` of the `c.running > 0` Running replicas
    /// (sorted in place).
    pub fn decide(
        &self,
        queues: &mut [u32],
        c: Counts,
        scale_min: u32,
        scale_max: u32,
    ) -> ScalingDecision {
        queues.sort_unstable();
        let t = self.target;
        let m = ceil_median(queues, 0);
        let ratio = m as f64 / t;
        let d = if c.pending == 0 || ratio <= 1.0 {
            if (ratio - 1.0).abs() <= self.tolerance {
                return ScalingDecision::none("within_tolerance").metric("median_queue", m as f64);
            }
            (c.running as f64 * m as f64 / t).ceil()
        } else {
            let m2 = ceil_median(queues, c.pending as usize);
            let ratio2 = m2 as f64 / t;
            if (ratio2 - 1.0).abs() <= self.tolerance || ratio2 < 1.0 {
                return ScalingDecision::none("not_ready_reversal")
                    .metric("median_queue", m as f64);
            }
            (c.current() as f64 * m2 as f64 / t)
                .ceil()
                .max(c.current() as f64)
        };
        let reason = if ratio > 1.0 {
            "threshold_exceeded"
        } else {
            "below_threshold"
        };
        scale_to_clamped(to_u32(d), scale_min, scale_max, c.current(), reason)
            .metric("median_queue", m as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaling::Action;

    fn spec() -> AvgQueue {
        AvgQueue {
            window_s: 50.0,
            target: 4.0,
            tolerance: 0.1,
        }
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two_rounded_up() {
        assert_eq!(ceil_median(&[0, 3, 8, 10], 0), 6);
        assert_eq!(ceil_median(&[0, 3, 8, 10], 2), 2, "[0,0,0,3,8,10] → 1.5");
        assert_eq!(ceil_median(&[1, 2, 9], 0), 2);
        assert_eq!(ceil_median(&[], 0), 0);
    }

    #[test]
    fn queues_0_3_8_10_with_target_4_scale_four_replicas_to_six() {
        let mut q = [10, 0, 8, 3];
        let c = Counts {
            running: 4,
            pending: 0,
        };
        let d = spec().decide(&mut q, c, 1, 20);
        assert_eq!(d.metric_value, Some(6.0));
        assert_eq!(d.action, Action::ScaleTo(6), "scale_up(2)");
    }

    #[test]
    fn two_pending_replicas_bring_the_median_below_target_so_nothing_changes() {
        let mut q = [0, 3, 8, 10];
        let c = Counts {
            running: 4,
            pending: 2,
        };
        let d = spec().decide(&mut q, c, 1, 20);
        assert_eq!((d.action, d.reason), (Action::None, "not_ready_reversal"));
    }

    #[test]
    fn empty_queues_scale_down_to_scale_min() {
        let mut q = [0, 0, 0];
        let c = Counts {
            running: 3,
            pending: 0,
        };
        assert_eq!(spec().decide(&mut q, c, 1, 20).action, Action::ScaleTo(1));
    }
}
