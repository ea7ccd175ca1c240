//! Predicates (skippy) and filters (kubernetes) as columnar kernels: each turns a chunk of node
//! columns into pass/fail and records its code where it fails. The code left on a node is the
//! first failing predicate's in list order (`docs/schedulers.md`, "How a decision runs").
//!
//! This module owns what every predicate shares — its definition ([`PredicateDef`]), the
//! decision context ([`PredCtx`]), a configured instance ([`Pred`]) and a configured list with
//! its static part precomputed ([`PredList`]); each predicate lives in its own file.

pub mod can_run;
pub mod check_node_label_presence;
pub mod has_enough_ram;
pub mod node_has_accelerator;
pub mod node_has_free_gpu;
pub mod node_has_free_tpu;
pub mod pod_fits_resources;
pub mod registry_reachable;

use super::super::extension::Characterisation;
use super::super::facts::NodeFacts;
use super::super::podinfo::{PodInfo, PodScratch};
use super::super::spread::SpreadState;
use super::super::state::NodeState;
use super::super::Pod;
use super::kubernetes::pod_topology_spread::SpreadFilter;
use super::{registry, Needs, Scope};
use crate::cluster::{NodeTable, ARCH_ANY};
use crate::config::{PredicateArgs, PredicateSpec};

pub use super::kubernetes::taint_toleration::prefer_taints;
pub use super::registry::{EXTENSION_PREDICATES, SKIPPY_PREDICATES};

/// Arguments of a configured predicate (the table form of `scheduler.skippy.predicates`);
/// each predicate reads the ones it has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PredArgs {
    /// `CheckNodeLabelPresence`: label keys (`None`: the storage label).
    pub labels: Option<Vec<String>>,
    /// `CheckNodeLabelPresence`: the keys must be present.
    pub present: bool,
    /// `NodeHasFreeGpu`: compare VRAM instead of counting GPU pods.
    pub use_vram: bool,
}

impl From<&PredicateArgs> for PredArgs {
    fn from(a: &PredicateArgs) -> PredArgs {
        PredArgs {
            labels: a.labels.clone(),
            present: a.present,
            use_vram: a.use_vram,
        }
    }
}

/// Per node, whether it passes a predicate that reads only static node facts.
pub type StaticFn = fn(&PredArgs, &NodeFacts) -> Vec<bool>;

/// Records the predicate's `code` on the nodes of the span that fail it (with [`fail`], so the
/// first failing predicate's code wins); `codes[j]` belongs to the span's `j`-th node.
pub type EvalFn = fn(&PredCtx, &PredArgs, Span, &mut [u8], u8);

/// The nodes one kernel call evaluates, as many as there are codes: a contiguous run of the
/// profile's node indexes (node ids, or visit positions for the kubernetes profile over several
/// zones, which keeps its columns in visit order: `crate::scheduler::visit_space`).
#[derive(Clone, Copy, Debug)]
pub enum Span {
    /// Nodes `a .. a + codes.len()`.
    Range(usize),
}

/// How a predicate is evaluated.
#[derive(Clone, Copy)]
pub enum PredKind {
    /// Depends only on static node facts: its pass column is computed once per scheduler.
    Static(StaticFn),
    /// Reads the pod or the cluster state: evaluated per decision, chunk by chunk.
    Dynamic(EvalFn),
}

/// One predicate, defined once in its own file and listed in the [`registry`].
#[derive(Clone, Copy)]
pub struct PredicateDef {
    /// Name in the configuration and in `rejections`.
    pub name: &'static str,
    /// Where it may be named.
    pub scope: Scope,
    /// What a node passing means; explains a rejection (documented in `docs/schedulers.md`).
    pub summary: &'static str,
    /// What it reads about the pod beyond its requests.
    pub needs: Needs,
    /// Its evaluation.
    pub kind: PredKind,
}

impl PredicateDef {
    /// Depends only on static node facts.
    pub const fn is_static(&self) -> bool {
        matches!(self.kind, PredKind::Static(_))
    }
}

impl std::fmt::Debug for PredicateDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A configured predicate: its definition and arguments.
#[derive(Clone, Debug)]
pub struct Pred {
    /// The definition.
    pub def: &'static PredicateDef,
    /// Its arguments.
    pub args: PredArgs,
}

impl Pred {
    /// `def` with default arguments.
    pub fn new(def: &'static PredicateDef) -> Pred {
        Pred {
            def,
            args: PredArgs::default(),
        }
    }

    /// `def` with `args`.
    pub fn with_args(def: &'static PredicateDef, args: PredArgs) -> Pred {
        Pred { def, args }
    }

