//! `ImageArchAvailable` (filter, also a skippy predicate): the pod's image has a variant for the
//! node's architecture (exact or `any`); read from the pod's row of the profile's
//! [`ArchTable`](crate::scheduler::arch_table::ArchTable). `first-fit` and `random` apply the same
//! table directly.

use crate::scheduler::plugins::predicates::{
    fail, mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
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
    if ok.iter().all(|&o| o) {
        // The image runs on every architecture of the cluster: no node fails.
        return;
    }
    match a {
        Span::Range(a) if ok.len() <= 32 => {
            // The row as a bit mask: a shift per node instead of a bounds-checked lookup, so
            // the loop vectorises.
            let mask = ok
                .iter()
                .enumerate()
                .fold(0u32, |m, (i, &o)| m | u32::from(o) << i);
            let arch = &arch[a..a + codes.len()];
            for (c, &x) in codes.iter_mut().zip(arch) {
                *c = fail(*c, code, mask.wrapping_shr(x) & 1 == 1);
            }
        }
        _ => mark(codes, a, code, |n| ok[arch[n] as usize]),
    }
}
