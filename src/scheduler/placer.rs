//! [`Placer`]: the placement protocol of the platform, for using a [`Scheduler`] outside a
//! simulation — to benchmark it on a recorded cluster, to test it, or to compare its choices
//! with another scheduler's on the same sequence of pods.
//!
//! The protocol (`docs/schedulers.md`, "The placement protocol") is what the simulation does
//! for every pod:
//!
//! 1. reset the [`Decision`] and call [`Scheduler::schedule`];
//! 2. if it chose a node, reserve the pod's requests there ([`NodeTable::reserve`]) and then call
//!    [`Scheduler::on_placed`] — the scheduler sees the node's free resources already reduced;
//! 3. when the pod's replica ends, release the requests ([`NodeTable::release`]) and then call
//!    [`Scheduler::on_removed`];
//! 4. when an image pull completes on a node, record it in the [`ImageCache`], which the
//!    scheduler reads through [`SchedContext::cache`].
//!
//! [`NodeTable::reserve`]: crate::cluster::NodeTable::reserve
//! [`NodeTable::release`]: crate::cluster::NodeTable::release

use super::{Decision, Pod, SchedContext, Scheduler};
use crate::cluster::{Cluster, ImageCache, ImageId, NodeId};

/// A scheduler, the cluster it places on and the image caches, driven through the placement
/// protocol (see the module docs).
pub struct Placer {
    cluster: Cluster,
    cache: ImageCache,
    scheduler: Box<dyn Scheduler>,
    decision: Decision,
}

impl Placer {
    /// A placer for `scheduler` on `cluster` (all nodes empty, no image cached).
    pub fn new(cluster: Cluster, scheduler: Box<dyn Scheduler>) -> Placer {
        let cache = ImageCache::new(cluster.nodes.len(), cluster.images.len());
        Placer {
            cluster,
            cache,
            scheduler,
            decision: Decision::default(),
        }
    }

    /// Asks the scheduler for a node for `pod`; if it chose one, reserves the pod's requests
    /// there and tells the scheduler (steps 1–2 of the protocol). The full record of the
    /// decision is in [`Placer::decision`] afterwards.
    pub fn place(&mut self, pod: &Pod) -> Option<NodeId> {
        self.decision.reset();
        let ctx = SchedContext {
            cluster: &self.cluster,
            cache: &self.cache,
        };
        self.scheduler.schedule(pod, &ctx, &mut self.decision);
        let node = self.decision.node?;
        self.cluster
            .nodes
            .reserve(node, pod.cpu_millis, pod.memory_bytes);
        let ctx = SchedContext {
            cluster: &self.cluster,
            cache: &self.cache,
        };
        self.scheduler.on_placed(pod, node, &ctx);
        Some(node)
    }

    /// Removes a placed `pod` from `node`: releases its requests, then tells the scheduler
    /// (step 3 of the protocol).
    pub fn remove(&mut self, pod: &Pod, node: NodeId) {
        self.cluster
            .nodes
            .release(node, pod.cpu_millis, pod.memory_bytes);
        let ctx = SchedContext {
            cluster: &self.cluster,
            cache: &self.cache,
        };
        self.scheduler.on_removed(pod, node, &ctx);
    }

    /// Records that `node` now holds `image` (a completed pull, step 4 of the protocol).
    pub fn image_pulled(&mut self, node: NodeId, image: ImageId) {
        self.cache.insert(node, image);
    }

    /// The record of the last decision (feasible nodes, scores, rejections, …).
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The cluster with its current free resources.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }
}
