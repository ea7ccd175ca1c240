//! The network model end to end, through `run_scenario` and the CLI: image pulls as max-min fair
//! flows (faas-sim's basic example to the nanosecond), pulls joined and reused per node, LRU
//! eviction from node image caches, data downloads in the setup phase, per-run topologies, and
//! bad topology input (docs/network.md).

mod common;
use common::faasim;

use faasim::metrics::{FlowRow, RunOutput, RunStatus};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_file(rel: &str, seed: u64) -> RunOutput {
    let sc = faasim::config::load_scenario(&root().join(rel)).unwrap_or_else(|e| panic!("{e}"));
    let out = common::run(&sc, seed);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    out
}

fn pulls(out: &RunOutput) -> Vec<&FlowRow> {
    out.flows
        .iter()
        .filter(|f| f.kind == "image_pull")
        .collect()
}

fn node_name(out: &RunOutput, f: &FlowRow) -> String {
    out.names.nodes[f.destination.unwrap() as usize].clone()
}

#[test]
fn the_basic_example_pulls_end_at_faas_sims_times() {
    let out = run_file("experiments/faas-sim/basic.toml", 1);
    let p = pulls(&out);
    assert_eq!(p.len(), 2);
    for f in &p {
        assert_eq!(node_name(&out, f), "server_0");
        assert_eq!(f.hops, 2);
        assert_eq!(f.requested.0, 0);
        // 1.5 × rtt, rtt = 6 × the `lan` mode (0.500306 ms)
        assert_eq!(f.activated.0, 4_502_755);
    }
    // completion order: the smaller pull first
    assert_eq!(p[0].bytes, 56_000_000);
    assert_eq!(format!("{:.6}", p[0].ended.as_secs_f64()), "0.928214");
    assert_eq!(p[1].bytes, 58_000_000);
    assert_eq!(format!("{:.6}", p[1].ended.as_secs_f64()), "0.944709");
    // to the nanosecond
    assert_eq!((p[0].ended.0, p[1].ended.0), (928_214_096, 944_708_941));
    assert_eq!(out.run.flows, 2);
    assert_eq!(out.run.flow_bytes, 114_000_000);
    assert_eq!(out.run.low_bandwidth_flows, 0);
    // both links carried both pulls, busy from activation to the last byte
    let busy: Vec<(&str, u64)> = out
        .links
        .iter()
        .map(|l| (l.name.as_str(), l.bytes))
        .collect();
    assert_eq!(
        busy,
        [
            ("down_cloudlet_0", 114_000_000),
            ("link_server_0", 114_000_000)
        ]
    );
    assert_eq!(out.links[0].busy.0, p[1].ended.0 - p[1].activated.0);
}

fn one_node(extra_topology: &str, body: &str) -> String {
    format!(
        r#"
name = "t"
[run]
end_policy = "drain"
horizon_s = 30
[topology]
generator = "cluster"
nodes = [{{ type = "server", count = 1 }}]
{extra_topology}
{body}
"#
    )
}

const TWO_IMAGES: &str = r#"
[[images]]
name = "a"
variants = [{ arch = "x86", size = "60M" }]
[[images]]
name = "b"
variants = [{ arch = "x86", size = "60M" }]
[[functions]]
name = "fa"
images = ["a"]
[[functions]]
name = "fb"
images = ["b"]
[[deployments]]
function = "fa"
scaling = { scale_min = 1, scale_max = 2 }
[[deployments.containers]]
image = "a"
[[deployments]]
function = "fb"
scaling = { scale_min = 0, scale_max = 1 }
[[deployments.containers]]
image = "b"
"#;

/// Replicas of one image on one node: the second asks while the first pull moves and joins it;
/// a third, created after the pull, finds the image cached. One flow in all.
#[test]
fn an_image_is_pulled_once_per_node_joined_while_moving_and_reused_after() {
    let text = one_node(
        "",
        &format!(
            r#"{TWO_IMAGES}
[[commands]]
at_s = 0
function = "fa"
action = "scale"
replicas = 2
[[commands]]
at_s = 5
function = "fa"
action = "suspend"
[[commands]]
at_s = 10
function = "fa"
action = "scale"
replicas = 1
"#
        ),
    );
    let out = common::run(&common::scenario(&text), 1);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    assert_eq!(pulls(&out).len(), 1, "one flow for image a");
    let fa: Vec<_> = out.replicas.iter().filter(|r| r.function == 0).collect();
    assert_eq!(fa.len(), 3);
    let kinds: Vec<(Option<bool>, Option<bool>)> =
        fa.iter().map(|r| (r.pull_cached, r.pull_joined)).collect();
    assert_eq!(
        kinds,
        [
            (Some(false), Some(false)),
            (Some(false), Some(true)),
            (Some(true), Some(false))
        ]
    );
    // the joined replica starts when the pull ends, like the one that started it
    assert_eq!(fa[0].starting, fa[1].starting);
    assert_eq!(fa[2].pull.0, 0);
}

/// A cache of 100 MB holds one 60 MB image: pulling `b` evicts `a` (no replica uses it any
/// more), so `a` is pulled again later.
#[test]
fn a_full_image_cache_evicts_the_least_recently_used_unused_image() {
    let commands = r#"
[[commands]]
at_s = 5
function = "fa"
action = "suspend"
[[commands]]
at_s = 10
function = "fb"
action = "scale"
replicas = 1
[[commands]]
at_s = 20
function = "fa"
action = "scale"
replicas = 1
"#;
    let limited = one_node("image_cache = \"100M\"", &format!("{TWO_IMAGES}{commands}"));
    let out = common::run(&common::scenario(&limited), 1);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    let images: Vec<u32> = pulls(&out).iter().map(|f| f.image.unwrap()).collect();
    assert_eq!(images, [0, 1, 0], "a, b, then a again");
    // without a capacity, `a` is still there at 20 s
    let unlimited = one_node("", &format!("{TWO_IMAGES}{commands}"));
    let out = common::run(&common::scenario(&unlimited), 1);
    let images: Vec<u32> = pulls(&out).iter().map(|f| f.image.unwrap()).collect();
    assert_eq!(images, [0, 1]);
}

