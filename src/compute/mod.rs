//! Compute: how replicas execute the requests dispatched to them (`docs/model.md`, execution).
//!
//! Owns, per replica slot, the worker pool (requests executing now), the local FIFO queue of
//! requests waiting for a worker and the count of requests served; per function, the
//! `exec/<function>` stream that draws execution times. The concurrency model of a container
//! ([`crate::execution::Concurrency`]) says how many requests execute at once (one, W workers of
//! an HTTP watchdog, or unbounded for forking) and how long the local queue may grow.
//!
//! Two CPU models (`execution.cpu_model`, `docs/workloads.md`):
//!
//! - *isolated*: a request's completion is fixed when it starts: its execution time is drawn
//!   once and an `InvocationDone` event is posted;
//! - *shared*: each node's cores are shared among the requests computing on it
//!   ([`crate::execution::SharedCpu`], processor sharing). The draw is the request's *work*;
//!   its completion is a timer, and every start or finish on the node moves the timers of the
//!   other requests there (`EventQueue::move_to`). A request's slowdown is its elapsed time
//!   over its work.
//!
//! With `execution.degradation` ([`crate::execution::CoLocation`]) a request's draw is first
//! multiplied by its co-location factor, under either model.
//!
//! A replica's facts the request path reads at every dispatch, start and completion (function,
//! node, concurrency, CPU figures, samplers) are resolved once, when it is placed on its node, into a
//! [`ReplicaProfile`] kept beside its worker count (`profile.rs`).
//!
//! Under isolated CPUs compute also keeps the integral of the CPU its computing requests use
//! (`cpu_integral.rs`), in the same line: the platform's [`crate::platform::Usage`] keeps the
//! rest of the replica's CPU (its idle CPU, and under shared CPUs its contended share), and
//! the readers of a replica's or a node's CPU add the two.
//!
//! Compute never ends a request or touches the router's state: [`Compute::admit`] says whether a
//! dispatched request starts, queues or is refused, and [`Compute::finish`] hands back the next
//! queued request, and the `Simulation` carries both out.

mod cpu_integral;
mod profile;

pub use cpu_integral::ComputingCpu;
pub use profile::{ReplicaProfile, NO_QUEUE_LIMIT, NO_SAMPLER};

use crate::config::CpuModel;
use crate::engine::{stream_rng, EventQueue, SimRng, SimTime, TimerId};
use crate::execution::{CoLocation, Concurrency, DurationSampler, JobId, SharedCpu};
use crate::model::Model;
use crate::platform::Slot;
use crate::sim::Event;
use profile::SamplerTable;
use std::collections::VecDeque;

/// What happens to a request dispatched to a replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A worker is free: start it now ([`Compute::start`]).
    Start,
    /// Every worker is busy: it waits in the replica's local queue.
    Queued,
    /// Every worker is busy and the local queue is at its capacity: it is refused.
    QueueFull,
}

/// How long a request's compute part takes: its recorded duration if a trace gave one, else a
/// draw of an execution model; plus, on a replica's first request, a draw of the container's
/// `cold_penalty` (from the same `exec/<function>` stream, after the first draw).
#[derive(Clone, Copy, Debug)]
pub enum ExecTime<'a> {
    /// The request's recorded duration (already scaled to the node's type).
    Recorded(SimTime),
    /// A draw of the replica's `exec` model (its [`ReplicaProfile::exec`]).
    Replica,
    /// A draw of another execution model of the container (a 2019 trace request names its
    /// arrival day's); `None`: the request takes no time.
    Model(Option<&'a DurationSampler>),
}

/// What compute keeps per replica slot: the worker count, the local queue's length, the
/// requests served, the CPU integral of its computing requests and the replica's profile, one
/// cache line. Every dispatch, start and
/// completion reads it; whatever else a request touches per replica is another line, and in a
/// run with hundreds of replicas each such line is a first-level cache miss
/// (docs/performance.md, "Round 8: cache misses of many-function runs").
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct ReplicaWork {
    /// Requests executing (holding a worker).
    executing: u32,
    /// Requests in the local queue: `queued[slot].len()`, kept here so that `outstanding`
    /// reads this line only.
    queued: u32,
    /// Completed requests.
    served: u64,
    /// Isolated CPUs: the integral of the CPU its computing requests use.
    cpu: ComputingCpu,
    /// The replica's facts, resolved at its placement ([`Compute::resolve`]); its
    /// `cold_penalty` is taken by the first compute part.
    profile: ReplicaProfile,
}

