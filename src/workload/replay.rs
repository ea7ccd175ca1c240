//! `Replay`: recorded arrival times from a CSV or Parquet file, streamed row by row
//! (`docs/workloads.md`).
//!
//! Columns (by name): either `ia_s` (inter-arrival times, applied from the workload's start) or
//! `t_s` (absolute arrival times, non-decreasing); optionally `function` (rows of other
//! functions are skipped; a file without it belongs to the workload's function) and
//! `duration_s` (the request's execution time, for the `trace` execution model). A `.parquet`
//! file is read batch by batch; any other extension is read as CSV.

use super::csv_rows::CsvRows;
use super::WorkloadError;
use crate::engine::SimTime;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::path::{Path, PathBuf};

/// One recorded row: a time (absolute or a gap), the function if the file names one, the
/// duration if recorded.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    time: f64,
    function: Option<String>,
    duration: Option<f64>,
    line: u64,
}

/// The file's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Times {
    /// `ia_s`.
    Gaps,
    /// `t_s`.
    Absolute,
}

enum Reader {
    Csv {
        rows: CsvRows,
        time: usize,
        function: Option<usize>,
        duration: Option<usize>,
    },
    Parquet {
        reader: ParquetRecordBatchReader,
        batch: Option<RecordBatch>,
        at: usize,
        line: u64,
    },
}

/// Streams the arrivals of one function from a recorded file.
pub struct Replay {
    path: PathBuf,
    times: Times,
    reader: Reader,
    function: String,
    start: SimTime,
    last: SimTime,
    last_s: f64,
}

/// A replayed arrival: its time and recorded duration.
pub type ReplayedArrival = (SimTime, Option<SimTime>);

fn layout(path: &Path, names: &[String]) -> Result<(Times, usize), WorkloadError> {
    let pos = |n: &str| names.iter().position(|h| h == n);
    match (pos("ia_s"), pos("t_s")) {
        (Some(i), None) => Ok((Times::Gaps, i)),
        (None, Some(i)) => Ok((Times::Absolute, i)),
        _ => Err(WorkloadError::format(
            path,
            format!(
                "expected exactly one of the columns `ia_s` (inter-arrival times) or `t_s` (arrival times), found: {}",
                names.join(",")
            ),
        )),
    }
}

