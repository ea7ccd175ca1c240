//! What a decision needs to know about the pod, compiled once per pod template: the well-known
//! labels ([`PodInfo`]: accelerator, VRAM, data paths, requirements) and masks and tables over
//! the node facts ([`PodScratch`]: capabilities, node affinity, untolerated taints, extended
//! resources, per-node-type tables).
//!
//! [`PodCache`] keeps one [`CompiledPod`] per template id ([`Pod::template`]): everything in it
//! is a function of the template's labels, container fields and image and of the scheduler's
//! static facts, so it is computed on the template's first decision and reused by every later
//! one. A pod without a template is compiled into a reused buffer at every decision, so
//! extraction does not allocate in steady state either way.

use super::facts::{
    mask_set, NodeFacts, ACC_GPU, ACC_NONE, ACC_TPU, CAPABILITY, KEY_ACCELERATOR, KEY_VRAM,
};
use super::plugins::kubernetes::node_unschedulable::UNSCHEDULABLE_TAINT_KEY;
use super::{Pod, NO_TEMPLATE};
use crate::cluster::zones::HOSTNAME_LABEL;
use crate::cluster::Accelerator;
use crate::config::{SelectorExpression, SelectorOperator, TaintConfig, TaintEffect};

/// Pod-side accelerator code of a value that no node can match.
pub const ACC_UNKNOWN: u8 = 255;

/// Label key of the data a pod reads from storage.
pub const KEY_RECV_PATH: &str = "data.skippy.io/receives-from-storage/path";
/// Label key of the data a pod writes to storage.
pub const KEY_SEND_PATH: &str = "data.skippy.io/sends-to-storage/path";
/// Label key of the capability requirements (JSON).
pub const KEY_REQUIREMENTS: &str = "device.edgerun.io/requirements";

/// The pod's well-known labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodInfo {
    /// Required accelerator (`ACC_NONE` when none is required, `ACC_UNKNOWN` for other values).
    pub accel: u8,
    /// VRAM needed, MB (0 without label).
    pub vram: i64,
    /// `bucket/item` read from storage.
    pub recv_path: Option<String>,
    /// `bucket/item` written to storage.
    pub send_path: Option<String>,
    /// Capability requirements JSON.
    pub requirements: Option<String>,
    /// Some label key contains `capability.skippy.io`.
    pub has_capability: bool,
}

impl PodInfo {
    /// Reads the pod's labels.
    pub fn of(pod: &Pod) -> PodInfo {
        let mut info = PodInfo::default();
        info.read(pod);
        info
    }

    /// Reads the pod's labels into `self` (one pass; reuses the string buffers).
    pub fn read(&mut self, pod: &Pod) {
        self.accel = ACC_NONE;
        self.vram = 0;
        self.has_capability = false;
        let (mut recv, mut send, mut req) = (None, None, None);
        for (k, v) in pod.labels.iter() {
            match k.as_str() {
                KEY_ACCELERATOR => {
                    self.accel = match Accelerator::parse(v) {
                        Some(Accelerator::None) => ACC_NONE,
                        Some(Accelerator::Gpu) => ACC_GPU,
                        Some(Accelerator::Tpu) => ACC_TPU,
                        None => ACC_UNKNOWN,
                    }
                }
                KEY_VRAM => self.vram = v.trim().parse().unwrap_or(0),
                KEY_RECV_PATH => recv = Some(v.as_str()),
                KEY_SEND_PATH => send = Some(v.as_str()),
                KEY_REQUIREMENTS => req = Some(v.as_str()),
                _ => {
                    if k.contains(CAPABILITY) {
                        self.has_capability = true;
                    }
                }
            }
        }
        set(&mut self.recv_path, recv);
        set(&mut self.send_path, send);
        set(&mut self.requirements, req);
    }

    /// A GPU pod (`device.edgerun.io/accelerator = GPU`).
    pub fn gpu(&self) -> bool {
        self.accel == ACC_GPU
    }

    /// A TPU pod.
    pub fn tpu(&self) -> bool {
        self.accel == ACC_TPU
    }
}

/// Stores `v` in `slot`, reusing its buffer.
fn set(slot: &mut Option<String>, v: Option<&str>) {
    match (slot.as_mut(), v) {
        (Some(s), Some(v)) => {
            s.clear();
            s.push_str(v);
        }
        (_, v) => *slot = v.map(str::to_string),
    }
}

/// One compiled node-selector expression: matches iff `(node bits ∩ mask ≠ ∅) ≠ negate`, or,
/// for an expression on hostname values, iff `(node ∈ node mask) ≠ negate`.
#[derive(Clone, Copy, Debug)]
pub struct Expr {
    /// Offset of the mask in [`PodScratch::masks`].
    pub off: u32,
    /// Negate the intersection test.
    pub negate: bool,
    /// The mask is over node ids (one bit per node), not over the label bit space.
    pub by_node: bool,
}

