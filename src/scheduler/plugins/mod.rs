//! Scheduler plugins: every predicate, priority and kubernetes score plugin, each defined once in
//! its own file, and the one [`registry`] that lists them (see `docs/schedulers.md`, "Adding a
//! plugin").
//!
//! A plugin file holds a `const` definition — name, where it may be configured, what it reads
//! from the pod, whether its result is static per node, its columnar kernel and a one-line
//! summary that explains a rejection or a score — plus the kernel itself. The profiles
//! ([`super::skippy`], [`super::kubernetes`]) hold references to these definitions and call the
//! kernels through plain function pointers, once per chunk of nodes (predicates) or once per
//! decision (priorities): dispatch costs nothing per node and every kernel stays a tight loop
//! over node columns.
//!
//! - [`predicates`]: skippy predicates, the accelerator extension and kubernetes filters
//!   (first-failure codes over node chunks);
//! - [`priorities`]: skippy priorities and the extension scores (map into a raw column, then a
//!   reduce);
//! - [`kubernetes`]: the kube-scheduler filter and score plugins (integer scores on 0..100).

pub mod kubernetes;
pub mod predicates;
pub mod priorities;
pub mod registry;

pub use registry::{
    kubernetes_filter_names, kubernetes_score_names, skippy_predicate_names, skippy_priority_names,
    KUBERNETES_SCORES, PREDICATES, PRIORITIES,
};

/// Where a plugin may be named in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// In `scheduler.skippy.predicates` / `priorities` only.
    Skippy,
    /// The accelerator and capability extension: in the skippy lists and in
    /// `scheduler.kubernetes.extra_filters` / `extra_scores`.
    Extension,
    /// Built into the `kubernetes` profile (enabled by its own keys, never by name).
    Kubernetes,
    /// Built into the `kubernetes` profile and also accepted by name in the skippy lists (a
    /// kube-scheduler filter that skippy lacks but a correct placement needs).
    KubernetesAndSkippy,
}

impl Scope {
    /// Accepted in the skippy lists.
    pub const fn in_skippy(self) -> bool {
        matches!(
            self,
            Scope::Skippy | Scope::Extension | Scope::KubernetesAndSkippy
        )
    }

    /// Accepted in the kubernetes `extra_*` lists.
    pub const fn in_kubernetes_extra(self) -> bool {
        matches!(self, Scope::Extension)
    }
}

/// What a plugin reads about the pod beyond its requests, so a profile compiles only that once
/// per pod template (see [`super::podinfo`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Per node type: the pod can run there (`CanRun`).
    pub can_run: bool,
    /// Per node type: the pod's characterised `ram` fraction (`HasEnoughRam`).
    pub ram: bool,
    /// Per node type: the mean execution time (`ExecutionTime`, mean mode).
    pub est: bool,
    /// The pod's `capability.skippy.io` labels as a mask (`Capability`).
    pub capabilities: bool,
    /// The requirements column of the pod's `device.edgerun.io/requirements` JSON
    /// (`CapabilityMatching`).
    pub requirements: bool,
}

impl Needs {
    /// Nothing beyond the pod's requests and well-known labels.
    pub const NONE: Needs = Needs {
        can_run: false,
        ram: false,
        est: false,
        capabilities: false,
        requirements: false,
    };

    /// Either's needs.
    pub fn union(self, o: Needs) -> Needs {
        Needs {
            can_run: self.can_run | o.can_run,
            ram: self.ram | o.ram,
            est: self.est | o.est,
            capabilities: self.capabilities | o.capabilities,
            requirements: self.requirements | o.requirements,
        }
    }

    /// Some per-node-type table is needed.
    pub fn type_tables(self) -> bool {
        self.can_run | self.ram | self.est
    }
}
