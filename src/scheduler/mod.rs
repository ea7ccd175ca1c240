//! Placement of pods onto nodes: the [`Scheduler`] trait, the record of one decision, and the
//! profiles (`docs/schedulers.md`).
//!
//! A scheduler sees the cluster through [`SchedContext`] and writes its answer into a reusable
//! [`Decision`]. The platform applies the placement (reserving resources with
//! `NodeTable::reserve`) and then calls [`Scheduler::on_placed`] so the scheduler can update its
//! own view (skippy's images, GPU occupancy, …); when the replica ends it releases the resources
//! and calls [`Scheduler::on_removed`].
//!
//! Profiles ([`build`] picks one from `scheduler.profile`):
//!
//! | Profile | Module | Summary |
//! |---|---|---|
//! | `skippy` | [`skippy`] | skippy-core's predicates and priorities, bit-exact (0..10, first maximum wins) |
//! | `kubernetes` | [`kubernetes`] | kube-scheduler filter and score plugins (0..100, seeded random tie-break) |
//! | `first-fit` | [`firstfit`] | first node in id order where the pod fits |
//! | `random` | [`random`] | uniform over the feasible nodes (`sched` stream) |
//!
//! Every predicate, priority and kubernetes plugin is defined once, in its own file under
//! [`plugins`], and listed in [`plugins::registry`]; the accelerator/capability extension
//! ([`extension`]) can be used by both scoring profiles. What a decision reads about the pod is
//! compiled once per pod template ([`podinfo`]).
//!
//! Scoring is columnar: node facts that never change (labels as bit sets, storage role, locality,
//! accelerator, bandwidth to the registry) are precomputed once per run ([`facts`]); a decision
//! walks the nodes in chunks, each predicate filling a column of first-failure codes, then each
//! priority fills a score column over the feasible nodes and the profile sums the weighted
//! columns. All buffers belong to the scheduler and are reused, so a decision does not allocate in
//! steady state.
//!
//! # Writing your own scheduler
//!
//! Implement [`Scheduler`]; fill at least `node`, `nodes_total`, `nodes_evaluated` and `feasible`
//! of the [`Decision`]. Keep any randomness in an RNG stream created at construction
//! (`faasim::engine::stream_rng(seed, "sched")`) so runs stay reproducible, and hand it to
//! `faasim::sim::Simulation::with_scheduler` in place of the one [`build`] returns
//! (`examples/custom_scheduler.rs` runs the basic example with the scheduler below:
//! `cargo run --example custom_scheduler`).
//!
//! ```
//! use faasim::scheduler::{Decision, Pod, SchedContext, Scheduler};
//!
//! /// Places every pod on the non-storage node with the most free memory (lowest id on ties).
//! struct MostFreeMemory;
//!
//! impl Scheduler for MostFreeMemory {
//!     fn profile(&self) -> &'static str {
//!         "most-free-memory"
//!     }
//!
//!     fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
//!         let nodes = &ctx.cluster.nodes;
//!         out.nodes_total = nodes.len() as u32;
//!         out.nodes_to_find = nodes.len() as u32;
//!         out.nodes_evaluated = nodes.len() as u32;
//!         let (cpu_free, mem_free) = (nodes.cpu_free(), nodes.mem_free());
//!         let mut best: Option<usize> = None;
//!         for n in 0..nodes.len() {
//!             let fits = cpu_free[n] >= pod.cpu_millis && mem_free[n] >= pod.memory_bytes;
//!             if !fits || nodes.is_storage[n] {
//!                 continue;
//!             }
//!             out.feasible += 1;
//!             if best.is_none_or(|b| mem_free[n] > mem_free[b]) {
//!                 best = Some(n);
//!             }
//!         }
//!         out.node = best.map(|n| n as u32);
//!         out.tie_count = u32::from(best.is_some());
//!     }
//! }
//! # let _ = MostFreeMemory.profile();
//! ```

pub mod arch_table;
pub mod custom;
pub mod explain;
pub mod extension;
pub mod facts;
pub mod firstfit;
pub mod image_view;
pub mod kubernetes;
pub mod memo;
pub mod node_tree;
pub mod placer;
pub mod plugins;
pub mod podinfo;
pub mod random;
pub mod shared_lists;
pub mod skippy;
pub mod spread;
pub mod state;
pub mod visit_space;
mod walk;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use custom::{RegistryError, SchedulerFactory, SchedulerRegistry};
pub use placer::Placer;
pub use plugins::{predicates, priorities};

use crate::cluster::{Cluster, ImageCache, ImageId, NodeId};
use crate::config::{
    AffinityConfig, ContainerConfig, Labels, Scenario, TimeModelSpec, TolerationConfig,
};
use std::collections::BTreeMap;
use std::sync::Arc;

use shared_lists::SharedLists;

static NO_LABELS: Labels = BTreeMap::new();
static NO_EXTENDED: BTreeMap<String, u64> = BTreeMap::new();

