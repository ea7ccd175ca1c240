//! Record batches of the output tables, built from the runs of one batch.
//!
//! Rows are ordered by the order of the runs in the slice (the caller passes them by
//! `run_index`), then by each run's own row order, which the simulation already provides.
//! Ids are resolved to names through each run's [`Names`]. Failed runs contribute only their
//! `runs` row (`spec/outputs.md` §4).

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray, UInt32Array, UInt64Array, UInt8Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, SchemaRef};

use super::schema::{
    invocations_schema, latency_histograms_schema, placements_schema, rejection_fields,
    replica_counts_schema, replicas_schema, runs_schema, scaling_schema, score_fields,
    summary_schema, utilization_schema, ParamColumn,
};
use crate::engine::SimTime;
use crate::metrics::{
    HistogramRow, InvocationRow, MetricStats, Names, ParamValue, PlacementRow, ReplicaCountRow,
    ReplicaRow, RunOutput, RunStatus, ScalingRow, SummaryRow, UtilizationRow,
};

/// The `param.<key>` columns of a slice of runs: keys in first-seen order (sweep order), each
/// typed from its values.
///
/// A key whose values all have one type gets that type; a mix of integers and floats becomes
/// Float64; any other mix falls back to Utf8. Because the type is inferred from the given runs
/// only, a sweep that mixes types across batches should compute the columns once over all runs
/// and pass them to [`table_batches_with_params`] (or [`super::DatasetWriter::with_param_columns`]).
pub fn param_columns(runs: &[RunOutput]) -> Vec<ParamColumn> {
    let mut cols: Vec<ParamColumn> = Vec::new();
    for run in runs {
        for (key, value) in &run.run.id.params {
            let t = value_type(value);
            match cols.iter_mut().find(|c| &c.key == key) {
                Some(c) => c.data_type = unify(&c.data_type, &t),
                None => cols.push(ParamColumn {
                    key: key.clone(),
                    data_type: t,
                }),
            }
        }
    }
    cols
}

/// The `param.<key>` columns of a sweep computed from its parameter values alone (before any run
/// finished): keys in first-seen order, types unified as in [`param_columns`]. Pass every
/// (key, value) pair of the expansion, e.g. each swept key with each of its listed values.
pub fn param_columns_of<'a>(
    values: impl IntoIterator<Item = (&'a str, &'a ParamValue)>,
) -> Vec<ParamColumn> {
    let mut cols: Vec<ParamColumn> = Vec::new();
    for (key, value) in values {
        let t = value_type(value);
        match cols.iter_mut().find(|c| c.key == key) {
            Some(c) => c.data_type = unify(&c.data_type, &t),
            None => cols.push(ParamColumn {
                key: key.to_string(),
                data_type: t,
            }),
        }
    }
    cols
}

fn value_type(v: &ParamValue) -> DataType {
    match v {
        ParamValue::Int(_) => DataType::Int64,
        ParamValue::Float(_) => DataType::Float64,
        ParamValue::Str(_) => DataType::Utf8,
        ParamValue::Bool(_) => DataType::Boolean,
    }
}

fn unify(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        _ if a == b => a.clone(),
        (DataType::Int64, DataType::Float64) | (DataType::Float64, DataType::Int64) => {
            DataType::Float64
        }
        _ => DataType::Utf8,
    }
}

/// Text of a parameter value in a Utf8 column (floats in shortest round-trip form).
fn value_text(v: &ParamValue) -> String {
    match v {
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(f) => f.to_string(),
        ParamValue::Str(s) => s.clone(),
        ParamValue::Bool(b) => b.to_string(),
    }
}

/// One batch per table with rows, in [`super::TABLES`] order; see [`table_batches_with_params`].
pub fn table_batches(runs: &[RunOutput], telemetry: bool) -> Vec<(&'static str, RecordBatch)> {
    table_batches_with_params(runs, telemetry, &param_columns(runs))
}

