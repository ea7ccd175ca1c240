//! The scenario file's data model: serde structs with defaults, mirroring the TOML keys.
//!
//! These structs are the *resolved configuration*: deserialising fills every default, and
//! serialising gives the canonical form that `run_id` hashes (`docs/model.md` §10).
//! Semantic checks live in [`super::validate`](mod@super::validate); name interning happens when a simulation is built.

use super::quantity::{Cpu, Size};
use super::scaling::{
    AutoscalerKind, KeepaliveConfig, MonitorConfig, ScalingGlobalConfig, ScalingOutput,
    UtilizationOutput, VictimOrder,
};
pub use super::scheduler::{
    AffinityConfig, SchedulerConfig, SchedulerLatencyConfig, SkippyConfig, SpreadConstraintConfig,
    TaintConfig, TolerationConfig, Unschedulable,
};
use super::timemodel::TimeModelSpec;
use crate::output::{HistogramFunctionMetrics, HistogramPrecision};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::topology::{
    CellDensity, CloudletConfig, EdgeConfig, ExplicitFile, LatencyMatrix, LatencyRow, LatencySpec,
    RegionConfig, VertexConfig,
};
pub use super::traces::{TraceConfig, TraceFormat, TraceTemplate, MEMORY_PERCENTILES_2019};

/// Ordered string → string labels.
pub type Labels = BTreeMap<String, String>;

/// A whole scenario file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, recorded in the `runs` table.
    #[serde(default = "default_name")]
    pub name: String,
    /// Horizon, end policy and guards.
    #[serde(default)]
    pub run: RunConfig,
    /// The cluster's nodes.
    pub topology: TopologyConfig,
    /// Container images in the registry.
    #[serde(default)]
    pub images: Vec<ImageConfig>,
    /// Functions clients invoke by name.
    #[serde(default)]
    pub functions: Vec<FunctionConfig>,
    /// Deployments of functions onto the platform.
    #[serde(default)]
    pub deployments: Vec<DeploymentConfig>,
    /// Request arrival generators.
    #[serde(default)]
    pub workloads: Vec<WorkloadConfig>,
    /// Settings shared by every workload (`workload.scale`).
    #[serde(default, skip_serializing_if = "WorkloadGlobalConfig::is_default")]
    pub workload: WorkloadGlobalConfig,
    /// Public traces replayed as workloads, each creating its functions' deployments from a
    /// template (`docs/workloads.md`). Left out of the canonical form when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traces: Vec<TraceConfig>,
    /// Placement of pods onto nodes.
    #[serde(default)]
    pub scheduler: SchedulerConfig,
    /// Load balancing and cold-start behaviour.
    #[serde(default)]
    pub routing: RoutingConfig,
    /// How requests share a node's CPUs (`execution.cpu_model`); left out of the canonical
    /// scenario at its default, so run ids stay as they were.
    #[serde(default, skip_serializing_if = "is_default")]
    pub execution: ExecutionConfig,
    /// Replica removal behaviour.
    #[serde(default)]
    pub replicas: ReplicasConfig,
    /// Autoscalers, idler and keep-alive (defaults of every deployment).
    #[serde(default)]
    pub scaling: ScalingGlobalConfig,
    /// The resource monitor.
    #[serde(default)]
    pub monitor: MonitorConfig,
    /// Network model.
    #[serde(default)]
    pub network: NetworkConfig,
    /// Which tables to write.
    #[serde(default)]
    pub outputs: OutputsConfig,
    /// Scripted operations at given simulated times.
    #[serde(default)]
    pub commands: Vec<CommandConfig>,
}

/// A scripted operation (`docs/scaling.md`): `scale fn to N at t`, `remove fn at t`,
/// `deploy fn at t`, `suspend fn at t`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// Simulated time in seconds.
    pub at_s: f64,
    /// Target function (deployment).
    pub function: String,
    /// What to do.
    pub action: CommandAction,
    /// Target replica count for `scale`; replica count for `scale_up` / `scale_down`.
    #[serde(default)]
    pub replicas: Option<u32>,
}

/// Scripted operation kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandAction {
    /// Scale to `replicas` (within scale_min..scale_max).
    #[serde(alias = "scale_to")]
    Scale,
    /// Create up to `replicas` more replicas (capped by `scale_max`).
    ScaleUp,
    /// Remove up to `replicas` Running replicas (floored by `scale_min`).
    ScaleDown,
    /// Remove the deployment.
    Remove,
    /// (Re-)deploy the deployment.
    Deploy,
    /// Scale to zero, ignoring scale_min.
    Suspend,
}

fn default_name() -> String {
    "scenario".to_string()
}

/// `run`: horizon, end policy and guards (`docs/model.md` §9).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// No arrival at or after the horizon is generated. Unset: every workload must be finite.
    #[serde(default)]
    pub horizon_s: Option<f64>,
    /// What happens after the horizon.
    #[serde(default)]
    pub end_policy: EndPolicy,
    /// With `drain`, the run ends at `horizon + drain_timeout_s` at the latest.
    #[serde(default = "default_drain_timeout")]
    pub drain_timeout_s: f64,
    /// Deterministic guard: more events than this ends the run with status `error`.
    #[serde(default)]
    pub max_events: Option<u64>,
    /// Wall-clock guard: ends the run with status `timeout`.
    #[serde(default)]
    pub max_wall_s: Option<f64>,
    /// Memory guard: the run's tables growing past this many MB end it with status `aborted`
    /// (unset: 4096). Not serialised when unset, so run ids do not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_mb: Option<u64>,
}

fn default_drain_timeout() -> f64 {
    300.0
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            horizon_s: None,
            end_policy: EndPolicy::Drain,
            drain_timeout_s: default_drain_timeout(),
            max_events: None,
            max_wall_s: None,
            max_memory_mb: None,
        }
    }
}

