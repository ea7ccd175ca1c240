//! `CsvRows`: a streaming reader of simple comma-separated files, one row at a time.
//!
//! Trace files are plain CSV without quoting (hashes, numbers and trigger names), so a tiny
//! line splitter suffices and keeps memory constant: one line buffer, reused. Every row knows its
//! 1-based line number for error messages.

use super::WorkloadError;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Reads a CSV file with a header line, row by row.
pub struct CsvRows {
    path: PathBuf,
    reader: BufReader<File>,
    line: String,
    line_no: u64,
    header: Vec<String>,
}

impl CsvRows {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<CsvRows, WorkloadError> {
        let file = File::open(path).map_err(|e| WorkloadError::unreadable(path, e))?;
        let mut rows = CsvRows {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(1 << 16, file),
            line: String::new(),
            line_no: 0,
            header: Vec::new(),
        };
        if !rows.advance()? {
            return Err(WorkloadError::format(
                path,
                "empty file: expected a header line",
            ));
        }
        rows.header = rows.fields().map(|s| s.trim().to_string()).collect();
        Ok(rows)
    }

    /// The header's column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Index of column `name`, or a format error naming it.
    pub fn column(&self, name: &str) -> Result<usize, WorkloadError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            WorkloadError::format(
                &self.path,
                format!(
                    "missing column `{name}` (header: {})",
                    self.header.join(",")
                ),
            )
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current row's 1-based line number.
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// Moves to the next non-empty line; false at the end of the file.
    pub fn advance(&mut self) -> Result<bool, WorkloadError> {
        loop {
            self.line.clear();
            let n = self
                .reader
                .read_line(&mut self.line)
                .map_err(|e| WorkloadError::unreadable(&self.path, e))?;
            if n == 0 {
                return Ok(false);
            }
            self.line_no += 1;
            let trimmed = self.line.trim_end_matches(['\n', '\r']).len();
            self.line.truncate(trimmed);
            if !self.line.trim().is_empty() {
                return Ok(true);
            }
        }
    }

    /// The current row's fields.
    pub fn fields(&self) -> std::str::Split<'_, char> {
        self.line.split(',')
    }

    /// The current row's fields, checked to number as many as the header.
    pub fn record(&self) -> Result<Vec<&str>, WorkloadError> {
        let f: Vec<&str> = self.fields().map(str::trim).collect();
        if f.len() != self.header.len() {
            return Err(self.error(format!(
                "expected {} fields like the header, found {}",
                self.header.len(),
                f.len()
            )));
        }
        Ok(f)
    }

    /// A `Malformed` error at the current line.
    pub fn error(&self, message: impl Into<String>) -> WorkloadError {
        WorkloadError::malformed(&self.path, self.line_no, message)
    }

    /// Parses field `value` of column `name` as a finite number.
    pub fn number(&self, name: &str, value: &str) -> Result<f64, WorkloadError> {
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(format!("column `{name}`: expected a number, got `{value}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_their_line_numbers_and_skip_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "a,b\n1,2\n\n3,x\n").unwrap();
        let mut r = CsvRows::open(&p).unwrap();
        assert_eq!(r.header(), ["a", "b"]);
        assert!(r.advance().unwrap());
        assert_eq!(r.line_no(), 2);
        assert!(r.advance().unwrap());
        assert_eq!(r.line_no(), 4);
        let f = r.record().unwrap();
        let e = r.number("b", f[1]).unwrap_err().to_string();
        assert!(
            e.ends_with("x.csv:4: column `b`: expected a number, got `x`"),
            "{e}"
        );
        assert!(!r.advance().unwrap());
    }

    #[test]
    fn a_missing_file_is_reported_with_its_path() {
        let e = CsvRows::open(Path::new("/nonexistent/t.csv"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("/nonexistent/t.csv: cannot read"), "{e}");
    }
}