impl ReplicaWork {
    const EMPTY: ReplicaWork = ReplicaWork {
        executing: 0,
        queued: 0,
        served: 0,
        cpu: ComputingCpu::ZERO,
        profile: ReplicaProfile::UNRESOLVED,
    };
}

/// Worker pools and local queues of every replica.
#[derive(Debug, Default)]
pub struct Compute {
    /// Worker count, local queue length, requests served and profile, per replica slot.
    work: Vec<ReplicaWork>,
    /// Requests waiting for a worker (request slots, FIFO), per replica slot.
    queued: Vec<VecDeque<u32>>,
    /// Per replica slot: its container's `cpu_share` (millicores; read only under shared CPUs,
    /// so it stays out of the hot [`ReplicaWork`] line).
    cpu_share: Vec<i64>,
    /// `exec/<function>` streams.
    rng: Vec<SimRng>,
    /// Every container's `exec` and `cold_penalty` samplers, named by index in the profiles.
    samplers: SamplerTable,
    /// Shared CPUs: one per node (empty with isolated CPUs).
    cpus: Vec<SharedCpu>,
    /// Shared CPUs, per request slot: the request's job and completion timer while it computes.
    computing: Vec<Computing>,
    /// Shared CPUs, per node: the request slot of each job id.
    job_request: Vec<Vec<u32>>,
    /// Scratch: jobs whose completion changed.
    moved: Vec<(JobId, SimTime)>,
    /// Scratch: used CPU of a node's busy replicas.
    used: Vec<(u32, u64)>,
    /// `execution.degradation`: computing requests per node and their factors (`None`: off).
    co_location: Option<CoLocation>,
}

/// A request computing on a shared CPU.
#[derive(Clone, Copy, Debug)]
struct Computing {
    node: u32,
    job: JobId,
    timer: TimerId,
}

/// A request that finished on its replica.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finished {
    /// The next request of the replica's local queue, which the caller starts.
    pub next: Option<u32>,
    /// Elapsed time over work (1 with isolated CPUs).
    pub slowdown: f64,
}

impl Compute {
    /// The compute state of a run of `model` with master seed `seed`.
    pub fn new(model: &Model, seed: u64) -> Compute {
        let nodes = &model.cluster.nodes;
        let cpus = match model.execution.cpu_model {
            CpuModel::Isolated => Vec::new(),
            CpuModel::Shared => nodes
                .cpu_capacity
                .iter()
                .map(|&millis| SharedCpu::new(millis as f64 / 1000.0))
                .collect(),
        };
        let co_location = CoLocation::new(&model.execution.degradation, &nodes.node_type);
        Compute {
            rng: model
                .functions
                .iter()
                .map(|f| stream_rng(seed, &format!("exec/{}", f.name)))
                .collect(),
            samplers: SamplerTable::new(model),
            job_request: vec![Vec::new(); cpus.len()],
            cpus,
            co_location,
            ..Compute::default()
        }
    }

    /// Whether replica `r` (concurrency `c`) has a free worker.
    #[inline]
    pub fn has_free_worker(&self, r: Slot, c: Concurrency) -> bool {
        self.work[r as usize].executing < c.workers
    }

    /// A new replica occupies slot `r`: its pool is empty (a reused slot keeps its queue's
    /// capacity) and its profile unresolved until it is placed.
    pub fn reset_replica(&mut self, r: Slot) {
        let i = r as usize;
        if i >= self.work.len() {
            self.work.resize(i + 1, ReplicaWork::EMPTY);
            self.queued.resize_with(i + 1, VecDeque::new);
            self.cpu_share.resize(i + 1, 0);
        }
        self.work[i] = ReplicaWork::EMPTY;
        self.queued[i].clear();
        self.cpu_share[i] = 0;
    }

