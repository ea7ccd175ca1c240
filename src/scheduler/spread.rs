//! What `PodTopologySpread` knows about the cluster: the topology domains of every node (one
//! domain per value of a constraint's topology key), each function's spread constraints, and
//! where each function's replicas are, kept up to date through `on_placed` / `on_removed`.
//!
//! A function's replicas are the pods its constraints count, as a ReplicaSet's pods are
//! upstream (`docs/schedulers.md`, `PodTopologySpread`). Without user-given constraints a
//! function gets upstream's system defaults: `kubernetes.io/hostname` with maxSkew 3 and
//! `topology.kubernetes.io/zone` with maxSkew 5, both `ScheduleAnyway`.

use super::visit_space::VisitOrder;
use crate::cluster::zones::{HOSTNAME_LABEL, ZONE_LABEL};
use crate::config::{Labels, Scenario, SpreadConstraintConfig, WhenUnsatisfiable};
use std::collections::BTreeMap;

/// Upstream's system default constraints, in upstream's order: (topology key, maxSkew).
pub const SYSTEM_DEFAULTS: [(&str, i64); 2] = [(HOSTNAME_LABEL, 3), (ZONE_LABEL, 5)];

/// The domains of one topology key.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The label key.
    pub key: String,
    /// Per-node domains are the nodes themselves (`kubernetes.io/hostname`).
    pub per_node: bool,
    /// Per node: it carries the key.
    pub has_key: Vec<bool>,
    /// Per node: its domain, the interned label value (a node without the key is in the
    /// domain of the empty value, as upstream reads a missing label as `""`).
    pub domain: Vec<u32>,
    /// Number of domains.
    pub domains: usize,
    /// Every node carries the key.
    pub everywhere: bool,
}

impl Topology {
    fn build(key: &str, labels: &[Labels]) -> Topology {
        let mut values: BTreeMap<&str, u32> = BTreeMap::new();
        let mut domain = Vec::with_capacity(labels.len());
        let mut has_key = Vec::with_capacity(labels.len());
        for l in labels {
            let v = l.get(key);
            has_key.push(v.is_some());
            let v = v.map_or("", String::as_str);
            let next = values.len() as u32;
            domain.push(*values.entry(v).or_insert(next));
        }
        Topology {
            key: key.to_string(),
            per_node: key == HOSTNAME_LABEL,
            everywhere: has_key.iter().all(|&h| h),
            has_key,
            domain,
            domains: values.len(),
        }
    }
}

/// One constraint of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// Index in [`SpreadState::topologies`].
    pub topo: usize,
    /// `maxSkew`.
    pub max_skew: i64,
    /// `DoNotSchedule` (a filter) rather than `ScheduleAnyway` (a score).
    pub hard: bool,
}

/// One function's constraints and the placement of its replicas.
#[derive(Clone, Debug, Default)]
pub struct FunctionSpread {
    /// Its constraints, in configuration order.
    pub constraints: Vec<Constraint>,
    /// The constraints were given by the user (upstream then ignores nodes lacking a key).
    pub user_given: bool,
    /// Replicas per node, for the nodes holding any.
    pub placed: BTreeMap<u32, u32>,
    /// Per constraint: replicas per domain over all nodes (empty for per-node topologies).
    pub domain_pods: Vec<Vec<u32>>,
    /// Replicas placed.
    pub total: u32,
}

/// Topology domains, constraints and replica positions of every function.
#[derive(Clone, Debug, Default)]
pub struct SpreadState {
    /// The topology keys some constraint uses.
    pub topologies: Vec<Topology>,
    /// Per function id.
    pub functions: Vec<FunctionSpread>,
    /// The system default constraints (functions without their own).
    defaults: Vec<Constraint>,
}

impl SpreadState {
    /// The state of a run: system defaults, plus the constraints each deployment of `sc`
    /// gives (`deployments[*].topology_spread`), over nodes with these labels.
    pub fn from_scenario(sc: &Scenario, labels: &[Labels]) -> SpreadState {
        let given = sc.deployments.iter().filter_map(|d| {
            let f = sc.functions.iter().position(|f| f.name == d.function)?;
            (!d.topology_spread.is_empty()).then_some((f as u32, d.topology_spread.as_slice()))
        });
        SpreadState::new(labels, given)
    }

    /// The state over nodes with these labels; `given` lists the functions with user-given
    /// constraints.
    pub fn new<'a>(
        labels: &[Labels],
        given: impl IntoIterator<Item = (u32, &'a [SpreadConstraintConfig])>,
    ) -> SpreadState {
        let mut s = SpreadState::default();
        s.defaults = SYSTEM_DEFAULTS
            .iter()
            .map(|&(key, max_skew)| Constraint {
                topo: s.topology(key, labels),
                max_skew,
                hard: false,
            })
            .collect();
        for (f, list) in given {
            let constraints = list
                .iter()
                .map(|c| Constraint {
                    topo: s.topology(&c.topology_key, labels),
                    max_skew: c.max_skew,
                    hard: c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule,
                })
                .collect();
            let fs = s.function_mut(f);
            fs.constraints = constraints;
            fs.user_given = true;
            fs.domain_pods.clear();
            s.function_mut(f); // sizes the counters for the given constraints
        }
        s
    }

