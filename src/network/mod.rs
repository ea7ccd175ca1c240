//! The network: the topology graph and its generators, fewest-hop routing, flows that share
//! links by exact max-min fairness, and the image pulls in flight (`docs/network.md`).

pub mod data;
pub mod flows;
pub mod generators;
pub mod graph;
pub mod latency;
pub mod pulls;
pub mod routing;
pub mod topology;
pub mod transfers;

pub use flows::{FlowId, FlowTable, DEFAULT_GOODPUT_FACTOR};
pub use graph::{Graph, GraphError, LinkId, LinkKind, VertexId, VertexKind};
pub use latency::{LatencyMode, LatencyModel};
pub use pulls::{Network, Pull};
pub use routing::{route, Route, RouteCache};
pub use topology::{Topology, TopologyBuilder, TopologyNode};
pub use transfers::{Finished, Owner, RowFacts, TransferEvents, TransferKind, Transfers};
