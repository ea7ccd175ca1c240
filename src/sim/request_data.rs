//! Per-invocation data transfers (`docs/network.md`, "Data transfers"): a request served by a
//! replica whose container has `data_phase = "invocation"` downloads the container's
//! `receives-from-storage` item before its compute part and uploads its `sends-to-storage` item
//! after it.
//!
//! The request holds its worker from its start to the end of its upload — the worker is busy
//! while it waits for its input, as in faas-sim, whose function simulator downloads inside the
//! invocation — so its `exec` (and `response`) includes both transfers, and `transfer_s` says
//! how much of `exec` was spent moving data. CPU is used (`cpu_per_invocation`, shared CPUs)
//! only during the compute part. Each transfer is a flow that shares links with every other
//! flow (image pulls, other requests' transfers), or a local read/write when the bucket is on
//! the replica's own node.
//!
//! The request path pays one test of [`RequestData::active`] at start and at compute end when
//! no container moves data per invocation; everything else lives here.

use super::Simulation;
use crate::compute::Finished;
use crate::config::DataPhase;
use crate::engine::SimTime;
use crate::model::Model;
use crate::network::{Network, Owner, RowFacts, TransferKind};
use crate::platform::Slot;
use std::collections::HashMap;

/// Storage node index meaning "none chosen" (the container moves nothing that way).
const NO_NODE: u32 = u32::MAX;

/// A request in the middle of its data transfers.
#[derive(Clone, Copy, Debug)]
struct Moving {
    /// Time spent in finished transfers.
    spent: SimTime,
    /// Start of the transfer now moving (`NEVER`: none).
    since: SimTime,
    /// Slowdown of its compute part, kept for its row until the upload ends.
    slowdown: f64,
}

/// The per-invocation transfers of one run.
#[derive(Debug, Default)]
pub(super) struct RequestData {
    /// Some container of the scenario moves data per invocation.
    pub active: bool,
    /// Requests with a transfer started, by request id (looked up, never iterated).
    moving: HashMap<u64, Moving>,
    /// Per replica slot: the storage nodes serving its downloads and its uploads, chosen when
    /// the replica became Running.
    storage: Vec<[u32; 2]>,
}

impl RequestData {
    /// The per-invocation transfer state of a run of `model`.
    pub fn new(model: &Model) -> RequestData {
        RequestData {
            active: model.functions.iter().any(|f| {
                f.containers
                    .iter()
                    .any(|c| c.data.phase == DataPhase::Invocation)
            }),
            ..RequestData::default()
        }
    }

    /// Time request `id` spent transferring data, counting a transfer still moving up to
    /// `until` (the end of the run, for a request cut while moving data).
    pub fn transfer_time(&self, id: u64, until: SimTime) -> SimTime {
        if !self.active {
            return SimTime::ZERO;
        }
        match self.moving.get(&id) {
            None => SimTime::ZERO,
            Some(m) if m.since.is_set() => m.spent.plus(until.since(m.since)),
            Some(m) => m.spent,
        }
    }

    fn begin(&mut self, id: u64, now: SimTime) {
        self.moving
            .entry(id)
            .or_insert(Moving {
                spent: SimTime::ZERO,
                since: SimTime::NEVER,
                slowdown: 1.0,
            })
            .since = now;
    }

    fn end(&mut self, id: u64, now: SimTime) {
        if let Some(m) = self.moving.get_mut(&id) {
            m.spent = m.spent.plus(now.since(m.since));
            m.since = SimTime::NEVER;
        }
    }
}

