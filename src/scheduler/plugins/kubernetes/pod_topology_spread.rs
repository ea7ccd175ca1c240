//! `PodTopologySpread`. Score (`ScheduleAnyway` constraints, by default upstream's system
//! defaults): per node, Σ over the constraints whose key the node carries of
//! `replicas in the node's domain × ln(domains among the feasible nodes + 2) + maxSkew − 1`,
//! rounded; normalised so that the least loaded node scores 100 (`100 × (max + min − s) div
//! max`). Filter (`DoNotSchedule` constraints): placing the pod must not make its domain hold
//! more than `maxSkew` replicas above the least loaded domain. The replicas counted are the
//! function's (its deployment's), tracked by [`SpreadState`].

use super::{div_floor, KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE};
use crate::scheduler::facts::NodeFacts;
use crate::scheduler::plugins::predicates::{
    mark, PredArgs, PredCtx, PredKind, PredicateDef, Span,
};
use crate::scheduler::plugins::{Needs, Scope};
use crate::scheduler::podinfo::PodScratch;
use crate::scheduler::spread::{Constraint, SpreadState};

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "PodTopologySpread",
    summary: "Σ replicas in the node's domain × ln(domains + 2) + maxSkew − 1 per soft constraint, normalised so the least loaded node scores 100",
    score,
};

/// The filter (only in the list when some deployment has a `DoNotSchedule` constraint).
pub const FILTER: PredicateDef = PredicateDef {
    name: "PodTopologySpread",
    scope: Scope::Kubernetes,
    summary: "placing the pod keeps every DoNotSchedule constraint's skew (replicas in the node's domain + 1 − the least loaded domain's) within maxSkew",
    needs: Needs::NONE,
    kind: PredKind::Dynamic(eval),
};

/// Per-decision buffers of the score.
#[derive(Clone, Debug, Default)]
pub struct SpreadScratch {
    /// The soft constraints of the pod: (index among the function's constraints, constraint).
    soft: Vec<(usize, Constraint)>,
    /// Per soft constraint: `ln(domains + 2)`.
    weights: Vec<f64>,
    /// Per soft constraint: per domain, the stamp of the decision that last saw it.
    seen: Vec<Vec<u32>>,
    /// Per soft constraint: replicas per domain over the counted nodes.
    counts: Vec<Vec<u32>>,
    /// Per feasible node: ignored (lacks a key of a user-given constraint).
    ignored: Vec<bool>,
    stamp: u32,
}