impl Replay {
    /// Opens `path` for the arrivals of `function`, starting at `start`.
    pub fn open(path: &Path, function: &str, start: SimTime) -> Result<Replay, WorkloadError> {
        let is_parquet = path.extension().and_then(|e| e.to_str()) == Some("parquet");
        let (times, reader) = if is_parquet {
            let file = std::fs::File::open(path).map_err(|e| WorkloadError::unreadable(path, e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| WorkloadError::format(path, format!("not a Parquet file: {e}")))?;
            let names: Vec<String> = builder
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            let (times, _) = layout(path, &names)?;
            let reader = builder
                .with_batch_size(8192)
                .build()
                .map_err(|e| WorkloadError::format(path, e.to_string()))?;
            (
                times,
                Reader::Parquet {
                    reader,
                    batch: None,
                    at: 0,
                    line: 0,
                },
            )
        } else {
            let rows = CsvRows::open(path)?;
            let (times, time) = layout(path, rows.header())?;
            let col = |n: &str| rows.header().iter().position(|h| h == n);
            let (function, duration) = (col("function"), col("duration_s"));
            (
                times,
                Reader::Csv {
                    rows,
                    time,
                    function,
                    duration,
                },
            )
        };
        Ok(Replay {
            path: path.to_path_buf(),
            times,
            reader,
            function: function.to_string(),
            start,
            last: start,
            last_s: f64::NEG_INFINITY,
        })
    }

    fn next_row(&mut self) -> Result<Option<Row>, WorkloadError> {
        match &mut self.reader {
            Reader::Csv {
                rows,
                time,
                function,
                duration,
            } => {
                if !rows.advance()? {
                    return Ok(None);
                }
                let f = rows.record()?;
                let t = rows.number(&rows.header()[*time].clone(), f[*time])?;
                let d = match duration {
                    Some(c) if !f[*c].is_empty() => Some(rows.number("duration_s", f[*c])?),
                    _ => None,
                };
                Ok(Some(Row {
                    time: t,
                    function: function.map(|c| f[c].to_string()),
                    duration: d,
                    line: rows.line_no(),
                }))
            }
            Reader::Parquet {
                reader,
                batch,
                at,
                line,
            } => {
                while batch.as_ref().is_none_or(|b| *at >= b.num_rows()) {
                    match reader.next() {
                        None => return Ok(None),
                        Some(b) => {
                            *batch =
                                Some(b.map_err(|e| {
                                    WorkloadError::format(&self.path, e.to_string())
                                })?);
                            *at = 0;
                        }
                    }
                }
                let b = batch.as_ref().expect("a batch with rows");
                let i = *at;
                *at += 1;
                *line += 1;
                let f64_col = |name: &str| -> Result<Option<f64>, WorkloadError> {
                    let Some(c) = b.column_by_name(name) else {
                        return Ok(None);
                    };
                    let a = c.as_primitive_opt::<Float64Type>().ok_or_else(|| {
                        WorkloadError::format(
                            &self.path,
                            format!("column `{name}` must be Float64"),
                        )
                    })?;
                    Ok((!a.is_null(i)).then(|| a.value(i)))
                };
                let time_name = if self.times == Times::Gaps {
                    "ia_s"
                } else {
                    "t_s"
                };
                let t = f64_col(time_name)?.ok_or_else(|| {
                    WorkloadError::malformed(&self.path, *line, format!("`{time_name}` is null"))
                })?;
                let function = match b.column_by_name("function") {
                    None => None,
                    Some(c) => {
                        let s = c.as_string_opt::<i32>().ok_or_else(|| {
                            WorkloadError::format(&self.path, "column `function` must be Utf8")
                        })?;
                        Some(s.value(i).to_string())
                    }
                };
                Ok(Some(Row {
                    time: t,
                    function,
                    duration: f64_col("duration_s")?,
                    line: *line,
                }))
            }
        }
    }

    /// The next arrival of the function, `None` at the end of the file.
    pub fn next_arrival(&mut self) -> Result<Option<ReplayedArrival>, WorkloadError> {
        loop {
            let Some(row) = self.next_row()? else {
                return Ok(None);
            };
            if !row.time.is_finite() || row.time < 0.0 {
                return Err(WorkloadError::malformed(
                    &self.path,
                    row.line,
                    format!("times must be finite and >= 0, got {}", row.time),
                ));
            }
            if let Some(d) = row.duration {
                if d < 0.0 || !d.is_finite() {
                    return Err(WorkloadError::NegativeDuration {
                        path: self.path.clone(),
                        line: row.line,
                        value: d,
                    });
                }
            }
            if self.times == Times::Absolute {
                if row.time < self.last_s {
                    return Err(WorkloadError::Unsorted {
                        path: self.path.clone(),
                        line: row.line,
                        time: row.time,
                        previous: self.last_s,
                    });
                }
                self.last_s = row.time;
            }
            if row.function.as_ref().is_some_and(|f| *f != self.function) {
                continue;
            }
            let t = match self.times {
                Times::Gaps => self.last.plus(SimTime::from_secs_f64(row.time)),
                Times::Absolute => self.start.plus(SimTime::from_secs_f64(row.time)),
            };
            self.last = t;
            return Ok(Some((t, row.duration.map(SimTime::from_secs_f64))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    fn all(r: &mut Replay) -> Result<Vec<(f64, Option<f64>)>, WorkloadError> {
        let mut out = Vec::new();
        while let Some((t, d)) = r.next_arrival()? {
            out.push((t.as_secs_f64(), d.map(SimTime::as_secs_f64)));
        }
        Ok(out)
    }

    #[test]
    fn gaps_accumulate_from_the_start() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ia.csv");
        std::fs::write(&p, "ia_s\n0.5\n0.25\n1\n").unwrap();
        let mut r = Replay::open(&p, "f", SimTime::from_secs_f64(10.0)).unwrap();
        assert_eq!(
            all(&mut r).unwrap(),
            [(10.5, None), (10.75, None), (11.75, None)]
        );
    }

    #[test]
    fn absolute_times_keep_this_functions_rows_and_durations() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        std::fs::write(&p, "t_s,function,duration_s\n1,f,0.2\n2,g,0.3\n2,f,\n").unwrap();
        let mut r = Replay::open(&p, "f", SimTime::ZERO).unwrap();
        assert_eq!(all(&mut r).unwrap(), [(1.0, Some(0.2)), (2.0, None)]);
    }

    #[test]
    fn unsorted_times_and_negative_durations_name_the_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        std::fs::write(&p, "t_s\n1\n3\n2\n").unwrap();
        let mut r = Replay::open(&p, "f", SimTime::ZERO).unwrap();
        let e = all(&mut r).unwrap_err().to_string();
        assert!(e.contains("t.csv:4: timestamps must not decrease"), "{e}");
        std::fs::write(&p, "t_s,duration_s\n1,-0.5\n").unwrap();
        let mut r = Replay::open(&p, "f", SimTime::ZERO).unwrap();
        let e = all(&mut r).unwrap_err().to_string();
        assert!(e.ends_with("t.csv:2: negative duration -0.5 s"), "{e}");
        std::fs::write(&p, "x\n1\n").unwrap();
        let e = Replay::open(&p, "f", SimTime::ZERO)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("expected exactly one of the columns"), "{e}");
    }

    #[test]
    fn parquet_files_replay_like_csv() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.parquet");
        let schema = Arc::new(Schema::new(vec![
            Field::new("t_s", DataType::Float64, false),
            Field::new("function", DataType::Utf8, false),
            Field::new("duration_s", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Float64Array::from(vec![0.5, 1.0, 4.0])),
                Arc::new(StringArray::from(vec!["f", "g", "f"])),
                Arc::new(Float64Array::from(vec![Some(0.1), None, None])),
            ],
        )
        .unwrap();
        let mut w =
            parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), schema, None)
                .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let mut r = Replay::open(&p, "f", SimTime::ZERO).unwrap();
        assert_eq!(all(&mut r).unwrap(), [(0.5, Some(0.1)), (4.0, None)]);
    }
}