/// An image used by a running replica is never evicted, even over capacity.
#[test]
fn an_image_in_use_stays_in_a_full_cache() {
    let text = one_node(
        "image_cache = \"100M\"",
        &format!(
            r#"{TWO_IMAGES}
[[commands]]
at_s = 10
function = "fb"
action = "scale"
replicas = 1
[[commands]]
at_s = 20
function = "fa"
action = "scale"
replicas = 2
"#
        ),
    );
    let out = common::run(&common::scenario(&text), 1);
    let images: Vec<u32> = pulls(&out).iter().map(|f| f.image.unwrap()).collect();
    assert_eq!(
        images,
        [0, 1],
        "a is in use when b arrives, so the second fa finds it"
    );
}

#[test]
fn a_random_topology_is_rebuilt_per_run_from_its_seed() {
    let text = r#"
name = "t"
[topology]
generator = "urban_sensing"
cells = 3
[[images]]
name = "img"
variants = [{ arch = "any", size = "10M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 1 }
[[deployments.containers]]
image = "img"
"#;
    let sc = common::scenario(text);
    let names = |seed| -> Vec<String> {
        let out = common::run(&sc, seed);
        assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
        assert_eq!(out.nodes.len(), out.names.nodes.len());
        out.names.nodes
    };
    assert_eq!(names(3), names(3), "same seed, same topology");
    let sizes: std::collections::BTreeSet<usize> = (0..8).map(|s| names(s).len()).collect();
    assert!(
        sizes.len() > 1,
        "drawn densities differ between seeds: {sizes:?}"
    );
}

/// `data_phase = "setup"`: the replica downloads its data item after its setup phase, from the
/// bucket's storage node, as a flow; with the bucket on its own node it reads locally instead.
#[test]
fn setup_phase_downloads_are_flows_from_the_storage_node() {
    let text = |storage_type: &str| {
        format!(
            r#"
name = "t"
[run]
horizon_s = 10
[topology]
generator = "cluster"
nodes = [{{ type = "server", count = 1 }}]
storage = [{{ name = "store", type = "{storage_type}", buckets = {{ models = {{ "m" = "50M" }} }} }}]
[[images]]
name = "img"
variants = [{{ arch = "x86", size = "0" }}]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = {{ scale_min = 1, scale_max = 1 }}
[[deployments.containers]]
image = "img"
data_phase = "setup"
labels = {{ "data.skippy.io/receives-from-storage" = "25M", "data.skippy.io/receives-from-storage/path" = "models/m" }}
"#
        )
    };
    let out = common::run(&common::scenario(&text("server")), 1);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    let dl: Vec<_> = out
        .flows
        .iter()
        .filter(|f| f.kind == "data_download")
        .collect();
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].bytes, 25_000_000);
    assert_eq!(out.names.nodes[dl[0].source.unwrap() as usize], "store");
    let r = &out.replicas[0];
    assert_eq!(r.running, dl[0].ended, "Running once the download is done");
}

/// Bad topologies are configuration errors: exit status 2, a message naming the file and the
/// key path or line, and nothing written.
#[test]
fn bad_topologies_exit_2_name_the_place_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"
[[images]]
name = "img"
variants = [{ arch = "any", size = "1M" }]
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
scaling = { scale_min = 1, scale_max = 1 }
[[deployments.containers]]
image = "img"
"#;
    let explicit = |vertices: &str, edges: &str| {
        format!(
            "name = \"t\"\n[topology]\ngenerator = \"explicit\"\nvertices = [{vertices}]\nedges = [{edges}]\n{body}"
        )
    };
    let ok_vertices = r#"{ kind = "node", name = "n0" }, { kind = "link", name = "l0", capacity_mbit = 100 }, { kind = "switch", name = "internet" }"#;
    let cases = [
        (
            "undefined.toml",
            explicit(
                ok_vertices,
                r#"{ from = "n0", to = "l0" }, { from = "l0", to = "nowhere" }"#,
            ),
            "topology.edges[1]",
        ),
        (
            "node-node.toml",
            explicit(
                r#"{ kind = "node", name = "n0" }, { kind = "node", name = "n1" }, { kind = "switch", name = "internet" }"#,
                r#"{ from = "n0", to = "n1" }"#,
            ),
            "topology.edges[0]",
        ),
        (
            "no-capacity.toml",
            explicit(
                r#"{ kind = "node", name = "n0" }, { kind = "link", name = "l0" }, { kind = "switch", name = "internet" }"#,
                r#"{ from = "n0", to = "l0" }, { from = "l0", to = "internet" }"#,
            ),
            "topology.vertices[1]",
        ),
        (
            "unreachable-registry.toml",
            explicit(ok_vertices, r#"{ from = "n0", to = "l0" }"#),
            "registry",
        ),
    ];
    for (file, text, place) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join(format!("out-{file}"));
        let r = faasim(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(place),
            "{file}: should name `{place}`: {stderr}"
        );
        assert!(
            stderr.contains(file),
            "{file}: should name the file: {stderr}"
        );
        assert!(!out.exists(), "{file}: nothing may be written");
    }
}
