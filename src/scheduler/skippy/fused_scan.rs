//! The skippy profile's fused scan: a compiled fast path for stock predicate and priority lists
//! that makes the same decision as the generic path (`docs/schedulers.md`, "Performance").
//!
//! The generic path evaluates each predicate into a column of codes, then maps and reduces each
//! priority into its own `f64` column over the feasible list. This path instead makes one pass
//! per chunk of nodes ([`super::scan_kernel`]) that evaluates the predicates, reads
//! `PodFitsResources` and `BalancedResource` from a per-node memo byte ([`super::fit_memo`])
//! and packs the node's latency class, edge bit and balanced value
//! into a 16-bit key, and notes which latency classes occur among the feasible nodes. After the
//! walk, the latency minimum and maximum (hence every class's reduced value) are known, so the
//! total of each possible key is computed once, with the generic path's operations in its order;
//! a second pass looks each feasible node's key up and takes the first maximum.
//!
//! [`FusedScan::build`] compiles the path when
//! - the predicates are `PodFitsResources`, optionally `ImageArchAvailable`, and any number of
//!   static predicates (precomputed per node, such as `CheckNodeLabelPresence` and
//!   `RegistryReachable`), in any order;
//! - every priority is `BalancedResource`, `LatencyAwareImageLocality`, `LocalityType`,
//!   `DataLocality` or `Capability`, with any finite weights (the stock lists of the `default`,
//!   `raith21_skippy` presets, or a custom list of these);
//! - the cluster has at most 32 architectures and at most 2,047 latency classes, and
//!   `LocalityType` takes only the values 0 and 10;
//!
//! and [`FusedScan::applies`] uses it for a decision unless the pod reads or writes stored data
//! while `DataLocality` is listed, carries capability labels while `Capability` is listed, or
//! `scheduler.explain_top_k` asks for candidates. Everything else takes the generic path.

use super::fit_memo::{fill_unknown, FitMemo};
use super::scan_kernel::{
    eval_chunk, exact_codes, node_word, ChunkCols, PodTerms, BALANCED_MASK, CLASS_SHIFT, EDGE_BIT,
    MAX_CLASS,
};
use super::totals_memo::TotalsMemo;
use crate::cluster::{NodeId, NodeTable};
use crate::scheduler::explain::first_max;
use crate::scheduler::facts::NodeFacts;
use crate::scheduler::plugins::kubernetes::image_arch_available;
use crate::scheduler::plugins::predicates::{pod_fits_resources, Pred};
use crate::scheduler::plugins::priorities::{
    balanced_resource, capability, data_locality, latency_aware_image_locality, locality_type,
    trunc, PriorityDef,
};
use crate::scheduler::podinfo::{PodInfo, PodScratch};
use crate::scheduler::walk::{cut_after_feasible, CHUNK};
use crate::scheduler::{Decision, Pod, ScoreEntry};

/// How one listed priority contributes to a node's total.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Term {
    /// `BalancedResource`: the key's balanced value.
    Balanced,
    /// `LatencyAwareImageLocality`: the reduced value of the key's class.
    Latency,
    /// `LocalityType`: 10 on edge nodes.
    Locality,
    /// `DataLocality` or `Capability` for a pod without data paths or capability labels: the
    /// constant 0, which the generic path does not add either.
    Zero,
}

/// The key's `LocalityType` value.
#[inline]
fn edge_value(key: u16) -> f64 {
    if key & EDGE_BIT != 0 {
        10.0
    } else {
        0.0
    }
}

/// The columns of one chunk.
fn chunk_cols<'a>(words: &'a [u32], on: &'a [u8], fit: &'a [u8]) -> ChunkCols<'a> {
    ChunkCols { words, on, fit }
}

