//! Per-invocation data transfers end to end, through `run_scenario` and the CLI
//! (docs/network.md, "Data transfers"): a request of a container with `data_phase =
//! "invocation"` downloads its input before its compute part and uploads its output after it,
//! holding its worker throughout; the transfers are flows sharing links with every other flow,
//! or local I/O when the bucket is on the replica's node.
//!
//! The topology of most tests: a storage node `store` behind a 1000 Mbit/s link and a compute
//! node `n0` behind a 100 Mbit/s link, both on the `internet` switch, where the registry
//! attaches. Only the edge `n0`–`l_n0` has a latency (1 ms), so every route to or from `n0`
//! has `rtt = 2 ms` and a connection set-up of `1.5 × 2 ms = 3 ms`. The bottleneck is `l_n0`:
//! alone a flow moves `100 × 125 000 × 0.97 = 12 125 000` bytes/s. Images have size 0 (no
//! pull) unless a test says otherwise; requests run 1 s of compute.

mod common;
use common::faasim;

use faasim::metrics::{FlowRow, InvocationRow, InvocationStatus, RunOutput, RunStatus};

const SETUP_NS: u64 = 3_000_000;
/// 10 MB alone on `l_n0`: `ceil(10e6 / 12 125 000 × 1e9)` ns.
const DOWNLOAD_ALONE_NS: u64 = 824_742_269;
/// 5 MB alone on `l_n0`.
const UPLOAD_ALONE_NS: u64 = 412_371_135;
/// 10 MB at half of `l_n0` (6 062 500 bytes/s).
const DOWNLOAD_HALF_NS: u64 = 1_649_484_537;
/// 5 MB at half of `l_n0`.
const UPLOAD_HALF_NS: u64 = 824_742_269;
const EXEC_NS: u64 = 1_000_000_000;
/// The requests arrive at 10 s.
const ARRIVAL_NS: u64 = 10_000_000_000;

/// A scenario on the two-node topology with `vertices` before `n0`'s, extra `edges`, a
/// container body `container` and a workload of `count` requests at 10 s.
fn scenario(vertices: &str, edges: &str, run: &str, container: &str, count: u32) -> String {
    format!(
        r#"
name = "t"
{run}
[topology]
generator = "explicit"
vertices = [
  {vertices}
  {{ kind = "node", name = "n0" }},
  {{ kind = "link", name = "l_n0", capacity_mbit = 100 }},
  {{ kind = "switch", name = "internet" }},
]
edges = [
  {edges}
  {{ from = "n0", to = "l_n0", latency = 1 }},
  {{ from = "l_n0", to = "internet" }},
]

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
exec = {{ constant = {{ value = 1.0 }} }}
data_phase = "invocation"
{container}

[[workloads]]
function = "f"
arrivals = {{ batch = {{ count = {count} }} }}
start = 10
"#
    )
}

const STORE_VERTICES: &str = r#"{ kind = "node", name = "store", buckets = { data = { "in" = "10M" } } },
  { kind = "link", name = "l_store", capacity_mbit = 1000 },"#;
const STORE_EDGES: &str = r#"{ from = "store", to = "l_store" },
  { from = "l_store", to = "internet" },"#;
/// Reads 10 MB of `data/in`, writes 5 MB to `data/out`.
const IN_AND_OUT: &str = r#"labels = { "data.skippy.io/receives-from-storage" = "10M", "data.skippy.io/receives-from-storage/path" = "data/in", "data.skippy.io/sends-to-storage" = "5M", "data.skippy.io/sends-to-storage/path" = "data/out" }"#;

fn run(text: &str) -> RunOutput {
    let sc = common::scenario(text);
    let out = common::run(&sc, 1);
    assert_eq!(out.run.status, RunStatus::Ok, "{:?}", out.run.error);
    out
}

/// Runs `count` requests of a replica whose container has `container` keys, with the bucket on
/// the `store` node (behind `l_store`), `run_keys` added and invocation rows on.
fn run_with_store(run_keys: &str, container: &str, count: u32) -> RunOutput {
    run(&with_invocations(&scenario(
        STORE_VERTICES,
        STORE_EDGES,
        run_keys,
        container,
        count,
    )))
}

