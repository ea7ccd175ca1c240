//! Contended CPUs (`execution.cpu_model = "contended"`; the older names "shared" and
//! "isolated" are used here too), degradation by co-location, the watchdog's queue limit and
//! pull-mode routing (`routing.mode = "pull"`), end to end (`docs/workloads.md`,
//! `docs/model.md`).

mod common;

use common::{one_function, run, scenario};
use faasim::metrics::{InvocationStatus, RunOutput};
use faasim::model::Model;
use faasim::sim::Simulation;

/// One replica of share 1 (a CPU request of one core) whose requests take `work` seconds alone,
/// executing every request at once; `n` requests one second apart once it is Running.
fn shared_cpu_run(n: u32, work: f64, cpu_model: &str) -> RunOutput {
    cpu_run(n, work, &format!("cpu_model = \"{cpu_model}\""))
}

/// As [`shared_cpu_run`], with `execution` the keys of the `execution` table.
fn cpu_run(n: u32, work: f64, execution: &str) -> RunOutput {
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        &format!(
            "requests = {{ cpu = \"1\", memory = \"256Mi\" }}\nexec = {{ constant = {{ value = {work} }} }}\nconcurrency = \"unbounded\""
        ),
        &format!(
            "rate = {{ constant = {{ rps = 1 }} }}\narrivals = {{ static = {{}} }}\nstart = \"after_ready\"\nmax_requests = {n}"
        ),
        &format!("execution = {{ {execution} }}\noutputs = {{ invocations = \"all\" }}"),
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
        &ends(&shared_cpu_run(2, 2.0, "contended")),
        &[(3.0, 1.5), (4.0, 1.5)],
    );
}

#[test]
fn three_overlapping_requests_finish_when_hand_computed() {
    // Arrivals at 0, 1, 2, work 2 s each. At 2: A has 0.5 s left, B 1.5 s, C 2 s, each at 1/3,
    // so A ends at 3.5; B (1 s left) and C (1.5 s) run at 1/2, B ends at 5.5; C (0.5 s) ends at 6.
    assert_close(
        &ends(&shared_cpu_run(3, 2.0, "contended")),
        &[(3.5, 1.75), (5.5, 2.25), (6.0, 2.0)],
    );
}

#[test]
fn linear_degradation_multiplies_a_sample_by_the_other_requests_computing_at_its_start() {
    // Work 2.5 s, arrivals at 0, 1, 2, 3; f = min(1.8, 1 + 0.5·o). A: o = 0, ends at 2.5.
    // B (at 1): o = 1 (A), f = 1.5, 3.75 s, ends at 4.75. C (at 2): o = 2 (A, B), f = 1.8 (the
    // cap), 4.5 s, ends at 6.5. D (at 3): o = 2 (B, C; A ended at 2.5), f = 1.8, ends at 7.5.
    let execution = "degradation = { linear = { alpha = 0.5, max_factor = 1.8 } }";
    assert_close(
        &ends(&cpu_run(4, 2.5, execution)),
        &[(2.5, 1.0), (4.75, 1.5), (6.5, 1.8), (7.5, 1.8)],
    );
}

#[test]
fn a_degradation_table_is_read_by_node_type_and_its_last_factor_holds() {
    // Work 1.5 s, arrivals at 0, 1, 2 on a server; factors [1, 2]. A: o = 0, ends at 1.5.
    // B (at 1): o = 1, f = 2, ends at 4. C (at 2): o = 1 (B), f = 2, ends at 5.
    let table = "degradation = { table = { by_node_type = { server = [1.0, 2.0] } } }";
    assert_close(
        &ends(&cpu_run(3, 1.5, table)),
        &[(1.5, 1.0), (4.0, 2.0), (5.0, 2.0)],
    );
    // A node type without a list is not slowed down.
    let other = "degradation = { table = { by_node_type = { nuc = [1.0, 2.0] } } }";
    assert_close(
        &ends(&cpu_run(3, 1.5, other)),
        &[(1.5, 1.0), (2.5, 1.0), (3.5, 1.0)],
    );
}

#[test]
fn under_contended_cpus_the_degraded_sample_is_the_work_that_is_shared() {
    // Work 2 s, arrivals at 0 and 1 on one replica of share 1. A runs alone until 1 (1 s
    // left). B starts with o = 1: f = 1.5, work 3 s. Both at 1/2: A ends at 3; B has 2 s left
    // and runs alone until 5. Slowdown = elapsed over the undegraded sample: 3/2 and 4/2.
    let execution = "cpu_model = \"contended\", degradation = { linear = { alpha = 0.5 } }";
    assert_close(
        &ends(&cpu_run(2, 2.0, execution)),
        &[(3.0, 1.5), (5.0, 2.0)],
    );
}

