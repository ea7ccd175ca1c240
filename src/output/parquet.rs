//! Parquet writing with the fixed writer settings of docs/outputs.md ("File format").
//!
//! ZSTD level 3, dictionary encoding, page statistics, at most 1 048 576 rows per row group and
//! key-value metadata `faasim.schema_version` / `faasim.table`. The histogram table is the
//! exception: its `count` list is written plain ([`PLAIN_ENCODED_COLUMN`]), it keeps
//! column-chunk statistics only, and its footer has no serialised Arrow schema.
//! Nothing time-, host- or randomness-dependent goes into a file, so identical batches give
//! byte-identical files.

use std::io::Write;

use arrow_array::RecordBatch;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use serde_json::json;

use super::schema::SCHEMA_VERSION;

/// ZSTD compression level.
pub const ZSTD_LEVEL: i32 = 3;

/// Maximum rows per row group.
pub const MAX_ROWS_PER_ROW_GROUP: usize = 1_048_576;

/// The histogram table, whose two list columns get their own encodings (below).
pub const HISTOGRAM_TABLE: &str = "latency_histograms";

/// The histogram table's list column of bucket counts, written `PLAIN` without a dictionary:
/// small, irregular integers that ZSTD packs better than dictionary indexes or deltas do.
/// (Measured on the benchmark sweeps at 16 sub-buckets per power of two: the table is 17 %
/// smaller on short-1000 and 2 % on 200x20 than with a dictionary; deltas are 33 % larger;
/// docs/performance.md, "Histogram bytes".)
pub const PLAIN_ENCODED_COLUMN: (&str, &str) = (HISTOGRAM_TABLE, "count");

/// Parquet path of the values of list column `name` (Arrow writes lists as `name.list.item`).
fn list_values_path(name: &str) -> ColumnPath {
    ColumnPath::new(vec![
        name.to_string(),
        "list".to_string(),
        "item".to_string(),
    ])
}

/// Writer properties of a part of `table`.
pub fn writer_properties(table: &str) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(ZSTD_LEVEL).expect("valid zstd level"),
        ))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(MAX_ROWS_PER_ROW_GROUP))
        .set_key_value_metadata(Some(vec![
            KeyValue::new(
                "faasim.schema_version".to_string(),
                SCHEMA_VERSION.to_string(),
            ),
            KeyValue::new("faasim.table".to_string(), table.to_string()),
        ]));
    if table == HISTOGRAM_TABLE {
        let count = list_values_path(PLAIN_ENCODED_COLUMN.1);
        builder = builder
            // Column-chunk statistics only: the table is small, one row group per part, so
            // page indexes would cost bytes (10 % of a short run's table) and prune nothing.
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_column_dictionary_enabled(count.clone(), false)
            .set_column_encoding(count.clone(), Encoding::PLAIN)
            // The minimum and maximum over all counts of a part select nothing.
            .set_column_statistics_enabled(count, EnabledStatistics::None);
    }
    builder.build()
}

/// The writer settings as recorded in the manifest.
pub fn writer_settings() -> serde_json::Value {
    json!({
        "format": "parquet",
        "compression": "zstd",
        "compression_level": ZSTD_LEVEL,
        "dictionary": true,
        "plain_encoded_columns": [format!("{}.{}", PLAIN_ENCODED_COLUMN.0, PLAIN_ENCODED_COLUMN.1)],
        "statistics": "page",
        "arrow_schema_metadata_skipped": [HISTOGRAM_TABLE],
        "statistics_exceptions": {
            HISTOGRAM_TABLE: "column chunk only; none for the count list",
        },
        "max_rows_per_row_group": MAX_ROWS_PER_ROW_GROUP,
    })
}

/// Writes `batch` as a complete Parquet file of `table` to `out` and returns `out`.
pub fn write_parquet<W: Write + Send>(
    table: &str,
    batch: &RecordBatch,
    out: W,
) -> Result<W, ParquetError> {
    let options = ArrowWriterOptions::new()
        .with_properties(writer_properties(table))
        // The histogram table's parts are small (a few kB in short sweeps), and the serialised
        // Arrow schema is 0.9 kB of each footer; its types read back the same from the Parquet
        // schema alone (docs/outputs.md, "File format").
        .with_skip_arrow_metadata(table == HISTOGRAM_TABLE);
    let mut writer = ArrowWriter::try_new_with_options(out, batch.schema(), options)?;
    writer.write(batch)?;
    writer.into_inner()
}

/// `batch` as the bytes of a Parquet file of `table`.
pub fn parquet_bytes(table: &str, batch: &RecordBatch) -> Result<Vec<u8>, ParquetError> {
    write_parquet(table, batch, Vec::new())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    fn sample() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("function", DataType::Utf8, false),
            Field::new("t_s", DataType::Float64, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["a", "b", "a"])),
                Arc::new(Float64Array::from(vec![Some(0.5), None, Some(2.0)])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn identical_batches_give_identical_bytes() {
        let a = parquet_bytes("scaling", &sample()).unwrap();
        let b = parquet_bytes("scaling", &sample()).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..4], b"PAR1");
    }

    #[test]
    fn files_carry_schema_version_and_table_and_use_zstd() {
        let file = write_parquet("scaling", &sample(), tempfile::tempfile().unwrap()).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let meta = reader.metadata();
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
        assert_eq!(
            get("faasim.schema_version"),
            Some(SCHEMA_VERSION.to_string())
        );
        assert_eq!(get("faasim.table").as_deref(), Some("scaling"));
        let col = meta.row_group(0).column(0);
        assert!(matches!(col.compression(), Compression::ZSTD(_)));
        assert!(col.statistics().is_some());
    }

    #[test]
    fn histogram_counts_are_plain_without_statistics_or_page_index() {
        use arrow_array::{ArrayRef, Int64Array, ListArray};
        use arrow_buffer::{OffsetBuffer, ScalarBuffer};
        let counts: ArrayRef = Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(DataType::Int64, true)),
            OffsetBuffer::new(ScalarBuffer::from(vec![0, 100])),
            Arc::new(Int64Array::from(
                (0..100).map(|i| i % 7).collect::<Vec<i64>>(),
            )),
            None,
        ));
        let first: ArrayRef = Arc::new(Int64Array::from(vec![500]));
        let batch =
            RecordBatch::try_from_iter(vec![("first_bucket", first), ("count", counts)]).unwrap();
        let file =
            write_parquet("latency_histograms", &batch, tempfile::tempfile().unwrap()).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let row_group = reader.metadata().row_group(0);
        assert_eq!(
            row_group.column(1).column_path(),
            &list_values_path("count")
        );
        let encodings = row_group.column(1).encodings().collect::<Vec<_>>();
        assert!(encodings.contains(&Encoding::PLAIN));
        assert!(!encodings.contains(&Encoding::RLE_DICTIONARY));
        assert!(row_group.column(1).statistics().is_none());
        assert!(row_group.column(0).statistics().is_some());
        assert!(row_group.column(0).column_index_offset().is_none());
    }
}
