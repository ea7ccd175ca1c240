//! Deployment operations (`docs/model.md`): deploy, scale_up, scale_down, scale_to, remove,
//! suspend, scripted commands, and the `scaling` decision records (`docs/scaling.md`).
//!
//! The `op_*` functions change the platform and return what they did; [`Simulation::apply`]
//! and the public wrappers turn one decision into exactly one record, with the replica counts
//! from *before* the action.

use super::Simulation;
use crate::config::VictimOrder;
use crate::metrics::ScalingRow;
use crate::model::{CommandKind, CommandModel};
use crate::platform::{ReplicaState, NONE};
use crate::scaling::{Action, Counts, Scaler, ScalingDecision};

/// What an operation did: replicas created (> 0) or selected for removal / cancelled (< 0), and
/// why it did less than asked, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Applied {
    pub n: i32,
    pub short: Option<Shortfall>,
}

/// Why an operation did less than asked (written as the record's `reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shortfall {
    /// `scale_max` live replicas reached.
    AtScaleMax,
    /// Every ranked image is at its cap.
    ImageCaps,
    /// Fewer Running replicas than asked for.
    NoRunning,
    /// `scale_min` live replicas reached.
    AtScaleMin,
}

impl Shortfall {
    /// The `scaling.reason` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Shortfall::AtScaleMax => "at_scale_max",
            Shortfall::ImageCaps => "image_caps",
            Shortfall::NoRunning => "no_running",
            Shortfall::AtScaleMin => "at_scale_min",
        }
    }
}

impl Applied {
    const NOTHING: Applied = Applied { n: 0, short: None };
}

/// One `scaling` record before it is written.
#[derive(Clone, Copy, Debug)]
pub(super) struct Record {
    pub scaler: Scaler,
    pub action: &'static str,
    pub metric: Option<(&'static str, f64)>,
    pub desired: Option<u32>,
    pub reason: &'static str,
}

impl Simulation<'_> {
    /// Writes one `scaling` record (`before` = counts before the action) and updates the
    /// action counters. Records that changed nothing are dropped with
    /// `outputs.scaling.include_noop = false`, except life-cycle and command records.
    pub(super) fn record(&mut self, function: u32, before: Counts, rec: Record, applied: i32) {
        let fi = function as usize;
        if applied > 0 {
            self.functions[fi].scale_ups += 1;
        } else if applied < 0 {
            self.functions[fi].scale_downs += 1;
        }
        if applied != 0 {
            self.scale_actions += 1;
        }
        let out = &self.model.outputs.scaling;
        if !out.enabled || (applied == 0 && !out.include_noop && !rec.scaler.always_recorded()) {
            return;
        }
        self.scaling_rows.push(ScalingRow {
            t: self.now,
            function,
            scaler: rec.scaler.as_str(),
            action: rec.action,
            metric_name: rec.metric.map(|m| m.0),
            metric_value: rec.metric.map(|m| m.1),
            running: before.running,
            pending: before.pending,
            current: before.current(),
            desired: rec.desired,
            applied,
            reason: rec.reason,
        });
    }

