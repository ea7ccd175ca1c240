//! Scaling configuration beyond faas-sim's per-deployment `ScalingConfiguration`: the global
//! `[scaling]` table (autoscaler choice, counters, scaler parameters, idler, keep-alive), the
//! resource `[monitor]`, and the output switches of the scaling-related tables
//! (`spec/scaling.md`, `spec/execution.md` §7, `spec/outputs.md` §2.4, §2.6).
//!
//! Key layout: `scaling.autoscaler` and `scaling.keepalive` are the defaults of every deployment;
//! `deployments[i].scaling.autoscaler` / `.keepalive` override them for one deployment.

use serde::{Deserialize, Serialize};

/// Replica-count autoscaler of a function (`spec/scaling.md` §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoscalerKind {
    /// No autoscaler: replicas change only through deploy, commands, scale-from-zero, the idler
    /// and keep-alive.
    #[default]
    None,
    /// OpenFaaS alert style: step up above `rps_threshold`, step down below it.
    RequestRate,
    /// HPA-like on the average request rate per Running replica.
    AvgRps,
    /// HPA-like on the median local queue length of Running replicas.
    AvgQueue,
    /// Kubernetes HPA on CPU utilisation (reads the resource monitor).
    HpaCpu,
    /// One replica per request that finds no free worker slot among pending replicas.
    PerRequest,
}

impl AutoscalerKind {
    /// Name used in the `scaling` table's `scaler` column.
    pub fn as_str(self) -> &'static str {
        match self {
            AutoscalerKind::None => "none",
            AutoscalerKind::RequestRate => "request_rate",
            AutoscalerKind::AvgRps => "avg_rps",
            AutoscalerKind::AvgQueue => "avg_queue",
            AutoscalerKind::HpaCpu => "hpa_cpu",
            AutoscalerKind::PerRequest => "per_request",
        }
    }
}

/// What the request counters of the scalers count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMode {
    /// Requests reaching the gateway.
    #[default]
    Arrivals,
    /// Requests handed to a replica (faas-sim).
    Dispatches,
}

/// How the request-rate scaler scales down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolveMode {
    /// `scale_down(step)`.
    #[default]
    Step,
    /// `scale_to(scale_min)` (OpenFaaS alert resolution).
    ToMin,
}

/// `scaling.request_rate`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRateConfig {
    /// Scale-down rule below the threshold.
    #[serde(default)]
    pub resolve: ResolveMode,
}

/// What the HPA divides used CPU by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HpaBasis {
    /// The replica's CPU request (Kubernetes).
    #[default]
    Request,
    /// The capacity of the replica's node (faas-sim's intent).
    NodeCapacity,
}

/// `scaling.hpa`: Kubernetes HPA settings (`spec/scaling.md` §5).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HpaConfig {
    /// Period between evaluations, s.
    #[serde(default = "d_hpa_period")]
    pub period_s: f64,
    /// Tolerance around a ratio of 1.
    #[serde(default = "d_tolerance")]
    pub tolerance: f64,
    /// Metric window, s.
    #[serde(default = "d_hpa_window")]
    pub window_s: f64,
    /// Utilisation basis.
    #[serde(default)]
    pub basis: HpaBasis,
    /// Scale-down stabilisation window, s.
    #[serde(default = "d_stabilization")]
    pub scale_down_stabilization_s: f64,
}

fn d_hpa_period() -> f64 {
    15.0
}
fn d_tolerance() -> f64 {
    0.1
}
fn d_hpa_window() -> f64 {
    60.0
}
fn d_stabilization() -> f64 {
    300.0
}

impl Default for HpaConfig {
    fn default() -> Self {
        HpaConfig {
            period_s: d_hpa_period(),
            tolerance: d_tolerance(),
            window_s: d_hpa_window(),
            basis: HpaBasis::Request,
            scale_down_stabilization_s: d_stabilization(),
        }
    }
}

/// `scaling.idler`: scale to zero after inactivity (`spec/scaling.md` §7). It acts on
/// deployments with `scale_zero = true` and runs iff at least one has it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdlerConfig {
    /// Idle time after the last arrival that suspends a function, s.
    #[serde(default = "d_inactivity")]
    pub inactivity_s: f64,
    /// Period of the idler's checks, s (first check at `interval_s`).
    #[serde(default = "d_idler_interval")]
    pub interval_s: f64,
}

fn d_inactivity() -> f64 {
    300.0
}
fn d_idler_interval() -> f64 {
    30.0
}

impl Default for IdlerConfig {
    fn default() -> Self {
        IdlerConfig {
            inactivity_s: d_inactivity(),
            interval_s: d_idler_interval(),
        }
    }
}

