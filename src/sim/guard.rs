//! The run's guards against inputs that would never finish or would exhaust memory
//! (`docs/scenario.md`, "`run`"): a stuck clock (an event storm at one instant) fails the run
//! naming the likely key; the row tables growing past `run.max_memory_mb` abort it.
//!
//! Both are checked from the event loop only; they never change a run that stays within them.

use super::Event;
use crate::engine::SimTime;

/// Events at one instant beyond which the clock is considered stuck. No plausible scenario
/// handles a million events in one nanosecond; a period that rounds to 0 ns does so at once.
pub const STUCK_CLOCK_EVENTS: u64 = 1_000_000;

/// The memory budget of a run's tables when `run.max_memory_mb` is not set.
pub const DEFAULT_MAX_MEMORY_MB: u64 = 4096;

/// Counts consecutive events at one simulated instant.
#[derive(Debug, Default)]
pub(super) struct StuckClock {
    at: SimTime,
    events: u64,
}

impl StuckClock {
    /// Records an event at `t`; false once too many happened at one instant (then
    /// [`StuckClock::message`] says why).
    #[inline(always)]
    pub(super) fn observe(&mut self, t: SimTime) -> bool {
        if t != self.at {
            self.at = t;
            self.events = 0;
        }
        self.events += 1;
        self.events <= STUCK_CLOCK_EVENTS
    }

    /// The error of a stuck clock at `t`, naming the key most likely behind a storm of `ev`.
    #[cold]
    #[inline(never)]
    pub(super) fn message(t: SimTime, ev: Event) -> String {
        format!(
            "the clock is stuck: more than {STUCK_CLOCK_EVENTS} events at t = {} s without time advancing; {}",
            t.as_secs_f64(),
            likely_cause(ev)
        )
    }
}

/// The key most likely behind a storm of `ev` at one instant.
fn likely_cause(ev: Event) -> &'static str {
    match ev {
        Event::MonitorTick => "check `monitor.interval_s`",
        Event::IdlerTick => "check `scaling.idler.interval_s`",
        Event::ScalerTick { .. } => {
            "check the autoscaler periods (`scaling.hpa.period_s`, `alert_window`, `rps_threshold_duration`)"
        }
        Event::ColdPoll { .. } => "check `routing.cold_start_poll_s`",
        Event::Arrival { .. } => {
            "check the workloads' rates and arrivals (`rate`, `arrivals.*.scale`, `max_ia`)"
        }
        Event::ScheduleNext | Event::PlacementFailed { .. } => {
            "check `scheduler.retry_backoff_s` and the scheduling latency"
        }
        _ => "check the scenario's durations and periods",
    }
}

/// How often (in events) the memory budget is checked: often enough to stop within a few MB.
pub const MEMORY_CHECK_EVERY: u64 = 1 << 14;

/// The message of a run stopped by its memory budget.
pub(super) fn over_budget(used_bytes: usize, budget_mb: u64) -> Option<String> {
    let budget = budget_mb.saturating_mul(1 << 20);
    (used_bytes as u64 > budget).then(|| {
        format!(
            "run.max_memory_mb: the run's tables reached {} MB, over the budget of {budget_mb} MB (raise run.max_memory_mb or record fewer rows, e.g. outputs.invocations)",
            used_bytes >> 20
        )
    })
}

/// Bytes held by a vector's buffer.
pub(super) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_at_one_instant_names_the_likely_key() {
        let mut c = StuckClock::default();
        let t = SimTime(5);
        for _ in 0..STUCK_CLOCK_EVENTS {
            assert!(c.observe(t));
        }
        assert!(!c.observe(t));
        let e = StuckClock::message(t, Event::MonitorTick);
        assert!(e.contains("monitor.interval_s"), "{e}");
    }

    #[test]
    fn time_advancing_resets_the_count() {
        let mut c = StuckClock::default();
        for i in 0..3 * STUCK_CLOCK_EVENTS {
            assert!(c.observe(SimTime(i / 2)));
        }
    }

    #[test]
    fn the_budget_binds_only_above_it() {
        assert!(over_budget(1 << 20, 1).is_none());
        assert!(over_budget((1 << 20) + 1, 1)
            .unwrap()
            .contains("run.max_memory_mb"));
    }
}
