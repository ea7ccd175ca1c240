//! Running one scenario: run identity (`run_id`, `config_hash`) and the entry point that turns a
//! validated scenario and a seed into a [`RunOutput`] (`docs/model.md`).

use crate::config::Scenario;
use crate::metrics::{ParamValue, RunIdentity, RunOutput, RunRow, RunStatus};
use crate::model::Model;
use crate::scheduler::SchedulerRegistry;
use crate::sim::Simulation;
use sha2::{Digest, Sha256};

/// Canonical JSON of a resolved scenario: sorted keys, no whitespace, shortest floats. The
/// paths of recorded arrivals and traces are replaced by their files' content hash
/// (`"sha256:<hex>"`), so moving a trace keeps run ids and editing it changes them.
pub fn canonical_json(sc: &Scenario) -> String {
    // serde_json's Map is a BTreeMap (no `preserve_order`), so keys come out sorted.
    let mut v = serde_json::to_value(sc).expect("scenario serialises");
    content_addressed(sc, &mut v);
    serde_json::to_string(&v).expect("value serialises")
}

/// Replaces input file paths in the serialised scenario `v` by content hashes. A file that
/// cannot be read keeps its path (the scenario then fails to compile anyway).
fn content_addressed(sc: &Scenario, v: &mut serde_json::Value) {
    use crate::config::{ArrivalsConfig, TraceFormat};
    use crate::workload::azure::{content_hash_cached, Azure2019Trace};
    for (i, w) in sc.workloads.iter().enumerate() {
        if let ArrivalsConfig::Replay(file) = &w.arrivals {
            let path = sc.topology.resolve(file);
            if let Ok(h) = content_hash_cached(&[path]) {
                v["workloads"][i]["arrivals"]["replay"] = format!("sha256:{h}").into();
            }
        }
    }
    for (i, t) in sc.traces.iter().enumerate() {
        let path = sc.topology.resolve(&t.dir);
        let files = match t.format {
            TraceFormat::Azure2019 => {
                Azure2019Trace::window_files(&path, &t.days, t.start_minute, t.minutes)
            }
            TraceFormat::Azure2021 => vec![path],
        };
        if files.is_empty() {
            continue;
        }
        if let Ok(h) = content_hash_cached(&files) {
            v["traces"][i]["dir"] = format!("sha256:{h}").into();
        }
    }
}

/// First 8 bytes of SHA-256 over `parts`, as 16 lowercase hex characters.
pub fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `run_id = SHA-256("faasim-run-v1" ‖ canonical configuration ‖ seed LE)[..8]`.
pub fn run_id(canonical: &str, seed: u64) -> String {
    short_hash(&[b"faasim-run-v1", canonical.as_bytes(), &seed.to_le_bytes()])
}

/// The identity of a run of `sc` with `seed` at `run_index` of a sweep.
pub fn identity(
    sc: &Scenario,
    seed: u64,
    run_index: u32,
    sweep_id: &str,
    params: Vec<(String, ParamValue)>,
) -> RunIdentity {
    identity_of_canonical(canonical_json(sc), sc, seed, run_index, sweep_id, params)
}

/// [`identity`] given `canonical`, the [`canonical_json`] of `sc` computed before (a sweep
/// computes it once for all seeds of a variant).
pub fn identity_of_canonical(
    canonical: String,
    sc: &Scenario,
    seed: u64,
    run_index: u32,
    sweep_id: &str,
    params: Vec<(String, ParamValue)>,
) -> RunIdentity {
    RunIdentity {
        run_id: run_id(&canonical, seed),
        run_index,
        sweep_id: sweep_id.to_string(),
        scenario: sc.name.clone(),
        seed,
        params,
        config_hash: short_hash(&[canonical.as_bytes()]),
        params_json: canonical,
    }
}

/// Runs a validated scenario once: compiles it ([`Model::compile`]) and runs the model. A
/// scenario that does not compile, or a run that fails, comes back as a `runs` row with status
/// `error`, never as a panic.
pub fn run_scenario(sc: &Scenario, id: RunIdentity) -> RunOutput {
    run_scenario_with(sc, id, &SchedulerRegistry::new())
}

/// [`run_scenario`] where `scheduler.profile` may also name a scheduler of `schedulers`.
pub fn run_scenario_with(
    sc: &Scenario,
    id: RunIdentity,
    schedulers: &SchedulerRegistry,
) -> RunOutput {
    match Model::compile_with(sc, schedulers) {
        Ok(model) => run_model(&model, id),
        Err(e) => RunOutput::failed(RunRow::new(id), RunStatus::Error, e.to_string()),
    }
}

/// Runs a compiled model once with the identity's seed.
pub fn run_model(model: &Model, id: RunIdentity) -> RunOutput {
    let mut output = Simulation::new(model, id.seed).run(id);
    model
        .outputs
        .histogram_function_metrics
        .retain_in(&mut output);
    output
}
