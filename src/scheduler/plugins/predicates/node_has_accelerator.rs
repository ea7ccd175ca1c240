//! `NodeHasAccelerator`: the pod requires no accelerator, or the node's equals the pod's.

use super::{mark, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::facts::ACC_NONE;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "NodeHasAccelerator",
    scope: Scope::Extension,
    summary: "the pod's device.edgerun.io/accelerator is absent or NONE, or equals the node's",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if c.info.accel == ACC_NONE {
        return;
    }
    let want = c.info.accel;
    let acc = &c.facts.accel;
    mark(codes, a, code, |n| acc[n] == want);
}
