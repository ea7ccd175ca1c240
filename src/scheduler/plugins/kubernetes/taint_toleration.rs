//! `TaintToleration`. Filter: the pod tolerates each of the node's `NoSchedule` and `NoExecute`
//! taints. Score: fewer untolerated `PreferNoSchedule` taints is better,
//! `100 − 100 × count div max count` (all 100 when no node has any). Both intersect the node's
//! taint bits with the pod's compiled mask of untolerated taints.

use super::{normalize, KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE};
use crate::scheduler::facts::{count_common, intersects, NodeFacts};
use crate::scheduler::plugins::predicates::{
    mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "TaintToleration",
    scope: Scope::Kubernetes,
    summary: "the pod tolerates each of the node's NoSchedule and NoExecute taints",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "TaintToleration",
    summary: "100 − 100 × untolerated PreferNoSchedule taints div the maximum count",
    score,
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if c.scratch.has_untolerated {
        let (u, hard) = (&c.scratch.untolerated, &c.facts.taint_hard);
        mark(codes, a, code, |n| !intersects(hard.row(n), u));
    }
}

/// Number of node taints with effect `PreferNoSchedule` the pod does not tolerate.
#[inline]
pub fn prefer_taints(facts: &NodeFacts, n: usize, untolerated: &[u64]) -> u32 {
    count_common(facts.taint_prefer.row(n), untolerated)
}

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], norm: &mut [i64], _: &mut Memos) -> KCol {
    if !c.scratch.has_untolerated {
        // normalize(reverse) of all zeros.
        return KCol::Const(0, MAX_SCORE);
    }
    let u = &c.scratch.untolerated;
    let raw = &mut raw[..feas.len()];
    for (r, &n) in raw.iter_mut().zip(feas) {
        *r = prefer_taints(c.facts, n as usize, u) as i64;
    }
    normalize(raw, norm, true);
    KCol::Filled
}
