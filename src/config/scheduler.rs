//! `scheduler` section of a scenario and the Kubernetes-style pod and node fields the schedulers
//! read (`docs/schedulers.md`).
//!
//! The profile-specific lists (predicates, priorities, plugins) are kept as names here and are
//! resolved, with errors that list the valid names, by [`crate::scheduler::build`].

use serde::{Deserialize, Serialize};

/// `scheduler`: placement profile, its settings and the modelled decision latency.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerConfig {
    /// `skippy` (default), `kubernetes`, `first-fit` or `random`.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Modelled decision latency (`docs/schedulers.md`, Configuration reference).
    #[serde(default)]
    pub latency: SchedulerLatencyConfig,
    /// What happens to a replica no ranked image can place: `drop` or `retry`.
    #[serde(default)]
    pub unschedulable: Unschedulable,
    /// Back-off before a `retry`.
    #[serde(default = "default_retry_backoff")]
    pub retry_backoff_s: f64,
    /// Number of best candidates whose per-priority scores are recorded in each decision
    /// (`Decision::top`); 0 (default) records only the chosen node.
    #[serde(default)]
    pub explain_top_k: u32,
    /// How the `ExecutionTime` priority estimates a pod's execution time on a node type.
    #[serde(default)]
    pub execution_time_estimate: ExecutionTimeEstimate,
    /// Resource characterisation of images per node type, read by `CanRun`, `HasEnoughRam` and
    /// `Contention` (`docs/schedulers.md`, Accelerators and capabilities). Empty (default): `CanRun` checks only the
    /// execution-time model, `HasEnoughRam` counts every pod as 0 and `Contention` scores 0.
    #[serde(default)]
    pub characterisation: Vec<CharacterisationConfig>,
    /// skippy profile settings.
    #[serde(default)]
    pub skippy: SkippyConfig,
    /// kubernetes profile settings.
    #[serde(default)]
    pub kubernetes: KubernetesConfig,
}

fn default_profile() -> String {
    "skippy".to_string()
}
fn default_retry_backoff() -> f64 {
    10.0
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            profile: default_profile(),
            latency: SchedulerLatencyConfig::default(),
            unschedulable: Unschedulable::Drop,
            retry_backoff_s: default_retry_backoff(),
            explain_top_k: 0,
            execution_time_estimate: ExecutionTimeEstimate::Mean,
            characterisation: Vec::new(),
            skippy: SkippyConfig::default(),
            kubernetes: KubernetesConfig::default(),
        }
    }
}

/// `L = constant + per_node_evaluated × evaluated + per_node_scored × scored`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerLatencyConfig {
    /// Constant part, seconds.
    #[serde(default)]
    pub constant_s: f64,
    /// Seconds per node on which predicates ran.
    #[serde(default)]
    pub per_node_evaluated_s: f64,
    /// Seconds per scored node.
    #[serde(default)]
    pub per_node_scored_s: f64,
}

/// Fate of a replica that no ranked image can place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unschedulable {
    /// Leave it Failed.
    #[default]
    Drop,
    /// Re-create a replica of the first image after the back-off.
    Retry,
}

/// Estimate used by the `ExecutionTime` priority.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionTimeEstimate {
    /// The mean of the pod's execution-time model for the node's type (deterministic).
    #[default]
    Mean,
    /// One draw of that model from the `sched` stream per scored node, in visit order.
    Sample,
}

/// One row of the resource characterisation table: what one replica of `image` uses on a node
/// of type `node_type` (`docs/schedulers.md`, Accelerators and capabilities).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CharacterisationConfig {
    /// Catalog node type.
    pub node_type: String,
    /// Image name (the tag is ignored).
    pub image: String,
    /// CPU use as a fraction of the device.
    #[serde(default)]
    pub cpu: f64,
    /// GPU use as a fraction of the device.
    #[serde(default)]
    pub gpu: f64,
    /// Memory use as a fraction of the device.
    #[serde(default)]
    pub ram: f64,
    /// Block I/O, bytes/s.
    #[serde(default)]
    pub blkio: f64,
    /// Network I/O, bytes/s.
    #[serde(default)]
    pub net: f64,
}

