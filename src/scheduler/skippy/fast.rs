//! Exact shortcuts for the two priorities that dominate a full scan of the default profile.
//!
//! - `BalancedResource` divides twice per node. Its value depends only on the pod's requests and
//!   the node's remaining allocatable, which change on few nodes between decisions, so it is
//!   memoised per node for the last few distinct request pairs; a node whose allocatable differs
//!   from the memo is recomputed.
//! - `LatencyAwareImageLocality` takes one value per (arch, bandwidth) class of nodes, or 0 on
//!   nodes that hold the image; its locality reduce therefore needs one division per class
//!   instead of one per node.
//!
//! Both give exactly the values of the plain kernels in [`super::super::priorities`].

use super::super::memo::PairMemo;
use super::super::priorities::{balanced, min_max, trunc, Col};

/// Per-node memo of `BalancedResource` for the last few request pairs.
#[derive(Clone, Debug, Default)]
pub struct BalancedMemo {
    memo: PairMemo<f64>,
}

impl BalancedMemo {
    /// Fills `raw` with the Balanced map values of the feasible nodes `feas` and adds
    /// `value × w` to `total` (the reduce is the identity).
    #[allow(clippy::too_many_arguments)]
    pub fn map(
        &mut self,
        rc: i64,
        rm: i64,
        cpu: &[i64],
        mem: &[i64],
        feas: &[u32],
        raw: &mut [f64],
        total: &mut [f64],
        w: f64,
    ) {
        let mut set = self.memo.set((rc, rm), cpu.len()).columns();
        let (rcf, rmf) = (rc as f64, rm as f64);
        let f = feas.len();
        for ((r, t), &n) in raw[..f].iter_mut().zip(&mut total[..f]).zip(feas) {
            let n = n as usize;
            let v = set.get(n, cpu[n], mem[n], |ac, am| balanced(rcf, rmf, ac, am));
            *r = v;
            *t += v * w;
        }
    }
}

/// LatencyAware map through classes: `ids[i]` = the node's class, or `vals.len() − 1` (whose
/// value is 0) when `on[node]` holds the image; `raw[i] = vals[ids[i]]`.
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
    use super::super::super::priorities::{reduce, Reduce};
    use super::*;

    #[test]
    fn memoised_balanced_equals_the_plain_formula_as_allocatable_changes() {
        let mut memo = BalancedMemo::default();
        let mut cpu = vec![4000i64, 3000, 1000, 0, 2500];
        let mut mem = vec![4 << 30, 1 << 30, 8 << 30, 0, 3 << 29];
        let feas = [0u32, 1, 2, 3, 4];
        let (mut raw, mut total) = ([0.0; 5], [0.0; 5]);
        for step in 0..40i64 {
            let (rc, rm) = [
                (1000, 1 << 30),
                (500, 512 << 20),
                (100, 1 << 20),
                (250, 3 << 28),
                (999, 7),
            ][(step % 5) as usize];
            memo.map(rc, rm, &cpu, &mem, &feas, &mut raw, &mut total, 1.0);
            for (i, &n) in feas.iter().enumerate() {
                let n = n as usize;
                assert_eq!(raw[i], balanced(rc as f64, rm as f64, cpu[n], mem[n]));
            }
            let n = (step as usize * 3) % 5;
            cpu[n] = (cpu[n] + 700) % 5000;
            mem[n] = (mem[n] + (300 << 20)) % (9 << 30);
        }
    }

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
