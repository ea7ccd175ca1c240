//! kube-scheduler's filter and score plugins (`docs/schedulers.md`, `kubernetes`). Filters are
//! [`PredicateDef`](super::predicates::PredicateDef)s; scores are integer columnar kernels on
//! 0..100 over the feasible list ([`ScoreDef`]). A plugin that both filters and scores
//! (`NodeResourcesFit`, `TaintToleration`, `NodeAffinity`) keeps both halves in its one file.
//!
//! This module owns what the score plugins share: the definition, the decision context,
//! upstream's `DefaultNormalizeScore`, the exact float division and the resource memos.

pub mod avoid_storage_nodes;
pub mod image_arch_available;
pub mod image_locality;
pub mod node_affinity;
pub mod node_resources_balanced_allocation;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;

use super::super::facts::NodeFacts;
use super::super::memo::PairMemo;
use super::super::podinfo::PodScratch;
use super::super::spread::SpreadState;
use super::super::state::NodeState;
use super::super::Pod;
use crate::cluster::{ImageCache, NodeTable};
use crate::config::ScoringStrategy;

pub use image_locality::image_locality_score;

/// `MaxNodeScore`.
pub const MAX_SCORE: i64 = 100;

/// Scores the feasible nodes into the raw (map value) and score columns, or reports a value
/// common to all of them.
pub type ScoreFn = fn(&ScoreCtx, &[u32], &mut [i64], &mut [i64], &mut Memos) -> KCol;

/// One kubernetes score plugin, defined once in its own file and listed in the registry.
#[derive(Clone, Copy)]
pub struct ScoreDef {
    /// Plugin name, recorded in `scores`.
    pub name: &'static str,
    /// What its score of a node is (documented in `docs/schedulers.md`).
    pub summary: &'static str,
    /// The kernel.
    pub score: ScoreFn,
}

impl std::fmt::Debug for ScoreDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for ScoreDef {
    fn eq(&self, o: &ScoreDef) -> bool {
        self.name == o.name
    }
}

/// Inputs of the score plugins for one decision.
pub struct ScoreCtx<'a> {
    /// Static node facts.
    pub facts: &'a NodeFacts,
    /// Node table.
    pub nodes: &'a NodeTable,
    /// Scheduler-owned node state.
    pub state: &'a NodeState,
    /// The pod.
    pub pod: &'a Pod<'a>,
    /// Its compiled masks.
    pub scratch: &'a PodScratch,
    /// Node image caches (by node id).
    pub cache: &'a ImageCache,
    /// The node id of each index the kernels see, when they see visit positions rather than
    /// node ids (`super::super::visit_space`); translates reads of [`ScoreCtx::cache`].
    pub ids: Option<&'a [u32]>,
    /// `NodeResourcesFit` strategy.
    pub strategy: ScoringStrategy,
    /// `NodeResourcesFit` resource weights (cpu, memory).
    pub resource_weights: (i64, i64),
    /// Per arch: ImageLocality score of a node caching the image.
    pub il_score: &'a [i64],
    /// Number of registry images.
    pub n_images: usize,
    /// Topology domains and replica positions (`PodTopologySpread`).
    pub spread: &'a SpreadState,
}

/// Integer division of non-negative `a` by positive `b`.
///
/// Below 2⁵³ the quotient goes through `f64`, which is exact here: `a / b` is at least `1/b`
/// away from the next integer unless it is one, while the rounding error is below `a / b · 2⁻⁵³
/// < 1/b`. A hardware `f64` division is several times faster than a 64-bit integer one.
#[inline(always)]
pub fn div_floor(a: i64, b: i64) -> i64 {
    const EXACT: i64 = 1 << 53;
    if a < EXACT && b < EXACT {
        (a as f64 / b as f64) as i64
    } else {
        a / b
    }
}

/// Where a plugin's scores for the feasible nodes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KCol {
    /// Every node has the same (raw, score); the columns are not written.
    Const(i64, i64),
    /// The score equals the raw column; the score column is not written.
    Same,
    /// Raw and score columns are written.
    Filled,
}

impl KCol {
    /// The (raw, score) values of position `i`.
    #[inline]
    pub fn at(self, raw: &[i64], norm: &[i64], i: usize) -> (i64, i64) {
        match self {
            KCol::Const(r, v) => (r, v),
            KCol::Same => (raw[i], raw[i]),
            KCol::Filled => (raw[i], norm[i]),
        }
    }
}

/// `normalize(reverse)` (upstream `DefaultNormalizeScore`) of `raw` into `out`.
pub fn normalize(raw: &[i64], out: &mut [i64], reverse: bool) {
    let out = &mut out[..raw.len()];
    let m = raw.iter().copied().max().unwrap_or(0);
    if m == 0 {
        if reverse {
            out.fill(MAX_SCORE);
        } else {
            out.copy_from_slice(raw);
        }
        return;
    }
    for (o, &r) in out.iter_mut().zip(raw) {
        let v = if r >= 0 {
            div_floor(MAX_SCORE * r, m)
        } else {
            MAX_SCORE * r / m
        };
        *o = if reverse { MAX_SCORE - v } else { v };
    }
}

/// Mutable state of the score plugins: the memos of the two resource plugins, whose node values
/// change only on nodes that received or lost a pod (see [`super::super::memo`]), and the
/// reused buffers of `PodTopologySpread`.
#[derive(Clone, Debug, Default)]
pub struct Memos {
    /// `NodeResourcesFit`.
    pub fit: PairMemo<i64>,
    /// `NodeResourcesBalancedAllocation`.
    pub balanced: PairMemo<i64>,
    /// `PodTopologySpread`.
    pub spread: pod_topology_spread::SpreadScratch,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_reverses_and_handles_all_zero() {
        let mut out = [0; 3];
        normalize(&[0, 1, 2], &mut out, true);
        assert_eq!(out, [100, 50, 0]);
        normalize(&[0, 0, 0], &mut out, true);
        assert_eq!(out, [100, 100, 100]);
        normalize(&[0, 0, 0], &mut out, false);
        assert_eq!(out, [0, 0, 0]);
        normalize(&[8, 5, 0], &mut out, false);
        assert_eq!(out, [100, 62, 0]);
    }

    #[test]
    fn float_division_floors_exactly() {
        for (a, b) in [
            (7, 2),
            (6, 3),
            (0, 5),
            ((1 << 53) - 1, 3),
            (99_999_999_999_999, 1_024_458_752),
        ] {
            assert_eq!(div_floor(a, b), a / b, "{a} / {b}");
        }
        assert_eq!(div_floor(1 << 60, 7), (1 << 60) / 7);
    }
}
