//! Tests of the output layer on hand-built runs: two functions, a few rows in every table and a
//! failed run that has only its `runs` row.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use serde_json::json;

use super::*;
use crate::engine::SimTime;
use crate::metrics::histogram::bucket_of;
use crate::metrics::LatencyHistogram;
use crate::metrics::{
    EnabledTables, HistogramRow, InvocationRow, InvocationStatus, MetricStats, Names, ParamValue,
    PlacementRow, ReplicaCountRow, ReplicaRow, RunIdentity, RunOutput, RunRow, RunStatus,
    ScalingRow, SummaryRow, UtilizationRow,
};
use crate::scheduler::{Candidate, ScoreEntry};

const NEVER: SimTime = SimTime::NEVER;

fn t(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn identity(index: u32, params: Vec<(String, ParamValue)>) -> RunIdentity {
    RunIdentity {
        run_id: format!("{:016x}", 0xabc0_0000_u64 + u64::from(index)),
        run_index: index,
        sweep_id: "00112233445566aa".into(),
        scenario: "two-functions".into(),
        seed: 40 + u64::from(index),
        params,
        params_json: format!("{{\"seed\":{}}}", 40 + index),
        config_hash: "ffeeddccbbaa9988".into(),
    }
}

fn default_params(index: u32) -> Vec<(String, ParamValue)> {
    vec![
        (
            "scheduler.profile".into(),
            ParamValue::Str(if index % 2 == 0 { "default" } else { "spread" }.into()),
        ),
        ("workload.rate".into(), ParamValue::Float(2.5)),
        ("cluster.nodes".into(), ParamValue::Int(4)),
    ]
}

fn invocation(request_id: u64, function: u32, status: InvocationStatus) -> InvocationRow {
    InvocationRow {
        request_id,
        fn_seq: request_id / 2,
        function,
        status,
        reject_reason: None,
        cold: false,
        arrival: NEVER,
        dispatch: NEVER,
        start: NEVER,
        end: NEVER,
        transfer: NEVER,
        slowdown: None,
        replica: None,
        node: None,
        image: None,
        memory_bytes: None,
    }
}

fn dispatched(mut i: InvocationRow, replica: u32, times: [f64; 3]) -> InvocationRow {
    i.dispatch = t(times[0]);
    i.start = t(times[1]);
    i.end = if times[2] < 0.0 { NEVER } else { t(times[2]) };
    i.transfer = t(0.125);
    i.slowdown = Some(1.0);
    i.replica = Some(replica);
    i.node = Some(replica);
    i.image = Some(replica);
    i.memory_bytes = Some(256 << 20);
    i
}

fn placement(replica_id: u32, function: u32, node: Option<u32>) -> PlacementRow {
    let ok = node.is_some();
    PlacementRow {
        t: t(0.5 + f64::from(replica_id)),
        queued: t(0.25 + f64::from(replica_id)),
        latency: t(0.001),
        replica_id,
        function,
        image: function,
        profile: "default",
        attempt: 0,
        nodes_total: 2,
        nodes_to_find: 2,
        start_index: replica_id % 2,
        nodes_evaluated: 2,
        feasible: if ok { 2 } else { 0 },
        scored: if ok { 2 } else { 0 },
        tie_count: if ok { 1 } else { 0 },
        node,
        failure_reason: (!ok).then_some("no feasible node"),
        rejections: if ok {
            Vec::new().into()
        } else {
            vec![("fits_resources", 1), ("node_ports", 1)].into()
        },
        scores: if ok {
            vec![
                ScoreEntry {
                    name: "least_allocated",
                    raw: 80.0,
                    normalized: 80.0,
                    weight: 1.0,
                    weighted: 80.0,
                },
                ScoreEntry {
                    name: "image_locality",
                    raw: 0.0,
                    normalized: 0.0,
                    weight: 1.0,
                    weighted: 0.0,
                },
            ]
            .into()
        } else {
            Vec::new().into()
        },
        total_score: ok.then_some(80.0),
        needed_images: ok.then(|| if function == 0 { vec![0] } else { vec![] }),
        node_cpu_requested_frac: ok.then_some(0.25),
        node_mem_requested_frac: ok.then_some(0.125),
        // Replica 0 lists two candidates, replica 1 was decided with `explain_top_k = 0` (null)
        // and the failed replica 2 had nothing to score (empty).
        candidates: match replica_id {
            0 => Some(vec![candidate(1, 90.0), candidate(0, 80.0)]),
            1 => None,
            _ => Some(Vec::new()),
        },
    }
}

fn candidate(node: u32, total: f64) -> Candidate {
    Candidate {
        node,
        total,
        scores: vec![ScoreEntry {
            name: "least_allocated",
            raw: total,
            normalized: total,
            weight: 1.0,
            weighted: total,
        }],
    }
}

fn scaling(t_s: f64, function: u32, action: &'static str, applied: i32) -> ScalingRow {
    ScalingRow {
        t: t(t_s),
        function,
        scaler: if action == "deploy" {
            "lifecycle"
        } else {
            "hpa"
        },
        action,
        metric_name: (action != "deploy").then_some("cpu"),
        metric_value: (action != "deploy").then_some(0.9),
        running: 1,
        pending: 0,
        current: 1,
        desired: (action != "deploy").then_some(2),
        applied,
        reason: "test",
    }
}

fn replica(replica_id: u32, function: u32, node: Option<u32>) -> ReplicaRow {
    let placed = node.is_some();
    let at = |s: f64| if placed { t(s) } else { NEVER };
    ReplicaRow {
        replica_id,
        function,
        image: function,
        pod_n: replica_id,
        attempt: 0,
        parent_replica_id: None,
        node,
        cpu_request_m: 500,
        memory_request_bytes: 256 << 20,
        created: t(0.25),
        scheduled: at(0.5),
        deploying: at(0.5),
        starting: at(1.5),
        setup_start: at(1.75),
        running: at(2.0),
        teardown: NEVER,
        ended: if placed { NEVER } else { t(0.5) },
        final_state: if placed { "running" } else { "failed" },
        end_reason: (!placed).then_some("unschedulable"),
        pull_bytes: placed.then_some(1 << 20),
        pull: at(1.0),
        pull_cached: placed.then_some(false),
        pull_joined: placed.then_some(false),
        requests_served: u64::from(placed),
    }
}

fn stats(s: f64) -> MetricStats {
    MetricStats {
        mean: Some(s),
        p50: Some(s),
        p90: Some(s),
        p99: Some(s),
        p999: Some(s),
        max: Some(s),
    }
}

fn histogram_rows(function: Option<u32>, responses_ns: &[u64]) -> Vec<HistogramRow> {
    let mut h = LatencyHistogram::new();
    for &v in responses_ns {
        h.record(v);
    }
    HistogramRow::of(function, "response", &h, HistogramPrecision::FULL)
        .into_iter()
        .collect()
}

/// A successful run: 4 requests (2 completed, 1 rejected, 1 incomplete), 3 placements (one
/// failed), 3 scaling records, 3 replicas, summary and response histograms.
fn ok_run(index: u32) -> RunOutput {
    let mut run = RunRow::new(identity(index, default_params(index)));
    run.horizon_s = Some(10.0);
    run.sim_end = t(9.5);
    run.events_processed = 42;
    run.requests = 4;
    run.completed = 2;
    run.incomplete = 1;
    run.rejected = 1;
    run.cold_starts = 1;
    run.replicas_created = 3;
    run.replicas_failed = 1;
    run.placements = 3;
    run.placements_failed = 1;
    run.scale_actions = 3;
    run.wall_time_s = Some(0.01);
    run.events_per_s = Some(4200.0);
    run.peak_rss_bytes = Some(1 << 24);
    run.started_at = Some("2026-11-30T05:00:00.000Z".into());
    run.provenance = Some(std::sync::Arc::new(crate::provenance::ProcessProvenance {
        git_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        git_dirty: Some(false),
        rustc_version: "rustc 1.99.0".into(),
        host: "node-1".into(),
        command: "faasim sweep s.toml --out out".into(),
        started_at: "2026-11-30T05:00:00.000Z".into(),
    }));

    let mut r0 = dispatched(
        invocation(0, 0, InvocationStatus::Completed),
        0,
        [2.5, 2.5, 3.0],
    );
    r0.arrival = t(1.0);
    r0.cold = true;
    let mut r1 = dispatched(
        invocation(1, 1, InvocationStatus::Completed),
        1,
        [1.5, 1.75, 2.25],
    );
    r1.arrival = t(1.5);
    let mut r2 = invocation(2, 0, InvocationStatus::Rejected);
    r2.arrival = t(2.0);
    r2.reject_reason = Some("queue_full");
    let mut r3 = dispatched(
        invocation(3, 1, InvocationStatus::Incomplete),
        1,
        [4.0, 4.5, -1.0],
    );
    r3.arrival = t(4.0);

    let summary = vec![
        SummaryRow {
            function: Some(0),
            requests: 2,
            completed: 1,
            rejected: 1,
            cold_starts: 1,
            stats: [stats(1.5), stats(0.0), stats(0.5), stats(2.0)],
            replicas_max: 1,
            replicas_mean: 0.75,
            running_mean: 0.5,
            scale_ups: 1,
            placements_failed: 1,
            throughput_rps: 0.1,
            ..SummaryRow::default()
        },
        SummaryRow {
            function: Some(1),
            requests: 2,
            completed: 1,
            incomplete: 1,
            stats: [stats(0.0), stats(0.25), stats(0.5), stats(0.75)],
            replicas_max: 1,
            replicas_mean: 0.75,
            running_mean: 0.5,
            scale_ups: 1,
            throughput_rps: 0.1,
            ..SummaryRow::default()
        },
        SummaryRow {
            function: None,
            requests: 4,
            completed: 2,
            incomplete: 1,
            rejected: 1,
            cold_starts: 1,
            stats: [stats(0.75), stats(0.125), stats(0.5), stats(1.375)],
            replicas_max: 2,
            replicas_mean: 1.5,
            running_mean: 1.0,
            scale_ups: 2,
            placements_failed: 1,
            throughput_rps: 0.2,
            ..SummaryRow::default()
        },
    ];
    let mut histograms = histogram_rows(Some(0), &[2_000_000_000]);
    histograms.extend(histogram_rows(Some(1), &[750_000_000]));
    histograms.extend(histogram_rows(None, &[750_000_000, 2_000_000_000]));

    RunOutput {
        run,
        names: Names {
            functions: vec!["fa".into(), "fb".into()],
            nodes: vec!["n0".into(), "n1".into()],
            images: vec!["img-a".into(), "img-b".into()],
        },
        enabled: EnabledTables {
            invocations: true,
            placements: true,
            scaling: true,
            replicas: true,
            replica_counts: true,
            utilization: true,
            latency_histograms: true,
            flows: true,
            links: true,
            nodes: true,
        },
        invocations: vec![r0, r1, r2, r3],
        placements: vec![
            placement(0, 0, Some(0)),
            placement(1, 1, Some(1)),
            placement(2, 0, None),
        ],
        scaling: vec![
            scaling(0.0, 0, "deploy", 1),
            scaling(0.0, 1, "deploy", 1),
            scaling(5.0, 0, "scale_up", 1),
        ],
        replicas: vec![
            replica(0, 0, Some(0)),
            replica(1, 1, Some(1)),
            replica(2, 0, None),
        ],
        replica_counts: vec![
            ReplicaCountRow {
                t: t(0.0),
                function: 0,
                live: 1,
                running: 0,
            },
            ReplicaCountRow {
                t: t(1.0),
                function: 0,
                live: 1,
                running: 1,
            },
        ],
        utilization: vec![
            utilization(1.0, 0, None),
            utilization(1.0, 1, None),
            utilization(1.0, 0, Some((0, 0))),
        ],
        summary,
        histograms,
        flows: vec![crate::metrics::FlowRow {
            requested: t(0.0),
            activated: t(0.5),
            ended: t(1.5),
            kind: "image_pull",
            source: None,
            destination: Some(1),
            bytes: 125_000_000,
            hops: 2,
            rtt_ms: 3.0,
            mean_rate_mbit: Some(1000.0),
            replica_id: Some(1),
            request_id: None,
            image: Some(1),
        }],
        links: vec![crate::metrics::LinkRow {
            link: 0,
            name: "link_n1".into(),
            kind: "node",
            capacity_mbit: 1000.0,
            bytes: 125_000_000,
            busy: t(1.0),
        }],
        nodes: (0..2)
            .map(|i| crate::metrics::NodeRow {
                node: i,
                node_type: "server".into(),
                arch: "x86".into(),
                cpu_m: 88_000,
                memory_bytes: 188_000_000_000,
                accelerator: "NONE",
                locality: "cloud".into(),
                zone: "lan-0".into(),
                storage: false,
                labels: "{}".into(),
            })
            .collect(),
    }
}

fn utilization(t_s: f64, node: u32, replica: Option<(u32, u32)>) -> UtilizationRow {
    UtilizationRow {
        t: t(t_s),
        node,
        replica: replica.map(|r| r.0),
        function: replica.map(|r| r.1),
        cpu_capacity_m: 4000,
        mem_capacity_bytes: 1 << 30,
        cpu_requested_m: 1000,
        mem_requested_bytes: 1 << 20,
        cpu_used_avg_m: 500.0,
        mem_used_avg_bytes: 1048576.0,
        cpu_util: 0.125,
        mem_util: 1.0 / 1024.0,
        replicas_live: 1,
        replicas_running: 1,
        executing: 1,
        queued: 0,
    }
}

fn failed_run(index: u32) -> RunOutput {
    RunOutput::failed(
        RunRow::new(identity(index, default_params(index))),
        RunStatus::Error,
        "event budget exceeded".into(),
    )
}

/// Run 0 ok, run 1 failed, run 2 ok.
fn three_runs() -> Vec<RunOutput> {
    vec![ok_run(0), failed_run(1), ok_run(2)]
}

fn find<'a>(batches: &'a [(&'static str, RecordBatch)], table: &str) -> Option<&'a RecordBatch> {
    batches.iter().find(|(n, _)| *n == table).map(|(_, b)| b)
}

fn strings(b: &RecordBatch, col: &str) -> Vec<Option<String>> {
    let a = b.column_by_name(col).unwrap().as_string::<i32>();
    a.iter().map(|s| s.map(str::to_string)).collect()
}

fn f64s(b: &RecordBatch, col: &str) -> Vec<Option<f64>> {
    let a = b.column_by_name(col).unwrap().as_primitive::<Float64Type>();
    a.iter().collect()
}

fn nulls(b: &RecordBatch, col: &str) -> Vec<bool> {
    let a = b.column_by_name(col).unwrap();
    (0..a.len()).map(|i| a.is_null(i)).collect()
}

fn read_part(path: &Path) -> RecordBatch {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
    arrow_select_concat(&schema, &batches)
}

/// The parts written here are far below one reader batch; keep it simple without arrow-select.
fn arrow_select_concat(schema: &arrow_schema::SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    match batches {
        [] => RecordBatch::new_empty(schema.clone()),
        [one] => one.clone(),
        _ => panic!("unexpectedly many record batches: {}", batches.len()),
    }
}

fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out
}

fn manifest() -> serde_json::Value {
    json!({ "sweep_id": "00112233445566aa", "runs": 3, "runs_per_batch": 32 })
}

// ---- record batches -------------------------------------------------------------------------

#[test]
fn every_table_batch_has_its_specified_schema_and_run_order() {
    let runs = three_runs();
    let batches = table_batches(&runs, true);
    let names: Vec<&str> = batches.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, TABLES);
    let params = param_columns(&runs);
    for (table, b) in &batches {
        assert_eq!(b.schema(), table_schema(table, &params).unwrap(), "{table}");
    }
    let rows = |t: &str| find(&batches, t).unwrap().num_rows();
    assert_eq!(rows("runs"), 3);
    assert_eq!(rows("invocations"), 8);
    assert_eq!(rows("placements"), 6);
    assert_eq!(rows("scaling"), 6);
    assert_eq!(rows("replicas"), 6);
    assert_eq!(rows("replica_counts"), 4);
    assert_eq!(rows("utilization"), 6);
    assert_eq!(rows("summary"), 6);
    // One row per function and metric with values, and the all-functions row: 3 per ok run.
    assert_eq!(rows("latency_histograms"), 6);

    let inv = find(&batches, "invocations").unwrap();
    let idx = inv
        .column_by_name("run_index")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(idx.values().to_vec(), vec![0, 0, 0, 0, 2, 2, 2, 2]);
    let req = inv
        .column_by_name("request_id")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(req.values().to_vec(), vec![0, 1, 2, 3, 0, 1, 2, 3]);
    assert_eq!(
        strings(inv, "function")[..4],
        [Some("fa"), Some("fb"), Some("fa"), Some("fb")].map(|s| s.map(String::from))
    );
}

#[test]
fn failed_runs_appear_only_in_runs() {
    let runs = three_runs();
    let batches = table_batches(&runs, true);
    let failed_id = runs[1].run.id.run_id.clone();
    for (table, b) in &batches {
        let ids = strings(b, "run_id");
        let has_failed = ids.iter().any(|s| s.as_deref() == Some(failed_id.as_str()));
        assert_eq!(has_failed, *table == "runs", "{table}");
    }
    let r = find(&batches, "runs").unwrap();
    assert_eq!(
        strings(r, "status"),
        vec![Some("ok".into()), Some("error".into()), Some("ok".into())]
    );
    assert_eq!(nulls(r, "error"), [true, false, true]);
    assert_eq!(
        strings(r, "error")[1].as_deref(),
        Some("event budget exceeded")
    );
}

#[test]
fn only_runs_and_summary_are_written_when_optional_tables_are_off() {
    let mut run = ok_run(0);
    run.enabled = EnabledTables::NONE;
    let names: Vec<&str> = table_batches(&[run], true)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, ["runs", "summary"]);

    // Enabled but without rows: no batch either.
    let mut run = ok_run(0);
    run.scaling.clear();
    let names: Vec<&str> = table_batches(&[run], true)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert!(!names.contains(&"scaling"));

    // A slice of failed runs has only its runs rows.
    let names: Vec<&str> = table_batches(&[failed_run(3)], true)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, ["runs"]);
    assert!(table_batches(&[], true).is_empty());
}

