//! skippy-style priorities (`spec/scheduler.md` §1.5 and §3) as columnar kernels: a map over the
//! feasible list into a raw column, then a reduce into the normalised column. The arithmetic
//! follows the spec literally (evaluation order, truncations), so results are bit-identical to
//! skippy-core.

use super::extension::{sample_model, Characterisation, TypeNeeds};
use super::facts::{count_common, NodeFacts};
use super::podinfo::{PodInfo, PodScratch};
use super::state::NodeState;
use super::Pod;
use crate::cluster::NodeTable;
use crate::engine::SimRng;

/// Names of the skippy priorities.
pub const SKIPPY_PRIORITIES: &[&str] = &[
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
];

/// Names of the extension priorities (`spec/scheduler.md` §3), usable as kubernetes scores.
pub const EXTENSION_PRIORITIES: &[&str] = &["CapabilityMatching", "ExecutionTime", "Contention"];

/// A priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prio {
    /// `BalancedResource`.
    Balanced,
    /// `LatencyAwareImageLocality`.
    LatencyAware,
    /// `ImageLocality` (Kubernetes 1.13 style).
    ImageLocality,
    /// `LocalityType`.
    LocalityType,
    /// `DataLocality`.
    DataLocality,
    /// `Capability`.
    Capability,
    /// `Equal`.
    Equal,
    /// `CapabilityMatching`.
    CapabilityMatching,
    /// `ExecutionTime`.
    ExecutionTime,
    /// `Contention`.
    Contention,
}

/// How a priority's map column becomes its score column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    /// Scores are the map values.
    Identity,
    /// skippy's locality reduce (no subtraction of the minimum in the denominator).
    Locality,
    /// `scale`: minimum → 0, maximum → factor.
    Scale,
    /// `scale_inverse`: minimum → factor, maximum → 0.
    ScaleInverse,
}

impl Prio {
    /// Parses a priority name.
    pub fn parse(name: &str) -> Option<Prio> {
        Some(match name {
            "BalancedResource" => Prio::Balanced,
            "LatencyAwareImageLocality" => Prio::LatencyAware,
            "ImageLocality" => Prio::ImageLocality,
            "LocalityType" => Prio::LocalityType,
            "DataLocality" => Prio::DataLocality,
            "Capability" => Prio::Capability,
            "Equal" => Prio::Equal,
            "CapabilityMatching" => Prio::CapabilityMatching,
            "ExecutionTime" => Prio::ExecutionTime,
            "Contention" => Prio::Contention,
            _ => return None,
        })
    }

    /// The priority's name.
    pub fn name(self) -> &'static str {
        match self {
            Prio::Balanced => "BalancedResource",
            Prio::LatencyAware => "LatencyAwareImageLocality",
            Prio::ImageLocality => "ImageLocality",
            Prio::LocalityType => "LocalityType",
            Prio::DataLocality => "DataLocality",
            Prio::Capability => "Capability",
            Prio::Equal => "Equal",
            Prio::CapabilityMatching => "CapabilityMatching",
            Prio::ExecutionTime => "ExecutionTime",
            Prio::Contention => "Contention",
        }
    }

    /// The reduce step.
    pub fn reduce(self) -> Reduce {
        match self {
            Prio::Balanced | Prio::ImageLocality | Prio::LocalityType | Prio::Equal => {
                Reduce::Identity
            }
            Prio::LatencyAware => Reduce::Locality,
            Prio::DataLocality => Reduce::ScaleInverse,
            Prio::Capability
            | Prio::CapabilityMatching
            | Prio::ExecutionTime
            | Prio::Contention => Reduce::Scale,
        }
    }

    /// Per-type tables the map reads (mean mode).
    pub fn needs(self, sample: bool) -> TypeNeeds {
        TypeNeeds {
            est: self == Prio::ExecutionTime && !sample,
            ..TypeNeeds::default()
        }
    }
}