/// How a run ends after its horizon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndPolicy {
    /// Keep simulating until nothing is waiting or in flight (or the drain timeout).
    #[default]
    Drain,
    /// Stop at the horizon; everything in flight is `incomplete`.
    Cut,
}

/// `topology`: which nodes exist and how they are connected (`docs/network.md`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologyConfig {
    /// Generator name: `cluster`.
    #[serde(default = "default_generator")]
    pub generator: String,
    /// Node counts per catalog type, in order.
    #[serde(default)]
    pub nodes: Vec<NodeGroupConfig>,
    /// Nodes per LAN switch.
    #[serde(default = "default_lan_size")]
    pub lan_size: u32,
    /// Extra or overriding node types, by name.
    #[serde(default)]
    pub node_types: BTreeMap<String, NodeTypeConfig>,
    /// Storage nodes and their buckets.
    #[serde(default)]
    pub storage: Vec<StorageConfig>,
    /// Label scheme: `ether` or `raith21` (`docs/scenario.md`); default `raith21` for
    /// `urban_sensing_hetero`, else `ether`.
    #[serde(default, serialize_with = "serialize_label_scheme")]
    pub labels: Option<String>,
    /// `urban_sensing`: number of cells (when `cell_density` is not a list).
    #[serde(default = "default_cells", skip_serializing_if = "is_default_cells")]
    pub cells: u32,
    /// `urban_sensing`, `urban_sensing_hetero`: cell (neighbourhood) densities.
    #[serde(default, skip_serializing_if = "is_default")]
    pub cell_density: CellDensity,
    /// `urban_sensing`: capacity of each cell's shared link, Mbit/s.
    #[serde(
        default = "default_shared_mbit",
        skip_serializing_if = "is_default_shared"
    )]
    pub shared_mbit: f64,
    /// `urban_sensing`: the cloudlet of server racks.
    #[serde(default, skip_serializing_if = "is_default")]
    pub cloudlet: CloudletConfig,
    /// `cloud_regions`: the regions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionConfig>,
    /// `cloud_regions`: inter-region latencies (CSV file or inline rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_matrix: Option<LatencyMatrix>,
    /// `cloud_regions`: `rtt` (default) or `one_way`.
    #[serde(
        default = "default_matrix_kind",
        skip_serializing_if = "is_default_matrix_kind"
    )]
    pub matrix_kind: String,
    /// `explicit`: vertices in insertion order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vertices: Vec<VertexConfig>,
    /// `explicit`: edges in insertion order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<EdgeConfig>,
    /// `explicit`: vertices and edges in a separate TOML or CSV file (relative to the scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Capacity of every node's image cache, bytes (default: unlimited); when a completed pull
    /// would exceed it, least recently used images no replica on the node uses are evicted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_cache: Option<Size>,
    /// Directory of the scenario file, against which `file` and `latency_matrix` resolve (set
    /// by the loader; the working directory otherwise).
    #[serde(skip)]
    pub base_dir: Option<std::path::PathBuf>,
}

impl TopologyConfig {
    /// The label scheme in effect.
    pub fn label_scheme(&self) -> &str {
        match &self.labels {
            Some(l) => l,
            None if self.generator == "urban_sensing_hetero" => "raith21",
            None => "ether",
        }
    }

    /// Makes generator-dependent defaults explicit (the label scheme of `urban_sensing_hetero`
    /// is `raith21`); the loader calls it after deserialising.
    pub fn normalize(&mut self) {
        if self.labels.is_none() {
            self.labels = Some(self.label_scheme().to_string());
        }
    }

    /// `path` resolved against the scenario's directory.
    pub fn resolve(&self, path: &str) -> std::path::PathBuf {
        match &self.base_dir {
            Some(d) if std::path::Path::new(path).is_relative() => d.join(path),
            _ => std::path::PathBuf::from(path),
        }
    }
}

// Keys added with the network model are left out of the serialised scenario while they hold
// their defaults, so a scenario that does not use them keeps its canonical form and run ids.
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
fn is_true(v: &bool) -> bool {
    *v
}
fn is_default_cells(v: &u32) -> bool {
    *v == default_cells()
}
fn is_default_shared(v: &f64) -> bool {
    *v == default_shared_mbit()
}
fn is_default_matrix_kind(v: &str) -> bool {
    v == default_matrix_kind()
}
fn is_default_latency_mode(v: &str) -> bool {
    v == default_latency_mode()
}
fn is_default_goodput(v: &f64) -> bool {
    *v == default_goodput_factor()
}
fn is_default_storage_choice(v: &str) -> bool {
    v == default_storage_choice()
}
fn is_default_local_io(v: &f64) -> bool {
    *v == default_local_io()
}
/// An unset label scheme serialises as `ether` (the loader sets `raith21` explicitly for
/// `urban_sensing_hetero`, see [`TopologyConfig::normalize`]).
fn serialize_label_scheme<S: serde::Serializer>(
    v: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_deref().unwrap_or("ether"))
}

fn default_cells() -> u32 {
    3
}
fn default_shared_mbit() -> f64 {
    500.0
}
fn default_matrix_kind() -> String {
    "rtt".to_string()
}

fn default_generator() -> String {
    "cluster".to_string()
}
fn default_lan_size() -> u32 {
    20
}

