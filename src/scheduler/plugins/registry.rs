//! The one table of every plugin. Adding a plugin means writing its file and adding one line
//! here (`docs/schedulers.md`, "Adding a plugin"); the names accepted in the configuration and
//! listed in errors come from these tables, so validation and docs cannot drift from the code.
//!
//! Order matters only for messages: the valid names are listed in table order.

use super::kubernetes::{
    avoid_storage_nodes, image_arch_available, image_locality as kube_image_locality,
    node_affinity, node_resources_balanced_allocation, node_resources_fit, node_unschedulable,
    pod_topology_spread, taint_toleration, ScoreDef,
};
use super::predicates::{
    can_run, check_node_label_presence, has_enough_ram, node_has_accelerator, node_has_free_gpu,
    node_has_free_tpu, pod_fits_resources, registry_reachable, PredicateDef,
};
use super::priorities::{
    balanced_resource, capability, capability_matching, contention, data_locality, equal,
    execution_time, image_locality, latency_aware_image_locality, locality_type, PriorityDef,
};
use super::Scope;

/// Every predicate and kubernetes filter.
pub const PREDICATES: &[&PredicateDef] = &[
    &pod_fits_resources::PREDICATE,
    &check_node_label_presence::PREDICATE,
    &can_run::PREDICATE,
    &has_enough_ram::PREDICATE,
    &node_has_accelerator::PREDICATE,
    &node_has_free_gpu::PREDICATE,
    &node_has_free_tpu::PREDICATE,
    &registry_reachable::PREDICATE,
    &node_unschedulable::FILTER,
    &node_affinity::FILTER,
    &taint_toleration::FILTER,
    &node_resources_fit::FILTER,
    &pod_topology_spread::FILTER,
    &avoid_storage_nodes::FILTER,
    &image_arch_available::FILTER,
];

/// Every skippy priority and extension score.
pub const PRIORITIES: &[&PriorityDef] = &[
    &balanced_resource::PRIORITY,
    &latency_aware_image_locality::PRIORITY,
    &image_locality::PRIORITY,
    &locality_type::PRIORITY,
    &data_locality::PRIORITY,
    &capability::PRIORITY,
    &equal::PRIORITY,
    &capability_matching::PRIORITY,
    &execution_time::PRIORITY,
    &contention::PRIORITY,
];

/// Every kubernetes score plugin, in the profile's scoring order.
pub const KUBERNETES_SCORES: &[&ScoreDef] = &[
    &node_resources_fit::SCORE,
    &node_resources_balanced_allocation::SCORE,
    &kube_image_locality::SCORE,
    &taint_toleration::SCORE,
    &node_affinity::SCORE,
    &pod_topology_spread::SCORE,
];

/// The predicate named `name`.
pub fn predicate(name: &str) -> Option<&'static PredicateDef> {
    PREDICATES.iter().copied().find(|p| p.name == name)
}

/// The priority named `name`.
pub fn priority(name: &str) -> Option<&'static PriorityDef> {
    PRIORITIES.iter().copied().find(|p| p.name == name)
}

// The name lists are computed at compile time from the tables, so they stay `const` slices
// (other modules and documentation tooling may use them as constants).

const fn count_predicates(kube_extra: bool) -> usize {
    let (mut i, mut k) = (0, 0);
    while i < PREDICATES.len() {
        if accepts(PREDICATES[i].scope, kube_extra) {
            k += 1;
        }
        i += 1;
    }
    k
}

const fn predicate_list<const N: usize>(kube_extra: bool) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut k) = (0, 0);
    while i < PREDICATES.len() {
        if accepts(PREDICATES[i].scope, kube_extra) {
            out[k] = PREDICATES[i].name;
            k += 1;
        }
        i += 1;
    }
    out
}

const fn count_priorities(kube_extra: bool) -> usize {
    let (mut i, mut k) = (0, 0);
    while i < PRIORITIES.len() {
        if accepts(PRIORITIES[i].scope, kube_extra) {
            k += 1;
        }
        i += 1;
    }
    k
}

const fn priority_list<const N: usize>(kube_extra: bool) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut k) = (0, 0);
    while i < PRIORITIES.len() {
        if accepts(PRIORITIES[i].scope, kube_extra) {
            out[k] = PRIORITIES[i].name;
            k += 1;
        }
        i += 1;
    }
    out
}

const fn accepts(scope: Scope, kube_extra: bool) -> bool {
    if kube_extra {
        scope.in_kubernetes_extra()
    } else {
        scope.in_skippy()
    }
}

const SKIPPY_PREDICATE_ARRAY: [&str; count_predicates(false)] = predicate_list(false);
const EXTENSION_PREDICATE_ARRAY: [&str; count_predicates(true)] = predicate_list(true);
const SKIPPY_PRIORITY_ARRAY: [&str; count_priorities(false)] = priority_list(false);
const EXTENSION_PRIORITY_ARRAY: [&str; count_priorities(true)] = priority_list(true);