/// skippy's image view: images placed on each node (never cleared) and per-image node counts.
#[derive(Clone, Debug, Default)]
pub struct ImageView {
    n: usize,
    on: Vec<u8>,
    /// Nodes whose view holds each image.
    pub num_nodes: Vec<u32>,
}

impl ImageView {
    /// An empty view of `images` images on `n` nodes.
    pub fn new(n: usize, images: usize) -> ImageView {
        ImageView {
            n,
            on: vec![0; n * images],
            num_nodes: vec![0; images],
        }
    }

    /// The presence column of `image` (one byte per node), empty for an unknown image.
    #[inline]
    pub fn column(&self, image: u32) -> &[u8] {
        let i = image as usize;
        if i < self.num_nodes.len() {
            &self.on[i * self.n..(i + 1) * self.n]
        } else {
            &[]
        }
    }

    /// True if the view of `node` holds `image`.
    #[inline]
    pub fn has(&self, image: u32, node: u32) -> bool {
        self.column(image)
            .get(node as usize)
            .is_some_and(|&b| b != 0)
    }

    /// Adds `image` to `node`'s view (placement).
    pub fn add(&mut self, image: u32, node: u32) {
        let i = image as usize;
        if i < self.num_nodes.len() {
            let cell = &mut self.on[i * self.n + node as usize];
            if *cell == 0 {
                *cell = 1;
                self.num_nodes[i] += 1;
            }
        }
    }
}

/// Truncation toward zero (Python `int()` of a float), for the finite values priorities produce.
///
/// A cast round trip compiles to two instructions on every x86-64, where `f64::trunc` is a libm
/// call without SSE4.1. (For values in (−1, 0) it returns +0.0 instead of −0.0, which compares
/// and adds identically.)
#[inline(always)]
pub fn trunc(x: f64) -> f64 {
    x as i64 as f64
}

/// [`trunc`] for values known to lie in `(−2³¹, 2³¹)` (scores on 0..100): the `i32` round trip
/// has packed SSE2 instructions, so loops using it vectorise.
#[inline(always)]
pub fn trunc_small(x: f64) -> f64 {
    x as i32 as f64
}

/// skippy's `BalancedResource` map value of a pod requesting `rc` millicores and `rm` bytes on
/// a node with `ac`, `am` remaining allocatable (0 is replaced by 1).
#[inline(always)]
pub fn balanced(rc: f64, rm: f64, ac: i64, am: i64) -> f64 {
    let ac = if ac == 0 { 1.0 } else { ac as f64 };
    let am = if am == 0 { 1.0 } else { am as f64 };
    let cf = rc / ac;
    let mf = rm / am;
    // In [0, 10] whenever it is used (cf, mf < 1).
    let v = trunc_small((1.0 - (cf - mf).abs()) * 10.0);
    if (cf >= 1.0) | (mf >= 1.0) {
        0.0
    } else {
        v
    }
}

/// Where a priority's scores for the feasible nodes are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Col {
    /// Every node has the same (raw, reduced) values; the columns are not written.
    Const(f64, f64),
    /// The reduced values equal the raw column (identity reduce); the reduced column is not
    /// written.
    Identity,
    /// Values in the priority's raw and reduced columns.
    Filled,
}

impl Col {
    /// The (raw, reduced) values of position `i`.
    #[inline]
    pub fn at(self, raw: &[f64], norm: &[f64], i: usize) -> (f64, f64) {
        match self {
            Col::Const(r, v) => (r, v),
            Col::Identity => (raw[i], raw[i]),
            Col::Filled => (raw[i], norm[i]),
        }
    }
}

