//! The `faasim` binary end to end: shipped experiments run, bad input is rejected with exit
//! status 2 and nothing written, reruns are byte-identical, and Python reads every table.

mod common;
use common::faasim;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn experiment(name: &str) -> String {
    format!("{}/experiments/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` with its bytes, keyed by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn every_shipped_experiment_validates_and_runs() {
    let dir = tmpdir();
    for entry in std::fs::read_dir(experiment("")).unwrap() {
        let path = entry.unwrap().path();
        // Only the scenario files at the top (experiments/bench/ holds benchmarks: docs/performance.md).
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Sweep files name a base scenario; they are exercised by the sweep tests.
        if text.contains("\nscenario =") || text.starts_with("scenario =") {
            continue;
        }
        let p = path.to_str().unwrap();
        let v = faasim(&["validate", p]);
        assert!(
            v.status.success(),
            "{p}: {}",
            String::from_utf8_lossy(&v.stderr)
        );
        let out = dir.path().join(path.file_stem().unwrap());
        let r = faasim(&["run", p, "--seed", "1", "--out", out.to_str().unwrap()]);
        assert!(
            r.status.success(),
            "{p}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        assert!(out.join("runs/part-000000.parquet").is_file());
        assert!(out.join("summary/part-000000.parquet").is_file());
    }
}

#[test]
fn basic_example_prints_a_summary_per_function() {
    let dir = tmpdir();
    let out = dir.path().join("basic");
    let r = faasim(&[
        "run",
        &experiment("basic.toml"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("python-pi"), "{stdout}");
    assert!(stdout.contains("resnet50-inference"), "{stdout}");
    assert!(stdout.contains("events/s"), "{stdout}");
    for table in [
        "runs",
        "invocations",
        "placements",
        "replicas",
        "scaling",
        "summary",
        "latency_histograms",
    ] {
        assert!(
            out.join(table).join("part-000000.parquet").is_file(),
            "missing {table}"
        );
    }
}

fn write_scenario(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const VALID: &str = r#"
name = "ok"
topology = { generator = "cluster", nodes = [{ type = "server", count = 1 }] }
[[images]]
name = "img"
variants = [{ arch = "x86", size = "10M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 2 }
[[deployments.containers]]
image = "img"
[[workloads]]
function = "f"
rate = { constant = { rps = 5 } }
max_requests = 10
"#;

#[test]
fn bad_input_exits_2_names_the_key_and_writes_nothing() {
    let dir = tmpdir();
    let cases = [
        (
            "unknown-key.toml",
            VALID.replace("scale_max = 2", "scale_maxx = 2"),
            "deployments[0].scaling.scale_maxx",
        ),
        (
            "negative.toml",
            VALID.replace("max_requests = 10", "max_requests = 10\nduration_s = -5"),
            "workloads[0].duration_s",
        ),
        (
            "min-max.toml",
            VALID.replace(
                "scale_min = 1, scale_max = 2",
                "scale_min = 3, scale_max = 2",
            ),
            "deployments[0].scaling.scale_max",
        ),
    ];
    for (file, text, key) in cases {
        let path = write_scenario(dir.path(), file, &text);
        let out = dir.path().join(format!("out-{file}"));
        let r = faasim(&["run", &path, "--out", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(key),
            "{file}: message should name `{key}`: {stderr}"
        );
        assert!(
            stderr.contains(file),
            "{file}: message should name the file: {stderr}"
        );
        assert!(!out.exists(), "{file}: nothing may be written");
        let v = faasim(&["validate", &path]);
        assert_eq!(v.status.code(), Some(2), "validate {file}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.starts_with("out-"))
        .collect();
    assert!(leftovers.is_empty(), "stray outputs: {leftovers:?}");
}

#[test]
fn an_unknown_scheduler_profile_is_bad_input() {
    let dir = tmpdir();
    let path = write_scenario(
        dir.path(),
        "p.toml",
        &format!("scheduler = {{ profile = \"nope\" }}\n{VALID}"),
    );
    let out = dir.path().join("out");
    let r = faasim(&["run", &path, "--out", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("scheduler.profile"));
    assert!(!out.exists());
}

#[test]
fn an_existing_directory_that_is_not_a_dataset_is_not_replaced() {
    let dir = tmpdir();
    let out = dir.path().join("precious");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let r = faasim(&[
        "run",
        &experiment("basic.toml"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn reruns_are_byte_identical_whatever_the_thread_count() {
    let dir = tmpdir();
    let run = |name: &str, threads: Option<&str>| {
        let out = dir.path().join(name);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_faasim"));
        cmd.args([
            "run",
            &experiment("basic.toml"),
            "--seed",
            "7",
            "--no-telemetry",
            "--out",
        ])
        .arg(&out);
        if let Some(t) = threads {
            cmd.env("RAYON_NUM_THREADS", t);
        }
        assert!(cmd.output().unwrap().status.success());
        files(&out)
    };
    let a = run("a", None);
    let b = run("b", None);
    let c = run("c", Some("1"));
    let parquet = |m: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        m.iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "parquet"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert_eq!(
        parquet(&a).len(),
        11,
        "seven tables of the foundation, replica_counts, and the network's flows, links and nodes"
    );
    assert_eq!(parquet(&a), parquet(&b));
    assert_eq!(parquet(&a), parquet(&c));

    // With telemetry on, only the runs table (its timing columns) may differ.
    let d = dir.path().join("d");
    assert!(faasim(&[
        "run",
        &experiment("basic.toml"),
        "--seed",
        "7",
        "--out",
        d.to_str().unwrap()
    ])
    .status
    .success());
    for (p, bytes) in parquet(&files(&d)) {
        if !p.starts_with("runs") {
            assert_eq!(Some(&bytes), a.get(&p), "{}", p.display());
        }
    }
}

/// The Python interpreter with pyarrow and polars, or None (with a notice) outside CI.
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
    assert!(
        std::env::var("FAASIM_REQUIRE_PYTHON").is_err(),
        "FAASIM_REQUIRE_PYTHON is set but no python with pyarrow and polars was found"
    );
    eprintln!("skipping: no python with pyarrow and polars (run ./scripts/test.sh to set one up)");
    None
}

#[test]
fn every_table_opens_in_python_with_the_documented_columns() {
    let Some(py) = python() else { return };
    let dir = tmpdir();
    for (name, extra) in [
        ("basic.toml", Some("--expect-invocations")),
        ("overload.toml", None),
    ] {
        let out = dir.path().join(name);
        let run = faasim(&["run", &experiment(name), "--out", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let check = Command::new(&py)
            .arg(format!(
                "{}/scripts/check_tables.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "check_tables.py failed on {name}:\n{}\n{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn set_overrides_a_value_and_is_recorded_as_a_parameter() {
    let dir = tmpdir();
    let out = dir.path().join("o");
    let r = faasim(&[
        "run",
        &experiment("overload.toml"),
        "--set",
        "run.horizon_s=5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("echo"));
    let bad = faasim(&[
        "run",
        &experiment("overload.toml"),
        "--set",
        "run.horizon_s=-5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("run.horizon_s"));
}

#[test]
fn shootout_places_gpu_images_only_on_gpu_boards_and_profiles_differ() {
    let dir = tmpdir();
    let mut spreads = Vec::new();
    for profile in ["skippy", "kubernetes", "first-fit", "random"] {
        let out = dir.path().join(profile);
        let r = faasim(&[
            "run",
            &experiment("scheduler-shootout.toml"),
            "--set",
            &format!("scheduler.profile={profile}"),
            "--set",
            "run.horizon_s=10",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            r.status.success(),
            "{profile}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        spreads.push(files(&out.join("placements")));
    }
    // The placements tables differ between every pair of profiles.
    for i in 0..spreads.len() {
        for j in i + 1..spreads.len() {
            assert_ne!(
                spreads[i], spreads[j],
                "profiles {i} and {j} placed identically"
            );
        }
    }
    // Library-level check of the accelerator predicates in the two full profiles.
    let text = std::fs::read_to_string(experiment("scheduler-shootout.toml")).unwrap();
    for profile in ["skippy", "kubernetes"] {
        let mut value: toml::Value = toml::from_str(&text).unwrap();
        faasim::config::set_by_key_path(
            &mut value,
            "scheduler.profile",
            toml::Value::String(profile.into()),
        )
        .unwrap();
        faasim::config::set_by_key_path(&mut value, "run.horizon_s", toml::Value::Float(10.0))
            .unwrap();
        let sc = faasim::config::scenario_from_value(value, "shootout").unwrap();
        let out = faasim::run_scenario(&sc, faasim::identity(&sc, 1, 0, "", vec![]));
        for r in &out.replicas {
            if out.names.images[r.image as usize].starts_with("resnet-gpu") {
                if let Some(n) = r.node {
                    let node = &out.names.nodes[n as usize];
                    assert!(
                        node.starts_with("tx2") || node.starts_with("nano"),
                        "{profile}: GPU image on {node}"
                    );
                }
            }
        }
    }
}

#[test]
fn verify_finds_crash_leftovers_and_corrupted_parts_and_clean_removes_leftovers() {
    let dir = tmpdir();
    let out = dir.path().join("basic");
    assert!(faasim(&[
        "run",
        &experiment("basic.toml"),
        "--quiet",
        "--out",
        out.to_str().unwrap()
    ])
    .status
    .success());
    let o = out.to_str().unwrap();
    assert!(
        faasim(&["verify", o]).status.success(),
        "a fresh dataset verifies"
    );

    // A crash between writing a part and committing its batch leaves an uncommitted part.
    std::fs::copy(
        out.join("runs/part-000000.parquet"),
        out.join("runs/part-000001.parquet"),
    )
    .unwrap();
    let v = faasim(&["verify", o]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stdout).contains("part-000001.parquet"));
    assert!(faasim(&["verify", o, "--clean"]).status.success());
    assert!(!out.join("runs/part-000001.parquet").exists());
    assert!(
        out.join("runs/part-000000.parquet").exists(),
        "committed parts stay"
    );
    assert!(faasim(&["verify", o]).status.success());

    // A changed byte in a committed part fails verification.
    let part = out.join("summary/part-000000.parquet");
    let mut bytes = std::fs::read(&part).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&part, bytes).unwrap();
    let v = faasim(&["verify", o]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stdout).contains("batch 0"));

    // Not a dataset: bad input.
    assert_eq!(
        faasim(&["verify", dir.path().to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_reader_that_goes_away_does_not_stop_a_sweep() {
    let dir = tmpdir();
    let out = dir.path().join("o");
    let sweep = dir.path().join("s.toml");
    std::fs::write(
        &sweep,
        format!(
            "scenario = {:?}\nseeds = [1, 2]\n[grid]\n\"run.horizon_s\" = [5]\n",
            experiment("sweep-base.toml")
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args([
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `faasim sweep … 2>&1 | head -0`: the reader closes both ends at once.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let verify = faasim(&["verify", out.to_str().unwrap()]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
