//! `faasim bench`: runs benchmark scenarios one at a time, each as its own `faasim run` process,
//! and reports per scenario how fast the whole process simulated (docs/performance.md).
//!
//! Each scenario runs in a child process so that its CPU time and peak RSS come from the kernel's
//! accounting of that process alone (`wait4`), start-up and output writing included — the same
//! quantities `/usr/bin/time` reports for dslab-faas in the side-by-side. The counts (requests,
//! events) come from the `runs` table the child wrote.
//!
//! A short run's CPU time is mostly fixed cost (start-up, building the cluster, writing and
//! `fsync`ing the tables), so each scenario also runs once with a horizon of one microsecond,
//! which simulates next to nothing: its CPU time is reported as the fixed cost, and the
//! difference, per invocation, as the *marginal* cost of an invocation.

use anyhow::{bail, Context, Result};
use arrow_array::{Array, Int64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The shipped suite, in the order it is reported (relative to the working directory).
pub const DEFAULT_SCENARIOS: [&str; 7] = [
    "experiments/bench/S.toml",
    "experiments/bench/M.toml",
    "experiments/bench/L.toml",
    "experiments/bench/XL.toml",
    "experiments/bench/azure-like-one.toml",
    "experiments/bench/azure-like-watchdog.toml",
    "experiments/bench/azure-like-fork.toml",
];

/// What `faasim bench` was asked to do.
pub struct BenchOptions {
    /// Scenario files; empty means [`DEFAULT_SCENARIOS`].
    pub scenarios: Vec<PathBuf>,
    /// Overrides `run.horizon_s` of every scenario.
    pub horizon_s: Option<f64>,
    /// Extra `--set KEY=VALUE` passed to every run.
    pub overrides: Vec<String>,
    /// Seed of every run.
    pub seed: u64,
    /// Where the runs write their datasets (a fresh temporary directory when unset).
    pub scratch: Option<PathBuf>,
    /// Also write the results as JSON to this file (`-` = stdout, then no table).
    pub json: Option<PathBuf>,
}

/// One scenario's measurements.
#[derive(Debug, Serialize)]
pub struct BenchResult {
    /// Scenario file as given.
    pub scenario: String,
    /// Requests the run simulated (`runs.requests`).
    pub invocations: i64,
    /// Events the run handled (`runs.events_processed`).
    pub events: i64,
    /// Wall-clock seconds of the whole `faasim run` process.
    pub wall_s: f64,
    /// User + system CPU seconds of that process.
    pub cpu_s: f64,
    /// Its peak resident set size in bytes (`ru_maxrss`).
    pub peak_rss_bytes: u64,
    /// `invocations / wall_s`.
    pub invocations_per_s: f64,
    /// `events / wall_s`.
    pub events_per_s: f64,
    /// `cpu_s / invocations`, in nanoseconds: the figure to compare on a shared machine.
    pub cpu_ns_per_invocation: f64,
    /// CPU seconds of the same scenario run with a 1 µs horizon: start-up, cluster build, output.
    pub fixed_cpu_s: f64,
    /// `(cpu_s - fixed_cpu_s) / invocations`, in nanoseconds: what one more invocation costs.
    pub marginal_cpu_ns_per_invocation: f64,
}

/// `run.horizon_s` of the run that measures a scenario's fixed cost: valid (> 0), and too short
/// for any request to arrive.
const FIXED_COST_HORIZON_S: f64 = 1e-6;

/// Resource use of a finished child, from `wait4`.
struct ChildUsage {
    success: bool,
    cpu_s: f64,
    peak_rss_bytes: u64,
}

/// Waits for process `pid` and returns its exit status and resource use.
fn wait_with_usage(pid: u32) -> Result<ChildUsage> {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(pid).context("child pid out of range")?;
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err).context("waiting for the benchmark run");
        }
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(ChildUsage {
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        cpu_s: secs(usage.ru_utime) + secs(usage.ru_stime),
        // Linux reports kilobytes.
        peak_rss_bytes: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    })
}

/// `(requests, events_processed)` from the `runs` table of a `faasim run` dataset.
fn run_counts(dataset: &Path) -> Result<(i64, i64)> {
    let part = dataset.join("runs").join("part-000000.parquet");
    let file = std::fs::File::open(&part).with_context(|| format!("opening {}", part.display()))?;
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    let batch = reader
        .next()
        .with_context(|| format!("{}: no rows", part.display()))??;
    let column = |name: &str| -> Result<i64> {
        let col = batch
            .column_by_name(name)
            .with_context(|| format!("{}: no column {name}", part.display()))?;
        let values = col
            .as_any()
            .downcast_ref::<Int64Array>()
            .with_context(|| format!("{}: {name} is not Int64", part.display()))?;
        if values.is_empty() {
            bail!("{}: no rows", part.display());
        }
        Ok(values.value(0))
    };
    Ok((column("requests")?, column("events_processed")?))
}