fn with_invocations(text: &str) -> String {
    format!("outputs = {{ invocations = \"all\" }}\n{text}")
}

fn flows<'a>(out: &'a RunOutput, kind: &str) -> Vec<&'a FlowRow> {
    out.flows.iter().filter(|f| f.kind == kind).collect()
}

fn node(out: &RunOutput, n: Option<u32>) -> &str {
    &out.names.nodes[n.unwrap() as usize]
}

fn requests(out: &RunOutput) -> Vec<&InvocationRow> {
    let mut rows: Vec<&InvocationRow> = out.invocations.iter().collect();
    rows.sort_by_key(|r| r.request_id);
    rows
}

/// Download (set-up, then 10 MB alone on 100 Mbit/s), 1 s of compute, upload (set-up, then
/// 5 MB): the request's `exec` and `response` include both transfers, `transfer_s` is their
/// sum, and each transfer is a `flows` row naming the request.
#[test]
fn a_request_downloads_computes_then_uploads_over_its_link() {
    let text = with_invocations(&scenario(STORE_VERTICES, STORE_EDGES, "", IN_AND_OUT, 1));
    let out = run(&text);
    let down_end = ARRIVAL_NS + SETUP_NS + DOWNLOAD_ALONE_NS;
    let up_start = down_end + EXEC_NS;
    let end = up_start + SETUP_NS + UPLOAD_ALONE_NS;
    assert_eq!(end, 12_243_113_404);

    let dl = flows(&out, "data_download");
    assert_eq!(dl.len(), 1);
    assert_eq!(
        (node(&out, dl[0].source), node(&out, dl[0].destination)),
        ("store", "n0")
    );
    assert_eq!(dl[0].bytes, 10_000_000);
    assert_eq!(dl[0].requested.0, ARRIVAL_NS);
    assert_eq!(dl[0].activated.0, ARRIVAL_NS + SETUP_NS);
    assert_eq!(dl[0].ended.0, down_end);
    assert_eq!(dl[0].hops, 2);
    assert_eq!(dl[0].request_id, Some(0));
    assert_eq!(dl[0].replica_id, Some(0));
    let ul = flows(&out, "data_upload");
    assert_eq!(ul.len(), 1);
    assert_eq!(
        (node(&out, ul[0].source), node(&out, ul[0].destination)),
        ("n0", "store")
    );
    assert_eq!(ul[0].bytes, 5_000_000);
    assert_eq!((ul[0].requested.0, ul[0].ended.0), (up_start, end));
    assert_eq!(ul[0].request_id, Some(0));
    // pulls name no request
    assert_eq!(out.run.flows, 2);

    let r = requests(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].status, InvocationStatus::Completed);
    assert_eq!((r[0].start.0, r[0].end.0), (ARRIVAL_NS, end));
    assert_eq!(
        r[0].transfer.0,
        2 * SETUP_NS + DOWNLOAD_ALONE_NS + UPLOAD_ALONE_NS
    );
    // exec and response include the transfers (summary: exec stats of `f`)
    let f = out.summary.iter().find(|s| s.function == Some(0)).unwrap();
    let exec_max = f.stats[2].max.unwrap();
    assert!(
        (exec_max - (end - ARRIVAL_NS) as f64 / 1e9).abs() < 1e-9,
        "{exec_max}"
    );
    // the link carried both transfers
    let l = out.links.iter().find(|l| l.name == "l_n0").unwrap();
    assert_eq!(l.bytes, 15_000_000);
}

/// The worker is held from the request's start to the end of its upload: with one worker, the
/// second request of a batch starts when the first has uploaded.
#[test]
fn the_worker_is_held_during_the_transfers() {
    let container = format!("{IN_AND_OUT}\nconcurrency = {{ http_watchdog = {{ workers = 1 }} }}");
    let out = run_with_store("", &container, 2);
    let one = 2 * SETUP_NS + DOWNLOAD_ALONE_NS + EXEC_NS + UPLOAD_ALONE_NS;
    let r = requests(&out);
    assert_eq!(r[0].end.0, ARRIVAL_NS + one);
    assert_eq!(r[1].dispatch.0, ARRIVAL_NS);
    assert_eq!(
        r[1].start.0,
        ARRIVAL_NS + one,
        "queued until the first upload ends"
    );
    assert_eq!(r[1].end.0, ARRIVAL_NS + 2 * one);
}

