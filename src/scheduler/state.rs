//! Per-node state the schedulers keep beyond the node table's free resources: accelerator
//! occupancy, characterised RAM and contention sums, Kubernetes non-zero request sums and
//! extended resources in use. Updated incrementally in `on_placed` / `on_removed`.

use super::extension::Characterisation;
use super::facts::NodeFacts;
use super::podinfo::PodInfo;
use super::Pod;
use crate::cluster::NodeId;

/// CPU counted for a pod requesting none (Kubernetes non-zero request), millicores.
pub const NONZERO_CPU: i64 = 100;
/// Memory counted for a pod requesting none, bytes (200 MiB).
pub const NONZERO_MEM: i64 = 209_715_200;

/// Dynamic per-node columns.
#[derive(Clone, Debug, Default)]
pub struct NodeState {
    /// GPU pods on the node.
    pub gpu_pods: Vec<u32>,
    /// TPU pods on the node.
    pub tpu_pods: Vec<u32>,
    /// Σ VRAM (MB) of GPU pods on the node.
    pub vram_used: Vec<i64>,
    /// Σ characterised `ram` of pods on the node, in placement order.
    pub ram_sum: Vec<f64>,
    /// Σ characterised contention usage of pods on the node, in placement order.
    pub usage_sum: Vec<f64>,
    /// Pods on each node with their `ram` and usage (only with a characterisation table).
    placed: Vec<Vec<(u32, f64, f64)>>,
    /// Σ non-zero CPU requests on the node.
    pub nz_cpu: Vec<i64>,
    /// Σ non-zero memory requests on the node.
    pub nz_mem: Vec<i64>,
    /// Extended resources in use, `n × resources`.
    pub ext_used: Vec<i64>,
    n_ext: usize,
}

impl NodeState {
    /// Empty state for the nodes of `facts`.
    pub fn new(facts: &NodeFacts, chars: &Characterisation) -> NodeState {
        let n = facts.n;
        NodeState {
            gpu_pods: vec![0; n],
            tpu_pods: vec![0; n],
            vram_used: vec![0; n],
            ram_sum: vec![0.0; n],
            usage_sum: vec![0.0; n],
            placed: if chars.configured {
                vec![Vec::new(); n]
            } else {
                Vec::new()
            },
            nz_cpu: vec![0; n],
            nz_mem: vec![0; n],
            ext_used: vec![0; n * facts.ext_names.len()],
            n_ext: facts.ext_names.len(),
        }
    }

    fn for_ext(&mut self, pod: &Pod, facts: &NodeFacts, node: usize, sign: i64) {
        if self.n_ext == 0 {
            return;
        }
        for (name, &amount) in pod.extended.iter() {
            if let Some(j) = facts.ext_index(name) {
                self.ext_used[node * self.n_ext + j] += sign * amount as i64;
            }
        }
    }

    /// Records `pod` (with well-known labels `info`) placed on `node`.
    pub fn place(
        &mut self,
        pod: &Pod,
        info: &PodInfo,
        node: NodeId,
        facts: &NodeFacts,
        chars: &Characterisation,
    ) {
        let n = node as usize;
        if info.gpu() {
            self.gpu_pods[n] += 1;
            self.vram_used[n] += info.vram;
        }
        if info.tpu() {
            self.tpu_pods[n] += 1;
        }
        self.nz_cpu[n] += nonzero(pod.cpu_millis, NONZERO_CPU);
        self.nz_mem[n] += nonzero(pod.memory_bytes, NONZERO_MEM);
        self.for_ext(pod, facts, n, 1);
        if chars.configured {
            let (ram, usage) = match chars.get(facts.node_type[n], pod.image) {
                Some(r) => (r.ram, r.usage(facts.disk_speed[n], facts.net_speed[n])),
                None => (0.0, 0.0),
            };
            self.placed[n].push((pod.replica, ram, usage));
            self.ram_sum[n] += ram;
            self.usage_sum[n] += usage;
        }
    }

    /// Records `pod` (with well-known labels `info`) removed from `node`.
    pub fn remove(
        &mut self,
        pod: &Pod,
        info: &PodInfo,
        node: NodeId,
        facts: &NodeFacts,
        chars: &Characterisation,
    ) {
        let n = node as usize;
        if info.gpu() {
            self.gpu_pods[n] = self.gpu_pods[n].saturating_sub(1);
            self.vram_used[n] -= info.vram;
        }
        if info.tpu() {
            self.tpu_pods[n] = self.tpu_pods[n].saturating_sub(1);
        }
        self.nz_cpu[n] -= nonzero(pod.cpu_millis, NONZERO_CPU);
        self.nz_mem[n] -= nonzero(pod.memory_bytes, NONZERO_MEM);
        self.for_ext(pod, facts, n, -1);
        if chars.configured {
            let list = &mut self.placed[n];
            if let Some(i) = list.iter().position(|e| e.0 == pod.replica) {
                list.remove(i);
            }
            // Recompute in placement order so the sums equal a fresh Σ over the pods present.
            let (mut ram, mut usage) = (0.0, 0.0);
            for e in list.iter() {
                ram += e.1;
                usage += e.2;
            }
            self.ram_sum[n] = ram;
            self.usage_sum[n] = usage;
        }
    }
}

/// Kubernetes non-zero request: `value`, or `default` when 0.
#[inline]
pub fn nonzero(value: i64, default: i64) -> i64 {
    if value == 0 {
        default
    } else {
        value
    }
}
