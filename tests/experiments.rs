//! Every shipped experiment runs: each file under `experiments/` (subfolders included) is run
//! for a short horizon — a sweep file for its first batch — and its tables are checked with
//! `scripts/check_tables.py`, so no shipped example can rot unnoticed. Results themselves are
//! pinned by `tests/digests.rs`.

mod common;

use std::path::Path;
use std::process::Command;

/// Simulated seconds each scenario runs here (its own horizon is replaced).
const SHORT_HORIZON_S: &str = "10";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Python interpreter with pyarrow and polars (`./scripts/test.sh` sets `FAASIM_PYTHON`).
fn python() -> Option<String> {
    if let Ok(p) = std::env::var("FAASIM_PYTHON") {
        return Some(p);
    }
    let ok = Command::new("python3")
        .args(["-c", "import pyarrow, polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3".into());
    }
    eprintln!(
        "skipping the table checks: no python with pyarrow and polars (run ./scripts/test.sh)"
    );
    None
}

#[test]
fn every_shipped_experiment_runs_and_writes_valid_tables() {
    let files = common::experiment_files(&root().join("experiments"));
    assert!(files.len() >= 7, "{files:?}");
    let py = python();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let out = tmp.path().join(format!("e{i}"));
        let (p, o) = (path.to_str().unwrap(), out.to_str().unwrap());
        let horizon = format!("run.horizon_s={SHORT_HORIZON_S}");
        let args: Vec<&str> = if common::is_sweep_file(&text) {
            // Shard 0 of a million owns batch 0 only: the sweep's first batch.
            vec![
                "sweep",
                p,
                "--out",
                o,
                "--shard",
                "0/1000000",
                "--jobs",
                "2",
                "-q",
            ]
        } else {
            vec!["run", p, "--set", &horizon, "--out", o, "-q"]
        };
        let run = Command::new(env!("CARGO_BIN_EXE_faasim"))
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap();
        if !run.status.success() {
            failures.push(format!(
                "{rel}: faasim {} failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&run.stderr)
            ));
            continue;
        }
        if let Some(py) = &py {
            let check = Command::new(py)
                .arg(root().join("scripts/check_tables.py"))
                .arg(&out)
                .output()
                .unwrap();
            if !check.status.success() {
                failures.push(format!(
                    "{rel}: check_tables.py failed:\n{}{}",
                    String::from_utf8_lossy(&check.stdout),
                    String::from_utf8_lossy(&check.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
