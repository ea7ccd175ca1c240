//! `Simulation`: one run of one scenario with one master seed.
//!
//! Owns the clock, the event queue and every table of the run; handlers for each [`Event`] live
//! in the submodules by concern (replica life cycle, requests, scaling operations), and
//! `report` turns the final state into a [`RunOutput`].

mod guard;
mod lifecycle;
mod monitor;
mod operations;
mod report;
mod requests;
mod scalers;
mod workloads;

use crate::cluster::{Cluster, ImageCache};
use crate::config::{EndPolicy, InvocationMode, InvocationRows, Scenario, StartConfig};
use crate::engine::{fnv1a64, splitmix64, stream_rng, EventQueue, SimRng, SimTime};
use crate::metrics::{
    InvocationRow, PlacementRow, ReplicaCountRow, RunIdentity, RunOutput, RunRow, RunStatus,
    ScalingRow, UtilizationRow,
};
use crate::platform::{build_functions, FunctionRt, ReplicaId, ReplicaTable, Usage};
use crate::scaling::{Counts, FunctionScaling};
use crate::scheduler::{self, Decision, Scheduler};
use crate::workload::{ArrivalProcess, RateProfile};
use monitor::Monitor;
use std::collections::VecDeque;
use std::time::Instant;

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
        /// Replica.
        replica: u32,
    },
    /// Scheduling latency elapsed for an unschedulable replica: it fails (and may fall back).
    PlacementFailed {
        /// Replica.
        replica: u32,
    },
    /// An image pull completed.
    PullDone {
        /// Pull slot.
        pull: u32,
    },
    /// A replica's startup phase ended.
    StartupDone {
        /// Replica.
        replica: u32,
    },
    /// A replica's setup phase ended: it is Running.
    SetupDone {
        /// Replica.
        replica: u32,
    },
    /// A request finished processing.
    InvocationDone {
        /// Request slot.
        slot: u32,
    },
    /// A replica's teardown phase ended.
    TeardownDone {
        /// Replica.
        replica: u32,
    },
    /// A scripted command is due.
    Command {
        /// Index into `scenario.commands`.
        index: u32,
    },
    /// A function's periodic autoscaler evaluates (stale unless it is the function's pending tick).
    ScalerTick {
        /// Function id.
        function: u32,
    },
    /// The idler checks every `scale_zero` function.
    IdlerTick,
    /// The resource monitor samples usage (an observer: it never decides when the run ends).
    MonitorTick,
    /// An idle replica's keep-alive window may have ended (stale unless it is the pending timer).
    KeepaliveExpiry {
        /// Replica.
        replica: u32,
    },
    /// A keep-alive pre-warm window ended: create a replica.
    Prewarm {
        /// Function id.
        function: u32,
    },
    /// A request's `routing.request_timeout_s` elapsed (stale once it started or ended).
    RequestTimeout {
        /// Request slot.
        slot: u32,
    },
    /// A waiting request polls for a Running replica (`routing.cold_start_poll_s > 0`).
    ColdPoll {
        /// Request slot.
        slot: u32,
    },
}

/// Run-time state of one workload.
#[derive(Debug)]
struct WorkloadRt {
    function: u32,
    process: ArrivalProcess,
    rng: SimRng,
    /// Still producing arrivals (or waiting to start).
    active: bool,
    /// Waiting for `after_ready`.
    waiting_ready: bool,
    ready_for: Vec<u32>,
    start: SimTime,
    end: SimTime,
    remaining: u64,
    last: SimTime,
}

/// A request in flight: a slot in the request slab.
#[derive(Clone, Copy, Debug)]
struct Request {
    id: u64,
    fn_seq: u64,
    function: u32,
    replica: u32,
    arrival: SimTime,
    dispatch: SimTime,
    start: SimTime,
    cold: bool,
    /// Reached a final state (the slot may still be pinned by pending timers).
    done: bool,
    /// Pending timer events (timeout, poll) that refer to this slot; it is reused only at 0.
    timers: u8,
    /// A timeout event has been scheduled.
    timeout_armed: bool,
}

