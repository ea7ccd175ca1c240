//! `FunctionTable`: per-function run-time state — the deployment's containers in ranking order,
//! the eligible replica list, the cold-start queue, balancer, RNG streams and counters.

use super::balancer::LoadBalancer;
use super::replicas::ReplicaId;
use crate::cluster::{Cluster, ImageId};
use crate::config::{Labels, ScalingConfig, Scenario, TimeModelSpec};
use crate::engine::{stream_rng, SimRng, SimTime};
use crate::execution::{Concurrency, DurationSampler};
use crate::metrics::LatencyHistogram;
use std::collections::VecDeque;

/// Latency metrics kept per function, in `latency_histograms` order.
pub const HIST_METRICS: [&str; 6] = ["wait", "queue", "exec", "response", "cold_wait", "pull"];
/// Index of each metric in [`HIST_METRICS`].
pub mod metric {
    /// dispatch − arrival.
    pub const WAIT: usize = 0;
    /// start − dispatch.
    pub const QUEUE: usize = 1;
    /// end − start.
    pub const EXEC: usize = 2;
    /// end − arrival.
    pub const RESPONSE: usize = 3;
    /// wait of cold requests.
    pub const COLD_WAIT: usize = 4;
    /// deploy-phase duration of replicas.
    pub const PULL: usize = 5;
}

/// Samplers of one phase by node type id (`None`: no model for that type).
pub type PhaseModel = Vec<Option<DurationSampler>>;

/// One container of a deployment, compiled.
#[derive(Debug)]
pub struct ContainerRt {
    /// Image id.
    pub image: ImageId,
    /// CPU request, millicores.
    pub cpu: i64,
    /// Memory request, bytes.
    pub mem: i64,
    /// Pod labels: function labels overlaid by container labels.
    pub labels: Labels,
    /// Execution time by node type.
    pub exec: PhaseModel,
    /// Startup phase by node type.
    pub startup: PhaseModel,
    /// Setup phase by node type.
    pub setup: PhaseModel,
    /// Teardown phase by node type.
    pub teardown: PhaseModel,
    /// Concurrency model.
    pub concurrency: Concurrency,
    /// Cap on live replicas of this image: `floor(function_factor × scale_max)`.
    pub cap: u32,
    /// Index of the deployment's container in the scenario (for config lookups).
    pub config_index: usize,
    /// Used CPU of a replica besides its invocations, millicores.
    pub idle_cpu: u64,
    /// Used CPU of each executing invocation, millicores.
    pub cpu_per_invocation: u64,
    /// Used memory of a replica from Starting on, bytes.
    pub memory_usage: u64,
}

/// Counters of one function's requests.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestCounters {
    /// Arrivals.
    pub requests: u64,
    /// Completed.
    pub completed: u64,
    /// Rejected.
    pub rejected: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Incomplete at the end.
    pub incomplete: u64,
    /// Cold requests.
    pub cold: u64,
}

/// Run-time state of one function (deployed or not).
#[derive(Debug)]
pub struct FunctionRt {
    /// Name.
    pub name: String,
    /// Index of its deployment in the scenario, if any.
    pub deployment: Option<usize>,
    /// Containers in ranking order.
    pub containers: Vec<ContainerRt>,
    /// Scaling configuration.
    pub scaling: ScalingConfig,
    /// Deploy time.
    pub deploy_at: SimTime,
    /// Deployed and not removed.
    pub active: bool,
    /// Removed.
    pub removed: bool,
    /// Running, non-draining replicas in id order.
    pub eligible: Vec<ReplicaId>,
    /// Balancer state.
    pub lb: LoadBalancer,
    /// Requests waiting for a replica (request slots, FIFO).
    pub cold_queue: VecDeque<u32>,
    /// Live replicas.
    pub live: u32,
    /// Replicas in state Running (a replica entering Teardown leaves this count).
    pub running: u32,
    /// Live replicas (Conceived … Running) in id order.
    pub live_ids: Vec<ReplicaId>,
    /// Live replicas per container.
    pub live_per_container: Vec<u32>,
    /// Pods created (for pod names).
    pub pods_created: u32,
    /// Arrival counter (`fn_seq`).
    pub arrivals: u64,
    /// `exec/<f>` stream.
    pub rng_exec: SimRng,
    /// `startup/<f>` stream.
    pub rng_startup: SimRng,
    /// `setup/<f>` stream.
    pub rng_setup: SimRng,
    /// `teardown/<f>` stream.
    pub rng_teardown: SimRng,
    /// `lb/<f>` stream.
    pub rng_lb: SimRng,
    /// Request counters.
    pub counts: RequestCounters,
    /// Histograms in [`HIST_METRICS`] order.
    pub hist: [LatencyHistogram; 6],
    /// ∫ live replicas dt (replica·ns).
    pub live_integral: u128,
    /// ∫ Running replicas dt.
    pub running_integral: u128,
    /// Last time `live`/`running` changed.
    pub last_count_change: SimTime,
    /// Maximum live replicas.
    pub replicas_max: u32,
    /// Scale-up actions.
    pub scale_ups: u32,
    /// Scale-down actions.
    pub scale_downs: u32,
    /// Failed placements.
    pub placements_failed: u32,
}