/// `count` nodes of catalog type `type`, optionally with extra labels.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeGroupConfig {
    /// Catalog type name (`server`, `rpi3`, `tx2`, …).
    #[serde(rename = "type")]
    pub node_type: String,
    /// How many nodes of this type.
    pub count: u32,
    /// Labels added to every node of this group.
    #[serde(default)]
    pub labels: Labels,
    /// Taints of these nodes (kubernetes profile).
    #[serde(default)]
    pub taints: Vec<TaintConfig>,
    /// These nodes are marked unschedulable (kubernetes profile).
    #[serde(default)]
    pub unschedulable: bool,
    /// Capacity of countable extended resources, e.g. `{ gpu = 1 }` (kubernetes profile).
    #[serde(default)]
    pub extended_resources: BTreeMap<String, u64>,
    /// Maximum pods per node (kubernetes profile; default 110).
    #[serde(default)]
    pub max_pods: Option<u32>,
}

/// A node type defined or overridden in the scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeTypeConfig {
    /// Architecture string (`x86`, `arm32`, `aarch64`, …).
    pub arch: String,
    /// CPU capacity.
    pub cpu: Cpu,
    /// Memory capacity.
    pub memory: Size,
    /// `NONE`, `GPU` or `TPU`.
    #[serde(default = "default_accelerator")]
    pub accelerator: String,
    /// GPU memory in MB.
    #[serde(default)]
    pub vram_mb: u32,
    /// `edge` or `cloud`.
    #[serde(default = "default_locality")]
    pub locality: String,
    /// Bandwidth of the node's access link, Mbit/s.
    #[serde(default = "default_link_mbit")]
    pub link_mbit: f64,
    /// Extra labels of every node of this type.
    #[serde(default)]
    pub labels: Labels,
    /// Taints of nodes of this type (kubernetes profile).
    #[serde(default)]
    pub taints: Vec<TaintConfig>,
    /// Nodes of this type are marked unschedulable (kubernetes profile).
    #[serde(default)]
    pub unschedulable: bool,
    /// Capacity of countable extended resources, e.g. `{ gpu = 1 }` (kubernetes profile).
    #[serde(default)]
    pub extended_resources: BTreeMap<String, u64>,
    /// Maximum pods per node (kubernetes profile; default 110).
    #[serde(default)]
    pub max_pods: Option<u32>,
}

fn default_accelerator() -> String {
    "NONE".to_string()
}
fn default_locality() -> String {
    "edge".to_string()
}
fn default_link_mbit() -> f64 {
    1000.0
}

/// A storage node holding buckets of items (`docs/scenario.md`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Node name; the node is created with label `data.skippy.io/storage`.
    pub name: String,
    /// Catalog type of the storage node.
    #[serde(rename = "type", default = "default_storage_type")]
    pub node_type: String,
    /// Buckets and their items: `bucket → item → size`.
    #[serde(default)]
    pub buckets: BTreeMap<String, BTreeMap<String, Size>>,
    /// Vertex the node's access link attaches to (default: `internet`, or the first region's
    /// switch under `cloud_regions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
}

fn default_storage_type() -> String {
    "server".to_string()
}

/// A registry entry (`docs/model.md` §2).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    /// Image name; normalised to `repo:latest` when it has no tag.
    pub name: String,
    /// Per-architecture sizes in declaration order.
    pub variants: Vec<ImageVariantConfig>,
    /// What a pull of this image onto a node whose architecture it has no variant for does.
    /// Left out of the canonical scenario when it is the default, so run ids stay as they were.
    #[serde(default, skip_serializing_if = "MissingArch::is_default")]
    pub on_missing_arch: MissingArch,
}

/// `images[*].on_missing_arch`: a pull that finds no variant for the node's architecture
/// (`docs/model.md`, images).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingArch {
    /// The run ends with status `error` (what faas-sim did: it raised an exception).
    #[default]
    Error,
    /// That replica fails (`end_reason = "no_image_variant"`) and the platform tries the
    /// deployment's next ranked image, as after a failed placement.
    FailReplica,
}

impl MissingArch {
    fn is_default(&self) -> bool {
        *self == MissingArch::Error
    }
}

/// One architecture variant of an image.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageVariantConfig {
    /// Architecture, or `any`.
    pub arch: String,
    /// Size in bytes.
    pub size: Size,
}

/// A function: the unit clients invoke by name.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// Unique name.
    pub name: String,
    /// Images implementing it, in preference order.
    #[serde(default)]
    pub images: Vec<String>,
    /// Labels propagated to pods (container labels win).
    #[serde(default)]
    pub labels: Labels,
    /// Defaults of the function's containers (`docs/scenario.md`, "Function defaults"): a
    /// container without its own model for a node type takes the function's. Left out of the
    /// canonical form when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<TimeModelSpec>,
    /// Default `startup` of the function's containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<TimeModelSpec>,
    /// Default `setup` of the function's containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<TimeModelSpec>,
    /// Default `teardown` of the function's containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teardown: Option<TimeModelSpec>,
    /// Default `cold_penalty` of the function's containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_penalty: Option<TimeModelSpec>,
    /// Default `concurrency` of the function's containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyConfig>,
    /// Default `data_phase` of the function's containers (a container's own `setup` or
    /// `invocation` wins).
    #[serde(default, skip_serializing_if = "DataPhase::is_none")]
    pub data_phase: DataPhase,
}

impl FunctionConfig {
    /// A function with only a name and its images.
    pub fn new(name: String, images: Vec<String>) -> FunctionConfig {
        FunctionConfig {
            name,
            images,
            labels: Labels::new(),
            exec: None,
            startup: None,
            setup: None,
            teardown: None,
            cold_penalty: None,
            concurrency: None,
            data_phase: DataPhase::None,
        }
    }
}

impl ContainerConfig {
    /// Used CPU of an idle replica in millicores: `idle_cpu` or `idle_cpu_millis` (validation
    /// refuses both), else 0.
    pub fn idle_cpu_millicores(&self) -> u64 {
        self.idle_cpu
            .map(|c| c.0)
            .or(self.idle_cpu_millis)
            .unwrap_or(0)
    }

