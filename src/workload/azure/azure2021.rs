//! The Azure Functions 2021 invocation trace (`docs/workloads.md`): one row
//! `app,func,end_timestamp,duration` per invocation, seconds.
//!
//! A request arrives at `end_timestamp − duration − offset_s`. The file is ordered by end time
//! only roughly, so replay keeps a reorder buffer: a row is released once the largest end time
//! read so far is `reorder_window_s` past its arrival. A row that would have to go before a
//! released one is an error asking for a larger window.

use super::select::{select, Selection};
use super::TraceRequest;
use crate::engine::{stream_rng, SimTime};
use crate::workload::csv_rows::CsvRows;
use crate::workload::WorkloadError;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::PathBuf;

/// Function key `(app, func)`: `func` is unique only within its app.
pub type FunctionKey = (String, String);

/// What to replay from a 2021 trace file.
#[derive(Clone, Debug, PartialEq)]
pub struct Azure2021Options {
    /// The CSV file.
    pub file: PathBuf,
    /// Subtracted from every arrival, seconds.
    pub offset_s: f64,
    /// Arrivals in `[0, window_s)` are replayed.
    pub window_s: f64,
    /// Which functions.
    pub select: Selection,
    /// How far back in arrival time a row may come after rows with later end times, seconds.
    pub reorder_window_s: f64,
}

/// The selection of a 2021 trace, ready to replay.
#[derive(Clone, Debug)]
pub struct Azure2021Trace {
    opts: Azure2021Options,
    /// Selected functions in ascending key order, with their invocations in the window.
    pub functions: Vec<(FunctionKey, u64)>,
    /// Rows of the selected functions whose arrival falls before time 0 (skipped; counted in
    /// `runs.warnings`).
    pub negative_arrivals: u64,
}

/// One parsed row: key, arrival and duration in seconds.
fn parse_row(
    rows: &CsvRows,
    cols: [usize; 4],
    offset_s: f64,
) -> Result<(FunctionKey, f64, f64, f64), WorkloadError> {
    let f = rows.record()?;
    let end = rows.number("end_timestamp", f[cols[2]])?;
    let duration = rows.number("duration", f[cols[3]])?;
    if duration < 0.0 {
        return Err(WorkloadError::NegativeDuration {
            path: rows.path().to_path_buf(),
            line: rows.line_no(),
            value: duration,
        });
    }
    Ok((
        (f[cols[0]].to_string(), f[cols[1]].to_string()),
        end - duration - offset_s,
        end - offset_s,
        duration,
    ))
}

fn open_rows(opts: &Azure2021Options) -> Result<(CsvRows, [usize; 4]), WorkloadError> {
    let rows = CsvRows::open(&opts.file)?;
    let cols = [
        rows.column("app")?,
        rows.column("func")?,
        rows.column("end_timestamp")?,
        rows.column("duration")?,
    ];
    Ok((rows, cols))
}

impl Azure2021Trace {
    /// Counts invocations per function in the window and selects (stream `trace/select`).
    pub fn open(opts: &Azure2021Options, seed: u64) -> Result<Azure2021Trace, WorkloadError> {
        let (mut rows, cols) = open_rows(opts)?;
        // Per function: invocations in the window, rows arriving before time 0.
        let mut counts: BTreeMap<FunctionKey, (u64, u64)> = BTreeMap::new();
        while rows.advance()? {
            let (key, arrival, _, _) = parse_row(&rows, cols, opts.offset_s)?;
            let n = counts.entry(key).or_insert((0, 0));
            if arrival < 0.0 {
                n.1 += 1;
            } else if arrival < opts.window_s {
                n.0 += 1;
            }
        }
        let negative: Vec<u64> = counts.values().map(|n| n.1).collect();
        let candidates: Vec<(FunctionKey, u64)> =
            counts.into_iter().map(|(k, n)| (k, n.0)).collect();
        let mut rng = stream_rng(seed, "trace/select");
        let chosen = select(&candidates, &opts.select, |k| k.1.as_str(), &mut rng)?;
        let mut negative_arrivals = 0;
        let functions = chosen
            .into_iter()
            .map(|k| {
                let i = candidates.binary_search_by(|(c, _)| c.cmp(&k)).unwrap_or(0);
                negative_arrivals += negative[i];
                candidates[i].clone()
            })
            .collect();
        Ok(Azure2021Trace {
            opts: opts.clone(),
            functions,
            negative_arrivals,
        })
    }

    /// The requests of the window, in `(arrival, line)` order.
    pub fn replay(&self) -> Result<Azure2021Replay, WorkloadError> {
        let (rows, cols) = open_rows(&self.opts)?;
        Ok(Azure2021Replay {
            index: self
                .functions
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i as u32))
                .collect(),
            opts: self.opts.clone(),
            rows: Some(rows),
            cols,
            heap: BinaryHeap::new(),
            max_end: f64::NEG_INFINITY,
            released: SimTime::ZERO,
        })
    }
}