#[test]
fn invocation_times_and_differences_are_null_where_not_reached() {
    let batches = table_batches(&[ok_run(0)], true);
    let b = find(&batches, "invocations").unwrap();
    // r0 completed cold, r1 completed warm, r2 rejected, r3 incomplete.
    assert_eq!(nulls(b, "dispatch_s"), [false, false, true, false]);
    assert_eq!(nulls(b, "end_s"), [false, false, true, true]);
    assert_eq!(nulls(b, "reject_reason"), [true, true, false, true]);
    assert_eq!(nulls(b, "node"), [false, false, true, false]);
    assert_eq!(nulls(b, "memory_bytes"), [false, false, true, false]);
    assert_eq!(f64s(b, "wait_s"), [Some(1.5), Some(0.0), None, Some(0.0)]);
    assert_eq!(f64s(b, "queue_s"), [Some(0.0), Some(0.25), None, Some(0.5)]);
    assert_eq!(f64s(b, "exec_s"), [Some(0.5), Some(0.5), None, None]);
    assert_eq!(f64s(b, "response_s"), [Some(2.0), Some(0.75), None, None]);
    assert_eq!(strings(b, "node")[1].as_deref(), Some("n1"));
    assert_eq!(strings(b, "image")[0].as_deref(), Some("img-a"));
}

