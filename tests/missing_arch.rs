//! A pull that finds no image variant for the node's architecture: by default the run ends with
//! status `error` (as faas-sim raised an exception); with `on_missing_arch = "fail_replica"` on
//! the image, that replica fails (recorded with `end_reason = "no_image_variant"`) and the
//! platform falls back to the deployment's next ranked image, and the run goes on.

mod common;

use faasim::metrics::RunStatus;

/// Two aarch64 boards; the deployment prefers an x86-only image and falls back to an aarch64
/// one. Skippy's `vanilla` preset (skippy exactly) has no `ImageArchAvailable` predicate, so it
/// places the x86 image on a board.
fn scenario(policy: &str) -> String {
    format!(
        r#"
name = "arch"
run = {{ horizon_s = 20 }}
topology = {{ generator = "cluster", nodes = [{{ type = "rockpi", count = 2 }}] }}
scheduler = {{ profile = "skippy", skippy = {{ preset = "vanilla" }} }}

[[images]]
name = "fn-x86"
variants = [{{ arch = "x86", size = "50M" }}]
{policy}

[[images]]
name = "fn-arm"
variants = [{{ arch = "aarch64", size = "40M" }}]

[[functions]]
name = "f"
images = ["fn-x86", "fn-arm"]

[[deployments]]
function = "f"
scaling = {{ scale_min = 1, scale_max = 1 }}
[[deployments.containers]]
image = "fn-x86"
exec = {{ constant = {{ value = 0.1 }} }}
[[deployments.containers]]
image = "fn-arm"
exec = {{ constant = {{ value = 0.1 }} }}

[[workloads]]
function = "f"
rate = {{ constant = {{ rps = 2 }} }}
"#
    )
}

#[test]
fn by_default_a_pull_without_a_variant_ends_the_run_with_an_error() {
    let sc = common::scenario(&scenario(""));
    let out = common::run(&sc, 1);
    assert_eq!(out.run.status, RunStatus::Error);
    let e = out.run.error.unwrap();
    assert!(
        e.contains("image `fn-x86:latest` has no variant for architecture `aarch64`"),
        "{e}"
    );
}

#[test]
fn fail_replica_fails_that_replica_and_falls_back_to_the_next_ranked_image() {
    let sc = common::scenario(&scenario("on_missing_arch = \"fail_replica\""));
    let out = common::run(&sc, 1);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    assert_eq!(out.run.replicas_failed, 1);
    let failed: Vec<_> = out
        .replicas
        .iter()
        .filter(|r| r.end_reason == Some("no_image_variant"))
        .collect();
    assert_eq!(failed.len(), 1);
    let first = failed[0];
    assert_eq!(out.names.images[first.image as usize], "fn-x86:latest");
    // The successor runs the aarch64 image and serves the load.
    let successor = out
        .replicas
        .iter()
        .find(|r| r.replica_id > first.replica_id)
        .expect("a fallback replica");
    assert_eq!(out.names.images[successor.image as usize], "fn-arm:latest");
    assert!(out.run.completed > 30, "{}", out.run.completed);
}

#[test]
fn the_policy_is_left_out_of_the_run_identity_when_it_is_the_default() {
    let implicit = common::scenario(&scenario(""));
    let explicit = common::scenario(&scenario("on_missing_arch = \"error\""));
    assert_eq!(
        faasim::run::canonical_json(&implicit),
        faasim::run::canonical_json(&explicit)
    );
    assert!(!faasim::run::canonical_json(&implicit).contains("on_missing_arch"));
}