/// An image pull in flight to one node.
#[derive(Debug)]
struct Pull {
    node: u32,
    image: u32,
    waiters: Vec<ReplicaId>,
}

/// One run.
pub struct Simulation<'a> {
    sc: &'a Scenario,
    seed: u64,
    now: SimTime,
    queue: EventQueue<Event>,
    events: u64,
    cluster: Cluster,
    cache: ImageCache,
    scheduler: Box<dyn Scheduler>,
    decision: Decision,
    sched_queue: VecDeque<ReplicaId>,
    sched_busy: bool,
    functions: Vec<FunctionRt>,
    replicas: ReplicaTable,
    pulls: Vec<Option<Pull>>,
    free_pulls: Vec<u32>,
    requests: Vec<Request>,
    free_requests: Vec<u32>,
    workloads: Vec<WorkloadRt>,
    next_request_id: u64,
    /// Workloads still generating (or waiting to start).
    generating: u32,
    /// Requests not yet in a final state.
    outstanding: u64,
    /// The run's horizon: configured, or set when the last workload finishes.
    horizon: Option<SimTime>,
    configured_horizon: Option<SimTime>,
    deadline: SimTime,
    max_events: u64,
    /// Guards of the event loop (see [`guard`]).
    stuck_clock: guard::StuckClock,
    max_memory_mb: u64,
    started: bool,
    invocation_sample: Option<u64>,
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
    /// The resource monitor, when an HPA or the `utilization` table needs it.
    monitor: Option<Monitor>,
    /// Used CPU and memory of replicas and nodes.
    usage: Usage,
    /// Replicas holding node resources (Scheduled … Teardown), in id order.
    resident: Vec<ReplicaId>,
    /// Records with `applied != 0`.
    scale_actions: u32,
    /// Time of the last processed event that was neither stale nor an observer (`sim_end`).
    last_event: SimTime,
    /// `routing.request_timeout_s`.
    timeout: Option<SimTime>,
    /// `routing.cold_start_poll_s` (None: event driven).
    poll: Option<SimTime>,
    /// Scratch buffers for scaler decisions (reused, never shrunk).
    scratch: Vec<u32>,
    warnings: u32,
    flows: u64,
    flow_bytes: u64,
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
    /// Builds a run of a validated scenario with master seed `seed`, with the scheduler profile
    /// the scenario names (`scheduler.profile`).
    pub fn new(sc: &'a Scenario, seed: u64) -> Result<Simulation<'a>, String> {
        Self::with_scheduler(sc, seed, |cluster| scheduler::build(sc, cluster, seed))
    }

    /// Builds a run with a scheduler of your own: `make` receives the run's cluster (built from
    /// the scenario's topology) and returns the scheduler, which the run then uses for every
    /// placement. `scheduler.profile` is ignored. Derive any randomness from `seed` (e.g.
    /// `engine::stream_rng(seed, "sched")`) to keep runs reproducible.
    pub fn with_scheduler(
        sc: &'a Scenario,
        seed: u64,
        make: impl FnOnce(&Cluster) -> Result<Box<dyn Scheduler>, String>,
    ) -> Result<Simulation<'a>, String> {
        let cluster = Cluster::build(sc)?;
        let cache = ImageCache::new(cluster.nodes.len(), cluster.images.len());
        let scheduler = make(&cluster)?;
        let functions = build_functions(sc, &cluster, seed)?;
        let fn_id = |name: &str| {
            functions
                .iter()
                .position(|f| f.name == name)
                .map(|i| i as u32)
        };
        let mut workloads = Vec::new();
        for (wi, w) in sc.workloads.iter().enumerate() {
            let function = fn_id(&w.function).ok_or_else(|| {
                format!(
                    "workloads[{wi}].function: unknown function `{}`",
                    w.function
                )
            })?;
            // Several workloads of one function get distinct streams; the first keeps the plain name.
            let earlier = sc.workloads[..wi]
                .iter()
                .filter(|x| x.function == w.function)
                .count();
            let stream = if earlier == 0 {
                format!("arrivals/{}", w.function)
            } else {
                format!("arrivals/{}#{earlier}", w.function)
            };
            let ready_for = match &w.ready_for {
                Some(list) => list
                    .iter()
                    .map(|n| {
                        fn_id(n).ok_or_else(|| {
                            format!("workloads[{wi}].ready_for: unknown deployment `{n}`")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                None => functions
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.deployment.is_some())
                    .map(|(i, _)| i as u32)
                    .collect(),
            };
            let (start, waiting_ready) = match w.start {
                StartConfig::At(s) => (SimTime::from_secs_f64(s), false),
                StartConfig::Keyword(_) => (SimTime::NEVER, true),
            };
            workloads.push(WorkloadRt {
                function,
                process: ArrivalProcess::new(RateProfile::from_config(&w.rate), &w.arrivals),
                rng: stream_rng(seed, &stream),
                active: true,
                waiting_ready,
                ready_for,
                start,
                end: SimTime::NEVER,
                remaining: w.max_requests.unwrap_or(u64::MAX),
                last: SimTime::ZERO,
            });
        }
        let horizon = sc.run.horizon_s.map(SimTime::from_secs_f64);
        let deadline = match (horizon, sc.run.end_policy) {
            (Some(h), EndPolicy::Drain) => h.plus(SimTime::from_secs_f64(sc.run.drain_timeout_s)),
            (Some(h), EndPolicy::Cut) => h,
            (None, _) => SimTime::NEVER,
        };
        let fscale = functions
            .iter()
            .map(|f| match f.deployment {
                Some(d) => FunctionScaling::new(&sc.deployments[d].scaling, &sc.scaling),
                None => FunctionScaling::inert(),
            })
            .collect::<Vec<_>>();
        let idler = functions
            .iter()
            .any(|f| f.deployment.is_some() && f.scaling.scale_zero);
        let monitor = Monitor::build(sc, &fscale, cluster.nodes.len());
        let usage = Usage::new(cluster.nodes.len());
        let n_functions = functions.len();
        let invocation_sample = match sc.outputs.invocations {
            InvocationRows::Mode(InvocationMode::Off) => None,
            InvocationRows::Mode(InvocationMode::All) => Some(u64::MAX),
            InvocationRows::Sample { sample } => Some(sample_threshold(sample)),
        };
        Ok(Simulation {
            sc,
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
            pulls: Vec::new(),
            free_pulls: Vec::new(),
            requests: Vec::new(),
            free_requests: Vec::new(),
            generating: workloads.len() as u32,
            workloads,
            next_request_id: 0,
            outstanding: 0,
            horizon,
            configured_horizon: horizon,
            deadline,
            max_events: sc.run.max_events.unwrap_or(u64::MAX),
            stuck_clock: guard::StuckClock::default(),
            max_memory_mb: sc.run.max_memory_mb.unwrap_or(guard::DEFAULT_MAX_MEMORY_MB),
            started: false,
            invocation_sample,
            inv_rows: Vec::new(),
            placement_rows: Vec::new(),
            scaling_rows: Vec::new(),
            count_rows: Vec::new(),
            count_last: vec![u32::MAX; n_functions],
            util_rows: Vec::new(),
            fscale,
            idler,
            monitor,
            usage,
            resident: Vec::new(),
            scale_actions: 0,
            last_event: SimTime::ZERO,
            timeout: sc.routing.request_timeout_s.map(SimTime::from_secs_f64),
            poll: (sc.routing.cold_start_poll_s > 0.0)
                .then(|| SimTime::from_secs_f64(sc.routing.cold_start_poll_s)),
            scratch: Vec::new(),
            warnings: 0,
            flows: 0,
            flow_bytes: 0,
            decisions: 0,
        })
    }

    /// Schedules the bootstrap events (`spec/determinism.md` §4).
    fn bootstrap(&mut self) {
        for (fi, f) in self.functions.iter().enumerate() {
            if f.deployment.is_some() {
                self.queue.push(
                    f.deploy_at,
                    Event::Deploy {
                        function: fi as u32,
                    },
                );
            }
        }
        for (ci, c) in self.sc.commands.iter().enumerate() {
            let at = SimTime::from_secs_f64(c.at_s);
            // Commands after the horizon are ignored (`spec/model.md` §12).
            if self.horizon.is_none_or(|h| at <= h) {
                self.queue.push(at, Event::Command { index: ci as u32 });
            }
        }
        for wi in 0..self.workloads.len() {
            if !self.workloads[wi].waiting_ready {
                self.start_workload(wi as u32);
            }
        }
        if let Some(m) = &self.monitor {
            self.queue.push(m.interval, Event::MonitorTick);
        }
        if self.idler {
            let every = SimTime::from_secs_f64(self.sc.scaling.idler.interval_s);
            self.queue.push(every, Event::IdlerTick);
        }
        if self.generating == 0 && self.horizon.is_none() {
            self.close_horizon();
        }
    }

    /// Runs to the end and returns the run's rows.
    pub fn run(mut self, id: RunIdentity) -> RunOutput {
        let wall = Instant::now();
        self.start();
        let result = self.event_loop(wall);
        let elapsed = wall.elapsed().as_secs_f64();
        let mut run = RunRow::new(id);
        run.horizon_s = self.sc.run.horizon_s;
        run.wall_time_s = Some(elapsed);
        run.events_per_s = Some(if elapsed > 0.0 {
            self.events as f64 / elapsed
        } else {
            0.0
        });
        match result {
            Ok(()) => self.report(run),
            Err(Abort::Error(e)) => RunOutput::failed(run, RunStatus::Error, e),
            Err(Abort::Timeout(e)) => RunOutput::failed(run, RunStatus::Timeout, e),
            Err(Abort::Aborted(e)) => RunOutput::failed(run, RunStatus::Aborted, e),
        }
    }

    fn event_loop(&mut self, wall: Instant) -> Result<(), Abort> {
        let max_wall = self.sc.run.max_wall_s;
        while self.step_inner()? {
            // Guard: the memory the run's tables hold (checked every few thousand events).
            if self.events % guard::MEMORY_CHECK_EVERY == 0 {
                if let Some(e) = guard::over_budget(self.table_bytes(), self.max_memory_mb) {
                    return Err(Abort::Aborted(e));
                }
            }
            if let Some(limit) = max_wall {
                if self.events & 0xFFFF == 0 && wall.elapsed().as_secs_f64() > limit {
                    return Err(Abort::Timeout(format!(
                        "run.max_wall_s: exceeded {limit} s of wall time"
                    )));
                }
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
            + guard::vec_bytes(&self.requests)
    }

    /// Processes one event (skipping stale ones); `Ok(false)` when the run is over.
    ///
    /// Observer events (the monitor's ticks) never decide the end: the end condition is checked
    /// only after other events, `sim_end` is the time of the last other event, and a run whose
    /// queue holds nothing but observers is over. So enabling the monitor changes no result.
    #[inline]
    fn step_inner(&mut self) -> Result<bool, Abort> {
        loop {
            let Some(t) = self.queue.peek_time() else {
                return Ok(false);
            };
            if t > self.deadline {
                return Ok(false);
            }
            let (t, ev) = self.queue.pop().expect("peeked");
            if self.is_stale(ev, t) {
                continue;
            }
            self.now = t;
            self.events += 1;
            if self.events > self.max_events {
                return Err(Abort::Error(format!(
                    "run.max_events: the run exceeded {} events at t = {t}",
                    self.max_events
                )));
            }
            // Guard: an event storm at one instant (a period that rounds to 0 ns).
            self.stuck_clock.observe(t, ev).map_err(Abort::Error)?;
            self.handle(ev).map_err(Abort::Error)?;
            if ev == Event::MonitorTick {
                return Ok(self.queue.len() > 1);
            }
            self.last_event = t;
            return Ok(!self.finished());
        }
    }

    /// Whether a popped event was lazily cancelled (it is then neither handled nor counted).
    #[inline]
    fn is_stale(&mut self, ev: Event, t: SimTime) -> bool {
        match ev {
            Event::ScalerTick { function } => self.fscale[function as usize].next_tick != t,
            Event::KeepaliveExpiry { replica } => self.replicas.ka_timer[replica as usize] != t,
            Event::RequestTimeout { slot } | Event::ColdPoll { slot } => {
                let req = &mut self.requests[slot as usize];
                req.timers -= 1;
                if req.done {
                    if req.timers == 0 {
                        self.free_requests.push(slot);
                    }
                    true
                } else {
                    // A started request cannot time out; a dispatched one no longer polls.
                    match ev {
                        Event::RequestTimeout { .. } => req.start.is_set(),
                        _ => req.replica != u32::MAX,
                    }
                }
            }
            _ => false,
        }
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

    /// The node table (free resources change as pods are placed and removed).
    pub fn nodes(&self) -> &crate::cluster::NodeTable {
        &self.cluster.nodes
    }

    /// Builds the output of a run driven with [`Simulation::step`].
    pub fn finish(self, id: RunIdentity) -> RunOutput {
        let mut run = RunRow::new(id);
        run.horizon_s = self.sc.run.horizon_s;
        self.report(run)
    }

    #[inline]
    fn handle(&mut self, ev: Event) -> Result<(), String> {
        match ev {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::InvocationDone { slot } => self.on_invocation_done(slot),
            Event::Deploy { function } => self.on_deploy(function),
            Event::ScheduleNext => self.on_schedule_next(),
            Event::DeployStart { replica } => self.on_deploy_start(replica)?,
            Event::PlacementFailed { replica } => self.on_placement_failed(replica),
            Event::PullDone { pull } => self.on_pull_done(pull)?,
            Event::StartupDone { replica } => self.on_startup_done(replica)?,
            Event::SetupDone { replica } => self.on_setup_done(replica),
            Event::TeardownDone { replica } => self.on_teardown_done(replica),
            Event::Command { index } => self.on_command(index)?,
            Event::ScalerTick { function } => self.on_scaler_tick(function),
            Event::IdlerTick => self.on_idler_tick(),
            Event::MonitorTick => self.on_monitor_tick(),
            Event::KeepaliveExpiry { replica } => self.on_keepalive_expiry(replica),
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
        self.generating == 0
            && self.outstanding == 0
            && self.sc.run.end_policy == EndPolicy::Drain
            && self.configured_horizon.is_none_or(|h| self.now >= h)
    }

    /// Called when the last workload stops generating and no horizon was configured.
    fn close_horizon(&mut self) {
        if self.horizon.is_none() {
            let h = self.now;
            self.horizon = Some(h);
            self.deadline = match self.sc.run.end_policy {
                EndPolicy::Drain => h.plus(SimTime::from_secs_f64(self.sc.run.drain_timeout_s)),
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

    /// Scaling bounds `(scale_min, scale_max)` of function `function`.
    pub fn scale_bounds(&self, function: u32) -> (u32, u32) {
        let s = &self.functions[function as usize].scaling;
        (s.scale_min, s.scale_max)
    }

    /// Number of functions.
    pub fn function_count(&self) -> usize {
        self.functions.len()
    }
}

/// `rate × 2⁶⁴` as a threshold for the invocation-row sampling hash.
fn sample_threshold(rate: f64) -> u64 {
    if rate >= 1.0 {
        u64::MAX
    } else if rate <= 0.0 {
        0
    } else {
        (rate * 18_446_744_073_709_551_616.0) as u64
    }
}

/// Whether request `fn_seq` of `function` gets an invocation row (`spec/outputs.md` §2.2).
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
