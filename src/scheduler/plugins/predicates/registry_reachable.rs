//! `RegistryReachable`: a route from the image registry to the node exists. Appended to every
//! skippy list and built into the kubernetes filters; static per node.

use super::{PredArgs, PredKind, PredicateDef};
use crate::scheduler::facts::NodeFacts;
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "RegistryReachable",
    scope: Scope::Skippy,
    summary: "a route from the image registry to the node exists",
    needs: Needs::NONE,
    kind: PredKind::Static(pass),
};

fn pass(_: &PredArgs, facts: &NodeFacts) -> Vec<bool> {
    facts.reachable.clone()
}
