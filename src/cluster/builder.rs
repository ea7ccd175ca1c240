//! [`ClusterBuilder`]: a cluster written down node by node in code — for benchmarking or testing
//! a scheduler on a recorded cluster without a scenario file (`docs/schedulers.md`, "The
//! placement protocol").
//!
//! Nodes get the labels a scenario's nodes of the same type get (the ether labels, or the
//! `raith21` scheme with [`ClusterBuilder::raith21_labels`]), plus the labels given. Node ids are
//! the insertion order.

use super::{builtin_catalog, StorageIndex};
use super::{node_labels, Cluster, ImageRegistry, LinkModel, NodeId, NodeTable, NodeType};
use crate::config::{ImageConfig, ImageVariantConfig, Labels, Size};

/// Why a cluster cannot be built as described.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClusterBuildError {
    /// A node names a type that is neither built in nor added with [`ClusterBuilder::node_type`].
    #[error("node `{node}`: unknown node type `{node_type}` (known: {known})")]
    UnknownType {
        /// The node.
        node: String,
        /// The type it names.
        node_type: String,
        /// Known type names.
        known: String,
    },
    /// Two nodes share a name.
    #[error("node `{0}` is defined twice")]
    DuplicateNode(String),
    /// Two images share a (normalised) name.
    #[error("image `{0}` is defined twice")]
    DuplicateImage(String),
}

/// Builds a [`Cluster`] node by node (see the module docs).
#[derive(Clone, Debug)]
pub struct ClusterBuilder {
    types: Vec<NodeType>,
    raith21: bool,
    archs: Vec<String>,
    nodes: NodeTable,
    storage: StorageIndex,
    images: Vec<ImageConfig>,
    registry_mbit: f64,
}

impl Default for ClusterBuilder {
    fn default() -> Self {
        ClusterBuilder::new()
    }
}

impl ClusterBuilder {
    /// An empty cluster with the built-in node-type catalog (`docs/scenario.md`) and the ether
    /// label scheme.
    pub fn new() -> ClusterBuilder {
        ClusterBuilder {
            types: builtin_catalog(),
            raith21: false,
            archs: Vec::new(),
            nodes: NodeTable::default(),
            storage: StorageIndex::default(),
            images: Vec::new(),
            registry_mbit: 1000.0,
        }
    }

    /// Labels nodes with the `raith21` scheme (locality, accelerator, GPU capabilities), as
    /// `topology.labels = "raith21"` does. Applies to nodes added after the call.
    pub fn raith21_labels(mut self) -> ClusterBuilder {
        self.raith21 = true;
        self
    }

    /// Adds a node type, or replaces the built-in type of the same name.
    pub fn node_type(mut self, t: NodeType) -> ClusterBuilder {
        match self.types.iter_mut().find(|x| x.name == t.name) {
            Some(slot) => *slot = t,
            None => self.types.push(t),
        }
        self
    }

    /// Bandwidth of the image registry's access link, Mbit/s (default 1000).
    pub fn registry_bandwidth_mbit(mut self, mbit: f64) -> ClusterBuilder {
        self.registry_mbit = mbit;
        self
    }

