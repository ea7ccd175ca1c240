//! Shared CPUs (`execution.cpu_model = "shared"`), the watchdog's queue limit and pull-mode
//! routing (`routing.mode = "pull"`), end to end (`docs/workloads.md`, `docs/model.md`).

mod common;

use common::{one_function, run, scenario};
use faasim::metrics::{InvocationStatus, RunOutput};
use faasim::model::Model;
use faasim::sim::Simulation;

/// One replica of share 1 (a CPU request of one core) whose requests take `work` seconds alone,
/// executing every request at once; `n` requests one second apart once it is Running.
fn shared_cpu_run(n: u32, work: f64, cpu_model: &str) -> RunOutput {
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        &format!(
            "requests = {{ cpu = \"1\", memory = \"256Mi\" }}\nexec = {{ constant = {{ value = {work} }} }}\nconcurrency = \"unbounded\""
        ),
        &format!(
            "rate = {{ constant = {{ rps = 1 }} }}\narrivals = {{ static = {{}} }}\nstart = \"after_ready\"\nmax_requests = {n}"
        ),
        &format!("execution = {{ cpu_model = \"{cpu_model}\" }}\noutputs = {{ invocations = \"all\" }}"),
    );
    run(&scenario(&text), 1)
}

/// `(end − first arrival, slowdown)` of each request, in arrival order.
fn ends(out: &RunOutput) -> Vec<(f64, f64)> {
    let first = out.invocations[0].arrival;
    out.invocations
        .iter()
        .map(|i| {
            assert_eq!(i.status, InvocationStatus::Completed);
            assert_eq!(i.start, i.arrival, "every request starts at once");
            (
                i.end.since(first).as_secs_f64(),
                i.slowdown.expect("a completed request has a slowdown"),
            )
        })
        .collect()
}

fn assert_close(got: &[(f64, f64)], want: &[(f64, f64)]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.0 - w.0).abs() < 1e-6 && (g.1 - w.1).abs() < 1e-6,
            "got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn two_overlapping_requests_share_the_replica_and_finish_when_hand_computed() {
    // Work 2 s each, arrivals at 0 and 1. Until 1 the first runs alone (1 s left); then both
    // run at 1/2: the first ends at 1 + 1/(1/2) = 3, the second has 1 s left at 3 and ends at 4.
    assert_close(
        &ends(&shared_cpu_run(2, 2.0, "shared")),
        &[(3.0, 1.5), (4.0, 1.5)],
    );
}

#[test]
fn three_overlapping_requests_finish_when_hand_computed() {
    // Arrivals at 0, 1, 2, work 2 s each. At 2: A has 0.5 s left, B 1.5 s, C 2 s, each at 1/3,
    // so A ends at 3.5; B (1 s left) and C (1.5 s) run at 1/2, B ends at 5.5; C (0.5 s) ends at 6.
    assert_close(
        &ends(&shared_cpu_run(3, 2.0, "shared")),
        &[(3.5, 1.75), (5.5, 2.25), (6.0, 2.0)],
    );
}

#[test]
fn isolated_cpus_take_exactly_the_sample() {
    assert_close(
        &ends(&shared_cpu_run(3, 2.0, "isolated")),
        &[(2.0, 1.0), (3.0, 1.0), (4.0, 1.0)],
    );
}

#[test]
fn a_watchdog_queue_limit_rejects_what_does_not_fit() {
    // One worker, room for two in the queue: of five requests at one instant, one executes,
    // two wait and two are rejected.
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 10 } }\nconcurrency = { http_watchdog = { workers = 1, queue_limit = 2 } }",
        "arrivals = { batch = { count = 5 } }\nstart = \"after_ready\"",
        "outputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!((out.run.completed, out.run.rejected), (3, 2));
    let rejected: Vec<u64> = out
        .invocations
        .iter()
        .filter(|i| i.status == InvocationStatus::Rejected)
        .map(|i| i.fn_seq)
        .collect();
    assert_eq!(rejected, vec![3, 4], "the last two of the batch");
    assert!(out
        .invocations
        .iter()
        .filter(|i| i.status == InvocationStatus::Rejected)
        .all(|i| i.reject_reason == Some("queue_full")));
}

/// A function scaled by `per_request`, two workers per replica: a light load while the first
/// replica starts, then six times what one replica serves.
fn per_request_scenario(mode: &str) -> String {
    one_function(
        "{ scale_min = 0, scale_max = 8, autoscaler = \"per_request\" }",
        "exec = { exponential = { mean = 0.5 } }\nconcurrency = { http_watchdog = { workers = 2 } }",
        "rate = { steps = { points = [[0, 0.2], [30, 24]] } }\nmax_requests = 600",
        &format!("routing = {{ mode = \"{mode}\" }}"),
    )
}

#[test]
fn pull_mode_never_leaves_an_idle_replica_beside_waiting_work() {
    let sc = scenario(&per_request_scenario("pull"));
    let model = Model::compile(&sc).unwrap();
    let mut sim = Simulation::new(&model, 7);
    let mut waited = false;
    while sim.step().unwrap() {
        assert_eq!(
            sim.idle_replica_beside_waiting_work(),
            None,
            "at t = {}",
            sim.now()
        );
        waited |= sim.waiting_requests(0) > 0;
    }
    assert!(waited, "the load makes requests wait");
}

#[test]
fn per_request_scaling_reacts_to_load_in_pull_mode() {
    let created = |mode: &str| {
        let sc = scenario(&per_request_scenario(mode));
        let model = Model::compile(&sc).unwrap();
        let mut sim = Simulation::new(&model, 7);
        while sim.step().unwrap() {}
        sim.replicas_created()
    };
    // Push mode queues on busy replicas, so per_request only scales from zero.
    let (push, pull) = (created("push"), created("pull"));
    assert!(
        pull > push && pull > 1,
        "pull created {pull} replicas, push {push}"
    );
}

#[test]
fn the_contention_experiment_slows_requests_down_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("contention");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(["run", "experiments/contention.toml", "--seed", "1", "--out"])
        .arg(&out_dir)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let Some(python) = std::env::var_os("FAASIM_PYTHON") else {
        eprintln!("skipping the plot: set FAASIM_PYTHON to a python with polars and matplotlib (scripts/test.sh does)");
        return;
    };
    let plot = std::process::Command::new(python)
        .arg(root.join("scripts/plot_contention.py"))
        .arg(&out_dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&plot.stdout);
    assert!(
        plot.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&plot.stderr)
    );
    let bytes = std::fs::read(out_dir.join("contention.png")).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    // The table's last row (highest load) shows requests slower than their work.
    let last = text.lines().rev().nth(1).unwrap();
    let slowdown: f64 = last.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(slowdown > 1.1, "slowdown at the highest load: {last}");
}
