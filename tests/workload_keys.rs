//! Workload keys end to end (`docs/workloads.md`, `docs/scenario.md`): `zero_rate_step_s` of
//! the `static` process.

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