/// Everything a priority map reads during one decision.
pub struct MapCtx<'a> {
    /// Static node facts.
    pub facts: &'a NodeFacts,
    /// Node table.
    pub nodes: &'a NodeTable,
    /// Scheduler-owned node state.
    pub state: &'a NodeState,
    /// The pod.
    pub pod: &'a Pod<'a>,
    /// Its well-known labels.
    pub info: &'a PodInfo<'a>,
    /// Its compiled masks and per-type tables.
    pub scratch: &'a PodScratch,
    /// Characterisation table.
    pub chars: &'a Characterisation,
    /// skippy image view (LatencyAware, ImageLocality).
    pub view: &'a ImageView,
    /// Per LatencyAware class of `NodeFacts::lat_class`: the map value of a node without the
    /// image, `trunc(size(arch) / bw(registry, n))`.
    pub lat_class_val: &'a [f64],
    /// Per arch: ImageLocality score of a node holding the image.
    pub il_score: &'a [f64],
    /// DataLocality receive column (per node id), if the pod reads stored data.
    pub data_recv: Option<&'a [f64]>,
    /// DataLocality send column.
    pub data_send: Option<&'a [f64]>,
    /// CapabilityMatching column (per node id), if the pod has requirements.
    pub requirements: Option<&'a [f64]>,
}

impl Prio {
    /// Maps the feasible nodes `feas` into `raw`; returns `Col::Const` (and leaves `raw`
    /// untouched) when every node gets the same value, whose reduction is then known.
    pub fn map(self, c: &MapCtx, feas: &[u32], raw: &mut [f64], rng: Option<&mut SimRng>) -> Col {
        let f = c.facts;
        let raw = &mut raw[..feas.len()];
        match self {
            Prio::Balanced => {
                let (rc, rm) = (c.pod.cpu_millis as f64, c.pod.memory_bytes as f64);
                let (cpu, mem): (&[i64], &[i64]) = (&c.nodes.cpu_free, &c.nodes.mem_free);
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = balanced(rc, rm, cpu[n as usize], mem[n as usize]);
                }
                Col::Filled
            }
            Prio::LatencyAware => {
                // trunc(size(arch) / bw(registry, n)) per (arch, bandwidth) class of the node.
                let on = c.view.column(c.pod.image);
                let (class, val) = (&f.lat_class, c.lat_class_val);
                if on.is_empty() {
                    for (r, &n) in raw.iter_mut().zip(feas) {
                        *r = val[class[n as usize] as usize];
                    }
                } else {
                    for (r, &n) in raw.iter_mut().zip(feas) {
                        let n = n as usize;
                        let v = val[class[n] as usize];
                        *r = if on[n] != 0 { 0.0 } else { v };
                    }
                }
                Col::Filled
            }
            Prio::ImageLocality => {
                let on = c.view.column(c.pod.image);
                if on.is_empty() || c.view.num_nodes[c.pod.image as usize] == 0 {
                    return Col::Const(0.0, 0.0);
                }
                let arch = &f.arch;
                for (r, &n) in raw.iter_mut().zip(feas) {
                    let n = n as usize;
                    let v = c.il_score[arch[n] as usize];
                    *r = if on[n] != 0 { v } else { 0.0 };
                }
                Col::Filled
            }
            Prio::LocalityType => {
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = f.edge10[n as usize];
                }
                Col::Filled
            }
            Prio::DataLocality => match (c.data_recv, c.data_send) {
                (None, None) => Col::Const(0.0, 0.0),
                (recv, send) => {
                    for (r, &n) in raw.iter_mut().zip(feas) {
                        let n = n as usize;
                        let a = recv.map_or(0.0, |col| col[n]);
                        let b = send.map_or(0.0, |col| col[n]);
                        *r = a + b;
                    }
                    Col::Filled
                }
            },
            Prio::Capability => {
                if !c.scratch.has_cap {
                    return Col::Const(0.0, 0.0);
                }
                let mask = &c.scratch.cap_mask;
                for (r, &n) in raw.iter_mut().zip(feas) {
                    *r = count_common(f.label_bits.row(n as usize), mask) as f64;
                }
                Col::Filled
            }
            Prio::Equal => Col::Const(1.0, 1.0),
            Prio::CapabilityMatching => match c.requirements {
                None => Col::Const(0.0, 0.0),
                Some(col) => {
                    for (r, &n) in raw.iter_mut().zip(feas) {
                        *r = col[n as usize];
                    }
                    Col::Filled
                }
            },
            Prio::ExecutionTime => {
                let Some(exec) = c.pod.exec else {
                    return Col::Const(0.0, 0.0);
                };
                match rng {
                    Some(rng) => {
                        for (r, &n) in raw.iter_mut().zip(feas) {
                            let t = f.node_type[n as usize] as usize;
                            *r = match exec.for_node_type(&f.type_names[t]) {
                                Some(m) => -sample_model(m, rng),
                                None => 0.0,
                            };
                        }
                    }
                    None => {
                        let est = &c.scratch.type_est;
                        for (r, &n) in raw.iter_mut().zip(feas) {
                            *r = est[f.node_type[n as usize] as usize];
                        }
                    }
                }
                Col::Filled
            }
            Prio::Contention => {
                if !c.chars.configured {
                    return Col::Const(0.0, 0.0);
                }
                let running = &c.state.usage_sum;
                for (r, &n) in raw.iter_mut().zip(feas) {
                    let n = n as usize;
                    let own = c
                        .chars
                        .get(f.node_type[n], c.pod.image)
                        .map_or(0.0, |row| row.usage(f.disk_speed[n], f.net_speed[n]));
                    *r = own - running[n];
                }
                Col::Filled
            }
        }
    }
}

