//! The parallel runner: runs of a sweep on a local rayon pool, one run per task, each
//! single-threaded. A finished run is handed to the [`Collector`]; the task that hands in a
//! batch's last run hands the batch to the [`EncodeQueue`], which lets at most one worker in four
//! encode and hash at a time, and encoded batches go to one committer thread that makes them
//! durable (docs/sweeps.md, "Streaming and memory").
//!
//! Encoding a batch (Arrow, Parquet, ZSTD, SHA-256) costs about a tenth of the CPU of the short
//! runs that fill it, so it is done on the workers, not on one thread of its own: batches write
//! disjoint part files and commit markers, so they can be written in any order and at the same
//! time, and the dataset is byte for byte the same whatever the number of threads. Encoding on
//! the thread that completes the batch, rather than as a task queued behind the runs already
//! started, lets the last batches' encoding overlap the last runs and keeps no finished batch
//! waiting in memory; the limit on encoders at once keeps their buffers from adding up.
//!
//! Memory stays flat with the number of runs: runs are started in `run_index` order and only
//! while fewer than [`window_runs`] (two batches, or more with many workers) are started but not yet
//! encoded; the expansion itself is computed on demand. The oldest unencoded batch always has
//! all its runs started and a queued batch always has an encoder coming to it, so the window
//! never deadlocks.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::collect::Collector;
use super::encoders::{encoders_for, EncodeQueue};
use super::manifest::{check_existing, manifest, with_shard_history, Existing};
use super::options::{Shard, SweepError, SweepOptions};
use super::plan::Sweep;
use super::progress::Progress;
use crate::metrics::RunOutput;
use crate::output::dataset::TMP_DIR;
use crate::output::{
    clean_uncommitted_shard, commit_file_name, committed_batches, shard_tmp_dir, verified_batches,
    DatasetWriter, LockMode, OutputError, OutputLock, StagedBatch,
};
use crate::provenance::{peak_rss_bytes, ProcessProvenance};
use crate::scheduler::SchedulerRegistry;

/// The most worker threads a sweep starts: each has its own stack, and far more threads than
/// cores only cost memory.
pub const MAX_JOBS: usize = 1024;

/// What a sweep (or shard) did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepSummary {
    /// Runs in the whole sweep.
    pub runs_total: u32,
    /// Runs in this shard's batches.
    pub shard_runs: u64,
    /// Runs skipped because their batch was already committed (`--resume`).
    pub skipped_runs: u64,
    /// Runs executed now.
    pub executed: u64,
    /// Of those, status `ok`.
    pub ok: u64,
    /// Of those, status `error` or `timeout`.
    pub failed: u64,
    /// Batches written now.
    pub batches_written: u32,
    /// Batches skipped (already committed).
    pub batches_skipped: u32,
    /// The failed run with the smallest `run_index` executed now, with its error.
    pub first_failure: Option<(u32, String)>,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock seconds of the execution.
    pub wall_s: f64,
    /// A stop request (SIGINT, SIGTERM) ended the sweep before all its batches ran; those
    /// that ran are committed.
    pub interrupted: bool,
}

/// Runs `sweep` like [`run_sweep`], with the user-written `schedulers` available to its runs: a
/// variant whose `scheduler.profile` names one of them runs with it. This is how a program runs
/// a sweep file over its own schedulers (`docs/schedulers.md`, "Your own scheduler in a sweep";
/// `examples/custom_scheduler.rs`).
pub fn run_with(
    sweep: &Sweep,
    out: &Path,
    opts: &SweepOptions,
    schedulers: &SchedulerRegistry,
) -> Result<SweepSummary, SweepError> {
    run_sweep(
        &sweep.clone().with_schedulers(schedulers.clone()),
        out,
        opts,
    )
}

