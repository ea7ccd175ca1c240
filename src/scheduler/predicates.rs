//! Predicates (skippy) and filters (kubernetes) as columnar kernels: each turns a chunk of
//! node columns into pass/fail and records its code where it fails. Evaluated in reverse list
//! order, the code left on a node is the first failing predicate's (`spec/scheduler.md` §1.4,
//! §2.2, §3).

use super::extension::{Characterisation, TypeNeeds};
use super::facts::{count_common, intersects, BitRows, NodeFacts, ACC_NONE};
use super::podinfo::{PodInfo, PodScratch};
use super::state::NodeState;
use super::Pod;
use crate::cluster::{NodeTable, ARCH_ANY};
use crate::config::PredicateSpec;

/// Names of the skippy predicates (and extension predicates usable as kubernetes filters).
pub const SKIPPY_PREDICATES: &[&str] = &[
    "PodFitsResources",
    "CheckNodeLabelPresence",
    "CanRun",
    "HasEnoughRam",
    "NodeHasAccelerator",
    "NodeHasFreeGpu",
    "NodeHasFreeTpu",
    "RegistryReachable",
];

/// Names of the extension predicates (`spec/scheduler.md` §3).
pub const EXTENSION_PREDICATES: &[&str] = &[
    "CanRun",
    "HasEnoughRam",
    "NodeHasAccelerator",
    "NodeHasFreeGpu",
    "NodeHasFreeTpu",
];

/// One predicate / filter.
#[derive(Clone, Debug)]
pub enum Pred {
    /// Requests fit the remaining allocatable CPU and memory.
    PodFitsResources,
    /// `CheckNodeLabelPresence(keys, present)`, precomputed as a pass column.
    LabelPresence(Vec<bool>),
    /// A route registry → node exists.
    RegistryReachable,
    /// Execution-time model (and characterisation, if configured) for (node type, image).
    CanRun,
    /// Σ characterised `ram` of the node's pods + the pod's ≤ 1.
    HasEnoughRam,
    /// No accelerator required, or the node's equals the pod's.
    NodeHasAccelerator,
    /// A GPU pod finds no other GPU pod (or enough VRAM with `use_vram`).
    NodeHasFreeGpu {
        /// Compare VRAM instead of counting GPU pods.
        use_vram: bool,
    },
    /// A TPU pod finds no other TPU pod.
    NodeHasFreeTpu,
    /// kubernetes: node not marked unschedulable.
    NodeUnschedulable,
    /// kubernetes: node selector and required affinity terms.
    NodeAffinity,
    /// kubernetes: every `NoSchedule`/`NoExecute` taint tolerated.
    TaintToleration,
    /// kubernetes: CPU, memory, extended resources and the pod limit.
    NodeResourcesFit,
    /// kubernetes: not a storage node.
    AvoidStorageNodes,
    /// kubernetes: the image has a variant for the node's arch.
    ImageArchAvailable,
}

