//! Data transfers between replicas and storage buckets (`docs/network.md`, "Data transfers"):
//! which storage node of a bucket serves a replica (`network.storage_choice`), and local I/O
//! when that node is the replica's own.

use super::pulls::Network;
use super::transfers::{Owner, RowFacts, TransferEvents, TransferKind};
use crate::cluster::{Endpoint, LinkModel, NodeId, StorageIndex};
use crate::engine::{EventQueue, SimTime};

impl Network {
    /// The storage node of `bucket` that serves `node`: the first registered, or (with
    /// `storage_choice = "nearest"`) the one whose route to `node` has the largest bottleneck
    /// (ties: the first registered). `None` when no node holds the bucket.
    pub fn storage_node(
        &self,
        links: &LinkModel,
        storage: &StorageIndex,
        bucket: &str,
        node: NodeId,
    ) -> Option<NodeId> {
        let holders = storage.buckets.get(bucket)?;
        if !self.storage_nearest {
            return holders.first().copied();
        }
        let mut best: Option<(NodeId, f64)> = None;
        for &s in holders {
            // the replica's own node is nearest of all
            let bw = if s == node {
                f64::INFINITY
            } else {
                links
                    .bandwidth_mbit(Endpoint::Node(s), Endpoint::Node(node))
                    .unwrap_or(0.0)
            };
            if best.is_none_or(|(_, b)| bw > b) {
                best = Some((s, bw));
            }
        }
        best.map(|(s, _)| s)
    }

    /// Starts moving `bytes` of `bucket` to (`DataDownload`) or from (`DataUpload`) `node` for
    /// `owner`: a local read or write when the bucket is on `node`, otherwise a flow between
    /// `node` and the chosen storage node.
    #[allow(clippy::too_many_arguments)]
    pub fn start_data<E: TransferEvents>(
        &mut self,
        now: SimTime,
        links: &LinkModel,
        storage: &StorageIndex,
        kind: TransferKind,
        bucket: &str,
        node: NodeId,
        bytes: u64,
        owner: Owner,
        facts: RowFacts,
        queue: &mut EventQueue<E>,
    ) -> Result<(), String> {
        let s = self
            .storage_node(links, storage, bucket, node)
            .ok_or_else(|| format!("no storage node holds bucket `{bucket}`"))?;
        self.start_data_with(now, links, kind, s, node, bytes, owner, facts, queue)
    }

    /// [`Network::start_data`] with the storage node `storage_node` already chosen.
    #[allow(clippy::too_many_arguments)]
    pub fn start_data_with<E: TransferEvents>(
        &mut self,
        now: SimTime,
        links: &LinkModel,
        kind: TransferKind,
        storage_node: NodeId,
        node: NodeId,
        bytes: u64,
        owner: Owner,
        facts: RowFacts,
        queue: &mut EventQueue<E>,
    ) -> Result<(), String> {
        if storage_node == node {
            let rate = self.local_io_bytes_per_s;
            self.transfers
                .start_local(now, kind, node, bytes, rate, owner, queue);
            return Ok(());
        }
        let (from, to) = match kind {
            TransferKind::DataUpload => (Endpoint::Node(node), Endpoint::Node(storage_node)),
            _ => (Endpoint::Node(storage_node), Endpoint::Node(node)),
        };
        self.transfers
            .start(now, links, kind, from, to, bytes, owner, facts, queue)
    }

    /// Whether `node` and `storage_node` can exchange data in the direction of `kind` (always
    /// for the same node, and without the network model, which has no routes).
    pub fn data_reachable(
        links: &LinkModel,
        kind: TransferKind,
        storage_node: NodeId,
        node: NodeId,
    ) -> bool {
        if storage_node == node || !links.enabled {
            return true;
        }
        let (s, n) = (Endpoint::Node(storage_node), Endpoint::Node(node));
        match kind {
            TransferKind::DataUpload => links.route(n, s).is_some(),
            _ => links.route(s, n).is_some(),
        }
    }
}