impl Simulation<'_> {
    /// Replica `r` (of a container with `data_phase = "invocation"`) is about to run: choose the
    /// storage nodes its requests will download from and upload to (`network.storage_choice`),
    /// and check that they reach its node.
    pub(super) fn choose_request_storage(&mut self, r: Slot) -> Result<(), String> {
        let ri = r as usize;
        let f = &self.model.functions[self.replicas.function[ri] as usize];
        let c = &f.containers[self.replicas.container[ri] as usize];
        let node = self.replicas.node[ri];
        let mut chosen = [NO_NODE; 2];
        let items = [
            (TransferKind::DataDownload, &c.data.download),
            (TransferKind::DataUpload, &c.data.upload),
        ];
        for (k, (kind, item)) in items.into_iter().enumerate() {
            let Some(item) = item else { continue };
            let links = &self.cluster.links;
            let s = self
                .network
                .storage_node(links, &self.cluster.storage, &item.bucket, node)
                .ok_or_else(|| format!("no storage node holds bucket `{}`", item.bucket))?;
            if !Network::data_reachable(links, kind, s, node) {
                let names = &self.cluster.nodes.name;
                let (from, to) = match kind {
                    TransferKind::DataUpload => (node, s),
                    _ => (s, node),
                };
                return Err(format!(
                    "deployments[{}].containers[{}]: {}: no route from node `{}` to node `{}` \
                     (bucket `{}`)",
                    f.deployment.unwrap_or(0),
                    c.config_index,
                    kind.as_str(),
                    names[from as usize],
                    names[to as usize],
                    item.bucket
                ));
            }
            chosen[k] = s;
        }
        let storage = &mut self.request_data.storage;
        if storage.len() <= ri {
            storage.resize(ri + 1, [NO_NODE; 2]);
        }
        storage[ri] = chosen;
        Ok(())
    }

    /// A worker begins request `slot`: if its container downloads data per invocation, the
    /// download starts (holding the worker) and the compute part waits for it (true).
    pub(super) fn download_before_compute(&mut self, slot: u32) -> bool {
        let r = self.router.request(slot).replica;
        let ri = r as usize;
        let c = &self.model.functions[self.replicas.function[ri] as usize].containers
            [self.replicas.container[ri] as usize];
        if c.data.phase != DataPhase::Invocation {
            return false;
        }
        let Some(item) = &c.data.download else {
            return false;
        };
        let bytes = item.bytes;
        self.compute.hold_worker(r);
        self.note_load(r);
        self.start_request_transfer(slot, TransferKind::DataDownload, bytes);
        true
    }

    /// The compute part of request `slot` ended: if its container moves data per invocation,
    /// its CPU is released and its upload starts, or it completes now without one (true).
    pub(super) fn upload_after_compute(&mut self, slot: u32) -> bool {
        let r = self.router.request(slot).replica;
        let ri = r as usize;
        let c = &self.model.functions[self.replicas.function[ri] as usize].containers
            [self.replicas.container[ri] as usize];
        if c.data.phase != DataPhase::Invocation {
            return false;
        }
        let upload = c.data.upload.as_ref().map(|i| i.bytes);
        // Under isolated CPUs `end_compute` releases the request's CPU (compute's part).
        let slowdown = self.compute.end_compute(&mut self.queue, self.now, r, slot);
        let node = self.replicas.node[ri];
        if let Some(used) = self.compute.shared_use(node) {
            self.usage.set_contended(self.now, node, used);
        }
        let id = self.router.request(slot).id;
        match upload {
            Some(bytes) => {
                self.start_request_transfer(slot, TransferKind::DataUpload, bytes);
                if let Some(m) = self.request_data.moving.get_mut(&id) {
                    m.slowdown = slowdown;
                }
            }
            None => self.finish_data_request(slot, slowdown),
        }
        true
    }

    /// Starts request `slot`'s `kind` transfer of `bytes` between its replica's node and the
    /// storage node chosen for its replica.
    fn start_request_transfer(&mut self, slot: u32, kind: TransferKind, bytes: u64) {
        let req = self.router.request(slot);
        let (id, r) = (req.id, req.replica);
        let ri = r as usize;
        let node = self.replicas.node[ri];
        let storage = self.request_data.storage[ri][(kind == TransferKind::DataUpload) as usize];
        self.request_data.begin(id, self.now);
        let facts = RowFacts {
            replica_id: Some(self.replicas.id[ri]),
            request_id: Some(id),
            image: None,
        };
        self.network
            .start_data_with(
                self.now,
                &self.cluster.links,
                kind,
                storage,
                node,
                bytes,
                Owner::Request(slot),
                facts,
                &mut self.queue,
            )
            .expect("the route was checked when the replica became Running");
    }

    /// Request `slot`'s `kind` transfer finished: after the download its compute part starts,
    /// after the upload it is done.
    pub(super) fn on_request_transfer_done(&mut self, slot: u32, kind: TransferKind) {
        let id = self.router.request(slot).id;
        self.request_data.end(id, self.now);
        match kind {
            TransferKind::DataDownload => {
                let r = self.router.request(slot).replica;
                self.compute.unhold_worker(r);
                self.start_compute(slot);
            }
            _ => {
                let slowdown = self
                    .request_data
                    .moving
                    .get(&id)
                    .map_or(1.0, |m| m.slowdown);
                self.finish_data_request(slot, slowdown);
            }
        }
    }

    /// Request `slot` is done: its worker is free, its row records its transfer time.
    fn finish_data_request(&mut self, slot: u32, slowdown: f64) {
        let id = self.router.request(slot).id;
        let (r, function) = self.record_completion(slot);
        let next = self.compute.release_worker(r);
        let left = self.note_load(r);
        self.complete_request(slot, r, function, Finished { next, slowdown }, left);
        self.request_data.moving.remove(&id);
    }
}
