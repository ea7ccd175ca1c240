//! `CapabilityMatching`: the pod's `device.edgerun.io/requirements` is JSON
//! `{label: {value: weight}}`; a node scores the sum of the weights of its `device.edgerun.io`
//! labels whose value is listed (the column is built once per distinct JSON); `scale`.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "CapabilityMatching",
    scope: Scope::Extension,
    summary: "sum of the weights that the pod's device.edgerun.io/requirements JSON gives the node's device.edgerun.io label values",
    reduce: Reduce::Scale,
    needs: Needs {
        requirements: true,
        ..Needs::NONE
    },
    sampled: false,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    let Some(col) = c.requirements else {
        return Col::Const(0.0, 0.0);
    };
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        *r = col[n as usize];
    }
    Col::Filled
}
