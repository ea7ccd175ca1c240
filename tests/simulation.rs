//! Behaviour of one simulated run: accounting, resources, life cycle order, cold starts,
//! image fallback and joined pulls.

mod common;

use common::{one_function, run, scenario_fixed_rate_pulls as scenario};
use faasim::engine::SimTime;
use faasim::metrics::InvocationStatus;

#[test]
fn every_arrival_ends_in_exactly_one_final_status() {
    for policy in ["drain", "cut"] {
        let text = one_function(
            "{ scale_min = 2, scale_max = 2 }",
            r#"exec = { exponential = { mean = 0.1 } }
concurrency = { http_watchdog = { workers = 1 } }"#,
            r#"rate = { constant = { rps = 40 } }"#,
            &format!("run = {{ horizon_s = 20, end_policy = \"{policy}\" }}\noutputs = {{ invocations = \"all\" }}"),
        );
        let out = run(&scenario(&text), 3);
        let r = &out.run;
        assert!(r.requests > 500, "{policy}: {} requests", r.requests);
        assert_eq!(
            r.completed + r.incomplete + r.rejected + r.timed_out,
            r.requests,
            "{policy}"
        );
        assert_eq!(out.invocations.len() as u64, r.requests);
        if policy == "cut" {
            assert!(
                r.incomplete > 0,
                "an overloaded cut run leaves requests in flight"
            );
        } else {
            assert_eq!(r.incomplete, 0, "drain finishes every request");
        }
        let ids: Vec<u64> = out.invocations.iter().map(|i| i.request_id).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "rows ordered by request_id"
        );
    }
}

#[test]
fn node_resources_never_go_negative_and_return_to_capacity_after_removal() {
    let text = one_function(
        "{ scale_min = 3, scale_max = 3 }",
        r#"requests = { cpu = "30", memory = "10Gi" }
exec = { exponential = { mean = 0.2 } }"#,
        r#"rate = { constant = { rps = 10 } }
max_requests = 100"#,
        r#"run = { horizon_s = 60 }
[[commands]]
at_s = 40
function = "f"
action = "remove""#,
    );
    let sc = scenario(&text);
    let model = faasim::model::Model::compile(&sc).unwrap();
    let mut sim = faasim::sim::Simulation::new(&model, 1);
    let capacity: Vec<(i64, i64)> = (0..sim.nodes().len())
        .map(|n| (sim.nodes().cpu_capacity[n], sim.nodes().mem_capacity[n]))
        .collect();
    let mut saw_reserved = false;
    while sim.step().unwrap() {
        let nodes = sim.nodes();
        for (n, cap) in capacity.iter().enumerate() {
            assert!(
                nodes.cpu_free()[n] >= 0 && nodes.mem_free()[n] >= 0,
                "node {n} at {}",
                sim.now()
            );
            saw_reserved |= nodes.cpu_free()[n] < cap.0;
        }
    }
    assert!(saw_reserved);
    for (n, cap) in capacity.iter().enumerate() {
        assert_eq!(
            (sim.nodes().cpu_free()[n], sim.nodes().mem_free()[n]),
            *cap,
            "node {n}"
        );
        assert_eq!(sim.nodes().pods()[n], 0);
    }
    let out = sim.finish(faasim::identity(&sc, 1, 0, "", vec![]));
    assert!(out.replicas.iter().all(|r| r.final_state == "removed"));
    assert_eq!(out.run.completed, 100);
}