/// Per-decision buffers derived from the pod, reused across decisions.
#[derive(Clone, Debug, Default)]
pub struct PodScratch {
    /// Capability pairs the pod asks for (label bit space).
    pub cap_mask: Vec<u64>,
    /// `cap_mask` is not empty.
    pub has_cap: bool,
    /// Per node type: `CanRun` passes.
    pub type_can_run: Vec<bool>,
    /// Per node type: the pod's `ram` fraction.
    pub type_ram: Vec<f64>,
    /// Per node type: `ExecutionTime` map value (−mean, or 0 without model).
    pub type_est: Vec<f64>,
    /// Masks of compiled expressions (label words each).
    pub masks: Vec<u64>,
    /// Compiled expressions.
    pub exprs: Vec<Expr>,
    /// Expressions `[a, b)` of the node selector (all must hold).
    pub selector: (u32, u32),
    /// Required terms (any must hold if there is one), as expression ranges.
    pub required: Vec<(u32, u32)>,
    /// Preferred terms: expression range and weight.
    pub preferred: Vec<(u32, u32, i64)>,
    /// Taints (of `NodeFacts::taints`) the pod does not tolerate.
    pub untolerated: Vec<u64>,
    /// Some node taint is not tolerated.
    pub has_untolerated: bool,
    /// The pod tolerates `node.kubernetes.io/unschedulable:NoSchedule`, so `NodeUnschedulable`
    /// lets it onto unschedulable nodes.
    pub tolerates_unschedulable: bool,
    /// Extended requests `> 0`: (resource index or `usize::MAX` if no node has it, amount).
    pub ext_req: Vec<(usize, i64)>,
}

impl PodScratch {
    /// Fills `cap_mask` with the pod's `capability.skippy.io` pairs present on some node.
    pub fn compile_capabilities(&mut self, pod: &Pod, info: &PodInfo, facts: &NodeFacts) {
        let w = facts.labels.words();
        self.cap_mask.clear();
        self.cap_mask.resize(w, 0);
        self.has_cap = false;
        if !info.has_capability {
            return;
        }
        for (k, v) in pod.labels.iter() {
            if k.contains(CAPABILITY) {
                if let Some(b) = facts.labels.pair_bit(k, v) {
                    mask_set(&mut self.cap_mask, b);
                    self.has_cap = true;
                }
            }
        }
    }

    /// An expression no node satisfies (an empty mask, not negated): it stands for a term
    /// without expressions, which upstream matches against no node.
    fn push_never(&mut self, w: usize) {
        let off = self.push_mask(w);
        self.exprs.push(Expr {
            off,
            negate: false,
            by_node: false,
        });
    }

    /// An expression on `kubernetes.io/hostname` values: a mask over node ids of the nodes
    /// whose hostname satisfies `hit`.
    fn push_hostname_expr(&mut self, facts: &NodeFacts, negate: bool, hit: impl Fn(&str) -> bool) {
        let off = self.push_mask(facts.n.div_ceil(64).max(1));
        for (h, nodes) in &facts.hostnames {
            if hit(h) {
                for &n in nodes {
                    self.masks[off as usize + n as usize / 64] |= 1 << (n % 64);
                }
            }
        }
        self.exprs.push(Expr {
            off,
            negate,
            by_node: true,
        });
    }

    fn push_mask(&mut self, w: usize) -> u32 {
        let off = self.masks.len();
        self.masks.resize(off + w, 0);
        off as u32
    }

    fn compile_expr(&mut self, e: &SelectorExpression, facts: &NodeFacts) {
        if e.key == HOSTNAME_LABEL {
            let values = &e.values;
            let bound = match values.as_slice() {
                [one] => one.trim().parse::<i64>().ok(),
                _ => None,
            };
            let int = |h: &str| h.parse::<i64>().ok();
            match e.operator {
                SelectorOperator::In | SelectorOperator::NotIn => {
                    let negate = e.operator == SelectorOperator::NotIn;
                    return self
                        .push_hostname_expr(facts, negate, |h| values.iter().any(|v| v == h));
                }
                SelectorOperator::Gt => {
                    return self.push_hostname_expr(
                        facts,
                        false,
                        |h| matches!((int(h), bound), (Some(x), Some(b)) if x > b),
                    );
                }
                SelectorOperator::Lt => {
                    return self.push_hostname_expr(
                        facts,
                        false,
                        |h| matches!((int(h), bound), (Some(x), Some(b)) if x < b),
                    );
                }
                // The key bit is interned: the generic path below.
                SelectorOperator::Exists | SelectorOperator::DoesNotExist => {}
            }
        }
        let w = facts.labels.words();
        let off = self.push_mask(w);
        let mask = &mut self.masks[off as usize..off as usize + w];
        let negate = match e.operator {
            SelectorOperator::In | SelectorOperator::NotIn => {
                for v in &e.values {
                    if let Some(b) = facts.labels.pair_bit(&e.key, v) {
                        mask_set(mask, b);
                    }
                }
                e.operator == SelectorOperator::NotIn
            }
            SelectorOperator::Exists | SelectorOperator::DoesNotExist => {
                if let Some(b) = facts.labels.key_bit(&e.key) {
                    mask_set(mask, b);
                }
                e.operator == SelectorOperator::DoesNotExist
            }
            SelectorOperator::Gt | SelectorOperator::Lt => {
                let bound = match e.values.as_slice() {
                    [one] => one.trim().parse::<i64>().ok(),
                    _ => None,
                };
                if let Some(bound) = bound {
                    for v in facts.labels.values(&e.key) {
                        let hit = match (v.int, e.operator) {
                            (Some(x), SelectorOperator::Gt) => x > bound,
                            (Some(x), _) => x < bound,
                            (None, _) => false,
                        };
                        if hit {
                            mask_set(mask, v.bit);
                        }
                    }
                }
                false
            }
        };
        self.exprs.push(Expr {
            off,
            negate,
            by_node: false,
        });
    }