/// One batch per table with rows, in [`super::TABLES`] order, with the given `param.<key>`
/// columns in `runs`.
///
/// `runs`, `summary` and `latency_histograms` are produced whenever they have rows; the other
/// tables only when at least one (successful) run enabled them and they have rows. With
/// `telemetry == false` the telemetry columns of `runs` are null (`--no-telemetry`).
pub fn table_batches_with_params(
    runs: &[RunOutput],
    telemetry: bool,
    params: &[ParamColumn],
) -> Vec<(&'static str, RecordBatch)> {
    let mut out = Vec::new();
    if !runs.is_empty() {
        out.push(("runs", runs_batch(runs, telemetry, params)));
    }
    let ok: Vec<&RunOutput> = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Ok)
        .collect();
    let inv = rows(&ok, |r| r.enabled.invocations, |r| &r.invocations);
    if !inv.is_empty() {
        out.push(("invocations", invocations_batch(&inv)));
    }
    let pl = rows(&ok, |r| r.enabled.placements, |r| &r.placements);
    if !pl.is_empty() {
        out.push(("placements", placements_batch(&pl)));
    }
    let sc = rows(&ok, |r| r.enabled.scaling, |r| &r.scaling);
    if !sc.is_empty() {
        out.push(("scaling", scaling_batch(&sc)));
    }
    let rp = rows(&ok, |r| r.enabled.replicas, |r| &r.replicas);
    if !rp.is_empty() {
        out.push(("replicas", replicas_batch(&rp)));
    }
    let rc = rows(&ok, |r| r.enabled.replica_counts, |r| &r.replica_counts);
    if !rc.is_empty() {
        out.push(("replica_counts", replica_counts_batch(&rc)));
    }
    let ut = rows(&ok, |r| r.enabled.utilization, |r| &r.utilization);
    if !ut.is_empty() {
        out.push(("utilization", utilization_batch(&ut)));
    }
    let su = rows(&ok, |_| true, |r| &r.summary);
    if !su.is_empty() {
        out.push(("summary", summary_batch(&su)));
    }
    let hi = rows(&ok, |_| true, |r| &r.histograms);
    if !hi.is_empty() {
        out.push(("latency_histograms", histograms_batch(&hi)));
    }
    out
}

/// A row of some table together with the run it belongs to.
type Rows<'a, T> = Vec<(&'a RunOutput, &'a T)>;

fn rows<'a, T>(
    runs: &[&'a RunOutput],
    enabled: impl Fn(&RunOutput) -> bool,
    get: impl Fn(&'a RunOutput) -> &'a Vec<T>,
) -> Rows<'a, T> {
    runs.iter()
        .filter(|r| enabled(r))
        .flat_map(|&r| get(r).iter().map(move |row| (r, row)))
        .collect()
}

// ---- column helpers -------------------------------------------------------------------------

fn utf8<S: AsRef<str>>(it: impl Iterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(it))
}

fn utf8_opt<S: AsRef<str>>(it: impl Iterator<Item = Option<S>>) -> ArrayRef {
    Arc::new(it.collect::<StringArray>())
}

fn u8s(it: impl Iterator<Item = u8>) -> ArrayRef {
    Arc::new(UInt8Array::from_iter_values(it))
}

fn u32s(it: impl Iterator<Item = u32>) -> ArrayRef {
    Arc::new(UInt32Array::from_iter_values(it))
}

fn u32_opt(it: impl Iterator<Item = Option<u32>>) -> ArrayRef {
    Arc::new(it.collect::<UInt32Array>())
}

fn u64s(it: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter_values(it))
}

fn u64_opt(it: impl Iterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(it.collect::<UInt64Array>())
}

fn i32s(it: impl Iterator<Item = i32>) -> ArrayRef {
    Arc::new(Int32Array::from_iter_values(it))
}

fn f64s(it: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(it))
}

fn f64_opt(it: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(it.collect::<Float64Array>())
}

fn bools(it: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(it.map(Some).collect::<BooleanArray>())
}

fn bool_opt(it: impl Iterator<Item = Option<bool>>) -> ArrayRef {
    Arc::new(it.collect::<BooleanArray>())
}

/// Seconds of a time that is always set.
fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

/// `later − earlier` in seconds when both are set (computed in integer nanoseconds).
fn diff(later: SimTime, earlier: SimTime) -> Option<f64> {
    (later.is_set() && earlier.is_set()).then(|| later.since(earlier).as_secs_f64())
}

fn lookup<'a>(list: &'a [String], id: u32, what: &str) -> &'a str {
    debug_assert!(
        (id as usize) < list.len(),
        "{what} id {id} has no name ({} known)",
        list.len()
    );
    list.get(id as usize).map_or("<unknown>", String::as_str)
}

