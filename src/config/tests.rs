//! Specification tests of the scenario format as a whole: defaults, time-model forms and means.

use super::*;
use std::collections::BTreeMap;

/// A complete valid scenario, shared by the format and validation tests.
pub(crate) const EXAMPLE: &str = r#"
name = "basic"
run = { horizon_s = 60 }
topology = { generator = "cluster", nodes = [{ type = "server", count = 2 }, { type = "tx2", count = 2 }] }

[[images]]
name = "python-pi-cpu"
variants = [{ arch = "x86", size = "58M" }, { arch = "aarch64", size = "58M" }]

[[functions]]
name = "python-pi"
images = ["python-pi-cpu"]

[[deployments]]
function = "python-pi"
scaling = { scale_min = 1, scale_max = 5 }
[[deployments.containers]]
image = "python-pi-cpu"
requests = { cpu = "500m", memory = "256Mi" }
exec = { constant = { value = 1.0 } }
concurrency = { http_watchdog = { workers = 4 } }

[[workloads]]
function = "python-pi"
rate = { constant = { rps = 20 } }
arrivals = { poisson = {} }
max_requests = 100
"#;

#[test]
fn a_full_valid_scenario_parses_with_defaults_filled() {
    let sc = parse_scenario(EXAMPLE, "basic.toml").unwrap();
    assert_eq!(sc.name, "basic");
    assert_eq!(sc.run.horizon_s, Some(60.0));
    assert_eq!(sc.run.end_policy, EndPolicy::Drain);
    assert_eq!(sc.run.drain_timeout_s, 300.0);
    assert_eq!(sc.run.max_events, None);

    assert_eq!(sc.topology.lan_size, 20);
    assert_eq!(sc.topology.label_scheme(), "ether");
    assert_eq!(sc.topology.nodes[1].node_type, "tx2");
    assert_eq!(sc.topology.nodes[1].count, 2);

    assert_eq!(sc.images[0].variants[1].size, Size(58_000_000));

    let d = &sc.deployments[0];
    assert_eq!((d.scaling.scale_min, d.scaling.scale_max), (1, 5));
    assert_eq!(d.scaling.scale_factor, 1);
    assert_eq!(d.scaling.rps_threshold, 20.0);
    assert_eq!(d.scaling.alert_window, 50.0);
    assert_eq!(d.scaling.target_average_utilization, 0.5);
    assert_eq!(d.scaling.target_queue_length, 75.0);
    assert!(!d.scaling.scale_zero);
    assert!(d.ranking.is_none());
    assert_eq!(d.deploy_at_s, 0.0);
    let c = &d.containers[0];
    assert_eq!(c.requests.cpu, Cpu(500));
    assert_eq!(c.requests.memory, Size(256 * 1024 * 1024));
    assert_eq!(c.exec, TimeModelSpec::constant(1.0));
    assert_eq!(c.startup, TimeModelSpec::zero());
    assert_eq!(
        c.concurrency,
        Some(ConcurrencyConfig::HttpWatchdog {
            workers: 4,
            queue_capacity: None
        })
    );

    let w = &sc.workloads[0];
    assert_eq!(w.start, StartConfig::At(0.0));
    assert_eq!(
        w.arrivals,
        ArrivalsConfig::Poisson {
            scale: 1.0,
            max_ia: None
        }
    );
    assert_eq!(w.max_requests, Some(100));

    assert_eq!(sc.scheduler.profile, "skippy");
    assert_eq!(sc.scheduler.skippy.percentage_of_nodes_to_score, 100.0);
    assert_eq!(sc.scheduler.retry_backoff_s, 10.0);
    assert_eq!(sc.routing.balancer, BalancerKind::RoundRobin);
    assert_eq!(sc.routing.scale_from_zero, ScaleFromZero::OnDemand);
    assert!(sc.replicas.drain);
    assert_eq!(sc.network.default_bandwidth_mbit, 1000.0);
    assert_eq!(
        sc.outputs.invocations,
        InvocationRows::Mode(InvocationMode::Off)
    );
    assert_eq!(sc.outputs.runs_per_batch, 32);
}

