//! The Azure Functions 2019 trace (`docs/workloads.md`): per-minute invocation counts per
//! function, duration percentiles per function and memory percentiles per application, one
//! file of each per day.
//!
//! [`Azure2019Trace::open`] makes the selection pass (one counter per distinct function) and
//! reads the selected functions' durations and memory. [`Azure2019Replay`] then yields the
//! requests minute by minute, holding only the current day's counts of the selected functions.

use super::select::{select, Selection};
use super::synthesis::{scale_count, MinuteArrivals, Synthesis};
use super::TraceRequest;
use crate::config::TimeModel;
use crate::engine::{stream_rng, SimRng, SimTime};
use crate::workload::csv_rows::CsvRows;
use crate::workload::WorkloadError;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};

/// Function key: `(HashOwner, HashApp, HashFunction)`.
pub type FunctionKey = (String, String, String);

/// Which columns of the duration file become a function's execution-time model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationColumns {
    /// The seven `percentile_Average_*` points as a `percentiles` model (inverse CDF); all-zero
    /// percentiles fall back to `Average` as a constant.
    #[default]
    Percentiles,
    /// `Average` as a constant.
    Average,
}

/// What to replay from a 2019 trace directory.
#[derive(Clone, Debug, PartialEq)]
pub struct Azure2019Options {
    /// Directory holding the `*.dNN.csv` files.
    pub dir: PathBuf,
    /// The selected days (1-based, `dNN`, consecutive): the window starts on the first and may
    /// run into the following days; applications' memory is the maximum over these days and
    /// the window's.
    pub days: Vec<u32>,
    /// Minute of the first day at which simulated time 0 lies.
    pub start_minute: u32,
    /// Window length in minutes.
    pub minutes: u32,
    /// Which functions.
    pub select: Selection,
    /// Keep only these triggers (`http`, `timer`, …); empty keeps all.
    pub triggers: Vec<String>,
    /// Placement of arrivals within a minute.
    pub synthesis: Synthesis,
    /// Multiplies every minute count.
    pub rate_scale: f64,
    /// Memory percentile column (1, 5, 25, 50, 75, 95, 99 or 100).
    pub memory_percentile: u32,
    /// Which duration columns give the execution-time model.
    pub duration: DurationColumns,
    /// Execution time, seconds, of a function on a day without a usable duration row.
    pub default_duration_s: f64,
}

/// One selected function.
#[derive(Clone, Debug, PartialEq)]
pub struct Azure2019Function {
    /// Its key.
    pub key: FunctionKey,
    /// Invocations in the window (before rate scaling).
    pub invocations: u64,
    /// The distinct execution-time models of the function's window days, in seconds (the
    /// percentiles or the average, [`DurationColumns`], else the default duration); the first
    /// is the first window day's.
    pub durations: Vec<TimeModel>,
    /// Per window day, the index in `durations` of that day's model: a request executes with
    /// the model of the day it arrived in.
    pub day_model: Vec<u16>,
    /// Memory of its application at the chosen percentile, MiB, maximum over the window's days;
    /// `None` when no memory file has the application.
    pub memory_mb: Option<f64>,
}

/// The selection of a 2019 trace, ready to replay.
#[derive(Clone, Debug)]
pub struct Azure2019Trace {
    opts: Azure2019Options,
    /// The selected functions, in ascending key order (their index is [`TraceRequest::function`]).
    pub functions: Vec<Azure2019Function>,
    /// `(day, first minute, minute count)` of each day the window covers.
    days: Vec<(u32, u32, u32)>,
}

fn invocations_file(dir: &Path, day: u32) -> PathBuf {
    dir.join(format!("invocations_per_function_md.anon.d{day:02}.csv"))
}
fn durations_file(dir: &Path, day: u32) -> PathBuf {
    dir.join(format!("function_durations_percentiles.anon.d{day:02}.csv"))
}
fn memory_file(dir: &Path, day: u32) -> PathBuf {
    dir.join(format!("app_memory_percentiles.anon.d{day:02}.csv"))
}