impl Pred {
    /// Name recorded in `rejections`.
    pub fn name(&self) -> &'static str {
        match self {
            Pred::PodFitsResources => "PodFitsResources",
            Pred::LabelPresence(_) => "CheckNodeLabelPresence",
            Pred::RegistryReachable => "RegistryReachable",
            Pred::CanRun => "CanRun",
            Pred::HasEnoughRam => "HasEnoughRam",
            Pred::NodeHasAccelerator => "NodeHasAccelerator",
            Pred::NodeHasFreeGpu { .. } => "NodeHasFreeGpu",
            Pred::NodeHasFreeTpu => "NodeHasFreeTpu",
            Pred::NodeUnschedulable => "NodeUnschedulable",
            Pred::NodeAffinity => "NodeAffinity",
            Pred::TaintToleration => "TaintToleration",
            Pred::NodeResourcesFit => "NodeResourcesFit",
            Pred::AvoidStorageNodes => "AvoidStorageNodes",
            Pred::ImageArchAvailable => "ImageArchAvailable",
        }
    }

    /// The default `CheckNodeLabelPresence(["data.skippy.io/storage"], false)`.
    pub fn no_storage(facts: &NodeFacts) -> Pred {
        Pred::LabelPresence(facts.storage.iter().map(|s| !s).collect())
    }

    /// `CheckNodeLabelPresence(keys, present)`.
    pub fn label_presence(facts: &NodeFacts, keys: &[String], present: bool) -> Pred {
        let bits: Vec<Option<u32>> = keys.iter().map(|k| facts.labels.key_bit(k)).collect();
        Pred::LabelPresence(
            (0..facts.n)
                .map(|n| {
                    bits.iter().all(|b| {
                        let has = b.is_some_and(|b| facts.label_bits.test(n, b));
                        has == present
                    })
                })
                .collect(),
        )
    }

    /// Resolves a predicate of a configured list; `allowed` are the valid names at this key.
    pub fn from_spec(
        spec: &PredicateSpec,
        facts: &NodeFacts,
        key: &str,
        allowed: &[&str],
    ) -> Result<Pred, String> {
        let name = spec.name();
        let unknown = || {
            format!(
                "{key}: unknown predicate `{name}` (valid: {})",
                allowed.join(", ")
            )
        };
        if !allowed.contains(&name) {
            return Err(unknown());
        }
        let args = match spec {
            PredicateSpec::Table(a) => Some(a),
            PredicateSpec::Name(_) => None,
        };
        Ok(match name {
            "PodFitsResources" => Pred::PodFitsResources,
            "CheckNodeLabelPresence" => match args.and_then(|a| a.labels.as_ref()) {
                Some(keys) => Pred::label_presence(facts, keys, args.is_some_and(|a| a.present)),
                None if args.is_some_and(|a| a.present) => {
                    Pred::label_presence(facts, &[super::facts::KEY_STORAGE.to_string()], true)
                }
                None => Pred::no_storage(facts),
            },
            "RegistryReachable" => Pred::RegistryReachable,
            "CanRun" => Pred::CanRun,
            "HasEnoughRam" => Pred::HasEnoughRam,
            "NodeHasAccelerator" => Pred::NodeHasAccelerator,
            "NodeHasFreeGpu" => Pred::NodeHasFreeGpu {
                use_vram: args.is_some_and(|a| a.use_vram),
            },
            "NodeHasFreeTpu" => Pred::NodeHasFreeTpu,
            _ => return Err(unknown()),
        })
    }

    /// Per-type tables this predicate reads.
    pub fn needs(&self) -> TypeNeeds {
        TypeNeeds {
            can_run: matches!(self, Pred::CanRun),
            ram: matches!(self, Pred::HasEnoughRam),
            est: false,
        }
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
    pub info: &'a PodInfo<'a>,
    /// Its compiled masks and per-type tables.
    pub scratch: &'a PodScratch,
    /// Characterisation table.
    pub chars: &'a Characterisation,
    /// Per arch: the pod's image has a variant (`ImageArchAvailable`).
    pub arch_ok: &'a [bool],
}

/// The first-failure code after a predicate with `code` passed (`ok`) or not: the smaller
/// non-zero code wins, so predicates may be applied in any order (statically known codes are
/// filled in first, the others in reverse list order).
#[inline(always)]
fn fail(c: u8, code: u8, ok: bool) -> u8 {
    if !ok & ((c == 0) | (code < c)) {
        code
    } else {
        c
    }
}

/// Records `code` wherever `pass` is false, over nodes `a .. a + codes.len()`.
#[inline(always)]
fn mark(codes: &mut [u8], a: usize, code: u8, pass: impl Fn(usize) -> bool) {
    for (j, c) in codes.iter_mut().enumerate() {
        *c = fail(*c, code, pass(a + j));
    }
}

