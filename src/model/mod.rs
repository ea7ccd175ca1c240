//! The compiled model: a validated [`Scenario`] turned, once, into what a run reads.
//!
//! [`Model::compile`] interns every name into a dense id (functions, deployments, images, node
//! types, workloads; lookups through maps, so set-up is near-linear in the number of entries),
//! converts every duration to [`SimTime`], builds the cluster, one pod template and one set of
//! duration samplers per (deployment, ranked container), resolves workloads and scripted
//! commands to function ids, and checks that the scheduler profile builds. Every configuration
//! error surfaces here as a [`ModelError`]; a run of a compiled model never fails for a
//! configuration reason. A model is read-only and shared by every run of the scenario (each run
//! clones the cluster, whose free-resource columns it changes).

mod commands;
mod data;
mod error;
mod functions;
mod traces;
mod workloads;

pub use commands::{CommandKind, CommandModel};
pub use data::{DataItem, DataTransfers};
pub use error::ModelError;
pub use functions::{ContainerModel, FunctionModel, PhaseModel, PodTemplate};
pub use traces::{trace_path, OpenedTrace, TraceModel};
pub use workloads::{ArrivalKind, WorkloadModel, WorkloadStart};

use crate::cluster::Cluster;
use crate::config::{
    BalancerKind, CountMode, CpuModel, DegradationConfig, EndPolicy, InvocationMode,
    InvocationRows, MissingArch, OutputsConfig, RoutingMode, ScaleFromZero, ScalingGlobalConfig,
    Scenario, SchedulerLatencyConfig, VictimOrder,
};
use crate::engine::SimTime;
use crate::execution::Degradation;
use crate::scheduler::{SchedulerFactory, SchedulerRegistry};
use std::collections::HashMap;
use std::sync::Arc;

/// How and when a run ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunLimits {
    /// `run.horizon_s` as time, if set.
    pub horizon: Option<SimTime>,
    /// `run.horizon_s` as configured (for the `runs` row).
    pub horizon_s: Option<f64>,
    /// What happens after the horizon.
    pub end_policy: EndPolicy,
    /// `run.drain_timeout_s`.
    pub drain_timeout: SimTime,
    /// `run.max_events` (`u64::MAX` when unset).
    pub max_events: u64,
    /// `run.max_wall_s`.
    pub max_wall_s: Option<f64>,
    /// `run.max_memory_mb` (the default budget when unset).
    pub max_memory_mb: u64,
}

/// Request routing settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routing {
    /// Load balancer of every function.
    pub balancer: BalancerKind,
    /// What a request does when its function has no live replica.
    pub scale_from_zero: ScaleFromZero,
    /// `routing.request_timeout_s`.
    pub timeout: Option<SimTime>,
    /// `routing.cold_start_poll_s` (None: waiting requests are dispatched when a replica is
    /// Running).
    pub poll: Option<SimTime>,
    /// `routing.mode`.
    pub mode: RoutingMode,
}

/// How requests use their node's CPUs (`[execution]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecutionSettings {
    /// `execution.cpu_model`.
    pub cpu_model: CpuModel,
    /// `execution.degradation`, node types as ids.
    pub degradation: Degradation,
    /// `execution.speed_factor` by node type id, for recorded durations (`exec` models have it
    /// folded in); `None` when every factor is 1, so a run without one never looks it up.
    pub recorded_speed: Option<Box<[f64]>>,
}

impl ExecutionSettings {
    /// A request's recorded duration (`SimTime::NEVER`: none) on a node of type `node_type`,
    /// multiplied by the node type's speed factor.
    #[inline]
    pub fn recorded_on(&self, recorded: SimTime, node_type: usize) -> SimTime {
        match &self.recorded_speed {
            Some(f) if recorded.is_set() => {
                SimTime::from_secs_f64(recorded.as_secs_f64() * f[node_type])
            }
            _ => recorded,
        }
    }
}

/// Scaling settings shared by every function.
#[derive(Clone, Debug)]
pub struct ScalingSettings {
    /// The scenario's `[scaling]` table (autoscaler defaults read when building policies).
    pub global: ScalingGlobalConfig,
    /// Which request counter the scalers read.
    pub count: CountMode,
    /// Idler period.
    pub idler_interval: SimTime,
    /// Idler inactivity threshold.
    pub idler_inactivity: SimTime,
    /// Resource monitor period.
    pub monitor_interval: SimTime,
    /// Longest HPA averaging window.
    pub hpa_window: SimTime,
    /// Drain replicas selected for removal before their teardown.
    pub drain: bool,
    /// Which Running replicas a scale-down removes.
    pub victim_order: VictimOrder,
}