#[test]
fn placement_failures_have_null_node_scores_and_images_and_keep_rejections() {
    let batches = table_batches(&[ok_run(0)], true);
    let b = find(&batches, "placements").unwrap();
    assert_eq!(
        strings(b, "status"),
        ["scheduled", "scheduled", "unschedulable"].map(|s| Some(s.to_string()))
    );
    for col in [
        "node",
        "scores",
        "total_score",
        "needed_images",
        "node_cpu_requested_frac",
    ] {
        assert_eq!(nulls(b, col), [false, false, true], "{col}");
    }
    assert_eq!(nulls(b, "failure_reason"), [true, true, false]);
    assert_eq!(nulls(b, "rejections"), [false, false, false]);

    let rej = b.column_by_name("rejections").unwrap().as_list::<i32>();
    assert_eq!(rej.value_offsets(), &[0, 0, 0, 2]);
    let rej2 = rej.value(2);
    let rej2 = rej2.as_struct();
    assert_eq!(rej2.column(0).as_string::<i32>().value(1), "node_ports");
    let scores = b.column_by_name("scores").unwrap().as_list::<i32>();
    assert_eq!(scores.value(0).len(), 2);
    let s0 = scores.value(0);
    let s0 = s0.as_struct();
    assert_eq!(s0.column(0).as_string::<i32>().value(0), "least_allocated");
    assert_eq!(s0.column(4).as_primitive::<Float64Type>().value(0), 80.0);

    let imgs = b.column_by_name("needed_images").unwrap().as_list::<i32>();
    assert_eq!(imgs.value(0).as_string::<i32>().value(0), "img-a");
    assert_eq!(imgs.value(1).len(), 0);
}

