//! Scheduler throughput: one placement on clusters of 100 to 100,000 mixed nodes, for the
//! skippy and kubernetes profiles (`docs/performance.md`, "Scheduler").
//!
//! Each iteration is one full placement through `faasim::scheduler::Placer`, the protocol the
//! simulation follows: `schedule`, reserve the requests, `on_placed`; the pod is then removed
//! (release, `on_removed`) so nodes never fill and every decision sees the same amount of free
//! capacity. Every seventh node holds the image, as after some pulls. The clusters come from
//! the `cluster` generator, whose LANs of 20 nodes are the zones, so the kubernetes profile
//! walks 5 to 5,000 zones. Run with `cargo bench --bench scheduler`; divide a full scan's time
//! by the node count for the cost per node and pod.
//!
//! Time is the benchmark thread's CPU time (`/proc/thread-self/schedstat`, nanoseconds) where
//! available, wall time elsewhere, so figures taken on a busy shared machine are not inflated
//! by other processes. Throughput is therefore placements per CPU-second of one core.

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use faasim::cluster::Cluster;
use faasim::config::{Labels, Scenario};
use faasim::scheduler::{build, Placer, Pod};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// CPU time of this thread, if the OS reports it.
fn thread_cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` `iters` times and returns the CPU time it took (wall time as a fallback).
fn timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let (c0, w0) = (thread_cpu_time(), Instant::now());
    for _ in 0..iters {
        f();
    }
    match (c0, thread_cpu_time()) {
        (Some(a), Some(b)) => b - a,
        _ => w0.elapsed(),
    }
}

/// Node types cycled through the cluster: several architectures, capacities and accelerators.
const TYPES: &[&str] = &[
    "server", "nuc", "rpi3", "tx2", "xeoncpu", "rpi4", "nano", "xeongpu",
];

fn scenario(nodes: usize, scheduler: &str) -> (Scenario, Cluster) {
    let per = nodes / TYPES.len();
    let mut groups = String::new();
    for (i, t) in TYPES.iter().enumerate() {
        let count = if i == 0 {
            nodes - per * (TYPES.len() - 1)
        } else {
            per
        };
        groups.push_str(&format!("{{ type = \"{t}\", count = {count} }},"));
    }
    let text = format!(
        r#"
        [topology]
        labels = "raith21"
        nodes = [{groups}]
        [[images]]
        name = "fn"
        variants = [{{ arch = "x86", size = "58M" }}, {{ arch = "arm32", size = "40M" }},
                    {{ arch = "arm32v7", size = "41M" }}, {{ arch = "aarch64", size = "45M" }}]
        [scheduler]
        {scheduler}
        "#
    );
    let sc: Scenario = toml::from_str(&text).expect("bench scenario parses");
    let cluster = Cluster::build(&sc).expect("bench cluster builds");
    assert_eq!(cluster.nodes.len(), nodes);
    (sc, cluster)
}

struct Bed {
    placer: Placer,
    labels: Labels,
    replica: u32,
}

impl Bed {
    fn new(nodes: usize, scheduler: &str) -> Bed {
        let (sc, cluster) = scenario(nodes, scheduler);
        let sched = build(&sc, &cluster, 42).expect("scheduler builds");
        let mut placer = Placer::new(cluster, sched);
        // A few nodes already hold the image, as after some pulls.
        for n in (0..nodes as u32).step_by(7) {
            placer.image_pulled(n, 0);
        }
        Bed {
            placer,
            labels: Labels::new(),
            replica: 0,
        }
    }

    /// One placement, then the pod's removal.
    fn place(&mut self) -> Option<u32> {
        self.replica = self.replica.wrapping_add(1);
        let pod = Pod::new(self.replica, 0, 0, 100, 64 << 20, &self.labels);
        let node = self.placer.place(&pod)?;
        self.placer.remove(&pod, node);
        Some(node)
    }
}

fn group(c: &mut Criterion, name: &str, scheduler: &str, sizes: &[usize]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    // Flat sampling with long samples: the thread CPU clock advances in scheduler ticks.
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g.sample_size(15);
    for &n in sizes {
        // Built on first use, so filtered-out benchmarks cost nothing.
        let mut bed: Option<Bed> = None;
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            let bed = bed.get_or_insert_with(|| Bed::new(n, scheduler));
            b.iter_custom(|iters| {
                timed(iters, || {
                    black_box(bed.place());
                })
            })
        });
    }
    g.finish();
}

const SIZES: &[usize] = &[100, 1_000, 10_000, 100_000];

fn skippy_full(c: &mut Criterion) {
    group(c, "skippy_default_full", "profile = \"skippy\"", SIZES);
}

fn skippy_sampled(c: &mut Criterion) {
    group(
        c,
        "skippy_default_pct50",
        "profile = \"skippy\"\nskippy = { percentage_of_nodes_to_score = 50 }",
        SIZES,
    );
    group(
        c,
        "skippy_default_adaptive",
        "profile = \"skippy\"\nskippy = { percentage_of_nodes_to_score = 0 }",
        SIZES,
    );
}

fn kubernetes(c: &mut Criterion) {
    group(c, "kubernetes_adaptive", "profile = \"kubernetes\"", SIZES);
    group(
        c,
        "kubernetes_full",
        "profile = \"kubernetes\"\nkubernetes = { percentage_of_nodes_to_score = 100 }",
        SIZES,
    );
}

criterion_group!(benches, skippy_full, skippy_sampled, kubernetes);
criterion_main!(benches);
