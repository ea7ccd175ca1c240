//! The output tables: one file per table holds its single definition (row struct, columns,
//! types; see [`output_table!`](super::define)), and this module turns the
//! [`RunOutput`]s of one batch into one `RecordBatch` per table.
//!
//! Rows are ordered by the order of the runs in the slice (the caller passes them by
//! `run_index`), then by each run's own row order, which the simulation already provides —
//! except `latency_histograms`, grouped by function and metric first
//! ([`latency_histograms::part_order`]).
//! Ids are resolved to names through each run's [`Names`](crate::metrics::Names). Failed runs
//! contribute only their `runs` row (docs/outputs.md, "Failed runs").

pub mod flows;
pub mod invocations;
pub mod latency_histograms;
pub mod links;
pub mod nodes;
pub mod params;
pub mod placements;
pub mod replica_counts;
pub mod replicas;
pub mod runs;
pub mod scaling;
pub mod summary;
pub mod utilization;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};

use super::columns::{ColumnKind, RunKey, Utf8, I64};
use super::define::TableRow;
use crate::metrics::RunOutput;
pub use flows::FlowRow;
pub use invocations::{InvocationRow, InvocationStatus};
pub use latency_histograms::{part_order, HistogramRow, PackedBucket};
pub use links::LinkRow;
pub use nodes::NodeRow;
pub use params::{param_columns, param_columns_of, ParamColumn, PARAM_PREFIX};
pub use placements::PlacementRow;
pub use replica_counts::ReplicaCountRow;
pub use replicas::ReplicaRow;
pub use runs::{ParamValue, RunIdentity, RunRow, RunStatus};
pub use scaling::ScalingRow;
pub use summary::{MetricStats, SummaryRow, SUMMARY_METRICS, SUMMARY_STATS};
pub use utilization::UtilizationRow;

/// The identity columns every table starts with: `run_id`, `run_index`.
pub fn identity_fields() -> [Field; 2] {
    [
        Field::new("run_id", Utf8::data_type(), Utf8::NULLABLE),
        Field::new("run_index", I64::<u32>::data_type(), I64::<u32>::NULLABLE),
    ]
}

/// The schema of table `R`: identity columns, then its own.
pub fn schema_of<R: TableRow>() -> SchemaRef {
    Arc::new(Schema::new(
        identity_fields()
            .into_iter()
            .chain(R::fields())
            .collect::<Vec<_>>(),
    ))
}

/// The schema of `runs` with the given `param.<key>` columns after `seed`.
pub fn runs_schema(params: &[ParamColumn]) -> SchemaRef {
    let mut fields: Vec<Field> = identity_fields()
        .into_iter()
        .chain(RunRow::fields())
        .collect();
    let at = first_param_index();
    fields.splice(at..at, params.iter().map(ParamColumn::field));
    Arc::new(Schema::new(fields))
}

/// Index in `runs` of the first `param.<key>` column: right after `seed`.
fn first_param_index() -> usize {
    let seed = RunRow::fields()
        .iter()
        .position(|f| f.name() == runs::PARAMS_AFTER)
        .expect("runs has the column the parameters follow");
    identity_fields().len() + seed + 1
}

/// One batch per table with rows, in [`super::TABLES`] order; see [`table_batches_with_params`].
pub fn table_batches(runs: &[RunOutput], telemetry: bool) -> Vec<(&'static str, RecordBatch)> {
    table_batches_with_params(runs, telemetry, &param_columns(runs))
}

/// One batch per table with rows, in [`super::TABLES`] order, with the given `param.<key>`
/// columns in `runs`; see [`for_each_table_batch`], which builds them one at a time.
pub fn table_batches_with_params(
    runs: &[RunOutput],
    telemetry: bool,
    params: &[ParamColumn],
) -> Vec<(&'static str, RecordBatch)> {
    let mut out = Vec::new();
    let collected: Result<(), std::convert::Infallible> =
        for_each_table_batch(runs, telemetry, params, |table, batch| {
            out.push((table, batch));
            Ok(())
        });
    let Ok(()) = collected;
    out
}

