//! `NodeAffinity`. Filter: the node carries every `node_selector` label and, if the pod has
//! required terms, at least one term matches (all its expressions hold). Score: Σ weights of the
//! matching preferred terms, normalised to `100 × raw div max`. Both test the node's label bits
//! against the pod's compiled expression masks.

use super::{normalize, KCol, Memos, ScoreCtx, ScoreDef};
use crate::scheduler::plugins::predicates::{
    mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "NodeAffinity",
    scope: Scope::Kubernetes,
    summary:
        "the node carries every node_selector label and matches one required affinity term (if any)",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "NodeAffinity",
    summary: "Σ weights of the matching preferred terms, normalised to 100 × raw div max",
    score,
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let s = c.scratch;
    if s.selector.0 < s.selector.1 || !s.required.is_empty() {
        mark(codes, a, code, |n| s.affinity_filter(c.facts, n));
    }
}

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], norm: &mut [i64], _: &mut Memos) -> KCol {
    let s = c.scratch;
    if s.preferred.is_empty() {
        return KCol::Const(0, 0);
    }
    let raw = &mut raw[..feas.len()];
    for (r, &n) in raw.iter_mut().zip(feas) {
        *r = s.preferred_weight(c.facts, n as usize);
    }
    normalize(raw, norm, false);
    KCol::Filled
}