#[test]
fn placement_candidates_are_null_without_explain_top_k_and_list_nodes_totals_and_scores() {
    let batches = table_batches(&[ok_run(0)], true);
    let b = find(&batches, "placements").unwrap();
    assert_eq!(nulls(b, "candidates"), [false, true, false]);
    let cands = b.column_by_name("candidates").unwrap().as_list::<i32>();
    assert_eq!(cands.value_offsets(), &[0, 2, 2, 2]);
    let first = cands.value(0);
    let first = first.as_struct();
    let nodes: Vec<&str> = first
        .column(0)
        .as_string::<i32>()
        .iter()
        .flatten()
        .collect();
    assert_eq!(nodes, ["n1", "n0"]);
    let totals = first.column(1).as_primitive::<Float64Type>();
    assert_eq!(totals.values(), &[90.0, 80.0]);
    let scores = first.column(2).as_list::<i32>();
    let best = scores.value(0);
    let best = best.as_struct();
    assert_eq!(
        best.column(0).as_string::<i32>().value(0),
        "least_allocated"
    );
    assert_eq!(best.column(4).as_primitive::<Float64Type>().value(0), 90.0);
}

#[test]
fn summary_total_row_and_histogram_all_functions_rows_have_null_function() {
    let batches = table_batches(&[ok_run(0)], true);
    let s = find(&batches, "summary").unwrap();
    assert_eq!(
        strings(s, "function"),
        [Some("fa".to_string()), Some("fb".to_string()), None]
    );
    assert_eq!(
        f64s(s, "response_p99_s"),
        [Some(2.0), Some(0.75), Some(1.375)]
    );
    assert_eq!(f64s(s, "wait_mean_s")[0], Some(1.5));
    let h = find(&batches, "latency_histograms").unwrap();
    // The all-function row comes first in a part (docs/outputs.md, `latency_histograms`).
    assert_eq!(nulls(h, "function"), [true, false, false]);
    assert_eq!(
        strings(h, "function")[1..],
        [Some("fa".into()), Some("fb".into())]
    );
    let first = h
        .column_by_name("first_bucket")
        .unwrap()
        .as_primitive::<Int64Type>();
    let counts = |row: usize| -> Vec<i64> {
        let col = h
            .column_by_name("count")
            .unwrap()
            .as_list::<i32>()
            .value(row);
        col.as_primitive::<Int64Type>().values().to_vec()
    };
    assert_eq!(first.value(1), i64::from(bucket_of(2_000_000_000)));
    assert_eq!(counts(1), [1]);
    // The all-functions row holds both requests, from the lower bucket to the upper one with
    // the empty buckets between them as zeros.
    let (lo, hi) = (bucket_of(750_000_000), bucket_of(2_000_000_000));
    assert_eq!(first.value(0), i64::from(lo));
    let all = counts(0);
    assert_eq!(all.len(), (hi - lo + 1) as usize);
    assert_eq!(
        (all[0], all[all.len() - 1], all.iter().sum::<i64>()),
        (1, 1, 2)
    );
    let n = h.column_by_name("n").unwrap().as_primitive::<Int64Type>();
    assert_eq!(n.values().to_vec(), [2, 1, 1]);
}