/// Runs one scenario in a child `faasim run` (with `run.horizon_s = horizon_s` if given) and
/// returns its resource use.
fn run_child(
    scenario: &Path,
    out: &Path,
    opts: &BenchOptions,
    horizon_s: Option<f64>,
) -> Result<(ChildUsage, f64)> {
    let exe = std::env::current_exe().context("locating the faasim binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .arg(scenario)
        .arg("--seed")
        .arg(opts.seed.to_string())
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if let Some(h) = horizon_s {
        cmd.arg("--set").arg(format!("run.horizon_s={h:?}"));
    }
    for o in &opts.overrides {
        cmd.arg("--set").arg(o);
    }
    let start = Instant::now();
    let child = cmd.spawn().context("starting faasim run")?;
    let usage = wait_with_usage(child.id())?;
    let wall_s = start.elapsed().as_secs_f64();
    if !usage.success {
        bail!("faasim run {} failed", scenario.display());
    }
    Ok((usage, wall_s))
}

/// Runs one scenario in a child `faasim run` and measures it, then measures its fixed cost.
fn bench_one(scenario: &Path, out: &Path, opts: &BenchOptions) -> Result<BenchResult> {
    let (usage, wall_s) = run_child(scenario, out, opts, opts.horizon_s)?;
    let (invocations, events) = run_counts(out)?;
    std::fs::remove_dir_all(out).ok();
    let (fixed, _) = run_child(scenario, out, opts, Some(FIXED_COST_HORIZON_S))?;
    let fixed_cpu_s = fixed.cpu_s;
    let per = |n: i64, d: f64| if d > 0.0 { n as f64 / d } else { 0.0 };
    Ok(BenchResult {
        scenario: scenario.display().to_string(),
        invocations,
        events,
        wall_s,
        cpu_s: usage.cpu_s,
        peak_rss_bytes: usage.peak_rss_bytes,
        invocations_per_s: per(invocations, wall_s),
        events_per_s: per(events, wall_s),
        cpu_ns_per_invocation: if invocations > 0 {
            usage.cpu_s * 1e9 / invocations as f64
        } else {
            0.0
        },
        fixed_cpu_s,
        marginal_cpu_ns_per_invocation: if invocations > 0 {
            (usage.cpu_s - fixed_cpu_s) * 1e9 / invocations as f64
        } else {
            0.0
        },
    })
}

/// The results as a fixed-width table.
fn table(results: &[BenchResult]) -> String {
    let width = results
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut s = format!(
        "{:width$}  {:>11} {:>12} {:>10} {:>12} {:>12} {:>8} {:>8} {:>8} {:>9}\n",
        "scenario",
        "invocations",
        "invocations/s",
        "events/s",
        "ns/inv (cpu)",
        "marginal ns",
        "wall s",
        "cpu s",
        "fixed s",
        "rss MiB"
    );
    for r in results {
        s += &format!(
            "{:width$}  {:>11} {:>13.0} {:>10.0} {:>12.0} {:>12.0} {:>8.3} {:>8.3} {:>8.3} {:>9.1}\n",
            r.scenario,
            r.invocations,
            r.invocations_per_s,
            r.events_per_s,
            r.cpu_ns_per_invocation,
            r.marginal_cpu_ns_per_invocation,
            r.wall_s,
            r.cpu_s,
            r.fixed_cpu_s,
            r.peak_rss_bytes as f64 / (1024.0 * 1024.0),
        );
    }
    s
}

/// `faasim bench`: every scenario in turn, never two at once.
pub fn bench(opts: &BenchOptions) -> Result<ExitCode> {
    let scenarios: Vec<PathBuf> = if opts.scenarios.is_empty() {
        DEFAULT_SCENARIOS.iter().map(PathBuf::from).collect()
    } else {
        opts.scenarios.clone()
    };
    let _tmp;
    let scratch = match &opts.scratch {
        Some(d) => d.clone(),
        None => {
            _tmp = TempDir::new()?;
            _tmp.0.clone()
        }
    };
    let json_to_stdout = opts.json.as_deref() == Some(Path::new("-"));
    let mut results = Vec::new();
    for (i, scenario) in scenarios.iter().enumerate() {
        let out = scratch.join(format!("bench-{i}"));
        let r = bench_one(scenario, &out, opts)?;
        std::fs::remove_dir_all(&out).ok();
        if !json_to_stdout {
            errln!(
                "bench: {}: {:.0} ns/invocation ({:.0} marginal, {:.3} s fixed)",
                r.scenario,
                r.cpu_ns_per_invocation,
                r.marginal_cpu_ns_per_invocation,
                r.fixed_cpu_s
            );
        }
        results.push(r);
    }
    let json = serde_json::to_string_pretty(&results)?;
    match &opts.json {
        Some(_) if json_to_stdout => outln!("{json}"),
        Some(p) => {
            std::fs::write(p, format!("{json}\n"))
                .with_context(|| format!("writing {}", p.display()))?;
            outln!("{}", table(&results).trim_end());
        }
        None => outln!("{}", table(&results).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let dir = std::env::temp_dir().join(format!("faasim-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}
