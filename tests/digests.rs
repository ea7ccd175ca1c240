//! Pinned results: every shipped experiment (the shipped sweeps and the faas-sim examples in
//! `experiments/faas-sim/` included) produces exactly the Parquet bytes recorded in
//! `tests/digests.txt`.
//!
//! A refactoring must not change any result; a change that alters results on purpose updates the
//! pinned digests in the same commit and says why in its message. To see the new digests, run
//! `FAASIM_UPDATE_DIGESTS=1 cargo test --test digests`, which rewrites the file.

mod common;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PINNED: &str = "tests/digests.txt";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn faasim(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("faasim runs");
    assert!(
        out.status.success(),
        "faasim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SHA-256 over every Parquet part of a dataset, per table, in path order.
fn table_digests(dataset: &Path) -> BTreeMap<String, String> {
    let mut parts = Vec::new();
    let mut stack = vec![dataset.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "parquet") {
                parts.push(p);
            }
        }
    }
    parts.sort();
    let mut per_table: BTreeMap<String, Sha256> = BTreeMap::new();
    for p in parts {
        let rel = p.strip_prefix(dataset).unwrap();
        let table = rel.iter().next().unwrap().to_string_lossy().into_owned();
        let h = per_table.entry(table).or_default();
        h.update(rel.to_string_lossy().as_bytes());
        h.update(std::fs::read(&p).unwrap());
    }
    per_table
        .into_iter()
        .map(|(t, h)| {
            let d = h.finalize();
            (t, d[..12].iter().map(|b| format!("{b:02x}")).collect())
        })
        .collect()
}

/// Folders under `experiments/` whose scenarios are pinned too, as `<folder>/<name>` (the
/// benchmark suite in `bench/` is not: it is sized for timing, not for a test).
const PINNED_FOLDERS: &[&str] = &["faas-sim"];

/// The `.toml` files directly in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// `experiment/table digest` lines for every shipped experiment.
fn current_digests() -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let experiments = root().join("experiments");
    let mut named: Vec<(String, PathBuf)> = toml_files(&experiments)
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    for folder in PINNED_FOLDERS {
        for p in toml_files(&experiments.join(folder)) {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            named.push((format!("{folder}/{stem}"), p));
        }
    }
    let mut lines = Vec::new();
    for (name, path) in named {
        let text = std::fs::read_to_string(&path).unwrap();
        let out = tmp.path().join(&name);
        let (p, o) = (path.to_str().unwrap(), out.to_str().unwrap());
        if common::is_sweep_file(&text) {
            faasim(&[
                "sweep",
                p,
                "--out",
                o,
                "--jobs",
                "2",
                "--no-telemetry",
                "-q",
            ]);
        } else {
            faasim(&["run", p, "--seed", "1", "--out", o, "--no-telemetry", "-q"]);
        }
        for (table, digest) in table_digests(&out) {
            lines.push(format!("{name}/{table} {digest}"));
        }
    }
    lines
}

#[test]
fn shipped_experiments_produce_their_pinned_tables() {
    let current = current_digests();
    let path = root().join(PINNED);
    if std::env::var_os("FAASIM_UPDATE_DIGESTS").is_some() {
        let mut text = String::from(
            "# SHA-256 (first 12 bytes) of each shipped experiment's Parquet tables, seed 1,\n\
             # --no-telemetry; sweeps with --jobs 2. Regenerate: FAASIM_UPDATE_DIGESTS=1 cargo test --test digests\n",
        );
        for l in &current {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        return;
    }
    let pinned: Vec<String> = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{PINNED}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let changed: Vec<String> = current
        .iter()
        .filter(|l| !pinned.contains(l))
        .cloned()
        .collect();
    let missing: Vec<String> = pinned
        .iter()
        .filter(|l| !current.contains(l))
        .cloned()
        .collect();
    assert!(
        changed.is_empty() && missing.is_empty(),
        "results changed.\n  now:    {changed:?}\n  pinned: {missing:?}\n\
         If the change is deliberate, run FAASIM_UPDATE_DIGESTS=1 cargo test --test digests \
         and say why in the commit message."
    );
}