    /// Resolves replica `r`'s profile: it runs container `container` of `function` on `node`,
    /// of type `node_type` (call when it is placed, before its first dispatch; the facts do not change until the
    /// slot is reset).
    pub fn resolve(
        &mut self,
        r: Slot,
        model: &Model,
        function: u32,
        container: u32,
        node: u32,
        node_type: u32,
    ) {
        self.work[r as usize].profile = self
            .samplers
            .profile(model, function, container, node, node_type);
        self.cpu_share[r as usize] =
            model.functions[function as usize].containers[container as usize].cpu_share;
    }

    /// Replica `r`'s profile (resolved: the replica has been placed, see [`Compute::resolve`]).
    #[inline(always)]
    pub fn profile(&self, r: Slot) -> &ReplicaProfile {
        let p = &self.work[r as usize].profile;
        debug_assert!(p.function != u32::MAX, "replica {r} is not resolved");
        p
    }

    /// A request (slot `request`) is dispatched to replica `r` (resolved: its concurrency is
    /// its profile's).
    #[inline]
    pub fn admit(&mut self, r: Slot, request: u32) -> Admission {
        let w = &mut self.work[r as usize];
        let p = &w.profile;
        if w.executing < p.workers {
            Admission::Start
        } else if p.queue_capacity != NO_QUEUE_LIMIT && w.queued >= p.queue_capacity {
            Admission::QueueFull
        } else {
            w.queued += 1;
            self.queued[r as usize].push_back(request);
            Admission::Queued
        }
    }

    /// A worker of replica `r` (resolved) begins processing request `request` now: its
    /// execution time (or work) is drawn as `exec` says and its completion scheduled; under
    /// isolated CPUs it uses the container's `cpu_per_invocation` until
    /// [`Compute::end_compute`]. Without a
    /// sampler for the node's type the request takes no time (`Model::compile` rejects such
    /// scenarios unless the `CanRun` predicate keeps those pods off those nodes).
    #[inline]
    pub fn start(
        &mut self,
        queue: &mut EventQueue<Event>,
        now: SimTime,
        r: Slot,
        request: u32,
        exec: ExecTime<'_>,
    ) {
        let i = r as usize;
        let isolated = self.cpus.is_empty();
        let w = &mut self.work[i];
        w.executing += 1;
        let p = w.profile;
        if isolated {
            w.cpu.start(now, p.cpu_per_invocation);
        }
        debug_assert!(p.function != u32::MAX, "replica {r} is not resolved");
        let rng = &mut self.rng[p.function as usize];
        let mut d = match exec {
            ExecTime::Recorded(d) => d,
            ExecTime::Replica => self
                .samplers
                .get(p.exec)
                .map(|s| s.sample(rng))
                .unwrap_or(SimTime::ZERO),
            ExecTime::Model(m) => m.map(|s| s.sample(rng)).unwrap_or(SimTime::ZERO),
        };
        // The replica's first compute part pays the penalty: it takes the sampler out of the
        // profile. A request that holds a worker while it downloads its input has not computed
        // yet, so it neither pays nor prevents it (`executing` counts it; without data
        // transfers the two rules agree).
        if p.cold_penalty != NO_SAMPLER {
            w.profile.cold_penalty = NO_SAMPLER;
            if let Some(s) = self.samplers.get(p.cold_penalty) {
                d = d.plus(s.sample(rng));
            }
        }
        let node = p.node;
        if let Some(co) = &mut self.co_location {
            d = SimTime::from_secs_f64(d.as_secs_f64() * co.start(node, request));
        }
        if isolated {
            queue.push(now.plus(d), Event::InvocationDone { slot: request });
            return;
        }
        self.start_shared(queue, now, r, request, d);
    }

