//! Keep-alive policies of idle replicas (`docs/scaling.md`; extension after dslab-faas).
//!
//! A replica is **idle** while it is Running with no request executing or queued on it. When it
//! becomes idle the policy gives two windows:
//!
//! - `keepalive`: if the replica is still idle that long after, and the function has more live
//!   replicas than `scale_min`, it is torn down (→ Suspended, reason `keepalive_expired`);
//! - `prewarm`: if positive and the replica became idle because its last request ended, it is
//!   torn down at once (if above `scale_min`) and a new replica is created `prewarm` later
//!   (reason `prewarm`); that replica then gets the keep-alive window.
//!
//! Policies:
//!
//! - `fixed { keepalive_s = 600, prewarm_s = 0 }`: constant windows.
//! - `hybrid_histogram` (Shahrad et al., "Serverless in the Wild", ATC 2020): a histogram of the
//!   function's idle times (from the end of the most recently completed invocation to the next
//!   arrival) in bins of `bin_s` over `range_s`, plus an out-of-bounds count. With
//!   `cv` = sample standard deviation of the bin counts / their mean and
//!   `oob` = out-of-bounds share: `oob ≥ oob_threshold` → out of bounds, `cv < cv_threshold` →
//!   uncertain, else certain. Certain: `prewarm = head × bin × (1 − margin)`,
//!   `keepalive = (tail + 1) × bin × (1 + margin)` with `head`/`tail` the first bins whose
//!   cumulative share reaches 5 % / 99 %. Uncertain and out of bounds (the paper forecasts the
//!   latter with ARIMA): `prewarm = 0`, `keepalive = range`.

use crate::config::KeepaliveConfig;
use crate::engine::SimTime;

/// The two windows applied to a replica that becomes idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// Delay before a replacement replica is created (0: no pre-warming).
    pub prewarm: SimTime,
    /// Idle time before the replica is torn down.
    pub keepalive: SimTime,
}

/// A function's keep-alive policy and its state.
///
/// `repr(u8)`: the tag comes first and a `fixed` policy's windows right behind it, so that
/// the request path reads both from the first line of [`super::FunctionScaling`].
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum KeepalivePolicy {
    /// Idle replicas are kept.
    None,
    /// Constant windows.
    Fixed(Windows),
    /// Windows from the function's idle-time histogram.
    Hybrid(HybridHistogram),
}

impl KeepalivePolicy {
    /// From the configuration.
    pub fn from_config(c: &KeepaliveConfig) -> KeepalivePolicy {
        match *c {
            KeepaliveConfig::None => KeepalivePolicy::None,
            KeepaliveConfig::Fixed {
                keepalive_s,
                prewarm_s,
            } => KeepalivePolicy::Fixed(Windows {
                prewarm: SimTime::from_secs_f64(prewarm_s),
                keepalive: SimTime::from_secs_f64(keepalive_s),
            }),
            KeepaliveConfig::HybridHistogram {
                range_s,
                bin_s,
                cv_threshold,
                oob_threshold,
                margin,
            } => KeepalivePolicy::Hybrid(HybridHistogram::new(
                range_s,
                bin_s,
                cv_threshold,
                oob_threshold,
                margin,
            )),
        }
    }

    /// True unless the policy is `None`.
    #[inline]
    pub fn is_active(&self) -> bool {
        !matches!(self, KeepalivePolicy::None)
    }

    /// A request of the function arrived.
    #[inline]
    pub fn on_arrival(&mut self, now: SimTime) {
        if let KeepalivePolicy::Hybrid(h) = self {
            h.on_arrival(now);
        }
    }

    /// An invocation of the function completed.
    #[inline]
    pub fn on_completion(&mut self, now: SimTime) {
        if let KeepalivePolicy::Hybrid(h) = self {
            h.last_end = Some(now);
        }
    }

    /// The windows for a replica becoming idle now (`None` for the `None` policy).
    pub fn windows(&mut self) -> Option<Windows> {
        match self {
            KeepalivePolicy::None => None,
            KeepalivePolicy::Fixed(w) => Some(*w),
            KeepalivePolicy::Hybrid(h) => Some(h.windows()),
        }
    }
}

/// Classification of a function's idle-time histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Too many idle times beyond the range.
    OutOfBounds,
    /// The histogram is too flat to predict from.
    Uncertain,
    /// A usable histogram.
    Certain,
}

/// The hybrid-histogram policy's parameters and per-function histogram.
#[derive(Clone, Debug)]
pub struct HybridHistogram {
    range_s: f64,
    bin_s: f64,
    cv_threshold: f64,
    oob_threshold: f64,
    margin: f64,
    bins: Vec<u64>,
    in_bounds: u64,
    out_of_bounds: u64,
    last_end: Option<SimTime>,
    /// Windows computed since the last sample (recomputed only after a change).
    cached: Option<Windows>,
}

impl HybridHistogram {
    /// An empty histogram of `round(range_s / bin_s)` bins.
    pub fn new(
        range_s: f64,
        bin_s: f64,
        cv_threshold: f64,
        oob_threshold: f64,
        margin: f64,
    ) -> HybridHistogram {
        let nbins = ((range_s / bin_s).round() as usize).max(1);
        HybridHistogram {
            range_s,
            bin_s,
            cv_threshold,
            oob_threshold,
            margin,
            bins: vec![0; nbins],
            in_bounds: 0,
            out_of_bounds: 0,
            last_end: None,
            cached: None,
        }
    }

    /// Records the idle time before an arrival at `now`, if an invocation has completed.
    pub fn on_arrival(&mut self, now: SimTime) {
        let Some(end) = self.last_end else {
            return;
        };
        self.record(now.since(end).as_secs_f64());
    }

