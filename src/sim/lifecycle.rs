//! Replica life cycle: the scheduling queue with image fallback, image pulls with per-node
//! caches and joined transfers, startup, setup, Running, teardown (`docs/model.md`).

use super::{Event, Simulation};
use crate::config::{DataPhase, MissingArch};
use crate::engine::SimTime;
use crate::metrics::PlacementRow;
use crate::model::Model;
use crate::network::{Owner, RowFacts, TransferKind};
use crate::platform::{ReplicaId, ReplicaState, Slot, NONE};
use crate::scheduler::{Pod, SchedContext};

impl<'a> Simulation<'a> {
    /// Creates a Conceived replica of container `ci` of `function` and queues it; `parent` is
    /// the id of the replica it falls back from (`NONE` for a first attempt).
    pub(super) fn create_replica(
        &mut self,
        function: u32,
        ci: u32,
        attempt: u8,
        parent: ReplicaId,
    ) -> Slot {
        let f = &mut self.functions[function as usize];
        f.integrate_counts(self.now);
        f.pods_created += 1;
        f.live += 1;
        f.live_per_container[ci as usize] += 1;
        f.replicas_max = f.replicas_max.max(f.live);
        let image = self.model.functions[function as usize].containers[ci as usize].image;
        let r = self.replicas.push(
            function,
            ci,
            image,
            attempt,
            parent,
            f.pods_created,
            self.now,
        );
        // The newest replica: last in creation order.
        f.live_ids.push(r);
        self.usage.reset_replica(r);
        self.compute.reset_replica(r);
        self.router.set_load(r, 0);
        self.note_counts(function);
        self.enqueue(r);
        r
    }

    fn enqueue(&mut self, r: Slot) {
        self.replicas.t_queued[r as usize] = self.now;
        self.sched_queue.push_back(self.replicas.reference(r));
        if !self.sched_busy {
            self.sched_busy = true;
            self.queue.push(self.now, Event::ScheduleNext);
        }
    }

