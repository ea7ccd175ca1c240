//! `IdleClock`: the keep-alive state of every replica slot — when an idle replica expires and
//! its pending expiry timer with the time that timer is due — in one record per slot.
//!
//! A replica becoming idle (`docs/scaling.md`, keep-alive) writes its expiry and, unless a
//! pending timer already fires no later, schedules or moves that timer. With the three facts in
//! separate columns, and the timer's due time read back from the event queue's timer table,
//! that was three or four first-level cache misses per completion in a run with hundreds of
//! replicas; side by side they are one (docs/performance.md, "Round 8: cache misses of
//! many-function runs").
//!
//! The column indexes like the `Vec<SimTime>` it replaces: `ReplicaTable::keepalive[slot]` is
//! the expiry of the slot's last idle period (`SimTime::NEVER` without one, or once it expired or
//! the replica left Running). A dispatch leaves it as it is: a busy replica is recognised by its
//! outstanding requests (docs/performance.md, "Round 9: one record per replica").

use crate::engine::{SimTime, TimerId};
use std::ops::{Index, IndexMut};

/// One slot's keep-alive state (two records per cache line, never one across two lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(align(32))]
struct IdleSlot {
    /// When the replica's last idle period expires (`NEVER`: none; kept while the replica is
    /// busy again, see the module doc).
    until: SimTime,
    /// The pending expiry timer ([`TimerId::NONE`]: none).
    timer: TimerId,
    /// When `timer` is due (meaningful only with a timer).
    due: SimTime,
}

impl IdleSlot {
    const FRESH: IdleSlot = IdleSlot {
        until: SimTime::NEVER,
        timer: TimerId::NONE,
        due: SimTime::NEVER,
    };
}

/// What a replica that becomes idle needs of its expiry timer ([`IdleClock::begin_idle`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryTimer {
    /// A timer due no later than the new expiry is pending: nothing to do.
    Pending,
    /// No timer is pending: schedule one at the expiry.
    Schedule,
    /// This pending timer is due after the new expiry: move it there (recorded already).
    MoveEarlier(TimerId),
}

/// The keep-alive state of every replica slot.
#[derive(Clone, Debug, Default)]
pub struct IdleClock {
    slots: Vec<IdleSlot>,
}

impl IdleClock {
    /// Appends a slot: not idle, no timer.
    pub fn push(&mut self) {
        self.slots.push(IdleSlot::FRESH);
    }

    /// A new replica occupies slot `i`: not idle, no timer (a timer of the slot's previous
    /// replica still in the queue names that replica's reference, which no longer resolves).
    #[inline]
    pub fn reset(&mut self, i: usize) {
        self.slots[i] = IdleSlot::FRESH;
    }

    /// Slot `i`'s pending expiry timer and when it is due, if one is pending.
    ///
    /// Exact as long as every change to the timer goes through [`IdleClock::set_timer`] and
    /// [`IdleClock::clear_timer`] (`src/sim/scalers.rs` is the only user; debug builds compare
    /// it with the event queue's own record).
    #[inline]
    pub fn timer(&self, i: usize) -> Option<(TimerId, SimTime)> {
        let s = &self.slots[i];
        (s.timer != TimerId::NONE).then_some((s.timer, s.due))
    }

    /// Slot `i`'s expiry timer is `timer`, due at `due` (scheduled, or moved to `due`).
    #[inline]
    pub fn set_timer(&mut self, i: usize, timer: TimerId, due: SimTime) {
        let s = &mut self.slots[i];
        s.timer = timer;
        s.due = due;
    }

    /// Slot `i`'s replica becomes idle until `until`: records that expiry and says what its
    /// pending timer needs. One look-up of the slot for the write and the timer together: this
    /// runs at most request completions (docs/performance.md, "Round 9c").
    ///
    /// A pending timer due no later stays (when it fires it finds the later expiry and waits
    /// for it); one due later must move to `until`, and the slot already records that due time
    /// (the caller moves the queue's timer); without one, the caller schedules one and records
    /// it with [`IdleClock::set_timer`].
    #[inline(always)]
    pub fn begin_idle(&mut self, i: usize, until: SimTime) -> ExpiryTimer {
        let s = &mut self.slots[i];
        s.until = until;
        if s.timer == TimerId::NONE {
            ExpiryTimer::Schedule
        } else if s.due > until {
            s.due = until;
            ExpiryTimer::MoveEarlier(s.timer)
        } else {
            ExpiryTimer::Pending
        }
    }

