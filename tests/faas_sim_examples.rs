//! faas-sim's examples, as shipped in `experiments/faas-sim/`, behave as faas-sim's runs of them
//! did (docs/migrating-from-faas-sim.md): the same placements, the same replica start times and
//! the same per-invocation timings, except where a scenario's header says it differs on purpose.

mod common;

use faasim::config::Scenario;
use faasim::metrics::{InvocationStatus, RunOutput};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> Scenario {
    let path = root()
        .join("experiments/faas-sim")
        .join(format!("{name}.toml"));
    faasim::config::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(name: &str) -> RunOutput {
    let out = common::run(&load(name), 1);
    assert_eq!(out.run.status.as_str(), "ok", "{name}: {:?}", out.run.error);
    out
}

fn function_id(out: &RunOutput, name: &str) -> u32 {
    out.names.functions.iter().position(|f| f == name).unwrap() as u32
}

fn node_name(out: &RunOutput, node: Option<u32>) -> &str {
    out.names.nodes[node.expect("placed") as usize].as_str()
}

/// Seconds since the start of the run, for comparisons to faas-sim's printed times.
fn s(t: faasim::engine::SimTime) -> f64 {
    t.as_secs_f64()
}

/// Seconds from `a` to `b`, computed in whole nanoseconds (exact for the durations compared here).
fn between(a: faasim::engine::SimTime, b: faasim::engine::SimTime) -> f64 {
    (b.0 - a.0) as f64 / 1e9
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// When the replica of `function` became Running.
fn running_at(out: &RunOutput, function: &str) -> f64 {
    let f = function_id(out, function);
    let r = out.replicas.iter().find(|r| r.function == f).unwrap();
    s(r.running)
}

// faas-sim's basic example, derived from its model (scheduling latency 0, as `scheduler.latency`
// defaults to):
//
// 1. Placement. skippy's default priorities put both pods on `server_0`: the cloudlet servers
//    are reached over fiber, so LatencyAwareImageLocality scores them highest, and the first
//    maximum wins. python-pi is scheduled first (it is deployed first), then resnet50-inference
//    with its first-ranked image, `resnet50-inference-gpu`. Both pulls start at t = 0.
// 2. Pulls (docs/network.md). Route registry → internet → down_cloudlet_0 (1000 Mbit/s) →
//    switch_cloudlet_0 → switch_lan of rack 0 → link_server_0 (1000 Mbit/s) → server_0; three of
//    its edges carry the `lan` latency, whose mode is 0.500306 ms, so rtt = 2 × 3 × 0.500306 =
//    3.001837 ms and the connection set-up takes 1.5 × rtt = 4.5027548 ms. Both flows become
//    active at 0.0045027548 s and share the 1000 Mbit/s links: 500 Mbit/s each, a goodput of
//    500 × 125 000 × 0.97 = 60 625 000 B/s. resnet50's 56 000 000 bytes end at
//    0.0045027548 + 56e6 / 60.625e6 = 0.928214 s. python-pi has then 2 000 000 of its 58 000 000
//    bytes left, alone at 1000 Mbit/s (121 250 000 B/s): it ends 0.016495 s later, at 0.944709 s.
// 3. Replicas. Startup and setup take 0 s, so each replica is Running when its pull ends.
// 4. Requests. faas-sim's benchmark polled every 0.5 s: at 0 and 0.5 no replica ran; at 1.0 both
//    did, and it invoked 10 + 10 requests: t_start = 1.0, t_wait = 0, t_exec = 1.0 (the default
//    simulator's `timeout(1)`, all at once), so each ended at 2.0. In faasim the requests arrive
//    at t = 0 and check for a Running replica every 0.5 s (`routing.cold_start_poll_s`): the
//    check at 1.0 dispatches them, so dispatch = start = 1.0, exec = 1.0, end = 2.0 and queue = 0,
//    as in faas-sim; `wait_s` counts the second before the dispatch (1.0), which faas-sim spent in
//    its benchmark before calling `invoke` and so reported as t_wait = 0.
const PULL_END_RESNET_S: f64 = 0.928214;
const PULL_END_PYTHON_PI_S: f64 = 0.944709;

#[test]
fn basic_pulls_end_as_in_faas_sim_and_every_invocation_starts_at_1_and_ends_at_2() {
    let out = run("basic");
    assert!(
        close(
            running_at(&out, "resnet50-inference"),
            PULL_END_RESNET_S,
            5e-7
        ),
        "resnet50-inference pull ended at {}",
        running_at(&out, "resnet50-inference")
    );
    assert!(
        close(running_at(&out, "python-pi"), PULL_END_PYTHON_PI_S, 5e-7),
        "python-pi pull ended at {}",
        running_at(&out, "python-pi")
    );
    assert_eq!(out.invocations.len(), 20);
    for inv in &out.invocations {
        assert_eq!(inv.status, InvocationStatus::Completed);
        assert_eq!(s(inv.arrival), 0.0);
        assert_eq!(s(inv.dispatch), 1.0, "faas-sim t_start");
        assert_eq!(s(inv.start), 1.0);
        assert_eq!(s(inv.end), 2.0);
        assert_eq!(between(inv.dispatch, inv.end), 1.0, "faas-sim t_exec");
        assert_eq!(
            between(inv.arrival, inv.dispatch),
            1.0,
            "wait: faas-sim's poll"
        );
        assert_eq!(node_name(&out, inv.node), "server_0");
    }
}

#[test]
fn basic_places_both_replicas_on_server_0_and_dispatches_at_the_first_poll_after_the_pull() {
    let out = run("basic");
    assert_eq!(out.placements.len(), 2);
    for p in &out.placements {
        assert_eq!(node_name(&out, p.node), "server_0");
        assert_eq!(s(p.t), 0.0);
    }
    let gpu = out
        .names
        .images
        .iter()
        .position(|i| i == "resnet50-inference-gpu:latest")
        .unwrap() as u32;
    assert_eq!(
        out.placements[1].image, gpu,
        "the ranking prefers the GPU image"
    );
    for inv in &out.invocations {
        let f = &out.names.functions[inv.function as usize];
        let ready = running_at(&out, f);
        // The first multiple of 0.5 s at or after the replica ran.
        let poll = (ready / 0.5).ceil() * 0.5;
        assert_eq!(s(inv.dispatch), poll, "{f}");
        assert_eq!(s(inv.start), poll);
        assert_eq!(s(inv.end), poll + 1.0);
    }
}

#[test]
fn request_gen_sends_100_poisson_requests_after_the_replica_runs_and_drains_them_all() {
    let out = run("request_gen");
    assert_eq!(out.run.requests, 100);
    assert_eq!(
        out.run.completed, 100,
        "faas-sim dropped the ones in flight"
    );
    let ready = running_at(&out, "python-pi");
    let first = s(out.invocations[0].arrival);
    let last = s(out.invocations[99].arrival);
    assert!(first > ready);
    // 99 gaps of mean 1/20 s: about 5 s.
    assert!((3.0..7.0).contains(&(last - first)), "{first}..{last}");
    assert!(out
        .invocations
        .iter()
        .all(|i| between(i.start, i.end) == 1.0 && !i.cold));
}

#[test]
fn custom_function_sim_starts_replicas_in_10_s_and_times_invocations_per_node_type() {
    let out = run("custom_function_sim");
    for f in ["python-pi", "resnet50-inference"] {
        let r = &out.replicas[function_id(&out, f) as usize];
        assert_eq!(between(r.starting, r.running), 10.0, "{f}: startup");
    }
    for inv in &out.invocations {
        let f = out.names.functions[inv.function as usize].as_str();
        let node = node_name(&out, inv.node);
        let expected = match f {
            "python-pi" if node.starts_with("rpi3") => 20.0,
            "python-pi" => 2.0,
            _ => 0.5,
        };
        assert_eq!(between(inv.start, inv.end), expected, "{f} on {node}");
        // Dispatched on the 0.5 s poll after the replica ran (pull + 10 s).
        let poll = (running_at(&out, f) / 0.5).ceil() * 0.5;
        assert_eq!(s(inv.dispatch), poll);
    }
}

#[test]
fn custom_scheduler_draws_nodes_at_random_but_the_same_for_the_same_seed() {
    let a = run("custom_scheduler");
    let b = run("custom_scheduler");
    assert!(a.placements.iter().all(|p| p.profile == "random"));
    let nodes = |o: &RunOutput| o.placements.iter().map(|p| p.node).collect::<Vec<_>>();
    assert_eq!(nodes(&a), nodes(&b));
    assert_eq!(a.run.completed, 20);
}

#[test]
fn watchdogs_queue_inference_behind_four_workers_and_fork_every_training_request() {
    let out = run("watchdogs");
    let inference = function_id(&out, "resnet50-inference");
    let mut queued: Vec<f64> = out
        .invocations
        .iter()
        .filter(|i| i.function == inference)
        .map(|i| between(i.dispatch, i.start))
        .collect();
    queued.sort_by(f64::total_cmp);
    let rounded: Vec<f64> = queued.iter().map(|q| (q * 1e6).round() / 1e6).collect();
    // Ten requests of 0.2 s on four workers: four start at once, four 0.2 s later, two 0.4 s later.
    assert_eq!(rounded, [0.0, 0.0, 0.0, 0.0, 0.2, 0.2, 0.2, 0.2, 0.4, 0.4]);
    let training = function_id(&out, "resnet50-training");
    for i in out.invocations.iter().filter(|i| i.function == training) {
        assert_eq!(s(i.start), s(i.dispatch), "forking: no queue");
        assert_eq!(between(i.start, i.end), 7.0);
    }
    let r = &out.replicas[0];
    assert_eq!(
        between(r.starting, r.running),
        1.0,
        "training starts in 1 s"
    );
}

#[test]
fn hetero_runs_on_100_devices_and_the_request_rate_scaler_really_scales() {
    let out = run("hetero");
    assert_eq!(out.names.nodes.len(), 100, "{:?}", out.names.nodes);
    let speech = function_id(&out, "speech-inference");
    let ups: i32 = out
        .scaling
        .iter()
        .filter(|r| r.function == speech && r.scaler == "request_rate" && r.applied > 0)
        .map(|r| r.applied)
        .sum();
    assert!(ups >= 10, "speech inference scaled up by {ups}");
    // Each of the five functions started with scale_min = 5 replicas.
    let deployed: i32 = out
        .scaling
        .iter()
        .filter(|r| r.scaler == "lifecycle" && r.action == "deploy")
        .map(|r| r.applied)
        .sum();
    assert_eq!(deployed, 25);
    // The accelerator images land on accelerator boards.
    let tpu = out
        .names
        .images
        .iter()
        .position(|i| i.contains("mobilenet-inference-tpu"))
        .unwrap() as u32;
    for p in out
        .placements
        .iter()
        .filter(|p| p.image == tpu && p.node.is_some())
    {
        assert!(node_name(&out, p.node).starts_with("coral"));
    }
}

/// The Python interpreter with polars (`./scripts/test.sh` sets `FAASIM_PYTHON`).
fn python() -> Option<String> {
    if let Ok(p) = std::env::var("FAASIM_PYTHON") {
        return Some(p);
    }
    let ok = Command::new("python3")
        .args(["-c", "import polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3".into());
    }
    eprintln!("skipping: no python with polars (run ./scripts/test.sh)");
    None
}

fn faasim(args: &[&str], dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "faasim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn analysis_script_prints_faas_sims_mean_exec_time_from_the_tables() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("analysis");
    let o = out.to_str().unwrap();
    faasim(
        &[
            "run",
            "experiments/faas-sim/analysis.toml",
            "--seed",
            "1",
            "--out",
            o,
            "-q",
        ],
        &root(),
    );
    let script = Command::new(py)
        .arg(root().join("scripts/faas_sim_analysis.py"))
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&script.stdout);
    assert!(
        script.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&script.stderr)
    );
    // python-pi takes 2 s on server_0, resnet50-inference 0.5 s: (10 × 2 + 10 × 0.5) / 20 = 1.25,
    // which faas-sim's `%d` printed as 1.
    assert!(stdout.contains("Mean exec time 1\n"), "{stdout}");
    assert!(
        stdout.contains("exactly 1.250000 s over 20 invocations"),
        "{stdout}"
    );
    for frame in [
        "invocations_df",
        "schedule_df",
        "replica_deployment_df",
        "fets_df",
    ] {
        assert!(stdout.contains(frame), "{stdout}");
    }
}
