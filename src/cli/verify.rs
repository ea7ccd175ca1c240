//! `faasim verify OUT [--clean]`: says whether a dataset is complete against its manifest (which
//! batches and shards are missing), checks its committed batches against their commit markers
//! (file sizes and SHA-256) and finds what interrupted writers left behind — part files no
//! commit covers, invalid markers, staging files (`docs/outputs.md`). `--clean` removes those
//! leftovers, under the dataset's lock so that no running writer loses its staging files.

use super::BadInput;
use anyhow::Result;
use faasim::output::{
    clean_uncommitted, committed_batches, expected_batches, invalid_markers, read_commit,
    read_manifest, staging_leftovers, verified_batches, LockMode, OutputLock,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Part files under the table directories of `root`, as paths relative to it.
fn part_files(root: &Path) -> Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    for dir in std::fs::read_dir(root)? {
        let dir = dir?.path();
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !dir.is_dir() || name.starts_with('_') {
            continue;
        }
        for f in std::fs::read_dir(&dir)? {
            let f = f?.path();
            if f.extension().is_some_and(|e| e == "parquet") {
                out.insert(f.strip_prefix(root)?.to_path_buf());
            }
        }
    }
    Ok(out)
}

/// Runs the check. Exit status 0 only when the dataset is complete (every batch its manifest
/// announces is committed), every committed batch verifies, and nothing is left over (or
/// `--clean` removed it); 1 otherwise.
pub fn verify(root: &Path, clean: bool) -> Result<ExitCode> {
    let manifest = read_manifest(root).map_err(|e| {
        BadInput(format!(
            "{}: not a faasim dataset (no readable manifest.json): {e}",
            root.display()
        ))
    })?;
    // Cleaning removes staging files: only when no writer is at work.
    let _lock = if clean {
        Some(OutputLock::acquire(root, "", LockMode::Exclusive)?)
    } else {
        None
    };
    let committed = committed_batches(root)?;
    let verified = verified_batches(root)?;
    let mut covered = BTreeSet::new();
    for &b in &committed {
        for part in read_commit(root, b)?.tables.values() {
            covered.insert(PathBuf::from(&part.file));
        }
    }
    let mut leftovers: Vec<PathBuf> = part_files(root)?.difference(&covered).cloned().collect();
    leftovers.extend(invalid_markers(root)?);
    leftovers.extend(staging_leftovers(root)?);
    let corrupt: Vec<u32> = committed.difference(&verified).copied().collect();
    let expected = expected_batches(&manifest);
    let missing: Vec<u32> = match expected {
        Some(n) => (0..n).filter(|b| !committed.contains(b)).collect(),
        None => Vec::new(),
    };

    let of = expected.map_or(String::new(), |n| format!(" of {n}"));
    outln!(
        "{}: {} batches{of} committed, {} verified (sizes and SHA-256)",
        root.display(),
        committed.len(),
        verified.len()
    );
    if missing.is_empty() {
        outln!("  complete: every batch the manifest announces is committed");
    } else {
        outln!(
            "  INCOMPLETE: {} batches missing: {}",
            missing.len(),
            list(&missing)
        );
        if let Some(shards) = manifest_shards(&manifest) {
            let idle: BTreeSet<u32> = missing.iter().map(|b| b % shards).collect();
            let idle: Vec<u32> = idle.into_iter().collect();
            outln!(
                "  shards with missing batches (K of --shard K/{shards}): {}",
                list(&idle)
            );
        }
        outln!(
            "  finish it with `faasim sweep SPEC --out {} --resume`",
            root.display()
        );
    }
    for b in &corrupt {
        outln!("  batch {b}: a part file differs from its commit marker (rerun it with `faasim sweep --resume --verify`)");
    }
    if !leftovers.is_empty() {
        outln!(
            "  {} leftovers of interrupted writers (part files of no committed batch, invalid markers, staging files):",
            leftovers.len()
        );
        for p in &leftovers {
            outln!("    {}", p.display());
        }
    }
    if clean && !leftovers.is_empty() {
        clean_uncommitted(root)?;
        outln!("  removed the leftovers");
    }
    let ok = missing.is_empty() && corrupt.is_empty() && (leftovers.is_empty() || clean);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// N of the `--shard K/N` the manifest records, when the dataset was written in shards.
fn manifest_shards(manifest: &serde_json::Value) -> Option<u32> {
    let (_, n) = manifest["shard"].as_str()?.split_once('/')?;
    n.parse().ok().filter(|&n| n > 1)
}

/// `0, 1, 2` — the first 20 and how many more.
fn list(items: &[u32]) -> String {
    let mut s: Vec<String> = items.iter().take(20).map(u32::to_string).collect();
    if items.len() > 20 {
        s.push(format!("… ({} more)", items.len() - 20));
    }
    s.join(", ")
}
