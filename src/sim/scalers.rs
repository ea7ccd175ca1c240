//! Scaling processes of a run (`docs/scaling.md`): the periodic autoscaler ticks, the idler,
//! keep-alive timers and pre-warming, request-driven scaling, and the `replica_counts` series.
//!
//! The decisions themselves are the pure functions of [`crate::scaling`]; this file gathers their
//! inputs from the simulation state and hands every decision, keep-alive and idler ones
//! included, to [`Simulation::apply`], the one place that changes a deployment and records it.

use super::{Event, Simulation};
use crate::config::CountMode;
use crate::engine::SimTime;
use crate::metrics::ReplicaCountRow;
use crate::platform::idle_clock::ExpiryTimer;
use crate::platform::{ReplicaState, Slot};
use crate::scaling::{
    idler, per_request, Action, Autoscaler, KeepalivePolicy, Scaler, ScalingDecision,
};

impl Simulation<'_> {
    /// Starts a function's periodic autoscaler: first tick one period after now (the deploy).
    pub(super) fn start_scalers(&mut self, function: u32) {
        let fi = function as usize;
        let count = self.scaler_count(function);
        let fs = &mut self.fscale[fi];
        fs.last_arrival = self.now;
        fs.last_count = count;
        // A removed deployment's tick was cancelled, so at most one tick is ever pending.
        if let Some(p) = fs.autoscaler.period() {
            let at = self.now.plus(p);
            fs.tick = self.queue.schedule(at, Event::ScalerTick { function });
        }
    }

    /// The scalers' request counter (`scaling.count`).
    fn scaler_count(&self, function: u32) -> u64 {
        match self.model.scaling.count {
            CountMode::Arrivals => self.functions[function as usize].arrivals,
            CountMode::Dispatches => self.fscale[function as usize].dispatches,
        }
    }

    /// A periodic autoscaler evaluates: one decision, one record, then the next tick.
    pub(super) fn on_scaler_tick(&mut self, function: u32) {
        let fi = function as usize;
        let count = self.scaler_count(function);
        let period = self.fscale[fi]
            .autoscaler
            .period()
            .expect("periodic scaler");
        let next = self.now.plus(period);
        let tick = self.queue.schedule(next, Event::ScalerTick { function });
        let delta = {
            let fs = &mut self.fscale[fi];
            fs.tick = tick;
            let d = count - fs.last_count;
            fs.last_count = count;
            d
        };
        let c = self.counts(function);
        let (lo, hi) = self.scale_bounds(function);
        let name = self.fscale[fi].autoscaler.scaler();
        if c.running == 0 {
            let mut d = ScalingDecision::none("no_running");
            if let Autoscaler::RequestRate(s) = &self.fscale[fi].autoscaler {
                d = d.metric("rps", delta as f64 / s.period_s);
            }
            self.apply(function, name, d);
            return;
        }
        let d = match &mut self.fscale[fi].autoscaler {
            Autoscaler::RequestRate(s) => s.decide(delta, c, lo, hi),
            Autoscaler::AvgRps(s) => s.decide(delta, c, lo, hi),
            Autoscaler::AvgQueue(s) => {
                let s = *s;
                let mut q = std::mem::take(&mut self.scratch);
                q.clear();
                let compute = &self.compute;
                q.extend(
                    self.router
                        .eligible(function)
                        .iter()
                        .map(|&r| compute.queued(r)),
                );
                let d = s.decide(&mut q, c, lo, hi);
                self.scratch = q;
                d
            }
            Autoscaler::HpaCpu(_) => {
                let x = self.hpa_input(function);
                let now = self.now;
                match &mut self.fscale[fi].autoscaler {
                    Autoscaler::HpaCpu(h) => h.decide(now, x, lo, hi),
                    _ => unreachable!(),
                }
            }
            Autoscaler::None | Autoscaler::PerRequest => return,
        };
        self.apply(function, name, d);
    }

    /// `per_request`: a request joined the queue of requests waiting for a replica; create one
    /// if the waiting requests outnumber the worker slots of pending replicas.
    pub(super) fn per_request(&mut self, function: u32) {
        let fi = function as usize;
        if !matches!(self.fscale[fi].autoscaler, Autoscaler::PerRequest) {
            return;
        }
        let f = &self.functions[fi];
        let waiting = self.router.waiting(function) as u64;
        let mut slots = 0u64;
        for &r in &f.live_ids {
            let ri = r as usize;
            if self.replicas.state[ri].is_pending() && !self.replicas.doomed[ri] {
                let w = self.model.functions[fi].containers[self.replicas.container[ri] as usize]
                    .concurrency
                    .workers;
                slots = if w == u32::MAX {
                    u64::MAX
                } else {
                    slots.saturating_add(w as u64)
                };
            }
        }
        let d = if per_request::needs_replica(waiting, slots) {
            ScalingDecision {
                action: Action::ScaleUp(1),
                desired: None,
                metric_name: None,
                metric_value: None,
                reason: "per_request",
            }
        } else {
            ScalingDecision::none("pending_capacity")
        }
        .metric("waiting", waiting as f64);
        self.apply(function, Scaler::PerRequest, d);
    }

    /// The idler checks every deployed `scale_zero` function (`docs/scaling.md`).
    pub(super) fn on_idler_tick(&mut self) {
        let every = self.model.scaling.idler_interval;
        let inactivity = self.model.scaling.idler_inactivity;
        self.queue.push(self.now.plus(every), Event::IdlerTick);
        for fi in 0..self.functions.len() {
            let f = &self.functions[fi];
            if !f.active || !self.model.functions[fi].scaling.scale_zero {
                continue;
            }
            let k = f.counts;
            let outstanding = k.requests - k.completed - k.rejected - k.timed_out;
            let last = self.fscale[fi].last_arrival;
            let check = idler::check(self.now, last, inactivity, f.live, outstanding);
            let idle_s = self.now.since(last).as_secs_f64();
            let function = fi as u32;
            let d = if check == idler::IdleCheck::Suspend {
                ScalingDecision {
                    action: Action::Suspend,
                    desired: Some(0),
                    metric_name: None,
                    metric_value: None,
                    reason: "idle",
                }
            } else {
                ScalingDecision::none(check.reason())
            };
            self.apply(function, Scaler::Idler, d.metric("idle_s", idle_s));
        }
    }

    /// A Running replica has nothing to do: apply the keep-alive policy. `after_request`: its
    /// last request just ended (pre-warming applies only then).
    ///
    /// The common case, a `fixed` policy whose pre-warming does not apply, records the expiry
    /// on a short path; every other case is [`Simulation::idle_by_policy`]'s, out of line, so
    /// that this path saves and restores no registers (docs/performance.md, "Round 9c").
    pub(super) fn on_replica_idle(&mut self, r: Slot, after_request: bool) {
        // A Running replica is placed, so its profile names its function; the profile's line
        // is the one the completion just read (docs/performance.md, "Round 8").
        let fi = self.compute.profile(r).function as usize;
        debug_assert_eq!(fi, self.replicas.function[r as usize] as usize);
        let keepalive = match &self.fscale[fi].keepalive {
            KeepalivePolicy::Fixed(w) if !(after_request && w.prewarm > SimTime::ZERO) => {
                w.keepalive
            }
            _ => return self.idle_by_policy(r, after_request),
        };
        self.record_expiry(r, self.now.plus(keepalive));
    }

    /// [`Simulation::on_replica_idle`] under any policy: none, pre-warming, or windows from
    /// the function's idle-time histogram.
    #[inline(never)]
    fn idle_by_policy(&mut self, r: Slot, after_request: bool) {
        let ri = r as usize;
        let fi = self.compute.profile(r).function as usize;
        let policy = &mut self.fscale[fi].keepalive;
        if !policy.is_active() {
            // No expiry for this idle period: an earlier one, still recorded because
            // dispatches leave it (`dispatch`), must not fire.
            self.forget_expiry(ri);
            return;
        }
        let w = policy.windows().expect("active policy");
        let function = fi as u32;
        if after_request && w.prewarm > SimTime::ZERO {
            let f = &self.functions[fi];
            if f.live > self.model.functions[fi].scaling.scale_min {
                let d = ScalingDecision {
                    action: Action::Retire(r),
                    desired: None,
                    metric_name: None,
                    metric_value: None,
                    reason: "prewarm",
                };
                let d = d.metric("prewarm_s", w.prewarm.as_secs_f64());
                self.forget_expiry(ri);
                self.apply(function, Scaler::Keepalive, d);
                self.queue
                    .push(self.now.plus(w.prewarm), Event::Prewarm { function });
                return;
            }
        }
        self.record_expiry(r, self.now.plus(w.keepalive));
    }

    /// Replica `r`'s idle period expires at `until`: a later pending expiry timer moves
    /// earlier; an earlier one re-checks the expiry when it fires. The timer's due time is
    /// kept beside the expiry, not read from the queue's timer table (one cache line instead
    /// of two).
    #[inline(always)]
    fn record_expiry(&mut self, r: Slot, until: SimTime) {
        let ri = r as usize;
        debug_assert_eq!(
            self.replicas.keepalive.timer(ri).map(|(_, at)| at),
            (self.replicas.keepalive.timer(ri)).and_then(|(t, _)| self.queue.time_of(t)),
            "the recorded keep-alive timer is the queue's"
        );
        match self.replicas.keepalive.begin_idle(ri, until) {
            ExpiryTimer::Pending => {}
            ExpiryTimer::MoveEarlier(timer) => {
                self.queue.move_to(timer, until);
            }
            ExpiryTimer::Schedule => self.schedule_expiry(r, until),
        }
    }

    /// Schedules replica `r`'s expiry timer at `until` and records it (out of line: a replica
    /// with a pending timer, the common case, does not carry the call's register saves).
    #[inline(never)]
    fn schedule_expiry(&mut self, r: Slot, until: SimTime) {
        let replica = self.replicas.reference(r);
        let timer = self
            .queue
            .schedule(until, Event::KeepaliveExpiry { replica });
        self.replicas.keepalive.set_timer(r as usize, timer, until);
    }

    /// Slot `ri`'s idle period has no expiry: any recorded one is cleared (read first, so that
    /// the common case, nothing recorded, writes nothing).
    #[inline]
    fn forget_expiry(&mut self, ri: usize) {
        if self.replicas.keepalive[ri] != SimTime::NEVER {
            self.replicas.keepalive[ri] = SimTime::NEVER;
        }
    }

    /// An idle replica's keep-alive timer fired.
    ///
    /// The recorded expiry is that of the replica's last idle period: a dispatch does not clear
    /// it (one cache line less per request), so a replica that is busy now is recognised by
    /// its outstanding requests. Every path by which a Running replica's last request leaves
    /// passes through `on_replica_idle`, which records the new period's expiry or clears it.
    pub(super) fn on_keepalive_expiry(&mut self, r: Slot) {
        let ri = r as usize;
        self.replicas.keepalive.clear_timer(ri);
        let until = self.replicas.keepalive[ri];
        if self.replicas.state[ri] != ReplicaState::Running
            || until == SimTime::NEVER
            || self.compute.outstanding(r) > 0
        {
            return; // busy again, or already leaving
        }
        if until > self.now {
            // It was busy and became idle again in the meantime: wait for the new expiry.
            let replica = self.replicas.reference(r);
            let timer = self
                .queue
                .schedule(until, Event::KeepaliveExpiry { replica });
            self.replicas.keepalive.set_timer(ri, timer, until);
            return;
        }
        self.replicas.keepalive[ri] = SimTime::NEVER;
        let function = self.replicas.function[ri];
        let f = &self.functions[function as usize];
        let scale_min = self.model.functions[function as usize].scaling.scale_min;
        let d = if f.live > scale_min {
            ScalingDecision {
                action: Action::Retire(r),
                desired: None,
                metric_name: None,
                metric_value: None,
                reason: "keepalive_expired",
            }
        } else {
            ScalingDecision::none("at_scale_min")
        };
        self.apply(function, Scaler::Keepalive, d);
    }

    /// A pre-warm window ended: create a replica for the expected next request.
    pub(super) fn on_prewarm(&mut self, function: u32) {
        if !self.functions[function as usize].active {
            return;
        }
        let d = ScalingDecision {
            action: Action::Prewarm(1),
            desired: None,
            metric_name: None,
            metric_value: None,
            reason: "prewarm",
        };
        self.apply(function, Scaler::Keepalive, d);
    }

    /// Appends a `replica_counts` row if the function's live or Running count changed; several
    /// changes at one instant leave one row with the final counts.
    pub(super) fn note_counts(&mut self, function: u32) {
        if !self.model.outputs.replica_counts {
            return;
        }
        let f = &self.functions[function as usize];
        let (live, running) = (f.live, f.running);
        let last = self.count_last[function as usize];
        if last != u32::MAX {
            let row = &mut self.count_rows[last as usize];
            if row.live == live && row.running == running {
                return;
            }
            if row.t == self.now {
                row.live = live;
                row.running = running;
                return;
            }
        }
        self.count_last[function as usize] = self.count_rows.len() as u32;
        self.count_rows.push(ReplicaCountRow {
            t: self.now,
            function,
            live,
            running,
        });
    }
}