/// Records `code` wherever the column `col[a ..]` is false.
#[inline(always)]
fn mark_col(codes: &mut [u8], a: usize, code: u8, col: &[bool]) {
    let col = &col[a..a + codes.len()];
    for (c, &ok) in codes.iter_mut().zip(col) {
        *c = fail(*c, code, ok);
    }
}

impl Pred {
    /// Depends only on static node facts (evaluated once, at construction).
    pub fn is_static(&self) -> bool {
        matches!(
            self,
            Pred::LabelPresence(_)
                | Pred::RegistryReachable
                | Pred::NodeUnschedulable
                | Pred::AvoidStorageNodes
        )
    }

    /// For predicates that depend only on static node facts: whether node `n` passes.
    /// `None` for predicates that read the pod or the cluster state.
    pub fn static_pass(&self, facts: &NodeFacts, n: usize) -> Option<bool> {
        match self {
            Pred::LabelPresence(col) => Some(col[n]),
            Pred::RegistryReachable => Some(facts.reachable[n]),
            Pred::NodeUnschedulable => Some(!facts.unschedulable[n]),
            Pred::AvoidStorageNodes => Some(!facts.storage[n]),
            _ => None,
        }
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
    /// Positions of the dynamic predicates, in reverse list order.
    pub dynamic: Vec<usize>,
}

impl PredList {
    /// Splits `preds` over the nodes of `facts`.
    pub fn new(preds: Vec<Pred>, facts: &NodeFacts) -> PredList {
        assert!(preds.len() < 255, "at most 254 predicates");
        let static_codes = (0..facts.n)
            .map(|n| {
                preds
                    .iter()
                    .position(|p| p.static_pass(facts, n) == Some(false))
                    .map_or(0, |i| i as u8 + 1)
            })
            .collect();
        let dynamic = (0..preds.len())
            .rev()
            .filter(|&i| !preds[i].is_static())
            .collect();
        PredList {
            preds,
            static_codes,
            dynamic,
        }
    }

