//! Whole-run throughput: `experiments/overload.toml` scaled to about one million invocations,
//! invocation rows off. Reports simulated invocations per second (criterion "elements").

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use faasim::config::Scenario;

fn overload_scaled(horizon_s: f64) -> Scenario {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/experiments/overload.toml"
    ))
    .expect("experiments/overload.toml");
    let mut sc: Scenario = toml::from_str(&text).expect("overload.toml parses");
    sc.run.horizon_s = Some(horizon_s);
    sc.run.drain_timeout_s = 1.0e6;
    sc
}

fn bench_event_loop(c: &mut Criterion) {
    // 150 requests/s × 6667 s ≈ 1.0 million invocations.
    let sc = overload_scaled(6667.0);
    let probe = faasim::run_scenario(&sc, faasim::identity(&sc, 1, 0, "", vec![]));
    let invocations = probe.run.requests;
    eprintln!(
        "overload x{}: {} invocations, {} events",
        6667.0 / 60.0,
        invocations,
        probe.run.events_processed
    );
    let mut g = c.benchmark_group("event_loop");
    g.sample_size(10);
    g.throughput(Throughput::Elements(invocations));
    g.bench_function("overload_1M_invocations", |b| {
        b.iter(|| {
            let out = faasim::run_scenario(&sc, faasim::identity(&sc, 1, 0, "", vec![]));
            assert_eq!(out.run.requests, invocations);
            out.run.events_processed
        })
    });
    g.finish();
}

criterion_group!(benches, bench_event_loop);
criterion_main!(benches);
