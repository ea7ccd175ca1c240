//! The dataset directory: table parts, commit markers, manifest and resume helpers
//! (`docs/outputs.md`).
//!
//! ```text
//! <root>/manifest.json
//! <root>/<table>/part-<batch:06>.parquet
//! <root>/_commits/batch-<batch:06>.json      authoritative list of valid parts
//! <root>/_tmp/                               files being written
//! <root>/_tmp/shard-<k>-of-<n>/               files being written by shard k of n
//! ```
//!
//! Every file is written to `_tmp/`, flushed, `fsync`ed and renamed into place; the commit
//! marker of a batch is written the same way after all its parts are in place, so a batch is
//! either committed with all its files or can be cleaned up and recomputed.
//!
//! Several shards of one sweep may write into the same directory at the same time
//! ([`DatasetWriter::create_shard`], [`clean_uncommitted_shard`]): each uses its own temporary
//! directory and touches only the batches it owns (`batch mod n == k`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::parquet::{write_parquet, writer_settings};
use super::schema::{ParamColumn, SCHEMA_VERSION, TABLES};
use super::tables::{for_each_table_batch, param_columns};
use crate::metrics::RunOutput;

/// Name of the manifest file.
pub const MANIFEST: &str = "manifest.json";
/// Directory of commit markers.
pub const COMMITS_DIR: &str = "_commits";
/// Directory of files being written.
pub const TMP_DIR: &str = "_tmp";