/// skippy profile settings (`docs/schedulers.md`, `skippy`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippyConfig {
    /// Percentage of nodes to score (default 100; ≤ 0 = adaptive; docs/schedulers.md).
    #[serde(default = "default_pct")]
    pub percentage_of_nodes_to_score: f64,
    /// Predicate and priority lists: `default`, `vanilla`, `raith21_skippy` or `ga`.
    #[serde(default = "default_preset")]
    pub preset: String,
    /// Custom predicate list replacing the preset's (`RegistryReachable` is always appended).
    #[serde(default)]
    pub predicates: Option<Vec<PredicateSpec>>,
    /// Custom priority list `[[weight, "Name"], …]` replacing the preset's.
    #[serde(default)]
    pub priorities: Option<Vec<(f64, String)>>,
    /// Weights of the `raith21_skippy` and `ga` presets.
    #[serde(default)]
    pub weights: SkippyWeights,
    /// `NodeHasFreeGpu` of the presets compares VRAM instead of counting GPU pods.
    #[serde(default)]
    pub use_vram: bool,
}

fn default_pct() -> f64 {
    100.0
}
fn default_preset() -> String {
    "default".to_string()
}

impl Default for SkippyConfig {
    fn default() -> Self {
        SkippyConfig {
            percentage_of_nodes_to_score: default_pct(),
            preset: default_preset(),
            predicates: None,
            priorities: None,
            weights: SkippyWeights::default(),
            use_vram: false,
        }
    }
}

/// Per-priority weights of the `raith21_skippy` and `ga` presets (all default 1).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippyWeights {
    /// `BalancedResource`.
    #[serde(default = "one")]
    pub balanced: f64,
    /// `LatencyAwareImageLocality`.
    #[serde(default = "one")]
    pub latency: f64,
    /// `LocalityType`.
    #[serde(default = "one")]
    pub locality_type: f64,
    /// `DataLocality`.
    #[serde(default = "one")]
    pub data: f64,
    /// `Capability`.
    #[serde(default = "one")]
    pub capability: f64,
    /// `CapabilityMatching` (`ga`).
    #[serde(default = "one")]
    pub capability_matching: f64,
    /// `Contention` (`ga`).
    #[serde(default = "one")]
    pub contention: f64,
    /// `ExecutionTime` (`ga`).
    #[serde(default = "one")]
    pub execution_time: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for SkippyWeights {
    fn default() -> Self {
        SkippyWeights {
            balanced: 1.0,
            latency: 1.0,
            locality_type: 1.0,
            data: 1.0,
            capability: 1.0,
            capability_matching: 1.0,
            contention: 1.0,
            execution_time: 1.0,
        }
    }
}

/// A predicate in a list: its name, or a table with its name and arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a predicate name such as \"PodFitsResources\", or a table such as { name = \"CheckNodeLabelPresence\", labels = [\"zone\"], present = true }"
)]
pub enum PredicateSpec {
    /// `"PodFitsResources"`, … (default arguments).
    Name(String),
    /// `{ name = "CheckNodeLabelPresence", labels = [...], present = true }` or
    /// `{ name = "NodeHasFreeGpu", use_vram = true }`.
    Table(PredicateArgs),
}

/// Arguments of a predicate given as a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredicateArgs {
    /// Predicate name.
    pub name: String,
    /// `CheckNodeLabelPresence`: label keys (default `["data.skippy.io/storage"]`).
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// `CheckNodeLabelPresence`: the keys must be present (`true`) or absent (`false`, default).
    #[serde(default)]
    pub present: bool,
    /// `NodeHasFreeGpu`: compare VRAM instead of counting GPU pods.
    #[serde(default)]
    pub use_vram: bool,
}

