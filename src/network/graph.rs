//! The topology graph: node, link and switch vertices joined by directed edges that carry a
//! latency model (`docs/network.md`, "Topology graph").
//!
//! Links are vertices, not edges: a link is the only element with a bandwidth (per direction, a
//! direction being a separate link vertex such as `up_x` / `down_x`), so a route's bandwidth
//! constraints are exactly the link vertices it passes. Switches are transparent. Vertices and
//! edges keep insertion order, which fixes node ids, link ids and the routing tie-break.

use super::latency::LatencyModel;
use std::collections::HashMap;

/// Dense vertex index in insertion order.
pub type VertexId = u32;
/// Dense link index in insertion order (a link vertex's position among links).
pub type LinkId = u32;

/// What a vertex is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VertexKind {
    /// An endpoint of transfers: the `i`-th node of the topology (compute or storage).
    Node(u32),
    /// The image registry (an endpoint that is not in the node table).
    Registry,
    /// A bandwidth-constrained link.
    Link(LinkId),
    /// A transparent switch.
    Switch,
}

/// Role tag of a link, written to the `links` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A host's own access link.
    Node,
    /// A medium shared by a cell or neighbourhood.
    Shared,
    /// The upward half of an up/down pair.
    Uplink,
    /// The downward half of an up/down pair.
    Downlink,
}

impl LinkKind {
    /// The tag as written in outputs and explicit topologies.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Node => "node",
            LinkKind::Shared => "shared",
            LinkKind::Uplink => "uplink",
            LinkKind::Downlink => "downlink",
        }
    }

    /// Parses a tag.
    pub fn parse(s: &str) -> Option<LinkKind> {
        match s {
            "node" => Some(LinkKind::Node),
            "shared" => Some(LinkKind::Shared),
            "uplink" => Some(LinkKind::Uplink),
            "downlink" => Some(LinkKind::Downlink),
            _ => None,
        }
    }
}

/// Why a vertex or edge cannot be added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Two vertices with one name.
    #[error("vertex `{0}` is defined twice")]
    DuplicateVertex(String),
    /// An edge names a vertex that does not exist.
    #[error("edge to undefined vertex `{0}`")]
    UndefinedVertex(String),
    /// A node reaches the network only through a link or a switch.
    #[error("edge between two nodes `{0}` and `{1}` (a node connects through a link or a switch)")]
    NodeToNode(String, String),
    /// A link needs a finite capacity > 0.
    #[error("link `{0}` needs a capacity > 0 Mbit/s")]
    BadCapacity(String),
}

/// A directed edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// Head vertex.
    pub to: VertexId,
    /// One-way latency.
    pub latency: LatencyModel,
}

/// The graph: vertices, their kinds and names, out-edges in insertion order, link columns.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Vertex names (unique).
    pub name: Vec<String>,
    /// Vertex kinds.
    pub kind: Vec<VertexKind>,
    /// Out-edges of each vertex, in insertion order.
    pub out: Vec<Vec<Edge>>,
    /// Link capacity, Mbit/s, by link id.
    pub link_capacity: Vec<f64>,
    /// Link role tags, by link id.
    pub link_kind: Vec<LinkKind>,
    /// Vertex of each link.
    pub link_vertex: Vec<VertexId>,
    /// Vertex of each topology node, by node index.
    pub node_vertex: Vec<VertexId>,
    /// The registry vertex, once added.
    pub registry: Option<VertexId>,
    by_name: HashMap<String, VertexId>,
}

