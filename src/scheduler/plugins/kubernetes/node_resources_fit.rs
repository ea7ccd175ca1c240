//! `NodeResourcesFit`. Filter: every requested resource (CPU, memory, extended resources) fits
//! capacity minus requests, and the node has fewer pods than `max_pods`. Score: `LeastAllocated`
//! `(capacity − requested) × 100 div capacity` or `MostAllocated` `requested × 100 div
//! capacity` per resource, the weighted mean of CPU and memory; requested counts a zero CPU
//! request as 100 m and a zero memory request as 200 MiB. The score is memoised per node and
//! request pair.

use super::{div_floor, KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE};
use crate::config::ScoringStrategy;
use crate::scheduler::plugins::predicates::{
    fail, mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};
use crate::scheduler::state::{nonzero, NONZERO_CPU, NONZERO_MEM};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "NodeResourcesFit",
    scope: Scope::Kubernetes,
    summary: "every requested resource (CPU, memory, extended) fits capacity minus requests, and the node has fewer pods than max_pods",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "NodeResourcesFit",
    summary: "LeastAllocated (capacity − requested) × 100 div capacity or MostAllocated requested × 100 div capacity, weighted mean of CPU and memory",
    score,
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let m = codes.len();
    let f = c.facts;
    // A resource the pod does not request (≤ 0) always fits.
    let rc = if c.pod.cpu_millis > 0 {
        c.pod.cpu_millis
    } else {
        i64::MIN
    };
    let rm = if c.pod.memory_bytes > 0 {
        c.pod.memory_bytes
    } else {
        i64::MIN
    };
    let nodes = c.nodes;
    let ext = &c.scratch.ext_req;
    if let (true, Span::Range(a)) = (ext.is_empty(), a) {
        let cpu = &nodes.cpu_free()[a..a + m];
        let mem = &nodes.mem_free()[a..a + m];
        let pods = &nodes.pods()[a..a + m];
        let max = &f.max_pods[a..a + m];
        for (j, code_j) in codes.iter_mut().enumerate() {
            let ok = (rc <= cpu[j]) & (rm <= mem[j]) & (pods[j] < max[j]);
            *code_j = fail(*code_j, code, ok);
        }
    } else {
        // Pods with extended requests: node by node.
        let r = f.ext_names.len();
        let (cpu, mem, pods) = (nodes.cpu_free(), nodes.mem_free(), nodes.pods());
        mark(codes, a, code, |n| {
            let ext_ok = ext.iter().all(|&(j, amount)| {
                j != usize::MAX && amount <= f.ext_cap[n * r + j] - c.state.ext_used[n * r + j]
            });
            (rc <= cpu[n]) & (rm <= mem[n]) & (pods[n] < f.max_pods[n]) & ext_ok
        });
    }
}

/// `LeastAllocated` score of one resource with capacity `cap > 0`.
#[inline(always)]
fn least(cap: i64, req: i64) -> i64 {
    if req > cap {
        0
    } else {
        div_floor((cap - req) * MAX_SCORE, cap)
    }
}

/// `MostAllocated` score of one resource with capacity `cap > 0`.
#[inline(always)]
fn most(cap: i64, req: i64) -> i64 {
    div_floor(req.min(cap) * MAX_SCORE, cap)
}

/// The weighted mean of the CPU and memory scores; a resource the node has none of (capacity
/// 0) is skipped, adding neither its score nor its weight, as upstream does.
#[inline(always)]
fn weighted_mean(
    (capc, rc, wc): (i64, i64, i64),
    (capm, rm, wm): (i64, i64, i64),
    per: impl Fn(i64, i64) -> i64,
) -> i64 {
    let (mut sum, mut ws) = (0, 0);
    if capc != 0 {
        sum += per(capc, rc) * wc;
        ws += wc;
    }
    if capm != 0 {
        sum += per(capm, rm) * wm;
        ws += wm;
    }
    if ws == 0 {
        0
    } else {
        div_floor(sum, ws)
    }
}

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], _: &mut [i64], memos: &mut Memos) -> KCol {
    let (wc, wm) = c.resource_weights;
    let pc = nonzero(c.pod.cpu_millis, NONZERO_CPU);
    let pm = nonzero(c.pod.memory_bytes, NONZERO_MEM);
    let (capc, capm): (&[i64], &[i64]) = (&c.nodes.cpu_capacity, &c.nodes.mem_capacity);
    let (nzc, nzm): (&[i64], &[i64]) = (&c.state.nz_cpu, &c.state.nz_mem);
    let most_allocated = c.strategy == ScoringStrategy::MostAllocated;
    let mut set = memos.fit.set((pc, pm), capc.len()).columns();
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        let n = n as usize;
        *r = set.get(n, nzc[n], nzm[n], |nc, nm| {
            let cpu = (capc[n], nc + pc, wc);
            let mem = (capm[n], nm + pm, wm);
            if most_allocated {
                weighted_mean(cpu, mem, most)
            } else {
                weighted_mean(cpu, mem, least)
            }
        });
    }
    KCol::Same
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_and_most_allocated_resource_scores() {
        assert_eq!(least(4000, 1500), 62);
        assert_eq!(least(4000, 4500), 0);
        assert_eq!(most(2000, 500), 25);
        assert_eq!(most(2000, 5000), 100);
    }

    #[test]
    fn a_resource_without_capacity_adds_neither_score_nor_weight() {
        // CPU 4000 m with 1000 m requested scores 75; memory capacity 0 is skipped, so the mean
        // is 75 (not 75 div 2 = 37).
        assert_eq!(weighted_mean((4000, 1000, 1), (0, 5, 1), least), 75);
        assert_eq!(weighted_mean((4000, 1000, 1), (0, 5, 1), most), 25);
        assert_eq!(weighted_mean((0, 1, 1), (0, 5, 1), least), 0);
    }
}
