//! `NodeUnschedulable` (filter): the node is not marked `unschedulable`; static per node.

use crate::scheduler::facts::NodeFacts;
use crate::scheduler::plugins::predicates::{PredArgs, PredKind, PredicateDef};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "NodeUnschedulable",
    scope: Scope::Kubernetes,
    summary: "the node is not marked unschedulable",
    needs: Needs::NONE,
    kind: PredKind::Static(pass),
};

fn pass(_: &PredArgs, facts: &NodeFacts) -> Vec<bool> {
    facts.unschedulable.iter().map(|&u| !u).collect()
}