impl Graph {
    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.name.len()
    }

    /// Number of links.
    pub fn link_count(&self) -> usize {
        self.link_capacity.len()
    }

    /// The vertex called `name`.
    pub fn find(&self, name: &str) -> Option<VertexId> {
        self.by_name.get(name).copied()
    }

    /// Name of link `l`.
    pub fn link_name(&self, l: LinkId) -> &str {
        &self.name[self.link_vertex[l as usize] as usize]
    }

    fn add(&mut self, name: String, kind: VertexKind) -> Result<VertexId, GraphError> {
        if self.by_name.contains_key(&name) {
            return Err(GraphError::DuplicateVertex(name));
        }
        let v = self.name.len() as VertexId;
        self.by_name.insert(name.clone(), v);
        self.name.push(name);
        self.kind.push(kind);
        self.out.push(Vec::new());
        Ok(v)
    }

    /// Adds the next topology node; returns its vertex.
    pub fn add_node(&mut self, name: impl Into<String>) -> Result<VertexId, GraphError> {
        let index = self.node_vertex.len() as u32;
        let v = self.add(name.into(), VertexKind::Node(index))?;
        self.node_vertex.push(v);
        Ok(v)
    }

    /// Adds the registry vertex.
    pub fn add_registry(&mut self, name: impl Into<String>) -> Result<VertexId, GraphError> {
        let v = self.add(name.into(), VertexKind::Registry)?;
        self.registry = Some(v);
        Ok(v)
    }

    /// Adds a link of `capacity_mbit` (finite, > 0).
    pub fn add_link(
        &mut self,
        name: impl Into<String>,
        kind: LinkKind,
        capacity_mbit: f64,
    ) -> Result<VertexId, GraphError> {
        let name = name.into();
        if !(capacity_mbit.is_finite() && capacity_mbit > 0.0) {
            return Err(GraphError::BadCapacity(name));
        }
        let id = self.link_capacity.len() as LinkId;
        let v = self.add(name, VertexKind::Link(id))?;
        self.link_capacity.push(capacity_mbit);
        self.link_kind.push(kind);
        self.link_vertex.push(v);
        Ok(v)
    }

    /// Adds a switch.
    pub fn add_switch(&mut self, name: impl Into<String>) -> Result<VertexId, GraphError> {
        self.add(name.into(), VertexKind::Switch)
    }

    fn is_endpoint(&self, v: VertexId) -> bool {
        matches!(
            self.kind[v as usize],
            VertexKind::Node(_) | VertexKind::Registry
        )
    }

    /// Adds the directed edge `u → v`.
    pub fn edge(
        &mut self,
        u: VertexId,
        v: VertexId,
        latency: LatencyModel,
    ) -> Result<(), GraphError> {
        if self.is_endpoint(u) && self.is_endpoint(v) {
            return Err(GraphError::NodeToNode(
                self.name[u as usize].clone(),
                self.name[v as usize].clone(),
            ));
        }
        self.out[u as usize].push(Edge { to: v, latency });
        Ok(())
    }

    /// Adds `u → v` and `v → u` with the same latency model.
    pub fn connect(
        &mut self,
        u: VertexId,
        v: VertexId,
        latency: LatencyModel,
    ) -> Result<(), GraphError> {
        self.edge(u, v, latency)?;
        self.edge(v, u, latency)
    }

    /// Adds `u → v` by names.
    pub fn edge_by_name(
        &mut self,
        u: &str,
        v: &str,
        latency: LatencyModel,
    ) -> Result<(), GraphError> {
        let a = self
            .find(u)
            .ok_or_else(|| GraphError::UndefinedVertex(u.to_string()))?;
        let b = self
            .find(v)
            .ok_or_else(|| GraphError::UndefinedVertex(v.to_string()))?;
        self.edge(a, b, latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertices_keep_insertion_order_and_unique_names() {
        let mut g = Graph::default();
        let n = g.add_node("a").unwrap();
        let l = g.add_link("link_a", LinkKind::Node, 100.0).unwrap();
        let s = g.add_switch("sw").unwrap();
        assert_eq!((n, l, s), (0, 1, 2));
        assert_eq!(g.kind[1], VertexKind::Link(0));
        assert_eq!(g.node_vertex, vec![0]);
        assert_eq!(
            g.add_switch("sw"),
            Err(GraphError::DuplicateVertex("sw".into()))
        );
    }

    #[test]
    fn an_edge_between_two_nodes_is_refused() {
        let mut g = Graph::default();
        let a = g.add_node("a").unwrap();
        let b = g.add_node("b").unwrap();
        assert!(matches!(
            g.edge(a, b, LatencyModel::ZERO),
            Err(GraphError::NodeToNode(..))
        ));
    }

    #[test]
    fn a_link_needs_a_positive_capacity() {
        let mut g = Graph::default();
        assert!(g.add_link("l", LinkKind::Node, 0.0).is_err());
        assert!(g.add_link("l", LinkKind::Node, f64::NAN).is_err());
    }
}