    /// Evaluates the list on nodes `a .. a + codes.len()`.
    #[inline]
    pub fn eval(&self, c: &PredCtx, a: usize, codes: &mut [u8]) {
        codes.copy_from_slice(&self.static_codes[a..a + codes.len()]);
        for &i in &self.dynamic {
            self.preds[i].eval(c, a, codes, i as u8 + 1);
        }
    }
}

fn no_hard_taint(rows: &BitRows, n: usize, untolerated: &[u64]) -> bool {
    !intersects(rows.row(n), untolerated)
}

impl Pred {
    /// Evaluates this predicate on nodes `a .. a + codes.len()`.
    pub fn eval(&self, c: &PredCtx, a: usize, codes: &mut [u8], code: u8) {
        let m = codes.len();
        let f = c.facts;
        match self {
            Pred::PodFitsResources => {
                let (rc, rm) = (c.pod.cpu_millis, c.pod.memory_bytes);
                let cpu = &c.nodes.cpu_free[a..a + m];
                let mem = &c.nodes.mem_free[a..a + m];
                for ((code_j, &fc), &fm) in codes.iter_mut().zip(cpu).zip(mem) {
                    // Both differences are ≥ 0 iff their OR is (no overflow for real sizes);
                    // cheaper than two 64-bit compares without SSE4.2.
                    *code_j = fail(*code_j, code, ((fm - rm) | (fc - rc)) >= 0);
                }
            }
            Pred::LabelPresence(col) => mark_col(codes, a, code, col),
            Pred::RegistryReachable => mark_col(codes, a, code, &f.reachable),
            Pred::CanRun => {
                let t = &c.scratch.type_can_run;
                mark(codes, a, code, |n| t[f.node_type[n] as usize]);
            }
            Pred::HasEnoughRam => {
                let t = &c.scratch.type_ram;
                let sum = &c.state.ram_sum;
                mark(codes, a, code, |n| {
                    sum[n] + t[f.node_type[n] as usize] <= 1.0
                });
            }
            Pred::NodeHasAccelerator => {
                if c.info.accel != ACC_NONE {
                    let want = c.info.accel;
                    let acc = &f.accel[a..a + m];
                    for (code_j, &x) in codes.iter_mut().zip(acc) {
                        *code_j = fail(*code_j, code, x == want);
                    }
                }
            }
            Pred::NodeHasFreeGpu { use_vram } => {
                if c.info.gpu() {
                    if *use_vram {
                        let v = c.info.vram;
                        let (used, cap) = (&c.state.vram_used, &f.vram_mb);
                        mark(codes, a, code, |n| v + used[n] <= cap[n]);
                    } else {
                        let g = &c.state.gpu_pods;
                        mark(codes, a, code, |n| g[n] == 0);
                    }
                }
            }
            Pred::NodeHasFreeTpu => {
                if c.info.tpu() {
                    let t = &c.state.tpu_pods;
                    mark(codes, a, code, |n| t[n] == 0);
                }
            }
            Pred::NodeUnschedulable => {
                let col = &f.unschedulable[a..a + m];
                for (code_j, &u) in codes.iter_mut().zip(col) {
                    *code_j = fail(*code_j, code, !u);
                }
            }
            Pred::NodeAffinity => {
                let s = c.scratch;
                if s.selector.0 < s.selector.1 || !s.required.is_empty() {
                    mark(codes, a, code, |n| s.affinity_filter(f, n));
                }
            }
            Pred::TaintToleration => {
                if c.scratch.has_untolerated {
                    let u = &c.scratch.untolerated;
                    mark(codes, a, code, |n| no_hard_taint(&f.taint_hard, n, u));
                }
            }
            Pred::NodeResourcesFit => {
                // A resource the pod does not request (≤ 0) always fits.
                let rc = if c.pod.cpu_millis > 0 {
                    c.pod.cpu_millis
                } else {
                    i64::MIN
                };
                let rm = if c.pod.memory_bytes > 0 {
                    c.pod.memory_bytes
                } else {
                    i64::MIN
                };
                let nodes = c.nodes;
                let ext = &c.scratch.ext_req;
                if ext.is_empty() {
                    let cpu = &nodes.cpu_free[a..a + m];
                    let mem = &nodes.mem_free[a..a + m];
                    let pods = &nodes.pods[a..a + m];
                    let max = &f.max_pods[a..a + m];
                    for (j, code_j) in codes.iter_mut().enumerate() {
                        let ok = (rc <= cpu[j]) & (rm <= mem[j]) & (pods[j] < max[j]);
                        *code_j = fail(*code_j, code, ok);
                    }
                } else {
                    let r = f.ext_names.len();
                    mark(codes, a, code, |n| {
                        let ext_ok = ext.iter().all(|&(j, amount)| {
                            j != usize::MAX
                                && amount <= f.ext_cap[n * r + j] - c.state.ext_used[n * r + j]
                        });
                        (rc <= nodes.cpu_free[n])
                            & (rm <= nodes.mem_free[n])
                            & (nodes.pods[n] < f.max_pods[n])
                            & ext_ok
                    });
                }
            }
            Pred::AvoidStorageNodes => {
                let col = &f.storage[a..a + m];
                for (code_j, &s) in codes.iter_mut().zip(col) {
                    *code_j = fail(*code_j, code, !s);
                }
            }
            Pred::ImageArchAvailable => {
                let ok = c.arch_ok;
                mark(codes, a, code, |n| ok[f.arch[n] as usize]);
            }
        }
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

/// Number of node taints with effect `PreferNoSchedule` the pod does not tolerate.
#[inline]
pub fn prefer_taints(facts: &NodeFacts, n: usize, untolerated: &[u64]) -> u32 {
    count_common(facts.taint_prefer.row(n), untolerated)
}
