//! The cluster: nodes built from the node-type catalog and the topology generator, the image
//! registry, the storage index and the link model (routes over the one topology).

pub mod builder;
pub mod cache;
pub mod catalog;
pub mod change_log;
pub mod links;
pub mod nodes;
pub mod registry;
pub mod storage;
pub mod zones;

pub use builder::{ClusterBuildError, ClusterBuilder};
pub use cache::ImageCache;
pub use catalog::{builtin_catalog, Accelerator, NodeType};
pub use change_log::ChangeLog;
pub use links::{Endpoint, LinkModel};
pub use nodes::{NodeId, NodeTable};
pub use registry::{normalize_image_name, ImageId, ImageRegistry, ARCH_ANY};
pub use storage::StorageIndex;

use crate::config::validate::MAX_NODES;
use crate::config::{Labels, Scenario};
use crate::network::generators;

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

    /// Builds the cluster of a validated scenario with the topology of seed 0 (see
    /// [`Cluster::build_seeded`]).
    pub fn build(sc: &Scenario) -> Result<Cluster, String> {
        Cluster::build_seeded(sc, 0)
    }

    /// Builds the cluster of a validated scenario for the run seeded `seed`: the catalog, the
    /// topology from its generator (`docs/network.md`), one node-table row per topology node in
    /// node-id order, the storage index, the registry images and the routes.
    pub fn build_seeded(sc: &Scenario, seed: u64) -> Result<Cluster, String> {
        let mut types = builtin_catalog();
        for (name, cfg) in &sc.topology.node_types {
            let t = NodeType::from_config(name, cfg)
                .map_err(|e| format!("topology.node_types.{name}.accelerator: {e}"))?;
            match types.iter_mut().find(|x| x.name == *name) {
                Some(slot) => *slot = t,
                None => types.push(t),
            }
        }
        let type_names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
        let link_mbit: Vec<f64> = types.iter().map(|t| t.link_mbit).collect();
        let topology = generators::generate(sc, &type_names, &link_mbit, seed)?;
        if topology.nodes.len() as u64 > MAX_NODES {
            return Err(format!(
                "topology.generator: the topology has {} nodes; at most {MAX_NODES} are supported",
                topology.nodes.len()
            ));
        }
        if topology.nodes.iter().all(|n| n.storage) {
            return Err("topology: the topology has no compute nodes".to_string());
        }
        let mut archs: Vec<String> = Vec::new();
        let mut nodes = NodeTable::default();
        let raith21 = sc.topology.label_scheme() == "raith21";
        let mut storage = StorageIndex::default();
        let mut holders: Vec<NodeId> = Vec::new();
        for n in &topology.nodes {
            let t = &types[n.node_type as usize];
            let labels = node_labels(t, raith21, &n.labels);
            let arch = Cluster::intern_arch(&mut archs, &t.arch);
            let id = nodes.push(
                n.name.clone(),
                n.node_type,
                arch,
                t.cpu_millis as i64,
                t.memory_bytes as i64,
                labels,
                t.link_mbit,
            );
            for (bucket, items) in &n.buckets {
                storage.add_bucket(bucket, id);
                for (item, size) in items {
                    storage.add_item(bucket, item, *size);
                }
            }
            if !n.buckets.is_empty() {
                holders.push(id);
            }
        }
        // The generator's zone (LAN, cell, cloudlet, region); nodes without one (storage
        // nodes of the `cluster` generator) keep the LAN numbering of their position.
        let lan_size = sc.topology.lan_size;
        zones::assign(&mut nodes, |id| {
            let zone = &topology.nodes[id].zone;
            if zone.is_empty() {
                zones::lan_zone(id, lan_size)
            } else {
                zone.clone()
            }
        });
        let images = ImageRegistry::build(&sc.images, |a| Cluster::intern_arch(&mut archs, a));
        let links = LinkModel::from_topology(topology, &sc.network, &holders)?;
        Ok(Cluster {
            nodes,
            types,
            archs,
            images,
            storage,
            links,
        })
    }

    /// One `nodes` row per node, in node-id order (`docs/outputs.md`, `nodes`).
    pub fn node_rows(&self) -> Vec<crate::metrics::NodeRow> {
        let n = &self.nodes;
        (0..n.len())
            .map(|i| {
                let t = &self.types[n.node_type[i] as usize];
                crate::metrics::NodeRow {
                    node: i as u32,
                    node_type: t.name.clone(),
                    arch: self.archs[n.arch[i] as usize].clone(),
                    cpu_m: n.cpu_capacity[i].max(0) as u64,
                    memory_bytes: n.mem_capacity[i].max(0) as u64,
                    accelerator: t.accelerator.label(),
                    locality: t.locality.clone(),
                    zone: n.labels[i]
                        .get(zones::ZONE_LABEL)
                        .cloned()
                        .unwrap_or_default(),
                    storage: n.is_storage[i],
                    labels: serde_json::to_string(&n.labels[i])
                        .expect("labels are a map of strings"),
                }
            })
            .collect()
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