    /// Used CPU of an executing invocation in millicores: `cpu_per_invocation` or
    /// `cpu_per_invocation_millis` (validation refuses both), else the CPU request.
    pub fn cpu_per_invocation_millicores(&self) -> u64 {
        self.cpu_per_invocation
            .map(|c| c.0)
            .or(self.cpu_per_invocation_millis)
            .unwrap_or(self.requests.cpu.0)
    }

    /// Completes the container with its function's defaults (`function`: none for a trace's
    /// template) and the built-in defaults: `exec` 1 s, the phases 0 s.
    pub fn resolve_defaults(&mut self, function: Option<&FunctionConfig>) {
        let pick =
            |f: fn(&FunctionConfig) -> &Option<TimeModelSpec>| function.and_then(|x| f(x).as_ref());
        self.exec = self
            .exec
            .or_function_default(pick(|f| &f.exec), TimeModelSpec::one_second);
        self.startup = self
            .startup
            .or_function_default(pick(|f| &f.startup), TimeModelSpec::zero);
        self.setup = self
            .setup
            .or_function_default(pick(|f| &f.setup), TimeModelSpec::zero);
        self.teardown = self
            .teardown
            .or_function_default(pick(|f| &f.teardown), TimeModelSpec::zero);
        self.cold_penalty = match (&self.cold_penalty, pick(|f| &f.cold_penalty)) {
            (Some(c), f) => Some(c.or_function_default(f, TimeModelSpec::unset)),
            (None, f) => f.cloned(),
        };
        if self.concurrency.is_none() {
            self.concurrency = function.and_then(|f| f.concurrency.clone());
        }
        if self.idle_cpu.is_none() && self.idle_cpu_millis.is_none() {
            self.idle_cpu = Some(Cpu(0));
        }
        if self.data_phase.is_none() {
            if let Some(f) = function {
                self.data_phase = f.data_phase;
            }
        }
    }
}

impl Scenario {
    /// Completes every container with its function's defaults and the built-in ones; run once
    /// after deserialising, before validation (so the canonical form holds resolved models).
    pub fn resolve_function_defaults(&mut self) {
        let functions = std::mem::take(&mut self.functions);
        let by_name: BTreeMap<&str, &FunctionConfig> =
            functions.iter().map(|f| (f.name.as_str(), f)).collect();
        for d in &mut self.deployments {
            let f = by_name.get(d.function.as_str()).copied();
            for c in &mut d.containers {
                c.resolve_defaults(f);
            }
        }
        for t in &mut self.traces {
            t.deployment_template.container.resolve_defaults(None);
            t.move_triggers_into_select();
        }
        drop(by_name);
        self.functions = functions;
    }

    /// True if some container still lacks a phase model [`Scenario::resolve_function_defaults`]
    /// would give it (the scenario was deserialised directly).
    pub fn has_unresolved_defaults(&self) -> bool {
        let unresolved = |c: &ContainerConfig| {
            [&c.exec, &c.startup, &c.setup, &c.teardown]
                .iter()
                .any(|s| s.is_unset())
        };
        self.deployments
            .iter()
            .flat_map(|d| &d.containers)
            .chain(self.traces.iter().map(|t| &t.deployment_template.container))
            .any(unresolved)
            || self.functions.iter().any(|f| {
                f.exec.is_some()
                    || f.startup.is_some()
                    || f.setup.is_some()
                    || f.teardown.is_some()
                    || f.cold_penalty.is_some()
                    || f.concurrency.is_some()
                    || !f.data_phase.is_none()
            })
    }
}

/// A deployment of a function (`docs/model.md` §3).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// The deployed function's name.
    pub function: String,
    /// One container per image the deployment may run.
    pub containers: Vec<ContainerConfig>,
    /// Image order and per-image caps; default: container order, factor 1.0.
    #[serde(default)]
    pub ranking: Option<RankingConfig>,
    /// Scaling configuration (faas-sim defaults).
    #[serde(default)]
    pub scaling: ScalingConfig,
    /// When the deployment is deployed.
    #[serde(default)]
    pub deploy_at_s: f64,
    /// Topology spread constraints of its replicas (kubernetes profile); empty: upstream's
    /// system defaults (hostname maxSkew 3, zone maxSkew 5, both `ScheduleAnyway`). Left out
    /// of the canonical form when empty, so adding the key kept every existing `run_id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topology_spread: Vec<SpreadConstraintConfig>,
}

/// Image ranking of a deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingConfig {
    /// Images in preference order; each must have a container.
    pub images: Vec<String>,
    /// Per-image cap as a fraction of `scale_max` (default 1.0).
    #[serde(default)]
    pub function_factor: BTreeMap<String, f64>,
}