#[test]
fn replica_lifecycle_times_are_monotone() {
    let text = one_function(
        "{ scale_min = 1, scale_max = 4 }",
        r#"startup = { constant = { value = 0.5 } }
setup = { uniform = { low = 0.1, high = 0.3 } }
teardown = { constant = { value = 0.2 } }"#,
        r#"rate = { constant = { rps = 5 } }
max_requests = 50"#,
        r#"run = { horizon_s = 30 }
[[commands]]
at_s = 0
function = "f"
action = "scale"
replicas = 2
[[commands]]
at_s = 20
function = "f"
action = "scale"
replicas = 1"#,
    );
    let out = run(&scenario(&text), 9);
    assert_eq!(out.replicas.len(), 2);
    for r in &out.replicas {
        let times = [
            r.created,
            r.scheduled,
            r.deploying,
            r.starting,
            r.setup_start,
            r.running,
            r.teardown,
            r.ended,
        ];
        let set: Vec<SimTime> = times.iter().copied().filter(|t| t.is_set()).collect();
        assert!(
            set.windows(2).all(|w| w[0] <= w[1]),
            "replica {}: {times:?}",
            r.replica_id
        );
        // Set times form a prefix of the life cycle, except teardown/ended of a replica that never ran.
        let first_unset = times
            .iter()
            .position(|t| !t.is_set())
            .unwrap_or(times.len());
        assert!(times[..first_unset].iter().all(|t| t.is_set()));
    }
    let removed = out
        .replicas
        .iter()
        .find(|r| r.final_state == "suspended")
        .expect("one scaled down");
    assert_eq!(removed.replica_id, 1, "newest replica is removed first");
    assert_eq!(removed.end_reason, Some("scale_down"));
    assert!(removed.ended.since(removed.teardown) >= SimTime::from_secs_f64(0.2));
}

#[test]
fn cold_start_request_waits_exactly_until_the_replica_runs() {
    let text = one_function(
        "{ scale_min = 0, scale_max = 3 }",
        r#"startup = { constant = { value = 0.5 } }
exec = { constant = { value = 1.0 } }"#,
        r#"start = 5.0
rate = { constant = { rps = 1 } }
arrivals = { static = {} }
max_requests = 1"#,
        r#"outputs = { invocations = "all" }"#,
    );
    let out = run(&scenario(&text), 1);
    let inv = &out.invocations[0];
    assert_eq!(inv.status, InvocationStatus::Completed);
    assert!(inv.cold);
    assert_eq!(inv.arrival, SimTime::from_secs_f64(6.0));
    let rep = &out.replicas[0];
    assert_eq!(
        rep.created, inv.arrival,
        "the arrival triggered scale-from-zero"
    );
    // 125 MB over a 1000 Mbit/s link = 1 s pull, then 0.5 s startup.
    assert_eq!(rep.running, SimTime::from_secs_f64(7.5));
    assert_eq!(inv.dispatch, rep.running);
    assert_eq!(
        inv.dispatch.since(inv.arrival),
        rep.running.since(rep.created)
    );
    assert_eq!(inv.end, SimTime::from_secs_f64(8.5));
    assert_eq!(out.run.cold_starts, 1);
    let router = out
        .scaling
        .iter()
        .find(|s| s.scaler == "router")
        .expect("router scale-up recorded");
    assert_eq!((router.applied, router.reason), (1, "cold_start"));
}

#[test]
fn unschedulable_image_falls_back_to_the_next_ranked_image_once() {
    let text = r#"
topology = { generator = "cluster", nodes = [{ type = "nuc", count = 2 }] }
[[images]]
name = "big"
variants = [{ arch = "x86", size = "10M" }]
[[images]]
name = "small"
variants = [{ arch = "x86", size = "10M" }]
[[functions]]
name = "f"
images = ["big", "small"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 1 }
[[deployments.containers]]
image = "big"
requests = { cpu = "64", memory = "1Gi" }
[[deployments.containers]]
image = "small"
requests = { cpu = "1", memory = "1Gi" }
[[workloads]]
function = "f"
rate = { constant = { rps = 1 } }
max_requests = 3
"#;
    let out = run(&scenario(text), 1);
    assert_eq!(out.replicas.len(), 2);
    let (a, b) = (&out.replicas[0], &out.replicas[1]);
    assert_eq!(
        (a.final_state, a.end_reason, a.attempt),
        ("failed", Some("unschedulable"), 0)
    );
    assert_eq!((b.attempt, b.parent_replica_id), (1, Some(0)));
    assert_eq!(out.names.images[b.image as usize], "small:latest");
    assert_eq!(out.run.completed, 3);
    assert_eq!(out.placements.len(), 2);
    assert_eq!(out.placements[0].failure_reason, Some("PodFitsResources"));
    assert_eq!(out.run.replicas_failed, 1);
}

