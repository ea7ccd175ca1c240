//! The idler (faas-idler, scale to zero; `docs/scaling.md`).
//!
//! Every `scaling.idler.interval_s` (first at `interval_s`), each deployed function with
//! `scale_zero = true`, at least one live replica and no request waiting or in flight is
//! suspended (`suspend`, reason `idle`) once `now − last_arrival ≥ inactivity_s`, where
//! `last_arrival` is the function's last arrival, or its deploy time if none came since.

use crate::engine::SimTime;

/// What the idler does with one function at a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleCheck {
    /// Nothing is live: nothing to suspend.
    NothingLive,
    /// Requests are waiting or in flight.
    Busy,
    /// Idle for less than the inactivity threshold.
    NotIdle,
    /// Suspend.
    Suspend,
}

impl IdleCheck {
    /// Reason recorded in the `scaling` table.
    pub fn reason(self) -> &'static str {
        match self {
            IdleCheck::NothingLive => "no_live",
            IdleCheck::Busy => "busy",
            IdleCheck::NotIdle => "not_idle",
            IdleCheck::Suspend => "idle",
        }
    }
}

/// The idler's check of one function.
pub fn check(
    now: SimTime,
    last_arrival: SimTime,
    inactivity: SimTime,
    live: u32,
    outstanding: u64,
) -> IdleCheck {
    if live == 0 {
        IdleCheck::NothingLive
    } else if outstanding > 0 {
        IdleCheck::Busy
    } else if now.since(last_arrival) >= inactivity {
        IdleCheck::Suspend
    } else {
        IdleCheck::NotIdle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_last_called_at_100_is_suspended_at_the_tick_at_420() {
        let s = SimTime::from_secs_f64;
        let first = (1..)
            .map(|k| s(30.0 * k as f64))
            .find(|&t| check(t, s(100.0), s(300.0), 1, 0) == IdleCheck::Suspend)
            .unwrap();
        assert_eq!(first, s(420.0));
    }

    #[test]
    fn waiting_requests_or_no_live_replica_prevent_suspension() {
        let s = SimTime::from_secs_f64;
        assert_eq!(check(s(900.0), s(0.0), s(300.0), 1, 1), IdleCheck::Busy);
        assert_eq!(
            check(s(900.0), s(0.0), s(300.0), 0, 0),
            IdleCheck::NothingLive
        );
    }
}
