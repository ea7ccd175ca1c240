//! `NodeUnschedulable` (filter): the node is not marked `unschedulable`, or the pod tolerates
//! the taint `node.kubernetes.io/unschedulable:NoSchedule` (upstream lets such pods, typically
//! daemons, onto cordoned nodes). The toleration is compiled once per pod template
//! ([`PodScratch::tolerates_unschedulable`](crate::scheduler::podinfo::PodScratch)).

use crate::scheduler::plugins::predicates::{
    mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};

/// Key of the taint a pod must tolerate to land on an unschedulable node.
pub const UNSCHEDULABLE_TAINT_KEY: &str = "node.kubernetes.io/unschedulable";

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "NodeUnschedulable",
    scope: Scope::Kubernetes,
    summary: "the node is not marked unschedulable, or the pod tolerates node.kubernetes.io/unschedulable:NoSchedule",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if c.scratch.tolerates_unschedulable || !c.facts.any_unschedulable {
        return;
    }
    let u = &c.facts.unschedulable;
    mark(codes, a, code, |n| !u[n]);
}
