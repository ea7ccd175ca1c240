//! Which directories faasim may replace or write into, so that it never deletes anything it
//! did not write (`docs/outputs.md`, "Writing safely").
//!
//! A directory is a faasim dataset only if its `manifest.json` carries the format marker (a
//! JSON object with a `schema_version` number, a `kind` of `run` or `sweep` and a
//! `faasim_version`), and it holds nothing else than what faasim writes: the manifest, table
//! directories of part files, `_commits/` and `_tmp/`. A user's `plots/` or `README.txt`
//! inside makes it foreign, and it is never replaced.

use std::fs;
use std::path::{Path, PathBuf};

use super::dataset::{read_manifest, OutputError, COMMITS_DIR, MANIFEST, TMP_DIR};
use super::schema::TABLES;

/// What an output directory holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputDir {
    /// It does not exist.
    Missing,
    /// An empty directory.
    Empty,
    /// A faasim dataset and nothing else.
    Dataset,
}

fn invalid(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// True if `manifest` carries faasim's format marker.
pub fn is_faasim_manifest(manifest: &serde_json::Value) -> bool {
    manifest["schema_version"].is_u64()
        && matches!(manifest["kind"].as_str(), Some("run" | "sweep"))
        && manifest["faasim_version"].is_string()
}

/// Classifies `out`; an error (naming what is in the way) if it may not be replaced.
pub fn classify_output(out: &Path) -> Result<OutputDir, OutputError> {
    let meta = match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OutputDir::Missing),
        Err(source) => {
            return Err(OutputError::Io {
                path: out.to_path_buf(),
                source,
            })
        }
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(invalid(
            out,
            "exists and is not a directory; refusing to replace it",
        ));
    }
    let entries = entries(out)?;
    if entries.is_empty() {
        return Ok(OutputDir::Empty);
    }
    let manifest_ok = read_manifest(out).is_ok_and(|m| is_faasim_manifest(&m));
    if !manifest_ok {
        return Err(invalid(
            out,
            "the directory is not empty and is not a faasim dataset (no manifest.json with faasim's format marker); refusing to replace it",
        ));
    }
    if let Some(foreign) = foreign_entry(out, &entries)? {
        return Err(invalid(
            out,
            format!(
                "holds a faasim dataset but also `{}`, which faasim did not write; refusing to replace it (move it away or write elsewhere)",
                foreign.display()
            ),
        ));
    }
    Ok(OutputDir::Dataset)
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(io)? {
        out.push(e.map_err(io)?.path());
    }
    out.sort();
    Ok(out)
}

/// The first entry of the dataset `root` that faasim does not write, relative to `root`.
fn foreign_entry(root: &Path, entries: &[PathBuf]) -> Result<Option<PathBuf>, OutputError> {
    for path in entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let is_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        let ours = match name.as_ref() {
            MANIFEST => !is_dir,
            COMMITS_DIR => {
                is_dir
                    && only_files(path, |n| n.starts_with("batch-") && n.ends_with(".json"))?
                        .is_none()
            }
            // Staging: part files, markers, the manifest, and shard staging directories.
            TMP_DIR => is_dir && staging_is_ours(path)?,
            t if TABLES.contains(&t) => {
                is_dir
                    && only_files(path, |n| n.starts_with("part-") && n.ends_with(".parquet"))?
                        .is_none()
            }
            _ => false,
        };
        if !ours {
            return Ok(Some(path.strip_prefix(root).unwrap_or(path).to_path_buf()));
        }
    }
    Ok(None)
}