/// Names accepted in `scheduler.skippy.predicates`.
pub const SKIPPY_PREDICATES: &[&str] = &SKIPPY_PREDICATE_ARRAY;
/// Names accepted in `scheduler.kubernetes.extra_filters` (the extension predicates).
pub const EXTENSION_PREDICATES: &[&str] = &EXTENSION_PREDICATE_ARRAY;
/// Names accepted in `scheduler.skippy.priorities`.
pub const SKIPPY_PRIORITIES: &[&str] = &SKIPPY_PRIORITY_ARRAY;
/// Names accepted in `scheduler.kubernetes.extra_scores` (the extension priorities).
pub const EXTENSION_PRIORITIES: &[&str] = &EXTENSION_PRIORITY_ARRAY;

/// Names accepted in `scheduler.skippy.predicates`, in registry order.
pub fn skippy_predicate_names() -> &'static [&'static str] {
    SKIPPY_PREDICATES
}

/// Names accepted in `scheduler.skippy.priorities`, in registry order.
pub fn skippy_priority_names() -> &'static [&'static str] {
    SKIPPY_PRIORITIES
}

/// Names accepted in `scheduler.kubernetes.extra_filters`, in registry order.
pub fn kubernetes_filter_names() -> &'static [&'static str] {
    EXTENSION_PREDICATES
}

/// Names accepted in `scheduler.kubernetes.extra_scores`, in registry order.
pub fn kubernetes_score_names() -> &'static [&'static str] {
    EXTENSION_PRIORITIES
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn unique(names: impl Iterator<Item = &'static str>) -> bool {
        let v: Vec<_> = names.collect();
        v.iter().collect::<BTreeSet<_>>().len() == v.len()
    }

    #[test]
    fn names_are_unique_within_each_table() {
        assert!(unique(PREDICATES.iter().map(|p| p.name)));
        assert!(unique(PRIORITIES.iter().map(|p| p.name)));
        assert!(unique(KUBERNETES_SCORES.iter().map(|p| p.name)));
    }

    #[test]
    fn the_registry_holds_every_plugin_the_profiles_use() {
        assert_eq!(
            SKIPPY_PREDICATES,
            [
                "PodFitsResources",
                "CheckNodeLabelPresence",
                "CanRun",
                "HasEnoughRam",
                "NodeHasAccelerator",
                "NodeHasFreeGpu",
                "NodeHasFreeTpu",
                "RegistryReachable",
                "ImageArchAvailable",
            ]
        );
        assert_eq!(
            EXTENSION_PREDICATES,
            [
                "CanRun",
                "HasEnoughRam",
                "NodeHasAccelerator",
                "NodeHasFreeGpu",
                "NodeHasFreeTpu",
            ]
        );
        assert_eq!(
            SKIPPY_PRIORITIES,
            [
                "BalancedResource",
                "LatencyAwareImageLocality",
                "ImageLocality",
                "LocalityType",
                "DataLocality",
                "Capability",
                "Equal",
                "CapabilityMatching",
                "ExecutionTime",
                "Contention",
            ]
        );
        assert_eq!(
            EXTENSION_PRIORITIES,
            ["CapabilityMatching", "ExecutionTime", "Contention"]
        );
        let filters: Vec<_> = PREDICATES
            .iter()
            .filter(|p| matches!(p.scope, Scope::Kubernetes | Scope::KubernetesAndSkippy))
            .map(|p| p.name)
            .collect();
        assert_eq!(
            filters,
            [
                "NodeUnschedulable",
                "NodeAffinity",
                "TaintToleration",
                "NodeResourcesFit",
                "PodTopologySpread",
                "AvoidStorageNodes",
                "ImageArchAvailable",
            ]
        );
        let scores: Vec<_> = KUBERNETES_SCORES.iter().map(|p| p.name).collect();
        assert_eq!(
            scores,
            [
                "NodeResourcesFit",
                "NodeResourcesBalancedAllocation",
                "ImageLocality",
                "TaintToleration",
                "NodeAffinity",
                "PodTopologySpread",
            ]
        );
    }

    #[test]
    fn every_name_resolves_to_its_own_definition() {
        for p in PREDICATES {
            assert_eq!(predicate(p.name).map(|d| d.name), Some(p.name));
        }
        for p in PRIORITIES {
            assert_eq!(priority(p.name).map(|d| d.name), Some(p.name));
        }
        assert!(predicate("NoSuchPredicate").is_none());
        assert!(priority("NoSuchPriority").is_none());
    }

    #[test]
    fn every_plugin_is_documented() {
        let doc = include_str!("../../../docs/schedulers.md");
        let names = PREDICATES
            .iter()
            .map(|p| (p.name, p.summary))
            .chain(PRIORITIES.iter().map(|p| (p.name, p.summary)))
            .chain(KUBERNETES_SCORES.iter().map(|p| (p.name, p.summary)));
        for (name, summary) in names {
            assert!(
                doc.contains(&format!("`{name}`")),
                "docs/schedulers.md does not document `{name}`"
            );
            assert!(!summary.is_empty(), "{name} has no summary");
        }
    }
}
