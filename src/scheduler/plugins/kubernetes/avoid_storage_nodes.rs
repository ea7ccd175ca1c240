//! `AvoidStorageNodes` (filter, `scheduler.kubernetes.avoid_storage_nodes`): the node is not a
//! storage node; static per node.

use crate::scheduler::facts::NodeFacts;
use crate::scheduler::plugins::predicates::{PredArgs, PredKind, PredicateDef};
use crate::scheduler::plugins::{Needs, Scope};

/// The filter.
pub const FILTER: PredicateDef = PredicateDef {
    name: "AvoidStorageNodes",
    scope: Scope::Kubernetes,
    summary: "the node is not a storage node",
    needs: Needs::NONE,
    kind: PredKind::Static(pass),
};

fn pass(_: &PredArgs, facts: &NodeFacts) -> Vec<bool> {
    facts.storage.iter().map(|&s| !s).collect()
}
