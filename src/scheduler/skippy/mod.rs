//! The `skippy` profile: skippy-core's scheduler as used by faas-sim, decision for decision
//! (`docs/schedulers.md`, `skippy`).
//!
//! One decision: compute `k` ([`nodes_to_find`]), walk the nodes from the rotation index
//! evaluating the predicates until `k` feasible nodes are found, map and reduce every priority
//! over the feasible list into score columns (through a priority's fused kernel where it has
//! one), sum the weighted columns, and take the first maximum in visit order. The image view is
//! updated in [`Scheduler::on_placed`].
//!
//! Stock lists take a compiled fast path that makes the same decisions in two passes over the
//! nodes ([`fused_scan`]).

mod data;
mod fit_memo;
pub mod fused_scan;
#[cfg(test)]
mod fused_tests;
pub mod presets;
mod scan_kernel;
#[cfg(test)]
mod tests;
mod totals_memo;

use super::arch_table::ArchTable;
use super::explain::{first_max, top_indices};
use super::extension::{fill_type_tables, Characterisation, RequirementColumns};
use super::facts::NodeFacts;
use super::image_view::ImageView;
use super::plugins::predicates::{PredCtx, PredList};
use super::plugins::priorities::{
    reduce_accumulate, trunc, Col, FusedScratch, MapCtx, PriorityDef,
};
use super::plugins::Needs;
use super::podinfo::PodCache;
use super::state::NodeState;
use super::walk::Walk;
use super::{Decision, Pod, SchedContext, Scheduler, ScoreEntry};
use crate::cluster::{Cluster, NodeId};
use crate::config::{ExecutionTimeEstimate, Scenario, SchedulerConfig};
use crate::engine::{stream_rng, SimRng};
use data::DataColumns;
use fused_scan::FusedScan;
pub use presets::nodes_to_find;

const MEBI: i64 = 1 << 20;

/// The skippy scheduler with its persistent state (rotation index, image view).
pub struct Skippy {
    facts: NodeFacts,
    preds: PredList,
    prios: Vec<(f64, &'static PriorityDef)>,
    percentage: f64,
    start: usize,
    view: ImageView,
    state: NodeState,
    chars: Characterisation,
    needs: Needs,
    sample: bool,
    rng: SimRng,
    n_archs: usize,
    /// Per (image, arch): a variant exists (`ImageArchAvailable`).
    arch_ok: ArchTable,
    /// LatencyAware size per (image, arch), with skippy's fallback to the first variant.
    lat_size: Vec<f64>,
    /// ImageLocality size per (image, arch), exact or `any` only; −1 without variant.
    il_size: Vec<f64>,
    il_buf: Vec<f64>,
    lat_buf: Vec<f64>,
    fused: FusedScratch,
    data: DataColumns,
    reqs: RequirementColumns,
    pods: PodCache,
    walk: Walk,
    raw: Vec<f64>,
    norm: Vec<f64>,
    cols: Vec<Col>,
    total: Vec<f64>,
    top_k: usize,
    top_idx: Vec<u32>,
    /// The fused fast path, when the lists allow it.
    scan: Option<FusedScan>,
}

impl Skippy {
    /// The skippy scheduler of a scenario (`scheduler.skippy`), bandwidths from the cluster's
    /// link model.
    pub fn from_scenario(sc: &Scenario, cluster: &Cluster, seed: u64) -> Result<Skippy, String> {
        let facts = NodeFacts::build(cluster, &[], &|a, b| cluster.links.skippy_bw(a, b));
        Skippy::new(&sc.scheduler, cluster, facts, seed)
    }

    /// A skippy scheduler over prebuilt node facts.
    pub fn new(
        cfg: &SchedulerConfig,
        cluster: &Cluster,
        facts: NodeFacts,
        seed: u64,
    ) -> Result<Skippy, String> {
        let p = cfg.skippy.percentage_of_nodes_to_score;
        if !p.is_finite() {
            return Err(format!(
                "scheduler.skippy.percentage_of_nodes_to_score: must be finite, got {p}"
            ));
        }
        let preds = PredList::new(presets::predicates(&cfg.skippy)?, &facts);
        let prios = presets::priorities(&cfg.skippy)?;
        let chars = Characterisation::build(&cfg.characterisation, cluster)?;
        let sample = cfg.execution_time_estimate == ExecutionTimeEstimate::Sample;
        let needs = prios
            .iter()
            .fold(preds.needs(), |n, (_, p)| n.union(p.needs(sample)));
        let n = facts.n;
        let n_archs = cluster.archs.len();
        let images = &cluster.images;
        let mut lat_size = Vec::with_capacity(images.len() * n_archs);
        let mut il_size = Vec::with_capacity(images.len() * n_archs);
        for img in 0..images.len() as u32 {
            for arch in 0..n_archs as u32 {
                let exact = images.size_for_arch(img, arch);
                let first = images.variants[img as usize].first().map(|v| v.1);
                lat_size.push(exact.or(first).unwrap_or(0) as f64);
                il_size.push(exact.map_or(-1.0, |s| s as f64));
            }
        }
        lat_size.extend(std::iter::repeat_n(0.0, n_archs));
        il_size.extend(std::iter::repeat_n(-1.0, n_archs));
        let state = NodeState::new(&facts, &chars);
        let np = prios.len();
        let scan = FusedScan::build(&preds.preds, &preds.static_codes, &prios, &facts)
            .filter(|_| cluster.archs.len() <= 32);
        Ok(Skippy {
            view: ImageView::new(n, images.len()),
            state,
            preds,
            prios,
            percentage: p,
            start: 0,
            chars,
            needs,
            sample,
            rng: stream_rng(seed, "sched"),
            n_archs,
            arch_ok: ArchTable::new(cluster),
            lat_size,
            il_size,
            il_buf: vec![0.0; n_archs],
            lat_buf: vec![0.0; facts.lat_classes.len() + 1],
            fused: FusedScratch::new(n, facts.lat_classes.len()),
            data: DataColumns::default(),
            reqs: RequirementColumns::default(),
            pods: PodCache::default(),
            walk: Walk::default(),
            raw: vec![0.0; np * n],
            norm: vec![0.0; np * n],
            cols: vec![Col::Filled; np],
            total: vec![0.0; n],
            top_k: cfg.explain_top_k as usize,
            top_idx: Vec::new(),
            scan,
            facts,
        })
    }

