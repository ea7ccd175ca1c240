//! Parquet writing with the fixed writer settings of docs/outputs.md ("File format").
//!
//! ZSTD level 3, dictionary encoding, page statistics, at most 1 048 576 rows per row group and
//! key-value metadata `faasim.schema_version` / `faasim.table`. The histogram table is the
//! exception: its `bucket` list is delta-encoded ([`DELTA_ENCODED_COLUMN`]), its `count` list
//! plain ([`PLAIN_ENCODED_COLUMN`]), and it keeps column-chunk statistics only.
//! Nothing time-, host- or randomness-dependent goes into a file, so identical batches give
//! byte-identical files.

use std::io::Write;

use arrow_array::RecordBatch;
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

/// The histogram table's list column of bucket indexes, written `DELTA_BINARY_PACKED` without
/// a dictionary: its values ascend within a row, mostly by one, so each costs a few bits of
/// difference from the previous one (nothing at all in a run of consecutive buckets), where a
/// dictionary index is as wide as the number of distinct buckets.
pub const DELTA_ENCODED_COLUMN: (&str, &str) = (HISTOGRAM_TABLE, "bucket");

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
        let bucket = list_values_path(DELTA_ENCODED_COLUMN.1);
        let count = list_values_path(PLAIN_ENCODED_COLUMN.1);
        builder = builder
            // Column-chunk statistics only: the table is small, one row group per part, so
            // page indexes would cost bytes (10 % of a short run's table) and prune nothing.
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_column_dictionary_enabled(bucket.clone(), false)
            .set_column_encoding(bucket.clone(), Encoding::DELTA_BINARY_PACKED)
            .set_column_dictionary_enabled(count.clone(), false)
            .set_column_encoding(count.clone(), Encoding::PLAIN);
        // The minimum and maximum over all bucket indexes or counts of a part select nothing.
        for list in [bucket, count] {
            builder = builder.set_column_statistics_enabled(list, EnabledStatistics::None);
        }
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
        "delta_encoded_columns": [format!("{}.{}", DELTA_ENCODED_COLUMN.0, DELTA_ENCODED_COLUMN.1)],
        "plain_encoded_columns": [format!("{}.{}", PLAIN_ENCODED_COLUMN.0, PLAIN_ENCODED_COLUMN.1)],
        "statistics": "page",
        "statistics_exceptions": {
            HISTOGRAM_TABLE: "column chunk only; none for the bucket and count lists",
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
    let mut writer = ArrowWriter::try_new(out, batch.schema(), Some(writer_properties(table)))?;
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
        assert_eq!(get("faasim.schema_version").as_deref(), Some("1"));
        assert_eq!(get("faasim.table").as_deref(), Some("scaling"));
        let col = meta.row_group(0).column(0);
        assert!(matches!(col.compression(), Compression::ZSTD(_)));
        assert!(col.statistics().is_some());
    }

    #[test]
    fn histogram_bucket_indexes_are_delta_encoded_and_counts_plain_without_statistics() {
        use arrow_array::{ArrayRef, Int64Array, ListArray};
        use arrow_buffer::{OffsetBuffer, ScalarBuffer};
        let list = |values: Vec<i64>| -> ArrayRef {
            let n = values.len() as i32;
            Arc::new(ListArray::new(
                Arc::new(Field::new_list_field(DataType::Int64, true)),
                OffsetBuffer::new(ScalarBuffer::from(vec![0, n])),
                Arc::new(Int64Array::from(values)),
                None,
            ))
        };
        let batch = RecordBatch::try_from_iter(vec![
            ("bucket", list((500..600).collect())),
            ("count", list((0..100).map(|i| i % 7 + 1).collect())),
        ])
        .unwrap();
        let file =
            write_parquet("latency_histograms", &batch, tempfile::tempfile().unwrap()).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let row_group = reader.metadata().row_group(0);
        let encodings = |i: usize| row_group.column(i).encodings().collect::<Vec<_>>();
        assert_eq!(
            row_group.column(0).column_path(),
            &list_values_path("bucket")
        );
        assert!(encodings(0).contains(&Encoding::DELTA_BINARY_PACKED));
        assert!(!encodings(0).contains(&Encoding::RLE_DICTIONARY));
        assert!(!encodings(1).contains(&Encoding::RLE_DICTIONARY));
        assert!(encodings(1).contains(&Encoding::PLAIN));
        assert!(row_group.column(0).statistics().is_none());
        assert!(row_group.column(1).statistics().is_none());
        assert!(row_group.column(0).column_index_offset().is_none());
    }
}
