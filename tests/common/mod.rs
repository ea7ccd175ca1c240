//! Helpers shared by the integration tests.
#![allow(dead_code)]

use faasim::config::Scenario;
use faasim::metrics::RunOutput;
use std::process::{Command, Output};

/// Runs the `faasim` binary with `args` in the repository's root (so `experiments/…` resolve).
pub fn faasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("faasim runs")
}

/// Parses a scenario from TOML text (panics with the error, for tests).
pub fn scenario(text: &str) -> Scenario {
    faasim::config::parse_scenario(text, "<test>").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario with a seed.
pub fn run(sc: &Scenario, seed: u64) -> RunOutput {
    let id = faasim::identity(sc, seed, 0, "", Vec::new());
    faasim::run_scenario(sc, id)
}

/// A one-function scenario; `extra` goes right after the topology (top-level keys first, then
/// any tables such as `[[commands]]`).
pub fn one_function(scaling: &str, container: &str, workload: &str, extra: &str) -> String {
    format!(
        r#"
name = "t"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 2 }}] }}
{extra}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "125M" }}]

[[functions]]
name = "f"
images = ["img"]

[[deployments]]
function = "f"
scaling = {scaling}
[[deployments.containers]]
image = "img"
{container}

[[workloads]]
function = "f"
{workload}
"#
    )
}

/// Every `.toml` file under `dir`, subfolders included, sorted.
pub fn experiment_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(experiment_files(&path));
        } else if path.extension().is_some_and(|x| x == "toml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// True for a sweep file (it names its base `scenario`), false for a scenario.
pub fn is_sweep_file(text: &str) -> bool {
    text.starts_with("scenario =") || text.contains("\nscenario =")
}

/// [`scenario`] with `network.enabled = false`: image pulls take `bytes / default_bandwidth_mbit`
/// with no connection set-up or goodput factor, so tests of the replica life cycle and scaling
/// can state their times by hand (the flow model has its own tests in `tests/network.rs`).
pub fn scenario_fixed_rate_pulls(text: &str) -> Scenario {
    let mut sc = scenario(text);
    sc.network.enabled = false;
    sc
}
