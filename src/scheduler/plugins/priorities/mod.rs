//! skippy-style priorities and the extension scores as columnar kernels: a map over the
//! feasible list into a raw column, then a reduce into the normalised column
//! (`docs/schedulers.md`, "Formulas").
//!
//! This module owns what every priority shares — its definition ([`PriorityDef`]), the
//! decision context ([`MapCtx`]) and the scratch of the fused kernels ([`FusedScratch`]); each
//! priority lives in its own file and the reduce arithmetic in [`reduce`].

pub mod balanced_resource;
pub mod capability;
pub mod capability_matching;
pub mod contention;
pub mod data_locality;
pub mod equal;
pub mod execution_time;
pub mod image_locality;
pub mod latency_aware_image_locality;
pub mod locality_type;
pub mod reduce;

use super::super::extension::Characterisation;
use super::super::facts::NodeFacts;
use super::super::image_view::ImageView;
use super::super::memo::PairMemo;
use super::super::podinfo::{PodInfo, PodScratch};
use super::super::state::NodeState;
use super::super::Pod;
use super::{Needs, Scope};
use crate::cluster::NodeTable;
use crate::engine::SimRng;

pub use super::registry::{EXTENSION_PRIORITIES, SKIPPY_PRIORITIES};
pub use balanced_resource::balanced;
pub use reduce::{min_max, reduce, reduce_accumulate, trunc, trunc_small, Col, Reduce};

/// Maps the feasible nodes into the raw column; returns [`Col::Const`] (leaving the column
/// untouched) when every node gets the same value, whose reduction is then known. The random
/// stream is given to priorities that draw (`sampled`) in sample mode.
pub type MapFn = fn(&MapCtx, &[u32], &mut [f64], Option<&mut SimRng>) -> Col;

/// A priority's exact shortcut for the skippy profile: map, reduce (factor 10) and add
/// `reduced × weight` to the totals in one go; arguments are the context, the scratch, the
/// feasible nodes, the raw, reduced and total columns and the weight.
pub type FusedFn =
    fn(&MapCtx, &mut FusedScratch, &[u32], &mut [f64], &mut [f64], &mut [f64], f64) -> Col;

/// One priority, defined once in its own file and listed in the registry.
#[derive(Clone, Copy)]
pub struct PriorityDef {
    /// Name in the configuration and in `scores`.
    pub name: &'static str,
    /// Where it may be named.
    pub scope: Scope,
    /// What its map value of a node is; explains a score (documented in `docs/schedulers.md`).
    pub summary: &'static str,
    /// How the map column becomes the score column.
    pub reduce: Reduce,
    /// What it reads about the pod beyond its requests (in mean mode).
    pub needs: Needs,
    /// Draws from the `sched` stream in `execution_time_estimate = "sample"` mode.
    pub sampled: bool,
    /// The map kernel.
    pub map: MapFn,
    /// An exact fused shortcut used by the skippy profile instead of map + reduce.
    pub fused: Option<FusedFn>,
}

impl PriorityDef {
    /// What the priority reads about the pod; a sampled priority in sample mode needs no
    /// per-type estimate.
    pub fn needs(&self, sample: bool) -> Needs {
        let mut n = self.needs;
        if sample && self.sampled {
            n.est = false;
        }
        n
    }
}

impl std::fmt::Debug for PriorityDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for PriorityDef {
    fn eq(&self, o: &PriorityDef) -> bool {
        self.name == o.name
    }
}

/// Everything a priority map reads during one decision.
pub struct MapCtx<'a> {
    /// Static node facts.
    pub facts: &'a NodeFacts,
    /// Node table.
    pub nodes: &'a NodeTable,
    /// Scheduler-owned node state.
    pub state: &'a NodeState,
    /// The pod.
    pub pod: &'a Pod<'a>,
    /// Its well-known labels.
    pub info: &'a PodInfo,
    /// Its compiled masks and per-type tables.
    pub scratch: &'a PodScratch,
    /// Characterisation table.
    pub chars: &'a Characterisation,
    /// skippy image view (LatencyAware, ImageLocality).
    pub view: &'a ImageView,
    /// Per LatencyAware class of `NodeFacts::lat_class`: the map value of a node without the
    /// image, `trunc(size(arch) / bw(registry, n))`; one extra trailing entry 0 for nodes that
    /// hold the image.
    pub lat_class_val: &'a [f64],
    /// Per arch: ImageLocality score of a node holding the image.
    pub il_score: &'a [f64],
    /// DataLocality receive column (per node id), if the pod reads stored data.
    pub data_recv: Option<&'a [f64]>,
    /// DataLocality send column.
    pub data_send: Option<&'a [f64]>,
    /// CapabilityMatching column (per node id), if the pod has requirements.
    pub requirements: Option<&'a [f64]>,
}

/// Buffers of the fused kernels, owned by the skippy profile and reused across decisions.
#[derive(Clone, Debug, Default)]
pub struct FusedScratch {
    /// `BalancedResource` per node and request pair.
    pub balanced: PairMemo<f64>,
    /// Per feasible position: the node's LatencyAware class.
    pub ids: Vec<u32>,
    /// Per LatencyAware class: the reduced value.
    pub lat_red: Vec<f64>,
}

impl FusedScratch {
    /// Scratch for `n` nodes in `classes` LatencyAware classes.
    pub fn new(n: usize, classes: usize) -> FusedScratch {
        FusedScratch {
            balanced: PairMemo::default(),
            ids: vec![0; n],
            lat_red: vec![0.0; classes + 1],
        }
    }
}