    /// The same scheduler without the fused fast path: every decision takes the generic path
    /// (for the equivalence tests and benchmarks).
    pub fn without_fused_scan(mut self) -> Skippy {
        self.scan = None;
        self
    }

    /// Whether the fused fast path was compiled for this profile (it still falls back to the
    /// generic path per decision: [`fused_scan`]).
    pub fn has_fused_scan(&self) -> bool {
        self.scan.is_some()
    }

    /// The rotation index (skippy's `last_scored_node_index`).
    pub fn start_index(&self) -> usize {
        self.start
    }

    /// Sets the rotation index (tests, warm starts).
    pub fn set_start_index(&mut self, s: usize) {
        self.start = s;
    }

    /// The image view.
    pub fn view(&self) -> &ImageView {
        &self.view
    }

    /// The predicate names, in evaluation order.
    pub fn predicate_names(&self) -> Vec<&'static str> {
        self.preds.names()
    }

    /// The weighted priorities, in order.
    pub fn priorities(&self) -> &[(f64, &'static PriorityDef)] {
        &self.prios
    }
}

/// The `LatencyAwareImageLocality` map value per latency class of a pod whose image has sizes
/// `lat` per architecture: `trunc(size / bandwidth)`, 0 without a route; the last entry (nodes
/// that hold the image) is 0.
fn latency_values(out: &mut [f64], lat: &[f64], facts: &NodeFacts) {
    for (o, &(arch, bw)) in out.iter_mut().zip(&facts.lat_classes) {
        *o = if bw > 0.0 {
            trunc(lat[arch as usize] / bw)
        } else {
            0.0
        };
    }
    *out.last_mut().expect("on-node entry") = 0.0;
}

fn entry(
    prio: &PriorityDef,
    weight: f64,
    col: Col,
    raw: &[f64],
    norm: &[f64],
    i: usize,
) -> ScoreEntry {
    let (r, v) = col.at(raw, norm, i);
    ScoreEntry {
        name: prio.name,
        raw: r,
        normalized: v,
        weight,
        weighted: v * weight,
    }
}

impl Scheduler for Skippy {
    fn profile(&self) -> &'static str {
        "skippy"
    }

