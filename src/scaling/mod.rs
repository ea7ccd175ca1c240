//! Autoscalers, scale to zero and keep-alive policies (`docs/scaling.md`).
//!
//! Every policy is a small type whose decision is a pure function of the figures the simulation
//! hands it, so each formula is unit-tested on hand-computed cases (docs/scaling.md):
//!
//! | module | policy | reads |
//! |---|---|---|
//! | [`request_rate`] | OpenFaaS alert style step scaler (`request_rate`) | Δcount over the period |
//! | [`avg_rps`] | HPA-like average requests per second per replica (`avg_rps`) | Δcount over the window |
//! | [`avg_queue`] | HPA-like median local queue length (`avg_queue`) | queue lengths of Running replicas |
//! | [`hpa`] | Kubernetes HPA on CPU utilisation (`hpa_cpu`) | the resource monitor's window averages |
//! | [`per_request`] | one replica per request without a free pending slot (`per_request`) | waiting requests, pending slots |
//! | [`idler`] | scale to zero after inactivity | last arrival |
//! | [`keepalive`] | fixed and hybrid-histogram keep-alive of idle replicas | idle times, invocation gaps |
//!
//! The simulation holds one [`FunctionScaling`] per function and dispatches on the
//! [`Autoscaler`] enum at each periodic tick (`Event::ScalerTick`); no trait objects are involved.
//! Every decision becomes one row of the `scaling` table (see `docs/scaling.md`).

pub mod avg_queue;
pub mod avg_rps;
pub mod hpa;
pub mod idler;
pub mod keepalive;
pub mod per_request;
pub mod request_rate;
pub mod scaler;

use crate::config::{AutoscalerKind, ResolveMode, ScalingConfig, ScalingGlobalConfig};
use crate::engine::{SimTime, TimerId};

pub use avg_queue::AvgQueue;
pub use avg_rps::AvgRps;
pub use hpa::{Hpa, HpaInput};
pub use keepalive::{KeepalivePolicy, Windows};
pub use request_rate::RequestRate;
pub use scaler::Scaler;

/// What a scaler asks the platform to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// `scale_up(n)`.
    ScaleUp(u32),
    /// `scale_down(n)`.
    ScaleDown(u32),
    /// `scale_to(d)`.
    ScaleTo(u32),
    /// Create `n` replicas ahead of an expected request (keep-alive pre-warming; recorded as
    /// action `prewarm`).
    Prewarm(u32),
    /// Tear down one idle Running replica, named by its replica slot (keep-alive; recorded as
    /// `scale_down`).
    Retire(u32),
    /// Scale the deployment to zero, ignoring `scale_min`; the deployment and its scalers stay.
    Suspend,
    /// Remove the deployment: its scalers stop and waiting requests are rejected.
    Remove,
}

/// One scaler decision: the action, the target count and the figures behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalingDecision {
    /// What to do.
    pub action: Action,
    /// The scaler's target replica count, when it computes one.
    pub desired: Option<u32>,
    /// Name of the metric the decision was based on.
    pub metric_name: Option<&'static str>,
    /// Its value.
    pub metric_value: Option<f64>,
    /// Why (`docs/scaling.md`).
    pub reason: &'static str,
}

impl ScalingDecision {
    /// A decision to do nothing.
    pub fn none(reason: &'static str) -> ScalingDecision {
        ScalingDecision {
            action: Action::None,
            desired: None,
            metric_name: None,
            metric_value: None,
            reason,
        }
    }

    /// The same decision with a metric.
    pub fn metric(mut self, name: &'static str, value: f64) -> ScalingDecision {
        self.metric_name = Some(name);
        self.metric_value = Some(value);
        self
    }

    /// The same decision with a target count.
    pub fn desired(mut self, d: u32) -> ScalingDecision {
        self.desired = Some(d);
        self
    }
}

/// Replica counts of a function at a tick: `n` Running, `p` pending (Conceived … Starting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Running replicas `n`.
    pub running: u32,
    /// Pending replicas `p`.
    pub pending: u32,
}