    /// Compiles the pod's node selector, required and preferred affinity terms.
    /// Returns `(has_required_part, has_preferred_part)`.
    pub fn compile_affinity(&mut self, pod: &Pod, facts: &NodeFacts) -> (bool, bool) {
        self.masks.clear();
        self.exprs.clear();
        self.required.clear();
        self.preferred.clear();
        let w = facts.labels.words();
        let a = self.exprs.len() as u32;
        for (k, v) in pod.node_selector.iter() {
            if k == HOSTNAME_LABEL {
                self.push_hostname_expr(facts, false, |h| h == v);
                continue;
            }
            let off = self.push_mask(w);
            if let Some(b) = facts.labels.pair_bit(k, v) {
                mask_set(&mut self.masks[off as usize..off as usize + w], b);
            }
            self.exprs.push(Expr {
                off,
                negate: false,
                by_node: false,
            });
        }
        self.selector = (a, self.exprs.len() as u32);
        if let Some(aff) = pod.affinity {
            for t in &aff.required {
                let a = self.exprs.len() as u32;
                if t.match_expressions.is_empty() {
                    self.push_never(w);
                }
                for e in &t.match_expressions {
                    self.compile_expr(e, facts);
                }
                self.required.push((a, self.exprs.len() as u32));
            }
            for t in &aff.preferred {
                let a = self.exprs.len() as u32;
                if t.match_expressions.is_empty() {
                    self.push_never(w);
                }
                for e in &t.match_expressions {
                    self.compile_expr(e, facts);
                }
                self.preferred.push((a, self.exprs.len() as u32, t.weight));
            }
        }
        (
            self.selector.0 < self.selector.1 || !self.required.is_empty(),
            !self.preferred.is_empty(),
        )
    }

    /// True if every expression in `[a, b)` holds for `node`.
    #[inline]
    pub fn term_matches(&self, facts: &NodeFacts, node: usize, (a, b): (u32, u32)) -> bool {
        let row = facts.label_bits.row(node);
        let w = row.len();
        self.exprs[a as usize..b as usize].iter().all(|e| {
            if e.by_node {
                let word = self.masks[e.off as usize + node / 64];
                return ((word >> (node % 64)) & 1 == 1) != e.negate;
            }
            let m = &self.masks[e.off as usize..e.off as usize + w];
            super::facts::intersects(row, m) != e.negate
        })
    }

    /// The node passes the `NodeAffinity` filter.
    #[inline]
    pub fn affinity_filter(&self, facts: &NodeFacts, node: usize) -> bool {
        self.term_matches(facts, node, self.selector)
            && (self.required.is_empty()
                || self
                    .required
                    .iter()
                    .any(|&t| self.term_matches(facts, node, t)))
    }

    /// Σ weights of the preferred terms matching the node.
    #[inline]
    pub fn preferred_weight(&self, facts: &NodeFacts, node: usize) -> i64 {
        self.preferred
            .iter()
            .map(|&(a, b, w)| {
                if self.term_matches(facts, node, (a, b)) {
                    w
                } else {
                    0
                }
            })
            .sum()
    }

    /// Whether the pod tolerates the unschedulable taint (`NodeUnschedulable`).
    pub fn compile_unschedulable(&mut self, pod: &Pod) {
        let taint = TaintConfig {
            key: UNSCHEDULABLE_TAINT_KEY.to_string(),
            value: String::new(),
            effect: TaintEffect::NoSchedule,
        };
        self.tolerates_unschedulable = pod.tolerations.iter().any(|t| t.tolerates(&taint));
    }

