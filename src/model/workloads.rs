//! Compiled workloads: the target function's id, the arrival process, the RNG stream name, the
//! start rule and the limits, with every time as [`SimTime`].

use super::ModelError;
use crate::config::{ArrivalsConfig, RateConfig, Scenario, StartConfig, StartKeyword};
use crate::engine::SimTime;
use crate::workload::{ArrivalProcess, RandomWalk, RateProfile};
use std::collections::HashMap;

/// When a workload starts generating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkloadStart {
    /// At a fixed time.
    At(SimTime),
    /// At the first moment every `ready_for` deployment has a Running replica.
    AfterReady,
}

/// One workload, compiled.
#[derive(Clone, Debug)]
pub struct WorkloadModel {
    /// Target function id.
    pub function: u32,
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
        let start = match w.start.fixed_s() {
            Some(s) => WorkloadStart::At(SimTime::from_secs_f64(s)),
            None => WorkloadStart::AfterReady,
        };
        // A batch has no rate (validation enforces it); its process never reads one.
        let rate = w.rate.clone().unwrap_or(RateConfig::Constant { rps: 0.0 });
        let max_requests = match w.arrivals {
            ArrivalsConfig::Batch { count } => count.min(w.max_requests.unwrap_or(u64::MAX)),
            _ => w.max_requests.unwrap_or(u64::MAX),
        };
        out.push(WorkloadModel {
            function,
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
    Ok(out)
}