/// An error of the output layer; the message names the file or directory concerned.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file system operation failed.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// Encoding a Parquet file failed.
    #[error("{path}: writing parquet: {source}", path = .path.display())]
    Parquet {
        /// File being written.
        path: PathBuf,
        /// Cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A JSON file could not be parsed or written.
    #[error("{path}: invalid JSON: {source}", path = .path.display())]
    Json {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// Another process writes this output directory now (see [`crate::output::lock`]).
    #[error("{path}: in use by {who}; wait for it to finish or write elsewhere", path = .path.display(), who = match .holder { Some(pid) => format!("PID {pid}"), None => "another faasim process".to_string() })]
    Locked {
        /// The output directory.
        path: PathBuf,
        /// The holder's process id, when it could be read.
        holder: Option<u32>,
    },
    /// The content is not what the output layer expects.
    #[error("{path}: {message}", path = .path.display())]
    Invalid {
        /// File or directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One part file listed in a commit marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// Path relative to the dataset root, e.g. `runs/part-000000.parquet`.
    pub file: String,
    /// Rows in the part.
    pub rows: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

/// Content of `_commits/batch-<b>.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitMarker {
    /// Output schema version.
    pub schema_version: u32,
    /// Batch number.
    pub batch: u32,
    /// Smallest `run_index` of the batch.
    pub run_index_start: u32,
    /// One past the largest `run_index` of the batch.
    pub run_index_end: u32,
    /// `run_id`s in `run_index` order.
    pub run_ids: Vec<String>,
    /// Parts by table name (tables without rows are absent).
    pub tables: BTreeMap<String, PartInfo>,
}

/// `part-<batch:06>.parquet`.
pub fn part_file_name(batch: u32) -> String {
    format!("part-{batch:06}.parquet")
}

/// `batch-<batch:06>.json`.
pub fn commit_file_name(batch: u32) -> String {
    format!("batch-{batch:06}.json")
}

fn parse_numbered(name: &str, prefix: &str, suffix: &str) -> Option<u32> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Writes a dataset directory; see the module documentation.
///
/// Methods take `&self`, so one writer can be shared; batches must be written by one thread
/// at a time per batch number (different batches never touch the same files).
#[derive(Debug)]
pub struct DatasetWriter {
    root: PathBuf,
    tmp: PathBuf,
    params: Option<Vec<ParamColumn>>,
}

/// `_tmp/shard-<k>-of-<n>`: the temporary directory of shard `k` of `n`, relative to the root.
pub fn shard_tmp_dir(shard: u32, shards: u32) -> PathBuf {
    Path::new(TMP_DIR).join(format!("shard-{shard}-of-{shards}"))
}

impl DatasetWriter {
    /// Creates `root`, `_commits/` and an empty `_tmp/`, and writes `manifest.json` (with
    /// `"schema_version": 1` and the writer settings added) by write-then-rename.
    ///
    /// `manifest` must be a JSON object. Table directories are created when first written.
    pub fn create(root: &Path, manifest: &serde_json::Value) -> Result<DatasetWriter, OutputError> {
        Self::create_with_tmp(root, manifest, Path::new(TMP_DIR))
    }

    /// Like [`DatasetWriter::create`] for shard `shard` of `shards` writing into a directory
    /// that other shards may be writing into at the same time: files are staged in
    /// [`shard_tmp_dir`], and only that directory is emptied (never another shard's). The
    /// manifest is replaced atomically, so concurrent shards leave one complete manifest.
    pub fn create_shard(
        root: &Path,
        manifest: &serde_json::Value,
        shard: u32,
        shards: u32,
    ) -> Result<DatasetWriter, OutputError> {
        Self::create_with_tmp(root, manifest, &shard_tmp_dir(shard, shards))
    }

    fn create_with_tmp(
        root: &Path,
        manifest: &serde_json::Value,
        tmp_rel: &Path,
    ) -> Result<DatasetWriter, OutputError> {
        let mut manifest = match manifest {
            serde_json::Value::Object(m) => m.clone(),
            _ => {
                return Err(OutputError::Invalid {
                    path: root.join(MANIFEST),
                    message: "the manifest must be a JSON object".into(),
                })
            }
        };
        manifest.insert("schema_version".into(), SCHEMA_VERSION.into());
        manifest
            .entry("writer_settings")
            .or_insert_with(writer_settings);

        fs::create_dir_all(root).map_err(io_err(root))?;
        let tmp = root.join(tmp_rel);
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        empty_dir(&tmp)?;
        let commits = root.join(COMMITS_DIR);
        fs::create_dir_all(&commits).map_err(io_err(&commits))?;

        let dest = root.join(MANIFEST);
        let bytes =
            serde_json::to_vec_pretty(&serde_json::Value::Object(manifest)).map_err(|source| {
                OutputError::Json {
                    path: dest.clone(),
                    source,
                }
            })?;
        write_file_atomic(&tmp.join(MANIFEST), &dest, &bytes)?;
        sync_dir(root)?;
        Ok(DatasetWriter {
            root: root.to_path_buf(),
            tmp,
            params: None,
        })
    }

    /// Fixes the `param.<key>` columns of `runs` for every batch (compute them once over the
    /// whole sweep with [`param_columns`] so that all parts share one schema). Without this,
    /// each batch infers them from its own runs.
    pub fn with_param_columns(mut self, params: Vec<ParamColumn>) -> DatasetWriter {
        self.params = Some(params);
        self
    }

    /// The dataset root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes the parts of batch `batch` (the runs in `run_index` order) and then its commit
    /// marker: [`DatasetWriter::encode_batch`] followed by [`DatasetWriter::commit_batch`].
    pub fn write_batch(
        &self,
        batch: u32,
        runs: &[RunOutput],
        telemetry: bool,
    ) -> Result<(), OutputError> {
        let staged = self.encode_batch(batch, runs, telemetry)?;
        self.commit_batch(staged)
    }

    /// Encodes the parts of batch `batch` (the runs in `run_index` order) into the staging
    /// directory: each table with rows goes to `_tmp/<table>-part-<b>.parquet`, hashed and
    /// counted while it is written. Nothing is durable or visible yet; that is
    /// [`DatasetWriter::commit_batch`]'s work.
    ///
    /// Why two steps: encoding is CPU work that a sweep spreads over its worker threads, while a
    /// commit mostly waits for `fsync`. One committer thread doing the waiting keeps every
    /// worker computing (`docs/sweeps.md`).
    pub fn encode_batch(
        &self,
        batch: u32,
        runs: &[RunOutput],
        telemetry: bool,
    ) -> Result<StagedBatch, OutputError> {
        let marker_path = self.root.join(COMMITS_DIR).join(commit_file_name(batch));
        let (Some(first), Some(last)) = (
            runs.iter().map(|r| r.run.id.run_index).min(),
            runs.iter().map(|r| r.run.id.run_index).max(),
        ) else {
            return Err(OutputError::Invalid {
                path: marker_path,
                message: format!("batch {batch} has no runs"),
            });
        };

        let inferred;
        let params = match &self.params {
            Some(p) => p.as_slice(),
            None => {
                inferred = param_columns(runs);
                inferred.as_slice()
            }
        };
        let part = part_file_name(batch);
        let mut parts = Vec::new();
        let mut tables = BTreeMap::new();
        for_each_table_batch(runs, telemetry, params, |table, rb| {
            let tmp = self.tmp.join(format!("{table}-{part}"));
            let (file, bytes, sha256) = encode_part(&tmp, table, &rb)?;
            parts.push(StagedPart {
                tmp,
                dest: self.root.join(table).join(&part),
                file,
            });
            tables.insert(
                table.to_string(),
                PartInfo {
                    file: format!("{table}/{part}"),
                    rows: rb.num_rows() as u64,
                    bytes,
                    sha256,
                },
            );
            Ok::<(), OutputError>(())
        })?;
        Ok(StagedBatch {
            parts,
            marker: CommitMarker {
                schema_version: SCHEMA_VERSION,
                batch,
                run_index_start: first,
                run_index_end: last + 1,
                run_ids: runs.iter().map(|r| r.run.id.run_id.clone()).collect(),
                tables,
            },
        })
    }

    /// Makes a staged batch durable and visible: [`DatasetWriter::commit_batches`] of one.
    pub fn commit_batch(&self, staged: StagedBatch) -> Result<(), OutputError> {
        self.commit_batches(vec![staged])
    }

    /// Makes staged batches durable and visible, together: every part is `fsync`ed and renamed
    /// to `<table>/part-<b>.parquet`, the table directories are synced, stale parts of these
    /// batches in other table directories are removed, and only then is each batch's marker
    /// `_commits/batch-<b>.json` written (to a temporary name, `fsync`ed, renamed), listing the
    /// run ids and per table the file, rows, size and SHA-256. Failed runs contribute only their
    /// `runs` row.
    ///
    /// Committing several batches at once syncs each directory once for all of them, and the
    /// `fsync`s of files that do not depend on each other run at the same time (the file
    /// system's journal then commits them together), so a committer that falls behind catches
    /// up instead of waiting for ~20 sequential `fsync`s per batch (docs/sweeps.md, "Streaming
    /// and memory"). A crash at any point leaves each batch committed with all its parts, or
    /// without a marker.
    pub fn commit_batches(&self, staged: Vec<StagedBatch>) -> Result<(), OutputError> {
        let mut parts = Vec::new();
        let mut markers = Vec::new();
        for batch in staged {
            parts.extend(batch.parts);
            markers.push(batch.marker);
        }
        sync_files(parts.iter().map(|p| (&p.file, p.tmp.as_path())))?;
        let mut dirs = BTreeSet::new();
        for StagedPart { tmp, dest, file } in parts {
            drop(file);
            let dir = dest.parent().expect("a part lives in its table directory");
            if dirs.insert(dir.to_path_buf()) {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
            }
            fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        }
        for dir in &dirs {
            sync_dir(dir)?;
        }
        for marker in &markers {
            // A part left by an earlier attempt of this batch in a table that now has no rows.
            let part = part_file_name(marker.batch);
            for table in TABLES {
                if !marker.tables.contains_key(*table) {
                    remove_if_exists(&self.root.join(table).join(&part))?;
                }
            }
        }

        let commits = self.root.join(COMMITS_DIR);
        let mut staged_markers = Vec::new();
        for marker in &markers {
            let name = commit_file_name(marker.batch);
            let (tmp, dest) = (self.tmp.join(&name), commits.join(&name));
            let bytes = serde_json::to_vec_pretty(marker).map_err(|source| OutputError::Json {
                path: dest.clone(),
                source,
            })?;
            let file = write_unsynced(&tmp, &bytes)?;
            staged_markers.push((file, tmp, dest));
        }
        sync_files(staged_markers.iter().map(|(f, tmp, _)| (f, tmp.as_path())))?;
        for (file, tmp, dest) in staged_markers {
            drop(file);
            fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        }
        sync_dir(&commits)
    }
}

/// The most `fsync`s [`sync_files`] has in flight at once.
const PARALLEL_SYNCS: usize = 16;

/// `fsync`s `files` (each with its path, for errors), up to [`PARALLEL_SYNCS`] at a time: the
/// journal of the file system commits concurrent `fsync`s together, so they take about as long
/// as one, where one after the other each waits for its own journal commit.
fn sync_files<'a>(files: impl Iterator<Item = (&'a File, &'a Path)>) -> Result<(), OutputError> {
    let files: Vec<(&File, &Path)> = files.collect();
    if files.len() == 1 {
        let (file, path) = files[0];
        return file.sync_all().map_err(io_err(path));
    }
    for chunk in files.chunks(PARALLEL_SYNCS) {
        std::thread::scope(|s| {
            let syncs: Vec<_> = chunk
                .iter()
                .map(|&(file, path)| s.spawn(move || file.sync_all().map_err(io_err(path))))
                .collect();
            syncs
                .into_iter()
                .map(|h| h.join().expect("fsync does not panic"))
                .collect::<Result<Vec<()>, OutputError>>()
        })?;
    }
    Ok(())
}

/// A batch encoded into the staging directory by [`DatasetWriter::encode_batch`], waiting for
/// [`DatasetWriter::commit_batch`]. Dropping it leaves staged files that the next writer of
/// the dataset cleans up.
#[derive(Debug)]
pub struct StagedBatch {
    parts: Vec<StagedPart>,
    marker: CommitMarker,
}

impl StagedBatch {
    /// The batch number.
    pub fn batch(&self) -> u32 {
        self.marker.batch
    }
}

/// One encoded part: written and flushed to the operating system, not yet synced or renamed.
#[derive(Debug)]
struct StagedPart {
    tmp: PathBuf,
    dest: PathBuf,
    file: File,
}

/// Reads `manifest.json` of the dataset at `root`.
pub fn read_manifest(root: &Path) -> Result<serde_json::Value, OutputError> {
    read_json(&root.join(MANIFEST))
}

/// The number of batches the dataset at `root` should hold once complete, from its manifest
/// (`batches`, else `runs` / `runs_per_batch` rounded up); `None` if the manifest says neither.
pub fn expected_batches(manifest: &serde_json::Value) -> Option<u32> {
    if let Some(b) = manifest["batches"].as_u64() {
        return u32::try_from(b).ok();
    }
    let runs = manifest["runs"].as_u64()?;
    let per = manifest["runs_per_batch"].as_u64()?.max(1);
    u32::try_from(runs.div_ceil(per)).ok()
}

/// What writers left under `_tmp/` (staged files, shards' staging directories), relative to
/// `root`.
pub fn staging_leftovers(root: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let tmp = root.join(TMP_DIR);
    if !tmp.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for p in read_dir_sorted(&tmp)? {
        if p.is_dir() {
            let inner = read_dir_sorted(&p)?;
            if inner.is_empty() {
                out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
            }
            out.extend(
                inner
                    .into_iter()
                    .map(|f| f.strip_prefix(root).unwrap_or(&f).to_path_buf()),
            );
        } else {
            out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
        }
    }
    Ok(out)
}

/// Commit markers that do not make a batch committed (unreadable, or naming missing files),
/// relative to `root`.
pub fn invalid_markers(root: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let commits = root.join(COMMITS_DIR);
    if !commits.is_dir() {
        return Ok(Vec::new());
    }
    let valid = valid_markers(root, false)?;
    let mut out = Vec::new();
    for p in read_dir_sorted(&commits)? {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        match parse_numbered(&name, "batch-", ".json") {
            Some(b) if valid.contains_key(&b) => {}
            _ => out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf()),
        }
    }
    Ok(out)
}