/// The first entry of `dir` that is not a plain file whose name passes `ours`.
fn only_files(dir: &Path, ours: impl Fn(&str) -> bool) -> Result<Option<PathBuf>, OutputError> {
    for p in entries(dir)? {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let file = fs::symlink_metadata(&p).is_ok_and(|m| m.is_file());
        if !file || !ours(&name) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

fn staging_is_ours(tmp: &Path) -> Result<bool, OutputError> {
    let staged = |n: &str| n.ends_with(".parquet") || n.ends_with(".json");
    for p in entries(tmp)? {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let meta = fs::symlink_metadata(&p).ok();
        let ok = match meta {
            Some(m) if m.is_file() => staged(&name),
            Some(m) if m.is_dir() => {
                name.starts_with("shard-") && only_files(&p, staged)?.is_none()
            }
            _ => false,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Refuses an output directory that is the working directory or one of its ancestors
/// (`--out .`, `--out ..`): replacing it would pull the ground from under the user's shell.
pub fn refuse_working_directory(out: &Path) -> Result<(), OutputError> {
    let (Ok(out_abs), Ok(cwd)) = (fs::canonicalize(out), std::env::current_dir()) else {
        return Ok(()); // it does not exist yet, so it is not an ancestor of anything
    };
    let cwd = fs::canonicalize(&cwd).unwrap_or(cwd);
    if cwd.starts_with(&out_abs) {
        return Err(invalid(
            out,
            "is the working directory or one of its ancestors; choose a new directory such as `out/run`",
        ));
    }
    Ok(())
}

/// Removes the staging directories `.<name>.tmp-<pid>` and `.<name>.old-<pid>` that earlier,
/// killed writers of `out` left next to it. Call it only while holding `out`'s lock: then no
/// other process is using them.
pub fn remove_stale_staging(out: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(Vec::new());
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Ok(Vec::new());
    }
    let mut removed = Vec::new();
    for p in entries(parent)? {
        let n = p.file_name().unwrap_or_default().to_string_lossy();
        let pid = n
            .strip_prefix(&format!(".{name}.tmp-"))
            .or_else(|| n.strip_prefix(&format!(".{name}.old-")));
        if pid.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) && p.is_dir()
        {
            fs::remove_dir_all(&p).map_err(|source| OutputError::Io {
                path: p.clone(),
                source,
            })?;
            removed.push(p);
        }
    }
    Ok(removed)
}

/// `.<name>.<what>-<pid>` next to `out`: this process's staging directory.
pub fn staging_sibling(out: &Path, what: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(root: &Path) {
        fs::create_dir_all(root.join("runs")).unwrap();
        fs::create_dir_all(root.join("_commits")).unwrap();
        fs::write(
            root.join("manifest.json"),
            r#"{"kind":"run","schema_version":1,"faasim_version":"0.1.0"}"#,
        )
        .unwrap();
        fs::write(root.join("runs/part-000000.parquet"), b"x").unwrap();
        fs::write(root.join("_commits/batch-000000.json"), b"{}").unwrap();
    }

    #[test]
    fn a_dataset_and_nothing_else_may_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ds");
        assert_eq!(classify_output(&out).unwrap(), OutputDir::Missing);
        fs::create_dir(&out).unwrap();
        assert_eq!(classify_output(&out).unwrap(), OutputDir::Empty);
        dataset(&out);
        assert_eq!(classify_output(&out).unwrap(), OutputDir::Dataset);
    }

    #[test]
    fn a_foreign_manifest_json_is_not_a_dataset() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("manifest.json"), r#"{"name":"my-web-app"}"#).unwrap();
        let err = classify_output(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a faasim dataset"), "{err}");
    }

    #[test]
    fn user_files_inside_a_dataset_make_it_foreign() {
        let dir = tempfile::tempdir().unwrap();
        dataset(dir.path());
        fs::create_dir(dir.path().join("plots")).unwrap();
        let err = classify_output(dir.path()).unwrap_err().to_string();
        assert!(err.contains("`plots`"), "{err}");
        fs::remove_dir(dir.path().join("plots")).unwrap();
        fs::write(dir.path().join("runs/notes.txt"), b"mine").unwrap();
        let err = classify_output(dir.path()).unwrap_err().to_string();
        assert!(err.contains("`runs`"), "{err}");
    }

    #[test]
    fn only_this_outputs_staging_siblings_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ds");
        for d in [
            ".ds.tmp-123",
            ".ds.old-9",
            ".ds.tmp-x",
            ".other.tmp-5",
            "ds",
        ] {
            fs::create_dir(dir.path().join(d)).unwrap();
        }
        let removed = remove_stale_staging(&out).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(dir.path().join(".ds.tmp-x").exists());
        assert!(dir.path().join(".other.tmp-5").exists());
        assert!(out.exists());
    }
}
