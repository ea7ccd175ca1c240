//! `ImageArchAvailable` (filter): the pod's image has a variant for the node's architecture
//! (exact or `any`); read from the per-arch table of the pod's image.

use crate::scheduler::plugins::predicates::{mark, PredArgs, PredCtx, PredKind, PredicateDef};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "ImageArchAvailable",
    scope: Scope::Kubernetes,
    summary: "the pod's image has a variant for the node's architecture",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: usize, codes: &mut [u8], code: u8) {
    let (ok, arch) = (c.arch_ok, &c.facts.arch);
    mark(codes, a, code, |n| ok[arch[n] as usize]);
}