/// What the scheduler knows about the pod to place.
///
/// Build it with [`Pod::new`] and, for pods of a configured container, [`Pod::with_container`],
/// which fills the extended requests, the execution-time model and the Kubernetes fields.
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
    /// Countable extended resources requested (`requests.extended`; kubernetes profile).
    pub extended: &'a BTreeMap<String, u64>,
    /// The container's execution-time model (`exec`), read by `CanRun` and `ExecutionTime`.
    /// `None`: `CanRun` does not check it and `ExecutionTime` scores 0.
    pub exec: Option<&'a TimeModelSpec>,
    /// Labels a node must carry (kubernetes `NodeAffinity`).
    pub node_selector: &'a Labels,
    /// Required and preferred node affinity (kubernetes `NodeAffinity`).
    pub affinity: Option<&'a AffinityConfig>,
    /// Tolerations of node taints (kubernetes `TaintToleration`).
    pub tolerations: &'a [TolerationConfig],
    /// The pod's template: a dense id shared by every pod with the same labels, container
    /// fields and image, under which a scheduler caches what it compiles about the pod
    /// ([`podinfo::PodCache`]); [`NO_TEMPLATE`] compiles the pod at every decision.
    pub template: u32,
}

/// [`Pod::template`] of a pod without a template.
pub const NO_TEMPLATE: u32 = u32::MAX;

impl<'a> Pod<'a> {
    /// A pod with requests and labels only (no extended resources, execution model, node
    /// selector, affinity or tolerations).
    pub fn new(
        replica: u32,
        function: u32,
        image: ImageId,
        cpu_millis: i64,
        memory_bytes: i64,
        labels: &'a Labels,
    ) -> Pod<'a> {
        Pod {
            replica,
            function,
            image,
            cpu_millis,
            memory_bytes,
            labels,
            extended: &NO_EXTENDED,
            exec: None,
            node_selector: &NO_LABELS,
            affinity: None,
            tolerations: &[],
            template: NO_TEMPLATE,
        }
    }

    /// Marks the pod as an instance of template `id` (see [`Pod::template`]).
    pub fn with_template(mut self, id: u32) -> Pod<'a> {
        self.template = id;
        self
    }

    /// Takes extended requests, the execution-time model, node selector, affinity and tolerations
    /// from the pod's container configuration (CPU, memory and labels are left as they are).
    pub fn with_container(mut self, c: &'a ContainerConfig) -> Pod<'a> {
        self.extended = &c.requests.extended;
        self.exec = Some(&c.exec);
        self.node_selector = &c.node_selector;
        self.affinity = c.affinity.as_ref();
        self.tolerations = &c.tolerations;
        self
    }
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

/// One of the best-scored candidates of a decision (`scheduler.explain_top_k`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidate {
    /// The candidate node.
    pub node: NodeId,
    /// Its total score.
    pub total: f64,
    /// Its per-priority breakdown, in priority order.
    pub scores: Vec<ScoreEntry>,
}

/// The record of one scheduling decision (`docs/schedulers.md`, "How a decision runs"). Reused
/// across decisions.
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
    /// The best `scheduler.explain_top_k` scored candidates, best first (ties in visit order);
    /// empty when the option is 0 or nothing was scored.
    pub top: Vec<Candidate>,
    /// Candidates of earlier decisions kept for reuse of their allocations.
    spare: Vec<Candidate>,
    /// Recent rejection and score lists, shared by the output rows of equal decisions.
    shared: SharedLists,
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
        self.spare.append(&mut self.top);
    }

    /// `rejections` as a slice shared with earlier rows of equal counts ([`SharedLists`]).
    pub fn shared_rejections(&mut self) -> Arc<[(&'static str, u32)]> {
        self.shared.rejections(&self.rejections)
    }

    /// `scores` as a slice shared with earlier rows of an equal breakdown ([`SharedLists`]).
    pub fn shared_scores(&mut self) -> Arc<[ScoreEntry]> {
        self.shared.scores(&self.scores)
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

    /// Appends a candidate to `top`, reusing the allocation of an earlier one; returns it with
    /// empty scores.
    pub fn push_candidate(&mut self, node: NodeId, total: f64) -> &mut Candidate {
        let mut c = self.spare.pop().unwrap_or_default();
        c.node = node;
        c.total = total;
        c.scores.clear();
        self.top.push(c);
        self.top.last_mut().expect("just pushed")
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

    /// Whether every placement passes the predicate or filter named `name` (e.g. `CanRun`).
    /// `Model::compile` asks this to know which node types a pod can never reach; the default,
    /// `false`, assumes nothing.
    fn filters_with(&self, _name: &str) -> bool {
        false
    }
}

/// Valid values of `scheduler.profile`.
pub const PROFILES: &[&str] = &["skippy", "kubernetes", "first-fit", "random"];

/// Builds the scheduler named by `scenario.scheduler.profile` for `cluster`; `seed` is the run's
/// master seed (the `sched` stream is derived from it). Errors name the offending key.
pub fn build(sc: &Scenario, cluster: &Cluster, seed: u64) -> Result<Box<dyn Scheduler>, String> {
    match sc.scheduler.profile.as_str() {
        "skippy" => Ok(Box::new(skippy::Skippy::from_scenario(sc, cluster, seed)?)),
        "kubernetes" => Ok(Box::new(kubernetes::Kubernetes::from_scenario(
            sc, cluster, seed,
        )?)),
        "first-fit" => Ok(Box::new(firstfit::FirstFit::new(cluster))),
        "random" => Ok(Box::new(random::RandomFit::new(cluster, seed))),
        other => Err(format!(
            "scheduler.profile: unknown profile `{other}` (valid: {})",
            PROFILES.join(", ")
        )),
    }
}
