//! `Equal`: every node scores 1.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "Equal",
    scope: Scope::Skippy,
    summary: "1 on every node",
    reduce: Reduce::Identity,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: None,
};

fn map(_: &MapCtx, _: &[u32], _: &mut [f64], _: Option<&mut SimRng>) -> Col {
    Col::Const(1.0, 1.0)
}
