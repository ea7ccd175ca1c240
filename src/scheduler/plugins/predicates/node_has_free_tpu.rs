//! `NodeHasFreeTpu`: a TPU pod finds no other TPU pod on the node. Other pods always pass.

use super::{mark, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "NodeHasFreeTpu",
    scope: Scope::Extension,
    summary: "the pod is not a TPU pod, or no TPU pod runs on the node",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if c.info.tpu() {
        let t = &c.state.tpu_pods;
        mark(codes, a, code, |n| t[n] == 0);
    }
}