#[test]
fn degradation_factors_are_checked_with_their_key_path() {
    for (degradation, path) in [
        (
            "{ table = { by_node_type = { server = [] } } }",
            "execution.degradation.table.by_node_type.server",
        ),
        (
            "{ table = { by_node_type = { server = [1.0, 0.0] } } }",
            "execution.degradation.table.by_node_type.server[1]",
        ),
        (
            "{ table = { by_node_type = { nosuch = [1.0] } } }",
            "execution.degradation.table.by_node_type.nosuch",
        ),
        (
            "{ linear = { alpha = 1, max_factor = 0.5 } }",
            "execution.degradation.linear.max_factor",
        ),
    ] {
        let text = one_function(
            "{ scale_min = 1 }",
            "",
            "rate = { constant = { rps = 1 } }\nmax_requests = 1",
            &format!("execution = {{ degradation = {degradation} }}"),
        );
        let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
        assert_eq!(e.key_path, path, "{e}");
    }
}

#[test]
fn isolated_cpus_take_exactly_the_sample() {
    assert_close(
        &ends(&shared_cpu_run(3, 2.0, "ignored")),
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

/// Four replicas of one core each on one NUC (4 cores), each executing two requests of 10 s
/// work at once (a batch of eight), with the resource monitor sampling every second.
fn saturated_nuc(cpu_model: &str) -> RunOutput {
    saturated_nuc_with(&format!("cpu_model = \"{cpu_model}\""), 8)
}

/// [`saturated_nuc`] with the `execution` table's keys `execution` and a batch of `batch`.
fn saturated_nuc_with(execution: &str, batch: u32) -> RunOutput {
    let text = format!(
        r#"
name = "saturated"
topology = {{ generator = "cluster", nodes = [{{ type = "nuc", count = 1 }}] }}
execution = {{ {execution} }}
routing = {{ balancer = "least_outstanding" }}
outputs = {{ invocations = "all", utilization = {{ enabled = true, per_replica = true }} }}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "10M" }}]

[[functions]]
name = "f"
images = ["img"]

[[deployments]]
function = "f"
scaling = {{ scale_min = 4, scale_max = 4 }}
[[deployments.containers]]
image = "img"
requests = {{ cpu = "1", memory = "256Mi" }}
exec = {{ constant = {{ value = 10.0 }} }}
concurrency = "unbounded"

[[workloads]]
function = "f"
start = "after_all_ready"
arrivals = {{ batch = {{ count = {batch} }} }}
"#
    );
    run(&scenario(&text), 1)
}

/// `cpu_util` of the node rows and of the replica rows whose whole interval lies in
/// `[from, to]`.
fn utilisation_within(out: &RunOutput, from: f64, to: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut node, mut replica) = (Vec::new(), Vec::new());
    for u in &out.utilization {
        let t = u.t.as_secs_f64();
        if t - 1.0 >= from && t <= to {
            match u.replica {
                None => node.push(u.cpu_util),
                Some(_) => replica.push(u.cpu_util),
            }
        }
    }
    (node, replica)
}

#[test]
fn an_oversubscribed_node_under_shared_cpus_is_exactly_fully_utilised() {
    // Shared: each busy replica uses its share, one core, so the node uses its four cores and
    // no more: utilisation 1.0 (node) and 1.0 of each replica's request, while the eight
    // requests progress at 1/2 and all end 20 s after the batch.
    let out = saturated_nuc("contended");
    let start = out.invocations[0].start.as_secs_f64();
    assert!(out
        .invocations
        .iter()
        .all(|i| i.start.as_secs_f64() == start));
    assert!(out
        .invocations
        .iter()
        .all(|i| (i.end.as_secs_f64() - start - 20.0).abs() < 1e-6));
    let (node, replica) = utilisation_within(&out, start, start + 20.0);
    assert!(node.len() >= 18, "{node:?}");
    assert!(node.iter().all(|&u| u == 1.0), "{node:?}");
    assert_eq!(replica.len(), 4 * node.len());
    assert!(replica.iter().all(|&u| u == 1.0), "{replica:?}");
    assert!(out.utilization.iter().all(|u| u.cpu_util <= 1.0));
    // Isolated: each executing request books its CPU request, 8 cores on a 4-core node, for
    // the 10 s the requests take.
    let out = saturated_nuc("isolated");
    let start = out.invocations[0].start.as_secs_f64();
    let (node, _) = utilisation_within(&out, start, start + 10.0);
    assert!(
        !node.is_empty() && node.iter().all(|&u| u == 2.0),
        "{node:?}"
    );
}

