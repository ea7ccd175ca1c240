//! The human summary `faasim run` prints: one line for the run, one row per function.

use faasim::metrics::RunOutput;
use std::io::Write;
use std::path::Path;

fn secs(v: Option<f64>) -> String {
    v.map(|s| format!("{s:.3} s")).unwrap_or_else(|| "-".into())
}

fn rate(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1} M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.0} ")
    }
}

/// Prints the run summary to stdout (a closed pipe is not an error).
pub fn print_run(out: &RunOutput, dir: &Path) {
    let mut s = String::new();
    let r = &out.run;
    s += &format!(
        "{} (seed {}, run_id {}): {} — {} requests, simulated {:.1} s in {:.3} s ({}events/s)\n",
        r.id.scenario,
        r.id.seed,
        r.id.run_id,
        r.status.as_str(),
        r.requests,
        r.sim_end.as_secs_f64(),
        r.wall_time_s.unwrap_or(0.0),
        rate(r.events_per_s.unwrap_or(0.0)),
    );
    let width = out
        .names
        .functions
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(8)
        .max(8);
    s += &format!(
        "{:width$}  {:>9} {:>9} {:>6} {:>12} {:>12} {:>9} {:>6}\n",
        "function", "requests", "completed", "cold", "p50 resp", "p99 resp", "replicas", "mean"
    );
    for row in &out.summary {
        let name = row
            .function
            .map(|f| out.names.functions[f as usize].as_str())
            .unwrap_or("(all)");
        s += &format!(
            "{:width$}  {:>9} {:>9} {:>6} {:>12} {:>12} {:>9} {:>6.2}\n",
            name,
            row.requests,
            row.completed,
            row.cold_starts,
            secs(row.stats[3].p50),
            secs(row.stats[3].p99),
            row.replicas_max,
            row.replicas_mean
        );
    }
    let mut tables = vec!["runs"];
    for (t, on) in [
        (
            "invocations",
            out.enabled.invocations && !out.invocations.is_empty(),
        ),
        (
            "placements",
            out.enabled.placements && !out.placements.is_empty(),
        ),
        ("scaling", out.enabled.scaling && !out.scaling.is_empty()),
        ("replicas", out.enabled.replicas && !out.replicas.is_empty()),
        (
            "replica_counts",
            out.enabled.replica_counts && !out.replica_counts.is_empty(),
        ),
        (
            "utilization",
            out.enabled.utilization && !out.utilization.is_empty(),
        ),
        ("summary", !out.summary.is_empty()),
        ("latency_histograms", !out.histograms.is_empty()),
        ("flows", out.enabled.flows && !out.flows.is_empty()),
        ("links", out.enabled.links && !out.links.is_empty()),
        ("nodes", out.enabled.nodes && !out.nodes.is_empty()),
    ] {
        if on {
            tables.push(t);
        }
    }
    s += &format!("wrote {}: {}\n", dir.display(), tables.join(", "));
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}
