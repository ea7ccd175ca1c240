//! Small hand-made clusters for the scheduler tests.

use super::facts::{NodeFacts, NodeKube};
use super::{Decision, Pod, SchedContext, Scheduler};
use crate::cluster::{
    builtin_catalog, Cluster, Endpoint, ImageCache, ImageRegistry, LinkModel, NodeId, NodeTable,
    StorageIndex,
};
use crate::config::{ImageConfig, ImageVariantConfig, Labels, Size};
use std::collections::BTreeMap;

pub const GIB: i64 = 1 << 30;
pub const MIB: i64 = 1 << 20;

/// A node to build.
pub struct N {
    pub name: &'static str,
    pub ty: &'static str,
    pub arch: &'static str,
    pub cpu: i64,
    pub mem: i64,
    pub labels: Vec<(&'static str, &'static str)>,
}

/// An x86 `server`-typed node with the given capacity and no labels.
pub fn n(name: &'static str, cpu: i64, mem: i64) -> N {
    N {
        name,
        ty: "server",
        arch: "x86",
        cpu,
        mem,
        labels: Vec::new(),
    }
}

impl N {
    pub fn label(mut self, k: &'static str, v: &'static str) -> N {
        self.labels.push((k, v));
        self
    }
    pub fn arch(mut self, a: &'static str) -> N {
        self.arch = a;
        self
    }
    pub fn ty(mut self, t: &'static str) -> N {
        self.ty = t;
        self
    }
}

/// Builds a cluster of `nodes` (ids in order) and `images` (`name`, `[(arch, bytes)]`).
pub fn cluster(nodes: Vec<N>, images: &[(&str, &[(&str, u64)])]) -> Cluster {
    let types = builtin_catalog();
    let mut archs: Vec<String> = Vec::new();
    let mut table = NodeTable::default();
    for node in nodes {
        let ti = types.iter().position(|t| t.name == node.ty).expect("type");
        let arch = Cluster::intern_arch(&mut archs, node.arch);
        let mut labels = Labels::new();
        for (k, v) in node.labels {
            labels.insert(k.to_string(), v.to_string());
        }
        labels.insert("beta.kubernetes.io/arch".into(), node.arch.to_string());
        table.push(
            node.name.to_string(),
            ti as u32,
            arch,
            node.cpu,
            node.mem,
            labels,
            1000.0,
        );
    }
    let cfgs: Vec<ImageConfig> = images
        .iter()
        .map(|(name, vs)| ImageConfig {
            name: name.to_string(),
            variants: vs
                .iter()
                .map(|(a, s)| ImageVariantConfig {
                    arch: a.to_string(),
                    size: Size(*s),
                })
                .collect(),
            on_missing_arch: Default::default(),
        })
        .collect();
    let images = ImageRegistry::build(&cfgs, |a| Cluster::intern_arch(&mut archs, a));
    let links = LinkModel::new(&table, 1000.0);
    Cluster {
        nodes: table,
        types,
        archs,
        images,
        storage: StorageIndex::default(),
        links,
    }
}

/// A bandwidth oracle: `reg` from the registry to every node, `pairs[(a, b)]` between nodes
/// (symmetric), `default` otherwise, `1.25e8` on the same node.
pub struct Bw {
    pub reg: f64,
    pub pairs: BTreeMap<(u32, u32), f64>,
    pub default: f64,
}

impl Bw {
    pub fn uniform(reg: f64) -> Bw {
        Bw {
            reg,
            pairs: BTreeMap::new(),
            default: 1000.0,
        }
    }
    pub fn pair(mut self, a: u32, b: u32, bw: f64) -> Bw {
        self.pairs.insert((a, b), bw);
        self.pairs.insert((b, a), bw);
        self
    }
    pub fn get(&self, a: Endpoint, b: Endpoint) -> Option<f64> {
        match (a, b) {
            (x, y) if x == y => Some(1.25e8),
            (Endpoint::Registry, _) | (_, Endpoint::Registry) => Some(self.reg),
            (Endpoint::Node(x), Endpoint::Node(y)) => {
                Some(self.pairs.get(&(x, y)).copied().unwrap_or(self.default))
            }
        }
    }
}

/// Node facts of `cluster` with the oracle `bw` and per-node Kubernetes fields.
pub fn facts(cluster: &Cluster, kube: &[NodeKube], bw: &Bw) -> NodeFacts {
    NodeFacts::build(cluster, kube, &|a, b| bw.get(a, b))
}

/// Labels from pairs.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A pod of `cpu` millicores and `mem` bytes running image 0.
pub fn pod<'a>(replica: u32, cpu: i64, mem: i64, labels: &'a Labels) -> Pod<'a> {
    Pod::new(replica, 0, 0, cpu, mem, labels)
}

/// One decision on the current state.
pub fn decide(s: &mut dyn Scheduler, cluster: &Cluster, cache: &ImageCache, pod: &Pod) -> Decision {
    let mut d = Decision::default();
    d.reset();
    s.schedule(pod, &SchedContext { cluster, cache }, &mut d);
    d
}

/// Places `pod` on `node` as the simulation does: reserve, then `on_placed`.
pub fn place(
    s: &mut dyn Scheduler,
    cluster: &mut Cluster,
    cache: &ImageCache,
    pod: &Pod,
    node: NodeId,
) {
    cluster
        .nodes
        .reserve(node, pod.cpu_millis, pod.memory_bytes);
    s.on_placed(pod, node, &SchedContext { cluster, cache });
}

/// Schedules `pod` and, on success, places it.
pub fn schedule_and_place(
    s: &mut dyn Scheduler,
    cluster: &mut Cluster,
    cache: &ImageCache,
    pod: &Pod,
) -> Decision {
    let d = decide(s, cluster, cache, pod);
    if let Some(node) = d.node {
        place(s, cluster, cache, pod, node);
    }
    d
}

/// Removes `pod` from `node` as the simulation does: release, then `on_removed`.
pub fn remove(
    s: &mut dyn Scheduler,
    cluster: &mut Cluster,
    cache: &ImageCache,
    pod: &Pod,
    node: NodeId,
) {
    cluster
        .nodes
        .release(node, pod.cpu_millis, pod.memory_bytes);
    s.on_removed(pod, node, &SchedContext { cluster, cache });
}

/// The score entries of a decision as `(name, raw, normalized)`.
pub fn score_triples(d: &Decision) -> Vec<(&'static str, f64, f64)> {
    d.scores
        .iter()
        .map(|e| (e.name, e.raw, e.normalized))
        .collect()
}
