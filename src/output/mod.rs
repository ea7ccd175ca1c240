//! Output tables, Parquet writing, the dataset layout and its atomic commits
//! (docs/outputs.md).
//!
//! - [`tables`]: one file per table with its single definition — row struct, columns, types —
//!   written with [`output_table!`](define) over the column kinds of [`columns`];
//!   [`table_batches`] turns the [`RunOutput`](crate::metrics::RunOutput)s of one batch into one
//!   `RecordBatch` per table, resolving ids to names.
//! - [`histogram_precision`]: the resolution of the `latency_histograms` table and the exact
//!   re-binning of the in-run histograms into it; [`histogram_function_metrics`]: which metrics
//!   get per-function rows in it.
//! - [`schema`]: the list of tables ([`TABLES`]) and their Arrow schemas.
//! - [`parquet`]: the fixed writer settings; identical batches give byte-identical files.
//! - [`dataset`]: [`DatasetWriter`] writes parts and commit markers atomically into
//!   `<out>/<table>/part-<b:06>.parquet` and `<out>/_commits/batch-<b:06>.json`;
//!   [`committed_batches`] and [`clean_uncommitted`] support resume.
//! - [`lock`]: [`OutputLock`], one writer of an output directory at a time.
//! - [`ownership`]: what may be replaced ([`classify_output`]) — never anything faasim did not
//!   write.
//!
//! `scripts/check_tables.py` checks a written dataset with pyarrow and polars.

pub mod columns;
pub mod dataset;
pub mod define;
pub mod histogram_function_metrics;
pub mod histogram_precision;
pub mod lock;
pub mod ownership;
pub mod parquet;
pub mod schema;
pub mod tables;

#[cfg(test)]
mod docs_tests;
#[cfg(test)]
mod tests;

pub use self::parquet::{parquet_bytes, write_parquet, writer_properties, writer_settings};
pub use dataset::{
    clean_uncommitted, clean_uncommitted_shard, commit_file_name, committed_batches,
    expected_batches, invalid_markers, part_file_name, read_commit, read_manifest, shard_tmp_dir,
    staging_leftovers, verified_batches, CommitMarker, DatasetWriter, OutputError, PartInfo,
    StagedBatch,
};
pub use define::TableRow;
pub use histogram_function_metrics::{HistogramFunctionMetrics, UnknownMetric};
pub use histogram_precision::{HistogramPrecision, InvalidPrecision};
pub use lock::{LockMode, OutputLock};
pub use ownership::{
    classify_output, refuse_working_directory, remove_stale_staging, staging_sibling, OutputDir,
};
pub use schema::{table_schema, ParamColumn, SCHEMA_VERSION, TABLES, TELEMETRY_COLUMNS};
pub use tables::{
    for_each_table_batch, param_columns, param_columns_of, table_batches, table_batches_with_params,
};
