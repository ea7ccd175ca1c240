//! The sweep runner end to end: the `faasim sweep` / `faasim repro` commands on tiny sweeps,
//! determinism across thread and shard counts, failed variants, resume, and the Python
//! analysis scripts reading the output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// A small base scenario: one function on two NUCs and a RockPi, five simulated seconds.
const BASE: &str = r#"
name = "tiny"
run = { horizon_s = 5 }
topology = { generator = "cluster", nodes = [{ type = "nuc", count = 2 }, { type = "rockpi", count = 1 }] }

[[images]]
name = "img"
variants = [{ arch = "x86", size = "10M" }, { arch = "aarch64", size = "10M" }]

[[functions]]
name = "f"
images = ["img"]

[[deployments]]
function = "f"
scaling = { scale_min = 2, scale_max = 4 }
[[deployments.containers]]
image = "img"
requests = { cpu = "1", memory = "256Mi" }
exec = { exponential = { mean = 0.05 } }
concurrency = { http_watchdog = { workers = 2 } }

[[workloads]]
function = "f"
start = "after_ready"
rate = { constant = { rps = 20 } }
arrivals = { poisson = {} }
"#;

/// The same scenario with tables and keys in another order.
const BASE_REORDERED: &str = r#"
name = "tiny"

[[workloads]]
arrivals = { poisson = {} }
rate = { constant = { rps = 20 } }
start = "after_ready"
function = "f"

[[deployments]]
scaling = { scale_max = 4, scale_min = 2 }
function = "f"
[[deployments.containers]]
concurrency = { http_watchdog = { workers = 2 } }
exec = { exponential = { mean = 0.05 } }
requests = { memory = "256Mi", cpu = "1" }
image = "img"

[[functions]]
images = ["img"]
name = "f"

[[images]]
variants = [{ size = "10M", arch = "x86" }, { arch = "aarch64", size = "10M" }]
name = "img"

[run]
horizon_s = 5

[topology]
nodes = [{ count = 2, type = "nuc" }, { type = "rockpi", count = 1 }]
generator = "cluster"
"#;

/// 2 loads × 2 profiles × 3 seeds = 12 runs in 3 batches of 4.
const SWEEP: &str = r#"
scenario = "base.toml"
seeds = { range = [1, 4] }
runs_per_batch = 4

[grid]
"workloads.0.rate.constant.rps" = [10, 30]
"scheduler.profile" = ["skippy", "first-fit"]
"#;

fn faasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .output()
        .expect("faasim runs")
}

fn ok(args: &[&str]) -> String {
    let out = faasim(args);
    assert!(
        out.status.success(),
        "faasim {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A temporary directory holding `base.toml` and `sweep.toml`.
fn setup(sweep: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
    let spec = dir.path().join("sweep.toml");
    std::fs::write(&spec, sweep).unwrap();
    (dir, spec)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file of a dataset by relative path, except the manifest (it records the command).
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                if rel != "manifest.json" {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn assert_same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "same file names"
    );
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs");
    }
}

fn read_parquet(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let rows = builder.metadata().file_metadata().num_rows().max(1) as usize;
    // One record batch for the whole file.
    let batches: Vec<RecordBatch> = builder
        .with_batch_size(rows)
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    assert_eq!(batches.len(), 1, "{}", path.display());
    batches.into_iter().next().unwrap()
}

/// All rows of `table` in run_index order (parts in batch order).
fn table(root: &Path, table: &str) -> Vec<RecordBatch> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(root.join(table))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts.iter().map(|p| read_parquet(p)).collect()
}

