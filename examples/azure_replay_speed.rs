//! Throughput of the Azure Functions 2019 reader alone: replays the two-day fixture under
//! `tests/fixtures/azure/2019` rescaled to about ten million invocations and reports requests
//! per second of wall time (docs/workloads.md). Run it in release mode under `/usr/bin/time -v`
//! to see the peak memory:
//!
//!   cargo run --release --example azure_replay_speed

use faasim::workload::azure::{
    Azure2019Options, Azure2019Trace, DurationColumns, Selection, Synthesis,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = Azure2019Options {
        dir: "tests/fixtures/azure/2019".into(),
        days: vec![1],
        start_minute: 0,
        minutes: 6,
        select: Selection::All {},
        triggers: vec![],
        synthesis: Synthesis::Uniform,
        rate_scale: 1.0,
        memory_percentile: 100,
        duration: DurationColumns::Percentiles,
        default_duration_s: 1.0,
    };
    let unscaled: u64 = Azure2019Trace::open(&base, 1)?
        .functions
        .iter()
        .map(|f| f.invocations)
        .sum();
    let opts = Azure2019Options {
        rate_scale: 10_000_000.0 / unscaled as f64,
        ..base
    };
    let trace = Azure2019Trace::open(&opts, 1)?;
    let started = Instant::now();
    let mut replay = trace.replay(1);
    let mut n = 0u64;
    let mut last = 0u64;
    while let Some(r) = replay.next_request()? {
        debug_assert!(r.time.0 >= last);
        last = r.time.0;
        n += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} requests over {:.0} simulated s in {secs:.3} s: {:.2} M requests/s",
        last as f64 / 1e9,
        n as f64 / secs / 1e6
    );
    Ok(())
}
