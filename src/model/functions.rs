//! Compiled functions and deployments: containers in ranking order with their samplers per node
//! type, usage figures, concurrency and image caps, and one pod template per container.
//!
//! Built once per scenario, shared read-only by every run of it, so a run never rebuilds a pod
//! or a sampler from the configuration.

use super::{DataTransfers, ModelError};
use crate::cluster::{normalize_image_name, Cluster, ImageId};
use crate::config::{ContainerConfig, Labels, ScalingConfig, Scenario, TimeModel, TimeModelSpec};
use crate::engine::SimTime;
use crate::execution::{Concurrency, DurationSampler};
use crate::scheduler::Pod;
use std::collections::HashMap;

/// Samplers of one phase by node type id (`None`: no model for that type).
pub type PhaseModel = Vec<Option<DurationSampler>>;

/// The scheduling view of one container: everything a [`Pod`] borrows, owned once.
#[derive(Debug)]
pub struct PodTemplate {
    /// Dense id of this template among all containers of the model: the scheduler compiles
    /// what it reads from a pod's labels and container fields once per template.
    pub id: u32,
    /// Image id.
    pub image: ImageId,
    /// CPU request, millicores.
    pub cpu: i64,
    /// Memory request, bytes.
    pub mem: i64,
    /// Pod labels: function labels overlaid by container labels.
    pub labels: Labels,
    /// The container's configuration (extended requests, execution model, node affinity…).
    pub container: ContainerConfig,
}

impl PodTemplate {
    /// The pod of replica `replica` of function `function` (a copy of references, no allocation).
    #[inline]
    pub fn pod(&self, replica: u32, function: u32) -> Pod<'_> {
        Pod::new(
            replica,
            function,
            self.image,
            self.cpu,
            self.mem,
            &self.labels,
        )
        .with_container(&self.container)
        .with_template(self.id)
    }
}

/// One container of a deployment, compiled.
#[derive(Debug)]
pub struct ContainerModel {
    /// Image id.
    pub image: ImageId,
    /// CPU request, millicores.
    pub cpu: i64,
    /// Memory request, bytes.
    pub mem: i64,
    /// Share of the node's cores under shared CPUs, millicores: `execution.cpu_share` of the
    /// image, else the CPU request.
    pub cpu_share: i64,
    /// Execution time by node type.
    pub exec: PhaseModel,
    /// Further execution-time models, by node type: model `k ≥ 1` of a request that names one
    /// (a 2019 trace's other days' durations, [`ContainerModel::exec_model`]); usually empty.
    pub further_exec: Vec<PhaseModel>,
    /// Startup phase by node type.
    pub startup: PhaseModel,
    /// Setup phase by node type.
    pub setup: PhaseModel,
    /// Teardown phase by node type.
    pub teardown: PhaseModel,
    /// Extra execution time of a replica's first request by node type (`cold_penalty`); `None`
    /// without one, so such runs draw nothing for it.
    pub cold_penalty: Option<PhaseModel>,
    /// Concurrency model.
    pub concurrency: Concurrency,
    /// Cap on live replicas of this image: `floor(function_factor × scale_max)`.
    pub cap: u32,
    /// Index of the deployment's container in the scenario (for messages).
    pub config_index: usize,
    /// Used CPU of a replica besides its invocations, millicores.
    pub idle_cpu: u64,
    /// Used CPU of each executing invocation, millicores.
    pub cpu_per_invocation: u64,
    /// Used memory of a replica from Starting on, bytes.
    pub memory_usage: u64,
    /// Data moved to and from storage, and when.
    pub data: DataTransfers,
    /// What the scheduler sees of a replica of this container.
    pub pod: PodTemplate,
}

impl ContainerModel {
    /// The sampler of execution model `k` on node type `node_type`: 0 is `exec`, `k ≥ 1` the
    /// further models a trace request may name.
    #[inline]
    pub fn exec_model(&self, k: u16, node_type: usize) -> Option<&DurationSampler> {
        match k {
            0 => self.exec[node_type].as_ref(),
            k => self.further_exec[k as usize - 1][node_type].as_ref(),
        }
    }
}

/// Compiles further execution models of a container (one model for every node type each), with
/// the node speed factors folded in as for `exec`.
pub fn compile_further_exec(
    models: &[TimeModel],
    sc: &Scenario,
    cluster: &Cluster,
) -> Vec<PhaseModel> {
    models
        .iter()
        .map(|m| {
            let spec = TimeModelSpec {
                default: Some(m.clone()),
                by_node_type: Default::default(),
            }
            .scaled_by_node_type(&sc.execution.speed_factor);
            compile_phase(&spec, cluster)
        })
        .collect()
}

