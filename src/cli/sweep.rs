//! The `sweep` and `repro` subcommands: load, call the library, print.

use anyhow::Result;
use faasim::sweep::{Sweep, SweepError, SweepOptions};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::BadInput;

/// Rows `--dry-run` shows.
const DRY_RUN_ROWS: u32 = 10;

/// The sweep file with `--set KEY=VALUE` applied to its base scenario.
fn load(spec: &Path, overrides: &[String]) -> Result<Sweep> {
    let parsed = overrides
        .iter()
        .map(|o| {
            let (key, raw) = faasim::config::split_assignment(o)
                .ok_or_else(|| BadInput(format!("--set {o}: expected KEY=VALUE")))?;
            Ok((key.trim().to_string(), super::parse_override_value(raw)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Sweep::load_with_overrides(spec, parsed).map_err(BadInput::from)?)
}

fn sweep_error(e: SweepError) -> anyhow::Error {
    if e.is_bad_input() {
        BadInput(e.to_string()).into()
    } else {
        e.into()
    }
}

/// `faasim sweep SPEC --dry-run`: the run count and the first runs with their ids.
pub fn dry_run(spec: &Path, overrides: &[String], opts: &SweepOptions) -> Result<ExitCode> {
    let sweep = load(spec, overrides)?;
    let mut s = String::new();
    let axes: Vec<String> = sweep
        .expansion
        .dimensions()
        .iter()
        .map(|d| format!("{} ({})", d.keys.join(" + "), d.len()))
        .chain([format!("seed ({})", sweep.expansion.seeds().len())])
        .collect();
    s += &format!(
        "sweep {} (sweep_id {}): {} runs = {}\n",
        sweep.name,
        sweep.sweep_id,
        sweep.runs(),
        axes.join(" × ")
    );
    s += &format!(
        "base scenario {}; {} batches of {} runs",
        sweep.scenario_file.display(),
        sweep.batches(),
        sweep.runs_per_batch
    );
    if opts.shard.count > 1 {
        let own: u32 = (0..sweep.batches())
            .filter(|&b| opts.shard.owns(b))
            .map(|b| sweep.batch_runs(b).len() as u32)
            .sum();
        s += &format!("; shard {} runs {own} of them", opts.shard);
    }
    s += "\n";
    let keys: Vec<&str> = sweep.expansion.keys().collect();
    s += &format!("{:>9}  {:16}  {:>6}", "run_index", "run_id", "seed");
    for k in &keys {
        s += &format!("  {k}");
    }
    s += "\n";
    for i in 0..sweep.runs().min(DRY_RUN_ROWS) {
        let spec = sweep.expansion.get(i);
        let resolved = sweep.resolve(&spec);
        let id = sweep.identity(&spec, resolved.as_ref().ok());
        let mut row = format!("{:>9}  {:16}  {:>6}", i, id.run_id, spec.seed);
        for (k, v) in &spec.params {
            row += &format!("  {:width$}", v.to_string(), width = k.len());
        }
        if let Err(e) = resolved {
            row += &format!("  (invalid, will be recorded as an error: {e})");
        }
        s += row.trim_end();
        s += "\n";
    }
    if sweep.runs() > DRY_RUN_ROWS {
        s += &format!("… {} more\n", sweep.runs() - DRY_RUN_ROWS);
    }
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `faasim sweep SPEC --out DIR`.
pub fn sweep(
    spec: &Path,
    overrides: &[String],
    out: &Path,
    opts: &SweepOptions,
    quiet: bool,
) -> Result<ExitCode> {
    let sweep = load(spec, overrides)?;
    let summary = faasim::sweep::run_sweep(&sweep, out, opts).map_err(sweep_error)?;
    if !quiet {
        let who = if opts.shard.count > 1 {
            format!("sweep {} shard {}", sweep.name, opts.shard)
        } else {
            format!("sweep {}", sweep.name)
        };
        let rate = if summary.wall_s > 0.0 {
            summary.executed as f64 / summary.wall_s
        } else {
            0.0
        };
        let mut s = format!(
            "{who}: {} runs: {} ok, {} failed",
            summary.executed, summary.ok, summary.failed
        );
        if summary.skipped_runs > 0 {
            s += &format!(", {} skipped (already committed)", summary.skipped_runs);
        }
        s += &format!(
            "; {:.2} s, {:.1} runs/s on {} threads; wrote {}\n",
            summary.wall_s,
            rate,
            summary.jobs,
            out.display()
        );
        if let Some((i, msg)) = &summary.first_failure {
            s += &format!("first failed run: run_index {i}: {msg}\n");
        }
        let _ = std::io::stdout().lock().write_all(s.as_bytes());
    }
    if summary.interrupted {
        errln!(
            "faasim: interrupted: {} batches committed now, the rest were not started; finish with `faasim sweep {} --out {} --resume`",
            summary.batches_written,
            spec.display(),
            out.display()
        );
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

/// `faasim repro OUT RUN_ID`.
pub fn repro(out: &Path, run_id: &str) -> Result<ExitCode> {
    let r = faasim::sweep::repro(out, run_id).map_err(sweep_error)?;
    match r.scenario_current {
        Some(true) => {}
        Some(false) => errln!(
            "warning: {} changed since the sweep ran: this command no longer gives run_id {run_id} (the original text is in {}/manifest.json, `scenario_text`)",
            r.scenario_file.display(),
            out.display()
        ),
        None => errln!(
            "warning: cannot read {}; its text at the time of the sweep is in {}/manifest.json (`scenario_text`)",
            r.scenario_file.display(),
            out.display()
        ),
    }
    outln!("{}", r.command_line());
    Ok(ExitCode::SUCCESS)
}
