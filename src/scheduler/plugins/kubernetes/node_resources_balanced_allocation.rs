//! `NodeResourcesBalancedAllocation` (score): `trunc((1 − |f_cpu − f_mem| / 2) × 100)` with `f`
//! = requested / capacity after placing the pod (capped at 1). Memoised per node and request
//! pair, since a node's value changes only when it receives or loses a pod.

use super::{KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE};

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "NodeResourcesBalancedAllocation",
    summary: "trunc((1 − |f_cpu − f_mem| / 2) × 100), f = requested / capacity after placing the pod (capped at 1)",
    score,
};

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], _: &mut [i64], memos: &mut Memos) -> KCol {
    let (pc, pm) = (c.pod.cpu_millis, c.pod.memory_bytes);
    if pc == 0 && pm == 0 {
        return KCol::Const(0, 0);
    }
    let nodes = c.nodes;
    let (capc_col, capm_col): (&[i64], &[i64]) = (&nodes.cpu_capacity, &nodes.mem_capacity);
    let (free_c, free_m): (&[i64], &[i64]) = (nodes.cpu_free(), nodes.mem_free());
    let mut set = memos.balanced.set((pc, pm), nodes.len()).columns();
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        let n = n as usize;
        let (capc, capm) = (capc_col[n], capm_col[n]);
        *r = set.get(n, free_c[n], free_m[n], |fc, fm| {
            let reqc = capc - fc + pc;
            let reqm = capm - fm + pm;
            let fc = (reqc as f64 / capc as f64).min(1.0);
            let fm = (reqm as f64 / capm as f64).min(1.0);
            let std = match (capc != 0, capm != 0) {
                (true, true) => ((fc - fm) / 2.0).abs(),
                _ => 0.0,
            };
            ((1.0 - std) * MAX_SCORE as f64) as i64
        });
    }
    KCol::Same
}
