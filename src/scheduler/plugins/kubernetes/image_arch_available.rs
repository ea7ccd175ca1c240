//! `ImageArchAvailable` (filter, also a skippy predicate): the pod's image has a variant for the
//! node's architecture (exact or `any`); read from the pod's row of the profile's
//! [`ArchTable`](crate::scheduler::arch_table::ArchTable). `first-fit` and `random` apply the same
//! table directly.

use crate::scheduler::plugins::predicates::{
    mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "ImageArchAvailable",
    scope: Scope::KubernetesAndSkippy,
    summary: "the pod's image has a variant for the node's architecture",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let (ok, arch) = (c.arch_ok, &c.facts.arch);
    mark(codes, a, code, |n| ok[arch[n] as usize]);
}
