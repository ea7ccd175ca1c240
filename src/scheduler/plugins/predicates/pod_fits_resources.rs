//! `PodFitsResources`: the pod's CPU and memory requests fit the node's remaining allocatable.

use super::{fail, PredArgs, PredCtx, PredKind, PredicateDef, Span};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "PodFitsResources",
    scope: Scope::Skippy,
    summary: "the pod's CPU and memory requests fit the node's remaining allocatable",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    let m = codes.len();
    let (rc, rm) = (c.pod.cpu_millis, c.pod.memory_bytes);
    let (cpu, mem) = (c.nodes.cpu_free(), c.nodes.mem_free());
    // Both differences are ≥ 0 iff their OR is (no overflow for real sizes); cheaper than two
    // 64-bit compares without SSE4.2.
    let Span::Range(a) = a;
    let (cpu, mem) = (&cpu[a..a + m], &mem[a..a + m]);
    for ((code_j, &fc), &fm) in codes.iter_mut().zip(cpu).zip(mem) {
        *code_j = fail(*code_j, code, ((fm - rm) | (fc - rc)) >= 0);
    }
}