    fn filters_with(&self, name: &str) -> bool {
        self.preds.names().contains(&name)
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let Skippy {
            facts,
            preds,
            prios,
            percentage,
            start,
            view,
            state,
            chars,
            needs,
            sample,
            rng,
            n_archs,
            arch_ok,
            lat_size,
            il_size,
            il_buf,
            lat_buf,
            fused,
            data,
            reqs,
            pods,
            walk,
            raw,
            norm,
            cols,
            total,
            top_k,
            top_idx,
            scan,
        } = self;
        let cluster = ctx.cluster;
        let n = facts.n;
        debug_assert_eq!(cluster.nodes.len(), n, "cluster changed since construction");
        let k = nodes_to_find(n, *percentage);
        out.nodes_total = n as u32;
        out.nodes_to_find = k as u32;
        out.start_index = *start as u32;

        let needs = *needs;
        let compiled = pods.compiled(pod, |pod, info, scratch| {
            if needs.capabilities {
                scratch.compile_capabilities(pod, info, facts);
            } else {
                scratch.has_cap = false;
            }
            if needs.type_tables() {
                fill_type_tables(scratch, needs, pod, facts, chars);
            }
        });
        let (info, scratch) = (&compiled.info, &compiled.scratch);
        let na = *n_archs;
        let row = (pod.image as usize).min(view.num_nodes.len());
        if let Some(scan) = scan
            .as_mut()
            .filter(|s| *top_k == 0 && s.applies(info, scratch))
        {
            latency_values(lat_buf, &lat_size[row * na..(row + 1) * na], facts);
            let on = view.column(pod.image);
            let arch = arch_ok.row(pod.image);
            if let Some(next) = scan.decide(pod, &cluster.nodes, on, arch, lat_buf, *start, k, out)
            {
                *start = next;
                if !view.has(pod.image, out.node.expect("chosen")) {
                    out.needed_images.push(pod.image);
                }
            }
            return;
        }
        {
            let pctx = PredCtx {
                facts,
                nodes: &cluster.nodes,
                state,
                pod,
                info,
                scratch,
                chars,
                arch_ok: arch_ok.row(pod.image),
                spread: None,
            };
            walk.run(n, *start, k, preds.preds.len(), |a, codes| {
                preds.eval(&pctx, a, codes)
            });
        }
        for (pred, &count) in preds.preds.iter().zip(&walk.rejections) {
            out.rejections.push((pred.name(), count));
        }
        out.nodes_evaluated = walk.evaluated as u32;
        let feas = walk.feasible();
        let f = feas.len();
        out.feasible = f as u32;
        if f == 0 {
            return;
        }
        *start = (*feas.last().expect("f > 0") as usize + 1) % n;
        out.scored = f as u32;

        // Per-decision tables of the pod's image (an image outside the registry uses the
        // trailing all-zero row).
        latency_values(lat_buf, &lat_size[row * na..(row + 1) * na], facts);
        let factor = view
            .num_nodes
            .get(row)
            .map_or(0.0, |&c| c as f64 / n as f64);
        for (o, &size) in il_buf.iter_mut().zip(&il_size[row * na..(row + 1) * na]) {
            let sum = if size < 0.0 {
                0
            } else {
                (size * factor).trunc() as i64
            };
            let sum = sum.clamp(23 * MEBI, 1000 * MEBI);
            *o = (10 * (sum - 23 * MEBI) / (977 * MEBI)) as f64;
        }
        let (recv_path, send_path) = (info.recv_path.as_deref(), info.send_path.as_deref());
        if let Some(p) = recv_path {
            data.prepare(p, false, cluster, facts);
        }
        if let Some(p) = send_path {
            data.prepare(p, true, cluster, facts);
        }
        let req_col = match info.requirements.as_deref() {
            Some(json) if needs.requirements => Some(reqs.column(json, cluster)),
            _ => None,
        };
        let mctx = MapCtx {
            facts,
            nodes: &cluster.nodes,
            state,
            pod,
            info,
            scratch,
            chars,
            view,
            lat_class_val: lat_buf,
            il_score: il_buf,
            data_recv: recv_path.and_then(|p| data.get(p, false)),
            data_send: send_path.and_then(|p| data.get(p, true)),
            requirements: req_col,
        };

        // Map, reduce and accumulate.
        let total = &mut total[..f];
        total.fill(0.0);
        for (pi, &(w, prio)) in prios.iter().enumerate() {
            let raw_p = &mut raw[pi * n..pi * n + f];
            let norm_p = &mut norm[pi * n..pi * n + f];
            let col = match prio.fused {
                Some(fused_kernel) => fused_kernel(&mctx, fused, feas, raw_p, norm_p, total, w),
                None => {
                    let r = if prio.sampled && *sample {
                        Some(&mut *rng)
                    } else {
                        None
                    };
                    match (prio.map)(&mctx, feas, raw_p, r) {
                        Col::Filled | Col::Identity => {
                            reduce_accumulate(prio.reduce, raw_p, norm_p, total, w)
                        }
                        Col::Const(r, v) => {
                            let add = v * w;
                            if add != 0.0 {
                                for t in total.iter_mut() {
                                    *t += add;
                                }
                            }
                            Col::Const(r, v)
                        }
                    }
                }
            };
            cols[pi] = col;
        }

        // Select: the first maximum in visit order.
        let (best, ties) = first_max(total);
        let chosen = feas[best];
        out.node = Some(chosen);
        out.tie_count = ties;
        out.total_score = total[best];
        for (pi, &(w, prio)) in prios.iter().enumerate() {
            let e = entry(prio, w, cols[pi], &raw[pi * n..], &norm[pi * n..], best);
            out.scores.push(e);
        }
        if !view.has(pod.image, chosen) {
            out.needed_images.push(pod.image);
        }
        if *top_k > 0 {
            top_indices(total, *top_k, top_idx);
            for &i in top_idx.iter() {
                let i = i as usize;
                let c = out.push_candidate(feas[i], total[i]);
                for (pi, &(w, prio)) in prios.iter().enumerate() {
                    c.scores
                        .push(entry(prio, w, cols[pi], &raw[pi * n..], &norm[pi * n..], i));
                }
            }
        }
    }

    fn on_placed(&mut self, pod: &Pod, node: NodeId, _ctx: &SchedContext) {
        self.view.add(pod.image, node);
        let info = self.pods.info(pod);
        self.state.place(pod, info, node, &self.facts, &self.chars);
    }

    fn on_removed(&mut self, pod: &Pod, node: NodeId, _ctx: &SchedContext) {
        let info = self.pods.info(pod);
        self.state.remove(pod, info, node, &self.facts, &self.chars);
    }
}