    /// Adds one idle-time sample of `it` seconds.
    pub fn record(&mut self, it: f64) {
        if it < self.range_s {
            let b = ((it / self.bin_s).floor() as usize).min(self.bins.len() - 1);
            self.bins[b] += 1;
            self.in_bounds += 1;
        } else {
            self.out_of_bounds += 1;
        }
        self.cached = None;
    }

    /// Coefficient of variation of the bin counts (0 when the mean is 0).
    pub fn cv(&self) -> f64 {
        let n = self.bins.len() as f64;
        let mean = self.in_bounds as f64 / n;
        if mean == 0.0 || self.bins.len() < 2 {
            return 0.0;
        }
        let ss: f64 = self
            .bins
            .iter()
            .map(|&c| {
                let d = c as f64 - mean;
                d * d
            })
            .sum();
        (ss / (n - 1.0)).sqrt() / mean
    }

    /// Share of samples beyond the range (0 without samples).
    pub fn oob(&self) -> f64 {
        let total = self.in_bounds + self.out_of_bounds;
        if total == 0 {
            0.0
        } else {
            self.out_of_bounds as f64 / total as f64
        }
    }

    /// The pattern the histogram shows.
    pub fn pattern(&self) -> Pattern {
        if self.oob() >= self.oob_threshold && self.out_of_bounds > 0 {
            Pattern::OutOfBounds
        } else if self.cv() < self.cv_threshold {
            Pattern::Uncertain
        } else {
            Pattern::Certain
        }
    }

    /// The first bin whose cumulative share of in-bounds samples reaches `share`.
    fn percentile_bin(&self, share: f64) -> usize {
        let mut cum = 0u64;
        for (i, &c) in self.bins.iter().enumerate() {
            cum += c;
            if cum as f64 >= share * self.in_bounds as f64 {
                return i;
            }
        }
        self.bins.len() - 1
    }

    /// The windows for the current histogram.
    pub fn windows(&mut self) -> Windows {
        if let Some(w) = self.cached {
            return w;
        }
        let w = match self.pattern() {
            Pattern::Certain => {
                let head = self.percentile_bin(0.05) as f64;
                let tail = self.percentile_bin(0.99) as f64;
                Windows {
                    prewarm: SimTime::from_secs_f64(head * self.bin_s * (1.0 - self.margin)),
                    keepalive: SimTime::from_secs_f64(
                        (tail + 1.0) * self.bin_s * (1.0 + self.margin),
                    ),
                }
            }
            Pattern::Uncertain | Pattern::OutOfBounds => Windows {
                prewarm: SimTime::ZERO,
                keepalive: SimTime::from_secs_f64(self.range_s),
            },
        };
        self.cached = Some(w);
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() -> HybridHistogram {
        HybridHistogram::new(14_400.0, 60.0, 2.0, 0.5, 0.1)
    }

    fn s(x: f64) -> SimTime {
        SimTime::from_secs_f64(x)
    }

    #[test]
    fn an_empty_histogram_is_uncertain_and_keeps_replicas_for_the_whole_range() {
        let mut h = h();
        assert_eq!(h.pattern(), Pattern::Uncertain);
        assert_eq!(
            h.windows(),
            Windows {
                prewarm: SimTime::ZERO,
                keepalive: s(14_400.0)
            }
        );
    }

    #[test]
    fn regular_ten_minute_gaps_prewarm_after_nine_minutes_and_keep_two_bins_more() {
        let mut h = h();
        for _ in 0..100 {
            h.record(610.0); // bin 10
        }
        assert_eq!(h.pattern(), Pattern::Certain);
        let w = h.windows();
        // head = tail = bin 10: prewarm 10 × 60 × 0.9 = 540 s, keepalive 11 × 60 × 1.1 = 726 s.
        assert_eq!(w.prewarm, s(540.0));
        assert_eq!(w.keepalive, s(726.0));
    }

    #[test]
    fn mostly_out_of_bounds_gaps_fall_back_to_the_uncertain_rule() {
        let mut h = h();
        for _ in 0..3 {
            h.record(20_000.0);
        }
        h.record(30.0);
        assert_eq!(h.pattern(), Pattern::OutOfBounds);
        assert_eq!(h.windows().prewarm, SimTime::ZERO);
        assert_eq!(h.windows().keepalive, s(14_400.0));
    }

    #[test]
    fn evenly_spread_gaps_are_uncertain() {
        let mut h = h();
        for b in 0..240 {
            h.record(b as f64 * 60.0 + 1.0);
        }
        assert!(h.cv() < 1e-9);
        assert_eq!(h.pattern(), Pattern::Uncertain);
    }

    #[test]
    fn idle_times_are_measured_from_the_last_completion_to_the_next_arrival() {
        let mut p = KeepalivePolicy::from_config(&KeepaliveConfig::HybridHistogram {
            range_s: 600.0,
            bin_s: 60.0,
            cv_threshold: 2.0,
            oob_threshold: 0.5,
            margin: 0.0,
        });
        p.on_arrival(s(5.0)); // no completed invocation yet: no sample
        p.on_completion(s(10.0));
        p.on_arrival(s(130.0)); // 120 s → bin 2
        let KeepalivePolicy::Hybrid(h) = &p else {
            unreachable!()
        };
        assert_eq!(h.bins[2], 1);
        assert_eq!(h.in_bounds, 1);
        let w = p.windows().unwrap();
        assert_eq!((w.prewarm, w.keepalive), (s(120.0), s(180.0)));
    }
}