#[test]
fn telemetry_columns_are_null_without_telemetry() {
    let runs = three_runs();
    let on = table_batches(&runs, true);
    let off = table_batches(&runs, false);
    let (on, off) = (find(&on, "runs").unwrap(), find(&off, "runs").unwrap());
    for col in TELEMETRY_COLUMNS {
        assert_eq!(nulls(on, col), [false, true, false], "{col}");
        assert_eq!(nulls(off, col), [true, true, true], "{col}");
    }
    assert_eq!(on.schema(), off.schema());
}

#[test]
fn param_columns_are_typed_from_their_values() {
    let mut runs = vec![ok_run(0), ok_run(1)];
    runs[0]
        .run
        .id
        .params
        .push(("a.int_float".into(), ParamValue::Int(1)));
    runs[1]
        .run
        .id
        .params
        .push(("a.int_float".into(), ParamValue::Float(2.5)));
    runs[0]
        .run
        .id
        .params
        .push(("b.mixed".into(), ParamValue::Bool(true)));
    runs[1]
        .run
        .id
        .params
        .push(("b.mixed".into(), ParamValue::Int(7)));
    runs[0]
        .run
        .id
        .params
        .push(("c.flag".into(), ParamValue::Bool(true)));
    runs[1]
        .run
        .id
        .params
        .push(("c.flag".into(), ParamValue::Bool(false)));
    let cols = param_columns(&runs);
    let types: Vec<(&str, DataType)> = cols
        .iter()
        .map(|c| (c.key.as_str(), c.data_type.clone()))
        .collect();
    assert_eq!(
        types,
        [
            ("scheduler.profile", DataType::Utf8),
            ("workload.rate", DataType::Float64),
            ("cluster.nodes", DataType::Int64),
            ("a.int_float", DataType::Float64),
            ("b.mixed", DataType::Utf8),
            ("c.flag", DataType::Boolean),
        ]
    );
    let batches = table_batches(&runs, true);
    let r = find(&batches, "runs").unwrap();
    assert_eq!(f64s(r, "param.a.int_float"), [Some(1.0), Some(2.5)]);
    assert_eq!(
        strings(r, "param.b.mixed"),
        [Some("true".to_string()), Some("7".to_string())]
    );
    assert_eq!(
        strings(r, "param.scheduler.profile"),
        [Some("default".to_string()), Some("spread".to_string())]
    );
    let nodes = r.column_by_name("param.cluster.nodes").unwrap();
    assert_eq!(
        nodes
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(1),
        4
    );
}

