//! The `kubernetes` profile: kube-scheduler v1.35's default profile on a 0..100 scale, with
//! upstream node sampling over the zone-interleaved node tree ([`super::node_tree`]) and a seeded
//! random tie-break (`docs/schedulers.md`, `kubernetes`).
//!
//! Filters, in upstream's order: `NodeUnschedulable`, `TaintToleration`, `NodeAffinity`,
//! `NodeResourcesFit`, `PodTopologySpread` (when some deployment has a `DoNotSchedule`
//! constraint), then faasim's `AvoidStorageNodes` (optional), `ImageArchAvailable`,
//! `RegistryReachable` and `scheduler.kubernetes.extra_filters`. Scores: `NodeResourcesFit`,
//! `NodeResourcesBalancedAllocation`, `ImageLocality`, `TaintToleration`, `NodeAffinity`,
//! `PodTopologySpread`, then `scheduler.kubernetes.extra_scores`. The plugins themselves live in
//! [`super::plugins::kubernetes`]; replica positions for spreading in [`super::spread`].

#[cfg(test)]
mod tests;

use super::arch_table::ArchTable;
use super::explain::{first_max, top_indices};
use super::extension::{fill_type_tables, Characterisation, RequirementColumns};
use super::facts::{node_kube_from_scenario, NodeFacts};
use super::image_view::ImageView;
use super::node_tree::visit_order;
use super::plugins::kubernetes::pod_topology_spread::{self, SpreadFilter};
use super::plugins::kubernetes::{
    avoid_storage_nodes, image_arch_available, image_locality, image_locality_score, node_affinity,
    node_resources_balanced_allocation, node_resources_fit, node_unschedulable, taint_toleration,
    KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE,
};
use super::plugins::predicates::{
    registry_reachable, Pred, PredCtx, PredList, Span, EXTENSION_PREDICATES,
};
use super::plugins::priorities::{reduce, Col, MapCtx, PriorityDef, EXTENSION_PRIORITIES};
use super::plugins::{registry, Needs};
use super::podinfo::{CompiledPod, PodCache};
use super::spread::SpreadState;
use super::state::NodeState;
use super::walk::Walk;
use super::walk::CHUNK;
use super::{Decision, Pod, SchedContext, Scheduler, ScoreEntry};
use crate::cluster::{Cluster, NodeId};
use crate::config::{ExecutionTimeEstimate, KubernetesConfig, Scenario, SchedulerConfig};
use crate::engine::{stream_rng, SimRng};
use rand::RngExt;

/// Upstream's number of feasible nodes to find (`docs/schedulers.md`, `kubernetes`,
/// "Sampling").
pub fn nodes_to_find(n: usize, percentage: u32) -> usize {
    if n < 100 || percentage >= 100 {
        return n;
    }
    let mut q = percentage as i64;
    if q <= 0 {
        q = (50 - n as i64 / 125).max(5);
    }
    (n as i64 * q / 100).max(100) as usize
}

