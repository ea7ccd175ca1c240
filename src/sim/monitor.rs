//! The resource monitor (`docs/model.md`): periodic samples of the exact usage integrals
//! of [`crate::platform::Usage`], the window averages the HPA reads, and the `utilization` rows.
//!
//! It runs iff some deployment uses `hpa_cpu` or `outputs.utilization.enabled` is set, ticking at
//! `k × monitor.interval_s` (`k ≥ 1`). Its ticks are observers: the run loop never ends a run
//! because of them nor after them, and nothing but the HPA reads what they store, so switching
//! the `utilization` table on changes no other row (only `runs.events_processed`).

use super::{Event, Simulation};
use crate::config::HpaBasis;
use crate::engine::SimTime;
use crate::metrics::UtilizationRow;
use crate::model::Model;
use crate::platform::usage::average;
use crate::platform::ReplicaState;
use crate::scaling::{Autoscaler, FunctionScaling, HpaInput};
use std::collections::VecDeque;

/// Monitor state.
#[derive(Debug)]
pub(super) struct Monitor {
    /// Tick interval.
    pub interval: SimTime,
    /// Ticks so far.
    ticks: u64,
    /// Write `utilization` rows every `every`-th tick (0: never).
    every: u64,
    per_replica: bool,
    /// `(I_cpu, I_mem)` of each node at the previous tick.
    node_last: Vec<(u128, u128)>,
    /// `(I_cpu, I_mem)` of each replica at the previous tick (0 before it existed).
    replica_last: Vec<(u128, u128)>,
    /// Per replica of an HPA function: `(tick time, I_cpu)` of the ticks inside the window.
    history: Vec<VecDeque<(SimTime, u128)>>,
    /// Functions whose replicas need a history.
    hpa_function: Vec<bool>,
    /// Longest HPA window.
    window: SimTime,
}

impl Monitor {
    /// The monitor of a run, if anything needs it.
    pub fn build(model: &Model, fscale: &[FunctionScaling], nodes: usize) -> Option<Monitor> {
        let hpa_function: Vec<bool> = fscale
            .iter()
            .map(|f| matches!(f.autoscaler, Autoscaler::HpaCpu(_)))
            .collect();
        let out = &model.outputs.utilization;
        if !out.enabled && !hpa_function.contains(&true) {
            return None;
        }
        Some(Monitor {
            interval: model.scaling.monitor_interval,
            ticks: 0,
            every: if out.enabled { out.every as u64 } else { 0 },
            per_replica: out.per_replica,
            node_last: vec![(0, 0); nodes],
            replica_last: Vec::new(),
            history: Vec::new(),
            hpa_function,
            window: model.scaling.hpa_window,
        })
    }
}

impl Monitor {
    /// Drops the history of a replica that ended.
    pub fn forget(&mut self, r: u32) {
        // The slot's next replica starts from nothing (and reuses the history's capacity).
        if let Some(h) = self.history.get_mut(r as usize) {
            h.clear();
        }
        if let Some(last) = self.replica_last.get_mut(r as usize) {
            *last = (0, 0);
        }
    }
}