/// The run-time configuration of one image for a function.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerConfig {
    /// The image this container runs.
    pub image: String,
    /// Resource requests.
    #[serde(default)]
    pub requests: RequestsConfig,
    /// Pod labels (accelerator, data locality, watchdog hints).
    #[serde(default)]
    pub labels: Labels,
    /// Execution time of one invocation's compute part. Unset, the function's `exec`, else 1 s
    /// ([`Scenario::resolve_function_defaults`]).
    #[serde(default = "TimeModelSpec::unset")]
    pub exec: TimeModelSpec,
    /// Startup phase duration (unset: the function's, else 0).
    #[serde(default = "TimeModelSpec::unset")]
    pub startup: TimeModelSpec,
    /// Setup phase duration (unset: the function's, else 0).
    #[serde(default = "TimeModelSpec::unset")]
    pub setup: TimeModelSpec,
    /// Teardown phase duration (unset: the function's, else 0).
    #[serde(default = "TimeModelSpec::unset")]
    pub teardown: TimeModelSpec,
    /// Extra execution time of a replica's first request (a cold-start penalty: class loading,
    /// JIT warm-up), added to its `exec` sample. Left out of the canonical form when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_penalty: Option<TimeModelSpec>,
    /// Concurrency model; default `unbounded`, or the HTTP watchdog when labels say so.
    #[serde(default)]
    pub concurrency: Option<ConcurrencyConfig>,
    /// Used CPU of a replica while Starting, Running or in Teardown, besides its invocations,
    /// as a CPU quantity (`"100m"`; a bare number is cores). Read it through
    /// [`ContainerConfig::idle_cpu_millicores`]: unset, `idle_cpu_millis` gives it, else 0
    /// ([`ContainerConfig::resolve_defaults`] writes that 0 here, as the canonical form always
    /// had it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_cpu: Option<Cpu>,
    /// The same quantity as an integer number of millicores (`100`); give at most one of
    /// `idle_cpu` and `idle_cpu_millis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_cpu_millis: Option<u64>,
    /// Used CPU of each invocation while it executes, as a CPU quantity (default: the CPU
    /// request). Read it through [`ContainerConfig::cpu_per_invocation_millicores`].
    #[serde(default)]
    pub cpu_per_invocation: Option<Cpu>,
    /// The same quantity as an integer number of millicores; give at most one of
    /// `cpu_per_invocation` and `cpu_per_invocation_millis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_per_invocation_millis: Option<u64>,
    /// Used memory of a replica from Starting until it ends (default: the memory request).
    #[serde(default)]
    pub memory_usage: Option<Size>,
    /// Labels a node must carry (kubernetes profile, filter `NodeAffinity`).
    #[serde(default)]
    pub node_selector: Labels,
    /// Required and preferred node affinity (kubernetes profile).
    #[serde(default)]
    pub affinity: Option<AffinityConfig>,
    /// Tolerated node taints (kubernetes profile).
    #[serde(default)]
    pub tolerations: Vec<TolerationConfig>,
    /// When the data of the pod's `data.skippy.io/*-storage` labels moves (left out of the
    /// resolved scenario while `none`).
    #[serde(default, skip_serializing_if = "DataPhase::is_none")]
    pub data_phase: DataPhase,
}

/// `containers[*].data_phase`: when a replica moves the data its storage labels name
/// (`docs/network.md`, "Data transfers").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataPhase {
    /// Never: the labels only inform the scheduler.
    #[default]
    None,
    /// Download once, at the end of the setup phase.
    Setup,
    /// Download before and upload after every invocation.
    Invocation,
}

impl DataPhase {
    fn is_none(&self) -> bool {
        *self == DataPhase::None
    }
}

/// Resource requests of a container.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsConfig {
    /// CPU request (default 1000 m).
    #[serde(default = "default_cpu")]
    pub cpu: Cpu,
    /// Memory request (default 1 MiB).
    #[serde(default = "default_memory")]
    pub memory: Size,
    /// Countable extended resources (e.g. `gpu = 1`).
    #[serde(default)]
    pub extended: BTreeMap<String, u64>,
}

fn default_cpu() -> Cpu {
    Cpu(1000)
}
fn default_memory() -> Size {
    Size(1_048_576)
}

impl Default for RequestsConfig {
    fn default() -> Self {
        RequestsConfig {
            cpu: default_cpu(),
            memory: default_memory(),
            extended: BTreeMap::new(),
        }
    }
}

/// Per-replica concurrency model (`docs/scenario.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ConcurrencyConfig {
    /// Every dispatched request starts at once.
    Unbounded,
    /// At most one request executes; others queue.
    OnePerReplica,
    /// At most `workers` execute; others wait in a FIFO queue of optional capacity.
    HttpWatchdog {
        /// Worker count W.
        workers: u32,
        /// Queue capacity; a request dispatched to a full queue is rejected (`queue_limit` is
        /// accepted as another name).
        #[serde(default, alias = "queue_limit")]
        queue_capacity: Option<u32>,
    },
}

/// `ScalingConfiguration`, with faas-sim's defaults (`docs/model.md` §3).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingConfig {
    /// Replicas created at deploy; floor for scale-down.
    #[serde(default = "d_scale_min")]
    pub scale_min: u32,
    /// Cap on live replicas.
    #[serde(default = "d_scale_max")]
    pub scale_max: u32,
    /// Request-rate scaler step in percent of `scale_max`.
    #[serde(default = "d_scale_factor")]
    pub scale_factor: u32,
    /// The idler may suspend the function to zero.
    #[serde(default)]
    pub scale_zero: bool,
    /// Request-rate scaler threshold (requests/s).
    #[serde(default = "d_rps_threshold")]
    pub rps_threshold: f64,
    /// Request-rate scaler period (s).
    #[serde(default = "d_rps_threshold_duration")]
    pub rps_threshold_duration: f64,
    /// Average scalers' period (s).
    #[serde(default = "d_alert_window")]
    pub alert_window: f64,
    /// HPA target (fraction of the CPU request).
    #[serde(default = "d_target_util")]
    pub target_average_utilization: f64,
    /// Average-rps target per Running replica.
    #[serde(default = "d_target_rps")]
    pub target_average_rps: f64,
    /// Average-queue target.
    #[serde(default = "d_target_queue")]
    pub target_queue_length: f64,
    /// Tolerance band of both average scalers.
    #[serde(default = "d_target_rps_threshold")]
    pub target_average_rps_threshold: f64,
    /// Autoscaler of this deployment (default: `scaling.autoscaler`).
    #[serde(default)]
    pub autoscaler: Option<AutoscalerKind>,
    /// Keep-alive policy of this deployment (default: `scaling.keepalive`).
    #[serde(default)]
    pub keepalive: Option<KeepaliveConfig>,
}