fn strings(batches: &[RecordBatch], col: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column_by_name(col)
                .unwrap_or_else(|| panic!("no column {col}"))
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap()
                .clone();
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn without_column(b: &RecordBatch, col: &str) -> RecordBatch {
    let i = b.schema().index_of(col).unwrap();
    let mut b = b.clone();
    b.remove_column(i);
    b
}

#[test]
fn dry_run_prints_the_run_count_and_the_first_runs_and_writes_nothing() {
    let (dir, spec) = setup(SWEEP);
    let out = ok(&["sweep", s(&spec), "--dry-run"]);
    assert!(
        out.contains(
            "12 runs = workloads.0.rate.constant.rps (2) × scheduler.profile (2) × seed (3)"
        ),
        "{out}"
    );
    assert!(out.contains("3 batches of 4 runs"), "{out}");
    let rows: Vec<&str> = out.lines().skip(3).collect();
    assert_eq!(rows.len(), 11, "10 rows and a '… more' line:\n{out}");
    assert!(rows[0].trim_start().starts_with("0  "), "{out}");
    assert!(
        rows[0].contains("10") && rows[0].contains("\"skippy\""),
        "{out}"
    );
    assert!(
        rows[3].contains("\"first-fit\""),
        "run 3 is the next profile: {out}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "only the two input files"
    );
}

#[test]
fn a_bad_sweep_file_exits_with_status_2_and_writes_nothing() {
    for (text, expected) in [
        (
            "scenario = \"base.toml\"\n[gird]\n\"a\" = [1]\n",
            "gird: unknown key `gird`; did you mean `grid`?",
        ),
        (
            "scenario = \"base.toml\"\n[grid]\n\"scheduler.profil\" = [\"skippy\"]\n",
            "grid.scheduler.profil: not a scenario key",
        ),
        (
            "scenario = \"base.toml\"\n[grid]\n\"workloads.3.rate\" = [1]\n",
            "index 3 is past the end of `workloads`",
        ),
        ("scenario = \"missing.toml\"\n", "cannot read"),
    ] {
        let (dir, spec) = setup(text);
        let out_dir = dir.path().join("out");
        let out = faasim(&["sweep", s(&spec), "--out", s(&out_dir)]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{text}: {err}");
        assert!(!out_dir.exists(), "nothing written for {text}");
    }
}

#[test]
fn run_ids_are_stable_under_reordering_of_keys_in_the_sweep_and_scenario_files() {
    let (dir, spec) = setup(SWEEP);
    let a = faasim::sweep::Sweep::load(&spec).unwrap();
    // Same scenario with every table and key in another order; sweep file with its top-level
    // keys in another order.
    std::fs::write(dir.path().join("base2.toml"), BASE_REORDERED).unwrap();
    let spec2 = dir.path().join("sweep2.toml");
    std::fs::write(
        &spec2,
        "runs_per_batch = 4\n[grid]\n\"workloads.0.rate.constant.rps\" = [10, 30]\n\"scheduler.profile\" = [\"skippy\", \"first-fit\"]\n[seeds]\nrange = [1, 4]\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(&spec2).unwrap();
    std::fs::write(&spec2, format!("scenario = \"base2.toml\"\n{text}")).unwrap();
    let b = faasim::sweep::Sweep::load(&spec2).unwrap();
    assert_eq!(a.sweep_id, b.sweep_id, "same canonical sweep");
    let ids = |sw: &faasim::sweep::Sweep| (0..sw.runs()).map(|i| sw.run_id(i)).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));

    // Listing the grid keys in the other order changes the expansion order (and sweep_id), but
    // each (parameters, seed) keeps its run_id.
    let spec3 = dir.path().join("sweep3.toml");
    std::fs::write(
        &spec3,
        "scenario = \"base.toml\"\nseeds = [1, 2, 3]\n[grid]\n\"scheduler.profile\" = [\"skippy\", \"first-fit\"]\n\"workloads.0.rate.constant.rps\" = [10, 30]\n",
    )
    .unwrap();
    let c = faasim::sweep::Sweep::load(&spec3).unwrap();
    assert_ne!(a.sweep_id, c.sweep_id);
    let by_params = |sw: &faasim::sweep::Sweep| -> BTreeMap<String, String> {
        sw.expansion
            .iter()
            .map(|r| {
                let mut p: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                p.sort();
                (
                    format!("{} seed={}", p.join(","), r.seed),
                    sw.run_id(r.run_index),
                )
            })
            .collect()
    };
    assert_eq!(by_params(&a), by_params(&c));
    assert_eq!(by_params(&a).len(), 12, "run ids are distinct");
}

#[test]
fn jobs_1_and_jobs_2_and_reverse_order_write_byte_identical_parts() {
    let (dir, spec) = setup(SWEEP);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&one),
        "--jobs",
        "1",
        "--no-telemetry",
    ]);
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&two),
        "--jobs",
        "2",
        "--no-telemetry",
    ]);
    assert_same_files(&one, &two);
    // Completion order never matters: runs started in reverse give the same files.
    let reversed = dir.path().join("reversed");
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&reversed),
        "-j",
        "2",
        "--no-telemetry",
        "--debug-reverse-order",
    ]);
    assert_same_files(&one, &reversed);
    assert_eq!(
        files(&one)
            .keys()
            .filter(|k| k.starts_with("runs/"))
            .count(),
        3
    );
    assert!(
        !one.join("_tmp").exists(),
        "the staging directory is removed"
    );
}

