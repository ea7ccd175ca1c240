//! Provenance: every `runs` row and every manifest says which build, host and command produced
//! it, when; a sweep's manifest keeps the history of every shard and resume; `--no-telemetry`
//! leaves the provenance columns null so reruns stay byte-identical.

use std::path::Path;
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn faasim(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("faasim runs");
    assert!(
        o.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn runs(out: &Path) -> Vec<RecordBatch> {
    let mut parts: Vec<_> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts
        .iter()
        .flat_map(|p| {
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(p).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .map(|b| b.unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn null_count(batches: &[RecordBatch], col: &str) -> (usize, usize) {
    let rows = batches.iter().map(|b| b.num_rows()).sum();
    let nulls = batches
        .iter()
        .map(|b| b.column_by_name(col).unwrap().null_count())
        .sum();
    (nulls, rows)
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

const PROCESS_COLUMNS: [&str; 4] = ["started_at", "host", "command", "rustc_version"];

#[test]
fn a_single_run_records_its_build_host_command_start_and_peak_memory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    faasim(&[
        "run",
        "experiments/basic.toml",
        "--seed",
        "3",
        "--out",
        o,
        "-q",
    ]);
    let b = runs(&out);
    for col in PROCESS_COLUMNS
        .iter()
        .chain(&["peak_rss_bytes", "wall_time_s"])
    {
        assert_eq!(null_count(&b, col), (0, 1), "{col}");
    }
    // A single run belongs to no sweep.
    assert_eq!(null_count(&b, "sweep_id"), (1, 1));
    let command = b[0].column_by_name("command").unwrap().as_string::<i32>();
    assert!(
        command
            .value(0)
            .contains("run experiments/basic.toml --seed 3 --out"),
        "{}",
        command.value(0)
    );
    let started = b[0]
        .column_by_name("started_at")
        .unwrap()
        .as_string::<i32>();
    assert!(started.value(0).starts_with("20") && started.value(0).ends_with('Z'));
    let rustc = b[0]
        .column_by_name("rustc_version")
        .unwrap()
        .as_string::<i32>();
    assert!(rustc.value(0).starts_with("rustc "));
    let m = manifest(&out);
    assert_eq!(m["provenance"]["rustc_version"], rustc.value(0));
    assert!(m["provenance"]["host"]
        .as_str()
        .is_some_and(|h| !h.is_empty()));

    // Without telemetry every provenance column is null: reruns are byte-identical anywhere.
    let quiet = dir.path().join("quiet");
    let q = quiet.to_str().unwrap();
    faasim(&[
        "run",
        "experiments/basic.toml",
        "--out",
        q,
        "--no-telemetry",
        "-q",
    ]);
    let b = runs(&quiet);
    for col in PROCESS_COLUMNS
        .iter()
        .chain(&["git_commit", "git_dirty", "peak_rss_bytes"])
    {
        assert_eq!(null_count(&b, col), (1, 1), "{col}");
    }
}

#[test]
fn a_sweep_manifest_keeps_every_shard_and_every_resume() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/sweep-base.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    let sweep = dir.path().join("s.toml");
    std::fs::write(
        &sweep,
        "scenario = \"base.toml\"\nseeds = [1, 2]\nruns_per_batch = 1\n[grid]\n\"run.horizon_s\" = [5]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (s, o) = (sweep.to_str().unwrap(), out.to_str().unwrap());
    faasim(&["sweep", s, "--out", o, "--shard", "0/2", "--jobs", "1"]);
    faasim(&["sweep", s, "--out", o, "--shard", "1/2", "--jobs", "1"]);
    faasim(&[
        "sweep", s, "--out", o, "--shard", "1/2", "--resume", "--jobs", "1",
    ]);
    let m = manifest(&out);
    let shards = m["shards"].as_object().unwrap();
    assert_eq!(shards.keys().collect::<Vec<_>>(), ["0/2", "1/2"]);
    assert_eq!(shards["0/2"].as_array().unwrap().len(), 1);
    let one = shards["1/2"].as_array().unwrap();
    assert_eq!(one.len(), 2, "the run and its resume: {one:?}");
    assert!(one[1]["command"].as_str().unwrap().contains("--resume"));
    assert!(shards["0/2"][0]["command"]
        .as_str()
        .unwrap()
        .contains("--shard 0/2"));

    let b = runs(&out);
    for col in PROCESS_COLUMNS {
        assert_eq!(null_count(&b, col), (0, 2), "{col}");
    }
    assert_eq!(null_count(&b, "sweep_id"), (0, 2));
}
