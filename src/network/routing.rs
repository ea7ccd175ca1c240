//! Fewest-hop routing with a deterministic tie-break, and the per-pair route cache
//! (`docs/network.md`, "Routing").
//!
//! A route is found by breadth-first search from the source over out-edges, visiting each
//! vertex's out-neighbours in edge-insertion order; a vertex's predecessor is the first vertex
//! that discovered it. Endpoints (nodes and the registry) other than the source are never
//! expanded: nodes do not forward traffic. Latency and bandwidth do not influence the path.

use super::graph::{Graph, LinkId, VertexId, VertexKind};
use super::latency::{LatencyMode, LatencyModel};
use crate::engine::rng::SimRng;
use std::collections::HashMap;

/// A route between two vertices.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Link vertices on the path, in order.
    pub hops: Vec<LinkId>,
    /// Latency models of the path's edges, in order (re-drawn for `sampled` transfers).
    pub edges: Vec<LatencyModel>,
    /// Round-trip time `2 × Σ edge latency` under the run's fixed latency mode, ms.
    pub rtt_ms: f64,
    /// Smallest capacity over the hops, Mbit/s (`+∞` without hops).
    pub bottleneck_mbit: f64,
}

impl Route {
    /// The round-trip time of one use of the route: fixed, or (under `sampled`) one draw per
    /// edge in path order from `rng`.
    pub fn rtt_for_transfer(&self, mode: LatencyMode, rng: &mut SimRng) -> f64 {
        if mode != LatencyMode::Sampled {
            return self.rtt_ms;
        }
        2.0 * self.edges.iter().map(|e| e.sample(rng)).sum::<f64>()
    }
}

/// Breadth-first predecessor tree from `source` (`None` for unreached vertices; the source is
/// its own predecessor). Stops early once `target` is reached, if given.
fn search(g: &Graph, source: VertexId, target: Option<VertexId>) -> Vec<Option<(VertexId, u32)>> {
    let n = g.vertex_count();
    // predecessor and the index of the edge used in the predecessor's out-list
    let mut pred: Vec<Option<(VertexId, u32)>> = vec![None; n];
    pred[source as usize] = Some((source, u32::MAX));
    let mut queue = std::collections::VecDeque::with_capacity(64);
    queue.push_back(source);
    while let Some(u) = queue.pop_front() {
        if u != source
            && matches!(
                g.kind[u as usize],
                VertexKind::Node(_) | VertexKind::Registry
            )
        {
            continue;
        }
        for (i, e) in g.out[u as usize].iter().enumerate() {
            if pred[e.to as usize].is_none() {
                pred[e.to as usize] = Some((u, i as u32));
                if Some(e.to) == target {
                    return pred;
                }
                queue.push_back(e.to);
            }
        }
    }
    pred
}

/// Builds the route to `target` from a predecessor tree.
fn walk(
    g: &Graph,
    pred: &[Option<(VertexId, u32)>],
    source: VertexId,
    target: VertexId,
    mode: LatencyMode,
) -> Option<Route> {
    pred[target as usize]?;
    let mut edges = Vec::new();
    let mut hops = Vec::new();
    let mut v = target;
    while v != source {
        let (u, i) = pred[v as usize].expect("vertex on a found path has a predecessor");
        edges.push(g.out[u as usize][i as usize].latency);
        if let VertexKind::Link(l) = g.kind[v as usize] {
            hops.push(l);
        }
        v = u;
    }
    edges.reverse();
    hops.reverse();
    let rtt_ms = 2.0 * edges.iter().map(|e| e.fixed_ms(mode)).sum::<f64>();
    let bottleneck_mbit = hops
        .iter()
        .map(|&l| g.link_capacity[l as usize])
        .fold(f64::INFINITY, f64::min);
    Some(Route {
        hops,
        edges,
        rtt_ms,
        bottleneck_mbit,
    })
}

/// The route `a → b`, or `None` when `b` is unreachable.
pub fn route(g: &Graph, a: VertexId, b: VertexId, mode: LatencyMode) -> Option<Route> {
    if a == b {
        return Some(Route {
            hops: Vec::new(),
            edges: Vec::new(),
            rtt_ms: 0.0,
            bottleneck_mbit: f64::INFINITY,
        });
    }
    let pred = search(g, a, Some(b));
    walk(g, &pred, a, b, mode)
}

/// Routes cached per `(source, destination)` vertex pair for the whole run (the topology is
/// static). Filled when the model is compiled with every pair a run can use (registry → node,
/// storage ↔ node), so a running simulation only reads it.
#[derive(Clone, Debug, Default)]
pub struct RouteCache {
    routes: Vec<Route>,
    index: HashMap<(VertexId, VertexId), Option<u32>>,
}