    /// Marks the node taints the pod does not tolerate.
    pub fn compile_tolerations(&mut self, pod: &Pod, facts: &NodeFacts) {
        let w = facts.taint_hard.words;
        self.untolerated.clear();
        self.untolerated.resize(w, 0);
        self.has_untolerated = false;
        for (i, t) in facts.taints.iter().enumerate() {
            if !pod.tolerations.iter().any(|tol| tol.tolerates(t)) {
                mask_set(&mut self.untolerated, i as u32);
                self.has_untolerated = true;
            }
        }
    }

    /// Resolves the pod's extended requests against the cluster's resource names.
    pub fn compile_extended(&mut self, pod: &Pod, facts: &NodeFacts) {
        self.ext_req.clear();
        for (name, &amount) in pod.extended.iter() {
            if amount > 0 {
                let idx = facts.ext_index(name).unwrap_or(usize::MAX);
                self.ext_req.push((idx, amount as i64));
            }
        }
    }
}

/// Everything compiled about one pod template.
#[derive(Clone, Debug, Default)]
pub struct CompiledPod {
    /// Its well-known labels.
    pub info: PodInfo,
    /// Its masks and per-node-type tables.
    pub scratch: PodScratch,
}

/// Compiled pods, one per template id, plus a reused slot for pods without a template.
///
/// A template id must always denote the same labels, container fields (extended requests,
/// execution model, node selector, affinity, tolerations) and image: the compiled form of its
/// first pod is reused for all of them. CPU and memory requests are read from each pod, not
/// from the cache. Ids are dense indices (the cache is a vector indexed by id).
#[derive(Clone, Debug, Default)]
pub struct PodCache {
    templates: Vec<Option<CompiledPod>>,
    adhoc: CompiledPod,
}

impl PodCache {
    /// The compiled form of `pod`: cached per template; `compile` fills the scratch part from
    /// the pod and its labels the first time (every time for a pod without a template).
    pub fn compiled(
        &mut self,
        pod: &Pod,
        compile: impl FnOnce(&Pod, &PodInfo, &mut PodScratch),
    ) -> &CompiledPod {
        if pod.template == NO_TEMPLATE {
            let c = &mut self.adhoc;
            c.info.read(pod);
            compile(pod, &c.info, &mut c.scratch);
            return &self.adhoc;
        }
        let t = pod.template as usize;
        if t >= self.templates.len() {
            self.templates.resize_with(t + 1, || None);
        }
        self.templates[t].get_or_insert_with(|| {
            let mut c = CompiledPod::default();
            c.info.read(pod);
            compile(pod, &c.info, &mut c.scratch);
            c
        })
    }

    /// The well-known labels of `pod` (cached for a template compiled before).
    pub fn info(&mut self, pod: &Pod) -> &PodInfo {
        let cached = self
            .templates
            .get(pod.template as usize)
            .is_some_and(Option::is_some);
        if pod.template != NO_TEMPLATE && cached {
            let c = self.templates[pod.template as usize].as_ref();
            return &c.expect("cached").info;
        }
        self.adhoc.info.read(pod);
        &self.adhoc.info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Labels;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_template_is_compiled_on_its_first_pod_only() {
        let l = labels(&[(KEY_ACCELERATOR, "GPU"), (KEY_RECV_PATH, "b/i")]);
        let mut cache = PodCache::default();
        let mut compiled = 0;
        for r in 0..3 {
            let pod = Pod::new(r, 0, 0, 100, 1, &l).with_template(2);
            let c = cache.compiled(&pod, |_, _, s| {
                compiled += 1;
                s.has_cap = true;
            });
            assert!(c.info.gpu() && c.scratch.has_cap);
            assert_eq!(c.info.recv_path.as_deref(), Some("b/i"));
        }
        assert_eq!(compiled, 1);
        let other = labels(&[(KEY_VRAM, "256")]);
        let pod = Pod::new(9, 0, 0, 100, 1, &other);
        assert_eq!(cache.info(&pod).vram, 256);
        assert_eq!(cache.info(&pod.with_template(2)).accel, ACC_GPU);
    }

    #[test]
    fn a_pod_without_template_is_compiled_at_every_decision() {
        let gpu = labels(&[(KEY_ACCELERATOR, "GPU"), (KEY_REQUIREMENTS, "{}")]);
        let none = labels(&[]);
        let mut cache = PodCache::default();
        let mut compiled = 0;
        for l in [&gpu, &none, &gpu] {
            let pod = Pod::new(0, 0, 0, 100, 1, l);
            let info = cache.compiled(&pod, |_, _, _| compiled += 1).info.clone();
            assert_eq!(info, PodInfo::of(&pod));
        }
        assert_eq!(compiled, 3);
        assert_eq!(
            PodInfo::of(&Pod::new(0, 0, 0, 1, 1, &none)),
            PodInfo::default()
        );
    }
}
