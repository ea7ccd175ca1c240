//! `LatencyAwareImageLocality`: 0 if the scheduler has already placed the image on the node,
//! else `trunc(image size for the node's arch / bandwidth from the registry)`; skippy's locality
//! reduce `trunc(10 × (max − x + min) / max)`.
//!
//! A node's value depends only on its (arch, bandwidth) class, or is 0 where the image is: the
//! skippy profile's fused kernel therefore reduces one value per class instead of one per node.

use super::reduce::{min_max, trunc, Col, Reduce};
use super::{FusedScratch, MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "LatencyAwareImageLocality",
    scope: Scope::Skippy,
    summary: "0 if the scheduler already placed the image on the node, else trunc(image size for the node's arch / bandwidth from the registry); fastest 10",
    reduce: Reduce::Locality,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: Some(fused),
};

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    let on = c.view.column(c.pod.image);
    let (class, val) = (&c.facts.lat_class, c.lat_class_val);
    let raw = &mut raw[..feas.len()];
    if on.is_empty() {
        for (r, &n) in raw.iter_mut().zip(feas) {
            *r = val[class[n as usize] as usize];
        }
    } else {
        for (r, &n) in raw.iter_mut().zip(feas) {
            let n = n as usize;
            let v = val[class[n] as usize];
            *r = if on[n] != 0 { 0.0 } else { v };
        }
    }
    Col::Filled
}

fn fused(
    c: &MapCtx,
    s: &mut FusedScratch,
    feas: &[u32],
    raw: &mut [f64],
    norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let on = c.view.column(c.pod.image);
    let vals = c.lat_class_val;
    latency_map(feas, &c.facts.lat_class, on, vals, &mut s.ids, raw);
    let f = feas.len();
    locality_reduce(&raw[..f], &s.ids, vals, &mut s.lat_red, norm, total, w)
}

/// The map through classes: `ids[i]` = the node's class, or `vals.len() − 1` (whose value is
/// 0) when `on[node]` holds the image; `raw[i] = vals[ids[i]]`.
pub fn latency_map(
    feas: &[u32],
    class: &[u32],
    on: &[u8],
    vals: &[f64],
    ids: &mut [u32],
    raw: &mut [f64],
) {
    let on_id = (vals.len() - 1) as u32;
    let (ids, raw) = (&mut ids[..feas.len()], &mut raw[..feas.len()]);
    if on.is_empty() {
        for ((id, r), &n) in ids.iter_mut().zip(raw.iter_mut()).zip(feas) {
            *id = class[n as usize];
            *r = vals[*id as usize];
        }
    } else {
        for ((id, r), &n) in ids.iter_mut().zip(raw.iter_mut()).zip(feas) {
            let n = n as usize;
            *id = if on[n] != 0 { on_id } else { class[n] };
            *r = vals[*id as usize];
        }
    }
}

/// skippy's locality reduce of a class-valued column (see [`latency_map`]), accumulated into
/// `total` with weight `w`; `red` is scratch of `vals.len()` entries.
pub fn locality_reduce(
    raw: &[f64],
    ids: &[u32],
    vals: &[f64],
    red: &mut [f64],
    norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let (mn, mx) = min_max(raw);
    if mx == 0.0 {
        return Col::Const(0.0, 0.0);
    }
    let (mni, mxi) = (mn as i64, mx as i64);
    for (o, &x) in red.iter_mut().zip(vals) {
        *o = trunc((10 * (mxi - x as i64 + mni)) as f64 / mx);
    }
    let f = raw.len();
    for ((o, t), &id) in norm[..f].iter_mut().zip(&mut total[..f]).zip(&ids[..f]) {
        let v = red[id as usize];
        *o = v;
        *t += v * w;
    }
    Col::Filled
}

#[cfg(test)]
mod tests {
    use super::super::reduce::reduce;
    use super::*;

    #[test]
    fn class_locality_reduce_equals_the_plain_reduce() {
        let vals = [800_000.0, 1_200_000.0, 3.0, 0.0];
        let class = [0u32, 1, 2, 0, 1];
        let on = [0u8, 0, 0, 1, 0];
        let feas = [4u32, 3, 2, 1, 0];
        let (mut ids, mut raw) = ([0u32; 5], [0.0; 5]);
        latency_map(&feas, &class, &on, &vals, &mut ids, &mut raw);
        assert_eq!(raw, [1_200_000.0, 0.0, 3.0, 1_200_000.0, 800_000.0]);
        let (mut red, mut norm, mut total) = ([0.0; 4], [0.0; 5], [1.0; 5]);
        locality_reduce(&raw, &ids, &vals, &mut red, &mut norm, &mut total, 2.0);
        let mut expect = [0.0; 5];
        reduce(Reduce::Locality, &raw, &mut expect, 10.0);
        assert_eq!(norm, expect);
        assert_eq!(total, expect.map(|v| 1.0 + v * 2.0));
    }
}
