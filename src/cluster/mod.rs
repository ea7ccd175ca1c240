//! The cluster: nodes built from the node-type catalog, the image registry, the storage index and
//! the link model that prices transfers.

pub mod builder;
pub mod cache;
pub mod catalog;
pub mod links;
pub mod nodes;
pub mod registry;
pub mod storage;

pub use builder::{ClusterBuildError, ClusterBuilder};
pub use cache::ImageCache;
pub use catalog::{builtin_catalog, Accelerator, NodeType};
pub use links::{Endpoint, LinkModel};
pub use nodes::{NodeId, NodeTable};
pub use registry::{normalize_image_name, ImageId, ImageRegistry, ARCH_ANY};
pub use storage::StorageIndex;

use crate::config::{Labels, Scenario};

/// Everything static about the infrastructure of one run, plus the node table's free columns.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Node columns.
    pub nodes: NodeTable,
    /// Node-type catalog (built-in entries overlaid by the scenario's).
    pub types: Vec<NodeType>,
    /// Interned architecture names.
    pub archs: Vec<String>,
    /// Registry images.
    pub images: ImageRegistry,
    /// Buckets and items on storage nodes.
    pub storage: StorageIndex,
    /// Bandwidth oracle.
    pub links: LinkModel,
}

impl Cluster {
    /// Interns an architecture name.
    pub fn intern_arch(archs: &mut Vec<String>, a: &str) -> u32 {
        match archs.iter().position(|x| x == a) {
            Some(i) => i as u32,
            None => {
                archs.push(a.to_string());
                (archs.len() - 1) as u32
            }
        }
    }

    /// Builds the cluster of a validated scenario (`cluster` generator).
    pub fn build(sc: &Scenario) -> Result<Cluster, String> {
        let mut types = builtin_catalog();
        for (name, cfg) in &sc.topology.node_types {
            let t = NodeType::from_config(name, cfg)
                .map_err(|e| format!("topology.node_types.{name}.accelerator: {e}"))?;
            match types.iter_mut().find(|x| x.name == *name) {
                Some(slot) => *slot = t,
                None => types.push(t),
            }
        }
        let mut archs: Vec<String> = Vec::new();
        let mut nodes = NodeTable::default();
        let raith21 = sc.topology.labels == "raith21";
        let mut per_type_counter = vec![0u32; types.len()];
        let mut add = |nodes: &mut NodeTable,
                       archs: &mut Vec<String>,
                       name: Option<String>,
                       ti: usize,
                       extra: &Labels|
         -> NodeId {
            let t = &types[ti];
            let name = name.unwrap_or_else(|| {
                let n = format!("{}_{}", t.name, per_type_counter[ti]);
                per_type_counter[ti] += 1;
                n
            });
            let labels = node_labels(t, raith21, extra);
            let arch = Cluster::intern_arch(archs, &t.arch);
            nodes.push(
                name,
                ti as u32,
                arch,
                t.cpu_millis as i64,
                t.memory_bytes as i64,
                labels,
                t.link_mbit,
            )
        };
        for (gi, g) in sc.topology.nodes.iter().enumerate() {
            let ti = types
                .iter()
                .position(|t| t.name == g.node_type)
                .ok_or_else(|| {
                    format!(
                        "topology.nodes[{gi}].type: unknown node type `{}` (known: {})",
                        g.node_type,
                        types
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            for _ in 0..g.count {
                add(&mut nodes, &mut archs, None, ti, &g.labels);
            }
        }
        let mut storage = StorageIndex::default();
        for (si, s) in sc.topology.storage.iter().enumerate() {
            let ti = types
                .iter()
                .position(|t| t.name == s.node_type)
                .ok_or_else(|| {
                    format!(
                        "topology.storage[{si}].type: unknown node type `{}`",
                        s.node_type
                    )
                })?;
            let mut extra = Labels::new();
            extra.insert("data.skippy.io/storage".into(), String::new());
            let id = add(&mut nodes, &mut archs, Some(s.name.clone()), ti, &extra);
            for (bucket, items) in &s.buckets {
                storage.add_bucket(bucket, id);
                for (item, size) in items {
                    storage.add_item(bucket, item, size.0);
                }
            }
        }
        let images = ImageRegistry::build(&sc.images, |a| Cluster::intern_arch(&mut archs, a));
        let links = LinkModel::new(&nodes, sc.network.default_bandwidth_mbit);
        Ok(Cluster {
            nodes,
            types,
            archs,
            images,
            storage,
            links,
        })
    }

    /// Name of a node's catalog type.
    pub fn type_name(&self, node: NodeId) -> &str {
        &self.types[self.nodes.node_type[node as usize] as usize].name
    }
}

/// Labels of a node of type `t` under the given label scheme (`docs/scenario.md`).
pub(crate) fn node_labels(t: &NodeType, raith21: bool, extra: &Labels) -> Labels {
    let mut l = Labels::new();
    l.insert("ether.edgerun.io/type".into(), t.name.clone());
    l.insert("ether.edgerun.io/model".into(), t.name.clone());
    if t.accelerator != Accelerator::None {
        l.insert(
            format!(
                "ether.edgerun.io/capabilities/{}",
                t.accelerator.label().to_lowercase()
            ),
            String::new(),
        );
    }
    if raith21 {
        l.insert("locality.skippy.io/type".into(), t.locality.clone());
        l.insert(
            "device.edgerun.io/accelerator".into(),
            t.accelerator.label().to_string(),
        );
        if t.accelerator == Accelerator::Gpu {
            l.insert("device.edgerun.io/vram".into(), t.vram_mb.to_string());
            l.insert("capability.skippy.io/nvidia-cuda".into(), "10".into());
            l.insert("capability.skippy.io/nvidia-gpu".into(), String::new());
        }
    }
    for (k, v) in &t.labels {
        l.insert(k.clone(), v.clone());
    }
    for (k, v) in extra {
        l.insert(k.clone(), v.clone());
    }
    l.insert("beta.kubernetes.io/arch".into(), t.arch.clone());
    l
}