    /// Slot `i`'s expiry timer fired: none is pending.
    #[inline]
    pub fn clear_timer(&mut self, i: usize) {
        self.slots[i].timer = TimerId::NONE;
    }

    /// Slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True without slots.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

impl Index<usize> for IdleClock {
    type Output = SimTime;

    /// When slot `i`'s idle replica expires.
    #[inline(always)]
    fn index(&self, i: usize) -> &SimTime {
        &self.slots[i].until
    }
}

impl IndexMut<usize> for IdleClock {
    #[inline(always)]
    fn index_mut(&mut self, i: usize) -> &mut SimTime {
        &mut self.slots[i].until
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventQueue;

    #[test]
    fn a_slot_is_two_to_a_cache_line() {
        assert_eq!(std::mem::size_of::<IdleSlot>(), 32);
        assert_eq!(std::mem::align_of::<IdleSlot>(), 32);
    }

    #[test]
    fn a_fresh_slot_is_busy_without_a_timer() {
        let mut c = IdleClock::default();
        c.push();
        assert_eq!(c[0], SimTime::NEVER);
        assert_eq!(c.timer(0), None);
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_expiry_indexes_like_a_column_and_leaves_the_timer_alone() {
        let s = SimTime::from_secs_f64;
        let mut c = IdleClock::default();
        c.push();
        c.push();
        let mut q: EventQueue<u32> = EventQueue::default();
        let t = q.schedule(s(5.0), 7);
        c.set_timer(1, t, s(5.0));
        c[1] = s(3.0);
        assert_eq!((c[0], c[1]), (SimTime::NEVER, s(3.0)));
        assert_eq!(c.timer(1), Some((t, s(5.0))));
        c.set_timer(1, t, s(4.0)); // moved earlier
        assert_eq!(c.timer(1), Some((t, s(4.0))));
        c.clear_timer(1);
        assert_eq!(c.timer(1), None);
        assert_eq!(c[1], s(3.0), "the expiry is the caller's to change");
    }

    #[test]
    fn becoming_idle_records_the_expiry_and_says_what_the_timer_needs() {
        let s = SimTime::from_secs_f64;
        let mut c = IdleClock::default();
        c.push();
        let mut q: EventQueue<u32> = EventQueue::default();
        // No timer: schedule one; the expiry is recorded either way.
        assert_eq!(c.begin_idle(0, s(10.0)), ExpiryTimer::Schedule);
        assert_eq!((c[0], c.timer(0)), (s(10.0), None));
        let t = q.schedule(s(10.0), 0);
        c.set_timer(0, t, s(10.0));
        // A later expiry: the timer due earlier stays, and re-checks when it fires.
        assert_eq!(c.begin_idle(0, s(12.0)), ExpiryTimer::Pending);
        assert_eq!((c[0], c.timer(0)), (s(12.0), Some((t, s(10.0)))));
        // The same instant as the timer: it stays.
        assert_eq!(c.begin_idle(0, s(10.0)), ExpiryTimer::Pending);
        assert_eq!(c.timer(0), Some((t, s(10.0))));
        // An earlier expiry: the timer moves, and its new due time is recorded.
        assert_eq!(c.begin_idle(0, s(7.0)), ExpiryTimer::MoveEarlier(t));
        assert_eq!((c[0], c.timer(0)), (s(7.0), Some((t, s(7.0)))));
    }

    #[test]
    fn a_reset_forgets_the_previous_replica_s_timer_and_expiry() {
        let s = SimTime::from_secs_f64;
        let mut c = IdleClock::default();
        c.push();
        let mut q: EventQueue<u32> = EventQueue::default();
        let t = q.schedule(s(1.0), 0);
        c.set_timer(0, t, s(1.0));
        c[0] = s(1.0);
        c.reset(0);
        assert_eq!((c[0], c.timer(0)), (SimTime::NEVER, None));
    }
}
