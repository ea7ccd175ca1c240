//! Scaling configuration beyond faas-sim's per-deployment `ScalingConfiguration`: the global
//! `[scaling]` table (autoscaler choice, counters, scaler parameters, idler, keep-alive), the
//! resource `[monitor]`, and the output switches of the scaling-related tables
//! (`docs/scaling.md`, `docs/scenario.md`, `docs/outputs.md`).
//!
//! Key layout: `scaling.autoscaler` and `scaling.keepalive` are the defaults of every deployment;
//! `deployments[i].scaling.autoscaler` / `.keepalive` override them for one deployment.

use serde::{Deserialize, Serialize};

/// Replica-count autoscaler of a function (`docs/scaling.md`).
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

/// `scaling.hpa`: Kubernetes HPA settings (`docs/scaling.md`).
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

/// `scaling.idler`: scale to zero after inactivity (`docs/scaling.md`). It acts on
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

/// Keep-alive policy of idle replicas (`docs/scaling.md`).
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

/// Order in which `scale_down` picks Running replicas (`docs/model.md` §5).
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

/// `[monitor]`: the resource monitor (`docs/scenario.md`).
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

/// `outputs.utilization`: the monitor's time series (`docs/outputs.md`).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_scenario;

    const BASE: &str = r#"
topology = { generator = "cluster", nodes = [{ type = "server", count = 1 }] }
[[images]]
name = "img"
variants = [{ arch = "x86", size = "1M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 4 }
[[deployments.containers]]
image = "img"
[[workloads]]
function = "f"
rate = { constant = { rps = 1 } }
max_requests = 1
"#;

    fn parse(extra_top: &str, scaling: &str) -> Result<crate::config::Scenario, String> {
        let text = format!("{extra_top}\n{BASE}").replace(
            "scaling = { scale_min = 1, scale_max = 4 }",
            &format!("scaling = {{ scale_min = 1, scale_max = 4{scaling} }}"),
        );
        parse_scenario(&text, "t.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn scaling_defaults_follow_the_spec() {
        let sc = parse("", "").unwrap();
        let s = &sc.scaling;
        assert_eq!(s.autoscaler, AutoscalerKind::None);
        assert_eq!(s.count, CountMode::Arrivals);
        assert_eq!(s.request_rate.resolve, ResolveMode::Step);
        assert_eq!(
            (s.hpa.period_s, s.hpa.tolerance, s.hpa.window_s),
            (15.0, 0.1, 60.0)
        );
        assert_eq!(s.hpa.scale_down_stabilization_s, 300.0);
        assert_eq!(s.hpa.basis, HpaBasis::Request);
        assert_eq!((s.idler.inactivity_s, s.idler.interval_s), (300.0, 30.0));
        assert_eq!(s.keepalive, KeepaliveConfig::None);
        assert_eq!(sc.monitor.interval_s, 1.0);
        assert_eq!(sc.replicas.victim_order, VictimOrder::Newest);
        assert!(sc.outputs.scaling.enabled && sc.outputs.scaling.include_noop);
        assert!(sc.outputs.replica_counts);
        assert!(!sc.outputs.utilization.enabled);
        assert_eq!(sc.outputs.utilization.every, 1);
        let d = &sc.deployments[0];
        assert_eq!(d.scaling.autoscaler, None);
        assert_eq!(d.containers[0].idle_cpu, Some(crate::config::Cpu(0)));
        assert_eq!(d.containers[0].cpu_per_invocation, None);
    }

    #[test]
    fn a_deployment_overrides_the_global_autoscaler_and_keepalive() {
        let sc = parse(
            "scaling = { autoscaler = \"avg_rps\", keepalive = { fixed = { keepalive_s = 60 } } }",
            ", autoscaler = \"hpa_cpu\", keepalive = { hybrid_histogram = {} }",
        )
        .unwrap();
        assert_eq!(sc.scaling.autoscaler, AutoscalerKind::AvgRps);
        assert_eq!(
            sc.scaling.keepalive,
            KeepaliveConfig::Fixed {
                keepalive_s: 60.0,
                prewarm_s: 0.0
            }
        );
        let d = &sc.deployments[0].scaling;
        assert_eq!(d.autoscaler, Some(AutoscalerKind::HpaCpu));
        assert!(matches!(
            d.keepalive,
            Some(KeepaliveConfig::HybridHistogram { range_s, bin_s, .. }) if range_s == 14_400.0 && bin_s == 60.0
        ));
    }

    #[test]
    fn outputs_scaling_accepts_a_flag_or_a_table_and_resolves_to_the_table() {
        let off = parse("outputs = { scaling = false }", "").unwrap();
        assert!(!off.outputs.scaling.enabled);
        let noop = parse("outputs = { scaling = { include_noop = false } }", "").unwrap();
        assert!(noop.outputs.scaling.enabled && !noop.outputs.scaling.include_noop);
        let json = serde_json::to_value(&off.outputs).unwrap();
        assert_eq!(
            json["scaling"],
            serde_json::json!({ "enabled": false, "include_noop": true })
        );
        let e = parse("outputs = { scaling = { include_nop = false } }", "").unwrap_err();
        assert!(e.contains("outputs.scaling"), "{e}");
    }

    #[test]
    fn scaling_parameters_are_checked() {
        let e = parse("scaling = { hpa = { period_s = 0 } }", "").unwrap_err();
        assert!(
            e.contains("scaling.hpa.period_s: must be") && e.contains("> 0"),
            "{e}"
        );
        let e = parse("monitor = { interval_s = 0 }", "").unwrap_err();
        assert!(e.contains("monitor.interval_s"), "{e}");
        let e = parse(
            "outputs = { utilization = { enabled = true, every = 0 } }",
            "",
        )
        .unwrap_err();
        assert!(e.contains("outputs.utilization.every"), "{e}");
        let e = parse(
            "",
            ", keepalive = { hybrid_histogram = { range_s = 60, bin_s = 60 } }",
        )
        .unwrap_err();
        assert!(
            e.contains("deployments[0].scaling.keepalive.hybrid_histogram.bin_s"),
            "{e}"
        );
        let e = parse("scaling = { autoscaler = \"hpa\" }", "").unwrap_err();
        assert!(e.contains("scaling.autoscaler"), "{e}");
        let e = parse("replicas = { victim_order = \"random\" }", "").unwrap_err();
        assert!(e.contains("replicas.victim_order"), "{e}");
    }
}
