//! `CanRun`: the pod's execution-time model has an entry for the node's type and, with a
//! characterisation table, the table has a row for (node type, image). Answered per node type
//! from the pod's compiled table.

use super::{mark, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "CanRun",
    scope: Scope::Extension,
    summary: "the pod's execution-time model covers the node's type (and the characterisation table has a row for it)",
    needs: Needs {
        can_run: true,
        ..Needs::NONE
    },
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let (t, types) = (&c.scratch.type_can_run, &c.facts.node_type);
    mark(codes, a, code, |n| t[types[n] as usize]);
}
