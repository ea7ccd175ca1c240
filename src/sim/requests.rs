//! The path of a request through the subsystems (`docs/model.md`, routing and execution):
//! arrival at the gateway, routing or waiting (the [`crate::router::Router`]), scale-from-zero,
//! dispatch into a replica's worker pool ([`crate::compute::Compute`]), completion, timeouts
//! and cold-start polls, and the `invocations` rows.
//!
//! Each function here asks one subsystem what happens and hands the outcome to the next; the
//! state lives in the subsystems.

use super::{keep_invocation, Simulation};
use crate::compute::{Admission, ExecTime, Finished, ReplicaProfile};
use crate::config::{RoutingMode, ScaleFromZero};
use crate::engine::SimTime;
use crate::execution::{Concurrency, DurationSampler};
use crate::metrics::{InvocationRow, InvocationStatus};
use crate::model::Model;
use crate::platform::{ReplicaState, Slot};
use crate::router::Request;
use crate::scaling::Scaler;

impl Simulation<'_> {
    /// The next request of workload `wi` arrives now.
    pub(super) fn on_arrival(&mut self, wi: u32) {
        // A trace or replay may record the request's execution time; read it before the
        // source moves on to its next arrival.
        let (function, duration, exec_model) = self.workloads.pending(wi);
        let fi = function as usize;
        let f = &mut self.functions[fi];
        let fn_seq = f.arrivals;
        f.arrivals += 1;
        f.counts.requests += 1;
        let slot = self
            .router
            .admit(self.now, function, fn_seq, (duration, exec_model));
        // Generate the next arrival before handling this one (the process only reads r(t)).
        self.schedule_next_arrival(wi);
        // Read only by the idler and a hybrid keep-alive: without them, not looked up.
        if self.arrival_scaling {
            let fs = &mut self.fscale[fi];
            fs.last_arrival = self.now;
            fs.keepalive.on_arrival(self.now);
        }

        let f = &self.functions[fi];
        if !f.active {
            let reason = if f.removed {
                "removed"
            } else {
                "unknown_function"
            };
            self.reject(slot, reason);
            return;
        }
        let (compute, replicas, model) = (&self.compute, &self.replicas, self.model);
        let load = |r| compute.outstanding(r);
        let route = match self.router.mode() {
            RoutingMode::Push => self.router.pick(function, load),
            RoutingMode::Pull => self.router.pick_free(
                function,
                |r| compute.has_free_worker(r, concurrency_of(model, replicas, r)),
                load,
            ),
        };
        if let Some(r) = route {
            self.dispatch_inline(slot, r);
            return;
        }
        // Wait: for a replica to become Running (a cold start) or, in pull mode, for a worker.
        let cold = self.router.eligible(function).is_empty();
        if cold {
            self.functions[fi].counts.cold += 1;
        }
        self.router.wait(&mut self.queue, self.now, slot, cold);
        self.scale_from_zero(function);
        self.per_request(function);
    }

    /// `routing.scale_from_zero = "on_demand"`: requests wait and nothing is live → create
    /// `max(1, scale_min)` replicas (scaler `router`, reason `cold_start`).
    pub(super) fn scale_from_zero(&mut self, function: u32) {
        let f = &self.functions[function as usize];
        if f.active
            && f.live == 0
            && self.router.waiting(function) > 0
            && self.model.routing.scale_from_zero == ScaleFromZero::OnDemand
        {
            let n = self.model.functions[function as usize]
                .scaling
                .scale_min
                .max(1);
            self.scale_up(function, n, Scaler::Router, "cold_start");
        }
    }

    /// The request's timeout elapsed before it started: it leaves its queue and ends
    /// `timed_out`.
    pub(super) fn on_request_timeout(&mut self, slot: u32) {
        let req = self.router.timed_out(slot);
        if req.replica != u32::MAX {
            self.compute.withdraw(req.replica, slot);
            self.note_load(req.replica);
        }
        self.functions[req.function as usize].counts.timed_out += 1;
        self.emit_invocation(&req, InvocationStatus::TimedOut, None, SimTime::NEVER, 1.0);
        self.router.release(&mut self.queue, slot);
        if req.replica != u32::MAX {
            self.after_replica_work(req.replica, false);
        }
    }

    /// `routing.cold_start_poll_s`: a waiting request checks for an eligible replica.
    pub(super) fn on_cold_poll(&mut self, slot: u32) {
        let compute = &self.compute;
        if let Some(r) = self
            .router
            .poll(&mut self.queue, self.now, slot, |r| compute.outstanding(r))
        {
            self.dispatch(slot, r);
        }
    }

    /// Hands a request to replica `r`: it starts if a worker is free, else it queues locally.
    #[inline(never)]
    fn dispatch(&mut self, slot: u32, r: Slot) {
        self.dispatch_inline(slot, r);
    }

    /// [`Simulation::dispatch`], inlined into the arrival's handler, where nearly every request
    /// is dispatched (a call there cost its frame: ~20 instructions per request,
    /// docs/performance.md, "Round 10: bounds checks on the request path").
    #[inline(always)]
    fn dispatch_inline(&mut self, slot: u32, r: Slot) {
        self.router.dispatched(&mut self.queue, self.now, slot, r);
        // The replica's keep-alive expiry is left as it is: a busy replica does not expire
        // because the expiry checks its outstanding requests (`on_keepalive_expiry`), and the
        // next idle period writes a new one. Writing `NEVER` here cost a cache line per
        // dispatch (docs/performance.md, "Round 9: one record per replica").
        if self.count_dispatches {
            let function = self.compute.profile(r).function;
            self.fscale[function as usize].dispatches += 1;
        }
        match self.compute.admit(r, slot) {
            Admission::Start => self.start_request(slot),
            Admission::QueueFull => self.reject(slot, "queue_full"),
            Admission::Queued => {
                self.note_load(r);
                self.router.arm_timeout(&mut self.queue, slot);
            }
        }
    }

    /// Tells the router replica `r`'s outstanding requests (its least-outstanding index), and
    /// returns them. Always inlined: two loads and a store, where a call saved and restored
    /// registers.
    #[inline(always)]
    pub(super) fn note_load(&mut self, r: Slot) -> u32 {
        let outstanding = self.compute.outstanding(r);
        self.router.set_load(r, outstanding);
        outstanding
    }

    /// A worker begins processing the request.
    #[inline(always)]
    fn start_request(&mut self, slot: u32) {
        self.router.started(&mut self.queue, self.now, slot);
        // Per-invocation data: the download comes first (`request_data`).
        if self.request_data.active && self.download_before_compute(slot) {
            return;
        }
        self.start_compute(slot);
    }

    /// The request's compute part begins on the worker it holds.
    pub(super) fn start_compute(&mut self, slot: u32) {
        let req = self.router.request(slot);
        let (r, exec_model, recorded) = (req.replica, req.exec_model, req.duration);
        // Under isolated CPUs the request's CPU is counted by `compute.start`, in the
        // replica's compute line (docs/performance.md, "Round 9b").
        let p = *self.compute.profile(r);
        let recorded = (self.model.execution).recorded_on(recorded, p.node_type as usize);
        let exec = if recorded.is_set() {
            ExecTime::Recorded(recorded)
        } else if exec_model == 0 {
            ExecTime::Replica
        } else {
            ExecTime::Model(further_exec_model(self.model, &p, exec_model))
        };
        self.compute.start(&mut self.queue, self.now, r, slot, exec);
        if !self.compute.isolated() {
            if let Some(used) = self.compute.shared_use(p.node) {
                self.usage.set_contended(self.now, p.node, used);
            }
        }
        self.note_load(r);
    }

    /// The compute part finished: the request is done (unless it uploads data first,
    /// `request_data`); record it and start the next one in the replica's queue.
    pub(super) fn on_invocation_done(&mut self, slot: u32) {
        if self.request_data.active && self.upload_after_compute(slot) {
            return;
        }
        // The request's histograms first, from the one look-up of its slot that also gives
        // its replica (docs/performance.md, "Round 10: bounds checks on the request path").
        let (r, function) = self.record_completion(slot);
        let done = self.compute.finish(&mut self.queue, self.now, r, slot);
        let left = self.note_load(r);
        // Under isolated CPUs `compute.finish` released the request's CPU.
        if !self.compute.isolated() {
            let node = self.compute.profile(r).node;
            if let Some(used) = self.compute.shared_use(node) {
                self.usage.set_contended(self.now, node, used);
            }
        }
        self.complete_request(slot, r, function, done, left);
    }

    /// Request `slot` completes now: its function's count and histograms, and its keep-alive
    /// policy's record of the completion. Returns the request's replica and function. Nothing
    /// here reads or changes what the replica's worker pool does, so the callers record before
    /// they free the worker, while the slot's fields are at hand.
    #[inline(always)]
    pub(super) fn record_completion(&mut self, slot: u32) -> (Slot, u32) {
        // The fields the histograms read, not the whole slot (the row, when rows are on,
        // copies it in `complete_request`).
        let req = self.router.request(slot);
        let (replica, function) = (req.replica, req.function);
        let (arrival, dispatch, start, cold) = (req.arrival, req.dispatch, req.start, req.cold);
        let fi = function as usize;
        {
            let f = &mut self.functions[fi];
            f.counts.completed += 1;
            let wait = dispatch.since(arrival).0;
            f.latencies.record(
                wait,
                start.since(dispatch).0,
                self.now.since(start).0,
                self.now.since(arrival).0,
            );
            if cold {
                f.cold_wait.record(wait);
            }
        }
        // Only a `hybrid_histogram` policy records completions; without one the function's
        // scaling state is not looked up (docs/performance.md, "Round 10: bounds checks on the
        // request path").
        if self.hybrid_keepalive {
            self.fscale[fi].keepalive.on_completion(self.now);
        }
        (replica, function)
    }

    /// Request `slot` of `function` is recorded ([`Simulation::record_completion`]) and its
    /// worker on `replica` free (`done`), the replica left with `left` outstanding requests:
    /// its row, then the replica's next request. Inlined into
    /// [`Simulation::on_invocation_done`] (a hint was not enough: the call stayed, with its
    /// register saves).
    #[inline(always)]
    pub(super) fn complete_request(
        &mut self,
        slot: u32,
        replica: Slot,
        function: u32,
        done: Finished,
        left: u32,
    ) {
        let ri = replica as usize;
        if let Some(threshold) = self.model.invocation_sample {
            let req = *self.router.request(slot);
            self.emit_sampled_invocation(
                &req,
                threshold,
                InvocationStatus::Completed,
                None,
                self.now,
                done.slowdown,
            );
        }
        self.router.release(&mut self.queue, slot);
        if let Some(next) = done.next {
            self.start_queued(next);
            return;
        }
        if self.router.mode() == RoutingMode::Pull
            && self.replicas.state[ri] == ReplicaState::Running
            && !self.replicas.doomed[ri]
        {
            // Pull mode: the free worker takes the function's next waiting request.
            if let Some(next) = self.router.take_waiting(function) {
                self.dispatch(next, replica);
                return;
            }
        }
        // `left` is still the replica's outstanding count: since it was read, only the router
        // and the function's records changed. Passed in, not looked up again (a second bound
        // check of compute's table, docs/performance.md, "Round 10: bounds checks on the
        // request path").
        if left == 0 {
            self.replica_emptied(replica, true);
        }
    }

    /// The replica's next queued request starts on the worker a completion freed: out of
    /// line, so that the completion (inlined into its handler) does not carry a second copy
    /// of `start_compute` for a path replicas without a queue never take.
    #[inline(never)]
    fn start_queued(&mut self, slot: u32) {
        self.start_request(slot);
    }

    /// A request left replica `r` (completed, or timed out in its queue): a draining replica
    /// with nothing left tears down; a Running one with nothing left is idle.
    ///
    /// The test is inlined (a busy replica, the common case, costs a load and a compare); the
    /// idle replica's bookkeeping is [`Simulation::replica_emptied`]'s.
    #[inline(always)]
    fn after_replica_work(&mut self, r: Slot, completed: bool) {
        if self.compute.outstanding(r) == 0 {
            self.replica_emptied(r, completed);
        }
    }

    /// [`Simulation::after_replica_work`] of a replica with no request left.
    #[inline(never)]
    fn replica_emptied(&mut self, r: Slot, completed: bool) {
        let ri = r as usize;
        match self.replicas.state[ri] {
            ReplicaState::Teardown => {
                if self.replicas.teardown_over[ri] {
                    // drain = false and the teardown phase already ended: release the pod now.
                    let state = self.replicas.end_state[ri];
                    let reason = self.replicas.end_reason[ri].unwrap_or("scale_down");
                    self.end_replica(r, state, reason);
                } else {
                    self.start_teardown_phase(r);
                }
            }
            ReplicaState::Running => self.on_replica_idle(r, completed),
            _ => {}
        }
    }

    /// Replica `r` of `function` became eligible. Push mode: every waiting request is
    /// dispatched, in FIFO order, by the balancer; pull mode: `r` takes waiting requests while
    /// it has a free worker.
    pub(super) fn serve_waiting(&mut self, function: u32, r: Slot) {
        match self.router.mode() {
            RoutingMode::Push => loop {
                let compute = &self.compute;
                let Some((slot, to)) = self
                    .router
                    .next_waiting(function, |r| compute.outstanding(r))
                else {
                    break;
                };
                self.dispatch(slot, to);
            },
            RoutingMode::Pull => {
                let c = concurrency_of(self.model, &self.replicas, r);
                while self.compute.has_free_worker(r, c) {
                    let Some(slot) = self.router.take_waiting(function) else {
                        break;
                    };
                    self.dispatch(slot, r);
                }
            }
        }
    }

    /// Ends a request as rejected.
    pub(super) fn reject(&mut self, slot: u32, reason: &'static str) {
        let req = *self.router.request(slot);
        self.functions[req.function as usize].counts.rejected += 1;
        self.emit_invocation(
            &req,
            InvocationStatus::Rejected,
            Some(reason),
            SimTime::NEVER,
            1.0,
        );
        self.router.release(&mut self.queue, slot);
    }

    /// Writes an `invocations` row if the request is sampled; `slowdown` is its elapsed
    /// compute time over its work (1 with isolated CPUs, and for a request still computing when
    /// the run ends).
    #[inline]
    pub(super) fn emit_invocation(
        &mut self,
        req: &Request,
        status: InvocationStatus,
        reject_reason: Option<&'static str>,
        end: SimTime,
        slowdown: f64,
    ) {
        // Checked here, inline: with invocation rows off (long runs) nothing else is done.
        if let Some(threshold) = self.model.invocation_sample {
            self.emit_sampled_invocation(req, threshold, status, reject_reason, end, slowdown);
        }
    }

    /// [`Simulation::emit_invocation`] with rows on: the row, if the request is sampled.
    fn emit_sampled_invocation(
        &mut self,
        req: &Request,
        threshold: u64,
        status: InvocationStatus,
        reject_reason: Option<&'static str>,
        end: SimTime,
        slowdown: f64,
    ) {
        let f = &self.model.functions[req.function as usize];
        if !keep_invocation(self.seed, &f.name, req.fn_seq, threshold) {
            return;
        }
        let dispatched = req.dispatch.is_set() && req.replica != u32::MAX;
        let (replica, node, image, mem) = if dispatched {
            let ri = req.replica as usize;
            let c = &f.containers[self.replicas.container[ri] as usize];
            (
                Some(self.replicas.id[ri]),
                Some(self.replicas.node[ri]),
                Some(self.replicas.image[ri]),
                Some(c.mem as u64),
            )
        } else {
            (None, None, None, None)
        };
        let started = req.start.is_set();
        // Only a request in flight when the run stopped can be moving data: its transfer
        // counts up to that moment, not to the last event before it.
        let until = if status == InvocationStatus::Incomplete {
            self.stopped_at()
        } else {
            self.now
        };
        self.inv_rows.push(InvocationRow {
            request_id: req.id,
            fn_seq: req.fn_seq,
            function: req.function,
            status,
            reject_reason,
            cold: req.cold,
            arrival: req.arrival,
            dispatch: req.dispatch,
            start: req.start,
            end,
            transfer: if started {
                self.request_data.transfer_time(req.id, until)
            } else {
                SimTime::NEVER
            },
            slowdown: started.then_some(slowdown),
            replica,
            node,
            image,
            memory_bytes: mem,
        });
    }

    /// At the end of the run: every request still waiting or in flight becomes `incomplete`.
    pub(super) fn finalize_requests(&mut self) {
        for req in self.router.drain_unfinished() {
            self.functions[req.function as usize].counts.incomplete += 1;
            self.emit_invocation(
                &req,
                InvocationStatus::Incomplete,
                None,
                SimTime::NEVER,
                1.0,
            );
        }
    }
}

/// The concurrency model of replica `r`'s container.
#[inline]
pub(super) fn concurrency_of(
    model: &Model,
    replicas: &crate::platform::ReplicaTable,
    r: Slot,
) -> Concurrency {
    let ri = r as usize;
    model.functions[replicas.function[ri] as usize].containers[replicas.container[ri] as usize]
        .concurrency
}

/// Execution model `k ≥ 1` of the container of a replica with profile `p` on its node's type
/// (a 2019 trace request names its arrival day's).
fn further_exec_model<'m>(
    model: &'m Model,
    p: &ReplicaProfile,
    k: u16,
) -> Option<&'m DurationSampler> {
    model.functions[p.function as usize].containers[p.container as usize]
        .exec_model(k, p.node_type as usize)
}
