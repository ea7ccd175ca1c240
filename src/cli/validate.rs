//! `faasim validate FILE…`: checks scenario files and sweep files without running them. A sweep
//! file (one with a top-level `scenario` key) is checked with its base scenario and every variant
//! it expands to, so one command checks a folder of experiments.

use anyhow::Result;
use std::path::Path;

use super::BadInput;

/// Checks one file and returns what to print on success (`FILE: ok …`).
pub(crate) fn validate_file(path: &Path, load: impl Fn(&Path) -> Result<()>) -> Result<String> {
    if is_sweep_file(path) {
        validate_sweep(path)
    } else {
        load(path)?;
        Ok(format!("{}: ok", path.display()))
    }
}

/// A sweep file names its base scenario with a top-level `scenario = "…"`; no scenario has that
/// key. An unreadable or malformed file is left to the scenario loader's error messages.
fn is_sweep_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|t| t.get("scenario").is_some_and(toml::Value::is_str))
}

/// Loads the sweep (its file, base scenario and key paths), then resolves every variant: one run
/// per grid point and zip entry (seeds do not change a scenario) and builds its simulation.
fn validate_sweep(path: &Path) -> Result<String> {
    let sweep = faasim::sweep::Sweep::load(path).map_err(BadInput::from)?;
    let seeds = sweep.expansion.seeds().len() as u32;
    let variants = sweep.runs() / seeds;
    for v in 0..variants {
        let spec = sweep.expansion.get(v * seeds);
        let params: Vec<String> = spec
            .params
            .iter()
            .map(|(k, value)| format!("{k}={value}"))
            .collect();
        let bad = |e: &dyn std::fmt::Display| {
            BadInput(format!(
                "{}: variant {} ({}): {e}",
                path.display(),
                v,
                params.join(", ")
            ))
        };
        let scenario = sweep.resolve(&spec).map_err(|e| bad(&e))?;
        // Compiling finds every configuration error a run could meet.
        faasim::model::Model::compile(&scenario).map_err(|e| bad(&e))?;
    }
    Ok(format!(
        "{}: ok (sweep of {variants} variants × {seeds} seeds over {})",
        path.display(),
        sweep.scenario_file.display()
    ))
}