#[test]
fn a_cpu_share_above_the_request_oversubscribes_the_node() {
    // Four replicas requesting one core each but competing with two (`cpu_share`): one request
    // each, L = 8 > C = 4, so each runs at 4/8 and its 10 s of work take 20 s. Each replica
    // uses 2000 × 4/8 = 1000 millicores: the node is at exactly 1.0.
    let out = saturated_nuc_with("cpu_model = \"contended\", cpu_share = { img = 2.0 }", 4);
    let start = out.invocations[0].start.as_secs_f64();
    for i in &out.invocations {
        assert!((i.end.as_secs_f64() - start - 20.0).abs() < 1e-6, "{i:?}");
        assert!((i.slowdown.unwrap() - 2.0).abs() < 1e-9);
    }
    let (node, replica) = utilisation_within(&out, start, start + 20.0);
    assert!(
        node.len() >= 18 && node.iter().all(|&u| u == 1.0),
        "{node:?}"
    );
    assert!(replica.iter().all(|&u| u == 1.0), "{replica:?}");
    // Without it the four fit the four cores and take their 10 s.
    let out = saturated_nuc_with("cpu_model = \"contended\"", 4);
    let start = out.invocations[0].start.as_secs_f64();
    assert!(out
        .invocations
        .iter()
        .all(|i| (i.end.as_secs_f64() - start - 10.0).abs() < 1e-6));
}

/// Execution times (end − start) of a one-function run on servers with `extra` top-level keys.
fn exec_times(extra: &str) -> Vec<f64> {
    let text = one_function(
        "{ scale_min = 2, scale_max = 2 }",
        "exec = { lognormal = { s = 0.5, scale = 0.2, bounds = [0.05, 1.0] } }\nconcurrency = \"unbounded\"",
        "rate = { constant = { rps = 5 } }\narrivals = { poisson = {} }\nstart = \"after_ready\"\nmax_requests = 200",
        &format!("outputs = {{ invocations = \"all\" }}\n{extra}"),
    );
    run(&scenario(&text), 3)
        .invocations
        .iter()
        .map(|i| i.end.since(i.start).as_secs_f64())
        .collect()
}

#[test]
fn a_node_speed_factor_multiplies_every_execution_sample_on_its_node_type() {
    let base = exec_times("");
    let slow = exec_times("execution = { speed_factor = { server = 2.5 } }");
    assert_eq!(base.len(), 200);
    assert_eq!(slow.len(), 200);
    // The same random numbers, each sample (and the truncation bounds) times 2.5.
    for (b, s) in base.iter().zip(&slow) {
        assert!((s - 2.5 * b).abs() < 3e-9, "{s} vs 2.5 × {b}");
    }
    // A factor on a node type the run does not use changes nothing.
    assert_eq!(
        exec_times("execution = { speed_factor = { nuc = 2.5 } }"),
        base
    );
    // The scheduler's `ExecutionTime` estimate sees the scaled model too.
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 0.4 } }",
        "rate = { constant = { rps = 1 } }\nmax_requests = 1",
        "execution = { speed_factor = { server = 0.5 } }",
    );
    let model = Model::compile(&scenario(&text)).unwrap();
    let c = &model.functions[0].containers[0];
    assert_eq!(
        c.pod.container.exec.for_node_type("server").unwrap().mean(),
        0.2
    );
    let server = model
        .cluster
        .types
        .iter()
        .position(|t| t.name == "server")
        .unwrap();
    assert_eq!(c.exec[server].as_ref().unwrap().mean_secs(), 0.2);
}

#[test]
fn a_node_speed_factor_multiplies_recorded_trace_durations() {
    let text = format!(
        r#"
name = "speed"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 1 }}] }}
execution = {{ speed_factor = {{ server = 0.5 }} }}
outputs = {{ invocations = "all" }}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "10M" }}]

[[traces]]
format = "azure2021"
dir = "{}/tests/fixtures/azure/2021/AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt"
window_s = 3600
deployment_template.container = {{ image = "img", concurrency = "unbounded" }}
deployment_template.scaling = {{ scale_min = 1, scale_max = 1 }}
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    let out = run(&scenario(&text), 1);
    let mut execs: Vec<(f64, f64)> = out
        .invocations
        .iter()
        .map(|r| (r.arrival.as_secs_f64(), r.end.since(r.start).as_secs_f64()))
        .collect();
    execs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    // Recorded 3.0, 0.5 and 0.25 s, on a node twice as fast.
    assert_eq!(execs, [(9.0, 1.5), (10.0, 0.25), (10.75, 0.125)]);
}

#[test]
fn speed_factors_name_a_node_type_and_are_positive() {
    for (set, key) in [
        ("{ nosuch = 2.0 }", "execution.speed_factor.nosuch"),
        ("{ server = 0.0 }", "execution.speed_factor.server"),
    ] {
        let text = one_function(
            "{ scale_min = 1, scale_max = 1 }",
            "",
            "rate = { constant = { rps = 1 } }\nmax_requests = 1",
            &format!("execution = {{ speed_factor = {set} }}"),
        );
        let e = faasim::config::parse_scenario(&text, "<t>")
            .unwrap_err()
            .to_string();
        assert!(e.contains(key), "{e}");
    }
}