/// The kubernetes scheduler with its persistent state (`next_start`, the `sched` stream).
pub struct Kubernetes {
    facts: NodeFacts,
    /// Visit order (position → node id) when nodes span several zones (upstream's node tree).
    order: Option<Vec<u32>>,
    spread: SpreadState,
    spread_filter: SpreadFilter,
    filters: PredList,
    plugins: Vec<(i64, &'static ScoreDef)>,
    extra: Vec<(i64, &'static PriorityDef)>,
    cfg: KubernetesConfig,
    next_start: usize,
    state: NodeState,
    chars: Characterisation,
    needs: Needs,
    sample: bool,
    rng: SimRng,
    n_images: usize,
    arch_ok: ArchTable,
    il_buf: Vec<i64>,
    reqs: RequirementColumns,
    pods: PodCache,
    walk: Walk,
    raw: Vec<i64>,
    norm: Vec<i64>,
    xraw: Vec<f64>,
    xnorm: Vec<f64>,
    xcols: Vec<Col>,
    kcols: Vec<KCol>,
    memos: Memos,
    total: Vec<i64>,
    view: ImageView,
    top_k: usize,
    top_idx: Vec<u32>,
    ties: Vec<u32>,
    /// Test hook: replaces `below(T)` of the tie-break.
    #[cfg(test)]
    pub(crate) forced_tie: Option<u32>,
}

impl Kubernetes {
    /// The kubernetes scheduler of a scenario: node taints, unschedulable flags, extended
    /// resources and pod limits from `topology`, bandwidths from the cluster's link model.
    pub fn from_scenario(
        sc: &Scenario,
        cluster: &Cluster,
        seed: u64,
    ) -> Result<Kubernetes, String> {
        let kube = node_kube_from_scenario(sc, cluster);
        let facts = NodeFacts::build(cluster, &kube, &|a, b| cluster.links.skippy_bw(a, b));
        let spread = SpreadState::from_scenario(sc, &cluster.nodes.labels);
        Kubernetes::with_spread(&sc.scheduler, cluster, facts, spread, seed)
    }

    /// A kubernetes scheduler over prebuilt node facts, every function spread by the system
    /// default constraints.
    pub fn new(
        cfg: &SchedulerConfig,
        cluster: &Cluster,
        facts: NodeFacts,
        seed: u64,
    ) -> Result<Kubernetes, String> {
        let spread = SpreadState::new(&cluster.nodes.labels, []);
        Kubernetes::with_spread(cfg, cluster, facts, spread, seed)
    }

    /// A kubernetes scheduler over prebuilt node facts and spread constraints.
    pub fn with_spread(
        cfg: &SchedulerConfig,
        cluster: &Cluster,
        facts: NodeFacts,
        spread: SpreadState,
        seed: u64,
    ) -> Result<Kubernetes, String> {
        let k = &cfg.kubernetes;
        // Upstream's filter order: a node failing several filters is charged to the first.
        let mut filters = vec![
            Pred::new(&node_unschedulable::FILTER),
            Pred::new(&taint_toleration::FILTER),
            Pred::new(&node_affinity::FILTER),
            Pred::new(&node_resources_fit::FILTER),
        ];
        let any_hard = spread
            .functions
            .iter()
            .any(|f| f.constraints.iter().any(|c| c.hard));
        if any_hard {
            filters.push(Pred::new(&pod_topology_spread::FILTER));
        }
        if k.avoid_storage_nodes {
            filters.push(Pred::new(&avoid_storage_nodes::FILTER));
        }
        filters.push(Pred::new(&image_arch_available::FILTER));
        filters.push(Pred::new(&registry_reachable::PREDICATE));
        for (i, spec) in k.extra_filters.iter().enumerate() {
            filters.push(Pred::from_spec(
                spec,
                &format!("scheduler.kubernetes.extra_filters[{i}]"),
                EXTENSION_PREDICATES,
            )?);
        }
        let rw = &k.resource_weights;
        if rw.cpu < 0 || rw.memory < 0 || rw.cpu + rw.memory == 0 {
            return Err(format!(
                "scheduler.kubernetes.resource_weights: must be >= 0 with a positive sum, got cpu = {}, memory = {}",
                rw.cpu, rw.memory
            ));
        }
        let w = &k.weights;
        let plugins: Vec<(i64, &'static ScoreDef)> = [
            (w.node_resources_fit, &node_resources_fit::SCORE),
            (
                w.balanced_allocation,
                &node_resources_balanced_allocation::SCORE,
            ),
            (w.image_locality, &image_locality::SCORE),
            (w.taint_toleration, &taint_toleration::SCORE),
            (w.node_affinity, &node_affinity::SCORE),
            (w.pod_topology_spread, &pod_topology_spread::SCORE),
        ]
        .into_iter()
        .filter(|(w, _)| *w != 0)
        .collect();
        let mut extra = Vec::new();
        for (i, (w, name)) in k.extra_scores.iter().enumerate() {
            let p = registry::priority(name)
                .filter(|p| p.scope.in_kubernetes_extra())
                .ok_or_else(|| {
                    format!(
                        "scheduler.kubernetes.extra_scores[{i}]: unknown priority `{name}` (valid: {})",
                        EXTENSION_PRIORITIES.join(", ")
                    )
                })?;
            extra.push((*w, p));
        }
        let chars = Characterisation::build(&cfg.characterisation, cluster)?;
        let sample = cfg.execution_time_estimate == ExecutionTimeEstimate::Sample;
        let filters = PredList::new(filters, &facts);
        let needs = extra
            .iter()
            .fold(filters.needs(), |n, (_, p)| n.union(p.needs(sample)));
        let n = facts.n;
        let n_archs = cluster.archs.len();
        let n_images = cluster.images.len();
        let arch_ok = ArchTable::new(cluster);
        let state = NodeState::new(&facts, &chars);
        let (np, nx) = (plugins.len(), extra.len());
        Ok(Kubernetes {
            order: visit_order(&cluster.nodes.labels),
            spread,
            spread_filter: SpreadFilter::default(),
            filters,
            plugins,
            extra,
            cfg: k.clone(),
            next_start: 0,
            state,
            chars,
            needs,
            sample,
            rng: stream_rng(seed, "sched"),
            n_images,
            arch_ok,
            il_buf: vec![0; n_archs],
            reqs: RequirementColumns::default(),
            pods: PodCache::default(),
            walk: Walk::default(),
            raw: vec![0; np * n],
            norm: vec![0; np * n],
            xraw: vec![0.0; nx * n],
            xnorm: vec![0.0; nx * n],
            xcols: vec![Col::Filled; nx],
            kcols: vec![KCol::Filled; np],
            memos: Memos::default(),
            total: vec![0; n],
            view: ImageView::default(),
            top_k: cfg.explain_top_k as usize,
            top_idx: Vec::new(),
            ties: Vec::new(),
            #[cfg(test)]
            forced_tie: None,
            facts,
        })
    }

    /// Per node (by id), the first filter that rejects `pod`, or `None` if the node is
    /// feasible: what a decision would record, for every node rather than the sampled ones.
    /// Explains a rejection; the scheduler's state is unchanged.
    pub fn first_failures(&mut self, pod: &Pod, ctx: &SchedContext) -> Vec<Option<&'static str>> {
        let (facts, chars, needs) = (&self.facts, &self.chars, self.needs);
        let compiled = compile(&mut self.pods, pod, facts, chars, needs);
        self.spread_filter
            .prepare(&self.spread, pod.function, facts, &compiled.scratch);
        let pctx = PredCtx {
            facts,
            nodes: &ctx.cluster.nodes,
            state: &self.state,
            pod,
            info: &compiled.info,
            scratch: &compiled.scratch,
            chars,
            arch_ok: self.arch_ok.row(pod.image),
            spread: Some((&self.spread, &self.spread_filter)),
        };
        let mut codes = vec![0u8; facts.n];
        for (i, chunk) in codes.chunks_mut(CHUNK).enumerate() {
            self.filters.eval(&pctx, Span::Range(i * CHUNK), chunk);
        }
        codes
            .iter()
            .map(|&c| (c > 0).then(|| self.filters.preds[c as usize - 1].name()))
            .collect()
    }

    /// Upstream `nextStartNodeIndex`.
    pub fn next_start(&self) -> usize {
        self.next_start
    }

    /// The filter names, in evaluation order.
    pub fn filter_names(&self) -> Vec<&'static str> {
        self.filters.names()
    }

