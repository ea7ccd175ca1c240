//! Deployment operations: deploy, scale_up, scale_down, remove, suspend (`spec/model.md` §7),
//! and workload start triggers that depend on replicas becoming ready.

use super::{Event, Simulation};
use crate::config::CommandAction;
use crate::engine::SimTime;
use crate::platform::{ReplicaId, ReplicaState, NONE};

impl Simulation<'_> {
    /// Deploys a function: registers it and creates `scale_min` replicas.
    pub(super) fn on_deploy(&mut self, function: u32) {
        let f = &mut self.functions[function as usize];
        f.active = true;
        f.removed = false;
        f.last_count_change = self.now;
        let n = f.scaling.scale_min;
        self.record_scaling(function, "lifecycle", "deploy", Some(n), 0, "deploy");
        if n > 0 {
            self.scale_up(function, n, "lifecycle", "scale_min");
        }
    }

    /// Creates up to `n` replicas, filling images in ranking order up to their caps and the
    /// deployment up to `scale_max` (pending replicas count). Returns the number created.
    pub fn scale_up(
        &mut self,
        function: u32,
        n: u32,
        scaler: &'static str,
        reason: &'static str,
    ) -> u32 {
        let f = &self.functions[function as usize];
        let allowed = n.min(f.scaling.scale_max.saturating_sub(f.live));
        if allowed == 0 {
            self.record_scaling(
                function,
                scaler,
                "scale_up",
                Some(f.live + n),
                0,
                "at_scale_max",
            );
            return 0;
        }
        let mut left = allowed;
        let mut created = 0;
        for ci in 0..self.functions[function as usize].containers.len() {
            if left == 0 {
                break;
            }
            let f = &self.functions[function as usize];
            let take = left.min(
                f.containers[ci]
                    .cap
                    .saturating_sub(f.live_per_container[ci]),
            );
            for _ in 0..take {
                self.create_replica(function, ci as u32, 0, NONE);
            }
            left -= take;
            created += take;
        }
        let f = &mut self.functions[function as usize];
        if created > 0 {
            f.scale_ups += 1;
        }
        let desired = f.live + left;
        let why = if left > 0 { "image_caps" } else { reason };
        self.record_scaling(
            function,
            scaler,
            "scale_up",
            Some(desired),
            created as i32,
            why,
        );
        created
    }

    /// Removes up to `n` Running replicas (newest first), never below `scale_min`.
    pub fn scale_down(
        &mut self,
        function: u32,
        n: u32,
        scaler: &'static str,
        reason: &'static str,
    ) -> u32 {
        let f = &self.functions[function as usize];
        let removable = n
            .min(f.running)
            .min(f.live.saturating_sub(f.scaling.scale_min));
        if removable == 0 {
            let why = if f.running == 0 {
                "no_running"
            } else {
                "at_scale_min"
            };
            self.record_scaling(function, scaler, "scale_down", None, 0, why);
            return 0;
        }
        let victims: Vec<ReplicaId> = f
            .eligible
            .iter()
            .rev()
            .take(removable as usize)
            .copied()
            .collect();
        for &r in &victims {
            self.begin_teardown(r, ReplicaState::Suspended, "scale_down");
        }
        self.functions[function as usize].scale_downs += 1;
        self.record_scaling(
            function,
            scaler,
            "scale_down",
            None,
            -(victims.len() as i32),
            reason,
        );
        victims.len() as u32
    }

    /// Removes a deployment: every replica ends as Removed; waiting requests are rejected.
    pub fn remove(&mut self, function: u32) {
        let live = self.functions[function as usize].live as i32;
        self.end_all_replicas(function, ReplicaState::Removed, "deployment_removed");
        let f = &mut self.functions[function as usize];
        f.active = false;
        f.removed = true;
        let waiting: Vec<u32> = f.cold_queue.drain(..).collect();
        for slot in waiting {
            self.reject(slot, "removed");
        }
        self.record_scaling(function, "lifecycle", "remove", Some(0), -live, "remove");
    }

    fn end_all_replicas(&mut self, function: u32, state: ReplicaState, reason: &'static str) {
        let ids: Vec<ReplicaId> = (0..self.replicas.len() as u32)
            .filter(|&r| {
                self.replicas.function[r as usize] == function
                    && self.replicas.state[r as usize].is_live()
            })
            .collect();
        for r in ids {
            self.begin_teardown(r, state, reason);
        }
    }

    /// Runs scripted command `index`.
    pub(super) fn on_command(&mut self, index: u32) -> Result<(), String> {
        let c = &self.sc.commands[index as usize];
        let function = self
            .functions
            .iter()
            .position(|f| f.name == c.function && f.deployment.is_some())
            .ok_or_else(|| {
                format!(
                    "commands[{index}].function: no deployment named `{}`",
                    c.function
                )
            })? as u32;
        let f = &self.functions[function as usize];
        match c.action {
            CommandAction::Deploy => {
                if !f.active {
                    self.on_deploy(function);
                }
            }
            CommandAction::Remove => {
                if f.active {
                    self.remove(function);
                }
            }
            CommandAction::Suspend => {
                if f.active {
                    self.suspend(function);
                }
            }
            CommandAction::Scale => {
                let n = c.replicas.ok_or_else(|| {
                    format!("commands[{index}].replicas: `scale` needs a replica count")
                })?;
                if f.active {
                    let d = n.clamp(f.scaling.scale_min, f.scaling.scale_max);
                    self.scale_to(function, d, "command");
                }
            }
        }
        Ok(())
    }

    /// Scales to `d` live replicas: scale up, or cancel Conceived replicas (newest first) and
    /// scale down the remainder.
    pub fn scale_to(&mut self, function: u32, d: u32, scaler: &'static str) {
        let live = self.functions[function as usize].live;
        if d > live {
            self.scale_up(function, d - live, scaler, "scale_to");
        } else if d < live {
            let mut excess = live - d;
            let conceived: Vec<ReplicaId> = (0..self.replicas.len() as u32)
                .rev()
                .filter(|&r| {
                    self.replicas.function[r as usize] == function
                        && self.replicas.state[r as usize] == ReplicaState::Conceived
                })
                .take(excess as usize)
                .collect();
            for &r in &conceived {
                self.end_replica(r, ReplicaState::Removed, "cancelled");
            }
            excess -= conceived.len() as u32;
            if !conceived.is_empty() {
                self.record_scaling(
                    function,
                    scaler,
                    "cancel",
                    Some(d),
                    -(conceived.len() as i32),
                    "scale_to",
                );
            }
            if excess > 0 {
                self.scale_down(function, excess, scaler, "scale_to");
            }
        } else {
            self.record_scaling(function, scaler, "none", Some(d), 0, "at_target");
        }
    }

    /// Scales a function to zero, ignoring `scale_min`; the deployment and scalers stay.
    pub fn suspend(&mut self, function: u32) {
        let live = self.functions[function as usize].live as i32;
        self.end_all_replicas(function, ReplicaState::Suspended, "suspend");
        self.record_scaling(function, "lifecycle", "suspend", Some(0), -live, "suspend");
    }

    /// Called when a replica failed for good: requests waiting for the function get a new
    /// chance through scale-from-zero if nothing else is live.
    pub(super) fn on_replica_lost(&mut self, function: u32) {
        let _ = function;
    }

    /// Starts generating a workload's arrivals at `max(now, start)`.
    pub(super) fn start_workload(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        let start = if w.start == SimTime::NEVER {
            self.now
        } else {
            w.start
        };
        w.start = start;
        w.waiting_ready = false;
        w.last = start;
        let end = self.sc.workloads[wi as usize]
            .duration_s
            .map(|d| start.plus(SimTime::from_secs_f64(d)))
            .unwrap_or(SimTime::NEVER);
        w.end = match self.horizon {
            Some(h) if self.sc.run.horizon_s.is_some() => end.min(h),
            _ => end,
        };
        self.schedule_next_arrival(wi);
    }

    /// Schedules a workload's next arrival, or retires the workload.
    pub(super) fn schedule_next_arrival(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        if w.remaining == 0 {
            self.retire_workload(wi);
            return;
        }
        let ia = w.process.next_ia(w.last.as_secs_f64(), &mut w.rng);
        let t = w.last.plus(SimTime::from_secs_f64(ia));
        if t >= w.end {
            self.retire_workload(wi);
            return;
        }
        w.last = t;
        w.remaining -= 1;
        self.queue.push(t, Event::Arrival { workload: wi });
    }

    fn retire_workload(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        if w.active {
            w.active = false;
            self.generating -= 1;
            if self.generating == 0 {
                self.close_horizon();
            }
        }
    }

    /// Starts `after_ready` workloads whose deployments all have a Running replica.
    pub(super) fn check_ready_workloads(&mut self) {
        for wi in 0..self.workloads.len() {
            let w = &self.workloads[wi];
            if w.waiting_ready
                && w.ready_for
                    .iter()
                    .all(|&f| self.functions[f as usize].running > 0)
            {
                self.start_workload(wi as u32);
            }
        }
    }
}