/// Keep-alive policy of idle replicas (`spec/scaling.md` §8).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeepaliveConfig {
    /// Idle replicas stay until something else removes them.
    #[default]
    None,
    /// Fixed keep-alive window, optional pre-warm.
    Fixed {
        /// Idle time after which a replica is torn down, s.
        #[serde(default = "d_keepalive")]
        keepalive_s: f64,
        /// With `> 0`: unload at once when a replica's last request ends, re-create after this, s.
        #[serde(default)]
        prewarm_s: f64,
    },
    /// The hybrid-histogram policy of "Serverless in the Wild" (Shahrad et al., ATC 2020).
    HybridHistogram {
        /// Histogram range, s.
        #[serde(default = "d_range")]
        range_s: f64,
        /// Bin width, s.
        #[serde(default = "d_bin")]
        bin_s: f64,
        /// Coefficient of variation at or above which the pattern is certain.
        #[serde(default = "d_cv")]
        cv_threshold: f64,
        /// Out-of-bounds share at or above which the pattern is out of bounds.
        #[serde(default = "d_oob")]
        oob_threshold: f64,
        /// Safety margin applied to both windows.
        #[serde(default = "d_margin")]
        margin: f64,
    },
}

fn d_keepalive() -> f64 {
    600.0
}
fn d_range() -> f64 {
    14_400.0
}
fn d_bin() -> f64 {
    60.0
}
fn d_cv() -> f64 {
    2.0
}
fn d_oob() -> f64 {
    0.5
}
fn d_margin() -> f64 {
    0.1
}

/// `[scaling]`: global scaling settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingGlobalConfig {
    /// Default autoscaler of every deployment.
    #[serde(default)]
    pub autoscaler: AutoscalerKind,
    /// What the scalers' request counters count.
    #[serde(default)]
    pub count: CountMode,
    /// Request-rate scaler settings.
    #[serde(default)]
    pub request_rate: RequestRateConfig,
    /// HPA settings.
    #[serde(default)]
    pub hpa: HpaConfig,
    /// Idler settings.
    #[serde(default)]
    pub idler: IdlerConfig,
    /// Default keep-alive policy of every deployment.
    #[serde(default)]
    pub keepalive: KeepaliveConfig,
}

/// Order in which `scale_down` picks Running replicas (`spec/model.md` §7.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VictimOrder {
    /// Highest `replica_id` first (faas-sim).
    #[default]
    Newest,
    /// Lowest `replica_id` first.
    Oldest,
    /// Fewest outstanding requests first, ties → newest.
    LeastLoaded,
}

/// `[monitor]`: the resource monitor (`spec/execution.md` §7).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// Tick interval, s (ticks at `k × interval_s`, `k ≥ 1`).
    #[serde(default = "d_monitor_interval")]
    pub interval_s: f64,
}

fn d_monitor_interval() -> f64 {
    1.0
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            interval_s: d_monitor_interval(),
        }
    }
}

/// `outputs.utilization`: the monitor's time series (`spec/outputs.md` §2.6).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilizationOutput {
    /// Write the table (and run the monitor).
    #[serde(default)]
    pub enabled: bool,
    /// Keep every n-th monitor tick.
    #[serde(default = "d_every")]
    pub every: u32,
    /// Also one row per Running replica.
    #[serde(default)]
    pub per_replica: bool,
}

fn d_every() -> u32 {
    1
}

impl Default for UtilizationOutput {
    fn default() -> Self {
        UtilizationOutput {
            enabled: false,
            every: d_every(),
            per_replica: false,
        }
    }
}

/// `outputs.scaling`: `true`/`false`, or `{ enabled, include_noop }`. Always written back as
/// the table form, so both spellings resolve to the same configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ScalingOutputRepr")]
pub struct ScalingOutput {
    /// Write the table.
    pub enabled: bool,
    /// Also record decisions that changed nothing (`applied = 0`) of scalers, keep-alive, the
    /// idler and the router; life-cycle and command rows are always recorded.
    pub include_noop: bool,
}

impl Default for ScalingOutput {
    fn default() -> Self {
        ScalingOutput {
            enabled: true,
            include_noop: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected true, false or { enabled = <bool>, include_noop = <bool> }"
)]
enum ScalingOutputRepr {
    Flag(bool),
    Table(ScalingOutputTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScalingOutputTable {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default = "yes")]
    include_noop: bool,
}

fn yes() -> bool {
    true
}

impl From<ScalingOutputRepr> for ScalingOutput {
    fn from(r: ScalingOutputRepr) -> Self {
        match r {
            ScalingOutputRepr::Flag(enabled) => ScalingOutput {
                enabled,
                include_noop: true,
            },
            ScalingOutputRepr::Table(t) => ScalingOutput {
                enabled: t.enabled,
                include_noop: t.include_noop,
            },
        }
    }
}
