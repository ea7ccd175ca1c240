//! Traces in the model: each `[[traces]]` entry is opened once (its selection pass), its
//! selected functions become functions and deployments built from the entry's template, and the
//! trace itself becomes one workload source (`docs/workloads.md`).
//!
//! Expansion is linear in the number of selected functions: one function and one deployment
//! config each, names checked through one set. The whole input is read here once, in constant
//! memory, so a malformed row, an unsorted file or a negative duration stops the scenario before
//! the run (exit status 2 from the CLI) rather than in the middle of it.

use super::ModelError;
use crate::config::{
    ContainerConfig, DeploymentConfig, FunctionConfig, Scenario, Size, TimeModel, TimeModelSpec,
    TraceConfig, TraceFormat,
};
use crate::engine::stream_rng;
use crate::execution::DurationSampler;
use crate::workload::azure::{Azure2019Options, Azure2019Trace, Azure2021Options, Azure2021Trace};
use crate::workload::WorkloadError;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// An opened trace, shared read-only by every run of the model.
#[derive(Clone, Debug)]
pub enum OpenedTrace {
    /// A 2019 window and its selected functions.
    Azure2019(Arc<Azure2019Trace>),
    /// A 2021 file and its selected functions.
    Azure2021(Arc<Azure2021Trace>),
}

/// One trace entry, compiled: the trace and the function id of each selected function.
#[derive(Clone, Debug)]
pub struct TraceModel {
    /// The opened trace.
    pub trace: OpenedTrace,
    /// Function id of the trace's function `i` (its index among the selected ones).
    pub functions: Arc<[u32]>,
    /// Seed of the `trace/*` streams, if the entry fixes one (else the run's seed).
    pub seed: Option<u64>,
    /// Index of the entry in `traces`.
    pub index: usize,
    /// Rows of the selected functions the trace skips with a warning (2021: arrivals before
    /// time 0), counted in `runs.warnings`.
    pub warnings: u64,
    /// 2019: `(function id, execution models 1, 2, …)` of the functions whose duration rows
    /// differ between the window's days; model 0 is the container's `exec`
    /// ([`crate::workload::azure::TraceRequest::exec_model`]).
    pub further_exec: Vec<(u32, Vec<TimeModel>)>,
}

/// The scenario with every trace's functions and deployments appended, and the traces.
pub struct Expanded {
    /// The scenario the rest of the model is compiled from.
    pub scenario: Scenario,
    /// One per `[[traces]]` entry, in order.
    pub traces: Vec<TraceModel>,
}

/// A trace entry's path, resolved against the scenario file's directory.
pub fn trace_path(sc: &Scenario, t: &TraceConfig) -> PathBuf {
    sc.topology.resolve(&t.dir)
}