fn d_scale_min() -> u32 {
    1
}
fn d_scale_max() -> u32 {
    20
}
fn d_scale_factor() -> u32 {
    1
}
fn d_rps_threshold() -> f64 {
    20.0
}
fn d_rps_threshold_duration() -> f64 {
    10.0
}
fn d_alert_window() -> f64 {
    50.0
}
fn d_target_util() -> f64 {
    0.5
}
fn d_target_rps() -> f64 {
    200.0
}
fn d_target_queue() -> f64 {
    75.0
}
fn d_target_rps_threshold() -> f64 {
    0.1
}

impl Default for ScalingConfig {
    fn default() -> Self {
        ScalingConfig {
            scale_min: d_scale_min(),
            scale_max: d_scale_max(),
            scale_factor: d_scale_factor(),
            scale_zero: false,
            rps_threshold: d_rps_threshold(),
            rps_threshold_duration: d_rps_threshold_duration(),
            alert_window: d_alert_window(),
            target_average_utilization: d_target_util(),
            target_average_rps: d_target_rps(),
            target_queue_length: d_target_queue(),
            target_average_rps_threshold: d_target_rps_threshold(),
            autoscaler: None,
            keepalive: None,
        }
    }
}

/// A request arrival generator for one function (`docs/scenario.md`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadConfig {
    /// Target function.
    pub function: String,
    /// Rate profile r(t); required except with `arrivals = { batch = … }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateConfig>,
    /// Inter-arrival process.
    #[serde(default)]
    pub arrivals: ArrivalsConfig,
    /// Start time in seconds (`T` or `{ at = T }`), `"after_ready"` or `"after_all_ready"`.
    #[serde(default)]
    pub start: StartConfig,
    /// With `after_ready`: deployments that must have a Running replica (default: all).
    #[serde(default)]
    pub ready_for: Option<Vec<String>>,
    /// Generation stops at `start + duration_s`.
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// Generation stops after this many requests.
    #[serde(default)]
    pub max_requests: Option<u64>,
}

/// `workload`: settings shared by every workload (`docs/workloads.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadGlobalConfig {
    /// Multiplies every workload's rate (one sweep axis for the load of all functions).
    #[serde(default = "one")]
    pub scale: f64,
}

impl Default for WorkloadGlobalConfig {
    fn default() -> Self {
        WorkloadGlobalConfig { scale: 1.0 }
    }
}

impl WorkloadGlobalConfig {
    /// True when every setting is its default; the section is then left out of the canonical
    /// form, so scenarios without it keep their run identity.
    pub fn is_default(&self) -> bool {
        *self == WorkloadGlobalConfig::default()
    }
}

/// When a workload starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a start time in seconds, { at = <seconds> }, \"after_ready\" or \"after_all_ready\""
)]
pub enum StartConfig {
    /// An absolute time in seconds.
    At(f64),
    /// `{ at = T }`, the same as `T`.
    AtTable {
        /// Seconds.
        at: f64,
    },
    /// A keyword.
    Keyword(StartKeyword),
}

impl StartConfig {
    /// The fixed start time in seconds, if the start is one.
    pub fn fixed_s(&self) -> Option<f64> {
        match *self {
            StartConfig::At(t) | StartConfig::AtTable { at: t } => Some(t),
            StartConfig::Keyword(_) => None,
        }
    }
}

impl Default for StartConfig {
    fn default() -> Self {
        StartConfig::At(0.0)
    }
}

/// Keyword start times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartKeyword {
    /// The first moment every `ready_for` deployment has a Running replica.
    AfterReady,
    /// The first moment every deployment has `scale_min` (at least one) Running replicas; every
    /// workload with this start begins at that same instant.
    AfterAllReady,
}

/// Rate profiles (`docs/scenario.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RateConfig {
    /// `r(t) = rps`.
    Constant {
        /// Requests per second.
        rps: f64,
    },
    /// faas-sim's sine profile.
    Sine {
        /// Peak rate.
        max_rps: f64,
        /// Period in seconds.
        period_s: f64,
        /// Phase shift in seconds.
        #[serde(default)]
        phase_s: f64,
    },
    /// `from_rps` before `start_s`, linear to `to_rps` over `duration_s`, then `to_rps`.
    Ramp {
        /// Rate before the ramp.
        from_rps: f64,
        /// Rate after the ramp.
        to_rps: f64,
        /// Start of the ramp, seconds.
        #[serde(default)]
        start_s: f64,
        /// Length of the ramp, seconds.
        duration_s: f64,
    },
    /// On/off bursts: `burst_rps` for `length_s` every `every_s` from `first_s`, else `base_rps`.
    Bursts {
        /// Rate between bursts.
        #[serde(default)]
        base_rps: f64,
        /// Rate during a burst.
        burst_rps: f64,
        /// Start of the first burst, seconds.
        #[serde(default)]
        first_s: f64,
        /// Length of one burst, seconds.
        length_s: f64,
        /// Burst period, seconds.
        every_s: f64,
    },
    /// faas-sim's Gaussian random walk of the rate, clamped to `[min_rps, max_rps]`.
    RandomWalk {
        /// Initial rate.
        mu: f64,
        /// Standard deviation of one step (one step per arrival).
        sigma: f64,
        /// Upper clamp.
        max_rps: f64,
        /// Lower clamp.
        #[serde(default)]
        min_rps: f64,
    },
    /// Piecewise constant: `[[t_s, rps], …]`, 0 before the first point.
    Steps {
        /// `[t_s, rps]` pairs with increasing times.
        points: Vec<[f64; 2]>,
    },
}