// ---- dataset --------------------------------------------------------------------------------

#[test]
fn write_batch_writes_readable_parts_with_the_table_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let runs = three_runs();
    let w = DatasetWriter::create(dir.path(), &manifest()).unwrap();
    w.write_batch(0, &runs, true).unwrap();

    let expected = table_batches(&runs, true);
    for (table, want) in &expected {
        let path = dir.path().join(table).join("part-000000.parquet");
        let got = read_part(&path);
        assert_eq!(got.schema().fields(), want.schema().fields(), "{table}");
        assert_eq!(got.num_rows(), want.num_rows(), "{table}");
        assert_eq!(&got, want, "{table} round trip");
    }
    // Nothing left in _tmp; no directory for tables that were not written.
    assert_eq!(fs::read_dir(dir.path().join("_tmp")).unwrap().count(), 0);
    assert!(!dir.path().join("no_such_table").exists());
}

#[test]
fn commit_marker_lists_runs_and_each_part_with_rows_and_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let runs = vec![ok_run(64), failed_run(65)];
    let w = DatasetWriter::create(dir.path(), &manifest()).unwrap();
    w.write_batch(2, &runs, true).unwrap();

    let marker = read_commit(dir.path(), 2).unwrap();
    assert_eq!(marker.batch, 2);
    assert_eq!(marker.schema_version, SCHEMA_VERSION);
    assert_eq!((marker.run_index_start, marker.run_index_end), (64, 66));
    assert_eq!(
        marker.run_ids,
        vec![runs[0].run.id.run_id.clone(), runs[1].run.id.run_id.clone()]
    );
    let tables: Vec<&str> = marker.tables.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = TABLES.to_vec();
    want.sort_unstable();
    assert_eq!(tables, want);
    let runs_part = &marker.tables["runs"];
    assert_eq!(runs_part.file, "runs/part-000002.parquet");
    assert_eq!(runs_part.rows, 2);
    assert_eq!(marker.tables["invocations"].rows, 4);
    for part in marker.tables.values() {
        let bytes = fs::read(dir.path().join(&part.file)).unwrap();
        assert_eq!(bytes.len() as u64, part.bytes);
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, part.sha256);
    }
    // The marker is plain JSON with the documented keys.
    let raw: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("_commits/batch-000002.json")).unwrap())
            .unwrap();
    assert_eq!(raw["tables"]["summary"]["rows"], 3);
}

