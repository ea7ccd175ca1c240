//! The binary keeps what users own and what it already computed (issue 13): `--out` never
//! deletes foreign files, one bad variant never costs a sweep, `verify` says when a dataset is
//! incomplete, and SIGTERM stops a sweep cleanly so that `--resume` completes it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use arrow_array::{Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn faasim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("faasim runs")
}

fn faasim(args: &[&str]) -> Output {
    faasim_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn experiment(name: &str) -> String {
    format!("{}/experiments/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/reliability/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A small base scenario and a sweep of it with `runs` seeds, one run per batch.
fn small_sweep(dir: &Path, runs: u32) -> PathBuf {
    let base = std::fs::read_to_string(experiment("sweep-base.toml"))
        .unwrap()
        .replace("horizon_s = 120", "horizon_s = 5");
    std::fs::write(dir.join("base.toml"), base).unwrap();
    let spec = dir.join("sweep.toml");
    std::fs::write(
        &spec,
        format!(
            "scenario = \"base.toml\"\nseeds = {{ range = [1, {}] }}\nruns_per_batch = 1\n",
            runs + 1
        ),
    )
    .unwrap();
    spec
}

fn statuses(out: &Path) -> Vec<String> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    let mut all = Vec::new();
    for p in parts {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&p).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let col = batch.column_by_name("status").unwrap();
            let col = col.as_any().downcast_ref::<StringArray>().unwrap();
            all.extend((0..col.len()).map(|i| col.value(i).to_string()));
        }
    }
    all
}

// ---- defect 1: nothing a user wrote is deleted ----

#[test]
fn a_foreign_directory_with_a_manifest_json_is_refused_and_kept_intact() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("webapp");
    std::fs::create_dir_all(app.join("icons")).unwrap();
    std::fs::write(app.join("manifest.json"), r#"{"name":"my app","icons":[]}"#).unwrap();
    std::fs::write(app.join("icons/a.png"), b"png").unwrap();
    let o = faasim(&["run", &experiment("basic.toml"), "--out", s(&app), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--out"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(app.join("manifest.json")).unwrap(),
        r#"{"name":"my app","icons":[]}"#
    );
    assert_eq!(std::fs::read(app.join("icons/a.png")).unwrap(), b"png");
}

#[test]
fn a_dataset_holding_a_users_plots_is_refused_and_kept_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let first = faasim(&["run", &experiment("basic.toml"), "--out", s(&out), "-q"]);
    assert!(first.status.success(), "{}", text(&first));
    std::fs::create_dir(out.join("plots")).unwrap();
    std::fs::write(out.join("plots/latency.png"), b"mine").unwrap();
    let o = faasim(&["run", &experiment("basic.toml"), "--out", s(&out), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("plots"), "{}", text(&o));
    assert_eq!(
        std::fs::read(out.join("plots/latency.png")).unwrap(),
        b"mine"
    );
    assert!(out.join("manifest.json").exists());
}

#[test]
fn the_working_directory_is_never_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let first = faasim(&["run", &experiment("basic.toml"), "--out", s(&out), "-q"]);
    assert!(first.status.success(), "{}", text(&first));
    let before: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    let o = faasim_in(
        &out,
        &["run", &experiment("basic.toml"), "--out", ".", "-q"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), before.len());
    assert!(out.join("manifest.json").exists());
}

#[test]
fn a_stale_staging_directory_of_a_killed_run_is_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let stale = dir.path().join(".data.tmp-999999999");
    std::fs::create_dir_all(stale.join("runs")).unwrap();
    std::fs::write(stale.join("runs/part-000000.parquet"), b"half").unwrap();
    let o = faasim(&["run", &experiment("basic.toml"), "--out", s(&out), "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !stale.exists(),
        "the stale staging directory is still there"
    );
    assert!(out.join("manifest.json").exists());
}

// ---- defect 2: one bad variant never costs a sweep ----

#[test]
fn a_bad_variant_is_recorded_with_its_error_and_the_healthy_runs_are_committed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = faasim(&[
        "sweep",
        &fixture("rps-grid.sweep.toml"),
        "--out",
        s(&out),
        "-j",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("6 runs: 3 ok, 3 failed"), "{}", text(&o));
    assert_eq!(
        statuses(&out),
        ["ok", "ok", "ok", "error", "error", "error"]
    );
    let resumed = faasim(&[
        "sweep",
        &fixture("rps-grid.sweep.toml"),
        "--out",
        s(&out),
        "--resume",
    ]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(text(&resumed).contains("6 skipped"), "{}", text(&resumed));
    let v = faasim(&["verify", s(&out)]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
}

// ---- defect 6: an incomplete dataset says so ----

#[test]
fn verify_names_the_batches_and_shards_a_dataset_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = small_sweep(dir.path(), 4);
    let out = dir.path().join("out");
    let o = faasim(&["sweep", s(&spec), "--out", s(&out), "--shard", "0/2", "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    let v = faasim(&["verify", s(&out)]);
    let report = text(&v);
    assert_ne!(v.status.code(), Some(0), "{report}");
    assert!(
        report.contains("INCOMPLETE: 2 batches missing: 1, 3"),
        "{report}"
    );
    assert!(report.contains("K of --shard K/2): 1"), "{report}");
    let rest = faasim(&["sweep", s(&spec), "--out", s(&out), "--shard", "1/2", "-q"]);
    assert!(rest.status.success(), "{}", text(&rest));
    let v = faasim(&["verify", s(&out)]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
}

// ---- SIGTERM ----

fn committed(out: &Path) -> usize {
    std::fs::read_dir(out.join("_commits")).map_or(0, |d| d.count())
}

#[test]
fn sigterm_stops_a_sweep_cleanly_and_resume_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = small_sweep(dir.path(), 80);
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(["sweep", s(&spec), "--out", s(&out), "-j", "1", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while committed(&out) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no batch committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill(2) on the PID of a child this test spawned and has not yet waited for.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let o = child.wait_with_output().unwrap();
    let said = text(&o);
    assert_eq!(o.status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted"), "{said}");
    assert!(said.contains("--resume"), "{said}");
    let done = committed(&out);
    assert!(
        done < 200,
        "the sweep finished before the signal ({done} batches)"
    );
    // What was committed is intact; the dataset says it is incomplete.
    let v = faasim(&["verify", s(&out)]);
    let report = text(&v);
    assert_eq!(v.status.code(), Some(1), "{report}");
    assert!(report.contains("INCOMPLETE"), "{report}");
    assert!(!report.contains("differs"), "{report}");
    let resumed = faasim(&["sweep", s(&spec), "--out", s(&out), "--resume", "-q"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert_eq!(committed(&out), 80);
    let v = faasim(&["verify", s(&out)]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
}