impl Counts {
    /// `current = n + p` (live replicas).
    pub fn current(self) -> u32 {
        self.running + self.pending
    }
}

/// `scale_to(clamp(d, lo, hi))` as a decision, with the reason for a clamped or unchanged
/// target: `at_scale_max` / `at_scale_min` when the clamp kept the count where it is,
/// `at_target` when `d` equals the current count.
pub fn scale_to_clamped(
    d: u32,
    lo: u32,
    hi: u32,
    current: u32,
    reason: &'static str,
) -> ScalingDecision {
    let target = d.clamp(lo, hi);
    if target == current {
        let why = if d > hi {
            "at_scale_max"
        } else if d < lo {
            "at_scale_min"
        } else {
            "at_target"
        };
        return ScalingDecision::none(why).desired(target);
    }
    ScalingDecision {
        action: Action::ScaleTo(target),
        desired: Some(target),
        metric_name: None,
        metric_value: None,
        reason,
    }
}

/// A function's replica-count autoscaler, with its parameters and state.
#[derive(Clone, Debug)]
pub enum Autoscaler {
    /// No periodic scaler.
    None,
    /// [`RequestRate`].
    RequestRate(RequestRate),
    /// [`AvgRps`].
    AvgRps(AvgRps),
    /// [`AvgQueue`].
    AvgQueue(AvgQueue),
    /// [`Hpa`].
    HpaCpu(Hpa),
    /// [`per_request`]: reacts to queued requests, no periodic tick.
    PerRequest,
}

impl Autoscaler {
    /// Builds the autoscaler of a deployment: its own `autoscaler` key, else the global one.
    pub fn from_config(dep: &ScalingConfig, global: &ScalingGlobalConfig) -> Autoscaler {
        match dep.autoscaler.unwrap_or(global.autoscaler) {
            AutoscalerKind::None => Autoscaler::None,
            AutoscalerKind::RequestRate => Autoscaler::RequestRate(RequestRate {
                period_s: dep.rps_threshold_duration,
                threshold_rps: dep.rps_threshold,
                step: request_rate::step(dep.scale_factor, dep.scale_max),
                to_min: global.request_rate.resolve == ResolveMode::ToMin,
            }),
            AutoscalerKind::AvgRps => Autoscaler::AvgRps(AvgRps {
                window_s: dep.alert_window,
                target_rps: dep.target_average_rps,
                tolerance: dep.target_average_rps_threshold,
            }),
            AutoscalerKind::AvgQueue => Autoscaler::AvgQueue(AvgQueue {
                window_s: dep.alert_window,
                target: dep.target_queue_length,
                tolerance: dep.target_average_rps_threshold,
            }),
            AutoscalerKind::HpaCpu => {
                Autoscaler::HpaCpu(Hpa::new(&global.hpa, dep.target_average_utilization))
            }
            AutoscalerKind::PerRequest => Autoscaler::PerRequest,
        }
    }

    /// Who its decisions are recorded as in the `scaling` table.
    pub fn scaler(&self) -> Scaler {
        match self {
            Autoscaler::None => Scaler::None,
            Autoscaler::RequestRate(_) => Scaler::RequestRate,
            Autoscaler::AvgRps(_) => Scaler::AvgRps,
            Autoscaler::AvgQueue(_) => Scaler::AvgQueue,
            Autoscaler::HpaCpu(_) => Scaler::HpaCpu,
            Autoscaler::PerRequest => Scaler::PerRequest,
        }
    }

    /// Name in the `scaling` table.
    pub fn name(&self) -> &'static str {
        self.scaler().as_str()
    }

    /// Tick period, for periodic scalers.
    pub fn period(&self) -> Option<SimTime> {
        let s = match self {
            Autoscaler::RequestRate(s) => s.period_s,
            Autoscaler::AvgRps(s) => s.window_s,
            Autoscaler::AvgQueue(s) => s.window_s,
            Autoscaler::HpaCpu(s) => s.period_s,
            Autoscaler::None | Autoscaler::PerRequest => return None,
        };
        Some(SimTime::from_secs_f64(s))
    }
}

