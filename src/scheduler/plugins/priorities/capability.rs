//! `Capability`: the number of the node's labels whose key contains `capability.skippy.io` and
//! whose value equals the pod's label with that key (a popcount against the pod's compiled
//! capability mask); `scale`.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::facts::count_common;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "Capability",
    scope: Scope::Skippy,
    summary: "number of node labels whose key contains capability.skippy.io and whose value equals the pod's label with that key",
    reduce: Reduce::Scale,
    needs: Needs {
        capabilities: true,
        ..Needs::NONE
    },
    sampled: false,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    if !c.scratch.has_cap {
        return Col::Const(0.0, 0.0);
    }
    let (mask, bits) = (&c.scratch.cap_mask, &c.facts.label_bits);
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        *r = count_common(bits.row(n as usize), mask) as f64;
    }
    Col::Filled
}
