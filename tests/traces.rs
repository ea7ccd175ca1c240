//! Traces and recorded arrivals in a run: the Azure fixtures' per-minute counts and recorded
//! arrival times come out of the simulation exactly, trace functions get template deployments,
//! a trace enters the run id by content, and every arrival process keeps its rate over a long
//! fixed-seed run.

mod common;

use common::{run, scenario};
use faasim::metrics::RunOutput;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/azure");

/// A scenario whose only workload is `trace` (a `[[traces]]` body without `deployment_template`).
fn trace_scenario(trace: &str, extra: &str) -> String {
    format!(
        r#"
name = "trace"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 2 }}] }}
outputs = {{ invocations = "all" }}
{extra}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "10M" }}]

[[traces]]
{trace}
deployment_template.container = {{ image = "img", requests = {{ cpu = "100m", memory = "64Mi" }} }}
deployment_template.scaling = {{ scale_min = 1, scale_max = 1 }}
"#
    )
}

/// Arrivals per (function name, minute of the run).
fn per_minute(out: &RunOutput, minutes: usize) -> Vec<(String, Vec<u32>)> {
    let mut by_fn: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    for r in &out.invocations {
        let name = out.names.functions[r.function as usize].clone();
        let m = (r.arrival.as_secs_f64() / 60.0) as usize;
        by_fn.entry(name).or_insert_with(|| vec![0; minutes])[m] += 1;
    }
    by_fn.into_iter().collect()
}

#[test]
fn the_2019_fixture_replays_its_per_minute_counts_exactly_in_the_run() {
    let text = trace_scenario(
        &format!(
            "format = \"azure2019\"\ndir = \"{FIXTURES}/2019\"\nminutes = 6\nsynthesis = \"uniform\""
        ),
        "",
    );
    for seed in [1, 2, 3] {
        let out = run(&scenario(&text), seed);
        assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
        assert_eq!(
            per_minute(&out, 6),
            [
                ("az19-f1".to_string(), vec![2, 0, 1, 1, 1, 1]),
                ("az19-f2".to_string(), vec![0, 3, 0, 0, 0, 4]),
                ("az19-f3".to_string(), vec![0, 0, 0, 5, 0, 0]),
            ],
            "seed {seed}"
        );
    }
}