    /// Adds a compute node of type `node_type` with extra `labels`; returns its id.
    pub fn node(
        &mut self,
        name: &str,
        node_type: &str,
        labels: Labels,
    ) -> Result<NodeId, ClusterBuildError> {
        if self.nodes.name.iter().any(|n| n == name) {
            return Err(ClusterBuildError::DuplicateNode(name.to_string()));
        }
        let ti = self
            .types
            .iter()
            .position(|t| t.name == node_type)
            .ok_or_else(|| ClusterBuildError::UnknownType {
                node: name.to_string(),
                node_type: node_type.to_string(),
                known: self
                    .types
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let t = &self.types[ti];
        let labels = node_labels(t, self.raith21, &labels);
        let arch = Cluster::intern_arch(&mut self.archs, &t.arch);
        Ok(self.nodes.push(
            name.to_string(),
            ti as u32,
            arch,
            t.cpu_millis as i64,
            t.memory_bytes as i64,
            labels,
            t.link_mbit,
        ))
    }

    /// Adds a storage node (labelled `data.skippy.io/storage`, never a placement target of the
    /// skippy profile) holding `buckets`: `(bucket, [(item, bytes)])`.
    pub fn storage_node(
        &mut self,
        name: &str,
        node_type: &str,
        buckets: &[(&str, &[(&str, u64)])],
    ) -> Result<NodeId, ClusterBuildError> {
        let mut labels = Labels::new();
        labels.insert("data.skippy.io/storage".into(), String::new());
        let id = self.node(name, node_type, labels)?;
        for (bucket, items) in buckets {
            self.storage.add_bucket(bucket, id);
            for (item, size) in *items {
                self.storage.add_item(bucket, item, *size);
            }
        }
        Ok(id)
    }

    /// Adds a registry image with its per-architecture sizes in bytes (`"any"` fits every node).
    pub fn image(&mut self, name: &str, variants: &[(&str, u64)]) -> Result<(), ClusterBuildError> {
        let normalized = super::normalize_image_name(name);
        if self
            .images
            .iter()
            .any(|i| super::normalize_image_name(&i.name) == normalized)
        {
            return Err(ClusterBuildError::DuplicateImage(normalized));
        }
        self.images.push(ImageConfig {
            name: name.to_string(),
            variants: variants
                .iter()
                .map(|(arch, size)| ImageVariantConfig {
                    arch: arch.to_string(),
                    size: Size(*size),
                })
                .collect(),
            on_missing_arch: Default::default(),
        });
        Ok(())
    }

    /// The cluster, every node empty. Nodes without a `topology.kubernetes.io/zone` label get
    /// the zone the `cluster` generator would give them (LANs of 20 in insertion order), and
    /// every node its `kubernetes.io/hostname` (`docs/scenario.md`, "Zones").
    pub fn build(mut self) -> Cluster {
        super::zones::assign(&mut self.nodes, |id| super::zones::lan_zone(id, 20));
        let mut archs = self.archs;
        let images = ImageRegistry::build(&self.images, |a| Cluster::intern_arch(&mut archs, a));
        let links = LinkModel::new(&self.nodes, self.registry_mbit);
        Cluster {
            nodes: self.nodes,
            types: self.types,
            archs,
            images,
            storage: self.storage,
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_keep_their_names_order_and_type_capacities() {
        let mut b = ClusterBuilder::new();
        assert_eq!(b.node("edge-a", "rpi4", Labels::new()), Ok(0));
        let mut gpu = Labels::new();
        gpu.insert("zone".into(), "lab".into());
        assert_eq!(b.node("gpu-1", "tx2", gpu), Ok(1));
        b.image("resnet", &[("aarch64", 45_000_000), ("x86", 58_000_000)])
            .unwrap();
        let c = b.build();
        assert_eq!(c.nodes.name, ["edge-a", "gpu-1"]);
        assert_eq!(c.nodes.cpu_capacity, [4000, 4000]);
        assert_eq!(c.nodes.label(1, "zone"), Some("lab"));
        assert_eq!(c.nodes.label(1, "beta.kubernetes.io/arch"), Some("aarch64"));
        assert_eq!(c.type_name(0), "rpi4");
        assert_eq!(c.images.id("resnet"), Some(0));
    }

    #[test]
    fn storage_nodes_carry_the_storage_label_and_their_buckets() {
        let mut b = ClusterBuilder::new();
        b.storage_node("store", "server", &[("models", &[("resnet.bin", 1_000)])])
            .unwrap();
        let c = b.build();
        assert!(c.nodes.is_storage[0]);
    }

    #[test]
    fn unknown_types_and_duplicate_names_are_errors() {
        let mut b = ClusterBuilder::new();
        let e = b.node("x", "toaster", Labels::new()).unwrap_err();
        assert!(e.to_string().contains("unknown node type `toaster`"), "{e}");
        b.node("x", "nuc", Labels::new()).unwrap();
        assert_eq!(
            b.node("x", "nuc", Labels::new()),
            Err(ClusterBuildError::DuplicateNode("x".into()))
        );
    }

    #[test]
    fn the_builder_matches_a_scenario_cluster() {
        let sc: crate::config::Scenario = toml::from_str(
            r#"
            [topology]
            nodes = [{ type = "nuc", count = 2 }]
            [[images]]
            name = "fn"
            variants = [{ arch = "x86", size = "58M" }]
            "#,
        )
        .unwrap();
        let from_scenario = Cluster::build(&sc).unwrap();
        let mut b = ClusterBuilder::new();
        b.node("nuc_0", "nuc", Labels::new()).unwrap();
        b.node("nuc_1", "nuc", Labels::new()).unwrap();
        b.image("fn", &[("x86", 58_000_000)]).unwrap();
        let built = b.build();
        assert_eq!(built.nodes.name, from_scenario.nodes.name);
        assert_eq!(built.nodes.labels, from_scenario.nodes.labels);
        assert_eq!(built.nodes.arch, from_scenario.nodes.arch);
        assert_eq!(built.archs, from_scenario.archs);
        assert_eq!(built.images.id("fn"), from_scenario.images.id("fn"));
    }
}