/// An invocations file: key columns, trigger and `1..M` minute columns.
struct CountsFile {
    rows: CsvRows,
    minutes: u32,
}

impl CountsFile {
    fn open(path: &Path) -> Result<CountsFile, WorkloadError> {
        let rows = CsvRows::open(path)?;
        for (i, name) in ["HashOwner", "HashApp", "HashFunction", "Trigger"]
            .iter()
            .enumerate()
        {
            if rows.header().get(i).map(String::as_str) != Some(*name) {
                return Err(WorkloadError::format(
                    path,
                    format!("column {} must be `{name}`", i + 1),
                ));
            }
        }
        let minutes = rows.header().len() as u32 - 4;
        for (m, name) in rows.header()[4..].iter().enumerate() {
            if name.parse::<u32>() != Ok(m as u32 + 1) {
                return Err(WorkloadError::format(
                    path,
                    format!(
                        "minute columns must be named 1, 2, … in order; column {} is `{name}`",
                        m + 5
                    ),
                ));
            }
        }
        if minutes == 0 {
            return Err(WorkloadError::format(path, "no minute columns"));
        }
        Ok(CountsFile { rows, minutes })
    }

    /// Next row: key, trigger and the counts of minutes `[from, from + len)`.
    fn next(
        &mut self,
        from: u32,
        len: u32,
        counts: &mut Vec<u32>,
    ) -> Result<Option<(FunctionKey, String)>, WorkloadError> {
        if !self.rows.advance()? {
            return Ok(None);
        }
        let f = self.rows.record()?;
        counts.clear();
        for (m, v) in f[4 + from as usize..4 + (from + len) as usize]
            .iter()
            .enumerate()
        {
            let c = v.parse::<u32>().map_err(|_| {
                self.rows.error(format!(
                    "minute {}: expected a non-negative whole count, got `{v}`",
                    from as usize + m + 1
                ))
            })?;
            counts.push(c);
        }
        Ok(Some((
            (f[0].to_string(), f[1].to_string(), f[2].to_string()),
            f[3].to_string(),
        )))
    }
}

impl Azure2019Trace {
    /// Reads the window's counts, selects functions (stream `trace/select` of `seed`), and reads
    /// their durations and memory.
    pub fn open(opts: &Azure2019Options, seed: u64) -> Result<Azure2019Trace, WorkloadError> {
        // Which days, and which minutes of each, the window covers.
        let mut days = Vec::new();
        let first_day = opts.days.first().copied().unwrap_or(1);
        let (mut day, mut from, mut left) = (first_day, opts.start_minute, opts.minutes);
        let mut candidates: BTreeMap<FunctionKey, u64> = BTreeMap::new();
        let mut counts = Vec::new();
        while left > 0 {
            let mut file = CountsFile::open(&invocations_file(&opts.dir, day))?;
            if from >= file.minutes {
                return Err(WorkloadError::format(
                    file.rows.path(),
                    format!(
                        "start minute {from} lies beyond the day's {} minutes",
                        file.minutes
                    ),
                ));
            }
            let len = left.min(file.minutes - from);
            while let Some((key, trigger)) = file.next(from, len, &mut counts)? {
                if !opts.triggers.is_empty() && !opts.triggers.contains(&trigger) {
                    continue;
                }
                let n: u64 = counts.iter().map(|&c| c as u64).sum();
                *candidates.entry(key).or_insert(0) += n;
            }
            days.push((day, from, len));
            left -= len;
            day += 1;
            from = 0;
        }
        let candidates: Vec<(FunctionKey, u64)> = candidates.into_iter().collect();
        let mut rng = stream_rng(seed, "trace/select");
        let chosen = select(&candidates, &opts.select, |k| k.2.as_str(), &mut rng)?;
        let mut functions: Vec<Azure2019Function> = chosen
            .into_iter()
            .map(|key| {
                let i = candidates
                    .binary_search_by(|(k, _)| k.cmp(&key))
                    .unwrap_or(0);
                Azure2019Function {
                    invocations: candidates[i].1,
                    key,
                    durations: Vec::new(),
                    day_model: Vec::with_capacity(days.len()),
                    memory_mb: None,
                }
            })
            .collect();
        // Each window day's duration row gives the model of the requests arriving that day.
        let fallback = TimeModel::Constant {
            value: opts.default_duration_s,
        };
        let mut day_rows: Vec<Option<TimeModel>> = vec![None; functions.len()];
        for &(d, _, _) in &days {
            day_rows.iter_mut().for_each(|m| *m = None);
            read_durations(
                &durations_file(&opts.dir, d),
                opts.duration,
                &functions,
                &mut day_rows,
            )?;
            for (f, row) in functions.iter_mut().zip(day_rows.iter_mut()) {
                let model = row.take().unwrap_or_else(|| fallback.clone());
                let k = match f.durations.iter().position(|m| *m == model) {
                    Some(k) => k,
                    None => {
                        f.durations.push(model);
                        f.durations.len() - 1
                    }
                };
                f.day_model.push(k as u16);
            }
        }
        for d in memory_days(&days, &opts.days) {
            let mem = memory_file(&opts.dir, d);
            if mem.exists() {
                read_memory(&mem, opts.memory_percentile, &mut functions)?;
            }
        }
        Ok(Azure2019Trace {
            opts: opts.clone(),
            functions,
            days,
        })
    }

