//! Compiled workloads: the target function's id, where arrivals come from (a rate-driven
//! process, a recorded file or a trace), the RNG stream name, the start rule and the limits, with
//! every time as [`SimTime`].

use super::traces::TraceModel;
use super::ModelError;
use crate::config::{ArrivalsConfig, RateConfig, Scenario, StartConfig, StartKeyword};
use crate::engine::SimTime;
use crate::workload::{ArrivalProcess, RandomWalk, RateProfile, Replay};
use std::collections::HashMap;
use std::path::PathBuf;

/// Where a workload's arrivals come from.
#[derive(Clone, Debug)]
pub enum ArrivalKind {
    /// The model's inter-arrival process over its rate profile (or random walk).
    Rate,
    /// Recorded arrivals of the workload's function, read from a file as the run advances.
    Replay {
        /// The file (resolved against the scenario's directory).
        path: PathBuf,
        /// The function's name (rows of other functions are skipped).
        function_name: String,
    },
    /// A public trace: one source for all of the trace's functions.
    Trace(TraceModel),
}

/// When a workload starts generating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkloadStart {
    /// At a fixed time.
    At(SimTime),
    /// At the first moment every `ready_for` deployment has a Running replica.
    AfterReady,
    /// At the first moment every deployment has `max(1, scale_min)` Running replicas: the
    /// platform is as its configuration asks before any load arrives.
    AfterAllReady,
}

/// One workload, compiled.
#[derive(Clone, Debug)]
pub struct WorkloadModel {
    /// Target function id (a trace's first function; its requests name their own).
    pub function: u32,
    /// Where arrivals come from.
    pub kind: ArrivalKind,
    /// Inter-arrival process over the rate profile.
    pub process: ArrivalProcess,
    /// faas-sim's random-walk rate, read once per arrival instead of the profile.
    pub walk: Option<RandomWalk>,
    /// Name of its RNG stream (`arrivals/<function>`, `#k` for the k-th further workload).
    pub stream: String,
    /// Start rule.
    pub start: WorkloadStart,
    /// Functions that must have a Running replica before an `after_ready` start.
    pub ready_for: Vec<u32>,
    /// Generation stops `duration` after the start.
    pub duration: Option<SimTime>,
    /// Generation stops after this many requests.
    pub max_requests: u64,
}

/// Compiles the workloads; `function_ids` maps every function name to its id.
pub fn compile_workloads(
    sc: &Scenario,
    function_ids: &HashMap<&str, u32>,
    deployed: &[bool],
    traces: &[TraceModel],
) -> Result<Vec<WorkloadModel>, ModelError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(sc.workloads.len());
    for (wi, w) in sc.workloads.iter().enumerate() {
        let function = *function_ids.get(w.function.as_str()).ok_or_else(|| {
            ModelError::at(
                format!("workloads[{wi}].function"),
                format!("unknown function `{}`", w.function),
            )
        })?;
        // Several workloads of one function get distinct streams; the first keeps the plain name.
        let earlier = seen.entry(w.function.as_str()).or_insert(0);
        let stream = if *earlier == 0 {
            format!("arrivals/{}", w.function)
        } else {
            format!("arrivals/{}#{earlier}", w.function)
        };
        *earlier += 1;
        let all_deployed = || {
            (0..deployed.len() as u32)
                .filter(|&f| deployed[f as usize])
                .collect()
        };
        let ready_for = match &w.ready_for {
            // Every `after_all_ready` workload waits for every deployment, so they all start at
            // one instant whatever their `ready_for`.
            _ if w.start == StartConfig::Keyword(StartKeyword::AfterAllReady) => all_deployed(),
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    function_ids.get(n.as_str()).copied().ok_or_else(|| {
                        ModelError::at(
                            format!("workloads[{wi}].ready_for[{k}]"),
                            format!("unknown deployment `{n}`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => all_deployed(),
        };
        let start = start_rule(&w.start);
        // A batch has no rate (validation enforces it); its process never reads one.
        let rate = w.rate.clone().unwrap_or(RateConfig::Constant { rps: 0.0 });
        let max_requests = match w.arrivals {
            ArrivalsConfig::Batch { count } => count.min(w.max_requests.unwrap_or(u64::MAX)),
            _ => w.max_requests.unwrap_or(u64::MAX),
        };
        let kind = match &w.arrivals {
            ArrivalsConfig::Replay(file) => {
                let path = sc.topology.resolve(file);
                check_replay(&path, &w.function).map_err(|message| ModelError::Input {
                    key_path: format!("workloads[{wi}].arrivals.replay"),
                    message,
                })?;
                ArrivalKind::Replay {
                    path,
                    function_name: w.function.clone(),
                }
            }
            _ => ArrivalKind::Rate,
        };
        out.push(WorkloadModel {
            function,
            kind,
            process: ArrivalProcess::new(
                RateProfile::from_config(&rate, sc.workload.scale),
                &w.arrivals,
            ),
            stream,
            start,
            ready_for,
            duration: w.duration_s.map(SimTime::from_secs_f64),
            max_requests,
            walk: match w.rate {
                Some(RateConfig::RandomWalk {
                    mu,
                    sigma,
                    max_rps,
                    min_rps,
                }) => {
                    let f = sc.workload.scale;
                    Some(RandomWalk::new(mu * f, sigma * f, max_rps * f, min_rps * f))
                }
                _ => None,
            },
        });
    }
    for t in traces {
        let tc = &sc.traces[t.index];
        let start = start_rule(&tc.start);
        let ready_for = match tc.start {
            StartConfig::Keyword(StartKeyword::AfterAllReady) => (0..deployed.len() as u32)
                .filter(|&f| deployed[f as usize])
                .collect(),
            _ => t.functions.to_vec(),
        };
        out.push(WorkloadModel {
            function: t.functions.first().copied().unwrap_or(0),
            kind: ArrivalKind::Trace(t.clone()),
            process: ArrivalProcess::new(RateProfile::Constant(0.0), &ArrivalsConfig::default()),
            walk: None,
            stream: format!("traces[{}]", t.index),
            start,
            ready_for,
            duration: None,
            max_requests: u64::MAX,
        });
    }
    Ok(out)
}

fn start_rule(start: &StartConfig) -> WorkloadStart {
    match start {
        StartConfig::Keyword(StartKeyword::AfterAllReady) => WorkloadStart::AfterAllReady,
        StartConfig::Keyword(StartKeyword::AfterReady) => WorkloadStart::AfterReady,
        _ => WorkloadStart::At(SimTime::from_secs_f64(
            start.fixed_s().expect("a time when not a keyword"),
        )),
    }
}

/// Reads a recorded-arrivals file once to the end (constant memory), so a missing file, a
/// malformed row, decreasing times or a negative duration stop the scenario before the run.
fn check_replay(path: &std::path::Path, function: &str) -> Result<(), String> {
    let mut r = Replay::open(path, function, SimTime::ZERO).map_err(|e| e.to_string())?;
    while r.next_arrival().map_err(|e| e.to_string())?.is_some() {}
    Ok(())
}