#[test]
fn a_minimal_container_gets_the_spec_defaults() {
    let text = EXAMPLE.replacen(
        "[[deployments.containers]]\nimage = \"python-pi-cpu\"\nrequests = { cpu = \"500m\", memory = \"256Mi\" }\nexec = { constant = { value = 1.0 } }\nconcurrency = { http_watchdog = { workers = 4 } }\n",
        "containers = [{ image = \"python-pi-cpu\" }]\n",
        1,
    );
    let sc = parse_scenario(&text, "x.toml").unwrap();
    let c = &sc.deployments[0].containers[0];
    assert_eq!(
        (c.requests.cpu, c.requests.memory),
        (Cpu(1000), Size(1_048_576))
    );
    assert_eq!(c.exec, TimeModelSpec::one_second());
    assert_eq!(c.concurrency, None);
}

#[test]
fn the_resolved_scenario_round_trips_through_toml() {
    let sc = parse_scenario(EXAMPLE, "basic.toml").unwrap();
    let value = toml::Value::try_from(&sc).unwrap();
    let again = scenario_from_value(value, "canonical").unwrap();
    assert_eq!(format!("{sc:?}"), format!("{again:?}"));
}

fn exec_of(exec: &str) -> TimeModelSpec {
    let text = EXAMPLE.replacen(
        "exec = { constant = { value = 1.0 } }",
        &format!("exec = {exec}"),
        1,
    );
    let sc = parse_scenario(&text, "x.toml").unwrap();
    sc.deployments[0].containers[0].exec.clone()
}

#[test]
fn time_models_parse_in_the_plain_form() {
    assert_eq!(
        exec_of("{ constant = { value = 1 } }"),
        TimeModelSpec::constant(1.0)
    );
    let spec = exec_of("{ lognormal = { s = 0.5, bounds = [0.1, 5] } }");
    assert_eq!(
        spec.default,
        Some(TimeModel::Lognormal {
            s: 0.5,
            loc: 0.0,
            scale: 1.0,
            bounds: Some([0.1, 5.0])
        })
    );
    assert!(spec.by_node_type.is_empty());
}

#[test]
fn time_models_parse_in_the_per_node_type_form() {
    let spec = exec_of(
        "{ default = { uniform = { low = 1, high = 2 } }, by_node_type = { tx2 = { exponential = { mean = 0.4 } } } }",
    );
    assert_eq!(
        spec.default,
        Some(TimeModel::Uniform {
            low: 1.0,
            high: 2.0,
            bounds: None
        })
    );
    let mut expected = BTreeMap::new();
    expected.insert(
        "tx2".to_string(),
        TimeModel::Exponential {
            mean: 0.4,
            bounds: None,
        },
    );
    assert_eq!(spec.by_node_type, expected);
    assert_eq!(spec.for_node_type("tx2").unwrap().mean(), 0.4);
    assert_eq!(spec.for_node_type("server").unwrap().mean(), 1.5);

    // Overrides without a default are allowed (the CanRun predicate keeps such pods off other types).
    let spec = exec_of("{ by_node_type = { tx2 = { constant = { value = 2 } } } }");
    assert_eq!(spec.default, None);
    assert!(spec.for_node_type("server").is_none());
}