    /// Name recorded in `rejections`.
    pub fn name(&self) -> &'static str {
        self.def.name
    }

    /// Resolves a predicate of a configured list; `allowed` are the valid names at `key`.
    pub fn from_spec(spec: &PredicateSpec, key: &str, allowed: &[&str]) -> Result<Pred, String> {
        let name = spec.name();
        let def = registry::predicate(name).filter(|_| allowed.contains(&name));
        let Some(def) = def else {
            return Err(format!(
                "{key}: unknown predicate `{name}` (valid: {})",
                allowed.join(", ")
            ));
        };
        Ok(match spec {
            PredicateSpec::Table(a) => Pred::with_args(def, a.into()),
            PredicateSpec::Name(_) => Pred::new(def),
        })
    }
}

/// Everything a predicate reads during one decision.
pub struct PredCtx<'a> {
    /// Static node facts.
    pub facts: &'a NodeFacts,
    /// Node table (free resources, pod counts).
    pub nodes: &'a NodeTable,
    /// Scheduler-owned node state.
    pub state: &'a NodeState,
    /// The pod.
    pub pod: &'a Pod<'a>,
    /// Its well-known labels.
    pub info: &'a PodInfo,
    /// Its compiled masks and per-type tables.
    pub scratch: &'a PodScratch,
    /// Characterisation table.
    pub chars: &'a Characterisation,
    /// Per arch: the pod's image has a variant (`ImageArchAvailable`).
    pub arch_ok: &'a [bool],
    /// Replica positions and the pod's `DoNotSchedule` spread constraints (kubernetes
    /// `PodTopologySpread`; `None` in other profiles).
    pub spread: Option<(&'a SpreadState, &'a SpreadFilter)>,
}

/// The first-failure code after a predicate with `code` passed (`ok`) or not: the smaller
/// non-zero code wins, so predicates may be applied in any order (statically known codes are
/// filled in first, the others in reverse list order).
#[inline(always)]
pub fn fail(c: u8, code: u8, ok: bool) -> u8 {
    if !ok & ((c == 0) | (code < c)) {
        code
    } else {
        c
    }
}

/// Records `code` wherever `pass` is false, over the nodes of `span`.
#[inline(always)]
pub fn mark(codes: &mut [u8], span: Span, code: u8, pass: impl Fn(usize) -> bool) {
    let Span::Range(a) = span;
    for (j, c) in codes.iter_mut().enumerate() {
        *c = fail(*c, code, pass(a + j));
    }
}

/// A predicate list split into a precomputed column of first-failure codes of its static
/// predicates and the dynamic predicates evaluated per decision.
#[derive(Clone, Debug, Default)]
pub struct PredList {
    /// All predicates, in list order (codes are 1-based positions).
    pub preds: Vec<Pred>,
    /// Per node: the code of the first failing static predicate, 0 if none fails.
    pub static_codes: Vec<u8>,
    /// The dynamic predicates in reverse list order: (kernel, position).
    dynamic: Vec<(EvalFn, usize)>,
}

impl PredList {
    /// Splits `preds` over the nodes of `facts`.
    pub fn new(preds: Vec<Pred>, facts: &NodeFacts) -> PredList {
        assert!(preds.len() < 255, "at most 254 predicates");
        let mut static_codes = vec![0u8; facts.n];
        // In reverse list order, so the first failing static predicate's code is left.
        for (i, p) in preds.iter().enumerate().rev() {
            if let PredKind::Static(pass) = p.def.kind {
                for (c, ok) in static_codes.iter_mut().zip(pass(&p.args, facts)) {
                    if !ok {
                        *c = i as u8 + 1;
                    }
                }
            }
        }
        let dynamic = (0..preds.len())
            .rev()
            .filter_map(|i| match preds[i].def.kind {
                PredKind::Dynamic(eval) => Some((eval, i)),
                PredKind::Static(_) => None,
            })
            .collect();
        PredList {
            preds,
            static_codes,
            dynamic,
        }
    }

    /// Evaluates the list on the nodes of `span`.
    #[inline]
    pub fn eval(&self, c: &PredCtx, span: Span, codes: &mut [u8]) {
        let Span::Range(a) = span;
        codes.copy_from_slice(&self.static_codes[a..a + codes.len()]);
        for &(eval, i) in &self.dynamic {
            eval(c, &self.preds[i].args, span, codes, i as u8 + 1);
        }
    }

    /// What the predicates read about the pod.
    pub fn needs(&self) -> Needs {
        self.preds
            .iter()
            .fold(Needs::NONE, |n, p| n.union(p.def.needs))
    }

    /// The predicate names, in list order.
    pub fn names(&self) -> Vec<&'static str> {
        self.preds.iter().map(Pred::name).collect()
    }
}

/// Per arch id: `image` has a variant for it (exact or `any`).
pub fn arch_table(cluster: &crate::cluster::Cluster, image: u32, out: &mut Vec<bool>) {
    out.clear();
    let variants = cluster.images.variants.get(image as usize);
    for arch in 0..cluster.archs.len() as u32 {
        out.push(variants.is_some_and(|v| v.iter().any(|&(x, _)| x == arch || x == ARCH_ANY)));
    }
}