impl RouteCache {
    /// Caches the routes from `source` to every vertex of `targets` with one search.
    pub fn fill_from(
        &mut self,
        g: &Graph,
        source: VertexId,
        targets: &[VertexId],
        mode: LatencyMode,
    ) {
        let pending: Vec<VertexId> = targets
            .iter()
            .copied()
            .filter(|t| !self.index.contains_key(&(source, *t)))
            .collect();
        if pending.is_empty() {
            return;
        }
        let pred = search(g, source, None);
        for t in pending {
            let r = if t == source {
                route(g, source, t, mode)
            } else {
                walk(g, &pred, source, t, mode)
            };
            self.insert(source, t, r);
        }
    }

    /// Caches the route `a → b` (one search stopping at `b`).
    pub fn fill_pair(&mut self, g: &Graph, a: VertexId, b: VertexId, mode: LatencyMode) {
        if !self.index.contains_key(&(a, b)) {
            let r = route(g, a, b, mode);
            self.insert(a, b, r);
        }
    }

    fn insert(&mut self, a: VertexId, b: VertexId, r: Option<Route>) {
        let slot = r.map(|r| {
            self.routes.push(r);
            (self.routes.len() - 1) as u32
        });
        self.index.insert((a, b), slot);
    }

    /// The cached route `a → b`: `None` if the pair was never cached, `Some(None)` if `b` is
    /// unreachable from `a`.
    pub fn get(&self, a: VertexId, b: VertexId) -> Option<Option<&Route>> {
        self.index
            .get(&(a, b))
            .map(|slot| slot.map(|i| &self.routes[i as usize]))
    }

    /// The cached route id of `a → b` (see [`Self::get`]).
    pub fn id(&self, a: VertexId, b: VertexId) -> Option<Option<u32>> {
        self.index.get(&(a, b)).copied()
    }

    /// The route with id `id`.
    pub fn by_id(&self, id: u32) -> &Route {
        &self.routes[id as usize]
    }

    /// Number of distinct reachable routes cached.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::LinkKind;

    /// Two equally short paths a → s1 → l1 → b and a → s2 → l2 → b: the first-inserted edge wins.
    #[test]
    fn ties_go_to_the_first_inserted_edge() {
        let mut g = Graph::default();
        let a = g.add_node("a").unwrap();
        let b = g.add_node("b").unwrap();
        let s1 = g.add_switch("s1").unwrap();
        let s2 = g.add_switch("s2").unwrap();
        let l1 = g.add_link("l1", LinkKind::Shared, 10.0).unwrap();
        let l2 = g.add_link("l2", LinkKind::Shared, 20.0).unwrap();
        g.edge(a, s2, LatencyModel::ZERO).unwrap();
        g.edge(a, s1, LatencyModel::ZERO).unwrap();
        g.edge(s1, l1, LatencyModel::ZERO).unwrap();
        g.edge(s2, l2, LatencyModel::ZERO).unwrap();
        g.edge(l1, b, LatencyModel::Constant { ms: 1.0 }).unwrap();
        g.edge(l2, b, LatencyModel::Constant { ms: 2.0 }).unwrap();
        let r = route(&g, a, b, LatencyMode::Mode).unwrap();
        assert_eq!(r.hops, vec![1]);
        assert_eq!(r.rtt_ms, 4.0);
        assert_eq!(r.bottleneck_mbit, 20.0);
    }

    #[test]
    fn nodes_do_not_forward_traffic() {
        let mut g = Graph::default();
        let a = g.add_node("a").unwrap();
        let l = g.add_link("l", LinkKind::Node, 10.0).unwrap();
        let m = g.add_node("m").unwrap();
        let l2 = g.add_link("l2", LinkKind::Node, 10.0).unwrap();
        let b = g.add_node("b").unwrap();
        g.connect(a, l, LatencyModel::ZERO).unwrap();
        g.connect(l, m, LatencyModel::ZERO).unwrap();
        g.connect(m, l2, LatencyModel::ZERO).unwrap();
        g.connect(l2, b, LatencyModel::ZERO).unwrap();
        assert!(route(&g, a, b, LatencyMode::Mode).is_none());
        assert!(route(&g, a, m, LatencyMode::Mode).is_some());
    }

    #[test]
    fn the_cache_answers_reachable_unreachable_and_unknown_pairs() {
        let mut g = Graph::default();
        let a = g.add_node("a").unwrap();
        let l = g.add_link("l", LinkKind::Node, 10.0).unwrap();
        let b = g.add_node("b").unwrap();
        let c = g.add_node("c").unwrap();
        g.connect(a, l, LatencyModel::ZERO).unwrap();
        g.connect(l, b, LatencyModel::ZERO).unwrap();
        let mut cache = RouteCache::default();
        cache.fill_from(&g, a, &[b, c], LatencyMode::Mode);
        assert_eq!(cache.get(a, b).unwrap().unwrap().hops, vec![0]);
        assert_eq!(cache.get(a, c), Some(None));
        assert_eq!(cache.get(b, a), None);
    }
}