/// Two requests at once on one replica: their downloads share `l_n0` at 50 Mbit/s each, and so
/// do their uploads.
#[test]
fn concurrent_requests_share_the_link_fairly() {
    let out = run_with_store("", IN_AND_OUT, 2);
    let down_end = ARRIVAL_NS + SETUP_NS + DOWNLOAD_HALF_NS;
    let end = down_end + EXEC_NS + SETUP_NS + UPLOAD_HALF_NS;
    let dl = flows(&out, "data_download");
    assert_eq!(dl.len(), 2);
    for f in &dl {
        assert_eq!(f.ended.0, down_end);
        let rate = f.mean_rate_mbit.unwrap();
        assert!((rate - 50.0 * 0.97).abs() < 1e-6, "{rate}");
    }
    let ids: Vec<Option<u64>> = dl.iter().map(|f| f.request_id).collect();
    assert!(ids.contains(&Some(0)) && ids.contains(&Some(1)), "{ids:?}");
    for r in requests(&out) {
        assert_eq!(r.end.0, end);
        assert_eq!(
            r.transfer.0,
            2 * SETUP_NS + DOWNLOAD_HALF_NS + UPLOAD_HALF_NS
        );
    }
}

/// A cold-start penalty (0.5 s) goes to the replica's first compute part, even while another
/// request holds a worker downloading: two requests download at half rate, both downloads end
/// at 11.652484537 s, and exactly one of them computes 1.5 s. Its upload then runs alone, after
/// the other's (which ended 0.415371135 s after its 1 s compute part).
#[test]
fn the_cold_penalty_ignores_requests_still_downloading() {
    let container = format!("{IN_AND_OUT}\ncold_penalty = {{ constant = {{ value = 0.5 }} }}");
    let out = run_with_store("", &container, 2);
    let down_end = ARRIVAL_NS + SETUP_NS + DOWNLOAD_HALF_NS;
    assert_eq!(down_end, 11_652_484_537);
    let upload = SETUP_NS + UPLOAD_ALONE_NS;
    let mut ends: Vec<u64> = requests(&out).iter().map(|r| r.end.0).collect();
    ends.sort();
    assert_eq!(
        ends,
        [
            down_end + EXEC_NS + upload,
            down_end + EXEC_NS + 500_000_000 + upload
        ]
    );
}

/// `routing.request_timeout_s` ends only requests not *started* by `arrival + timeout`, and a
/// request has started when a worker takes it, before its download (`docs/model.md`): with one
/// worker and a 0.5 s timeout, the first request, whose 10 MB download alone takes 0.83 s,
/// completes; the second, queued behind it, times out at 10.5 s.
#[test]
fn a_request_timeout_ends_requests_not_started_never_one_moving_its_input() {
    let container = format!("{IN_AND_OUT}\nconcurrency = {{ http_watchdog = {{ workers = 1 }} }}");
    let out = run_with_store("[routing]\nrequest_timeout_s = 0.5", &container, 2);
    let r = requests(&out);
    assert_eq!(r[0].status, InvocationStatus::Completed);
    assert_eq!(
        r[0].end.0,
        ARRIVAL_NS + 2 * SETUP_NS + DOWNLOAD_ALONE_NS + EXEC_NS + UPLOAD_ALONE_NS
    );
    assert_eq!(r[1].status, InvocationStatus::TimedOut);
    assert!(!r[1].start.is_set());
    assert_eq!((out.run.completed, out.run.timed_out), (1, 1));
}