fn function(n: &Names, id: u32) -> &str {
    lookup(&n.functions, id, "function")
}

fn node(n: &Names, id: u32) -> &str {
    lookup(&n.nodes, id, "node")
}

fn image(n: &Names, id: u32) -> &str {
    lookup(&n.images, id, "image")
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    // The columns are built from the same definitions as the schema; a mismatch is a bug here.
    RecordBatch::try_new(schema, columns).expect("output columns match their schema")
}

/// `run_id`, `run_index` columns followed by `rest`.
fn with_identity<T>(rows: &Rows<'_, T>, rest: Vec<ArrayRef>) -> Vec<ArrayRef> {
    let mut cols = vec![
        utf8(rows.iter().map(|(r, _)| r.run.id.run_id.as_str())),
        u32s(rows.iter().map(|(r, _)| r.run.id.run_index)),
    ];
    cols.extend(rest);
    cols
}

/// A list column: `offsets` delimit each row's items in `values`; `valid` marks non-null rows.
fn list_array(
    item: DataType,
    offsets: Vec<i32>,
    values: ArrayRef,
    valid: Option<Vec<bool>>,
) -> ArrayRef {
    Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(item, true)),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        values,
        valid.map(NullBuffer::from),
    ))
}

fn offset(len: usize) -> i32 {
    i32::try_from(len).expect("list column exceeds i32 offsets")
}

// ---- tables ---------------------------------------------------------------------------------

fn runs_batch(runs: &[RunOutput], telemetry: bool, params: &[ParamColumn]) -> RecordBatch {
    let it = || runs.iter().map(|r| &r.run);
    let mut cols = vec![
        utf8(it().map(|r| r.id.run_id.as_str())),
        u32s(it().map(|r| r.id.run_index)),
        utf8(it().map(|r| r.id.sweep_id.as_str())),
        utf8(it().map(|r| r.id.scenario.as_str())),
        u64s(it().map(|r| r.id.seed)),
    ];
    for p in params {
        fn find<'r>(r: &'r RunOutput, key: &str) -> Option<&'r ParamValue> {
            r.run
                .id
                .params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
        }
        let value = |r| find(r, &p.key);
        let col: ArrayRef = match p.data_type {
            DataType::Int64 => Arc::new(
                runs.iter()
                    .map(|r| match value(r) {
                        Some(ParamValue::Int(i)) => Some(*i),
                        _ => None,
                    })
                    .collect::<Int64Array>(),
            ),
            DataType::Float64 => f64_opt(runs.iter().map(|r| match value(r) {
                Some(ParamValue::Float(f)) => Some(*f),
                Some(ParamValue::Int(i)) => Some(*i as f64),
                _ => None,
            })),
            DataType::Boolean => bool_opt(runs.iter().map(|r| match value(r) {
                Some(ParamValue::Bool(b)) => Some(*b),
                _ => None,
            })),
            _ => utf8_opt(runs.iter().map(|r| value(r).map(value_text))),
        };
        cols.push(col);
    }
    cols.extend([
        utf8(it().map(|r| r.id.params_json.as_str())),
        utf8(it().map(|r| r.status.as_str())),
        utf8_opt(it().map(|r| r.error.as_deref())),
        f64_opt(it().map(|r| r.horizon_s)),
        f64s(it().map(|r| r.sim_end.secs_opt().unwrap_or(0.0))),
        u64s(it().map(|r| r.events_processed)),
        u64s(it().map(|r| r.requests)),
        u64s(it().map(|r| r.completed)),
        u64s(it().map(|r| r.incomplete)),
        u64s(it().map(|r| r.rejected)),
        u64s(it().map(|r| r.timed_out)),
        u64s(it().map(|r| r.cold_starts)),
        u32s(it().map(|r| r.replicas_created)),
        u32s(it().map(|r| r.replicas_failed)),
        u32s(it().map(|r| r.placements)),
        u32s(it().map(|r| r.placements_failed)),
        u32s(it().map(|r| r.scale_actions)),
        u64s(it().map(|r| r.flows)),
        u64s(it().map(|r| r.flow_bytes)),
        u64s(it().map(|r| r.low_bandwidth_flows)),
        u32s(it().map(|r| r.warnings)),
        utf8(it().map(|r| r.code_version.as_str())),
        utf8(it().map(|r| r.id.config_hash.as_str())),
        f64_opt(it().map(|r| r.wall_time_s.filter(|_| telemetry))),
        f64_opt(it().map(|r| r.events_per_s.filter(|_| telemetry))),
        u64_opt(it().map(|r| r.peak_rss_bytes.filter(|_| telemetry))),
    ]);
    batch(runs_schema(params), cols)
}