/// Reads the commit marker of `batch`.
pub fn read_commit(root: &Path, batch: u32) -> Result<CommitMarker, OutputError> {
    read_json(&root.join(COMMITS_DIR).join(commit_file_name(batch)))
}

/// Batches whose commit marker is readable and all of whose listed files exist.
pub fn committed_batches(root: &Path) -> Result<BTreeSet<u32>, OutputError> {
    Ok(valid_markers(root, false)?.into_keys().collect())
}

/// Like [`committed_batches`], but also re-checks every listed file's size and SHA-256
/// (`--verify`).
pub fn verified_batches(root: &Path) -> Result<BTreeSet<u32>, OutputError> {
    Ok(valid_markers(root, true)?.into_keys().collect())
}

/// Removes everything that is not part of a committed batch: part files of batches without a
/// valid marker (and parts a valid marker does not list), unreadable or incomplete markers,
/// and the contents of `_tmp/`.
pub fn clean_uncommitted(root: &Path) -> Result<(), OutputError> {
    clean_uncommitted_where(root, |_| true, &root.join(TMP_DIR))?;
    // Nothing is being written (the caller holds the dataset's lock): `_tmp/` itself goes too.
    match fs::remove_dir(root.join(TMP_DIR)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(&root.join(TMP_DIR))(e)),
        _ => Ok(()),
    }
}

