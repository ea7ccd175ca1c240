//! A scheduler of your own, plugged into a faasim run and into a sweep.
//!
//! `MostFreeMemory` places every pod on the non-storage node with the most free memory. The
//! example first runs `experiments/basic.toml` once with it and prints where each replica went,
//! then registers it under the name `most-free-memory` and runs
//! `examples/custom-scheduler-sweep.toml` — `scheduler.profile` swept over `most-free-memory`,
//! `skippy` and `first-fit` — into a dataset like `faasim sweep` writes:
//!
//! ```sh
//! cargo run --example custom_scheduler -- out/custom-scheduler
//! python3 scripts/analyze.py out/custom-scheduler --by param.scheduler.profile
//! ```

use faasim::cluster::Cluster;
use faasim::scheduler::{Decision, Pod, SchedContext, Scheduler, SchedulerRegistry};
use faasim::sim::Simulation;
use faasim::sweep::{run_with, Sweep, SweepOptions};
use std::path::{Path, PathBuf};

/// Places every pod on the non-storage node with the most free memory (lowest id on ties).
struct MostFreeMemory;

impl Scheduler for MostFreeMemory {
    fn profile(&self) -> &'static str {
        "most-free-memory"
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let nodes = &ctx.cluster.nodes;
        out.nodes_total = nodes.len() as u32;
        out.nodes_to_find = nodes.len() as u32;
        out.nodes_evaluated = nodes.len() as u32;
        // Free resources are read-only slices: they change only when the simulation reserves
        // or releases a pod's requests.
        let (cpu_free, mem_free) = (nodes.cpu_free(), nodes.mem_free());
        let mut best: Option<usize> = None;
        for n in 0..nodes.len() {
            let fits = cpu_free[n] >= pod.cpu_millis && mem_free[n] >= pod.memory_bytes;
            // An image without a variant for the node's architecture cannot run there.
            let runs = ctx
                .cluster
                .images
                .size_for_arch(pod.image, nodes.arch[n])
                .is_some();
            if !fits || !runs || nodes.is_storage[n] {
                continue;
            }
            out.feasible += 1;
            if best.is_none_or(|b| mem_free[n] > mem_free[b]) {
                best = Some(n);
            }
        }
        out.node = best.map(|n| n as u32);
        out.tie_count = u32::from(best.is_some());
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    // One run, driven directly.
    let scenario = faasim::config::load_scenario(&root.join("experiments/basic.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let seed = 1;
    let model = faasim::model::Model::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulation::with_scheduler(&model, seed, |_cluster| Box::new(MostFreeMemory));
    let out = sim.run(faasim::identity(&scenario, seed, 0, "", Vec::new()));
    for p in &out.placements {
        println!(
            "{:>6.3} s  {:<20} {:<28} -> {}",
            p.t.as_secs_f64(),
            out.names.functions[p.function as usize],
            out.names.images[p.image as usize],
            p.node
                .map(|n| out.names.nodes[n as usize].as_str())
                .unwrap_or("(unschedulable)")
        );
    }
    println!("{} requests completed", out.run.completed);

    // A sweep over it, written as a dataset.
    let mut schedulers = SchedulerRegistry::new();
    schedulers
        .register("most-free-memory", |_cluster: &Cluster, _seed| {
            Box::new(MostFreeMemory)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let sweep = Sweep::load(&root.join("examples/custom-scheduler-sweep.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("out/custom-scheduler"));
    let opts = SweepOptions {
        progress: false,
        ..SweepOptions::default()
    };
    let summary = run_with(&sweep, &dir, &opts, &schedulers).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "sweep: {} runs ({} ok, {} failed) written to {}",
        summary.executed,
        summary.ok,
        summary.failed,
        dir.display()
    );
}
