//! `HasEnoughRam`: the characterised `ram` fractions of the pods on the node plus the pod's sum
//! to at most 1.

use super::{mark, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "HasEnoughRam",
    scope: Scope::Extension,
    summary: "the characterised ram fractions of the node's pods plus the pod's sum to at most 1",
    needs: Needs {
        ram: true,
        ..Needs::NONE
    },
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let (t, types) = (&c.scratch.type_ram, &c.facts.node_type);
    let sum = &c.state.ram_sum;
    mark(codes, a, code, |n| sum[n] + t[types[n] as usize] <= 1.0);
}