#[test]
fn a_sweep_run_equals_faasim_run_with_the_same_parameters() {
    let (dir, spec) = setup(&format!("{SWEEP}\n"));
    let sweep_dir = dir.path().join("sweep");
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&sweep_dir),
        "--no-telemetry",
        "-q",
    ]);
    assert_eq!(out, "", "--quiet prints nothing");
    let base = dir.path().join("base.toml");
    // Run 0 (rps 10, skippy, seed 1) and run 7 (rps 30, skippy, seed 2).
    for (run_index, rps, profile, seed) in [(0u32, 10, "skippy", 1), (7, 30, "skippy", 2)] {
        let single = dir.path().join(format!("single-{run_index}"));
        ok(&[
            "run",
            s(&base),
            "--seed",
            &seed.to_string(),
            "--set",
            &format!("workloads.0.rate.constant.rps={rps}"),
            "--set",
            &format!("scheduler.profile={profile}"),
            "--out",
            s(&single),
            "--no-telemetry",
            "-q",
        ]);
        let run_id = strings(&table(&single, "runs"), "run_id")[0].clone();
        let sweep_ids = strings(&table(&sweep_dir, "runs"), "run_id");
        assert_eq!(sweep_ids[run_index as usize], run_id, "run {run_index}");
        for t in [
            "placements",
            "scaling",
            "replicas",
            "summary",
            "latency_histograms",
        ] {
            let one = &table(&single, t)[0];
            let batch = &table(&sweep_dir, t)[(run_index / 4) as usize];
            let ids = strings(std::slice::from_ref(batch), "run_id");
            let rows: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == run_id).collect();
            if t == "latency_histograms" {
                // Its parts group rows by function and metric, then run (docs/outputs.md): a
                // run's rows are spread over the part, in the order `faasim run` writes them.
                assert_eq!(rows.len(), one.num_rows(), "{t}: rows of run {run_index}");
                for (k, &r) in rows.iter().enumerate() {
                    assert_eq!(
                        without_column(&batch.slice(r, 1), "run_index"),
                        without_column(&one.slice(k, 1), "run_index"),
                        "{t} row {k} of run {run_index} equals that of `faasim run`"
                    );
                }
                continue;
            }
            let mine = batch.slice(rows[0], rows.len());
            assert!(
                rows.windows(2).all(|w| w[1] == w[0] + 1),
                "{t}: contiguous rows"
            );
            if run_index == 0 && t == "summary" {
                let idx = mine.column_by_name("run_index").unwrap();
                let idx = idx.as_any().downcast_ref::<Int64Array>().unwrap();
                assert_eq!(idx.value(0), 0);
            }
            assert_eq!(
                without_column(&mine, "run_index"),
                without_column(one, "run_index"),
                "{t} rows of run {run_index} equal those of `faasim run`"
            );
        }
    }
}

