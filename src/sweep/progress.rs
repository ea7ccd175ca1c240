//! Progress of a sweep on stderr (runs done/total, runs/s, ETA, failures). On a terminal: a
//! one-line bar redrawn at most ten times a second. Otherwise (a Slurm task log, `nohup`): a
//! plain line at most every [`DEFAULT_LINE_INTERVAL_S`] seconds, or every
//! `FAASIM_PROGRESS_INTERVAL` seconds if that variable is set, so that a log shows a long
//! sweep advancing without growing by a line per run.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Seconds between two progress lines when stderr is not a terminal.
pub const DEFAULT_LINE_INTERVAL_S: f64 = 60.0;

/// The environment variable that overrides [`DEFAULT_LINE_INTERVAL_S`] (seconds, may be 0).
pub const LINE_INTERVAL_VAR: &str = "FAASIM_PROGRESS_INTERVAL";

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Off,
    /// A bar redrawn in place.
    Bar,
    /// A line appended at most every so often.
    Lines(Duration),
}

/// Progress of the runs of one sweep (or shard).
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    total: u64,
    done: u64,
    failed: u64,
    start: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// Progress over `total` runs, shown if `wanted`: a bar if stderr is a terminal, else lines.
    pub fn new(total: u64, wanted: bool) -> Progress {
        let mode = if !wanted {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines(line_interval(
                std::env::var(LINE_INTERVAL_VAR).ok().as_deref(),
            ))
        };
        Progress {
            mode,
            total,
            done: 0,
            failed: 0,
            start: Instant::now(),
            last_draw: None,
        }
    }

    /// Counts one finished run.
    pub fn record(&mut self, ok: bool) {
        self.done += 1;
        if !ok {
            self.failed += 1;
        }
        match self.mode {
            Mode::Off => {}
            Mode::Bar => {
                if self
                    .last_draw
                    .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
                {
                    self.draw();
                }
            }
            Mode::Lines(every) => {
                let since = self.last_draw.unwrap_or(self.start);
                if since.elapsed() >= every || self.done == self.total {
                    self.last_draw = Some(Instant::now());
                    let line = render_line(
                        self.done,
                        self.total,
                        self.failed,
                        self.start.elapsed().as_secs_f64(),
                    );
                    // A closed stderr (a log reader that went away) must not stop the sweep.
                    let _ = writeln!(std::io::stderr().lock(), "{line}");
                }
            }
        }
    }

    /// Runs finished so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Failed runs so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Erases the bar.
    pub fn finish(&mut self) {
        if self.mode == Mode::Bar && self.last_draw.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }

    fn draw(&mut self) {
        self.last_draw = Some(Instant::now());
        let line = render(
            self.done,
            self.total,
            self.failed,
            self.start.elapsed().as_secs_f64(),
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }
}

/// `[#########...........]  120/1000 runs  45.2 runs/s  ETA 0:19  2 failed`
pub fn render(done: u64, total: u64, failed: u64, elapsed_s: f64) -> String {
    const WIDTH: u64 = 24;
    let filled = (done * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH)
        .min(WIDTH) as usize;
    let rate = if elapsed_s > 0.0 {
        done as f64 / elapsed_s
    } else {
        0.0
    };
    let eta = if rate > 0.0 {
        clock((total.saturating_sub(done)) as f64 / rate)
    } else {
        "?".into()
    };
    let mut line = format!(
        "[{}{}] {done}/{total} runs  {rate:.1} runs/s  ETA {eta}",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled),
    );
    if failed > 0 {
        line.push_str(&format!("  {failed} failed"));
    }
    line
}

/// `progress: 120/1000 runs (12.0%), 2 failed, 45.2 runs/s, elapsed 0:03, ETA 0:19`: one line
/// of a log, no control characters.
pub fn render_line(done: u64, total: u64, failed: u64, elapsed_s: f64) -> String {
    let percent = if total > 0 {
        100.0 * done as f64 / total as f64
    } else {
        100.0
    };
    let rate = if elapsed_s > 0.0 {
        done as f64 / elapsed_s
    } else {
        0.0
    };
    let eta = if rate > 0.0 {
        clock(total.saturating_sub(done) as f64 / rate)
    } else {
        "?".into()
    };
    format!(
        "progress: {done}/{total} runs ({percent:.1}%), {failed} failed, {rate:.1} runs/s, elapsed {}, ETA {eta}",
        clock(elapsed_s)
    )
}

/// The interval between progress lines: `setting` in seconds (`FAASIM_PROGRESS_INTERVAL`), else
/// [`DEFAULT_LINE_INTERVAL_S`]; a value that is not a finite number ≥ 0 is ignored.
fn line_interval(setting: Option<&str>) -> Duration {
    let secs = setting
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(DEFAULT_LINE_INTERVAL_S);
    Duration::from_secs_f64(secs)
}

/// `m:ss` or `h:mm:ss`.
fn clock(s: f64) -> String {
    let s = s.round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_done_total_rate_eta_and_failures() {
        assert_eq!(
            render(50, 200, 0, 10.0),
            "[######..................] 50/200 runs  5.0 runs/s  ETA 0:30"
        );
        assert_eq!(
            render(200, 200, 3, 4000.0),
            "[########################] 200/200 runs  0.1 runs/s  ETA 0:00  3 failed"
        );
        assert!(render(0, 10, 0, 0.0).ends_with("ETA ?"));
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn a_log_line_shows_done_total_share_failures_rate_elapsed_and_eta() {
        assert_eq!(
            render_line(120, 1000, 2, 40.0),
            "progress: 120/1000 runs (12.0%), 2 failed, 3.0 runs/s, elapsed 0:40, ETA 4:53"
        );
        assert!(render_line(0, 10, 0, 0.0).ends_with("ETA ?"));
    }

    #[test]
    fn the_line_interval_defaults_to_a_minute_and_can_be_set_in_seconds() {
        assert_eq!(line_interval(None), Duration::from_secs(60));
        assert_eq!(line_interval(Some("5")), Duration::from_secs(5));
        assert_eq!(line_interval(Some("0.5")), Duration::from_millis(500));
        assert_eq!(line_interval(Some("soon")), Duration::from_secs(60));
        assert_eq!(line_interval(Some("-1")), Duration::from_secs(60));
    }
}