    /// The files a window of `minutes` minutes from minute `start_minute` of the first of
    /// `days` reads, found from the count files' headers only (for the run's identity, before
    /// the trace is opened). Missing files end the list: opening the trace reports them.
    pub fn window_files(dir: &Path, days: &[u32], start_minute: u32, minutes: u32) -> Vec<PathBuf> {
        let mut window = Vec::new();
        let first_day = days.first().copied().unwrap_or(1);
        let (mut day, mut from, mut left) = (first_day, start_minute, minutes);
        while left > 0 {
            let Ok(file) = CountsFile::open(&invocations_file(dir, day)) else {
                break;
            };
            if from >= file.minutes {
                break;
            }
            let len = left.min(file.minutes - from);
            window.push((day, from, len));
            left -= len;
            day += 1;
            from = 0;
        }
        files_of(dir, &window, days)
    }

    /// The files the window reads, for the run's identity ([`super::content_hash`]).
    pub fn files(&self) -> Vec<PathBuf> {
        files_of(&self.opts.dir, &self.days, &self.opts.days)
    }

    /// The requests of the window, lazily; the function `i` draws from stream
    /// `trace/<HashOwner>/<HashApp>/<HashFunction>` of `seed`.
    pub fn replay(&self, seed: u64) -> Azure2019Replay {
        let streams = self
            .functions
            .iter()
            .map(|f| FunctionStream {
                rng: stream_rng(seed, &format!("trace/{}/{}/{}", f.key.0, f.key.1, f.key.2)),
                minute: MinuteArrivals::default(),
            })
            .collect();
        let index = self
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.clone(), i as u32))
            .collect();
        let day_models = self
            .functions
            .iter()
            .flat_map(|f| f.day_model.iter().copied())
            .collect();
        Azure2019Replay {
            day_models,
            today_models: Vec::new(),
            opts: self.opts.clone(),
            days: self.days.clone(),
            day: 0,
            index,
            streams,
            day_counts: Vec::new(),
            minute_in_day: 0,
            minute_offset: 0,
            minute_start_s: 0.0,
            heap: BinaryHeap::new(),
        }
    }
}