#[test]
fn concurrent_pulls_of_one_image_on_one_node_share_the_transfer() {
    let text = r#"
topology = { generator = "cluster", nodes = [{ type = "server", count = 1 }] }
[[images]]
name = "img"
variants = [{ arch = "x86", size = "125M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 2, scale_max = 2 }
[[deployments.containers]]
image = "img"
[[workloads]]
function = "f"
rate = { constant = { rps = 1 } }
max_requests = 1
"#;
    let out = run(&scenario(text), 1);
    let (a, b) = (&out.replicas[0], &out.replicas[1]);
    assert_eq!(
        (a.pull_bytes, a.pull_joined),
        (Some(125_000_000), Some(false))
    );
    assert_eq!((b.pull_bytes, b.pull_joined), (Some(0), Some(true)));
    assert_eq!(a.running, SimTime::from_secs_f64(1.0));
    assert_eq!(
        b.running, a.running,
        "the joined replica waited for the same transfer"
    );
    assert_eq!(out.run.flows, 1);
}

#[test]
fn round_robin_spreads_requests_evenly_over_running_replicas() {
    let text = one_function(
        "{ scale_min = 3, scale_max = 3 }",
        "",
        r#"start = "after_ready"
rate = { constant = { rps = 10 } }
arrivals = { static = {} }
max_requests = 30"#,
        "",
    );
    let out = run(&scenario(&text), 1);
    let served: Vec<u64> = out.replicas.iter().map(|r| r.requests_served).collect();
    assert_eq!(served, vec![10, 10, 10]);
    assert_eq!(
        out.run.cold_starts, 0,
        "after_ready starts once every deployment runs"
    );
}

#[test]
fn the_same_seed_gives_identical_rows_and_another_seed_differs() {
    let text = one_function(
        "{ scale_min = 2, scale_max = 2 }",
        r#"exec = { lognormal = { s = 0.5, scale = 0.2 } }
concurrency = { http_watchdog = { workers = 2 } }"#,
        r#"rate = { sine = { max_rps = 40, period_s = 10 } }"#,
        "run = { horizon_s = 30 }\noutputs = { invocations = \"all\" }",
    );
    let sc = scenario(&text);
    let strip = |mut o: faasim::metrics::RunOutput| {
        o.run.wall_time_s = None;
        o.run.events_per_s = None;
        format!("{o:?}")
    };
    let a = strip(run(&sc, 11));
    let b = strip(run(&sc, 11));
    let c = strip(run(&sc, 12));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn switching_invocation_rows_on_changes_no_other_table() {
    let base = one_function(
        "{ scale_min = 2, scale_max = 2 }",
        r#"exec = { exponential = { mean = 0.3 } }
concurrency = { http_watchdog = { workers = 1 } }"#,
        r#"rate = { constant = { rps = 8 } }"#,
        "run = { horizon_s = 20 }\noutputs = { invocations = \"off\" }",
    );
    let sampled = base.replace("invocations = \"off\"", "invocations = { sample = 0.5 }");
    let all = base.replace("invocations = \"off\"", "invocations = \"all\"");
    let rows = |text: &str| {
        let mut o = run(&scenario(text), 5);
        let n = o.invocations.len();
        o.invocations.clear();
        o.enabled.invocations = false;
        o.run.wall_time_s = None;
        o.run.events_per_s = None;
        o.run.id = Default::default();
        (format!("{o:?}"), n, o.run.requests as usize)
    };
    let (a, n_off, _) = rows(&base);
    let (b, n_half, requests) = rows(&sampled);
    let (c, n_all, _) = rows(&all);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!((n_off, n_all), (0, requests));
    assert!(
        n_half > requests * 4 / 10 && n_half < requests * 6 / 10,
        "{n_half} of {requests} sampled"
    );
}

#[test]
fn adding_a_function_leaves_another_functions_arrivals_unchanged() {
    let one = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "",
        r#"rate = { constant = { rps = 5 } }"#,
        "run = { horizon_s = 10 }\noutputs = { invocations = \"all\" }",
    );
    let two = format!(
        "{one}\n[[functions]]\nname = \"g\"\nimages = [\"img\"]\n[[deployments]]\nfunction = \"g\"\n[[deployments.containers]]\nimage = \"img\"\n[[workloads]]\nfunction = \"g\"\nrate = {{ constant = {{ rps = 7 }} }}\n"
    );
    let arrivals = |text: &str| -> Vec<SimTime> {
        run(&scenario(text), 21)
            .invocations
            .iter()
            .filter(|i| i.function == 0)
            .map(|i| i.arrival)
            .collect()
    };
    let a = arrivals(&one);
    assert!(a.len() > 20);
    assert_eq!(a, arrivals(&two));
}

#[test]
fn gpu_image_goes_to_a_free_gpu_and_falls_back_to_cpu_when_none_is_free() {
    let text = r#"
scheduler = { profile = "skippy", skippy = { predicates = ["PodFitsResources", "CheckNodeLabelPresence", "NodeHasAccelerator", "NodeHasFreeGpu"] } }
topology = { generator = "cluster", nodes = [{ type = "server", count = 1 }, { type = "tx2", count = 1 }] }
[[images]]
name = "inf-gpu"
variants = [{ arch = "x86", size = "10M" }, { arch = "aarch64", size = "10M" }]
[[images]]
name = "inf-cpu"
variants = [{ arch = "x86", size = "10M" }, { arch = "aarch64", size = "10M" }]
[[functions]]
name = "inf"
images = ["inf-gpu", "inf-cpu"]
[[deployments]]
function = "inf"
scaling = { scale_min = 2, scale_max = 2 }
[[deployments.containers]]
image = "inf-gpu"
labels = { "device.edgerun.io/accelerator" = "GPU" }
[[deployments.containers]]
image = "inf-cpu"
[[workloads]]
function = "inf"
rate = { constant = { rps = 2 } }
max_requests = 4
"#;
    let out = run(&scenario(text), 1);
    let node =
        |r: &faasim::metrics::ReplicaRow| r.node.map(|n| out.names.nodes[n as usize].clone());
    let image = |r: &faasim::metrics::ReplicaRow| out.names.images[r.image as usize].clone();
    assert_eq!(out.replicas.len(), 3);
    assert_eq!(
        (image(&out.replicas[0]), node(&out.replicas[0])),
        ("inf-gpu:latest".into(), Some("tx2_0".into()))
    );
    assert_eq!(
        out.replicas[1].final_state, "failed",
        "the only GPU is taken"
    );
    // The server lacks a GPU, the TX2's GPU is taken: one rejection each, the earlier predicate
    // in list order is reported as the reason.
    let rejections: Vec<(&str, u32)> = out.placements[1]
        .rejections
        .iter()
        .filter(|(_, c)| *c > 0)
        .copied()
        .collect();
    assert_eq!(
        rejections,
        vec![("NodeHasAccelerator", 1), ("NodeHasFreeGpu", 1)]
    );
    assert_eq!(out.placements[1].failure_reason, Some("NodeHasAccelerator"));
    assert_eq!(image(&out.replicas[2]), "inf-cpu:latest");
    assert_eq!(out.replicas[2].parent_replica_id, Some(1));
    assert_eq!(out.run.completed, 4);
}

/// Places every pod on the highest-numbered node where it fits.
struct LastFit;

impl faasim::scheduler::Scheduler for LastFit {
    fn profile(&self) -> &'static str {
        "last-fit"
    }

    fn schedule(
        &mut self,
        pod: &faasim::scheduler::Pod,
        ctx: &faasim::scheduler::SchedContext,
        out: &mut faasim::scheduler::Decision,
    ) {
        let nodes = &ctx.cluster.nodes;
        out.nodes_total = nodes.len() as u32;
        out.node = (0..nodes.len())
            .rev()
            .find(|&n| {
                nodes.cpu_free()[n] >= pod.cpu_millis && nodes.mem_free()[n] >= pod.memory_bytes
            })
            .map(|n| n as u32);
        out.feasible = u32::from(out.node.is_some());
    }
}

#[test]
fn a_user_written_scheduler_plugs_into_a_run() {
    let text = one_function(
        "{ scale_min = 2, scale_max = 2 }",
        "",
        r#"rate = { constant = { rps = 4 } }
max_requests = 8"#,
        "",
    );
    let sc = scenario(&text);
    let model = faasim::model::Model::compile(&sc).unwrap();
    let sim = faasim::sim::Simulation::with_scheduler(&model, 1, |cluster| {
        assert_eq!(cluster.nodes.len(), 2);
        Box::new(LastFit)
    });
    let out = sim.run(faasim::identity(&sc, 1, 0, "", vec![]));
    assert_eq!(out.placements.len(), 2);
    assert!(out.placements.iter().all(|p| p.profile == "last-fit"));
    assert!(
        out.replicas.iter().all(|r| r.node == Some(1)),
        "both on the last node"
    );
    assert_eq!(out.run.completed, 8);
}

/// Four identical nodes: every candidate scores the same, so the best three are the first three
/// nodes skippy visits (rotation from `start_index` 0), with the chosen node first.
const FOUR_IDENTICAL_NODES: &str = r#"
topology = { generator = "cluster", nodes = [{ type = "nuc", count = 4 }] }
[[images]]
name = "img"
variants = [{ arch = "x86", size = "10M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 1 }
[[deployments.containers]]
image = "img"
requests = { cpu = "1", memory = "1Gi" }
[[workloads]]
function = "f"
rate = { constant = { rps = 1 } }
max_requests = 1
"#;

#[test]
fn explain_top_k_records_the_best_candidates_of_each_decision() {
    let text = format!("{FOUR_IDENTICAL_NODES}\n[scheduler]\nexplain_top_k = 3\n");
    let out = run(&scenario(&text), 1);
    let p = &out.placements[0];
    let candidates = p
        .candidates
        .as_ref()
        .expect("explain_top_k > 0 writes candidates");
    let nodes: Vec<u32> = candidates.iter().map(|c| c.node).collect();
    assert_eq!(nodes, [0, 1, 2]);
    assert_eq!(p.node, Some(0));
    for c in candidates {
        assert_eq!(Some(c.total), p.total_score, "identical nodes score alike");
        assert_eq!(
            c.scores[..],
            p.scores[..],
            "same breakdown as the chosen node"
        );
    }
}

#[test]
fn candidates_are_absent_when_explain_top_k_is_zero() {
    let out = run(&scenario(FOUR_IDENTICAL_NODES), 1);
    assert!(out.placements.iter().all(|p| p.candidates.is_none()));
}

#[test]
fn replica_churn_reuses_slots_so_the_table_is_bounded_by_the_replicas_alive_at_once() {
    // Sparse requests, keep-alive 1 s and scale to zero: nearly every request creates a replica
    // that ends a second after its request.
    let text = one_function(
        r#"{ scale_min = 0, scale_max = 4, keepalive = { fixed = { keepalive_s = 1 } } }"#,
        r#"startup = { constant = { value = 0.5 } }
exec = { exponential = { mean = 0.05 } }"#,
        r#"rate = { constant = { rps = 0.2 } }
arrivals = { poisson = {} }"#,
        r#"run = { horizon_s = 2000 }
outputs = { replicas = true }"#,
    );
    let sc = scenario(&text);
    let model = faasim::model::Model::compile(&sc).unwrap();
    let mut sim = faasim::sim::Simulation::new(&model, 1);
    let mut peak_held = 0;
    while sim.step().unwrap() {
        let (held, allocated) = sim.replica_slots();
        peak_held = peak_held.max(held);
        assert!(
            allocated <= peak_held.max(1),
            "{allocated} slots for {peak_held} replicas"
        );
    }
    let created = sim.replicas_created();
    assert!(created > 200, "{created} replicas created");
    assert!(peak_held <= 4, "{peak_held} replicas held at once");
    let out = sim.finish(faasim::identity(&sc, 1, 0, "", vec![]));
    let ids: Vec<u32> = out.replicas.iter().map(|r| r.replica_id).collect();
    assert_eq!(
        ids,
        (0..created).collect::<Vec<_>>(),
        "one row per replica, in creation order"
    );
}
