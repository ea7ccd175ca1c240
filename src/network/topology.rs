//! `Topology`: a built graph plus the facts of its nodes (name, catalog type, extra labels,
//! zone, buckets) in node-id order, and the `TopologyBuilder` the generators share: node naming,
//! host attachment, up/down pairs and the registry (`docs/network.md`, "Generators").

use super::graph::{Graph, GraphError, LinkKind, VertexId, VertexKind};
use super::latency::LatencyModel;
use crate::config::{Labels, NetworkConfig};

/// A node of the topology, in node-id order.
#[derive(Clone, Debug, PartialEq)]
pub struct TopologyNode {
    /// Unique name (`rpi3_0`, `storage_0`, or as written in an explicit topology).
    pub name: String,
    /// Index in the cluster's node-type catalog.
    pub node_type: u32,
    /// Labels added to the type's labels.
    pub labels: Labels,
    /// The LAN, cell or region the node belongs to (`""` when none).
    pub zone: String,
    /// A storage node: label `data.skippy.io/storage`, not used for pods.
    pub storage: bool,
    /// Buckets the node holds: `(bucket, [(item, size)])`.
    pub buckets: Vec<(String, Vec<(String, u64)>)>,
}

/// A built topology.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// The graph; node `i` of `nodes` is vertex `graph.node_vertex[i]`.
    pub graph: Graph,
    /// Node facts in node-id order.
    pub nodes: Vec<TopologyNode>,
}

/// Shared construction steps of the generators.
pub struct TopologyBuilder<'a> {
    /// The topology under construction.
    pub topo: Topology,
    types: &'a [String],
    link_mbit: &'a [f64],
    counters: Vec<u32>,
}

/// Capacities of an up/down pair, Mbit/s, and its latency.
#[derive(Clone, Copy, Debug)]
pub struct UpDown {
    /// Upward capacity.
    pub up: f64,
    /// Downward capacity.
    pub down: f64,
    /// Latency paid once per direction.
    pub latency: LatencyModel,
}

impl UpDown {
    /// Mobile backhaul: 125 down / 25 up, `mobile_isp` latency.
    pub const MOBILE: UpDown = UpDown {
        up: 25.0,
        down: 125.0,
        latency: LatencyModel::MOBILE_ISP,
    };
    /// Business internet access: 500 down / 50 up, `business_isp` latency.
    pub const BUSINESS: UpDown = UpDown {
        up: 50.0,
        down: 500.0,
        latency: LatencyModel::BUSINESS_ISP,
    };
    /// Fiber: 1000 / 1000, `lan` latency.
    pub const FIBER: UpDown = UpDown {
        up: 1000.0,
        down: 1000.0,
        latency: LatencyModel::LAN,
    };
}

impl<'a> TopologyBuilder<'a> {
    /// A builder over the catalog's type names and each type's access-link capacity.
    pub fn new(types: &'a [String], link_mbit: &'a [f64]) -> Self {
        TopologyBuilder {
            topo: Topology::default(),
            types,
            link_mbit,
            counters: vec![0; types.len()],
        }
    }

    /// The catalog index of type `name`.
    pub fn type_index(&self, name: &str) -> Option<u32> {
        self.types.iter().position(|t| t == name).map(|i| i as u32)
    }

    /// Name of catalog type `t`.
    pub fn type_name(&self, t: u32) -> &str {
        &self.types[t as usize]
    }

    /// Adds a switch.
    pub fn switch(&mut self, name: impl Into<String>) -> Result<VertexId, GraphError> {
        self.topo.graph.add_switch(name)
    }

    /// Adds the next node of type `t` (named `<type>_<n>`) with its own access link attached to
    /// `parent`.
    pub fn host(&mut self, t: u32, zone: &str, parent: VertexId) -> Result<VertexId, GraphError> {
        let n = self.counters[t as usize];
        self.counters[t as usize] += 1;
        let name = format!("{}_{n}", self.types[t as usize]);
        self.named_host(
            TopologyNode {
                name,
                node_type: t,
                labels: Labels::new(),
                zone: zone.to_string(),
                storage: false,
                buckets: Vec::new(),
            },
            parent,
        )
    }

    /// Adds `node` with its access link `link_<name>` (capacity of its type, kind `node`):
    /// node–link with `lan` latency, link–parent with none.
    pub fn named_host(
        &mut self,
        node: TopologyNode,
        parent: VertexId,
    ) -> Result<VertexId, GraphError> {
        let cap = self.link_mbit[node.node_type as usize];
        let v = self.node(node)?;
        let name = format!("link_{}", self.topo.graph.name[v as usize]);
        let l = self.topo.graph.add_link(name, LinkKind::Node, cap)?;
        self.topo.graph.connect(v, l, LatencyModel::LAN)?;
        self.topo.graph.connect(l, parent, LatencyModel::ZERO)?;
        Ok(v)
    }

    /// Adds a node vertex without attachment.
    pub fn node(&mut self, node: TopologyNode) -> Result<VertexId, GraphError> {
        let v = self.topo.graph.add_node(node.name.clone())?;
        self.topo.nodes.push(node);
        Ok(v)
    }

    /// Connects cell vertex `c` to backhaul vertex `h` through links `up_<tag>` and
    /// `down_<tag>`: `c → up` and `h → down` pay the latency, `up → h` and `down → c` do not.
    pub fn up_down(
        &mut self,
        tag: &str,
        c: VertexId,
        h: VertexId,
        pair: UpDown,
    ) -> Result<(), GraphError> {
        let g = &mut self.topo.graph;
        let up = g.add_link(format!("up_{tag}"), LinkKind::Uplink, pair.up)?;
        let down = g.add_link(format!("down_{tag}"), LinkKind::Downlink, pair.down)?;
        g.edge(c, up, pair.latency)?;
        g.edge(up, h, LatencyModel::ZERO)?;
        g.edge(h, down, pair.latency)?;
        g.edge(down, c, LatencyModel::ZERO)
    }

    /// Finishes the topology: adds the registry (unless the graph has one) attached to the
    /// vertices `network.registry_attach` names, by default every switch whose name starts with
    /// `internet`; through a link `link_registry` when `network.registry_link_mbit` is set.
    pub fn finish(mut self, net: &NetworkConfig) -> Result<Topology, String> {
        let g = &mut self.topo.graph;
        if g.registry.is_some() {
            return Ok(self.topo);
        }
        let mut targets = Vec::new();
        if net.registry_attach.is_empty() {
            for v in 0..g.vertex_count() {
                if g.kind[v] == VertexKind::Switch && g.name[v].starts_with("internet") {
                    targets.push(v as VertexId);
                }
            }
        } else {
            for (i, name) in net.registry_attach.iter().enumerate() {
                let v = g.find(name).ok_or_else(|| {
                    format!("network.registry_attach[{i}]: no vertex named `{name}`")
                })?;
                targets.push(v);
            }
        }
        let r = g
            .add_registry("registry")
            .map_err(|e| format!("topology: {e} (the name `registry` is reserved)"))?;
        let via = match net.registry_link_mbit {
            Some(cap) => {
                let l = g
                    .add_link("link_registry", LinkKind::Node, cap)
                    .map_err(|e| format!("network.registry_link_mbit: {e}"))?;
                g.connect(r, l, LatencyModel::ZERO)
                    .map_err(|e| e.to_string())?;
                l
            }
            None => r,
        };
        for t in targets {
            g.connect(via, t, LatencyModel::ZERO)
                .map_err(|e| format!("network.registry_attach: {e}"))?;
        }
        Ok(self.topo)
    }
}