/// Builds the batch of each table with rows, in [`super::TABLES`] order, and hands it to
/// `write` before building the next, so that only one table's Arrow arrays exist at a time
/// (a sweep encodes several batches at once; holding every table of each would multiply its
/// peak memory). Stops at the first error of `write`.
///
/// `runs` and `summary` are produced whenever they have rows; the other tables only when at least
/// one (successful) run enabled them and they have rows. With
/// `telemetry == false` the telemetry columns of `runs` are null (`--no-telemetry`).
pub fn for_each_table_batch<E>(
    runs: &[RunOutput],
    telemetry: bool,
    params: &[ParamColumn],
    mut write: impl FnMut(&'static str, RecordBatch) -> Result<(), E>,
) -> Result<(), E> {
    if !runs.is_empty() {
        write(RunRow::TABLE, runs_batch(runs, telemetry, params))?;
    }
    let ok: Vec<(&RunOutput, RunKey<'_>)> = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Ok)
        .map(|r| (r, key(r)))
        .collect();
    let w = &mut write;
    write_table(
        w,
        &ok,
        |r| r.enabled.invocations,
        |r| &r.invocations,
        |_| {},
    )?;
    write_table(w, &ok, |r| r.enabled.placements, |r| &r.placements, |_| {})?;
    write_table(w, &ok, |r| r.enabled.scaling, |r| &r.scaling, |_| {})?;
    write_table(w, &ok, |r| r.enabled.replicas, |r| &r.replicas, |_| {})?;
    let counts = |r: &RunOutput| r.enabled.replica_counts;
    write_table(w, &ok, counts, |r| &r.replica_counts, |_| {})?;
    write_table(
        w,
        &ok,
        |r| r.enabled.utilization,
        |r| &r.utilization,
        |_| {},
    )?;
    write_table(w, &ok, |_| true, |r| &r.summary, |_| {})?;
    let histograms = |r: &RunOutput| r.enabled.latency_histograms;
    write_table(w, &ok, histograms, |r| &r.histograms, part_order)?;
    write_table(w, &ok, |r| r.enabled.flows, |r| &r.flows, |_| {})?;
    write_table(w, &ok, |r| r.enabled.links, |r| &r.links, |_| {})?;
    write_table(w, &ok, |r| r.enabled.nodes, |r| &r.nodes, |_| {})
}

/// The identity of `run` and the names its rows refer to.
fn key(run: &RunOutput) -> RunKey<'_> {
    RunKey {
        run_id: &run.run.id.run_id,
        run_index: run.run.id.run_index,
        names: &run.names,
    }
}

/// Hands table `R`'s batch over the runs that enabled it to `write`, unless it has no rows.
/// Rows come in run order, each run's rows in their own order, unless `arrange` reorders them
/// (the histogram table groups like rows of different runs: [`latency_histograms::part_order`]).
///
/// Each row is paired with a reference to its run's key (16 bytes a row, whatever the key holds).
fn write_table<'a, R: TableRow + 'a, E>(
    write: &mut impl FnMut(&'static str, RecordBatch) -> Result<(), E>,
    runs: &[(&'a RunOutput, RunKey<'a>)],
    enabled: impl Fn(&RunOutput) -> bool,
    rows_of: impl Fn(&'a RunOutput) -> &'a Vec<R>,
    arrange: impl FnOnce(&mut [(&RunKey<'_>, &R)]),
) -> Result<(), E> {
    let mut rows: Vec<(&RunKey<'a>, &'a R)> = runs
        .iter()
        .filter(|(r, _)| enabled(r))
        .flat_map(|(r, k)| rows_of(r).iter().map(move |row| (k, row)))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    arrange(&mut rows);
    let batch = batch(schema_of::<R>(), &rows);
    // The row references go before the batch is written: only the arrays remain.
    drop(rows);
    write(R::TABLE, batch)
}

/// The batch of `rows` under `schema`.
fn batch<R: TableRow>(schema: SchemaRef, rows: &[(&RunKey<'_>, &R)]) -> RecordBatch {
    batch_of_columns(schema, columns(rows))
}

/// The identity columns of `rows`, then `R`'s own.
fn columns<R: TableRow>(rows: &[(&RunKey<'_>, &R)]) -> Vec<ArrayRef> {
    let mut columns = vec![
        Utf8::array(rows.iter().map(|(k, _)| k.run_id)),
        I64::<u32>::array(rows.iter().map(|(k, _)| k.run_index)),
    ];
    columns.extend(R::columns(rows));
    columns
}

fn batch_of_columns(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    // The columns come from the same definition as the schema; a mismatch is a bug here.
    RecordBatch::try_new(schema, columns).expect("output columns match their schema")
}

fn runs_batch(runs: &[RunOutput], telemetry: bool, params: &[ParamColumn]) -> RecordBatch {
    let stripped: Vec<RunRow>;
    let run_rows: Vec<&RunRow> = if telemetry {
        runs.iter().map(|r| &r.run).collect()
    } else {
        stripped = runs.iter().map(|r| r.run.without_telemetry()).collect();
        stripped.iter().collect()
    };
    let keys: Vec<RunKey<'_>> = runs.iter().map(key).collect();
    let rows: Vec<(&RunKey<'_>, &RunRow)> = keys.iter().zip(run_rows).collect();
    let mut cols = columns(&rows);
    let at = first_param_index();
    cols.splice(
        at..at,
        params.iter().map(|p| p.array(rows.iter().map(|&(_, r)| r))),
    );
    batch_of_columns(runs_schema(params), cols)
}