fn invocations_batch(rows: &Rows<'_, InvocationRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        u64s(it().map(|(_, i)| i.request_id)),
        u64s(it().map(|(_, i)| i.fn_seq)),
        utf8(it().map(|(r, i)| function(&r.names, i.function))),
        utf8(it().map(|(_, i)| i.status.as_str())),
        utf8_opt(it().map(|(_, i)| i.reject_reason)),
        bools(it().map(|(_, i)| i.cold)),
        f64s(it().map(|(_, i)| secs(i.arrival))),
        f64_opt(it().map(|(_, i)| i.dispatch.secs_opt())),
        f64_opt(it().map(|(_, i)| i.start.secs_opt())),
        f64_opt(it().map(|(_, i)| i.end.secs_opt())),
        f64_opt(it().map(|(_, i)| diff(i.dispatch, i.arrival))),
        f64_opt(it().map(|(_, i)| diff(i.start, i.dispatch))),
        f64_opt(it().map(|(_, i)| diff(i.end, i.start))),
        f64_opt(it().map(|(_, i)| diff(i.end, i.arrival))),
        f64_opt(it().map(|(_, i)| i.transfer.secs_opt())),
        f64_opt(it().map(|(_, i)| i.slowdown)),
        u32_opt(it().map(|(_, i)| i.replica)),
        utf8_opt(it().map(|(r, i)| i.node.map(|n| node(&r.names, n)))),
        utf8_opt(it().map(|(r, i)| i.image.map(|n| image(&r.names, n)))),
        u64_opt(it().map(|(_, i)| i.memory_bytes)),
    ];
    batch(invocations_schema(), with_identity(rows, cols))
}

fn rejections_column(rows: &Rows<'_, PlacementRow>) -> ArrayRef {
    let mut offsets = vec![0i32];
    let (mut names, mut counts) = (Vec::new(), Vec::new());
    for (_, p) in rows {
        for &(name, count) in &p.rejections {
            names.push(name);
            counts.push(count);
        }
        offsets.push(offset(names.len()));
    }
    let fields = rejection_fields();
    let values = StructArray::new(
        fields.clone(),
        vec![utf8(names.into_iter()), u32s(counts.into_iter())],
        None,
    );
    list_array(DataType::Struct(fields), offsets, Arc::new(values), None)
}

fn scores_column(rows: &Rows<'_, PlacementRow>) -> ArrayRef {
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(rows.len());
    let mut entries = Vec::new();
    for (_, p) in rows {
        let ok = p.node.is_some();
        if ok {
            entries.extend(p.scores.iter());
        }
        valid.push(ok);
        offsets.push(offset(entries.len()));
    }
    let fields: Fields = score_fields();
    let e = || entries.iter();
    let values = StructArray::new(
        fields.clone(),
        vec![
            utf8(e().map(|s| s.name)),
            f64s(e().map(|s| s.raw)),
            f64s(e().map(|s| s.normalized)),
            f64s(e().map(|s| s.weight)),
            f64s(e().map(|s| s.weighted)),
        ],
        None,
    );
    list_array(
        DataType::Struct(fields),
        offsets,
        Arc::new(values),
        Some(valid),
    )
}

fn needed_images_column(rows: &Rows<'_, PlacementRow>) -> ArrayRef {
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(rows.len());
    let mut names = Vec::new();
    for (r, p) in rows {
        if let Some(ids) = &p.needed_images {
            names.extend(ids.iter().map(|&i| image(&r.names, i)));
        }
        valid.push(p.needed_images.is_some());
        offsets.push(offset(names.len()));
    }
    list_array(
        DataType::Utf8,
        offsets,
        utf8(names.into_iter()),
        Some(valid),
    )
}