    /// Carries out a decision of `scaler` and records it as one `scaling` row: the one place
    /// where the autoscalers, the router's scale-from-zero, `per_request`, the idler,
    /// keep-alive and scripted commands change a deployment.
    pub(super) fn apply(&mut self, function: u32, scaler: Scaler, d: ScalingDecision) -> i32 {
        let before = self.counts(function);
        let current = before.current();
        let (action, done) = match d.action {
            Action::None => ("none", Applied::NOTHING),
            Action::Prewarm(n) => ("prewarm", self.op_scale_up(function, n)),
            Action::Retire(r) => {
                self.begin_teardown(r, ReplicaState::Suspended, "keepalive_expired");
                ("scale_down", Applied { n: -1, short: None })
            }
            Action::Suspend => {
                // The replicas' end reason: `idle` when the idler suspends, else `suspend`.
                let why = if scaler == Scaler::Idler {
                    "idle"
                } else {
                    "suspend"
                };
                ("suspend", self.op_suspend(function, why))
            }
            Action::Remove => ("remove", self.op_remove(function)),
            Action::ScaleUp(n) => ("scale_up", self.op_scale_up(function, n)),
            Action::ScaleDown(n) => ("scale_down", self.op_scale_down(function, n)),
            Action::ScaleTo(t) => {
                let name = if t > current {
                    "scale_up"
                } else if t < current {
                    "scale_down"
                } else {
                    "none"
                };
                (name, self.op_scale_to(function, t))
            }
        };
        let reason = match done.short {
            Some(Shortfall::ImageCaps) => "image_caps",
            Some(why) if done.n == 0 => why.as_str(),
            _ => d.reason,
        };
        let rec = Record {
            scaler,
            action,
            metric: d.metric_name.zip(d.metric_value),
            desired: d.desired,
            reason,
        };
        self.record(function, before, rec, done.n);
        done.n
    }

    /// Deploys a function: registers it, starts its scalers and creates `scale_min` replicas.
    pub(super) fn on_deploy(&mut self, function: u32) {
        let fi = function as usize;
        if self.functions[fi].active {
            return; // already deployed (by a command)
        }
        let before = self.counts(function);
        let f = &mut self.functions[fi];
        f.active = true;
        f.removed = false;
        f.integrate_counts(self.now);
        let n = self.model.functions[fi].scaling.scale_min;
        self.start_scalers(function);
        let done = if n > 0 {
            self.op_scale_up(function, n)
        } else {
            Applied::NOTHING
        };
        let reason = done.short.map_or("deploy", Shortfall::as_str);
        let rec = Record {
            scaler: Scaler::Lifecycle,
            action: "deploy",
            metric: None,
            desired: Some(n),
            reason,
        };
        self.record(function, before, rec, done.n);
    }

    /// Creates up to `n` replicas, filling images in ranking order up to their caps and the
    /// deployment up to `scale_max` (pending replicas count).
    pub(super) fn op_scale_up(&mut self, function: u32, n: u32) -> Applied {
        let f = &self.functions[function as usize];
        let fm = &self.model.functions[function as usize];
        let allowed = n.min(fm.scaling.scale_max.saturating_sub(f.live));
        if allowed == 0 {
            return Applied {
                n: 0,
                short: (n > 0).then_some(Shortfall::AtScaleMax),
            };
        }
        let mut left = allowed;
        let mut created = 0;
        for ci in 0..fm.containers.len() {
            if left == 0 {
                break;
            }
            let f = &self.functions[function as usize];
            let take = left.min(
                fm.containers[ci]
                    .cap
                    .saturating_sub(f.live_per_container[ci]),
            );
            for _ in 0..take {
                self.create_replica(function, ci as u32, 0, NONE);
            }
            left -= take;
            created += take;
        }
        let short = if left > 0 {
            Some(Shortfall::ImageCaps)
        } else if allowed < n {
            Some(Shortfall::AtScaleMax)
        } else {
            None
        };
        Applied {
            n: created as i32,
            short,
        }
    }