    /// [`Compute::start`] under shared CPUs: the request's work `d` joins its node's CPU and
    /// its completion is a timer; the other jobs there are re-timed.
    fn start_shared(
        &mut self,
        queue: &mut EventQueue<Event>,
        now: SimTime,
        r: Slot,
        request: u32,
        d: SimTime,
    ) {
        let (node, cpu_millis) = (
            self.work[r as usize].profile.node,
            self.cpu_share[r as usize],
        );
        let n = node as usize;
        let share = cpu_millis.max(0) as f64 / 1000.0;
        let (job, at) = self.cpus[n].start(now, r, share, d.as_secs_f64(), &mut self.moved);
        let timer = queue.schedule(at, Event::InvocationDone { slot: request });
        let i = request as usize;
        if i >= self.computing.len() {
            self.computing.resize(
                i + 1,
                Computing {
                    node: 0,
                    job: JobId(0),
                    timer: TimerId::NONE,
                },
            );
        }
        self.computing[i] = Computing { node, job, timer };
        let slots = &mut self.job_request[n];
        if job.0 as usize >= slots.len() {
            slots.resize(job.0 as usize + 1, u32::MAX);
        }
        slots[job.0 as usize] = request;
        self.retime(queue, n);
    }

    /// Moves the completion timers of the jobs on node `n` whose completion changed.
    fn retime(&mut self, queue: &mut EventQueue<Event>, n: usize) {
        for (job, at) in self.moved.drain(..) {
            let request = self.job_request[n][job.0 as usize];
            queue.move_to(self.computing[request as usize].timer, at);
        }
    }

    /// Request `request` of replica `r` finished now.
    #[inline]
    pub fn finish(
        &mut self,
        queue: &mut EventQueue<Event>,
        now: SimTime,
        r: Slot,
        request: u32,
    ) -> Finished {
        let i = r as usize;
        self.work[i].served += 1;
        Finished {
            next: self.free_worker(i),
            slowdown: self.end_compute(queue, now, r, request),
        }
    }

    /// A worker of replica slot `i` is free: the next request of its local queue, if any,
    /// leaves the queue (the caller starts it on that worker).
    #[inline(always)]
    fn free_worker(&mut self, i: usize) -> Option<u32> {
        let w = &mut self.work[i];
        w.executing -= 1;
        if w.queued == 0 {
            return None;
        }
        w.queued -= 1;
        self.queued[i].pop_front()
    }

    /// A request that downloads data before it computes takes a worker of replica `r` now and
    /// holds it through the download (`docs/network.md`, "Data transfers"): the worker counts as
    /// executing, so the replica admits no other request on it.
    pub fn hold_worker(&mut self, r: Slot) {
        self.work[r as usize].executing += 1;
    }

    /// The worker held by a download begins computing: [`Compute::start`] takes it again.
    pub fn unhold_worker(&mut self, r: Slot) {
        self.work[r as usize].executing -= 1;
    }

    /// The compute part of request `request` of replica `r` ended now (under isolated CPUs it
    /// no longer uses CPU), but its worker stays held (for the request's upload) until
    /// [`Compute::release_worker`]. Returns the request's slowdown: its co-location factor
    /// times, under shared CPUs, its elapsed time over its work.
    #[inline(always)]
    pub fn end_compute(
        &mut self,
        queue: &mut EventQueue<Event>,
        now: SimTime,
        r: Slot,
        request: u32,
    ) -> f64 {
        let factor = self.co_location.as_mut().map_or(1.0, |co| co.end(request));
        if self.cpus.is_empty() {
            // Isolated CPUs: nothing to re-time (inline, on the path of every completion).
            let w = &mut self.work[r as usize];
            w.cpu.end(now, w.profile.cpu_per_invocation);
            return factor;
        }
        factor * self.end_shared(queue, now, request)
    }

    /// [`Compute::end_compute`] under shared CPUs: the request's job leaves its node's CPU, the
    /// other jobs there are re-timed; returns its elapsed time over its work.
    fn end_shared(&mut self, queue: &mut EventQueue<Event>, now: SimTime, request: u32) -> f64 {
        let c = self.computing[request as usize];
        let n = c.node as usize;
        let s = self.cpus[n].finish(now, c.job, &mut self.moved);
        self.retime(queue, n);
        s
    }

    /// The request holding a worker of replica `r` after [`Compute::end_compute`] finished:
    /// the worker is free; returns the next request of the replica's local queue (as
    /// [`Compute::finish`] does).
    pub fn release_worker(&mut self, r: Slot) -> Option<u32> {
        let i = r as usize;
        self.work[i].served += 1;
        self.free_worker(i)
    }

    /// Isolated CPUs (`execution.cpu_model = "isolated"`): no shared CPU per node.
    #[inline(always)]
    pub fn isolated(&self) -> bool {
        self.cpus.is_empty()
    }