fn placements_batch(rows: &Rows<'_, PlacementRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        f64s(it().map(|(_, p)| secs(p.t))),
        f64s(it().map(|(_, p)| secs(p.queued))),
        f64s(it().map(|(_, p)| secs(p.latency))),
        u32s(it().map(|(_, p)| p.replica_id)),
        utf8(it().map(|(r, p)| function(&r.names, p.function))),
        utf8(it().map(|(r, p)| image(&r.names, p.image))),
        utf8(it().map(|(_, p)| p.profile)),
        u8s(it().map(|(_, p)| p.attempt)),
        u32s(it().map(|(_, p)| p.nodes_total)),
        u32s(it().map(|(_, p)| p.nodes_to_find)),
        u32s(it().map(|(_, p)| p.start_index)),
        u32s(it().map(|(_, p)| p.nodes_evaluated)),
        u32s(it().map(|(_, p)| p.feasible)),
        u32s(it().map(|(_, p)| p.scored)),
        u32s(it().map(|(_, p)| p.tie_count)),
        utf8(it().map(|(_, p)| {
            if p.node.is_some() {
                "scheduled"
            } else {
                "unschedulable"
            }
        })),
        utf8_opt(it().map(|(r, p)| p.node.map(|n| node(&r.names, n)))),
        utf8_opt(it().map(|(_, p)| p.failure_reason)),
        rejections_column(rows),
        scores_column(rows),
        f64_opt(it().map(|(_, p)| p.total_score)),
        needed_images_column(rows),
        f64_opt(it().map(|(_, p)| p.node_cpu_requested_frac)),
        f64_opt(it().map(|(_, p)| p.node_mem_requested_frac)),
    ];
    batch(placements_schema(), with_identity(rows, cols))
}

fn scaling_batch(rows: &Rows<'_, ScalingRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        f64s(it().map(|(_, s)| secs(s.t))),
        utf8(it().map(|(r, s)| function(&r.names, s.function))),
        utf8(it().map(|(_, s)| s.scaler)),
        utf8(it().map(|(_, s)| s.action)),
        utf8_opt(it().map(|(_, s)| s.metric_name)),
        f64_opt(it().map(|(_, s)| s.metric_value)),
        u32s(it().map(|(_, s)| s.running)),
        u32s(it().map(|(_, s)| s.pending)),
        u32s(it().map(|(_, s)| s.current)),
        u32_opt(it().map(|(_, s)| s.desired)),
        i32s(it().map(|(_, s)| s.applied)),
        utf8(it().map(|(_, s)| s.reason)),
    ];
    batch(scaling_schema(), with_identity(rows, cols))
}

fn replicas_batch(rows: &Rows<'_, ReplicaRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        u32s(it().map(|(_, p)| p.replica_id)),
        utf8(it().map(|(r, p)| function(&r.names, p.function))),
        utf8(it().map(|(r, p)| image(&r.names, p.image))),
        utf8(it().map(|(_, p)| p.pod.as_str())),
        u8s(it().map(|(_, p)| p.attempt)),
        u32_opt(it().map(|(_, p)| p.parent_replica_id)),
        utf8_opt(it().map(|(r, p)| p.node.map(|n| node(&r.names, n)))),
        u32s(it().map(|(_, p)| p.cpu_request_m)),
        u64s(it().map(|(_, p)| p.memory_request_bytes)),
        f64s(it().map(|(_, p)| secs(p.created))),
        f64_opt(it().map(|(_, p)| p.scheduled.secs_opt())),
        f64_opt(it().map(|(_, p)| p.deploying.secs_opt())),
        f64_opt(it().map(|(_, p)| p.starting.secs_opt())),
        f64_opt(it().map(|(_, p)| p.setup_start.secs_opt())),
        f64_opt(it().map(|(_, p)| p.running.secs_opt())),
        f64_opt(it().map(|(_, p)| p.teardown.secs_opt())),
        f64_opt(it().map(|(_, p)| p.ended.secs_opt())),
        utf8(it().map(|(_, p)| p.final_state)),
        utf8_opt(it().map(|(_, p)| p.end_reason)),
        u64_opt(it().map(|(_, p)| p.pull_bytes)),
        f64_opt(it().map(|(_, p)| p.pull.secs_opt())),
        bool_opt(it().map(|(_, p)| p.pull_cached)),
        bool_opt(it().map(|(_, p)| p.pull_joined)),
        u64s(it().map(|(_, p)| p.requests_served)),
    ];
    batch(replicas_schema(), with_identity(rows, cols))
}