#[test]
fn an_invalid_variant_is_recorded_as_an_error_and_the_others_complete() {
    let (dir, spec) = setup(
        "scenario = \"base.toml\"\nreplications = 2\n[[zip]]\n\"deployments.0.scaling.scale_min\" = [1, 3, 2]\n\"deployments.0.scaling.scale_max\" = [2, 2, 4]\n",
    );
    let out_dir = dir.path().join("out");
    let stdout = ok(&["sweep", s(&spec), "--out", s(&out_dir)]);
    assert!(stdout.contains("6 runs: 4 ok, 2 failed"), "{stdout}");
    assert!(
        stdout.contains("first failed run: run_index 2:"),
        "{stdout}"
    );
    let runs = table(&out_dir, "runs");
    let status = strings(&runs, "status");
    let errors = strings(&runs, "error");
    assert_eq!(
        status
            .iter()
            .map(|s| s.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["ok", "ok", "error", "error", "ok", "ok"]
    );
    let msg = errors[2].as_deref().unwrap();
    assert!(
        msg.contains("deployments[0].scaling.scale_max: must be >= scale_min (3), got 2"),
        "{msg}"
    );
    assert!(errors[0].is_none());
    // Failed runs have no rows elsewhere.
    let ids = strings(&runs, "run_id");
    let summary_ids = strings(&table(&out_dir, "summary"), "run_id");
    assert!(!summary_ids.contains(&ids[2]) && summary_ids.contains(&ids[4]));
}

#[test]
fn resume_recomputes_only_the_batches_without_a_commit() {
    let (dir, spec) = setup(SWEEP);
    let whole = dir.path().join("whole");
    ok(&["sweep", s(&spec), "--out", s(&whole), "--no-telemetry"]);

    // An interrupted sweep: batch 1's commit marker and one of its parts are gone, a part of
    // batch 2 is half written in the staging directory.
    let broken = dir.path().join("broken");
    ok(&["sweep", s(&spec), "--out", s(&broken), "--no-telemetry"]);
    std::fs::remove_file(broken.join("_commits/batch-000001.json")).unwrap();
    std::fs::remove_file(broken.join("summary/part-000001.parquet")).unwrap();
    std::fs::create_dir_all(broken.join("_tmp/shard-0-of-1")).unwrap();
    std::fs::write(
        broken.join("_tmp/shard-0-of-1/runs-part-000002.parquet"),
        b"junk",
    )
    .unwrap();
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&broken),
        "--resume",
        "--no-telemetry",
    ]);
    assert!(out.contains("4 runs: 4 ok, 0 failed, 8 skipped"), "{out}");
    assert_same_files(&whole, &broken);

    // A corrupted part is noticed only with --verify.
    let part = broken.join("runs/part-000002.parquet");
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[10] ^= 0xff;
    std::fs::write(&part, &bytes).unwrap();
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&broken),
        "--resume",
        "--no-telemetry",
    ]);
    assert!(out.contains(": 0 runs"), "{out}");
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&broken),
        "--resume",
        "--verify",
        "--no-telemetry",
    ]);
    assert!(out.contains("4 runs: 4 ok"), "{out}");
    assert_same_files(&whole, &broken);
}

#[test]
fn a_sweep_killed_mid_way_resumes_to_the_same_files() {
    // Longer runs and batches of two, on one thread, so that the kill lands mid-sweep.
    let sweep = "scenario = \"base.toml\"\nreplications = 12\nruns_per_batch = 2\n[grid]\n\"run.horizon_s\" = [60]\n";
    let (dir, spec) = setup(sweep);
    let whole = dir.path().join("whole");
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&whole),
        "--no-telemetry",
        "-j",
        "1",
    ]);

    let killed = dir.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args([
            "sweep",
            s(&spec),
            "--out",
            s(&killed),
            "--no-telemetry",
            "-j",
            "1",
            "-q",
        ])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !killed.join("_commits/batch-000000.json").exists()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&killed),
        "--resume",
        "--no-telemetry",
    ]);
    assert!(
        out.contains("skipped (already committed)") || out.contains(": 12 runs"),
        "{out}"
    );
    assert_same_files(&whole, &killed);
}