/// Runs `sweep` (this shard of it) into the dataset directory `out`; see the module docs.
///
/// `out` must not exist, be empty, or hold a dataset of the same sweep (same `sweep_id`, schema
/// version, `runs_per_batch` and, unless `allow_version_change`, faasim version). Without
/// `resume` this shard's batches are recomputed; with it, committed batches are skipped.
/// Leftovers of this shard's uncommitted batches are removed in either case; other shards'
/// batches are never touched, so shards may share the directory while they run.
pub fn run_sweep(
    sweep: &Sweep,
    out: &Path,
    opts: &SweepOptions,
) -> Result<SweepSummary, SweepError> {
    let shard = opts.shard;
    if shard.count == 0 || shard.index >= shard.count {
        return Err(SweepError::Usage(format!("--shard {shard}: K must be < N")));
    }
    if opts.jobs > MAX_JOBS {
        return Err(SweepError::Usage(format!(
            "--jobs {}: at most {MAX_JOBS} worker threads (0 = one per core)",
            opts.jobs
        )));
    }
    let _locks = lock_output(out, shard)?;
    let existing = check_existing(out, sweep, opts)?;
    let own: Vec<u32> = (0..sweep.batches()).filter(|&b| shard.owns(b)).collect();
    if existing == Existing::SameSweep && !opts.resume {
        // A fresh start recomputes this shard's batches: forget their commits first, so that
        // a batch is never half old and half new.
        for &b in &own {
            let marker = out.join("_commits").join(commit_file_name(b));
            match std::fs::remove_file(&marker) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(OutputError::Io {
                        path: marker,
                        source: e,
                    }
                    .into())
                }
                _ => {}
            }
        }
    }

    let command: Vec<String> = if opts.command.is_empty() {
        std::env::args().collect()
    } else {
        opts.command.clone()
    };
    let provenance = Arc::new(ProcessProvenance::current(&command));
    let writer = {
        // Shards starting together each add their entry to the manifest's shard history.
        let _manifest_lock = OutputLock::acquire_waiting(
            out,
            ".manifest",
            LockMode::Exclusive,
            Duration::from_secs(60),
        )?;
        let manifest = with_shard_history(manifest(sweep, opts, &provenance), out);
        DatasetWriter::create_shard(out, &manifest, shard.index, shard.count)?
    }
    .with_param_columns(sweep.param_columns());
    clean_uncommitted_shard(out, shard.index, shard.count)?;
    let committed = match (opts.resume, opts.verify) {
        (false, _) => Default::default(),
        (true, false) => committed_batches(out)?,
        (true, true) => verified_batches(out)?,
    };
    let mut pending: Vec<u32> = own
        .iter()
        .copied()
        .filter(|b| !committed.contains(b))
        .collect();
    let runs_of =
        |bs: &[u32]| -> u64 { bs.iter().map(|&b| sweep.batch_runs(b).len() as u64).sum() };

    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let mut summary = SweepSummary {
        runs_total: sweep.runs(),
        shard_runs: runs_of(&own),
        skipped_runs: runs_of(&own) - runs_of(&pending),
        batches_skipped: (own.len() - pending.len()) as u32,
        jobs,
        ..Default::default()
    };
    let start = Instant::now();
    let progress = Progress::new(runs_of(&pending), opts.progress);
    if opts.reverse_order {
        pending.reverse();
    }
    let done = execute(sweep, &writer, &pending, jobs, opts, progress, &provenance)?;
    // This shard's staging directory is empty now; `_tmp/` goes too unless another shard
    // still uses it (removing a non-empty directory fails, which is fine).
    let _ = std::fs::remove_dir(out.join(shard_tmp_dir(shard.index, shard.count)));
    let _ = std::fs::remove_dir(out.join(TMP_DIR));
    summary.executed = done.executed;
    summary.ok = done.executed - done.failed;
    summary.failed = done.failed;
    summary.batches_written = done.batches_written;
    summary.first_failure = done.first_failure;
    summary.wall_s = start.elapsed().as_secs_f64();
    summary.interrupted = (done.batches_written as usize) < pending.len();
    Ok(summary)
}