impl FunctionRt {
    /// Adds `dt × count` to the replica-count integrals; call before changing a count.
    #[inline]
    pub fn integrate_counts(&mut self, now: SimTime) {
        let dt = now.since(self.last_count_change).0 as u128;
        self.live_integral += dt * self.live as u128;
        self.running_integral += dt * self.running as u128;
        self.last_count_change = now;
    }
}

fn compile_phase(spec: &TimeModelSpec, cluster: &Cluster) -> PhaseModel {
    cluster
        .types
        .iter()
        .map(|t| spec.for_node_type(&t.name).map(DurationSampler::new))
        .collect()
}

/// Builds the function table of a validated scenario.
pub fn build_functions(
    sc: &Scenario,
    cluster: &Cluster,
    seed: u64,
) -> Result<Vec<FunctionRt>, String> {
    let mut out = Vec::with_capacity(sc.functions.len());
    for f in &sc.functions {
        let dep_index = sc.deployments.iter().position(|d| d.function == f.name);
        let mut containers = Vec::new();
        let (scaling, deploy_at) = match dep_index {
            Some(di) => {
                let d = &sc.deployments[di];
                // Ranking: explicit list, else container order.
                let order: Vec<usize> = match &d.ranking {
                    Some(r) => r
                        .images
                        .iter()
                        .map(|img| {
                            let n = crate::cluster::normalize_image_name(img);
                            d.containers
                                .iter()
                                .position(|c| crate::cluster::normalize_image_name(&c.image) == n)
                                .ok_or_else(|| {
                                    format!(
                                        "deployments[{di}].ranking.images: `{img}` has no container"
                                    )
                                })
                        })
                        .collect::<Result<_, _>>()?,
                    None => (0..d.containers.len()).collect(),
                };
                for ci in order {
                    let c = &d.containers[ci];
                    let image = cluster.images.id(&c.image).ok_or_else(|| {
                        format!("deployments[{di}].containers[{ci}].image: `{}` is not declared in [[images]]", c.image)
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
                                (crate::cluster::normalize_image_name(k)
                                    == crate::cluster::normalize_image_name(&c.image))
                                .then_some(*v)
                            })
                        })
                        .unwrap_or(1.0);
                    containers.push(ContainerRt {
                        image,
                        cpu: c.requests.cpu.0 as i64,
                        mem: c.requests.memory.0 as i64,
                        concurrency: Concurrency::from_config(c.concurrency.as_ref(), &labels),
                        labels,
                        exec: compile_phase(&c.exec, cluster),
                        startup: compile_phase(&c.startup, cluster),
                        setup: compile_phase(&c.setup, cluster),
                        teardown: compile_phase(&c.teardown, cluster),
                        cap: (factor * d.scaling.scale_max as f64).floor() as u32,
                        config_index: ci,
                        idle_cpu: c.idle_cpu.0,
                        cpu_per_invocation: c.cpu_per_invocation.unwrap_or(c.requests.cpu).0,
                        memory_usage: c.memory_usage.unwrap_or(c.requests.memory).0,
                    });
                }
                (d.scaling.clone(), SimTime::from_secs_f64(d.deploy_at_s))
            }
            None => (ScalingConfig::default(), SimTime::ZERO),
        };
        let n_containers = containers.len();
        out.push(FunctionRt {
            name: f.name.clone(),
            deployment: dep_index,
            containers,
            scaling,
            deploy_at,
            active: false,
            removed: false,
            eligible: Vec::new(),
            lb: LoadBalancer::new(sc.routing.balancer),
            cold_queue: VecDeque::new(),
            live: 0,
            running: 0,
            live_ids: Vec::new(),
            live_per_container: vec![0; n_containers],
            pods_created: 0,
            arrivals: 0,
            rng_exec: stream_rng(seed, &format!("exec/{}", f.name)),
            rng_startup: stream_rng(seed, &format!("startup/{}", f.name)),
            rng_setup: stream_rng(seed, &format!("setup/{}", f.name)),
            rng_teardown: stream_rng(seed, &format!("teardown/{}", f.name)),
            rng_lb: stream_rng(seed, &format!("lb/{}", f.name)),
            counts: RequestCounters::default(),
            hist: Default::default(),
            live_integral: 0,
            running_integral: 0,
            last_count_change: SimTime::ZERO,
            replicas_max: 0,
            scale_ups: 0,
            scale_downs: 0,
            placements_failed: 0,
        });
    }
    Ok(out)
}
