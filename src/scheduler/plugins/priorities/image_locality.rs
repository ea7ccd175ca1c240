//! `ImageLocality` (Kubernetes 1.13 style, skippy scale): if the scheduler's view of the node
//! holds the image, `trunc(size × share of nodes holding it)` clamped to 23..1000 MiB and mapped
//! linearly to 0..10 (the per-arch values are prepared by the profile); identity reduce.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "ImageLocality",
    scope: Scope::Skippy,
    summary: "if the node holds the image: trunc(size × share of nodes holding it), clamped to 23..1000 MiB and mapped linearly to 0..10",
    reduce: Reduce::Identity,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    let on = c.view.column(c.pod.image);
    if on.is_empty() || c.view.num_nodes[c.pod.image as usize] == 0 {
        return Col::Const(0.0, 0.0);
    }
    let arch = &c.facts.arch;
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        let n = n as usize;
        let v = c.il_score[arch[n] as usize];
        *r = if on[n] != 0 { v } else { 0.0 };
    }
    Col::Filled
}
