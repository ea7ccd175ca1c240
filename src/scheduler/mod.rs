//! Placement of pods onto nodes: the [`Scheduler`] trait, the record of one decision, and the
//! profiles (`spec/scheduler.md`).
//!
//! A scheduler sees the cluster through [`SchedContext`] and writes its answer into a reusable
//! [`Decision`]. The platform applies the placement (reserving resources) and then calls
//! [`Scheduler::on_placed`] so the scheduler can update its own view (e.g. skippy's images).

pub mod firstfit;

use crate::cluster::{Cluster, ImageCache, ImageId, NodeId};
use crate::config::{Labels, Scenario};

/// What the scheduler knows about the pod to place.
#[derive(Clone, Copy, Debug)]
pub struct Pod<'a> {
    /// Replica id (also the pod's identity).
    pub replica: u32,
    /// Function id.
    pub function: u32,
    /// The pod's image.
    pub image: ImageId,
    /// CPU request, millicores.
    pub cpu_millis: i64,
    /// Memory request, bytes.
    pub memory_bytes: i64,
    /// Function labels overlaid by container labels.
    pub labels: &'a Labels,
}

/// Read-only cluster state at the decision time.
#[derive(Clone, Copy)]
pub struct SchedContext<'a> {
    /// Nodes (with current free resources), registry, storage and links.
    pub cluster: &'a Cluster,
    /// Node image caches (completed pulls).
    pub cache: &'a ImageCache,
}

/// One priority's contribution to the chosen node's score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreEntry {
    /// Priority / plugin name.
    pub name: &'static str,
    /// Map value before normalisation.
    pub raw: f64,
    /// Reduced / normalised value.
    pub normalized: f64,
    /// Weight.
    pub weight: f64,
    /// `normalized × weight`.
    pub weighted: f64,
}

/// The record of one scheduling decision (`spec/scheduler.md` §4). Reused across decisions.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// Chosen node, or `None` when unschedulable.
    pub node: Option<NodeId>,
    /// N.
    pub nodes_total: u32,
    /// k.
    pub nodes_to_find: u32,
    /// Rotation index before the decision.
    pub start_index: u32,
    /// Nodes on which predicates ran.
    pub nodes_evaluated: u32,
    /// Feasible nodes found.
    pub feasible: u32,
    /// Nodes scored.
    pub scored: u32,
    /// Nodes sharing the maximum score.
    pub tie_count: u32,
    /// Per predicate, nodes for which it was the first to fail (predicate order).
    pub rejections: Vec<(&'static str, u32)>,
    /// Chosen node's per-priority breakdown.
    pub scores: Vec<ScoreEntry>,
    /// Chosen node's total score.
    pub total_score: f64,
    /// Images not in the scheduler's view of the chosen node before placement.
    pub needed_images: Vec<ImageId>,
}

impl Decision {
    /// Clears the record for the next decision, keeping allocations.
    pub fn reset(&mut self) {
        self.node = None;
        self.nodes_total = 0;
        self.nodes_to_find = 0;
        self.start_index = 0;
        self.nodes_evaluated = 0;
        self.feasible = 0;
        self.scored = 0;
        self.tie_count = 0;
        self.rejections.clear();
        self.scores.clear();
        self.total_score = 0.0;
        self.needed_images.clear();
    }

    /// On failure: the predicate with most rejections (ties → earlier), or `no_nodes`.
    pub fn failure_reason(&self) -> &'static str {
        let mut best: Option<(&'static str, u32)> = None;
        for &(name, count) in &self.rejections {
            if count > 0 && best.is_none_or(|(_, c)| count > c) {
                best = Some((name, count));
            }
        }
        best.map(|(n, _)| n).unwrap_or("no_nodes")
    }
}

/// A placement policy. Implement this to plug a scheduler of your own into faasim.
///
/// Called once per pod at the head of the scheduling queue. Implementations must be
/// deterministic: any randomness must come from an RNG stream created at construction
/// (e.g. `crate::engine::stream_rng(seed, "sched")`).
pub trait Scheduler: Send {
    /// Profile name recorded in the `placements` table.
    fn profile(&self) -> &'static str;

    /// Chooses a node for `pod` (or none), filling `out` (already reset).
    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision);

    /// The platform placed `pod` on `node` (resources are already reserved).
    fn on_placed(&mut self, _pod: &Pod, _node: NodeId, _ctx: &SchedContext) {}

    /// The pod's replica ended and released its resources on `node`.
    fn on_removed(&mut self, _pod: &Pod, _node: NodeId, _ctx: &SchedContext) {}
}

/// Builds the scheduler named by `scenario.scheduler.profile`.
pub fn build(sc: &Scenario, cluster: &Cluster, _seed: u64) -> Result<Box<dyn Scheduler>, String> {
    match sc.scheduler.profile.as_str() {
        "first-fit" | "skippy" => Ok(Box::new(firstfit::FirstFit::new(cluster))),
        other => Err(format!(
            "scheduler.profile: unknown profile `{other}` (valid: skippy, first-fit)"
        )),
    }
}
