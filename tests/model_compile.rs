//! `Model::compile` rejects a scenario whose replicas may be placed on a node type for which a
//! container has no execution, startup or setup model, unless the scheduler profile's `CanRun`
//! predicate keeps those pods off those nodes (`docs/scenario.md`, time models).

mod common;

use common::scenario;
use faasim::model::{Model, ModelError};

/// A cluster of one `server` and one `nuc`; the container's models as given; `scheduler` is the
/// scheduler table.
fn two_node_types(container: &str, scheduler: &str) -> String {
    format!(
        r#"
name = "t"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 1 }}, {{ type = "nuc", count = 1 }}] }}
scheduler = {scheduler}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "125M" }}]

[[functions]]
name = "f"
images = ["img"]

[[deployments]]
function = "f"
scaling = {{ scale_min = 2, scale_max = 2 }}
[[deployments.containers]]
image = "img"
{container}

[[workloads]]
function = "f"
rate = {{ constant = {{ rps = 1 }} }}
max_requests = 10
"#
    )
}

const EXEC_ON_SERVER_ONLY: &str =
    "exec = { by_node_type = { server = { constant = { value = 1 } } } }";
const WITH_CAN_RUN: &str =
    r#"{ profile = "skippy", skippy = { predicates = ["PodFitsResources", "CanRun"] } }"#;
const WITHOUT_CAN_RUN: &str =
    r#"{ profile = "skippy", skippy = { predicates = ["PodFitsResources"] } }"#;

fn compile(container: &str, scheduler: &str) -> Result<Model, ModelError> {
    Model::compile(&scenario(&two_node_types(container, scheduler)))
}

#[test]
fn an_execution_model_missing_for_a_reachable_node_type_is_a_compile_error() {
    for profile in [WITHOUT_CAN_RUN, r#"{ profile = "first-fit" }"#] {
        let err = compile(EXEC_ON_SERVER_ONLY, profile).unwrap_err();
        match &err {
            ModelError::MissingTimeModel {
                key_path,
                function,
                node_type,
                ..
            } => {
                assert_eq!(key_path, "deployments[0].containers[0].exec");
                assert_eq!((function.as_str(), node_type.as_str()), ("f", "nuc"));
            }
            other => panic!("{profile}: unexpected error {other}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with("deployments[0].containers[0].exec: no model for node type `nuc`"),
            "{text}"
        );
    }
}

#[test]
fn can_run_keeps_pods_off_node_types_without_an_execution_model() {
    let model = compile(EXEC_ON_SERVER_ONLY, WITH_CAN_RUN).expect("CanRun keeps f off the nuc");
    assert_eq!(model.functions[0].containers.len(), 1);
}

#[test]
fn can_run_does_not_cover_a_missing_startup_or_setup_model() {
    for phase in ["startup", "setup"] {
        let container = format!(
            "exec = {{ constant = {{ value = 1 }} }}\n{phase} = {{ by_node_type = {{ server = {{ constant = {{ value = 1 }} }} }} }}"
        );
        let err = compile(&container, WITH_CAN_RUN).unwrap_err();
        assert!(
            matches!(&err, ModelError::MissingTimeModel { key_path, node_type, .. }
                if *key_path == format!("deployments[0].containers[0].{phase}") && node_type == "nuc"),
            "{phase}: {err}"
        );
    }
}

#[test]
fn models_with_a_default_cover_every_node_type() {
    let container = "exec = { default = { constant = { value = 1 } }, by_node_type = { nuc = { constant = { value = 2 } } } }";
    compile(container, WITHOUT_CAN_RUN).expect("a default covers every type");
}

/// A replica's compute profile keeps the queue capacity in 32 bits, `u32::MAX` meaning
/// unbounded (docs/performance.md, "Round 9b"): that value is refused when the model is
/// compiled, naming the key. (`cpu_per_invocation`, also 32 bits there, is bounded by the
/// scenario's validation at 10^9 millicores.)
#[test]
fn a_queue_capacity_beyond_the_compute_profile_s_range_is_a_compile_error() {
    let exec = "exec = { constant = { value = 1 } }";
    let line = "concurrency = { http_watchdog = { workers = 2, queue_capacity = 4294967295 } }";
    let err = compile(&format!("{exec}\n{line}"), WITHOUT_CAN_RUN).unwrap_err();
    match &err {
        ModelError::Config { key_path, .. } => assert_eq!(
            key_path,
            "deployments[0].containers[0].concurrency.http_watchdog.queue_capacity"
        ),
        other => panic!("unexpected error {other}"),
    }
    // The largest accepted values compile.
    let fits = "cpu_per_invocation_millis = 1000000000\n\
                concurrency = { http_watchdog = { workers = 2, queue_capacity = 4294967294 } }";
    compile(&format!("{exec}\n{fits}"), WITHOUT_CAN_RUN).unwrap();
}