    /// Selects up to `n` Running replicas for removal (`replicas.victim_order`), never going
    /// below `scale_min` live replicas.
    pub(super) fn op_scale_down(&mut self, function: u32, n: u32) -> Applied {
        let f = &self.functions[function as usize];
        let floor = f
            .live
            .saturating_sub(self.model.functions[function as usize].scaling.scale_min);
        let removable = n.min(f.running).min(floor);
        let short = if removable == n {
            None
        } else if f.running == 0 {
            Some(Shortfall::NoRunning)
        } else if floor < n.min(f.running) {
            Some(Shortfall::AtScaleMin)
        } else {
            Some(Shortfall::NoRunning)
        };
        if removable == 0 {
            return Applied { n: 0, short };
        }
        let eligible = self.router.eligible(function);
        let mut victims = std::mem::take(&mut self.scratch);
        victims.clear();
        let k = removable as usize;
        match self.model.scaling.victim_order {
            VictimOrder::Newest => victims.extend(eligible.iter().rev().take(k)),
            VictimOrder::Oldest => victims.extend(eligible.iter().take(k)),
            VictimOrder::LeastLoaded => {
                victims.extend(eligible.iter());
                let (t, c) = (&self.replicas, &self.compute);
                victims.sort_by_key(|&r| (c.outstanding(r), std::cmp::Reverse(t.id[r as usize])));
                victims.truncate(k);
            }
        }
        for &r in &victims {
            self.begin_teardown(r, ReplicaState::Suspended, "scale_down");
        }
        self.scratch = victims;
        Applied {
            n: -(removable as i32),
            short,
        }
    }

    /// Scales to `d` live replicas: scale up, or cancel Conceived replicas (newest first, →
    /// Removed, reason `cancelled`) and scale down the remainder.
    pub(super) fn op_scale_to(&mut self, function: u32, d: u32) -> Applied {
        let live = self.functions[function as usize].live;
        if d > live {
            return self.op_scale_up(function, d - live);
        }
        if d == live {
            return Applied::NOTHING;
        }
        let excess = live - d;
        let mut cancel = std::mem::take(&mut self.scratch);
        cancel.clear();
        cancel.extend(
            self.functions[function as usize]
                .live_ids
                .iter()
                .rev()
                .filter(|&&r| self.replicas.state[r as usize] == ReplicaState::Conceived)
                .take(excess as usize),
        );
        for &r in &cancel {
            self.end_replica(r, ReplicaState::Removed, "cancelled");
        }
        let cancelled = cancel.len() as u32;
        self.scratch = cancel;
        let mut done = Applied {
            n: -(cancelled as i32),
            short: None,
        };
        if excess > cancelled {
            let down = self.op_scale_down(function, excess - cancelled);
            done.n += down.n;
            done.short = down.short;
        }
        done
    }

    /// Tears down every live replica of `function` (Conceived ones are cancelled); returns the
    /// negated number of live replicas before.
    fn end_all_replicas(
        &mut self,
        function: u32,
        state: ReplicaState,
        reason: &'static str,
    ) -> i32 {
        // begin_teardown edits `live_ids` (pending replicas stay live until they are Running).
        let ids = self.functions[function as usize].live_ids.clone();
        let n = ids.len() as i32;
        for r in ids {
            self.begin_teardown(r, state, reason);
        }
        -n
    }

    /// Removes a deployment: its scalers stop, every replica ends as Removed, waiting requests
    /// are rejected.
    fn op_remove(&mut self, function: u32) -> Applied {
        let n = self.end_all_replicas(function, ReplicaState::Removed, "deployment_removed");
        let f = &mut self.functions[function as usize];
        f.active = false;
        f.removed = true;
        self.queue.cancel(self.fscale[function as usize].tick);
        while let Some(slot) = self.router.take_waiting(function) {
            self.reject(slot, "removed");
        }
        Applied { n, short: None }
    }

    /// Scales a function to zero, ignoring `scale_min`; the deployment and its scalers stay.
    fn op_suspend(&mut self, function: u32, reason: &'static str) -> Applied {
        Applied {
            n: self.end_all_replicas(function, ReplicaState::Suspended, reason),
            short: None,
        }
    }

    /// `scale_up(function, n)` recorded as one row of `scaler`; returns replicas created.
    pub fn scale_up(&mut self, function: u32, n: u32, scaler: Scaler, reason: &'static str) -> u32 {
        let before = self.counts(function);
        let d = ScalingDecision {
            action: Action::ScaleUp(n),
            desired: Some(before.current().saturating_add(n)),
            metric_name: None,
            metric_value: None,
            reason,
        };
        self.apply(function, scaler, d).max(0) as u32
    }