/// Inter-arrival processes (`docs/scenario.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ArrivalsConfig {
    /// `ia = min(1/r, max_ia)`; at a zero rate `max_ia`, else `zero_rate_step_s`.
    Static {
        /// Upper bound on one inter-arrival time.
        #[serde(default)]
        max_ia: Option<f64>,
        /// The gap after an arrival at a zero rate when `max_ia` is unset, seconds (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zero_rate_step_s: Option<f64>,
    },
    /// Exponential inter-arrival times at the rate sampled at the previous arrival.
    Poisson {
        /// Multiplier on each draw.
        #[serde(default = "one")]
        scale: f64,
        /// Upper bound on one inter-arrival time.
        #[serde(default)]
        max_ia: Option<f64>,
    },
    /// The exact non-homogeneous Poisson process of r(t), by thinning.
    PoissonExact {},
    /// `count` requests at the start instant, then nothing.
    Batch {
        /// Number of requests.
        count: u64,
    },
    /// Recorded arrivals: a CSV or Parquet file (relative to the scenario file) with `ia_s` or
    /// `t_s`, optionally `function` and `duration_s` (`docs/workloads.md`).
    Replay(String),
}

fn one() -> f64 {
    1.0
}

impl Default for ArrivalsConfig {
    fn default() -> Self {
        ArrivalsConfig::Poisson {
            scale: 1.0,
            max_ia: None,
        }
    }
}

/// `routing`: load balancing and cold starts (`docs/model.md` §7).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// Load balancer.
    #[serde(default)]
    pub balancer: BalancerKind,
    /// Whether a request for a function without live replicas creates one.
    #[serde(default)]
    pub scale_from_zero: ScaleFromZero,
    /// Polling interval of waiting requests; 0 = event driven.
    #[serde(default)]
    pub cold_start_poll_s: f64,
    /// A request not started by `arrival + timeout` ends `timed_out`.
    #[serde(default)]
    pub request_timeout_s: Option<f64>,
    /// Push (the router hands requests to replicas) or pull (idle replicas take them); left out
    /// of the canonical scenario at its default.
    #[serde(default, skip_serializing_if = "is_default")]
    pub mode: RoutingMode,
}

/// `routing.mode` (`docs/model.md`, routing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    /// A request is handed to a replica (by the balancer) when it arrives or when a replica
    /// becomes Running; busy replicas queue it locally.
    #[default]
    Push,
    /// Requests wait in one queue per function; a replica with a free worker takes the head.
    Pull,
}

/// `[execution]`: how requests use the CPUs of their node (`docs/workloads.md`, CPU contention).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionConfig {
    /// Isolated (an execution takes its sample) or shared (processor sharing of the cores).
    #[serde(default)]
    pub cpu_model: CpuModel,
    /// Slowdown by co-location, under either CPU model.
    #[serde(default, skip_serializing_if = "is_default")]
    pub degradation: DegradationConfig,
    /// Node speed factors: every execution sample and recorded duration on a node of type `T`
    /// is multiplied by `speed_factor[T]` (default 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub speed_factor: BTreeMap<String, f64>,
    /// Shared CPUs: the share (cores) of a replica of image `I` is `cpu_share[I]` instead of
    /// its CPU request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_share: BTreeMap<String, f64>,
}

/// `execution.cpu_model`: `"ignored"` or `"contended"` (`"isolated"` and `"shared"` are their
/// older names, still accepted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpuModel {
    /// `ignored`: every execution takes exactly its sampled time, however busy the node is.
    #[default]
    #[serde(rename = "ignored", alias = "isolated")]
    Isolated,
    /// `contended`: the node's cores are shared among the requests computing on it (processor
    /// sharing): an execution sample is work, and requests slow down when the node is
    /// oversubscribed.
    #[serde(rename = "contended", alias = "shared")]
    Shared,
}

/// `execution.degradation`: a slowdown by co-location. A request's execution sample is
/// multiplied by a factor of `o`, the number of other requests computing on its node when its
/// compute part starts (`docs/workloads.md`, "Performance degradation").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DegradationConfig {
    /// No slowdown.
    #[default]
    None,
    /// `min(max_factor, 1 + alpha × o)`.
    Linear {
        /// Slope per other computing request (≥ 0).
        alpha: f64,
        /// Cap on the factor (≥ 1; default: none).
        #[serde(default)]
        max_factor: Option<f64>,
    },
    /// `by_node_type[T][min(o, len − 1)]` on a node of type `T`; unlisted types: 1.
    Table {
        /// Factors (> 0) by node type, indexed by `o`.
        by_node_type: BTreeMap<String, Vec<f64>>,
    },
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            balancer: BalancerKind::RoundRobin,
            scale_from_zero: ScaleFromZero::OnDemand,
            cold_start_poll_s: 0.0,
            request_timeout_s: None,
            mode: RoutingMode::Push,
        }
    }
}

/// Load-balancing rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalancerKind {
    /// faas-sim's round robin.
    #[default]
    RoundRobin,
    /// Fewest outstanding requests.
    LeastOutstanding,
    /// Uniformly random, from the `lb/<function>` stream.
    Random,
}

/// Scale-from-zero behaviour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleFromZero {
    /// A request for a function with no live replica triggers `scale_up(max(1, scale_min))`.
    #[default]
    OnDemand,
    /// Never create replicas; wait for a scaler.
    Wait,
}

/// `replicas`: removal behaviour.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicasConfig {
    /// A replica chosen for removal finishes its in-flight requests first.
    #[serde(default = "yes")]
    pub drain: bool,
    /// Which Running replicas `scale_down` removes first.
    #[serde(default)]
    pub victim_order: VictimOrder,
}

fn yes() -> bool {
    true
}