/// A scenario compiled for running.
pub struct Model {
    scenario: Scenario,
    /// The user-written scheduler `scheduler.profile` names, when it is not a built-in profile
    /// ([`Model::compile_with`]).
    custom_scheduler: Option<Arc<SchedulerFactory>>,
    /// The cluster as built (each run works on its own clone).
    pub cluster: Cluster,
    /// Functions by id (scenario order).
    pub functions: Vec<FunctionModel>,
    /// Workloads by index (scenario order).
    pub workloads: Vec<WorkloadModel>,
    /// Scripted commands (scenario order).
    pub commands: Vec<CommandModel>,
    /// End of the run.
    pub run: RunLimits,
    /// Request routing.
    pub routing: Routing,
    /// `[execution]`.
    pub execution: ExecutionSettings,
    /// Scaling settings.
    pub scaling: ScalingSettings,
    /// Modelled scheduling latency.
    pub scheduler_latency: SchedulerLatencyConfig,
    /// Which tables a run writes.
    pub outputs: OutputsConfig,
    /// `outputs.invocations` as a sampling threshold over the row hash (None: off).
    pub invocation_sample: Option<u64>,
    /// `images[*].on_missing_arch` by image id.
    pub on_missing_arch: Vec<MissingArch>,
    /// Trace rows skipped with a warning (every run of the model reports them in
    /// `runs.warnings`).
    pub trace_warnings: u64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("scenario", &self.scenario.name)
            .field("custom_scheduler", &self.custom_scheduler.is_some())
            .field("functions", &self.functions.len())
            .field("workloads", &self.workloads.len())
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Compiles a validated scenario whose `scheduler.profile` is a built-in profile.
    pub fn compile(sc: &Scenario) -> Result<Model, ModelError> {
        Model::compile_with(sc, &SchedulerRegistry::new())
    }