/// Locks `out` against every other writer but the other shards of this sweep: a whole sweep
/// alone, a shard shared with other shards but exclusively for its own index.
fn lock_output(out: &Path, shard: Shard) -> Result<Vec<OutputLock>, SweepError> {
    if shard.count == 1 {
        return Ok(vec![OutputLock::acquire(out, "", LockMode::Exclusive)?]);
    }
    let dataset = OutputLock::acquire(out, "", LockMode::Shared)?;
    let own = OutputLock::acquire(
        out,
        &format!(".shard-{}-of-{}", shard.index, shard.count),
        LockMode::Exclusive,
    )
    .map_err(|e| match e {
        OutputError::Locked { holder, .. } => SweepError::Usage(format!(
            "--out {}: shard {shard} is already being written by {}",
            out.display(),
            holder.map_or("another faasim process".into(), |p| format!("PID {p}"))
        )),
        e => e.into(),
    })?;
    Ok(vec![own, dataset])
}

/// Counts of [`execute`].
struct Done {
    executed: u64,
    failed: u64,
    batches_written: u32,
    first_failure: Option<(u32, String)>,
}

/// Runs the batches `pending` in the given order on `jobs` threads and writes them.
///
/// Each run is a task on the pool; the task that finishes a batch's last run encodes the batch
/// right away (see the module docs), and one committer thread makes encoded batches durable.
fn execute(
    sweep: &Sweep,
    writer: &DatasetWriter,
    pending: &[u32],
    jobs: usize,
    opts: &SweepOptions,
    progress: Progress,
    provenance: &Arc<ProcessProvenance>,
) -> Result<Done, SweepError> {
    let telemetry = opts.telemetry;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("faasim-run-{i}"))
        .build()
        .map_err(|e| SweepError::Threads(e.to_string()))?;
    let rpb = sweep.runs_per_batch as usize;
    let window = Window::new(window_runs(rpb, jobs));
    let collector = Mutex::new(Collector::new(sweep, progress));
    let encoders = EncodeQueue::new(encoders_for(jobs));
    let failure: Mutex<Option<OutputError>> = Mutex::new(None);
    let written = AtomicU32::new(0);
    // Encoded batches waiting for the committer. The bound keeps the staged files few: an
    // encoder waits for a slot while the disk falls behind.
    let (staged_tx, staged_rx) = sync_channel::<StagedBatch>(jobs + 1);

    std::thread::scope(|threads| {
        let committer =
            threads.spawn(|| commit_batches(writer, staged_rx, &window, &failure, &written));
        pool.in_place_scope_fifo(|tasks| {
            'feed: for &b in pending {
                // A stop request: start no new batch; those started finish and are written.
                if opts
                    .stop
                    .is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
                {
                    break 'feed;
                }
                let runs = sweep.batch_runs(b);
                let runs: Vec<u32> = if opts.reverse_order {
                    runs.rev().collect()
                } else {
                    runs.collect()
                };
                for i in runs {
                    if !window.acquire() {
                        break 'feed;
                    }
                    let (window, collector, encoders, failure, staged_tx) =
                        (&window, &collector, &encoders, &failure, &staged_tx);
                    tasks.spawn_fifo(move |_| {
                        if window.aborted() {
                            return;
                        }
                        let out = run_one(sweep, i, telemetry, provenance);
                        let complete = collector.lock().expect("collector lock").add(out);
                        if let Some(batch) = complete {
                            encoders.submit(batch, |(b, runs)| {
                                encode_one(writer, b, runs, telemetry, window, failure, staged_tx)
                            });
                        }
                    });
                }
            }
        });
        drop(staged_tx);
        committer
            .join()
            .expect("the committer thread does not panic");
    });
    let collector = collector.into_inner().expect("collector lock");
    debug_assert!(collector.is_empty() || window.aborted());
    let counts = collector.finish();
    match failure.into_inner().expect("failure lock") {
        Some(e) => Err(e.into()),
        None => Ok(Done {
            executed: counts.executed,
            failed: counts.failed,
            batches_written: written.into_inner(),
            first_failure: counts.first_failure,
        }),
    }
}

/// Runs a sweep may have started but not yet encoded with batches of `runs_per_batch` runs and
/// `jobs` workers: a whole batch, so that the oldest batch not yet encoded can always be
/// completed, plus at least another batch or four runs per worker, so that while a batch is
/// encoded (about as long as four short runs on an idle machine, much longer when the encoder
/// waits for the committer or for a core) the other workers go on simulating the next one. Each
/// run in the window holds its output in memory until its batch is encoded, so this bounds a
/// sweep's memory whatever its number of runs (docs/sweeps.md, "Streaming and memory").
pub fn window_runs(runs_per_batch: usize, jobs: usize) -> usize {
    (2 * runs_per_batch).max(runs_per_batch + 4 * jobs)
}

