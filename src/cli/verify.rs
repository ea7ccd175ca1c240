//! `faasim verify OUT [--clean]`: checks a dataset's committed batches against their commit
//! markers (file sizes and SHA-256) and finds part files no commit covers — what a crash leaves
//! behind (`spec/outputs.md` §4). `--clean` removes those leftovers.

use super::BadInput;
use anyhow::Result;
use faasim::output::{
    clean_uncommitted, committed_batches, read_commit, read_manifest, verified_batches,
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

/// Runs the check; exit status 0 when every committed batch verifies and nothing is left over.
pub fn verify(root: &Path, clean: bool) -> Result<ExitCode> {
    read_manifest(root).map_err(|e| {
        BadInput(format!(
            "{}: not a faasim dataset (no readable manifest.json): {e}",
            root.display()
        ))
    })?;
    let committed = committed_batches(root)?;
    let verified = verified_batches(root)?;
    let mut covered = BTreeSet::new();
    for &b in &committed {
        for part in read_commit(root, b)?.tables.values() {
            covered.insert(PathBuf::from(&part.file));
        }
    }
    let leftovers: Vec<PathBuf> = part_files(root)?.difference(&covered).cloned().collect();
    let corrupt: Vec<u32> = committed.difference(&verified).copied().collect();

    println!(
        "{}: {} batches committed, {} verified (sizes and SHA-256)",
        root.display(),
        committed.len(),
        verified.len()
    );
    for b in &corrupt {
        println!("  batch {b}: a part file differs from its commit marker (rerun it with `faasim sweep --resume --verify`)");
    }
    if !leftovers.is_empty() {
        println!(
            "  {} part files belong to no committed batch:",
            leftovers.len()
        );
        for p in &leftovers {
            println!("    {}", p.display());
        }
    }
    if clean && !leftovers.is_empty() {
        clean_uncommitted(root)?;
        println!("  removed the uncommitted part files");
    }
    let ok = corrupt.is_empty() && (leftovers.is_empty() || clean);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
