//! `Simulation`: one run of one scenario with one master seed.
//!
//! Owns the clock, the event queue and one value per subsystem (replicas, router, compute,
//! network, workload sources, scaling state, monitor). This file is the event loop and the
//! routing table ([`Simulation::handle`]: which handler each [`Event`] goes to); the request
//! path between router and compute is in `requests`, the replica life cycle in `lifecycle`,
//! scaling decisions and the one place that applies them in `scalers` and `operations`, and
//! `collect` turns the final state into a [`RunOutput`] (`docs/architecture.md`).

mod collect;
mod guard;

pub use guard::DEFAULT_MAX_MEMORY_MB;
mod lifecycle;
mod monitor;
mod operations;
mod request_data;
mod requests;
mod scalers;
mod workloads;

use crate::cluster::{Cluster, ImageCache};
use crate::compute::Compute;
use crate::config::{CountMode, EndPolicy};
use crate::engine::{fnv1a64, splitmix64, EventQueue, SimTime};
use crate::metrics::{
    InvocationRow, PlacementRow, ReplicaCountRow, ReplicaRow, RunIdentity, RunOutput, RunRow,
    RunStatus, ScalingRow, UtilizationRow,
};
use crate::model::Model;
use crate::network::{generators, Network, TransferEvents};
use crate::platform::{FunctionRt, ReplicaRef, ReplicaTable, Slot, Usage};
use crate::router::Router;
use crate::scaling::keepalive::KeepalivePolicy;
use crate::scaling::{Counts, FunctionScaling};
use crate::scheduler::{self, Decision, Scheduler};
use crate::workload::WorkloadSources;
use monitor::Monitor;
use std::collections::VecDeque;
use std::time::Instant;

/// The event loop's guards run when `events & GUARD_EVERY_MASK == 0`: every
/// [`guard::MEMORY_CHECK_EVERY`] events, which also divides the wall-time guard's period.
const GUARD_EVERY_MASK: u64 = guard::MEMORY_CHECK_EVERY - 1;
const _: () = assert!(
    guard::MEMORY_CHECK_EVERY.is_power_of_two() && 0xFFFF & GUARD_EVERY_MASK == GUARD_EVERY_MASK
);

