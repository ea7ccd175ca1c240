//! The researcher's workflow through the `faasim` binary: `validate` checks a folder of
//! experiments including sweep files, `--set` reaches label keys with dots, and named sweep axes
//! give one `param.<name>` column.

use std::process::{Command, Output};

fn faasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("faasim runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn validate_accepts_every_shipped_experiment_including_sweep_files() {
    let mut files: Vec<String> = std::fs::read_dir("experiments")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    files.sort();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let v = faasim(&args);
    assert!(v.status.success(), "{}", text(&v));
    let out = String::from_utf8_lossy(&v.stdout);
    assert!(
        out.contains("sweep-schedulers.toml: ok (sweep of 12 variants × 20 seeds"),
        "{out}"
    );
}

#[test]
fn validate_reports_the_variant_a_sweep_value_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("experiments/sweep-base.toml").unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let sweep = dir.path().join("bad.toml");
    std::fs::write(
        &sweep,
        "scenario = \"base.toml\"\n[grid]\n\"run.horizon_s\" = [10, -1]\n",
    )
    .unwrap();
    let v = faasim(&["validate", sweep.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2), "{}", text(&v));
    let msg = text(&v);
    assert!(
        msg.contains("variant 1 (run.horizon_s=-1)") && msg.contains("run.horizon_s"),
        "{msg}"
    );
}

#[test]
fn set_reaches_a_label_key_with_dots_through_a_quoted_segment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = faasim(&[
        "run",
        "experiments/basic.toml",
        "--set",
        r#"functions.0.labels."device.edgerun.io/accelerator"=GPU"#,
        "--set",
        "run.horizon_s=5",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(r.status.success(), "{}", text(&r));
    // Without quotes the path would create nested tables, which are not label values.
    let r = faasim(&[
        "run",
        "experiments/basic.toml",
        "--set",
        "functions.0.labels.device.edgerun.io/accelerator=GPU",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
}

#[test]
fn a_named_axis_is_one_column_and_a_star_sets_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("experiments/sweep-base.toml").unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let sweep = dir.path().join("load.toml");
    std::fs::write(
        &sweep,
        "scenario = \"base.toml\"\nseeds = [1]\n[axes]\nload = \"workloads.*.rate.constant.rps\"\n[grid]\nload = [5, 10]\n",
    )
    .unwrap();
    let d = faasim(&["sweep", sweep.to_str().unwrap(), "--dry-run"]);
    assert!(d.status.success(), "{}", text(&d));
    let shown = text(&d);
    assert!(shown.contains("load"), "{shown}");
    assert!(!shown.contains("workloads.*"), "{shown}");
}

#[test]
fn a_sweep_whose_stderr_is_not_a_terminal_logs_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("experiments/sweep-base.toml").unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let sweep = dir.path().join("s.toml");
    std::fs::write(
        &sweep,
        "scenario = \"base.toml\"\nseeds = [1, 2, 3]\nruns_per_batch = 1\n[grid]\n\"run.horizon_s\" = [5]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(["sweep", sweep.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(["--jobs", "1"])
        .env("FAASIM_PROGRESS_INTERVAL", "0")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", text(&r));
    let stderr = String::from_utf8_lossy(&r.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "one line per run with a zero interval: {stderr}"
    );
    assert!(
        lines[2].starts_with("progress: 3/3 runs (100.0%), 0 failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\r'),
        "no bar control characters in a log: {stderr:?}"
    );
}

#[test]
fn repro_of_a_named_axis_run_sets_the_paths_the_axis_writes() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("experiments/sweep-base.toml").unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let sweep = dir.path().join("load.toml");
    std::fs::write(
        &sweep,
        "scenario = \"base.toml\"\nseeds = [1]\n[axes]\nload = \"workloads.*.rate.constant.rps\"\n[grid]\nload = [5]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = faasim(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(r.status.success(), "{}", text(&r));
    let dry = faasim(&["sweep", sweep.to_str().unwrap(), "--dry-run"]);
    let listing = String::from_utf8_lossy(&dry.stdout).into_owned();
    let id = listing
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("0  "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{listing}"))
        .to_string();
    let r = faasim(&["repro", out.to_str().unwrap(), &id]);
    let shown = String::from_utf8_lossy(&r.stdout);
    assert!(
        shown.contains("--set 'workloads.*.rate.constant.rps=5'"),
        "{shown}"
    );
    // And that command reproduces the run: same run_id.
    let rerun = dir.path().join("rerun");
    let r = faasim(&[
        "run",
        dir.path().join("base.toml").to_str().unwrap(),
        "--set",
        "workloads.*.rate.constant.rps=5",
        "--out",
        rerun.to_str().unwrap(),
    ]);
    assert!(text(&r).contains(&id), "{}", text(&r));
}
