//! kube-scheduler score plugins as columnar kernels over the feasible list
//! (`spec/scheduler.md` §2.3). Scores are integers on 0..100.

use super::super::facts::NodeFacts;
use super::super::memo::PairMemo;
use super::super::podinfo::PodScratch;
use super::super::predicates::prefer_taints;
use super::super::state::{nonzero, NodeState, NONZERO_CPU, NONZERO_MEM};
use super::super::Pod;
use crate::cluster::{ImageCache, NodeTable};
use crate::config::ScoringStrategy;

/// `MaxNodeScore`.
pub const MAX_SCORE: i64 = 100;
const MIB: i64 = 1 << 20;

/// A score plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plugin {
    /// `NodeResourcesFit`.
    Fit,
    /// `NodeResourcesBalancedAllocation`.
    Balanced,
    /// `ImageLocality`.
    ImageLocality,
    /// `TaintToleration`.
    TaintToleration,
    /// `NodeAffinity`.
    NodeAffinity,
}

impl Plugin {
    /// Plugin name.
    pub fn name(self) -> &'static str {
        match self {
            Plugin::Fit => "NodeResourcesFit",
            Plugin::Balanced => "NodeResourcesBalancedAllocation",
            Plugin::ImageLocality => "ImageLocality",
            Plugin::TaintToleration => "TaintToleration",
            Plugin::NodeAffinity => "NodeAffinity",
        }
    }
}

/// Inputs of the plugins for one decision.
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
    /// Node image caches.
    pub cache: &'a ImageCache,
    /// `NodeResourcesFit` strategy.
    pub strategy: ScoringStrategy,
    /// `NodeResourcesFit` resource weights (cpu, memory).
    pub resource_weights: (i64, i64),
    /// Per arch: ImageLocality score of a node caching the image.
    pub il_score: &'a [i64],
    /// Number of registry images.
    pub n_images: usize,
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

#[inline(always)]
fn least(cap: i64, req: i64) -> i64 {
    if cap == 0 || req > cap {
        0
    } else {
        div_floor((cap - req) * MAX_SCORE, cap)
    }
}

