//! A scheduler of your own, plugged into a faasim run.
//!
//! `MostFreeMemory` places every pod on the non-storage node with the most free memory. The
//! example runs `experiments/basic.toml` with it and prints where each replica went:
//!
//! ```sh
//! cargo run --example custom_scheduler
//! ```

use faasim::scheduler::{Decision, Pod, SchedContext, Scheduler};
use faasim::sim::Simulation;

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
        let mut best: Option<usize> = None;
        for n in 0..nodes.len() {
            let fits = nodes.cpu_free[n] >= pod.cpu_millis && nodes.mem_free[n] >= pod.memory_bytes;
            if !fits || nodes.is_storage[n] {
                continue;
            }
            out.feasible += 1;
            if best.is_none_or(|b| nodes.mem_free[n] > nodes.mem_free[b]) {
                best = Some(n);
            }
        }
        out.node = best.map(|n| n as u32);
        out.tie_count = u32::from(best.is_some());
    }
}

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/basic.toml");
    let scenario = faasim::config::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
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
}