/// Minimum and maximum of `x` (no NaN), with four independent accumulators.
pub fn min_max(x: &[f64]) -> (f64, f64) {
    let mut mn = [f64::INFINITY; 4];
    let mut mx = [f64::NEG_INFINITY; 4];
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..4 {
            mn[j] = if c[j] < mn[j] { c[j] } else { mn[j] };
            mx[j] = if c[j] > mx[j] { c[j] } else { mx[j] };
        }
    }
    for &v in rest {
        mn[0] = if v < mn[0] { v } else { mn[0] };
        mx[0] = if v > mx[0] { v } else { mx[0] };
    }
    let lo = mn[0].min(mn[1]).min(mn[2].min(mn[3]));
    let hi = mx[0].max(mx[1]).max(mx[2].max(mx[3]));
    (lo, hi)
}

/// Reduces `raw` into `out` (same length) with `factor` = 10 (skippy) or 100 (kubernetes
/// extension scores).
pub fn reduce(kind: Reduce, raw: &[f64], out: &mut [f64], factor: f64) {
    let out = &mut out[..raw.len()];
    match kind {
        Reduce::Identity => out.copy_from_slice(raw),
        Reduce::Scale => {
            let (mn, mx) = min_max(raw);
            let d = mx - mn;
            if d == 0.0 {
                out.fill(0.0);
            } else {
                for (o, &x) in out.iter_mut().zip(raw) {
                    *o = trunc(((x - mn) / d) * factor);
                }
            }
        }
        Reduce::ScaleInverse => {
            let (mn, mx) = min_max(raw);
            let d = mn - mx;
            if d == 0.0 {
                out.fill(0.0);
            } else {
                for (o, &x) in out.iter_mut().zip(raw) {
                    *o = trunc(((x - mx) / d) * factor);
                }
            }
        }
        Reduce::Locality => {
            let (mn, mx) = min_max(raw);
            if mx == 0.0 {
                out.fill(0.0);
            } else {
                // Map values are integers; the product is exact in i64, the division in f64.
                let (mn, mxi) = (mn as i64, mx as i64);
                for (o, &x) in out.iter_mut().zip(raw) {
                    let num = 10 * (mxi - x as i64 + mn);
                    *o = trunc(num as f64 / mx);
                }
            }
        }
    }
}

