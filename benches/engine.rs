//! Micro-benchmarks of the per-invocation hot path (docs/performance.md, "Criterion benches"):
//! the event queue, one arrival source, the least-outstanding balancer at 2,000 replicas, and
//! a whole run of the benchmark scenario `S`.
//!
//! `cargo bench --bench engine`; criterion's "elements" are events, arrivals, picks and
//! invocations, so its throughput figure reads directly as operations per second.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use faasim::config::{ArrivalsConfig, BalancerKind, Scenario};
use faasim::engine::{stream_rng, EventQueue, SimTime};
use faasim::platform::{LeastLoaded, LoadBalancer, Slot};
use faasim::workload::{ArrivalProcess, ArrivalSource, RateProfile};

/// The hold model: a queue of `pending` events where each step pops the earliest and pushes
/// one a pseudo-random distance later, as a simulation in steady state does.
///
/// `hold_40000_pending_2s` is the trace replay's shape (docs/performance.md, "Trace replay"):
/// about 40 000 completions spread over the next two seconds.
fn bench_event_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    const STEPS: u64 = 100_000;
    const SECOND: u64 = 1_000_000_000;
    g.throughput(Throughput::Elements(STEPS));
    let cases = [
        ("hold_100_pending", 100u64, SECOND),
        ("hold_10000_pending", 10_000, SECOND),
        ("hold_40000_pending_2s", 40_000, 2 * SECOND),
        ("hold_1000000_pending", 1_000_000, SECOND),
    ];
    for (name, pending, spread) in cases {
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || {
                    let mut q = EventQueue::with_capacity(pending as usize + 1);
                    for i in 0..pending {
                        q.push(SimTime(i.wrapping_mul(0x9e37_79b9) % spread), i);
                    }
                    q
                },
                |q| {
                    let mut x = 0x2545_f491_4f6c_dd1du64;
                    for _ in 0..STEPS {
                        let (t, e) = q.pop().expect("never empties");
                        // xorshift: a cheap, reproducible spread of future times.
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        q.push(SimTime(t.0 + x % spread), e);
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// Poisson arrivals at a constant 100 requests/s, drawn lazily as a run draws them.
fn bench_arrival_source(c: &mut Criterion) {
    let mut g = c.benchmark_group("arrival_source");
    const ARRIVALS: u64 = 100_000;
    g.throughput(Throughput::Elements(ARRIVALS));
    g.bench_function("poisson_constant_100rps", |b| {
        b.iter(|| {
            let process = ArrivalProcess::new(
                RateProfile::Constant(100.0),
                &ArrivalsConfig::Poisson {
                    scale: 1.0,
                    max_ia: None,
                },
            );
            let mut source = ArrivalSource::generated(process, None, SimTime::ZERO);
            let mut rng = stream_rng(1, "arrivals/bench");
            let mut last = SimTime::ZERO;
            for _ in 0..ARRIVALS {
                last = source
                    .next_arrival(SimTime::NEVER, &mut rng)
                    .expect("a generator does not fail")
                    .expect("an unbounded generator does not end")
                    .time;
            }
            last
        })
    });
    g.finish();
}

/// One least-outstanding pick among `replicas` Running replicas with uneven loads: by the scan
/// (`LoadBalancer::pick`) and by the index a run uses (a pick and two load updates).
fn bench_balancer(c: &mut Criterion) {
    let mut g = c.benchmark_group("balancer");
    g.throughput(Throughput::Elements(1));
    for replicas in [1usize, 20, 2_000] {
        // Outstanding requests per replica slot, as the router's compute view reports them.
        let outstanding: Vec<u32> = (0..replicas).map(|i| (i as u32 * 7919) % 5 + 1).collect();
        let eligible: Vec<Slot> = (0..replicas as u32).collect();
        let mut lb = LoadBalancer::new(BalancerKind::LeastOutstanding);
        let mut rng = stream_rng(1, "lb/bench");
        g.bench_function(format!("least_outstanding_{replicas}_replicas"), |b| {
            b.iter(|| lb.pick(&eligible, |s| outstanding[s as usize], &mut rng))
        });
        // What a run does now (src/router): the index answers the pick, and the chosen
        // replica's load goes up at dispatch and down at completion.
        let mut index = LeastLoaded::default();
        index.rebuild(outstanding.iter().copied());
        g.bench_function(
            format!("least_outstanding_indexed_{replicas}_replicas"),
            |b| {
                b.iter(|| {
                    let p = index.least(|q| outstanding[q]).expect("replicas");
                    index.set(p, outstanding[p] + 1);
                    index.set(p, outstanding[p]);
                    p
                })
            },
        );
    }
    g.finish();
}

/// The whole benchmark scenario `S` (10 nodes, 2 functions, 20 requests/s, 300 s) in process:
/// no start-up and no output files, only the simulation and its in-memory rows.
fn bench_whole_s_run(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/experiments/bench/S.toml"
    ))
    .expect("experiments/bench/S.toml");
    let sc: Scenario = toml::from_str(&text).expect("S.toml parses");
    let probe = faasim::run_scenario(&sc, faasim::identity(&sc, 1, 0, "", vec![]));
    let mut g = c.benchmark_group("whole_run");
    g.sample_size(20);
    g.throughput(Throughput::Elements(probe.run.requests));
    g.bench_function("S", |b| {
        b.iter(|| {
            faasim::run_scenario(&sc, faasim::identity(&sc, 1, 0, "", vec![]))
                .run
                .requests
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_event_queue,
    bench_arrival_source,
    bench_balancer,
    bench_whole_s_run
);
criterion_main!(benches);