#[test]
fn equidistant_2019_arrivals_and_template_deployments_follow_the_trace() {
    let text = trace_scenario(
        &format!(
            "format = \"azure2019\"\ndir = \"{FIXTURES}/2019\"\nminutes = 3\nsynthesis = \"equidistant\"\nselect = {{ top = {{ count = 2 }} }}"
        ),
        "",
    );
    let sc = scenario(&text);
    let model = faasim::model::Model::compile(&sc).unwrap();
    let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["az19-f1", "az19-f2"]);
    // The application's 100th memory percentile, 160 MiB, replaces the template's 64 Mi.
    for f in &model.functions {
        assert_eq!(f.containers[0].mem, 167_772_160, "{}", f.name);
    }
    let out = run(&sc, 1);
    let mut got: Vec<(f64, String)> = out
        .invocations
        .iter()
        .map(|r| {
            (
                r.arrival.as_secs_f64(),
                out.names.functions[r.function as usize].clone(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let want = [
        (15.0, "az19-f1"),
        (45.0, "az19-f1"),
        (70.0, "az19-f2"),
        (90.0, "az19-f2"),
        (110.0, "az19-f2"),
        (150.0, "az19-f1"),
    ];
    assert_eq!(
        got,
        want.map(|(t, f)| (t, f.to_string())),
        "the spec's worked example"
    );
}

#[test]
fn a_2021_replay_gives_the_recorded_arrival_times() {
    let text = trace_scenario(
        &format!(
            "format = \"azure2021\"\ndir = \"{FIXTURES}/2021/AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt\"\nwindow_s = 3600"
        ),
        "",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
    let mut got: Vec<(f64, String)> = out
        .invocations
        .iter()
        .map(|r| {
            (
                r.arrival.as_secs_f64(),
                out.names.functions[r.function as usize].clone(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        got,
        [
            (9.0, "az21-a1-f1".to_string()),
            (10.0, "az21-a1-f1".to_string()),
            (10.75, "az21-a2-f9".to_string()),
        ]
    );
    // Each request executes for its recorded duration (unbounded concurrency, isolated CPUs),
    // whatever the template's `exec` says.
    let mut execs: Vec<(f64, f64)> = out
        .invocations
        .iter()
        .map(|r| (r.arrival.as_secs_f64(), r.end.since(r.start).as_secs_f64()))
        .collect();
    execs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(execs, [(9.0, 3.0), (10.0, 0.5), (10.75, 0.25)]);
}

#[test]
fn a_cold_penalty_lengthens_only_each_replicas_first_request() {
    let text = common::one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 1.0 } }\ncold_penalty = { constant = { value = 2.5 } }",
        "rate = { constant = { rps = 0.1 } }\narrivals = { static = {} }\nstart = \"after_ready\"\nmax_requests = 4",
        "outputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    let execs: Vec<f64> = out
        .invocations
        .iter()
        .map(|r| r.end.since(r.start).as_secs_f64())
        .collect();
    assert_eq!(execs, [3.5, 1.0, 1.0, 1.0]);
}

#[test]
fn recorded_arrivals_replay_at_their_times_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("arrivals.csv");
    std::fs::write(
        &csv,
        "t_s,function,duration_s\n0.5,f,0.2\n1.0,g,\n2.25,f,\n2.25,f,4\n",
    )
    .unwrap();
    let text = common::one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "",
        &format!(
            "arrivals = {{ replay = \"{}\" }}\nstart = 10",
            csv.display()
        ),
        "outputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    let times: Vec<f64> = out
        .invocations
        .iter()
        .map(|r| r.arrival.as_secs_f64())
        .collect();
    assert_eq!(times, [10.5, 12.25, 12.25]);
    // A recorded duration replaces the container's exec model (1 s); an empty one keeps it.
    let execs: Vec<f64> = out
        .invocations
        .iter()
        .map(|r| r.end.since(r.start).as_secs_f64())
        .collect();
    assert_eq!(execs, [0.2, 1.0, 4.0]);
}

/// Copies the 2019 fixture directory to `to`.
fn copy_fixture(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(format!("{FIXTURES}/2019")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_trace_enters_the_run_id_by_content_not_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    copy_fixture(&a);
    copy_fixture(&b);
    let id = |p: &Path| {
        let text = trace_scenario(
            &format!(
                "format = \"azure2019\"\ndir = \"{}\"\nminutes = 3",
                p.display()
            ),
            "",
        );
        faasim::identity(&scenario(&text), 1, 0, "", Vec::new()).run_id
    };
    assert_eq!(id(&a), id(&b), "moving a trace keeps the run id");
    let counts = b.join("invocations_per_function_md.anon.d01.csv");
    let text = std::fs::read_to_string(&counts)
        .unwrap()
        .replace("o1,a1,f1,http,2,0,1", "o1,a1,f1,http,2,0,2");
    std::fs::write(&counts, text).unwrap();
    assert_ne!(id(&a), id(&b), "editing a count changes it");
}

#[test]
fn thousands_of_trace_functions_set_up_from_one_template() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5000;
    let mut counts = String::from("HashOwner,HashApp,HashFunction,Trigger,1\n");
    let mut durations = String::from(
        "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n",
    );
    for i in 0..n {
        counts.push_str(&format!("o,a{i},fn{i:08},http,{}\n", 1 + i % 3));
        durations.push_str(&format!(
            "o,a{i},fn{i:08},100,1,10,500,10,20,50,100,200,400,500\n"
        ));
    }
    std::fs::write(
        dir.path().join("invocations_per_function_md.anon.d01.csv"),
        counts,
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join("function_durations_percentiles.anon.d01.csv"),
        durations,
    )
    .unwrap();
    let text = trace_scenario(
        &format!(
            "format = \"azure2019\"\ndir = \"{}\"\nminutes = 1",
            dir.path().display()
        ),
        "topology = { generator = \"cluster\", nodes = [{ type = \"server\", count = 200 }] }",
    )
    .replacen(
        "topology = { generator = \"cluster\", nodes = [{ type = \"server\", count = 2 }] }\n",
        "",
        1,
    );
    let sc = scenario(&text);
    let started = std::time::Instant::now();
    let model = faasim::model::Model::compile(&sc).unwrap();
    let compile_s = started.elapsed().as_secs_f64();
    assert_eq!(model.functions.len(), n);
    assert!(
        compile_s < 10.0,
        "compiling {n} trace functions took {compile_s} s"
    );
    let out = run(&sc, 1);
    assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
    assert_eq!(
        out.run.requests,
        (0..n as u64).map(|i| 1 + i % 3).sum::<u64>()
    );
}

/// Requests of a one-function run with `rate` and `arrivals` over `horizon_s`.
fn requests(rate: &str, arrivals: &str, horizon_s: f64) -> f64 {
    let text = common::one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 0.001 } }",
        &format!("rate = {rate}\narrivals = {arrivals}"),
        &format!("run = {{ horizon_s = {horizon_s}, end_policy = \"cut\" }}"),
    );
    run(&scenario(&text), 7).run.requests as f64
}

// Each statistical check states its tolerance; 1 % of ≈ 10⁵ expected arrivals is about three
// standard deviations of a Poisson count.

#[test]
fn each_arrival_process_keeps_its_rate_over_a_long_fixed_seed_run() {
    // Evenly spaced: exact (the first request comes one gap after 0, none at the horizon).
    assert_eq!(
        requests("{ constant = { rps = 50 } }", "{ static = {} }", 2000.0),
        99_999.0
    );
    // Poisson at a constant rate: within 1 %.
    let n = requests("{ constant = { rps = 50 } }", "{ poisson = {} }", 2000.0);
    assert!((n / 100_000.0 - 1.0).abs() < 0.01, "poisson {n}");
    // Exact thinning of a sine: its integral over whole periods, max_rps/2 × length, within 1 %.
    let n = requests(
        "{ sine = { max_rps = 100, period_s = 100 } }",
        "{ poisson_exact = {} }",
        2000.0,
    );
    assert!((n / 100_000.0 - 1.0).abs() < 0.01, "sine {n}");
    // A ramp from 0 to 100 over 1000 s, then 100: integral 50 000 + 50 000, within 1 %.
    let n = requests(
        "{ ramp = { from_rps = 0, to_rps = 100, duration_s = 1000 } }",
        "{ poisson_exact = {} }",
        1500.0,
    );
    assert!((n / 100_000.0 - 1.0).abs() < 0.01, "ramp {n}");
    // Bursts of 200/s for 5 s every 50 s over a base of 10/s: mean 29/s, within 1 %.
    let n = requests(
        "{ bursts = { base_rps = 10, burst_rps = 200, length_s = 5, every_s = 50 } }",
        "{ poisson_exact = {} }",
        3500.0,
    );
    assert!((n / (29.0 * 3500.0) - 1.0).abs() < 0.01, "bursts {n}");
    // A random walk held in [40, 60]: the rate over time is the harmonic mean of a uniform
    // state, 20 / ln 1.5 ≈ 49.33/s, within 2 % (the walk's own variance adds to Poisson's).
    let n = requests(
        "{ random_walk = { mu = 50, sigma = 2, max_rps = 60, min_rps = 40 } }",
        "{ poisson = {} }",
        2000.0,
    );
    let expected = 2000.0 * 20.0 / 1.5f64.ln();
    assert!(
        (n / expected - 1.0).abs() < 0.02,
        "random walk {n} vs {expected}"
    );
}

#[test]
fn after_all_ready_waits_for_scale_min_running_replicas_of_every_deployment() {
    // Three replicas whose setup takes a random 1–20 s: the load starts when the last is up.
    let text = common::one_function(
        "{ scale_min = 3, scale_max = 3 }",
        "setup = { uniform = { low = 1, high = 20 } }",
        "rate = { constant = { rps = 10 } }\nstart = \"after_all_ready\"\nduration_s = 5",
        "outputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 4);
    let last_up = out
        .replicas
        .iter()
        .map(|r| r.running)
        .max()
        .expect("three replicas");
    let first_up = out.replicas.iter().map(|r| r.running).min().unwrap();
    assert!(last_up > first_up, "setup times differ");
    let first_arrival = out.invocations.iter().map(|r| r.arrival).min().unwrap();
    assert!(
        first_arrival > last_up,
        "first arrival {first_arrival:?} before the third replica ran at {last_up:?}"
    );
}