fn input_error(i: usize, e: WorkloadError) -> ModelError {
    ModelError::Input {
        key_path: format!("traces[{i}]"),
        message: e.to_string(),
    }
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Opens every trace and appends its functions and deployments to a copy of `sc` (no copy is
/// made without traces).
pub fn expand(sc: &Scenario) -> Result<Option<Expanded>, ModelError> {
    if sc.traces.is_empty() {
        return Ok(None);
    }
    let mut scenario = sc.clone();
    let mut names: HashSet<String> = sc.functions.iter().map(|f| f.name.clone()).collect();
    let mut traces = Vec::with_capacity(sc.traces.len());
    for (i, t) in sc.traces.iter().enumerate() {
        let path = trace_path(sc, t);
        let select_seed = t.seed.unwrap_or(0);
        // (deployment name, exec override, memory override in MiB) per selected function.
        let mut selected: Vec<(String, Option<TimeModelSpec>, Option<f64>)> = Vec::new();
        // (function id, its execution models after the first) of 2019 functions whose duration
        // rows differ between the window's days.
        let mut further_exec: Vec<(u32, Vec<TimeModel>)> = Vec::new();
        let (trace, warnings) = match t.format {
            TraceFormat::Azure2019 => {
                let opts = Azure2019Options {
                    dir: path,
                    days: t.days.clone(),
                    start_minute: t.start_minute,
                    minutes: t.minutes,
                    select: t.select.rule.clone(),
                    triggers: t.select.triggers.clone(),
                    synthesis: t.synthesis,
                    rate_scale: t.rate_scale,
                    memory_percentile: t.memory_percentile,
                    duration: t.duration,
                    default_duration_s: t.default_duration_2019(),
                };
                let trace =
                    Azure2019Trace::open(&opts, select_seed).map_err(|e| input_error(i, e))?;
                // The first window day's model becomes the container's `exec`; the other days'
                // distinct models are its further execution models (a request executes with
                // its arrival day's). A function whose application has no memory row gets
                // `default_memory_mb`.
                for f in &trace.functions {
                    let fid = (scenario.functions.len() + selected.len()) as u32;
                    if f.durations.len() > 1 {
                        further_exec.push((fid, f.durations[1..].to_vec()));
                    }
                    selected.push((
                        format!("az19-{}", prefix(&f.key.2, 16)),
                        Some(TimeModelSpec {
                            default: Some(f.durations[0].clone()),
                            by_node_type: Default::default(),
                        }),
                        Some(f.memory_mb.unwrap_or(t.default_memory_2019())),
                    ));
                }
                (OpenedTrace::Azure2019(Arc::new(trace)), 0)
            }
            TraceFormat::Azure2021 => {
                let window_s = t
                    .window_s
                    .or(sc.run.horizon_s)
                    .expect("validation requires window_s or run.horizon_s");
                let opts = Azure2021Options {
                    file: path,
                    offset_s: t.offset_s,
                    window_s,
                    select: t.select.rule.clone(),
                    reorder_window_s: t.reorder_window_s,
                };
                let trace =
                    Azure2021Trace::open(&opts, select_seed).map_err(|e| input_error(i, e))?;
                // One pass in replay order now, so a file out of order beyond the reorder
                // window is reported before the run.
                let mut replay = trace.replay().map_err(|e| input_error(i, e))?;
                while replay
                    .next_request()
                    .map_err(|e| input_error(i, e))?
                    .is_some()
                {}
                // The trace has no memory data: `memory_model` draws each function's request
                // (in MiB) from its own stream, of the entry's seed (0 when unset), because
                // deployments are fixed before any run has a seed.
                let memory = t.memory_model.as_ref().map(DurationSampler::new);
                for ((app, func), _) in &trace.functions {
                    let memory_mb = memory.as_ref().map(|m| {
                        let mut rng =
                            stream_rng(t.seed.unwrap_or(0), &format!("trace/memory/{app}/{func}"));
                        m.sample_secs(&mut rng)
                    });
                    selected.push((
                        format!("az21-{}-{}", prefix(app, 8), prefix(func, 8)),
                        None,
                        memory_mb,
                    ));
                }
                let warnings = trace.negative_arrivals;
                (OpenedTrace::Azure2021(Arc::new(trace)), warnings)
            }
        };
        let first_id = scenario.functions.len() as u32;
        let template = &t.deployment_template;
        for (name, exec, memory_mb) in selected {
            if !names.insert(name.clone()) {
                return Err(ModelError::at(
                    format!("traces[{i}]"),
                    format!(
                        "two functions are both named `{name}` (the trace's hashes share their first characters, or a declared function has that name); narrow the selection"
                    ),
                ));
            }
            let mut container: ContainerConfig = template.container.clone();
            if let Some(exec) = exec {
                container.exec = exec;
            }
            if let Some(mb) = memory_mb {
                container.requests.memory = Size((mb * 1_048_576.0).round() as u64);
            }
            scenario.functions.push(FunctionConfig::new(
                name.clone(),
                vec![container.image.clone()],
            ));
            scenario.deployments.push(DeploymentConfig {
                function: name,
                containers: vec![container],
                ranking: None,
                scaling: template.scaling.clone(),
                deploy_at_s: 0.0,
                topology_spread: Vec::new(),
            });
        }
        let count = scenario.functions.len() as u32 - first_id;
        traces.push(TraceModel {
            trace,
            functions: (first_id..first_id + count).collect(),
            seed: t.seed,
            index: i,
            warnings,
            further_exec,
        });
    }
    Ok(Some(Expanded { scenario, traces }))
}