/// The position of the first entry of `x` equal to `max` (its maximum) and how many are.
fn first_of(x: &[u8], max: u8) -> (usize, u32) {
    // Whole blocks are tested without branches until the block holding the first maximum.
    const BLOCK: usize = 64;
    let mut first = 0;
    for (bi, block) in x.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |hit, &v| hit | (v == max)) {
            let j = block
                .iter()
                .position(|&v| v == max)
                .expect("block holds it");
            first = bi * BLOCK + j;
            break;
        }
    }
    let ties = x[first..].iter().map(|&v| u32::from(v == max)).sum();
    (first, ties)
}

/// The compiled fast path and its buffers (reused across decisions).
#[derive(Clone, Debug)]
pub struct FusedScan {
    /// Per node: [`node_word`].
    words: Vec<u32>,
    /// The priorities, in list order.
    prios: Vec<(f64, &'static PriorityDef, Term)>,
    pred_names: Vec<&'static str>,
    fit_code: u8,
    arch_code: Option<u8>,
    /// The class of nodes holding the image (after the cluster's latency classes).
    on_class: usize,
    reads_data: bool,
    reads_capabilities: bool,
    memo: FitMemo,
    /// The inputs `reduced`, `totals` and `small_totals` were last computed from.
    memo_totals: TotalsMemo,
    codes: Vec<u8>,
    keys: Vec<u16>,
    /// Node ids of the feasible nodes of compacted chunks (by feasible index).
    pos: Vec<u32>,
    /// Per walked chunk: its first feasible index and, for a chunk whose nodes were all
    /// feasible (ids not written to `pos`), its first node id.
    runs: Vec<(u32, Option<u32>)>,
    rejections: Vec<u32>,
    present: Vec<usize>,
    seen: Vec<bool>,
    reduced: Vec<f64>,
    totals: Vec<f64>,
    small_totals: Box<[u8; 1 << 16]>,
    scores: Vec<f64>,
    small_scores: Vec<u8>,
}

impl FusedScan {
    /// The fast path for `preds` (with their precomputed static codes) and `prios` over the nodes
    /// of `facts`, or `None` when the lists or the cluster are outside what it supports.
    pub fn build(
        preds: &[Pred],
        static_codes: &[u8],
        prios: &[(f64, &'static PriorityDef)],
        facts: &NodeFacts,
    ) -> Option<FusedScan> {
        let code = |name: &str| {
            preds
                .iter()
                .position(|p| p.name() == name)
                .map(|i| i as u8 + 1)
        };
        let fit_code = code(pod_fits_resources::PREDICATE.name)?;
        let arch_code = code(image_arch_available::FILTER.name);
        let supported = |p: &Pred| {
            p.def.is_static()
                || p.name() == pod_fits_resources::PREDICATE.name
                || p.name() == image_arch_available::FILTER.name
        };
        if !preds.iter().all(supported) {
            return None;
        }
        let mut terms = Vec::with_capacity(prios.len());
        for &(w, p) in prios {
            let term = match p.name {
                n if n == balanced_resource::PRIORITY.name => Term::Balanced,
                n if n == latency_aware_image_locality::PRIORITY.name => Term::Latency,
                n if n == locality_type::PRIORITY.name => Term::Locality,
                n if n == data_locality::PRIORITY.name || n == capability::PRIORITY.name => {
                    Term::Zero
                }
                _ => return None,
            };
            terms.push((w, p, term));
        }
        let on_class = facts.lat_classes.len();
        let edges_ok = facts.edge10.iter().all(|&e| e == 0.0 || e == 10.0);
        if facts.n_archs > 32 || on_class > MAX_CLASS || !edges_ok {
            return None;
        }
        let words = (0..facts.n)
            .map(|n| {
                let edge = if facts.edge10[n] != 0.0 { EDGE_BIT } else { 0 };
                let key = (facts.lat_class[n] as u16) << CLASS_SHIFT | edge;
                node_word(static_codes[n], facts.arch[n] as u8, key)
            })
            .collect();
        let has = |p: &PriorityDef| prios.iter().any(|(_, q)| q.name == p.name);
        Some(FusedScan {
            words,
            reads_data: has(&data_locality::PRIORITY),
            reads_capabilities: has(&capability::PRIORITY),
            prios: terms,
            pred_names: preds.iter().map(Pred::name).collect(),
            fit_code,
            arch_code,
            on_class,
            memo: FitMemo::default(),
            memo_totals: TotalsMemo::default(),
            codes: vec![0; CHUNK],
            keys: Vec::new(),
            pos: Vec::new(),
            runs: Vec::new(),
            rejections: Vec::new(),
            present: Vec::new(),
            seen: vec![false; on_class + 1],
            reduced: vec![0.0; on_class + 1],
            totals: vec![0.0; (on_class + 1) << CLASS_SHIFT],
            small_totals: vec![0; 1 << 16].try_into().expect("65,536 entries"),
            scores: Vec::new(),
            small_scores: Vec::new(),
        })
    }

    /// Whether the fast path decides for this pod: `DataLocality` and `Capability` must be the
    /// constant 0 (no data paths, no capability labels), as the path does not compute them.
    pub fn applies(&self, info: &PodInfo, scratch: &PodScratch) -> bool {
        let data = info.recv_path.is_some() || info.send_path.is_some();
        let varies = (self.reads_data && data) || (self.reads_capabilities && scratch.has_cap);
        !varies
    }

    /// One decision: walks `n` nodes cyclically from `start` until `k` feasible ones are found,
    /// fills `out` as the generic path does (except `needed_images`), and returns the new
    /// rotation index when a node was chosen. `on` is the image view's column of the pod's
    /// image, `arch_ok` its row of the architecture table, and `lat_values` the
    /// `LatencyAwareImageLocality` map value per latency class (the last entry, 0, for nodes
    /// holding the image).
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &mut self,
        pod: &Pod,
        nodes: &NodeTable,
        on: &[u8],
        arch_ok: &[bool],
        lat_values: &[f64],
        start: usize,
        k: usize,
        out: &mut Decision,
    ) -> Option<usize> {
        let n = nodes.len();
        let len = self.walk(pod, nodes, on, arch_ok, start, k, out);
        if len == 0 {
            return None;
        }
        let next = (self.node_of(len - 1) as usize + 1) % n;
        out.scored = len as u32;

        // The latency reduce over the classes present, as `locality_reduce`.
        let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
        for &c in &self.present {
            let x = lat_values[c];
            mn = if x < mn { x } else { mn };
            mx = if x > mx { x } else { mx };
        }
        let latency_filled = mx != 0.0;

        // The reduced value of each present class and the total of every key of a present
        // class, accumulated like the generic path. They depend on nothing but the classes
        // present and their map values, so a decision with the same ones as the last
        // computation reuses the tables ([`TotalsMemo`]).
        let small = match self.memo_totals.lookup(&self.present, lat_values) {
            Some(small) => small,
            None => {
                let small = self.compute_totals(lat_values, mn, mx, latency_filled);
                self.memo_totals.remember(&self.present, lat_values, small);
                small
            }
        };

        // Select: the first maximum in visit order. When every total is a small integer, the
        // byte scores order and tie exactly like the totals.
        let keys = &self.keys[..len];
        let (best, ties) = if small {
            self.small_scores.resize(len, 0);
            let scores = &mut self.small_scores[..len];
            // A table over every 16-bit key: the lookup needs no bounds check.
            let table: &[u8; 1 << 16] = &self.small_totals;
            for (s, &key) in scores.iter_mut().zip(keys) {
                *s = table[key as usize];
            }
            // A separate pass: a running maximum in the lookup loop is a serial chain of
            // compares, this one vectorises.
            let max = scores.iter().fold(0u8, |m, &v| m.max(v));
            first_of(scores, max)
        } else {
            self.scores.resize(len, 0.0);
            let scores = &mut self.scores[..len];
            let table = &self.totals[..];
            for (s, &key) in scores.iter_mut().zip(keys) {
                *s = table[key as usize];
            }
            first_max(scores)
        };
        let key = keys[best];
        out.node = Some(self.node_of(best));
        out.tie_count = ties;
        out.total_score = self.totals[key as usize];
        let class = (key >> CLASS_SHIFT) as usize;
        for &(w, prio, term) in &self.prios {
            let (raw, normalized) = match term {
                Term::Balanced => {
                    let b = f64::from(key & BALANCED_MASK);
                    (b, b)
                }
                Term::Latency if latency_filled => (lat_values[class], self.reduced[class]),
                Term::Locality => (edge_value(key), edge_value(key)),
                Term::Latency | Term::Zero => (0.0, 0.0),
            };
            out.scores.push(ScoreEntry {
                name: prio.name,
                raw,
                normalized,
                weight: w,
                weighted: normalized * w,
            });
        }
        Some(next)
    }

    /// Fills `reduced` for the present classes (when the latency priority has values) and
    /// `totals` and `small_totals` for every key of a present class; returns whether every
    /// such total is a small integer (then the byte table orders and ties exactly like the
    /// totals).
    fn compute_totals(&mut self, lat_values: &[f64], mn: f64, mx: f64, filled: bool) -> bool {
        if filled {
            let (mni, mxi) = (mn as i64, mx as i64);
            for &c in &self.present {
                self.reduced[c] = trunc((10 * (mxi - lat_values[c] as i64 + mni)) as f64 / mx);
            }
        }
        let mut small = true;
        for &c in &self.present {
            for edge in [0, EDGE_BIT] {
                for b in 0..=10u16 {
                    let key = (c as u16) << CLASS_SHIFT | edge | b;
                    let t = self.total(key, filled);
                    self.totals[key as usize] = t;
                    let s = t as u8;
                    small &= f64::from(s) == t;
                    self.small_totals[key as usize] = s;
                }
            }
        }
        small
    }

    /// The node id of feasible index `i`.
    fn node_of(&self, i: usize) -> NodeId {
        let r = self.runs.partition_point(|&(at, _)| at as usize <= i) - 1;
        match self.runs[r] {
            (at, Some(first)) => first + (i - at as usize) as u32,
            (_, None) => self.pos[i],
        }
    }

    /// The total score of a node with `key`, summed in list order exactly as the generic path
    /// does (a constant column of 0 is not added).
    fn total(&self, key: u16, latency_filled: bool) -> f64 {
        let mut t = 0.0;
        for &(w, _, term) in &self.prios {
            match term {
                Term::Balanced => t += f64::from(key & BALANCED_MASK) * w,
                Term::Latency if latency_filled => {
                    t += self.reduced[(key >> CLASS_SHIFT) as usize] * w;
                }
                Term::Locality => t += edge_value(key) * w,
                Term::Latency | Term::Zero => {}
            }
        }
        t
    }

    /// The filtering walk (as `crate::scheduler::walk::Walk`) through the chunk kernel: fills
    /// the feasible keys and positions, the classes present and `out`'s walk fields; returns
    /// the number of feasible nodes.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        pod: &Pod,
        nodes: &NodeTable,
        on: &[u8],
        arch_ok: &[bool],
        start: usize,
        k: usize,
        out: &mut Decision,
    ) -> usize {
        let n = nodes.len();
        let npred = self.pred_names.len();
        self.rejections.clear();
        self.rejections.resize(npred + 1, 0);
        self.runs.clear();
        if self.keys.len() < n {
            self.keys.resize(n, 0);
            self.pos.resize(n, 0);
        }
        let arch_mask = match self.arch_code {
            Some(_) => arch_ok
                .iter()
                .enumerate()
                .fold(0u32, |m, (i, &o)| m | u32::from(o) << i),
            None => u32::MAX,
        };
        let terms = PodTerms {
            arch_mask,
            fit_code: self.fit_code,
            arch_code: self.arch_code.unwrap_or(0),
            on_key: (self.on_class as u16) << CLASS_SHIFT,
        };
        let fit = self.memo.column(pod.cpu_millis, pod.memory_bytes, nodes);
        let (mut len, mut evaluated, mut classes) = (0usize, 0usize, 0u64);
        let segments = if n == 0 || k == 0 {
            [(0, 0), (0, 0)]
        } else {
            let s = start % n;
            [(s, n), (0, s)]
        };
        'outer: for (lo, hi) in segments {
            let mut a = lo;
            while a < hi {
                let m = CHUNK.min(hi - a);
                let r = a..a + m;
                let codes = &mut self.codes[..m];
                let on = if on.is_empty() { on } else { &on[r.clone()] };
                let words = &self.words[r.clone()];
                let before = len;
                // The keys go straight to their place in the feasible list.
                let keys = &mut self.keys[before..before + m];
                let mut chunk_classes =
                    eval_chunk(&terms, &chunk_cols(words, on, &fit[r.clone()]), codes, keys);
                let mut all_feasible = codes.iter().fold(0u8, |acc, &c| acc | c) == 0;
                if !all_feasible {
                    // Nodes the memo has not computed yet read as infeasible: compute them and
                    // evaluate the chunk again.
                    let (fc, fm) = (&nodes.cpu_free()[r.clone()], &nodes.mem_free()[r.clone()]);
                    let (rc, rm) = (pod.cpu_millis, pod.memory_bytes);
                    if fill_unknown(&mut fit[r.clone()], rc, rm, fc, fm) {
                        chunk_classes = eval_chunk(
                            &terms,
                            &chunk_cols(words, on, &fit[r.clone()]),
                            codes,
                            keys,
                        );
                        all_feasible = codes.iter().fold(0u8, |acc, &c| acc | c) == 0;
                    }
                }
                let cols = chunk_cols(words, on, &fit[r]);
                let mut cnt = 0;
                if all_feasible {
                    // Every node of the chunk is feasible (the common case): ids follow from
                    // the run.
                    self.runs.push((before as u32, Some(a as u32)));
                    cnt = m;
                } else {
                    // Which predicate failed first matters only for the rejection counts.
                    exact_codes(&terms, &cols, codes);
                    self.runs.push((before as u32, None));
                    // Compaction in place: a feasible node's key moves down, never up.
                    let pos = &mut self.pos[before..before + m];
                    for (j, &c) in codes.iter().enumerate() {
                        let at = cnt.min(m - 1);
                        keys[at] = keys[j];
                        pos[at] = (a + j) as u32;
                        cnt += usize::from(c == 0);
                    }
                }
                let mut f = before + cnt;
                let mut upto = m;
                if f >= k {
                    // Cut after the (k − before)-th feasible node of this chunk: in a chunk of
                    // feasible nodes that is node k − before, and when the cut takes the whole
                    // chunk its classes are the kernel's.
                    let need = k - before;
                    upto = if all_feasible {
                        need
                    } else {
                        cut_after_feasible(codes, need)
                    };
                    f = k;
                    if all_feasible && upto == m {
                        classes |= chunk_classes;
                    } else {
                        for &key in &self.keys[before..f] {
                            classes |= 1u64 << ((key >> CLASS_SHIFT) & 63);
                        }
                    }
                } else {
                    classes |= chunk_classes;
                }
                if f - before < upto {
                    for &c in &codes[..upto] {
                        self.rejections[c as usize] += 1;
                    }
                }
                len = f;
                evaluated += upto;
                if f >= k {
                    break 'outer;
                }
                a += m;
            }
        }
        for (i, &name) in self.pred_names.iter().enumerate() {
            out.rejections.push((name, self.rejections[i + 1]));
        }
        out.nodes_evaluated = evaluated as u32;
        out.feasible = len as u32;

        // The latency classes among the feasible nodes.
        self.present.clear();
        if self.on_class < 64 {
            self.present
                .extend((0..=self.on_class).filter(|&c| classes >> c & 1 == 1));
        } else {
            self.seen.fill(false);
            for &key in &self.keys[..len] {
                self.seen[(key >> CLASS_SHIFT) as usize] = true;
            }
            self.present
                .extend((0..=self.on_class).filter(|&c| self.seen[c]));
        }
        len
    }
}
