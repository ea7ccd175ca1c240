//! `NodeHasAccelerator`: the pod requires no accelerator, or the node's equals the pod's.

use super::{fail, PredArgs, PredCtx, PredKind, PredicateDef};
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

fn eval(c: &PredCtx, _: &PredArgs, a: usize, codes: &mut [u8], code: u8) {
    if c.info.accel == ACC_NONE {
        return;
    }
    let want = c.info.accel;
    let acc = &c.facts.accel[a..a + codes.len()];
    for (code_j, &x) in codes.iter_mut().zip(acc) {
        *code_j = fail(*code_j, code, x == want);
    }
}
