//! `CheckNodeLabelPresence(labels, present)`: the node carries every listed label key
//! (`present`) or none of them. Without arguments: the node is not a storage node (does not
//! carry `data.skippy.io/storage`). Node labels never change, so the pass column is computed
//! once per scheduler.

use super::{PredArgs, PredKind, PredicateDef};
use crate::scheduler::facts::{NodeFacts, KEY_STORAGE};
use crate::scheduler::plugins::{Needs, Scope};

/// The definition.
pub const PREDICATE: PredicateDef = PredicateDef {
    name: "CheckNodeLabelPresence",
    scope: Scope::Skippy,
    summary: "the node carries every listed label key (present) or none of them; by default it is not a storage node",
    needs: Needs::NONE,
    kind: PredKind::Static(pass),
};

fn pass(args: &PredArgs, facts: &NodeFacts) -> Vec<bool> {
    let storage = [KEY_STORAGE.to_string()];
    let keys = args.labels.as_deref().unwrap_or(&storage);
    let bits: Vec<Option<u32>> = keys.iter().map(|k| facts.labels.key_bit(k)).collect();
    (0..facts.n)
        .map(|n| {
            bits.iter().all(|b| {
                let has = b.is_some_and(|b| facts.label_bits.test(n, b));
                has == args.present
            })
        })
        .collect()
}
