//! The compact `latency_histograms` table end to end: one row per function and metric, the
//! `outputs.latency_histograms` switch, and the readers documented in docs/outputs.md (polars,
//! pandas, DuckDB — run by `scripts/check_tables.py`, which also checks the table's invariants).

mod common;
use common::faasim;

use std::path::Path;
use std::process::Command;

/// Runs the overload experiment into `out`; returns what it printed.
fn run(out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "run",
        "experiments/overload.toml",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = faasim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The Python with pyarrow, polars, pandas and duckdb that `scripts/test.sh` sets up, if any.
fn python() -> Option<String> {
    if let Ok(p) = std::env::var("FAASIM_PYTHON") {
        return Some(p);
    }
    assert!(
        std::env::var("FAASIM_REQUIRE_PYTHON").is_err(),
        "FAASIM_REQUIRE_PYTHON is set but FAASIM_PYTHON is not"
    );
    eprintln!("skipping: FAASIM_PYTHON is not set (run ./scripts/test.sh)");
    None
}

fn check_tables(py: &str, out: &Path) {
    let check = Command::new(py)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/check_tables.py"
        ))
        .arg(out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "check_tables.py failed:\n{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn histograms_are_written_by_default_and_read_alike_by_polars_pandas_and_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("on");
    run(&out, &[]);
    assert!(out.join("latency_histograms/part-000000.parquet").is_file());
    if let Some(py) = python() {
        check_tables(&py, &out);
    }
}

#[test]
fn outputs_latency_histograms_false_leaves_the_table_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("off");
    let printed = run(&out, &["--set", "outputs.latency_histograms=false"]);
    assert!(!out.join("latency_histograms").exists());
    let wrote = printed.lines().find(|l| l.starts_with("wrote ")).unwrap();
    assert!(
        !wrote.contains("latency_histograms"),
        "the table is not listed as written: {wrote}"
    );
    assert!(out.join("summary/part-000000.parquet").is_file());
    if let Some(py) = python() {
        check_tables(&py, &out);
    }
}