    fn below(&mut self, t: u32) -> u32 {
        #[cfg(test)]
        if let Some(j) = self.forced_tie {
            return j;
        }
        self.rng.random_range(0..t)
    }
}

/// What the filters and scores read about `pod`, compiled once per template.
fn compile<'p>(
    pods: &'p mut PodCache,
    pod: &Pod,
    facts: &NodeFacts,
    chars: &Characterisation,
    needs: Needs,
) -> &'p CompiledPod {
    pods.compiled(pod, |pod, _, scratch| {
        scratch.compile_affinity(pod, facts);
        scratch.compile_unschedulable(pod);
        if facts.taints.is_empty() {
            scratch.has_untolerated = false;
            scratch.untolerated.clear();
        } else {
            scratch.compile_tolerations(pod, facts);
        }
        scratch.compile_extended(pod, facts);
        scratch.has_cap = false;
        if needs.type_tables() {
            fill_type_tables(scratch, needs, pod, facts, chars);
        }
    })
}

struct Cols<'a> {
    plugins: &'a [(i64, &'static ScoreDef)],
    kcols: &'a [KCol],
    extra: &'a [(i64, &'static PriorityDef)],
    raw: &'a [i64],
    norm: &'a [i64],
    xraw: &'a [f64],
    xnorm: &'a [f64],
    xcols: &'a [Col],
    n: usize,
}