    /// Compiles a validated scenario whose `scheduler.profile` may also name a scheduler of
    /// `schedulers` (`docs/schedulers.md`, "Your own scheduler in a sweep").
    pub fn compile_with(
        sc: &Scenario,
        schedulers: &SchedulerRegistry,
    ) -> Result<Model, ModelError> {
        // A scenario deserialised without `parse_scenario` (benches, tests) may still lack its
        // function and built-in defaults.
        let resolved;
        let sc = if sc.has_unresolved_defaults() {
            let mut copy = sc.clone();
            copy.resolve_function_defaults();
            resolved = copy;
            &resolved
        } else {
            sc
        };
        // Traces add their functions and deployments; the rest compiles the expanded scenario.
        let expanded = traces::expand(sc)?;
        let (sc, trace_models) = match &expanded {
            Some(e) => (&e.scenario, e.traces.as_slice()),
            None => (sc, &[][..]),
        };
        let cluster = Cluster::build(sc).map_err(ModelError::from_prefixed)?;
        let mut functions = functions::compile_functions(sc, &cluster)?;
        for t in trace_models {
            for (f, models) in &t.further_exec {
                functions[*f as usize].containers[0].further_exec =
                    functions::compile_further_exec(models, sc, &cluster);
            }
        }
        let mut function_ids: HashMap<&str, u32> = HashMap::with_capacity(functions.len());
        let mut deployment_ids: HashMap<&str, u32> = HashMap::new();
        for (i, f) in functions.iter().enumerate() {
            function_ids.entry(f.name.as_str()).or_insert(i as u32);
            if f.deployment.is_some() {
                deployment_ids.entry(f.name.as_str()).or_insert(i as u32);
            }
        }
        let deployed: Vec<bool> = functions.iter().map(|f| f.deployment.is_some()).collect();
        let workloads = workloads::compile_workloads(sc, &function_ids, &deployed, trace_models)?;
        let trace_warnings = trace_models.iter().map(|t| t.warnings).sum();
        let commands = commands::compile_commands(sc, &deployment_ids)?;
        // The profile's own checks (unknown profile, bad settings) belong to compilation too.
        // A user-written scheduler may place a pod anywhere.
        let mut can_run = false;
        let custom_scheduler = match schedulers.get(&sc.scheduler.profile) {
            Some(factory) => Some(Arc::clone(factory)),
            None => {
                let profile = crate::scheduler::build(sc, &cluster, 0).map_err(|e| {
                    if schedulers.is_empty() {
                        ModelError::Scheduler(e)
                    } else {
                        let names: Vec<&str> = schedulers.names().collect();
                        ModelError::Scheduler(format!("{e}; registered: {}", names.join(", ")))
                    }
                })?;
                can_run = profile.filters_with("CanRun");
                None
            }
        };
        functions::check_time_models(sc, &functions, &cluster, can_run)?;
        functions::check_profile_ranges(&functions, &cluster)?;
        let secs = SimTime::from_secs_f64;
        let run = RunLimits {
            horizon: sc.run.horizon_s.map(secs),
            horizon_s: sc.run.horizon_s,
            end_policy: sc.run.end_policy,
            drain_timeout: secs(sc.run.drain_timeout_s),
            max_events: sc.run.max_events.unwrap_or(u64::MAX),
            max_wall_s: sc.run.max_wall_s,
            max_memory_mb: sc
                .run
                .max_memory_mb
                .unwrap_or(crate::sim::DEFAULT_MAX_MEMORY_MB),
        };
        let routing = Routing {
            balancer: sc.routing.balancer,
            scale_from_zero: sc.routing.scale_from_zero,
            timeout: sc.routing.request_timeout_s.map(secs),
            poll: (sc.routing.cold_start_poll_s > 0.0).then(|| secs(sc.routing.cold_start_poll_s)),
            mode: sc.routing.mode,
        };
        let execution = ExecutionSettings {
            cpu_model: sc.execution.cpu_model,
            degradation: match &sc.execution.degradation {
                DegradationConfig::None => Degradation::None,
                DegradationConfig::Linear { alpha, max_factor } => Degradation::Linear {
                    alpha: *alpha,
                    max_factor: max_factor.unwrap_or(f64::INFINITY),
                },
                DegradationConfig::Table { by_node_type } => Degradation::Table {
                    factors: cluster
                        .types
                        .iter()
                        .map(|t| {
                            by_node_type
                                .get(&t.name)
                                .cloned()
                                .unwrap_or_default()
                                .into()
                        })
                        .collect(),
                },
            },
            recorded_speed: sc
                .execution
                .speed_factor
                .values()
                .any(|&f| f != 1.0)
                .then(|| {
                    cluster
                        .types
                        .iter()
                        .map(|t| {
                            sc.execution
                                .speed_factor
                                .get(&t.name)
                                .copied()
                                .unwrap_or(1.0)
                        })
                        .collect()
                }),
        };
        let scaling = ScalingSettings {
            global: sc.scaling.clone(),
            count: sc.scaling.count,
            idler_interval: secs(sc.scaling.idler.interval_s),
            idler_inactivity: secs(sc.scaling.idler.inactivity_s),
            monitor_interval: secs(sc.monitor.interval_s),
            hpa_window: secs(sc.scaling.hpa.window_s),
            drain: sc.replicas.drain,
            victim_order: sc.replicas.victim_order,
        };
        let invocation_sample = match sc.outputs.invocations {
            InvocationRows::Mode(InvocationMode::Off) => None,
            InvocationRows::Mode(InvocationMode::All) => Some(u64::MAX),
            InvocationRows::Sample { sample } => Some(sample_threshold(sample)),
        };
        Ok(Model {
            scenario: sc.clone(),
            custom_scheduler,
            cluster,
            functions,
            workloads,
            commands,
            run,
            routing,
            execution,
            scaling,
            scheduler_latency: sc.scheduler.latency.clone(),
            outputs: sc.outputs.clone(),
            invocation_sample,
            // Image ids are the declaration order (`ImageRegistry::build`).
            on_missing_arch: sc.images.iter().map(|i| i.on_missing_arch).collect(),
            trace_warnings,
        })
    }

    /// The scenario the model was compiled from (for building a scheduler profile and for run
    /// identities; a run itself reads only the compiled fields).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The user-written scheduler the scenario's profile names, if it is one.
    pub fn custom_scheduler(&self) -> Option<&Arc<SchedulerFactory>> {
        self.custom_scheduler.as_ref()
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