/// One function, with its deployment if it has one.
#[derive(Debug)]
pub struct FunctionModel {
    /// Name.
    pub name: String,
    /// Index of its deployment in the scenario, if any.
    pub deployment: Option<usize>,
    /// Containers in ranking order (empty without a deployment).
    pub containers: Vec<ContainerModel>,
    /// Scaling configuration.
    pub scaling: ScalingConfig,
    /// Deploy time.
    pub deploy_at: SimTime,
}

fn compile_phase(spec: &TimeModelSpec, cluster: &Cluster) -> PhaseModel {
    cluster
        .types
        .iter()
        .map(|t| spec.for_node_type(&t.name).map(DurationSampler::new))
        .collect()
}

/// Compiles every function of a validated scenario (deployments looked up by name in a map, so
/// set-up stays near-linear in the number of functions).
pub fn compile_functions(
    sc: &Scenario,
    cluster: &Cluster,
) -> Result<Vec<FunctionModel>, ModelError> {
    let mut deployment_of: HashMap<&str, usize> = HashMap::with_capacity(sc.deployments.len());
    for (di, d) in sc.deployments.iter().enumerate() {
        deployment_of.entry(d.function.as_str()).or_insert(di);
    }
    let image_ids: HashMap<&str, ImageId> = cluster
        .images
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as ImageId))
        .collect();
    let mut out = Vec::with_capacity(sc.functions.len());
    let mut next_template = 0u32;
    for f in &sc.functions {
        let dep_index = deployment_of.get(f.name.as_str()).copied();
        let mut containers = Vec::new();
        let (scaling, deploy_at) = match dep_index {
            Some(di) => {
                let d = &sc.deployments[di];
                let normalized: Vec<String> = d
                    .containers
                    .iter()
                    .map(|c| normalize_image_name(&c.image))
                    .collect();
                // Ranking: explicit list, else container order.
                let order: Vec<usize> = match &d.ranking {
                    Some(r) => r
                        .images
                        .iter()
                        .map(|img| {
                            let n = normalize_image_name(img);
                            normalized.iter().position(|c| *c == n).ok_or_else(|| {
                                ModelError::at(
                                    format!("deployments[{di}].ranking.images"),
                                    format!("`{img}` has no container"),
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    None => (0..d.containers.len()).collect(),
                };
                for ci in order {
                    let c = &d.containers[ci];
                    let image =
                        image_ids
                            .get(normalized[ci].as_str())
                            .copied()
                            .ok_or_else(|| {
                                ModelError::at(
                                    format!("deployments[{di}].containers[{ci}].image"),
                                    format!("`{}` is not declared in [[images]]", c.image),
                                )
                            })?;
                    let mut labels = f.labels.clone();
                    for (k, v) in &c.labels {
                        labels.insert(k.clone(), v.clone());
                    }
                    let factor = d
                        .ranking
                        .as_ref()
                        .and_then(|r| {
                            r.function_factor.iter().find_map(|(k, v)| {
                                (normalize_image_name(k) == normalized[ci]).then_some(*v)
                            })
                        })
                        .unwrap_or(1.0);
                    let (cpu, mem) = (c.requests.cpu.0 as i64, c.requests.memory.0 as i64);
                    // Node speed factors fold into the per-node-type `exec` models here (the
                    // samplers and the scheduler's `ExecutionTime` see the scaled models), so
                    // drawing costs nothing extra and a scenario without them is unchanged.
                    let mut c = c.clone();
                    if !sc.execution.speed_factor.is_empty() {
                        c.exec = c.exec.scaled_by_node_type(&sc.execution.speed_factor);
                    }
                    let c = &c;
                    let data = DataTransfers::compile(
                        c.data_phase,
                        &labels,
                        &cluster.storage,
                        &format!("deployments[{di}].containers[{ci}]"),
                    )?;
                    let cpu_share = sc
                        .execution
                        .cpu_share
                        .iter()
                        .find(|(k, _)| normalize_image_name(k) == normalized[ci])
                        .map_or(cpu, |(_, cores)| (cores * 1000.0).round() as i64);
                    containers.push(ContainerModel {
                        image,
                        cpu,
                        mem,
                        cpu_share,
                        concurrency: Concurrency::from_config(c.concurrency.as_ref(), &labels),
                        exec: compile_phase(&c.exec, cluster),
                        further_exec: Vec::new(),
                        startup: compile_phase(&c.startup, cluster),
                        setup: compile_phase(&c.setup, cluster),
                        teardown: compile_phase(&c.teardown, cluster),
                        cold_penalty: c
                            .cold_penalty
                            .as_ref()
                            .map(|spec| compile_phase(spec, cluster)),
                        cap: (factor * d.scaling.scale_max as f64).floor() as u32,
                        config_index: ci,
                        idle_cpu: c.idle_cpu_millicores(),
                        cpu_per_invocation: c.cpu_per_invocation_millicores(),
                        memory_usage: c.memory_usage.unwrap_or(c.requests.memory).0,
                        data,
                        pod: PodTemplate {
                            id: next_template,
                            image,
                            cpu,
                            mem,
                            labels,
                            container: c.clone(),
                        },
                    });
                    next_template += 1;
                }
                (d.scaling.clone(), SimTime::from_secs_f64(d.deploy_at_s))
            }
            None => (ScalingConfig::default(), SimTime::ZERO),
        };
        out.push(FunctionModel {
            name: f.name.clone(),
            deployment: dep_index,
            containers,
            scaling,
            deploy_at,
        });
    }
    Ok(out)
}

/// The figures a replica's compute profile narrows (`crate::compute::ReplicaProfile`, 32 bytes
/// so that its compute line also holds its CPU integral: docs/performance.md, "Round 9b") fit:
/// at most 65 536 node types and containers per deployment, `cpu_per_invocation` below
/// 2^32 millicores (the scenario's validation already bounds it at 10^9; checked again for
/// models built otherwise) and a local queue capacity below 2^32 − 1 (that value means
/// unbounded there).
pub fn check_profile_ranges(
    functions: &[FunctionModel],
    cluster: &Cluster,
) -> Result<(), ModelError> {
    let too_big = |key_path: String, message: &str| ModelError::Config {
        key_path,
        message: message.to_string(),
    };
    if cluster.types.len() > u16::MAX as usize + 1 {
        return Err(too_big(
            "topology".into(),
            "more than 65 536 node types (the simulator's limit)",
        ));
    }
    for f in functions {
        let Some(di) = f.deployment else { continue };
        if f.containers.len() > u16::MAX as usize + 1 {
            return Err(too_big(
                format!("deployments[{di}].containers"),
                "more than 65 536 containers (the simulator's limit)",
            ));
        }
        for c in &f.containers {
            let path = format!("deployments[{di}].containers[{}]", c.config_index);
            if c.cpu_per_invocation > u32::MAX as u64 {
                return Err(too_big(
                    format!("{path}.cpu_per_invocation"),
                    "at most 4 294 967 295 millicores",
                ));
            }
            if c.concurrency.queue_capacity.is_some_and(|q| q == u32::MAX) {
                return Err(too_big(
                    format!("{path}.concurrency.http_watchdog.queue_capacity"),
                    "at most 4 294 967 294 (leave it out for an unbounded queue)",
                ));
            }
        }
    }
    Ok(())
}

/// Every node type a container's replicas may be placed on has an execution, startup and setup
/// model (teardown defaults to 0 s).
///
/// With the `CanRun` predicate (`can_run`), a pod is never placed on a node type its execution
/// model does not cover, so only the startup and setup models of the covered types are
/// checked; without it, a replica may land on any node type the cluster has.
pub fn check_time_models(
    sc: &Scenario,
    functions: &[FunctionModel],
    cluster: &Cluster,
    can_run: bool,
) -> Result<(), ModelError> {
    let mut present = vec![false; cluster.types.len()];
    for &t in &cluster.nodes.node_type {
        present[t as usize] = true;
    }
    for f in functions {
        let Some(di) = f.deployment else { continue };
        for c in &f.containers {
            for (t, _) in present.iter().enumerate().filter(|(_, &p)| p) {
                if can_run && c.exec[t].is_none() {
                    continue; // CanRun keeps these pods off this type
                }
                let phases = [
                    ("exec", &c.exec),
                    ("startup", &c.startup),
                    ("setup", &c.setup),
                ];
                if let Some((phase, _)) = phases.iter().find(|(_, m)| m[t].is_none()) {
                    return Err(ModelError::MissingTimeModel {
                        key_path: format!(
                            "deployments[{di}].containers[{}].{phase}",
                            c.config_index
                        ),
                        function: f.name.clone(),
                        node_type: cluster.types[t].name.clone(),
                        hint: if can_run {
                            " (`CanRun` keeps pods off node types without an execution model only)"
                        } else if sc.scheduler.profile == "skippy"
                            || sc.scheduler.profile == "kubernetes"
                        {
                            " (the scheduler profile has no `CanRun` predicate)"
                        } else {
                            " (the scheduler profile does not check time models)"
                        },
                    });
                }
            }
        }
    }
    Ok(())
}
