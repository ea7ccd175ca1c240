//! Workload and function keys end to end (`docs/workloads.md`, `docs/scenario.md`):
//! `zero_rate_step_s` of the `static` process, and the per-function defaults of the
//! containers' time models.

mod common;

use common::{one_function, run, scenario};

/// Arrival times (seconds) of a `static` workload over a curve that is zero until 10 s and 2
/// requests/s after; `static_keys` are the process's keys.
fn static_arrivals(static_keys: &str) -> Vec<f64> {
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "",
        &format!(
            "rate = {{ steps = {{ points = [[0, 0], [10, 2]] }} }}\narrivals = {{ static = {{ {static_keys} }} }}\nmax_requests = 5"
        ),
        "outputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    out.invocations
        .iter()
        .map(|r| r.arrival.as_secs_f64())
        .collect()
}

#[test]
fn a_zero_rate_steps_by_zero_rate_step_s() {
    // r = 0 at 0, 4 and 8: three steps of 4 s; from 12 on, r = 2: gaps of 0.5 s.
    assert_eq!(
        static_arrivals("zero_rate_step_s = 4"),
        [4.0, 8.0, 12.0, 12.5, 13.0]
    );
    // Unset, the step is 1 s: arrivals at 1, 2, …, 10, then 10.5.
    assert_eq!(static_arrivals(""), [1.0, 2.0, 3.0, 4.0, 5.0]);
    // `max_ia` wins over the step.
    assert_eq!(
        static_arrivals("zero_rate_step_s = 4, max_ia = 6"),
        [6.0, 12.0, 12.5, 13.0, 13.5]
    );
}

#[test]
fn zero_rate_step_s_must_be_a_positive_time() {
    for step in ["0", "-1"] {
        let text = one_function(
            "{ scale_min = 1 }",
            "",
            &format!(
                "rate = {{ constant = {{ rps = 1 }} }}\narrivals = {{ static = {{ zero_rate_step_s = {step} }} }}\nmax_requests = 1"
            ),
            "",
        );
        let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
        assert_eq!(
            e.key_path, "workloads[0].arrivals.static.zero_rate_step_s",
            "{e}"
        );
    }
}

/// A one-function scenario on one server whose function carries `function_keys`
/// and whose single container carries `container_keys`; five requests one second apart.
fn with_function_defaults(function_keys: &str, container_keys: &str) -> String {
    format!(
        r#"
name = "function-defaults"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 1 }}] }}
outputs = {{ invocations = "all" }}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "10M" }}]

[[functions]]
name = "f"
images = ["img"]
{function_keys}

[[deployments]]
function = "f"
scaling = {{ scale_min = 1, scale_max = 1 }}
[[deployments.containers]]
image = "img"
{container_keys}

[[workloads]]
function = "f"
rate = {{ constant = {{ rps = 1 }} }}
arrivals = {{ static = {{}} }}
start = "after_ready"
max_requests = 3
"#
    )
}

/// Execution times of the run's requests and the first replica's startup.
fn exec_and_startup(text: &str) -> (Vec<f64>, f64) {
    let out = run(&scenario(text), 1);
    assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
    let exec = out
        .invocations
        .iter()
        .map(|r| r.end.since(r.start).as_secs_f64())
        .collect();
    let r = &out.replicas[0];
    (exec, r.setup_start.since(r.starting).as_secs_f64())
}

#[test]
fn a_container_without_a_model_takes_its_functions_default() {
    // The function says 0.3 s per request and 2 s of startup; the container says nothing.
    let text = with_function_defaults(
        "exec = { constant = { value = 0.3 } }\nstartup = { constant = { value = 2.0 } }",
        "",
    );
    assert_eq!(exec_and_startup(&text), (vec![0.3; 3], 2.0));
    // The container's own model wins; the function's startup still applies.
    let text = with_function_defaults(
        "exec = { constant = { value = 0.3 } }\nstartup = { constant = { value = 2.0 } }",
        "exec = { constant = { value = 0.7 } }",
    );
    assert_eq!(exec_and_startup(&text), (vec![0.7; 3], 2.0));
    // A container with models for other node types only falls back to the function's default
    // on a server (lookup: container by type, container default, function by type, function
    // default).
    let text = with_function_defaults(
        "exec = { default = { constant = { value = 0.3 } }, by_node_type = { server = { constant = { value = 0.4 } } } }",
        "exec = { by_node_type = { tx2 = { constant = { value = 5.0 } } } }",
    );
    assert_eq!(exec_and_startup(&text).0, vec![0.4; 3]);
    // Neither says anything: 1 s and 0 s, as before function defaults existed.
    assert_eq!(
        exec_and_startup(&with_function_defaults("", "")),
        (vec![1.0; 3], 0.0)
    );
}

#[test]
fn function_defaults_leave_the_run_id_of_scenarios_without_them_unchanged() {
    // The container's resolved models are what the canonical form holds: writing the built-in
    // defaults out, or inheriting them, gives the same run id.
    let implicit = scenario(&with_function_defaults("", ""));
    let explicit = scenario(&with_function_defaults(
        "",
        "exec = { constant = { value = 1.0 } }\nstartup = { constant = { value = 0.0 } }",
    ));
    assert_eq!(
        faasim::run::canonical_json(&implicit),
        faasim::run::canonical_json(&explicit)
    );
}

#[test]
fn a_bad_function_default_is_reported_at_the_functions_key() {
    let text = with_function_defaults("exec = { uniform = { low = 2, high = 1 } }", "");
    let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
    assert!(e.key_path.starts_with("functions[0].exec"), "{e}");
}
