//! `LinkModel`: the run's topology seen as a bandwidth oracle between the registry, storage and
//! compute nodes (`docs/network.md`).
//!
//! One topology is the single source of bandwidth: the scheduler's network-aware priorities and
//! transfers both read the bottleneck of the fewest-hop route. Routes of every pair a run can use
//! (registry → node, storage → node, node → storage) are found once, when the cluster is built,
//! and cached. With `network.enabled = false` every pair has `network.default_bandwidth_mbit`.

use super::nodes::{NodeId, NodeTable};
use crate::config::NetworkConfig;
use crate::network::{
    route, LatencyMode, LatencyModel, LinkKind, Route, RouteCache, Topology, TopologyNode, VertexId,
};

/// One end of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The image registry.
    Registry,
    /// A node of the node table.
    Node(NodeId),
}

/// Bandwidth and routes between endpoints of one topology.
#[derive(Clone, Debug)]
pub struct LinkModel {
    /// False: every transfer runs at `default_mbit`, without routes.
    pub enabled: bool,
    /// `network.default_bandwidth_mbit`.
    pub default_mbit: f64,
    /// How lognormal latencies resolve.
    pub mode: LatencyMode,
    /// The topology (graph and node facts).
    pub topology: Topology,
    /// Routes of every pair a run uses.
    pub routes: RouteCache,
}

impl LinkModel {
    /// A star topology for tests and hand-built clusters: every node has its own access link of
    /// `nodes.link_mbit` to one `internet` switch, and the registry reaches it through a link
    /// of `registry_mbit`. All latencies are zero.
    pub fn new(nodes: &NodeTable, registry_mbit: f64) -> LinkModel {
        let mut t = Topology::default();
        let g = &mut t.graph;
        let internet = g.add_switch("internet").expect("fresh graph");
        for i in 0..nodes.len() {
            let v = g
                .add_node(nodes.name[i].clone())
                .expect("unique node names");
            let l = g
                .add_link(
                    format!("link_{}", nodes.name[i]),
                    LinkKind::Node,
                    nodes.link_mbit[i],
                )
                .expect("positive link bandwidth");
            g.connect(v, l, LatencyModel::ZERO).expect("node to link");
            g.connect(l, internet, LatencyModel::ZERO)
                .expect("link to switch");
            t.nodes.push(TopologyNode {
                name: nodes.name[i].clone(),
                node_type: nodes.node_type[i],
                labels: Default::default(),
                zone: String::new(),
                storage: nodes.is_storage[i],
                buckets: Vec::new(),
            });
        }
        let r = g.add_registry("registry").expect("unique registry");
        let l = g
            .add_link("link_registry", LinkKind::Node, registry_mbit)
            .expect("positive registry bandwidth");
        g.connect(r, l, LatencyModel::ZERO).expect("registry link");
        g.connect(l, internet, LatencyModel::ZERO)
            .expect("registry link");
        let net = NetworkConfig {
            default_bandwidth_mbit: registry_mbit,
            ..NetworkConfig::default()
        };
        LinkModel::from_topology(t, &net, &[]).expect("a star topology is connected")
    }

    /// The oracle of `topology` under `net`; `storage` lists the storage nodes whose routes to
    /// and from every node are cached. Fails when the registry reaches no node, or a storage
    /// node reaches no node that is not a storage node.
    pub fn from_topology(
        topology: Topology,
        net: &NetworkConfig,
        storage: &[NodeId],
    ) -> Result<LinkModel, String> {
        let mode = LatencyMode::parse(&net.latency).unwrap_or_default();
        let mut routes = RouteCache::default();
        let g = &topology.graph;
        let all: Vec<VertexId> = g.node_vertex.clone();
        if net.enabled && !all.is_empty() {
            let reg = g
                .registry
                .ok_or_else(|| "topology: the topology has no registry".to_string())?;
            routes.fill_from(g, reg, &all, mode);
            if all
                .iter()
                .all(|&v| matches!(routes.get(reg, v), Some(None)))
            {
                return Err(
                    "topology: the registry reaches no node (check `network.registry_attach` and the edges)"
                        .to_string(),
                );
            }
            for &s in storage {
                let sv = g.node_vertex[s as usize];
                routes.fill_from(g, sv, &all, mode);
                for &v in &all {
                    routes.fill_pair(g, v, sv, mode);
                }
                let compute = (0..all.len()).filter(|&i| !topology.nodes[i].storage);
                let mut reached = false;
                for i in compute {
                    if matches!(routes.get(sv, all[i]), Some(Some(_))) {
                        reached = true;
                        break;
                    }
                }
                if !reached {
                    return Err(format!(
                        "topology: storage node `{}` is unreachable: no route to any compute node",
                        topology.nodes[s as usize].name
                    ));
                }
            }
        }
        Ok(LinkModel {
            enabled: net.enabled,
            default_mbit: net.default_bandwidth_mbit,
            mode,
            topology,
            routes,
        })
    }

    /// Vertex of an endpoint.
    pub fn vertex(&self, e: Endpoint) -> VertexId {
        let g = &self.topology.graph;
        match e {
            Endpoint::Registry => g.registry.expect("built topologies have a registry"),
            Endpoint::Node(n) => g.node_vertex[n as usize],
        }
    }

    /// The route `a → b` (cached pairs are looked up; others are searched); `None` when `b` is
    /// unreachable or the network model is disabled.
    pub fn route(&self, a: Endpoint, b: Endpoint) -> Option<std::borrow::Cow<'_, Route>> {
        if !self.enabled {
            return None;
        }
        let (va, vb) = (self.vertex(a), self.vertex(b));
        match self.routes.get(va, vb) {
            Some(r) => r.map(std::borrow::Cow::Borrowed),
            None => route(&self.topology.graph, va, vb, self.mode).map(std::borrow::Cow::Owned),
        }
    }

    /// Bottleneck bandwidth between two endpoints in Mbit/s; `None` if there is no route.
    pub fn bandwidth_mbit(&self, a: Endpoint, b: Endpoint) -> Option<f64> {
        if !self.enabled {
            return Some(self.default_mbit);
        }
        self.route(a, b).map(|r| r.bottleneck_mbit)
    }

    /// skippy's bandwidth oracle `bw(a, b)`: `1.25e8` for the same node (mixed units kept for
    /// parity, `docs/schedulers.md`), else the route bottleneck in Mbit/s.
    pub fn skippy_bw(&self, a: Endpoint, b: Endpoint) -> Option<f64> {
        if a == b {
            Some(1.25e8)
        } else {
            self.bandwidth_mbit(a, b)
        }
    }

    /// Seconds to move `bytes` from `a` to `b` alone on the route's bottleneck, without set-up
    /// or goodput factor.
    pub fn transfer_secs(&self, a: Endpoint, b: Endpoint, bytes: u64) -> f64 {
        match self.bandwidth_mbit(a, b) {
            Some(mbit) if mbit > 0.0 => bytes as f64 / (mbit * 125_000.0),
            _ => f64::INFINITY,
        }
    }

    /// Zone (LAN, cell or region) of node `n`.
    pub fn zone(&self, n: NodeId) -> &str {
        &self.topology.nodes[n as usize].zone
    }
}