impl PredicateSpec {
    /// The predicate's name.
    pub fn name(&self) -> &str {
        match self {
            PredicateSpec::Name(n) => n,
            PredicateSpec::Table(a) => &a.name,
        }
    }
}

/// kubernetes profile settings (`docs/schedulers.md`, `kubernetes`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesConfig {
    /// Percentage of nodes to find (default 0 = adaptive; docs/schedulers.md).
    #[serde(default)]
    pub percentage_of_nodes_to_score: u32,
    /// Filter out nodes labelled `data.skippy.io/storage` (default true).
    #[serde(default = "yes")]
    pub avoid_storage_nodes: bool,
    /// `NodeResourcesFit` scoring strategy.
    #[serde(default)]
    pub scoring_strategy: ScoringStrategy,
    /// Resource weights of `NodeResourcesFit` scoring.
    #[serde(default)]
    pub resource_weights: ResourceWeights,
    /// Score plugin weights.
    #[serde(default)]
    pub weights: KubernetesWeights,
    /// Extension predicates (docs/schedulers.md) appended to the filters, e.g. `["NodeHasAccelerator",
    /// "NodeHasFreeGpu"]`.
    #[serde(default)]
    pub extra_filters: Vec<PredicateSpec>,
    /// Extension priorities (docs/schedulers.md) added to the scores, `[[weight, "Name"], …]`, on 0..100.
    #[serde(default)]
    pub extra_scores: Vec<(i64, String)>,
}

fn yes() -> bool {
    true
}

impl Default for KubernetesConfig {
    fn default() -> Self {
        KubernetesConfig {
            percentage_of_nodes_to_score: 0,
            avoid_storage_nodes: true,
            scoring_strategy: ScoringStrategy::LeastAllocated,
            resource_weights: ResourceWeights::default(),
            weights: KubernetesWeights::default(),
            extra_filters: Vec::new(),
            extra_scores: Vec::new(),
        }
    }
}

/// `NodeResourcesFit` scoring strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoringStrategy {
    /// Prefer nodes with more free capacity (spreading).
    #[default]
    LeastAllocated,
    /// Prefer nodes with less free capacity (bin packing).
    MostAllocated,
}

/// Per-resource weights of `NodeResourcesFit` scoring.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceWeights {
    /// CPU weight (default 1).
    #[serde(default = "one_i")]
    pub cpu: i64,
    /// Memory weight (default 1).
    #[serde(default = "one_i")]
    pub memory: i64,
}

fn one_i() -> i64 {
    1
}

impl Default for ResourceWeights {
    fn default() -> Self {
        ResourceWeights { cpu: 1, memory: 1 }
    }
}

/// Score plugin weights of the kubernetes profile (upstream defaults).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesWeights {
    /// `NodeResourcesFit` (1).
    #[serde(default = "one_i")]
    pub node_resources_fit: i64,
    /// `NodeResourcesBalancedAllocation` (1).
    #[serde(default = "one_i")]
    pub balanced_allocation: i64,
    /// `ImageLocality` (1).
    #[serde(default = "one_i")]
    pub image_locality: i64,
    /// `TaintToleration` (3).
    #[serde(default = "three")]
    pub taint_toleration: i64,
    /// `NodeAffinity` (2).
    #[serde(default = "two")]
    pub node_affinity: i64,
    /// `PodTopologySpread` (2). Left out of the canonical form at its default, so adding the
    /// plugin kept every existing `run_id`.
    #[serde(default = "two", skip_serializing_if = "is_two")]
    pub pod_topology_spread: i64,
}

fn two() -> i64 {
    2
}
fn is_two(w: &i64) -> bool {
    *w == 2
}
fn three() -> i64 {
    3
}

impl Default for KubernetesWeights {
    fn default() -> Self {
        KubernetesWeights {
            node_resources_fit: 1,
            balanced_allocation: 1,
            image_locality: 1,
            taint_toleration: 3,
            node_affinity: 2,
            pod_topology_spread: 2,
        }
    }
}

