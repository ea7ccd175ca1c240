//! What the event queue holds during a run: steps one scenario event by event and reports the
//! queue's live size over time, its peak, and how many leftovers of cancelled or moved timers
//! it skipped (docs/performance.md, "The event queue").
//!
//!   cargo run --release --example queue_stats -- experiments/bench/azure-like-one.toml

use faasim::sim::Simulation;
use std::path::PathBuf;

fn main() {
    let path: PathBuf = std::env::args()
        .nth(1)
        .expect("usage: queue_stats <scenario.toml>")
        .into();
    let scenario = faasim::config::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
    let model = faasim::model::Model::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(&model, 1);
    let (mut events, mut sum, mut samples) = (0u64, 0u64, 0u64);
    while sim.step().unwrap_or_else(|e| panic!("{e}")) {
        events += 1;
        if events % 1024 == 0 {
            sum += sim.queue_entries() as u64;
            samples += 1;
        }
    }
    let s = sim.queue_stats();
    println!(
        "{}: {events} events, {} entries pushed, {} leftovers skipped ({:.2} % of pushes), \
         peak {} entries, mean {:.0} entries",
        path.display(),
        s.pushed,
        s.stale_skipped,
        100.0 * s.stale_skipped as f64 / s.pushed.max(1) as f64,
        s.peak_entries,
        sum as f64 / samples.max(1) as f64
    );
}
