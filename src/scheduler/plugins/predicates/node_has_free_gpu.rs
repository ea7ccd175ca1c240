//! `NodeHasFreeGpu(use_vram)`: a GPU pod finds no other GPU pod on the node or, with
//! `use_vram`, enough free VRAM. Other pods always pass.

use super::{mark, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "NodeHasFreeGpu",
    scope: Scope::Extension,
    summary: "the pod is not a GPU pod, or no GPU pod runs on the node (use_vram: the VRAM of the node's GPU pods plus the pod's fits)",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, args: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if !c.info.gpu() {
        return;
    }
    if args.use_vram {
        let v = c.info.vram;
        let (used, cap) = (&c.state.vram_used, &c.facts.vram_mb);
        mark(codes, a, code, |n| v + used[n] <= cap[n]);
    } else {
        let g = &c.state.gpu_pods;
        mark(codes, a, code, |n| g[n] == 0);
    }
}
