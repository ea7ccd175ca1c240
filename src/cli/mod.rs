//! The `faasim` command line (CLI only): parse arguments, call the library, map errors to exit
//! codes. Nothing here is part of the library's API.
//!
//! Exit status: 0 success; 1 a run failed or output could not be written; 2 bad input (an
//! invalid scenario or argument), in which case nothing is written.

/// `println!` that ignores a closed stdout (`faasim … | head`): the work is done by the time we
/// print, so a reader that went away must not turn success into a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed stderr (see [`outln!`]).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod bench;
mod report;
mod run_summary;
mod signals;
mod sweep;
mod validate;
mod verify;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use faasim::config::{ConfigError, Scenario};
use faasim::metrics::RunStatus;
use faasim::output::DatasetWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "faasim",
    version,
    about = "Deterministic simulator of serverless (FaaS) platforms and parallel experiment runner"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario with one seed and write its tables as a Parquet dataset.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Master seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory (replaced only if it holds nothing but an earlier faasim dataset).
        #[arg(long, default_value = "out/run")]
        out: PathBuf,
        /// Override a scenario value by key path, e.g. `--set workloads.0.rate.constant.rps=40`;
        /// `*` is every array element, quotes keep a key with dots whole (`labels."a.b"=x`).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Write the telemetry columns of `runs` (wall clock, peak RSS, provenance) as null
        /// (byte-identical reruns on any machine).
        #[arg(long)]
        no_telemetry: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a parameter sweep in parallel and write one Parquet dataset (see docs/sweeps.md).
    Sweep {
        /// Sweep file (TOML).
        spec: PathBuf,
        /// Output directory (a dataset of this sweep, or new, or empty).
        #[arg(long, required_unless_present = "dry_run")]
        out: Option<PathBuf>,
        /// Worker threads (0 = every core).
        #[arg(long, short, default_value_t = 0)]
        jobs: usize,
        /// Run only the batches b with b mod N == K (e.g. a Slurm array task).
        #[arg(long, value_name = "K/N")]
        shard: Option<faasim::sweep::Shard>,
        /// Skip batches already committed in --out.
        #[arg(long)]
        resume: bool,
        /// With --resume: re-check the size and SHA-256 of every committed part.
        #[arg(long, requires = "resume")]
        verify: bool,
        /// Print the run count and the first runs; run nothing, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the telemetry columns of `runs` (wall clock, peak RSS, provenance) as null
        /// (byte-identical reruns on any machine).
        #[arg(long)]
        no_telemetry: bool,
        /// Accept an output directory written by another faasim version.
        #[arg(long)]
        allow_version_change: bool,
        /// Print nothing but errors (no progress bar, no summary).
        #[arg(long, short)]
        quiet: bool,
        /// Override a base-scenario value before expansion, as `faasim run --set`
        /// (e.g. `--set outputs.histogram_function_metrics='["response"]'`); swept keys still win.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Determinism check: start runs in reverse order (the files must not change).
        #[arg(long, hide = true)]
        debug_reverse_order: bool,
    },
    /// Print the `faasim run` command that reproduces one run of a sweep.
    Repro {
        /// A sweep's output directory.
        out: PathBuf,
        /// The run's `run_id` (16 hex characters).
        run_id: String,
    },
    /// Check a dataset: committed batches against their markers, leftovers of a crash.
    Verify {
        /// A run's or sweep's output directory.
        out: PathBuf,
        /// Remove part files that belong to no committed batch.
        #[arg(long)]
        clean: bool,
    },
    /// Benchmark scenarios, one `faasim run` process each: invocations/s, events/s, CPU ns per
    /// invocation, wall and CPU time, peak RSS (see docs/performance.md).
    Bench {
        /// Scenario files (default: the suite in experiments/bench/).
        scenarios: Vec<PathBuf>,
        /// Override every scenario's `run.horizon_s`.
        #[arg(long)]
        horizon_s: Option<f64>,
        /// Override a scenario value in every run, as `faasim run --set`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Master seed of every run.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for the runs' datasets (default: a temporary directory).
        #[arg(long)]
        scratch: Option<PathBuf>,
        /// Also write the results as JSON to FILE (`-`: JSON on stdout instead of the table).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Check scenario and sweep files without running them (a sweep: every variant).
    Validate {
        /// Scenario or sweep files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// An error that means "bad input": exit status 2.
#[derive(Debug)]
pub(crate) struct BadInput(pub(crate) String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BadInput {}

impl From<ConfigError> for BadInput {
    fn from(e: ConfigError) -> Self {
        BadInput(e.to_string())
    }
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            overrides,
            no_telemetry,
            quiet,
        } => cmd_run(&scenario, seed, &out, &overrides, !no_telemetry, quiet),
        Command::Validate { files } => cmd_validate(&files),
        Command::Sweep {
            spec,
            out,
            jobs,
            shard,
            resume,
            verify,
            dry_run,
            no_telemetry,
            allow_version_change,
            quiet,
            overrides,
            debug_reverse_order,
        } => {
            let opts = faasim::sweep::SweepOptions {
                jobs,
                shard: shard.unwrap_or(faasim::sweep::Shard::ALL),
                resume,
                verify,
                allow_version_change,
                telemetry: !no_telemetry,
                progress: !quiet,
                command: std::env::args().collect(),
                reverse_order: debug_reverse_order,
                stop: None,
            };
            if dry_run {
                sweep::dry_run(&spec, &overrides, &opts)
            } else {
                let out = out.expect("clap requires --out without --dry-run");
                let opts = faasim::sweep::SweepOptions {
                    stop: Some(signals::install()),
                    ..opts
                };
                sweep::sweep(&spec, &overrides, &out, &opts, quiet)
            }
        }
        Command::Repro { out, run_id } => sweep::repro(&out, &run_id),
        Command::Verify { out, clean } => verify::verify(&out, clean),
        Command::Bench {
            scenarios,
            horizon_s,
            overrides,
            seed,
            scratch,
            json,
        } => bench::bench(&bench::BenchOptions {
            scenarios,
            horizon_s,
            overrides,
            seed,
            scratch,
            json,
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            errln!("error: {}", report::render(&e));
            if e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Loads a scenario file and applies `KEY=VALUE` overrides.
fn load(path: &Path, overrides: &[String]) -> Result<Scenario> {
    if overrides.is_empty() {
        return Ok(faasim::config::load_scenario(path).map_err(BadInput::from)?);
    }
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| BadInput(format!("{file}: cannot read: {e}")))?;
    let mut value = faasim::config::parse_toml_value(&text, &file).map_err(BadInput::from)?;
    for o in overrides {
        let (key, raw) = faasim::config::split_assignment(o)
            .ok_or_else(|| BadInput(format!("--set {o}: expected KEY=VALUE")))?;
        // The same limit, and the same message, as for the number written in the file.
        if let Some(message) = faasim::config::integers::out_of_range_integer(raw) {
            let e = faasim::config::ConfigError::new(&file, key.trim(), message);
            return Err(BadInput(format!("--set {o}: {e}")).into());
        }
        let v = parse_override_value(raw);
        faasim::config::set_by_key_path(&mut value, key.trim(), v)
            .map_err(|e| BadInput(format!("--set {o}: {e}")))?;
    }
    let mut sc = faasim::config::scenario_from_value(value, &file).map_err(BadInput::from)?;
    // As `load_scenario` does: files the scenario names are relative to its folder.
    sc.topology.base_dir = path.parent().map(Path::to_path_buf);
    Ok(sc)
}

/// A TOML value (number, boolean, array, inline table, quoted string), else a bare string.
pub(crate) fn parse_override_value(raw: &str) -> toml::Value {
    let doc = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or(toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

fn cmd_validate(files: &[PathBuf]) -> Result<ExitCode> {
    for f in files {
        let ok = validate::validate_file(f, |f| {
            let sc = load(f, &[])?;
            // Compiling resolves names the file refers to (node types, scheduler profile, commands).
            faasim::model::Model::compile(&sc)
                .map_err(|e| BadInput(format!("{}: {e}", f.display())))?;
            Ok(())
        })?;
        outln!("{ok}");
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_run(
    path: &Path,
    seed: u64,
    out: &Path,
    overrides: &[String],
    telemetry: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let sc = load(path, overrides)?;
    let model = faasim::model::Model::compile(&sc)
        .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let sim = faasim::sim::Simulation::new(&model, seed);
    check_replaceable(out)?;

    let params = overrides
        .iter()
        .filter_map(|o| faasim::config::split_assignment(o))
        .map(|(k, v)| (k.trim().to_string(), param_value(&parse_override_value(v))))
        .collect();
    let id = faasim::identity(&sc, seed, 0, "", params);
    let command: Vec<String> = std::env::args().collect();
    let provenance = std::sync::Arc::new(faasim::provenance::ProcessProvenance::current(&command));
    let mut output = sim.run(id);
    model
        .outputs
        .histogram_function_metrics
        .retain_in(&mut output);
    // Telemetry (nulled again by the writer under --no-telemetry): docs/outputs.md, "Provenance".
    output.run.started_at = Some(provenance.started_at.clone());
    output.run.peak_rss_bytes = faasim::provenance::peak_rss_bytes();
    output.run.provenance = Some(std::sync::Arc::clone(&provenance));

    let manifest = serde_json::json!({
        "kind": "run",
        "faasim_version": faasim::VERSION,
        "command": command,
        "provenance": provenance.to_json(),
        "scenario_file": path.display().to_string(),
        "scenario": sc.name,
        "seed": seed,
        "overrides": overrides,
        "runs": 1,
        "runs_per_batch": 1,
    });
    let _lock = faasim::output::OutputLock::acquire(out, "", faasim::output::LockMode::Exclusive)?;
    // Checked again under the lock: another writer may have changed it meanwhile.
    check_replaceable(out)?;
    faasim::output::remove_stale_staging(out)?;
    let tmp = faasim::output::staging_sibling(out, "tmp");
    let old = faasim::output::staging_sibling(out, "old");
    let write = || -> Result<()> {
        let writer = DatasetWriter::create(&tmp, &manifest)?;
        writer.write_batch(0, std::slice::from_ref(&output), telemetry)?;
        std::fs::remove_dir_all(tmp.join("_tmp")).ok();
        // Move the old dataset aside, put the new one in place, then delete the old one: at
        // no moment is there neither.
        let replaced = out.exists();
        if replaced {
            std::fs::rename(out, &old)
                .with_context(|| format!("moving {} aside", out.display()))?;
        }
        std::fs::rename(&tmp, out)
            .with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
        if replaced {
            std::fs::remove_dir_all(&old)
                .with_context(|| format!("removing the replaced {}", old.display()))?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        std::fs::remove_dir_all(&tmp).ok();
        if !out.exists() && old.exists() {
            std::fs::rename(&old, out).ok();
        }
        return Err(e);
    }
    if !quiet {
        run_summary::print_run(&output, out);
    }
    Ok(match output.run.status {
        RunStatus::Ok => ExitCode::SUCCESS,
        _ => {
            errln!(
                "error: run failed ({}): {}",
                output.run.status.as_str(),
                output.run.error.as_deref().unwrap_or("")
            );
            ExitCode::from(1)
        }
    })
}

/// `out` may be replaced only if it does not exist, is empty, or holds a faasim dataset and
/// nothing else, and is not the working directory or one of its ancestors.
fn check_replaceable(out: &Path) -> Result<()> {
    let refuse = |e: faasim::output::OutputError| BadInput(format!("--out {e}"));
    faasim::output::refuse_working_directory(out).map_err(refuse)?;
    match faasim::output::classify_output(out) {
        Ok(_) => Ok(()),
        Err(e @ faasim::output::OutputError::Invalid { .. }) => Err(refuse(e).into()),
        Err(e) => Err(e.into()),
    }
}

fn param_value(v: &toml::Value) -> faasim::metrics::ParamValue {
    use faasim::metrics::ParamValue;
    match v {
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(f) => ParamValue::Float(*f),
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        other => ParamValue::Str(other.to_string()),
    }
}
