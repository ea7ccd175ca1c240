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
    AffinityConfig, SchedulerConfig, SchedulerLatencyConfig, SkippyConfig, TaintConfig,
    TolerationConfig, Unschedulable,
};
use super::timemodel::TimeModelSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Placement of pods onto nodes.
    #[serde(default)]
    pub scheduler: SchedulerConfig,
    /// Load balancing and cold-start behaviour.
    #[serde(default)]
    pub routing: RoutingConfig,
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

/// `topology`: which nodes exist. This slice supports the `cluster` generator.
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
    /// Label scheme: `ether` or `raith21` (`docs/scenario.md`).
    #[serde(default = "default_label_scheme")]
    pub labels: String,
}

fn default_generator() -> String {
    "cluster".to_string()
}
fn default_lan_size() -> u32 {
    20
}
fn default_label_scheme() -> String {
    "ether".to_string()
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
    /// Execution time of one invocation's compute part.
    #[serde(default = "TimeModelSpec::one_second")]
    pub exec: TimeModelSpec,
    /// Startup phase duration.
    #[serde(default = "TimeModelSpec::zero")]
    pub startup: TimeModelSpec,
    /// Setup phase duration.
    #[serde(default = "TimeModelSpec::zero")]
    pub setup: TimeModelSpec,
    /// Teardown phase duration.
    #[serde(default = "TimeModelSpec::zero")]
    pub teardown: TimeModelSpec,
    /// Concurrency model; default `unbounded`, or the HTTP watchdog when labels say so.
    #[serde(default)]
    pub concurrency: Option<ConcurrencyConfig>,
    /// Used CPU of a replica while Starting, Running or in Teardown, besides its invocations.
    #[serde(default = "zero_cpu")]
    pub idle_cpu: Cpu,
    /// Used CPU of each invocation while it executes (default: the CPU request).
    #[serde(default)]
    pub cpu_per_invocation: Option<Cpu>,
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
}

fn zero_cpu() -> Cpu {
    Cpu(0)
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
        /// Queue capacity; a request dispatched to a full queue is rejected.
        #[serde(default)]
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
    /// `ia = min(1/r, max_ia)`.
    Static {
        /// Upper bound on one inter-arrival time.
        #[serde(default)]
        max_ia: Option<f64>,
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
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            balancer: BalancerKind::RoundRobin,
            scale_from_zero: ScaleFromZero::OnDemand,
            cold_start_poll_s: 0.0,
            request_timeout_s: None,
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

/// `network`: this slice models image pulls as `size / bandwidth`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Bandwidth between the registry and a node when the node type sets none, Mbit/s.
    #[serde(default = "default_link_mbit")]
    pub default_bandwidth_mbit: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            default_bandwidth_mbit: default_link_mbit(),
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
    /// Runs per part file in sweeps.
    #[serde(default = "default_runs_per_batch")]
    pub runs_per_batch: u32,
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