fn replica_counts_batch(rows: &Rows<'_, ReplicaCountRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        f64s(it().map(|(_, c)| secs(c.t))),
        utf8(it().map(|(r, c)| function(&r.names, c.function))),
        u32s(it().map(|(_, c)| c.live)),
        u32s(it().map(|(_, c)| c.running)),
        u32s(it().map(|(_, c)| c.live.saturating_sub(c.running))),
    ];
    batch(replica_counts_schema(), with_identity(rows, cols))
}

fn utilization_batch(rows: &Rows<'_, UtilizationRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        f64s(it().map(|(_, u)| secs(u.t))),
        utf8(it().map(|(_, u)| {
            if u.replica.is_some() {
                "replica"
            } else {
                "node"
            }
        })),
        utf8(it().map(|(r, u)| node(&r.names, u.node))),
        u32_opt(it().map(|(_, u)| u.replica)),
        utf8_opt(it().map(|(r, u)| u.function.map(|f| function(&r.names, f)))),
        u64s(it().map(|(_, u)| u.cpu_capacity_m)),
        u64s(it().map(|(_, u)| u.mem_capacity_bytes)),
        u64s(it().map(|(_, u)| u.cpu_requested_m)),
        u64s(it().map(|(_, u)| u.mem_requested_bytes)),
        f64s(it().map(|(_, u)| u.cpu_used_avg_m)),
        f64s(it().map(|(_, u)| u.mem_used_avg_bytes)),
        f64s(it().map(|(_, u)| u.cpu_util)),
        f64s(it().map(|(_, u)| u.mem_util)),
        u32s(it().map(|(_, u)| u.replicas_live)),
        u32s(it().map(|(_, u)| u.replicas_running)),
        u32s(it().map(|(_, u)| u.executing)),
        u32s(it().map(|(_, u)| u.queued)),
    ];
    batch(utilization_schema(), with_identity(rows, cols))
}

fn stat(s: &MetricStats, k: usize) -> Option<f64> {
    [s.mean, s.p50, s.p90, s.p99, s.p999, s.max][k]
}

fn summary_batch(rows: &Rows<'_, SummaryRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let mut cols = vec![
        utf8_opt(it().map(|(r, s)| s.function.map(|f| function(&r.names, f)))),
        u64s(it().map(|(_, s)| s.requests)),
        u64s(it().map(|(_, s)| s.completed)),
        u64s(it().map(|(_, s)| s.incomplete)),
        u64s(it().map(|(_, s)| s.rejected)),
        u64s(it().map(|(_, s)| s.timed_out)),
        u64s(it().map(|(_, s)| s.cold_starts)),
    ];
    for m in 0..4 {
        for k in 0..6 {
            cols.push(f64_opt(it().map(|(_, s)| stat(&s.stats[m], k))));
        }
    }
    cols.extend([
        u32s(it().map(|(_, s)| s.replicas_max)),
        f64s(it().map(|(_, s)| s.replicas_mean)),
        f64s(it().map(|(_, s)| s.running_mean)),
        u32s(it().map(|(_, s)| s.scale_ups)),
        u32s(it().map(|(_, s)| s.scale_downs)),
        u32s(it().map(|(_, s)| s.placements_failed)),
        f64s(it().map(|(_, s)| s.throughput_rps)),
    ]);
    batch(summary_schema(), with_identity(rows, cols))
}

fn histograms_batch(rows: &Rows<'_, HistogramRow>) -> RecordBatch {
    let it = || rows.iter().copied();
    let cols = vec![
        utf8_opt(it().map(|(r, h)| h.function.map(|f| function(&r.names, f)))),
        utf8(it().map(|(_, h)| h.metric)),
        u32s(it().map(|(_, h)| h.bucket)),
        u64s(it().map(|(_, h)| h.lower_ns)),
        u64s(it().map(|(_, h)| h.upper_ns)),
        u64s(it().map(|(_, h)| h.count)),
    ];
    batch(latency_histograms_schema(), with_identity(rows, cols))
}