    /// The pod of replica `r`, from its container's template (borrowing only the model, so the
    /// scheduler can be borrowed mutably beside it).
    fn pod(&self, r: Slot) -> Pod<'a> {
        let model: &'a Model = self.model;
        let ri = r as usize;
        let function = self.replicas.function[ri];
        model.functions[function as usize].containers[self.replicas.container[ri] as usize]
            .pod
            .pod(self.replicas.id[ri], function)
    }

    /// The scheduler is free: decide for the head of the queue.
    pub(super) fn on_schedule_next(&mut self) {
        // Replicas cancelled while queued are skipped without a decision.
        let r = loop {
            match self.sched_queue.pop_front() {
                None => {
                    self.sched_busy = false;
                    return;
                }
                Some(queued) => match self.replicas.resolve(queued) {
                    Some(r) if self.replicas.state[r as usize] == ReplicaState::Conceived => {
                        break r
                    }
                    _ => continue,
                },
            }
        };
        let ri = r as usize;
        self.decision.reset();
        {
            let pod = self.pod(r);
            let ctx = SchedContext {
                cluster: &self.cluster,
                cache: &self.cache,
            };
            self.scheduler.schedule(&pod, &ctx, &mut self.decision);
        }
        let lat = &self.model.scheduler_latency;
        let latency = SimTime::from_secs_f64(
            lat.constant_s
                + lat.per_node_evaluated_s * self.decision.nodes_evaluated as f64
                + lat.per_node_scored_s * self.decision.scored as f64,
        );
        let function = self.replicas.function[ri];
        let node = self.decision.node;
        if let Some(n) = node {
            let pod = self.pod(r);
            self.cluster
                .nodes
                .reserve(n, pod.cpu_millis, pod.memory_bytes);
            {
                let ctx = SchedContext {
                    cluster: &self.cluster,
                    cache: &self.cache,
                };
                self.scheduler.on_placed(&pod, n, &ctx);
            }
            self.replicas.node[ri] = n;
            // Compute records what the request path reads about the replica (function, node
            // and its type, container, and through them the container's models) now that its
            // node is known, so each request reads one record instead of five tables.
            let container = self.replicas.container[ri];
            let node_type = self.cluster.nodes.node_type[n as usize];
            self.compute
                .resolve(r, self.model, function, container, n, node_type);
            self.replicas.state[ri] = ReplicaState::Scheduled;
            self.replicas.insert_ordered(&mut self.resident, r);
            self.replicas.t_scheduled[ri] = self.now;
            let replica = self.replicas.reference(r);
            self.queue
                .push(self.now.plus(latency), Event::DeployStart { replica });
        } else {
            self.functions[function as usize].placements_failed += 1;
            let replica = self.replicas.reference(r);
            self.queue
                .push(self.now.plus(latency), Event::PlacementFailed { replica });
        }
        self.decisions += 1;
        if self.model.outputs.placements {
            self.record_placement(r, latency);
        }
        // The scheduler is busy during [t, t + L).
        self.queue.push(self.now.plus(latency), Event::ScheduleNext);
    }

    fn record_placement(&mut self, r: Slot, latency: SimTime) {
        let ri = r as usize;
        let rejections = self.decision.shared_rejections();
        let scores = self.decision.shared_scores();
        let d = &self.decision;
        let nodes = &self.cluster.nodes;
        let (cpu_frac, mem_frac) = match d.node {
            Some(n) => {
                let n = n as usize;
                (
                    Some(
                        (nodes.cpu_capacity[n] - nodes.cpu_free()[n]) as f64
                            / nodes.cpu_capacity[n].max(1) as f64,
                    ),
                    Some(
                        (nodes.mem_capacity[n] - nodes.mem_free()[n]) as f64
                            / nodes.mem_capacity[n].max(1) as f64,
                    ),
                )
            }
            None => (None, None),
        };
        self.placement_rows.push(PlacementRow {
            t: self.now,
            queued: self.replicas.t_queued[ri],
            latency,
            replica_id: self.replicas.id[ri],
            function: self.replicas.function[ri],
            image: self.replicas.image[ri],
            profile: self.scheduler.profile(),
            attempt: self.replicas.attempt[ri],
            nodes_total: d.nodes_total,
            nodes_to_find: d.nodes_to_find,
            start_index: d.start_index,
            nodes_evaluated: d.nodes_evaluated,
            feasible: d.feasible,
            scored: d.scored,
            tie_count: d.tie_count,
            node: d.node,
            failure_reason: d.node.is_none().then(|| d.failure_reason()),
            rejections,
            scores,
            total_score: d.node.map(|_| d.total_score),
            needed_images: d.node.map(|_| d.needed_images.clone()),
            node_cpu_requested_frac: cpu_frac,
            node_mem_requested_frac: mem_frac,
            candidates: (self.model.scenario().scheduler.explain_top_k > 0).then(|| d.top.clone()),
        });
    }

    /// An unschedulable replica fails at `t + L`; the next ranked image gets a new replica.
    pub(super) fn on_placement_failed(&mut self, r: Slot) {
        if self.replicas.state[r as usize] != ReplicaState::Conceived {
            return;
        }
        self.fail_and_fall_back(r, "unschedulable");
    }

    /// Ends replica `r` as Failed with `reason`; the deployment's next ranked image (if any, and
    /// if the function is still deployed) gets a new replica (`docs/model.md`, ranked images).
    fn fail_and_fall_back(&mut self, r: Slot, reason: &'static str) {
        let ri = r as usize;
        let function = self.replicas.function[ri];
        // Read before the replica ends: its slot may be reused by the successor.
        let (id, next) = (self.replicas.id[ri], self.replicas.container[ri] + 1);
        let attempt = self.replicas.attempt[ri].saturating_add(1);
        self.end_replica(r, ReplicaState::Failed, reason);
        let f = &self.functions[function as usize];
        // Without a successor the replica stays Failed; requests waiting for the function keep
        // waiting (re-triggering scale-from-zero could fail again at the same instant forever).
        if f.active && (next as usize) < self.model.functions[function as usize].containers.len() {
            self.create_replica(function, next, attempt, id);
        }
    }

    /// Scheduling latency elapsed: the replica starts deploying (pulling its image).
    pub(super) fn on_deploy_start(&mut self, r: Slot) -> Result<(), String> {
        let ri = r as usize;
        self.replicas.state[ri] = ReplicaState::Deploying;
        self.replicas.t_deploying[ri] = self.now;
        let node = self.replicas.node[ri];
        let image = self.replicas.image[ri];
        if self.cache.has(node, image) {
            self.cache.touch(node, image);
            self.replicas.pull_kind[ri] = 2;
            return self.enter_starting(r);
        }
        if self.network.join(node, image, r) {
            self.replicas.pull_kind[ri] = 3;
            return Ok(());
        }
        let size = match self.image_size_on(image, node) {
            Ok(size) => size,
            Err(_) if self.model.on_missing_arch[image as usize] == MissingArch::FailReplica => {
                self.fail_and_fall_back(r, "no_image_variant");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.replicas.pull_kind[ri] = 1;
        self.replicas.pull_bytes[ri] = size;
        let id = self.replicas.id[ri];
        self.network.start(
            self.now,
            &self.cluster.links,
            node,
            image,
            size,
            r,
            id,
            &mut self.queue,
        )
    }

    /// A transfer finished: hand it to whoever waits for it.
    pub(super) fn on_transfer_done(&mut self, transfer: u32) -> Result<(), String> {
        let done = self
            .network
            .transfers
            .on_done(self.now, transfer, &mut self.queue);
        match done.owner {
            Owner::Pull(pull) => self.on_pull_done(pull),
            Owner::Replica(r) => self.on_setup_transfer_done(r),
            Owner::Request(slot) => {
                self.on_request_transfer_done(slot, done.kind);
                Ok(())
            }
        }
    }

    /// An image arrived on a node: it enters the node's cache (which may evict images no
    /// replica there uses) and every replica waiting for it starts.
    fn on_pull_done(&mut self, slot: u32) -> Result<(), String> {
        let pull = self.network.complete(slot);
        let (node, image) = (pull.node, pull.image);
        let replicas = &self.replicas;
        let resident = &self.resident;
        let in_use = |m: u32| {
            resident
                .iter()
                .any(|&r| replicas.node[r as usize] == node && replicas.image[r as usize] == m)
        };
        self.cache.insert_sized(node, image, pull.bytes, in_use);
        for r in pull.waiters {
            self.enter_starting(r)?;
        }
        Ok(())
    }

    /// Bytes of `image` for the architecture of `node`.
    ///
    /// Not a configuration error but a placement outcome: a scheduler without the
    /// `ImageArchAvailable` predicate (skippy's `vanilla` preset, a user-written scheduler) may
    /// place a replica on a node whose architecture the image has no variant for. The run then
    /// stops with this message, unless the image says `on_missing_arch = "fail_replica"`
    /// (`docs/model.md`, images).
    fn image_size_on(&self, image: u32, node: u32) -> Result<u64, String> {
        let arch = self.cluster.nodes.arch[node as usize];
        self.cluster
            .images
            .size_for_arch(image, arch)
            .ok_or_else(|| {
                format!(
                "image `{}` has no variant for architecture `{}` of node `{}` (images.variants)",
                self.cluster.images.names[image as usize],
                self.cluster.archs[arch as usize],
                self.cluster.nodes.name[node as usize]
            )
            })
    }

    /// The other one: a startup or setup model given only `by_node_type`, for a node type that
    /// has none. It cannot move to `Model::compile` as long as the `CanRun` predicate may keep
    /// such pods off those nodes (`docs/scenario.md`, time models).
    fn phase_sampler_missing(&self, r: Slot, phase: &str) -> String {
        let ri = r as usize;
        let f = &self.model.functions[self.replicas.function[ri] as usize];
        let node = self.replicas.node[ri];
        format!(
            "deployments[{}].containers[{}].{phase}: no model for node type `{}` and no default",
            f.deployment.unwrap_or(0),
            f.containers[self.replicas.container[ri] as usize].config_index,
            self.cluster.type_name(node)
        )
    }

    fn enter_starting(&mut self, r: Slot) -> Result<(), String> {
        let ri = r as usize;
        self.replicas.state[ri] = ReplicaState::Starting;
        self.replicas.t_starting[ri] = self.now;
        let fi = self.replicas.function[ri] as usize;
        {
            let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
            let (cpu, mem) = (c.idle_cpu, c.memory_usage);
            self.usage
                .start(self.now, r, self.replicas.node[ri], cpu, mem);
        }
        let pull = self.now.since(self.replicas.t_deploying[ri]).0;
        self.functions[fi].pull.record(pull);
        let t = self.cluster.nodes.node_type[self.replicas.node[ri] as usize] as usize;
        let f = &mut self.functions[fi];
        let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
        let d = match &c.startup[t] {
            Some(s) => s.sample(&mut f.rng_startup),
            None => return Err(self.phase_sampler_missing(r, "startup")),
        };
        let replica = self.replicas.reference(r);
        self.queue
            .push(self.now.plus(d), Event::StartupDone { replica });
        Ok(())
    }

    pub(super) fn on_startup_done(&mut self, r: Slot) -> Result<(), String> {
        let ri = r as usize;
        self.replicas.t_setup[ri] = self.now;
        let t = self.cluster.nodes.node_type[self.replicas.node[ri] as usize] as usize;
        let fi = self.replicas.function[ri] as usize;
        let f = &mut self.functions[fi];
        let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
        let d = match &c.setup[t] {
            Some(s) => s.sample(&mut f.rng_setup),
            None => return Err(self.phase_sampler_missing(r, "setup")),
        };
        let replica = self.replicas.reference(r);
        self.queue
            .push(self.now.plus(d), Event::SetupDone { replica });
        Ok(())
    }

    /// The sampled setup phase is over: a container with `data_phase = "setup"` downloads its
    /// data now; otherwise the replica is Running (with `"invocation"`, once the storage nodes
    /// its requests will use are chosen).
    pub(super) fn on_setup_done(&mut self, r: Slot) -> Result<(), String> {
        let ri = r as usize;
        let fi = self.replicas.function[ri] as usize;
        let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
        if c.data.phase == DataPhase::Invocation {
            self.choose_request_storage(r)?;
        }
        if c.data.phase == DataPhase::Setup {
            if let Some(item) = &c.data.download {
                let node = self.replicas.node[ri];
                let id = self.replicas.id[ri];
                return self.network.start_data(
                    self.now,
                    &self.cluster.links,
                    &self.cluster.storage,
                    TransferKind::DataDownload,
                    &item.bucket,
                    node,
                    item.bytes,
                    Owner::Replica(r),
                    RowFacts {
                        replica_id: Some(id),
                        request_id: None,
                        image: None,
                    },
                    &mut self.queue,
                );
            }
        }
        self.become_running(r);
        Ok(())
    }

    /// The setup-phase download of replica `r` finished.
    fn on_setup_transfer_done(&mut self, r: Slot) -> Result<(), String> {
        self.become_running(r);
        Ok(())
    }

    /// Setup finished: the replica is Running, joins the balancer and serves waiting requests.
    fn become_running(&mut self, r: Slot) {
        let ri = r as usize;
        let fi = self.replicas.function[ri] as usize;
        self.replicas.state[ri] = ReplicaState::Running;
        self.replicas.t_running[ri] = self.now;
        self.usage.cpu_at_running[ri] = self.replica_cpu_at(r, self.now);
        {
            let f = &mut self.functions[fi];
            f.integrate_counts(self.now);
            f.running += 1;
        }
        self.note_counts(fi as u32);
        if self.replicas.doomed[ri] {
            let reason = self.replicas.end_reason[ri].unwrap_or("scale_down");
            let state = self.replicas.end_state[ri];
            self.begin_teardown(r, state, reason);
            // Requests that arrived after the suspension wait for a replica of their own.
            self.scale_from_zero(fi as u32);
            return;
        }
        if self.router.replica_running(fi as u32, r, &self.replicas) {
            self.serve_waiting(fi as u32, r);
        }
        if self.compute.outstanding(r) == 0 {
            self.on_replica_idle(r, false);
        }
        self.check_ready_workloads();
    }

    /// Selects a replica for removal: it leaves the balancer, drains, then tears down.
    pub(super) fn begin_teardown(
        &mut self,
        r: Slot,
        end_state: ReplicaState,
        reason: &'static str,
    ) {
        let ri = r as usize;
        let fi = self.replicas.function[ri] as usize;
        let was = self.replicas.state[ri];
        self.replicas.end_state[ri] = end_state;
        self.replicas.end_reason[ri] = Some(reason);
        if was.is_pending() && was != ReplicaState::Conceived {
            // Let it finish starting; it is torn down as soon as it is Running.
            self.replicas.doomed[ri] = true;
            return;
        }
        if was == ReplicaState::Conceived {
            self.end_replica(r, ReplicaState::Removed, "cancelled");
            return;
        }
        debug_assert_eq!(was, ReplicaState::Running);
        self.replicas.state[ri] = ReplicaState::Teardown;
        self.replicas.t_teardown[ri] = self.now;
        self.replicas.keepalive[ri] = SimTime::NEVER;
        let f = &mut self.functions[fi];
        f.integrate_counts(self.now);
        f.running -= 1;
        f.live -= 1;
        f.live_per_container[self.replicas.container[ri] as usize] -= 1;
        self.replicas.remove_ordered(&mut f.live_ids, r);
        self.router.replica_leaves(fi as u32, r, &self.replicas);
        self.note_counts(fi as u32);
        if !self.model.scaling.drain || self.compute.outstanding(r) == 0 {
            self.start_teardown_phase(r);
        }
    }

    /// Runs the teardown phase of a replica in Teardown.
    pub(super) fn start_teardown_phase(&mut self, r: Slot) {
        let ri = r as usize;
        if self.replicas.teardown_started[ri] {
            return;
        }
        self.replicas.teardown_started[ri] = true;
        let t = self.cluster.nodes.node_type[self.replicas.node[ri] as usize] as usize;
        let fi = self.replicas.function[ri] as usize;
        let f = &mut self.functions[fi];
        let c = &self.model.functions[fi].containers[self.replicas.container[ri] as usize];
        let d = c.teardown[t]
            .as_ref()
            .map(|s| s.sample(&mut f.rng_teardown))
            .unwrap_or(SimTime::ZERO);
        let replica = self.replicas.reference(r);
        self.queue
            .push(self.now.plus(d), Event::TeardownDone { replica });
    }

    pub(super) fn on_teardown_done(&mut self, r: Slot) {
        let ri = r as usize;
        if self.compute.outstanding(r) > 0 {
            // drain = false: requests still complete; the pod is released after the last one.
            self.replicas.teardown_over[ri] = true;
            return;
        }
        let state = self.replicas.end_state[ri];
        let reason = self.replicas.end_reason[ri].unwrap_or("scale_down");
        self.end_replica(r, state, reason);
    }

    /// Makes a replica terminal, releasing its resources if it held any.
    pub(super) fn end_replica(&mut self, r: Slot, state: ReplicaState, reason: &'static str) {
        let ri = r as usize;
        let was = self.replicas.state[ri];
        let fi = self.replicas.function[ri] as usize;
        if was.is_live() {
            let f = &mut self.functions[fi];
            f.integrate_counts(self.now);
            f.live -= 1;
            f.live_per_container[self.replicas.container[ri] as usize] -= 1;
            self.replicas.remove_ordered(&mut f.live_ids, r);
            if was == ReplicaState::Running {
                f.running -= 1;
                self.router.replica_leaves(fi as u32, r, &self.replicas);
            }
            self.note_counts(fi as u32);
        }
        if was.holds_resources() {
            let node = self.replicas.node[ri];
            let computing = self.compute.stop_cpu(r, self.now);
            self.usage.stop(self.now, r, node, computing);
            self.replicas.remove_ordered(&mut self.resident, r);
            if let Some(m) = &mut self.monitor {
                m.forget(r);
            }
            let pod = self.pod(r);
            self.cluster
                .nodes
                .release(node, pod.cpu_millis, pod.memory_bytes);
            let ctx = SchedContext {
                cluster: &self.cluster,
                cache: &self.cache,
            };
            self.scheduler.on_removed(&pod, node, &ctx);
        }
        self.replicas.state[ri] = state;
        self.replicas.end_reason[ri] = Some(reason);
        self.replicas.t_ended[ri] = self.now;
        debug_assert!(self.replicas.node[ri] == NONE || !state.is_live());
        if state == ReplicaState::Failed {
            self.replicas_failed += 1;
        }
        // Its row is final now; the slot goes to the next replica.
        if self.model.outputs.replicas {
            let row = self.replica_row(r);
            self.replica_rows.push(row);
        }
        self.replicas.release(r);
    }
}
