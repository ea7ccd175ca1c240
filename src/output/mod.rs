//! Arrow schemas, Parquet writing, the dataset layout and its atomic commits
//! (`spec/outputs.md`).

pub mod parquet;
pub mod schema;
pub mod tables;

pub use self::parquet::{parquet_bytes, write_parquet, writer_properties, writer_settings};
pub use schema::{table_schema, ParamColumn, SCHEMA_VERSION, TABLES, TELEMETRY_COLUMNS};
pub use tables::{param_columns, table_batches, table_batches_with_params};
