//! A one-line progress bar on stderr (runs done/total, runs/s, ETA, failures), drawn only when
//! stderr is a terminal and redrawn at most ten times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of the runs of one sweep (or shard).
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    total: u64,
    done: u64,
    failed: u64,
    start: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A bar over `total` runs; drawn if `wanted` and stderr is a terminal.
    pub fn new(total: u64, wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
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
        if self.enabled
            && self
                .last_draw
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.draw();
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
        if self.enabled && self.last_draw.is_some() {
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
}