/// The pod's node selector or required affinity must hold on a node for its replicas to be
/// counted (upstream's default `nodeAffinityPolicy: Honor`).
fn honors_affinity(s: &PodScratch) -> bool {
    s.selector.0 < s.selector.1 || !s.required.is_empty()
}

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], norm: &mut [i64], memos: &mut Memos) -> KCol {
    let sp = c.spread;
    let f = c.pod.function;
    let x = &mut memos.spread;
    x.soft.clear();
    x.soft.extend(
        sp.constraints(f)
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.hard)
            .map(|(i, &c)| (i, c)),
    );
    if x.soft.is_empty() {
        // Upstream's PreScore skips the plugin: it adds nothing.
        return KCol::Const(0, 0);
    }
    let fs = sp.function(f);
    let user = fs.is_some_and(|fs| fs.user_given);
    let total = fs.map_or(0, |fs| fs.total);
    let everywhere = x.soft.iter().all(|(_, c)| sp.topologies[c.topo].everywhere);
    if total == 0 && everywhere {
        // No replica anywhere and every node carries every key: all nodes score alike.
        let s: f64 = x.soft.iter().map(|(_, c)| (c.max_skew - 1) as f64).sum();
        return KCol::Const(s.round() as i64, MAX_SCORE);
    }
    let topo = &sp.topologies;
    let has_all = |n: usize| x.soft.iter().all(|(_, c)| topo[c.topo].has_key[n]);
    // Nodes lacking a key of a user-given constraint are ignored (score 0), as upstream.
    x.ignored.clear();
    x.ignored
        .extend(feas.iter().map(|&n| user && !has_all(n as usize)));
    let kept = x.ignored.iter().filter(|&&i| !i).count();
    // Domain sizes among the kept feasible nodes, and the weights.
    x.stamp = x.stamp.wrapping_add(1);
    if x.stamp == 0 {
        x.seen.iter_mut().for_each(|s| s.fill(0));
        x.stamp = 1;
    }
    let nsoft = x.soft.len();
    x.seen.resize(nsoft.max(x.seen.len()), Vec::new());
    x.counts.resize(nsoft.max(x.counts.len()), Vec::new());
    x.weights.clear();
    for (ci, (_, c)) in x.soft.iter().enumerate() {
        let t = &topo[c.topo];
        let size = if t.per_node {
            kept
        } else {
            let seen = &mut x.seen[ci];
            if seen.len() < t.domains {
                seen.resize(t.domains, 0);
            }
            let mut size = 0;
            for (&n, &ig) in feas.iter().zip(&x.ignored) {
                let d = &mut seen[t.domain[n as usize] as usize];
                if !ig && *d != x.stamp {
                    *d = x.stamp;
                    size += 1;
                }
            }
            size
        };
        x.weights.push(((size + 2) as f64).ln());
    }
    // Replicas per domain: the incremental counts when every node counts, else a pass over the
    // nodes holding replicas.
    let honor = honors_affinity(c.scratch);
    // (With user-given constraints, nodes lacking a key must be left out: only if there are none.)
    let fast = !honor && (!user || everywhere);
    for (ci, &(fi, con)) in x.soft.iter().enumerate() {
        let t = &topo[con.topo];
        if t.per_node {
            continue;
        }
        let counts = &mut x.counts[ci];
        counts.clear();
        match fs {
            Some(fs) if fast => counts.extend_from_slice(&fs.domain_pods[fi]),
            Some(fs) => {
                counts.resize(t.domains, 0);
                for (&node, &cnt) in &fs.placed {
                    let n = node as usize;
                    let counted = (!honor || c.scratch.affinity_filter(c.facts, n))
                        && (!user || x.soft.iter().all(|(_, c)| topo[c.topo].has_key[n]));
                    if counted {
                        counts[t.domain[n] as usize] += cnt;
                    }
                }
            }
            None => counts.resize(t.domains, 0),
        }
    }
    let raw = &mut raw[..feas.len()];
    for ((r, &n), &ig) in raw.iter_mut().zip(feas).zip(&x.ignored) {
        if ig {
            *r = 0;
            continue;
        }
        let n = n as usize;
        let mut s = 0.0f64;
        for (ci, (_, con)) in x.soft.iter().enumerate() {
            let t = &topo[con.topo];
            if !t.has_key[n] {
                continue;
            }
            let cnt = if t.per_node {
                sp.on_node(f, n as u32)
            } else {
                x.counts[ci][t.domain[n] as usize]
            };
            s += cnt as f64 * x.weights[ci] + (con.max_skew - 1) as f64;
        }
        *r = s.round() as i64;
    }
    normalize_spread(raw, &x.ignored, norm);
    KCol::Filled
}

/// Upstream's normalisation: over the nodes not ignored, `100 × (max + min − s) div max` (all
/// 100 when `max` is 0); ignored nodes score 0.
fn normalize_spread(raw: &[i64], ignored: &[bool], out: &mut [i64]) {
    let (mut min, mut max) = (i64::MAX, 0i64);
    for (&r, &ig) in raw.iter().zip(ignored) {
        if !ig {
            min = min.min(r);
            max = max.max(r);
        }
    }
    for ((o, &r), &ig) in out.iter_mut().zip(raw).zip(ignored) {
        *o = if ig {
            0
        } else if max == 0 {
            MAX_SCORE
        } else {
            div_floor(MAX_SCORE * (max + min - r), max)
        };
    }
}

/// The filter's view of one decision: per `DoNotSchedule` constraint of the pod, replicas
/// per domain over the eligible nodes and the least loaded eligible domain's count.
#[derive(Clone, Debug, Default)]
pub struct SpreadFilter {
    /// The pod's function.
    function: u32,
    /// Its hard constraints: (constraint, replicas per domain (empty if per node), minimum).
    hard: Vec<(Constraint, Vec<u32>, u32)>,
    stamp: Vec<bool>,
}