#[test]
fn writing_the_same_batch_twice_gives_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        let w = DatasetWriter::create(d.path(), &manifest()).unwrap();
        w.write_batch(0, &three_runs(), false).unwrap();
        w.write_batch(1, &[ok_run(32)], false).unwrap();
    }
    let files = files_under(a.path());
    assert_eq!(files, files_under(b.path()));
    assert!(files.contains(Path::new("placements/part-000001.parquet")));
    for f in &files {
        assert_eq!(
            fs::read(a.path().join(f)).unwrap(),
            fs::read(b.path().join(f)).unwrap(),
            "{}",
            f.display()
        );
    }
    // Rewriting a batch in place reproduces the same bytes too.
    let before = fs::read(a.path().join("runs/part-000000.parquet")).unwrap();
    let w = DatasetWriter::create(a.path(), &manifest()).unwrap();
    w.write_batch(0, &three_runs(), false).unwrap();
    assert_eq!(
        before,
        fs::read(a.path().join("runs/part-000000.parquet")).unwrap()
    );
}

#[test]
fn committed_batches_ignore_parts_without_a_marker_and_clean_uncommitted_removes_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w = DatasetWriter::create(root, &manifest()).unwrap();
    w.write_batch(0, &three_runs(), true).unwrap();
    w.write_batch(1, &[ok_run(32)], true).unwrap();
    assert_eq!(committed_batches(root).unwrap(), BTreeSet::from([0, 1]));

    // A crash after the parts of batch 2 were renamed but before its marker was written.
    fs::copy(
        root.join("runs/part-000000.parquet"),
        root.join("runs/part-000002.parquet"),
    )
    .unwrap();
    fs::write(root.join("_tmp/summary-part-000002.parquet"), b"partial").unwrap();
    // Batch 1 lost a file: its marker no longer counts.
    fs::remove_file(root.join("scaling/part-000001.parquet")).unwrap();
    // An unreadable marker does not count either.
    fs::write(root.join("_commits/batch-000003.json"), b"{").unwrap();

    assert_eq!(committed_batches(root).unwrap(), BTreeSet::from([0]));

    clean_uncommitted(root).unwrap();
    assert_eq!(committed_batches(root).unwrap(), BTreeSet::from([0]));
    let left = files_under(root);
    assert!(!left.contains(Path::new("runs/part-000002.parquet")));
    assert!(!left.contains(Path::new("runs/part-000001.parquet")));
    assert!(!left.contains(Path::new("_commits/batch-000001.json")));
    assert!(!left.contains(Path::new("_commits/batch-000003.json")));
    assert!(left.contains(Path::new("runs/part-000000.parquet")));
    assert!(left.contains(Path::new("_commits/batch-000000.json")));
    assert!(left.contains(Path::new("manifest.json")));
    assert!(
        !root.join("_tmp").exists(),
        "staging is removed with its contents"
    );
}

#[test]
fn verified_batches_detect_a_changed_part() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w = DatasetWriter::create(root, &manifest()).unwrap();
    w.write_batch(0, &three_runs(), true).unwrap();
    w.write_batch(1, &[ok_run(32)], true).unwrap();
    assert_eq!(verified_batches(root).unwrap(), BTreeSet::from([0, 1]));

    let path = root.join("summary/part-000001.parquet");
    let mut bytes = fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&path, bytes).unwrap();
    assert_eq!(committed_batches(root).unwrap(), BTreeSet::from([0, 1]));
    assert_eq!(verified_batches(root).unwrap(), BTreeSet::from([0]));
}

#[test]
fn manifest_is_written_with_schema_version_and_writer_settings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("out");
    DatasetWriter::create(&root, &manifest()).unwrap();
    let m = read_manifest(&root).unwrap();
    assert_eq!(m["schema_version"], SCHEMA_VERSION);
    assert_eq!(m["runs_per_batch"], 32);
    assert_eq!(m["writer_settings"]["compression"], "zstd");
    assert!(root.join("_commits").is_dir() && root.join("_tmp").is_dir());
    assert!(DatasetWriter::create(&root, &json!([1, 2])).is_err());
}