#[test]
fn mixing_both_time_model_forms_is_an_error() {
    let text = EXAMPLE.replacen(
        "exec = { constant = { value = 1.0 } }",
        "exec = { constant = { value = 1 }, by_node_type = { tx2 = { constant = { value = 2 } } } }",
        1,
    );
    let e = parse_scenario(&text, "x.toml").unwrap_err();
    assert_eq!(e.key_path, "deployments[0].containers[0].exec");
    assert!(e.message.contains("not both"), "{e}");
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn time_model_means_follow_the_execution_spec() {
    assert_eq!(TimeModel::Constant { value: 1.5 }.mean(), 1.5);
    let uniform = TimeModel::Uniform {
        low: 1.0,
        high: 3.0,
        bounds: None,
    };
    assert_eq!(uniform.mean(), 2.0);
    let exponential = TimeModel::Exponential {
        mean: 0.7,
        bounds: None,
    };
    assert_eq!(exponential.mean(), 0.7);
    let normal = TimeModel::Normal {
        mean: 2.0,
        std: 1.0,
        bounds: None,
    };
    assert_eq!(normal.mean(), 2.0);
    // loc + scale·e^{s²/2}
    let lognormal = TimeModel::Lognormal {
        s: 0.5,
        loc: 0.1,
        scale: 2.0,
        bounds: None,
    };
    assert!(close(lognormal.mean(), 0.1 + 2.0 * (0.125f64).exp()));
    let empirical = TimeModel::Empirical {
        values: vec![1.0, 2.0, 6.0],
        bounds: None,
    };
    assert_eq!(empirical.mean(), 3.0);
    // Σ (p_i − p_{i−1})·(v_{i−1} + v_i)/2 = 0.5·0.5 + 0.5·2 = 1.25
    let percentiles = TimeModel::Percentiles {
        points: vec![[0.0, 0.0], [0.5, 1.0], [1.0, 3.0]],
        bounds: None,
    };
    assert!(close(percentiles.mean(), 1.25));
}

#[test]
fn a_truncated_model_mean_is_the_untruncated_mean_clamped_to_its_bounds() {
    let above = TimeModel::Exponential {
        mean: 5.0,
        bounds: Some([0.0, 2.0]),
    };
    assert_eq!(above.mean(), 2.0);
    let below = TimeModel::Uniform {
        low: 1.0,
        high: 3.0,
        bounds: Some([2.5, 4.0]),
    };
    assert_eq!(below.mean(), 2.5);
    let inside = TimeModel::Normal {
        mean: 1.0,
        std: 0.5,
        bounds: Some([0.0, 4.0]),
    };
    assert_eq!(inside.mean(), 1.0);
}

#[test]
fn the_example_in_the_scenario_reference_is_valid() {
    let doc = include_str!("../../docs/scenario.md");
    let start = doc
        .find("```toml\n")
        .expect("the reference has a TOML example")
        + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let sc = parse_scenario(&doc[start..end], "docs/scenario.md").unwrap();
    let exec = &sc.deployments[0].containers[0].exec;
    assert!((exec.for_node_type("server").unwrap().mean() - 0.8 * 0.045f64.exp()).abs() < 1e-12);
    assert_eq!(exec.for_node_type("tx2").unwrap().mean(), 1.6);
}

#[test]
fn histogram_precision_is_a_power_of_two_up_to_128_and_left_out_at_its_default() {
    let with = |p: &str| format!("{EXAMPLE}\n[outputs]\nhistogram_precision = {p}\n");
    let sc = parse_scenario(&with("32"), "x.toml").unwrap();
    assert_eq!(sc.outputs.histogram_precision.sub_buckets(), 32);
    let e = parse_scenario(&with("12"), "x.toml").unwrap_err();
    assert!(e.message.contains("power of two from 1 to 128"), "{e}");
    assert!(parse_scenario(&with("256"), "x.toml").is_err());
    // At its default the key stays out of the resolved scenario, so run ids did not change.
    let sc = parse_scenario(&with("8"), "x.toml").unwrap();
    let resolved = toml::Value::try_from(&sc).unwrap();
    assert!(resolved["outputs"].get("histogram_precision").is_none());
}

#[test]
fn histogram_function_metrics_takes_all_or_metric_names_and_names_its_key_path_on_error() {
    use crate::output::HistogramFunctionMetrics;
    let with = |v: &str| format!("{EXAMPLE}\n[outputs]\nhistogram_function_metrics = {v}\n");
    let sc = parse_scenario(&with(r#"["response", "wait"]"#), "x.toml").unwrap();
    let m = sc.outputs.histogram_function_metrics;
    assert!(m.contains("response") && m.contains("wait") && !m.contains("exec"));
    let sc = parse_scenario(&with(r#""all""#), "x.toml").unwrap();
    assert_eq!(
        sc.outputs.histogram_function_metrics,
        HistogramFunctionMetrics::ALL
    );
    for bad in [r#"["respones"]"#, r#""none""#] {
        let e = parse_scenario(&with(bad), "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("outputs.histogram_function_metrics"), "{e}");
        assert!(e.contains("unknown latency metric"), "{e}");
    }
    // The default (totals only) stays out of the resolved scenario: no run_id changed.
    let sc = parse_scenario(&with("[]"), "x.toml").unwrap();
    let resolved = toml::Value::try_from(&sc).unwrap();
    assert!(resolved["outputs"]
        .get("histogram_function_metrics")
        .is_none());
}