/// Streams a 2021 trace's requests in arrival order.
pub struct Azure2021Replay {
    opts: Azure2021Options,
    index: BTreeMap<FunctionKey, u32>,
    rows: Option<CsvRows>,
    cols: [usize; 4],
    /// Read but not yet released: (arrival, line, function, duration).
    heap: BinaryHeap<Reverse<(SimTime, u64, u32, SimTime)>>,
    max_end: f64,
    released: SimTime,
}

impl Azure2021Replay {
    /// The next request, `None` after the last one.
    pub fn next_request(&mut self) -> Result<Option<TraceRequest>, WorkloadError> {
        let window = SimTime::from_secs_f64(self.opts.reorder_window_s);
        loop {
            if let Some(Reverse(top)) = self.heap.peek() {
                let safe = self.rows.is_none()
                    || SimTime::from_secs_f64(self.max_end.max(0.0)) >= top.0.plus(window);
                if safe {
                    let Reverse((time, _, function, duration)) = self.heap.pop().unwrap();
                    self.released = time;
                    return Ok(Some(TraceRequest {
                        time,
                        function,
                        duration: Some(duration),
                        exec_model: 0,
                    }));
                }
            }
            let Some(rows) = self.rows.as_mut() else {
                return Ok(None);
            };
            if !rows.advance()? {
                self.rows = None;
                continue;
            }
            let (key, arrival, end, duration) = parse_row(rows, self.cols, self.opts.offset_s)?;
            self.max_end = self.max_end.max(end);
            if !(0.0..self.opts.window_s).contains(&arrival) {
                continue;
            }
            let Some(&function) = self.index.get(&key) else {
                continue;
            };
            let t = SimTime::from_secs_f64(arrival);
            if t < self.released {
                return Err(rows.error(format!(
                    "arrival {arrival} s comes after requests up to {} s were already replayed; the file is out of order by more than `reorder_window_s` ({} s): raise it",
                    self.released.as_secs_f64(),
                    self.opts.reorder_window_s
                )));
            }
            self.heap.push(Reverse((
                t,
                rows.line_no(),
                function,
                SimTime::from_secs_f64(duration),
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Azure2021Options {
        Azure2021Options {
            file: PathBuf::from(
                "tests/fixtures/azure/2021/AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt",
            ),
            offset_s: 0.0,
            window_s: 3600.0,
            select: Selection::All {},
            reorder_window_s: 600.0,
        }
    }

    fn all(t: &Azure2021Trace) -> Result<Vec<(f64, u32, f64)>, WorkloadError> {
        let mut r = t.replay()?;
        let mut out = Vec::new();
        while let Some(q) = r.next_request()? {
            out.push((
                q.time.as_secs_f64(),
                q.function,
                q.duration.unwrap().as_secs_f64(),
            ));
        }
        Ok(out)
    }

    #[test]
    fn the_fixture_replays_in_arrival_order_with_durations() {
        let t = Azure2021Trace::open(&opts(), 1).unwrap();
        assert_eq!(t.functions.len(), 2);
        assert_eq!(
            all(&t).unwrap(),
            [(9.0, 0, 3.0), (10.0, 0, 0.5), (10.75, 1, 0.25)]
        );
    }

    #[test]
    fn a_list_selects_by_func_and_offsets_shift_time() {
        let mut o = opts();
        o.select = Selection::List {
            ids: vec!["f9".into()],
        };
        o.offset_s = 10.0;
        let t = Azure2021Trace::open(&o, 1).unwrap();
        // a1/f1 arrives at −1 s once, but a1/f1 is not replayed: no warning.
        assert_eq!(t.negative_arrivals, 0);
        assert_eq!(all(&t).unwrap(), [(0.75, 0, 0.25)]);
        o.select = Selection::All {};
        let t = Azure2021Trace::open(&o, 1).unwrap();
        assert_eq!(t.negative_arrivals, 1);
    }

    #[test]
    fn rows_too_far_out_of_order_and_negative_durations_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        std::fs::write(
            &p,
            "app,func,end_timestamp,duration\na,f,100,1\na,f,5000,1\na,f,50,1\n",
        )
        .unwrap();
        let mut o = opts();
        o.file = p.clone();
        let t = Azure2021Trace::open(&o, 1).unwrap();
        let e = all(&t).unwrap_err().to_string();
        assert!(e.contains("t.csv:4: arrival 49 s"), "{e}");
        std::fs::write(&p, "app,func,end_timestamp,duration\na,f,100,-1\n").unwrap();
        let e = Azure2021Trace::open(&o, 1).unwrap_err().to_string();
        assert!(e.ends_with("t.csv:2: negative duration -1 s"), "{e}");
    }
}
