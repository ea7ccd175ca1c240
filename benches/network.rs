//! Flow solver throughput: steady states of 10 / 100 / 1,000 / 10,000 concurrent flows, where
//! each step finishes the oldest flow and starts a new one (two max-min recomputations).
//! Criterion "elements" are flows started and finished, so its rate is flows per second; the
//! time per element is the cost of the two recomputations.
//!
//! - `shared`: every flow crosses one registry uplink (10 Gbit/s) and one of 1,000 node links
//!   (100 Mbit/s) — all flows form one component, the worst case for recomputation;
//! - `disjoint`: every flow has its own link — components of one flow, the common case of
//!   transfers on separate paths.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faasim::engine::SimTime;
use faasim::network::{FlowId, FlowTable, DEFAULT_GOODPUT_FACTOR};
use std::collections::VecDeque;

struct Steady {
    table: FlowTable,
    live: VecDeque<FlowId>,
    next: u64,
    now: u64,
    disjoint: bool,
    nodes: u32,
}

impl Steady {
    fn new(flows: usize, disjoint: bool) -> Steady {
        let nodes = if disjoint { flows as u32 + 1 } else { 1000 };
        let mut caps = vec![10_000.0];
        caps.extend(std::iter::repeat_n(100.0, nodes as usize));
        let mut s = Steady {
            table: FlowTable::new(&caps, DEFAULT_GOODPUT_FACTOR),
            live: VecDeque::with_capacity(flows + 1),
            next: 0,
            now: 0,
            disjoint,
            nodes,
        };
        for _ in 0..flows {
            s.start();
        }
        s
    }

    fn start(&mut self) {
        self.next += 1;
        // a cheap deterministic spread of destinations
        let node = 1 + (self.next.wrapping_mul(2_654_435_761) % self.nodes as u64) as u32;
        let hops_shared = [0, node];
        let hops_own = [1 + (self.next % self.nodes as u64) as u32];
        let hops: &[u32] = if self.disjoint {
            &hops_own
        } else {
            &hops_shared
        };
        let f = self.table.open(50_000_000, hops);
        self.table.activate(SimTime(self.now), f);
        self.live.push_back(f);
    }

    fn step(&mut self) {
        self.now += 1_000;
        let f = self.live.pop_front().expect("steady state has flows");
        self.table.finish(SimTime(self.now), f);
        self.start();
    }
}

fn bench_flows(c: &mut Criterion) {
    for (label, disjoint) in [("shared", false), ("disjoint", true)] {
        let mut g = c.benchmark_group(format!("flows_{label}"));
        g.throughput(Throughput::Elements(1));
        for n in [10usize, 100, 1_000, 10_000] {
            let mut s = Steady::new(n, disjoint);
            g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| s.step())
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench_flows
}
criterion_main!(benches);