impl Simulation<'_> {
    /// `I_cpu(now)` of replica `r`: the platform's part ([`crate::platform::Usage`]) plus, under
    /// isolated CPUs, its computing requests' part kept in its compute line (docs/performance.md,
    /// "Round 9b").
    #[inline]
    pub(super) fn replica_cpu_at(&self, r: u32, now: SimTime) -> u128 {
        self.usage.replica_cpu[r as usize].at(now) + self.compute.cpu_integral(r, now)
    }

    /// `I_cpu(now)` of node `n`: its replicas' (each with compute's part) and its stopped
    /// replicas'.
    fn node_cpu_at(&self, n: usize, now: SimTime) -> u128 {
        (self.usage).node_cpu_at(n, now, |r| self.compute.cpu_integral(r, now))
    }

    /// A monitor tick: utilization rows (if kept), then the samples of this tick.
    pub(super) fn on_monitor_tick(&mut self) {
        let mut m = self.monitor.take().expect("monitor tick without a monitor");
        let now = self.now;
        self.queue.push(now.plus(m.interval), Event::MonitorTick);
        m.ticks += 1;
        let n_replicas = self.replicas.slots();
        m.replica_last.resize(n_replicas, (0, 0));
        m.history.resize_with(n_replicas, VecDeque::new);
        if m.every > 0 && m.ticks % m.every == 0 {
            self.utilization_rows(&m);
        }
        for n in 0..m.node_last.len() {
            m.node_last[n] = (self.node_cpu_at(n, now), self.usage.node_mem[n].at(now));
        }
        let from = SimTime(now.0.saturating_sub(m.window.0));
        for &r in &self.resident {
            let r = r as usize;
            let cpu = self.replica_cpu_at(r as u32, now);
            m.replica_last[r] = (cpu, self.usage.replica_mem[r].at(now));
            if m.hpa_function[self.replicas.function[r] as usize] {
                let h = &mut m.history[r];
                h.push_back((now, cpu));
                while h.front().is_some_and(|&(t, _)| t < from) {
                    h.pop_front();
                }
            }
        }
        self.monitor = Some(m);
    }

    fn utilization_rows(&mut self, m: &Monitor) {
        let now = self.now;
        let since = SimTime(now.0.saturating_sub(m.interval.0));
        let nodes = &self.cluster.nodes;
        let n_nodes = nodes.len();
        // Per-node counts over the replicas holding resources.
        let mut counts = vec![[0u32; 4]; n_nodes];
        for &r in &self.resident {
            let r = r as usize;
            let st = self.replicas.state[r];
            let c = &mut counts[self.replicas.node[r] as usize];
            c[0] += st.is_live() as u32;
            c[1] += (st == ReplicaState::Running) as u32;
            c[2] += self.compute.executing(r as u32);
            c[3] += self.compute.queued(r as u32);
        }
        for (n, c) in counts.iter().enumerate() {
            let cap_cpu = nodes.cpu_capacity[n].max(0) as u64;
            let cap_mem = nodes.mem_capacity[n].max(0) as u64;
            let cpu = average(self.node_cpu_at(n, now), m.node_last[n].0, now, since);
            let mem = average(self.usage.node_mem[n].at(now), m.node_last[n].1, now, since);
            self.util_rows.push(UtilizationRow {
                t: now,
                node: n as u32,
                replica: None,
                function: None,
                cpu_capacity_m: cap_cpu,
                mem_capacity_bytes: cap_mem,
                cpu_requested_m: (nodes.cpu_capacity[n] - nodes.cpu_free()[n]).max(0) as u64,
                mem_requested_bytes: (nodes.mem_capacity[n] - nodes.mem_free()[n]).max(0) as u64,
                cpu_used_avg_m: cpu,
                mem_used_avg_bytes: mem,
                cpu_util: ratio(cpu, cap_cpu),
                mem_util: ratio(mem, cap_mem),
                replicas_live: c[0],
                replicas_running: c[1],
                executing: c[2],
                queued: c[3],
            });
        }
        if !m.per_replica {
            return;
        }
        // By node, then creation order.
        let mut running: Vec<(u32, u32, u32)> = self
            .resident
            .iter()
            .filter(|&&r| self.replicas.state[r as usize] == ReplicaState::Running)
            .map(|&r| {
                (
                    self.replicas.node[r as usize],
                    self.replicas.id[r as usize],
                    r,
                )
            })
            .collect();
        running.sort_unstable();
        for (node, id, r) in running {
            let ri = r as usize;
            let f = &self.model.functions[self.replicas.function[ri] as usize];
            let c = &f.containers[self.replicas.container[ri] as usize];
            let last = m.replica_last.get(ri).copied().unwrap_or((0, 0));
            let cpu = average(self.replica_cpu_at(r, now), last.0, now, since);
            let mem = average(self.usage.replica_mem[ri].at(now), last.1, now, since);
            let (req_cpu, req_mem) = (c.cpu.max(0) as u64, c.mem.max(0) as u64);
            self.util_rows.push(UtilizationRow {
                t: now,
                node,
                replica: Some(id),
                function: Some(self.replicas.function[ri]),
                cpu_capacity_m: req_cpu,
                mem_capacity_bytes: req_mem,
                cpu_requested_m: req_cpu,
                mem_requested_bytes: req_mem,
                cpu_used_avg_m: cpu,
                mem_used_avg_bytes: mem,
                cpu_util: ratio(cpu, req_cpu),
                mem_util: ratio(mem, req_mem),
                replicas_live: 1,
                replicas_running: 1,
                executing: self.compute.executing(ri as u32),
                queued: self.compute.queued(ri as u32),
            });
        }
    }

    /// Average used CPU of Running replica `r` over the HPA window ending now, if it has a metric:
    /// from `t0 = max(running_since, first tick ≥ now − W)`, at least one monitor interval long.
    fn window_cpu(&self, m: &Monitor, r: usize) -> Option<f64> {
        let now = self.now;
        let iv = m.interval.0.max(1);
        let start = now.0.saturating_sub(m.window.0);
        let first_tick = SimTime(start.div_ceil(iv).max(1) * iv);
        let running_since = self.replicas.t_running[r];
        let (t0, i0) = if first_tick <= running_since {
            (running_since, self.usage.cpu_at_running[r])
        } else {
            let h = m.history.get(r)?;
            // The history is in time order and pruned to the window at every monitor tick, so
            // the window's first tick is at the front or (when the monitor last ticked up to
            // one interval ago) one entry in: O(1) per HPA tick, whatever the interval.
            let at = h
                .iter()
                .position(|&(t, _)| t >= first_tick)
                .unwrap_or(h.len());
            let &(t, i) = h.get(at)?;
            if t != first_tick {
                return None;
            }
            (first_tick, i)
        };
        if now.since(t0) < m.interval || now < t0 {
            return None;
        }
        Some(average(self.replica_cpu_at(r as u32, now), i0, now, t0))
    }

    /// The HPA's figures for `function` now (`docs/scaling.md`).
    pub(super) fn hpa_input(&self, function: u32) -> HpaInput {
        let Some(m) = &self.monitor else {
            return HpaInput::default();
        };
        let f = &self.functions[function as usize];
        let fm = &self.model.functions[function as usize];
        let basis = match &self.fscale[function as usize].autoscaler {
            Autoscaler::HpaCpu(h) => h.basis,
            _ => HpaBasis::Request,
        };
        let basis_of = |r: usize| -> f64 {
            let node = self.replicas.node[r];
            match basis {
                HpaBasis::NodeCapacity if node != u32::MAX => {
                    self.cluster.nodes.cpu_capacity[node as usize] as f64
                }
                _ => fm.containers[self.replicas.container[r] as usize].cpu as f64,
            }
        };
        let mut x = HpaInput::default();
        for &r in &f.live_ids {
            let ri = r as usize;
            let metric = if self.replicas.state[ri] == ReplicaState::Running {
                self.window_cpu(m, ri)
            } else {
                None
            };
            match metric {
                Some(u) => {
                    x.ready += 1;
                    x.used_m += u;
                    x.basis_m += basis_of(ri);
                }
                None => {
                    x.not_ready += 1;
                    x.basis_pending_m += basis_of(ri);
                }
            }
        }
        x
    }
}

fn ratio(used: f64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        used / of as f64
    }
}
