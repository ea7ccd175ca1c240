//! What the request path reads about a replica at every dispatch, start and completion — its
//! function, node, node type, container, concurrency, CPU per invocation and execution samplers —
//! resolved from the model's tables once per replica instead of once per request
//! (docs/performance.md, "Round 7: the request path").
//!
//! [`SamplerTable`] holds a copy of every container's `exec` and `cold_penalty` samplers in
//! one flat list, so that a [`ReplicaProfile`] names its samplers by index: a draw then reads
//! one table entry, not the chain function → container → node type of the model.

use crate::execution::{Concurrency, DurationSampler};
use crate::model::Model;

/// [`ReplicaProfile::exec`] and [`ReplicaProfile::cold_penalty`] of a replica without that
/// sampler.
pub const NO_SAMPLER: u32 = u32::MAX;

/// [`ReplicaProfile::queue_capacity`] of an unbounded local queue.
pub const NO_QUEUE_LIMIT: u32 = u32::MAX;

/// A replica's facts for the request path, fixed from its placement to its end.
///
/// 32 bytes, so that the compute line also holds the replica's CPU integral: the node type and
/// the container are `u16`, the queue capacity and the CPU per invocation `u32`
/// (`Model::compile` rejects scenarios whose values do not fit:
/// `crate::model::functions::check_profile_ranges`).
#[derive(Clone, Copy, Debug)]
pub struct ReplicaProfile {
    /// Function id.
    pub function: u32,
    /// Node the replica runs on.
    pub node: u32,
    /// The node's type.
    pub node_type: u16,
    /// Container index within the function's deployment.
    pub container: u16,
    /// Index into [`SamplerTable`] of the container's `exec` sampler for the node's type
    /// ([`NO_SAMPLER`]: none, the request takes no time).
    pub exec: u32,
    /// Index into [`SamplerTable`] of the container's `cold_penalty` sampler for the node's
    /// type ([`NO_SAMPLER`]: none), until the replica's first compute part takes it (so this
    /// field also says whether the penalty is still to be paid, and no per-replica `warm` flag
    /// costs another cache line: docs/performance.md, "Round 8").
    pub cold_penalty: u32,
    /// The container's worker slots W ([`Concurrency::workers`]).
    pub workers: u32,
    /// The container's local queue capacity ([`NO_QUEUE_LIMIT`]: unbounded).
    pub queue_capacity: u32,
    /// Used CPU of each computing invocation, millicores (the container's
    /// `cpu_per_invocation`). The container's `cpu_share`, read only under shared CPUs, is kept
    /// out of the profile ([`super::Compute`]) so that the replica's hot line also holds its
    /// served count.
    pub cpu_per_invocation: u32,
}

impl ReplicaProfile {
    /// The profile of a slot whose replica has not been resolved yet (never read as such:
    /// [`super::Compute::resolve`] fills it before the replica's first request).
    pub const UNRESOLVED: ReplicaProfile = ReplicaProfile {
        function: u32::MAX,
        node: u32::MAX,
        node_type: u16::MAX,
        container: u16::MAX,
        exec: NO_SAMPLER,
        cold_penalty: NO_SAMPLER,
        workers: u32::MAX,
        queue_capacity: NO_QUEUE_LIMIT,
        cpu_per_invocation: 0,
    };

    /// The container's concurrency model.
    #[inline]
    pub fn concurrency(&self) -> Concurrency {
        Concurrency {
            workers: self.workers,
            queue_capacity: (self.queue_capacity != NO_QUEUE_LIMIT).then_some(self.queue_capacity),
        }
    }
}

/// Every container's `exec` and `cold_penalty` samplers, one flat list.
#[derive(Debug, Default)]
pub struct SamplerTable {
    samplers: Vec<DurationSampler>,
    /// Per function, per container, per node type: index of its `exec` sampler.
    exec: Vec<Vec<Vec<u32>>>,
    /// Per function, per container, per node type: index of its `cold_penalty` sampler.
    cold_penalty: Vec<Vec<Vec<u32>>>,
}

impl SamplerTable {
    /// The samplers of `model`'s containers.
    pub fn new(model: &Model) -> SamplerTable {
        let mut samplers = Vec::new();
        let mut index_of = |phase: Option<&Vec<Option<DurationSampler>>>| -> Vec<u32> {
            phase.map_or_else(Vec::new, |by_type| {
                by_type
                    .iter()
                    .map(|s| match s {
                        Some(s) => {
                            samplers.push(s.clone());
                            (samplers.len() - 1) as u32
                        }
                        None => NO_SAMPLER,
                    })
                    .collect()
            })
        };
        let mut exec = Vec::with_capacity(model.functions.len());
        let mut cold_penalty = Vec::with_capacity(model.functions.len());
        for f in &model.functions {
            exec.push(
                f.containers
                    .iter()
                    .map(|c| index_of(Some(&c.exec)))
                    .collect(),
            );
            cold_penalty.push(
                f.containers
                    .iter()
                    .map(|c| index_of(c.cold_penalty.as_ref()))
                    .collect(),
            );
        }
        SamplerTable {
            samplers,
            exec,
            cold_penalty,
        }
    }

    /// The profile of a replica of container `container` of `function` placed on `node`, of
    /// type `node_type`.
    pub fn profile(
        &self,
        model: &Model,
        function: u32,
        container: u32,
        node: u32,
        node_type: u32,
    ) -> ReplicaProfile {
        let (f, c, t) = (function as usize, container as usize, node_type as usize);
        let cm = &model.functions[f].containers[c];
        let index = |by_container: &Vec<Vec<Vec<u32>>>| {
            by_container[f][c].get(t).copied().unwrap_or(NO_SAMPLER)
        };
        // The ranges are checked when the model is compiled (`check_profile_ranges`).
        let narrow = "checked by Model::compile";
        ReplicaProfile {
            function,
            node,
            node_type: u16::try_from(node_type).expect(narrow),
            container: u16::try_from(container).expect(narrow),
            exec: index(&self.exec),
            cold_penalty: index(&self.cold_penalty),
            workers: cm.concurrency.workers,
            queue_capacity: cm.concurrency.queue_capacity.unwrap_or(NO_QUEUE_LIMIT),
            cpu_per_invocation: u32::try_from(cm.cpu_per_invocation).expect(narrow),
        }
    }

    /// Sampler `i` ([`NO_SAMPLER`]: none).
    #[inline(always)]
    pub fn get(&self, i: u32) -> Option<&DurationSampler> {
        self.samplers.get(i as usize)
    }
}
