//! `DataLocality`: for the data the pod reads (`data.skippy.io/receives-from-storage/path`) and
//! writes (`data.skippy.io/sends-to-storage/path`), item size / the slowest bandwidth between
//! the node and the bucket's storage nodes (0 on a storage node itself), summed;
//! `scale_inverse`. The per-path columns are built once per run by the profile.

use super::reduce::{Col, Reduce};
use super::{MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "DataLocality",
    scope: Scope::Skippy,
    summary: "item size / slowest bandwidth between the node and the bucket's storage nodes, for the data the pod reads and writes (0 on a storage node); smallest 10",
    reduce: Reduce::ScaleInverse,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: None,
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    let (recv, send) = (c.data_recv, c.data_send);
    if recv.is_none() && send.is_none() {
        return Col::Const(0.0, 0.0);
    }
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        let n = n as usize;
        let a = recv.map_or(0.0, |col| col[n]);
        let b = send.map_or(0.0, |col| col[n]);
        *r = a + b;
    }
    Col::Filled
}