/// Scaling state of one function.
///
/// Laid out in declaration order from a cache-line boundary, the fields every request touches
/// first: an arrival writes `last_arrival`, a dispatch counts `dispatches`, an idle replica
/// reads the keep-alive policy (a `fixed` policy's windows sit right behind its tag) and an
/// arrival and a completion update a `hybrid_histogram` one, so a request finds them in one
/// line (the arrival's and dispatch's records are written only when something reads them:
/// an idler or a hybrid policy, `scaling.count = "dispatches"`); the autoscaler, read at its
/// ticks, comes after (docs/performance.md, "Round 8: cache misses of many-function runs",
/// and "Round 10: bounds checks on the request path").
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct FunctionScaling {
    /// The last arrival, or the deploy time if none since (for the idler; written only when
    /// some function has `scale_zero` or a `hybrid_histogram` keep-alive).
    pub last_arrival: SimTime,
    /// Requests handed to a replica (counted only under `scaling.count = "dispatches"`, its
    /// only reader).
    pub dispatches: u64,
    /// The keep-alive policy of idle replicas.
    pub keepalive: KeepalivePolicy,
    /// The pending periodic tick (cancelled when the deployment is removed).
    pub tick: TimerId,
    /// The counter's value at the previous tick (`Δcount` is measured from it).
    pub last_count: u64,
    /// The replica-count autoscaler.
    pub autoscaler: Autoscaler,
}

impl FunctionScaling {
    /// The scaling state of a deployment.
    pub fn new(dep: &ScalingConfig, global: &ScalingGlobalConfig) -> FunctionScaling {
        let ka = dep.keepalive.as_ref().unwrap_or(&global.keepalive);
        FunctionScaling {
            autoscaler: Autoscaler::from_config(dep, global),
            keepalive: KeepalivePolicy::from_config(ka),
            tick: TimerId::NONE,
            last_count: 0,
            dispatches: 0,
            last_arrival: SimTime::ZERO,
        }
    }

    /// A function without a deployment: nothing scales it.
    pub fn inert() -> FunctionScaling {
        FunctionScaling {
            autoscaler: Autoscaler::None,
            keepalive: KeepalivePolicy::None,
            tick: TimerId::NONE,
            last_count: 0,
            dispatches: 0,
            last_arrival: SimTime::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clamped_target_equal_to_the_current_count_is_no_action_with_the_bound_as_reason() {
        assert_eq!(scale_to_clamped(25, 1, 20, 20, "x").reason, "at_scale_max");
        assert_eq!(scale_to_clamped(0, 1, 20, 1, "x").reason, "at_scale_min");
        assert_eq!(scale_to_clamped(4, 1, 20, 4, "x").reason, "at_target");
        assert_eq!(
            scale_to_clamped(25, 1, 20, 4, "x").action,
            Action::ScaleTo(20)
        );
    }

    #[test]
    fn the_deployment_override_wins_over_the_global_autoscaler() {
        let global = ScalingGlobalConfig {
            autoscaler: AutoscalerKind::AvgRps,
            ..Default::default()
        };
        let mut dep = ScalingConfig::default();
        assert_eq!(Autoscaler::from_config(&dep, &global).name(), "avg_rps");
        dep.autoscaler = Some(AutoscalerKind::None);
        assert_eq!(Autoscaler::from_config(&dep, &global).name(), "none");
        dep.autoscaler = Some(AutoscalerKind::HpaCpu);
        let a = Autoscaler::from_config(&dep, &global);
        assert_eq!(a.period(), Some(SimTime::from_secs_f64(15.0)));
    }

    #[test]
    fn what_a_request_touches_of_its_function_s_scaling_state_is_in_the_first_line() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(align_of::<FunctionScaling>(), 64);
        assert_eq!(offset_of!(FunctionScaling, last_arrival), 0);
        assert_eq!(offset_of!(FunctionScaling, dispatches), 8);
        // The policy's tag and a `fixed` policy's windows (16 bytes behind an 8-byte tag).
        assert_eq!(offset_of!(FunctionScaling, keepalive), 16);
        assert!(16 + 8 + size_of::<keepalive::Windows>() <= 64);
    }
}