impl Default for ReplicasConfig {
    fn default() -> Self {
        ReplicasConfig {
            drain: true,
            victim_order: VictimOrder::Newest,
        }
    }
}

/// `network`: the flow model (`docs/network.md`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Model transfers as routed flows sharing links; `false`: `bytes / default_bandwidth_mbit`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Transfer rate when the network model is disabled, Mbit/s.
    #[serde(default = "default_link_mbit")]
    pub default_bandwidth_mbit: f64,
    /// How lognormal edge latencies resolve: `mode`, `mean` or `sampled`.
    #[serde(
        default = "default_latency_mode",
        skip_serializing_if = "is_default_latency_mode"
    )]
    pub latency: String,
    /// Share of a link's rate that is payload.
    #[serde(
        default = "default_goodput_factor",
        skip_serializing_if = "is_default_goodput"
    )]
    pub goodput_factor: f64,
    /// Vertices the registry attaches to (default: every switch named `internet*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry_attach: Vec<String>,
    /// Capacity of a link between the registry and its attachments, Mbit/s (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_link_mbit: Option<f64>,
    /// Which storage node of a bucket serves a transfer: `first` or `nearest`.
    #[serde(
        default = "default_storage_choice",
        skip_serializing_if = "is_default_storage_choice"
    )]
    pub storage_choice: String,
    /// Rate of reads and writes when the bucket is on the replica's own node, bytes/s.
    #[serde(
        default = "default_local_io",
        skip_serializing_if = "is_default_local_io"
    )]
    pub local_io_bytes_per_s: f64,
}

fn default_latency_mode() -> String {
    "mode".to_string()
}
fn default_goodput_factor() -> f64 {
    0.97
}
fn default_storage_choice() -> String {
    "first".to_string()
}
fn default_local_io() -> f64 {
    1.25e8
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            enabled: true,
            default_bandwidth_mbit: default_link_mbit(),
            latency: default_latency_mode(),
            goodput_factor: default_goodput_factor(),
            registry_attach: Vec::new(),
            registry_link_mbit: None,
            storage_choice: default_storage_choice(),
            local_io_bytes_per_s: default_local_io(),
        }
    }
}

/// `outputs`: which optional tables to write.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputsConfig {
    /// Per-request rows: `"off"`, `"all"` or `{ sample = rate }`.
    #[serde(default)]
    pub invocations: InvocationRows,
    /// One row per scheduling decision.
    #[serde(default = "yes")]
    pub placements: bool,
    /// One row per replica.
    #[serde(default = "yes")]
    pub replicas: bool,
    /// Scaling decisions: `true`/`false` or `{ enabled, include_noop }`.
    #[serde(default)]
    pub scaling: ScalingOutput,
    /// Replica counts per function over time, one row per change.
    #[serde(default = "yes")]
    pub replica_counts: bool,
    /// The resource monitor's time series.
    #[serde(default)]
    pub utilization: UtilizationOutput,
    /// One `latency_histograms` row per function and metric. Left out of the resolved scenario
    /// while on (the default), so that adding the key changed no `run_id`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub latency_histograms: bool,
    /// Sub-buckets per power of two of the `latency_histograms` table (a power of two from 1
    /// to 128); the in-run histograms and `summary` keep 128. Left out of the resolved scenario
    /// at its default, so that adding the key changed no `run_id`.
    #[serde(default, skip_serializing_if = "is_default_precision")]
    pub histogram_precision: HistogramPrecision,
    /// Metrics with per-function `latency_histograms` rows besides the all-function rows:
    /// `"all"` or a list of names, none by default. Left out of the resolved scenario at its
    /// default, so that adding the key changed no `run_id`.
    #[serde(default, skip_serializing_if = "is_default_function_metrics")]
    pub histogram_function_metrics: HistogramFunctionMetrics,
    /// One `flows` row per transfer (left out of the resolved scenario while on).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub flows: bool,
    /// One `links` row per link that carried a flow (left out of the resolved scenario while on).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub links: bool,
    /// One `nodes` row per node (left out of the resolved scenario while on).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub nodes: bool,
    /// Runs per part file in sweeps.
    #[serde(default = "default_runs_per_batch")]
    pub runs_per_batch: u32,
}

fn is_default_precision(p: &HistogramPrecision) -> bool {
    *p == HistogramPrecision::DEFAULT
}

fn is_default_function_metrics(m: &HistogramFunctionMetrics) -> bool {
    *m == HistogramFunctionMetrics::default()
}

fn default_runs_per_batch() -> u32 {
    32
}

impl Default for OutputsConfig {
    fn default() -> Self {
        OutputsConfig {
            invocations: InvocationRows::default(),
            placements: true,
            replicas: true,
            scaling: ScalingOutput::default(),
            replica_counts: true,
            utilization: UtilizationOutput::default(),
            latency_histograms: true,
            histogram_precision: HistogramPrecision::DEFAULT,
            histogram_function_metrics: HistogramFunctionMetrics::default(),
            flows: true,
            links: true,
            nodes: true,
            runs_per_batch: default_runs_per_batch(),
        }
    }
}

/// Which requests get an `invocations` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "expected \"off\", \"all\" or { sample = <fraction in [0, 1]> }"
)]
pub enum InvocationRows {
    /// `"off"` or `"all"`.
    Mode(InvocationMode),
    /// `{ sample = rate }`: keep a deterministic pseudo-random fraction.
    Sample {
        /// Fraction in [0, 1].
        sample: f64,
    },
}

impl Default for InvocationRows {
    fn default() -> Self {
        InvocationRows::Mode(InvocationMode::Off)
    }
}

/// `"off"` / `"all"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvocationMode {
    /// No rows.
    Off,
    /// Every request.
    All,
}