    /// Shared CPUs: the used CPU of each busy replica on `node` now, `(replica, millicores)`
    /// summing to at most the node's capacity; `None` with isolated CPUs, where each executing
    /// request uses its container's `cpu_per_invocation`.
    pub fn shared_use(&mut self, node: u32) -> Option<&[(u32, u64)]> {
        let cpu = self.cpus.get(node as usize)?;
        cpu.used_millis_by_replica(&mut self.used);
        Some(&self.used)
    }

    /// Request `request` leaves replica `r`'s local queue (it timed out there).
    pub fn withdraw(&mut self, r: Slot, request: u32) {
        let q = &mut self.queued[r as usize];
        if let Some(pos) = q.iter().position(|&s| s == request) {
            q.remove(pos);
            self.work[r as usize].queued -= 1;
        }
    }

    /// Requests executing on replica `r`.
    #[inline]
    pub fn executing(&self, r: Slot) -> u32 {
        self.work[r as usize].executing
    }

    /// Requests in replica `r`'s local queue.
    #[inline]
    pub fn queued(&self, r: Slot) -> u32 {
        self.work[r as usize].queued
    }

    /// Requests on replica `r`: executing plus locally queued.
    #[inline]
    pub fn outstanding(&self, r: Slot) -> u32 {
        let w = &self.work[r as usize];
        w.executing + w.queued
    }

    /// Requests replica `r` completed.
    #[inline]
    pub fn served(&self, r: Slot) -> u64 {
        self.work[r as usize].served
    }

    /// Isolated CPUs: the integral since time 0 (millicore·ns) of the CPU replica `r`'s
    /// computing requests use (`now` ≥ their last start or end; 0 under shared CPUs, where
    /// [`crate::platform::Usage`] keeps it). The replica's used CPU is this plus `Usage`'s part.
    #[inline]
    pub fn cpu_integral(&self, r: Slot, now: SimTime) -> u128 {
        let w = &self.work[r as usize];
        w.cpu.at(now, w.profile.cpu_per_invocation)
    }

    /// Isolated CPUs: the CPU replica `r`'s computing requests use now, millicores.
    #[inline]
    pub fn cpu_in_use(&self, r: Slot) -> u64 {
        let w = &self.work[r as usize];
        w.cpu.value(w.profile.cpu_per_invocation)
    }

    /// Replica `r` stops now: the integral of its computing requests' CPU stays as it is now
    /// (a request still computing uses nothing more), and is returned.
    pub fn stop_cpu(&mut self, r: Slot, now: SimTime) -> u128 {
        let w = &mut self.work[r as usize];
        w.cpu.freeze(now, w.profile.cpu_per_invocation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_s_work_record_is_one_aligned_cache_line() {
        assert_eq!(std::mem::size_of::<ReplicaWork>(), 64);
        assert_eq!(std::mem::align_of::<ReplicaWork>(), 64);
    }

    #[test]
    fn the_work_record_holds_counts_cpu_integral_and_a_32_byte_profile() {
        use std::mem::{offset_of, size_of};
        assert_eq!(size_of::<ReplicaProfile>(), 32);
        assert_eq!(offset_of!(ReplicaWork, executing), 0);
        assert_eq!(offset_of!(ReplicaWork, queued), 4);
        assert_eq!(offset_of!(ReplicaWork, served), 8);
        assert_eq!(offset_of!(ReplicaWork, cpu), 16);
        assert_eq!(offset_of!(ReplicaWork, profile), 32);
    }

    #[test]
    fn the_profile_gives_back_the_container_s_concurrency() {
        for c in [
            Concurrency::UNBOUNDED,
            Concurrency {
                workers: 4,
                queue_capacity: Some(0),
            },
            Concurrency {
                workers: 1,
                queue_capacity: Some(7),
            },
            Concurrency {
                workers: 1,
                queue_capacity: None,
            },
        ] {
            let p = ReplicaProfile {
                workers: c.workers,
                queue_capacity: c.queue_capacity.unwrap_or(NO_QUEUE_LIMIT),
                ..ReplicaProfile::UNRESOLVED
            };
            assert_eq!(p.concurrency(), c);
        }
    }
}
