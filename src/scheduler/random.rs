//! `random`: a baseline that places a pod on a node drawn uniformly from all feasible nodes.

use super::arch_table::ArchTable;
use super::{Decision, Pod, SchedContext, Scheduler};
use crate::cluster::Cluster;
use crate::engine::{stream_rng, SimRng};
use rand::RngExt;

/// Draws the node uniformly among the non-storage nodes where the pod fits, from the `sched`
/// stream (one draw per decision with at least one feasible node).
///
/// Predicates, in order: `PodFitsResources`, `CheckNodeLabelPresence` (no storage nodes),
/// `ImageArchAvailable` (the image has a variant for the node's architecture); every
/// node is evaluated (`nodes_to_find = N`); nothing is scored.
pub struct RandomFit {
    rng: SimRng,
    feasible: Vec<u32>,
    arch_ok: ArchTable,
}

impl RandomFit {
    /// A random scheduler for `cluster`, drawing from the `sched` stream of `seed`.
    pub fn new(cluster: &Cluster, seed: u64) -> RandomFit {
        RandomFit {
            rng: stream_rng(seed, "sched"),
            feasible: Vec::with_capacity(cluster.nodes.len()),
            arch_ok: ArchTable::new(cluster),
        }
    }
}

impl Scheduler for RandomFit {
    fn profile(&self) -> &'static str {
        "random"
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let nodes = &ctx.cluster.nodes;
        let n = nodes.len();
        out.nodes_total = n as u32;
        out.nodes_to_find = n as u32;
        out.nodes_evaluated = n as u32;
        self.feasible.clear();
        let (mut fits, mut storage, mut arch) = (0u32, 0u32, 0u32);
        let arch_ok = self.arch_ok.row(pod.image);
        let (cpu_free, mem_free) = (nodes.cpu_free(), nodes.mem_free());
        for i in 0..n {
            let fit = cpu_free[i] >= pod.cpu_millis && mem_free[i] >= pod.memory_bytes;
            let not_storage = fit && !nodes.is_storage[i];
            let has_variant = arch_ok[nodes.arch[i] as usize];
            fits += u32::from(!fit);
            storage += u32::from(fit && nodes.is_storage[i]);
            arch += u32::from(not_storage && !has_variant);
            if not_storage && has_variant {
                self.feasible.push(i as u32);
            }
        }
        out.rejections.push(("PodFitsResources", fits));
        out.rejections.push(("CheckNodeLabelPresence", storage));
        out.rejections.push(("ImageArchAvailable", arch));
        out.feasible = self.feasible.len() as u32;
        if self.feasible.is_empty() {
            return;
        }
        let j = self.rng.random_range(0..self.feasible.len());
        let node = self.feasible[j];
        out.node = Some(node);
        out.tie_count = out.feasible;
        if !ctx.cache.has(node, pod.image) {
            out.needed_images.push(pod.image);
        }
    }
}