/// [`clean_uncommitted`] restricted to the batches of shard `shard` of `shards`
/// (`batch mod shards == shard`) and to that shard's temporary directory, so that other shards
/// writing into the same directory at the same time are left alone.
pub fn clean_uncommitted_shard(root: &Path, shard: u32, shards: u32) -> Result<(), OutputError> {
    let shards = shards.max(1);
    clean_uncommitted_where(
        root,
        |b| b % shards == shard,
        &root.join(shard_tmp_dir(shard, shards)),
    )
}

fn clean_uncommitted_where(
    root: &Path,
    owned: impl Fn(u32) -> bool,
    tmp: &Path,
) -> Result<(), OutputError> {
    let valid = valid_markers(root, false)?;
    let listed: BTreeSet<PathBuf> = valid
        .values()
        .flat_map(|m| m.tables.values().map(|p| root.join(&p.file)))
        .collect();

    for entry in read_dir_sorted(root)? {
        let name = entry.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('_') || !entry.is_dir() {
            continue;
        }
        for file in read_dir_sorted(&entry)? {
            let fname = file.file_name().unwrap_or_default().to_string_lossy();
            match parse_numbered(&fname, "part-", ".parquet") {
                Some(b) if owned(b) && !listed.contains(&file) => remove_if_exists(&file)?,
                _ => {}
            }
        }
    }

    let commits = root.join(COMMITS_DIR);
    if commits.is_dir() {
        for file in read_dir_sorted(&commits)? {
            let fname = file.file_name().unwrap_or_default().to_string_lossy();
            match parse_numbered(&fname, "batch-", ".json") {
                Some(b) if owned(b) && !valid.contains_key(&b) => remove_if_exists(&file)?,
                _ => {}
            }
        }
    }

    if tmp.is_dir() {
        empty_dir(tmp)?;
    }
    Ok(())
}