/// Largest map value for which the locality reduce may run in `f64` (`mx + mn ≤ 2 mx` and
/// `10 × 2 mx < 2⁵³`).
const LOCALITY_F64_EXACT: f64 = 4.5e14;

/// Reduces `raw` (skippy, factor 10) and adds `reduced × weight` to `total`, in one pass per
/// column. The reduced column is written only for `Scale`, `ScaleInverse` and `Locality`;
/// returns where the reduced values are.
pub fn reduce_accumulate(
    kind: Reduce,
    raw: &[f64],
    norm: &mut [f64],
    total: &mut [f64],
    w: f64,
) -> Col {
    let f = raw.len();
    let (norm, total) = (&mut norm[..f], &mut total[..f]);
    match kind {
        Reduce::Identity => {
            for (t, &v) in total.iter_mut().zip(raw) {
                *t += v * w;
            }
            return Col::Identity;
        }
        Reduce::Scale | Reduce::ScaleInverse => {
            let (mn, mx) = min_max(raw);
            let (base, d) = if kind == Reduce::Scale {
                (mn, mx - mn)
            } else {
                (mx, mn - mx)
            };
            if d == 0.0 {
                return Col::Const(raw[0], 0.0);
            }
            for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                let v = trunc_small(((x - base) / d) * 10.0);
                *o = v;
                *t += v * w;
            }
        }
        Reduce::Locality => {
            let (mn, mx) = min_max(raw);
            if mx == 0.0 {
                return Col::Const(0.0, 0.0);
            }
            if mx <= LOCALITY_F64_EXACT {
                // Integers below 2^53 / 10: `10 × (mx − x + mn)` is exact in f64 as well.
                for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                    let v = trunc_small((10.0 * ((mx - x) + mn)) / mx);
                    *o = v;
                    *t += v * w;
                }
            } else {
                let (mn, mxi) = (mn as i64, mx as i64);
                for ((o, t), &x) in norm.iter_mut().zip(total.iter_mut()).zip(raw) {
                    let v = trunc((10 * (mxi - x as i64 + mn)) as f64 / mx);
                    *o = v;
                    *t += v * w;
                }
            }
        }
    }
    Col::Filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(kind: Reduce, raw: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; raw.len()];
        reduce(kind, raw, &mut out, 10.0);
        out
    }

    #[test]
    fn locality_reduce_does_not_subtract_the_minimum_in_the_denominator() {
        assert_eq!(red(Reduce::Locality, &[10.0, 12.0]), vec![10.0, 8.0]);
        assert_eq!(red(Reduce::Locality, &[0.0, 800_000.0]), vec![10.0, 0.0]);
        assert_eq!(red(Reduce::Locality, &[0.0, 0.0]), vec![0.0, 0.0]);
    }

    #[test]
    fn scale_and_scale_inverse_truncate_toward_zero() {
        let raw = [50_000.0, 500_000.0, 200_000.0];
        assert_eq!(red(Reduce::ScaleInverse, &raw), vec![10.0, 0.0, 6.0]);
        assert_eq!(red(Reduce::Scale, &raw), vec![0.0, 10.0, 3.0]);
        assert_eq!(red(Reduce::Scale, &[4.0, 4.0]), vec![0.0, 0.0]);
        let mut out = [0.0; 3];
        reduce(Reduce::Scale, &[-3.0, -1.0, -2.5], &mut out, 100.0);
        assert_eq!(out, [0.0, 100.0, 25.0]);
    }

    #[test]
    fn image_view_counts_each_node_once() {
        let mut v = ImageView::new(3, 2);
        v.add(1, 2);
        v.add(1, 2);
        v.add(1, 0);
        assert_eq!(v.num_nodes, vec![0, 2]);
        assert!(v.has(1, 0) && !v.has(1, 1) && !v.has(0, 0));
        assert!(!v.has(7, 0));
    }
}