impl SpreadFilter {
    /// Prepares the filter for a pod of `function` with compiled `scratch` (upstream's
    /// PreFilter). A node is eligible, its replicas counted and its domain a candidate for the
    /// minimum, if it carries every hard constraint's key and satisfies the pod's node selector
    /// and required affinity. O(nodes) when the pod has hard constraints, else O(1).
    pub fn prepare(&mut self, sp: &SpreadState, function: u32, facts: &NodeFacts, s: &PodScratch) {
        self.function = function;
        self.hard.clear();
        let cons = sp.constraints(function);
        if cons.iter().all(|c| !c.hard) {
            return;
        }
        let topo = &sp.topologies;
        let honor = honors_affinity(s);
        let hard: Vec<Constraint> = cons.iter().copied().filter(|c| c.hard).collect();
        let eligible = |n: usize| {
            hard.iter().all(|c| topo[c.topo].has_key[n]) && (!honor || s.affinity_filter(facts, n))
        };
        let fs = sp.function(function);
        for c in &hard {
            let t = &topo[c.topo];
            let placed = fs.map(|fs| &fs.placed);
            let min = if t.per_node {
                // Domains are the eligible nodes; the minimum is 0 unless each holds a replica.
                let nodes = (0..facts.n).filter(|&n| eligible(n)).count();
                let held: Vec<u32> = placed
                    .into_iter()
                    .flatten()
                    .filter(|(&n, _)| eligible(n as usize))
                    .map(|(_, &k)| k)
                    .collect();
                if held.len() < nodes {
                    0
                } else {
                    // No eligible node: upstream's minimum stays at its initial maximum.
                    held.into_iter().min().unwrap_or(u32::MAX)
                }
            } else {
                0
            };
            let mut counts = Vec::new();
            let mut min = min;
            if !t.per_node {
                counts.resize(t.domains, 0u32);
                self.stamp.clear();
                self.stamp.resize(t.domains, false);
                for n in 0..facts.n {
                    if eligible(n) {
                        self.stamp[t.domain[n] as usize] = true;
                    }
                }
                for (&n, &k) in placed.into_iter().flatten() {
                    if eligible(n as usize) {
                        counts[t.domain[n as usize] as usize] += k;
                    }
                }
                min = counts
                    .iter()
                    .zip(&self.stamp)
                    .filter(|(_, &present)| present)
                    .map(|(&k, _)| k)
                    .min()
                    // No eligible domain: upstream's minimum stays at its initial maximum.
                    .unwrap_or(u32::MAX);
            }
            self.hard.push((*c, counts, min));
        }
    }

    /// The pod has `DoNotSchedule` constraints.
    pub fn active(&self) -> bool {
        !self.hard.is_empty()
    }

    /// Node `n` passes every hard constraint.
    #[inline]
    pub fn pass(&self, sp: &SpreadState, n: usize) -> bool {
        self.hard.iter().all(|(c, counts, min)| {
            let t = &sp.topologies[c.topo];
            if !t.has_key[n] {
                return false;
            }
            let here = if t.per_node {
                sp.on_node(self.function, n as u32)
            } else {
                counts[t.domain[n] as usize]
            };
            here as i64 + 1 - *min as i64 <= c.max_skew
        })
    }
}

fn eval(c: &PredCtx, _: &PredArgs, a: Span, codes: &mut [u8], code: u8) {
    if let Some((sp, filter)) = c.spread {
        if filter.active() {
            mark(codes, a, code, |n| filter.pass(sp, n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_gives_the_least_loaded_node_100_and_ignored_nodes_0() {
        let mut out = [0; 4];
        normalize_spread(&[6, 8, 7, 0], &[false, false, false, true], &mut out);
        // max 8, min 6: 100 × (14 − s) div 8.
        assert_eq!(out, [100, 75, 87, 0]);
        normalize_spread(&[0, 0, 0, 0], &[false; 4], &mut out);
        assert_eq!(out, [100; 4]);
    }
}
