//! `first-fit`: the baseline that places a pod on the first node (in id order) where it fits.

use super::arch_table::ArchTable;
use super::{Decision, Pod, SchedContext, Scheduler};
use crate::cluster::Cluster;

/// Places each pod on the first non-storage node with enough free CPU and memory whose
/// architecture the pod's image has a variant for.
///
/// Predicates, in order: `PodFitsResources`, `CheckNodeLabelPresence` (no storage nodes),
/// `ImageArchAvailable`. The
/// walk always starts at node 0 and stops at the first feasible node (`nodes_to_find = 1`);
/// nothing is scored. `needed_images` lists the image if the chosen node's cache lacks it.
pub struct FirstFit {
    arch_ok: ArchTable,
}

impl FirstFit {
    /// A first-fit scheduler for `cluster`.
    pub fn new(cluster: &Cluster) -> FirstFit {
        FirstFit {
            arch_ok: ArchTable::new(cluster),
        }
    }
}

impl Scheduler for FirstFit {
    fn profile(&self) -> &'static str {
        "first-fit"
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let nodes = &ctx.cluster.nodes;
        out.nodes_total = nodes.len() as u32;
        out.nodes_to_find = 1;
        let mut fits = 0u32;
        let mut storage = 0u32;
        let mut arch = 0u32;
        let arch_ok = self.arch_ok.row(pod.image);
        let (cpu_free, mem_free) = (nodes.cpu_free(), nodes.mem_free());
        for n in 0..nodes.len() {
            out.nodes_evaluated += 1;
            if cpu_free[n] < pod.cpu_millis || mem_free[n] < pod.memory_bytes {
                fits += 1;
                continue;
            }
            if nodes.is_storage[n] {
                storage += 1;
                continue;
            }
            if !arch_ok[nodes.arch[n] as usize] {
                arch += 1;
                continue;
            }
            out.node = Some(n as u32);
            out.feasible = 1;
            out.tie_count = 1;
            if !ctx.cache.has(n as u32, pod.image) {
                out.needed_images.push(pod.image);
            }
            break;
        }
        out.rejections.push(("PodFitsResources", fits));
        out.rejections.push(("CheckNodeLabelPresence", storage));
        out.rejections.push(("ImageArchAvailable", arch));
    }
}