/// Effect of a node taint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TaintEffect {
    /// Pods that do not tolerate it are not placed on the node.
    NoSchedule,
    /// The scheduler avoids the node for pods that do not tolerate it.
    PreferNoSchedule,
    /// Like `NoSchedule` for placement (eviction is not modelled).
    NoExecute,
}

/// A node taint `key=value:effect`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaintConfig {
    /// Taint key.
    pub key: String,
    /// Taint value (default empty).
    #[serde(default)]
    pub value: String,
    /// Taint effect.
    pub effect: TaintEffect,
}

/// Toleration operator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TolerationOperator {
    /// Key and value must equal the taint's.
    #[default]
    Equal,
    /// The key must equal the taint's (an empty key matches every taint).
    Exists,
}

/// A pod toleration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TolerationConfig {
    /// Taint key (empty with `Exists`: every key).
    #[serde(default)]
    pub key: String,
    /// `Equal` (default) or `Exists`.
    #[serde(default)]
    pub operator: TolerationOperator,
    /// Taint value (for `Equal`).
    #[serde(default)]
    pub value: String,
    /// Effect tolerated; absent: every effect.
    #[serde(default)]
    pub effect: Option<TaintEffect>,
}

impl TolerationConfig {
    /// True if this toleration tolerates `taint` (upstream `ToleratesTaint`).
    pub fn tolerates(&self, taint: &TaintConfig) -> bool {
        if let Some(e) = self.effect {
            if e != taint.effect {
                return false;
            }
        }
        match self.operator {
            TolerationOperator::Exists => self.key.is_empty() || self.key == taint.key,
            TolerationOperator::Equal => self.key == taint.key && self.value == taint.value,
        }
    }
}

/// Node-selector operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectorOperator {
    /// The label's value is one of `values`.
    In,
    /// The label is absent or its value is not one of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label's value, as an integer, is greater than the single value.
    Gt,
    /// The label's value, as an integer, is less than the single value.
    Lt,
}

/// One expression of a node-selector term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectorExpression {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: SelectorOperator,
    /// Values (`In`, `NotIn`: any number; `Gt`, `Lt`: exactly one integer).
    #[serde(default)]
    pub values: Vec<String>,
}

/// A node-selector term: all expressions must hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectorTerm {
    /// The expressions.
    #[serde(default)]
    pub match_expressions: Vec<SelectorExpression>,
}

/// A weighted preferred term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferredTerm {
    /// Weight added to a matching node's raw score (1..100 upstream).
    pub weight: i64,
    /// The expressions.
    #[serde(default)]
    pub match_expressions: Vec<SelectorExpression>,
}

/// What the scheduler does when a topology spread constraint cannot be met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhenUnsatisfiable {
    /// A filter: nodes whose placement would exceed `max_skew` are rejected.
    DoNotSchedule,
    /// A score: nodes in less loaded domains score higher.
    ScheduleAnyway,
}

/// A topology spread constraint of a deployment (kubernetes profile, `PodTopologySpread`); the
/// deployment's replicas are the pods it counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadConstraintConfig {
    /// How many more replicas one domain may hold than the least loaded one (≥ 1).
    pub max_skew: i64,
    /// The node label whose values are the domains, e.g. `topology.kubernetes.io/zone`.
    pub topology_key: String,
    /// `DoNotSchedule` (filter) or `ScheduleAnyway` (score).
    pub when_unsatisfiable: WhenUnsatisfiable,
}

/// Node affinity of a container (kubernetes profile).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffinityConfig {
    /// Required terms: if any, at least one must match (filter `NodeAffinity`).
    #[serde(default)]
    pub required: Vec<SelectorTerm>,
    /// Preferred terms: Σ weights of the matching ones (score `NodeAffinity`).
    #[serde(default)]
    pub preferred: Vec<PreferredTerm>,
}