/// The days whose memory files count: the window's and the selected ones, ascending.
fn memory_days(window: &[(u32, u32, u32)], selected: &[u32]) -> Vec<u32> {
    let mut days: Vec<u32> = window
        .iter()
        .map(|w| w.0)
        .chain(selected.iter().copied())
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The count and duration files of the window's days, then the memory files that exist.
fn files_of(dir: &Path, window: &[(u32, u32, u32)], selected: &[u32]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for &(d, _, _) in window {
        out.push(invocations_file(dir, d));
        out.push(durations_file(dir, d));
    }
    for d in memory_days(window, selected) {
        let mem = memory_file(dir, d);
        if mem.exists() {
            out.push(mem);
        }
    }
    out
}

/// Parses one day's duration rows of the selected `functions` into `models` (same order): a
/// `percentiles` model (or the `Average` constant) in seconds; `None` where the day has no row
/// or only zeros.
fn read_durations(
    path: &Path,
    columns: DurationColumns,
    functions: &[Azure2019Function],
    models: &mut [Option<TimeModel>],
) -> Result<(), WorkloadError> {
    const COLS: [&str; 7] = ["0", "1", "25", "50", "75", "99", "100"];
    const PS: [f64; 7] = [0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0];
    let mut rows = CsvRows::open(path)?;
    let key_cols = [
        rows.column("HashOwner")?,
        rows.column("HashApp")?,
        rows.column("HashFunction")?,
    ];
    let avg_col = rows.column("Average")?;
    let pct_cols = COLS
        .iter()
        .map(|c| rows.column(&format!("percentile_Average_{c}")))
        .collect::<Result<Vec<_>, _>>()?;
    while rows.advance()? {
        let f = rows.record()?;
        let key = (
            f[key_cols[0]].to_string(),
            f[key_cols[1]].to_string(),
            f[key_cols[2]].to_string(),
        );
        let Ok(i) = functions.binary_search_by(|g| g.key.cmp(&key)) else {
            continue;
        };
        if models[i].is_some() {
            continue;
        }
        let mut ms = [0.0; 7];
        for (k, &c) in pct_cols.iter().enumerate() {
            ms[k] = rows.number(&rows.header()[c].clone(), f[c])?;
        }
        let avg = rows.number("Average", f[avg_col])?;
        if let Some(&v) = ms.iter().chain([&avg]).find(|v| **v < 0.0) {
            return Err(WorkloadError::NegativeDuration {
                path: path.to_path_buf(),
                line: rows.line_no(),
                value: v / 1000.0,
            });
        }
        let average = (avg > 0.0).then_some(TimeModel::Constant {
            value: avg / 1000.0,
        });
        models[i] = if columns == DurationColumns::Average || ms.iter().all(|&v| v == 0.0) {
            average
        } else {
            // Percentiles of 30-second averages need not be monotone after rounding; keep the
            // inverse CDF non-decreasing.
            let mut points = Vec::with_capacity(7);
            let mut last = 0.0f64;
            for k in 0..7 {
                last = last.max(ms[k] / 1000.0);
                points.push([PS[k], last]);
            }
            Some(TimeModel::Percentiles {
                points,
                bounds: None,
            })
        };
    }
    Ok(())
}

/// Reads an application memory file: the chosen percentile, maximum over days.
fn read_memory(
    path: &Path,
    percentile: u32,
    functions: &mut [Azure2019Function],
) -> Result<(), WorkloadError> {
    let mut rows = CsvRows::open(path)?;
    let (owner, app) = (rows.column("HashOwner")?, rows.column("HashApp")?);
    let col = rows.column(&format!("AverageAllocatedMb_pct{percentile}"))?;
    while rows.advance()? {
        let f = rows.record()?;
        let mb = rows.number(&format!("AverageAllocatedMb_pct{percentile}"), f[col])?;
        if mb < 0.0 {
            return Err(rows.error(format!("negative memory {mb} MB")));
        }
        for g in functions
            .iter_mut()
            .filter(|g| g.key.0 == f[owner] && g.key.1 == f[app])
        {
            g.memory_mb = Some(g.memory_mb.map_or(mb, |m| m.max(mb)));
        }
    }
    Ok(())
}

/// The requests of a 2019 window in time order (ties by function index).
pub struct Azure2019Replay {
    opts: Azure2019Options,
    days: Vec<(u32, u32, u32)>,
    /// Next entry of `days` to load.
    day: usize,
    index: BTreeMap<FunctionKey, u32>,
    /// `[function × window day]`: the index of the function's execution-time model that day.
    day_models: Vec<u16>,
    /// Per function, its model index on the loaded day (the column of `day_models`), so that a
    /// request reads one entry.
    today_models: Vec<u16>,
    /// Per function, its stream and its arrivals in the current minute.
    streams: Vec<FunctionStream>,
    /// Current day's counts, `[function × minute]`, minutes of the window only.
    day_counts: Vec<u32>,
    /// Minutes of the current day not yet synthesised: next minute within the loaded counts.
    minute_in_day: u32,
    /// Minute offset (from the window start) of `minute_in_day`.
    minute_offset: u64,
    /// Start of the minute the heap holds, seconds from the window start (`60 · minute`,
    /// computed once per minute rather than per request).
    minute_start_s: f64,
    /// The next arrival of each function with arrivals left in the minute: (time, function).
    heap: BinaryHeap<Reverse<(SimTime, u32)>>,
}

/// One selected function's arrival state: side by side, the two things a request reads.
struct FunctionStream {
    /// Its stream (`trace/<HashOwner>/<HashApp>/<HashFunction>`); only this function's
    /// arrivals draw from it, which lets them draw one arrival ahead ([`MinuteArrivals`]).
    rng: SimRng,
    /// Its arrivals in the current minute.
    minute: MinuteArrivals,
}

impl Azure2019Replay {
    fn day_len(&self) -> u32 {
        self.day.checked_sub(1).map_or(0, |d| self.days[d].2)
    }

    fn load_next_day(&mut self) -> Result<bool, WorkloadError> {
        let Some(&(d, from, len)) = self.days.get(self.day) else {
            return Ok(false);
        };
        let n = self.streams.len();
        self.day_counts.clear();
        self.day_counts.resize(n * len as usize, 0);
        let mut file = CountsFile::open(&invocations_file(&self.opts.dir, d))?;
        let mut counts = Vec::new();
        while let Some((key, _)) = file.next(from, len, &mut counts)? {
            if let Some(&i) = self.index.get(&key) {
                let row = i as usize * len as usize;
                for (m, &c) in counts.iter().enumerate() {
                    self.day_counts[row + m] += c;
                }
            }
        }
        let days = self.days.len();
        self.today_models = (0..n)
            .map(|f| self.day_models[f * days + self.day])
            .collect();
        self.day += 1;
        self.minute_in_day = 0;
        Ok(true)
    }

    /// Starts the next minute with any arrival; false at the window's end. Each function draws,
    /// from its own stream and in index order, its rate-scaling uniform and then its first
    /// arrival.
    #[cold]
    #[inline(never)]
    fn fill(&mut self) -> Result<bool, WorkloadError> {
        while self.heap.is_empty() {
            if self.minute_in_day >= self.day_len() && !self.load_next_day()? {
                return Ok(false);
            }
            let len = self.day_len() as usize;
            let m = self.minute_in_day as usize;
            self.minute_start_s = 60.0 * self.minute_offset as f64;
            for (i, s) in self.streams.iter_mut().enumerate() {
                let c = scale_count(
                    self.day_counts[i * len + m] as u64,
                    self.opts.rate_scale,
                    &mut s.rng,
                );
                s.minute = self.opts.synthesis.minute(c, &mut s.rng);
                if let Some(o) = s.minute.next_offset(&mut s.rng) {
                    self.heap
                        .push(Reverse((at(self.minute_start_s, o), i as u32)));
                }
            }
            self.minute_in_day += 1;
            self.minute_offset += 1;
        }
        Ok(true)
    }

    /// The next request, `None` after the window's last one.
    pub fn next_request(&mut self) -> Result<Option<TraceRequest>, WorkloadError> {
        if !self.fill()? {
            return Ok(None);
        }
        Ok(self.next_in_minute())
    }

    /// The next request if the current minute has one left (`None` when the next request, if
    /// any, needs [`Azure2019Replay::next_request`] to start a minute): the short path of
    /// almost every request, inlined into the caller.
    #[inline(always)]
    pub fn next_in_minute(&mut self) -> Option<TraceRequest> {
        // The earliest arrival makes way for its function's next one in the same minute (the
        // heap holds the minute that was started last): one sift instead of a pop and a push.
        let mut top = self.heap.peek_mut()?;
        let Reverse((time, f)) = *top;
        let s = &mut self.streams[f as usize];
        match s.minute.next_offset(&mut s.rng) {
            Some(o) => *top = Reverse((at(self.minute_start_s, o), f)),
            None => {
                PeekMut::pop(top);
            }
        }
        Some(TraceRequest {
            time,
            function: f,
            duration: None,
            exec_model: self.today_models[f as usize],
        })
    }
}

/// Simulated time of offset `o` seconds into the minute starting `minute_start_s` seconds into
/// the window.
#[inline]
fn at(minute_start_s: f64, o: f64) -> SimTime {
    SimTime::from_secs_f64(minute_start_s + o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(select: Selection, synthesis: Synthesis, minutes: u32) -> Azure2019Options {
        Azure2019Options {
            dir: PathBuf::from("tests/fixtures/azure/2019"),
            days: vec![1],
            start_minute: 0,
            minutes,
            select,
            triggers: vec![],
            synthesis,
            rate_scale: 1.0,
            memory_percentile: 100,
            duration: DurationColumns::Percentiles,
            default_duration_s: 1.0,
        }
    }

    fn all(trace: &Azure2019Trace, seed: u64) -> Vec<TraceRequest> {
        let mut r = trace.replay(seed);
        let mut out = Vec::new();
        while let Some(q) = r.next_request().unwrap() {
            out.push(q);
        }
        out
    }

    #[test]
    fn the_short_path_within_a_minute_yields_what_next_request_yields() {
        // As `WorkloadSources` reads the replay: `next_in_minute` while the minute lasts,
        // `next_request` to start the next one. Same requests, same times, same models.
        let mut o = opts(Selection::All {}, Synthesis::Uniform, 6);
        o.rate_scale = 40.0;
        let t = Azure2019Trace::open(&o, 1).unwrap();
        let mut r = t.replay(3);
        let (mut got, mut short) = (Vec::new(), 0);
        loop {
            if let Some(q) = r.next_in_minute() {
                short += 1;
                got.push(q);
            } else if let Some(q) = r.next_request().unwrap() {
                got.push(q);
            } else {
                break;
            }
        }
        assert_eq!(got, all(&t, 3));
        assert!(short > got.len() / 2, "{short} of {}", got.len());
    }

    #[test]
    fn equidistant_replay_of_the_fixture_day_is_exact() {
        let t = Azure2019Trace::open(
            &opts(Selection::Top { count: 2 }, Synthesis::Equidistant, 3),
            1,
        )
        .unwrap();
        let keys: Vec<&str> = t.functions.iter().map(|f| f.key.2.as_str()).collect();
        assert_eq!(keys, ["f1", "f2"]);
        let got: Vec<(f64, u32)> = all(&t, 1)
            .iter()
            .map(|r| (r.time.as_secs_f64(), r.function))
            .collect();
        assert_eq!(
            got,
            [
                (15.0, 0),
                (45.0, 0),
                (70.0, 1),
                (90.0, 1),
                (110.0, 1),
                (150.0, 0)
            ]
        );
    }

    #[test]
    fn uniform_replay_reproduces_the_per_minute_counts_across_days() {
        let t = Azure2019Trace::open(&opts(Selection::All {}, Synthesis::Uniform, 6), 1).unwrap();
        assert_eq!(t.functions.len(), 3);
        let mut counts = [[0u32; 6]; 3];
        let reqs = all(&t, 9);
        assert!(reqs.windows(2).all(|w| w[0].time <= w[1].time));
        for r in reqs {
            counts[r.function as usize][(r.time.as_secs_f64() / 60.0) as usize] += 1;
        }
        assert_eq!(
            counts,
            [[2, 0, 1, 1, 1, 1], [0, 3, 0, 0, 0, 4], [0, 0, 0, 5, 0, 0]]
        );
    }

    #[test]
    fn durations_and_memory_come_from_the_percentile_files() {
        let t = Azure2019Trace::open(&opts(Selection::Top { count: 2 }, Synthesis::Uniform, 3), 1)
            .unwrap();
        let f1 = &t.functions[0].durations[0];
        let TimeModel::Percentiles { points, .. } = f1 else {
            panic!("{f1:?}")
        };
        assert_eq!(points[3], [0.5, 0.1]);
        assert_eq!(points[6], [1.0, 2.0]);
        assert_eq!(t.functions[0].memory_mb, Some(160.0));
        assert_eq!(t.functions[1].memory_mb, Some(160.0));
    }

    #[test]
    fn all_zero_percentiles_fall_back_to_the_average_and_a_zero_average_to_the_default() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("invocations_per_function_md.anon.d01.csv"),
            "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f1,http,1\no,a,f2,http,1\no,a,f3,http,1\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("function_durations_percentiles.anon.d01.csv"),
            "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n\
             o,a,f1,250,1,0,0,0,0,0,0,0,0,0\n\
             o,a,f2,0,1,0,0,0,0,0,0,0,0,0\n",
        )
        .unwrap();
        let mut o = opts(Selection::All {}, Synthesis::Uniform, 1);
        o.dir = d.path().to_path_buf();
        let t = Azure2019Trace::open(&o, 1).unwrap();
        let durations: Vec<_> = t.functions.iter().map(|f| f.durations.clone()).collect();
        // f1: the average; f2: nothing usable; f3: no row. No memory file: no memory.
        let default = TimeModel::Constant { value: 1.0 };
        assert_eq!(
            durations,
            [
                vec![TimeModel::Constant { value: 0.25 }],
                vec![default.clone()],
                vec![default]
            ]
        );
        assert!(t.functions.iter().all(|f| f.memory_mb.is_none()));
    }

    #[test]
    fn average_durations_ignore_the_percentiles() {
        let mut o = opts(Selection::Top { count: 2 }, Synthesis::Uniform, 3);
        o.duration = DurationColumns::Average;
        let t = Azure2019Trace::open(&o, 1).unwrap();
        assert_eq!(
            t.functions[0].durations,
            [TimeModel::Constant { value: 0.15 }]
        );
    }

    #[test]
    fn a_window_starting_mid_day_and_trigger_filters_apply() {
        let mut o = opts(Selection::All {}, Synthesis::Equidistant, 2);
        o.start_minute = 1;
        o.triggers = vec!["http".into()];
        let t = Azure2019Trace::open(&o, 1).unwrap();
        assert_eq!(t.functions.len(), 1);
        let times: Vec<f64> = all(&t, 1).iter().map(|r| r.time.as_secs_f64()).collect();
        assert_eq!(times, [90.0]); // minute 3 of day 1 is the window's second minute
    }

    #[test]
    fn bad_inputs_name_the_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let mut o = opts(Selection::All {}, Synthesis::Uniform, 3);
        o.dir = d.path().to_path_buf();
        let e = Azure2019Trace::open(&o, 1).unwrap_err().to_string();
        assert!(
            e.contains("invocations_per_function_md.anon.d01.csv: cannot read"),
            "{e}"
        );
        std::fs::write(
            d.path().join("invocations_per_function_md.anon.d01.csv"),
            "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,-2,0\n",
        )
        .unwrap();
        let e = Azure2019Trace::open(&o, 1).unwrap_err().to_string();
        assert!(
            e.ends_with("d01.csv:2: minute 2: expected a non-negative whole count, got `-2`"),
            "{e}"
        );
    }
}