/// Executes one run; with telemetry, records its start time, the process's provenance and its
/// peak RSS so far.
fn run_one(
    sweep: &Sweep,
    run_index: u32,
    telemetry: bool,
    provenance: &Arc<ProcessProvenance>,
) -> RunOutput {
    let started_at = telemetry.then(crate::provenance::now_utc);
    let mut out = sweep.execute(run_index);
    if telemetry {
        out.run.started_at = started_at;
        out.run.provenance = Some(Arc::clone(provenance));
        out.run.peak_rss_bytes = peak_rss_bytes();
    }
    out
}

/// Encodes batch `b` on a worker; its runs' memory and window permits are freed before the
/// staged batch waits for the committer.
fn encode_one(
    writer: &DatasetWriter,
    b: u32,
    runs: Vec<RunOutput>,
    telemetry: bool,
    window: &Window,
    failure: &Mutex<Option<OutputError>>,
    staged_tx: &SyncSender<StagedBatch>,
) {
    if window.aborted() {
        return;
    }
    match writer.encode_batch(b, &runs, telemetry) {
        Ok(staged) => {
            let n = runs.len();
            drop(runs);
            window.release(n);
            // The committer only hangs up after an error, which it reports itself.
            let _ = staged_tx.send(staged);
        }
        Err(e) => {
            failure.lock().expect("failure lock").get_or_insert(e);
            window.abort();
        }
    }
}

/// The committer thread: commits staged batches until every encoder is done or an error closes
/// the window. It takes whatever has been staged since its last commit and commits it as one
/// group (`DatasetWriter::commit_batches`), so when the disk is slower than the encoders, groups
/// grow and the committer catches up instead of falling further behind.
fn commit_batches(
    writer: &DatasetWriter,
    staged: Receiver<StagedBatch>,
    window: &Window,
    failure: &Mutex<Option<OutputError>>,
    written: &AtomicU32,
) {
    while let Ok(first) = staged.recv() {
        let mut group = vec![first];
        group.extend(staged.try_iter());
        if window.aborted() {
            // Staged files of uncommitted batches are cleaned up by the next writer.
            continue;
        }
        let n = group.len() as u32;
        match writer.commit_batches(group) {
            Ok(()) => {
                written.fetch_add(n, Ordering::Relaxed);
            }
            Err(e) => {
                failure.lock().expect("failure lock").get_or_insert(e);
                window.abort();
            }
        }
    }
}

/// A counting semaphore over runs started but not yet written, which an error can close.
struct Window {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Window {
    fn new(permits: usize) -> Window {
        Window {
            state: Mutex::new((permits, false)),
            changed: Condvar::new(),
        }
    }

    /// Takes a permit, waiting for one; false once aborted.
    fn acquire(&self) -> bool {
        let mut s = self.state.lock().expect("window lock");
        loop {
            if s.1 {
                return false;
            }
            if s.0 > 0 {
                s.0 -= 1;
                return true;
            }
            s = self.changed.wait(s).expect("window lock");
        }
    }

    fn release(&self, n: usize) {
        self.state.lock().expect("window lock").0 += n;
        self.changed.notify_all();
    }

    fn abort(&self) {
        self.state.lock().expect("window lock").1 = true;
        self.changed.notify_all();
    }

    fn aborted(&self) -> bool {
        self.state.lock().expect("window lock").1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_blocks_at_zero_permits_and_reopens_on_release_or_abort() {
        let w = Window::new(1);
        assert!(w.acquire());
        std::thread::scope(|s| {
            let h = s.spawn(|| w.acquire());
            std::thread::sleep(std::time::Duration::from_millis(20));
            w.release(1);
            assert!(h.join().unwrap());
            let h = s.spawn(|| w.acquire());
            std::thread::sleep(std::time::Duration::from_millis(20));
            w.abort();
            assert!(!h.join().unwrap());
        });
        assert!(w.aborted());
    }

    #[test]
    fn peak_rss_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().unwrap() > 0);
        }
    }
}