    /// The same state with nodes renumbered into `order` (node `order.ids[p]` becomes `p`), for
    /// the kubernetes profile's visit-order columns ([`super::visit_space`]).
    pub fn in_visit_order(self, order: &VisitOrder) -> SpreadState {
        let SpreadState {
            topologies,
            functions,
            defaults,
        } = self;
        SpreadState {
            topologies: topologies
                .into_iter()
                .map(|t| Topology {
                    has_key: order.gather(&t.has_key),
                    domain: order.gather(&t.domain),
                    ..t
                })
                .collect(),
            functions: functions
                .into_iter()
                .map(|f| FunctionSpread {
                    placed: f
                        .placed
                        .iter()
                        .map(|(&id, &k)| (order.pos(id), k))
                        .collect(),
                    ..f
                })
                .collect(),
            defaults,
        }
    }

    fn topology(&mut self, key: &str, labels: &[Labels]) -> usize {
        if let Some(i) = self.topologies.iter().position(|t| t.key == key) {
            return i;
        }
        self.topologies.push(Topology::build(key, labels));
        self.topologies.len() - 1
    }

    /// The spread of function `f` (system defaults if it was never configured or placed).
    pub fn function_mut(&mut self, f: u32) -> &mut FunctionSpread {
        let f = f as usize;
        while self.functions.len() <= f {
            self.functions.push(FunctionSpread {
                constraints: self.defaults.clone(),
                ..FunctionSpread::default()
            });
        }
        let fs = &mut self.functions[f];
        if fs.domain_pods.len() != fs.constraints.len() {
            fs.domain_pods = fs
                .constraints
                .iter()
                .map(|c| {
                    let t = &self.topologies[c.topo];
                    vec![0; if t.per_node { 0 } else { t.domains }]
                })
                .collect();
        }
        fs
    }

    /// The constraints of function `f`.
    pub fn constraints(&self, f: u32) -> &[Constraint] {
        self.functions
            .get(f as usize)
            .map_or(&self.defaults, |fs| &fs.constraints)
    }

    /// The spread of function `f`, if it has a replica placed or its own constraints.
    pub fn function(&self, f: u32) -> Option<&FunctionSpread> {
        self.functions.get(f as usize)
    }

    /// Replicas of function `f` on `node`.
    #[inline]
    pub fn on_node(&self, f: u32, node: u32) -> u32 {
        self.functions
            .get(f as usize)
            .and_then(|fs| fs.placed.get(&node))
            .copied()
            .unwrap_or(0)
    }

    /// A replica of function `f` was placed on `node` (`delta` = 1) or removed (`delta` = −1).
    pub fn record(&mut self, f: u32, node: u32, delta: i32) {
        // Creates the function's counters (which reads the topologies) before borrowing them.
        self.function_mut(f);
        let topologies = &self.topologies;
        let fs = &mut self.functions[f as usize];
        let n = fs.placed.entry(node).or_insert(0);
        *n = n.saturating_add_signed(delta);
        if *n == 0 {
            fs.placed.remove(&node);
        }
        fs.total = fs.total.saturating_add_signed(delta);
        for (c, pods) in fs.constraints.iter().zip(&mut fs.domain_pods) {
            let t = &topologies[c.topo];
            if !t.per_node {
                let d = &mut pods[t.domain[node as usize] as usize];
                *d = d.saturating_add_signed(delta);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(zones: &[&str]) -> Vec<Labels> {
        zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let mut l = Labels::new();
                l.insert(HOSTNAME_LABEL.into(), format!("n{i}"));
                if !z.is_empty() {
                    l.insert(ZONE_LABEL.into(), z.to_string());
                }
                l
            })
            .collect()
    }

    #[test]
    fn functions_default_to_the_system_constraints_and_count_replicas_per_domain() {
        let mut s = SpreadState::new(&labels(&["a", "b", "a", ""]), []);
        assert_eq!(
            s.constraints(7),
            &[
                Constraint {
                    topo: 0,
                    max_skew: 3,
                    hard: false
                },
                Constraint {
                    topo: 1,
                    max_skew: 5,
                    hard: false
                }
            ]
        );
        let zone = &s.topologies[1];
        assert_eq!((zone.domains, zone.everywhere), (3, false));
        s.record(7, 0, 1);
        s.record(7, 2, 1);
        s.record(7, 2, 1);
        s.record(7, 3, 1);
        s.record(7, 2, -1);
        let fs = s.function(7).unwrap();
        assert_eq!(fs.total, 3);
        assert_eq!(s.on_node(7, 2), 1);
        assert_eq!(s.on_node(7, 1), 0);
        // Zone a holds nodes 0 and 2, b node 1, "" node 3.
        assert_eq!(fs.domain_pods[1], vec![2, 0, 1]);
        assert!(fs.domain_pods[0].is_empty(), "hostname counts are per node");
    }

    #[test]
    fn user_given_constraints_replace_the_defaults() {
        let c = SpreadConstraintConfig {
            max_skew: 1,
            topology_key: ZONE_LABEL.into(),
            when_unsatisfiable: WhenUnsatisfiable::DoNotSchedule,
        };
        let s = SpreadState::new(&labels(&["a", "b"]), [(1, std::slice::from_ref(&c))]);
        assert_eq!(
            s.constraints(1),
            &[Constraint {
                topo: 1,
                max_skew: 1,
                hard: true
            }]
        );
        assert!(s.function(1).unwrap().user_given);
        assert_eq!(s.constraints(0).len(), 2);
    }
}