/// The bucket on the replica's own node: a local read and write at `local_io_bytes_per_s`
/// (1.25e8 bytes/s: 80 ms for 10 MB, 40 ms for 5 MB), no flow.
#[test]
fn a_bucket_on_the_replicas_node_is_read_and_written_locally() {
    let text = with_invocations(&scenario("", "", "", IN_AND_OUT, 1)).replace(
        r#"{ kind = "node", name = "n0" }"#,
        r#"{ kind = "node", name = "n0", storage = false, buckets = { data = { "in" = "10M" } } }"#,
    );
    let out = run(&text);
    assert!(out.flows.is_empty(), "{:?}", out.flows);
    let r = requests(&out);
    assert_eq!(r[0].transfer.0, 120_000_000);
    assert_eq!(r[0].end.0, ARRIVAL_NS + 80_000_000 + EXEC_NS + 40_000_000);
}

/// Two storage nodes hold the bucket: `far` (registered first, behind 10 Mbit/s) and `near`
/// (behind 1000 Mbit/s). `first` reads from `far`, `nearest` from `near`.
#[test]
fn storage_choice_nearest_picks_the_bucket_with_the_widest_route() {
    let vertices = r#"{ kind = "node", name = "far", buckets = { data = { "in" = "10M" } } },
  { kind = "link", name = "l_far", capacity_mbit = 10 },
  { kind = "node", name = "near", buckets = { data = { "in" = "10M" } } },
  { kind = "link", name = "l_near", capacity_mbit = 1000 },"#;
    let edges = r#"{ from = "far", to = "l_far" },
  { from = "l_far", to = "internet" },
  { from = "near", to = "l_near" },
  { from = "l_near", to = "internet" },"#;
    let sources = |choice: &str| {
        let run_keys = format!("[network]\nstorage_choice = \"{choice}\"");
        let out = run(&scenario(vertices, edges, &run_keys, IN_AND_OUT, 1));
        out.flows
            .iter()
            .map(|f| {
                let n = if f.kind == "data_download" {
                    f.source
                } else {
                    f.destination
                };
                (f.kind, node(&out, n).to_string())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sources("first"),
        [
            ("data_download", "far".into()),
            ("data_upload", "far".into())
        ]
    );
    assert_eq!(
        sources("nearest"),
        [
            ("data_download", "near".into()),
            ("data_upload", "near".into())
        ]
    );
}

/// A second function deployed at 10 s pulls its 10 MB image over `l_n0` while the request
/// downloads 10 MB over it: both flows start at 10 s (same 3 ms set-up) and share the link.
#[test]
fn a_request_download_shares_the_link_with_an_image_pull() {
    let text = scenario(STORE_VERTICES, STORE_EDGES, "", IN_AND_OUT, 1).replace(
        "[[workloads]]",
        r#"[[images]]
name = "big"
variants = [{ arch = "x86", size = "10M" }]

[[functions]]
name = "g"
images = ["big"]

[[deployments]]
function = "g"
deploy_at_s = 10
scaling = { scale_min = 1, scale_max = 1 }
[[deployments.containers]]
image = "big"

[[workloads]]"#,
    );
    let out = run(&text);
    let pull = flows(&out, "image_pull");
    let dl = flows(&out, "data_download");
    assert_eq!((pull.len(), dl.len()), (1, 1));
    let end = ARRIVAL_NS + SETUP_NS + DOWNLOAD_HALF_NS;
    assert_eq!(
        (pull[0].requested.0, dl[0].requested.0),
        (ARRIVAL_NS, ARRIVAL_NS)
    );
    assert_eq!((pull[0].ended.0, dl[0].ended.0), (end, end));
    assert_eq!(pull[0].request_id, None);
}

/// `end_policy = "cut"` at 10.5 s, in the middle of the download: the request is incomplete
/// (started, no end), its transfer time runs to the horizon where the run stopped (0.5 s, not
/// the 3 ms to the download's activation, the last event), and its flow has no end.
#[test]
fn a_request_cut_at_the_horizon_while_downloading_is_incomplete() {
    let run_keys = "[run]\nhorizon_s = 10.5\nend_policy = \"cut\"";
    let out = run_with_store(run_keys, IN_AND_OUT, 1);
    let r = requests(&out);
    assert_eq!(r[0].status, InvocationStatus::Incomplete);
    assert_eq!((r[0].start.0, r[0].end.is_set()), (ARRIVAL_NS, false));
    assert_eq!(r[0].transfer.0, 500_000_000);
    let dl = flows(&out, "data_download");
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].activated.0, ARRIVAL_NS + SETUP_NS);
    assert!(!dl[0].ended.is_set());
    assert_eq!(dl[0].request_id, Some(0));
    assert!(flows(&out, "data_upload").is_empty());
    assert_eq!(out.run.incomplete, 1);
}

