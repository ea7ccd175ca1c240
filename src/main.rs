//! The `faasim` command line: parse arguments, call the library, map errors to exit codes.

use clap::{Parser, Subcommand};
use faasim::metrics::RunOutput;
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "faasim",
    version,
    about = "Deterministic simulator of serverless (FaaS) platforms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario with one seed and write its tables.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Master seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out: _,
        } => {
            let text = std::fs::read_to_string(&scenario).expect("read");
            let sc: faasim::config::Scenario = toml::from_str(&text).expect("parse");
            let id = faasim::identity(&sc, seed, 0, "", Vec::new());
            let out = faasim::run_scenario(&sc, id);
            print_summary(&out);
            ExitCode::SUCCESS
        }
    }
}

fn print_summary(out: &RunOutput) {
    let r = &out.run;
    println!(
        "{} seed {}: status {} sim_end {:.3}s events {} ({:.0} events/s)",
        r.id.scenario,
        r.id.seed,
        r.status.as_str(),
        r.sim_end.as_secs_f64(),
        r.events_processed,
        r.events_per_s.unwrap_or(0.0)
    );
    if let Some(e) = &r.error {
        println!("error: {e}");
    }
    for s in &out.summary {
        let name = s
            .function
            .map(|f| out.names.functions[f as usize].as_str())
            .unwrap_or("(all)");
        println!(
            "{name:24} requests {:6} completed {:6} cold {:4} p50 {:?} p99 {:?} replicas_max {}",
            s.requests, s.completed, s.cold_starts, s.stats[3].p50, s.stats[3].p99, s.replicas_max
        );
    }
}