    /// `scale_down(function, n)` recorded as one row of `scaler`; returns replicas removed.
    pub fn scale_down(
        &mut self,
        function: u32,
        n: u32,
        scaler: Scaler,
        reason: &'static str,
    ) -> u32 {
        let d = ScalingDecision {
            action: Action::ScaleDown(n),
            desired: None,
            metric_name: None,
            metric_value: None,
            reason,
        };
        (-self.apply(function, scaler, d)).max(0) as u32
    }

    /// `scale_to(function, d)` recorded as one row of `scaler`; returns the signed change.
    pub fn scale_to(&mut self, function: u32, d: u32, scaler: Scaler) -> i32 {
        let dec = ScalingDecision {
            action: Action::ScaleTo(d),
            desired: Some(d),
            metric_name: None,
            metric_value: None,
            reason: "scale_to",
        };
        self.apply(function, scaler, dec)
    }

    /// Removes a deployment (recorded as `lifecycle` `remove`).
    pub fn remove(&mut self, function: u32) {
        self.retire(function, Scaler::Lifecycle, Action::Remove, "remove");
    }

    /// Suspends a deployment (recorded as `lifecycle` `suspend`).
    pub fn suspend(&mut self, function: u32) {
        self.retire(function, Scaler::Lifecycle, Action::Suspend, "suspend");
    }

    /// Runs `remove` or `suspend` (target 0) as a decision of `scaler`.
    fn retire(&mut self, function: u32, scaler: Scaler, action: Action, reason: &'static str) {
        let d = ScalingDecision {
            action,
            desired: Some(0),
            metric_name: None,
            metric_value: None,
            reason,
        };
        self.apply(function, scaler, d);
    }

    /// Runs scripted command `index` (recorded with scaler `command`).
    pub(super) fn on_command(&mut self, index: u32) {
        let CommandModel { function, kind, .. } = self.model.commands[index as usize];
        let active = self.functions[function as usize].active;
        let before = self.counts(function);
        let skipped = |sim: &mut Self, action: &'static str, reason: &'static str| {
            let rec = Record {
                scaler: Scaler::Command,
                action,
                metric: None,
                desired: None,
                reason,
            };
            sim.record(function, before, rec, 0);
        };
        let inactive = |sim: &mut Self, action: &'static str| skipped(sim, action, "not_deployed");
        match kind {
            CommandKind::Deploy => {
                if active {
                    skipped(self, "deploy", "already_deployed");
                } else {
                    self.on_deploy(function);
                }
            }
            CommandKind::Remove if !active => inactive(self, "remove"),
            CommandKind::Suspend if !active => inactive(self, "suspend"),
            CommandKind::Remove => {
                self.retire(function, Scaler::Command, Action::Remove, "command")
            }
            CommandKind::Suspend => {
                self.retire(function, Scaler::Command, Action::Suspend, "command")
            }
            CommandKind::ScaleTo(_) | CommandKind::ScaleUp(_) | CommandKind::ScaleDown(_)
                if !active =>
            {
                inactive(self, "scale_to")
            }
            CommandKind::ScaleTo(n) | CommandKind::ScaleUp(n) | CommandKind::ScaleDown(n) => {
                let s = &self.model.functions[function as usize].scaling;
                let action = match kind {
                    CommandKind::ScaleUp(_) => Action::ScaleUp(n),
                    CommandKind::ScaleDown(_) => Action::ScaleDown(n),
                    _ => Action::ScaleTo(n.clamp(s.scale_min, s.scale_max)),
                };
                let desired = match action {
                    Action::ScaleTo(d) => Some(d),
                    _ => None,
                };
                let d = ScalingDecision {
                    action,
                    desired,
                    metric_name: None,
                    metric_value: None,
                    reason: "command",
                };
                self.apply(function, Scaler::Command, d);
            }
        }
    }
}