/// `end_policy = "drain"` stopped by `drain_timeout_s` (horizon 10.2 s + 0.3 s) in the middle
/// of the download: the transfer time runs to 10.5 s, where the run stopped.
#[test]
fn a_request_still_downloading_when_the_drain_times_out_counts_its_transfer_to_the_stop() {
    let run_keys = "[run]\nhorizon_s = 10.2\ndrain_timeout_s = 0.3";
    let out = run_with_store(run_keys, IN_AND_OUT, 1);
    let r = requests(&out);
    assert_eq!(r[0].status, InvocationStatus::Incomplete);
    assert_eq!(r[0].transfer.0, 500_000_000);
}

/// Bad per-invocation data input: exit status 2, the key path in the message, nothing written.
#[test]
fn bad_invocation_data_input_exits_2_naming_the_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let base = scenario(STORE_VERTICES, STORE_EDGES, "", IN_AND_OUT, 1);
    let cases = [
        (
            "unknown-bucket.toml",
            base.replace("data/in", "nobucket/in"),
            "deployments[0].containers[0].labels",
            "nobucket",
        ),
        (
            "nothing-to-move.toml",
            base.replace(IN_AND_OUT, ""),
            "deployments[0].containers[0].data_phase",
            "moves nothing",
        ),
        (
            "half-a-pair.toml",
            base.replace(
                r#", "data.skippy.io/sends-to-storage/path" = "data/out""#,
                "",
            ),
            "deployments[0].containers[0].labels",
            "sends-to-storage/path",
        ),
        (
            "bad-phase.toml",
            base.replace("\"invocation\"", "\"always\""),
            "deployments[0].containers[0].data_phase",
            "invocation",
        ),
    ];
    for (file, text, place, what) in cases {
        assert_ne!(text, base, "{file}: the case changes the scenario");
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
            stderr.contains(what),
            "{file}: should say `{what}`: {stderr}"
        );
        assert!(!out.exists(), "{file}: nothing may be written");
    }
}

/// The scheduler may place a replica on a node its bucket's storage node cannot reach (here
/// `n1`, on a second `internet_b` switch that only the registry shares): the run fails when the
/// replica is about to run, naming the container, both nodes and the bucket.
#[test]
fn a_storage_node_that_cannot_reach_the_replica_fails_the_run() {
    let text = scenario(STORE_VERTICES, STORE_EDGES, "", IN_AND_OUT, 1)
        .replace(
            r#"{ kind = "node", name = "n0" }"#,
            r#"{ kind = "node", name = "n0", type = "rpi3" },
  { kind = "node", name = "n1" },
  { kind = "link", name = "l_n1", capacity_mbit = 100 },
  { kind = "switch", name = "internet_b" }"#,
        )
        .replace(
            r#"{ from = "l_n0", to = "internet" },"#,
            r#"{ from = "l_n0", to = "internet" },
  { from = "n1", to = "l_n1" },
  { from = "l_n1", to = "internet_b" },"#,
        )
        // too big for the Raspberry Pi: the replica goes to n1
        .replace("data_phase", "requests = { memory = \"2Gi\" }\ndata_phase");
    let out = common::run(&common::scenario(&text), 1);
    assert_eq!(out.run.status, RunStatus::Error);
    let e = out.run.error.unwrap();
    assert!(
        e.contains("deployments[0].containers[0]")
            && e.contains("no route from node `store` to node `n1`")
            && e.contains("bucket `data`"),
        "{e}"
    );
}