/// Everything that can happen. Small and `Copy`: indices and nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Deploy a function's deployment.
    Deploy {
        /// Function id.
        function: u32,
    },
    /// The next request of a workload arrives.
    Arrival {
        /// Workload index.
        workload: u32,
    },
    /// The scheduler takes the head of its queue.
    ScheduleNext,
    /// Scheduling latency elapsed for a placed replica: it starts deploying.
    DeployStart {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// Scheduling latency elapsed for an unschedulable replica: it fails (and may fall back).
    PlacementFailed {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// A transfer's connection set-up is over: its flow starts competing for bandwidth.
    TransferSetupDone {
        /// Transfer slot.
        transfer: u32,
    },
    /// A transfer moved its last byte (a timer: moved whenever its flow's rate changes).
    TransferDone {
        /// Transfer slot.
        transfer: u32,
    },
    /// A replica's startup phase ended.
    StartupDone {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// A replica's setup phase ended: it is Running.
    SetupDone {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// A request finished processing.
    InvocationDone {
        /// Request slot.
        slot: u32,
    },
    /// A replica's teardown phase ended.
    TeardownDone {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// A scripted command is due.
    Command {
        /// Index into `scenario.commands`.
        index: u32,
    },
    /// A function's periodic autoscaler evaluates (a timer: cancelled when the deployment is removed).
    ScalerTick {
        /// Function id.
        function: u32,
    },
    /// The idler checks every `scale_zero` function.
    IdlerTick,
    /// The resource monitor samples usage (an observer: it never decides when the run ends).
    MonitorTick,
    /// An idle replica's keep-alive window may have ended (a timer: moved earlier when needed).
    KeepaliveExpiry {
        /// Replica (a stale reference is a counted no-op).
        replica: ReplicaRef,
    },
    /// A keep-alive pre-warm window ended: create a replica.
    Prewarm {
        /// Function id.
        function: u32,
    },
    /// A request's `routing.request_timeout_s` elapsed (a timer: cancelled when it starts or ends).
    RequestTimeout {
        /// Request slot.
        slot: u32,
    },
    /// A waiting request polls for a Running replica (`routing.cold_start_poll_s > 0`; a timer:
    /// cancelled when it is dispatched or ends).
    ColdPoll {
        /// Request slot.
        slot: u32,
    },
}

impl TransferEvents for Event {
    fn setup_done(transfer: u32) -> Event {
        Event::TransferSetupDone { transfer }
    }
    fn transfer_done(transfer: u32) -> Event {
        Event::TransferDone { transfer }
    }
}

/// One run.
pub struct Simulation<'a> {
    model: &'a Model,
    seed: u64,
    now: SimTime,
    queue: EventQueue<Event>,
    events: u64,
    cluster: Cluster,
    cache: ImageCache,
    scheduler: Box<dyn Scheduler>,
    decision: Decision,
    /// Replicas waiting for the scheduler (cancelled ones are skipped when reached).
    sched_queue: VecDeque<ReplicaRef>,
    sched_busy: bool,
    functions: Vec<FunctionRt>,
    replicas: ReplicaTable,
    /// Transfers and image pulls in flight (the network model).
    network: Network,
    /// Per-invocation data transfers of requests in flight.
    request_data: request_data::RequestData,
    /// The per-run topology could not be built (the run fails with this message).
    build_error: Option<String>,
    /// Requests in flight, waiting requests and where they go.
    router: Router,
    /// Worker pools and local queues of the replicas.
    compute: Compute,
    /// Where requests come from.
    workloads: WorkloadSources,
    /// The run's horizon: configured, or set when the last workload finishes.
    horizon: Option<SimTime>,
    deadline: SimTime,
    /// Guards of the event loop (see [`guard`]).
    stuck_clock: guard::StuckClock,
    started: bool,
    inv_rows: Vec<InvocationRow>,
    placement_rows: Vec<PlacementRow>,
    scaling_rows: Vec<ScalingRow>,
    count_rows: Vec<ReplicaCountRow>,
    /// Index of each function's last `replica_counts` row (`u32::MAX`: none yet).
    count_last: Vec<u32>,
    util_rows: Vec<UtilizationRow>,
    /// Scaling state per function.
    fscale: Vec<FunctionScaling>,
    /// Some deployment has `scale_zero = true`.
    idler: bool,
    /// Some function's keep-alive policy is `hybrid_histogram`, the only one that records
    /// completions: without one, a completion does not look its function's scaling state up.
    hybrid_keepalive: bool,
    /// An arrival records itself in its function's scaling state: some function has a
    /// `hybrid_histogram` keep-alive (which measures idle times) or `scale_zero` (the idler
    /// reads the last arrival). Otherwise nothing reads those records.
    arrival_scaling: bool,
    /// `scaling.count = "dispatches"`: a dispatch counts its function's dispatches (nothing
    /// else reads them, so otherwise it does not look its function's scaling state up).
    count_dispatches: bool,
    /// The resource monitor, when an HPA or the `utilization` table needs it.
    monitor: Option<Monitor>,
    /// Used CPU and memory of replicas and nodes.
    usage: Usage,
    /// Replicas holding node resources (Scheduled … Teardown), in creation order.
    resident: Vec<Slot>,
    /// `replicas` rows of the replicas that have ended (live ones are added at collection).
    replica_rows: Vec<ReplicaRow>,
    /// Replicas that ended Failed.
    replicas_failed: u32,
    /// Records with `applied != 0`.
    scale_actions: u32,
    /// Time of the last processed event that was neither stale nor an observer (`sim_end`).
    last_event: SimTime,
    /// Scratch buffers for scaler decisions (reused, never shrunk).
    scratch: Vec<u32>,
    /// Scheduling decisions made (successful or not).
    decisions: u32,
}

/// Why a run stopped early.
#[derive(Debug)]
enum Abort {
    Error(String),
    Timeout(String),
    /// A resource guard (`run.max_memory_mb`) stopped the run.
    Aborted(String),
}

impl<'a> Simulation<'a> {
    /// Builds a run of a compiled model with master seed `seed`, with the scheduler profile the
    /// scenario names (`scheduler.profile`).
    pub fn new(model: &'a Model, seed: u64) -> Simulation<'a> {
        Self::with_scheduler(model, seed, |cluster| match model.custom_scheduler() {
            Some(factory) => factory(cluster, seed),
            None => scheduler::build(model.scenario(), cluster, seed)
                .expect("Model::compile checked that the scheduler profile builds"),
        })
    }

    /// Builds a run with a scheduler of your own: `make` receives the run's cluster (built from
    /// the scenario's topology) and returns the scheduler, which the run then uses for every
    /// placement. `scheduler.profile` is ignored. Derive any randomness from `seed` (e.g.
    /// `engine::stream_rng(seed, "sched")`) to keep runs reproducible.
    pub fn with_scheduler(
        model: &'a Model,
        seed: u64,
        make: impl FnOnce(&Cluster) -> Box<dyn Scheduler>,
    ) -> Simulation<'a> {
        // A random generator gives every run its own topology, from the run's `topology`
        // stream (docs/network.md, "Generators"); a fixed one is built once, at compile time.
        let (cluster, build_error) = if generators::is_random(model.scenario()) {
            match Cluster::build_seeded(model.scenario(), seed) {
                Ok(c) => (c, None),
                Err(e) => (model.cluster.clone(), Some(e)),
            }
        } else {
            (model.cluster.clone(), None)
        };
        let sc = model.scenario();
        let cache = ImageCache::with_capacity(
            cluster.nodes.len(),
            cluster.images.len(),
            sc.topology.image_cache.map(|s| s.0),
        );
        let network = Network::new(&cluster.links, &sc.network, seed, model.outputs.flows);
        let scheduler = make(&cluster);
        let functions: Vec<FunctionRt> = model
            .functions
            .iter()
            .map(|f| FunctionRt::new(&f.name, f.containers.len(), seed))
            .collect();
        let workloads = WorkloadSources::new(&model.workloads, seed);
        let horizon = model.run.horizon;
        let deadline = match (horizon, model.run.end_policy) {
            (Some(h), EndPolicy::Drain) => h.plus(model.run.drain_timeout),
            (Some(h), EndPolicy::Cut) => h,
            (None, _) => SimTime::NEVER,
        };
        let fscale = model
            .functions
            .iter()
            .map(|f| match f.deployment {
                Some(_) => FunctionScaling::new(&f.scaling, &model.scaling.global),
                None => FunctionScaling::inert(),
            })
            .collect::<Vec<_>>();
        let idler = model
            .functions
            .iter()
            .any(|f| f.deployment.is_some() && f.scaling.scale_zero);
        let hybrid_keepalive = fscale
            .iter()
            .any(|s| matches!(s.keepalive, KeepalivePolicy::Hybrid(_)));
        let count_dispatches = model.scaling.count == CountMode::Dispatches;
        let monitor = Monitor::build(model, &fscale, cluster.nodes.len());
        let usage = Usage::new(cluster.nodes.len());
        let n_functions = functions.len();
        Simulation {
            model,
            seed,
            now: SimTime::ZERO,
            queue: EventQueue::with_capacity(1024),
            events: 0,
            cluster,
            cache,
            scheduler,
            decision: Decision::default(),
            sched_queue: VecDeque::new(),
            sched_busy: false,
            functions,
            replicas: ReplicaTable::default(),
            network,
            request_data: request_data::RequestData::new(model),
            build_error,
            router: Router::new(model, seed),
            compute: Compute::new(model, seed),
            workloads,
            horizon,
            deadline,
            stuck_clock: guard::StuckClock::default(),
            started: false,
            inv_rows: Vec::new(),
            placement_rows: Vec::new(),
            scaling_rows: Vec::new(),
            count_rows: Vec::new(),
            count_last: vec![u32::MAX; n_functions],
            util_rows: Vec::new(),
            fscale,
            idler,
            hybrid_keepalive,
            arrival_scaling: idler || hybrid_keepalive,
            count_dispatches,
            monitor,
            usage,
            resident: Vec::new(),
            replica_rows: Vec::new(),
            replicas_failed: 0,
            scale_actions: 0,
            last_event: SimTime::ZERO,
            scratch: Vec::new(),
            decisions: 0,
        }
    }

    /// Schedules the bootstrap events (`docs/model.md`).
    fn bootstrap(&mut self) {
        for (fi, f) in self.model.functions.iter().enumerate() {
            if f.deployment.is_some() {
                self.queue.push(
                    f.deploy_at,
                    Event::Deploy {
                        function: fi as u32,
                    },
                );
            }
        }
        for (ci, c) in self.model.commands.iter().enumerate() {
            // Commands after the horizon are ignored (docs/scenario.md, `run`).
            if self.horizon.is_none_or(|h| c.at <= h) {
                self.queue.push(c.at, Event::Command { index: ci as u32 });
            }
        }
        for wi in 0..self.workloads.len() as u32 {
            if !self.workloads.waiting_ready(wi) {
                self.start_workload(wi);
            }
        }
        if let Some(m) = &self.monitor {
            self.queue.push(m.interval, Event::MonitorTick);
        }
        if self.idler {
            let every = self.model.scaling.idler_interval;
            self.queue.push(every, Event::IdlerTick);
        }
        if self.workloads.generating() == 0 && self.horizon.is_none() {
            self.close_horizon();
        }
    }

    /// Runs to the end and returns the run's rows.
    pub fn run(mut self, id: RunIdentity) -> RunOutput {
        let wall = Instant::now();
        if let Some(e) = self.build_error.take() {
            let run = RunRow::new(id);
            return RunOutput::failed(run, RunStatus::Error, e);
        }
        self.start();
        let result = self.event_loop(wall);
        let elapsed = wall.elapsed().as_secs_f64();
        let mut run = RunRow::new(id);
        run.horizon_s = self.model.run.horizon_s;
        run.wall_time_s = Some(elapsed);
        run.events_per_s = Some(if elapsed > 0.0 {
            self.events as f64 / elapsed
        } else {
            0.0
        });
        match result {
            Ok(()) => self.collect_output(run),
            Err(Abort::Error(e)) => RunOutput::failed(run, RunStatus::Error, e),
            Err(Abort::Timeout(e)) => RunOutput::failed(run, RunStatus::Timeout, e),
            Err(Abort::Aborted(e)) => RunOutput::failed(run, RunStatus::Aborted, e),
        }
    }

    fn event_loop(&mut self, wall: Instant) -> Result<(), Abort> {
        let max_wall = self.model.run.max_wall_s;
        while self.step_inner()? {
            // The guards' checks: every few thousand events, one test per event here.
            if self.events & GUARD_EVERY_MASK == 0 {
                self.check_guards(wall, max_wall)?;
            }
        }
        Ok(())
    }

    /// The periodic guards of the event loop, called every [`guard::MEMORY_CHECK_EVERY`]
    /// events: the memory the run's tables hold, and `run.max_wall_s` (every 65 536 events).
    #[cold]
    #[inline(never)]
    fn check_guards(&self, wall: Instant, max_wall: Option<f64>) -> Result<(), Abort> {
        if let Some(e) = guard::over_budget(self.table_bytes(), self.model.run.max_memory_mb) {
            return Err(Abort::Aborted(e));
        }
        if let Some(limit) = max_wall {
            if self.events & 0xFFFF == 0 && wall.elapsed().as_secs_f64() > limit {
                return Err(Abort::Timeout(format!(
                    "run.max_wall_s: exceeded {limit} s of wall time"
                )));
            }
        }
        Ok(())
    }

    /// Bytes held by the rows the run has recorded so far and by its request slots.
    fn table_bytes(&self) -> usize {
        guard::vec_bytes(&self.inv_rows)
            + guard::vec_bytes(&self.placement_rows)
            + guard::vec_bytes(&self.scaling_rows)
            + guard::vec_bytes(&self.count_rows)
            + guard::vec_bytes(&self.util_rows)
            + self.router.bytes()
    }

    /// Processes one event; `Ok(false)` when the run is over.
    ///
    /// Observer events (the monitor's ticks) never decide the end: the end condition is checked
    /// only after other events, `sim_end` is the time of the last other event, and a run whose
    /// queue holds nothing but observers is over. So enabling the monitor changes no result.
    ///
    /// Inlined into the event loop, so the two common events (an arrival, a completion) run
    /// without a call of their own; every check that rarely fails leaves through a cold path.
    #[inline(always)]
    fn step_inner(&mut self) -> Result<bool, Abort> {
        // The next event, unless none is left or it lies past the deadline.
        // Completions about to be popped bring their request slot into the cache meanwhile:
        // handling one reads it, and slots are read in random order (docs/performance.md).
        let router = &self.router;
        let near = |ev: &Event| {
            if let Event::InvocationDone { slot } = *ev {
                router.prefetch_request(slot);
            }
        };
        let Some((t, ev)) = self.queue.pop_until_with(self.deadline, near) else {
            return Ok(false);
        };
        self.now = t;
        self.events += 1;
        if self.events > self.model.run.max_events {
            return Err(self.too_many_events(t));
        }
        // Guard: an event storm at one instant (a period that rounds to 0 ns).
        if !self.stuck_clock.observe(t) {
            return Err(Abort::Error(guard::StuckClock::message(t, ev)));
        }
        self.handle(ev).map_err(Abort::Error)?;
        if ev == Event::MonitorTick {
            // Cancelled timers not yet reached still count here, as they always have: the
            // monitor keeps ticking until they pass (changing this changes `utilization`).
            return Ok(self.queue.entries() > 1);
        }
        self.last_event = t;
        Ok(!self.finished())
    }

    /// The error of a run that exceeded `run.max_events` at `t`.
    #[cold]
    #[inline(never)]
    fn too_many_events(&self, t: SimTime) -> Abort {
        Abort::Error(format!(
            "run.max_events: the run exceeded {} events at t = {t}",
            self.model.run.max_events
        ))
    }

    /// Schedules the bootstrap events; call once before [`Simulation::step`].
    pub fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.bootstrap();
        }
    }

    /// Processes one event (for tests and interactive use). Returns `Ok(false)` once the run
    /// is over, and the error message if the run failed.
    pub fn step(&mut self) -> Result<bool, String> {
        self.start();
        self.step_inner().map_err(|e| match e {
            Abort::Error(m) | Abort::Timeout(m) | Abort::Aborted(m) => m,
        })
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The event queue's counts so far: entries pushed, leftovers of cancelled or moved timers
    /// skipped, and the peak number of entries (docs/performance.md).
    pub fn queue_stats(&self) -> crate::engine::QueueStats {
        self.queue.stats()
    }

    /// Entries in the event queue now, leftovers of cancelled or moved timers included.
    pub fn queue_entries(&self) -> usize {
        self.queue.entries()
    }

    /// The node table (free resources change as pods are placed and removed).
    pub fn nodes(&self) -> &crate::cluster::NodeTable {
        &self.cluster.nodes
    }

    /// Builds the output of a run driven with [`Simulation::step`].
    pub fn finish(self, id: RunIdentity) -> RunOutput {
        let mut run = RunRow::new(id);
        run.horizon_s = self.model.run.horizon_s;
        self.collect_output(run)
    }

    /// Hands `ev` to its handler: arrivals and completions (all but a handful of a run's
    /// events) inline, every other kind through [`Simulation::handle_rare`].
    #[inline(always)]
    fn handle(&mut self, ev: Event) -> Result<(), String> {
        match ev {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::InvocationDone { slot } => self.on_invocation_done(slot),
            _ => self.handle_rare(ev)?,
        }
        // A recorded-arrivals or trace file that could not be read further stops the run. A
        // flag test after every event; the message is taken only then.
        if self.workloads.failed() {
            return Err(self.workloads.take_error().unwrap_or_default());
        }
        Ok(())
    }

    /// The routing table of the events other than arrivals and completions.
    #[inline(never)]
    fn handle_rare(&mut self, ev: Event) -> Result<(), String> {
        match ev {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::InvocationDone { slot } => self.on_invocation_done(slot),
            Event::Deploy { function } => self.on_deploy(function),
            Event::ScheduleNext => self.on_schedule_next(),
            Event::TransferSetupDone { transfer } => {
                self.network
                    .transfers
                    .on_setup_done(self.now, transfer, &mut self.queue)
            }
            Event::TransferDone { transfer } => self.on_transfer_done(transfer)?,
            Event::DeployStart { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_deploy_start(r)?
                }
            }
            Event::PlacementFailed { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_placement_failed(r)
                }
            }
            Event::StartupDone { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_startup_done(r)?
                }
            }
            Event::SetupDone { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_setup_done(r)?
                }
            }
            Event::TeardownDone { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_teardown_done(r)
                }
            }
            Event::Command { index } => self.on_command(index),
            Event::ScalerTick { function } => self.on_scaler_tick(function),
            Event::IdlerTick => self.on_idler_tick(),
            Event::MonitorTick => self.on_monitor_tick(),
            Event::KeepaliveExpiry { replica } => {
                if let Some(r) = self.replicas.resolve(replica) {
                    self.on_keepalive_expiry(r)
                }
            }
            Event::Prewarm { function } => self.on_prewarm(function),
            Event::RequestTimeout { slot } => self.on_request_timeout(slot),
            Event::ColdPoll { slot } => self.on_cold_poll(slot),
        }
        Ok(())
    }

    /// The drain end condition: past any configured horizon, every workload is done and no
    /// request is waiting or in flight.
    #[inline]
    fn finished(&self) -> bool {
        self.workloads.generating() == 0
            && self.router.outstanding() == 0
            && self.model.run.end_policy == EndPolicy::Drain
            && self.model.run.horizon.is_none_or(|h| self.now >= h)
    }

    /// The moment the run stopped: its deadline (the horizon under `end_policy = "cut"`, the
    /// horizon plus `drain_timeout_s` under `"drain"`) if events were left beyond it, else the
    /// last event (the run ran out of events, or is finished early by a caller of
    /// [`Simulation::step`]). A request still in flight was in flight until then.
    fn stopped_at(&mut self) -> SimTime {
        match self.queue.peek_time() {
            Some(t) if t > self.deadline => self.deadline,
            _ => self.last_event,
        }
    }

    /// Called when the last workload stops generating and no horizon was configured.
    fn close_horizon(&mut self) {
        if self.horizon.is_none() {
            let h = self.now;
            self.horizon = Some(h);
            self.deadline = match self.model.run.end_policy {
                EndPolicy::Drain => h.plus(self.model.run.drain_timeout),
                EndPolicy::Cut => h,
            };
        }
    }

    /// Replica counts of a function now.
    #[inline]
    fn counts(&self, function: u32) -> Counts {
        let f = &self.functions[function as usize];
        Counts {
            running: f.running,
            pending: f.live - f.running.min(f.live),
        }
    }

    /// Live and Running replicas of function `function` now (for tests and tools).
    pub fn replica_counts(&self, function: u32) -> (u32, u32) {
        let f = &self.functions[function as usize];
        (f.live, f.running)
    }

    /// The replica table's size: `(slots held by replicas that have not ended, slots
    /// allocated)`. Slots are reused, so the second is the peak of the first (for tests).
    pub fn replica_slots(&self) -> (usize, usize) {
        (self.replicas.occupied(), self.replicas.slots())
    }

    /// Replicas created so far.
    pub fn replicas_created(&self) -> u32 {
        self.replicas.created()
    }

    /// Scaling bounds `(scale_min, scale_max)` of function `function`.
    pub fn scale_bounds(&self, function: u32) -> (u32, u32) {
        let s = &self.model.functions[function as usize].scaling;
        (s.scale_min, s.scale_max)
    }

    /// Number of functions.
    pub fn function_count(&self) -> usize {
        self.functions.len()
    }

    /// Requests of `function` waiting in its queue for a replica (for tests and tools).
    pub fn waiting_requests(&self, function: u32) -> usize {
        self.router.waiting(function)
    }

    /// The first function that has a request waiting in its queue while one of its eligible
    /// replicas has a free worker, if any: pull mode promises there is none after every event
    /// (for tests).
    pub fn idle_replica_beside_waiting_work(&self) -> Option<u32> {
        (0..self.functions.len() as u32).find(|&f| {
            self.router.waiting(f) > 0
                && self.router.eligible(f).iter().any(|&r| {
                    let c = requests::concurrency_of(self.model, &self.replicas, r);
                    self.compute.has_free_worker(r, c)
                })
        })
    }
}

/// Whether request `fn_seq` of `function` gets an invocation row (`docs/outputs.md`).
fn keep_invocation(seed: u64, function: &str, fn_seq: u64, threshold: u64) -> bool {
    if threshold == u64::MAX {
        return true;
    }
    let h = splitmix64(splitmix64(seed) ^ fnv1a64(function) ^ fn_seq);
    h < threshold
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn events_stay_eight_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 8);
    }
}