/// Markers that parse, name their own batch and whose files exist (and match, with `verify`).
fn valid_markers(root: &Path, verify: bool) -> Result<BTreeMap<u32, CommitMarker>, OutputError> {
    let commits = root.join(COMMITS_DIR);
    let mut out = BTreeMap::new();
    if !commits.is_dir() {
        return Ok(out);
    }
    for path in read_dir_sorted(&commits)? {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(batch) = parse_numbered(&name, "batch-", ".json") else {
            continue;
        };
        let Ok(marker) = read_json::<CommitMarker>(&path) else {
            continue;
        };
        if marker.batch != batch {
            continue;
        }
        let mut ok = true;
        for part in marker.tables.values() {
            if !part_is_intact(&root.join(&part.file), part, verify)? {
                ok = false;
                break;
            }
        }
        if ok {
            out.insert(batch, marker);
        }
    }
    Ok(out)
}

fn part_is_intact(path: &Path, part: &PartInfo, verify: bool) -> Result<bool, OutputError> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err(path)(e)),
    };
    if !meta.is_file() {
        return Ok(false);
    }
    if !verify {
        return Ok(true);
    }
    if meta.len() != part.bytes {
        return Ok(false);
    }
    Ok(sha256_file(path)? == part.sha256)
}

fn sha256_file(path: &Path) -> Result<String, OutputError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, OutputError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Entries of `dir` as paths, sorted by name.
fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        out.push(entry.map_err(io_err(dir))?.path());
    }
    out.sort();
    Ok(out)
}

