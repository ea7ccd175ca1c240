//! `BalancedResource`: with `cf` = CPU request / remaining CPU and `mf` = memory request /
//! remaining memory, 0 if either is ≥ 1, else `trunc((1 − |cf − mf|) × 10)`; identity reduce.
//!
//! Its value depends only on the pod's requests and the node's remaining allocatable, which
//! change on few nodes between decisions, so the skippy profile's fused kernel memoises it per
//! node for the last few distinct request pairs (a node whose allocatable differs from the memo
//! is recomputed, so the memo is exact).

use super::reduce::{trunc_small, Col, Reduce};
use super::{FusedScratch, MapCtx, PriorityDef};
use crate::engine::SimRng;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PRIORITY: PriorityDef = PriorityDef {
    name: "BalancedResource",
    scope: Scope::Skippy,
    summary: "0 if the pod's CPU or memory share of the node's remaining allocatable is ≥ 1, else trunc((1 − |cpu share − memory share|) × 10)",
    reduce: Reduce::Identity,
    needs: Needs::NONE,
    sampled: false,
    map,
    fused: Some(fused),
};

/// The map value of a pod requesting `rc` millicores and `rm` bytes on a node with `ac`, `am`
/// remaining allocatable (0 is replaced by 1).
#[inline(always)]
pub fn balanced(rc: f64, rm: f64, ac: i64, am: i64) -> f64 {
    let ac = if ac == 0 { 1.0 } else { ac as f64 };
    let am = if am == 0 { 1.0 } else { am as f64 };
    let cf = rc / ac;
    let mf = rm / am;
    // In [0, 10] whenever it is used (cf, mf < 1).
    let v = trunc_small((1.0 - (cf - mf).abs()) * 10.0);
    if (cf >= 1.0) | (mf >= 1.0) {
        0.0
    } else {
        v
    }
}

fn map(c: &MapCtx, feas: &[u32], raw: &mut [f64], _: Option<&mut SimRng>) -> Col {
    let (rc, rm) = (c.pod.cpu_millis as f64, c.pod.memory_bytes as f64);
    let (cpu, mem): (&[i64], &[i64]) = (c.nodes.cpu_free(), c.nodes.mem_free());
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        *r = balanced(rc, rm, cpu[n as usize], mem[n as usize]);
    }
    Col::Filled
}

fn fused(
    c: &MapCtx,
    s: &mut FusedScratch,
    feas: &[u32],
    raw: &mut [f64],
    _norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let (rc, rm) = (c.pod.cpu_millis, c.pod.memory_bytes);
    let (cpu, mem): (&[i64], &[i64]) = (c.nodes.cpu_free(), c.nodes.mem_free());
    memo_map(s, rc, rm, cpu, mem, feas, raw, total, w);
    Col::Identity
}

/// Fills `raw` with the map values of the feasible nodes `feas` through the memo and adds
/// `value × w` to `total` (the reduce is the identity).
#[allow(clippy::too_many_arguments)]
#[inline]
fn memo_map(
    s: &mut FusedScratch,
    rc: i64,
    rm: i64,
    cpu: &[i64],
    mem: &[i64],
    feas: &[u32],
    raw: &mut [f64],
    total: &mut [f64],
    w: f64,
) {
    let mut set = s.balanced.set((rc, rm), cpu.len()).columns();
    let (rcf, rmf) = (rc as f64, rm as f64);
    let f = feas.len();
    for ((r, t), &n) in raw[..f].iter_mut().zip(&mut total[..f]).zip(feas) {
        let n = n as usize;
        let v = set.get(n, cpu[n], mem[n], |ac, am| balanced(rcf, rmf, ac, am));
        *r = v;
        *t += v * w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memoised_balanced_equals_the_plain_formula_as_allocatable_changes() {
        let mut s = FusedScratch::default();
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
            memo_map(&mut s, rc, rm, &cpu, &mem, &feas, &mut raw, &mut total, 1.0);
            for (i, &n) in feas.iter().enumerate() {
                let n = n as usize;
                assert_eq!(raw[i], balanced(rc as f64, rm as f64, cpu[n], mem[n]));
            }
            let n = (step as usize * 3) % 5;
            cpu[n] = (cpu[n] + 700) % 5000;
            mem[n] = (mem[n] + (300 << 20)) % (9 << 30);
        }
    }
}