#[test]
fn two_shards_and_a_resume_equal_one_whole_run() {
    let (dir, spec) = setup(SWEEP);
    let whole = dir.path().join("whole");
    ok(&["sweep", s(&spec), "--out", s(&whole), "--no-telemetry"]);

    // Both shards at the same time, into one directory.
    let sharded = dir.path().join("sharded");
    let children: Vec<_> = ["0/2", "1/2"]
        .iter()
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_faasim"))
                .args([
                    "sweep",
                    s(&spec),
                    "--out",
                    s(&sharded),
                    "--shard",
                    k,
                    "--no-telemetry",
                    "-j",
                    "1",
                ])
                .output_async()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Shard 1 owns batch 1 only; lose it and resume that shard.
    std::fs::remove_file(sharded.join("_commits/batch-000001.json")).unwrap();
    let out = ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&sharded),
        "--shard",
        "1/2",
        "--resume",
        "--no-telemetry",
    ]);
    assert!(out.contains("shard 1/2: 4 runs"), "{out}");
    assert_same_files(&whole, &sharded);
}

/// `Command::output` without waiting: spawn with piped output.
trait OutputAsync {
    fn output_async(&mut self) -> std::process::Child;
}

impl OutputAsync for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

#[test]
fn an_output_directory_of_another_sweep_or_batch_size_is_refused_with_status_2() {
    let (dir, spec) = setup(SWEEP);
    let out_dir = dir.path().join("out");
    ok(&["sweep", s(&spec), "--out", s(&out_dir), "--no-telemetry"]);
    let other = dir.path().join("other.toml");
    std::fs::write(&other, SWEEP.replace("[10, 30]", "[10, 40]")).unwrap();
    let out = faasim(&["sweep", s(&other), "--out", s(&out_dir), "--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sweep_id"));
    std::fs::write(
        &other,
        SWEEP.replace("runs_per_batch = 4", "runs_per_batch = 3"),
    )
    .unwrap();
    let out = faasim(&["sweep", s(&other), "--out", s(&out_dir), "--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("runs_per_batch 4"));
    // A directory that is not a dataset is never written into.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let out = faasim(&["sweep", s(&spec), "--out", s(&foreign)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
}

#[test]
fn a_dataset_of_another_schema_version_is_refused_and_left_untouched() {
    let (dir, spec) = setup(SWEEP);
    let out_dir = dir.path().join("out");
    ok(&["sweep", s(&spec), "--out", s(&out_dir), "--no-telemetry"]);
    // A dataset written by a faasim of schema version 1 (before latency_histograms changed).
    let manifest = out_dir.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["schema_version"] = 1.into();
    std::fs::write(&manifest, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    // Drop one batch so that a resume would have something to write.
    std::fs::remove_file(out_dir.join("_commits/batch-000001.json")).unwrap();
    let before = files(&out_dir);
    let manifest_before = std::fs::read(&manifest).unwrap();
    for args in [vec!["--resume"], vec![]] {
        let mut all = vec!["sweep", s(&spec), "--out", s(&out_dir), "--no-telemetry"];
        all.extend(args);
        let out = faasim(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("schema version 1")
                && stderr.contains(&format!(
                    "this sweep has {}",
                    faasim::output::SCHEMA_VERSION
                )),
            "{stderr}"
        );
        // Nothing written, nothing deleted.
        assert_same_files(&out_dir, &before_dir(&before, dir.path()));
        assert_eq!(std::fs::read(&manifest).unwrap(), manifest_before);
    }
}

/// `files` as they were, written out into a fresh directory under `tmp` to compare with.
fn before_dir(files: &BTreeMap<String, Vec<u8>>, tmp: &Path) -> PathBuf {
    let root = tmp.join("before");
    let _ = std::fs::remove_dir_all(&root);
    for (name, bytes) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    root
}

#[test]
fn sweep_set_edits_the_base_scenario_of_every_run_and_repro_repeats_it() {
    let (dir, spec) = setup(SWEEP);
    let out_dir = dir.path().join("out");
    let set = r#"outputs.histogram_function_metrics=["response"]"#;
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&out_dir),
        "--no-telemetry",
        "--set",
        set,
    ]);
    let runs = table(&out_dir, "runs");
    let params = strings(&runs, "params_json");
    assert!(
        params
            .iter()
            .all(|p| p.as_deref().unwrap().contains("histogram_function_metrics")),
        "{params:?}"
    );
    // A different base gives a different sweep and different runs.
    let plain = dir.path().join("plain");
    ok(&["sweep", s(&spec), "--out", s(&plain), "--no-telemetry"]);
    let ids = |root: &Path| strings(&table(root, "runs"), "run_id");
    assert_ne!(ids(&out_dir), ids(&plain));
    // The swept keys still win over --set.
    let out = faasim(&[
        "sweep",
        s(&spec),
        "--dry-run",
        "--set",
        "scheduler.profile=\"kubernetes\"",
    ]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("kubernetes"));

    let run_id = ids(&out_dir)[5].clone().unwrap();
    let r = faasim::sweep::repro(&out_dir, &run_id).unwrap();
    assert!(
        r.command_line().contains(&format!("--set '{set}'")),
        "{}",
        r.command_line()
    );
    assert_eq!(r.scenario_current, Some(true));

    // Errors name the key and write nothing.
    for (bad, names) in [
        (
            "outputs.histogram_function_metrics=[\"respones\"]",
            "outputs.histogram_function_metrics",
        ),
        ("outputs.no_such_key=1", "no_such_key"),
        ("no_equals_sign", "expected KEY=VALUE"),
    ] {
        let fresh = dir.path().join("fresh");
        let out = faasim(&["sweep", s(&spec), "--out", s(&fresh), "--set", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(names), "{bad}: {stderr}");
        assert!(!fresh.exists(), "{bad}");
    }
}

#[test]
fn repro_prints_the_faasim_run_command_that_reproduces_a_run() {
    let (dir, spec) = setup(SWEEP);
    let out_dir = dir.path().join("out");
    ok(&["sweep", s(&spec), "--out", s(&out_dir), "--no-telemetry"]);
    let ids = strings(&table(&out_dir, "runs"), "run_id");
    let run_id = ids[10].clone().unwrap();
    let line = ok(&["repro", s(&out_dir), &run_id]);
    assert!(line.starts_with("faasim run "), "{line}");
    assert!(line.contains("--seed 2 "), "run 10 has seed 2: {line}");
    assert!(
        line.contains("--set workloads.0.rate.constant.rps=30"),
        "{line}"
    );
    assert!(
        line.contains("--set 'scheduler.profile=\"first-fit\"'"),
        "{line}"
    );

    // Running the command gives the same run_id.
    let r = faasim::sweep::repro(&out_dir, &run_id).unwrap();
    assert_eq!(r.run_index, 10);
    assert_eq!(r.scenario_current, Some(true));
    let single = dir.path().join("single");
    let mut args: Vec<String> = r.args[1..r.args.len() - 2].to_vec();
    args.extend(["--out".into(), s(&single).into(), "-q".into()]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        strings(&table(&single, "runs"), "run_id")[0],
        Some(run_id.clone())
    );

    let out = faasim(&["repro", s(&out_dir), "0000000000000000"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_python_scripts_read_a_sweep_output() {
    let Some(python) = std::env::var_os("FAASIM_PYTHON") else {
        assert!(
            std::env::var_os("FAASIM_REQUIRE_PYTHON").is_none(),
            "FAASIM_REQUIRE_PYTHON is set but FAASIM_PYTHON is not"
        );
        eprintln!("skipping the Python checks: set FAASIM_PYTHON to a python with pyarrow, polars and matplotlib (scripts/test.sh does)");
        return;
    };
    let (dir, spec) = setup(SWEEP);
    let out_dir = dir.path().join("out");
    ok(&["sweep", s(&spec), "--out", s(&out_dir)]);
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let py = |args: &[&str]| -> String {
        let out = Command::new(&python)
            .args(args)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let check = py(&[s(&scripts.join("check_tables.py")), s(&out_dir)]);
    assert!(check.contains("check_tables: OK"), "{check}");

    let table = py(&[s(&scripts.join("analyze.py")), s(&out_dir)]);
    assert!(
        table.contains("scheduler.profile") && table.contains("first-fit"),
        "{table}"
    );
    assert_eq!(
        table
            .lines()
            .filter(|l| l.contains("skippy") || l.contains("first-fit"))
            .count(),
        4,
        "one row per variant:\n{table}"
    );

    let merged = py(&[
        s(&scripts.join("merge_histograms.py")),
        s(&out_dir),
        "--by",
        "param.scheduler.profile",
    ]);
    assert!(
        merged.contains("skippy") && merged.contains("p99"),
        "{merged}"
    );

    let plots = dir.path().join("plots");
    py(&[
        s(&scripts.join("plot.py")),
        s(&out_dir),
        "--out-dir",
        s(&plots),
    ]);
    for png in [
        "response_cdf.png",
        "replicas_over_time.png",
        "placement_spread.png",
    ] {
        let bytes = std::fs::read(plots.join(png)).unwrap_or_else(|e| panic!("{png}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG"), "{png}");
    }
}

#[test]
fn the_slurm_script_runs_array_task_k_of_n_as_shard_k_of_n() {
    let (dir, spec) = setup(SWEEP);
    let whole = dir.path().join("whole");
    ok(&["sweep", s(&spec), "--out", s(&whole), "--no-telemetry"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-sweep.sh");
    let arrayed = dir.path().join("arrayed");
    // Three shards, given explicitly: array task id K is shard K/3, in any order.
    for task in ["2", "0", "1"] {
        let out = Command::new("bash")
            .arg(&script)
            .args(["task", "--shards", "3", s(&spec), s(&arrayed)])
            .env("FAASIM", env!("CARGO_BIN_EXE_faasim"))
            .env("SLURM_ARRAY_TASK_ID", task)
            .env("SLURM_CPUS_PER_TASK", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shard = task.parse::<u32>().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("shard {shard}/3: 4 runs")),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // The runs table's telemetry differs (the script keeps it on), every other table is equal.
    for t in [
        "summary",
        "latency_histograms",
        "placements",
        "replicas",
        "scaling",
    ] {
        for b in 0..3 {
            let part = format!("{t}/part-00000{b}.parquet");
            assert_eq!(
                std::fs::read(whole.join(&part)).unwrap(),
                std::fs::read(arrayed.join(&part)).unwrap(),
                "{part}"
            );
        }
    }
    let run_ids = |d: &Path| strings(&table(d, "runs"), "run_id");
    assert_eq!(run_ids(&whole), run_ids(&arrayed));
}

/// Files a scenario names (here an explicit topology) are found next to the scenario, whatever
/// the working directory: in a sweep, and in `faasim run` with `--set` overrides.
#[test]
fn relative_topology_files_resolve_against_the_scenario_folder_not_the_working_directory() {
    let (dir, spec) = setup("scenario = \"base.toml\"\nseeds = [1, 2]\n");
    std::fs::write(
        dir.path().join("topo.csv"),
        "kind,name,a,b,c\nnode,n0,nuc\nnode,n1,nuc\nlink,l0,100\nswitch,internet\n\
         edge,n0,l0,lan\nedge,n1,l0,lan\nedge,l0,internet\n",
    )
    .unwrap();
    let base = BASE.replace(
        "topology = { generator = \"cluster\", nodes = [{ type = \"nuc\", count = 2 }, { type = \"rockpi\", count = 1 }] }",
        "topology = { generator = \"explicit\", file = \"topo.csv\" }",
    );
    assert_ne!(base, BASE, "the base scenario names the topology file");
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    // The tests run in the crate's folder, not in `dir`.
    assert_ne!(std::env::current_dir().unwrap(), dir.path());

    let out_dir = dir.path().join("out");
    let stdout = ok(&["sweep", s(&spec), "--out", s(&out_dir)]);
    assert!(stdout.contains("2 runs: 2 ok"), "{stdout}");
    let nodes = strings(&table(&out_dir, "placements"), "node");
    assert!(
        nodes
            .iter()
            .all(|n| matches!(n.as_deref(), Some("n0" | "n1"))),
        "placed on the explicit topology's nodes: {nodes:?}"
    );

    let run_out = dir.path().join("run-out");
    let base_file = dir.path().join("base.toml");
    ok(&[
        "run",
        s(&base_file),
        "--set",
        "run.horizon_s=2",
        "--out",
        s(&run_out),
    ]);
}