impl Cols<'_> {
    fn entries(&self, i: usize, dst: &mut Vec<ScoreEntry>) {
        let n = self.n;
        for (pi, &(w, p)) in self.plugins.iter().enumerate() {
            let (r, v) = self.kcols[pi].at(&self.raw[pi * n..], &self.norm[pi * n..], i);
            dst.push(ScoreEntry {
                name: p.name,
                raw: r as f64,
                normalized: v as f64,
                weight: w as f64,
                weighted: (v * w) as f64,
            });
        }
        for (xi, &(w, p)) in self.extra.iter().enumerate() {
            let (r, v) = self.xcols[xi].at(&self.xraw[xi * n..], &self.xnorm[xi * n..], i);
            dst.push(ScoreEntry {
                name: p.name,
                raw: r,
                normalized: v,
                weight: w as f64,
                weighted: (v as i64 * w) as f64,
            });
        }
    }
}

impl Scheduler for Kubernetes {
    fn profile(&self) -> &'static str {
        "kubernetes"
    }

    fn filters_with(&self, name: &str) -> bool {
        self.filters.names().contains(&name)
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let cluster = ctx.cluster;
        let n = self.facts.n;
        debug_assert_eq!(cluster.nodes.len(), n, "cluster changed since construction");
        let k = nodes_to_find(n, self.cfg.percentage_of_nodes_to_score);
        out.nodes_total = n as u32;
        out.nodes_to_find = k as u32;
        out.start_index = self.next_start as u32;

        let (facts, chars, needs) = (&self.facts, &self.chars, self.needs);
        let compiled = compile(&mut self.pods, pod, facts, chars, needs);
        let (info, scratch) = (&compiled.info, &compiled.scratch);
        let row = (pod.image as usize).min(self.n_images);
        self.spread_filter
            .prepare(&self.spread, pod.function, facts, scratch);
        {
            let pctx = PredCtx {
                facts,
                nodes: &cluster.nodes,
                state: &self.state,
                pod,
                info,
                scratch,
                chars,
                arch_ok: self.arch_ok.row(pod.image),
                spread: Some((&self.spread, &self.spread_filter)),
            };
            let filters = &self.filters;
            self.walk.run(
                n,
                self.order.as_deref(),
                self.next_start,
                k,
                filters.preds.len(),
                |a, codes| filters.eval(&pctx, a, codes),
            );
        }
        for (pred, &count) in self.filters.preds.iter().zip(&self.walk.rejections) {
            out.rejections.push((pred.name(), count));
        }
        let processed = self.walk.evaluated;
        out.nodes_evaluated = processed as u32;
        if n > 0 {
            self.next_start = (self.next_start + processed) % n;
        }
        let f = self.walk.feasible().len();
        out.feasible = f as u32;
        if f == 0 {
            return;
        }
        if f == 1 {
            let node = self.walk.feasible()[0];
            out.node = Some(node);
            out.tie_count = 1;
            if !ctx.cache.has(node, pod.image) {
                out.needed_images.push(pod.image);
            }
            return;
        }
        out.scored = f as u32;

        // Per-arch ImageLocality score of the pod's image.
        let img = pod.image;
        let holders = if row < self.n_images {
            ctx.cache.holders(img)
        } else {
            0
        };
        for (arch, o) in self.il_buf.iter_mut().enumerate() {
            let size = if row < self.n_images {
                cluster.images.size_for_arch(img, arch as u32)
            } else {
                None
            };
            *o = image_locality_score(size, holders, n);
        }
        let req_col = match info.requirements.as_deref() {
            Some(json) if needs.requirements => Some(self.reqs.column(json, cluster)),
            _ => None,
        };
        let feas = self.walk.feasible();
        let total = &mut self.total[..f];
        total.fill(0);
        let sctx = ScoreCtx {
            facts,
            nodes: &cluster.nodes,
            state: &self.state,
            pod,
            scratch,
            cache: ctx.cache,
            strategy: self.cfg.scoring_strategy,
            resource_weights: (
                self.cfg.resource_weights.cpu,
                self.cfg.resource_weights.memory,
            ),
            il_score: &self.il_buf,
            n_images: self.n_images,
            spread: &self.spread,
        };
        // Scores common to every node shift all totals alike: they are added once, at the end.
        let mut offset = 0i64;
        for (pi, &(w, plugin)) in self.plugins.iter().enumerate() {
            let raw = &mut self.raw[pi * n..pi * n + f];
            let norm = &mut self.norm[pi * n..pi * n + f];
            let col = (plugin.score)(&sctx, feas, raw, norm, &mut self.memos);
            self.kcols[pi] = col;
            let scores: &[i64] = match col {
                KCol::Const(_, v) => {
                    offset += w * v;
                    continue;
                }
                KCol::Same => raw,
                KCol::Filled => norm,
            };
            for (t, &v) in total.iter_mut().zip(scores) {
                *t += w * v;
            }
        }
        if !self.extra.is_empty() {
            let mctx = MapCtx {
                facts,
                nodes: &cluster.nodes,
                state: &self.state,
                pod,
                info,
                scratch,
                chars,
                view: &self.view,
                lat_class_val: &[],
                il_score: &[],
                data_recv: None,
                data_send: None,
                requirements: req_col,
            };
            for (xi, &(w, prio)) in self.extra.iter().enumerate() {
                let raw = &mut self.xraw[xi * n..xi * n + f];
                let norm = &mut self.xnorm[xi * n..xi * n + f];
                let r = if prio.sampled && self.sample {
                    Some(&mut self.rng)
                } else {
                    None
                };
                let col = (prio.map)(&mctx, feas, raw, r);
                self.xcols[xi] = col;
                match col {
                    Col::Filled => {
                        reduce(prio.reduce, raw, norm, MAX_SCORE as f64);
                        for (t, &v) in total.iter_mut().zip(norm.iter()) {
                            *t += w * v as i64;
                        }
                    }
                    Col::Const(_, v) => offset += w * v as i64,
                    Col::Identity => unreachable!("maps return Filled or Const"),
                }
            }
        }

        // Select: uniform among the maxima, drawn only when there is a tie.
        let (first, t) = first_max(total);
        let best = if t == 1 {
            first
        } else {
            let max = total[first];
            self.ties.clear();
            self.ties.extend(
                total
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v == max)
                    .map(|(i, _)| i as u32),
            );
            let j = self.below(t);
            self.ties[j as usize] as usize
        };
        let total = &self.total[..f];
        let feas = self.walk.feasible();
        let node = feas[best];
        out.node = Some(node);
        out.tie_count = t;
        out.total_score = (total[best] + offset) as f64;
        let cols = Cols {
            plugins: &self.plugins,
            kcols: &self.kcols,
            extra: &self.extra,
            raw: &self.raw,
            norm: &self.norm,
            xraw: &self.xraw,
            xnorm: &self.xnorm,
            xcols: &self.xcols,
            n,
        };
        cols.entries(best, &mut out.scores);
        if !ctx.cache.has(node, pod.image) {
            out.needed_images.push(pod.image);
        }
        if self.top_k > 0 {
            top_indices(total, self.top_k, &mut self.top_idx);
            for &i in &self.top_idx {
                let c = out.push_candidate(feas[i as usize], (total[i as usize] + offset) as f64);
                cols.entries(i as usize, &mut c.scores);
            }
        }
    }

    fn on_placed(&mut self, pod: &Pod, node: NodeId, _ctx: &SchedContext) {
        let info = self.pods.info(pod);
        self.state.place(pod, info, node, &self.facts, &self.chars);
        self.spread.record(pod.function, node, 1);
    }

    fn on_removed(&mut self, pod: &Pod, node: NodeId, _ctx: &SchedContext) {
        let info = self.pods.info(pod);
        self.state.remove(pod, info, node, &self.facts, &self.chars);
        self.spread.record(pod.function, node, -1);
    }
}