fn empty_dir(dir: &Path) -> Result<(), OutputError> {
    for path in read_dir_sorted(dir)? {
        if path.is_dir() {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        } else {
            remove_if_exists(&path)?;
        }
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
    }
}

/// Makes renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), OutputError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Bytes buffered between the Parquet writer and a part file. Several batches are encoded at
/// once in a sweep, each with one part open; a large buffer per part only adds to the peak.
const PART_WRITE_BUFFER: usize = 64 * 1024;

/// Encodes `table`'s part into `tmp` and flushes it to the operating system; returns the open
/// file (still to be synced), its size and its SHA-256.
fn encode_part(
    tmp: &Path,
    table: &str,
    batch: &arrow_array::RecordBatch,
) -> Result<(File, u64, String), OutputError> {
    let file = File::create(tmp).map_err(io_err(tmp))?;
    let writer = HashingWriter {
        // Parquet hands over whole encoded pages; a small buffer only batches their writes.
        inner: BufWriter::with_capacity(PART_WRITE_BUFFER, file),
        hasher: Sha256::new(),
        len: 0,
    };
    let writer = write_parquet(table, batch, writer).map_err(|source| OutputError::Parquet {
        path: tmp.to_path_buf(),
        source,
    })?;
    let HashingWriter { inner, hasher, len } = writer;
    let file = inner
        .into_inner()
        .map_err(|e| io_err(tmp)(e.into_error()))?;
    Ok((file, len, hex(&hasher.finalize())))
}

/// Writes `bytes` to `tmp`, `fsync`s it, then moves it to `dest`.
fn write_file_atomic(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let file = write_unsynced(tmp, bytes)?;
    file.sync_all().map_err(io_err(tmp))?;
    drop(file);
    fs::rename(tmp, dest).map_err(io_err(dest))
}

/// Creates `tmp` holding `bytes` and returns it open, not yet `fsync`ed: the first half of
/// [`write_file_atomic`], for callers that sync several files at once before renaming them.
fn write_unsynced(tmp: &Path, bytes: &[u8]) -> Result<File, OutputError> {
    let mut file = File::create(tmp).map_err(io_err(tmp))?;
    file.write_all(bytes).map_err(io_err(tmp))?;
    Ok(file)
}