#[inline(always)]
fn most(cap: i64, req: i64) -> i64 {
    if cap == 0 {
        0
    } else {
        div_floor(req.min(cap) * MAX_SCORE, cap)
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

/// Memos of the two resource plugins, whose node values change only on nodes that received or
/// lost a pod (see [`super::super::memo`]).
#[derive(Clone, Debug, Default)]
pub struct Memos {
    fit: PairMemo<i64>,
    balanced: PairMemo<i64>,
}

impl Plugin {
    /// Scores the feasible nodes into `raw` (map value) and `norm` (final plugin score), or
    /// reports a value common to all of them.
    pub fn score(
        self,
        c: &ScoreCtx,
        feas: &[u32],
        raw: &mut [i64],
        norm: &mut [i64],
        memos: &mut Memos,
    ) -> KCol {
        let raw = &mut raw[..feas.len()];
        let f = c.facts;
        match self {
            Plugin::Fit => {
                let (wc, wm) = c.resource_weights;
                let ws = wc + wm;
                let pc = nonzero(c.pod.cpu_millis, NONZERO_CPU);
                let pm = nonzero(c.pod.memory_bytes, NONZERO_MEM);
                let (capc, capm): (&[i64], &[i64]) = (&c.nodes.cpu_capacity, &c.nodes.mem_capacity);
                let (nzc, nzm): (&[i64], &[i64]) = (&c.state.nz_cpu, &c.state.nz_mem);
                let most_allocated = c.strategy == ScoringStrategy::MostAllocated;
                let mut set = memos.fit.set((pc, pm), capc.len()).columns();
                for (r, &n) in raw.iter_mut().zip(feas) {
                    let n = n as usize;
                    *r = set.get(n, nzc[n], nzm[n], |nc, nm| {
                        let (rc, rm) = (nc + pc, nm + pm);
                        let (sc, sm) = if most_allocated {
                            (most(capc[n], rc), most(capm[n], rm))
                        } else {
                            (least(capc[n], rc), least(capm[n], rm))
                        };
                        if ws == 0 {
                            0
                        } else {
                            div_floor(sc * wc + sm * wm, ws)
                        }
                    });
                }
                KCol::Same
            }
            Plugin::Balanced => {
                let (pc, pm) = (c.pod.cpu_millis, c.pod.memory_bytes);
                if pc == 0 && pm == 0 {
                    return KCol::Const(0, 0);
                } else {
                    let nodes = c.nodes;
                    let (capc_col, capm_col): (&[i64], &[i64]) =
                        (&nodes.cpu_capacity, &nodes.mem_capacity);
                    let (free_c, free_m): (&[i64], &[i64]) = (&nodes.cpu_free, &nodes.mem_free);
                    let mut set = memos.balanced.set((pc, pm), nodes.len()).columns();
                    for (r, &n) in raw.iter_mut().zip(feas) {
                        let n = n as usize;
                        let (capc, capm) = (capc_col[n], capm_col[n]);
                        *r = set.get(n, free_c[n], free_m[n], |fc, fm| {
                            let reqc = capc - fc + pc;
                            let reqm = capm - fm + pm;
                            let fc = (reqc as f64 / capc as f64).min(1.0);
                            let fm = (reqm as f64 / capm as f64).min(1.0);
                            let std = match (capc != 0, capm != 0) {
                                (true, true) => ((fc - fm) / 2.0).abs(),
                                _ => 0.0,
                            };
                            ((1.0 - std) * MAX_SCORE as f64) as i64
                        });
                    }
                }
                KCol::Same
            }
            Plugin::ImageLocality => {
                let img = c.pod.image;
                if (img as usize) >= c.n_images || c.cache.holders(img) == 0 {
                    return KCol::Const(0, 0);
                }
                let (arch, il) = (&f.arch, c.il_score);
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = if c.cache.has(n, img) {
                        il[arch[n as usize] as usize]
                    } else {
                        0
                    };
                }
                KCol::Same
            }
            Plugin::TaintToleration => {
                if !c.scratch.has_untolerated {
                    // normalize(reverse) of all zeros.
                    return KCol::Const(0, MAX_SCORE);
                }
                let u = &c.scratch.untolerated;
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = prefer_taints(f, n as usize, u) as i64;
                }
                normalize(raw, norm, true);
                KCol::Filled
            }
            Plugin::NodeAffinity => {
                if c.scratch.preferred.is_empty() {
                    return KCol::Const(0, 0);
                }
                let s = c.scratch;
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = s.preferred_weight(f, n as usize);
                }
                normalize(raw, norm, false);
                KCol::Filled
            }
        }
    }
}

/// Per arch: the ImageLocality score of a node whose cache holds an image of `size` bytes
/// (`None`: no variant), with `holders` of `total` nodes holding it.
pub fn image_locality_score(size: Option<u64>, holders: u32, total: usize) -> i64 {
    let spread = holders as f64 / total as f64;
    let sum = size.map_or(0, |s| (s as f64 * spread) as i64);
    let max_t = 1000 * MIB;
    let sum = sum.clamp(23 * MIB, max_t);
    MAX_SCORE * (sum - 23 * MIB) / (max_t - 23 * MIB)
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
    fn image_locality_scales_by_spread_and_clamps() {
        // K1: 300 MiB cached on one of two nodes.
        assert_eq!(image_locality_score(Some(314_572_800), 1, 2), 12);
        assert_eq!(image_locality_score(Some(10), 1, 2), 0);
        assert_eq!(image_locality_score(Some(5_000 << 20), 4, 4), 100);
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

    #[test]
    fn least_and_most_allocated_resource_scores() {
        assert_eq!(least(4000, 1500), 62);
        assert_eq!(least(4000, 4500), 0);
        assert_eq!(most(2000, 500), 25);
        assert_eq!(most(2000, 5000), 100);
        assert_eq!(most(0, 5), 0);
    }
}
