//! `[[traces]]`: a public Azure Functions trace replayed as a workload, with the deployment
//! template its functions are created from (`docs/workloads.md`, `docs/scenario.md`).
//!
//! One entry reads one trace (a 2019 directory or a 2021 file), selects functions from it and
//! creates one function and one deployment per selected function from `deployment`; the trace's
//! arrivals then come from a single workload source merging every selected function.

use super::scenario::{ContainerConfig, ScalingConfig, StartConfig};
use super::TimeModel;
use crate::workload::azure::{DurationColumns, SelectConfig, Synthesis};
use serde::{Deserialize, Serialize};

/// Which dataset a trace entry reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceFormat {
    /// Azure Functions Trace 2019: per-minute counts, duration and memory percentiles; `path` is
    /// the directory holding the `*.dNN.csv` files.
    Azure2019,
    /// Azure Functions Invocation Trace 2021: one row per invocation; `path` is the CSV file.
    Azure2021,
}

/// What every function of a trace is deployed as.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceTemplate {
    /// The one container of each deployment (its image must be declared). A 2019 trace replaces
    /// `exec` by the function's duration percentiles and the memory request by its
    /// application's memory, where the trace has them.
    pub container: ContainerConfig,
    /// Scaling configuration of each deployment.
    #[serde(default)]
    pub scaling: ScalingConfig,
}

/// One `[[traces]]` entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceConfig {
    /// The dataset.
    pub format: TraceFormat,
    /// 2019: the directory of the day files; 2021: the CSV file. Relative to the scenario file.
    /// The run's identity holds the files' content hash instead of this path. `path` is its
    /// older name, still accepted.
    #[serde(alias = "path")]
    pub dir: String,
    /// Which functions to replay: a rule (default: every function with an invocation in the
    /// window) and, for 2019, the triggers to keep (`select.triggers`).
    #[serde(default)]
    pub select: SelectConfig,
    /// The older place of `select.triggers`, still accepted; loading moves it into `select`
    /// ([`TraceConfig::move_triggers_into_select`]), and giving both is an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    /// 2019: the selected days (the `NN` of `dNN`), consecutive; the window starts on the
    /// first. Written as a list (`days = [1, 2]`) or, under its older name `day`, as one day.
    #[serde(
        default = "day_one",
        alias = "day",
        deserialize_with = "one_or_more_days"
    )]
    pub days: Vec<u32>,
    /// 2019: minute of the first day at which simulated trace time 0 lies.
    #[serde(default)]
    pub start_minute: u32,
    /// 2019: window length in minutes (it may run into the following days).
    #[serde(default = "sixty")]
    pub minutes: u32,
    /// 2019: placement of a minute's invocations within the minute.
    #[serde(default)]
    pub synthesis: Synthesis,
    /// 2019: multiplies every minute count (fractions resolved by a seeded draw).
    #[serde(default = "one_f64")]
    pub rate_scale: f64,
    /// 2019: which `AverageAllocatedMb_pct<N>` column gives a function's memory request.
    #[serde(default = "hundred")]
    pub memory_percentile: u32,
    /// 2019: the duration percentiles (default) or the `Average` column as a constant.
    #[serde(default, skip_serializing_if = "is_percentiles")]
    pub duration: DurationColumns,
    /// 2019: execution time of a function the duration files have no usable row for, seconds
    /// (unset: 1 s, [`DEFAULT_DURATION_S_2019`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_duration_s: Option<f64>,
    /// 2019: memory request of a function whose application the memory files lack (days 13–14
    /// have none), MiB (unset: 128 MiB, [`DEFAULT_MEMORY_MB_2019`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_memory_mb: Option<f64>,
    /// 2021: distribution of the functions' memory requests in MiB, one draw per function from
    /// stream `trace/memory/<app>/<func>` (unset: the template's memory request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_model: Option<TimeModel>,
    /// 2021: seconds subtracted from every arrival (`end_timestamp − duration − offset_s`).
    #[serde(default)]
    pub offset_s: f64,
    /// 2021: arrivals in `[0, window_s)` are replayed (default: `run.horizon_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_s: Option<f64>,
    /// 2021: how far the file may be out of arrival order, seconds.
    #[serde(default = "d_reorder")]
    pub reorder_window_s: f64,
    /// Replaces the run's seed for this trace's `trace/*` streams, so every run of a sweep
    /// replays the same synthesised arrivals. A `sample` selection always draws from this seed
    /// (0 when unset): the selected functions become deployments when the scenario is compiled,
    /// before any run has a seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// When trace time 0 is in the simulation (a time, `"after_ready"` or `"after_all_ready"`).
    #[serde(default)]
    pub start: StartConfig,
    /// The deployment each selected function gets. `deployment` is its older name, still
    /// accepted.
    #[serde(alias = "deployment")]
    pub deployment_template: TraceTemplate,
}

impl TraceConfig {
    /// Moves triggers written at the older place (`traces[*].triggers`) into
    /// `select.triggers`, unless both are given (validation then names the conflict).
    pub fn move_triggers_into_select(&mut self) {
        if self.select.triggers.is_empty() {
            self.select.triggers = std::mem::take(&mut self.triggers);
        }
    }

    /// The first day of a 2019 window.
    pub fn first_day(&self) -> u32 {
        self.days.first().copied().unwrap_or(1)
    }

    /// 2019: the execution time of a function without a usable duration row, seconds.
    pub fn default_duration_2019(&self) -> f64 {
        self.default_duration_s.unwrap_or(DEFAULT_DURATION_S_2019)
    }

    /// 2019: the memory request of a function whose application has no memory row, MiB.
    pub fn default_memory_2019(&self) -> f64 {
        self.default_memory_mb.unwrap_or(DEFAULT_MEMORY_MB_2019)
    }
}

/// 2019: `default_duration_s` when unset.
pub const DEFAULT_DURATION_S_2019: f64 = 1.0;
/// 2019: `default_memory_mb` when unset.
pub const DEFAULT_MEMORY_MB_2019: f64 = 128.0;

fn day_one() -> Vec<u32> {
    vec![1]
}

/// `days = [1, 2]`, or one day as a number (`days = 3`, or the older `day = 3`).
fn one_or_more_days<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(
        untagged,
        expecting = "a day number (1 for d01) or a list of consecutive days"
    )]
    enum Days {
        One(u32),
        Many(Vec<u32>),
    }
    Ok(match Days::deserialize(d)? {
        Days::One(day) => vec![day],
        Days::Many(days) => days,
    })
}

fn sixty() -> u32 {
    60
}
fn one_f64() -> f64 {
    1.0
}
fn is_percentiles(d: &DurationColumns) -> bool {
    *d == DurationColumns::Percentiles
}
fn hundred() -> u32 {
    100
}
fn d_reorder() -> f64 {
    600.0
}

/// The memory percentiles the 2019 memory files have a column for.
pub const MEMORY_PERCENTILES_2019: [u32; 8] = [1, 5, 25, 50, 75, 95, 99, 100];
