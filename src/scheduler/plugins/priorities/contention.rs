//! `Contention`: the pod's usage on the node minus the usage of the pods already there, usage =
//! `blkio / disk speed + net / network speed + cpu + gpu` from the characterisation table;
//! `scale`. All 0 without a table.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "Contention",
    scope: Scope::Extension,
    summary: "the pod's characterised usage on the node minus that of the pods already on it",
    reduce: Reduce::Scale,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    if !c.chars.configured {
        return Col::Const(0.0, 0.0);
    }
    let f = c.facts;
    let running = &c.state.usage_sum;
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        let n = n as usize;
        let own = c
            .chars
            .get(f.node_type[n], c.pod.image)
            .map_or(0.0, |row| row.usage(f.disk_speed[n], f.net_speed[n]));
        *r = own - running[n];
    }
    Col::Filled
}