#[test]
fn errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let err = read_manifest(&missing).unwrap_err().to_string();
    assert!(err.contains("nowhere/manifest.json"), "{err}");
    let w = DatasetWriter::create(dir.path(), &manifest()).unwrap();
    let err = w.write_batch(0, &[], true).unwrap_err().to_string();
    assert!(err.contains("batch-000000.json"), "{err}");
}

#[test]
fn shard_writers_stage_in_their_own_tmp_dir_and_leave_other_shards_staging_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w0 = DatasetWriter::create_shard(root, &manifest(), 0, 2).unwrap();
    // Shard 1 is half-way through writing a part when shard 0 (re)starts.
    fs::create_dir_all(root.join("_tmp/shard-1-of-2")).unwrap();
    fs::write(
        root.join("_tmp/shard-1-of-2/runs-part-000001.parquet"),
        b"half",
    )
    .unwrap();
    fs::write(
        root.join("_tmp/shard-0-of-2/runs-part-000000.parquet"),
        b"old",
    )
    .unwrap();
    let w0b = DatasetWriter::create_shard(root, &manifest(), 0, 2).unwrap();
    assert!(root
        .join("_tmp/shard-1-of-2/runs-part-000001.parquet")
        .exists());
    assert_eq!(
        fs::read_dir(root.join("_tmp/shard-0-of-2"))
            .unwrap()
            .count(),
        0
    );
    drop(w0);

    w0b.write_batch(0, &three_runs(), true).unwrap();
    let w1 = DatasetWriter::create_shard(root, &manifest(), 1, 2).unwrap();
    w1.write_batch(1, &[ok_run(32)], true).unwrap();
    assert_eq!(committed_batches(root).unwrap(), BTreeSet::from([0, 1]));
    assert_eq!(shard_tmp_dir(1, 2), Path::new("_tmp/shard-1-of-2"));
}

#[test]
fn clean_uncommitted_shard_touches_only_the_batches_of_that_shard() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w = DatasetWriter::create_shard(root, &manifest(), 0, 2).unwrap();
    w.write_batch(0, &three_runs(), true).unwrap();
    // Uncommitted parts of batch 2 (shard 0) and batch 3 (shard 1, maybe still being written).
    for b in [2, 3] {
        fs::copy(
            root.join("runs/part-000000.parquet"),
            root.join(format!("runs/part-00000{b}.parquet")),
        )
        .unwrap();
    }
    fs::create_dir_all(root.join("_tmp/shard-1-of-2")).unwrap();
    fs::write(root.join("_tmp/shard-1-of-2/x"), b"busy").unwrap();
    fs::write(root.join("_tmp/shard-0-of-2/y"), b"stale").unwrap();

    clean_uncommitted_shard(root, 0, 2).unwrap();
    let left = files_under(root);
    assert!(!left.contains(Path::new("runs/part-000002.parquet")));
    assert!(left.contains(Path::new("runs/part-000003.parquet")));
    assert!(left.contains(Path::new("runs/part-000000.parquet")));
    assert!(left.contains(Path::new("_tmp/shard-1-of-2/x")));
    assert!(!left.contains(Path::new("_tmp/shard-0-of-2/y")));
}

#[test]
fn param_columns_of_types_a_sweep_from_its_listed_values() {
    let values = [
        ("a", ParamValue::Int(1)),
        ("b", ParamValue::Str("x".into())),
        ("a", ParamValue::Float(0.5)),
        ("c", ParamValue::Bool(true)),
        ("b", ParamValue::Int(2)),
    ];
    let cols = param_columns_of(values.iter().map(|(k, v)| (*k, v)));
    let got: Vec<(&str, DataType)> = cols
        .iter()
        .map(|c| (c.key.as_str(), c.data_type.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("a", DataType::Float64),
            ("b", DataType::Utf8),
            ("c", DataType::Boolean)
        ]
    );
}

/// Writes a sample dataset for `scripts/check_tables.py`:
/// `FAASIM_SAMPLE_OUT=target/sample cargo test --lib output -- --ignored`, then
/// `.venv/bin/python scripts/check_tables.py target/sample --expect-invocations`.
#[test]
#[ignore = "writes a dataset for scripts/check_tables.py"]
fn write_sample_dataset_for_check_tables() {
    let out = std::env::var_os("FAASIM_SAMPLE_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/output-sample"));
    if out.exists() {
        fs::remove_dir_all(&out).unwrap();
    }
    let w = DatasetWriter::create(&out, &manifest()).unwrap();
    w.write_batch(0, &three_runs(), true).unwrap();
    w.write_batch(1, &[ok_run(32), failed_run(33)], false)
        .unwrap();
    assert_eq!(committed_batches(&out).unwrap(), BTreeSet::from([0, 1]));
}
