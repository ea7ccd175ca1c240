//! `LinkModel`: static bandwidth between the registry, storage and compute nodes.
//!
//! This slice models each node's access link only: a transfer between two endpoints is limited
//! by the slower of their access links. The network issue replaces this with routed topologies
//! behind the same interface.

use super::nodes::{NodeId, NodeTable};

/// One end of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The image registry.
    Registry,
    /// A node of the node table.
    Node(NodeId),
}

/// Static bandwidth oracle.
#[derive(Clone, Debug)]
pub struct LinkModel {
    /// Bandwidth of the registry's uplink, Mbit/s.
    pub registry_mbit: f64,
    /// Per-node access-link bandwidth, Mbit/s.
    pub node_mbit: Vec<f64>,
}

impl LinkModel {
    /// The oracle for `nodes`, with the registry at `registry_mbit`.
    pub fn new(nodes: &NodeTable, registry_mbit: f64) -> LinkModel {
        LinkModel {
            registry_mbit,
            node_mbit: nodes.link_mbit.clone(),
        }
    }

    fn access(&self, e: Endpoint) -> f64 {
        match e {
            Endpoint::Registry => self.registry_mbit,
            Endpoint::Node(n) => self.node_mbit[n as usize],
        }
    }

    /// Bottleneck bandwidth between two endpoints in Mbit/s; `None` if there is no route.
    pub fn bandwidth_mbit(&self, a: Endpoint, b: Endpoint) -> Option<f64> {
        Some(self.access(a).min(self.access(b)))
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

    /// Seconds to move `bytes` from `a` to `b` without contention.
    pub fn transfer_secs(&self, a: Endpoint, b: Endpoint, bytes: u64) -> f64 {
        match self.bandwidth_mbit(a, b) {
            Some(mbit) if mbit > 0.0 => bytes as f64 / (mbit * 125_000.0),
            _ => f64::INFINITY,
        }
    }
}
