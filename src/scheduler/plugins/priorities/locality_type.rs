//! `LocalityType`: 10 on nodes labelled `locality.skippy.io/type = edge`, else 0; identity
//! reduce. The skippy profile's fused kernel accumulates while mapping.

use super::reduce::{Col, Reduce};
use super::{FusedScratch, MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "LocalityType",
    scope: Scope::Skippy,
    summary: "10 for label locality.skippy.io/type = edge, else 0",
    reduce: Reduce::Identity,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: Some(fused),
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        *r = c.facts.edge10[n as usize];
    }
    Col::Filled
}

fn fused(
    c: &MapCtx,
    _: &mut FusedScratch,
    feas: &[u32],
    raw: &mut [f64],
    _norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let edge: &[f64] = &c.facts.edge10;
    for ((r, t), &node) in raw.iter_mut().zip(total.iter_mut()).zip(feas) {
        let v = edge[node as usize];
        *r = v;
        *t += v * w;
    }
    Col::Identity
}
