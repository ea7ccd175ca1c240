//! Requests: arrival at the gateway, the cold-start queue and scale-from-zero, dispatch through
//! the load balancer, the replica's worker slots and local FIFO queue, completion
//! (`docs/model.md`, `docs/model.md`).

use super::{keep_invocation, Event, Request, Simulation};
use crate::config::ScaleFromZero;
use crate::engine::{SimTime, TimerId};
use crate::metrics::{InvocationRow, InvocationStatus};
use crate::platform::functions::metric;
use crate::platform::{ReplicaState, Slot};
use crate::scaling::Scaler;

impl Simulation<'_> {
    /// The next request of workload `wi` arrives now.
    pub(super) fn on_arrival(&mut self, wi: u32) {
        let function = self.workloads.function(wi);
        let fi = function as usize;
        let f = &mut self.functions[fi];
        let fn_seq = f.arrivals;
        f.arrivals += 1;
        f.counts.requests += 1;
        let req = Request {
            id: self.next_request_id,
            fn_seq,
            function,
            replica: u32::MAX,
            arrival: self.now,
            dispatch: SimTime::NEVER,
            start: SimTime::NEVER,
            cold: false,
            done: false,
            timeout: TimerId::NONE,
            poll: TimerId::NONE,
        };
        self.next_request_id += 1;
        self.outstanding += 1;
        let slot = self.alloc_request(req);
        // Generate the next arrival before handling this one (the process only reads r(t)).
        self.schedule_next_arrival(wi);
        let fs = &mut self.fscale[fi];
        fs.last_arrival = self.now;
        fs.keepalive.on_arrival(self.now);

        let f = &mut self.functions[fi];
        if !f.active {
            let reason = if f.removed {
                "removed"
            } else {
                "unknown_function"
            };
            self.reject(slot, reason);
            return;
        }
        if !f.eligible.is_empty() {
            let r = f.lb.pick(&f.eligible, &self.replicas, &mut f.rng_lb);
            self.dispatch(slot, r);
            return;
        }
        // Cold start: wait for a replica to become Running.
        self.requests[slot as usize].cold = true;
        f.counts.cold += 1;
        f.cold_queue.push_back(slot);
        self.arm_timeout(slot);
        if let Some(p) = self.model.routing.poll {
            self.requests[slot as usize].poll = self
                .queue
                .schedule(self.now.plus(p), Event::ColdPoll { slot });
        }
        self.scale_from_zero(function);
        self.per_request(function);
    }

    /// `routing.scale_from_zero = "on_demand"`: requests wait and nothing is live → create
    /// `max(1, scale_min)` replicas (scaler `router`, reason `cold_start`).
    pub(super) fn scale_from_zero(&mut self, function: u32) {
        let f = &self.functions[function as usize];
        if f.active
            && f.live == 0
            && !f.cold_queue.is_empty()
            && self.model.routing.scale_from_zero == ScaleFromZero::OnDemand
        {
            let n = self.model.functions[function as usize]
                .scaling
                .scale_min
                .max(1);
            self.scale_up(function, n, Scaler::Router, "cold_start");
        }
    }

    /// Schedules the request's timeout once it has to wait (no event for requests that start
    /// at once).
    fn arm_timeout(&mut self, slot: u32) {
        let Some(t) = self.model.routing.timeout else {
            return;
        };
        let req = &mut self.requests[slot as usize];
        if req.timeout == TimerId::NONE {
            let at = req.arrival.plus(t);
            req.timeout = self.queue.schedule(at, Event::RequestTimeout { slot });
        }
    }

    /// The request's timeout elapsed before it started: it leaves its queue and ends
    /// `timed_out`.
    pub(super) fn on_request_timeout(&mut self, slot: u32) {
        let req = self.requests[slot as usize];
        let fi = req.function as usize;
        if req.replica == u32::MAX {
            let q = &mut self.functions[fi].cold_queue;
            if let Some(pos) = q.iter().position(|&s| s == slot) {
                q.remove(pos);
            }
        } else {
            let q = &mut self.replicas.local_queue[req.replica as usize];
            if let Some(pos) = q.iter().position(|&s| s == slot) {
                q.remove(pos);
            }
        }
        self.functions[fi].counts.timed_out += 1;
        self.emit_invocation(&req, InvocationStatus::TimedOut, None, SimTime::NEVER);
        self.release_request(slot);
        if req.replica != u32::MAX {
            self.after_replica_work(req.replica, false);
        }
    }

    /// `routing.cold_start_poll_s`: a waiting request checks for an eligible replica.
    pub(super) fn on_cold_poll(&mut self, slot: u32) {
        let fi = self.requests[slot as usize].function as usize;
        let f = &mut self.functions[fi];
        if f.eligible.is_empty() {
            let p = self.model.routing.poll.expect("polling is configured");
            self.requests[slot as usize].poll = self
                .queue
                .schedule(self.now.plus(p), Event::ColdPoll { slot });
            return;
        }
        if let Some(pos) = f.cold_queue.iter().position(|&s| s == slot) {
            f.cold_queue.remove(pos);
        }
        let r = f.lb.pick(&f.eligible, &self.replicas, &mut f.rng_lb);
        self.dispatch(slot, r);
    }

    /// The request reached a final state: its timers are cancelled and its slot is free.
    fn release_request(&mut self, slot: u32) {
        let req = &mut self.requests[slot as usize];
        req.done = true;
        self.queue.cancel(req.timeout);
        self.queue.cancel(req.poll);
        self.free_requests.push(slot);
        self.outstanding -= 1;
    }

    fn alloc_request(&mut self, req: Request) -> u32 {
        debug_assert!(!req.done);
        match self.free_requests.pop() {
            Some(s) => {
                self.requests[s as usize] = req;
                s
            }
            None => {
                self.requests.push(req);
                (self.requests.len() - 1) as u32
            }
        }
    }

    /// Hands a request to replica `r`: it starts if a worker is free, else it queues locally.
    fn dispatch(&mut self, slot: u32, r: Slot) {
        let req = &mut self.requests[slot as usize];
        req.dispatch = self.now;
        req.replica = r;
        // A dispatched request no longer polls for a replica.
        self.queue.cancel(req.poll);
        let ri = r as usize;
        self.replicas.idle_until[ri] = SimTime::NEVER;
        let fs = &mut self.fscale[req.function as usize];
        fs.dispatches += 1;
        let c = {
            let f = &self.model.functions[self.replicas.function[ri] as usize];
            f.containers[self.replicas.container[ri] as usize].concurrency
        };
        if self.replicas.executing[ri] < c.workers {
            self.start_request(slot);
        } else if c
            .queue_capacity
            .is_some_and(|cap| self.replicas.local_queue[ri].len() as u32 >= cap)
        {
            self.reject(slot, "queue_full");
        } else {
            self.replicas.local_queue[ri].push_back(slot);
            self.arm_timeout(slot);
        }
    }

    /// A worker begins processing the request: draw its execution time.
    fn start_request(&mut self, slot: u32) {
        let req = &mut self.requests[slot as usize];
        req.start = self.now;
        // A started request cannot time out.
        self.queue.cancel(req.timeout);
        let ri = req.replica as usize;
        self.replicas.executing[ri] += 1;
        let node_type = self.cluster.nodes.node_type[self.replicas.node[ri] as usize] as usize;
        let fi = self.replicas.function[ri] as usize;
        let f = &mut self.functions[fi];
        let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
        self.usage.add_cpu(
            self.now,
            req.replica,
            self.replicas.node[ri],
            c.cpu_per_invocation,
        );
        // No model for this node type (only `by_node_type`, no `default`): `CanRun` keeps such
        // pods off these nodes when the profile has it; otherwise execution takes 0 s.
        let d = c.exec[node_type]
            .as_ref()
            .map(|s| s.sample(&mut f.rng_exec))
            .unwrap_or(SimTime::ZERO);
        self.queue
            .push(self.now.plus(d), Event::InvocationDone { slot });
    }

    /// Processing finished: record the request and start the next one in the replica's queue.
    pub(super) fn on_invocation_done(&mut self, slot: u32) {
        let req = self.requests[slot as usize];
        let ri = req.replica as usize;
        let fi = req.function as usize;
        {
            let f = &mut self.functions[fi];
            f.counts.completed += 1;
            let wait = req.dispatch.since(req.arrival).0;
            f.hist[metric::WAIT].record(wait);
            f.hist[metric::QUEUE].record(req.start.since(req.dispatch).0);
            f.hist[metric::EXEC].record(self.now.since(req.start).0);
            f.hist[metric::RESPONSE].record(self.now.since(req.arrival).0);
            if req.cold {
                f.hist[metric::COLD_WAIT].record(wait);
            }
        }
        self.replicas.executing[ri] -= 1;
        self.replicas.served[ri] += 1;
        {
            let cpu = self.model.functions[fi].containers[self.replicas.container[ri] as usize]
                .cpu_per_invocation;
            self.usage
                .sub_cpu(self.now, req.replica, self.replicas.node[ri], cpu);
        }
        self.fscale[fi].keepalive.on_completion(self.now);
        self.emit_invocation(&req, InvocationStatus::Completed, None, self.now);
        self.release_request(slot);
        if let Some(next) = self.replicas.local_queue[ri].pop_front() {
            self.start_request(next);
        } else {
            self.after_replica_work(req.replica, true);
        }
    }

    /// A request left replica `r` (completed, or timed out in its queue): a draining replica
    /// with nothing left tears down; a Running one with nothing left is idle.
    fn after_replica_work(&mut self, r: Slot, completed: bool) {
        let ri = r as usize;
        if self.replicas.outstanding(r) > 0 {
            return;
        }
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

    /// A replica became Running: dispatch every waiting request in FIFO order.
    pub(super) fn drain_cold_queue(&mut self, function: u32) {
        let fi = function as usize;
        while let Some(slot) = self.functions[fi].cold_queue.pop_front() {
            let f = &mut self.functions[fi];
            let r = f.lb.pick(&f.eligible, &self.replicas, &mut f.rng_lb);
            self.dispatch(slot, r);
        }
    }

    /// Ends a request as rejected.
    pub(super) fn reject(&mut self, slot: u32, reason: &'static str) {
        let req = self.requests[slot as usize];
        self.functions[req.function as usize].counts.rejected += 1;
        self.emit_invocation(
            &req,
            InvocationStatus::Rejected,
            Some(reason),
            SimTime::NEVER,
        );
        self.release_request(slot);
    }

    /// Writes an `invocations` row if the request is sampled.
    pub(super) fn emit_invocation(
        &mut self,
        req: &Request,
        status: InvocationStatus,
        reject_reason: Option<&'static str>,
        end: SimTime,
    ) {
        let Some(threshold) = self.model.invocation_sample else {
            return;
        };
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
                SimTime::ZERO
            } else {
                SimTime::NEVER
            },
            slowdown: started.then_some(1.0),
            replica,
            node,
            image,
            memory_bytes: mem,
        });
    }

    /// At the end of the run: every request still waiting or in flight becomes `incomplete`.
    pub(super) fn finalize_requests(&mut self) {
        for slot in 0..self.requests.len() {
            if !self.requests[slot].done {
                let req = self.requests[slot];
                self.functions[req.function as usize].counts.incomplete += 1;
                self.emit_invocation(&req, InvocationStatus::Incomplete, None, SimTime::NEVER);
                self.outstanding -= 1;
            }
        }
        self.free_requests.clear();
        self.requests.clear();
    }
}
